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
 * - it answers CloudFormation itself (PUT to the pre-signed ResponseURL), so it needs no framework
 *   function: cr.Provider would add a second function, itself directly invokable, and a file asset.
 *
 * The code is a string (plain JavaScript for the Node.js runtime, which ships AWS SDK for JavaScript v3)
 * so that exactly what is deployed inline (lambda.Code.fromInline) is what the tests run
 * (test/guardrail-handler.test.ts). CloudFormation puts inline code in a file `index` and zips it; the
 * zip may be at most 4 MB (AWS::Lambda::Function Code.ZipFile, CloudFormation User Guide); the old
 * 4,096-character limit was lifted (aws-cdk#20624). This code is about 8 KB.
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

// Plain ES2020 CommonJS for the Node.js runtime: no backticks inside (the code is itself a template literal).
// SDK clients are loaded on first use.
export const GUARDRAIL_HANDLER_CODE = `'use strict';
// @groundwork/security-baseline AccountGuardrails. Applies only the settings in this function's
// environment (fixed at synthesis), never the event's properties; reverts only while CloudFormation
// deletes the resource. Answers CloudFormation through the event's pre-signed ResponseURL.
const https = require('https');
const TYPES = ${JSON.stringify(GUARDRAIL_RESOURCE_TYPES)};
const PREFIXES = ${JSON.stringify(GUARDRAIL_PHYSICAL_ID_PREFIXES)};
const E = ${JSON.stringify(GUARDRAIL_ENV)};
const has = (o, k) => typeof k === 'string' && Object.prototype.hasOwnProperty.call(o, k);

function settingOf(type) {
  for (const s of Object.keys(TYPES)) if (TYPES[s] === type) return s;
  return undefined;
}

async function send(pkg, client, command, input) {
  const m = require('@aws-sdk/client-' + pkg);
  return new m[client]({}).send(new m[command](input));
}

async function apply(setting, settings, env) {
  if (setting === 's3') {
    await send('s3-control', 'S3ControlClient', 'PutPublicAccessBlockCommand', {
      AccountId: env[E.accountId],
      PublicAccessBlockConfiguration: settings.s3,
    });
  } else if (setting === 'ebs') {
    await send('ec2', 'EC2Client', 'EnableEbsEncryptionByDefaultCommand', {});
  } else {
    await send('iam', 'IAMClient', 'UpdateAccountPasswordPolicyCommand', settings.password);
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

async function revert(setting, env) {
  try {
    if (setting === 's3') {
      await send('s3-control', 'S3ControlClient', 'DeletePublicAccessBlockCommand', { AccountId: env[E.accountId] });
    } else if (setting === 'ebs') {
      await send('ec2', 'EC2Client', 'DisableEbsEncryptionByDefaultCommand', {});
    } else {
      await send('iam', 'IAMClient', 'DeleteAccountPasswordPolicyCommand', {});
    }
  } catch (e) {
    if (e && ABSENT[setting].includes(e.name)) return 'reverted ' + setting + ' (it was already absent)';
    throw e;
  }
  return 'reverted ' + setting;
}

// A revert needs CloudFormation to be deleting exactly this resource of this stack: a direct caller
// cannot fake the stack's state, and a resource that is only updated or replaced is not reverted.
async function requireDeletion(event, env, physicalId) {
  const out = await send('cloudformation', 'CloudFormationClient', 'DescribeStackResourceCommand', {
    StackName: env[E.stackId],
    LogicalResourceId: event.LogicalResourceId,
  });
  const d = (out && out.StackResourceDetail) || {};
  if (d.ResourceStatus !== 'DELETE_IN_PROGRESS' || d.ResourceType !== event.ResourceType || d.PhysicalResourceId !== physicalId) {
    throw new Error('refused to revert: CloudFormation is not deleting ' + event.LogicalResourceId +
      ' (found ' + [d.ResourceType, d.PhysicalResourceId, d.ResourceStatus].join(', ') + ')');
  }
}

async function run(event, env, setting, physicalId) {
  if (event.StackId !== env[E.stackId]) {
    throw new Error('not an event of this function\\'s stack: ' + event.StackId);
  }
  if (setting === undefined) throw new Error('unknown resource type ' + event.ResourceType);
  if (event.RequestType === 'Create' || event.RequestType === 'Update') {
    const settings = JSON.parse(env[E.settings]);
    if (!has(settings, setting)) throw new Error(setting + ' is not enabled in this function');
    await apply(setting, settings, env);
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
  await requireDeletion(event, env, physicalId);
  return revert(setting, env);
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

exports.handler = async function (event) {
  const env = process.env;
  const setting = settingOf(event.ResourceType);
  const physicalId = setting === undefined ? undefined : PREFIXES[setting] + '-' + env[E.owner];
  let status = 'SUCCESS';
  let reason;
  try {
    reason = await run(event, env, setting, physicalId);
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
