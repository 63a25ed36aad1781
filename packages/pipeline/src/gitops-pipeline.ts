import { BootstrapContract, BootstrapRoleKind } from '@groundwork/cross-account-roles';
import {
  ArnFormat,
  Aspects,
  Aws,
  DefaultStackSynthesizer,
  Duration,
  IAspect,
  IPolicyValidationPlugin,
  Lazy,
  RemovalPolicy,
  Stack,
  Stage,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as cp from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct, IConstruct } from 'constructs';
import { DeploymentMonitoring } from './deployment-monitoring';
import { PipelineNotifications } from './pipeline-notifications';
import { accessLogsBucket } from './private/access-logs-bucket';
import { alarmRuleName } from './private/alarm-rule-name';
import {
  bootstrapRolePatternArn,
  BoundedResourcePolicy,
  boundIdentityPolicy,
  mutableStatements,
} from './private/bounded-assume-role';
import { hardenCrossRegionSupport, ReplicationRegion } from './private/cross-region-replication';
import { NagAcknowledger } from './private/nag-acknowledgements';
import { notificationRuleName } from './private/notification-rule-name';
import { selfMutationProjectName } from './private/project-name';
import {
  STAGE_VALIDATION_SCRIPT,
  StageValidationStep,
  terminationProtectedStacks,
} from './private/stage-validation-step';
import { DEFAULT_CDK_CLI_VERSION, nodeRuntimeBuildSpec, nodeRuntimePartialBuildSpec } from './private/toolchain';

/** Properties of a `GitOpsPipeline`. */
export interface GitOpsPipelineProps {
  /** GitHub repository as `owner/name`. */
  readonly repository: string;
  /** Branch whose pushes start the pipeline. @default 'main' */
  readonly branch?: string;
  /** ARN of the AWS CodeConnections (or CodeStar Connections) connection to GitHub. */
  readonly connectionArn: string;
  /**
   * Glob patterns of repository paths that start the pipeline when changed (push trigger filter).
   * CodePipeline accepts at most 8.
   * @default - any path
   */
  readonly filePathsIncludes?: string[];
  /** Glob patterns of repository paths whose changes alone do not start the pipeline (at most 8). @default - none */
  readonly filePathsExcludes?: string[];
  /** Pipeline name. @default 'groundwork' */
  readonly pipelineName?: string;
  /** Dependency install command of the synth step. @default 'npm ci' */
  readonly installCommand?: string;
  /** Test command of the synth step (static gates run here and fail the build on findings). @default 'npm test' */
  readonly testCommand?: string;
  /** Synth command of the synth step. @default 'npm run synth' */
  readonly synthCommand?: string;
  /** Cloud assembly directory produced by the synth command, relative to the repository root. @default 'apps/platform/cdk.out' */
  readonly primaryOutputDirectory?: string;
  /** S3 bucket for the npm and nx build caches. @default - CodeBuild local custom cache */
  readonly cacheBucket?: s3.IBucket;
  /**
   * CDK bootstrap qualifier of the target accounts: 1 to 10 lowercase letters and digits. This is stricter than
   * `cdk bootstrap`, which accepts `[A-Za-z0-9_-]{1,10}`: Groundwork's roles reach the bootstrap roles by name
   * patterns such as `cdk-<qualifier>-*`, and with a hyphen allowed, the pattern of qualifier `team` would also
   * match the roles of qualifier `team-a`.
   * @default DefaultStackSynthesizer.DEFAULT_QUALIFIER
   */
  readonly qualifier?: string;
  /**
   * AWS Organizations id (`o-...`). When set, the pipeline may assume the bootstrap roles of any account
   * of the organization (`aws:ResourceOrgID`), so its policy does not grow per account.
   * @default - the pipeline may assume the bootstrap roles of the target accounts only (`aws:ResourceAccount` list)
   */
  readonly organizationId?: string;
  /**
   * Validation plugins (for example cdk-nag packs) registered on every stage added to this pipeline and on
   * the stage that contains the pipeline: synthesis fails on their findings, so a non-compliant change
   * never reaches the pipeline.
   * @default - no compliance gate
   */
  readonly complianceGate?: IPolicyValidationPlugin[];
  /** Email addresses that receive pipeline notifications. @default - none */
  readonly notificationEmails?: string[];
  /** ARN of an AWS Chatbot Slack channel configuration that receives pipeline notifications. @default - none */
  readonly slackChannelConfigurationArn?: string;
  /** Roll a deployment wave back to its last successful revision when it fails (CodePipeline V2). @default true */
  readonly rollbackOnFailure?: boolean;
  /** Create deployment metrics, the failure alarm and the dashboard. @default true */
  readonly monitoring?: boolean;
  /**
   * Failed stage executions within 5 minutes that raise the deployment failure alarm (DeploymentMonitoring's
   * `failureThreshold`); needs `monitoring`. @default 1
   */
  readonly failureAlarmThreshold?: number;
  /**
   * Let the deployment monitoring create its own CloudWatch Logs resource policy (EventBridge writes the
   * pipeline's events to its log group through it); needs `monitoring`. CloudWatch Logs allows at most 10
   * resource policies per account and region (a fixed quota): where several pipelines share an account, set
   * it to false on each and create one `PipelineEventsLogPolicy` in that account and region.
   * @default true
   */
  readonly monitoringEventsLogPolicy?: boolean;
  /**
   * Version of the CDK CLI that self-mutation installs (`npm install -g aws-cdk@<version>`). Keep it at or
   * above the CLI the app is built and tested with.
   * @default '2.1148.1' (the CDK CLI the Groundwork repository builds with)
   */
  readonly cliVersion?: string;
  /**
   * Deploy each stack by creating a change set and then executing it (two CodePipeline actions per stack,
   * `<stack>.Prepare` and `<stack>.Deploy`). When false, each stack deploys in one action
   * (`<stack>.Deploy`, CloudFormation CREATE_UPDATE): half the actions, so more environments fit in one
   * CodePipeline stage (50 actions) and the pipeline resource is about a third smaller. Approvals and the
   * permissions-broadening check run before either action, so both modes are gated alike; the
   * change set only adds a pause point when something else reviews it between the two actions.
   * @default true
   */
  readonly useChangeSets?: boolean;
}

/** How one environment (a `Stage`) is deployed by the pipeline. */
export interface EnvironmentOptions {
  /** Name of the wave (a CodePipeline stage) the environment deploys in; waves run in the order first used. */
  readonly wave: string;
  /** A production environment gets a permissions-broadening check and a manual approval before it. @default false */
  readonly production?: boolean;
  /**
   * Require a manual approval before deploying. A production environment always gets one: `approvalRequired:
   * false` with `production: true` is an error.
   * @default - same as `production`
   */
  readonly approvalRequired?: boolean;
  /**
   * After deploying, check (from CodeBuild, through the target account's deploy role) that every stack
   * of the stage is complete and every output declared without a `Condition` exists. An output with a
   * `Condition` is not checked: CloudFormation creates it only when the condition is true, which the
   * template alone does not tell.
   *
   * Whatever this says, a stage with stacks that declare `terminationProtection` gets a post-deployment
   * action that turns it on through the deploy role and checks it: CodePipeline's CloudFormation actions
   * do not apply it (aws/aws-cdk#17871).
   * @default - true for non-production environments
   */
  readonly postDeploymentValidation?: boolean;
}

/** Options of an alarm gate on a wave. */
export interface AlarmGateOptions {
  /**
   * Minutes the rule watches the alarms after the wave deploys before promotion. In a split wave, it watches
   * after each part deploys, so the waits add up.
   * @default 15
   */
  readonly waitTimeMinutes?: number;
}

const NAME_PATTERN = /^[A-Za-z0-9.@_-]{1,100}$/;
/** CodePipeline's limit on a stage name (the StageDeclaration Name pattern, 1 to 100 characters). */
const MAX_STAGE_NAME_LENGTH = 100;
/** CodePipeline quota: actions per stage. */
const MAX_ACTIONS_PER_STAGE = 50;
/**
 * CodePipeline quotas: stages per pipeline, actions per pipeline (both fixed: Service Quotas lists "Total stages
 * per pipeline" 50 and "Total actions per pipeline" 500 as not adjustable).
 */
const MAX_STAGES_PER_PIPELINE = 50;
const MAX_ACTIONS_PER_PIPELINE = 500;

/** An environment waiting for buildPipeline(), when the waves are laid out. */
interface PendingEnvironment {
  readonly wave: string;
  readonly stage: Stage;
  readonly pre: pipelines.Step[];
  readonly post: pipelines.Step[];
  /** Actions of the steps before and after deployment. */
  readonly stepActions: number;
}

/** Stacks pipelines deploys for a stage: its own, not nested stacks nor those of stages inside it. */
function deployedStacks(stage: Stage): number {
  return stage.node.findAll().filter((c) => Stack.isStack(c) && !c.nested && Stage.of(c) === stage).length;
}
const ORG_PATTERN = /^o-[a-z0-9]{10,32}$/;
/** aws-cdk-lib feature flag: grant S3 server access log delivery by bucket policy instead of an ACL. */
const SERVER_ACCESS_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';
/** What starts, stops or reads CodeBuild builds: the asset publishing roles are denied all of it. */
const BUILD_CONTROL_ACTIONS = [
  'codebuild:BatchGetBuildBatches',
  'codebuild:BatchGetBuilds',
  'codebuild:RetryBuild',
  'codebuild:RetryBuildBatch',
  'codebuild:StartBuild',
  'codebuild:StartBuildBatch',
  'codebuild:StopBuild',
  'codebuild:StopBuildBatch',
];

/**
 * The shared GitOps pipeline: GitHub (CodeConnections) -> synth with tests and static gates -> self-mutation
 * -> waves of environments, each deployed through the target account's CDK bootstrap deploy role.
 *
 * Built on `aws-cdk-lib/pipelines` (CodePipeline V2) with: push trigger filters, a KMS-encrypted, versioned,
 * TLS-only, access-logged and retained artifact bucket, manual approval and permissions-broadening checks
 * before production, post-deployment validation of non-production stages, termination protection turned
 * on after deployment for the stacks that declare it, automatic stage rollback,
 * optional alarm gates, notifications and deployment monitoring. The pipeline role's cross-account
 * permissions are a role-name pattern, constant in size whatever the number of accounts.
 */
export class GitOpsPipeline extends Construct {
  /**
   * The CodePipeline stages aws-cdk-lib/pipelines adds to every pipeline (or to one with assets): no wave may take
   * their names.
   */
  public static readonly RESERVED_STAGE_NAMES: string[] = ['Source', 'Build', 'UpdatePipeline', 'Assets'];

  /**
   * CodePipeline's quota of actions per stage: a wave with more is split into stages `<wave>.1`, `<wave>.2`, ...
   * Exposed so that a config layer can lay out waves as `buildPipeline()` does before anything is synthesized.
   */
  public static readonly MAX_ACTIONS_PER_STAGE: number = MAX_ACTIONS_PER_STAGE;
  /** CodePipeline's quota of stages per pipeline (fixed): `buildPipeline()` refuses a pipeline with more. */
  public static readonly MAX_STAGES_PER_PIPELINE: number = MAX_STAGES_PER_PIPELINE;
  /** CodePipeline's quota of actions per pipeline (fixed): `buildPipeline()` refuses a pipeline with more. */
  public static readonly MAX_ACTIONS_PER_PIPELINE: number = MAX_ACTIONS_PER_PIPELINE;

  /** The underlying CDK pipeline. */
  public readonly cdkPipeline: pipelines.CodePipeline;
  /** The artifact bucket. */
  public readonly artifactBucket: s3.IBucket;
  /** The key encrypting the artifact bucket and the CodeBuild projects. */
  public readonly artifactKey: kms.IKey;
  /** Bucket receiving the artifact bucket's server access logs. */
  public readonly accessLogsBucket: s3.IBucket;
  /** Topic receiving pipeline events and alarms. */
  public readonly notificationTopic: sns.ITopic;
  /** Pipeline name. */
  public readonly pipelineName: string;
  /** The CDK bootstrap qualifier of the target accounts. */
  public readonly qualifier: string;
  /** Whether each stack deploys through a change set (two actions) or in one action. */
  public readonly useChangeSets: boolean;

  private readonly props: GitOpsPipelineProps;
  private readonly notifications: PipelineNotifications;
  private readonly environments: PendingEnvironment[] = [];
  private readonly waveOrder: string[] = [];
  private readonly alarmGates = new Map<string, { alarmNames: string[]; waitTimeMinutes: number }>();
  private readonly targetStages: Stage[] = [];
  /** The CodePipeline stage names of each wave (more than one when it holds more than 50 actions). */
  private readonly waveStageNames = new Map<string, string[]>();
  private readonly gate: IPolicyValidationPlugin[];
  private validationProject?: codebuild.PipelineProject;
  private monitoringConstruct?: DeploymentMonitoring;
  private built = false;

  constructor(scope: Construct, id: string, props: GitOpsPipelineProps) {
    super(scope, id);
    this.props = props;
    this.validateProps(props);
    this.qualifier = props.qualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    this.useChangeSets = props.useChangeSets ?? true;
    this.pipelineName = props.pipelineName ?? 'groundwork';
    this.gate = props.complianceGate ?? [];

    // The artifact bucket's access logs are delivered by bucket policy (logging.s3.amazonaws.com, limited to
    // the source bucket and account), never by the legacy LogDeliveryWrite ACL: the access logs bucket
    // disables ACLs (BucketOwnerEnforced). Set here, before any child exists, so that the app's feature
    // flags cannot turn the ACL back on.
    this.node.setContext(SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.accessLogsBucket = accessLogsBucket(this, 'AccessLogs');
    const artifactKey = new kms.Key(this, 'ArtifactKey', {
      description: `Encrypts the artifacts of pipeline ${this.pipelineName}; shared with target accounts' deploy roles`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.artifactKey = artifactKey;
    this.artifactBucket = new s3.Bucket(this, 'ArtifactBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: artifactKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'artifacts/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.artifactBucket.node.defaultChild!).acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason: 'Pipeline artifacts are rebuilt from Git on every execution; replication would copy transient data only',
    });

    this.notifications = new PipelineNotifications(this, 'Notifications', {
      emails: props.notificationEmails,
      slackChannelConfigurationArn: props.slackChannelConfigurationArn,
      topicDisplayName: `Groundwork pipeline ${this.pipelineName}`,
    });
    this.notificationTopic = this.notifications.topic;

    const cache = props.cacheBucket
      ? codebuild.Cache.bucket(props.cacheBucket, { prefix: `${this.pipelineName}/synth` })
      : codebuild.Cache.local(codebuild.LocalCacheMode.CUSTOM);
    const synth = new pipelines.CodeBuildStep('Synth', {
      input: pipelines.CodePipelineSource.connection(props.repository, props.branch ?? 'main', {
        connectionArn: props.connectionArn,
        triggerOnPush: true,
        // CodeBuild clones the repository instead of CodePipeline handing over a zip without .git: the
        // test command needs a git work tree (the API compatibility gate, the release tests). The synth
        // step is the only consumer of the source artifact, so CODEBUILD_CLONE_REF is allowed.
        codeBuildCloneOutput: true,
      }),
      installCommands: [props.installCommand ?? 'npm ci'],
      commands: [props.testCommand ?? 'npm test', props.synthCommand ?? 'npm run synth'],
      primaryOutputDirectory: props.primaryOutputDirectory ?? 'apps/platform/cdk.out',
      cache,
      partialBuildSpec: codebuild.BuildSpec.fromObject({
        cache: { paths: ['/root/.npm/**/*', '.nx/cache/**/*', 'node_modules/.cache/**/*'] },
      }),
    });

    this.cdkPipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: this.pipelineName,
      pipelineType: cp.PipelineType.V2,
      synth,
      selfMutation: true,
      crossAccountKeys: true,
      enableKeyRotation: true,
      artifactBucket: this.artifactBucket,
      cliVersion: props.cliVersion ?? DEFAULT_CDK_CLI_VERSION,
      useChangeSets: this.useChangeSets,
      // One CodeBuild project per asset type instead of one per asset: the project count, and the
      // pipeline role's codebuild:StartBuild resources, stay constant as environments are added.
      publishAssetsInParallel: false,
      // Actions without their own role run as the pipeline role instead of one new role per action:
      // otherwise every approval and CodeBuild action adds a role (a resource) and an sts:AssumeRole
      // ARN to the pipeline role's policy (IAM quota: 10,240 bytes).
      usePipelineRoleForActions: true,
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.SMALL,
        },
        // Reaches the synth, self-mutation and asset publishing projects (not ConfirmPermissionsBroadening's,
        // whose buildspec aws-cdk-lib fixes; nor StageValidation, which pins the same version itself).
        partialBuildSpec: nodeRuntimePartialBuildSpec(),
      },
    });

    // pipelines builds itself in an aspect at synth time if nobody called buildPipeline(); run ours
    // first (the parent is visited before the child) so the post-processing below always happens.
    Aspects.of(this).add(new BuildBeforeSynth(this));
    if (this.gate.length > 0) {
      const enclosing = Stage.of(this);
      if (enclosing) {
        Validations.of(enclosing).addPlugins(...this.gate);
      }
    }
  }

  /**
   * Adds one environment to a wave.
   * Production: permissions-broadening check, then manual approval, before deployment.
   * Non-production: post-deployment validation through the target account's deploy role.
   * Stacks that declare `terminationProtection`: turned on after deployment, through the same role.
   *
   * The stage is synthesized here, as `aws-cdk-lib/pipelines` synthesizes a stage it adds: finish the
   * stage before adding it. A construct added to it afterwards fails the synthesis
   * (`ConstructTreeModifiedAfterSynth`) instead of going undeployed.
   */
  public addEnvironment(stage: Stage, options: EnvironmentOptions): void {
    if (this.built) {
      throw new Error(`${this.node.path}: addEnvironment('${stage.stageName}') called after buildPipeline()`);
    }
    if (!NAME_PATTERN.test(options.wave)) {
      throw new Error(
        `${this.node.path}: wave must match ${NAME_PATTERN} (a CodePipeline stage name), found '${options.wave}'`,
      );
    }
    const production = options.production ?? false;
    if (production && options.approvalRequired === false) {
      // ConfirmPermissionsBroadening's confirm is approved automatically when nothing broadens: without this
      // approval, a production deployment would wait for no one.
      throw new Error(
        `${this.node.path}: addEnvironment('${stage.stageName}'): a production environment always gets a manual ` +
          'approval, so approvalRequired must be true or left unset; found production: true and approvalRequired: false',
      );
    }
    const approval = options.approvalRequired ?? production;
    const validate = options.postDeploymentValidation ?? !production;
    if (!this.waveOrder.includes(options.wave)) {
      this.waveOrder.push(options.wave);
    }
    const pre: pipelines.Step[] = [];
    if (production) {
      pre.push(
        new pipelines.ConfirmPermissionsBroadening('PermissionsBroadening', {
          stage,
          notificationTopic: this.notificationTopic,
        }),
      );
    }
    if (approval) {
      pre.push(
        new pipelines.ManualApprovalStep('Approve', {
          comment: `Promote to ${stage.stageName}${production ? ' (production)' : ''}`,
        }),
      );
    }
    // CodePipeline's CloudFormation actions ignore terminationProtection (aws/aws-cdk#17871): the same
    // shared project turns it on after deployment, through the deploy role, in the validation action
    // when there is one, else in an action of its own.
    const protectStacks = terminationProtectedStacks(stage);
    const post: pipelines.Step[] =
      validate || protectStacks.length > 0
        ? [
            new StageValidationStep(validate ? 'Validate' : 'Protect', {
              stage,
              project: () => this.obtainValidationProject(),
              validate,
              protectStacks,
            }),
          ]
        : [];
    // Added to the pipeline at build time, when each wave's size in actions is known (see addWaves).
    this.environments.push({
      wave: options.wave,
      stage,
      pre,
      post,
      // ConfirmPermissionsBroadening is one step but two actions (a CodeBuild check and an approval).
      stepActions: (production ? 2 : 0) + (approval ? 1 : 0) + post.length,
    });
    if (this.gate.length > 0) {
      Validations.of(stage).addPlugins(...this.gate);
    }
    this.targetStages.push(stage);
    // Now rather than in buildPipeline(), where the waves are laid out and aws-cdk-lib/pipelines reuses this
    // assembly (with the options its own synthesis of a stage uses): the stage's templates exist from here on,
    // so work on them (the platform validates them in a worker thread) overlaps composing the next environments.
    stage.synth({ validateOnSynthesis: true });
  }

  /**
   * Adds the waves to the CDK pipeline, each split into CodePipeline stages of at most 50 actions
   * (CodePipeline quota: 50 actions per stage). aws-cdk-lib/pipelines splits a wave by counting steps, not
   * actions, so a wave of production environments (two actions for one permissions-broadening step) came
   * out above 50. The chunks are named as pipelines names its own: `<wave>.1`, `<wave>.2`, ...
   */
  private addWaves(): void {
    const layout = this.waveOrder.map((name) => {
      const chunks: PendingEnvironment[][] = [];
      let actions = 0;
      for (const environment of this.environments.filter((e) => e.wave === name)) {
        // With change sets, two actions per stack (create, then execute); without, one.
        const size = environment.stepActions + (this.useChangeSets ? 2 : 1) * deployedStacks(environment.stage);
        if (chunks.length === 0 || actions + size > MAX_ACTIONS_PER_STAGE) {
          chunks.push([]);
          actions = 0;
        }
        chunks[chunks.length - 1].push(environment);
        actions += size;
      }
      const ids = chunks.map((_, i) => (chunks.length > 1 ? `${name}.${i + 1}` : name));
      // pipelines names a wave of one environment after the environment.
      const stageNames = chunks.map((chunk, i) => (chunk.length === 1 ? chunk[0].stage.stageName : ids[i]));
      return { name, chunks, ids, stageNames };
    });
    this.checkStageNames(layout);
    for (const { name, chunks, ids, stageNames } of layout) {
      chunks.forEach((chunk, i) => {
        const wave = this.cdkPipeline.addWave(ids[i]);
        for (const { stage, pre, post } of chunk) {
          wave.addStage(stage, { pre: pipelines.Step.sequence(pre), post });
        }
      });
      this.waveStageNames.set(name, stageNames);
    }
  }

  /**
   * Each wave (and each CodePipeline stage it becomes) needs a name of its own: aws-cdk-lib/pipelines fails
   * with "Node with duplicate id" or a dependency cycle, naming neither the wave nor the environment, when a
   * wave is called like one of its own stages (Source, Build, UpdatePipeline, Assets) or like an environment
   * that another wave deploys alone (that wave's stage takes the environment's name).
   *
   * Nor may a wave take a name that another wave's split parts take, `<name>.<digits>` (see waveOf): the
   * stage would be taken for a part of the other wave, with its rollback and alarm gate. Nor a name of a part of
   * the pipeline's own stages (`Assets.1` when more than 50 assets are published): aws-cdk-lib/pipelines would
   * fail with a duplicate id, naming no wave.
   */
  private checkStageNames(layout: { name: string; ids: string[]; stageNames: string[] }[]): void {
    const owners = new Map<string, string>();
    for (const reserved of GitOpsPipeline.RESERVED_STAGE_NAMES) {
      owners.set(reserved, "the pipeline's own stage");
    }
    for (const { name, ids, stageNames } of layout) {
      for (const [i, stageName] of stageNames.entries()) {
        for (const used of new Set([ids[i], stageName])) {
          // NAME_PATTERN holds the wave name to CodePipeline's 100 characters, but a split part adds '.<n>'.
          if (used.length > MAX_STAGE_NAME_LENGTH) {
            throw new Error(
              `${this.node.path}: wave '${name}' needs the CodePipeline stage name '${used}' (${used.length} ` +
                `characters, at most ${MAX_STAGE_NAME_LENGTH}): it holds more than ${MAX_ACTIONS_PER_STAGE} ` +
                'actions, so it is split into parts named <wave>.1, <wave>.2, ...; shorten the wave name',
            );
          }
          const owner = owners.get(used);
          const self = `wave '${name}'`;
          if (owner !== undefined && owner !== self) {
            throw new Error(
              `${this.node.path}: ${self} needs the CodePipeline stage name '${used}', which is already ${owner}: ` +
                `rename the wave (a wave of one environment is named after the environment; ` +
                `${GitOpsPipeline.RESERVED_STAGE_NAMES.join(', ')} are the pipeline's own stages)`,
            );
          }
          owners.set(used, self);
        }
      }
    }
    const namesOf = ({ name, ids, stageNames }: { name: string; ids: string[]; stageNames: string[] }) =>
      new Set([name, ...ids, ...stageNames]);
    for (const wave of layout) {
      for (const used of namesOf(wave)) {
        const own = GitOpsPipeline.RESERVED_STAGE_NAMES.find((name) => splitPartPattern(name).test(used));
        if (own !== undefined) {
          throw new Error(
            `${this.node.path}: wave '${wave.name}' needs the CodePipeline stage name '${used}', which the ` +
              `pipeline's own stage '${own}' takes for its split parts ('${own}.1', '${own}.2', ... when it holds ` +
              'more than 50 actions): rename the wave',
          );
        }
      }
      for (const other of layout) {
        if (other === wave) {
          continue;
        }
        for (const used of namesOf(wave)) {
          const base = [...namesOf(other)].find((name) => splitPartPattern(name).test(used));
          if (base !== undefined) {
            throw new Error(
              `${this.node.path}: wave '${wave.name}' needs the CodePipeline stage name '${used}', which wave ` +
                `'${other.name}' takes for its split parts ('${base}.1', '${base}.2', ... when a stage holds more ` +
                'than 50 actions): rename the wave',
            );
          }
        }
      }
    }
  }

  /**
   * After the wave deploys, watch the named CloudWatch alarms (in the pipeline's account and region) for
   * `waitTimeMinutes`; if one is in ALARM, the wave is rolled back instead of promoted (V2 stage condition).
   *
   * Rollback is per CodePipeline stage. A wave of more than 50 actions is split into stages `<wave>.1`,
   * `<wave>.2`, ...: each part gets the condition, so each waits for the alarms after it deploys and rolls back
   * when one fires. The parts that completed before the alarm keep the revision; the pipeline stops, so the
   * later parts and waves do not get it.
   */
  public gateOnAlarms(wave: string, alarmNames: string[], options: AlarmGateOptions = {}): void {
    if (alarmNames.length === 0 || alarmNames.length > 5) {
      // CodePipeline quota: 5 rules per condition.
      throw new Error(
        `${this.node.path}: gateOnAlarms('${wave}') needs 1 to 5 alarm names, found ${alarmNames.length}`,
      );
    }
    const waitTimeMinutes = options.waitTimeMinutes ?? 15;
    if (!Number.isInteger(waitTimeMinutes) || waitTimeMinutes < 1 || waitTimeMinutes > 60) {
      throw new Error(`${this.node.path}: waitTimeMinutes must be an integer from 1 to 60, found ${waitTimeMinutes}`);
    }
    this.alarmGates.set(wave, { alarmNames, waitTimeMinutes });
  }

  /** The underlying CodePipeline (builds the pipeline if not built yet). */
  public get pipeline(): cp.Pipeline {
    this.buildPipeline();
    return this.cdkPipeline.pipeline;
  }

  /** The deployment monitoring (undefined when `monitoring` is false; builds the pipeline if needed). */
  public get monitoring(): DeploymentMonitoring | undefined {
    this.buildPipeline();
    return this.monitoringConstruct;
  }

  /** Names of the waves, in deployment order. */
  public get waveNames(): string[] {
    return [...this.waveOrder];
  }

  /**
   * Builds the pipeline and applies what `aws-cdk-lib/pipelines` does not expose: the push trigger with
   * filters, V2 rollback and alarm conditions, the bounded cross-account policy, notifications and monitoring.
   * Called automatically before synthesis; call it explicitly to reach the built pipeline earlier.
   */
  public buildPipeline(): void {
    if (this.built) {
      return;
    }
    if (this.environments.length === 0) {
      throw new Error(`${this.node.path}: no environment was added (call addEnvironment before synthesis)`);
    }
    for (const wave of this.alarmGates.keys()) {
      if (!this.waveOrder.includes(wave)) {
        throw new Error(
          `${this.node.path}: gateOnAlarms names wave '${wave}', which has no environment (waves: ${this.waveOrder.join(', ')})`,
        );
      }
    }
    this.built = true;
    this.addWaves();
    this.cdkPipeline.buildPipeline();
    const pipeline = this.cdkPipeline.pipeline;
    this.checkPipelineQuotas(pipeline);
    // A pipeline name with '.' or '@' makes aws-cdk-lib name the self-mutation project `<name>-selfupdate`,
    // which CodeBuild refuses (see src/private/project-name.ts).
    const selfMutation = this.cdkPipeline.selfMutationProject.node.defaultChild as codebuild.CfnProject;
    selfMutation.name = selfMutationProjectName(this.pipelineName);

    const sourceAction = pipeline.stages[0].actions[0];
    pipeline.addTrigger({
      providerType: cp.ProviderType.CODE_STAR_SOURCE_CONNECTION,
      gitConfiguration: {
        sourceAction,
        pushFilter: [
          {
            branchesIncludes: [this.props.branch ?? 'main'],
            filePathsIncludes: this.props.filePathsIncludes,
            filePathsExcludes: this.props.filePathsExcludes,
          },
        ],
      },
    });

    this.applyStageConditions(pipeline);
    this.grantConnectionUse(pipeline);
    this.denyAssetRolesBuildControl(pipeline);
    this.narrowSecurityCheckPolicies();

    const replicationRegions = hardenCrossRegionSupport(pipeline, Stack.of(this));
    this.boundCrossAccountPolicies();

    this.acknowledgeGeneratedFindings(replicationRegions);
    // Named after the pipeline and its region: rule names are unique per account, the pipelines of several
    // branches share the account and the construct path the default name derives from, and a pipeline name is
    // unique only per account and region.
    this.notifications.notifyOn(
      'PipelineEvents',
      pipeline,
      undefined,
      notificationRuleName(this.pipelineName, Stack.of(this).region),
    );
    if (this.props.monitoring ?? true) {
      this.monitoringConstruct = new DeploymentMonitoring(this, 'Monitoring', {
        pipelineName: this.pipelineName,
        alarmTopic: this.notificationTopic,
        failureThreshold: this.props.failureAlarmThreshold,
        eventsLogPolicy: this.props.monitoringEventsLogPolicy,
      });
    }
  }

  /** cdk-nag findings on resources generated by aws-cdk-lib/pipelines, each acknowledged narrowly with its reason. */
  private acknowledgeGeneratedFindings(replicationRegions: ReplicationRegion[]): void {
    const nag = new NagAcknowledger(this);
    const bucket = nag.ref(this.artifactBucket).slice(0, -1);
    const read = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'].map((a) => `AwsSolutions-IAM5[Action::${a}]`);
    const write = ['s3:DeleteObject*', 's3:Abort*'].map((a) => `AwsSolutions-IAM5[Action::${a}]`);
    const artifacts = [
      ...read,
      `AwsSolutions-IAM5[Resource::${bucket}.Arn>/*]`,
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    ];
    const artifactReason =
      "CDK grant scoped to this pipeline's own artifact bucket objects and artifact key: the wildcards are object keys and the grant's action groups";
    const pattern = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${BootstrapContract.roleNamePattern(BootstrapRoleKind.DEPLOY, this.qualifier)}]`;
    const patternReason =
      'Role-name pattern replacing one ARN per target account (IAM 10,240-byte policy limit at 100+ accounts); bounded by the aws:ResourceOrgID or aws:ResourceAccount condition';
    const inline = 'NIST.800.53.R5-IAMNoInlinePolicy';
    const inlineReason =
      'Policy generated by CDK for one role and used by it alone; a managed policy would add a resource without narrowing access';
    const codeBuildReason =
      'CodeBuild writes to its own log group and report groups, whose names derive from the project name';

    const pipelineRole = 'Pipeline/Pipeline/Role/DefaultPolicy/Resource';
    nag.acknowledge(pipelineRole, [...artifacts, ...write], artifactReason);
    nag.acknowledge(pipelineRole, [pattern], patternReason);
    nag.acknowledge(pipelineRole, [inline], inlineReason);
    for (const { bucket: replicationBucket, keyArnPattern, stack } of replicationRegions) {
      const name = Stack.of(this).resolve(replicationBucket.bucketName);
      nag.acknowledge(
        pipelineRole,
        [`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${name}/*]`],
        `CDK grant scoped to the objects of this pipeline's replication bucket in ${stack.region}: the wildcard is object keys`,
      );
      nag.acknowledge(
        pipelineRole,
        [`AwsSolutions-IAM5[Resource::${keyArnPattern.replace(Aws.PARTITION, '<AWS::Partition>')}]`],
        `The replication key's ARN is unknown outside ${stack.region}; the kms:ResourceAliases condition limits the grant to the replication keys' aliases`,
      );
    }

    const projects: Array<[string, string[]]> = [
      ['Pipeline/Pipeline/Build/Synth/CdkBuildProject', write],
      ['Pipeline/UpdatePipeline/SelfMutation', []],
      ['Pipeline/PipelinesSecurityCheck/CDKSecurityCheck', []],
      ['StageValidation', []],
    ];
    for (const [path, extra] of projects) {
      const policy = `${path}/Role/DefaultPolicy/Resource`;
      nag.acknowledge(policy, [...artifacts, ...extra], artifactReason);
      nag.acknowledge(policy, nag.codeBuildFindings(nag.find(path)!), codeBuildReason);
      nag.acknowledge(policy, [inline], inlineReason);
    }
    nag.acknowledge('StageValidation/Role/DefaultPolicy/Resource', [pattern], patternReason);
    const account = Token.isUnresolved(Stack.of(this).account) ? '<AWS::AccountId>' : Stack.of(this).account;
    nag.acknowledge(
      'Pipeline/UpdatePipeline/SelfMutation/Role/DefaultPolicy/Resource',
      [`AwsSolutions-IAM5[Resource::arn:*:iam::${account}:role/*]`],
      'Generated by pipelines self-mutation: only roles tagged aws-cdk:bootstrap-role (deploy, file/image publishing) of the pipeline account, by condition',
    );
    nag.acknowledge(
      'Pipeline/UpdatePipeline/SelfMutation/Role/DefaultPolicy/Resource',
      ['AwsSolutions-IAM5[Resource::*]'],
      'Generated by pipelines self-mutation: cloudformation:DescribeStacks and s3:ListBucket, read-only, needed by cdk deploy of the pipeline stack',
    );
    const { region, account: acct } = {
      region: Token.isUnresolved(Stack.of(this).region) ? '<AWS::Region>' : Stack.of(this).region,
      account,
    };
    for (const kind of ['File', 'Docker']) {
      const assetPolicy = `Pipeline/Assets/${kind}Role/DefaultPolicy/Resource`;
      const publishing = kind === 'File' ? BootstrapRoleKind.FILE_PUBLISHING : BootstrapRoleKind.IMAGE_PUBLISHING;
      nag.acknowledge(assetPolicy, artifacts, artifactReason);
      nag.acknowledge(
        assetPolicy,
        [
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${acct}:log-group:/aws/codebuild/*]`,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:${region}:${acct}:report-group/*]`,
        ],
        'Generated by pipelines for the one role shared by all asset publishing projects of this pipeline: the log groups and report groups of those projects, whose names derive from project names generated at deployment',
      );
      nag.acknowledge(
        assetPolicy,
        [
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${BootstrapContract.roleNamePattern(publishing, this.qualifier)}]`,
        ],
        patternReason,
      );
      nag.acknowledge(assetPolicy, [inline], inlineReason);
    }
    const check = 'Pipeline/PipelinesSecurityCheck';
    nag.acknowledge(
      `${check}/CDKSecurityCheck/Role/DefaultPolicy/Resource`,
      [pattern],
      'Narrowed from aws-cdk-lib\'s Resource "*": the deploy-role name pattern of this qualifier, in the target accounts or organization (aws:ResourceAccount or aws:ResourceOrgID condition) and tagged aws-cdk:bootstrap-role=deploy; cdk diff --security-only reads the deployed templates of a production stage through its deploy role, whose name carries the account',
    );
    nag.acknowledge(
      `${check}/CDKSecurityCheck/Role/DefaultPolicy/Resource`,
      [`AwsSolutions-IAM5[Resource::${nag.ref(nag.find(`${check}/CDKPipelinesAutoApprove`)).slice(0, -1)}.Arn>:*]`],
      'Generated by ConfirmPermissionsBroadening: invoke any version of its own auto-approve function',
    );
    nag.acknowledge(
      `${check}/CDKPipelinesAutoApprove/ServiceRole/DefaultPolicy/Resource`,
      [nag.resourceFinding(`${this.pipelineArn()}/*`)],
      "Generated by ConfirmPermissionsBroadening, narrowed to this pipeline: PutApprovalResult on this pipeline's actions (<pipeline ARN>/<stage>/<action>, named at approval time), while the pipeline is tagged SECURITY_CHECK=ALLOW_APPROVE",
    );
    nag.acknowledge(
      `${check}/CDKPipelinesAutoApprove/ServiceRole/DefaultPolicy/Resource`,
      [inline],
      "Policy generated by aws-cdk-lib for the auto-approve function's role and used by it alone (GetPipelineState and PutApprovalResult on this pipeline); a managed policy would add a resource without narrowing access",
    );
    nag.acknowledge(
      `${check}/CDKPipelinesAutoApprove/ServiceRole/Resource`,
      ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]'],
      'Generated by ConfirmPermissionsBroadening: the AWS managed policy grants only CloudWatch Logs writes for the function',
    );
    nag.acknowledge(
      `${check}/CDKPipelinesAutoApprove/Resource`,
      ['NIST.800.53.R5-LambdaConcurrency', 'NIST.800.53.R5-LambdaDLQ', 'NIST.800.53.R5-LambdaInsideVPC'],
      'Generated by ConfirmPermissionsBroadening: invoked synchronously by one CodeBuild action per production promotion; calls only the CodePipeline API',
    );
  }

  /**
   * CodePipeline refuses a pipeline of more than 50 stages or 500 actions (fixed quotas): CloudFormation would
   * fail the pipeline stack's update, after every check here passed. Said at synthesis instead, with what
   * adds actions: each environment's stacks (two actions each with change sets), approvals and post-deploy steps.
   */
  private checkPipelineQuotas(pipeline: cp.Pipeline): void {
    const stages = pipeline.stages.length;
    const actions = pipeline.stages.reduce((sum, stage) => sum + stage.actions.length, 0);
    if (stages <= MAX_STAGES_PER_PIPELINE && actions <= MAX_ACTIONS_PER_PIPELINE) {
      return;
    }
    const found = [
      stages > MAX_STAGES_PER_PIPELINE ? `${stages} stages (at most ${MAX_STAGES_PER_PIPELINE})` : undefined,
      actions > MAX_ACTIONS_PER_PIPELINE ? `${actions} actions (at most ${MAX_ACTIONS_PER_PIPELINE})` : undefined,
    ].filter((part) => part !== undefined);
    throw new Error(
      `${this.node.path}: pipeline ${this.pipelineName} would have ${found.join(' and ')} for ` +
        `${this.environments.length} environments in ${this.waveOrder.length} waves, over CodePipeline's fixed quotas. ` +
        (this.useChangeSets
          ? 'Deploy without change sets (useChangeSets: false, one action per stack instead of two), or split the environments over more pipelines'
          : 'Split the environments over more pipelines (for example one per branch) or merge waves'),
    );
  }

  /**
   * aws-cdk-lib gives the asset publishing roles (one per asset type, shared by every asset project)
   * codebuild:StartBuild, StopBuild and BatchGetBuilds on every project of the account, which they do not
   * use: CodePipeline starts the asset builds as the pipeline role (the asset actions have no role of their
   * own). With StartBuild and its buildspec override, code running in an asset build (cdk-assets, the asset
   * manifest's commands, before any approval) could run commands as any other project's role, such as the
   * stage validation project, which assumes the production deploy roles. The grant is removed, and the
   * actions that start, stop or read builds are denied.
   */
  private denyAssetRolesBuildControl(pipeline: cp.Pipeline): void {
    const assets = this.cdkPipeline.node.tryFindChild('Assets');
    for (const id of ['FileRole', 'DockerRole']) {
      const role = assets?.node.tryFindChild(id);
      if (!(role instanceof iam.Role)) {
        continue;
      }
      for (const stage of pipeline.stages) {
        for (const action of stage.actions) {
          if (action.actionProperties.role === role) {
            throw new Error(
              `${this.node.path}: CodePipeline action '${stage.stageName}/${action.actionProperties.actionName}' runs as ` +
                `the asset publishing role ${role.node.path}; expected no action role (the pipeline role starts the ` +
                'asset builds). That role is denied codebuild:StartBuild, so the action could not start its build',
            );
          }
        }
      }
      const policy = role.node.tryFindChild('DefaultPolicy');
      if (policy instanceof iam.Policy) {
        const statements = mutableStatements(policy.document, policy);
        statements.splice(0, statements.length, ...statements.filter((statement) => !isBuildControlGrant(statement)));
      }
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DenyBuildControl',
          effect: iam.Effect.DENY,
          actions: BUILD_CONTROL_ACTIONS,
          resources: ['*'],
        }),
      );
    }
  }

  /**
   * ConfirmPermissionsBroadening's generated policies, narrowed with their conditions kept:
   * - the check project may assume any role tagged aws-cdk:bootstrap-role=deploy, in any account: now only
   *   the deploy-role name pattern of this qualifier in the target accounts (or the organization), as for
   *   the pipeline role;
   * - the auto-approve function may read and approve any pipeline tagged SECURITY_CHECK=ALLOW_APPROVE: now
   *   only this pipeline and its actions (`<pipeline ARN>/<stage>/<action>`), by name (a reference to the
   *   pipeline would make a dependency cycle: the pipeline runs the check project, which names the function).
   */
  private narrowSecurityCheckPolicies(): void {
    const check = this.cdkPipeline.node.tryFindChild('PipelinesSecurityCheck');
    if (!check) {
      return;
    }
    const rewrite = (
      path: string,
      matches: (statement: iam.PolicyStatement) => boolean,
      replacement: (statement: iam.PolicyStatement) => iam.PolicyStatement,
    ) => {
      let policy: IConstruct | undefined = check;
      for (const part of path.split('/')) {
        policy = policy?.node.tryFindChild(part);
      }
      if (!(policy instanceof iam.Policy)) {
        return;
      }
      const statements = mutableStatements(policy.document, policy);
      statements.forEach((statement, i) => {
        if (matches(statement)) {
          statements[i] = replacement(statement);
        }
      });
    };
    const onEveryResource = (statement: iam.PolicyStatement, actions: string[]) =>
      statement.effect === iam.Effect.ALLOW &&
      statement.resources.length === 1 &&
      statement.resources[0] === '*' &&
      [...statement.actions].sort().join() === [...actions].sort().join();

    rewrite(
      'CDKSecurityCheck/Role/DefaultPolicy',
      (statement) => onEveryResource(statement, ['sts:AssumeRole']),
      (statement) =>
        new iam.PolicyStatement({
          sid: 'AssumeTargetDeployRoles',
          actions: ['sts:AssumeRole'],
          resources: [bootstrapRolePatternArn(BootstrapRoleKind.DEPLOY, this.qualifier)],
          conditions: { ...statement.conditions, ...this.assumeRoleConditions() },
        }),
    );
    const pipelineArn = this.pipelineArn();
    rewrite(
      'CDKPipelinesAutoApprove/ServiceRole/DefaultPolicy',
      (statement) => onEveryResource(statement, ['codepipeline:GetPipelineState', 'codepipeline:PutApprovalResult']),
      (statement) =>
        new iam.PolicyStatement({
          actions: statement.actions,
          resources: [pipelineArn, `${pipelineArn}/*`],
          conditions: statement.conditions,
        }),
    );
  }

  /** This pipeline's ARN, from its name. */
  private pipelineArn(): string {
    return Stack.of(this).formatArn({ service: 'codepipeline', resource: this.pipelineName });
  }

  /** See src/private/bounded-assume-role.ts: keeps every policy's size independent of the number of accounts. */
  private boundCrossAccountPolicies(): void {
    const bound = { qualifier: this.qualifier, organizationId: this.props.organizationId };
    for (const child of this.node.findAll()) {
      if (child instanceof iam.Role) {
        const defaultPolicy = child.node.tryFindChild('DefaultPolicy');
        if (defaultPolicy instanceof iam.Policy) {
          boundIdentityPolicy(defaultPolicy.document, child, bound);
        }
      }
    }
    // The artifact bucket, and the replication bucket CodePipeline creates in each other region (in a
    // support stack), each get a bucket and key policy statement per deploy role.
    const scopes: IConstruct[] = [
      this,
      ...Object.values(this.cdkPipeline.pipeline.crossRegionSupport).map((support) => support.stack),
    ];
    for (const scope of scopes) {
      for (const child of scope.node.findAll()) {
        if (child instanceof s3.CfnBucketPolicy) {
          // Fixed principals: a bucket that blocks public policies refuses `Principal: *` limited by a pattern.
          child.policyDocument = new BoundedResourcePolicy(child.policyDocument, bound, { fixedPrincipals: true });
        } else if (child instanceof kms.CfnKey) {
          child.keyPolicy = new BoundedResourcePolicy(child.keyPolicy, bound);
        }
      }
    }
  }

  private applyStageConditions(pipeline: cp.Pipeline): void {
    const cfn = pipeline.node.defaultChild as cp.CfnPipeline;
    const alarmStatement = new Set<string>();
    pipeline.stages.forEach((stage, index) => {
      const wave = this.waveOf(stage.stageName);
      if (!wave) {
        return;
      }
      if (this.props.rollbackOnFailure ?? true) {
        // CodePipeline V2 rolls the stage back to the last successful execution's source revision.
        cfn.addPropertyOverride(`Stages.${index}.OnFailure`, { Result: 'ROLLBACK' });
      }
      // Every part of a split wave: rollback is per stage, so a part without the condition would keep a
      // revision whose alarm fired in a later part's wait.
      const gate = this.alarmGates.get(wave);
      if (gate) {
        cfn.addPropertyOverride(`Stages.${index}.OnSuccess`, {
          Conditions: [
            {
              Result: 'ROLLBACK',
              Rules: gate.alarmNames.map((alarmName, i) => ({
                // Named after the stage: the parts of a split wave each hold the same rules.
                Name: alarmRuleName(stage.stageName, i + 1),
                RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
                Configuration: { AlarmName: alarmName, WaitTime: `${gate.waitTimeMinutes}` },
              })),
            },
          ],
        });
        gate.alarmNames.forEach((name) => alarmStatement.add(name));
      }
    });
    if (alarmStatement.size > 0) {
      // The CloudWatchAlarm rule runs as the pipeline role.
      pipeline.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'],
          resources: [...alarmStatement].map((name) =>
            Stack.of(this).formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: name,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ),
        }),
      );
    }
  }

  /**
   * The wave a CodePipeline stage belongs to (see addWaves for the names): the wave with a stage of exactly that
   * name, else the wave with a stage that pipelines split on its own (an environment of more than 50 steps),
   * into `<name>.1`, `<name>.2`, ... checkStageNames keeps both unambiguous.
   */
  private waveOf(stageName: string): string | undefined {
    const names = (wave: string) => this.waveStageNames.get(wave) ?? [];
    return (
      this.waveOrder.find((wave) => names(wave).includes(stageName)) ??
      this.waveOrder.find((wave) => names(wave).some((name) => splitPartPattern(name).test(stageName)))
    );
  }

  private obtainValidationProject(): codebuild.IProject {
    if (this.validationProject) {
      return this.validationProject;
    }
    const project = new codebuild.PipelineProject(this, 'StageValidation', {
      description:
        'Groundwork post-deployment validation: stacks complete, outputs present, deploy role assumable; termination protection on',
      environment: {
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: codebuild.ComputeType.SMALL,
      },
      encryptionKey: this.artifactKey,
      timeout: Duration.minutes(20),
      environmentVariables: {
        QUALIFIER: { value: this.qualifier },
        PARTITION: { value: Aws.PARTITION },
      },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: { ...nodeRuntimeBuildSpec().phases, build: { commands: [STAGE_VALIDATION_SCRIPT] } },
      }),
    });
    project.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [bootstrapRolePatternArn(BootstrapRoleKind.DEPLOY, this.qualifier)],
        conditions: this.assumeRoleConditions(),
      }),
    );
    this.validationProject = project;
    return project;
  }

  /**
   * `codeconnections:UseConnection` for the source action (the pipeline role) and the synth project, which
   * clones the repository through the connection. aws-cdk-lib grants both only
   * `codestar-connections:UseConnection`, and IAM matches an action's service prefix with the ARN's: a
   * connection created since July 2024 has a `codeconnections` ARN. Kept alongside CDK's grant, which
   * serves `codestar-connections` ARNs.
   */
  private grantConnectionUse(pipeline: cp.Pipeline): void {
    const arn = this.props.connectionArn;
    if (!Token.isUnresolved(arn) && !/^arn:aws[a-z-]*:codeconnections:/.test(arn)) {
      return;
    }
    const statement = () => new iam.PolicyStatement({ actions: ['codeconnections:UseConnection'], resources: [arn] });
    pipeline.addToRolePolicy(statement());
    this.cdkPipeline.synthProject.addToRolePolicy(statement());
  }

  /** Org-wide when an organization id is given, else the explicit list of target accounts. */
  private assumeRoleConditions(): { [key: string]: any } {
    if (this.props.organizationId) {
      return { StringEquals: { 'aws:ResourceOrgID': this.props.organizationId } };
    }
    return {
      StringEquals: {
        'aws:ResourceAccount': Lazy.list({ produce: () => this.targetAccounts() }),
      },
    };
  }

  private targetAccounts(): string[] {
    const accounts = new Set<string>();
    for (const stage of this.targetStages) {
      for (const child of stage.node.findAll()) {
        if (Stack.isStack(child)) {
          accounts.add(Token.isUnresolved(child.account) ? Aws.ACCOUNT_ID : child.account);
        }
      }
    }
    return [...accounts].sort();
  }

  private validateProps(props: GitOpsPipelineProps): void {
    if (props.monitoring === false && props.failureAlarmThreshold !== undefined) {
      throw new Error(
        `${this.node.path}: failureAlarmThreshold needs monitoring, found monitoring: false and failureAlarmThreshold: ${props.failureAlarmThreshold}`,
      );
    }
    if (props.monitoring === false && props.monitoringEventsLogPolicy !== undefined) {
      throw new Error(
        `${this.node.path}: monitoringEventsLogPolicy needs monitoring, found monitoring: false and monitoringEventsLogPolicy: ${props.monitoringEventsLogPolicy}`,
      );
    }
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(props.repository)) {
      throw new Error(`${this.node.path}: repository must be 'owner/name', found '${props.repository}'`);
    }
    if (
      !Token.isUnresolved(props.connectionArn) &&
      !/^arn:aws[a-z-]*:(codeconnections|codestar-connections):/.test(props.connectionArn)
    ) {
      throw new Error(
        `${this.node.path}: connectionArn must be a CodeConnections connection ARN (arn:aws:codeconnections:...), found '${props.connectionArn}'`,
      );
    }
    if (props.organizationId !== undefined && !ORG_PATTERN.test(props.organizationId)) {
      throw new Error(`${this.node.path}: organizationId must match ${ORG_PATTERN}, found '${props.organizationId}'`);
    }
    for (const [name, list] of [
      ['filePathsIncludes', props.filePathsIncludes],
      ['filePathsExcludes', props.filePathsExcludes],
    ] as const) {
      if (list && (list.length === 0 || list.length > 8)) {
        // CodePipeline trigger filter quota: 8 patterns per list.
        throw new Error(`${this.node.path}: ${name} must hold 1 to 8 patterns, found ${list.length}`);
      }
    }
    if (props.pipelineName !== undefined && !NAME_PATTERN.test(props.pipelineName)) {
      throw new Error(`${this.node.path}: pipelineName must match ${NAME_PATTERN}, found '${props.pipelineName}'`);
    }
    if (props.qualifier !== undefined && !BootstrapContract.isValidQualifier(props.qualifier)) {
      throw new Error(
        `${this.node.path}: qualifier must match [a-z0-9]{1,10} (the CDK bootstrap contract), found '${props.qualifier}'`,
      );
    }
  }
}

/**
 * The names of the parts a stage named `name` is split into when it holds more than 50 actions, `<name>.1`,
 * `<name>.2`, ... (aws-cdk-lib/pipelines, and addWaves): `name`, a dot, digits.
 */
function splitPartPattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}\\.\\d+$`);
}

/** aws-cdk-lib's grant to an asset publishing role: start, stop or read builds of any project. */
function isBuildControlGrant(statement: iam.PolicyStatement): boolean {
  return (
    statement.effect === iam.Effect.ALLOW &&
    statement.actions.length > 0 &&
    statement.actions.every((action) => BUILD_CONTROL_ACTIONS.includes(action)) &&
    statement.resources.includes('*')
  );
}

/** Runs `GitOpsPipeline.buildPipeline()` before synthesis if the app did not. */
class BuildBeforeSynth implements IAspect {
  constructor(private readonly pipeline: GitOpsPipeline) {}
  public visit(node: IConstruct): void {
    if (node === this.pipeline) {
      this.pipeline.buildPipeline();
    }
  }
}
