import { App, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { InterfaceEndpointService, NatStrategy, WorkloadVpc, WorkloadVpcProps } from '../src';
import { AZS, EnvironmentStack } from './fixtures';

function build(props: Partial<WorkloadVpcProps> = {}) {
  const app = new App();
  const stack = new EnvironmentStack(app, 'Network');
  const network = new WorkloadVpc(stack, 'Vpc', { environmentName: 'dev', availabilityZones: AZS, ...props });
  return { app, stack, network };
}

function findings(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(scope), new NIST80053R5Checks(scope)].flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) =>
          `${v.ruleName} ${r.constructPath ?? r.resourceLogicalId} ${r.locations?.[0] ?? ''}`.trim(),
        ),
      ),
  );
}

/** Every acknowledgement in the tree, as `<construct path> <rule id>`. */
function acknowledgements(scope: IConstruct): string[] {
  return scope.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.keys(m.data).map((id) => `${c.node.path} ${id.replace(/^annotation::/i, '')}`)),
    )
    .filter((ack) => !ack.includes('CloudFormation-Validate::'));
}

describe('cdk-nag AwsSolutions and NIST 800-53 rev 5', () => {
  test('zero unacknowledged findings on a WorkloadVpc with defaults', () => {
    const { app } = build();
    expect(findings(app)).toEqual([]);
  });

  test('the acknowledgements are exactly the documented design findings, each on one construct', () => {
    const { app } = build();
    expect(acknowledgements(app).sort()).toEqual(
      [
        'Network/Vpc/IsolatedNetworkAcl AwsSolutions-VPC3',
        'Network/Vpc/Vpc/PublicSubnet1/DefaultRoute NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        'Network/Vpc/Vpc/PublicSubnet2/DefaultRoute NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
        'Network/Vpc/Vpc/PublicSubnet3/DefaultRoute NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
      ].sort(),
    );
  });

  test('with IPAM, only the VPC-CIDR ingress rule acknowledges the three rules that cannot resolve a deploy-time CIDR', () => {
    const { app } = build({ ipamPoolId: 'ipam-pool-0123456789abcdef0', ipamNetmaskLength: 20 });
    expect(
      acknowledgements(app)
        .filter((ack) => ack.startsWith('Network/Vpc/EndpointSecurityGroup'))
        .sort(),
    ).toEqual([
      'Network/Vpc/EndpointSecurityGroup/VpcCidrHttpsIngress AwsSolutions-EC23',
      'Network/Vpc/EndpointSecurityGroup/VpcCidrHttpsIngress NIST.800.53.R5-EC2RestrictedCommonPorts',
      'Network/Vpc/EndpointSecurityGroup/VpcCidrHttpsIngress NIST.800.53.R5-EC2RestrictedSSH',
    ]);
  });

  test('with IPAM, an internet-open rule a consumer adds to the endpoint group is still reported', () => {
    const { app, network } = build({ ipamPoolId: 'ipam-pool-0123456789abcdef0', ipamNetmaskLength: 20 });
    network.endpointSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    const reported = findings(app).filter((f) => f.includes('EndpointSecurityGroup'));
    expect(reported).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AwsSolutions-EC23 Network\/Vpc\/EndpointSecurityGroup\/Resource\b/),
        expect.stringMatching(/^NIST\.800\.53\.R5-EC2RestrictedSSH Network\/Vpc\/EndpointSecurityGroup\/Resource\b/),
      ]),
    );
    expect(reported.every((f) => !f.includes('VpcCidrHttpsIngress'))).toBe(true);
  });

  test.each<[string, Partial<WorkloadVpcProps>]>([
    [
      'interface endpoints and a Transit Gateway',
      {
        interfaceEndpoints: Object.values(InterfaceEndpointService),
        transitGatewayId: 'tgw-0123456789abcdef0',
        privateSubnetTransitGatewayRoutes: ['10.100.0.0/16'],
        isolatedSubnetTransitGatewayRoutes: ['10.200.0.0/16'],
      },
    ],
    ['IPAM allocation', { ipamPoolId: 'ipam-pool-0123456789abcdef0', ipamNetmaskLength: 20 }],
    ['NAT strategy NONE', { natStrategy: NatStrategy.NONE }],
  ])('zero unacknowledged findings with %s', (_name, props) => {
    const { app } = build(props);
    expect(findings(app)).toEqual([]);
  });

  test('the packs do see the stack: an open SSH group beside the VPC is reported', () => {
    const { app, stack, network } = build();
    new ec2.SecurityGroup(stack, 'Bastion', { vpc: network.vpc, allowAllOutbound: false }).addIngressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(22),
    );
    const reported = findings(app);
    expect(reported).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AwsSolutions-EC23 /),
        expect.stringMatching(/^NIST\.800\.53\.R5-EC2RestrictedSSH /),
      ]),
    );
  });
});
