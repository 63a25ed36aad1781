import * as fs from 'fs';
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, Node, parseAllDocuments } from 'yaml';
import { ConfigIssue, formatFieldPath } from './errors';

/** A config file read and parsed with its node positions kept, so every issue can point at a line and column. */
export interface YamlFile {
  /** Absolute path. */
  readonly file: string;
  readonly source: string;
  readonly lineCounter: LineCounter;
  /** Undefined when the file is empty or could not be read. */
  readonly document?: Document.Parsed;
  /** Plain data from the document; undefined when the file is empty or has YAML errors. */
  readonly data: unknown;
  /** Read and syntax problems (empty file, malformed YAML, several documents). */
  readonly issues: ConfigIssue[];
}

/** Where a field path lands in a file. */
export interface YamlLocation {
  readonly line: number;
  readonly column: number;
  /** True when the whole path exists in the file. */
  readonly exists: boolean;
  /** The value node at the path, when it exists. */
  readonly node?: Node | null;
}

/** The "found" text for a field that is absent. */
export const MISSING_VALUE = 'no value (the field is required)';

// Bounds alias expansion so a crafted file cannot blow up memory ("billion laughs").
const MAX_ALIAS_COUNT = 100;

/** Reads and parses one YAML file; never throws for content problems (they become issues). */
export function readYamlFile(file: string): YamlFile {
  const lineCounter = new LineCounter();
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'an unreadable file';
    const issue = { file, line: 1, column: 1, path: '(file)', expected: 'a readable YAML file', found: code };
    return { file, source: '', lineCounter, data: undefined, issues: [issue] };
  }
  const documents = parseAllDocuments(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const base = { file, source, lineCounter };
  if (documents.length === 0 || documents[0].contents === null) {
    const issue = fileIssue(file, 'a YAML mapping of settings', 'an empty file (only comments or whitespace)');
    return { ...base, data: undefined, issues: [issue] };
  }
  const document = documents[0];
  const issues: ConfigIssue[] = [];
  const toIssue = (offset: number, expected: string, found: string): ConfigIssue => ({
    file,
    ...position(lineCounter, offset),
    path: '(yaml)',
    expected,
    found,
  });
  for (const problem of [...document.errors, ...document.warnings]) {
    const message = problem.message.split('\n')[0];
    if (problem.code === 'DUPLICATE_KEY') {
      issues.push(toIssue(problem.pos[0], 'each key at most once in a mapping', 'a duplicate key'));
    } else if (problem.code === 'TAG_RESOLVE_FAILED') {
      issues.push(toIssue(problem.pos[0], 'plain YAML values without custom tags', message));
    } else {
      issues.push(toIssue(problem.pos[0], 'valid YAML', message));
    }
  }
  if (documents.length > 1) {
    const extra = documents[1].range[0];
    issues.push(toIssue(extra, 'a single YAML document per file', `${documents.length} documents separated by ---`));
  }
  if (issues.length === 0 && document.contents) {
    issues.push(...checkMappingKeys(document.contents, [], { file, source, lineCounter }));
  }
  let data: unknown = undefined;
  if (issues.length === 0) {
    try {
      data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      issues.push(toIssue(0, 'YAML without excessive aliases', (error as Error).message));
    }
  }
  return { ...base, document, data, issues };
}

/**
 * Keys as the loaded data holds them. YAML's own duplicate-key check compares keys as typed, but
 * data keys are strings: `2024:` and `"2024":` are two keys to YAML and one to the config, where
 * the second silently wins. A `__proto__` key is lost (it sets the prototype of the object the schema
 * builds), so the setting it holds would be dropped without a word.
 *
 * A walk, not a `uniqueKeys` comparator: a comparator is handed two keys of one mapping, so it cannot
 * name the field path; it is never called for a mapping's first key (a lone `__proto__`); what it finds
 * is reported as YAML's own "Map keys must be unique"; and YAML stops at the first key it matches, so
 * with `"2024"`, `2024`, `2024` the third key would pair with the first, as text, not with the second
 * (yaml-keys.test.ts).
 */
function checkMappingKeys(
  node: unknown,
  at: readonly PropertyKey[],
  file: Pick<YamlFile, 'file' | 'source' | 'lineCounter'>,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const issue = (keyNode: Node, path: readonly PropertyKey[], expected: string, found: string): ConfigIssue => ({
    file: file.file,
    ...position(file.lineCounter, keyNode.range?.[0] ?? 0),
    path: formatFieldPath(path),
    expected,
    found,
  });
  if (isSeq(node)) {
    node.items.forEach((item, index) => issues.push(...checkMappingKeys(item, [...at, index], file)));
  } else if (isMap(node)) {
    const seen = new Map<string, Node>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = pair.key.value === null ? '' : String(pair.key.value);
      const path = [...at, key];
      const written = (keyNode: Node) => file.source.slice(keyNode.range![0], keyNode.range![1]).trim();
      const first = seen.get(key);
      if (key === '__proto__') {
        issues.push(
          issue(
            pair.key,
            path,
            'a key other than "__proto__" (a JavaScript object cannot hold it as a key)',
            'the key "__proto__"',
          ),
        );
      } else if (first) {
        const { line, column } = position(file.lineCounter, first.range?.[0] ?? 0);
        issues.push(
          issue(
            pair.key,
            path,
            'each key at most once in a mapping (keys are compared as text)',
            `${written(pair.key)}, the same key as ${written(first)} at line ${line}, column ${column}`,
          ),
        );
      } else {
        seen.set(key, pair.key);
      }
      issues.push(...checkMappingKeys(pair.value, path, file));
    }
  }
  return issues;
}

/** 1-based line and column of a character offset. */
export function position(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** An issue about a whole file, pointing at its first character. */
export function fileIssue(file: string, expected: string, found: string, suggestion?: string): ConfigIssue {
  return { file, line: 1, column: 1, path: '(file)', expected, found, ...(suggestion ? { suggestion } : {}) };
}

/**
 * Finds a field path in the file. `at: 'key'` points at the field's key (for
 * unknown or misnamed keys); the default points at its value, or at the key when
 * the value is empty. A path that does not exist lands on its nearest existing
 * parent's key, or on the start of the document.
 */
export function locate(yaml: YamlFile, path: readonly PropertyKey[], at: 'key' | 'value' = 'value'): YamlLocation {
  let node: Node | null | undefined = yaml.document?.contents;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const isLast = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (!pair) return { ...position(yaml.lineCounter, offset), exists: false };
      const keyOffset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value as Node | null;
      const valueOffset = node?.range?.[0];
      const empty = isScalar(node) && node.value === null;
      offset = (isLast && at === 'key') || valueOffset === undefined || empty ? keyOffset : valueOffset;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment] as Node | null;
      offset = node?.range?.[0] ?? offset;
    } else {
      return { ...position(yaml.lineCounter, offset), exists: false };
    }
  }
  return { ...position(yaml.lineCounter, offset), exists: true, node };
}

/** Describes a value node for the "found ..." part of a message, as written in the file. */
export function describeNode(yaml: YamlFile, node: Node | null | undefined): string {
  if (node === undefined) return MISSING_VALUE;
  if (node === null) return 'an empty value';
  if (isMap(node)) return node.items.length === 0 ? 'an empty mapping' : 'a mapping';
  if (isSeq(node)) return node.items.length === 1 ? 'a list of 1 item' : `a list of ${node.items.length} items`;
  if (isAlias(node)) return `the alias *${node.source}`;
  if (isScalar(node)) {
    const value = node.value;
    const text = node.range ? yaml.source.slice(node.range[0], node.range[1]).trim() : String(value);
    if (value === null) return 'an empty value';
    if (typeof value === 'string') return JSON.stringify(truncate(value));
    if (typeof value === 'number' || typeof value === 'bigint') {
      return String(value) === text ? `the number ${text}` : `the number ${text} (YAML reads it as ${String(value)})`;
    }
    if (typeof value === 'boolean') return `the boolean ${text}`;
    return truncate(text);
  }
  return 'an unsupported value';
}

/**
 * Builds an issue at a field path, describing what is there unless `found` is given.
 * `locateAt` points the position at another path (e.g. the field that makes this one wrong).
 */
export function issueAt(
  yaml: YamlFile,
  path: readonly PropertyKey[],
  expected: string,
  options: {
    found?: string;
    suggestion?: string | number;
    at?: 'key' | 'value';
    locateAt?: readonly PropertyKey[];
  } = {},
): ConfigIssue {
  const location = locate(yaml, options.locateAt ?? path, options.at);
  const found = options.found ?? describeNode(yaml, location.exists ? location.node : undefined);
  return {
    file: yaml.file,
    line: location.line,
    column: location.column,
    path: formatFieldPath(path),
    expected,
    found,
    ...(options.suggestion !== undefined ? { suggestion: options.suggestion } : {}),
  };
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
