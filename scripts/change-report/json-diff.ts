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
 * cascade; the remaining elements are paired in order and compared deeply.
 * Added elements carry their index in `after`, removed ones their index in `before`.
 */
export function diffJson(before: unknown, after: unknown, prefix: PathSegment[] = []): JsonDifference[] {
  if (deepEqual(before, after)) return [];
  if (before === undefined) return [{ path: prefix, change: 'added', after }];
  if (after === undefined) return [{ path: prefix, change: 'removed', before }];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffJson(before[key], after[key], [...prefix, key]));
  }
  if (Array.isArray(before) && Array.isArray(after)) return diffArrays(before, after, prefix);
  return [{ path: prefix, change: 'changed', before, after }];
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
    result.push(...diffJson(before[unmatchedBefore[n]], after[i], [...prefix, i]));
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
