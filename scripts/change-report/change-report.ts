import { AssemblyStack, CfnResource, CfnTemplate, compareStrings } from './cloud-assembly';
import { deepEqual, diffJson, formatPath } from './json-diff';
import { ReplacementSpec, strongerReplacement } from './replacement-spec';
import { ResourceChange, SECURITY_RULES } from './security-rules';
import type {
  ChangeReport,
  PropertyChange,
  Replacement,
  ResourceModification,
  ResourceRename,
  ResourceSummary,
  SecurityFinding,
  SecurityFindingKind,
  StackChange,
} from './types';

/** Report order of security findings: access first, then exposure, then data safety. */
export const FINDING_KIND_ORDER: readonly SecurityFindingKind[] = [
  'iam-permissions-broadened',
  'iam-trust-widened',
  'resource-policy-broadened',
  'security-group-ingress-opened',
  'public-access-opened',
  'encryption-disabled',
  'logging-disabled',
  'stateful-replaced-logical-id',
  'stateful-replaced-property',
  'stateful-deleted',
];

/** Metadata carries construct paths and asset hints; it never changes what CloudFormation deploys. */
const IGNORED_RESOURCE_KEYS = new Set(['Metadata']);

function withoutIgnoredKeys(resource: CfnResource): { [key: string]: unknown } {
  return Object.fromEntries(Object.entries(resource).filter(([key]) => !IGNORED_RESOURCE_KEYS.has(key)));
}

function resourcesOf(template: CfnTemplate | undefined): { [logicalId: string]: CfnResource } {
  return template?.Resources ?? {};
}

function replacementOf(
  path: readonly (string | number)[],
  before: unknown,
  after: unknown,
  type: string,
  spec: ReplacementSpec,
): Replacement {
  if (path[0] === 'Type') return 'always';
  if (path[0] !== 'Properties') return 'none';
  if (path.length > 1) return spec.replacementFor(type, path.slice(1));
  // The whole Properties block appeared or disappeared: judge each property in it.
  const names = new Set([
    ...Object.keys((before as object | undefined) ?? {}),
    ...Object.keys((after as object | undefined) ?? {}),
  ]);
  return [...names].map((name) => spec.replacementFor(type, [name])).reduce(strongerReplacement, 'none');
}

function propertyChanges(before: CfnResource, after: CfnResource, spec: ReplacementSpec): PropertyChange[] {
  return diffJson(withoutIgnoredKeys(before), withoutIgnoredKeys(after)).map((d) => ({
    path: formatPath(d.path),
    change: d.change,
    ...(d.change !== 'added' ? { before: d.before } : {}),
    ...(d.change !== 'removed' ? { after: d.after } : {}),
    replacement: replacementOf(d.path, d.before, d.after, after.Type, spec),
  }));
}

/**
 * The resource with references to moved resources rewritten to their new
 * logical ids, so security rules see a policy on a renamed bucket as the
 * same grant rather than a new one.
 */
export function followRenames<T>(value: T, renames: ReadonlyMap<string, string>): T {
  if (renames.size === 0) return value;
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (typeof v !== 'object' || v === null) return v;
    const entries = Object.entries(v);
    if (entries.length === 1) {
      const [[fn, arg]] = entries;
      if (fn === 'Ref' && typeof arg === 'string') return { Ref: renames.get(arg) ?? arg };
      if (fn === 'Fn::GetAtt' && Array.isArray(arg) && typeof arg[0] === 'string') {
        return { 'Fn::GetAtt': [renames.get(arg[0]) ?? arg[0], ...arg.slice(1).map(rewrite)] };
      }
      if (fn === 'Fn::GetAtt' && typeof arg === 'string') {
        const [id, ...attr] = arg.split('.');
        return { 'Fn::GetAtt': [renames.get(id) ?? id, ...attr].join('.') };
      }
      if (fn === 'Fn::Sub') {
        const sub = (text: unknown) =>
          typeof text === 'string'
            ? text.replace(/\$\{([^}.!]+)/g, (match, id: string) => (renames.has(id) ? '${' + renames.get(id) : match))
            : rewrite(text);
        return { 'Fn::Sub': Array.isArray(arg) ? [sub(arg[0]), ...arg.slice(1).map(rewrite)] : sub(arg) };
      }
    }
    return Object.fromEntries(entries.map(([k, inner]) => [k, rewrite(inner)]));
  };
  return rewrite(value) as T;
}

/** How many top-level properties two resources share: picks the most likely counterpart of a moved resource. */
function similarity(a: CfnResource, b: CfnResource): number {
  const pa = a.Properties ?? {};
  const pb = b.Properties ?? {};
  return Object.keys(pa).filter((k) => k in pb && deepEqual(pa[k], pb[k])).length;
}

interface Pairing {
  readonly renamed: { readonly from: string; readonly to: string; readonly identical: boolean }[];
  readonly removed: string[];
  readonly added: string[];
}

/**
 * Matches removed and added logical ids that are the same resource under a
 * new id: identical resources of any type, then, for stateful types, any
 * removed/added pair of the same type (most similar first), because losing
 * data on a rename is the risk a reviewer must see even if properties changed too.
 */
function pairRenames(
  baseResources: { [id: string]: CfnResource },
  headResources: { [id: string]: CfnResource },
  spec: ReplacementSpec,
): Pairing {
  const removed = Object.keys(baseResources)
    .filter((id) => !(id in headResources))
    .sort(compareStrings);
  const added = Object.keys(headResources)
    .filter((id) => !(id in baseResources))
    .sort(compareStrings);
  const renamed: { from: string; to: string; identical: boolean }[] = [];
  const take = (from: string, to: string, identical: boolean) => {
    renamed.push({ from, to, identical });
    removed.splice(removed.indexOf(from), 1);
    added.splice(added.indexOf(to), 1);
  };
  for (const from of [...removed]) {
    const base = withoutIgnoredKeys(baseResources[from]);
    const to = added.find((id) => deepEqual(base, withoutIgnoredKeys(headResources[id])));
    if (to) take(from, to, true);
  }
  for (const from of [...removed]) {
    const type = baseResources[from].Type;
    if (!spec.isStateful(type)) continue;
    const candidates = added.filter((id) => headResources[id].Type === type);
    if (candidates.length === 0) continue;
    const best = candidates.reduce((a, b) =>
      similarity(baseResources[from], headResources[b]) > similarity(baseResources[from], headResources[a]) ? b : a,
    );
    take(from, best, false);
  }
  return { renamed: renamed.sort((a, b) => compareStrings(a.to, b.to)), removed, added };
}

export interface StackComparison {
  readonly change: StackChange;
  readonly findings: SecurityFinding[];
}

/** Compares one stack's base and head templates (either may be absent: stack added or removed). */
export function compareTemplates(
  environment: string,
  stack: string,
  base: CfnTemplate | undefined,
  head: CfnTemplate | undefined,
  spec: ReplacementSpec,
  awsEnvironment?: string,
): StackComparison {
  const baseResources = resourcesOf(base);
  const headResources = resourcesOf(head);
  const pairing = pairRenames(baseResources, headResources, spec);
  const renames = new Map(pairing.renamed.map((r) => [r.from, r.to]));
  // Rules compare against the base as if moved resources already had their new ids.
  const baseForRules = (id: string) => followRenames(baseResources[id], renames);
  const changes: ResourceChange[] = [];

  const added: ResourceSummary[] = pairing.added.map((logicalId) => {
    changes.push({ logicalId, type: headResources[logicalId].Type, after: headResources[logicalId] });
    return { logicalId, type: headResources[logicalId].Type };
  });
  const removed: ResourceSummary[] = pairing.removed.map((logicalId) => {
    changes.push({ logicalId, type: baseResources[logicalId].Type, before: baseForRules(logicalId) });
    return { logicalId, type: baseResources[logicalId].Type };
  });
  const renamed: ResourceRename[] = pairing.renamed.map(({ from, to, identical }) => {
    const before = baseResources[from];
    const after = headResources[to];
    changes.push({ logicalId: to, type: after.Type, before: baseForRules(from), after, renamedFrom: from });
    return {
      fromLogicalId: from,
      toLogicalId: to,
      type: after.Type,
      identicalProperties: identical,
      stateful: spec.isStateful(after.Type),
      changes: identical ? [] : propertyChanges(before, after, spec),
    };
  });
  const modified: ResourceModification[] = [];
  for (const logicalId of Object.keys(headResources).sort(compareStrings)) {
    const before = baseResources[logicalId];
    const after = headResources[logicalId];
    if (!before || deepEqual(withoutIgnoredKeys(before), withoutIgnoredKeys(after))) continue;
    const propertyDiff = propertyChanges(before, after, spec);
    changes.push({ logicalId, type: after.Type, before: baseForRules(logicalId), after });
    modified.push({
      logicalId,
      type: after.Type,
      replacement: propertyDiff.map((c) => c.replacement).reduce(strongerReplacement, 'none'),
      changes: propertyDiff,
    });
  }

  const findings = changes.flatMap((change) =>
    SECURITY_RULES.flatMap((rule) => rule(change, spec)).map((f) => ({
      kind: f.kind,
      environment,
      stack,
      logicalId: change.logicalId,
      type: change.type,
      detail: f.detail,
    })),
  );
  const status =
    base === undefined
      ? 'added'
      : head === undefined
        ? 'removed'
        : added.length + removed.length + renamed.length + modified.length > 0
          ? 'modified'
          : 'unchanged';
  return {
    change: {
      environment,
      stack,
      ...(awsEnvironment ? { awsEnvironment } : {}),
      status,
      added,
      removed,
      modified,
      renamed,
    },
    findings,
  };
}

export function compareFindings(a: SecurityFinding, b: SecurityFinding): number {
  return (
    FINDING_KIND_ORDER.indexOf(a.kind) - FINDING_KIND_ORDER.indexOf(b.kind) ||
    compareStrings(a.environment, b.environment) ||
    compareStrings(a.stack, b.stack) ||
    compareStrings(a.logicalId, b.logicalId) ||
    compareStrings(a.detail, b.detail)
  );
}

/**
 * The stacks of an assembly by environment and stack name. Two artifacts with
 * the same stack name in one environment (e.g. one Stage deploying to two
 * regions) are told apart by artifact id.
 */
function keyedStacks(stacks: AssemblyStack[], ambiguous: Set<string>): Map<string, AssemblyStack> {
  const out = new Map<string, AssemblyStack>();
  for (const s of stacks) {
    const name = ambiguous.has(`${s.environment}\0${s.stackName}`) ? `${s.stackName} (${s.artifactId})` : s.stackName;
    out.set(`${s.environment}\0${name}`, s);
  }
  return out;
}

function ambiguousNames(...assemblies: AssemblyStack[][]): Set<string> {
  const ambiguous = new Set<string>();
  for (const stacks of assemblies) {
    const seen = new Set<string>();
    for (const s of stacks) {
      const key = `${s.environment}\0${s.stackName}`;
      if (seen.has(key)) ambiguous.add(key);
      seen.add(key);
    }
  }
  return ambiguous;
}

export interface CompareOptions {
  /** Labels for the report header, usually the directories as given. */
  readonly baseLabel: string;
  readonly headLabel: string;
}

/** The full report for two assemblies (as read by readCloudAssembly). */
export function compareAssemblies(
  base: AssemblyStack[],
  head: AssemblyStack[],
  spec: ReplacementSpec,
  options: CompareOptions,
): ChangeReport {
  const ambiguous = ambiguousNames(base, head);
  const baseStacks = keyedStacks(base, ambiguous);
  const headStacks = keyedStacks(head, ambiguous);
  const keys = [...new Set([...baseStacks.keys(), ...headStacks.keys()])].sort(compareStrings);
  const stacks: StackChange[] = [];
  const security: SecurityFinding[] = [];
  for (const key of keys) {
    const [environment, stack] = key.split('\0');
    const b = baseStacks.get(key);
    const h = headStacks.get(key);
    const result = compareTemplates(environment, stack, b?.template, h?.template, spec, (h ?? b)?.awsEnvironment);
    stacks.push(result.change);
    security.push(...result.findings);
  }
  security.sort(compareFindings);
  const count = (f: (s: StackChange) => number) => stacks.reduce((n, s) => n + f(s), 0);
  return {
    schemaVersion: 1,
    base: options.baseLabel,
    head: options.headLabel,
    replacementSource: spec.source,
    summary: {
      stacks: stacks.length,
      stacksAdded: stacks.filter((s) => s.status === 'added').length,
      stacksRemoved: stacks.filter((s) => s.status === 'removed').length,
      stacksModified: stacks.filter((s) => s.status === 'modified').length,
      resourcesAdded: count((s) => s.added.length),
      resourcesRemoved: count((s) => s.removed.length),
      resourcesModified: count((s) => s.modified.length),
      resourcesRenamed: count((s) => s.renamed.length),
      securityFindings: security.length,
    },
    security,
    stacks,
  };
}
