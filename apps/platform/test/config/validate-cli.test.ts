import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EXAMPLE_CONFIG, invalidCases, VALID_FIXTURE } from './fixtures';
import { runValidate } from '../../src/validate';

const APP_ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(APP_ROOT, 'lib', 'validate.js');

/** Runs the compiled CLI as a user would (lib/ is built before tests by the nx test target). */
function cli(args: string[], cwd: string) {
  const env = { ...process.env };
  delete env.INIT_CWD;
  const run = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('node lib/validate.js', () => {
  beforeAll(() => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: compile first (npx tsc, or the nx build target)`);
  });

  const spawned = [
    'account-yaml-number-leading-zero',
    'unknown-key-typo',
    'cidr-overlap',
    'tooling-account-as-workload',
    'yaml-malformed',
    'config-dir-missing',
    'several-across-files',
    'required-tag-not-in-default-tags',
    'environments-stray-entries',
    'organization-name-too-long-for-default-branches',
  ];
  test.each(spawned)('%s: exit 1, the expected errors on stderr, no stack trace, nothing written', (name) => {
    const invalid = invalidCases().find((c) => c.name === name)!;
    const before = fs.readdirSync(invalid.caseDir).sort();

    const run = cli(['--config-dir', invalid.configDir], invalid.caseDir);

    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    for (const line of invalid.expected) expect(run.stderr).toContain(line);
    const count = invalid.expected.length;
    expect(run.stderr).toContain(`${count} config ${count === 1 ? 'error' : 'errors'} in`);
    expect(run.stderr).not.toContain('    at ');
    expect(fs.readdirSync(invalid.caseDir).sort()).toEqual(before);
    expect(fs.existsSync(path.join(invalid.caseDir, 'cdk.out'))).toBe(false);
  });

  test('the example config passes with a summary, and the default is the app config dir', () => {
    const run = cli([], APP_ROOT);

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('config OK: 3 environments in 2 waves (nonprod: dev, test; prod: prod) from config\n');
  });

  test('--config-dir=DIR form and relative paths from the working directory', () => {
    const run = cli([`--config-dir=${path.relative(APP_ROOT, VALID_FIXTURE)}`], APP_ROOT);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('config OK: 2 environments in 2 waves');
  });

  test('--help prints usage and exits 0', () => {
    const run = cli(['--help'], APP_ROOT);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: node lib/validate.js [--config-dir DIR]');
  });
});

describe('runValidate', () => {
  function capture(argv: string[], baseDir = APP_ROOT) {
    const out: string[] = [];
    const err: string[] = [];
    const code = runValidate(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) }, baseDir);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  }

  test('an unexpected argument is a usage error (exit 2) with the usage text', () => {
    const run = capture(['--confg-dir', 'x']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("validate: unknown option '--confg-dir', expected one of: --config-dir VALUE");
    expect(run.stderr).toContain('Usage:');
  });

  test('--config-dir without a value is a usage error', () => {
    const run = capture(['--config-dir']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('validate: --config-dir needs a value, found none');
  });

  test('relative --config-dir resolves against the invocation directory', () => {
    const run = capture(['--config-dir', 'apps/platform/config'], path.join(APP_ROOT, '..', '..'));

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`from ${path.join('apps', 'platform', 'config')}`);
    expect(EXAMPLE_CONFIG).toBe(path.join(APP_ROOT, 'config'));
  });

  test.each([
    ['environments', 'environments', 'a directory environments/ with one <name>.yaml per environment'],
    ['the config directory', '.', 'a config directory with groundwork.yaml and environments/<name>.yaml'],
  ])('%s that cannot be listed is a config error (exit 1) naming it, not an internal error', (_what, dir, expected) => {
    const target = path.join(VALID_FIXTURE, dir);
    // The fs module itself (the test's `fs` is an import namespace, whose properties cannot be replaced).
    const nodeFs = jest.requireActual<typeof fs>('fs');
    const readdirSync = nodeFs.readdirSync;
    const spy = jest.spyOn(nodeFs, 'readdirSync').mockImplementation(((file: fs.PathLike, ...rest: unknown[]) => {
      if (path.resolve(String(file)) === target) {
        throw Object.assign(new Error(`EACCES: permission denied, scandir '${target}'`), { code: 'EACCES' });
      }
      return (readdirSync as (...args: unknown[]) => unknown)(file, ...rest);
    }) as typeof fs.readdirSync);
    try {
      const run = capture(['--config-dir', VALID_FIXTURE], VALID_FIXTURE);

      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `${dir}:1:1: (file): expected ${expected}, found a directory that cannot be listed (EACCES)`,
      );
      expect(run.stderr).toContain('1 config error in .');
    } finally {
      spy.mockRestore();
    }
  });
});
