import * as os from 'os';
import * as path from 'path';
import { checkOutputPath, parseArguments, UsageError } from '../src/cli-args';

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

describe('checkOutputPath', () => {
  const nodeFs = jest.requireActual<typeof import('fs')>('fs');
  const cwd = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-output-path-'));
  nodeFs.mkdirSync(path.join(cwd, 'ro'));
  nodeFs.writeFileSync(path.join(cwd, 'afile'), '');

  test('a missing path inside a writable directory, an existing directory or file of the right kind: accepted', () => {
    expect(() => checkOutputPath('--outdir', path.join(cwd, 'new', 'asm'), 'directory', cwd)).not.toThrow();
    expect(() => checkOutputPath('--outdir', path.join(cwd, 'ro'), 'directory', cwd)).not.toThrow();
    expect(() => checkOutputPath('--out', path.join(cwd, 'afile'), 'file', cwd)).not.toThrow();
    expect(() => checkOutputPath('--out', path.join(cwd, 'new', 'x.json'), 'file', cwd)).not.toThrow();
  });

  test('a directory that is not writable, itself or as the nearest existing part of the path: named', () => {
    // Root may write anywhere: the permission is simulated.
    const accessSync = nodeFs.accessSync;
    const spy = jest.spyOn(nodeFs, 'accessSync').mockImplementation((file, mode) => {
      if (path.resolve(String(file)) === path.join(cwd, 'ro')) {
        throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      }
      return accessSync(file, mode);
    });
    try {
      expect(() => checkOutputPath('--outdir', path.join(cwd, 'ro'), 'directory', cwd)).toThrow(
        new UsageError(
          '--outdir: expected a directory to write to (created if missing), found ro, which is not writable',
        ),
      );
      expect(() => checkOutputPath('--out', path.join(cwd, 'ro', 'a', 'x.json'), 'file', cwd)).toThrow(
        new UsageError(
          '--out: expected a file to write to (its directory created if missing), found the directory ro, which is not writable, in the path ro/a/x.json',
        ),
      );
    } finally {
      spy.mockRestore();
    }
  });
});
