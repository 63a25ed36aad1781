import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { NetworkParameterPaths, WorkloadVpc } from '../src';
import { AZS, synthVpc } from './fixtures';

/** An app team's stack: environment-agnostic, importing the `dev` VPC. */
function appTeamStack(options: { azCount?: number; availabilityZones?: string[]; hasPrivateSubnets?: boolean }) {
  const app = new App();
  const stack = new Stack(app, 'Orders');
  const vpc = WorkloadVpc.fromEnvironment(stack, 'Network', { environmentName: 'dev', ...options });
  return { app, stack, vpc };
}

describe('WorkloadVpc.fromEnvironment', () => {
  test('reads deploy-time SSM parameters, not context lookups', () => {
    const { app, stack, vpc } = appTeamStack({ azCount: 3 });
    new ec2.SecurityGroup(stack, 'AppSecurityGroup', { vpc, description: 'app', allowAllOutbound: false });
    new ec2.CfnNetworkInterface(stack, 'Eni', {
      subnetId: vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds[2],
    });
    const template = Template.fromStack(stack);
    const parameters = template.toJSON().Parameters as { [id: string]: { Type: string; Default: string } };
    const byPath = Object.fromEntries(Object.entries(parameters).map(([id, p]) => [p.Default, { id, type: p.Type }]));
    expect(byPath[NetworkParameterPaths.vpcId('dev')].type).toBe('AWS::SSM::Parameter::Value<String>');
    expect(byPath[NetworkParameterPaths.vpcCidr('dev')].type).toBe('AWS::SSM::Parameter::Value<String>');
    for (const path of [
      NetworkParameterPaths.availabilityZones('dev'),
      NetworkParameterPaths.publicSubnetIds('dev'),
      NetworkParameterPaths.privateSubnetIds('dev'),
      NetworkParameterPaths.isolatedSubnetIds('dev'),
      NetworkParameterPaths.privateRouteTableIds('dev'),
    ]) {
      expect(byPath[path].type).toBe('AWS::SSM::Parameter::Value<List<String>>');
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: { Ref: byPath[NetworkParameterPaths.vpcId('dev')].id },
    });
    template.hasResourceProperties('AWS::EC2::NetworkInterface', {
      SubnetId: { 'Fn::Select': [2, { Ref: byPath[NetworkParameterPaths.privateSubnetIds('dev')].id }] },
    });
    expect(vpc.privateSubnets).toHaveLength(3);
    expect(vpc.isolatedSubnets).toHaveLength(3);
    expect(vpc.publicSubnets).toHaveLength(3);
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  test('literal AZ names skip the availability-zones parameter', () => {
    const { stack, vpc } = appTeamStack({ availabilityZones: AZS });
    expect(vpc.availabilityZones).toEqual(AZS);
    const defaults = Object.values(Template.fromStack(stack).toJSON().Parameters ?? {}).map((p: any) => p.Default);
    expect(defaults).not.toContain(NetworkParameterPaths.availabilityZones('dev'));
  });

  test('hasPrivateSubnets: false imports a VPC of a NatStrategy.NONE environment', () => {
    const { stack, vpc } = appTeamStack({ azCount: 2, hasPrivateSubnets: false });
    expect(vpc.privateSubnets).toHaveLength(0);
    const defaults = Object.values(Template.fromStack(stack).toJSON().Parameters ?? {}).map((p: any) => p.Default);
    expect(defaults).not.toContain(NetworkParameterPaths.privateSubnetIds('dev'));
  });

  test('every parameter the import reads is one the VPC publishes', () => {
    const published = Object.values(synthVpc().template.findResources('AWS::SSM::Parameter')).map(
      (p) => p.Properties.Name,
    );
    const { stack } = appTeamStack({ azCount: 3 });
    const read = Object.values(Template.fromStack(stack).toJSON().Parameters)
      .map((p: any) => p.Default as string)
      .filter((path) => path.startsWith('/groundwork/'));
    expect(read.length).toBeGreaterThan(5);
    expect(published).toEqual(expect.arrayContaining(read));
  });

  test('endpointSecurityGroupFromEnvironment imports the endpoint group immutably', () => {
    const stack = new Stack(new App(), 'Orders');
    const endpoints = WorkloadVpc.endpointSecurityGroupFromEnvironment(stack, 'Endpoints', 'dev');
    const appGroup = new ec2.SecurityGroup(stack, 'App', {
      vpc: WorkloadVpc.fromEnvironment(stack, 'Network', { environmentName: 'dev', azCount: 2 }),
      allowAllOutbound: false,
    });
    appGroup.connections.allowTo(endpoints, ec2.Port.tcp(443));
    const template = Template.fromStack(stack);
    // The app group gets an egress rule; the imported group is not modified (no ingress resource).
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      FromPort: 443,
      DestinationSecurityGroupId: {
        Ref: Match.stringLikeRegexp('^SsmParameterValuegroundworkdevnetworkendpointsecuritygroupid'),
      },
    });
  });

  test.each<[string, { azCount?: number; availabilityZones?: string[] }, RegExp]>([
    ['no AZ count', {}, /^Orders\/Network: WorkloadVpc\.fromEnvironment needs 'azCount' or 'availabilityZones'/],
    ['AZ count out of range', { azCount: 7 }, /'azCount' must be an integer from 1 to 6, found 7/],
    [
      'AZ count not matching names',
      { azCount: 2, availabilityZones: AZS },
      /'azCount' must equal the length of 'availabilityZones' \(3\), found 2/,
    ],
  ])('rejects %s', (_name, options, message) => {
    expect(() => appTeamStack(options)).toThrow(message);
  });

  test('rejects a bad environment name, naming the construct path and the prop', () => {
    const stack = new Stack(new App(), 'Orders');
    expect(() => WorkloadVpc.fromEnvironment(stack, 'Network', { environmentName: 'my env', azCount: 2 })).toThrow(
      /^Orders\/Network: invalid 'environmentName': .*found 'my env'/,
    );
    expect(() => WorkloadVpc.endpointSecurityGroupFromEnvironment(stack, 'Endpoints', 'dev/prod')).toThrow(
      /^Orders\/Endpoints: invalid 'environmentName': .*found 'dev\/prod'/,
    );
  });
});

describe('NetworkParameterPaths', () => {
  test('every path lives under /groundwork/<env>/network/', () => {
    expect(NetworkParameterPaths.prefix('prod')).toBe('/groundwork/prod/network');
    expect(NetworkParameterPaths.vpcId('prod')).toBe('/groundwork/prod/network/vpc-id');
    expect(NetworkParameterPaths.privateSubnetIds('prod')).toBe('/groundwork/prod/network/private-subnet-ids');
    expect(NetworkParameterPaths.endpointSecurityGroupId('prod')).toBe(
      '/groundwork/prod/network/endpoint-security-group-id',
    );
  });

  test('rejects names that cannot be a path segment', () => {
    expect(() => NetworkParameterPaths.vpcId('a/b')).toThrow(/environmentName must be 1-63 characters.*found 'a\/b'/);
    expect(() => NetworkParameterPaths.vpcId('')).toThrow(/found ''/);
  });

  // JavaScript callers and config values bypass the type; the name pattern alone would accept 'undefined'.
  test.each<[unknown, RegExp]>([
    [undefined, /^NetworkParameterPaths: environmentName must be a string, found undefined$/],
    [null, /^NetworkParameterPaths: environmentName must be a string, found null$/],
    [42, /^NetworkParameterPaths: environmentName must be a string, found a number \(42\)$/],
  ])('rejects a non-string environment name (%p) instead of writing it into the path', (name, message) => {
    expect(() => NetworkParameterPaths.vpcId(name as string)).toThrow(message);
    expect(() => NetworkParameterPaths.assertValidEnvironmentName(name as string)).toThrow(message);
  });

  test('fromEnvironment, endpointSecurityGroupFromEnvironment and WorkloadVpc reject a missing environment name', () => {
    const stack = new Stack(new App(), 'Orders');
    const missing = undefined as unknown as string;
    expect(() => WorkloadVpc.fromEnvironment(stack, 'Network', { environmentName: missing, azCount: 2 })).toThrow(
      /^Orders\/Network: invalid 'environmentName': .*must be a string, found undefined/,
    );
    expect(() => WorkloadVpc.endpointSecurityGroupFromEnvironment(stack, 'Endpoints', missing)).toThrow(
      /^Orders\/Endpoints: invalid 'environmentName': .*must be a string, found undefined/,
    );
    expect(() => new WorkloadVpc(stack, 'Vpc', { environmentName: missing, cidr: '10.0.0.0/16' })).toThrow(
      /^Orders\/Vpc: invalid 'environmentName': .*must be a string, found undefined/,
    );
  });
});
