/** Structural comparison of template fragments, reported as JSON paths. */

export type PathSegment = string | number;

export interface JsonDifference {
  readonly path: PathSegment[];
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: unknown;
  readonly after?: unknown;
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Every leaf-most difference between `before` and `after`. Array elements
 * that survive unchanged are matched wherever they moved, so inserting a
 * statement at the top of a policy reports one added element, not a shifted
 * cascade, and a list whose order carries no meaning (Tags, policy
 * statements, ManagedPolicyArns) reordered reports nothing; the remaining
 * elements are paired in order and compared deeply.
 * Added elements carry their index in `after`, removed ones their index in `before`.
 *
 * Inside an intrinsic function (the value of any `Fn::` key, and every array
 * below it) position is meaning: `Fn::If` is [condition, true, false],
 * `Fn::Select` picks by index, `Fn::Join` and `Fn::Sub` concatenate in order.
 * Those arrays are compared position by position, and a pure reorder (the
 * same elements, moved) is one `changed` entry for the whole array.
 */
export function diffJson(before: unknown, after: unknown, prefix: PathSegment[] = []): JsonDifference[] {
  return diffValues(before, after, prefix, false);
}

function diffValues(before: unknown, after: unknown, prefix: PathSegment[], ordered: boolean): JsonDifference[] {
  if (deepEqual(before, after)) return [];
  if (before === undefined) return [{ path: prefix, change: 'added', after }];
  if (after === undefined) return [{ path: prefix, change: 'removed', before }];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => {
      const b = before[key];
      const a = after[key];
      if (key === 'Fn::If' && Array.isArray(b) && Array.isArray(a) && !deepEqual(b, a) && !isPermutation(b, a)) {
        // [condition, true, false]: a branch stands where the Fn::If stands, so a branch that is a
        // plain list (Tags, policy statements, security group rules) keeps its set-like matching.
        return diffPositions(b, a, [...prefix, key], (i) => i === 0 || ordered);
      }
      return diffValues(b, a, [...prefix, key], ordered || key.startsWith('Fn::'));
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (!ordered) return diffArrays(before, after, prefix);
    // Per-position entries would show each moved element as a change of its own: name the reorder once.
    if (isPermutation(before, after)) return [{ path: prefix, change: 'changed', before, after }];
    return diffPositions(before, after, prefix, () => true);
  }
  return [{ path: prefix, change: 'changed', before, after }];
}

/** True when `after` holds exactly the elements of `before`, in another order. */
function isPermutation(before: unknown[], after: unknown[]): boolean {
  if (before.length !== after.length) return false;
  const matched = new Set<number>();
  return after.every((item) => {
    const j = before.findIndex((candidate, k) => !matched.has(k) && deepEqual(candidate, item));
    if (j >= 0) matched.add(j);
    return j >= 0;
  });
}

/** Position by position; `ordered(i)` says whether lists inside element `i` are ordered too. */
function diffPositions(
  before: unknown[],
  after: unknown[],
  prefix: PathSegment[],
  ordered: (i: number) => boolean,
): JsonDifference[] {
  const result: JsonDifference[] = [];
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    if (i >= after.length) result.push({ path: [...prefix, i], change: 'removed', before: before[i] });
    else if (i >= before.length) result.push({ path: [...prefix, i], change: 'added', after: after[i] });
    else result.push(...diffValues(before[i], after[i], [...prefix, i], ordered(i)));
  }
  return result;
}

function diffArrays(before: unknown[], after: unknown[], prefix: PathSegment[]): JsonDifference[] {
  const matchedBefore = new Set<number>();
  const unmatchedAfter: number[] = [];
  after.forEach((item, i) => {
    const j = before.findIndex((candidate, k) => !matchedBefore.has(k) && deepEqual(candidate, item));
    if (j >= 0) matchedBefore.add(j);
    else unmatchedAfter.push(i);
  });
  const unmatchedBefore = before.map((_, i) => i).filter((i) => !matchedBefore.has(i));
  const result: JsonDifference[] = [];
  const paired = Math.min(unmatchedBefore.length, unmatchedAfter.length);
  for (let n = 0; n < paired; n++) {
    const i = unmatchedAfter[n];
    result.push(...diffValues(before[unmatchedBefore[n]], after[i], [...prefix, i], false));
  }
  for (const i of unmatchedBefore.slice(paired)) {
    result.push({ path: [...prefix, i], change: 'removed', before: before[i] });
  }
  for (const i of unmatchedAfter.slice(paired)) result.push({ path: [...prefix, i], change: 'added', after: after[i] });
  return result;
}

/** `Properties.PolicyDocument.Statement[0].Action`; keys that are not identifiers are quoted: `Tags["aws:cdk"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
