import {
  RenderedResource,
  asArray,
  conditionVariants,
  flattenToString,
  isNoValue,
  managedPolicyArns,
  possibleElements,
  possibleValues,
} from './cfn-template';

/** An IAM policy statement as written in a template (single values not yet wrapped in lists). */
export interface PolicyStatement {
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: { [operator: string]: { [key: string]: unknown } };
}

const STANDALONE_POLICY_TYPES = new Set([
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy',
]);
const INLINE_POLICY_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);
/**
 * AWS SAM resources whose `Policies` the SAM transform turns into their execution role's policies: each
 * entry an inline policy document, an AWS managed policy's name or ARN, or a SAM policy template.
 */
const SAM_POLICY_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Serverless::StateMachine']);

/** True when the resource type carries identity-based policy statements that the IAM rules read. */
export function carriesIdentityPolicies(type: string): boolean {
  return STANDALONE_POLICY_TYPES.has(type) || INLINE_POLICY_TYPES.has(type) || SAM_POLICY_TYPES.has(type);
}

/** True when the resource type attaches managed policies: a role, user or group, or a SAM function or state machine. */
export function attachesManagedPolicies(type: string): boolean {
  return INLINE_POLICY_TYPES.has(type) || SAM_POLICY_TYPES.has(type);
}

/** A SAM `Policies` entry that is an inline policy document (not a policy name, an ARN or a SAM policy template). */
function isSamPolicyDocument(entry: unknown): boolean {
  return typeof entry === 'object' && entry !== null && !Array.isArray(entry) && 'Statement' in entry;
}

/**
 * Whether a role, user or group attaches the AWS managed policy `policyName` in its `ManagedPolicyArns`:
 * `arn:<partition>:iam::aws:policy/<policyName>` in any partition, written literally, through `Fn::Join`
 * or `Fn::Sub` with the partition (ManagedPolicy.fromAwsManagedPolicyName renders `Fn::Join`), or in
 * either branch of an `Fn::If`. The `$` anchor keeps look-alikes such as `AdministratorAccess-Amplify` out.
 * A SAM function or state machine attaches it with that ARN or with the bare policy name in its `Policies`.
 */
export function attachesAwsManagedPolicy(resource: RenderedResource, policyName: string): boolean {
  const escaped = policyName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const arn = new RegExp(`:iam::aws:policy/${escaped}$`);
  if (INLINE_POLICY_TYPES.has(resource.Type)) {
    return managedPolicyArns(resource).some((a) => arn.test(a));
  }
  if (SAM_POLICY_TYPES.has(resource.Type)) {
    return possibleElements(resource.Properties.Policies)
      .filter((entry) => !isSamPolicyDocument(entry))
      .map(flattenToString)
      .some((entry) => entry === policyName || arn.test(entry));
  }
  return false;
}

/**
 * Every statement of every identity-based policy the resource defines (standalone or inline), in every
 * form the template's conditions allow: an inline policy list, a policy or a document behind an `Fn::If`
 * counts in each of its branches (see statementsOf).
 */
export function identityPolicyStatements(resource: RenderedResource): PolicyStatement[] {
  const documents: unknown[] = [];
  if (STANDALONE_POLICY_TYPES.has(resource.Type)) {
    documents.push(resource.Properties.PolicyDocument);
  } else if (INLINE_POLICY_TYPES.has(resource.Type)) {
    for (const policy of possibleElements(resource.Properties.Policies)) {
      documents.push((policy as { PolicyDocument?: unknown }).PolicyDocument);
    }
  } else if (SAM_POLICY_TYPES.has(resource.Type)) {
    documents.push(...possibleElements(resource.Properties.Policies).filter(isSamPolicyDocument));
  }
  return documents.flatMap(statementsOf);
}

/** The statement elements whose `Fn::If` branches give the statement different meanings. */
const STATEMENT_KEYS = ['Effect', 'Principal', 'Action', 'NotAction', 'Resource', 'NotResource'];

/**
 * Statements of one policy document; CloudFormation accepts the document as an object or a JSON string
 * (plain, or built with `Fn::Join`/`Fn::Sub`: see parseDocumentText). A document, a statement list or a statement behind an `Fn::If` counts in each of its branches, and a
 * statement whose Effect, Principal, Action, NotAction, Resource or NotResource is an `Fn::If` is returned
 * once per combination of branches (`AWS::NoValue` removes the element): what a condition grants in one
 * deployment is granted.
 */
export function statementsOf(document: unknown): PolicyStatement[] {
  return possibleValues(document)
    .filter((d) => !isNoValue(d))
    .flatMap((d) => {
      const parsed = typeof d === 'string' || isTextIntrinsic(d) ? parseDocumentText(flattenToString(d)) : d;
      if (!parsed || typeof parsed !== 'object') {
        return [];
      }
      return possibleElements((parsed as { Statement?: unknown }).Statement)
        .filter((s): s is PolicyStatement => typeof s === 'object' && !Array.isArray(s))
        .flatMap((s) => conditionVariants(s, STATEMENT_KEYS));
    });
}

/**
 * A policy given as JSON text built by `Fn::Join` or `Fn::Sub` (the string-typed policy properties, such as
 * AWS::Logs::ResourcePolicy's, written by aws-cdk-lib's L2s with a reference inside): CloudFormation joins
 * the text, and the service reads the JSON.
 */
function isTextIntrinsic(value: unknown): boolean {
  return value !== null && typeof value === 'object' && ('Fn::Join' in value || 'Fn::Sub' in value);
}

/**
 * A policy document from its JSON text, references written as `${...}` (flattenToString), which sit inside
 * JSON strings. Text that is still not JSON (a reference outside a string) is judged as the widest policy
 * it could be, one statement allowing every action on every resource to everyone, so that a policy the rules
 * cannot read fails them rather than passing unread.
 */
function parseDocumentText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };
  }
}

/** Allow statements only: a Deny never grants anything. */
export function isAllow(statement: PolicyStatement): boolean {
  return statement.Effect === 'Allow';
}

/**
 * The statement's actions as strings, lower-cased (IAM action names are case-insensitive). An entry
 * that is an `Fn::If` gives each of its branches: an action one deployment gets is granted.
 */
export function actionsOf(statement: PolicyStatement): string[] {
  return possibleElements(statement.Action).map((a) => flattenToString(a).toLowerCase());
}

/** The statement's resources as strings, every branch of an `Fn::If` entry included (as actionsOf). */
function resourcesOf(statement: PolicyStatement): string[] {
  return possibleElements(statement.Resource).map((r) => flattenToString(r));
}

/**
 * The statement's NotAction entries as strings, lower-cased. Empty when it has none. An entry that is an
 * `Fn::If` reads as an unknown pattern (flattenToString), which excludes nothing: it may be absent in
 * some deployment.
 */
function notActionsOf(statement: PolicyStatement): string[] {
  return asArray(statement.NotAction).map((a) => flattenToString(a).toLowerCase());
}

/** The statement's NotResource entries as strings (an `Fn::If` entry excludes nothing, as in notActionsOf). */
function notResourcesOf(statement: PolicyStatement): string[] {
  return asArray(statement.NotResource).map((r) => flattenToString(r));
}

/**
 * Whether the statement allows every action of a set, `coversSet` telling whether one action pattern
 * matches the whole set (`coversEveryAction`, `coversEveryActionOf`): one of its Action patterns does,
 * or, with NotAction (every action but the few it lists), none of its NotAction patterns does
 * (`NotAction: "*"` leaves nothing).
 */
export function allowsActionSet(statement: PolicyStatement, coversSet: (pattern: string) => boolean): boolean {
  return statement.NotAction !== undefined
    ? !notActionsOf(statement).some(coversSet)
    : actionsOf(statement).some(coversSet);
}

/**
 * Whether the statement allows a resource that `reaches` accepts (`coversEveryResource`, `mayBeIamResource`):
 * one of its Resource entries does, or, with NotResource (every resource but the few it lists), none of
 * its NotResource entries matches every resource (`NotResource: "*"` leaves nothing).
 */
export function allowsResourceReaching(statement: PolicyStatement, reaches: (resource: string) => boolean): boolean {
  return statement.NotResource !== undefined
    ? !notResourcesOf(statement).some(coversEveryResource)
    : resourcesOf(statement).some(reaches);
}

/** Whether the statement allows one named action (`sts:AssumeRoleWithWebIdentity`): by name, by a wildcard, or through NotAction. */
export function allowsAction(statement: PolicyStatement, action: string): boolean {
  return allowsActionSet(statement, (pattern) => wildcardRegExp(pattern).test(action));
}

// A character that no service prefix, action name or ARN contains, so that in a probe only a wildcard
// can match it.
const PROBE = '\u0000';

/** An IAM wildcard pattern (`*` any run of characters, `?` one character) as an anchored, case-insensitive RegExp. */
function wildcardRegExp(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

/**
 * Whether `pattern` matches each of `probes(1)` and `probes(n)`, n longer than the pattern. A probe holds
 * only fixed text and runs of PROBE, which the pattern can match with wildcards alone; matching both a
 * run of one and a run longer than the pattern means those wildcards take any non-empty run, i.e. any
 * name in its place.
 */
function matchesEveryName(pattern: string, probes: (run: string) => string[]): boolean {
  const regExp = wildcardRegExp(pattern);
  return [PROBE, PROBE.repeat(pattern.length + 1)].every((run) => probes(run).every((probe) => regExp.test(probe)));
}

/** Whether an action pattern matches every action of `service`: `iam:*` and also `*`, `*:*`, `i*`, `iam:?*`... */
export function coversEveryActionOf(pattern: string, service: string): boolean {
  return matchesEveryName(pattern, (run) => [`${service}:${run}`]);
}

/** Whether an action pattern matches every action of every service: `*`, `*:*`, `*:?*`... */
export function coversEveryAction(pattern: string): boolean {
  return matchesEveryName(pattern, (run) => [`${run}:${run}`]);
}

/** `${AWS::Partition}` (as flattenToString writes a `Ref`) contains colons; read it as a partition name. */
function withPartition(arn: string): string {
  return arn.replace(/\$\{AWS::Partition\}/g, 'aws');
}

/**
 * Whether a resource pattern matches every resource: `*`, or an ARN pattern such as `arn:*`,
 * `arn:aws:*` or `arn:aws:*:*:*:*` (probed with the ARN shapes of IAM, where region and account
 * may be empty, as in `arn:aws:s3:::bucket`, and the resource may hold `:` and `/`).
 */
export function coversEveryResource(pattern: string): boolean {
  const text = withPartition(pattern);
  const partition = /^arn:([^:*?]+):/i.exec(text)?.[1] ?? PROBE;
  return matchesEveryName(text, (run) => [
    `arn:${partition}:${run}:${run}:${run}:${run}`,
    `arn:${partition}:${run}:::${run}`,
    `arn:${partition}:${run}:${run}:${run}:${run}/${run}:${run}`,
  ]);
}

/**
 * Whether an ARN pattern matches the ARN of every role in every account (`*`, `arn:*`, `arn:aws:iam::*:*`,
 * `arn:aws:iam::*:role/*`...): as an `aws:PrincipalArn` condition value it admits any caller that is a role.
 */
export function coversEveryRoleArn(pattern: string): boolean {
  const text = withPartition(pattern);
  const partition = /^arn:([^:*?]+):/i.exec(text)?.[1] ?? PROBE;
  return matchesEveryName(text, (run) => [`arn:${partition}:iam::${run}:role/${run}`]);
}

/**
 * Whether an aws:PrincipalArn pattern admits every role or every user of the account it names
 * (`arn:aws:iam::222222222222:*`, `...:role/*`, `...:user/*`), or of every account (coversEveryRoleArn).
 */
export function coversEveryPrincipalOfItsAccount(pattern: string): boolean {
  const text = withPartition(pattern);
  const match = /^arn:([^:*?]+):iam::([^:]*):/i.exec(text);
  if (!match) {
    return coversEveryRoleArn(pattern);
  }
  const [, partition, account] = match;
  return (
    coversEveryRoleArn(pattern) ||
    matchesEveryName(text, (run) => [`arn:${partition}:iam::${account}:role/${run}`]) ||
    matchesEveryName(text, (run) => [`arn:${partition}:iam::${account}:user/${run}`])
  );
}

/**
 * Whether a resource may be an IAM resource. Only an ARN that names another service (`arn:aws:s3:::b`)
 * is known not to be; a reference we cannot read (`Fn::GetAtt`, an import) may be anything.
 */
export function mayBeIamResource(resource: string): boolean {
  const service = /^arn:[^:]*:([^:]*):/i.exec(withPartition(resource))?.[1];
  return service === undefined || service.includes('$') || wildcardRegExp(service).test('iam');
}
