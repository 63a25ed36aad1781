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
  encodeProgram,
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

/** CodeBuild's limit on an inline buildspec (CreateProject/UpdateProject: "Max buildspec length is 25600"). */
const INLINE_BUILDSPEC_MAX_CHARACTERS = 25600;
/** IAM's limit on a customer managed policy document, in characters without whitespace. */
const MANAGED_POLICY_MAX_CHARACTERS = 6144;
/** How many managed policies IAM attaches to one role unless the quota is raised. */
const MANAGED_POLICIES_PER_ROLE = 10;
/** The longest value of each pseudo parameter (aws-us-gov, a 12-digit account, ap-southeast-5, amazonaws.com.cn). */
const LONGEST_REF: Record<string, number> = {
  'AWS::Partition': 10,
  'AWS::AccountId': 12,
  'AWS::Region': 14,
  'AWS::URLSuffix': 17,
};
/** Any other reference or attribute whose value is unknown at synthesis: an upper bound, not a real length. */
const LONGEST_OTHER_VALUE = 256;

/** Options of `DriftReconciler.startBuildPolicies`. */
export interface DriftReconcilerStartPolicyOptions {
  /**
   * The roles to attach the policies to.
   * @default - none: attach the policies yourself
   */
  readonly roles?: iam.IRole[];
  /**
   * Description of the policies; when there are several, each gets ` (<n> of <count>)` appended. At most 1,000
   * characters with that suffix (IAM).
   * @default - names the project
   */
  readonly description?: string;
  /**
   * The environments the principal may start a reconcile for. Each must be one the reconciler accepts
   * (`environmentNames`).
   * @default - all of `environmentNames`
   */
  readonly environmentNames?: string[];
}

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
  /**
   * AWS Organizations id (`o-...`). When set, the project may assume the deploy roles of the environments'
   * regions in any account of the organization (`aws:ResourceOrgID`), so its policy does not grow per account.
   * @default - the deploy roles of the environments' accounts only (`aws:ResourceAccount` list, 15 characters
   * per account)
   */
  readonly organizationId?: string;
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
   *
   * The Denies take about 3,800 characters and each name its length plus 3, so one managed policy (6,144
   * characters) holds them with about 50 names of 32 characters. For a principal that starts reconciles of
   * many environments, use `startBuildPolicies`, which spreads them over as many policies as needed.
   */
  public static startBuildStatements(projectArn: string, environmentNames: string[]): iam.PolicyStatement[] {
    if (environmentNames.length === 0) {
      throw new Error('DriftReconciler.startBuildStatements: environmentNames must not be empty');
    }
    return [
      allowStartBuild(projectArn, environmentNames),
      ...OVERRIDE_CONDITION_KEYS.map((key) => denyOverride(projectArn, key)),
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
  private readonly stackCount: number;

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
    this.stackCount = props.environments.reduce((sum, e) => sum + e.stackNames.length, 0);
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
              // gzip, then base64: the allow-list grows with the environments, and CodeBuild refuses an inline
              // buildspec over 25,600 characters (validated below).
              `cd /tmp/groundwork-reconcile && echo '${encodeProgram(script)}' | base64 -d | gunzip > reconcile.js`,
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
    this.validateBuildSpecLength();

    const role = this.project.role!;
    this.dropUnusedGrants(role);
    // The deploy roles of the listed environments: their name pattern in each of their regions, in their
    // accounts. Not one ARN per environment: about 85 characters each, the role's policy would outgrow IAM's
    // limits at about 70 environments; this grows by about 60 characters per region, and 15 per account
    // without an organization id. The program assumes only the roles of its allow-list.
    const regions = [...new Set(props.environments.map((e) => e.region))].sort();
    // `cdk-<qualifier>-deploy-role-*-<region>`: the account is the name's middle part.
    const deployRolePatterns = regions.map((region) =>
      BootstrapContract.roleNamePattern(BootstrapRoleKind.DEPLOY, qualifier).replace(/\*$/, `*-${region}`),
    );
    const accounts = [...new Set(props.environments.map((e) => e.account))].sort();
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeDeployRolesOfReconcilingEnvironments',
        actions: ['sts:AssumeRole'],
        resources: deployRolePatterns.map((pattern) => `arn:${stack.partition}:iam::*:role/${pattern}`),
        conditions: {
          StringEquals: props.organizationId
            ? { 'aws:ResourceOrgID': props.organizationId }
            : { 'aws:ResourceAccount': accounts },
        },
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
    this.acknowledgeFindings(deployRolePatterns);
  }

  /**
   * Managed policies that let a principal start a reconcile, and nothing more: `startBuildStatements` on this
   * project, spread over as many managed policies as IAM's 6,144-character limit needs. The environment names
   * go into the Allow statement's condition, about their length plus 3 characters each, so one policy holds
   * about 50 names of 32 characters next to the Denies. A further policy holds the next names in an Allow of
   * its own, with the same conditions: IAM allows what any of the Allows allows, so the principal may start
   * the project for exactly the listed environments, as with one statement. Each policy is validated at
   * synthesis against 6,144 characters, with every reference at its longest value.
   *
   * The first policy has the id `id`, the next ones `<id>2`, `<id>3` and so on: with few environments there
   * is one policy, as `startBuildStatements` in one `ManagedPolicy` would give.
   * @param scope where to create the policies
   * @param id the id of the first policy
   */
  public startBuildPolicies(
    scope: Construct,
    id: string,
    options: DriftReconcilerStartPolicyOptions = {},
  ): iam.ManagedPolicy[] {
    const where = `${scope.node.path}/${id}`;
    const names = options.environmentNames ?? this.environmentNames;
    if (names.length === 0) {
      throw new Error(`${where}: environmentNames must name at least one environment, found none`);
    }
    const unknown = names.filter((n) => !this.environmentNames.includes(n));
    if (unknown.length > 0) {
      throw new Error(
        `${where}: environmentNames must be environments this reconciler accepts (${this.environmentNames.join(', ')}), ` +
          `found ${unknown.map((n) => `'${n}'`).join(', ')}`,
      );
    }
    const stack = Stack.of(scope);
    // Sized with a literal ARN as long as the project's can be: what IAM will count once CloudFormation
    // has put the real ARN in.
    const longestArn = 'x'.repeat(this.projectArnLengthBound());
    const fits = (group: StartPolicyGroup) =>
      JSON.stringify(stack.resolve(new iam.PolicyDocument({ statements: groupStatements(longestArn, group) })))
        .length <= MANAGED_POLICY_MAX_CHARACTERS;
    const groups: StartPolicyGroup[] = [{ names: [], keys: [] }];
    const place = (add: (group: StartPolicyGroup) => void, remove: (group: StartPolicyGroup) => void) => {
      const group = groups[groups.length - 1];
      add(group);
      if (!fits(group) && group.names.length + group.keys.length > 1) {
        remove(group);
        const next: StartPolicyGroup = { names: [], keys: [] };
        add(next);
        groups.push(next);
      }
    };
    for (const key of OVERRIDE_CONDITION_KEYS) {
      place(
        (g) => g.keys.push(key),
        (g) => g.keys.pop(),
      );
    }
    for (const name of names) {
      place(
        (g) => g.names.push(name),
        (g) => g.names.pop(),
      );
    }
    if (groups.length > MANAGED_POLICIES_PER_ROLE) {
      throw new Error(
        `${where}: starting reconciles of ${names.length} environments takes ${groups.length} managed policies, more than ` +
          `the ${MANAGED_POLICIES_PER_ROLE} IAM attaches to a role by default: give fewer environments, or shorter names`,
      );
    }
    const description =
      options.description ?? `Start ${this.projectName} for the environments it reconciles, and nothing else`;
    return groups.map((group, i) => {
      const policy = new iam.ManagedPolicy(scope, i === 0 ? id : `${id}${i + 1}`, {
        description: groups.length === 1 ? description : `${description} (${i + 1} of ${groups.length})`,
        roles: options.roles,
        statements: groupStatements(this.projectArn, group),
      });
      policy.node.addValidation({
        validate: () => {
          const length = this.policyLengthBound(policy);
          return length <= MANAGED_POLICY_MAX_CHARACTERS
            ? []
            : [
                `the drift reconcile StartBuild policy is up to ${length} characters without whitespace, over IAM's ` +
                  `limit of ${MANAGED_POLICY_MAX_CHARACTERS} for a managed policy (it names ${group.names.length} of the ` +
                  `${names.length} environments): add no statements to the policies startBuildPolicies returns`,
              ];
        },
      });
      return policy;
    });
  }

  /** The longest the project's ARN can be once deployed: literal parts as they are, references at their longest. */
  private projectArnLengthBound(): number {
    const stack = Stack.of(this);
    const length = (value: string, longest: number) => (Token.isUnresolved(value) ? longest : value.length);
    return (
      'arn::codebuild:::project/'.length +
      length(stack.partition, LONGEST_REF['AWS::Partition']) +
      length(stack.region, LONGEST_REF['AWS::Region']) +
      length(stack.account, LONGEST_REF['AWS::AccountId']) +
      length(this.projectName, 150)
    );
  }

  /**
   * The length of the policy's document as IAM counts it (JSON without whitespace), with the project's ARN at
   * its longest and every other reference at an upper bound: it holds in every partition, account and region.
   */
  private policyLengthBound(policy: iam.ManagedPolicy): number {
    const stack = Stack.of(policy);
    const projectArn = JSON.stringify(stack.resolve(this.projectArn));
    const arnLength = this.projectArnLengthBound();
    const concrete = (value: any): any => {
      if (Array.isArray(value)) return value.map(concrete);
      if (value === null || typeof value !== 'object') return value;
      if (JSON.stringify(value) === projectArn) return 'x'.repeat(arnLength);
      if ('Ref' in value) return 'x'.repeat(LONGEST_REF[value.Ref] ?? LONGEST_OTHER_VALUE);
      if ('Fn::Join' in value) {
        const [separator, parts] = value['Fn::Join'];
        return (concrete(parts) as unknown[]).map(String).join(separator);
      }
      if (Object.keys(value).some((k) => k.startsWith('Fn::'))) return 'x'.repeat(LONGEST_OTHER_VALUE);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, concrete(v)]));
    };
    return JSON.stringify(concrete(stack.resolve(policy.document))).length;
  }

  /**
   * CodeBuild refuses an inline buildspec over 25,600 characters, and CloudFormation then fails the pipeline
   * stack's update: say so at synthesis. The program in it is compressed; what grows is its allow-list.
   */
  private validateBuildSpecLength(): void {
    const project = this.project.node.defaultChild as codebuild.CfnProject;
    this.node.addValidation({
      validate: () => {
        const source = Stack.of(this).resolve(project.source) as { buildSpec?: unknown } | undefined;
        const spec = source?.buildSpec;
        const length = typeof spec === 'string' ? spec.length : JSON.stringify(spec ?? '').length;
        return length <= INLINE_BUILDSPEC_MAX_CHARACTERS
          ? []
          : [
              `the drift reconciler's inline buildspec is ${length} characters, over CodeBuild's limit of ` +
                `${INLINE_BUILDSPEC_MAX_CHARACTERS}: its program carries the allow-list of ${this.environmentNames.length} ` +
                `reconciling environments (${this.stackCount} stacks). Reconcile fewer environments with this ` +
                'reconciler (turn drift.autoReconcile off for some), or give them shorter names',
            ];
      },
    });
  }

  private validate(props: DriftReconcilerProps, qualifier: string): void {
    const where = this.node.path;
    if (!BootstrapContract.isValidQualifier(qualifier)) {
      throw new Error(`${where}: qualifier must be 1 to 10 lowercase letters and digits, found '${qualifier}'`);
    }
    if (props.organizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(props.organizationId)) {
      throw new Error(
        `${where}: organizationId must be an AWS Organizations id such as 'o-a1b2c3d4e5', found '${props.organizationId}'`,
      );
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

  private acknowledgeFindings(deployRolePatterns: string[]): void {
    const policy = this.project.role!.node.tryFindChild('DefaultPolicy')!.node.defaultChild!;
    const ack = (id: string, reason: string) => Validations.of(policy).acknowledge({ id, reason });
    for (const pattern of deployRolePatterns) {
      ack(
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${pattern}]`,
        `The CDK deploy roles ${pattern} of the reconciling environments, in their accounts or organization only ` +
          '(aws:ResourceAccount or aws:ResourceOrgID condition): one pattern per region instead of one ARN per ' +
          'environment, so the policy does not grow with environments; the program assumes only the roles of its allow-list',
      );
    }
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

/** The environment names and Deny condition keys that go into one StartBuild policy. */
interface StartPolicyGroup {
  readonly names: string[];
  readonly keys: string[];
}

/** The statements of one StartBuild policy: an Allow for its names (if any), then its Denies. */
function groupStatements(projectArn: string, group: StartPolicyGroup): iam.PolicyStatement[] {
  return [
    ...(group.names.length > 0 ? [allowStartBuild(projectArn, group.names)] : []),
    ...group.keys.map((key) => denyOverride(projectArn, key)),
  ];
}

/** StartBuild on the project, with only the two request variables, the environment one naming one of `names`. */
function allowStartBuild(projectArn: string, names: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'StartDriftReconcile',
    actions: ['codebuild:StartBuild'],
    resources: [projectArn],
    conditions: {
      'ForAllValues:StringEquals': {
        'codebuild:environment.environmentVariables.name': [ENVIRONMENT_VARIABLE, STACKS_VARIABLE],
      },
      'ForAnyValue:StringEquals': {
        [`codebuild:environment.environmentVariables/${ENVIRONMENT_VARIABLE}.value`]: names,
      },
    },
  });
}

/** StartBuild denied when the request sets `key` (an override). No Sid: the statements add up in the policy. */
function denyOverride(projectArn: string, key: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: ['codebuild:StartBuild'],
    resources: [projectArn],
    conditions: { Null: { [key]: 'false' } },
  });
}
