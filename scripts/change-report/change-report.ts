import { AssemblyStack, CfnResource, CfnTemplate, compareStrings } from './cloud-assembly';
import { deepEqual, diffJson, formatPath } from './json-diff';
import { isIntrinsic, renderValue } from './policy-statements';
import { ReplacementSpec, strongerReplacement } from './replacement-spec';
import {
  deletionPolicy,
  exportName,
  keepsData,
  knownPseudoParameters,
  ResourceChange,
  SECURITY_RULES,
  StackExport,
  TemplateScope,
} from './security-rules';
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
  'security-group-egress-opened',
  'public-access-opened',
  'encryption-disabled',
  'logging-disabled',
  'stateful-replaced-logical-id',
  'stateful-replaced-property',
  'stateful-retention-removed',
  'stateful-deleted',
  'template-logic-changed',
  'nested-stack-not-diffed',
  'stack-import-added',
  'stack-left-deployed',
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

/** Top-level template keys that never change what CloudFormation deploys (Resources is compared on its own). */
const IGNORED_TEMPLATE_KEYS = new Set(['Resources', 'Metadata', 'Description', 'AWSTemplateFormatVersion']);

function templateSections(template: CfnTemplate | undefined): { [key: string]: unknown } {
  return Object.fromEntries(Object.entries(template ?? {}).filter(([key]) => !IGNORED_TEMPLATE_KEYS.has(key)));
}

/** Parameters, Conditions and Mappings a template fragment names (Ref, Fn::Sub, Fn::FindInMap, Fn::If, Condition). */
function namesUsed(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => namesUsed(v, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, arg] of Object.entries(value)) {
      if (key === 'Ref' && typeof arg === 'string') out.add(`Parameters.${arg}`);
      if (key === 'Condition' && typeof arg === 'string') out.add(`Conditions.${arg}`);
      if (key === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string') out.add(`Conditions.${arg[0]}`);
      if (key === 'Fn::FindInMap' && Array.isArray(arg) && typeof arg[0] === 'string') out.add(`Mappings.${arg[0]}`);
      if (key === 'Fn::Sub') {
        const text = Array.isArray(arg) ? arg[0] : arg;
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([^}.!]+)\}/g)) out.add(`Parameters.${m[1]}`);
        }
      }
      namesUsed(arg, out);
    }
  }
  return out;
}

/** Every Parameter, Condition and Mapping `value` depends on, through the conditions it uses. */
function dependencies(value: unknown, conditions: { [name: string]: unknown }): Set<string> {
  const out = new Set<string>();
  const pending = [...namesUsed(value)];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (out.has(name)) continue;
    out.add(name);
    if (name.startsWith('Conditions.')) pending.push(...namesUsed(conditions[name.slice('Conditions.'.length)]));
  }
  return out;
}

function listSome(values: string[], max = 5): string {
  const unique = [...new Set(values)].sort(compareStrings);
  return unique.slice(0, max).join(', ') + (unique.length > max ? ` and ${unique.length - max} more` : '');
}

const SECTION_WORDS: { readonly [section: string]: string } = {
  Parameters: 'parameter',
  Conditions: 'condition',
  Mappings: 'mapping',
};

/**
 * Findings for what the rules cannot see: a changed Parameter (its default is
 * what the pipeline deploys: it passes no parameter values), Condition or
 * Mapping that resources use, a changed Transform, and resources whose
 * Condition attribute changed. Each says which resources to check by hand.
 */
function templateLogicFindings(
  base: CfnTemplate,
  head: CfnTemplate,
  pairs: { readonly logicalId: string; readonly before: CfnResource; readonly after: CfnResource }[],
): { logicalId: string; type: string; detail: string }[] {
  const out: { logicalId: string; type: string; detail: string }[] = [];
  if (!deepEqual(base.Transform, head.Transform)) {
    out.push({
      logicalId: 'Transform',
      type: 'Template',
      detail:
        `Transform changed from ${JSON.stringify(base.Transform ?? null)} to ${JSON.stringify(head.Transform ?? null)}: ` +
        'macros rewrite the template at deploy time and the report only sees it before they run',
    });
  }
  const changed: string[] = [];
  for (const section of Object.keys(SECTION_WORDS)) {
    const b = (base[section] ?? {}) as { [name: string]: unknown };
    const h = (head[section] ?? {}) as { [name: string]: unknown };
    for (const name of new Set([...Object.keys(b), ...Object.keys(h)])) {
      if (!deepEqual(b[name], h[name])) changed.push(`${section}.${name}`);
    }
  }
  if (changed.length > 0) {
    const users = new Map<string, string[]>();
    const use = (template: CfnTemplate) => {
      const conditions = (template.Conditions ?? {}) as { [name: string]: unknown };
      for (const [id, resource] of Object.entries(resourcesOf(template))) {
        const deps = dependencies(withoutIgnoredKeys(resource), conditions);
        for (const entity of changed.filter((e) => deps.has(e))) users.set(entity, [...(users.get(entity) ?? []), id]);
      }
    };
    use(head);
    use(base);
    for (const entity of changed.sort(compareStrings)) {
      const ids = users.get(entity);
      if (!ids) continue;
      const [section, ...name] = entity.split('.');
      const b = (base[section] as { [n: string]: unknown } | undefined)?.[name.join('.')];
      const h = (head[section] as { [n: string]: unknown } | undefined)?.[name.join('.')];
      const how = b === undefined ? 'added' : h === undefined ? 'removed' : 'changed';
      out.push({
        logicalId: entity,
        type: 'Template',
        detail:
          `${SECTION_WORDS[section]} ${name.join('.')} ${how}; the report does not evaluate ${section.toLowerCase()}, ` +
          `so check by hand what it changes in ${listSome(ids)}`,
      });
    }
  }
  for (const { logicalId, before, after } of pairs) {
    if (deepEqual(before.Condition, after.Condition)) continue;
    out.push({
      logicalId,
      type: after.Type,
      detail:
        `Condition attribute ${JSON.stringify(before.Condition ?? null)} -> ${JSON.stringify(after.Condition ?? null)}: ` +
        'when the condition is false CloudFormation deletes the resource (not evaluated)',
    });
  }
  return out;
}

/** What a stack removed from the assembly leaves deployed, and what deleting it by hand would delete. */
function leftDeployedDetail(
  stack: string,
  template: CfnTemplate,
  spec: ReplacementSpec,
  awsEnvironment: string | undefined,
  movedTo: string | undefined,
): string {
  const resources = Object.entries(resourcesOf(template));
  const count = (test: (type: string) => boolean, word: string) => {
    const n = resources.filter(([, r]) => test(r.Type)).length;
    return n > 0 ? [`${n} ${word}`] : [];
  };
  const access = [
    ...count((t) => t.startsWith('AWS::IAM::'), 'IAM'),
    ...count((t) => t.startsWith('AWS::EC2::SecurityGroup'), 'security group'),
  ];
  const stateful = resources
    .filter(([, r]) => spec.isStateful(r.Type) && !keepsData(r.Type, deletionPolicy(r)))
    .map(([id]) => id);
  return (
    (movedTo ? `moved to ${movedTo}` : 'no longer in the assembly') +
    `: CDK Pipelines does not delete stacks, so stack ${stack}${awsEnvironment ? ` in ${awsEnvironment}` : ''} and its ` +
    `${resources.length} resources${access.length > 0 ? ` (${access.join(' and ')} resources among them)` : ''} ` +
    'stay deployed, no longer updated, until the stack is deleted by hand' +
    (stateful.length > 0 ? `; that deletes ${listSome(stateful)} (stateful, no Retain policy)` : '')
  );
}

/** The export name an Fn::ImportValue names, rendered (`${Param}` placeholders for Fn::Sub and Ref). */
function importsIn(value: unknown, into: (name: string) => void): void {
  if (Array.isArray(value)) {
    value.forEach((v) => importsIn(v, into));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, arg] of Object.entries(value)) {
      if (key === 'Fn::ImportValue') into(renderValue(arg));
      importsIn(arg, into);
    }
  }
}

/** Every export a template imports, with the resources (or `Outputs.X`, `Conditions.X`) that import it. */
function importsOf(template: CfnTemplate | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const scan = (where: string, value: unknown) =>
    importsIn(value, (name) => out.set(name, [...new Set([...(out.get(name) ?? []), where])]));
  for (const [id, resource] of Object.entries(resourcesOf(template))) scan(id, withoutIgnoredKeys(resource));
  for (const section of ['Outputs', 'Conditions']) {
    for (const [name, value] of Object.entries((template?.[section] ?? {}) as { [name: string]: unknown })) {
      scan(`${section}.${name}`, value);
    }
  }
  return out;
}

/** Exports the head imports that the base did not: each a new dependency on another stack. */
function newImportFindings(base: CfnTemplate | undefined, head: CfnTemplate): { logicalId: string; detail: string }[] {
  const before = importsOf(base);
  return [...importsOf(head)]
    .filter(([name]) => !before.has(name))
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([name, users]) => ({
      logicalId: listSome(users),
      detail:
        `imports export ${name} (Fn::ImportValue): the stack that exports it must be deployed first, and ` +
        'CloudFormation refuses to change or delete that export while this stack imports it',
    }));
}

/** What a nested stack's parent passes it: its AWS::CloudFormation::Stack resource's Parameters, in base and head. */
export interface ParentParameters {
  /** The logical id of the AWS::CloudFormation::Stack resource in the parent. */
  readonly resource: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** `undefined` or an object of literal values: Parameters given whole by an intrinsic (Fn::If) are not. */
type PassedValues = { readonly [name: string]: unknown };
function plainValues(v: unknown): v is PassedValues | undefined {
  return v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v) && !isIntrinsic(v));
}

/**
 * The values the parent passes a nested stack that changed: one change per parameter (path
 * `Parameters.Name`), or one for the whole `Parameters` when either side gives them by an
 * intrinsic (Fn::If), which may change any of them.
 */
function parentParameterChanges({ before, after }: ParentParameters): PropertyChange[] {
  if (deepEqual(before, after)) return [];
  const change = (path: string, b: unknown, a: unknown): PropertyChange => ({
    path,
    change: b === undefined ? 'added' : a === undefined ? 'removed' : 'changed',
    ...(b !== undefined ? { before: b } : {}),
    ...(a !== undefined ? { after: a } : {}),
    replacement: 'none',
  });
  if (!plainValues(before) || !plainValues(after)) return [change('Parameters', before, after)];
  const was = before ?? {};
  const now = after ?? {};
  return [...new Set([...Object.keys(was), ...Object.keys(now)])]
    .filter((name) => !deepEqual(was[name], now[name]))
    .sort(compareStrings)
    .map((name) => change(`Parameters.${name}`, was[name], now[name]));
}

/**
 * A parameter value the parent passes that changed: the nested stack's rules compare templates
 * and see none of it (its template may be unchanged). Each finding names the parameter and the
 * nested stack's resources that use it (Ref, Fn::Sub, through a condition), or the whole nested
 * stack when none does.
 */
function parentParameterFindings(
  parentStack: string,
  resource: string,
  changes: readonly PropertyChange[],
  base: CfnTemplate,
  head: CfnTemplate,
): { logicalId: string; type: string; detail: string }[] {
  const users = (entities: string[]): string[] => {
    const ids: string[] = [];
    for (const template of [head, base]) {
      const conditions = (template.Conditions ?? {}) as { [name: string]: unknown };
      for (const [id, r] of Object.entries(resourcesOf(template))) {
        const deps = dependencies(withoutIgnoredKeys(r), conditions);
        if (entities.some((e) => deps.has(e))) ids.push(id);
      }
    }
    return ids;
  };
  const where = `by ${parentStack} (its AWS::CloudFormation::Stack ${resource}, Properties.Parameters)`;
  const check = (ids: string[]) =>
    ids.length > 0
      ? `the report does not evaluate parameters, so check by hand what it changes in ${listSome(ids)}`
      : 'no resource of the nested stack uses it (by Ref, Fn::Sub or a condition) and the report does not evaluate ' +
        'parameters: check the whole nested stack by hand';
  return changes.map((c) => {
    if (c.path === 'Parameters') {
      const all = Object.keys((head.Parameters ?? {}) as object).map((name) => `Parameters.${name}`);
      return {
        logicalId: 'Parameters',
        type: 'Template',
        detail:
          `the parameters passed ${where} changed from ${renderValue(c.before ?? null)} to ` +
          `${renderValue(c.after ?? null)}; ${check(users(all))}`,
      };
    }
    const name = c.path.slice('Parameters.'.length);
    const how =
      c.change === 'added'
        ? `now passed ${where} as ${renderValue(c.after)}`
        : c.change === 'removed'
          ? `no longer passed ${where} (was ${renderValue(c.before)}): its Default applies`
          : `passed ${where} changed from ${renderValue(c.before)} to ${renderValue(c.after)}`;
    return {
      logicalId: c.path,
      type: 'Template',
      detail: `parameter ${name} ${how}; ${check(users([c.path]))}`,
    };
  });
}

export interface StackContext {
  /** Set on the `removed` entry of a stack that moved to another account or region. */
  readonly movedFrom?: string;
  readonly movedTo?: string;
  /** The parent's stack name, for a nested stack. */
  readonly parentStack?: string;
  /** Logical ids of the head's nested stacks whose template was read (and is compared as its own stack). */
  readonly nestedStacksRead?: readonly string[];
  /** For a nested stack gone from head: whether its parent is still in head (then CloudFormation deletes it). */
  readonly parentInHead?: boolean;
  /** For a nested stack in base and head: the parameters its parent passes it. */
  readonly parentParameters?: ParentParameters;
  /** The stack name CloudFormation sees, when `stack` is not it (two artifacts of one name in an environment). */
  readonly stackName?: string;
  /**
   * The exports of the base assembly's stacks in this stack's account and Region (see
   * assemblyExports): what an Fn::ImportValue in the base template reads.
   */
  readonly baseExports?: ReadonlyMap<string, StackExport>;
  /** The same for the head assembly and template. */
  readonly headExports?: ReadonlyMap<string, StackExport>;
}

/** How the values of `template` are read: its resource types, its known pseudo parameters, the exports it can import. */
function templateScope(
  template: CfnTemplate | undefined,
  awsEnvironment: string | undefined,
  stackName: string | undefined,
  exports: ReadonlyMap<string, StackExport> | undefined,
): TemplateScope {
  return {
    resourceTypes: Object.fromEntries(Object.entries(resourcesOf(template)).map(([id, r]) => [id, r?.Type])),
    pseudoParameters: knownPseudoParameters(awsEnvironment, stackName),
    ...(exports ? { exports } : {}),
  };
}

/** Whether `awsEnvironment` names one account and Region (not an environment-agnostic `unknown-account`/`unknown-region`). */
function knownTarget(awsEnvironment: string | undefined): awsEnvironment is string {
  const known = knownPseudoParameters(awsEnvironment, undefined);
  return known['AWS::AccountId'] !== undefined && known['AWS::Region'] !== undefined;
}

/**
 * The head's exports less those whose value the change alters: CloudFormation refuses to change an export another
 * stack imports, and a hand-written Fn::ImportValue adds no stack dependency, so a new import of a changed export
 * may read either value when it deploys. Left out, it stays "cannot be evaluated" rather than judged by one.
 */
function withoutChangedExports(
  head: Map<string, Map<string, StackExport>>,
  base: ReadonlyMap<string, ReadonlyMap<string, StackExport>>,
): Map<string, Map<string, StackExport>> {
  for (const [environment, exports] of head) {
    for (const [name, exported] of exports) {
      const before = base.get(environment)?.get(name);
      if (before !== undefined && JSON.stringify(before.value) !== JSON.stringify(exported.value)) {
        exports.delete(name);
      }
    }
  }
  return head;
}

/**
 * The exports of an assembly, per account and Region (`aws://account/region`), by export name
 * (`Outputs.<x>.Export.Name`; a name given by an intrinsic when it is Fn::Sub or Fn::Join of
 * literals and known pseudo parameters). An environment-agnostic stack may deploy to any account
 * and Region: its exports, and its imports, are not read. A name two stacks of one account and
 * Region export is left out: CloudFormation creates only one of them, and which one is not known.
 */
function assemblyExports(stacks: readonly AssemblyStack[]): Map<string, Map<string, StackExport>> {
  const out = new Map<string, Map<string, StackExport>>();
  const duplicated = new Set<string>();
  for (const s of stacks) {
    if (!knownTarget(s.awsEnvironment)) continue;
    const exports = out.get(s.awsEnvironment) ?? new Map<string, StackExport>();
    out.set(s.awsEnvironment, exports);
    const scope = templateScope(s.template, s.awsEnvironment, s.parentStack ? undefined : s.stackName, exports);
    for (const output of Object.values((s.template.Outputs ?? {}) as { [id: string]: unknown })) {
      if (typeof output !== 'object' || output === null) continue;
      const { Value: value, Export: exported } = output as { Value?: unknown; Export?: { Name?: unknown } };
      const name = exported ? exportName(exported.Name, scope.pseudoParameters ?? {}) : undefined;
      if (name === undefined) continue;
      const key = `${s.awsEnvironment}\0${name}`;
      if (exports.has(name) || duplicated.has(key)) {
        exports.delete(name);
        duplicated.add(key);
      } else {
        exports.set(name, { stack: s.stackName, value, scope });
      }
    }
  }
  return out;
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
  move: StackContext = {},
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

  const templateChanges: PropertyChange[] =
    base && head
      ? diffJson(templateSections(base), templateSections(head)).map((d) => ({
          path: formatPath(d.path),
          change: d.change,
          ...(d.change !== 'added' ? { before: d.before } : {}),
          ...(d.change !== 'removed' ? { after: d.after } : {}),
          replacement: 'none' as const,
        }))
      : [];

  const finding = (kind: SecurityFindingKind, logicalId: string, type: string, detail: string): SecurityFinding => ({
    kind,
    environment,
    stack,
    ...(awsEnvironment ? { awsEnvironment } : {}),
    logicalId,
    type,
    detail,
  });
  const findings: SecurityFinding[] = [];
  if (base && !head && move.parentStack && !move.parentInHead) {
    // The parent stack left the assembly (or moved): its stack-left-deployed finding covers this one.
  } else if (base && !head && !move.parentStack) {
    // The pipeline never deletes a stack: nothing in it is deleted by this change.
    findings.push(
      finding(
        'stack-left-deployed',
        '(stack)',
        'Stack',
        leftDeployedDetail(stack, base, spec, awsEnvironment, move.movedTo),
      ),
    );
  } else {
    // A nested stack's own name is not known (CloudFormation names it Parent-LogicalId-<random>).
    const name = move.parentStack ? undefined : (move.stackName ?? stack);
    const scope = templateScope(head, awsEnvironment, name, move.headExports);
    const beforeScope = templateScope(base, awsEnvironment, name, move.baseExports);
    for (const change of changes) {
      for (const f of SECURITY_RULES.flatMap((rule) => rule({ ...change, scope, beforeScope }, spec))) {
        findings.push(finding(f.kind, change.logicalId, change.type, f.detail));
      }
    }
  }
  if (head) {
    for (const f of newImportFindings(base, head)) {
      findings.push(finding('stack-import-added', f.logicalId, 'Fn::ImportValue', f.detail));
    }
    const read = new Set(move.nestedStacksRead ?? []);
    const touched = [
      ...added.map((r) => r.logicalId),
      ...modified.map((m) => m.logicalId),
      ...renamed.map((r) => r.toLogicalId),
    ];
    for (const logicalId of touched.sort(compareStrings)) {
      if (headResources[logicalId].Type !== 'AWS::CloudFormation::Stack' || read.has(logicalId)) continue;
      findings.push(
        finding(
          'nested-stack-not-diffed',
          logicalId,
          'AWS::CloudFormation::Stack',
          `nested stack ${baseResources[logicalId] ? 'changed' : 'added'}: its template (TemplateURL ` +
            `${renderValue(headResources[logicalId].Properties?.TemplateURL)}) is not in the assembly, so ` +
            'the resources inside it, and their security changes, are not in this report: review that template by hand',
        ),
      );
    }
  }
  const parameterChanges =
    base && head && move.parentStack && move.parentParameters ? parentParameterChanges(move.parentParameters) : [];
  if (base && head) {
    const pairs = [
      ...modified.map((m) => ({
        logicalId: m.logicalId,
        before: baseResources[m.logicalId],
        after: headResources[m.logicalId],
      })),
      ...pairing.renamed.map((r) => ({ logicalId: r.to, before: baseResources[r.from], after: headResources[r.to] })),
    ];
    const logic = [
      ...templateLogicFindings(base, head, pairs),
      ...(move.parentStack && move.parentParameters
        ? parentParameterFindings(move.parentStack, move.parentParameters.resource, parameterChanges, base, head)
        : []),
    ];
    for (const f of logic) findings.push(finding('template-logic-changed', f.logicalId, f.type, f.detail));
  }
  const status =
    base === undefined
      ? 'added'
      : head === undefined
        ? 'removed'
        : [added, removed, renamed, modified, templateChanges, parameterChanges].some((list) => list.length > 0)
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
      templateChanges,
      ...(move.movedFrom ? { movedFrom: move.movedFrom } : {}),
      ...(move.movedTo ? { movedTo: move.movedTo } : {}),
      ...(move.parentStack ? { parentStack: move.parentStack } : {}),
      ...(parameterChanges.length > 0 ? { parentParameterChanges: parameterChanges } : {}),
    },
    findings,
  };
}

export function compareFindings(a: SecurityFinding, b: SecurityFinding): number {
  return (
    FINDING_KIND_ORDER.indexOf(a.kind) - FINDING_KIND_ORDER.indexOf(b.kind) ||
    compareStrings(a.environment, b.environment) ||
    compareStrings(a.stack, b.stack) ||
    compareStrings(a.awsEnvironment ?? '', b.awsEnvironment ?? '') ||
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
  /** The Parameters the parent's AWS::CloudFormation::Stack resource passes to nested stack `s`. */
  const parametersOf = (s: AssemblyStack, assembly: AssemblyStack[]) => {
    // A nested stack's artifact id is its parent's, then `/` and the resource's logical id.
    const cut = s.artifactId.lastIndexOf('/');
    const parent = assembly.find((p) => p.environment === s.environment && p.artifactId === s.artifactId.slice(0, cut));
    return parent?.template.Resources?.[s.artifactId.slice(cut + 1)]?.Properties?.Parameters;
  };
  const passed = (b: AssemblyStack | undefined, h: AssemblyStack | undefined): ParentParameters | undefined =>
    b?.parentStack && h?.parentStack
      ? {
          resource: h.artifactId.slice(h.artifactId.lastIndexOf('/') + 1),
          before: parametersOf(b, base),
          after: parametersOf(h, head),
        }
      : undefined;
  const baseExports = assemblyExports(base);
  const headExports = withoutChangedExports(assemblyExports(head), baseExports);
  const exportsFor = (table: Map<string, Map<string, StackExport>>, s: AssemblyStack | undefined) =>
    s && knownTarget(s.awsEnvironment) ? table.get(s.awsEnvironment) : undefined;
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
    const results =
      b && h && (b.awsEnvironment ?? '') !== (h.awsEnvironment ?? '')
        ? // Another account or region is another CloudFormation stack: created there, left behind here.
          [
            compareTemplates(environment, stack, b.template, undefined, spec, b.awsEnvironment, {
              movedTo: h.awsEnvironment ?? '(environment-agnostic)',
              parentStack: b.parentStack,
              stackName: b.stackName,
              baseExports: exportsFor(baseExports, b),
            }),
            compareTemplates(environment, stack, undefined, h.template, spec, h.awsEnvironment, {
              movedFrom: b.awsEnvironment ?? '(environment-agnostic)',
              parentStack: h.parentStack,
              nestedStacksRead: h.nestedStacksRead,
              stackName: h.stackName,
              headExports: exportsFor(headExports, h),
            }),
          ]
        : [
            compareTemplates(environment, stack, b?.template, h?.template, spec, (h ?? b)?.awsEnvironment, {
              parentStack: (h ?? b)?.parentStack,
              nestedStacksRead: h?.nestedStacksRead,
              parentInHead:
                b?.parentStack !== undefined &&
                head.some((s) => s.environment === environment && s.stackName === b.parentStack),
              parentParameters: passed(b, h),
              stackName: (h ?? b)!.stackName,
              baseExports: exportsFor(baseExports, b),
              headExports: exportsFor(headExports, h),
            }),
          ];
    for (const result of results) {
      stacks.push(result.change);
      security.push(...result.findings);
    }
  }
  security.sort(compareFindings);
  const count = (f: (s: StackChange) => number) => stacks.reduce((n, s) => n + f(s), 0);
  return {
    schemaVersion: 3,
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
