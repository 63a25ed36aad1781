import { Token } from 'aws-cdk-lib';
import { BootstrapContract } from './bootstrap-contract';

// Internal helpers shared by the constructs of this package (not exported from index.ts).

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@\-/]+$/;
// An IAM role name: 1-64 letters, digits and +=,.@_- (IAM CreateRole, RoleName).
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
// A role ARN in a policy's Resource: IAM wildcards allowed in the account and the name.
const ROLE_ARN_RESOURCE = /^arn:aws[a-z-]*:iam::(\d{12}|\*):role\/[\w+=,.@\-/*?]+$/;
// A role name pattern must name something: at least 3 literal characters before any wildcard.
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{3,}[\w+=,.@\-*?/]*$/;
const SERVICE_PREFIX = /^[a-z0-9][a-z0-9-]*$/;
// A CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128), or a pattern of
// one with IAM wildcards after at least 3 literal characters; '*' alone means every stack.
const STACK_NAME_PATTERN = /^(\*|[A-Za-z][A-Za-z0-9-]{2,}[A-Za-z0-9-*?]*)$/;

/** Services whose `<svc>:*` would let the execution role leave the deployment job. */
export const FORBIDDEN_SERVICES = ['organizations', 'account', 'sts', 'sso', 'identitystore'];

export function validateAccountId(path: string, prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!ACCOUNT_ID.test(value)) {
    throw new Error(`${path}: ${prop} must be a 12-digit AWS account id string, found '${value}'`);
  }
}

/**
 * Refuses a role that trusts roles of the account it is deployed into, when both ids are literal (a token, e.g. an
 * environment-agnostic stack's account, is left unchecked). A role name pattern of the role's own account is open
 * to every principal there that may create a role matching it (the deployment pipeline creates roles), and an exact
 * ARN to every principal that may change that role: the audit or break-glass role would no longer be separate from
 * the account it watches.
 */
export function validateOtherAccount(
  path: string,
  prop: string,
  trustedAccountId: string,
  deployedAccountId: string,
): void {
  if (Token.isUnresolved(trustedAccountId) || Token.isUnresolved(deployedAccountId)) return;
  if (trustedAccountId === deployedAccountId) {
    throw new Error(
      `${path}: ${prop} must be an account other than the one the role is deployed into, found '${trustedAccountId}', the stack's own account (its roles matching the trust could be created or changed by principals of that account, e.g. the deployment pipeline, and then assume this role)`,
    );
  }
}

export function validateQualifier(path: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  if (!BootstrapContract.isValidQualifier(value)) {
    throw new Error(`${path}: qualifier must match [a-z0-9]{1,10} (the CDK bootstrap contract), found '${value}'`);
  }
}

/** The account whose roles a construct trusts, for error messages: `{ id, label: 'pipeline account', prop }`. */
export interface TrustedAccount {
  readonly id: string;
  /** What the account is to the construct, e.g. 'pipeline account' or 'security account'. */
  readonly label: string;
  /** The prop that names it, e.g. 'pipelineAccountId'. */
  readonly prop: string;
}

export function validateRoleArns(path: string, prop: string, arns: string[], account: TrustedAccount): void {
  for (const arn of arns) {
    if (Token.isUnresolved(arn)) {
      throw new Error(`${path}: ${prop} must be literal role ARNs so that the trust can be reviewed, found a token`);
    }
    const match = ROLE_ARN.exec(arn);
    if (!match) {
      throw new Error(
        `${path}: ${prop} must contain IAM role ARNs (arn:aws:iam::<account>:role/<name>), found '${arn}'`,
      );
    }
    if (match[1] !== account.id) {
      throw new Error(
        `${path}: ${prop} must name roles in the ${account.label} ${account.id} (${account.prop}), found '${arn}'`,
      );
    }
  }
}

/** Role ARNs, literal or with tokens (a token part is left to IAM), for a policy's Resource. */
export function validateRoleArnResources(path: string, prop: string, arns: string[]): void {
  for (const arn of arns) {
    if (!Token.isUnresolved(arn) && !ROLE_ARN_RESOURCE.test(arn)) {
      throw new Error(
        `${path}: ${prop} must contain IAM role ARNs (arn:aws:iam::<account>:role/<name>), found '${arn}'`,
      );
    }
  }
}

export function validateRoleNamePatterns(path: string, prop: string, patterns: string[]): void {
  for (const pattern of patterns) {
    if (!ROLE_NAME_PATTERN.test(pattern)) {
      throw new Error(
        `${path}: ${prop} entries must be role names or name patterns starting with at least 3 literal characters (e.g. 'groundwork-pipeline-*'), found '${pattern}'`,
      );
    }
  }
}

// A name prefix valid in both an EventBridge rule name and a CloudWatch alarm name, at least 3 characters.
const ALERT_NAME_PREFIX = /^[A-Za-z0-9._-]{3,}$/;

/** Literal name prefixes of alert rules and alarms, no wildcards (the boundary appends one). */
export function validateAlertNamePrefixes(path: string, prop: string, prefixes: string[]): void {
  for (const prefix of prefixes) {
    if (Token.isUnresolved(prefix) || !ALERT_NAME_PREFIX.test(prefix) || prefix.length > 60) {
      throw new Error(
        `${path}: ${prop} entries must be literal name prefixes of 3 to 60 letters, digits or ._- (no wildcards, e.g. 'groundwork-break-glass-'), found '${prefix}'`,
      );
    }
  }
}

/** Exact IAM role names (no wildcards, paths or ARNs); a token (another construct's role name) is left to IAM. */
export function validateRoleNames(path: string, prop: string, names: string[]): void {
  for (const name of names) {
    if (!Token.isUnresolved(name) && !ROLE_NAME.test(name)) {
      throw new Error(
        `${path}: ${prop} entries must be IAM role names (1-64 letters, digits and +=,.@_-; no wildcards, paths or ARNs), found '${name}'`,
      );
    }
  }
}

export function validateServices(path: string, prop: string, services: string[], allowEmpty: boolean): void {
  if (!allowEmpty && services.length === 0) {
    throw new Error(`${path}: ${prop} must list at least one service prefix (e.g. ['ec2', 's3']), found an empty list`);
  }
  for (const svc of services) {
    if (!SERVICE_PREFIX.test(svc)) {
      throw new Error(
        `${path}: ${prop} entries must be bare IAM service prefixes such as 'ec2' (no '*', no actions), found '${svc}'`,
      );
    }
    if (FORBIDDEN_SERVICES.includes(svc)) {
      throw new Error(
        `${path}: ${prop} must not contain '${svc}': it would let the deployment reach beyond the account's resources`,
      );
    }
  }
}

export function validateStackNamePatterns(path: string, prop: string, patterns: string[]): void {
  if (patterns.length === 0) {
    throw new Error(`${path}: ${prop} must name at least one stack (or '*' for every stack), found an empty list`);
  }
  for (const pattern of patterns) {
    if (Token.isUnresolved(pattern) || !STACK_NAME_PATTERN.test(pattern) || pattern.length > 128) {
      throw new Error(
        `${path}: ${prop} entries must be CloudFormation stack names or name patterns starting with at least 3 literal characters (e.g. 'acme-dev-*'), or '*', found '${pattern}'`,
      );
    }
  }
}

/** The bootstrap stack's name, or a pattern of names; never '*', which would deny every stack to the deploy role. */
export function validateToolkitStackName(path: string, name: string): void {
  if (Token.isUnresolved(name) || name === '*' || !STACK_NAME_PATTERN.test(name) || name.length > 128) {
    throw new Error(
      `${path}: toolkitStackName must be a CloudFormation stack name or a name pattern starting with at least 3 literal characters (e.g. 'CDKToolkit' or 'StackSet-acme-deployment-trust-*'), not '*', found '${name}'`,
    );
  }
}

// An SSM parameter's full name (letters, digits and _.-/ after a leading '/', at most 2048), IAM wildcards allowed.
const PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/*?]{1,2047}$/;

/** Full SSM parameter names or patterns of them; tokens are refused (the ARN is built from the name). */
export function validateParameterNames(path: string, prop: string, names: string[]): void {
  for (const name of names) {
    if (Token.isUnresolved(name) || !PARAMETER_NAME.test(name)) {
      throw new Error(
        `${path}: ${prop} entries must be full SSM parameter names starting with '/' (letters, digits, _.-/ and IAM wildcards, e.g. '/groundwork/dev/network/*'), found '${name}'`,
      );
    }
  }
}

/**
 * The template transform whose IAM resource ARN AWS documents (CloudFormation User Guide, "Controlling access
 * with IAM"): `arn:<partition>:cloudformation:<region>:aws:transform/Serverless-2016-10-31`.
 */
export const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';

/** Template transform names: only the AWS SAM transform, literal (a token never equals it, so it is refused). */
export function validateTransforms(path: string, prop: string, transforms: string[]): void {
  for (const transform of transforms) {
    if (transform !== SAM_TRANSFORM) {
      throw new Error(
        `${path}: ${prop} entries must be '${SAM_TRANSFORM}' (the AWS SAM transform; it is the only transform whose IAM resource ARN, arn:<partition>:cloudformation:<region>:aws:transform/Serverless-2016-10-31, AWS documents for CreateChangeSet), found '${transform}'`,
      );
    }
  }
}

// A region name of any partition (us-east-1, us-gov-west-1, cn-north-1, eusc-de-east-1).
const REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
// A connection of the repository providers, under either service name; exact, no wildcards.
const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;
// The connection service under its name since the 2024 rename and its older one. Which of the two actions
// CodePipeline checks is not documented per ARN form (AWS's own managed policies grant both), so both are granted.
export const CONNECTION_SERVICE_PREFIXES = ['codeconnections', 'codestar-connections'];

/** Region names or '*'; a token (e.g. the stack's own region) is left to IAM. */
export function validateRegions(scopePath: string, prop: string, regions: string[]): void {
  if (regions.length === 0) {
    throw new Error(
      `${scopePath}: ${prop} must name at least one region (or '*' for every region), found an empty list`,
    );
  }
  for (const region of regions) {
    if (!Token.isUnresolved(region) && region !== '*' && !REGION_NAME.test(region)) {
      throw new Error(
        `${scopePath}: ${prop} entries must be AWS region names such as 'us-east-1', or '*', found '${region}'`,
      );
    }
  }
}

/** One literal region name (no '*', no token): where an exact role ARN is built from it. */
export function validateRegionName(scopePath: string, prop: string, region: string): void {
  if (!REGION_NAME.test(region)) {
    throw new Error(`${scopePath}: ${prop} must be an AWS region name such as 'us-east-1', found '${region}'`);
  }
}

/** Exact connection ARNs; a token (a connection of the same app) is left to IAM. */
export function validateConnectionArns(scopePath: string, arns: string[], boundaryServices: string[]): void {
  for (const arn of arns) {
    if (!Token.isUnresolved(arn) && !CONNECTION_ARN.test(arn)) {
      throw new Error(
        `${scopePath}: passableConnectionArns entries must be connection ARNs (arn:aws:codeconnections:<region>:<account>:connection/<id>, or codestar-connections), found '${arn}'`,
      );
    }
  }
  const missing = CONNECTION_SERVICE_PREFIXES.filter((prefix) => !boundaryServices.includes(prefix));
  if (arns.length > 0 && missing.length > 0) {
    throw new Error(
      `${scopePath}: passableConnectionArns needs the boundary to allow PassConnection under both service names: runtimeServices (or allowedServices) must include 'codeconnections' and 'codestar-connections', found ${missing.length === 2 ? 'neither' : `no '${missing[0]}'`}`,
    );
  }
}
