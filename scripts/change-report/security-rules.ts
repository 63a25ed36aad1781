import type { CfnResource } from './cloud-assembly';
import { deepEqual, diffJson, formatPath, JsonDifference, PathSegment } from './json-diff';
import {
  describeBroadening,
  isIntrinsic,
  policyBroadening,
  policyGrants,
  PolicyGrant,
  renderValue,
  wildcardMatches,
} from './policy-statements';
import type { ReplacementSpec } from './replacement-spec';
import type { SecurityFindingKind } from './types';

/**
 * Security rules: small pure functions over one resource's change, in the
 * manner of cdk-nag rules. They judge transitions (what this pull request
 * makes worse), not absolute posture, which the cdk-nag packs check at synth.
 */

/** One resource in one stack, before and after. */
export interface ResourceChange {
  /** The logical id in head (in base, for a removed resource). */
  readonly logicalId: string;
  readonly type: string;
  /** Absent for an added resource. */
  readonly before?: CfnResource;
  /** Absent for a removed resource. */
  readonly after?: CfnResource;
  /** The base logical id, when the resource moved to a new one. */
  readonly renamedFrom?: string;
  /** What the template `after` belongs to can read: its resources' types, pseudo parameters, exports. */
  readonly scope?: TemplateScope;
  /** The same for the template `before` belongs to. */
  readonly beforeScope?: TemplateScope;
}

/**
 * What a template's values are read against: the types of its resources, the pseudo parameters
 * whose value is known before deployment, and the exports Fn::ImportValue can read.
 */
export interface TemplateScope {
  /** The type of each resource of the template, by logical id (to read what an Fn::GetAtt names). */
  readonly resourceTypes: { readonly [logicalId: string]: string };
  /** AWS::AccountId, AWS::Region and AWS::StackName, where known (see knownPseudoParameters). */
  readonly pseudoParameters?: { readonly [name: string]: string };
  /**
   * The exports of the assembly's stacks in the same account and Region, by export name: export
   * names are unique per account and Region, and Fn::ImportValue reads only exports of its own
   * Region (Fn::ImportValue reference).
   */
  readonly exports?: ReadonlyMap<string, StackExport>;
}

/** An output of a stack of the assembly with an Export: its Value, read in that stack's scope. */
export interface StackExport {
  /** The exporting stack's name. */
  readonly stack: string;
  readonly value: unknown;
  readonly scope: TemplateScope;
}

export interface RuleFinding {
  readonly kind: SecurityFindingKind;
  readonly detail: string;
}

export type SecurityRule = (change: ResourceChange, spec: ReplacementSpec) => RuleFinding[];

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The base version, only when it is the same kind of resource (a type change is a new resource). */
function comparableBefore(change: ResourceChange): CfnResource | undefined {
  return change.before && change.after && change.before.Type !== change.after.Type ? undefined : change.before;
}

function properties(resource: CfnResource | undefined): { [name: string]: unknown } {
  return resource?.Properties ?? {};
}

function propertyDiffs(change: ResourceChange): JsonDifference[] {
  const before = comparableBefore(change);
  if (!before || !change.after) return [];
  return diffJson(before.Properties ?? {}, change.after.Properties ?? {});
}

function lastName(path: readonly (string | number)[]): string | undefined {
  return [...path].reverse().find((s): s is string => typeof s === 'string');
}

// ---------------------------------------------------------------------------
// IAM permissions

/**
 * A policy document given as a JSON string (AWS::Logs::ResourcePolicy, or any Json property CDK
 * serialised: identity and trust policies included, CloudFormation accepts a string for them
 * too), also through Fn::Join with tokens (they become `${Id.Attr}` placeholders inside the JSON
 * strings). Anything else is returned as it is.
 */
export function parsePolicyDocument(value: unknown): unknown {
  const isJoin = isObject(value) && Object.keys(value).length === 1 && 'Fn::Join' in value;
  if (typeof value !== 'string' && !isJoin) return value;
  const text = renderValue(value);
  try {
    return JSON.parse(text);
  } catch {
    return value;
  }
}

const IDENTITY_POLICY_TYPES = new Set([
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy',
]);
const IDENTITY_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);
/** The property that names the one identity of an inline policy resource, and what it names. */
const SINGLE_TARGETS: readonly (readonly [string, string])[] = [
  ['RoleName', 'role'],
  ['UserName', 'user'],
  ['GroupName', 'group'],
];
/** Identities that take a PermissionsBoundary. */
const BOUNDED_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::User']);

function identityGrants(resource: CfnResource | undefined): PolicyGrant[] {
  if (!resource) return [];
  const props = properties(resource);
  const grants: PolicyGrant[] = [];
  if (IDENTITY_POLICY_TYPES.has(resource.Type)) grants.push(...policyGrants(parsePolicyDocument(props.PolicyDocument)));
  if (IDENTITY_TYPES.has(resource.Type)) {
    for (const policy of asList(props.Policies)) {
      // An entry behind Fn::If is no { PolicyName, PolicyDocument }: it is compared whole, as an opaque document.
      const document = isObject(policy) && !isIntrinsic(policy) ? policy.PolicyDocument : policy;
      grants.push(...policyGrants(parsePolicyDocument(document)));
    }
  }
  return grants;
}

function newListEntries(before: unknown, after: unknown): string[] {
  const old = new Set(asList(before).map(renderValue));
  return [...new Set(asList(after).map(renderValue))].filter((v) => !old.has(v)).sort();
}

/** A policy statement added or changed so that it allows more, a managed policy attached, or a policy attached to more identities. */
export const iamPermissionsRule: SecurityRule = (change) => {
  // A removed policy (not moved) is checked too: its Deny statements stop applying.
  const type = change.after?.Type ?? (change.renamedFrom ? undefined : change.before?.Type);
  if (!type || !(IDENTITY_POLICY_TYPES.has(type) || IDENTITY_TYPES.has(type))) return [];
  const before = comparableBefore(change);
  const details = describeBroadening(policyBroadening(identityGrants(before), identityGrants(change.after)), 'grant');
  const managed = newListEntries(properties(before).ManagedPolicyArns, properties(change.after).ManagedPolicyArns);
  if (managed.length > 0) details.push(`attaches managed policies ${managed.join(', ')}`);
  if (before && IDENTITY_POLICY_TYPES.has(type)) {
    for (const target of ['Roles', 'Users', 'Groups']) {
      const added = newListEntries(properties(before)[target], properties(change.after)[target]);
      if (added.length > 0) details.push(`now also applies to ${target.toLowerCase()} ${added.join(', ')}`);
    }
    // RolePolicy, UserPolicy and GroupPolicy name their one identity: a new name moves the
    // same grants to another identity, with no change to the document.
    for (const [target, label] of SINGLE_TARGETS) {
      const was = properties(before)[target];
      const now = properties(change.after)[target];
      if (was !== undefined && now !== undefined && !deepEqual(was, now)) {
        details.push(`now applies to ${label} ${renderValue(now)} (was ${renderValue(was)})`);
      }
    }
  }
  if (type === 'AWS::IAM::User') {
    const groups = newListEntries(properties(before).Groups, properties(change.after).Groups);
    if (groups.length > 0) details.push(`added to groups ${groups.join(', ')}`);
  }
  if (before && change.after && BOUNDED_TYPES.has(type)) {
    // The boundary caps every permission of the role or user: removing it (or pointing it
    // at another policy, which may allow more) can broaden access with no policy change.
    const was = properties(before).PermissionsBoundary;
    const now = properties(change.after).PermissionsBoundary;
    if (was !== undefined && now === undefined) {
      details.push(`permissions boundary removed (was ${renderValue(was)})`);
    } else if (was !== undefined && !deepEqual(was, now)) {
      details.push(`permissions boundary changed from ${renderValue(was)} to ${renderValue(now)}`);
    }
  }
  return details.map((detail) => ({ kind: 'iam-permissions-broadened', detail }));
};

/** Users added to a group with AWS::IAM::UserToGroupAddition: they get the group's permissions. */
export const groupMembershipRule: SecurityRule = (change) => {
  if (change.after?.Type !== 'AWS::IAM::UserToGroupAddition') return [];
  const before = comparableBefore(change);
  const group = properties(change.after).GroupName;
  const users = deepEqual(properties(before).GroupName, group)
    ? newListEntries(properties(before).Users, properties(change.after).Users)
    : newListEntries(undefined, properties(change.after).Users);
  return users.length > 0
    ? [{ kind: 'iam-permissions-broadened', detail: `adds users ${users.join(', ')} to group ${renderValue(group)}` }]
    : [];
};

/** A trust policy that lets new principals assume the role, or drops conditions. */
export const iamTrustRule: SecurityRule = (change) => {
  if (change.after?.Type !== 'AWS::IAM::Role') return [];
  const before = policyGrants(parsePolicyDocument(properties(comparableBefore(change)).AssumeRolePolicyDocument));
  const after = policyGrants(parsePolicyDocument(properties(change.after).AssumeRolePolicyDocument));
  return describeBroadening(policyBroadening(before, after), 'trust').map((detail) => ({
    kind: 'iam-trust-widened',
    detail,
  }));
};

/**
 * Where each resource policy this report understands is held: a property, or a path into one
 * (DynamoDB's ResourcePolicy.PolicyDocument). Some take the document as a JSON string.
 */
const RESOURCE_POLICY_PROPERTY: { readonly [type: string]: string } = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::S3::AccessPoint': 'Policy',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::KMS::ReplicaKey': 'KeyPolicy',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SNS::TopicInlinePolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::SQS::QueueInlinePolicy': 'PolicyDocument',
  'AWS::ECR::Repository': 'RepositoryPolicyText',
  'AWS::ECR::RegistryPolicy': 'PolicyText',
  'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
  'AWS::Logs::ResourcePolicy': 'PolicyDocument',
  'AWS::Logs::Destination': 'DestinationPolicy',
  'AWS::Events::EventBusPolicy': 'Statement',
  'AWS::Events::EventBus': 'Policy',
  'AWS::ApiGateway::RestApi': 'Policy',
  'AWS::OpenSearchService::Domain': 'AccessPolicies',
  'AWS::Elasticsearch::Domain': 'AccessPolicies',
  'AWS::CodeArtifact::Domain': 'PermissionsPolicyDocument',
  'AWS::CodeArtifact::Repository': 'PermissionsPolicyDocument',
  'AWS::Backup::BackupVault': 'AccessPolicy',
  'AWS::EFS::FileSystem': 'FileSystemPolicy',
  'AWS::DynamoDB::Table': 'ResourcePolicy.PolicyDocument',
  'AWS::Kinesis::ResourcePolicy': 'ResourcePolicy',
  'AWS::Glue::ResourcePolicy': 'PolicyInJson',
  'AWS::EC2::VPCEndpoint': 'PolicyDocument',
  'AWS::Logs::LogGroup': 'ResourcePolicyDocument',
  'AWS::ECR::PublicRepository': 'RepositoryPolicyText',
};

/**
 * The policy of a VPC endpoint without PolicyDocument: "The default endpoint policy allows full
 * access to the service" (AWS::EC2::VPCEndpoint). Removing a policy falls back to it, and a new
 * endpoint is compared with it (no policy can allow more), as new security groups' egress is.
 */
const ENDPOINT_DEFAULT_POLICY = { Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] };

/**
 * The policy a resource holds, as a document. An EventBusPolicy holds one statement in
 * Statement, or (legacy form) Action, Principal (an account id or *) and Condition.
 */
function resourcePolicyDocument(resource: CfnResource | undefined, property: string): unknown {
  const props = properties(resource);
  if (resource?.Type === 'AWS::Events::EventBusPolicy') {
    if (props.Statement !== undefined) return { Statement: asList(parsePolicyDocument(props.Statement)) };
    if (props.Principal === undefined && props.Action === undefined) return undefined;
    return {
      Statement: [
        {
          Effect: 'Allow',
          Principal: props.Principal === '*' ? '*' : { AWS: props.Principal },
          Action: props.Action,
          Resource: props.EventBusName ?? 'default',
          ...(props.Condition !== undefined ? { Condition: props.Condition } : {}),
        },
      ],
    };
  }
  let value: unknown = props;
  for (const name of property.split('.')) value = isObject(value) ? value[name] : undefined;
  if (value === undefined && resource?.Type === 'AWS::EC2::VPCEndpoint') return ENDPOINT_DEFAULT_POLICY;
  return parsePolicyDocument(value);
}

/**
 * The resource policy types that are a resource of their own, attached to a resource that stays
 * when they are removed. Removing one drops its Deny statements (CDK removes the whole
 * BucketPolicy when `enforceSSL` is switched off and nothing else is left in it). A policy that is
 * a property (a key's KeyPolicy) goes with its resource: nothing is left for the Deny to protect.
 */
const STANDALONE_POLICY_TYPES = new Set([
  'AWS::S3::BucketPolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::TopicInlinePolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::SQS::QueueInlinePolicy',
  'AWS::ECR::RegistryPolicy',
  'AWS::SecretsManager::ResourcePolicy',
  'AWS::Logs::ResourcePolicy',
  'AWS::Events::EventBusPolicy',
  'AWS::Kinesis::ResourcePolicy',
  'AWS::Glue::ResourcePolicy',
]);

/**
 * A resource policy (bucket, access point, key, topic, queue, repository, secret, log, event bus,
 * REST API, search domain, CodeArtifact, backup vault, file system, table, stream, Glue catalog,
 * VPC endpoint, log group, public repository) that allows more than before, or a removed policy
 * resource that denied something.
 */
export const resourcePolicyRule: SecurityRule = (change) => {
  // A removed policy resource (not moved) is checked too, as for identity policies: its Deny
  // statements stop applying.
  const removed = !change.after && !change.renamedFrom ? change.before?.Type : undefined;
  const type = change.after?.Type ?? (removed && STANDALONE_POLICY_TYPES.has(removed) ? removed : undefined);
  const property = type ? RESOURCE_POLICY_PROPERTY[type] : undefined;
  if (!property) return [];
  const base = comparableBefore(change);
  const before = policyGrants(
    !base && type === 'AWS::EC2::VPCEndpoint' ? ENDPOINT_DEFAULT_POLICY : resourcePolicyDocument(base, property),
  );
  const after = policyGrants(resourcePolicyDocument(change.after, property));
  return describeBroadening(policyBroadening(before, after), 'grant').map((detail) => ({
    kind: 'resource-policy-broadened',
    detail: `${property}: ${detail}`,
  }));
};

// ---------------------------------------------------------------------------
// Values computed from literals

function hasOwn(object: object | undefined, key: string): boolean {
  return object !== undefined && Object.prototype.hasOwnProperty.call(object, key);
}

/**
 * The pseudo parameters whose value is known from the manifest: AWS::AccountId and AWS::Region
 * from `aws://account/region` (not for an environment-agnostic stack: `unknown-account`,
 * `unknown-region`), and AWS::StackName for a top-level stack. A nested stack's name is not known:
 * CloudFormation names it `Parent-LogicalId-<random>`.
 */
export function knownPseudoParameters(
  awsEnvironment: string | undefined,
  stackName: string | undefined,
): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  const target = /^aws:\/\/([^/]+)\/([^/]+)$/.exec(awsEnvironment ?? '');
  if (target && /^\d{12}$/.test(target[1])) out['AWS::AccountId'] = target[1];
  if (target && target[2] !== 'unknown-region') out['AWS::Region'] = target[2];
  if (stackName !== undefined) out['AWS::StackName'] = stackName;
  return out;
}

/** A value read through intrinsic functions. */
interface Evaluated {
  /** The value, or the template value itself when it cannot be read. */
  readonly value: unknown;
  /** The scope to read `value` in: the exporting stack's, for a value read through an import. */
  readonly scope?: TemplateScope;
  /** The exports read on the way, e.g. `export Edge-Cidr of stack edge`. */
  readonly via: readonly string[];
}

/** The functions an export name is read through: literals, Fn::Sub and Fn::Join of literals and pseudo parameters. */
const NAME_FUNCTIONS: ReadonlySet<string> = new Set(['Ref', 'Fn::Sub', 'Fn::Join']);
/** Imports of imports and the like: deeper than this is left unread (and an export cycle ends). */
const MAX_EVALUATION_DEPTH = 10;

/**
 * `value` with what can be computed before deployment computed: a pseudo parameter the manifest
 * gives, Fn::Sub and Fn::Join of such values, Fn::Select of a literal index in a literal list (or
 * Fn::Split of a literal string), and Fn::ImportValue of an export of the assembly (`scope.exports`),
 * read in the exporting stack's scope. Anything else, and an index out of range (a stack error,
 * per the Fn::Select reference), is returned as it is. `only` limits the functions read.
 */
function evaluate(value: unknown, scope: TemplateScope | undefined, only?: ReadonlySet<string>, depth = 0): Evaluated {
  const same: Evaluated = { value, scope, via: [] };
  if (depth > MAX_EVALUATION_DEPTH || !isObject(value) || Object.keys(value).length !== 1) return same;
  const [[fn, arg]] = Object.entries(value);
  if (only && !only.has(fn)) return same;
  const inner = (v: unknown) => evaluate(v, scope, only, depth + 1);
  switch (fn) {
    case 'Ref':
      return typeof arg === 'string' && hasOwn(scope?.pseudoParameters, arg)
        ? { value: scope!.pseudoParameters![arg], scope, via: [] }
        : same;
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return same;
      const list = only ? { value: arg[1], scope, via: [] } : evaluateList(arg[1], scope, depth + 1);
      if (!list || !Array.isArray(list.value)) return same;
      const parts = list.value.map((v) => evaluate(v, list.scope, only, depth + 1));
      if (!parts.every((p) => typeof p.value === 'string')) return same;
      return {
        value: parts.map((p) => p.value).join(arg[0]),
        scope,
        via: [...list.via, ...parts.flatMap((p) => p.via)],
      };
    }
    case 'Fn::Sub': {
      const [text, variables = {}] = Array.isArray(arg) ? arg : [arg];
      if (typeof text !== 'string' || !isObject(variables)) return same;
      const via: string[] = [];
      let complete = true;
      // `${!Literal}` is written as `${Literal}` (Fn::Sub reference).
      const out = text.replace(/\$\{([^}]*)\}/g, (match, name: string) => {
        if (name.startsWith('!')) return '${' + name.slice(1) + '}';
        const part = hasOwn(variables, name) ? inner(variables[name]) : inner({ Ref: name });
        if (typeof part.value !== 'string') complete = false;
        via.push(...part.via);
        return typeof part.value === 'string' ? part.value : match;
      });
      return complete ? { value: out, scope, via } : same;
    }
    case 'Fn::ImportValue': {
      const name = evaluate(arg, scope, NAME_FUNCTIONS).value;
      const exported = typeof name === 'string' ? scope?.exports?.get(name) : undefined;
      if (!exported) return same;
      const read = evaluate(exported.value, exported.scope, only, depth + 1);
      return { ...read, via: [`export ${name} of stack ${exported.stack}`, ...read.via] };
    }
    case 'Fn::Select': {
      if (!Array.isArray(arg) || arg.length !== 2) return same;
      const index = inner(arg[0]).value;
      const position =
        typeof index === 'number' ? index : typeof index === 'string' && /^\d+$/.test(index) ? Number(index) : NaN;
      const list = evaluateList(arg[1], scope, depth + 1);
      if (!Number.isInteger(position) || position < 0 || !list) return same;
      if (!Array.isArray(list.value)) {
        // A list attribute read through an import (a VPC's Ipv6CidrBlocks): selected in the exporting stack.
        return list.via.length > 0
          ? { value: { 'Fn::Select': [position, list.value] }, scope: list.scope, via: list.via }
          : same;
      }
      if (position >= list.value.length) return same;
      const element = evaluate(list.value[position], list.scope, only, depth + 1);
      return { ...element, via: [...list.via, ...element.via] };
    }
    default:
      return same;
  }
}

/**
 * A list value: a literal list, Fn::Split of a string that evaluates, or (as CDK exports a list:
 * Fn::Join with `||`, imported as Fn::Split with `||`) the joined list itself, read through an
 * import, when the delimiters are the same. Undefined when it is no list this can read.
 */
function evaluateList(value: unknown, scope: TemplateScope | undefined, depth: number): Evaluated | undefined {
  if (Array.isArray(value)) return { value, scope, via: [] };
  const split = isObject(value) && Object.keys(value).length === 1 ? value['Fn::Split'] : undefined;
  // The delimiter of Fn::Split is a literal string: no function may give it (Fn::Split reference).
  if (!Array.isArray(split) || split.length !== 2 || typeof split[0] !== 'string') return { value, scope, via: [] };
  const source = evaluate(split[1], scope, undefined, depth + 1);
  if (typeof source.value === 'string') return { ...source, value: source.value.split(split[0]) };
  const join = isObject(source.value) && Object.keys(source.value).length === 1 ? source.value['Fn::Join'] : undefined;
  if (source.via.length === 0 || !Array.isArray(join) || join.length !== 2 || join[0] !== split[0]) return undefined;
  if (!Array.isArray(join[1])) return { ...source, value: join[1] };
  // Fn::Split cuts at every delimiter, inside an element too: a string element that holds it is
  // several elements, and an element not known (a parameter may hold it) leaves the positions
  // after it unknown, so the list ends there.
  const elements: unknown[] = [];
  const via = [...source.via];
  for (const element of join[1]) {
    const part = evaluate(element, source.scope, undefined, depth + 1);
    if (typeof part.value !== 'string') {
      elements.push(element);
      break;
    }
    elements.push(...part.value.split(split[0]));
    via.push(...part.via);
  }
  return { ...source, value: elements, via };
}

/** The literal string a template value evaluates to (an export name: literal, Fn::Sub, Fn::Join, pseudo parameters). */
export function exportName(value: unknown, pseudoParameters: { readonly [name: string]: string }): string | undefined {
  const name = evaluate(value, { resourceTypes: {}, pseudoParameters }, NAME_FUNCTIONS).value;
  return typeof name === 'string' ? name : undefined;
}

// ---------------------------------------------------------------------------
// Security groups

interface IngressRule {
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  /**
   * The source (ingress) or destination (egress): `cidr4:0.0.0.0/0`, `cidr6:::/0`,
   * `sg:${Other.GroupId}`, `pl:pl-123`; `rule:${Param}` for a rule that is no object.
   */
  readonly source: string;
  /** The Fn::If branches that choose this rule: `IsProd` (true branch), `!IsProd` (false branch). */
  readonly conditions: readonly string[];
  /** Where the source is, e.g. `Properties.SecurityGroupIngress[0].CidrIp`. */
  readonly where: string;
  /** The EC2 default a group without egress rules gets. */
  readonly implicit?: boolean;
  /**
   * The peer as read: as the template gives it (`CidrIp: {Fn::GetAtt: ...}`), or what it evaluates
   * to (see evaluatePeer), to tell which tokens are read.
   */
  readonly peer?: unknown;
  /** The resource types of the template `peer` is read in (the exporting stack's, for an import). */
  readonly peerTypes?: TemplateScope['resourceTypes'];
  /** How a peer that was evaluated was given, e.g. `given as ${Import:Edge-Cidr}, export Edge-Cidr of stack edge`. */
  readonly readAs?: string;
}

type Direction = 'ingress' | 'egress';

/** The property names of the peer of a rule, per direction (CIDR, IPv6 CIDR, group, prefix list). */
const PEER_KEYS: { readonly [direction in Direction]: readonly [string, string][] } = {
  ingress: [
    ['CidrIp', 'cidr4'],
    ['CidrIpv6', 'cidr6'],
    ['SourceSecurityGroupId', 'sg'],
    ['SourcePrefixListId', 'pl'],
    ['SourceSecurityGroupName', 'other'],
  ],
  egress: [
    ['CidrIp', 'cidr4'],
    ['CidrIpv6', 'cidr6'],
    ['DestinationSecurityGroupId', 'sg'],
    ['DestinationPrefixListId', 'pl'],
  ],
};

const PROTOCOL_NUMBERS: { readonly [name: string]: string } = {
  tcp: '6',
  udp: '17',
  icmp: '1',
  icmpv6: '58',
  all: '-1',
};
const WORLD = new Set(['cidr4:0.0.0.0/0', 'cidr6:::/0']);

/** One way a template value may turn out: a branch of each Fn::If on the way, and the conditions choosing it. */
interface Choice {
  /** Undefined for AWS::NoValue: the property, or list entry, is left out. */
  readonly value: unknown;
  readonly path: readonly PathSegment[];
  readonly conditions: readonly string[];
}

/** Both branches of an Fn::If (nested ones too, skipping contradictory combinations); any other value is its one choice. */
function choices(value: unknown, path: readonly PathSegment[], conditions: readonly string[] = []): Choice[] {
  if (isObject(value) && Object.keys(value).length === 1) {
    const arg = value['Fn::If'];
    if (Array.isArray(arg) && arg.length === 3) {
      const name = renderValue(arg[0]);
      return [
        ...(conditions.includes(`!${name}`) ? [] : choices(arg[1], [...path, 'Fn::If', 1], [...conditions, name])),
        ...(conditions.includes(name) ? [] : choices(arg[2], [...path, 'Fn::If', 2], [...conditions, `!${name}`])),
      ];
    }
    if (value.Ref === 'AWS::NoValue') return [{ value: undefined, path, conditions }];
  }
  return [{ value, path, conditions: [...new Set(conditions)] }];
}

/** The entries of a rule list, one choice per way each may turn out; `empty` lists the conditions under which none is left. */
function ruleListChoices(list: unknown, path: readonly PathSegment[]): { entries: Choice[]; empty: string[][] } {
  const entries: Choice[] = [];
  const empty: string[][] = [];
  for (const branch of choices(list, path)) {
    const raw = branch.value === undefined ? [] : Array.isArray(branch.value) ? branch.value : [branch.value];
    const perEntry = raw.map((entry, i) => choices(entry, [...branch.path, i], branch.conditions));
    entries.push(...perEntry.flat().filter((c) => c.value !== undefined));
    // Every entry left out (AWS::NoValue) under the first conditions that leave it out: the list is empty.
    const gone = perEntry.map((c) => c.find((e) => e.value === undefined));
    if (gone.every((c) => c !== undefined)) {
      const conditions = [...new Set([...branch.conditions, ...gone.flatMap((c) => c!.conditions)])];
      if (!conditions.some((c) => conditions.includes(`!${c}`))) empty.push(conditions);
    }
  }
  return { entries, empty };
}

const RULE_KEYS = ['IpProtocol', 'FromPort', 'ToPort'];

/** Every rule an entry may be: one per combination of the Fn::If branches of its protocol, ports and peer. */
function toIngressRules(entry: Choice, direction: Direction = 'ingress', scope?: TemplateScope): IngressRule[] {
  if (!isObject(entry.value) || isIntrinsic(entry.value)) {
    // A Ref to a parameter, an Fn::FindInMap...: nothing to read, any port from anywhere.
    const rendered = renderValue(entry.value);
    return [
      {
        protocol: '-1',
        fromPort: 0,
        toPort: 65535,
        source: `rule:${rendered}`,
        conditions: entry.conditions,
        where: formatPath(entry.path),
      },
    ];
  }
  const rule = entry.value;
  let variants: Choice[] = [{ value: {}, path: entry.path, conditions: entry.conditions }];
  for (const key of [...RULE_KEYS, ...PEER_KEYS[direction].map(([k]) => k)].filter((k) => rule[k] !== undefined)) {
    variants = variants.flatMap((variant) =>
      choices(rule[key], [...entry.path, key], variant.conditions).map((c) => ({
        value: c.value === undefined ? variant.value : { ...(variant.value as object), [key]: c.value },
        path: PEER_KEYS[direction].some(([k]) => k === key) ? c.path : variant.path,
        conditions: c.conditions,
      })),
    );
  }
  return variants.map((variant) => toIngressRule(variant, direction, scope));
}

/**
 * A CIDR peer that evaluates (see evaluate) to a literal, or to the range of a VPC or subnet of
 * the stack it is read in: judged as if the template gave that. Undefined for anything else: the
 * peer is then judged as the template gives it.
 */
function evaluatePeer(peer: unknown, scope: TemplateScope | undefined): Evaluated | undefined {
  const read = evaluate(peer, scope);
  if (read.value === peer) return undefined;
  return typeof read.value === 'string' || isOwnNetworkRange(read.value, read.scope?.resourceTypes) ? read : undefined;
}

function toIngressRule(variant: Choice, direction: Direction, scope?: TemplateScope): IngressRule {
  const rule = variant.value as { [key: string]: unknown };
  const name = renderValue(rule.IpProtocol ?? '-1').toLowerCase();
  const protocol = PROTOCOL_NUMBERS[name] ?? name;
  // -1 means every port (and, for ICMP, every type); a token port is unknown, so assume every port.
  let fromPort = Number(rule.FromPort ?? 0);
  let toPort = Number(rule.ToPort ?? 65535);
  if (protocol === '-1' || fromPort === -1 || Number.isNaN(fromPort) || Number.isNaN(toPort)) {
    fromPort = 0;
    toPort = 65535;
  }
  const peer = PEER_KEYS[direction].find(([key]) => rule[key] !== undefined);
  const given = peer ? rule[peer[0]] : undefined;
  const read = peer && peer[1].startsWith('cidr') ? evaluatePeer(given, scope) : undefined;
  const value = read ? read.value : given;
  const source = peer ? `${peer[1]}:${renderValue(value)}` : 'other:';
  const shown = read && (read.via.length > 0 || renderValue(given) !== renderValue(value));
  return {
    protocol,
    fromPort,
    toPort,
    source,
    conditions: variant.conditions,
    where: formatPath(variant.path),
    peer: value,
    peerTypes: (read ? read.scope : scope)?.resourceTypes,
    ...(shown ? { readAs: [`given as ${renderValue(given)}`, ...read.via].join(', ') } : {}),
  };
}

interface Cidr {
  readonly family: 'cidr4' | 'cidr6';
  readonly network: bigint;
  readonly bits: number;
}

function parseIpv6(address: string): bigint | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => acc * 65536n + BigInt(parseInt(g, 16)), 0n);
}

/** `cidr4:10.0.0.0/8` or `cidr6:2001:db8::/32` as numbers; undefined for tokens and anything else. */
function parseCidr(source: string): Cidr | undefined {
  const match = /^(cidr4|cidr6):(.+)\/(\d+)$/.exec(source);
  if (!match) return undefined;
  const family = match[1] as Cidr['family'];
  const width = family === 'cidr4' ? 32 : 128;
  const bits = Number(match[3]);
  if (bits > width) return undefined;
  let address: bigint | undefined;
  if (family === 'cidr4') {
    const octets = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(match[2]);
    address = octets ? octets.slice(1, 5).reduce((acc, o) => acc * 256n + BigInt(Number(o)), 0n) : undefined;
  } else {
    address = parseIpv6(match[2]);
  }
  if (address === undefined) return undefined;
  const size = 2n ** BigInt(width - bits);
  return { family, network: (address / size) * size, bits };
}

/** True when every address of `narrow` is in `wide`. */
function sourceContains(wide: string, narrow: string): boolean {
  if (wide === narrow) return true;
  // The world contains any source of its family, even one given as a token.
  if (WORLD.has(wide)) return narrow.startsWith(wide.slice(0, 6));
  const w = parseCidr(wide);
  const n = parseCidr(narrow);
  if (!w || !n || w.family !== n.family || w.bits > n.bits) return false;
  const size = 2n ** BigInt((w.family === 'cidr4' ? 32 : 128) - w.bits);
  return n.network / size === w.network / size;
}

/** Private ranges a very wide rule may still stay inside (RFC 1918, shared address space, IPv6 ULA and link-local). */
const PRIVATE_RANGES = [
  'cidr4:10.0.0.0/8',
  'cidr4:172.16.0.0/12',
  'cidr4:192.168.0.0/16',
  'cidr4:100.64.0.0/10',
  'cidr6:fc00::/7',
  'cidr6:fe80::/10',
];

/**
 * A public range so wide it is most of the internet: IPv4 /8 or wider, IPv6 /16 or wider
 * (e.g. 0.0.0.0/1 plus 128.0.0.0/1, or 2000::/3, all global unicast), outside the private ranges.
 */
function isWidePublicRange(source: string): boolean {
  const cidr = parseCidr(source);
  if (!cidr || cidr.bits > (cidr.family === 'cidr4' ? 8 : 16)) return false;
  return !PRIVATE_RANGES.some((range) => sourceContains(range, source));
}

/** Whether `wide` allows all `narrow` does, whenever `narrow` applies (its conditions include those of `wide`). */
function ruleCovers(wide: IngressRule, narrow: IngressRule): boolean {
  return (
    wide.conditions.every((c) => narrow.conditions.includes(c)) &&
    (wide.protocol === '-1' || wide.protocol === narrow.protocol) &&
    wide.fromPort <= narrow.fromPort &&
    wide.toPort >= narrow.toPort &&
    sourceContains(wide.source, narrow.source)
  );
}

function describeRule(rule: IngressRule, direction: Direction = 'ingress'): string {
  const name = Object.keys(PROTOCOL_NUMBERS).find((n) => PROTOCOL_NUMBERS[n] === rule.protocol);
  const protocol = rule.protocol === '-1' ? 'all traffic' : (name ?? `protocol ${rule.protocol}`);
  const ports =
    rule.protocol === '-1' || (rule.fromPort === 0 && rule.toPort === 65535)
      ? 'all ports'
      : rule.fromPort === rule.toPort
        ? `port ${rule.fromPort}`
        : `ports ${rule.fromPort}-${rule.toPort}`;
  return (
    `${protocol}, ${ports}, ${direction === 'ingress' ? 'from' : 'to'} ${rule.source.replace(/^[a-z0-9]+:/, '')}` +
    (rule.readAs ? ` (${rule.readAs})` : '') +
    describeConditions(rule)
  );
}

/** ` (when condition IsProd is true)`, for a rule an Fn::If chooses. */
function describeConditions(rule: IngressRule): string {
  if (rule.conditions.length === 0) return '';
  const each = rule.conditions.map((c) =>
    c.startsWith('!') ? `condition ${c.slice(1)} is false` : `condition ${c} is true`,
  );
  return ` (when ${each.join(' and ')})`;
}

function ingressRules(resource: CfnResource | undefined, scope: TemplateScope | undefined): IngressRule[] {
  if (!resource) return [];
  if (resource.Type === 'AWS::EC2::SecurityGroup') {
    const list = ruleListChoices(properties(resource).SecurityGroupIngress, ['Properties', 'SecurityGroupIngress']);
    return list.entries.flatMap((entry) => toIngressRules(entry, 'ingress', scope));
  }
  if (resource.Type === 'AWS::EC2::SecurityGroupIngress') {
    return toIngressRules({ value: properties(resource), path: ['Properties'], conditions: [] }, 'ingress', scope);
  }
  return [];
}

/**
 * What a group without inline egress rules gets: EC2 adds rules allowing all outbound IPv4 and
 * IPv6 traffic (AWS::EC2::SecurityGroup reference). CDK's allowAllOutbound: false writes a
 * placeholder rule (ICMP 252-86 to 255.255.255.255/32) precisely to prevent this.
 */
function defaultEgress(conditions: readonly string[]): IngressRule[] {
  return ['cidr4:0.0.0.0/0', 'cidr6:::/0'].map((source) => ({
    protocol: '-1',
    fromPort: 0,
    toPort: 65535,
    source,
    conditions,
    where: 'Properties.SecurityGroupEgress',
    implicit: true,
  }));
}

function egressRules(resource: CfnResource | undefined, scope: TemplateScope | undefined): IngressRule[] {
  if (!resource) return [];
  if (resource.Type === 'AWS::EC2::SecurityGroup') {
    const list = ruleListChoices(properties(resource).SecurityGroupEgress, ['Properties', 'SecurityGroupEgress']);
    return [
      ...list.empty.flatMap(defaultEgress),
      ...list.entries.flatMap((entry) => toIngressRules(entry, 'egress', scope)),
    ];
  }
  if (resource.Type === 'AWS::EC2::SecurityGroupEgress') {
    return toIngressRules({ value: properties(resource), path: ['Properties'], conditions: [] }, 'egress', scope);
  }
  return [];
}

/**
 * Attributes that hold the address range of a VPC or subnet of the same template. CDK writes them
 * for a rule from the VPC (an interface endpoint's default `open: true` group, `Peer.ipv4(vpc.vpcCidrBlock)`,
 * `Fn::Select` of `vpc.vpcIpv6CidrBlocks`). Such a range is never the internet or a wide public range:
 * an IPv4 VPC block is /16 to /28 (EC2 CreateVpc API reference) and a subnet lies inside it; an
 * Amazon-provided IPv6 block is /56.
 */
const NETWORK_RANGE_ATTRIBUTES: { readonly [type: string]: readonly string[] } = {
  'AWS::EC2::VPC': ['CidrBlock', 'CidrBlockAssociations', 'Ipv6CidrBlocks'],
  'AWS::EC2::Subnet': ['CidrBlock', 'Ipv6CidrBlocks'],
};

/**
 * A `CidrIp`/`CidrIpv6` given as the range of a VPC or subnet of the template it is read in
 * (`types`: the importing template's, or the exporting one's for a value read through an import),
 * directly or by Fn::Select.
 */
function isOwnNetworkRange(peer: unknown, types: TemplateScope['resourceTypes'] | undefined): boolean {
  if (!isObject(peer) || Object.keys(peer).length !== 1 || !types) return false;
  const select = peer['Fn::Select'];
  if (Array.isArray(select) && select.length === 2) return isOwnNetworkRange(select[1], types);
  const getAtt = peer['Fn::GetAtt'];
  const [resource, attribute] =
    typeof getAtt === 'string' ? getAtt.split(/\.(.*)/) : Array.isArray(getAtt) ? getAtt : [];
  if (typeof resource !== 'string' || typeof attribute !== 'string') return false;
  const type = Object.prototype.hasOwnProperty.call(types, resource) ? types[resource] : undefined;
  return type !== undefined && Object.prototype.hasOwnProperty.call(NETWORK_RANGE_ATTRIBUTES, type)
    ? NETWORK_RANGE_ATTRIBUTES[type].includes(attribute)
    : false;
}

/** Rules of `after` that `before` did not allow: to or from the internet, a wider version of an old rule, or a wide public range. */
function openedRules(
  before: IngressRule[],
  after: IngressRule[],
  direction: Direction,
  kind: SecurityFindingKind,
  note: (rule: IngressRule) => string = () => '',
): RuleFinding[] {
  const findings: RuleFinding[] = [];
  for (const rule of after) {
    if (before.some((b) => ruleCovers(b, rule))) continue;
    if (WORLD.has(rule.source)) {
      findings.push({
        kind,
        detail: `${direction} open to the internet: ${describeRule(rule, direction)}${note(rule)}`,
      });
      continue;
    }
    if (rule.source.startsWith('rule:')) {
      findings.push({
        kind,
        detail:
          `${direction} rule cannot be evaluated: ${rule.where} is ${rule.source.slice('rule:'.length)}` +
          `${describeConditions(rule)}; check by hand what it allows`,
      });
      continue;
    }
    if (/^cidr[46]:/.test(rule.source) && !parseCidr(rule.source)) {
      if (isOwnNetworkRange(rule.peer, rule.peerTypes)) continue;
      // A parameter, an import or an attribute may hold any range, 0.0.0.0/0 included.
      findings.push({
        kind,
        detail:
          `${direction} ${direction === 'ingress' ? 'source' : 'destination'} cannot be evaluated: ${rule.where} is ` +
          `${rule.source.replace(/^[a-z0-9]+:/, '')}, in ${describeRule(rule, direction)}; check by hand that it ` +
          'is not the internet or a wide public range',
      });
      continue;
    }
    const widened = before.find(
      (b) => sourceContains(rule.source, b.source) && (b.protocol === rule.protocol || rule.protocol === '-1'),
    );
    if (widened) {
      findings.push({
        kind,
        detail: `${direction} widened from ${describeRule(widened, direction)} to ${describeRule(rule, direction)}`,
      });
    } else if (isWidePublicRange(rule.source)) {
      findings.push({
        kind,
        detail: `${direction} open to a wide public range: ${describeRule(rule, direction)}`,
      });
    }
  }
  return findings.filter((f, i) => findings.findIndex((g) => g.detail === f.detail) === i);
}

/** A standalone rule resource that moved to another group is a new rule on that group: nothing covers it. */
function sameGroup(change: ResourceChange, base: CfnResource | undefined): boolean {
  return (
    change.after?.Type === 'AWS::EC2::SecurityGroup' ||
    (deepEqual(properties(base).GroupId, properties(change.after).GroupId) &&
      deepEqual(properties(base).GroupName, properties(change.after).GroupName))
  );
}

/** New ingress from anywhere (0.0.0.0/0, ::/0), or an existing source given more ports or a wider address range. */
export const securityGroupIngressRule: SecurityRule = (change) => {
  const type = change.after?.Type;
  if (type !== 'AWS::EC2::SecurityGroup' && type !== 'AWS::EC2::SecurityGroupIngress') return [];
  const base = comparableBefore(change);
  const before = sameGroup(change, base) ? ingressRules(base, change.beforeScope) : [];
  return openedRules(before, ingressRules(change.after, change.scope), 'ingress', 'security-group-ingress-opened');
};

/**
 * Egress opened on an existing group (inline rules; all of them removed counts as the default
 * allow-all rules), or a standalone SecurityGroupEgress to the internet, a wider range or a wide
 * public range. A new group's egress is not reported: all outbound traffic is the EC2 and CDK default.
 */
export const securityGroupEgressRule: SecurityRule = (change) => {
  const type = change.after?.Type;
  if (type !== 'AWS::EC2::SecurityGroup' && type !== 'AWS::EC2::SecurityGroupEgress') return [];
  const base = comparableBefore(change);
  if (type === 'AWS::EC2::SecurityGroup' && !base) return [];
  const before = sameGroup(change, base) ? egressRules(base, change.beforeScope) : [];
  return openedRules(
    before,
    egressRules(change.after, change.scope),
    'egress',
    'security-group-egress-opened',
    (rule) =>
      rule.implicit
        ? ' (no SecurityGroupEgress rules left: the group may fall back to the EC2 default, all outbound traffic)'
        : '',
  );
};

// ---------------------------------------------------------------------------
// Encryption, logging, public access

/** Properties whose removal leaves data unencrypted at rest (or with an AWS-owned key instead of ours). */
const ENCRYPTION_PROPERTIES = new Set([
  'BucketEncryption',
  'ServerSideEncryptionConfiguration',
  'KmsKeyId',
  'KMSKeyId',
  'KmsKeyArn',
  'KmsMasterKeyId',
  'KMSMasterKeyId',
  // S3 BucketEncryption.ServerSideEncryptionConfiguration[].ServerSideEncryptionByDefault
  'KMSMasterKeyID',
  'StorageEncrypted',
  'Encrypted',
  'SSESpecification',
  'SSEEnabled',
  'EncryptionConfiguration',
  'StreamEncryption',
  'EncryptionKey',
]);
/** Boolean switches that turn encryption (or key rotation) off when false. */
const ENCRYPTION_SWITCHES = new Set([
  'StorageEncrypted',
  'Encrypted',
  'SSEEnabled',
  'EnableKeyRotation',
  'SqsManagedSseEnabled',
]);

/** S3 SSEAlgorithm values that encrypt with a KMS key. */
const KMS_ALGORITHMS = new Set(['aws:kms', 'aws:kms:dsse']);

function isFalse(value: unknown): boolean {
  return value === false || value === 'false';
}

function describeDiff(d: JsonDifference): string {
  const where = formatPath(['Properties', ...d.path]);
  return d.change === 'removed' ? `${where} removed` : `${where} set to ${JSON.stringify(d.after)}`;
}

/** Encryption settings removed or switched off; key rotation switched off. */
export const encryptionRule: SecurityRule = (change) => {
  const findings: RuleFinding[] = [];
  for (const d of propertyDiffs(change)) {
    const name = lastName(d.path);
    if (!name) continue;
    const removed = d.change === 'removed' && ENCRYPTION_PROPERTIES.has(name) && !isFalse(d.before);
    const switchedOff = d.change !== 'removed' && ENCRYPTION_SWITCHES.has(name) && isFalse(d.after);
    const rotationRemoved = d.change === 'removed' && name === 'EnableKeyRotation' && d.before === true;
    // S3: SSE-KMS (our key policy and CloudTrail record of each use) replaced by SSE-S3 or removed.
    const kmsDropped =
      name === 'SSEAlgorithm' && KMS_ALGORITHMS.has(String(d.before)) && !KMS_ALGORITHMS.has(String(d.after));
    if (removed || switchedOff || rotationRemoved || kmsDropped) {
      findings.push({ kind: 'encryption-disabled', detail: describeDiff(d) });
    }
  }
  return findings;
};

/** Properties whose removal stops access or audit logs. */
const LOGGING_PROPERTIES = new Set([
  'LoggingConfiguration',
  'LoggingConfig',
  'LoggingProperties',
  'AccessLoggingPolicy',
  'AccessLogSetting',
  'LogPublishingOptions',
  'EnableCloudwatchLogsExports',
  'CloudWatchLogsLogGroupArn',
]);
/** Boolean switches that stop logging or detection when false. */
const LOGGING_SWITCHES = new Set(['IsLogging', 'EnableLogFileValidation']);
/** Resources whose deletion stops an audit or detection feed. */
const LOGGING_RESOURCE_TYPES = new Set([
  'AWS::CloudTrail::Trail',
  'AWS::EC2::FlowLog',
  'AWS::Config::ConfigurationRecorder',
  'AWS::Config::DeliveryChannel',
  'AWS::Config::ConfigRule',
  'AWS::Config::ConformancePack',
  'AWS::GuardDuty::Detector',
  'AWS::SecurityHub::Hub',
  'AWS::SecurityHub::Standard',
  'AWS::AccessAnalyzer::Analyzer',
]);

/** Logging configuration removed, a trail stopped, a flow log or recorder deleted. */
export const loggingRule: SecurityRule = (change) => {
  if (change.before && !change.after && !change.renamedFrom && LOGGING_RESOURCE_TYPES.has(change.type)) {
    return [{ kind: 'logging-disabled', detail: `${change.type} removed` }];
  }
  const findings: RuleFinding[] = [];
  for (const d of propertyDiffs(change)) {
    const name = lastName(d.path);
    if (!name) continue;
    const removed = d.change === 'removed' && LOGGING_PROPERTIES.has(name);
    // 'Enable' is too common a name to match everywhere: only the GuardDuty detector's switch counts.
    const switchName = LOGGING_SWITCHES.has(name) || (name === 'Enable' && change.type === 'AWS::GuardDuty::Detector');
    const switchedOff = d.change !== 'removed' && switchName && isFalse(d.after);
    if (removed || switchedOff) findings.push({ kind: 'logging-disabled', detail: describeDiff(d) });
  }
  return findings;
};

const PUBLIC_ACCESS_FLAGS = new Set([
  'BlockPublicAcls',
  'BlockPublicPolicy',
  'IgnorePublicAcls',
  'RestrictPublicBuckets',
]);

/** S3 Block Public Access removed or any of its four flags turned off. */
export const publicAccessRule: SecurityRule = (change) => {
  const findings: RuleFinding[] = [];
  for (const d of propertyDiffs(change)) {
    const name = lastName(d.path);
    if (!name) continue;
    const blockRemoved = name === 'PublicAccessBlockConfiguration' && d.change === 'removed';
    const flagOff = PUBLIC_ACCESS_FLAGS.has(name) && (d.change === 'removed' ? d.before === true : isFalse(d.after));
    if (blockRemoved || flagOff) findings.push({ kind: 'public-access-opened', detail: describeDiff(d) });
  }
  if (change.after?.Type === 'AWS::S3::Bucket') {
    // A canned ACL granting AllUsers or AuthenticatedUsers (any AWS account) access.
    const acl = renderValue(properties(change.after).AccessControl ?? '');
    const was = renderValue(properties(comparableBefore(change)).AccessControl ?? '');
    if (PUBLIC_CANNED_ACLS.has(acl) && acl !== was) {
      findings.push({ kind: 'public-access-opened', detail: `Properties.AccessControl set to ${JSON.stringify(acl)}` });
    }
  }
  return findings;
};

const PUBLIC_CANNED_ACLS = new Set(['PublicRead', 'PublicReadWrite', 'AuthenticatedRead']);

const PUBLIC_INVOKE_SCOPE = ['Principal', 'SourceAccount', 'SourceArn', 'PrincipalOrgID', 'FunctionUrlAuthType'];

/**
 * Whether the action `before` allowed covers the one `after` allows (`lambda:*` covers
 * `lambda:InvokeFunction`): a public permission whose action widens allows more to anyone.
 */
function actionCovered(before: unknown, after: unknown): boolean {
  return typeof before === 'string' && typeof after === 'string'
    ? wildcardMatches(before, after, true)
    : deepEqual(before, after);
}

/**
 * A layer version shared with principal `*`: with no OrganizationId, every AWS account may use
 * it. A share moved to another layer (LayerVersionArn) shares that layer: renamed layers are
 * already followed, so a remaining difference is another layer.
 */
function layerSharedRule(before: CfnResource | undefined, after: CfnResource): RuleFinding[] {
  const props = properties(after);
  const was = properties(before);
  // Already shared with `*`, and no wider: an OrganizationId added or kept only narrows it.
  const unchanged =
    before &&
    was.Principal === '*' &&
    (was.OrganizationId === undefined || deepEqual(was.OrganizationId, props.OrganizationId)) &&
    deepEqual(was.LayerVersionArn, props.LayerVersionArn) &&
    actionCovered(was.Action, props.Action);
  if (props.Principal !== '*' || unchanged) return [];
  return [
    {
      kind: 'resource-policy-broadened',
      detail:
        `${renderValue(props.Action)} on layer ${renderValue(props.LayerVersionArn)} granted to any principal (*)` +
        (props.OrganizationId !== undefined ? ', limited by OrganizationId' : ': every AWS account'),
    },
  ];
}

/**
 * A Lambda permission for any principal (`*`), a function URL without IAM authentication, or a
 * layer version shared with any principal.
 */
export const lambdaPublicRule: SecurityRule = (change) => {
  const after = change.after;
  const before = comparableBefore(change);
  if (after?.Type === 'AWS::Lambda::Permission') {
    const props = properties(after);
    const unchanged =
      before &&
      PUBLIC_INVOKE_SCOPE.every((k) => deepEqual(properties(before)[k], props[k])) &&
      actionCovered(properties(before).Action, props.Action);
    if (props.Principal !== '*' || unchanged) return [];
    const scope = ['SourceAccount', 'SourceArn', 'PrincipalOrgID'].filter((k) => props[k] !== undefined);
    return [
      {
        kind: 'resource-policy-broadened',
        detail:
          `${renderValue(props.Action)} granted to any principal (*)` +
          (props.FunctionUrlAuthType === 'NONE' ? ' through a function URL with AuthType NONE (public)' : '') +
          (scope.length > 0 ? `, limited by ${scope.join(', ')}` : ''),
      },
    ];
  }
  if (after?.Type === 'AWS::Lambda::LayerVersionPermission') return layerSharedRule(before, after);
  if (after?.Type === 'AWS::Lambda::Url' && properties(after).AuthType === 'NONE') {
    if (before && properties(before).AuthType === 'NONE') return [];
    return [{ kind: 'resource-policy-broadened', detail: 'function URL with AuthType NONE: no IAM authentication' }];
  }
  return [];
};

// ---------------------------------------------------------------------------
// Stateful resources

/** Deletion policies that keep the resource itself when CloudFormation deletes it from the stack. */
const RETAINS: ReadonlySet<string> = new Set(['Retain', 'RetainExceptOnCreate']);

/**
 * The types for which CloudFormation supports the Snapshot deletion policy (DeletionPolicy
 * attribute reference, and the Neptune and DocumentDB DBCluster references; cfn-lint E3035 rejects
 * Snapshot on any other type). On another type, Snapshot takes no snapshot: the data is not kept.
 */
export const SNAPSHOT_TYPES: ReadonlySet<string> = new Set([
  'AWS::EC2::Volume',
  'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::Neptune::DBCluster',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::Redshift::Cluster',
  'AWS::DocDB::DBCluster',
]);

/** Whether `policy` (a DeletionPolicy or UpdateReplacePolicy value) keeps a resource of `type`, or a snapshot of it. */
export function keepsData(type: string, policy: string): boolean {
  return RETAINS.has(policy) || (policy === 'Snapshot' && SNAPSHOT_TYPES.has(type));
}

/**
 * The DeletionPolicy CloudFormation applies: the attribute, else its default, which is Snapshot
 * for AWS::RDS::DBCluster and for an AWS::RDS::DBInstance without DBClusterIdentifier, Delete otherwise.
 */
export function deletionPolicy(resource: CfnResource | undefined): string {
  if (typeof resource?.DeletionPolicy === 'string') return resource.DeletionPolicy;
  const rdsSnapshot =
    resource?.Type === 'AWS::RDS::DBCluster' ||
    (resource?.Type === 'AWS::RDS::DBInstance' && properties(resource).DBClusterIdentifier === undefined);
  return rdsSnapshot ? 'Snapshot' : 'Delete';
}

/** `DeletionPolicy Snapshot`, with a warning when the type does not support snapshots. */
function describePolicy(name: string, type: string, policy: string): string {
  return (
    `${name} ${policy}` +
    (policy === 'Snapshot' && !SNAPSHOT_TYPES.has(type) ? ` (not supported for ${type}: no snapshot is taken)` : '')
  );
}

/** A stateful resource that moves to a new logical id, has a replacing property changed, changes type, or is deleted. */
export const statefulReplacementRule: SecurityRule = (change, spec) => {
  const { before, after } = change;
  if (before && after && change.renamedFrom && spec.isStateful(before.Type)) {
    return [
      {
        kind: 'stateful-replaced-logical-id',
        detail:
          `logical id ${change.renamedFrom} -> ${change.logicalId}: CloudFormation creates a new ${before.Type} ` +
          `and ${
            RETAINS.has(deletionPolicy(before))
              ? 'orphans'
              : keepsData(before.Type, deletionPolicy(before))
                ? 'snapshots and deletes'
                : 'deletes'
          } the old one ` +
          `(${describePolicy('DeletionPolicy', before.Type, deletionPolicy(before))})`,
      },
    ];
  }
  if (before && !after && spec.isStateful(before.Type) && !keepsData(before.Type, deletionPolicy(before))) {
    return [
      {
        kind: 'stateful-deleted',
        detail: `removed with ${describePolicy('DeletionPolicy', before.Type, deletionPolicy(before))}: its data is deleted`,
      },
    ];
  }
  if (!before || !after || change.renamedFrom) return [];
  if (before.Type !== after.Type && (spec.isStateful(before.Type) || spec.isStateful(after.Type))) {
    return [{ kind: 'stateful-replaced-property', detail: `type changes from ${before.Type} to ${after.Type}` }];
  }
  if (!spec.isStateful(after.Type)) return [];
  const findings: RuleFinding[] = [];
  // CloudFormation applies the deployed template's policy: this is the last pull request that can warn.
  for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy']) {
    const policyOf = (r: CfnResource) =>
      policy === 'DeletionPolicy'
        ? deletionPolicy(r)
        : typeof r[policy] === 'string'
          ? (r[policy] as string)
          : 'Delete';
    const was = policyOf(before);
    const now = policyOf(after);
    if (keepsData(before.Type, was) && !keepsData(after.Type, now)) {
      findings.push({
        kind: 'stateful-retention-removed',
        detail: `${describePolicy(policy, before.Type, was)} -> ${describePolicy(
          '',
          after.Type,
          now,
        ).trim()}: a later removal or replacement deletes its data`,
      });
    }
  }
  for (const d of propertyDiffs(change)) {
    const replacement = spec.replacementFor(after.Type, d.path);
    if (replacement === 'none') continue;
    findings.push({
      kind: 'stateful-replaced-property',
      detail: `${formatPath(['Properties', ...d.path])} ${d.change}: update ${
        replacement === 'always' ? 'requires' : 'may require'
      } replacement`,
    });
  }
  return findings;
};

export const SECURITY_RULES: readonly SecurityRule[] = [
  iamPermissionsRule,
  iamTrustRule,
  resourcePolicyRule,
  securityGroupIngressRule,
  securityGroupEgressRule,
  encryptionRule,
  loggingRule,
  publicAccessRule,
  lambdaPublicRule,
  groupMembershipRule,
  statefulReplacementRule,
];
