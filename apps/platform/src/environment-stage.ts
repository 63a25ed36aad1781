import { BootstrapContract, PermissionsBoundaryAspect } from '@groundwork/cross-account-roles';
import { IngressRuleGuard, InterfaceEndpointService, WorkloadVpc } from '@groundwork/networking';
import { DriftDetector } from '@groundwork/pipeline';
import { ComplianceRules, SecurityBaseline, SecurityEvent } from '@groundwork/security-baseline';
import {
  Aspects,
  RemovalPolicy,
  Stack,
  StackProps,
  Stage,
  StageProps,
  StageSynthesisOptions,
  Tags,
  Validations,
} from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { PRODUCTION_TAG } from './compliance';
import { driftDetectorRoleName, GroundworkConfig, InterfaceEndpointName, PlatformEnvironment } from './config';
import { NAT_STRATEGIES } from './nat-strategies';
import { PlatformStack } from './platform-stack';
import { environmentStackName, environmentStackNames, EnvironmentStackId } from './stack-names';

export interface EnvironmentStageProps extends StageProps {
  readonly environment: PlatformEnvironment;
  readonly groundwork: GroundworkConfig;
  /** Name of the pipeline that deploys this stage. */
  readonly pipelineName: string;
  /**
   * Whether this is its account's home environment (platform.ts `accountHomes`): the one that holds
   * what is global to the account, once. The multi-region audit trail with its CIS metric filters,
   * alarms and dashboard (a trail per region would log and bill every management event once per region
   * and fire every alarm once per region), and AWS Config's recording of IAM resources (recorded in
   * every region otherwise, and recordable only in the regions AWS Config served before February 2022),
   * and the AWS Config rules on IAM resources (ComplianceRules.ACCOUNT_IAM_RULES: IAM is one per account, and AWS Config
   * evaluates and bills such a rule again in every region it is added to). Every environment keeps
   * GuardDuty, Security Hub, Access Analyzer, its Config recorder and its other rules, and the routing of
   * its region's findings to the alarm topic.
   */
  readonly accountHome: boolean;
  /**
   * Role in the tooling account that the drift detector assumes to start the
   * drift reconciler; set when the environment reconciles drift automatically.
   */
  readonly reconcileRoleArn?: string;
  /**
   * Name of the DriftReconciler project in the tooling account that reverts
   * this environment's drift; set when the environment reconciles drift automatically.
   */
  readonly reconcileProjectName?: string;
  /**
   * Name of the account's access stack when it is deployed with this environment's name (this is the first
   * environment of its account): the drift detector checks it too, detect only, since an administrator
   * deploys it and the reconciler may not change it.
   * @default - the access stack is another environment's (or there is none)
   */
  readonly accessStackName?: string;
  /**
   * The logical ids of the access stack's resources that the drift detector checks (platform.ts
   * `driftCheckedAccessResources`): all but the break-glass alert key and topic and the topic's policy and
   * subscriptions, which the deployment boundary keeps every role under it, the detector's too, from reading.
   * @default - with `accessStackName`, every resource of the access stack
   */
  readonly accessStackCheckedResources?: string[];
}

/** Config names of interface endpoints mapped to what the networking package offers. */
const INTERFACE_ENDPOINTS: Record<InterfaceEndpointName, InterfaceEndpointService> = {
  sts: InterfaceEndpointService.STS,
  ssm: InterfaceEndpointService.SSM,
  ssmmessages: InterfaceEndpointService.SSM_MESSAGES,
  ec2messages: InterfaceEndpointService.EC2_MESSAGES,
  kms: InterfaceEndpointService.KMS,
  logs: InterfaceEndpointService.LOGS,
  'ecr.api': InterfaceEndpointService.ECR,
  'ecr.dkr': InterfaceEndpointService.ECR_DOCKER,
};

/**
 * What the pipeline deploys to one environment account: its network, its
 * security baseline and the drift detector that compares the deployed stacks
 * with Git. Each concern is its own stack, so a change to one never touches
 * the others' resources. Every role in the stage carries the deployment
 * boundary from @groundwork/cross-account-roles, which the account's
 * execution role requires.
 */
export class EnvironmentStage extends Stage {
  public readonly network: Stack;
  public readonly security: Stack;
  public readonly operations: Stack;
  public readonly vpc: WorkloadVpc;
  private readonly synthListeners: Array<(assembly: cxapi.CloudAssembly) => void> = [];
  private synthesized = false;

  constructor(scope: Construct, id: string, props: EnvironmentStageProps) {
    const env = props.environment;
    super(scope, id, { ...props, env: { account: env.account, region: env.region } });

    const org = props.groundwork.organization.name;
    const stack = (name: EnvironmentStackId, description: string) =>
      new EnvironmentStack(this, name, {
        stackName: environmentStackName(org, env.name, name),
        description: `Groundwork ${env.name}: ${description}`,
        terminationProtection: env.production,
        availabilityZoneNames: env.vpc.availabilityZones,
      });

    this.network = stack('Network', 'workload VPC, flow logs and endpoints');
    this.vpc = new WorkloadVpc(this.network, 'Vpc', {
      environmentName: env.name,
      cidr: env.vpc.cidr,
      availabilityZones: env.vpc.availabilityZones,
      natStrategy: NAT_STRATEGIES[env.vpc.natStrategy],
      flowLogRetention: env.vpc.flowLogRetentionDays as logs.RetentionDays,
      interfaceEndpoints: env.vpc.interfaceEndpoints.map((name) => INTERFACE_ENDPOINTS[name]),
    });

    // The AZ names come from reviewed config on purpose: synthesis never looks them up. Acknowledged on each
    // subnet, the resources that name an AZ, not on the whole VPC.
    const { publicSubnets, privateSubnets, isolatedSubnets } = this.vpc.vpc;
    for (const subnet of [...publicSubnets, ...privateSubnets, ...isolatedSubnets]) {
      Validations.of(subnet.node.defaultChild!).acknowledge({
        id: 'CloudFormation-Validate::W3010',
        reason: `AZ names come from environments/${env.name}.yaml so that synthesis needs no AWS lookup`,
      });
    }

    this.operations = stack('Operations', 'alert topic and drift detection');
    const alertKey = new kms.Key(this.operations, 'AlertKey', {
      description: `Encrypts Groundwork ${env.name} alerts`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // EventBridge and CloudWatch alarms publish to the encrypted topic.
    alertKey.grant(new iam.ServicePrincipal('events.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    alertKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    const alerts = new sns.Topic(this.operations, 'Alerts', {
      displayName: `Groundwork ${env.name} alerts`,
      masterKey: alertKey,
      enforceSSL: true,
    });
    for (const email of props.groundwork.notifications.emails) {
      alerts.addSubscription(new subscriptions.EmailSubscription(email));
    }
    new DriftDetector(this.operations, 'DriftDetector', {
      environmentName: env.name,
      // The stage's stacks by name, not a prefix: `<org>-<env>-` also matches the access stack, which an
      // administrator deploys; the reconciler may not change it (its allow-list and the deploy role), so it
      // is checked detect only: a changed break-glass or audit role is alerted, and put right by a person.
      stackNames: environmentStackNames(org, env.name),
      detectOnlyStackNames: props.accessStackName ? [props.accessStackName] : undefined,
      // Of the access stack, only what the detector may read: the boundary denies every read of the break-glass
      // alert key and topic, and one resource CloudFormation cannot read fails the whole stack's check.
      checkedLogicalResourceIds:
        props.accessStackName && props.accessStackCheckedResources
          ? { [props.accessStackName]: props.accessStackCheckedResources }
          : undefined,
      schedule: events.Schedule.expression(env.drift.schedule),
      alertTopic: alerts,
      alertTopicKey: alertKey,
      pipelineName: props.pipelineName,
      pipelineAccount: props.groundwork.tooling.account,
      pipelineRegion: props.groundwork.tooling.region,
      autoReconcile: env.drift.autoReconcile,
      // The DriftReconciler in the tooling account reverts drift with drift-aware change sets.
      reconcileProjectName: props.reconcileProjectName,
      reconcileRoleArn: props.reconcileRoleArn,
      // Named only where the reconcile role's trust must match it (a generated name keeps only 25
      // characters of the stack name); a named role is replaced when autoReconcile is switched.
      roleName: env.drift.autoReconcile ? driftDetectorRoleName(org, env.name) : undefined,
      logRetention: logs.RetentionDays.ONE_YEAR,
    });

    this.security = stack(
      'Security',
      props.accountHome
        ? 'audit trail, AWS Config, threat detection, guardrails and alarms'
        : 'AWS Config, threat detection, guardrails and finding notifications (the audit trail is in the account home environment)',
    );
    const complianceRules = env.security.configRecorder && env.security.configRules;
    new SecurityBaseline(this.security, 'Baseline', {
      // One multi-region trail per account, with its alarms: in the account's home environment only.
      enableAuditTrail: props.accountHome,
      enableConfigRecorder: env.security.configRecorder,
      enableComplianceRules: complianceRules,
      // The rules on IAM (one per account) in the home environment only; options only with rules (the
      // baseline refuses them otherwise).
      // The StackSets path does the same with `iamRulesOnlyInGlobalResourcesRegion`.
      complianceRules:
        complianceRules && !props.accountHome ? { excludedRules: [...ComplianceRules.ACCOUNT_IAM_RULES] } : undefined,
      // Recorder options only with a recorder of its own: the baseline refuses them otherwise.
      configRecorder: env.security.configRecorder ? { recordGlobalResources: props.accountHome } : undefined,
      threatDetection: {
        enableGuardDuty: env.security.guardDuty,
        enableSecurityHub: env.security.securityHub,
        enableAccessAnalyzer: env.security.accessAnalyzer,
      },
      securityAlarms: {
        emailAddresses: props.groundwork.notifications.emails,
        // The CIS alarms read the trail's log group: elsewhere the baseline keeps only the finding routing.
        ...(props.accountHome
          ? { eventThresholds: { [SecurityEvent.UNAUTHORIZED_API_CALLS]: env.alarms.unauthorizedApiCalls } }
          : {}),
      },
    });

    // The deployment trust's execution role may only create roles that carry
    // its permissions boundary: give every role of this stage that boundary.
    Aspects.of(this).add(new PermissionsBoundaryAspect({ qualifier: BootstrapContract.DEFAULT_QUALIFIER }));
    // Security-group rules are checked at synth: no ingress from anywhere.
    Aspects.of(this).add(new IngressRuleGuard());
    for (const [key, value] of Object.entries(env.effectiveTags)) {
      Tags.of(this).add(key, value);
    }
    if (env.production) {
      Tags.of(this).add(PRODUCTION_TAG.key, PRODUCTION_TAG.value);
    }
  }

  /**
   * Calls `listener` with the stage's cloud assembly when the stage is first
   * synthesized: GitOpsPipeline.addEnvironment synthesizes it when it is added,
   * long before the app is synthesized (the main job starts validating the
   * stage's templates then, while the next environments are composed).
   */
  public onSynthesized(listener: (assembly: cxapi.CloudAssembly) => void): void {
    this.synthListeners.push(listener);
  }

  public override synth(options?: StageSynthesisOptions): cxapi.CloudAssembly {
    const assembly = super.synth(options);
    if (!this.synthesized) {
      this.synthesized = true;
      for (const listener of this.synthListeners) listener(assembly);
    }
    return assembly;
  }
}

interface EnvironmentStackProps extends StackProps {
  /** The environment's AZ names, from config. */
  readonly availabilityZoneNames: string[];
}

/**
 * A stack whose availability zones come from config. A stack with an
 * account and region otherwise asks the CDK CLI to look them up (a context
 * lookup that needs credentials), even when the VPC is given explicit names.
 */
class EnvironmentStack extends PlatformStack {
  private readonly azNames: string[];

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id, props);
    this.azNames = props.availabilityZoneNames;
  }

  public get availabilityZones(): string[] {
    return this.azNames;
  }
}
