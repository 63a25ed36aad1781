import * as path from 'path';

/** One problem in the config, pointing at the exact place in a file. */
export interface ConfigIssue {
  /** Absolute path of the file (or directory) the problem is in. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /**
   * Dotted path of the field, e.g. `vpc.cidr` or `notifications.emails[1]`;
   * `(file)` for a problem with the whole file, `(yaml)` for a syntax error.
   */
  readonly path: string;
  /** What the field should hold, e.g. `a 12-digit AWS account id`. */
  readonly expected: string;
  /** What it holds instead, e.g. `the number 11111111111`. */
  readonly found: string;
  /** A likely intended value, rendered as ` (did you mean "x"?)` (numbers without quotes). */
  readonly suggestion?: string | number;
}

/** Thrown by `loadPlatformConfig` when the config has one or more problems; carries all of them. */
export class ConfigError extends Error {
  public readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], cwd?: string) {
    super(`${issues.length} config ${issues.length === 1 ? 'error' : 'errors'}:\n${formatIssues(issues, cwd)}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/**
 * Renders issues one per line as
 * `<file>:<line>:<column>: <field.path>: expected <what>, found <what>[ (did you mean "x"?)]`,
 * with file paths relative to `cwd` (when inside it) so editors and terminals can jump to them.
 */
export function formatIssues(issues: readonly ConfigIssue[], cwd: string = process.cwd()): string {
  return issues.map((issue) => formatIssue(issue, cwd)).join('\n');
}

/** Renders one issue (see `formatIssues`). */
export function formatIssue(issue: ConfigIssue, cwd: string = process.cwd()): string {
  const file = displayPath(issue.file, cwd);
  const suggestion = typeof issue.suggestion === 'number' ? String(issue.suggestion) : `"${issue.suggestion}"`;
  const hint = issue.suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
  return `${file}:${issue.line}:${issue.column}: ${issue.path}: expected ${issue.expected}, found ${issue.found}${hint}`;
}

/** A path relative to `cwd` when it is inside it (what editors and terminals link), else absolute. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const relative = path.relative(cwd, file);
  if (relative === '') return '.';
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

/** `['vpc', 'cidr']` -> `vpc.cidr`; `['emails', 1]` -> `emails[1]`; keys that are not identifiers are quoted. */
export function formatFieldPath(segments: readonly PropertyKey[]): string {
  if (segments.length === 0) return '(root)';
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(segment))) {
      out += out === '' ? String(segment) : `.${String(segment)}`;
    } else {
      out += `[${JSON.stringify(String(segment))}]`;
    }
  }
  return out;
}

/** Orders issues by file (in the order given), then line, then column. */
export function sortIssues(issues: readonly ConfigIssue[], fileOrder: readonly string[]): ConfigIssue[] {
  const rank = (file: string) => {
    const index = fileOrder.indexOf(file);
    return index === -1 ? fileOrder.length : index;
  };
  return [...issues].sort(
    (a, b) => rank(a.file) - rank(b.file) || a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
}
