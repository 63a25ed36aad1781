import { IDENTITY_RESOURCES, identityRule, IdentityKind, isStateful, REPLACING_PROPERTIES } from './stateful-resources';

/** A CloudFormation resource, loosely typed: only Type and Properties are read. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: { readonly [name: string]: unknown };
  readonly [key: string]: unknown;
}

export interface Template {
  readonly Resources?: { readonly [logicalId: string]: TemplateResource };
  readonly [key: string]: unknown;
}

/** Templates by stack key (`<integ file>/<stack artifact id>`). */
export interface StackTemplates {
  readonly [stack: string]: Template;
}

export type FindingKind = 'removed' | 'type-changed' | 'replaced';

/** A change that would delete or replace a protected (stateful, named or singleton) resource deployed from the baseline. */
export interface StabilityFinding {
  readonly kind: FindingKind;
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** For `replaced`: the replacement-forcing property that changed. */
  readonly property?: string;
  readonly before?: unknown;
  readonly after?: unknown;
  /** For `removed`: new logical ids of the same type in the same stack, the likely new name. */
  readonly renamedTo?: readonly string[];
  /** For `removed`: the whole stack is gone from the current synthesis. */
  readonly stackRemoved?: boolean;
  /** Set for a resource of the second table (IDENTITY_RESOURCES): why its identity is protected. */
  readonly protectedAs?: IdentityKind;
  /** For a `named` resource: its name property, and the name it had in the baseline. */
  readonly nameProperty?: string;
  readonly name?: unknown;
}

/** JSON with sorted keys, so property values compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as { [k: string]: unknown })[k]]),
        )
      : v,
  );
}

/**
 * Only the protected resources of each stack (what the committed baseline keeps): the stateful ones, and the
 * named and singleton ones of IDENTITY_RESOURCES. Stacks without any are left out.
 */
export function statefulResources(
  templates: StackTemplates,
  table: typeof REPLACING_PROPERTIES = REPLACING_PROPERTIES,
  identities: typeof IDENTITY_RESOURCES = IDENTITY_RESOURCES,
): { [stack: string]: { Resources: { [logicalId: string]: TemplateResource } } } {
  const out: { [stack: string]: { Resources: { [logicalId: string]: TemplateResource } } } = {};
  for (const stack of Object.keys(templates).sort()) {
    const resources = Object.entries(templates[stack].Resources ?? {}).filter(
      ([, r]) => isStateful(r.Type, table) || identityRule(r, identities) !== undefined,
    );
    if (resources.length === 0) continue;
    out[stack] = {
      Resources: Object.fromEntries(
        resources
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([id, r]) => [id, r.Properties ? { Type: r.Type, Properties: r.Properties } : { Type: r.Type }]),
      ),
    };
  }
  return out;
}

/**
 * Every stateful resource of `baseline` that `current` would delete or replace: its logical id is gone
 * (a renamed or moved construct gets a new logical id, so CloudFormation creates a new resource and
 * deletes the old one), its type changed, or a replacement-forcing property changed. The same for the
 * named and singleton resources of IDENTITY_RESOURCES, with their listed properties (a named type only
 * when the baseline sets its name). Resources added in `current`, and changes to other properties or
 * other types, are in-place and pass. Pure: no I/O.
 */
export function compareTemplates(
  baseline: StackTemplates,
  current: StackTemplates,
  table: typeof REPLACING_PROPERTIES = REPLACING_PROPERTIES,
  identities: typeof IDENTITY_RESOURCES = IDENTITY_RESOURCES,
): StabilityFinding[] {
  const findings: StabilityFinding[] = [];
  for (const stack of Object.keys(baseline).sort()) {
    const before = baseline[stack].Resources ?? {};
    const stackRemoved = !(stack in current);
    const after = current[stack]?.Resources ?? {};
    for (const logicalId of Object.keys(before).sort()) {
      const old = before[logicalId];
      const identity = isStateful(old.Type, table) ? undefined : identityRule(old, identities);
      if (!isStateful(old.Type, table) && identity === undefined) continue;
      const why: Partial<StabilityFinding> = identity
        ? {
            protectedAs: identity.kind,
            ...(identity.nameProperty !== undefined
              ? { nameProperty: identity.nameProperty, name: old.Properties?.[identity.nameProperty] }
              : {}),
          }
        : {};
      const now = after[logicalId];
      if (!now) {
        const renamedTo = Object.keys(after)
          .filter((id) => !(id in before) && after[id].Type === old.Type)
          .sort();
        findings.push({
          kind: 'removed',
          stack,
          logicalId,
          type: old.Type,
          ...(renamedTo.length > 0 ? { renamedTo } : {}),
          ...(stackRemoved ? { stackRemoved } : {}),
          ...why,
        });
        continue;
      }
      if (now.Type !== old.Type) {
        findings.push({
          kind: 'type-changed',
          stack,
          logicalId,
          type: old.Type,
          before: old.Type,
          after: now.Type,
          ...why,
        });
        continue;
      }
      for (const property of identity ? identity.properties : table[old.Type]) {
        const was = old.Properties?.[property];
        const is = now.Properties?.[property];
        if (canonical(was) !== canonical(is)) {
          findings.push({
            kind: 'replaced',
            stack,
            logicalId,
            type: old.Type,
            property,
            before: was,
            after: is,
            ...why,
          });
        }
      }
    }
  }
  return findings;
}

function show(value: unknown): string {
  return value === undefined ? '(not set)' : JSON.stringify(value);
}

/** Why the change of a named or singleton resource matters; empty for a stateful resource. */
function identityConsequence(finding: StabilityFinding): string {
  if (finding.protectedAs === 'singleton') {
    return (
      '; there is one per account and region: the new copy is created before this one is deleted and fails ' +
      'because one already exists'
    );
  }
  if (finding.protectedAs !== 'named') return '';
  if (finding.kind === 'replaced' && finding.property === finding.nameProperty) {
    return `; consumers that use the name ${show(finding.before)} lose it`;
  }
  if (finding.kind === 'replaced') {
    return (
      `; the new copy keeps the ${finding.nameProperty} ${show(finding.name)}, so CloudFormation, which creates ` +
      'it first, fails with "already exists"'
    );
  }
  return (
    `; its ${finding.nameProperty} ${show(finding.name)} is a name others depend on: consumers lose it, or, if a ` +
    'new resource keeps the name, CloudFormation creates that one first and it fails with "already exists"'
  );
}

/** One line per finding, naming the stack, the resource and what changed (and, for a named or singleton resource, why it matters). */
export function describeFinding(finding: StabilityFinding): string {
  const where = `${finding.stack}: ${finding.type} ${finding.logicalId}`;
  return describeChange(finding, where) + identityConsequence(finding);
}

function describeChange(finding: StabilityFinding, where: string): string {
  switch (finding.kind) {
    case 'removed':
      if (finding.stackRemoved) return `${where} would be DELETED: its stack is no longer synthesized`;
      return (
        `${where} would be DELETED: its logical id is gone (a renamed or moved construct gets a new logical id)` +
        (finding.renamedTo ? `; new ${finding.type} in the stack: ${finding.renamedTo.join(', ')}` : '')
      );
    case 'type-changed':
      return `${where} would be REPLACED: its type changed from ${show(finding.before)} to ${show(finding.after)}`;
    case 'replaced':
      return `${where} would be REPLACED: ${finding.property} changed from ${show(finding.before)} to ${show(finding.after)}`;
  }
}
