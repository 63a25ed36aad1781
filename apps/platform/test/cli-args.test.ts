import { parseArguments, UsageError } from '../src/cli-args';

const OPTIONS = { values: ['--config-dir', '--branch'], flags: ['--tooling'] };

describe('parseArguments', () => {
  test('reads --name VALUE, --name=VALUE and flags', () => {
    const args = parseArguments(['--config-dir', 'a/b', '--branch=release/1.2', '--tooling'], OPTIONS);
    expect([...args.values]).toEqual([
      ['--config-dir', 'a/b'],
      ['--branch', 'release/1.2'],
    ]);
    expect([...args.flags]).toEqual(['--tooling']);
    expect(parseArguments(['--branch=a=b'], OPTIONS).values.get('--branch')).toBe('a=b');
  });

  test('nothing given: no values, no flags', () => {
    const args = parseArguments([], OPTIONS);
    expect(args.values.size).toBe(0);
    expect(args.flags.size).toBe(0);
  });

  test.each([
    [
      ['--confg-dir', 'x'],
      "unknown option '--confg-dir', expected one of: --config-dir VALUE, --branch VALUE, --tooling",
    ],
    [['-c', 'x'], "unknown option '-c'"],
    [['main'], "unexpected argument 'main', expected one of:"],
    [['--config-dir'], '--config-dir needs a value, found none'],
    [['--config-dir='], '--config-dir needs a value, found none'],
    [['--config-dir', '--tooling'], "--config-dir needs a value, found '--tooling'"],
    [['--branch', 'a', '--branch', 'b'], '--branch given twice, expected it at most once'],
    [['--tooling', '--tooling'], '--tooling given twice'],
    [['--tooling=true'], "--tooling takes no value, found '--tooling=true'"],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseArguments(argv, OPTIONS)).toThrow(UsageError);
    expect(() => parseArguments(argv, OPTIONS)).toThrow(message);
  });
});
