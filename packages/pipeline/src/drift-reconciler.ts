import { BootstrapContract, BootstrapRoleKind } from '@groundwork/cross-account-roles';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { allowAlarmPublish } from './private/alarm-publish';
import { mutableStatements } from './private/bounded-assume-role';
import {
  CLOUDFORMATION_SDK_VERSION,
  ENVIRONMENT_VARIABLE,
  reconcileScript,
  STACKS_VARIABLE,
} from './private/drift-reconcile-script';
import { logGroupKey } from './private/log-group-key';
import { NODE_RUNTIME_VERSION } from './private/toolchain';

/** The same rule as DriftDetector's environmentName (it is the name the detector sends). */
const ENVIRONMENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** CloudFormation stack names. */
const STACK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
/** CodeBuild project names (CreateProject: 2 to 150 characters). */
const PROJECT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$/;
const ACCOUNT_PATTERN = /^\d{12}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/**
 * StartBuild members that would change what the build runs or where it reports, each with the CodeBuild
 * condition key that is present when a request sets it (CodeBuild user guide, "AWS CodeBuild condition
 * keys"; `codebuild:source.buildspec` is only ever checked with `Null`). A request setting any of them is
 * denied: the build must run the project's own buildspec, image and role. A key that an action does not
 * support is absent from its requests, so its Deny never applies: listing one too many costs nothing.
 */
const OVERRIDE_CONDITION_KEYS = [
  'codebuild:source.buildspec',
  'codebuild:source',
  'codebuild:source.location',
  'codebuild:secondarySources',
  'codebuild:artifacts',
  'codebuild:secondaryArtifacts',
  'codebuild:environment.image',
  'codebuild:environment.type',
  'codebuild:environment.computeType',
  'codebuild:environment.privilegedMode',
  'codebuild:environment.certificate',
  'codebuild:environment.registryCredential',
  'codebuild:environment.imagePullCredentialsType',
  'codebuild:environment.fleet.fleetArn',
  'codebuild:serviceRole',
  'codebuild:logsConfig',
  'codebuild:cache',
  'codebuild:encryptionKey',
];

/** An environment the reconciler may change, and the stacks in it. */
export interface DriftReconcilerEnvironment {
  /**
   * Environment name, as its DriftDetector sends it (its `environmentName`): 1 to 63 letters, digits,
   * '_', '.' or '-', starting with a letter or digit.
   */
  readonly name: string;
  /** The environment's 12-digit account id, known at synthesis. */
  readonly account: string;
  /** The environment's region, known at synthesis. */
  readonly region: string;
  /** The stacks of the environment the reconciler may change (CloudFormation stack names, no wildcards). */
  readonly stackNames: string[];
}

/** Properties of a `DriftReconciler`. */
export interface DriftReconcilerProps {
  /** The environments whose drift the reconciler may revert, each with its stacks. At least one. */
  readonly environments: DriftReconcilerEnvironment[];
  /**
   * Name of the CodeBuild project, which each environment's DriftDetector names in `reconcileProjectName`:
   * 2 to 150 letters, digits, '-' or '_', starting with a letter or digit.
   * @default `<stack name>-drift-reconciler`
   */
  readonly projectName?: string;
  /** The CDK bootstrap qualifier of the environments. @default BootstrapContract.DEFAULT_QUALIFIER */
  readonly qualifier?: string;
  /**
   * Topic that receives the alarm on failed reconcile builds. When the topic is created in this app, its
   * policy gets a statement letting CloudWatch publish from the alarm.
   * @default - the alarm has no action
   */
  readonly alarmTopic?: sns.ITopic;
  /** How long one reconcile may run. @default Duration.hours(1) */
  readonly timeout?: Duration;
  /** Retention of the build log group. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Reverts CloudFormation drift for the DriftDetector of an environment, in the pipeline account: a CodeBuild
 * project (no source, inline buildspec) that assumes the environment's CDK deploy role
 * (`cdk-<qualifier>-deploy-role-<account>-<region>`) and, for each drifted stack, creates a drift-aware
 * change set (`DeploymentMode: REVERT_DRIFT`) on the template and parameters the pipeline last deployed,
 * with the environment's CloudFormation execution role, executes it and waits for the update. A change set
 * without changes means the stack is in sync; anything else that does not end in `UPDATE_COMPLETE` fails
 * the build (and raises `failureAlarm`).
 *
 * Re-running the pipeline would not do: redeploying an unchanged template changes nothing, and the drift
 * stays. Nothing new is deployed either: the reconciler restores the last template the pipeline deployed.
 *
 * The request (environment and stacks, in the build's environment variables
 * `DriftReconciler.ENVIRONMENT_VARIABLE` and `STACKS_VARIABLE`) comes from an environment account: the
 * program refuses any environment or stack outside the allow-list baked into the buildspec at synthesis,
 * and `startBuildStatements` keeps callers from overriding anything but those two variables. The project's
 * role may only assume the deploy roles of the listed environments. That role's name is generated by
 * CloudFormation from the stack name: the deploy roles trust the pipeline stack's roles by a name pattern
 * (`<org>-platform*` in the platform app), so put the reconciler in the pipeline stack.
 *
 * The build installs `@aws-sdk/client-cloudformation` and `@aws-sdk/client-sts` at a pinned version
 * (`DriftReconciler.CLOUDFORMATION_SDK_VERSION`) from the npm registry, on the Node.js 20 runtime.
 */
export class DriftReconciler extends Construct {
  /** The build environment variable that names the environment to reconcile. */
  public static readonly ENVIRONMENT_VARIABLE = ENVIRONMENT_VARIABLE;
  /** The build environment variable that names the drifted stacks, comma-separated. */
  public static readonly STACKS_VARIABLE = STACKS_VARIABLE;
  /** The pinned version of `@aws-sdk/client-cloudformation` (and `@aws-sdk/client-sts`) the build installs. */
  public static readonly CLOUDFORMATION_SDK_VERSION = CLOUDFORMATION_SDK_VERSION;

  /**
   * What a principal needs to start a reconcile, and nothing more: `codebuild:StartBuild` on the project,
   * only with the two request variables overridden and the environment one naming one of
   * `environmentNames`, and denied when the request overrides the buildspec, source, image, role, logs or
   * any other setting of the project (CodeBuild condition keys).
   */
  public static startBuildStatements(projectArn: string, environmentNames: string[]): iam.PolicyStatement[] {
    if (environmentNames.length === 0) {
      throw new Error('DriftReconciler.startBuildStatements: environmentNames must not be empty');
    }
    return [
      new iam.PolicyStatement({
        sid: 'StartDriftReconcile',
        actions: ['codebuild:StartBuild'],
        resources: [projectArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'codebuild:environment.environmentVariables.name': [ENVIRONMENT_VARIABLE, STACKS_VARIABLE],
          },
          'ForAnyValue:StringEquals': {
            [`codebuild:environment.environmentVariables/${ENVIRONMENT_VARIABLE}.value`]: environmentNames,
          },
        },
      }),
      // No Sid: the statements add up in the caller's policy (managed policy quota 6,144 characters).
      ...OVERRIDE_CONDITION_KEYS.map(
        (key) =>
          new iam.PolicyStatement({
            effect: iam.Effect.DENY,
            actions: ['codebuild:StartBuild'],
            resources: [projectArn],
            conditions: { Null: { [key]: 'false' } },
          }),
      ),
    ];
  }

  /** The CodeBuild project. */
  public readonly project: codebuild.Project;
  /** The project's name, for DriftDetector's `reconcileProjectName`. */
  public readonly projectName: string;
  /** The project's ARN. */
  public readonly projectArn: string;
  /** The build log group (KMS-encrypted). */
  public readonly logGroup: logs.ILogGroup;
  /** Alarm on failed reconcile builds (`AWS/CodeBuild FailedBuilds` of the project). */
  public readonly failureAlarm: cloudwatch.IAlarm;
  /** The environment names the reconciler accepts. */
  public readonly environmentNames: string[];

  constructor(scope: Construct, id: string, props: DriftReconcilerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const qualifier = props.qualifier ?? BootstrapContract.DEFAULT_QUALIFIER;
    this.validate(props, qualifier);
    this.projectName = props.projectName ?? `${stack.stackName}-drift-reconciler`;
    if (!Token.isUnresolved(this.projectName) && !PROJECT_NAME_PATTERN.test(this.projectName)) {
      throw new Error(
        `${this.node.path}: projectName must be a CodeBuild project name (2 to 150 letters, digits, '-' or '_', ` +
          `starting with a letter or digit), found '${this.projectName}'`,
      );
    }
    this.environmentNames = props.environments.map((e) => e.name);

    const script = reconcileScript(props.environments, qualifier);
    const key = logGroupKey(this, 'Key', `Encrypts the drift reconciler logs (${this.node.path})`);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: key,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const sdk = DriftReconciler.CLOUDFORMATION_SDK_VERSION;
    this.project = new codebuild.Project(this, 'Project', {
      projectName: this.projectName,
      description:
        'Groundwork drift reconcile: reverts drift of allow-listed stacks with drift-aware change sets ' +
        '(program: @groundwork/pipeline src/private/drift-reconcile-script.ts)',
      environment: {
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: codebuild.ComputeType.SMALL,
      },
      encryptionKey: key,
      timeout: props.timeout ?? Duration.hours(1),
      logging: { cloudWatch: { logGroup: this.logGroup } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: {
            // standard:7.0 defaults to Node.js 18; the SDK needs 20 or later.
            'runtime-versions': { nodejs: NODE_RUNTIME_VERSION },
          },
          build: {
            commands: [
              // A fresh directory: nothing of a source (there is none) or of an earlier build is read.
              'rm -rf /tmp/groundwork-reconcile && mkdir /tmp/groundwork-reconcile',
              `cd /tmp/groundwork-reconcile && echo '${Buffer.from(script, 'utf-8').toString('base64')}' | base64 -d > reconcile.js`,
              'cd /tmp/groundwork-reconcile && echo \'{"private":true}\' > package.json && ' +
                'npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund ' +
                `@aws-sdk/client-cloudformation@${sdk} @aws-sdk/client-sts@${sdk}`,
              'cd /tmp/groundwork-reconcile && node reconcile.js',
            ],
          },
        },
      }),
    });
    this.projectArn = this.project.projectArn;

    const role = this.project.role!;
    this.dropUnusedGrants(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeDeployRolesOfReconcilingEnvironments',
        actions: ['sts:AssumeRole'],
        resources: props.environments.map((e) =>
          BootstrapContract.roleArn(BootstrapRoleKind.DEPLOY, qualifier, e.account, e.region, stack.partition),
        ),
      }),
    );

    const alarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription: `A drift reconcile (${this.projectName}) failed: see the drift runbook (docs/runbooks/drift-alert.md)`,
      metric: this.project.metricFailedBuilds({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
      allowAlarmPublish(props.alarmTopic, alarm);
    } else {
      Validations.of(alarm).acknowledge({
        id: 'NIST.800.53.R5-CloudWatchAlarmAction',
        reason: 'No alarmTopic given: the failed build and the alarm state are visible in CodeBuild and CloudWatch',
      });
    }
    this.failureAlarm = alarm;
    this.acknowledgeFindings();
  }

  private validate(props: DriftReconcilerProps, qualifier: string): void {
    const where = this.node.path;
    if (!BootstrapContract.isValidQualifier(qualifier)) {
      throw new Error(`${where}: qualifier must be 1 to 10 lowercase letters and digits, found '${qualifier}'`);
    }
    if (props.environments.length === 0) {
      throw new Error(`${where}: environments must name at least one environment`);
    }
    const seen = new Set<string>();
    for (const env of props.environments) {
      // Every value is written into the buildspec's program, where a token cannot be checked or resolved.
      const values = [env.name, env.account, env.region, ...env.stackNames];
      if (values.some((v) => Token.isUnresolved(v))) {
        throw new Error(
          `${where}: environment '${env.name}': name, account, region and stackNames must be literal strings known at ` +
            'synthesis (they are baked into the reconcile program), found a token',
        );
      }
      if (!ENVIRONMENT_NAME_PATTERN.test(env.name)) {
        throw new Error(`${where}: environment name must match ${ENVIRONMENT_NAME_PATTERN}, found '${env.name}'`);
      }
      if (seen.has(env.name)) {
        throw new Error(`${where}: environment '${env.name}' is listed twice`);
      }
      seen.add(env.name);
      if (!ACCOUNT_PATTERN.test(env.account)) {
        throw new Error(`${where}: environment '${env.name}': account must be 12 digits, found '${env.account}'`);
      }
      if (!REGION_PATTERN.test(env.region)) {
        throw new Error(`${where}: environment '${env.name}': region must be a region name, found '${env.region}'`);
      }
      if (env.stackNames.length === 0) {
        throw new Error(`${where}: environment '${env.name}': stackNames must name at least one stack`);
      }
      const invalid = env.stackNames.filter((s) => !STACK_NAME_PATTERN.test(s));
      if (invalid.length > 0) {
        throw new Error(
          `${where}: environment '${env.name}': stackNames must be CloudFormation stack names (no wildcards), ` +
            `found ${invalid.map((s) => `'${s}'`).join(', ')}`,
        );
      }
    }
  }

  /**
   * aws-cdk-lib grants every project's role writes to `/aws/codebuild/<project>` and to the project's report
   * groups. This build logs to its own log group only and publishes no report: both grants go.
   */
  private dropUnusedGrants(role: iam.IRole): void {
    const stack = Stack.of(this);
    const document = (role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined)?.document;
    if (!document) {
      throw new Error(`${this.node.path}: aws-cdk-lib no longer gives the project role a DefaultPolicy`);
    }
    const statements = mutableStatements(document, this);
    const unused = (statement: iam.PolicyStatement) => {
      const resources = JSON.stringify(stack.resolve(statement.resources));
      return resources.includes(':log-group:/aws/codebuild/') || resources.includes(':report-group/');
    };
    const kept = statements.filter((statement) => !unused(statement));
    statements.splice(0, statements.length, ...kept);
  }

  private acknowledgeFindings(): void {
    const stack = Stack.of(this);
    const policy = this.project.role!.node.tryFindChild('DefaultPolicy')!.node.defaultChild!;
    const ack = (id: string, reason: string) => Validations.of(policy).acknowledge({ id, reason });
    ack(
      `AwsSolutions-IAM5[Resource::<${stack.resolve((this.logGroup.node.defaultChild as logs.CfnLogGroup).logicalId)}.Arn>:*]`,
      'Log streams of the build log group of this project only',
    );
    ack(
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'The build encrypts its output with the reconciler key only (aws-cdk-lib grant on the project key)',
    );
    ack(
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      'The build encrypts its output with the reconciler key only (aws-cdk-lib grant on the project key)',
    );
    ack(
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'Policy generated by CDK for the reconciler project role, used by it alone',
    );
  }
}
