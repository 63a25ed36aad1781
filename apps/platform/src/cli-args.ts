import * as fs from 'fs';
import * as path from 'path';

/** A command line the command cannot run with: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

/** The options a command takes. */
export interface CommandOptions {
  /** Options that take a value, as `--name VALUE` or `--name=VALUE`, e.g. `--config-dir`. */
  readonly values: readonly string[];
  /** Options without a value, e.g. `--tooling`. */
  readonly flags?: readonly string[];
}

/** A parsed command line: each option given at most once. */
export interface ParsedArguments {
  /** The value of each value option given. */
  readonly values: ReadonlyMap<string, string>;
  /** The flags given. */
  readonly flags: ReadonlySet<string>;
}

/**
 * Parses argv strictly: an unknown option, an argument that is no option, a
 * value option without a value, a flag with one, or an option given twice is a
 * UsageError naming what was expected and what was found. A mistyped option
 * must stop the command: ignored, `--confg-dir DIR` would synthesize the
 * default config and exit 0.
 */
export function parseArguments(argv: readonly string[], options: CommandOptions): ParsedArguments {
  const flagNames = options.flags ?? [];
  const expected = [...options.values.map((name) => `${name} VALUE`), ...flagNames].join(', ');
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const seen = (name: string) => {
    if (values.has(name) || flags.has(name)) throw new UsageError(`${name} given twice, expected it at most once`);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    if (options.values.includes(name)) {
      seen(name);
      const value = equals > 0 ? arg.slice(equals + 1) : argv[++i];
      if (value === undefined || value === '' || value.startsWith('-')) {
        throw new UsageError(
          `${name} needs a value, found ${value === undefined || value === '' ? 'none' : `'${value}'`}`,
        );
      }
      values.set(name, value);
    } else if (flagNames.includes(name)) {
      seen(name);
      if (equals > 0) throw new UsageError(`${name} takes no value, found '${arg}'`);
      flags.add(name);
    } else {
      const what = arg.startsWith('-') ? 'unknown option' : 'unexpected argument';
      throw new UsageError(`${what} '${arg}', expected one of: ${expected}`);
    }
  }
  return { values, flags };
}

/**
 * Checks, before anything is written, that a command can write where an option points: `kind`
 * `directory` (the main job's `--outdir`, created with its parents when missing) or `file` (a
 * file whose directory is created when missing). Throws a UsageError naming the option, what it
 * expected and what is there: a file where a directory goes (or the reverse), a file in the
 * path, or a directory that is not writable. Paths in the message are relative to `cwd`.
 */
export function checkOutputPath(option: string, target: string, kind: 'directory' | 'file', cwd: string): void {
  const shown = (p: string) => {
    const relative = path.relative(cwd, p);
    return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? p : relative;
  };
  const expected =
    kind === 'directory'
      ? `${option}: expected a directory to write to (created if missing)`
      : `${option}: expected a file to write to (its directory created if missing)`;
  const fail = (found: string): never => {
    throw new UsageError(`${expected}, found ${found}`);
  };
  const stat = statOrUndefined(target);
  if (stat) {
    if (kind === 'directory' && !stat.isDirectory()) fail(`a file at ${shown(target)}`);
    if (kind === 'file' && stat.isDirectory()) fail(`a directory at ${shown(target)}`);
    if (!writable(target)) fail(`${shown(target)}, which is not writable`);
    return;
  }
  // The nearest part of the path that exists: the rest is created, inside it.
  let existing = path.dirname(target);
  let existingStat = statOrUndefined(existing);
  while (!existingStat && path.dirname(existing) !== existing) {
    existing = path.dirname(existing);
    existingStat = statOrUndefined(existing);
  }
  if (!existingStat) fail(`no existing directory in the path ${shown(target)}`);
  if (!existingStat!.isDirectory()) fail(`the file ${shown(existing)} in the path ${shown(target)}`);
  if (!writable(existing)) {
    fail(`the directory ${shown(existing)}, which is not writable, in the path ${shown(target)}`);
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function writable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
