import { isScalar } from 'yaml';
import { z } from 'zod';
import { didYouMean } from './did-you-mean';
import { ConfigIssue, formatFieldPath } from './errors';
import { expectations, SuggestionParams } from './schema';
import { describeNode, issueAt, locate, MISSING_VALUE, quoted, YamlFile } from './yaml-file';

type Schema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/** Parses a file's data with a schema; returns the parsed value or the issues, located in the file. */
export function parseWithSchema<T extends z.ZodType>(
  yaml: YamlFile,
  schema: T,
): { value?: z.output<T>; issues: ConfigIssue[] } {
  const result = schema.safeParse(yaml.data);
  if (result.success) return { value: result.data, issues: [] };
  const issues = result.error.issues.flatMap((issue) => toConfigIssues(yaml, schema, issue, []));
  return { issues: dropMissingFieldsExplainedByTypos(issues) };
}

/**
 * `organisation:` where `organization:` is required yields both "unknown field"
 * and "missing field". The typo's "did you mean" already says it all, so the
 * missing-field issue for the suggested name is dropped.
 */
function dropMissingFieldsExplainedByTypos(issues: ConfigIssue[]): ConfigIssue[] {
  const parentOf = (p: string) => p.replace(/(\.[^.[]+|\[[^\]]+\])$/, '');
  const explained = new Set(
    issues
      .filter((i) => i.found.startsWith('unknown field') && typeof i.suggestion === 'string')
      .map((i) => {
        const parent = parentOf(i.path);
        return parent === i.path ? String(i.suggestion) : `${parent}.${String(i.suggestion)}`;
      }),
  );
  return issues.filter((i) => !(i.found === MISSING_VALUE && explained.has(i.path)));
}

/** Fields that a release moved: what to write instead, in place of the list of known fields. */
const MOVED_FIELDS: Record<string, string> = {
  'alarms.deploymentFailures':
    'no such field here: the pipeline has one failure alarm for every environment, set pipeline.deploymentFailures in groundwork.yaml',
};

function toConfigIssues(yaml: YamlFile, root: Schema, issue: Issue, prefix: PropertyKey[]): ConfigIssue[] {
  const path = [...prefix, ...issue.path];
  const registered = registeredExpectation(schemaChain(root, path));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = objectKeys(schemaChain(root, path));
      const owner = path.length === 0 ? 'the file' : formatFieldPath(path);
      return issue.keys.map((key) =>
        issueAt(
          yaml,
          [...path, key],
          MOVED_FIELDS[formatFieldPath([...path, key])] ?? `a known field of ${owner} (${known.join(', ')})`,
          {
            at: 'key',
            found: `unknown field ${quoted(key)}`,
            suggestion: didYouMean(key, known),
          },
        ),
      );
    }
    case 'invalid_key': {
      const keyType = recordKeyType(schemaChain(root, path.slice(0, -1)));
      // A refinement of the key (git's branch-name rules) says what this key breaks; the registered words
      // describe every key, and a key such as "HEAD" meets all they list.
      const refined = issue.issues.find((inner) => inner.code === 'custom')?.message;
      const expected = refined ?? (keyType && registeredExpectation(schemaChain(keyType, []))) ?? 'a valid key';
      return [issueAt(yaml, path, expected, { at: 'key', found: `the key ${quoted(String(path[path.length - 1]))}` })];
    }
    case 'invalid_union': {
      // When exactly one alternative got past the type check, its deeper issues are the useful ones.
      const deeper = issue.errors.filter((branch) => branch.every((inner) => inner.path.length > 0));
      if (deeper.length === 1) return deeper[0].flatMap((inner) => toConfigIssues(yaml, root, inner, path));
      return [issueAt(yaml, path, registered ?? 'one of the allowed forms')];
    }
    case 'invalid_type': {
      const location = locate(yaml, path);
      let found = describeNode(yaml, location.exists ? location.node : undefined);
      if (issue.expected === 'string' && isScalar(location.node) && location.node.value !== null) {
        const hint = 'put it in quotes to make it a string';
        found = found.endsWith(')') ? `${found.slice(0, -1)}; ${hint})` : `${found} (${hint})`;
      }
      // zod reports Infinity and NaN (YAML's .inf, .nan, 1e400) as not a number: "expected a number, found the
      // number .inf" would contradict itself, so each number field registers its expectation (schema.ts).
      return [issueAt(yaml, path, registered ?? TYPE_WORDS[issue.expected] ?? `a ${issue.expected}`, { found })];
    }
    case 'invalid_value': {
      const actual = valueAt(yaml, path);
      const expected = registered ?? `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      return [issueAt(yaml, path, expected, { suggestion: suggestValue(actual, issue.values) })];
    }
    // A number's registered expectation states its whole range ("a whole number from 1 to 6"), not only the bound it missed.
    case 'too_small':
      return [
        issueAt(
          yaml,
          path,
          numericRange(issue.origin, registered) ??
            sizeWords(issue.origin, 'at least', issue.minimum, issue.inclusive !== false),
        ),
      ];
    case 'too_big':
      return [
        issueAt(
          yaml,
          path,
          numericRange(issue.origin, registered) ??
            sizeWords(issue.origin, 'at most', issue.maximum, issue.inclusive !== false),
        ),
      ];
    case 'invalid_format': {
      const fallback = issue.format === 'regex' ? `a string matching ${issue.pattern}` : `a valid ${issue.format}`;
      return [issueAt(yaml, path, registered ?? fallback)];
    }
    case 'not_multiple_of':
      return [issueAt(yaml, path, `a multiple of ${String(issue.divisor)}`)];
    case 'custom': {
      const params = (issue.params ?? {}) as SuggestionParams;
      return [issueAt(yaml, path, issue.message, { suggestion: params.suggestion })];
    }
    default:
      return [issueAt(yaml, path, registered ?? 'a valid value')];
  }
}

function numericRange(origin: string, registered: string | undefined): string | undefined {
  return origin === 'number' || origin === 'int' || origin === 'bigint' ? registered : undefined;
}

function sizeWords(origin: string, bound: string, limit: number | bigint, inclusive: boolean): string {
  const n = String(limit);
  switch (origin) {
    case 'array':
      return `a list of ${bound} ${n} ${n === '1' ? 'item' : 'items'}`;
    case 'string':
      return `a string of ${bound} ${n} ${n === '1' ? 'character' : 'characters'}`;
    default:
      if (inclusive) return `a number ${bound} ${n}`;
      return `a number ${bound === 'at least' ? 'greater than' : 'less than'} ${n}`;
  }
}

function valueAt(yaml: YamlFile, path: readonly PropertyKey[]): unknown {
  const location = locate(yaml, path);
  return location.exists && isScalar(location.node) ? location.node.value : undefined;
}

function suggestValue(actual: unknown, allowed: readonly unknown[]): string | number | undefined {
  if (typeof actual === 'string') {
    return didYouMean(
      actual,
      allowed.map((v) => String(v)),
    );
  }
  if (typeof actual === 'number' && Number.isFinite(actual)) {
    const numbers = allowed.filter((v): v is number => typeof v === 'number');
    if (numbers.length === 0) return undefined;
    const nearest = numbers.reduce((best, v) => (Math.abs(v - actual) < Math.abs(best - actual) ? v : best));
    return nearest;
  }
  return undefined;
}

function def(schema: Schema): any {
  return schema._zod.def;
}

/** The schema at a path and every wrapper around it (optional, default, ...), outermost first. */
export function schemaChain(root: Schema, path: readonly PropertyKey[]): Schema[] {
  let chain = unwrap(root);
  for (const segment of path) {
    const next = childOf(chain, segment);
    if (!next) return [];
    chain = unwrap(next);
  }
  return chain;
}

function unwrap(schema: Schema): Schema[] {
  const chain: Schema[] = [];
  let current: Schema | undefined = schema;
  while (current) {
    chain.push(current);
    const d = def(current);
    if (WRAPPERS.has(d.type)) current = d.innerType;
    else if (d.type === 'pipe') current = d.in;
    else if (d.type === 'lazy') current = d.getter();
    else current = undefined;
  }
  return chain;
}

function childOf(chain: Schema[], segment: PropertyKey): Schema | undefined {
  for (const schema of chain) {
    const d = def(schema);
    if (d.type === 'object') return d.shape[String(segment)];
    if (d.type === 'array' && typeof segment === 'number') return d.element;
    if (d.type === 'record') return d.valueType;
    if (d.type === 'union') {
      for (const option of d.options as Schema[]) {
        const child = childOf(unwrap(option), segment);
        if (child) return child;
      }
    }
  }
  return undefined;
}

function registeredExpectation(chain: Schema[]): string | undefined {
  for (const schema of chain) {
    const entry = expectations.get(schema as z.ZodType);
    if (entry) return entry.expected;
  }
  return undefined;
}

function objectKeys(chain: Schema[]): string[] {
  const object = chain.find((s) => def(s).type === 'object');
  return object ? Object.keys(def(object).shape) : [];
}

function recordKeyType(chain: Schema[]): Schema | undefined {
  const record = chain.find((s) => def(s).type === 'record');
  return record ? def(record).keyType : undefined;
}
