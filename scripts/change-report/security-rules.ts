import type { CfnResource } from './cloud-assembly';
import { diffJson, formatPath, JsonDifference } from './json-diff';
import { describeBroadening, policyBroadening, policyGrants, PolicyGrant, renderValue } from './policy-statements';
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

const IDENTITY_POLICY_TYPES = new Set([
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy',
]);
const IDENTITY_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);

function identityGrants(resource: CfnResource | undefined): PolicyGrant[] {
  if (!resource) return [];
  const props = properties(resource);
  const grants: PolicyGrant[] = [];
  if (IDENTITY_POLICY_TYPES.has(resource.Type)) grants.push(...policyGrants(props.PolicyDocument));
  if (IDENTITY_TYPES.has(resource.Type)) {
    for (const policy of asList(props.Policies)) {
      grants.push(...policyGrants(isObject(policy) ? policy.PolicyDocument : policy));
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
  const type = change.after?.Type;
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
  }
  return details.map((detail) => ({ kind: 'iam-permissions-broadened', detail }));
};

/** A trust policy that lets new principals assume the role, or drops conditions. */
export const iamTrustRule: SecurityRule = (change) => {
  if (change.after?.Type !== 'AWS::IAM::Role') return [];
  const before = policyGrants(properties(comparableBefore(change)).AssumeRolePolicyDocument);
  const after = policyGrants(properties(change.after).AssumeRolePolicyDocument);
  return describeBroadening(policyBroadening(before, after), 'trust').map((detail) => ({
    kind: 'iam-trust-widened',
    detail,
  }));
};

/** The property holding each resource policy this report understands. */
const RESOURCE_POLICY_PROPERTY: { readonly [type: string]: string } = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SNS::TopicInlinePolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::SQS::QueueInlinePolicy': 'PolicyDocument',
};

/** A bucket, key, topic or queue policy that allows more than before. */
export const resourcePolicyRule: SecurityRule = (change) => {
  const type = change.after?.Type;
  const property = type ? RESOURCE_POLICY_PROPERTY[type] : undefined;
  if (!property) return [];
  const before = policyGrants(properties(comparableBefore(change))[property]);
  const after = policyGrants(properties(change.after)[property]);
  return describeBroadening(policyBroadening(before, after), 'grant').map((detail) => ({
    kind: 'resource-policy-broadened',
    detail: `${property}: ${detail}`,
  }));
};

// ---------------------------------------------------------------------------
// Security groups

interface IngressRule {
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  /** `cidr4:0.0.0.0/0`, `cidr6:::/0`, `sg:${Other.GroupId}`, `pl:pl-123`. */
  readonly source: string;
}

const PROTOCOL_NUMBERS: { readonly [name: string]: string } = {
  tcp: '6',
  udp: '17',
  icmp: '1',
  icmpv6: '58',
  all: '-1',
};
const WORLD = new Set(['cidr4:0.0.0.0/0', 'cidr6:::/0']);

function toIngressRule(raw: unknown): IngressRule {
  const rule = isObject(raw) ? raw : {};
  const name = renderValue(rule.IpProtocol ?? '-1').toLowerCase();
  const protocol = PROTOCOL_NUMBERS[name] ?? name;
  // -1 means every port (and, for ICMP, every type); a token port is unknown, so assume every port.
  let fromPort = Number(rule.FromPort ?? 0);
  let toPort = Number(rule.ToPort ?? 65535);
  if (protocol === '-1' || fromPort === -1 || Number.isNaN(fromPort) || Number.isNaN(toPort)) {
    fromPort = 0;
    toPort = 65535;
  }
  const source =
    rule.CidrIp !== undefined
      ? `cidr4:${renderValue(rule.CidrIp)}`
      : rule.CidrIpv6 !== undefined
        ? `cidr6:${renderValue(rule.CidrIpv6)}`
        : rule.SourceSecurityGroupId !== undefined
          ? `sg:${renderValue(rule.SourceSecurityGroupId)}`
          : rule.SourcePrefixListId !== undefined
            ? `pl:${renderValue(rule.SourcePrefixListId)}`
            : `other:${renderValue(rule.SourceSecurityGroupName ?? '')}`;
  return { protocol, fromPort, toPort, source };
}

function parseCidr4(cidr: string): { network: number; bits: number } | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!match) return undefined;
  const bits = Number(match[5]);
  const address = match.slice(1, 5).reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - bits);
  return { network: Math.floor(address / size) * size, bits };
}

/** True when every address of `narrow` is in `wide`. */
function sourceContains(wide: string, narrow: string): boolean {
  if (wide === narrow) return true;
  if (wide === 'cidr6:::/0') return narrow.startsWith('cidr6:');
  if (!wide.startsWith('cidr4:') || !narrow.startsWith('cidr4:')) return false;
  const w = parseCidr4(wide.slice(6));
  const n = parseCidr4(narrow.slice(6));
  if (!w || !n || w.bits > n.bits) return false;
  const size = 2 ** (32 - w.bits);
  return Math.floor(n.network / size) * size === w.network;
}

function ruleCovers(wide: IngressRule, narrow: IngressRule): boolean {
  return (
    (wide.protocol === '-1' || wide.protocol === narrow.protocol) &&
    wide.fromPort <= narrow.fromPort &&
    wide.toPort >= narrow.toPort &&
    sourceContains(wide.source, narrow.source)
  );
}

function describeRule(rule: IngressRule): string {
  const name = Object.keys(PROTOCOL_NUMBERS).find((n) => PROTOCOL_NUMBERS[n] === rule.protocol);
  const protocol = rule.protocol === '-1' ? 'all traffic' : (name ?? `protocol ${rule.protocol}`);
  const ports =
    rule.protocol === '-1' || (rule.fromPort === 0 && rule.toPort === 65535)
      ? 'all ports'
      : rule.fromPort === rule.toPort
        ? `port ${rule.fromPort}`
        : `ports ${rule.fromPort}-${rule.toPort}`;
  return `${protocol}, ${ports}, from ${rule.source.replace(/^[a-z0-9]+:/, '')}`;
}

function ingressRules(resource: CfnResource | undefined): IngressRule[] {
  if (!resource) return [];
  if (resource.Type === 'AWS::EC2::SecurityGroup') {
    return asList(properties(resource).SecurityGroupIngress).map(toIngressRule);
  }
  if (resource.Type === 'AWS::EC2::SecurityGroupIngress') return [toIngressRule(properties(resource))];
  return [];
}

/** New ingress from anywhere (0.0.0.0/0, ::/0), or an existing source given more ports or a wider address range. */
export const securityGroupIngressRule: SecurityRule = (change) => {
  const type = change.after?.Type;
  if (type !== 'AWS::EC2::SecurityGroup' && type !== 'AWS::EC2::SecurityGroupIngress') return [];
  const before = ingressRules(comparableBefore(change));
  const findings: RuleFinding[] = [];
  for (const rule of ingressRules(change.after)) {
    if (before.some((b) => ruleCovers(b, rule))) continue;
    if (WORLD.has(rule.source)) {
      findings.push({
        kind: 'security-group-ingress-opened',
        detail: `ingress open to the internet: ${describeRule(rule)}`,
      });
      continue;
    }
    const widened = before.find(
      (b) => sourceContains(rule.source, b.source) && (b.protocol === rule.protocol || rule.protocol === '-1'),
    );
    if (widened) {
      findings.push({
        kind: 'security-group-ingress-opened',
        detail: `ingress widened from ${describeRule(widened)} to ${describeRule(rule)}`,
      });
    }
  }
  return findings;
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
    if (removed || switchedOff || rotationRemoved) {
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
  'AWS::GuardDuty::Detector',
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
  return findings;
};

// ---------------------------------------------------------------------------
// Stateful resources

const KEEPS_DATA = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

function deletionPolicy(resource: CfnResource | undefined): string {
  return typeof resource?.DeletionPolicy === 'string' ? resource.DeletionPolicy : 'Delete';
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
          `and ${KEEPS_DATA.has(deletionPolicy(before)) ? 'orphans' : 'deletes'} the old one ` +
          `(DeletionPolicy ${deletionPolicy(before)})`,
      },
    ];
  }
  if (before && !after && spec.isStateful(before.Type) && !KEEPS_DATA.has(deletionPolicy(before))) {
    return [
      {
        kind: 'stateful-deleted',
        detail: `removed with DeletionPolicy ${deletionPolicy(before)}: its data is deleted`,
      },
    ];
  }
  if (!before || !after || change.renamedFrom) return [];
  if (before.Type !== after.Type && (spec.isStateful(before.Type) || spec.isStateful(after.Type))) {
    return [{ kind: 'stateful-replaced-property', detail: `type changes from ${before.Type} to ${after.Type}` }];
  }
  if (!spec.isStateful(after.Type)) return [];
  const findings: RuleFinding[] = [];
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
  encryptionRule,
  loggingRule,
  publicAccessRule,
  statefulReplacementRule,
];
