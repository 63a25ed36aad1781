import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { InterfaceEndpointService, NatStrategy, WorkloadVpc, WorkloadVpcProps } from '../src';
import { AZS, EnvironmentStack, subnetIdsOfTier, synthVpc } from './fixtures';

describe('WorkloadVpc defaults', () => {
  const { template, network, app } = synthVpc();

  test('spans the given AZs with a /16 carved into equal /20 subnets, one per tier and AZ', () => {
    template.hasResourceProperties('AWS::EC2::VPC', {
      CidrBlock: '10.0.0.0/16',
      EnableDnsHostnames: true,
      EnableDnsSupport: true,
    });
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    expect(subnetIdsOfTier(template, 'Public')).toHaveLength(3);
    expect(subnetIdsOfTier(template, 'Private')).toHaveLength(3);
    expect(subnetIdsOfTier(template, 'Isolated')).toHaveLength(3);
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    expect(new Set(subnets.map((s) => s.Properties.AvailabilityZone))).toEqual(new Set(AZS));
    expect(subnets.every((s) => /\/20$/.test(s.Properties.CidrBlock))).toBe(true);
    expect(network.azCount).toBe(3);
  });

  test('public subnets do not assign public IPs on launch', () => {
    const publicSubnets = subnetIdsOfTier(template, 'Public');
    expect(publicSubnets).toHaveLength(3);
    for (const id of publicSubnets) {
      expect(template.toJSON().Resources[id].Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('one NAT gateway per AZ (PER_AZ)', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    expect(network.natGatewayCount).toBe(3);
  });

  test('flow logs capture all traffic of the VPC into the log group', () => {
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      ResourceId: { Ref: Match.stringLikeRegexp('^VpcC') },
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: Match.stringLikeRegexp('FlowLogGroup') },
      DeliverLogsPermissionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogRole'), 'Arn'] },
    });
  });

  test('the flow log waits for the managed policy that lets its role write to the log group', () => {
    // The FlowLog references only the role; without DependsOn, CloudFormation could create it before the
    // policy is attached, and VPC Flow Logs would then fail to deliver (DeliverLogsErrorMessage "Access error").
    const policies = Object.keys(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toEqual([expect.stringMatching(/FlowLogPolicy/)]);
    template.hasResource('AWS::EC2::FlowLog', {
      Properties: { LogDestinationType: 'cloud-watch-logs' },
      DependsOn: Match.arrayWith([policies[0]]),
    });
  });

  test('the flow log group is KMS-encrypted, has one-year retention and is retained, except by the rollback of its own creation', () => {
    // RetainExceptOnCreate, not Retain: the group's name is fixed, so a group kept by the rollback of a
    // failed first create would make the retry fail with AlreadyExists.
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/groundwork/dev/network/vpc-flow-logs',
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogKey'), 'Arn'] },
        RetentionInDays: 365,
      },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the flow log key rotates, is retained like its log group, and admits CloudWatch Logs only for this log group', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
              Action: Match.arrayWith(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']),
              Condition: {
                ArnEquals: {
                  'kms:EncryptionContext:aws:logs:arn': {
                    'Fn::Join': [
                      '',
                      [
                        'arn:',
                        { Ref: 'AWS::Partition' },
                        ':logs:eu-west-1:111111111111:log-group:/groundwork/dev/network/vpc-flow-logs',
                      ],
                    ],
                  },
                },
              },
            }),
          ]),
        },
      },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the flow log role trusts only VPC Flow Logs of this account and has no inline policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
            // Exactly these two conditions: the account, and flow logs (any, as the ARN of the flow log that
            // will use the role does not exist yet) of this account and region.
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:111111111111:vpc-flow-log/*']],
                },
              },
            },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogGroup'), 'Arn'] },
          },
        ],
      },
      Roles: [{ Ref: Match.stringLikeRegexp('FlowLogRole') }],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('no S3 flow log unless a bucket is given', () => {
    template.resourcePropertiesCountIs('AWS::EC2::FlowLog', { LogDestinationType: 's3' }, 0);
  });

  test('the default security group is stripped of all rules', () => {
    template.hasResourceProperties('Custom::VpcRestrictDefaultSG', {
      DefaultSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VpcC'), 'DefaultSecurityGroup'] },
    });
  });

  test('S3 and DynamoDB gateway endpoints serve every route table', () => {
    const routeTables = Object.keys(template.findResources('AWS::EC2::RouteTable')).sort();
    expect(routeTables).toHaveLength(9);
    for (const service of ['s3', 'dynamodb']) {
      const endpoints = Object.values(
        template.findResources('AWS::EC2::VPCEndpoint', {
          Properties: {
            VpcEndpointType: 'Gateway',
            ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] },
          },
        }),
      );
      expect(endpoints).toHaveLength(1);
      expect(endpoints[0].Properties.RouteTableIds.map((r: { Ref: string }) => r.Ref).sort()).toEqual(routeTables);
    }
  });

  test('no interface endpoints by default, but the endpoint security group exists and admits only the VPC CIDR on 443', () => {
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        { CidrIp: '10.0.0.0/16', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() },
      ],
      // CDK's placeholder for "no egress": the group answers connections but opens none.
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('the isolated tier, and only it, has a network ACL admitting only VPC-internal traffic', () => {
    template.resourceCountIs('AWS::EC2::NetworkAcl', 1);
    const isolated = subnetIdsOfTier(template, 'Isolated');
    const associations = Object.values(template.findResources('AWS::EC2::SubnetNetworkAclAssociation'));
    expect(associations.map((a) => a.Properties.SubnetId.Ref).sort()).toEqual([...isolated].sort());
    const entries = Object.values(template.findResources('AWS::EC2::NetworkAclEntry')).map((e) => e.Properties);
    expect(entries).toHaveLength(2);
    for (const egress of [false, true]) {
      expect(entries).toContainEqual(
        expect.objectContaining({ CidrBlock: '10.0.0.0/16', Egress: egress, Protocol: -1, RuleAction: 'allow' }),
      );
    }
  });

  test('no Transit Gateway attachment and no IPAM allocation by default', () => {
    template.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 0);
    const vpc = Object.values(template.findResources('AWS::EC2::VPC'))[0];
    expect(vpc.Properties.Ipv4IpamPoolId).toBeUndefined();
    expect(network.transitGatewayAttachment).toBeUndefined();
  });

  test('publishes the network contract as SSM parameters under /groundwork/dev/network', () => {
    const expected: Array<[string, 'String' | 'StringList']> = [
      ['/groundwork/dev/network/vpc-id', 'String'],
      ['/groundwork/dev/network/vpc-cidr', 'String'],
      ['/groundwork/dev/network/availability-zones', 'StringList'],
      ['/groundwork/dev/network/public-subnet-ids', 'StringList'],
      ['/groundwork/dev/network/public-route-table-ids', 'StringList'],
      ['/groundwork/dev/network/private-subnet-ids', 'StringList'],
      ['/groundwork/dev/network/private-route-table-ids', 'StringList'],
      ['/groundwork/dev/network/isolated-subnet-ids', 'StringList'],
      ['/groundwork/dev/network/isolated-route-table-ids', 'StringList'],
      ['/groundwork/dev/network/endpoint-security-group-id', 'String'],
    ];
    const parameters = Object.values(template.findResources('AWS::SSM::Parameter')).map((p) => [
      p.Properties.Name,
      p.Properties.Type,
    ]);
    expect(parameters.sort()).toEqual(expected.sort());
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/groundwork/dev/network/vpc-id',
      Value: { Ref: Match.stringLikeRegexp('^VpcC') },
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/groundwork/dev/network/private-subnet-ids',
      Value: {
        'Fn::Join': [',', subnetIdsOfTier(template, 'Private').map((id) => ({ Ref: id }))],
      },
    });
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/groundwork/dev/network/availability-zones',
      Value: AZS.join(','),
    });
  });

  test('synthesis records no context lookup', () => {
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });
});

describe('WorkloadVpc NAT strategies', () => {
  test('SINGLE creates one NAT gateway shared by all private subnets', () => {
    const { template } = synthVpc({ natStrategy: NatStrategy.SINGLE });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    const natRoutes = Object.values(template.findResources('AWS::EC2::Route')).filter((r) => r.Properties.NatGatewayId);
    expect(natRoutes).toHaveLength(3);
    expect(new Set(natRoutes.map((r) => JSON.stringify(r.Properties.NatGatewayId))).size).toBe(1);
  });

  test('PER_AZ creates one NAT gateway per AZ', () => {
    const { template } = synthVpc({ natStrategy: NatStrategy.PER_AZ, availabilityZones: AZS.slice(0, 2) });
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  test('natGateways overrides the implied count', () => {
    const { template, network } = synthVpc({ natGateways: 2 });
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    expect(network.natGatewayCount).toBe(2);
  });

  test('NONE creates no NAT gateway and no private tier, and publishes no private parameters', () => {
    const { template, network } = synthVpc({ natStrategy: NatStrategy.NONE });
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    expect(subnetIdsOfTier(template, 'Private')).toHaveLength(0);
    expect(subnetIdsOfTier(template, 'Public')).toHaveLength(3);
    expect(subnetIdsOfTier(template, 'Isolated')).toHaveLength(3);
    expect(network.vpc.privateSubnets).toHaveLength(0);
    // Two tiers x 3 AZs = 6 subnets fit in 3 bits: /19.
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    expect(subnets.every((s) => /\/19$/.test(s.Properties.CidrBlock))).toBe(true);
    const names = Object.values(template.findResources('AWS::SSM::Parameter')).map((p) => p.Properties.Name);
    expect(names).not.toContain('/groundwork/dev/network/private-subnet-ids');
    expect(names).toContain('/groundwork/dev/network/isolated-subnet-ids');
  });
});

describe('WorkloadVpc options', () => {
  test('flowLogRetention sets the log group retention', () => {
    const { template } = synthVpc({ flowLogRetention: logs.RetentionDays.TEN_YEARS });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 3653 });
  });

  test('flowLogBucket adds a second flow log to S3', () => {
    const app = new App();
    const stack = new EnvironmentStack(app, 'Network');
    const bucket = new s3.Bucket(stack, 'Archive', { removalPolicy: RemovalPolicy.RETAIN });
    new WorkloadVpc(stack, 'Vpc', { environmentName: 'dev', availabilityZones: AZS, flowLogBucket: bucket });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::FlowLog', 2);
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      LogDestinationType: 's3',
      TrafficType: 'ALL',
      LogDestination: {
        'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('Archive'), 'Arn'] }, '/vpc-flow-logs/']],
      },
    });
  });

  test('interface endpoints share the endpoint security group, live in the isolated tier and use private DNS', () => {
    const { template, network } = synthVpc({
      interfaceEndpoints: [
        InterfaceEndpointService.STS,
        InterfaceEndpointService.SSM,
        InterfaceEndpointService.KMS,
        InterfaceEndpointService.LOGS,
        InterfaceEndpointService.ECR,
        InterfaceEndpointService.ECR_DOCKER,
        InterfaceEndpointService.STS,
      ],
    });
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 6);
    expect(network.interfaceEndpoints).toHaveLength(6);
    const isolated = subnetIdsOfTier(template, 'Isolated').map((id) => ({ Ref: id }));
    for (const service of ['sts', 'ssm', 'kms', 'logs', 'ecr.api', 'ecr.dkr']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: Match.stringLikeRegexp(`\\.${service.replace('.', '\\.')}$`),
        PrivateDnsEnabled: true,
        SubnetIds: isolated,
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('EndpointSecurityGroup'), 'GroupId'] }],
      });
    }
    // `open: false`: the endpoints add no rule of their own; the group keeps its single 443 rule.
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443 })],
    });
  });

  test('a Transit Gateway attachment with routes from the private and isolated tiers, admitted by the isolated ACL', () => {
    const { template, network } = synthVpc({
      transitGatewayId: 'tgw-0123456789abcdef0',
      privateSubnetTransitGatewayRoutes: ['10.100.0.0/16', '192.168.0.0/16'],
      isolatedSubnetTransitGatewayRoutes: ['10.200.0.0/16'],
    });
    expect(network.transitGatewayAttachment).toBeDefined();
    template.hasResourceProperties('AWS::EC2::TransitGatewayAttachment', {
      TransitGatewayId: 'tgw-0123456789abcdef0',
      SubnetIds: subnetIdsOfTier(template, 'Private').map((id) => ({ Ref: id })),
    });
    const tgwRoutes = template.findResources('AWS::EC2::Route', {
      Properties: { TransitGatewayId: 'tgw-0123456789abcdef0' },
    });
    // 3 AZs x 2 private routes + 3 AZs x 1 isolated route.
    expect(Object.keys(tgwRoutes)).toHaveLength(9);
    const attachmentId = Object.keys(template.findResources('AWS::EC2::TransitGatewayAttachment'))[0];
    for (const route of Object.values(tgwRoutes)) {
      expect(route.DependsOn).toContain(attachmentId);
    }
    for (const egress of [false, true]) {
      template.hasResourceProperties('AWS::EC2::NetworkAclEntry', {
        CidrBlock: '10.200.0.0/16',
        Egress: egress,
        RuleAction: 'allow',
      });
    }
    template.resourcePropertiesCountIs('AWS::EC2::NetworkAclEntry', { CidrBlock: '10.100.0.0/16' }, 0);
  });

  test('with NAT strategy NONE the Transit Gateway attaches to the isolated subnets', () => {
    const { template } = synthVpc({ natStrategy: NatStrategy.NONE, transitGatewayId: 'tgw-0123456789abcdef0' });
    template.hasResourceProperties('AWS::EC2::TransitGatewayAttachment', {
      SubnetIds: subnetIdsOfTier(template, 'Isolated').map((id) => ({ Ref: id })),
    });
  });

  test('IPAM allocates the VPC CIDR and the subnets are carved from it at deploy time', () => {
    const { template } = synthVpc({ ipamPoolId: 'ipam-pool-0123456789abcdef0', ipamNetmaskLength: 20 });
    template.hasResourceProperties('AWS::EC2::VPC', {
      Ipv4IpamPoolId: 'ipam-pool-0123456789abcdef0',
      Ipv4NetmaskLength: 20,
      CidrBlock: Match.absent(),
    });
    const subnet = Object.values(template.findResources('AWS::EC2::Subnet'))[0];
    expect(JSON.stringify(subnet.Properties.CidrBlock)).toContain('Fn::Cidr');
    // The endpoint rule and the ACL follow the allocated CIDR. The rule is its own resource, so that the
    // cdk-nag acknowledgement for its deploy-time source covers it alone (see nag.test.ts).
    const vpcCidr = { 'Fn::GetAtt': [Match.stringLikeRegexp('^VpcC'), 'CidrBlock'] };
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('EndpointSecurityGroup'), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      CidrIp: vpcCidr,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Interface VPC endpoints'),
      SecurityGroupIngress: Match.absent(),
    });
    template.hasResourceProperties('AWS::EC2::NetworkAclEntry', { CidrBlock: vpcCidr, Egress: false });
  });

  test('publishParameters: false writes no SSM parameter', () => {
    const { template } = synthVpc({ publishParameters: false });
    template.resourceCountIs('AWS::SSM::Parameter', 0);
  });

  test('a plain environment-specific stack records an AZ lookup even with availabilityZones (README: override or seed it)', () => {
    const app = new App();
    const stack = new Stack(app, 'Plain', { env: { account: '111111111111', region: 'eu-west-1' } });
    new WorkloadVpc(stack, 'Vpc', { environmentName: 'dev', availabilityZones: AZS });
    expect((app.synth().manifest.missing ?? []).map((m) => m.key)).toEqual([
      'availability-zones:account=111111111111:region=eu-west-1',
    ]);
  });

  test('seeding the AZ context key avoids the lookup on a plain environment-specific stack', () => {
    const app = new App({ context: { 'availability-zones:account=111111111111:region=eu-west-1': AZS } });
    const stack = new Stack(app, 'Seeded', { env: { account: '111111111111', region: 'eu-west-1' } });
    new WorkloadVpc(stack, 'Vpc', { environmentName: 'dev', availabilityZones: AZS });
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });

  test('an environment-agnostic stack defaults to its 2 AZs and makes no lookup', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    const network = new WorkloadVpc(stack, 'Vpc', { environmentName: 'dev' });
    expect(network.azCount).toBe(2);
    Template.fromStack(stack).resourceCountIs('AWS::EC2::Subnet', 6);
    expect(app.synth().manifest.missing ?? []).toEqual([]);
  });
});

describe('WorkloadVpc subnet layout after the first deploy (README: "What is fixed once deployed")', () => {
  /** CidrBlock of every subnet, by logical id. */
  function subnetCidrs(props: Partial<WorkloadVpcProps>): Record<string, string> {
    const { template } = synthVpc({ cidr: '10.10.0.0/16', ...props });
    return Object.fromEntries(
      Object.entries(template.findResources('AWS::EC2::Subnet')).map(([id, subnet]) => [
        id,
        subnet.Properties.CidrBlock as string,
      ]),
    );
  }
  /** Logical ids present in both layouts whose CIDR differs. */
  function moved(before: Record<string, string>, after: Record<string, string>): string[] {
    return Object.keys(before).filter((id) => id in after && after[id] !== before[id]);
  }

  test('SINGLE <-> PER_AZ keeps every subnet where it is: the change is safe on a deployed VPC', () => {
    const single = subnetCidrs({ natStrategy: NatStrategy.SINGLE });
    expect(subnetCidrs({ natStrategy: NatStrategy.PER_AZ })).toEqual(single);
    expect(subnetCidrs({ natStrategy: NatStrategy.SINGLE, natGateways: 2 })).toEqual(single);
  });

  test('another AZ count renumbers the existing subnets (EC2 would reject the overlapping replacements)', () => {
    const two = subnetCidrs({ natStrategy: NatStrategy.SINGLE, availabilityZones: AZS.slice(0, 2) });
    const three = subnetCidrs({ natStrategy: NatStrategy.SINGLE, availabilityZones: AZS });
    // 3 tiers x 2 AZs: 6 subnets of /19; each one moves (with none, the comparison below would pass on nothing).
    expect(Object.keys(two)).toHaveLength(6);
    expect(Object.values(two).every((cidr) => cidr.endsWith('/19'))).toBe(true);
    expect(moved(two, three)).toHaveLength(6);
  });

  test('another AZ order keeps the CIDRs but moves the subnets to other AZs (a replacement too)', () => {
    const { template: before } = synthVpc({ natStrategy: NatStrategy.SINGLE, availabilityZones: AZS });
    const { template: after } = synthVpc({ natStrategy: NatStrategy.SINGLE, availabilityZones: [...AZS].reverse() });
    const property = (template: typeof before, name: 'AvailabilityZone' | 'CidrBlock') =>
      Object.fromEntries(
        Object.entries(template.findResources('AWS::EC2::Subnet')).map(([id, s]) => [id, s.Properties[name] as string]),
      );
    const [cidrsBefore, cidrsAfter] = [property(before, 'CidrBlock'), property(after, 'CidrBlock')];
    // The same 9 subnets keep their CIDRs: numbering depends on the AZ count, not on the AZ order.
    expect(Object.keys(cidrsBefore)).toHaveLength(9);
    expect(cidrsAfter).toEqual(cidrsBefore);
    // Reversing a, b, c swaps subnet 1 (a -> c) and subnet 3 (c -> a) of every tier; subnet 2 stays in b.
    const [azsBefore, azsAfter] = [property(before, 'AvailabilityZone'), property(after, 'AvailabilityZone')];
    const swapped = { 'eu-west-1a': 'eu-west-1c', 'eu-west-1b': 'eu-west-1b', 'eu-west-1c': 'eu-west-1a' };
    expect(azsAfter).toEqual(
      Object.fromEntries(Object.entries(azsBefore).map(([id, az]) => [id, swapped[az as keyof typeof swapped]])),
    );
    expect(
      moved(azsBefore, azsAfter)
        .map((id) => id.replace(/Subnet[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual([
      'VpcIsolatedSubnet1',
      'VpcIsolatedSubnet3',
      'VpcPrivateSubnet1',
      'VpcPrivateSubnet3',
      'VpcPublicSubnet1',
      'VpcPublicSubnet3',
    ]);
  });

  test('NONE <-> SINGLE/PER_AZ renumbers the existing subnets (a tier comes or goes)', () => {
    const withPrivate = subnetCidrs({ natStrategy: NatStrategy.SINGLE });
    const withoutPrivate = subnetCidrs({ natStrategy: NatStrategy.NONE });
    expect(moved(withPrivate, withoutPrivate).length).toBeGreaterThan(0);
  });
});
