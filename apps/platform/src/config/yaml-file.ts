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

/** What a file that cannot be read is, by the error code of the read. */
const READ_ERRORS: Readonly<Record<string, string>> = {
  EISDIR: 'a directory',
  ENOENT: 'no such file (or a symbolic link to none)',
  EACCES: 'a file this user may not read (permission denied)',
  EPERM: 'a file this user may not read (operation not permitted)',
  ELOOP: 'a loop of symbolic links',
};

/** Reads and parses one YAML file; never throws for content problems (they become issues). */
export function readYamlFile(file: string): YamlFile {
  const lineCounter = new LineCounter();
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const found = (code && READ_ERRORS[code]) ?? `an unreadable file (${code ?? (error as Error).message})`;
    const issue = { file, line: 1, column: 1, path: '(file)', expected: 'a readable YAML file', found };
    return { file, source: '', lineCounter, data: undefined, issues: [issue] };
  }
  const decoded = decodeUtf8(file, bytes);
  if ('issue' in decoded) return { file, source: '', lineCounter, data: undefined, issues: [decoded.issue] };
  const source = decoded.text;
  // Duplicate keys are left to checkMappingKeys, which names the field and the first occurrence
  // (YAML's own check names neither). Every file is read with YAML 1.2's core schema, whatever it declares,
  // and without the "known" tags the yaml library resolves beyond it (!!binary, !!omap, !!pairs, !!set,
  // !!timestamp): those load as a Uint8Array, Map, Set or Date, which the loaded data cannot hold as
  // written (`tags: !!omap [...]` became an empty mapping, its tags dropped without a word). Unresolved,
  // they are reported as tags like any other.
  const documents = parseAllDocuments(source, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
    schema: 'core',
    resolveKnownTags: false,
  });
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
    if (problem.code === 'TAG_RESOLVE_FAILED') {
      // `tag:yaml.org,2002:omap` is written `!!omap`: name it as written.
      const written = message.replace(/tag:yaml\.org,2002:/g, '!!');
      issues.push(toIssue(problem.pos[0], 'plain YAML values without custom tags', written));
    } else {
      issues.push(toIssue(problem.pos[0], 'valid YAML', message));
    }
  }
  // `%YAML 1.1` would make `yes`, `off` and `on` booleans, `0036` octal 30, `<<` a merge and `2024-01-01` a
  // date to its author; the file is read as YAML 1.2 instead, so the directive is an error rather than a
  // silent change of meaning.
  const declared = document.directives?.yaml;
  if (declared?.explicit && declared.version !== '1.2') {
    const directive = /^%YAML[ \t]/m.exec(source);
    issues.push(
      toIssue(
        directive?.index ?? 0,
        'YAML 1.2 (the config is read with the YAML 1.2 core schema; remove the %YAML directive)',
        `a %YAML ${declared.version} directive`,
      ),
    );
  }
  if (documents.length > 1) {
    const extra = documents[1].range[0];
    issues.push(toIssue(extra, 'a single YAML document per file', `${documents.length} documents separated by ---`));
  }
  // A file that parses is also loaded when its keys have problems (a duplicate key, in which the later value
  // wins, or `__proto__`, which the loaded data holds as an own key): its other fields and the rules across
  // files are still checked, so that one run reports every problem.
  const parsed = issues.length === 0;
  if (parsed && document.contents) {
    issues.push(...checkMappingKeys(document.contents, [], { file, source, lineCounter }));
  }
  let data: unknown = undefined;
  if (parsed) {
    try {
      // A `__proto__` key is reported above; left in the data, the schema would report it again as unknown.
      data = withoutProtoKeys(document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
    } catch (error) {
      issues.push(toIssue(0, 'YAML without excessive aliases', (error as Error).message));
    }
  }
  return { ...base, document, data, issues };
}

/** The loaded data without `__proto__` keys (YAML keeps them as own keys), in every mapping. */
function withoutProtoKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutProtoKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '__proto__')
      .map(([key, item]) => [key, withoutProtoKeys(item)]),
  );
}

/**
 * Keys as the loaded data holds them: the config's only duplicate-key check (the file is parsed with
 * YAML's own off). YAML's check compares keys as typed, but data keys are strings: `2024:` and
 * `"2024":` are two keys to YAML and one to the config, where the second silently wins; comparing as
 * text finds every duplicate YAML's check finds, and those too. Each duplicate is reported at its
 * field path with the line and column of the first occurrence. A `__proto__` key is lost (it sets the
 * prototype of the object the schema builds), so the setting it holds would be dropped without a word.
 *
 * A walk, not a `uniqueKeys` comparator: a comparator is handed two keys of one mapping, so it cannot
 * name the field path; it is never called for a mapping's first key (a lone `__proto__`); what it finds
 * is reported as YAML's own "Map keys must be unique" (yaml-keys.test.ts).
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
      if (!isScalar(pair.key)) {
        // An alias as a key (`*e : dev`) would bypass the checks below, and a collection as a key becomes text.
        const keyNode = pair.key as Node | null;
        if (keyNode) {
          issues.push(
            issue(
              keyNode,
              [...at, '(key)'],
              'a plain key, written out (not an alias or a collection)',
              isAlias(keyNode) ? `the alias *${keyNode.source}` : 'a collection as a key',
            ),
          );
        }
        continue;
      }
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

/**
 * The text of a file that must be UTF-8, or an issue naming what it is instead: UTF-16 or UTF-32
 * (a byte order mark, as Windows editors and PowerShell 5 redirection write), a NUL byte (UTF-16 without
 * a byte order mark), or the first byte that is not UTF-8 (Latin-1 or another legacy encoding). Decoded
 * as UTF-8, those would be replaced by U+FFFD or read as NUL characters and reported as garbled values,
 * or pass unnoticed in a comment. A UTF-8 byte order mark (EF BB BF) is accepted: YAML allows it.
 */
function decodeUtf8(file: string, bytes: Buffer): { text: string } | { issue: ConfigIssue } {
  const expected = 'a UTF-8 encoded YAML file';
  const at = (offset: number, found: string): { issue: ConfigIssue } => {
    const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1;
    const line = bytes.subarray(0, lineStart).filter((b) => b === 0x0a).length + 1;
    // The line up to the byte is valid UTF-8: count its characters for the column.
    const column = [...bytes.subarray(lineStart, offset).toString('utf8')].length + 1;
    return { issue: { file, line, column, path: '(file)', expected, found } };
  };
  const boms: [number[], string][] = [
    [[0xff, 0xfe, 0x00, 0x00], 'UTF-32 text (byte order mark FF FE 00 00)'],
    [[0x00, 0x00, 0xfe, 0xff], 'UTF-32 text (byte order mark 00 00 FE FF)'],
    [[0xff, 0xfe], 'UTF-16 text (byte order mark FF FE)'],
    [[0xfe, 0xff], 'UTF-16 text (byte order mark FE FF)'],
  ];
  for (const [bom, found] of boms) {
    if (bom.every((b, i) => bytes[i] === b)) return at(0, `${found}; save it as UTF-8`);
  }
  const nul = bytes.indexOf(0x00);
  if (nul !== -1) return at(nul, `a NUL byte at byte offset ${nul} (UTF-16 text?); save it as UTF-8`);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const hex = bytes[offset].toString(16).toUpperCase().padStart(2, '0');
    return at(
      offset,
      `the byte ${hex} at byte offset ${offset}, which is not UTF-8 (Latin-1 or Windows-1252?); save it as UTF-8`,
    );
  }
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let length: number;
    let min = 0x80;
    let max = 0xbf;
    if (b < 0x80) {
      length = 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
      length = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) min = 0xa0; // no overlong forms
      if (b === 0xed) max = 0x9f; // no surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) min = 0x90; // no overlong forms
      if (b === 0xf4) max = 0x8f; // nothing above U+10FFFF
    } else {
      return i;
    }
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      const low = k === 1 ? min : 0x80;
      const high = k === 1 ? max : 0xbf;
      if (next === undefined || next < low || next > high) return i;
    }
    i += length;
  }
  return bytes.length;
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
  // Through an alias (`breakGlassRoles: *roles`), the path goes on in the anchored value, and the position
  // stays where the alias is written: that is the field the message is about.
  let throughAlias = false;
  const follow = () => {
    if (isAlias(node) && yaml.document) {
      node = node.resolve(yaml.document) ?? node;
      throughAlias = true;
    }
  };
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const isLast = i === path.length - 1;
    follow();
    const aliasOffset = offset;
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
    if (throughAlias) offset = aliasOffset;
  }
  follow();
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
    if (typeof value === 'string') return quoted(truncate(value));
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

/**
 * Characters a terminal shows as nothing or as a plain space: format characters (zero-width space, byte order
 * mark, bidirectional marks), spaces other than U+0020 (no-break space, ideographic space), line and paragraph
 * separators, private-use and unassigned code points. JSON.stringify escapes control characters only.
 */
const INVISIBLE = /[\p{Cf}\p{Zs}\p{Zl}\p{Zp}\p{Co}\p{Cn}]/gu;

/**
 * A text in double quotes for a "found" part, with every character that would not show escaped as `\uXXXX`:
 * `found "nonprod\u00A0"`, where the bare text reads `found "nonprod "` and the error seems to contradict itself.
 */
export function quoted(text: string): string {
  return JSON.stringify(text).replace(INVISIBLE, (c) => {
    if (c === ' ') return c;
    const code = c.codePointAt(0)!;
    const hex = code.toString(16).toUpperCase();
    return code > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
  });
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
