import {
  ArnFormat,
  Duration,
  PhysicalName,
  RemovalPolicy,
  Stack,
  Token,
  TokenComparison,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, IConstruct } from 'constructs';
import { DriftReconciler } from './drift-reconciler';
import { allowAlarmPublish } from './private/alarm-publish';
import { ENVIRONMENT_VARIABLE, STACKS_VARIABLE } from './private/drift-reconcile-script';
import { logGroupKey } from './private/log-group-key';

/**
 * Read-only, metadata-level actions CloudFormation needs to compare live resources with the template:
 * drift detection reads each resource with the CALLER's credentials, through the read handler of its
 * resource type (`handlers.read.permissions` of the CloudFormation resource schema), and a single missing
 * action fails the whole stack's check (DETECTION_FAILED). Covers the resource types Groundwork stacks
 * deploy (test/drift-detector.test.ts holds the table, type by type). Granted on every resource: the
 * resources' names and ARNs are generated at deployment. They return configuration only: where a
 * service's `Get*` or `Describe*` would also read data, the actions are listed one by one, and the reads
 * that return data and take a resource ARN (SSM parameter values, Lambda function configuration and code)
 * are in `PARAMETER_READ_ACTIONS` and `FUNCTION_READ_ACTIONS`, granted on the checked stacks' names only.
 */
const DEFAULT_READ_ACTIONS = [
  // AWS::AccessAnalyzer::Analyzer
  'access-analyzer:GetAnalyzer',
  'access-analyzer:ListAnalyzers',
  'access-analyzer:ListArchiveRules',
  // AWS::CloudTrail::Trail, one by one: cloudtrail:Get* includes GetQueryResults (CloudTrail Lake events).
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetEventConfiguration',
  'cloudtrail:GetEventSelectors',
  'cloudtrail:GetInsightSelectors',
  'cloudtrail:GetTrail',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:ListTags',
  // AWS::CloudWatch::Alarm and Dashboard
  'cloudwatch:Describe*',
  'cloudwatch:GetDashboard',
  'cloudwatch:ListTagsForResource',
  // AWS::CodeDeploy::Application and DeploymentGroup (BlueGreenService)
  'codedeploy:Get*',
  // AWS::Config::ConfigRule, ConfigurationRecorder and DeliveryChannel
  'config:Describe*',
  'config:ListTagsForResource',
  // AWS::EC2::* (VPC, subnets, routes, gateways, endpoints, network ACLs, security groups, flow logs, EIPs)
  'ec2:Describe*',
  // AWS::Events::Rule
  'events:Describe*',
  'events:ListTagsForResource',
  'events:ListTargetsByRule',
  // AWS::GuardDuty::Detector, one by one: guardduty:Get* includes GetFindings.
  'guardduty:GetDetector',
  'guardduty:ListTagsForResource',
  // AWS::IAM::Role, Policy and ManagedPolicy
  'iam:Get*',
  'iam:List*',
  // AWS::KMS::Key and Alias
  'kms:Describe*',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListResourceTags',
  // AWS::Logs::LogGroup and MetricFilter
  'logs:Describe*',
  'logs:GetDataProtectionPolicy',
  'logs:ListTagsForResource',
  'logs:ListTagsLogGroup',
  // AWS::S3::Bucket and BucketPolicy. s3:ListBucket authorizes HeadBucket, with which the read handler
  // checks that the bucket exists; it lists object keys, never object contents.
  's3:GetAccelerateConfiguration',
  's3:GetAnalyticsConfiguration',
  's3:GetBucket*',
  's3:GetEncryptionConfiguration',
  's3:GetIntelligentTieringConfiguration',
  's3:GetInventoryConfiguration',
  's3:GetLifecycleConfiguration',
  's3:GetMetricsConfiguration',
  's3:GetReplicationConfiguration',
  's3:ListBucket',
  // AWS::SecurityHub::Hub and Standard, one by one: securityhub:Get* includes GetFindings.
  'securityhub:DescribeHub',
  'securityhub:DescribeStandardsControls',
  'securityhub:GetEnabledStandards',
  'securityhub:ListTagsForResource',
  // AWS::SNS::Topic, TopicPolicy and Subscription
  'sns:GetDataProtectionPolicy',
  'sns:GetSubscriptionAttributes',
  'sns:GetTopicAttributes',
  'sns:ListSubscriptionsByTopic',
  'sns:ListTagsForResource',
  // AWS::SQS::Queue
  'sqs:GetQueueAttributes',
  'sqs:ListQueueTags',
  // AWS::SSM::Parameter: the values are read by PARAMETER_READ_ACTIONS; DescribeParameters (names and
  // metadata, no values) supports no resource-level permission.
  'ssm:DescribeParameters',
  // AWS::StepFunctions::StateMachine, one by one: states:Describe* includes DescribeExecution (execution
  // input and output).
  'states:DescribeStateMachine',
  'states:ListTagsForResource',
];

/**
 * AWS::SSM::Parameter's read handler: the value itself. Granted only on the parameters under
 * `parameterNamePrefixes`; SecureString decryption through SSM is denied whatever the prefix (CloudFormation
 * creates no SecureString, and the AWS managed aws/ssm key lets every principal of the account decrypt).
 */
const PARAMETER_READ_ACTIONS = ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:ListTagsForResource'];

/**
 * AWS::Lambda::Function, Alias and Permission read handlers. GetFunction and GetFunctionConfiguration return
 * the environment variables and GetFunction a link to the code: granted only on the functions named
 * `functionNamePrefixes*`. ListTags too: the Lambda Developer Guide ("Using tags on Lambda functions") says
 * GetFunction needs it for a tagged function, and CloudFormation tags the functions it creates.
 */
const FUNCTION_READ_ACTIONS = [
  'lambda:GetAlias',
  'lambda:GetFunction',
  'lambda:GetFunctionCodeSigningConfig',
  'lambda:GetFunctionConfiguration',
  'lambda:GetFunctionRecursionConfig',
  'lambda:GetPolicy',
  'lambda:GetRuntimeManagementConfig',
  'lambda:ListTags',
];

/**
 * EC2 Describe calls that `ec2:Describe*` would allow but that return secrets, not configuration: denied
 * (statement `DenyUserDataReads`) unless listed in `additionalReadActions`. No Groundwork stack deploys what
 * they describe. Action names: Service Authorization Reference, "Actions, resources, and condition keys for
 * Amazon EC2"; what each returns: the EC2 API Reference.
 * - instance user data: DescribeInstanceAttribute (attribute `userData`), DescribeLaunchTemplateVersions
 *   (`LaunchTemplateData.UserData`);
 * - the user data of Spot launch specifications: DescribeSpotFleetRequests
 *   (`SpotFleetRequestConfig.LaunchSpecifications[].UserData`), DescribeSpotInstanceRequests
 *   (`LaunchSpecification.UserData`);
 * - DescribeVerifiedAccessTrustProviders: an OIDC trust provider's client secret (`OidcOptions.ClientSecret`);
 * - DescribeVpnConnections: the customer gateway configuration, which holds the tunnels' pre-shared keys
 *   (`CustomerGatewayConfiguration`, returned while the connection is pending or available).
 */
const SECRET_DESCRIBE_ACTIONS = [
  'ec2:DescribeInstanceAttribute',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:DescribeSpotFleetRequests',
  'ec2:DescribeSpotInstanceRequests',
  'ec2:DescribeVerifiedAccessTrustProviders',
  'ec2:DescribeVpnConnections',
];

/** Why each wildcard action of the read statement returns configuration, not data (cdk-nag acknowledgements). */
const WILDCARD_READ_REASONS: { readonly [action: string]: string } = {
  'cloudwatch:Describe*':
    'CloudWatch alarm drift detection (DescribeAlarms); CloudWatch Describe calls return alarm and anomaly detector configuration, no metric data',
  'codedeploy:Get*':
    'CodeDeploy application and deployment group drift detection; CodeDeploy Get calls return application, deployment group, deployment and revision metadata, not revision contents',
  'config:Describe*':
    'AWS Config rule, recorder and delivery channel drift detection; Config Describe calls return their configuration and compliance status, not recorded configuration items',
  'ec2:Describe*':
    'VPC, subnet, route, gateway, endpoint, network ACL, security group, flow log and EIP drift detection, by Describe calls that support no resource-level permission; those that return secrets are denied: instance and Spot user data (DescribeInstanceAttribute, DescribeLaunchTemplateVersions, DescribeSpotFleetRequests, DescribeSpotInstanceRequests), Verified Access OIDC client secrets (DescribeVerifiedAccessTrustProviders) and VPN pre-shared keys (DescribeVpnConnections)',
  'events:Describe*':
    'EventBridge rule drift detection (DescribeRule); EventBridge Describe calls return rule, bus, archive and connection configuration, not events or connection secrets',
  'iam:Get*':
    'IAM role and policy drift detection; IAM Get calls return identities and policy documents, never passwords or secret keys',
  'iam:List*': 'IAM role and policy drift detection; IAM List calls return names and metadata',
  'kms:Describe*':
    'KMS key drift detection (DescribeKey); returns key metadata, never key material, and decrypts nothing',
  'logs:Describe*':
    'Log group and metric filter drift detection; CloudWatch Logs Describe calls return configuration (groups, filters, policies, query definitions), never log events',
  's3:GetBucket*':
    'S3 bucket and bucket policy drift detection; GetBucket* calls return bucket configuration (policy, ACL, logging, versioning, tags, ...), never objects',
};

/**
 * How much of a stack's name a name CloudFormation generates from it keeps: `<stack name>-<logical id>-<random>`
 * cut to 64 characters keeps at least the first 25 characters of the stack name (names observed from real
 * deployments; aws-cdk-lib's own generated names keep the same 25).
 */
const GENERATED_NAME_STACK_PREFIX = 25;

/** SSM parameter names and Lambda function names, as the detector's props take them. */
const PARAMETER_PREFIX_PATTERN = /^[A-Za-z0-9_.\/-]{1,1011}$/;
const FUNCTION_PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Drifts per DescribeStackResourceDrifts call: the API's maximum (MaxResults 1 to 100). */
const RESOURCE_DRIFTS_PAGE_SIZE = 100;

/** Time between two DescribeStackDriftDetectionStatus calls of one detection. */
const DETECTION_POLL_INTERVAL = Duration.seconds(30);
/** How long one stack's detection may stay DETECTION_IN_PROGRESS by default before it counts as a failed check. */
const DEFAULT_DETECTION_TIMEOUT = Duration.minutes(30);
/** Bounds of `detectionTimeout`: at least two polls, and well inside the state machine's 2-hour timeout. */
const MIN_DETECTION_TIMEOUT = Duration.minutes(1);
const MAX_DETECTION_TIMEOUT = Duration.minutes(90);

/** Every task retries throttling and transient errors: DetectStackDrift is throttled per account. */
const RETRY: sfn.RetryProps = {
  errors: ['States.ALL'],
  interval: Duration.seconds(10),
  maxAttempts: 4,
  backoffRate: 2,
};

/**
 * Environment names go into the log group name, a JSONata string literal of the state machine, a metric
 * dimension and the alert subject. The same rule as `@groundwork/networking` (and every CDK Stage id of up
 * to 63 characters): letters, digits, '_', '.', '-', starting with a letter or digit.
 */
const ENVIRONMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** A CloudFormation stack name: a letter, then letters, digits and '-', 128 characters at most. */
const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * A CloudFormation logical id: letters and digits ("Resources" section of the template reference), 255
 * characters at most (CloudFormation quotas, resource name).
 */
const LOGICAL_ID_PATTERN = /^[A-Za-z0-9]{1,255}$/;

/** DetectStackDrift's LogicalResourceIds: 1 to 200 members (CloudFormation API reference). */
const MAX_LOGICAL_RESOURCE_IDS = 200;

/** IAM CreateRole's RoleName: 1 to 64 of `[\w+=,.@-]`. */
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

/** Where the pipeline's region stands relative to this stack's. */
type RegionRelation = 'same' | 'other' | 'unknown';

/** Whether `pipelineRegion` is the stack's region, another one, or cannot be told at synthesis. */
function regionRelation(pipelineRegion: string | undefined, stackRegion: string): RegionRelation {
  if (pipelineRegion === undefined || pipelineRegion === stackRegion) {
    return 'same';
  }
  const comparison = Token.compareStrings(pipelineRegion, stackRegion);
  return comparison === TokenComparison.SAME ? 'same' : comparison === TokenComparison.DIFFERENT ? 'other' : 'unknown';
}

/** Properties of a `DriftDetector`. */
export interface DriftDetectorProps {
  /**
   * Environment name, used in the alert, the metric dimension and resource names: 1 to 63 letters, digits,
   * '_', '.' or '-', starting with a letter or digit, known at synthesis time.
   */
  readonly environmentName: string;
  /**
   * Check every stack whose name starts with this prefix (paginated ListStacks), nested stacks included. Another
   * DriftDetector of the app in the same account and region may not select the same stacks (a prefix that starts
   * with this one or that this one starts with, a name that starts with it): synthesis fails, naming both.
   * @default - use `stackNames`
   */
  readonly stackNamePrefix?: string;
  /**
   * Check exactly these stacks. Another DriftDetector of the app in the same account and region may not check
   * one of them too (by name, or by a prefix it starts with): synthesis fails, naming both.
   * @default - use `stackNamePrefix`
   */
  readonly stackNames?: string[];
  /**
   * Stacks to check and alert on that auto-reconcile never reverts, in addition to `stackNames` or
   * `stackNamePrefix`: stacks the reconcile project may not change, such as one an administrator deploys. Their
   * drift is alerted (marked `detect only` when `autoReconcile` is on) and left for a person to put right; a
   * reconcile build is started only for the other drifted stacks. With `stackNamePrefix`, a name must not start
   * with the prefix (such a stack is already checked and reconciled).
   * @default - none
   */
  readonly detectOnlyStackNames?: string[];
  /**
   * Check only these resources of a stack, by logical id: DetectStackDrift's `LogicalResourceIds` (1 to 200
   * per stack), for a stack with resources that the state machine's role may not read. CloudFormation reads
   * each resource with the caller's credentials, and one resource it cannot read fails the whole stack's
   * check (`DETECTION_FAILED`) on every run; the resources left out are not checked at all. Each key is a
   * stack named in `stackNames` or `detectOnlyStackNames`; the other stacks are checked whole. Logical ids
   * are 1 to 255 letters or digits, known at synthesis.
   * @default - every stack is checked whole
   */
  readonly checkedLogicalResourceIds?: { [stackName: string]: string[] };
  /** When to run. @default every 12 hours */
  readonly schedule?: events.Schedule;
  /** Topic that receives the alert naming drifted stacks and resources. */
  readonly alertTopic: sns.ITopic;
  /** Customer managed key of the alert topic, if encrypted, so the state machine may publish. @default - topic not KMS-encrypted */
  readonly alertTopicKey?: kms.IKey;
  /**
   * Name of the GitOps pipeline that deploys the stacks. The detector no longer calls it: restarting the
   * pipeline redeploys an unchanged template, which does not revert drift, so auto-reconcile starts the
   * `reconcileProjectName` project instead. Still checked to be a CodePipeline name.
   */
  readonly pipelineName: string;
  /**
   * Account of the pipeline, where the `DriftReconciler` project (`reconcileProjectName`) runs.
   * @default - this stack's account
   */
  readonly pipelineAccount?: string;
  /**
   * Region of the pipeline, where the `DriftReconciler` project runs. Step Functions calls AWS SDK
   * integrations in the state machine's own region, so with `autoReconcile` and the project in another
   * region the start goes through aws-cdk-lib's `CallAwsServiceCrossRegion` (a Lambda function in this
   * stack). That function runs with its own role, so it cannot use `reconcileRoleArn`: a project in another
   * region AND another account (or reached through `reconcileRoleArn`) is rejected at construction.
   * @default - this stack's region
   */
  readonly pipelineRegion?: string;
  /**
   * Revert drift when a stack drifted: start the `DriftReconciler` project named `reconcileProjectName`
   * (in `pipelineAccount` and `pipelineRegion`) with this environment and the drifted stacks. It reverts
   * them with drift-aware change sets (`DeploymentMode: REVERT_DRIFT`) on the template the pipeline last
   * deployed. It used to restart the pipeline instead, which did not revert drift (an unchanged template
   * changes nothing) and restarted it again on every run: `reconcileProjectName` is now required with it.
   * @default false (alert only)
   */
  readonly autoReconcile?: boolean;
  /**
   * Name of the `DriftReconciler` CodeBuild project that reverts drift (its `projectName`), in
   * `pipelineAccount` and `pipelineRegion`; its allow-list must hold `environmentName` and the stacks sent to
   * it (`stackNames`, or `reconcileStackNames` with `stackNamePrefix`). Required with `autoReconcile`.
   * @default - none (no auto-reconcile)
   */
  readonly reconcileProjectName?: string;
  /**
   * With `stackNamePrefix` and `autoReconcile` (required then): the stacks, among those the prefix selects, that
   * the `DriftReconciler`'s allow-list holds for this environment (its `stackNames`). Only these are sent to the
   * reconcile build when they drift: the reconciler refuses a whole request that names one stack outside its
   * allow-list, so a drifted stack it may not change would keep every other from being reverted. A drifted nested
   * stack (ListStacks gives it a RootId) is updated through its root stack: when this list holds the root, the
   * root is sent (once, however many of its nested stacks drifted) and the alert marks the nested stack
   * `nested stack: root stack <root> sent to the reconciler` (whether the root's drift-aware change set reverts
   * drift inside a nested stack whose template did not change is not documented by AWS: see the package README).
   * The other stacks the prefix selects (a stack added later, a nested stack of a root outside this list) are still
   * checked and alerted, marked `detect only`. Name root stacks here, not nested ones: a nested stack stands for its
   * root. Each name must start with `stackNamePrefix`. With `stackNames` every listed stack is sent as named (no
   * nested stack is looked up); list the others in `detectOnlyStackNames`.
   * @default - none; required with `stackNamePrefix` and `autoReconcile`
   */
  readonly reconcileStackNames?: string[];
  /**
   * Role in the pipeline account allowed to start the reconcile project (`DriftReconciler.startBuildStatements`).
   * The start task runs with its credentials (Step Functions cross-account task credentials), and the state
   * machine's role gets only `sts:AssumeRole` on it. Required with `autoReconcile` when the project is in
   * another account: only principals of a CodeBuild project's own account can start its builds. The task then calls CodeBuild in this stack's region, so the project
   * must be in this stack's region too.
   * @default - the state machine's own role (project in the same account)
   */
  readonly reconcileRoleArn?: string;
  /**
   * Name of the state machine's role. Set it when a policy in another account names this role, such as
   * the trust policy of a pipeline account's `reconcileRoleArn`: a name that CloudFormation generates is
   * `<stack name>-<logical id>-<random>` cut to IAM's 64 characters, and the cut keeps as few as the
   * first 25 characters of the stack name, so a pattern built from the full stack name may not match it.
   * 1 to 64 of letters, digits and `+=,.@_-`; a named role is replaced when its name changes.
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
  /**
   * More read-only actions drift detection needs for resource types outside the default list, granted on
   * every resource. Listing one of the EC2 Describe calls that return secrets (`ec2:DescribeInstanceAttribute`,
   * `DescribeLaunchTemplateVersions`, `DescribeSpotFleetRequests`, `DescribeSpotInstanceRequests`: user data;
   * `DescribeVerifiedAccessTrustProviders`: OIDC client secrets; `DescribeVpnConnections`: VPN pre-shared keys)
   * lifts its Deny. @default - none
   */
  readonly additionalReadActions?: string[];
  /**
   * Name prefixes of the checked stacks' SSM parameters (`/groundwork/dev/`, or a name prefix without a
   * leading '/'). Drift detection reads each `AWS::SSM::Parameter` with the parameter's value
   * (`ssm:GetParameters`); the state machine's role may read only the parameters under these prefixes, and
   * may never decrypt a SecureString through SSM. An empty list grants no parameter read.
   * @default ['/groundwork/<environmentName>/'], where Groundwork's stacks (`@groundwork/networking`) keep theirs
   */
  readonly parameterNamePrefixes?: string[];
  /**
   * Name prefixes of the checked stacks' Lambda functions. Drift detection reads each
   * `AWS::Lambda::Function` with `lambda:GetFunction`, which returns its environment variables and a link to
   * its code; the state machine's role may read only the functions whose names start with these. Give the
   * names of functions that set a `FunctionName`. An empty list grants no function read.
   * @default - the first 25 characters of each stack name (of `stackNamePrefix` with a prefix): CloudFormation
   * names a function without `FunctionName` `<stack name>-<logical id>-<random>`, cut to 64 characters, which
   * keeps at least those 25
   */
  readonly functionNamePrefixes?: string[];
  /** Retention of the state machine log group. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /**
   * How long one stack's drift detection may stay `DETECTION_IN_PROGRESS` (polled every 30 seconds) before
   * the stack counts as a failed check, named in the alert, and the run goes on with the other stacks. Without
   * a bound, one detection that never ends holds the run until the state machine's 2-hour timeout, which
   * fails the run: no metric and no alert for any stack. 1 to 90 minutes.
   * @default Duration.minutes(30)
   */
  readonly detectionTimeout?: Duration;
}

/**
 * The stack statuses the prefix mode lists: every status but those of a stack being changed (`*_IN_PROGRESS`,
 * transient: the next run checks it) or deleted (`DELETE_COMPLETE`). The stable ones are checked for drift;
 * a broken stack (`UPDATE_ROLLBACK_FAILED`, `ROLLBACK_COMPLETE`, `*_FAILED`) is handed to DetectStackDrift
 * too, and if CloudFormation refuses to check it, it is reported as a failed check, as it would be when
 * named in `stackNames`, instead of being left out without a word.
 */
const LISTED_STACK_STATUSES = [
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
  'CREATE_FAILED',
  'ROLLBACK_COMPLETE',
  'ROLLBACK_FAILED',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_FAILED',
  'IMPORT_ROLLBACK_FAILED',
  'DELETE_FAILED',
];

/** The stacks a detector checks: those whose name starts with `prefix`, and those it names. */
interface StackSelection {
  readonly prefix?: string;
  /** `stackNames` and `detectOnlyStackNames`. */
  readonly names: string[];
}

/**
 * What two selections both check, in words, or undefined when they share no stack: two prefixes where one
 * starts with the other, a name that the other's prefix selects, a name both list.
 */
function selectionOverlap(mine: StackSelection, theirs: StackSelection): string | undefined {
  const quote = (names: string[]) => names.map((n) => `'${n}'`).join(', ');
  const found: string[] = [];
  if (mine.prefix !== undefined && theirs.prefix !== undefined) {
    if (mine.prefix.startsWith(theirs.prefix) || theirs.prefix.startsWith(mine.prefix)) {
      const longer = mine.prefix.length >= theirs.prefix.length ? mine.prefix : theirs.prefix;
      found.push(
        `stackNamePrefix '${mine.prefix}' and stackNamePrefix '${theirs.prefix}' both select every stack named '${longer}*'`,
      );
    }
  }
  const selectedBy = (selection: StackSelection, names: string[]) =>
    selection.prefix === undefined ? [] : names.filter((n) => n.startsWith(selection.prefix!));
  const theirsSelected = selectedBy(mine, theirs.names);
  if (theirsSelected.length > 0) {
    found.push(`stackNamePrefix '${mine.prefix}' selects ${quote(theirsSelected)}, which the other names`);
  }
  const mineSelected = selectedBy(theirs, mine.names);
  if (mineSelected.length > 0) {
    found.push(`the other's stackNamePrefix '${theirs.prefix}' selects ${quote(mineSelected)}, which this one names`);
  }
  const both = mine.names.filter((n) => theirs.names.includes(n));
  if (both.length > 0) {
    found.push(`both name ${quote(both)}`);
  }
  return found.length > 0 ? found.join('; ') : undefined;
}

/**
 * The DriftDetectors of each app (by the root of the construct tree), for the check that no two of them check
 * the same stack. A registry rather than a walk of the whole tree from each detector: an app with many
 * environments holds many detectors and many constructs.
 */
const DETECTORS_OF_APP = new WeakMap<IConstruct, DriftDetector[]>();

/**
 * Continuous reconciliation for one environment: on a schedule, a Step Functions state machine (AWS SDK
 * integrations only, no Lambda) detects CloudFormation drift on the Groundwork stacks, publishes
 * `Groundwork/Drift DriftedStacks` and `DetectionFailedStacks`, alerts with the drifted stacks and
 * resources and the stacks whose drift could not be checked, and, when `autoReconcile` is on and a stack
 * drifted, starts the `DriftReconciler` project in the pipeline account, which reverts the drifted stacks
 * with drift-aware change sets. The one exception to "no Lambda": with `autoReconcile` and the project in
 * another region of the same account, the start goes through aws-cdk-lib's `CallAwsServiceCrossRegion`
 * Lambda function (Step Functions SDK integrations cannot call another region).
 *
 * Each stack is checked by one detector: synthesis fails when two DriftDetectors of the app, in the same account
 * and region (both known at synthesis), select a stack in common.
 */

export class DriftDetector extends Construct {
  /** Metric namespace of the drift metric. */
  public static readonly METRIC_NAMESPACE = 'Groundwork/Drift';
  /** Metric name of the drift metric (dimension `Environment`). */
  public static readonly METRIC_NAME = 'DriftedStacks';
  /**
   * Metric name of the stacks whose drift detection failed (DETECTION_FAILED, for example a missing read
   * permission), same namespace and dimension as `METRIC_NAME`.
   */
  public static readonly DETECTION_FAILED_METRIC_NAME = 'DetectionFailedStacks';

  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The schedule rule. */
  public readonly rule: events.Rule;
  /** The state machine's log group. */
  public readonly logGroup: logs.ILogGroup;
  /**
   * Raised (to the alert topic) when a run of the state machine failed, timed out or was aborted: no drift
   * alert and no metric come from such a run, so without it a detector that stopped working stays silent.
   */
  public readonly executionFailureAlarm: cloudwatch.Alarm;
  /**
   * Raised (to the alert topic) when the schedule rule could not start the state machine (EventBridge
   * `FailedInvocations` of `rule`: its role refused, the state machine gone, throttling past EventBridge's
   * retries). No execution starts, so `executionFailureAlarm`, which watches executions, cannot see it.
   */
  public readonly scheduleFailureAlarm: cloudwatch.Alarm;
  /** aws-cdk-lib's CallAwsServiceCrossRegion function, when the reconcile start crosses regions. */
  private crossRegionFunction?: lambda.CfnFunction;
  /** What the state machine's own role needs to start the reconcile project (same account and region). */
  private reconcileStartStatements: iam.PolicyStatement[] = [];
  /** The stacks this detector checks, compared with those of the other detectors of the app. */
  private readonly selection: StackSelection;

  constructor(scope: Construct, id: string, props: DriftDetectorProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if ((props.stackNamePrefix === undefined) === (props.stackNames === undefined)) {
      throw new Error(`${this.node.path}: set exactly one of stackNamePrefix or stackNames`);
    }
    if (props.stackNames !== undefined && props.stackNames.length === 0) {
      throw new Error(`${this.node.path}: stackNames must not be empty`);
    }
    for (const name of props.detectOnlyStackNames ?? []) {
      if (!STACK_NAME_PATTERN.test(name)) {
        throw new Error(
          `${this.node.path}: detectOnlyStackNames must hold CloudFormation stack names (a letter, then up to 127 ` +
            `letters, digits or '-'), found '${name}'`,
        );
      }
      if (props.stackNames?.includes(name) || (props.stackNamePrefix && name.startsWith(props.stackNamePrefix))) {
        throw new Error(
          `${this.node.path}: detectOnlyStackNames names '${name}', which ` +
            (props.stackNames ? 'stackNames also lists' : `starts with stackNamePrefix '${props.stackNamePrefix}'`) +
            ': a stack is either reconciled or detect only',
        );
      }
    }
    this.checkLogicalResourceIds(props);
    if (props.stackNamePrefix !== undefined && !STACK_NAME_PATTERN.test(props.stackNamePrefix)) {
      throw new Error(
        `${this.node.path}: stackNamePrefix must be a CloudFormation stack name prefix, found '${props.stackNamePrefix}'`,
      );
    }
    if (!/^[A-Za-z0-9.@_-]{1,100}$/.test(props.pipelineName)) {
      throw new Error(`${this.node.path}: pipelineName must be a CodePipeline name, found '${props.pipelineName}'`);
    }
    if (Token.isUnresolved(props.environmentName)) {
      throw new Error(
        `${this.node.path}: environmentName must be a literal string known at synthesis time (it is written into ` +
          'the state machine definition and the log group name), found a token',
      );
    }
    if (!ENVIRONMENT_NAME_PATTERN.test(props.environmentName)) {
      throw new Error(
        `${this.node.path}: environmentName must match ${ENVIRONMENT_NAME_PATTERN} (1-63 letters, digits, '_', '.', '-', ` +
          `starting with a letter or digit), found '${props.environmentName}'`,
      );
    }
    if (
      props.roleName !== undefined &&
      !Token.isUnresolved(props.roleName) &&
      !ROLE_NAME_PATTERN.test(props.roleName)
    ) {
      throw new Error(
        `${this.node.path}: roleName must be an IAM role name (1 to 64 letters, digits and '+=,.@_-'), ` +
          `found '${props.roleName}' (${props.roleName.length} characters)`,
      );
    }
    if (props.reconcileRoleArn && !props.autoReconcile) {
      throw new Error(`${this.node.path}: reconcileRoleArn is set but autoReconcile is off`);
    }
    if (props.reconcileProjectName !== undefined && !props.autoReconcile) {
      throw new Error(`${this.node.path}: reconcileProjectName is set but autoReconcile is off`);
    }
    if (props.autoReconcile && props.reconcileProjectName === undefined) {
      throw new Error(
        `${this.node.path}: autoReconcile needs reconcileProjectName, the DriftReconciler project that reverts drift ` +
          'with drift-aware change sets; found none (restarting the pipeline, what autoReconcile used to do, ' +
          'redeploys an unchanged template, which does not revert drift)',
      );
    }
    if (
      props.reconcileProjectName !== undefined &&
      !Token.isUnresolved(props.reconcileProjectName) &&
      !/^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$/.test(props.reconcileProjectName)
    ) {
      throw new Error(
        `${this.node.path}: reconcileProjectName must be a CodeBuild project name, found '${props.reconcileProjectName}'`,
      );
    }
    this.checkReconcileStackNames(props);
    const detectionTimeout = props.detectionTimeout ?? DEFAULT_DETECTION_TIMEOUT;
    if (
      detectionTimeout.isUnresolved() ||
      detectionTimeout.toSeconds() < MIN_DETECTION_TIMEOUT.toSeconds() ||
      detectionTimeout.toSeconds() > MAX_DETECTION_TIMEOUT.toSeconds()
    ) {
      throw new Error(
        `${this.node.path}: detectionTimeout must be a duration known at synthesis of 1 to 90 minutes, found ` +
          `${detectionTimeout.isUnresolved() ? 'a token' : detectionTimeout.toHumanString()}`,
      );
    }
    const pipelineAccount = props.pipelineAccount ?? stack.account;
    if (
      props.autoReconcile &&
      !props.reconcileRoleArn &&
      !Token.isUnresolved(pipelineAccount) &&
      !Token.isUnresolved(stack.account) &&
      pipelineAccount !== stack.account
    ) {
      // Only a principal of the project's account can start its builds.
      throw new Error(
        `${this.node.path}: autoReconcile with the pipeline in account ${pipelineAccount} (this stack is in ` +
          `${stack.account}) needs reconcileRoleArn, a role in the pipeline's account that may start the ` +
          'reconcile project; found none',
      );
    }
    const pipelineRegion = regionRelation(props.pipelineRegion, stack.region);
    if (props.autoReconcile && props.reconcileRoleArn && pipelineRegion !== 'same') {
      // Step Functions runs an SDK task with task credentials in the state machine's own region, and
      // CallAwsServiceCrossRegion's function runs with its own role, never an assumed one.
      throw new Error(
        `${this.node.path}: autoReconcile with reconcileRoleArn calls CodeBuild in this stack's region ` +
          `(${stack.region}); expected pipelineRegion unset or equal to it, found '${props.pipelineRegion}'` +
          (pipelineRegion === 'unknown' ? " (this stack's region is not known at synthesis time)" : '') +
          '. A reconcile project in another region reached through reconcileRoleArn cannot be started: turn ' +
          'autoReconcile off for this environment (drift is still detected and alerted)',
      );
    }

    const key = logGroupKey(this, 'LogKey', `Encrypts the drift detector logs of ${props.environmentName}`);
    const detectOnly = props.detectOnlyStackNames ?? [];
    /** The detect-only names as a JSONata array literal (stack names need no escaping). */
    const detectOnlyList = JSON.stringify(detectOnly);
    const stackArns = [...(props.stackNames ?? [`${props.stackNamePrefix}*`]), ...detectOnly].map((name) =>
      stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${name}/*` }),
    );
    const projectArn = stack.formatArn({
      service: 'codebuild',
      resource: 'project',
      resourceName: props.reconcileProjectName ?? 'none',
      account: props.pipelineAccount,
      region: props.pipelineRegion,
    });

    // With a prefix and auto-reconcile, the root stack of each listed nested stack (see `roots` in listPage).
    const withRoots = props.stackNamePrefix !== undefined && props.reconcileStackNames !== undefined;
    const init = sfn.Pass.jsonata(this, 'Init', {
      assign: { stacks: [...(props.stackNames ?? []), ...detectOnly], next: '', ...(withRoots ? { roots: {} } : {}) },
    });
    const detectEach = sfn.Map.jsonata(this, 'DetectEachStack', {
      items: sfn.ProvideItems.jsonata('{% $stacks %}'),
      // DetectStackDrift is throttled per account; a few stacks at a time is enough.
      maxConcurrency: 5,
    });
    const retry = (task: sfn.TaskStateBase) => task.addRetry(RETRY);

    const detectTask = (stateId: string, parameters: { [key: string]: unknown }) =>
      retry(
        tasks.CallAwsService.jsonata(this, stateId, {
          service: 'cloudformation',
          action: 'detectStackDrift',
          iamAction: 'cloudformation:DetectStackDrift',
          iamResources: stackArns,
          additionalIamStatements: [
            new iam.PolicyStatement({ actions: ['cloudformation:DetectStackResourceDrift'], resources: stackArns }),
          ],
          parameters,
          outputs: { stack: '{% $states.input %}', id: '{% $states.result.StackDriftDetectionId %}' },
          // Status calls made for this detection, and the drifted resources listed so far (variables of the Map
          // iteration): a listing that fails on its first page still reports a list.
          assign: { polls: 0, driftedResources: [] },
        }),
      );
    const detect = detectTask('DetectStackDrift', { StackName: '{% $states.input %}' });
    // The stacks checked resource by resource get a task of their own, chosen by a Choice state: a JSONata
    // field that evaluates to undefined fails the state (States.QueryEvaluationError) instead of being left
    // out, so one task cannot send LogicalResourceIds for some stacks only. Same permissions (the generated
    // statements are identical, and IAM policy documents drop duplicates).
    const chosen = props.checkedLogicalResourceIds ?? {};
    const chosenStacks = Object.keys(chosen);
    let detectStart: sfn.IChainable = detect;
    let detectChosen: sfn.TaskStateBase | undefined;
    if (chosenStacks.length > 0) {
      // Stack names and logical ids need no escaping: a JSON object literal is a JSONata object constructor.
      detectChosen = detectTask('DetectStackDriftOfChosenResources', {
        StackName: '{% $states.input %}',
        LogicalResourceIds: `{% $lookup(${JSON.stringify(chosen)}, $states.input) %}`,
      });
      detectStart = sfn.Choice.jsonata(this, 'ChosenResourcesOnly')
        .when(sfn.Condition.jsonata(`{% $states.input in ${JSON.stringify(chosenStacks)} %}`), detectChosen)
        .otherwise(detect);
    }
    const maxPolls = Math.ceil(detectionTimeout.toSeconds() / DETECTION_POLL_INTERVAL.toSeconds());
    const wait = sfn.Wait.jsonata(this, 'WaitForDetection', { time: sfn.WaitTime.duration(DETECTION_POLL_INTERVAL) });
    const status = retry(
      tasks.CallAwsService.jsonata(this, 'DescribeDetectionStatus', {
        service: 'cloudformation',
        action: 'describeStackDriftDetectionStatus',
        iamAction: 'cloudformation:DescribeStackDriftDetectionStatus',
        // DescribeStackDriftDetectionStatus supports no resource-level permission.
        iamResources: ['*'],
        parameters: { StackDriftDetectionId: '{% $states.input.id %}' },
        assign: { polls: '{% $polls + 1 %}' },
        outputs: {
          stack: '{% $states.input.stack %}',
          id: '{% $states.input.id %}',
          detection: '{% $states.result.DetectionStatus %}',
          // StackDriftStatus is optional in the API's response (DetectionStatus is required): absent, it is
          // UNKNOWN rather than a JSONata undefined.
          drift: '{% $exists($states.result.StackDriftStatus) ? $states.result.StackDriftStatus : "UNKNOWN" %}',
          reason:
            '{% $exists($states.result.DetectionStatusReason) ? $states.result.DetectionStatusReason : "no reason given" %}',
        },
      }),
    );
    // DescribeStackResourceDrifts returns at most MaxResults (1 to 100) drifts per call, with a NextToken
    // when there are more: the first page, then one call per NextToken, the logical ids collected in
    // variables of the Map iteration (each iteration has its own; they are not visible after the Map).
    const resourcePage = (id2: string, first: boolean) =>
      retry(
        tasks.CallAwsService.jsonata(this, id2, {
          service: 'cloudformation',
          action: 'describeStackResourceDrifts',
          iamAction: 'cloudformation:DescribeStackResourceDrifts',
          iamResources: stackArns,
          parameters: {
            StackName: '{% $states.input.stack %}',
            StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
            MaxResults: RESOURCE_DRIFTS_PAGE_SIZE,
            ...(first ? {} : { NextToken: '{% $resourceDriftsToken %}' }),
          },
          assign: {
            driftedResources: first
              ? '{% [$states.result.StackResourceDrifts.LogicalResourceId] %}'
              : '{% $append($driftedResources, [$states.result.StackResourceDrifts.LogicalResourceId]) %}',
            resourceDriftsToken: '{% $exists($states.result.NextToken) ? $states.result.NextToken : "" %}',
          },
          // The status (stack, detection, reason) goes on to the next page and to StackDrifted.
          outputs: '{% $states.input %}',
        }),
      );
    const resources = resourcePage('DescribeResourceDrifts', true);
    const nextResourcePage = resourcePage('DescribeResourceDriftsNextPage', false);
    const stackDrifted = sfn.Pass.jsonata(this, 'StackDrifted', {
      outputs: {
        stack: '{% $states.input.stack %}',
        drifted: true,
        resources: '{% $driftedResources %}',
        // Every page was read: `resources` is the whole list (false in DriftListFailed).
        listed: true,
        // DETECTION_FAILED with DRIFTED: some resources drifted, others could not be checked.
        failed: '{% $states.input.detection = "DETECTION_FAILED" %}',
        reason: '{% $states.input.reason %}',
      },
    });
    const moreResourcePages = sfn.Choice.jsonata(this, 'MoreResourceDrifts')
      .when(sfn.Condition.jsonata('{% $resourceDriftsToken != "" %}'), nextResourcePage)
      .otherwise(stackDrifted);
    resources.next(moreResourcePages);
    nextResourcePage.next(moreResourcePages);
    const inSync = sfn.Pass.jsonata(this, 'StackInSync', {
      outputs: { stack: '{% $states.input.stack %}', drifted: false, resources: [], failed: false },
    });
    // A stack whose check ended without showing it in sync: counted in DetectionFailedStacks and named in the
    // alert with the reason.
    const failedCheck = (stateId: string, reason: string) =>
      sfn.Pass.jsonata(this, stateId, {
        outputs: { stack: '{% $states.input.stack %}', drifted: false, resources: [], failed: true, reason },
      });
    // DETECTION_FAILED: CloudFormation could not check at least one resource (typically a read permission
    // the state machine's role lacks). Not "in sync": the stack is counted and named in the alert.
    const detectionFailed = failedCheck('DetectionFailed', '{% $states.input.reason %}');
    // A finished detection whose drift status is neither DRIFTED nor IN_SYNC (NOT_CHECKED: "CloudFormation hasn't
    // checked"; UNKNOWN, or absent) or a detection status CloudFormation may add later: the stack was not shown to
    // be in sync, so it is a failed check, named in the alert, rather than counted as in sync.
    const driftStatusUnknown = failedCheck(
      'DriftStatusUnknown',
      '{% "drift detection " & $states.input.detection & " with stack drift status " & $states.input.drift %}',
    );
    // A detection that never ends would hold the iteration, then the run, until the state machine's timeout.
    const detectionTimedOut = failedCheck(
      'DetectionTimedOut',
      `{% "drift detection " & $states.input.id & " still DETECTION_IN_PROGRESS after ${detectionTimeout.toHumanString()} ` +
        `(detectionTimeout); not waited for" %}`,
    );
    // A call that still fails after its retries (a stack that does not exist, a missing permission, throttling
    // that outlasts the retries, any error CloudFormation returns for that stack) makes that stack a failed check,
    // named with the error in the alert: without it the iteration fails, which fails the Map and the whole
    // run, and no metric and no alert come out for the other stacks.
    const errorText =
      '$states.errorOutput.Error & ": " & ($exists($states.errorOutput.Cause) ? $states.errorOutput.Cause : "no cause given")';
    const errorReason = `{% ${errorText} %}`;
    const callFailed = sfn.Pass.jsonata(this, 'CheckCallFailed', {});
    const catchAs = (task: sfn.TaskStateBase, stackExpression: string) =>
      task.addCatch(callFailed, {
        errors: ['States.ALL'],
        outputs: {
          stack: `{% ${stackExpression} %}`,
          drifted: false,
          resources: [],
          failed: true,
          reason: errorReason,
        },
      });
    for (const task of [detect, ...(detectChosen ? [detectChosen] : [])]) {
      catchAs(task, '$states.input');
      task.next(wait);
    }
    catchAs(status, '$states.input.stack');
    // The detection already said DRIFTED when the listing of the drifted resources fails: the stack stays drifted
    // (counted in DriftedStacks, alerted and reconciled: the revert needs no list) and is a failed check too,
    // named with the error, with the resources listed before it (none when the first page fails); `listed: false`
    // makes its line under "Drift detected" say so and why. A detection that said DRIFTED with
    // DETECTION_FAILED (some resources could not be checked) keeps its own reason in front: the listing error
    // alone would hide the lasting cause (a read permission) behind a passing one (throttling).
    const listFailed = sfn.Pass.jsonata(this, 'DriftListFailed', {});
    for (const task of [resources, nextResourcePage]) {
      task.addCatch(listFailed, {
        errors: ['States.ALL'],
        outputs: {
          stack: '{% $states.input.stack %}',
          drifted: true,
          resources: '{% $driftedResources %}',
          listed: false,
          failed: true,
          reason:
            '{% ($states.input.detection = "DETECTION_FAILED" ? $states.input.reason & "; " : "") & ' +
            `"listing the drifted resources failed: " & ${errorText} %}`,
        },
      });
    }
    wait.next(status).next(
      sfn.Choice.jsonata(this, 'DetectionDone')
        .when(
          sfn.Condition.jsonata(`{% $states.input.detection = "DETECTION_IN_PROGRESS" and $polls >= ${maxPolls} %}`),
          detectionTimedOut,
        )
        .when(sfn.Condition.jsonata('{% $states.input.detection = "DETECTION_IN_PROGRESS" %}'), wait)
        .when(sfn.Condition.jsonata('{% $states.input.drift = "DRIFTED" %}'), resources)
        .when(sfn.Condition.jsonata('{% $states.input.detection = "DETECTION_FAILED" %}'), detectionFailed)
        .when(
          sfn.Condition.jsonata(
            '{% $states.input.detection = "DETECTION_COMPLETE" and $states.input.drift = "IN_SYNC" %}',
          ),
          inSync,
        )
        .otherwise(driftStatusUnknown),
    );
    detectEach.itemProcessor(detectStart);

    const putMetric = retry(
      tasks.CallAwsService.jsonata(this, 'PublishDriftMetric', {
        service: 'cloudwatch',
        action: 'putMetricData',
        iamAction: 'cloudwatch:PutMetricData',
        // PutMetricData supports no resource-level permission; the namespace condition bounds it.
        iamResources: ['*'],
        additionalIamStatements: [],
        parameters: {
          Namespace: DriftDetector.METRIC_NAMESPACE,
          MetricData: [
            {
              MetricName: DriftDetector.METRIC_NAME,
              Unit: 'Count',
              Value: '{% $count($drifted) %}',
              Dimensions: [{ Name: 'Environment', Value: props.environmentName }],
            },
            {
              MetricName: DriftDetector.DETECTION_FAILED_METRIC_NAME,
              Unit: 'Count',
              Value: '{% $count($failed) %}',
              Dimensions: [{ Name: 'Environment', Value: props.environmentName }],
            },
          ],
        },
        outputs: '{% $states.input %}',
      }),
    );
    const env = props.environmentName;
    // Which drifted stacks a reconcile build may revert (`$reconcilable`, objects with the `stack` to send): with a
    // prefix, only those of reconcileStackNames (the reconciler's allow-list, which refuses a whole request naming
    // any other); else all but the detect-only ones. Stack names need no escaping: a JSON array is a JSONata array
    // constructor.
    const reconcileList = props.reconcileStackNames ? JSON.stringify(props.reconcileStackNames) : undefined;
    const DETECT_ONLY = '" (detect only: not reverted automatically)"';
    let reconcilable: string;
    // With auto-reconcile, the alert says which drifted stacks no build will revert.
    let reconcileMark = '';
    if (reconcileList) {
      // A nested stack is updated through its root stack (the one the pipeline deploys), so a drifted nested stack
      // stands for its root: the root is sent, once however many of its nested stacks drifted, when the allow-list
      // holds it; otherwise the nested stack stays detect only. The mark says "sent", not "reverted": AWS does not
      // document that the root's drift-aware change set reaches a nested stack whose template did not change.
      const root = '$lookup($roots, stack)';
      const target = `($exists(${root}) ? ${root} : stack)`;
      reconcilable = `[$distinct([$states.input[drifted = true].${target}[$ in ${reconcileList}]]).{"stack": $}]`;
      reconcileMark =
        ` & ((${target} in ${reconcileList}) ? ($exists(${root}) ? " (nested stack: root stack " & ` +
        `${root} & " sent to the reconciler)" : "") : ${DETECT_ONLY})`;
    } else {
      reconcilable = `[$states.input[drifted = true and $not(stack in ${detectOnlyList})]]`;
      if (props.autoReconcile && detectOnly.length > 0) {
        reconcileMark = ` & ((stack in ${detectOnlyList}) ? ${DETECT_ONLY} : "")`;
      }
    }
    // A drifted stack's line: its drifted resources, or, when listing them failed (`listed` false), those listed
    // before the error (none when the first page failed) and why.
    const driftLine =
      'stack & ": " & (listed ? $join(resources, ", ") : (($count(resources) > 0 ? $join(resources, ", ") & ' +
      `" (list incomplete: " : "(none listed: ") & reason & ")"))${reconcileMark}`;
    const alert = retry(
      tasks.CallAwsService.jsonata(this, 'AlertDrift', {
        service: 'sns',
        action: 'publish',
        iamAction: 'sns:Publish',
        iamResources: [props.alertTopic.topicArn],
        parameters: {
          TopicArn: props.alertTopic.topicArn,
          // SNS subjects hold at most 100 characters: 33 + an environment name of at most 63.
          Subject: `{% $count($drifted) > 0 ? "Groundwork drift in ${env}" : "Groundwork drift check failed in ${env}" %}`,
          Message:
            '{% $join([' +
            `$count($drifted) > 0 ? "Drift detected in ${env} (runbook: docs/runbooks/drift-alert.md)\\n" & $join($drifted.(${driftLine}), "\\n") : "", ` +
            `$count($failed) > 0 ? "Drift could not be checked in ${env}: the detection failed for these stacks, so drift may go unnoticed; check the drift detector's read permissions (runbook: docs/runbooks/drift-alert.md)\\n" & $join($failed.(stack & ": " & reason), "\\n") : ""` +
            '][$ != ""], "\\n\\n") %}',
        },
      }),
    );
    const done = new sfn.Succeed(this, 'Done');
    let afterAlert: sfn.IChainable = done;
    if (props.autoReconcile) {
      // Only drift is reconciled: reverting cannot fix a detection that failed.
      afterAlert = sfn.Choice.jsonata(this, 'ReconcileDrift')
        .when(
          sfn.Condition.jsonata('{% $count($reconcilable) > 0 %}'),
          this.startReconcile(props, projectArn, pipelineRegion, key).next(done),
        )
        .otherwise(done);
    }

    const summarize = sfn.Pass.jsonata(this, 'Summarize', {
      assign: {
        drifted: '{% [$states.input[drifted = true]] %}',
        failed: '{% [$states.input[failed = true]] %}',
        reconcilable: `{% ${reconcilable} %}`,
      },
    });
    const anyDrift = sfn.Choice.jsonata(this, 'AnyDrift')
      .when(sfn.Condition.jsonata('{% $count($drifted) > 0 or $count($failed) > 0 %}'), alert.next(afterAlert))
      .otherwise(done);
    const selected = `$states.result.StackSummaries[$substring(StackName, 0, ${props.stackNamePrefix?.length ?? 0}) = "${props.stackNamePrefix ?? ''}"]`;
    const listPage = (id2: string, withToken: boolean) =>
      retry(
        tasks.CallAwsService.jsonata(this, id2, {
          service: 'cloudformation',
          action: 'listStacks',
          iamAction: 'cloudformation:ListStacks',
          // ListStacks supports no resource-level permission.
          iamResources: ['*'],
          parameters: {
            StackStatusFilter: LISTED_STACK_STATUSES,
            ...(withToken ? { NextToken: '{% $next %}' } : {}),
          },
          assign: {
            stacks: `{% $append($stacks, [${selected}.StackName]) %}`,
            next: '{% $exists($states.result.NextToken) ? $states.result.NextToken : "" %}',
            // Nested stacks, by name, with the name of their root stack: ListStacks gives a nested stack's
            // RootId, the stack id (ARN, `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`)
            // of the top-level stack of its tree. DetectStackDrift on the root does not cover its nested stacks,
            // so they are checked on their own; they are reverted through the root.
            ...(withRoots
              ? { roots: `{% $merge([$roots, ${selected}[$exists(RootId)].{StackName: $split(RootId, "/")[1]}]) %}` }
              : {}),
          },
        }),
      );
    const body = detectEach.next(summarize).next(putMetric).next(anyDrift);
    let definition: sfn.IChainable;
    if (props.stackNamePrefix) {
      // ListStacks is paginated (NextToken); loop until the last page.
      const nextPage = listPage('ListStacksNextPage', true);
      const morePages = sfn.Choice.jsonata(this, 'MorePages')
        .when(sfn.Condition.jsonata('{% $next != "" %}'), nextPage)
        .otherwise(body);
      nextPage.next(morePages);
      definition = init.next(listPage('ListStacks', false)).next(morePages);
    } else {
      definition = init.next(body);
    }

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // Step Functions vended logs need the /aws/vendedlogs/ prefix to keep the log resource policy small.
      logGroupName: `/aws/vendedlogs/states/groundwork-drift-${props.environmentName}`,
      encryptionKey: key,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      // Named, so not retained when the create that made it rolls back: the retried create would fail on
      // the name. Retained on every other deletion and on replacement.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: `Groundwork drift detection for ${props.environmentName}`,
      queryLanguage: sfn.QueryLanguage.JSONATA,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    const role = this.stateMachine.role;
    if (props.roleName !== undefined) {
      // On the role the state machine creates, so the role keeps its logical id with or without a name.
      (role.node.defaultChild as iam.CfnRole).roleName = props.roleName;
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadResourcesForDriftDetection',
        actions: [...DEFAULT_READ_ACTIONS, ...(props.additionalReadActions ?? [])],
        resources: ['*'],
      }),
    );
    const { parameterArns, functionArns } = this.dataReadScope(props);
    if (parameterArns.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadParametersOfCheckedStacks',
          actions: PARAMETER_READ_ACTIONS,
          resources: parameterArns,
        }),
      );
    }
    if (functionArns.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ReadFunctionsOfCheckedStacks',
          actions: FUNCTION_READ_ACTIONS,
          resources: functionArns,
        }),
      );
    }
    // The aws/ssm key's policy lets every principal of the account decrypt through SSM: no SecureString value.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DenySecureStringDecryption',
        effect: iam.Effect.DENY,
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringLike: { 'kms:ViaService': 'ssm.*.amazonaws.com' } },
      }),
    );
    const secretReads = SECRET_DESCRIBE_ACTIONS.filter(
      (action) => !(props.additionalReadActions ?? []).includes(action),
    );
    if (secretReads.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DenyUserDataReads',
          effect: iam.Effect.DENY,
          actions: secretReads,
          resources: ['*'],
        }),
      );
    }
    // The PutMetricData statement generated by the task has Resource "*"; bound it to the drift namespace.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DenyOtherMetricNamespaces',
        effect: iam.Effect.DENY,
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringNotEquals: { 'cloudwatch:namespace': DriftDetector.METRIC_NAMESPACE } },
      }),
    );
    props.alertTopicKey?.grant(role, 'kms:GenerateDataKey*', 'kms:Decrypt');
    if (props.autoReconcile && props.reconcileRoleArn) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeReconcileRole',
          actions: ['sts:AssumeRole'],
          resources: [props.reconcileRoleArn],
        }),
      );
    }
    for (const statement of this.reconcileStartStatements) {
      role.addToPrincipalPolicy(statement);
    }

    // The role EventBridge assumes to start the state machine. aws-cdk-lib's target would create it trusting
    // events.amazonaws.com with no condition; EventBridge documents aws:SourceArn (a rule target's value is the
    // rule's ARN) and aws:SourceAccount against the cross-service confused deputy. The exact rule ARN would make
    // a cycle (the rule names this role), so the trust is limited to the EventBridge rules of this account and
    // region; creating another rule that uses the role needs iam:PassRole on it. Same construct path as the
    // role aws-cdk-lib creates, so the deployed role keeps its logical id and is updated in place.
    const scheduleRole = new iam.Role(this.stateMachine, 'EventsRole', {
      roleName: PhysicalName.GENERATE_IF_NEEDED,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }) },
        },
      }),
    });
    this.rule = new events.Rule(this, 'Schedule', {
      description: `Groundwork drift detection for ${props.environmentName}`,
      schedule: props.schedule ?? events.Schedule.rate(Duration.hours(12)),
      targets: [new targets.SfnStateMachine(this.stateMachine, { role: scheduleRole })],
    });

    const period = Duration.minutes(5);
    this.executionFailureAlarm = new cloudwatch.Alarm(this, 'ExecutionFailureAlarm', {
      alarmDescription: `Groundwork drift detection for ${props.environmentName} did not complete (execution failed, timed out or was aborted): see the state machine's executions`,
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ period }),
          timedOut: this.stateMachine.metricTimedOut({ period }),
          aborted: this.stateMachine.metricAborted({ period }),
        },
        period,
        label: 'Executions that did not complete',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    // EventBridge sends FailedInvocations only when it is not zero (EventBridge User Guide, "Monitoring Amazon
    // EventBridge"): an alarm of its own, as adding a mostly missing series into the math expression above
    // could leave the sum without a value in the periods that matter.
    this.scheduleFailureAlarm = new cloudwatch.Alarm(this, 'ScheduleFailureAlarm', {
      alarmDescription: `Groundwork drift detection for ${props.environmentName} was not started: the schedule rule failed to start the state machine (EventBridge FailedInvocations); see the rule's target and its role`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        // RuleName alone: a rule of the default event bus, as a scheduled rule is ("Metrics that specify only
        // the RuleName dimension refer to the default event bus": same page).
        dimensionsMap: { RuleName: this.rule.ruleName },
        statistic: cloudwatch.Stats.SUM,
        period,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.executionFailureAlarm, this.scheduleFailureAlarm]) {
      alarm.addAlarmAction(new cwActions.SnsAction(props.alertTopic));
      allowAlarmPublish(props.alertTopic, alarm);
    }
    this.acknowledgeFindings(
      props,
      [...DEFAULT_READ_ACTIONS, ...(props.additionalReadActions ?? [])],
      [...parameterArns, ...functionArns],
    );

    this.selection = {
      prefix: props.stackNamePrefix,
      names: [...(props.stackNames ?? []), ...detectOnly],
    };
    const detectors = DETECTORS_OF_APP.get(this.node.root) ?? [];
    detectors.push(this);
    DETECTORS_OF_APP.set(this.node.root, detectors);
    // At synthesis, when every detector of the app exists (a Stage synthesized early is checked against the
    // detectors that exist then; each later one is checked against it).
    this.node.addValidation({ validate: () => this.overlapErrors() });
  }

  /**
   * Two detectors of the same account and region whose selections share a stack check it twice per schedule, alert
   * it twice, and may start two reconcile builds that revert it at the same time. Only where both environments are
   * known at synthesis: environment-agnostic stacks may be deployed anywhere.
   */
  private overlapErrors(): string[] {
    const environmentOf = (detector: DriftDetector) => {
      const { account, region } = Stack.of(detector);
      return Token.isUnresolved(account) || Token.isUnresolved(region) ? undefined : `${account}/${region}`;
    };
    const environment = environmentOf(this);
    if (environment === undefined) {
      return [];
    }
    const errors: string[] = [];
    for (const other of DETECTORS_OF_APP.get(this.node.root) ?? []) {
      if (other === this || environmentOf(other) !== environment) {
        continue;
      }
      const overlap = selectionOverlap(this.selection, other.selection);
      if (overlap !== undefined) {
        const [account, region] = environment.split('/');
        errors.push(
          `the DriftDetectors ${this.node.path} and ${other.node.path} both check stacks of account ${account} in ` +
            `${region}: ${overlap}. Each stack would be checked and alerted twice and could be reverted by two reconcile ` +
            'builds at once; expected selections that share no stack: prefixes neither of which starts with the other, ' +
            'or each stack named by one detector only',
        );
      }
    }
    return errors;
  }

  /**
   * `reconcileStackNames`: with `stackNamePrefix` and `autoReconcile` only, and then required; stack names known
   * at synthesis (they are written into the state machine's JSONata) that start with the prefix.
   */
  private checkReconcileStackNames(props: DriftDetectorProps): void {
    const names = props.reconcileStackNames;
    if (names === undefined) {
      if (props.autoReconcile && props.stackNamePrefix !== undefined) {
        throw new Error(
          `${this.node.path}: autoReconcile with stackNamePrefix '${props.stackNamePrefix}' needs reconcileStackNames, ` +
            "the stacks of the prefix that the DriftReconciler's allow-list holds for this environment; found none. " +
            'The prefix also selects stacks the reconciler may not change, and it refuses a whole request that ' +
            'names one of them',
        );
      }
      return;
    }
    if (!props.autoReconcile) {
      throw new Error(`${this.node.path}: reconcileStackNames is set but autoReconcile is off`);
    }
    if (props.stackNamePrefix === undefined) {
      throw new Error(
        `${this.node.path}: reconcileStackNames is for stackNamePrefix; with stackNames every listed stack is sent to ` +
          'the reconciler: list the stacks it may not change in detectOnlyStackNames instead',
      );
    }
    if (names.length === 0) {
      throw new Error(`${this.node.path}: reconcileStackNames must name at least one stack, found none`);
    }
    for (const name of names) {
      if (!STACK_NAME_PATTERN.test(name) || !name.startsWith(props.stackNamePrefix)) {
        throw new Error(
          `${this.node.path}: reconcileStackNames must hold CloudFormation stack names starting with stackNamePrefix ` +
            `'${props.stackNamePrefix}', found '${name}'`,
        );
      }
    }
  }

  /**
   * `checkedLogicalResourceIds`: each key a stack this detector names, each list 1 to 200 distinct logical ids
   * known at synthesis (they are written into the state machine's JSONata).
   */
  private checkLogicalResourceIds(props: DriftDetectorProps): void {
    const named = [...(props.stackNames ?? []), ...(props.detectOnlyStackNames ?? [])];
    for (const [stackName, ids] of Object.entries(props.checkedLogicalResourceIds ?? {})) {
      if (!named.includes(stackName)) {
        throw new Error(
          `${this.node.path}: checkedLogicalResourceIds names the stack '${stackName}', which neither stackNames nor ` +
            'detectOnlyStackNames lists',
        );
      }
      if (ids.length < 1 || ids.length > MAX_LOGICAL_RESOURCE_IDS) {
        throw new Error(
          `${this.node.path}: checkedLogicalResourceIds of '${stackName}' must hold 1 to ${MAX_LOGICAL_RESOURCE_IDS} ` +
            `logical ids (DetectStackDrift's LogicalResourceIds), found ${ids.length}`,
        );
      }
      for (const [index, id] of ids.entries()) {
        if (!LOGICAL_ID_PATTERN.test(id)) {
          throw new Error(
            `${this.node.path}: checkedLogicalResourceIds of '${stackName}' must hold CloudFormation logical ids ` +
              `known at synthesis (1 to 255 letters or digits), found '${id}'`,
          );
        }
        if (ids.indexOf(id) !== index) {
          throw new Error(`${this.node.path}: checkedLogicalResourceIds of '${stackName}' lists '${id}' twice`);
        }
      }
    }
  }

  /**
   * ARNs of the SSM parameters and Lambda functions the checked stacks may hold, from `parameterNamePrefixes`
   * and `functionNamePrefixes` (or their defaults), each checked.
   */
  private dataReadScope(props: DriftDetectorProps): { parameterArns: string[]; functionArns: string[] } {
    const stack = Stack.of(this);
    const check = (prop: string, values: string[], pattern: RegExp, expected: string) => {
      for (const value of values) {
        if (!Token.isUnresolved(value) && (!pattern.test(value) || value.includes('*'))) {
          throw new Error(`${this.node.path}: ${prop} entries must be ${expected}, found '${value}'`);
        }
      }
    };
    const parameterPrefixes = props.parameterNamePrefixes ?? [`/groundwork/${props.environmentName}/`];
    check(
      'parameterNamePrefixes',
      parameterPrefixes,
      PARAMETER_PREFIX_PATTERN,
      "SSM parameter name prefixes (letters, digits, '_', '.', '-', '/'; no wildcard)",
    );
    const stackPrefixes = [...(props.stackNames ?? [props.stackNamePrefix!]), ...(props.detectOnlyStackNames ?? [])];
    const functionPrefixes =
      props.functionNamePrefixes ?? stackPrefixes.map((name) => name.slice(0, GENERATED_NAME_STACK_PREFIX));
    check(
      'functionNamePrefixes',
      functionPrefixes,
      FUNCTION_PREFIX_PATTERN,
      "Lambda function name prefixes (1 to 64 letters, digits, '_' or '-'; no wildcard)",
    );
    const unique = (values: string[]) => [...new Set(values)];
    return {
      // A parameter's ARN drops the leading '/' of a path: arn:...:parameter/groundwork/dev/name.
      parameterArns: unique(parameterPrefixes).map((prefix) =>
        stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${prefix.replace(/^\//, '')}*` }),
      ),
      functionArns: unique(functionPrefixes).map((prefix) =>
        stack.formatArn({
          service: 'lambda',
          resource: 'function',
          resourceName: `${prefix}*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    };
  }

  /**
   * The task that starts the reconcile project with this environment and its drifted stacks. Step Functions
   * calls AWS SDK integrations in the state machine's own region, with or without task credentials.
   * - Same region, same account: an SDK task with the state machine's role, which is granted
   *   `DriftReconciler.startBuildStatements` on this project for this environment.
   * - Same region, other account: the task runs with the reconcile role's credentials, so the state
   *   machine's role gets only sts:AssumeRole on that role.
   * - Other region, same account: aws-cdk-lib's CallAwsServiceCrossRegion, a Lambda function that calls
   *   CodeBuild in the project's region; its role alone may start the project. The function calls the
   *   JavaScript SDK v3 command directly, whose members are camelCase (Step Functions SDK integrations
   *   take PascalCase).
   * - Other region with a reconcile role: rejected in the constructor (that function cannot assume a role).
   */
  private startReconcile(
    props: DriftDetectorProps,
    projectArn: string,
    region: RegionRelation,
    logKey: kms.IKey,
  ): sfn.INextable & sfn.IChainable {
    const projectName = props.reconcileProjectName!;
    const stacks = '{% $join($reconcilable.stack, ",") %}';
    const statements = DriftReconciler.startBuildStatements(projectArn, [props.environmentName]);
    if (region !== 'same') {
      // The generated Allow has no conditions; the Denies keep the function's role from overriding more.
      const denies = statements.filter((statement) => statement.effect === iam.Effect.DENY);
      const task = tasks.CallAwsServiceCrossRegion.jsonata(this, 'StartReconcile', {
        region: props.pipelineRegion!,
        service: 'codebuild',
        action: 'startBuild',
        iamAction: 'codebuild:StartBuild',
        iamResources: [projectArn],
        parameters: {
          projectName,
          environmentVariablesOverride: [
            { name: ENVIRONMENT_VARIABLE, value: props.environmentName, type: 'PLAINTEXT' },
            { name: STACKS_VARIABLE, value: stacks, type: 'PLAINTEXT' },
          ],
        },
        additionalIamStatements: denies,
      });
      this.hardenCrossRegionFunction(task, props, logKey);
      return task.addRetry(RETRY);
    }
    this.reconcileStartStatements = props.reconcileRoleArn ? [] : statements;
    return new sfn.CustomState(this, 'StartReconcile', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Stack.of(this).partition}:states:::aws-sdk:codebuild:startBuild`,
        Arguments: {
          ProjectName: projectName,
          EnvironmentVariablesOverride: [
            { Name: ENVIRONMENT_VARIABLE, Value: props.environmentName, Type: 'PLAINTEXT' },
            { Name: STACKS_VARIABLE, Value: stacks, Type: 'PLAINTEXT' },
          ],
        },
        ...(props.reconcileRoleArn ? { Credentials: { RoleArn: props.reconcileRoleArn } } : {}),
      },
    }).addRetry(RETRY);
  }

  /**
   * CallAwsServiceCrossRegion creates one function per stack (a singleton) that writes to an unencrypted
   * /aws/lambda log group kept forever. Its logs go to a log group with the same key and retention as the
   * state machine's instead, and the findings on generated resources are acknowledged with their reason.
   */
  private hardenCrossRegionFunction(
    task: tasks.CallAwsServiceCrossRegion,
    props: DriftDetectorProps,
    logKey: kms.IKey,
  ): void {
    const stack = Stack.of(this);
    const handler = task.node.findChild('Handler') as lambda.SingletonFunction;
    const fn = stack.node.findChild(handler.constructName) as lambda.Function;
    const cfnFunction = fn.node.defaultChild as lambda.CfnFunction;
    this.crossRegionFunction = cfnFunction;
    // A second detector in the same stack shares the function: the first one's log group stays.
    if (!cfnFunction.loggingConfig) {
      const logGroup = new logs.LogGroup(this, 'ReconcileLogs', {
        encryptionKey: logKey,
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      cfnFunction.loggingConfig = { logGroup: logGroup.logGroupName };
    }
    const reasons: Array<[IConstruct, string, string]> = [
      [
        cfnFunction,
        'NIST.800.53.R5-LambdaConcurrency',
        'Called once per drift run by the state machine; reserved concurrency would take from the account pool (new accounts cannot reserve any)',
      ],
      [
        cfnFunction,
        'NIST.800.53.R5-LambdaDLQ',
        'Invoked synchronously by Step Functions, which retries and logs failures; a DLQ only applies to asynchronous invocation',
      ],
      [
        cfnFunction,
        'NIST.800.53.R5-LambdaInsideVPC',
        'Calls the public CodeBuild API of another region and reaches no VPC resource',
      ],
      [
        fn.role!.node.defaultChild!,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'Log delivery of the CallAwsServiceCrossRegion function, generated by aws-cdk-lib',
      ],
    ];
    const rolePolicy = fn.role!.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (rolePolicy) {
      reasons.push([
        rolePolicy,
        'NIST.800.53.R5-IAMNoInlinePolicy',
        'Policy generated by aws-cdk-lib for the CallAwsServiceCrossRegion function role and used by it alone: StartBuild on one reconcile project',
      ]);
    }
    for (const [scope, id, reason] of reasons) {
      Validations.of(scope).acknowledge({ id, reason });
    }
  }

  private acknowledgeFindings(props: DriftDetectorProps, readActions: string[], dataReadArns: string[]): void {
    const stack = Stack.of(this);
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy')!.node.defaultChild!;
    const ack = (id: string, reason: string) => Validations.of(policy).acknowledge({ id, reason });
    ack(
      'AwsSolutions-IAM5[Resource::*]',
      `${props.stackNamePrefix ? 'ListStacks, ' : ''}DescribeStackDriftDetectionStatus, PutMetricData (bounded by a Deny on other namespaces), ` +
        'X-Ray and log delivery support no resource-level permission. The read statement is on every resource: CloudFormation ' +
        "drift detection reads each resource of the checked stacks with the caller's credentials, and their names and ARNs are " +
        'generated at deployment. It returns configuration only: the reads that return data and take a resource ARN (SSM ' +
        "parameter values, Lambda function configuration and code) are granted on the checked stacks' names only, and " +
        'SecureString decryption through SSM and the EC2 Describe calls that return secrets (user data, OIDC client secrets, VPN pre-shared keys) are denied',
    );
    for (const action of readActions.filter((a) => a.includes('*'))) {
      ack(
        `AwsSolutions-IAM5[Action::${action}]`,
        WILDCARD_READ_REASONS[action] ??
          'Added with additionalReadActions, on every resource, for drift detection of resource types outside the default list',
      );
    }
    for (const arn of dataReadArns) {
      const resolved = JSON.stringify(stack.resolve(arn));
      ack(
        `AwsSolutions-IAM5[Resource::${flattenArn(stack.resolve(arn))}]`,
        resolved.includes(':ssm:')
          ? 'Parameter values that drift detection compares, only under this name prefix of the checked stacks (parameterNamePrefixes); no SecureString decryption'
          : 'Lambda functions that drift detection reads, only those named with this prefix of the checked stacks (functionNamePrefixes)',
      );
    }
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const stackArn = (name: string) => `arn:<AWS::Partition>:cloudformation:${region}:${account}:stack/${name}/*`;
    if (props.stackNamePrefix) {
      ack(
        `AwsSolutions-IAM5[Resource::${stackArn(`${props.stackNamePrefix}*`)}]`,
        'Drift APIs limited to the Groundwork stacks by name prefix; the stack id suffix is unknown before deployment',
      );
    }
    for (const name of [...(props.stackNames ?? []), ...(props.detectOnlyStackNames ?? [])]) {
      ack(
        `AwsSolutions-IAM5[Resource::${stackArn(name)}]`,
        'Drift APIs on this one stack, by name; the stack id suffix is unknown before deployment',
      );
    }
    if (this.crossRegionFunction) {
      ack(
        `AwsSolutions-IAM5[Resource::<${stack.resolve(this.crossRegionFunction.logicalId)}.Arn>:*]`,
        'lambda:InvokeFunction on the one CallAwsServiceCrossRegion function and its versions, as aws-cdk-lib grants it',
      );
    }
    if (props.alertTopicKey) {
      ack(
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        'Publishing to the encrypted alert topic needs data keys of that one key',
      );
    }
    const inline = 'NIST.800.53.R5-IAMNoInlinePolicy';
    const inlineReason = 'Policy generated by CDK for one role and used by it alone';
    ack(inline, inlineReason);
    const eventsPolicy = this.stateMachine.node.tryFindChild('EventsRole')?.node.tryFindChild('DefaultPolicy');
    if (eventsPolicy) {
      Validations.of(eventsPolicy.node.defaultChild!).acknowledge({ id: inline, reason: inlineReason });
    }
  }
}

/** An ARN as cdk-nag writes it in a finding id: `Fn::Join` joined, `{ Ref: X }` as `<X>`. */
function flattenArn(node: any): string {
  if (typeof node === 'string') return node;
  if (node['Fn::Join']) return node['Fn::Join'][1].map(flattenArn).join(node['Fn::Join'][0]);
  if (node.Ref) return `<${node.Ref}>`;
  return JSON.stringify(node);
}
