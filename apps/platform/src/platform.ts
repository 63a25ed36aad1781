import { BootstrapContract, DeploymentBoundary, PermissionsBoundaryAspect } from '@groundwork/cross-account-roles';
import { DriftReconciler, GitOpsPipeline } from '@groundwork/pipeline';
import { App, Aspects, CfnResource, IPolicyValidationPlugin, Stack, Tag, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { AccountAccessStack } from './account-access-stack';
import { PIPELINE_STACK_ID, pipelineRoleNamePatterns } from './bootstrap-template';
import {
  canRecordIam,
  ConfigError,
  ConfigIssue,
  DRIFT_RECONCILE_ROLE_SUFFIX,
  PlatformConfig,
  PlatformEnvironment,
} from './config';
import { checkAllowedServices } from './deployment-trust-check';
import { EnvironmentStage } from './environment-stage';
import { OrganizationStackSetsStack } from './organization-stack-sets-stack';
import { PlatformStack } from './platform-stack';
import {
  driftDetectorRoleNamePattern,
  driftReconcileProjectName,
  environmentStackNames,
  pipelineStackName,
} from './stack-names';

export interface PlatformOptions {
  /** Compliance packs the pipeline's gate registers on the pipeline stack and every stage. */
  readonly complianceGate: IPolicyValidationPlugin[];
  /**
   * The branch whose pipeline to build, from `branches` in groundwork.yaml.
   * @default the repository branch in groundwork.yaml
   */
  readonly branch?: string;
  /**
   * Called with each stage before it is added to the pipeline: adding it
   * synthesizes the stage, after which its construct tree is frozen.
   */
  readonly customizeStage?: (stage: EnvironmentStage) => void;
}

/** What the platform app composed. */
export interface Platform {
  /** The shared pipeline, in the tooling account. */
  readonly pipelineStack: Stack;
  readonly pipeline: GitOpsPipeline;
  /** What the pipeline deploys: one stage per environment the branch deploys. */
  readonly stages: EnvironmentStage[];
  /**
   * What an administrator deploys once per environment account, outside the pipeline: one per account of the
   * branch's environments, named after the account's first environment of the whole config (accountAccessHolders).
   */
  readonly accessStacks: AccountAccessStack[];
  /**
   * The StackSets that baseline every account of the configured organizational
   * units (groundwork.yaml `stackSets`), deployed by an administrator; undefined without that section.
   */
  readonly organizationStackSets?: OrganizationStackSetsStack;
}

/**
 * Composes the platform: one Stage per environment that the branch deploys,
 * added to the shared pipeline wave by wave. Pure composition: the config is
 * already validated, and nothing here looks anything up in AWS.
 */
export function composePlatform(app: App, config: PlatformConfig, options: PlatformOptions): Platform {
  const gw = config.groundwork;
  const branch = options.branch ?? gw.repository.branch;
  const environments = environmentsForBranch(config, branch);
  // One synth builds one branch's pipeline: `main` deploys every environment,
  // other branches (develop) get their own pipeline instance for their subset.
  const pipelineName = pipelineStackName(gw.organization.name, branch, gw.repository.branch);

  const pipelineStack = new PlatformStack(app, PIPELINE_STACK_ID, {
    stackName: pipelineName,
    description: `Groundwork pipeline for branch ${branch}`,
    env: { account: gw.tooling.account, region: gw.tooling.region },
    terminationProtection: true,
  });
  const pipeline = new GitOpsPipeline(pipelineStack, 'GitOps', {
    pipelineName,
    repository: `${gw.repository.owner}/${gw.repository.name}`,
    branch,
    connectionArn: gw.repository.connectionArn,
    notificationEmails: gw.notifications.emails,
    slackChannelConfigurationArn: gw.notifications.slackChannelConfigurationArn,
    complianceGate: options.complianceGate,
    // With the organization's id, the pipeline's assume-role permissions stay one statement at any scale.
    organizationId: gw.organization.id,
    // One CloudFormation action per stack unless the config asks for change sets (docs/configuration.md).
    useChangeSets: gw.pipeline.changeSets,
    failureAlarmThreshold: gw.pipeline.deploymentFailures,
    // The pipeline synthesizes the branch's own pipeline.
    synthCommand: branch === gw.repository.branch ? 'npm run synth' : `npm run synth -- --branch ${branch}`,
  });

  // An environment that several branches deploy names one of their pipelines in its stacks, its owner's
  // (owningBranch): every branch then synthesizes the same stacks for it, and the drift detector starts the
  // owner's reconciler whichever pipeline deployed last. This pipeline reconciles the environments it owns.
  const owned = environments.filter((env) => owningBranch(config, env) === branch);
  const reconciler = driftReconciler(
    pipelineStack,
    pipelineName,
    owned,
    gw.organization.name,
    pipeline,
    gw.organization.id,
  );
  if (reconciler) {
    driftReconcileRole(
      pipelineStack,
      pipelineName,
      owned,
      gw.organization,
      reconciler,
      gw.quotas.roleTrustPolicyLength,
    );
  }

  const homes = accountHomes(config.environments);
  // IAM role names are per account: one access stack per account, with the first environment in it
  // (a second region of an account would otherwise create the same roles again and fail). That
  // environment's drift detector checks it. Chosen from every environment of the config, like the homes:
  // a branch that deploys only some of an account's environments builds the same access stack as `main`.
  const accessHolders = accountAccessHolders(config.environments).filter((holder) =>
    environments.some((env) => env.account === holder.account),
  );
  // The access stacks are built before the stages: the holder's drift detector checks the access stack's
  // resources by logical id (driftCheckedAccessResources), and adding a stage to the pipeline synthesizes it.
  const accessStacks = accessHolders.map(
    (env) => new AccountAccessStack(app, `Access-${env.name}`, { environment: env, groundwork: gw }),
  );
  // A deployment trust that cannot deploy its environment's stacks is a config error, reported for
  // every environment at once. Adding a stage to the pipeline synthesizes it (its templates are then
  // validated while the next environments are added), so every environment is composed and checked
  // first: nothing is written to the cloud assembly when one of them fails.
  const trustIssues: ConfigIssue[] = [];
  const stages = environments.map((env) => {
    const accessStack = accessStacks.find((stack) => stack.environmentName === env.name);
    const owner = pipelineStackName(gw.organization.name, owningBranch(config, env), gw.repository.branch);
    const stage = new EnvironmentStage(app, env.name, {
      environment: env,
      groundwork: gw,
      pipelineName: owner,
      accountHome: homes.get(env.account) === env.name,
      reconcileRoleArn: env.drift.autoReconcile ? driftReconcileRoleArn(pipelineStack, owner) : undefined,
      reconcileProjectName: env.drift.autoReconcile ? driftReconcileProjectName(owner) : undefined,
      accessStackName: accessStack?.stackName,
      accessStackCheckedResources: accessStack ? driftCheckedAccessResources(accessStack) : undefined,
    });
    options.customizeStage?.(stage);
    const issue = checkAllowedServices(stage, env);
    if (issue) trustIssues.push(issue);
    return stage;
  });
  if (trustIssues.length > 0) throw new ConfigError(trustIssues);
  stages.forEach((stage, index) => {
    const env = environments[index];
    pipeline.addEnvironment(stage, {
      wave: env.wave,
      production: env.production,
      approvalRequired: env.approvalRequired,
    });
  });
  pipeline.buildPipeline();
  // The tooling account is bootstrapped with the same least-privilege trust:
  // the pipeline's own roles carry the boundary too.
  Aspects.of(pipelineStack).add(new PermissionsBoundaryAspect({ qualifier: BootstrapContract.DEFAULT_QUALIFIER }));
  for (const [key, value] of Object.entries({ ...gw.defaultTags, Environment: 'tooling' })) {
    Tags.of(pipelineStack).add(key, value);
  }
  const organizationStackSets = gw.stackSets
    ? new OrganizationStackSetsStack(app, 'OrganizationStackSets', {
        groundwork: gw,
        stackSets: gw.stackSets,
        trustedRoleNamePatterns: pipelineRoleNamePatterns(config),
        memberChecks: options.complianceGate.filter((p): p is NagPack => p instanceof NagPack),
      })
    : undefined;
  return { pipelineStack, pipeline, stages, accessStacks, organizationStackSets };
}

/**
 * Each account's home environment, by account: the one that holds what is global to the account, the
 * multi-region audit trail with its CIS alarms and dashboard and AWS Config's recording of IAM
 * resources (EnvironmentStage `accountHome`); the account's other environments (other regions) get
 * neither. It is the account's first environment, in config order (wave order, then name), with a
 * Config recorder in a region where AWS Config records IAM (canRecordIam; the config validation
 * rejects an account without one); without any recorder, its first environment.
 *
 * Chosen from every environment of the config, not only those of the branch being built: each
 * branch's pipeline must make the same choice for the environments it deploys.
 */
export function accountHomes(environments: readonly PlatformEnvironment[]): Map<string, string> {
  const homes = new Map<string, string>();
  for (const env of environments) {
    if (!homes.has(env.account)) {
      const ofAccount = environments.filter((e) => e.account === env.account);
      const home =
        ofAccount.find((e) => e.security.configRecorder && canRecordIam(e.region)) ??
        (ofAccount.some((e) => e.security.configRecorder) ? undefined : ofAccount[0]);
      if (home === undefined) {
        throw new Error(
          `account ${env.account}: expected an environment with security.configRecorder true in a region where AWS Config ` +
            `records IAM resources, found none (the config validation reports this; was it skipped?)`,
        );
      }
      homes.set(env.account, home.name);
    }
  }
  return homes;
}

/**
 * Each account's access stack holder: its first environment, in config order (wave order, then name), chosen
 * from every environment of the config. The access stack is named after it and deployed in its region; its
 * drift detector checks the access stack (detect only).
 */
export function accountAccessHolders(environments: readonly PlatformEnvironment[]): PlatformEnvironment[] {
  return environments.filter(
    (env, index) => environments.findIndex((other) => other.account === env.account) === index,
  );
}

/**
 * The logical ids of the access stack's resources that its drift detector checks: all but the break-glass
 * alert key and topic and what is under them in the construct tree (the topic's policy and subscriptions).
 * The key and the topic carry the tag `DeploymentBoundary.ALERT_TAG_KEY` = `ALERT_TAG_VALUE`, on which the
 * deployment boundary denies every `kms:*` and `sns:*` action, reads included, to every role under it, the
 * drift detector's too; CloudFormation reads each resource with the caller's credentials, and the read
 * handlers of a topic's policy and subscriptions read the topic (`sns:GetTopicAttributes`). One of them in the
 * check would end the whole stack's check in DETECTION_FAILED on every run. Read from the construct tree:
 * the resources in the scope of a `Tags.of(...).add()` of that tag (the tag is applied only at synthesis).
 */
export function driftCheckedAccessResources(accessStack: Stack): string[] {
  const isAlertTag = (aspect: unknown) =>
    aspect instanceof Tag &&
    aspect.key === DeploymentBoundary.ALERT_TAG_KEY &&
    aspect.value === DeploymentBoundary.ALERT_TAG_VALUE;
  const underAlertTag = (resource: IConstruct) =>
    resource.node.scopes.some((scope) => Aspects.of(scope).all.some(isAlertTag));
  return accessStack.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && Stack.of(c) === accessStack)
    .filter((resource) => !underAlertTag(resource))
    .map((resource) => accessStack.resolve(resource.logicalId) as string);
}

/**
 * The branch whose pipeline an environment's stacks name (its drift reconciler): the repository branch when
 * it deploys the environment, else the first branch of groundwork.yaml `branches` that does. Every branch
 * that deploys the environment synthesizes the same stacks for it, so two pipelines do not update it back
 * and forth; the owner's pipeline must be deployed for its reconciler to exist (the repository branch's is
 * deployed first: docs/getting-started.md).
 */
export function owningBranch(config: PlatformConfig, env: PlatformEnvironment): string {
  const deploys = (branch: string) => environmentsForBranch(config, branch).includes(env);
  const repositoryBranch = config.groundwork.repository.branch;
  if (Object.hasOwn(config.groundwork.branches, repositoryBranch) && deploys(repositoryBranch)) return repositoryBranch;
  const owner = Object.keys(config.groundwork.branches).find(deploys);
  if (owner === undefined) {
    throw new Error(`environment "${env.name}" is deployed by no branch of groundwork.yaml branches`);
  }
  return owner;
}

/** The environments a push to `branch` deploys (groundwork.yaml `branches`). */
export function environmentsForBranch(config: PlatformConfig, branch: string): PlatformEnvironment[] {
  // Own keys only: `constructor` or `toString` are no branches, though every object inherits them.
  const targets = Object.hasOwn(config.groundwork.branches, branch) ? config.groundwork.branches[branch] : undefined;
  if (targets === undefined) {
    const known = Object.keys(config.groundwork.branches).join(', ');
    throw new Error(`branch "${branch}" deploys nothing: groundwork.yaml branches lists ${known}`);
  }
  return targets === 'all' ? config.environments : config.environments.filter((e) => targets.includes(e.name));
}

/**
 * The DriftReconciler in the tooling account, which reverts the drift of the auto-reconciling environments
 * with drift-aware change sets: restarting the pipeline would redeploy an unchanged template, which does
 * not revert drift (decision 0008). Undefined when no environment reconciles.
 *
 * It is in the pipeline stack: its CodeBuild role gets a name CloudFormation generates from the stack name,
 * which the environments' deploy roles trust by the pattern `<org>-platform*` (the pipeline's own roles are
 * matched the same way, role-name-patterns.test.ts), and it may assume only the deploy roles of the
 * reconciling environments. Each environment's allow-list is its stage's three stacks, by name: the
 * same names its drift detector checks and its deploy role may change.
 */
function driftReconciler(
  pipelineStack: Stack,
  pipelineName: string,
  environments: PlatformEnvironment[],
  org: string,
  pipeline: GitOpsPipeline,
  organizationId: string | undefined,
): DriftReconciler | undefined {
  const reconciling = environments.filter((e) => e.drift.autoReconcile);
  if (reconciling.length === 0) return undefined;
  return new DriftReconciler(pipelineStack, 'DriftReconciler', {
    projectName: driftReconcileProjectName(pipelineName),
    environments: reconciling.map((e) => ({
      name: e.name,
      account: e.account,
      region: e.region,
      stackNames: environmentStackNames(org, e.name),
    })),
    qualifier: BootstrapContract.DEFAULT_QUALIFIER,
    organizationId,
    // A failed reconcile notifies the platform team where pipeline failures go.
    alarmTopic: pipeline.notificationTopic,
  });
}

/**
 * The role in the tooling account that a drift detector assumes to start the
 * drift reconciler (auto-reconcile), allowed only to start that one CodeBuild
 * project, for the reconciling environments, without overriding anything but
 * the request (DriftReconciler.startBuildPolicies).
 *
 * Its trust is one statement that does not grow per environment: the drift
 * detector roles (`<org>-<env>-drift-detector`, stack-names.ts) in the organization
 * (`organization.id`) or, without an id, in the reconciling environments'
 * accounts (15 characters per account). Which environments may actually use
 * it is decided on the caller's side: only the operations stacks of
 * environments with `drift.autoReconcile` get `sts:AssumeRole` on it
 * (cross-account use needs both sides). What a caller can ask is bounded by
 * the reconciler: the environments and stacks of its allow-list, reverted to
 * the template the pipeline last deployed.
 */
function driftReconcileRole(
  pipelineStack: Stack,
  pipelineName: string,
  environments: PlatformEnvironment[],
  organization: { readonly name: string; readonly id?: string },
  reconciler: DriftReconciler,
  trustPolicyLimit: number,
): void {
  const reconciling = environments.filter((e) => e.drift.autoReconcile);
  const accounts = [...new Set(reconciling.map((e) => e.account))].sort();
  const roleName = `${pipelineName}${DRIFT_RECONCILE_ROLE_SUFFIX}`;
  const role = new iam.Role(pipelineStack, 'DriftReconcileRole', {
    roleName,
    // A count, not the names: IAM role descriptions hold at most 1,000 characters.
    description: `Lets the drift detectors of ${reconciling.length} auto-reconciling environments start ${reconciler.projectName}`,
    assumedBy: new iam.ArnPrincipal('*').withConditions({
      ArnLike: {
        'aws:PrincipalArn': `arn:${pipelineStack.partition}:iam::*:role/${driftDetectorRoleNamePattern(organization.name)}`,
      },
      StringEquals: organization.id ? { 'aws:PrincipalOrgID': organization.id } : { 'aws:PrincipalAccount': accounts },
    }),
  });
  // IAM's "Role trust policy length" quota (groundwork.yaml quotas.roleTrustPolicyLength). The config validation
  // measures the same policy from the config (checkDriftReconcileTrustPolicyLengths); this is its backstop.
  const size = deployedPolicyText(pipelineStack, role.assumeRolePolicy!).length;
  if (size > trustPolicyLimit) {
    throw new Error(
      `${role.node.path}: the trust policy for ${accounts.length} auto-reconciling accounts is ${size} characters, ` +
        `over IAM's ${trustPolicyLimit} (groundwork.yaml quotas.roleTrustPolicyLength): set organization.id in ` +
        'groundwork.yaml (expected "o-..."; found none) to scope it to the organization instead of listing accounts ' +
        '(the config validation reports this; was it skipped?)',
    );
  }
  // Managed policies, not inline ones (NIST 800-53 AC-6: reviewable on their own): as many as IAM's 6,144
  // characters need, one up to about 50 environment names of 32 characters (each validated at synth).
  reconciler.startBuildPolicies(pipelineStack, 'DriftReconcilePolicy', {
    roles: [role],
    description: `Start ${reconciler.projectName} for the auto-reconciling environments, and nothing else`,
  });
}

/**
 * A policy document as IAM stores it once CloudFormation has deployed it, for its size: resolved, without white
 * space, with the partition the stack's region is in (`{"Ref":"AWS::Partition"}` and the `Fn::Join` around it
 * are CloudFormation's, not IAM's). Other intrinsics stay as written: the drift-reconcile role's trust has none
 * (its organization id and accounts are literals). Not for a policy with others: a `Ref` or `Fn::GetAtt` can
 * resolve to a longer value than its JSON form (a resource's ARN), and the size would be understated.
 */
function deployedPolicyText(stack: Stack, document: iam.PolicyDocument): string {
  const partition = (!Token.isUnresolved(stack.region) && RegionInfo.get(stack.region).partition) || undefined;
  const substitute = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(substitute);
    if (typeof value !== 'object' || value === null) return value;
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    if (partition && keys.length === 1 && object.Ref === 'AWS::Partition') return partition;
    const join = object['Fn::Join'];
    if (keys.length === 1 && Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      const parts = join[1].map(substitute);
      if (parts.every((part) => typeof part === 'string')) return parts.join(join[0]);
    }
    return Object.fromEntries(keys.map((key) => [key, substitute(object[key])]));
  };
  return JSON.stringify(substitute(stack.resolve(document.toJSON())));
}

/** The ARN of the drift-reconcile role of pipeline `pipelineName` (driftReconcileRole), in the tooling account. */
function driftReconcileRoleArn(pipelineStack: Stack, pipelineName: string): string {
  return `arn:${pipelineStack.partition}:iam::${pipelineStack.account}:role/${pipelineName}${DRIFT_RECONCILE_ROLE_SUFFIX}`;
}
