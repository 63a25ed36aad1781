import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { InterfaceEndpointService, NatStrategy, WorkloadVpc, WorkloadVpcProps } from '../src';
import { AZS, EnvironmentStack } from './fixtures';

const TGW = 'tgw-0123456789abcdef0';

/** `count` distinct /16 CIDRs outside the default VPC CIDR 10.0.0.0/16: 10.101.0.0/16, 10.102.0.0/16, ... */
function routes(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `10.${101 + index}.0.0/16`);
}

function build(props: Partial<WorkloadVpcProps>, stack?: Stack): () => WorkloadVpc {
  return () =>
    new WorkloadVpc(stack ?? new EnvironmentStack(new App(), 'Network'), 'Vpc', {
      environmentName: 'dev',
      availabilityZones: AZS,
      ...props,
    });
}

describe('WorkloadVpc rejects bad props at construction, naming path, prop, expected and found', () => {
  test.each<[string, Partial<WorkloadVpcProps>, RegExp]>([
    [
      'CIDR syntax',
      { cidr: '10.0.0/16' },
      /^Network\/Vpc: 'cidr' must be an IPv4 CIDR like '10\.0\.0\.0\/16'.*found '10\.0\.0\/16'/,
    ],
    ['CIDR octet out of range', { cidr: '10.0.300.0/24' }, /'cidr' must be an IPv4 CIDR.*found '10\.0\.300\.0\/24'/],
    [
      'CIDR host bits set',
      { cidr: '10.0.0.1/16' },
      /'cidr' must be an IPv4 CIDR .*no host bits set, found '10\.0\.0\.1\/16'/,
    ],
    ['prefix below /16', { cidr: '10.0.0.0/8' }, /'cidr' prefix must be between \/16 and \/28.*found \/8/],
    ['prefix above /28', { cidr: '10.0.0.0/29' }, /'cidr' prefix must be between \/16 and \/28.*found \/29/],
    ['VPC too small for its subnets', { cidr: '10.0.0.0/26' }, /prefix \/26 is too small for 3 tiers x 3 AZs.*\/30/],
    [
      'azCount not matching availabilityZones',
      { azCount: 2 },
      /'azCount' must equal the length of 'availabilityZones' \(3\), found 2/,
    ],
    ['no AZs', { availabilityZones: [] }, /'availabilityZones' must list 1 to 6 AZs, found 0/],
    [
      'more than 6 AZs',
      { availabilityZones: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] },
      /'availabilityZones' must list 1 to 6 AZs, found 7/,
    ],
    ['a repeated AZ', { availabilityZones: ['eu-west-1a', 'eu-west-1a'] }, /'availabilityZones' must not repeat an AZ/],
    [
      'NAT count over AZ count',
      { natGateways: 4 },
      /'natGateways' must be an integer from 1 to the AZ count \(3\), found 4/,
    ],
    ['NAT count of zero', { natGateways: 0 }, /'natGateways' must be an integer from 1 to the AZ count \(3\), found 0/],
    [
      'NAT count with NONE',
      { natStrategy: NatStrategy.NONE, natGateways: 1 },
      /'natGateways' cannot be set with natStrategy NONE/,
    ],
    [
      'IPAM and cidr together',
      { cidr: '10.0.0.0/16', ipamPoolId: 'ipam-pool-0123456789abcdef0', ipamNetmaskLength: 20 },
      /set either 'cidr' or 'ipamPoolId', not both/,
    ],
    [
      'IPAM without netmask',
      { ipamPoolId: 'ipam-pool-0123456789abcdef0' },
      /'ipamNetmaskLength' \(16-28\) is required with 'ipamPoolId'/,
    ],
    [
      'IPAM netmask out of range',
      { ipamPoolId: 'ipam-pool-0123456789abcdef0', ipamNetmaskLength: 30 },
      /'ipamNetmaskLength' must be an integer from 16 to 28, found 30/,
    ],
    ['netmask without IPAM', { ipamNetmaskLength: 20 }, /'ipamNetmaskLength' only applies with 'ipamPoolId'/],
    [
      'malformed IPAM pool id',
      { ipamPoolId: 'pool-1', ipamNetmaskLength: 20 },
      /'ipamPoolId' must look like 'ipam-pool-.*found 'pool-1'/,
    ],
    [
      'IPAM pool id with the prefix but no hexadecimal id',
      { ipamPoolId: 'ipam-pool-main', ipamNetmaskLength: 20 },
      /'ipamPoolId' must look like 'ipam-pool-0123456789abcdef0', found 'ipam-pool-main'/,
    ],
    [
      'TGW routes without TGW',
      { privateSubnetTransitGatewayRoutes: ['10.1.0.0/16'] },
      /'privateSubnetTransitGatewayRoutes' requires 'transitGatewayId'/,
    ],
    [
      'TGW route that is not a CIDR',
      { transitGatewayId: 'tgw-0123456789abcdef0', isolatedSubnetTransitGatewayRoutes: ['10.1.0.0'] },
      /'isolatedSubnetTransitGatewayRoutes' entries must be IPv4 CIDRs.*found '10\.1\.0\.0'/,
    ],
    [
      'private TGW routes without a private tier',
      {
        natStrategy: NatStrategy.NONE,
        transitGatewayId: 'tgw-0123456789abcdef0',
        privateSubnetTransitGatewayRoutes: ['10.1.0.0/16'],
      },
      /'privateSubnetTransitGatewayRoutes' needs the private tier, but natStrategy NONE creates none/,
    ],
    [
      'a repeated isolated TGW route',
      { transitGatewayId: TGW, isolatedSubnetTransitGatewayRoutes: ['10.1.0.0/16', '10.2.0.0/16', '10.1.0.0/16'] },
      /^Network\/Vpc: 'isolatedSubnetTransitGatewayRoutes' must list each CIDR once, found '10\.1\.0\.0\/16' twice/,
    ],
    [
      'a repeated private TGW route',
      { transitGatewayId: TGW, privateSubnetTransitGatewayRoutes: ['10.1.0.0/16', '10.1.0.0/16'] },
      /'privateSubnetTransitGatewayRoutes' must list each CIDR once, found '10\.1\.0\.0\/16' twice/,
    ],
    [
      'an isolated TGW route equal to the VPC CIDR',
      { transitGatewayId: TGW, isolatedSubnetTransitGatewayRoutes: ['10.0.0.0/16'] },
      /^Network\/Vpc: 'isolatedSubnetTransitGatewayRoutes' entries must lie outside the VPC CIDR 10\.0\.0\.0\/16.*found '10\.0\.0\.0\/16'/,
    ],
    [
      'an isolated TGW route inside the VPC CIDR',
      { cidr: '10.20.0.0/16', transitGatewayId: TGW, isolatedSubnetTransitGatewayRoutes: ['10.20.128.0/20'] },
      /'isolatedSubnetTransitGatewayRoutes' entries must lie outside the VPC CIDR 10\.20\.0\.0\/16.*found '10\.20\.128\.0\/20'/,
    ],
    [
      'a private TGW route inside the VPC CIDR',
      { transitGatewayId: TGW, privateSubnetTransitGatewayRoutes: ['10.0.0.0/24'] },
      /'privateSubnetTransitGatewayRoutes' entries must lie outside the VPC CIDR 10\.0\.0\.0\/16.*found '10\.0\.0\.0\/24'/,
    ],
    [
      'a private TGW route to 0.0.0.0/0, which every private route table already sends to the NAT gateway',
      { transitGatewayId: TGW, privateSubnetTransitGatewayRoutes: ['10.100.0.0/16', '0.0.0.0/0'] },
      /^Network\/Vpc: 'privateSubnetTransitGatewayRoutes' must not list 0\.0\.0\.0\/0: every private route table already routes it to a NAT gateway.*RouteAlreadyExists.*found '0\.0\.0\.0\/0'/,
    ],
    [
      'a private TGW route to 0.0.0.0/0 with a single NAT gateway',
      { natStrategy: NatStrategy.SINGLE, transitGatewayId: TGW, privateSubnetTransitGatewayRoutes: ['0.0.0.0/0'] },
      /'privateSubnetTransitGatewayRoutes' must not list 0\.0\.0\.0\/0.*found '0\.0\.0\.0\/0'/,
    ],
    [
      'a private TGW route to 0.0.0.0/0 with IPAM (the check does not need the VPC CIDR)',
      {
        ipamPoolId: 'ipam-pool-0123456789abcdef0',
        ipamNetmaskLength: 20,
        transitGatewayId: TGW,
        privateSubnetTransitGatewayRoutes: ['0.0.0.0/0'],
      },
      /'privateSubnetTransitGatewayRoutes' must not list 0\.0\.0\.0\/0.*found '0\.0\.0\.0\/0'/,
    ],
    [
      'a private TGW route to 0.0.0.0/0 written with leading zeros',
      { transitGatewayId: TGW, privateSubnetTransitGatewayRoutes: ['000.0.0.0/0'] },
      /'privateSubnetTransitGatewayRoutes' must not list 0\.0\.0\.0\/0.*found '000\.0\.0\.0\/0'/,
    ],
    [
      'more isolated TGW routes than the network ACL quota leaves room for',
      { transitGatewayId: TGW, isolatedSubnetTransitGatewayRoutes: routes(19) },
      /^Network\/Vpc: 'isolatedSubnetTransitGatewayRoutes' may list at most 18 CIDRs: .*holds 20 entries per direction.*found 19/,
    ],
    [
      'an interface endpoint service that is not an InterfaceEndpointService',
      { interfaceEndpoints: [InterfaceEndpointService.SSM, 'S3' as InterfaceEndpointService] },
      /^Network\/Vpc: 'interfaceEndpoints' entries must be InterfaceEndpointService values \(STS, SSM, SSM_MESSAGES, EC2_MESSAGES, KMS, LOGS, ECR, ECR_DOCKER\), found 'S3'/,
    ],
    [
      'a NAT strategy that is not a NatStrategy',
      { natStrategy: 'per_az' as NatStrategy },
      /^Network\/Vpc: 'natStrategy' must be a NatStrategy value \(NONE, SINGLE, PER_AZ\), found 'per_az'/,
    ],
    [
      'a flow log retention CloudWatch Logs does not accept',
      { flowLogRetention: 42 as logs.RetentionDays },
      /^Network\/Vpc: 'flowLogRetention' must be a logs\.RetentionDays value, a number of days CloudWatch Logs accepts \(9999 is INFINITE\) \(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, 9999\), found '42'$/,
    ],
    [
      'a flow log retention given as a string (a config value)',
      { flowLogRetention: '365' as unknown as logs.RetentionDays },
      /'flowLogRetention' must be a logs\.RetentionDays value.*found '365'$/,
    ],
    ['malformed TGW id', { transitGatewayId: 'tgw-xyz' }, /'transitGatewayId' must look like 'tgw-.*found 'tgw-xyz'/],
    ['environment name with a space', { environmentName: 'my env' }, /invalid 'environmentName'.*found 'my env'/],
  ])('%s', (_name, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test('every logs.RetentionDays value is accepted as flowLogRetention; INFINITE leaves the retention unset', () => {
    const retentions = Object.values(logs.RetentionDays).filter((value): value is number => typeof value === 'number');
    expect(retentions).toHaveLength(23);
    const rendered = retentions.map((retention) => {
      const network = build({ flowLogRetention: retention })();
      return (network.flowLogGroup.node.defaultChild as logs.CfnLogGroup).retentionInDays;
    });
    expect(rendered).toEqual(retentions.map((days) => (days === logs.RetentionDays.INFINITE ? undefined : days)));
  });

  test('azCount out of range without availabilityZones', () => {
    expect(build({ availabilityZones: undefined, azCount: 0 })).toThrow(
      /'azCount' must be an integer from 1 to 6, found 0/,
    );
    expect(build({ availabilityZones: undefined, azCount: 7 })).toThrow(
      /'azCount' must be an integer from 1 to 6, found 7/,
    );
  });

  test('azCount above the 2 AZs of an environment-agnostic stack', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expect(build({ availabilityZones: undefined, azCount: 3 }, stack)).toThrow(
      /^Agnostic\/Vpc: 'azCount' must be at most the stack's 2 AZs.*found 3\. Pass 'availabilityZones'/,
    );
  });

  test('18 isolated TGW routes fit: the ACL then holds 20 entries per direction with the VPC CIDR and the default deny', () => {
    const network = build({ transitGatewayId: TGW, isolatedSubnetTransitGatewayRoutes: routes(18) })();
    const entries = Object.values(Template.fromStack(Stack.of(network)).findResources('AWS::EC2::NetworkAclEntry'));
    // CloudFormation adds the default deny (rule *) itself; it counts toward the quota of 20.
    expect(entries.filter((e) => e.Properties.Egress === false)).toHaveLength(19);
    expect(entries.filter((e) => e.Properties.Egress === true)).toHaveLength(19);
  });

  test('a TGW route wider than the VPC CIDR is accepted (the local route still wins inside the VPC)', () => {
    expect(
      build({
        cidr: '10.20.0.0/16',
        transitGatewayId: TGW,
        privateSubnetTransitGatewayRoutes: ['10.0.0.0/8'],
        isolatedSubnetTransitGatewayRoutes: ['10.0.0.0/8'],
      }),
    ).not.toThrow();
  });

  test('every private route table already holds a 0.0.0.0/0 route to a NAT gateway (why the private TGW routes may not list it)', () => {
    for (const natStrategy of [NatStrategy.PER_AZ, NatStrategy.SINGLE]) {
      const network = build({ natStrategy })();
      const template = Template.fromStack(Stack.of(network));
      const privateTables = Object.keys(template.findResources('AWS::EC2::RouteTable')).filter((id) =>
        /PrivateSubnet/.test(id),
      );
      expect(privateTables).toHaveLength(3);
      for (const table of privateTables) {
        template.hasResourceProperties('AWS::EC2::Route', {
          RouteTableId: { Ref: table },
          DestinationCidrBlock: '0.0.0.0/0',
          NatGatewayId: Match.anyValue(),
        });
      }
    }
  });

  test('0.0.0.0/0 stays valid for the isolated tier, whose route tables have no default route', () => {
    const network = build({
      natStrategy: NatStrategy.NONE,
      transitGatewayId: TGW,
      isolatedSubnetTransitGatewayRoutes: ['0.0.0.0/0'],
    })();
    const template = Template.fromStack(Stack.of(network));
    const defaultRoutes = Object.values(
      template.findResources('AWS::EC2::Route', { Properties: { DestinationCidrBlock: '0.0.0.0/0' } }),
    );
    // 3 public routes to the internet gateway, 3 isolated routes to the Transit Gateway: one per route table.
    expect(defaultRoutes.filter((route) => route.Properties.GatewayId !== undefined)).toHaveLength(3);
    expect(defaultRoutes.filter((route) => route.Properties.TransitGatewayId === TGW)).toHaveLength(3);
    expect(new Set(defaultRoutes.map((route) => JSON.stringify(route.Properties.RouteTableId))).size).toBe(6);
  });

  test('with natStrategy NONE, a private 0.0.0.0/0 route is refused for the missing private tier, not for NAT', () => {
    expect(
      build({ natStrategy: NatStrategy.NONE, transitGatewayId: TGW, privateSubnetTransitGatewayRoutes: ['0.0.0.0/0'] }),
    ).toThrow(/'privateSubnetTransitGatewayRoutes' needs the private tier, but natStrategy NONE creates none/);
  });

  test('the smallest valid VPC builds: a /24 over 3 tiers x 3 AZs gives /28 subnets', () => {
    const network = build({ cidr: '10.0.0.0/24' })();
    const cidrs = Object.values(Template.fromStack(Stack.of(network)).findResources('AWS::EC2::Subnet')).map(
      (subnet) => subnet.Properties.CidrBlock,
    );
    expect(cidrs).toHaveLength(9);
    expect(cidrs.filter((cidr) => /^10\.0\.0\.\d+\/28$/.test(cidr))).toHaveLength(9);
  });
});

describe('WorkloadVpc.subnetPrefixLength: the subnet size, without building a VPC', () => {
  // The oracle is the synthesized template: the static must say what the constructor builds.
  test.each<[NatStrategy, number]>([
    [NatStrategy.NONE, 1],
    [NatStrategy.NONE, 3],
    [NatStrategy.SINGLE, 1],
    [NatStrategy.SINGLE, 2],
    [NatStrategy.PER_AZ, 3],
  ])('%s with %d AZs matches every synthesized subnet of a /20', (natStrategy, azCount) => {
    const network = build({ cidr: '10.0.0.0/20', natStrategy, availabilityZones: AZS.slice(0, azCount) })();
    const subnets = Object.values(Template.fromStack(Stack.of(network)).findResources('AWS::EC2::Subnet'));
    const prefixes = new Set(subnets.map((subnet) => Number(String(subnet.Properties.CidrBlock).split('/')[1])));
    expect([...prefixes]).toEqual([WorkloadVpc.subnetPrefixLength(20, natStrategy, azCount)]);
  });

  test('2 tiers x 2 AZs take 2 bits, 3 tiers x 2 AZs take 3 (tiers x AZs rounded up to a power of two)', () => {
    expect(WorkloadVpc.subnetPrefixLength(24, NatStrategy.NONE, 2)).toBe(26);
    expect(WorkloadVpc.subnetPrefixLength(24, NatStrategy.PER_AZ, 2)).toBe(27);
    expect(WorkloadVpc.subnetPrefixLength(16, NatStrategy.PER_AZ, 6)).toBe(21);
  });

  test('the constructor accepts exactly the layouts whose subnets are at least a /28', () => {
    expect(WorkloadVpc.SMALLEST_SUBNET_PREFIX_LENGTH).toBe(28);
    expect(WorkloadVpc.subnetPrefixLength(25, NatStrategy.NONE, 3)).toBe(28);
    expect(build({ cidr: '10.0.0.0/25', natStrategy: NatStrategy.NONE })).not.toThrow();
    expect(WorkloadVpc.subnetPrefixLength(26, NatStrategy.NONE, 3)).toBe(29);
    expect(build({ cidr: '10.0.0.0/26', natStrategy: NatStrategy.NONE })).toThrow(
      /prefix \/26 is too small for 2 tiers/,
    );
  });

  test.each<[number, number, RegExp]>([
    [15, 2, /^WorkloadVpc\.subnetPrefixLength: 'vpcPrefixLength' must be an integer from 16 to 28, found 15$/],
    [29, 2, /'vpcPrefixLength' must be an integer from 16 to 28, found 29/],
    [20.5, 2, /'vpcPrefixLength' must be an integer from 16 to 28, found 20\.5/],
    [20, 0, /^WorkloadVpc\.subnetPrefixLength: 'azCount' must be an integer from 1 to 6, found 0$/],
    [20, 7, /'azCount' must be an integer from 1 to 6, found 7/],
  ])('refuses prefix %d with %d AZs', (prefix, azCount, message) => {
    expect(() => WorkloadVpc.subnetPrefixLength(prefix, NatStrategy.PER_AZ, azCount)).toThrow(message);
  });

  // Without the check, 'none' (the config file's spelling) and undefined counted 3 tiers: /27 for a /24 with 2 AZs,
  // where the 2-tier VPC the caller meant gets /26 subnets.
  test.each<[unknown]>([['none'], ['per_az'], [undefined]])(
    'refuses a natStrategy outside NatStrategy (%p), rather than count the wrong tiers',
    (natStrategy) => {
      expect(() => WorkloadVpc.subnetPrefixLength(24, natStrategy as NatStrategy, 2)).toThrow(
        new RegExp(
          `^WorkloadVpc\\.subnetPrefixLength: 'natStrategy' must be a NatStrategy value \\(NONE, SINGLE, PER_AZ\\), found '${natStrategy}'$`,
        ),
      );
    },
  );
});
