/**
 * The Lambda function behind AccountGuardrails' custom resources (GuardrailEnforcement.CUSTOM_RESOURCE).
 *
 * It replaces aws-cdk-lib's AwsCustomResource, whose provider function makes whatever SDK call its
 * invocation event names, with its role's permissions: anyone allowed lambda:InvokeFunction on it could
 * switch S3 Block Public Access off or weaken the password policy. This function takes nothing from the
 * event but which setting (the resource type) and which phase (the request type):
 * - the settings it applies are in its environment, fixed at synthesis (GUARDRAIL_SETTINGS); the
 *   resource properties are never read, so a direct caller can at most apply the configured settings again;
 * - it reverts a setting only with revertOnDelete (GUARDRAIL_REVERT), only for a resource that applied it
 *   (the function's own physical id, which only a successful Create or Update answers), and only while
 *   CloudFormation is really deleting that resource of this stack (DescribeStackResource on the stack of
 *   GUARDRAIL_STACK_ID: DELETE_IN_PROGRESS, same type, same physical id). The Delete of a resource that
 *   never applied its setting (a failed or cancelled creation) reverts nothing and succeeds, so that the
 *   rollback does not open the account nor get stuck; a setting already reverted counts as reverted;
 * - a refused revert answers the caller the same whatever the stack holds; what DescribeStackResource
 *   found (or its error) goes to the function's log only;
 * - it answers CloudFormation itself (PUT to the pre-signed ResponseURL), so it needs no framework
 *   function: cr.Provider would add a second function, itself directly invokable, and a file asset.
 *   It answers before its Lambda timeout: FAILED at its deadline (the timeout less
 *   GUARDRAIL_RESPONSE_MARGIN_MS) if an SDK call has not answered by then; that call is aborted and no
 *   other call starts after the deadline (no revert once FAILED is answered). The ResponseURL is not checked
 *   beyond https (see the README): a direct caller can have the response body PUT to a URL of its choosing;
 * - a call that AWS denies is retried a few times (GUARDRAIL_RETRY_DELAYS_MS): the policy attached just
 *   before the resource may not be in effect yet. Any other error fails at once.
 *
 * The code is a string (plain JavaScript for the Node.js runtime, which ships AWS SDK for JavaScript v3)
 * so that exactly what is deployed inline (lambda.Code.fromInline) is what the tests run
 * (test/guardrail-handler.test.ts). CloudFormation puts inline code in a file `index` and zips it; the
 * zip may be at most 4 MB (AWS::Lambda::Function Code.ZipFile, CloudFormation User Guide); the old
 * 4,096-character limit was lifted (aws-cdk#20624). This code is about 12 KB.
 */

/** The custom resource type of each setting. */
export const GUARDRAIL_RESOURCE_TYPES = {
  s3: 'Custom::GroundworkS3AccountPublicAccessBlock',
  ebs: 'Custom::GroundworkEbsEncryptionByDefault',
  password: 'Custom::GroundworkIamAccountPasswordPolicy',
} as const;

export type GuardrailSetting = keyof typeof GUARDRAIL_RESOURCE_TYPES;

/** The physical id the function gives each setting's resource; the function's construct address follows it. */
export const GUARDRAIL_PHYSICAL_ID_PREFIXES: { [setting in GuardrailSetting]: string } = {
  s3: 's3-account-public-access-block',
  ebs: 'ebs-encryption-by-default',
  password: 'iam-password-policy',
};

/** The function's environment: every value is fixed at synthesis. */
export const GUARDRAIL_ENV = {
  /** JSON: the enabled settings, `{ s3?: PublicAccessBlockConfiguration, ebs?: true, password?: UpdateAccountPasswordPolicy input }`. */
  settings: 'GUARDRAIL_SETTINGS',
  /** "true" with revertOnDelete. */
  revert: 'GUARDRAIL_REVERT',
  /** The ARN of the stack (AWS::StackId): the only stack whose events the function accepts. */
  stackId: 'GUARDRAIL_STACK_ID',
  /** The account, for S3 Control. */
  accountId: 'GUARDRAIL_ACCOUNT_ID',
  /** The construct's address, so each AccountGuardrails' function reverts only its own resources. */
  owner: 'GUARDRAIL_OWNER',
} as const;

/**
 * The waits before each retry of a call that AWS denies: IAM is eventually consistent, so the setting's
 * policy, attached just before its resource is created, may not yet authorize the function's first call
 * (IAM User Guide, "Changes that I make are not always immediately visible"). 5 attempts over 15 s at most.
 */
export const GUARDRAIL_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000] as const;

/**
 * The time the function keeps, before its Lambda timeout, to log and answer CloudFormation (one PUT of at
 * most 4,096 bytes): an SDK call still pending then is given up and the answer is FAILED.
 */
export const GUARDRAIL_RESPONSE_MARGIN_MS = 10_000;

// Plain ES2020 CommonJS for the Node.js runtime: no backticks inside (the code is itself a template literal).
// SDK clients are loaded on first use. setTimeout and the Lambda context are the only clock.
export const GUARDRAIL_HANDLER_CODE = `'use strict';
// @groundwork/security-baseline AccountGuardrails. Applies only the settings in this function's
// environment (fixed at synthesis), never the event's properties; reverts only while CloudFormation
// deletes the resource. Answers CloudFormation through the event's pre-signed ResponseURL.
const https = require('https');
const TYPES = ${JSON.stringify(GUARDRAIL_RESOURCE_TYPES)};
const PREFIXES = ${JSON.stringify(GUARDRAIL_PHYSICAL_ID_PREFIXES)};
const E = ${JSON.stringify(GUARDRAIL_ENV)};
const RETRY_DELAYS_MS = ${JSON.stringify(GUARDRAIL_RETRY_DELAYS_MS)};
const RESPONSE_MARGIN_MS = ${GUARDRAIL_RESPONSE_MARGIN_MS};
const has = (o, k) => typeof k === 'string' && Object.prototype.hasOwnProperty.call(o, k);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function settingOf(type) {
  for (const s of Object.keys(TYPES)) if (TYPES[s] === type) return s;
  return undefined;
}

// The error codes of a denied call (SDK v3 names the error after the code): S3 Control, IAM and
// CloudFormation answer AccessDenied, EC2 UnauthorizedOperation (EC2 API Reference, error codes).
const DENIED = ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'];

// The invocation's time limit: the Lambda timeout less RESPONSE_MARGIN_MS, from the Lambda context. At the
// deadline (beforeDeadline) the call in flight is aborted and none starts after it: the answer is FAILED by
// then, and the rest of run (a revert after its check) would otherwise go on while the response is sent (or in
// a later invocation, where Lambda reuses the environment and its pending work).
function deadlineOf(context) {
  const budget = context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS;
  return {
    budget,
    left: () => context.getRemainingTimeInMillis() - RESPONSE_MARGIN_MS,
    pending: undefined,
    expired: false,
    aborter: new AbortController(),
  };
}

// One SDK call; a denied one is tried again after each of RETRY_DELAYS_MS that ends before the deadline.
async function send(deadline, pkg, client, command, input) {
  const m = require('@aws-sdk/client-' + pkg);
  const c = new m[client]({});
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    if (deadline.expired) throw new Error(command + ' not sent: the function answered FAILED at its deadline');
    deadline.pending = command;
    try {
      const out = await c.send(new m[command](input), { abortSignal: deadline.aborter.signal });
      deadline.pending = undefined;
      return out;
    } catch (e) {
      deadline.pending = undefined;
      if (!(e && DENIED.includes(e.name))) throw e;
      const delay = RETRY_DELAYS_MS[attempt - 1];
      if (delay === undefined || delay >= deadline.left()) {
        if (attempt === 1) throw e;
        throw new Error(String(e.message || e.name) + ' (denied ' + attempt + ' times in ' + waited / 1000 + ' s)');
      }
      await sleep(delay);
      waited += delay;
    }
  }
}

async function apply(deadline, setting, settings, env) {
  if (setting === 's3') {
    await send(deadline, 's3-control', 'S3ControlClient', 'PutPublicAccessBlockCommand', {
      AccountId: env[E.accountId],
      PublicAccessBlockConfiguration: settings.s3,
    });
  } else if (setting === 'ebs') {
    await send(deadline, 'ec2', 'EC2Client', 'EnableEbsEncryptionByDefaultCommand', {});
  } else {
    await send(deadline, 'iam', 'IAMClient', 'UpdateAccountPasswordPolicyCommand', settings.password);
  }
}

// The errors that say a setting is already in its reverted state: IAM DeleteAccountPasswordPolicy answers
// NoSuchEntity when the account has no password policy (IAM API Reference; SDK v3 names the error
// NoSuchEntityException); S3 Control names a missing account configuration NoSuchPublicAccessBlockConfiguration
// (GetPublicAccessBlock, S3 API Reference). Policy deleted by hand, by another stack's revert, or by this
// very revert before a response PUT failed and Lambda ran the event again: the deletion must not fail on it.
const ABSENT = {
  s3: ['NoSuchPublicAccessBlockConfiguration'],
  ebs: [],
  password: ['NoSuchEntityException', 'NoSuchEntity'],
};

async function revert(deadline, setting, env) {
  try {
    if (setting === 's3') {
      await send(deadline, 's3-control', 'S3ControlClient', 'DeletePublicAccessBlockCommand', { AccountId: env[E.accountId] });
    } else if (setting === 'ebs') {
      await send(deadline, 'ec2', 'EC2Client', 'DisableEbsEncryptionByDefaultCommand', {});
    } else {
      await send(deadline, 'iam', 'IAMClient', 'DeleteAccountPasswordPolicyCommand', {});
    }
  } catch (e) {
    if (e && ABSENT[setting].includes(e.name)) return 'reverted ' + setting + ' (it was already absent)';
    throw e;
  }
  return 'reverted ' + setting;
}

// A revert needs CloudFormation to be deleting exactly this resource of this stack: a direct caller
// cannot fake the stack's state, and a resource that is only updated or replaced is not reverted. The
// caller gets one answer whatever the stack holds (what was found, or CloudFormation's error, would tell
// it the stack's resources); the details go to the function's log.
async function requireDeletion(deadline, event, env, setting, physicalId) {
  const refused = (details) => {
    console.log(JSON.stringify(Object.assign({ refusedRevert: event.LogicalResourceId }, details)));
    return new Error('refused to revert ' + setting + ': could not confirm that CloudFormation is deleting ' +
      event.LogicalResourceId + " (details in the function's log)");
  };
  let d;
  try {
    const out = await send(deadline, 'cloudformation', 'CloudFormationClient', 'DescribeStackResourceCommand', {
      StackName: env[E.stackId],
      LogicalResourceId: event.LogicalResourceId,
    });
    d = (out && out.StackResourceDetail) || {};
  } catch (e) {
    throw refused({ checkFailed: String((e && e.message) || e) });
  }
  if (d.ResourceStatus !== 'DELETE_IN_PROGRESS' || d.ResourceType !== event.ResourceType || d.PhysicalResourceId !== physicalId) {
    throw refused({ found: { resourceType: d.ResourceType, physicalResourceId: d.PhysicalResourceId, resourceStatus: d.ResourceStatus } });
  }
}

async function run(deadline, event, env, setting, physicalId) {
  if (event.StackId !== env[E.stackId]) {
    throw new Error('not an event of this function\\'s stack: ' + event.StackId);
  }
  if (setting === undefined) throw new Error('unknown resource type ' + event.ResourceType);
  if (event.RequestType === 'Create' || event.RequestType === 'Update') {
    const settings = JSON.parse(env[E.settings]);
    if (!has(settings, setting)) throw new Error(setting + ' is not enabled in this function');
    await apply(deadline, setting, settings, env);
    return 'applied ' + setting;
  }
  if (event.RequestType !== 'Delete') throw new Error('unknown request type ' + event.RequestType);
  // Only a successful Create or Update answers the function's own physical id. CloudFormation deletes a
  // resource whose creation failed with the physical id of the FAILED response (aws-cdk#5525), and one
  // whose creation it cancelled (another resource failed first) with an id it generates
  // (cloudformation-coverage-roadmap#1814): that resource applied nothing, so there is nothing to revert,
  // and a FAILED answer would leave the stack in ROLLBACK_FAILED or DELETE_FAILED.
  if (event.PhysicalResourceId !== physicalId) {
    return 'nothing to revert: ' + event.PhysicalResourceId + ' is not ' + physicalId + ', so it never applied ' + setting;
  }
  if (env[E.revert] !== 'true') return 'left ' + setting + ' in place (revertOnDelete is off)';
  await requireDeletion(deadline, event, env, setting, physicalId);
  return revert(deadline, setting, env);
}

// CloudFormation accepts a response body of at most 4,096 bytes (CloudFormation User Guide, custom resource
// response objects). Only the reason can be long: an SDK error message, escaped in JSON up to 6 bytes a character.
const MAX_RESPONSE_BYTES = 4096;

// The body with the longest start of the reason that fits (a binary search over its length).
function serialize(body) {
  const reason = body.Reason;
  const fitting = (length) => {
    body.Reason = reason.slice(0, length);
    const data = JSON.stringify(body);
    return Buffer.byteLength(data) <= MAX_RESPONSE_BYTES ? data : undefined;
  };
  const whole = fitting(reason.length);
  if (whole !== undefined) return whole;
  let fits = 0;
  let tooLong = reason.length;
  while (tooLong - fits > 1) {
    const middle = Math.floor((fits + tooLong) / 2);
    if (fitting(middle) === undefined) tooLong = middle;
    else fits = middle;
  }
  // Only an event CloudFormation never sends (a physical id over its 1 KB) leaves nothing that fits.
  return fitting(fits) || JSON.stringify(body);
}

// The physical id of a Create's or Update's response decides what a later Delete may revert (see run): the
// function's own id only where the setting was applied. A failed Create gets an id of its own, so that the
// rollback's Delete of it reverts nothing; a failed Update keeps the resource's id, which CloudFormation
// expects unchanged in every response for the resource.
function physicalIdOf(event, physicalId, status) {
  if (status === 'SUCCESS' && physicalId !== undefined && (event.RequestType === 'Create' || event.RequestType === 'Update')) {
    return physicalId;
  }
  if (event.RequestType === 'Create') return (physicalId || event.LogicalResourceId || 'unknown') + '-create-failed';
  return event.PhysicalResourceId || event.LogicalResourceId || 'none';
}

function respond(url, data) {
  if (typeof url !== 'string' || !url.startsWith('https://')) return Promise.resolve();
  return new Promise((resolve, reject) => {
    // The pre-signed URL is signed without a content type.
    const req = https.request(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(data) },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error('response PUT: HTTP ' + res.statusCode))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

// The work, or FAILED at the deadline: a hung SDK call (the SDK sets no request timeout by default) would
// otherwise end only with the Lambda timeout, unanswered, and CloudFormation would wait for its own.
function beforeDeadline(deadline, work) {
  let timer;
  const expired = new Promise((resolve, reject) => {
    timer = setTimeout(() => {
      const error = new Error((deadline.pending || 'the function') + ' did not answer within ' +
        Math.round(deadline.budget / 1000) + ' s: answered FAILED ' + RESPONSE_MARGIN_MS / 1000 +
        " s before the function's " + Math.round((deadline.budget + RESPONSE_MARGIN_MS) / 1000) + ' s Lambda timeout');
      deadline.expired = true;
      deadline.aborter.abort();
      reject(error);
    }, deadline.budget);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

exports.handler = async function (event, context) {
  const env = process.env;
  const deadline = deadlineOf(context);
  const setting = settingOf(event.ResourceType);
  const physicalId = setting === undefined ? undefined : PREFIXES[setting] + '-' + env[E.owner];
  let status = 'SUCCESS';
  let reason;
  try {
    reason = await beforeDeadline(deadline, run(deadline, event, env, setting, physicalId));
  } catch (e) {
    status = 'FAILED';
    reason = String((e && e.message) || e);
  }
  console.log(JSON.stringify({ requestType: event.RequestType, logicalResourceId: event.LogicalResourceId,
    resourceType: event.ResourceType, status, reason }));
  const body = {
    Status: status,
    Reason: reason.slice(0, 1000),
    PhysicalResourceId: physicalIdOf(event, physicalId, status),
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  };
  const data = serialize(body);
  await respond(event.ResponseURL, data);
  return { Status: status, Reason: body.Reason };
};
`;
