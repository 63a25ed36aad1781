/**
 * IAM policy documents flattened into single grants, so two versions of a
 * policy can be compared by what they allow rather than by how the JSON is
 * laid out (CDK merges, splits and reorders statements freely).
 */

/** One (principal, action, resource) grant of one statement, with that statement's conditions. */
export interface PolicyGrant {
  readonly effect: 'Allow' | 'Deny';
  /** '' for identity policies, '*' for anyone, else `AWS:arn`, `Service:name`, ... */
  readonly principal: string;
  /**
   * As written; actions are compared case-insensitively, as IAM does. For a
   * NotAction statement, `NotAction:a,b` (for display) and `notAction` holds the list.
   */
  readonly action: string;
  /** As written; for a NotResource statement, `NotResource:a,b` and `notResource` holds the list. */
  readonly resource: string;
  /** The excluded actions of a NotAction statement: the grant allows every action none of them matches. */
  readonly notAction?: readonly string[];
  /** The excluded resources of a NotResource statement. */
  readonly notResource?: readonly string[];
  /** operator -> condition key (lower case) -> accepted values. */
  readonly condition: ConditionSet;
}

export type ConditionSet = { readonly [operator: string]: { readonly [key: string]: readonly string[] } };

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A readable, comparable string for a template value: intrinsics become
 * `${Logical.Attr}` placeholders the way CloudFormation's Fn::Sub writes them.
 */
export function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = value[fn];
      if (fn === 'Ref' && typeof arg === 'string') return '${' + arg + '}';
      if (fn === 'Fn::GetAtt') {
        const parts = Array.isArray(arg) ? arg.map(renderValue) : [renderValue(arg)];
        return '${' + parts.join('.') + '}';
      }
      if (fn === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
        return arg[1].map(renderValue).join(typeof arg[0] === 'string' ? arg[0] : '');
      }
      if (fn === 'Fn::Sub') return typeof arg === 'string' ? arg : renderValue(Array.isArray(arg) ? arg[0] : arg);
      if (fn === 'Fn::ImportValue') return '${Import:' + renderValue(arg) + '}';
    }
  }
  return JSON.stringify(value);
}

function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function principals(statement: { [key: string]: unknown }): string[] {
  if ('NotPrincipal' in statement) return [`NotPrincipal:${JSON.stringify(statement.NotPrincipal)}`];
  const principal = statement.Principal;
  if (principal === undefined) return [''];
  if (principal === '*') return ['*'];
  if (!isObject(principal)) return [renderValue(principal)];
  return Object.keys(principal)
    .sort()
    .flatMap((kind) =>
      asList(principal[kind]).map((p) => {
        const rendered = renderValue(p);
        return kind === 'AWS' && rendered === '*' ? '*' : `${kind}:${rendered}`;
      }),
    );
}

function normalizeCondition(condition: unknown): ConditionSet {
  if (!isObject(condition)) return condition === undefined ? {} : { '': { '': [renderValue(condition)] } };
  const out: { [operator: string]: { [key: string]: string[] } } = {};
  for (const [operator, block] of Object.entries(condition)) {
    out[operator] = {};
    if (!isObject(block)) {
      out[operator][''] = [renderValue(block)];
      continue;
    }
    // Condition keys are case-insensitive; values are not.
    for (const [key, values] of Object.entries(block)) {
      out[operator][key.toLowerCase()] = asList(values).map(renderValue).sort();
    }
  }
  return out;
}

/** A template value that is one intrinsic function (`{ "Fn::If": [...] }`, `{ "Ref": "X" }`), not a literal. */
export function isIntrinsic(value: unknown): boolean {
  if (!isObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

const OPAQUE = 'opaque:';

function isOpaque(action: string): boolean {
  return action.startsWith(OPAQUE);
}

/**
 * Every grant of a policy document; a document that is not a literal object is one opaque grant
 * (its action is `opaque:` and its text), which only the same text covers.
 */
export function policyGrants(document: unknown): PolicyGrant[] {
  if (!isObject(document) || document.Statement === undefined) {
    return document === undefined
      ? []
      : [{ effect: 'Allow', principal: '', action: `${OPAQUE}${renderValue(document)}`, resource: '', condition: {} }];
  }
  const grants: PolicyGrant[] = [];
  for (const statement of asList(document.Statement)) {
    // A statement behind Fn::If has no Effect or Action of its own: read as a statement, it would grant nothing.
    if (!isObject(statement) || isIntrinsic(statement)) {
      grants.push({
        effect: 'Allow',
        principal: '',
        action: `${OPAQUE}${renderValue(statement)}`,
        resource: '',
        condition: {},
      });
      continue;
    }
    const effect = statement.Effect === 'Deny' ? 'Deny' : 'Allow';
    // NotAction/NotResource grant everything except the list: kept as a list, compared by set inclusion.
    const notAction = 'NotAction' in statement ? asList(statement.NotAction).map(renderValue).sort() : undefined;
    const notResource = 'NotResource' in statement ? asList(statement.NotResource).map(renderValue).sort() : undefined;
    const actions = notAction ? [`NotAction:${notAction.join(',')}`] : asList(statement.Action).map(renderValue);
    const resources = notResource
      ? [`NotResource:${notResource.join(',')}`]
      : statement.Resource === undefined
        ? ['']
        : asList(statement.Resource).map(renderValue);
    const condition = normalizeCondition(statement.Condition);
    for (const principal of principals(statement)) {
      for (const action of actions) {
        for (const resource of resources) {
          grants.push({
            effect,
            principal,
            action,
            resource,
            condition,
            ...(notAction ? { notAction } : {}),
            ...(notResource ? { notResource } : {}),
          });
        }
      }
    }
  }
  return grants;
}

/**
 * IAM wildcard match (`*` any run, `?` one character) of `pattern` against
 * `value`. `value` may itself be a pattern: then the match means every string
 * `value` matches is matched by `pattern`, so a `?` of `pattern` never stands
 * for a `*` of `value` (`logs-?` does not cover `logs-*`).
 */
export function wildcardMatches(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === value) return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase && pattern.toLowerCase() === value.toLowerCase();
  }
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '[^*]');
  return new RegExp(`^${escaped}$`, ignoreCase ? 'i' : '').test(value);
}

/**
 * True when `strict` restricts at least as much as `loose`: it keeps every
 * condition of `loose`, with no more accepted values (or, for negated
 * operators such as StringNotEquals, no fewer excluded values).
 */
export function conditionAtLeastAsStrict(strict: ConditionSet, loose: ConditionSet): boolean {
  for (const [operator, keys] of Object.entries(loose)) {
    for (const [key, looseValues] of Object.entries(keys)) {
      const strictValues = strict[operator]?.[key];
      if (!strictValues) return false;
      const negated = /Not/.test(operator);
      const ok = negated
        ? looseValues.every((v) => strictValues.includes(v))
        : strictValues.every((v) => looseValues.includes(v));
      if (!ok) return false;
    }
  }
  return true;
}

function principalCovers(wide: string, narrow: string): boolean {
  return wide === narrow || (wide === '*' && !narrow.startsWith('NotPrincipal:'));
}

/**
 * True when everything `narrow` names is named by `wide`, where either may be
 * an exclusion list (NotAction, NotResource: everything except the list).
 * - `*` covers anything;
 * - a plain pattern covers a plain pattern it matches, never an exclusion list;
 * - an exclusion list W covers a plain value that no entry of W matches (a value
 *   with a wildcard is assumed to overlap W: not covered);
 * - an exclusion list W covers an exclusion list N when N excludes at least
 *   what W excludes: every entry of W is matched by some entry of N.
 */
function itemCovers(
  wide: { value: string; not?: readonly string[] },
  narrow: { value: string; not?: readonly string[] },
  ignoreCase: boolean,
): boolean {
  // An opaque grant is the text of a document or statement that could not be read: its `*` are
  // JSON, not wildcards (the last one would cover any statement appended after it). Only the
  // same text is covered, and only by itself.
  if (isOpaque(wide.value) || isOpaque(narrow.value)) return wide.value === narrow.value;
  if (!wide.not) {
    if (wide.value === '*') return true;
    return !narrow.not && wildcardMatches(wide.value, narrow.value, ignoreCase);
  }
  if (narrow.not) return wide.not.every((w) => narrow.not!.some((n) => wildcardMatches(n, w, ignoreCase)));
  if (narrow.value.includes('*') || narrow.value.includes('?')) return false;
  return !wide.not.some((w) => wildcardMatches(w, narrow.value, ignoreCase));
}

function scopeCovers(wide: PolicyGrant, narrow: PolicyGrant): boolean {
  return (
    wide.effect === narrow.effect &&
    principalCovers(wide.principal, narrow.principal) &&
    itemCovers({ value: wide.action, not: wide.notAction }, { value: narrow.action, not: narrow.notAction }, true) &&
    itemCovers(
      { value: wide.resource, not: wide.notResource },
      { value: narrow.resource, not: narrow.notResource },
      false,
    )
  );
}

export interface PolicyBroadening {
  /** Allow grants in `after` that nothing in `before` already allowed. */
  readonly newAllows: PolicyGrant[];
  /** Of those, the ones whose scope existed before under stricter conditions. */
  readonly relaxedConditions: PolicyGrant[];
  /** Deny grants in `before` that nothing in `after` still denies. */
  readonly removedDenies: PolicyGrant[];
}

/** What `after` allows (or stops denying) that `before` did not. */
export function policyBroadening(before: PolicyGrant[], after: PolicyGrant[]): PolicyBroadening {
  const newAllows: PolicyGrant[] = [];
  const relaxedConditions: PolicyGrant[] = [];
  for (const grant of after.filter((g) => g.effect === 'Allow')) {
    const sameScope = before.filter((b) => scopeCovers(b, grant));
    if (sameScope.some((b) => conditionAtLeastAsStrict(grant.condition, b.condition))) continue;
    newAllows.push(grant);
    if (sameScope.length > 0) relaxedConditions.push(grant);
  }
  const removedDenies = before
    .filter((g) => g.effect === 'Deny')
    .filter(
      (deny) => !after.some((a) => scopeCovers(a, deny) && conditionAtLeastAsStrict(deny.condition, a.condition)),
    );
  return { newAllows, relaxedConditions, removedDenies };
}

export function isWildcardAction(action: string): boolean {
  return action === '*' || action.endsWith(':*') || action.startsWith('NotAction:');
}

export function isWildcardResource(resource: string): boolean {
  return resource === '*' || resource.startsWith('NotResource:');
}

function listSome(values: string[], max = 5): string {
  const unique = [...new Set(values)].sort();
  const shown = unique.slice(0, max).map((v) => (v === '' ? '(none)' : v));
  return shown.join(', ') + (unique.length > max ? ` and ${unique.length - max} more` : '');
}

/** One line for the report, e.g. `allows s3:putobject on arn:...; wildcard action`. */
export function describeBroadening(b: PolicyBroadening, subject: 'grant' | 'trust'): string[] {
  const lines: string[] = [];
  const allows = b.newAllows.filter((g) => !b.relaxedConditions.includes(g));
  if (allows.length > 0) {
    const parts: string[] = [];
    const who = allows.map((g) => g.principal).filter((p) => p !== '');
    if (who.length > 0) parts.push(`${subject === 'trust' ? 'trusts' : 'to'} ${listSome(who)}`);
    parts.push(`allows ${listSome(allows.map((g) => g.action))}`);
    if (allows.some((g) => g.resource !== '')) parts.push(`on ${listSome(allows.map((g) => g.resource))}`);
    const flags: string[] = [];
    if (allows.some((g) => isWildcardAction(g.action))) flags.push('wildcard action');
    if (allows.some((g) => g.resource !== '' && isWildcardResource(g.resource))) flags.push('wildcard resource');
    if (allows.some((g) => g.principal === '*')) flags.push('any principal');
    lines.push(parts.join(' ') + (flags.length > 0 ? ` (${flags.join(', ')})` : ''));
  }
  if (b.relaxedConditions.length > 0) {
    const who = b.relaxedConditions.map((g) => g.principal).filter((p) => p !== '');
    lines.push(
      `conditions removed or relaxed for ${listSome(b.relaxedConditions.map((g) => g.action))}` +
        (who.length > 0 ? ` by ${listSome(who)}` : ''),
    );
  }
  if (b.removedDenies.length > 0) {
    lines.push(`no longer denies ${listSome(b.removedDenies.map((g) => g.action))}`);
  }
  return lines;
}
