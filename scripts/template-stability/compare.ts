import { isStateful, REPLACING_PROPERTIES } from './stateful-resources';

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

/** A change that would delete or replace a stateful resource deployed from the baseline. */
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

/** Only the stateful resources of each stack (what the committed baseline keeps); stacks without any are left out. */
export function statefulResources(
  templates: StackTemplates,
  table: typeof REPLACING_PROPERTIES = REPLACING_PROPERTIES,
): { [stack: string]: { Resources: { [logicalId: string]: TemplateResource } } } {
  const out: { [stack: string]: { Resources: { [logicalId: string]: TemplateResource } } } = {};
  for (const stack of Object.keys(templates).sort()) {
    const resources = Object.entries(templates[stack].Resources ?? {}).filter(([, r]) => isStateful(r.Type, table));
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
 * deletes the old one), its type changed, or a replacement-forcing property changed. Resources added in
 * `current`, and changes to other properties or other types, are in-place and pass. Pure: no I/O.
 */
export function compareTemplates(
  baseline: StackTemplates,
  current: StackTemplates,
  table: typeof REPLACING_PROPERTIES = REPLACING_PROPERTIES,
): StabilityFinding[] {
  const findings: StabilityFinding[] = [];
  for (const stack of Object.keys(baseline).sort()) {
    const before = baseline[stack].Resources ?? {};
    const stackRemoved = !(stack in current);
    const after = current[stack]?.Resources ?? {};
    for (const logicalId of Object.keys(before).sort()) {
      const old = before[logicalId];
      if (!isStateful(old.Type, table)) continue;
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
        });
        continue;
      }
      if (now.Type !== old.Type) {
        findings.push({ kind: 'type-changed', stack, logicalId, type: old.Type, before: old.Type, after: now.Type });
        continue;
      }
      for (const property of table[old.Type]) {
        const was = old.Properties?.[property];
        const is = now.Properties?.[property];
        if (canonical(was) !== canonical(is)) {
          findings.push({ kind: 'replaced', stack, logicalId, type: old.Type, property, before: was, after: is });
        }
      }
    }
  }
  return findings;
}

function show(value: unknown): string {
  return value === undefined ? '(not set)' : JSON.stringify(value);
}

/** One line per finding, naming the stack, the resource and what changed. */
export function describeFinding(finding: StabilityFinding): string {
  const where = `${finding.stack}: ${finding.type} ${finding.logicalId}`;
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
