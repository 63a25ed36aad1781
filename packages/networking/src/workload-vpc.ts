import { ArnFormat, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { NetworkParameterPaths } from './network-parameter-paths';
import { bitsFor, ipv4CidrContains, parseIpv4Cidr } from './private/cidr';

/**
 * How private-with-egress subnets reach the internet.
 */
export enum NatStrategy {
  /**
   * No NAT gateway and no private-with-egress tier: the VPC has only public and
   * isolated subnets. Workloads reach AWS services through the VPC endpoints.
   */
  NONE = 'NONE',
  /**
   * One NAT gateway shared by every AZ. Cheap; an AZ outage takes egress down for
   * all AZs and cross-AZ traffic is charged. For development environments.
   */
  SINGLE = 'SINGLE',
  /** One NAT gateway per AZ, so egress survives the loss of an AZ. For production. */
  PER_AZ = 'PER_AZ',
}

/**
 * AWS services that can be given an interface VPC endpoint by `WorkloadVpc`.
 */
export enum InterfaceEndpointService {
  /** AWS Security Token Service (`sts`). */
  STS = 'STS',
  /** AWS Systems Manager (`ssm`). */
  SSM = 'SSM',
  /** Systems Manager Session Manager channels (`ssmmessages`); Session Manager also needs SSM and EC2_MESSAGES. */
  SSM_MESSAGES = 'SSM_MESSAGES',
  /** Systems Manager agent messages (`ec2messages`). */
  EC2_MESSAGES = 'EC2_MESSAGES',
  /** AWS Key Management Service (`kms`). */
  KMS = 'KMS',
  /** Amazon CloudWatch Logs (`logs`). */
  LOGS = 'LOGS',
  /** Amazon ECR API (`ecr.api`). */
  ECR = 'ECR',
  /**
   * Amazon ECR Docker registry (`ecr.dkr`); image layers also need S3: the S3 gateway endpoint, always present,
   * serves the public and private tiers (the isolated tier's network ACL blocks it).
   */
  ECR_DOCKER = 'ECR_DOCKER',
}

const ENDPOINT_SERVICES: Record<InterfaceEndpointService, ec2.InterfaceVpcEndpointAwsService> = {
  [InterfaceEndpointService.STS]: ec2.InterfaceVpcEndpointAwsService.STS,
  [InterfaceEndpointService.SSM]: ec2.InterfaceVpcEndpointAwsService.SSM,
  [InterfaceEndpointService.SSM_MESSAGES]: ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  [InterfaceEndpointService.EC2_MESSAGES]: ec2.InterfaceVpcEndpointAwsService.EC2_MESSAGES,
  [InterfaceEndpointService.KMS]: ec2.InterfaceVpcEndpointAwsService.KMS,
  [InterfaceEndpointService.LOGS]: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  [InterfaceEndpointService.ECR]: ec2.InterfaceVpcEndpointAwsService.ECR,
  [InterfaceEndpointService.ECR_DOCKER]: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
};

/** Tier names double as subnet group names, so they show in construct paths and the console. */
const PUBLIC_TIER = 'Public';
const PRIVATE_TIER = 'Private';
const ISOLATED_TIER = 'Isolated';

// EC2: a VPC's IPv4 CIDR must be between /16 and /28, and so must a subnet's.
const MIN_PREFIX = 16;
const MAX_PREFIX = 28;
// We allow up to 6 AZs: the largest AZ count of any commercial region (us-east-1).
const MIN_AZS = 1;
const MAX_AZS = 6;
// Amazon VPC quota "Rules per network ACL": 20 per direction by default, the default deny rule (*)
// included. The isolated ACL also holds one entry for the VPC CIDR, which leaves 18 for routed CIDRs.
const NETWORK_ACL_ENTRIES_PER_DIRECTION = 20;
const MAX_ISOLATED_TRANSIT_GATEWAY_ROUTES = NETWORK_ACL_ENTRIES_PER_DIRECTION - 2;

/**
 * Properties of a `WorkloadVpc`.
 */
export interface WorkloadVpcProps {
  /**
   * Environment name, used in the SSM parameter paths (`/groundwork/<environmentName>/network/...`)
   * and the flow log group name. 1-63 characters of `a-zA-Z0-9_.-`.
   */
  readonly environmentName: string;

  /**
   * IPv4 CIDR of the VPC, between /16 and /28. Mutually exclusive with `ipamPoolId`.
   * Fixed once deployed: another CIDR replaces the VPC.
   *
   * @default '10.0.0.0/16' when `ipamPoolId` is not set
   */
  readonly cidr?: string;

  /**
   * Availability zone names to use, e.g. from environment config. Passing them keeps
   * synthesis free of context lookups for environment-specific stacks.
   * Fixed once deployed: another count or order replaces the subnets (README, "What is fixed once deployed").
   *
   * @default - the first `azCount` AZs of the stack. An environment-agnostic stack
   * only offers 2 (`Fn::GetAZs` tokens); an environment-specific stack without these
   * names needs an AZ context lookup.
   */
  readonly availabilityZones?: string[];

  /**
   * Number of AZs, 1 to 6. Must equal the length of `availabilityZones` when both are given.
   * Fixed once deployed: every subnet's CIDR depends on it, and EC2 rejects the overlapping replacements
   * (`InvalidSubnet.Conflict`).
   *
   * @default - the length of `availabilityZones` if given, otherwise the stack's AZ count capped at 3
   */
  readonly azCount?: number;

  /**
   * How private subnets reach the internet.
   * `SINGLE` and `PER_AZ` can be swapped on a deployed VPC; switching to or from `NONE` cannot, because it adds
   * or removes the private tier and so renumbers every subnet after it (`InvalidSubnet.Conflict`).
   *
   * @default NatStrategy.PER_AZ
   */
  readonly natStrategy?: NatStrategy;

  /**
   * Explicit NAT gateway count, e.g. 2 NAT gateways for 3 AZs. Overrides the count implied by
   * `natStrategy` (SINGLE: 1, PER_AZ: AZ count); must be 1 to the AZ count, and not set with NONE.
   *
   * @default - implied by `natStrategy`
   */
  readonly natGateways?: number;

  /**
   * Retention of the flow log group. Must be a `logs.RetentionDays` value: CloudWatch Logs accepts no
   * other number of days, so another number (from JavaScript or config) throws at construction.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Also deliver flow logs to this bucket (e.g. a central log archive), under `vpc-flow-logs/`.
   *
   * @default - CloudWatch Logs only
   */
  readonly flowLogBucket?: s3.IBucket;

  /**
   * Interface endpoints to create, in the isolated subnets, behind the endpoint security group.
   *
   * @default - none (the S3 and DynamoDB gateway endpoints are always created)
   */
  readonly interfaceEndpoints?: InterfaceEndpointService[];

  /**
   * Id of a Transit Gateway to attach the VPC to (`tgw-...`). The attachment uses
   * the private subnets, or the isolated subnets when the NAT strategy is NONE.
   *
   * @default - no Transit Gateway attachment
   */
  readonly transitGatewayId?: string;

  /**
   * Destination CIDRs routed to the Transit Gateway from the private subnets.
   * Requires `transitGatewayId`. Each CIDR once, none equal to or inside the VPC CIDR
   * (a wider one, e.g. `10.0.0.0/8`, is fine), and not `0.0.0.0/0`: the private route tables
   * already route it to the NAT gateways.
   *
   * @default - no routes
   */
  readonly privateSubnetTransitGatewayRoutes?: string[];

  /**
   * Destination CIDRs routed to the Transit Gateway from the isolated subnets.
   * Requires `transitGatewayId`. The isolated tier's network ACL also admits these CIDRs,
   * since a route that the ACL drops would be useless. Each CIDR once, none equal to or inside
   * the VPC CIDR, and at most 18: with the VPC CIDR entry and the default deny, that fills the
   * default quota of 20 network ACL entries per direction.
   *
   * @default - no routes
   */
  readonly isolatedSubnetTransitGatewayRoutes?: string[];

  /**
   * Id of an IPAM pool (`ipam-pool-...`) to allocate the VPC CIDR from. Requires
   * `ipamNetmaskLength`; mutually exclusive with `cidr`.
   *
   * @default - the static `cidr`
   */
  readonly ipamPoolId?: string;

  /**
   * Prefix length of the CIDR allocated from `ipamPoolId`, 16 to 28.
   *
   * @default - required when `ipamPoolId` is set
   */
  readonly ipamNetmaskLength?: number;

  /**
   * Write the SSM parameters of the network contract (see `NetworkParameterPaths`).
   * With `false` none is written, so `fromEnvironment` cannot import this VPC.
   * It does not make room for a second `WorkloadVpc` with the same `environmentName` in one account
   * and region: the flow log group name (`/groundwork/<environmentName>/network/vpc-flow-logs`) is
   * fixed too, and log group names are unique per account and region. Give a second VPC its own
   * `environmentName`.
   *
   * @default true
   */
  readonly publishParameters?: boolean;
}

/**
 * Options to import the `WorkloadVpc` of an environment from its SSM parameters.
 */
export interface WorkloadVpcImportOptions {
  /** Environment whose VPC to import. */
  readonly environmentName: string;

  /**
   * Availability zone names of the environment's VPC, in the same order as its subnets.
   *
   * @default - read from the `availability-zones` parameter at deploy time (requires `azCount`)
   */
  readonly availabilityZones?: string[];

  /**
   * Number of AZs of the environment's VPC. Subnet lists are read with `Fn::Select`,
   * which needs the count at synthesis time.
   *
   * @default - the length of `availabilityZones`
   */
  readonly azCount?: number;

  /**
   * Whether the environment's VPC has a private-with-egress tier, i.e. its NAT strategy is not NONE.
   *
   * @default true
   */
  readonly hasPrivateSubnets?: boolean;
}

/**
 * A secure-by-default VPC for one Groundwork environment.
 *
 * - public, private-with-egress (unless `NatStrategy.NONE`) and isolated subnet tiers, one subnet per AZ each;
 *   public subnets do not auto-assign public IPs;
 * - flow logs (all traffic) to a CloudWatch log group encrypted with a dedicated, rotating KMS key;
 * - the default security group stripped of all rules;
 * - S3 and DynamoDB gateway endpoints, optional interface endpoints behind one security group
 *   that admits only the VPC CIDR on 443;
 * - a network ACL on the isolated tier admitting only VPC-internal traffic;
 * - its ids published as SSM parameters under `/groundwork/<environmentName>/network/`.
 */
export class WorkloadVpc extends Construct {
  /** EC2's smallest subnet: a /28. A layout whose subnets would be smaller is refused. */
  public static readonly SMALLEST_SUBNET_PREFIX_LENGTH = MAX_PREFIX;

  /**
   * The prefix length of each subnet a `WorkloadVpc` carves from a VPC CIDR of
   * `vpcPrefixLength`, without building one (for config validation before synthesis).
   *
   * Every tier gets one subnet per AZ, all the same size: 3 tiers (public, private,
   * isolated), 2 with `NatStrategy.NONE`. So each subnet takes ceil(log2(tiers x azCount))
   * more bits than the VPC: a /24 with 3 tiers and 2 AZs gives /27 subnets. A result above
   * `SMALLEST_SUBNET_PREFIX_LENGTH` means the VPC is too small, and the constructor refuses it.
   *
   * @param vpcPrefixLength the VPC CIDR's prefix length, an integer from 16 to 28
   * @param natStrategy the VPC's NAT strategy, which decides whether there is a private tier (a value outside
   * `NatStrategy` throws, as in the constructor)
   * @param azCount the number of AZs, an integer from 1 to 6
   */
  public static subnetPrefixLength(vpcPrefixLength: number, natStrategy: NatStrategy, azCount: number): number {
    const where = 'WorkloadVpc.subnetPrefixLength';
    if (!Number.isInteger(vpcPrefixLength) || vpcPrefixLength < MIN_PREFIX || vpcPrefixLength > MAX_PREFIX) {
      throw new Error(
        `${where}: 'vpcPrefixLength' must be an integer from ${MIN_PREFIX} to ${MAX_PREFIX}, found ${vpcPrefixLength}`,
      );
    }
    // The tier count comes from natStrategy: a value outside the enum ('none' from a config file, undefined
    // from JavaScript) would silently count 3 tiers, the wrong answer for a VPC without the private tier.
    assertEnumValue(`${where}: 'natStrategy' must be a NatStrategy value`, Object.values(NatStrategy), natStrategy);
    assertAzCount(where, 'azCount', azCount);
    return vpcPrefixLength + subnetBitsFor(natStrategy, azCount);
  }

  /**
   * Imports the `WorkloadVpc` of an environment from its SSM parameters.
   *
   * The values are read by CloudFormation at deploy time (`AWS::SSM::Parameter::Value`
   * template parameters), so synthesis makes no context lookup and needs no credentials.
   */
  public static fromEnvironment(scope: Construct, id: string, options: WorkloadVpcImportOptions): ec2.IVpc {
    const env = options.environmentName;
    const where = `${scope.node.path}/${id}`;
    assertEnvironmentName(where, env);
    const azCount = options.azCount ?? options.availabilityZones?.length;
    if (azCount === undefined) {
      throw new Error(
        `${where}: WorkloadVpc.fromEnvironment needs 'azCount' or 'availabilityZones' to know how many subnets each tier has, found neither`,
      );
    }
    assertAzCount(where, 'azCount', azCount);
    if (options.availabilityZones && options.availabilityZones.length !== azCount) {
      throw new Error(
        `${where}: 'azCount' must equal the length of 'availabilityZones' (${options.availabilityZones.length}), found ${azCount}`,
      );
    }

    const list = (path: string): string[] => {
      // `AWS::SSM::Parameter::Value<List<String>>` is a single list token; Fn::Select needs the indexes at synth.
      const all = ssm.StringListParameter.valueForTypedListParameter(scope, path);
      return Array.from({ length: azCount }, (_, index) => Fn.select(index, all));
    };
    const hasPrivate = options.hasPrivateSubnets ?? true;

    return ec2.Vpc.fromVpcAttributes(scope, id, {
      vpcId: ssm.StringParameter.valueForStringParameter(scope, NetworkParameterPaths.vpcId(env)),
      vpcCidrBlock: ssm.StringParameter.valueForStringParameter(scope, NetworkParameterPaths.vpcCidr(env)),
      availabilityZones: options.availabilityZones ?? list(NetworkParameterPaths.availabilityZones(env)),
      publicSubnetIds: list(NetworkParameterPaths.publicSubnetIds(env)),
      publicSubnetRouteTableIds: list(NetworkParameterPaths.publicRouteTableIds(env)),
      privateSubnetIds: hasPrivate ? list(NetworkParameterPaths.privateSubnetIds(env)) : undefined,
      privateSubnetRouteTableIds: hasPrivate ? list(NetworkParameterPaths.privateRouteTableIds(env)) : undefined,
      isolatedSubnetIds: list(NetworkParameterPaths.isolatedSubnetIds(env)),
      isolatedSubnetRouteTableIds: list(NetworkParameterPaths.isolatedRouteTableIds(env)),
    });
  }

  /**
   * Imports the endpoint security group of an environment's `WorkloadVpc`, e.g. to
   * let a workload's security group reach the interface endpoints.
   */
  public static endpointSecurityGroupFromEnvironment(
    scope: Construct,
    id: string,
    environmentName: string,
  ): ec2.ISecurityGroup {
    assertEnvironmentName(`${scope.node.path}/${id}`, environmentName);
    const groupId = ssm.StringParameter.valueForStringParameter(
      scope,
      NetworkParameterPaths.endpointSecurityGroupId(environmentName),
    );
    return ec2.SecurityGroup.fromSecurityGroupId(scope, id, groupId, { mutable: false });
  }

  /** The VPC. */
  public readonly vpc: ec2.Vpc;
  /** Environment name used in the parameter paths. */
  public readonly environmentName: string;
  /** Number of AZs the VPC spans. */
  public readonly azCount: number;
  /** Number of NAT gateways created (0, 1 or the AZ count). */
  public readonly natGatewayCount: number;
  /** CloudWatch log group receiving the flow logs. */
  public readonly flowLogGroup: logs.LogGroup;
  /** KMS key encrypting the flow log group. */
  public readonly flowLogKey: kms.Key;
  /**
   * Security group attached to every interface endpoint; admits only the VPC CIDR on 443. With a static
   * `cidr` the rule is inline; with IPAM it is a separate `AWS::EC2::SecurityGroupIngress` under this group.
   */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
  /** Network ACL of the isolated tier. */
  public readonly isolatedNetworkAcl: ec2.NetworkAcl;
  /** Interface endpoints by service. */
  public readonly interfaceEndpoints: ec2.InterfaceVpcEndpoint[];
  /** The Transit Gateway attachment, when `transitGatewayId` is set. */
  public readonly transitGatewayAttachment?: ec2.CfnTransitGatewayAttachment;

  /** The literal VPC CIDR, or undefined when IPAM allocates it at deploy time. */
  private readonly staticCidr?: string;
  /** With IPAM only: the endpoint group's one ingress rule (VPC CIDR on 443), as its own resource. */
  private readonly endpointVpcIngress?: ec2.CfnSecurityGroupIngress;

  constructor(scope: Construct, id: string, props: WorkloadVpcProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const natStrategy = props.natStrategy ?? NatStrategy.PER_AZ;
    // Enums arrive as plain strings from JavaScript and config files; a wrong one must not fall through to a default.
    assertEnumValue(
      `${this.node.path}: 'natStrategy' must be a NatStrategy value`,
      Object.values(NatStrategy),
      natStrategy,
    );
    for (const service of props.interfaceEndpoints ?? []) {
      assertEnumValue(
        `${this.node.path}: 'interfaceEndpoints' entries must be InterfaceEndpointService values`,
        Object.values(InterfaceEndpointService),
        service,
      );
    }

    // CloudWatch Logs accepts only a fixed list of retention periods (API Reference, PutRetentionPolicy
    // `retentionInDays`: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    // 2922, 3288, 3653). `logs.RetentionDays` holds exactly those, plus INFINITE, which LogGroup renders as no
    // retention. LogGroup passes any other positive number (42, from JavaScript or config) to a deploy that
    // fails. A token is left to CloudFormation.
    if (props.flowLogRetention !== undefined && !Token.isUnresolved(props.flowLogRetention)) {
      assertEnumValue(
        `${this.node.path}: 'flowLogRetention' must be a logs.RetentionDays value, a number of days CloudWatch Logs accepts ` +
          `(${logs.RetentionDays.INFINITE} is INFINITE)`,
        Object.values(logs.RetentionDays).filter((value): value is number => typeof value === 'number'),
        props.flowLogRetention,
      );
    }
    assertEnvironmentName(this.node.path, props.environmentName);
    this.environmentName = props.environmentName;

    this.azCount = this.resolveAzCount(props);
    const tiers = tierCount(natStrategy);
    const subnetBits = subnetBitsFor(natStrategy, this.azCount);
    const ipAddresses = this.resolveIpAddresses(props, subnetBits);
    this.staticCidr = ipAddresses.staticCidr;
    const subnetMask = ipAddresses.prefixLength + subnetBits;
    if (subnetMask > MAX_PREFIX) {
      throw new Error(
        `${this.node.path}: the VPC prefix /${ipAddresses.prefixLength} is too small for ${tiers} tiers x ${this.azCount} AZs: ` +
          `each subnet would be /${subnetMask}, and EC2's smallest subnet is /${MAX_PREFIX}. Use a prefix of /${MAX_PREFIX - subnetBits} or larger, or fewer AZs`,
      );
    }
    this.validateTransitGateway(props, ipAddresses.staticCidr);

    this.natGatewayCount = this.resolveNatGatewayCount(props, natStrategy);

    const subnetConfiguration: ec2.SubnetConfiguration[] = [
      // No public IP on launch: NAT gateways and load balancers get theirs explicitly,
      // and an instance placed here by mistake stays unreachable (NIST 800-53 AC-4, SC-7).
      { name: PUBLIC_TIER, subnetType: ec2.SubnetType.PUBLIC, cidrMask: subnetMask, mapPublicIpOnLaunch: false },
      ...(natStrategy === NatStrategy.NONE
        ? []
        : [{ name: PRIVATE_TIER, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: subnetMask }]),
      { name: ISOLATED_TIER, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: subnetMask },
    ];

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ipAddresses.ipAddresses,
      ...(props.availabilityZones ? { availabilityZones: props.availabilityZones } : { maxAzs: this.azCount }),
      natGateways: this.natGatewayCount,
      subnetConfiguration,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      restrictDefaultSecurityGroup: true,
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });

    // Flow logs ---------------------------------------------------------------------------
    const logGroupName = `/groundwork/${props.environmentName}/network/vpc-flow-logs`;
    // Kept on every update and delete (evidence), but not when the stack operation that created them rolls
    // back (CloudFormation `RetainExceptOnCreate`; that operation is the stack's first deploy, or the update that
    // added this VPC): the log group's name is fixed, so a group left behind by a failed create would make the
    // retry fail with AlreadyExists, and the key would be orphaned.
    this.flowLogKey = new kms.Key(this, 'FlowLogKey', {
      description: `Encrypts the VPC flow log group ${logGroupName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    // CloudWatch Logs uses the key on the service's behalf; the encryption context pins it to this one
    // log group. The name is fixed because the key policy cannot reference the group's ARN without a cycle.
    this.flowLogKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForTheFlowLogGroupOnly',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: logGroupName,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      logGroupName,
      encryptionKey: this.flowLogKey,
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    // Our own role and a customer-managed policy instead of the FlowLog default role, whose inline
    // policy NIST 800-53 (AC-6, IAMNoInlinePolicy) rejects. The trust is pinned to this account
    // against the confused-deputy problem.
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      description: `Lets VPC Flow Logs write to ${logGroupName}`,
      assumedBy: new iam.PrincipalWithConditions(new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com'), {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }) },
      }),
    });
    const flowLogPolicy = new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      description: `Write access to ${logGroupName} only`,
      roles: [flowLogRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [this.flowLogGroup.logGroupArn],
        }),
      ],
    });
    const flowLog = this.vpc.addFlowLog('FlowLog', {
      // withoutPolicyUpdates: the FlowLog would otherwise add the same grant again as an inline policy.
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup, flowLogRole.withoutPolicyUpdates()),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    // The FlowLog references only the role, so CloudFormation could create it before the policy is attached;
    // it would then start delivering without permission to write (DeliverLogsErrorMessage "Access error").
    flowLog.node.addDependency(flowLogPolicy);
    if (props.flowLogBucket) {
      this.vpc.addFlowLog('S3FlowLog', {
        destination: ec2.FlowLogDestination.toS3(props.flowLogBucket, 'vpc-flow-logs/'),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
    }

    // Interface endpoints -------------------------------------------------------------------
    // Created even without interface endpoints so the published parameter always exists and
    // endpoints can be added later without changing consumers.
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: `Interface VPC endpoints of ${props.environmentName}: HTTPS from the VPC CIDR only`,
      allowAllOutbound: false,
    });
    // The literal CIDR (when known) keeps the rule checkable at synthesis by cdk-nag and IngressRuleGuard.
    const vpcCidr = this.staticCidr ?? this.vpc.vpcCidrBlock;
    if (this.staticCidr !== undefined) {
      this.endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(vpcCidr), ec2.Port.tcp(443), 'HTTPS from inside the VPC');
    } else {
      // With IPAM the source is a deploy-time GetAtt that cdk-nag cannot resolve. The rule is its own resource so
      // that the acknowledgement (acknowledgeDesignFindings) covers this one rule, not the group: a rule a
      // consumer later adds to `endpointSecurityGroup` renders inline into the group and is still checked.
      this.endpointVpcIngress = new ec2.CfnSecurityGroupIngress(this.endpointSecurityGroup, 'VpcCidrHttpsIngress', {
        groupId: this.endpointSecurityGroup.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIp: vpcCidr,
        description: 'HTTPS from inside the VPC',
      });
    }
    const endpointServices = dedupe(props.interfaceEndpoints ?? []);
    this.interfaceEndpoints = endpointServices.map(
      (service) =>
        new ec2.InterfaceVpcEndpoint(this, `${pascal(service)}Endpoint`, {
          vpc: this.vpc,
          service: ENDPOINT_SERVICES[service],
          // The isolated tier exists for every NAT strategy; its ACL admits the whole VPC CIDR.
          subnets: { subnetGroupName: ISOLATED_TIER },
          securityGroups: [this.endpointSecurityGroup],
          // `open: true` would add its own VPC-CIDR rule per endpoint; the group already has exactly one.
          open: false,
          privateDnsEnabled: true,
        }),
    );

    // Isolated tier network ACL -------------------------------------------------------------
    this.isolatedNetworkAcl = new ec2.NetworkAcl(this, 'IsolatedNetworkAcl', {
      vpc: this.vpc,
      subnetSelection: { subnetGroupName: ISOLATED_TIER },
    });
    // NACLs are stateless, so each admitted CIDR needs an ingress and an egress entry.
    const aclCidrs = [vpcCidr, ...(props.isolatedSubnetTransitGatewayRoutes ?? [])];
    aclCidrs.forEach((cidr, index) => {
      const ruleNumber = 100 + index * 10;
      for (const direction of [ec2.TrafficDirection.INGRESS, ec2.TrafficDirection.EGRESS]) {
        this.isolatedNetworkAcl.addEntry(
          `${direction === ec2.TrafficDirection.INGRESS ? 'Ingress' : 'Egress'}${index === 0 ? 'Vpc' : `TransitGateway${index}`}`,
          {
            ruleNumber,
            cidr: ec2.AclCidr.ipv4(cidr),
            traffic: ec2.AclTraffic.allTraffic(),
            direction,
            ruleAction: ec2.Action.ALLOW,
          },
        );
      }
    });

    // Transit Gateway -----------------------------------------------------------------------
    if (props.transitGatewayId) {
      this.transitGatewayAttachment = this.attachTransitGateway(props, natStrategy);
    }

    if (props.publishParameters ?? true) {
      this.publishParameters();
    }
    this.acknowledgeDesignFindings();
  }

  /**
   * cdk-nag findings that are the design itself, acknowledged here, one construct and one rule at a
   * time, so that every app using this VPC does not have to repeat them.
   */
  private acknowledgeDesignFindings(): void {
    Validations.of(this.isolatedNetworkAcl).acknowledge({
      id: 'AwsSolutions-VPC3',
      reason:
        'The isolated tier is required to have a network ACL limiting it to VPC-internal traffic, as a second layer under security groups',
    });
    for (const subnet of this.vpc.publicSubnets) {
      const defaultRoute = subnet.node.tryFindChild('DefaultRoute');
      if (defaultRoute) {
        Validations.of(defaultRoute).acknowledge({
          id: 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
          reason:
            'A public subnet is defined by its 0.0.0.0/0 route to the internet gateway; it hosts only NAT gateways and load balancers, and does not assign public IPs on launch',
        });
      }
    }
    if (this.endpointVpcIngress) {
      // With IPAM the VPC CIDR is a deploy-time GetAtt that these rules cannot resolve, so they cannot tell it from 0.0.0.0/0.
      // Acknowledged on that one rule's resource, not on the group, whose other rules stay checked.
      const reason =
        'This rule admits only the VPC CIDR allocated by IPAM on TCP 443; the CIDR is known only at deploy time (Fn::GetAtt)';
      Validations.of(this.endpointVpcIngress).acknowledge(
        { id: 'AwsSolutions-EC23', reason },
        { id: 'NIST.800.53.R5-EC2RestrictedCommonPorts', reason },
        { id: 'NIST.800.53.R5-EC2RestrictedSSH', reason },
      );
    }
  }

  private resolveAzCount(props: WorkloadVpcProps): number {
    const given = props.availabilityZones;
    if (given) {
      if (given.length < MIN_AZS || given.length > MAX_AZS) {
        throw new Error(
          `${this.node.path}: 'availabilityZones' must list ${MIN_AZS} to ${MAX_AZS} AZs, found ${given.length}`,
        );
      }
      if (new Set(given).size !== given.length) {
        throw new Error(`${this.node.path}: 'availabilityZones' must not repeat an AZ, found [${given.join(', ')}]`);
      }
      if (props.azCount !== undefined && props.azCount !== given.length) {
        throw new Error(
          `${this.node.path}: 'azCount' must equal the length of 'availabilityZones' (${given.length}), found ${props.azCount}`,
        );
      }
      return given.length;
    }
    const stackAzs = Stack.of(this).availabilityZones.length;
    if (props.azCount === undefined) {
      return Math.min(3, stackAzs);
    }
    assertAzCount(this.node.path, 'azCount', props.azCount);
    if (props.azCount > stackAzs) {
      throw new Error(
        `${this.node.path}: 'azCount' must be at most the stack's ${stackAzs} AZs (an environment-agnostic stack offers 2); ` +
          `found ${props.azCount}. Pass 'availabilityZones' with the AZ names instead`,
      );
    }
    return props.azCount;
  }

  private resolveNatGatewayCount(props: WorkloadVpcProps, natStrategy: NatStrategy): number {
    const implied = natStrategy === NatStrategy.NONE ? 0 : natStrategy === NatStrategy.SINGLE ? 1 : this.azCount;
    if (props.natGateways === undefined) {
      return implied;
    }
    if (natStrategy === NatStrategy.NONE) {
      throw new Error(
        `${this.node.path}: 'natGateways' cannot be set with natStrategy NONE, found natGateways ${props.natGateways}`,
      );
    }
    if (!Number.isInteger(props.natGateways) || props.natGateways < 1 || props.natGateways > this.azCount) {
      throw new Error(
        `${this.node.path}: 'natGateways' must be an integer from 1 to the AZ count (${this.azCount}), found ${props.natGateways}`,
      );
    }
    return props.natGateways;
  }

  private resolveIpAddresses(
    props: WorkloadVpcProps,
    subnetBits: number,
  ): { ipAddresses: ec2.IIpAddresses; prefixLength: number; staticCidr?: string } {
    if (props.ipamPoolId !== undefined) {
      if (props.cidr !== undefined) {
        throw new Error(
          `${this.node.path}: set either 'cidr' or 'ipamPoolId', not both; found cidr '${props.cidr}' and ipamPoolId '${props.ipamPoolId}'`,
        );
      }
      const length = props.ipamNetmaskLength;
      if (length === undefined) {
        throw new Error(
          `${this.node.path}: 'ipamNetmaskLength' (${MIN_PREFIX}-${MAX_PREFIX}) is required with 'ipamPoolId', found none`,
        );
      }
      if (!Number.isInteger(length) || length < MIN_PREFIX || length > MAX_PREFIX) {
        throw new Error(
          `${this.node.path}: 'ipamNetmaskLength' must be an integer from ${MIN_PREFIX} to ${MAX_PREFIX}, found ${length}`,
        );
      }
      return {
        ipAddresses: ec2.IpAddresses.awsIpamAllocation({
          ipv4IpamPoolId: props.ipamPoolId,
          ipv4NetmaskLength: length,
          defaultSubnetIpv4NetmaskLength: length + subnetBits,
        }),
        prefixLength: length,
      };
    }
    if (props.ipamNetmaskLength !== undefined) {
      throw new Error(
        `${this.node.path}: 'ipamNetmaskLength' only applies with 'ipamPoolId', found ipamNetmaskLength ${props.ipamNetmaskLength} without a pool`,
      );
    }
    const cidr = props.cidr ?? '10.0.0.0/16';
    if (Token.isUnresolved(cidr)) {
      throw new Error(`${this.node.path}: 'cidr' must be a literal IPv4 CIDR known at synthesis time, found a token`);
    }
    const parsed = parseIpv4Cidr(cidr);
    if (!parsed) {
      throw new Error(
        `${this.node.path}: 'cidr' must be an IPv4 CIDR like '10.0.0.0/16' with no host bits set, found '${cidr}'`,
      );
    }
    if (parsed.prefixLength < MIN_PREFIX || parsed.prefixLength > MAX_PREFIX) {
      throw new Error(
        `${this.node.path}: 'cidr' prefix must be between /${MIN_PREFIX} and /${MAX_PREFIX} (EC2 VPC limit), found /${parsed.prefixLength} in '${cidr}'`,
      );
    }
    return { ipAddresses: ec2.IpAddresses.cidr(cidr), prefixLength: parsed.prefixLength, staticCidr: cidr };
  }

  private validateTransitGateway(props: WorkloadVpcProps, staticCidr: string | undefined): void {
    const routeProps: Array<[string, string[] | undefined]> = [
      ['privateSubnetTransitGatewayRoutes', props.privateSubnetTransitGatewayRoutes],
      ['isolatedSubnetTransitGatewayRoutes', props.isolatedSubnetTransitGatewayRoutes],
    ];
    // With IPAM the VPC CIDR is only known at deploy time, so overlaps cannot be checked here.
    const vpcCidr = staticCidr === undefined ? undefined : parseIpv4Cidr(staticCidr);
    for (const [name, routes] of routeProps) {
      if (!routes || routes.length === 0) {
        continue;
      }
      if (props.transitGatewayId === undefined) {
        throw new Error(
          `${this.node.path}: '${name}' requires 'transitGatewayId', found routes without a Transit Gateway`,
        );
      }
      const seen = new Set<string>();
      for (const route of routes) {
        const parsed = Token.isUnresolved(route) ? undefined : parseIpv4Cidr(route);
        if (!Token.isUnresolved(route) && !parsed) {
          throw new Error(
            `${this.node.path}: '${name}' entries must be IPv4 CIDRs like '10.0.0.0/8', found '${route}'`,
          );
        }
        // A route table cannot hold two routes to one destination, and the ACL entries would repeat too.
        const key = parsed ? `${parsed.address}/${parsed.prefixLength}` : route;
        if (seen.has(key)) {
          throw new Error(`${this.node.path}: '${name}' must list each CIDR once, found '${route}' twice`);
        }
        seen.add(key);
        // EC2 rejects a route to the VPC CIDR or to part of it: the local route owns those addresses.
        // A wider route (e.g. 10.0.0.0/8 around 10.20.0.0/16) is valid; the local route wins inside the VPC.
        if (parsed && vpcCidr && ipv4CidrContains(vpcCidr, parsed)) {
          throw new Error(
            `${this.node.path}: '${name}' entries must lie outside the VPC CIDR ${staticCidr} (EC2 rejects a route ` +
              `to the VPC CIDR or part of it), found '${route}'`,
          );
        }
        // The private tier's route tables already hold 0.0.0.0/0 -> NAT gateway (aws-cdk-lib `DefaultRoute`):
        // a second route to it fails the deploy. Their other routes are the local route (checked above) and
        // the gateway endpoints' prefix-list routes, which no CIDR can collide with. (With natStrategy NONE
        // there is no private tier, which the check below reports.)
        if (
          name === 'privateSubnetTransitGatewayRoutes' &&
          props.natStrategy !== NatStrategy.NONE &&
          parsed?.prefixLength === 0
        ) {
          throw new Error(
            `${this.node.path}: 'privateSubnetTransitGatewayRoutes' must not list 0.0.0.0/0: every private route table ` +
              `already routes it to a NAT gateway, and a route table cannot hold two routes to one destination ` +
              `(EC2 RouteAlreadyExists); found '${route}'. To send all traffic to the Transit Gateway, use natStrategy ` +
              `NONE and 'isolatedSubnetTransitGatewayRoutes'`,
          );
        }
      }
    }
    const isolatedRoutes = props.isolatedSubnetTransitGatewayRoutes?.length ?? 0;
    if (isolatedRoutes > MAX_ISOLATED_TRANSIT_GATEWAY_ROUTES) {
      throw new Error(
        `${this.node.path}: 'isolatedSubnetTransitGatewayRoutes' may list at most ${MAX_ISOLATED_TRANSIT_GATEWAY_ROUTES} CIDRs: ` +
          `the isolated network ACL admits each with one entry per direction, beside the VPC CIDR entry and the default deny, ` +
          `and a network ACL holds ${NETWORK_ACL_ENTRIES_PER_DIRECTION} entries per direction (default Amazon VPC quota); found ${isolatedRoutes}`,
      );
    }
    if (props.privateSubnetTransitGatewayRoutes?.length && props.natStrategy === NatStrategy.NONE) {
      throw new Error(
        `${this.node.path}: 'privateSubnetTransitGatewayRoutes' needs the private tier, but natStrategy NONE creates none; ` +
          `use 'isolatedSubnetTransitGatewayRoutes'`,
      );
    }
    const tgw = props.transitGatewayId;
    if (tgw !== undefined && !Token.isUnresolved(tgw) && !/^tgw-[0-9a-f]{8,17}$/.test(tgw)) {
      throw new Error(`${this.node.path}: 'transitGatewayId' must look like 'tgw-0123456789abcdef0', found '${tgw}'`);
    }
    const pool = props.ipamPoolId;
    if (pool !== undefined && !Token.isUnresolved(pool) && !/^ipam-pool-[0-9a-f]{8,17}$/.test(pool)) {
      throw new Error(`${this.node.path}: 'ipamPoolId' must look like 'ipam-pool-0123456789abcdef0', found '${pool}'`);
    }
  }

  private attachTransitGateway(props: WorkloadVpcProps, natStrategy: NatStrategy): ec2.CfnTransitGatewayAttachment {
    const attachmentTier = natStrategy === NatStrategy.NONE ? ISOLATED_TIER : PRIVATE_TIER;
    const attachment = new ec2.CfnTransitGatewayAttachment(this, 'TransitGatewayAttachment', {
      transitGatewayId: props.transitGatewayId!,
      vpcId: this.vpc.vpcId,
      subnetIds: this.vpc.selectSubnets({ subnetGroupName: attachmentTier }).subnetIds,
      tags: [{ key: 'Name', value: `${props.environmentName}-workload-vpc` }],
    });
    const addRoutes = (tier: string, subnets: ec2.ISubnet[], cidrs: string[]) => {
      subnets.forEach((subnet, azIndex) => {
        cidrs.forEach((cidr, routeIndex) => {
          const route = new ec2.CfnRoute(this, `${tier}TransitGatewayRoute${azIndex + 1}x${routeIndex + 1}`, {
            routeTableId: subnet.routeTable.routeTableId,
            destinationCidrBlock: cidr,
            transitGatewayId: props.transitGatewayId,
          });
          // EC2 rejects a route to a Transit Gateway the VPC is not yet attached to.
          route.node.addDependency(attachment);
        });
      });
    };
    addRoutes(PRIVATE_TIER, this.vpc.privateSubnets, props.privateSubnetTransitGatewayRoutes ?? []);
    addRoutes(ISOLATED_TIER, this.vpc.isolatedSubnets, props.isolatedSubnetTransitGatewayRoutes ?? []);
    return attachment;
  }

  private publishParameters(): void {
    const env = this.environmentName;
    const scope = new Construct(this, 'Parameters');
    const value = (id: string, parameterName: string, stringValue: string, description: string) =>
      new ssm.StringParameter(scope, id, { parameterName, stringValue, description });
    const list = (id: string, parameterName: string, stringListValue: string[], description: string) =>
      new ssm.StringListParameter(scope, id, { parameterName, stringListValue, description });

    value('VpcId', NetworkParameterPaths.vpcId(env), this.vpc.vpcId, `VPC id of ${env}`);
    value('VpcCidr', NetworkParameterPaths.vpcCidr(env), this.vpc.vpcCidrBlock, `VPC CIDR of ${env}`);
    list(
      'AvailabilityZones',
      NetworkParameterPaths.availabilityZones(env),
      this.vpc.availabilityZones,
      `AZs of ${env}, in subnet order`,
    );
    const tiers: Array<[string, ec2.ISubnet[], string, string]> = [
      [
        'Public',
        this.vpc.publicSubnets,
        NetworkParameterPaths.publicSubnetIds(env),
        NetworkParameterPaths.publicRouteTableIds(env),
      ],
      [
        'Private',
        this.vpc.privateSubnets,
        NetworkParameterPaths.privateSubnetIds(env),
        NetworkParameterPaths.privateRouteTableIds(env),
      ],
      [
        'Isolated',
        this.vpc.isolatedSubnets,
        NetworkParameterPaths.isolatedSubnetIds(env),
        NetworkParameterPaths.isolatedRouteTableIds(env),
      ],
    ];
    for (const [tier, subnets, subnetPath, routeTablePath] of tiers) {
      if (subnets.length === 0) {
        // SSM rejects an empty StringList; an absent parameter is the documented signal.
        continue;
      }
      list(
        `${tier}SubnetIds`,
        subnetPath,
        subnets.map((s) => s.subnetId),
        `${tier} subnet ids of ${env}, in AZ order`,
      );
      list(
        `${tier}RouteTableIds`,
        routeTablePath,
        subnets.map((s) => s.routeTable.routeTableId),
        `${tier} route table ids of ${env}, in AZ order`,
      );
    }
    value(
      'EndpointSecurityGroupId',
      NetworkParameterPaths.endpointSecurityGroupId(env),
      this.endpointSecurityGroup.securityGroupId,
      `Interface endpoint security group of ${env}`,
    );
  }
}

/** Subnet tiers: public, private-with-egress and isolated; no private tier without NAT. */
function tierCount(natStrategy: NatStrategy): number {
  return natStrategy === NatStrategy.NONE ? 2 : 3;
}

/** Every tier gets one subnet per AZ, all the same size, carved from the VPC CIDR. */
function subnetBitsFor(natStrategy: NatStrategy, azCount: number): number {
  return bitsFor(tierCount(natStrategy) * azCount);
}

function assertAzCount(path: string, prop: string, count: number): void {
  if (!Number.isInteger(count) || count < MIN_AZS || count > MAX_AZS) {
    throw new Error(`${path}: '${prop}' must be an integer from ${MIN_AZS} to ${MAX_AZS}, found ${count}`);
  }
}

function assertEnvironmentName(path: string, environmentName: string): void {
  try {
    NetworkParameterPaths.assertValidEnvironmentName(environmentName);
  } catch (e) {
    throw new Error(`${path}: invalid 'environmentName': ${(e as Error).message}`);
  }
}

/** Throws `<expectation> (<values>), found '<value>'` unless `value` is one of `values`. */
function assertEnumValue(expectation: string, values: Array<string | number>, value: unknown): void {
  if (!values.includes(value as string | number)) {
    throw new Error(`${expectation} (${values.join(', ')}), found '${value}'`);
  }
}

function dedupe<T>(values: T[]): T[] {
  return Array.from(new Set(values));
}

function pascal(service: InterfaceEndpointService): string {
  return service
    .toLowerCase()
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
