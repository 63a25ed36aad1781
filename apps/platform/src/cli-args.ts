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
