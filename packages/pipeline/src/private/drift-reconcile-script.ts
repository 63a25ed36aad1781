/*
 * The program the DriftReconciler's CodeBuild project runs (Node.js 20, CommonJS). It is kept here as text and
 * written into the project's inline buildspec (base64, so no shell or YAML quoting can change it), with the
 * allow-list of environments and stacks baked in at synthesis. test/drift-reconciler.test.ts decodes it from
 * the synthesized buildspec and runs it against a fake CloudFormation client.
 *
 * Why a drift-aware change set: redeploying an unchanged template does not revert drift (a traditional change
 * set compares the new template with the previous one, and they are equal). CreateChangeSet with
 * `DeploymentMode: REVERT_DRIFT` compares the template with the live state of the resources and brings the
 * drifted ones back in line with it. `UsePreviousTemplate: true`: the template the pipeline last deployed,
 * nothing new from Git.
 *
 * The request comes from an environment account (its drift detector starts the build through the reconcile
 * role), so the program trusts nothing in it but names it can check against the allow-list: an environment or
 * stack outside it is refused before any AWS call.
 *
 * Constraints on the text below (it sits in a String.raw template literal): no backquote and no dollar sign
 * followed by a brace. Backslashes are kept as written.
 */

/**
 * The version of `@aws-sdk/client-cloudformation` (and `@aws-sdk/client-sts`, released together) the build
 * installs. Checked on 2026-11-29 with `npm view @aws-sdk/client-cloudformation version` (3.1169.0, the
 * latest then, published 2026-11-13) and by installing it: its `dist-types/models/enums.d.ts` declares
 * `DeploymentMode = { REVERT_DRIFT: "REVERT_DRIFT" }`, and `CreateChangeSetInput` has `DeploymentMode?`
 * (models_0.d.ts). An older client would drop the member it does not know, and the change set would be a
 * plain one that reverts nothing: raise the pin, never lower it below a version with DeploymentMode.
 */
export const CLOUDFORMATION_SDK_VERSION = '3.1169.0';

/** The build's environment variable that names the environment to reconcile. */
export const ENVIRONMENT_VARIABLE = 'GROUNDWORK_RECONCILE_ENVIRONMENT';
/** The build's environment variable that names the drifted stacks, comma-separated. */
export const STACKS_VARIABLE = 'GROUNDWORK_RECONCILE_STACKS';

/** One entry of the allow-list baked into the program. */
export interface ReconcileTarget {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly stackNames: string[];
}

const BODY = String.raw`
const ENVIRONMENT_VARIABLE = 'GROUNDWORK_RECONCILE_ENVIRONMENT';
const STACKS_VARIABLE = 'GROUNDWORK_RECONCILE_STACKS';
// What the CDK CLI passes to CloudFormation for every deployment.
const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];
// How CloudFormation says that a change set would change nothing (the prefixes the CDK CLI checks).
const NO_CHANGES = ["The submitted information didn't contain changes.", 'No updates are to be performed.'];
// Stack states an UPDATE change set can start from.
const UPDATABLE = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'];
const POLL_SECONDS = 10;
// 10 seconds each: 2 hours, beyond the build's own timeout.
const MAX_POLLS = 720;

class Refused extends Error {}

/** The environment and stacks the build may reconcile, from its environment variables; throws Refused. */
function parseRequest(env, allowList) {
  const name = String(env[ENVIRONMENT_VARIABLE] || '').trim();
  const allowed = allowList.map((e) => e.name);
  const target = allowList.find((e) => e.name === name);
  if (!target) {
    throw new Refused('refused: environment "' + name + '" is not one this reconciler may change (allowed: ' + allowed.join(', ') + ')');
  }
  const stacks = [];
  for (const part of String(env[STACKS_VARIABLE] || '').split(',')) {
    const stack = part.trim();
    if (stack !== '' && !stacks.includes(stack)) stacks.push(stack);
  }
  if (stacks.length === 0) {
    throw new Refused('refused: ' + STACKS_VARIABLE + ' names no stack of ' + name);
  }
  const outside = stacks.filter((s) => !target.stackNames.includes(s));
  if (outside.length > 0) {
    throw new Refused('refused: ' + outside.join(', ') + ' not among the stacks of ' + name + ' this reconciler may change (' + target.stackNames.join(', ') + '); nothing was changed');
  }
  return { environment: target, stacks };
}

/** The partition of the build's ARN (CODEBUILD_BUILD_ARN), for the role ARNs. */
function partitionOf(buildArn) {
  const match = /^arn:(aws[a-z-]*):codebuild:/.exec(String(buildArn || ''));
  if (!match) throw new Error('CODEBUILD_BUILD_ARN is not a CodeBuild build ARN: "' + buildArn + '"');
  return match[1];
}

/** The CDK bootstrap roles of the environment (BootstrapContract in @groundwork/cross-account-roles). */
function bootstrapRoleArns(partition, qualifier, account, region) {
  const arn = (kind) => 'arn:' + partition + ':iam::' + account + ':role/cdk-' + qualifier + '-' + kind + '-' + account + '-' + region;
  return { deploy: arn('deploy-role'), execution: arn('cfn-exec-role') };
}

async function describeStack(cfn, stackName) {
  const result = await cfn.describeStacks({ StackName: stackName });
  const stack = (result.Stacks || [])[0];
  if (!stack) throw new Error(stackName + ': not found');
  return stack;
}

/** What failed since the execution started, from the stack's newest events. */
async function failureReasons(cfn, stackName, since) {
  try {
    const events = (await cfn.describeStackEvents({ StackName: stackName })).StackEvents || [];
    return events
      .filter((e) => /FAILED$/.test(e.ResourceStatus || '') && (!e.Timestamp || new Date(e.Timestamp).getTime() >= since))
      .slice(0, 10)
      .map((e) => e.LogicalResourceId + ' ' + e.ResourceStatus + ': ' + (e.ResourceStatusReason || 'no reason given'));
  } catch (error) {
    return ['(could not read the stack events: ' + error.message + ')'];
  }
}

/**
 * Reverts the drift of one stack: a drift-aware change set on the deployed template and parameters, executed
 * when it changes something. Returns 'in sync' or 'reverted'; throws otherwise.
 */
async function reconcileStack(cfn, stackName, executionRoleArn, io) {
  const stack = await describeStack(cfn, stackName);
  if (!UPDATABLE.includes(stack.StackStatus)) {
    throw new Error(stackName + ': status ' + stack.StackStatus + ', from which no change set can update it (a deployment may be running; the next drift check tries again)');
  }
  const changeSetName = 'groundwork-revert-drift-' + io.now();
  const created = await cfn.createChangeSet({
    StackName: stackName,
    ChangeSetName: changeSetName,
    ChangeSetType: 'UPDATE',
    DeploymentMode: 'REVERT_DRIFT',
    UsePreviousTemplate: true,
    Parameters: (stack.Parameters || []).map((p) => ({ ParameterKey: p.ParameterKey, UsePreviousValue: true })),
    Capabilities: CAPABILITIES,
    RoleARN: executionRoleArn,
    Description: 'Groundwork drift reconcile: revert drift to the deployed template',
  });
  const changeSet = created.Id || changeSetName;
  let description;
  for (let poll = 0; ; poll++) {
    description = await cfn.describeChangeSet({ StackName: stackName, ChangeSetName: changeSet });
    if (description.Status !== 'CREATE_PENDING' && description.Status !== 'CREATE_IN_PROGRESS') break;
    if (poll >= MAX_POLLS) throw new Error(stackName + ': change set ' + changeSet + ' still ' + description.Status + ' after ' + MAX_POLLS + ' polls');
    await io.sleep(POLL_SECONDS);
  }
  const reason = description.StatusReason || 'no reason given';
  if (description.Status === 'FAILED' && NO_CHANGES.some((prefix) => reason.startsWith(prefix))) {
    try {
      await cfn.deleteChangeSet({ StackName: stackName, ChangeSetName: changeSet });
    } catch (error) {
      io.log(stackName + ': could not delete the empty change set ' + changeSet + ': ' + error.message);
    }
    return 'in sync';
  }
  if (description.Status !== 'CREATE_COMPLETE' || description.ExecutionStatus !== 'AVAILABLE') {
    throw new Error(stackName + ': change set ' + changeSet + ' is ' + description.Status + '/' + description.ExecutionStatus + ': ' + reason);
  }
  for (const change of description.Changes || []) {
    const rc = change.ResourceChange || {};
    io.log(stackName + ': ' + rc.Action + ' ' + rc.LogicalResourceId + ' (' + rc.ResourceType + ')' + (rc.Replacement === 'True' ? ', replacement' : ''));
  }
  const started = io.now();
  await cfn.executeChangeSet({ StackName: stackName, ChangeSetName: changeSet });
  let after;
  for (let poll = 0; ; poll++) {
    await io.sleep(POLL_SECONDS);
    after = await describeStack(cfn, stackName);
    if (!/_IN_PROGRESS$/.test(after.StackStatus)) break;
    if (poll >= MAX_POLLS) throw new Error(stackName + ': still ' + after.StackStatus + ' after ' + MAX_POLLS + ' polls');
  }
  if (after.StackStatus !== 'UPDATE_COMPLETE') {
    const reasons = await failureReasons(cfn, stackName, started);
    throw new Error(stackName + ': the revert ended in ' + after.StackStatus + (after.StackStatusReason ? ' (' + after.StackStatusReason + ')' : '') + (reasons.length > 0 ? '\n  ' + reasons.join('\n  ') : ''));
  }
  return 'reverted';
}

/**
 * The whole build: refuse what is not allowed, then revert each requested stack through the environment's
 * deploy role, and fail (throw) if any stack could not be reverted.
 */
async function run(io) {
  const request = parseRequest(io.env, io.allowList);
  const target = request.environment;
  const roles = bootstrapRoleArns(partitionOf(io.env.CODEBUILD_BUILD_ARN), io.qualifier, target.account, target.region);
  io.log('reverting drift in ' + target.name + ' (' + target.account + '/' + target.region + '): ' + request.stacks.join(', '));
  const cfn = io.cloudFormation({
    region: target.region,
    roleArn: roles.deploy,
    sessionName: ('groundwork-reconcile-' + target.name).slice(0, 64),
  });
  const failures = [];
  for (const stack of request.stacks) {
    try {
      io.log(stack + ': ' + (await reconcileStack(cfn, stack, roles.execution, io)));
    } catch (error) {
      io.log('FAILED ' + error.message);
      failures.push(error.message);
    }
  }
  if (failures.length > 0) {
    throw new Error('drift in ' + target.name + ' not reverted for ' + failures.length + ' of ' + request.stacks.length + ' stacks:\n' + failures.join('\n'));
  }
}

/** Credentials of the deploy role, assumed again 5 minutes before they expire (its sessions last 1 hour). */
function assumedRole(sts, roleArn, sessionName, now) {
  let cached;
  return async () => {
    if (!cached || new Date(cached.expiration).getTime() - now() < 5 * 60 * 1000) {
      const { Credentials: c } = await sts.assumeRole({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 });
      cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    }
    return cached;
  };
}

module.exports = { ALLOW_LIST, QUALIFIER, Refused, parseRequest, partitionOf, bootstrapRoleArns, reconcileStack, run, assumedRole };

if (require.main === module) {
  const { CloudFormation } = require('@aws-sdk/client-cloudformation');
  const { STS } = require('@aws-sdk/client-sts');
  const sts = new STS({});
  const now = () => Date.now();
  run({
    env: process.env,
    allowList: ALLOW_LIST,
    qualifier: QUALIFIER,
    cloudFormation: (o) => new CloudFormation({ region: o.region, credentials: assumedRole(sts, o.roleArn, o.sessionName, now) }),
    sleep: (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    now,
    log: (line) => console.log(line),
  }).then(
    () => console.log('drift reconcile done'),
    (error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}
`;

/** The program, with the allow-list and the bootstrap qualifier baked in. */
export function reconcileScript(allowList: ReconcileTarget[], qualifier: string): string {
  const list = allowList.map((t) => ({ name: t.name, account: t.account, region: t.region, stackNames: t.stackNames }));
  return [
    "'use strict';",
    '// Groundwork drift reconcile (@groundwork/pipeline DriftReconciler, src/private/drift-reconcile-script.ts).',
    `const ALLOW_LIST = ${JSON.stringify(list)};`,
    `const QUALIFIER = ${JSON.stringify(qualifier)};`,
    BODY,
  ].join('\n');
}
