import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Every test run gets its own temporary directory, removed when the run ends
 * (scripts/jest/temp-dir-setup.js). Before, each `npm test` left thousands of
 * `cdk.out*` and scratch directories in /tmp.
 */
const ROOT = path.resolve(__dirname, '..');
const JEST = path.join(ROOT, 'node_modules', '.bin', 'jest');
const SETUP = path.join(ROOT, 'scripts', 'jest', 'temp-dir-setup.js');
const TEARDOWN = path.join(ROOT, 'scripts', 'jest', 'temp-dir-teardown.js');

function workspaceManifests(): string[] {
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));
  const members = (root.workspaces as string[]).flatMap((pattern) => {
    const parent = path.join(ROOT, path.dirname(pattern));
    return fs.readdirSync(parent).map((name) => path.join(parent, name, 'package.json'));
  });
  return [path.join(ROOT, 'package.json'), ...members.filter((file) => fs.existsSync(file))];
}

test('every jest project of the workspace runs the temporary-directory hooks', () => {
  const manifests = workspaceManifests();
  expect(manifests.length).toBeGreaterThanOrEqual(8);
  for (const manifest of manifests) {
    const jest = JSON.parse(fs.readFileSync(manifest, 'utf-8')).jest;
    const resolve = (entry: string) => path.resolve(entry.replace('<rootDir>', path.dirname(manifest)));
    expect({ manifest, setup: resolve(jest.globalSetup), teardown: resolve(jest.globalTeardown) }).toEqual({
      manifest,
      setup: SETUP,
      teardown: TEARDOWN,
    });
  }
});

describe('a jest run with the hooks', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-jest-hooks-'));
    fs.mkdirSync(path.join(scratch, 'tmp'));
    fs.mkdirSync(path.join(scratch, 'project'));
    fs.writeFileSync(
      path.join(scratch, 'project', 'jest.config.js'),
      `module.exports = ${JSON.stringify({
        rootDir: path.join(scratch, 'project'),
        testMatch: ['<rootDir>/*.test.js'],
        transform: {},
        globalSetup: SETUP,
        globalTeardown: TEARDOWN,
        cacheDirectory: path.join(scratch, 'cache'),
      })};`,
    );
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  /** A test file that leaves a directory in os.tmpdir(), as aws-cdk-lib's App does, and one from a child process. */
  function writeLeakyTest(name: string) {
    fs.writeFileSync(
      path.join(scratch, 'project', `${name}.test.js`),
      [
        "const fs = require('fs'), os = require('os'), path = require('path'), cp = require('child_process');",
        "test('leaves directories behind', () => {",
        "  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk.out'));",
        "  fs.writeFileSync(path.join(dir, 'manifest.json'), '{}');",
        "  cp.execFileSync(process.execPath, ['-e', \"require('fs').mkdtempSync(require('os').tmpdir() + '/child-')\"]);",
        '  expect(dir.startsWith(os.tmpdir())).toBe(true);',
        '});',
      ].join('\n'),
    );
  }

  function runJest() {
    return spawnSync(JEST, ['--config', path.join(scratch, 'project', 'jest.config.js'), '--ci', '--coverage=false'], {
      cwd: path.join(scratch, 'project'),
      encoding: 'utf-8',
      env: { ...process.env, TMPDIR: path.join(scratch, 'tmp') },
    });
  }

  test.each([
    ['in band (one test file)', ['one']],
    ['in workers (two test files)', ['one', 'two']],
  ])('%s leaves nothing in the temporary directory', (_, files) => {
    for (const name of files) writeLeakyTest(name);
    const result = runJest();
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
    expect(result.stderr).toContain(`${files.length} passed`);
    expect(fs.readdirSync(path.join(scratch, 'tmp'))).toEqual([]);
  });

  test("the tests see the run's directory as os.tmpdir(), not the caller's", () => {
    fs.writeFileSync(
      path.join(scratch, 'project', 'where.test.js'),
      [
        "const os = require('os');",
        "test('tmpdir', () => {",
        `  expect(os.tmpdir()).not.toBe(${JSON.stringify(path.join(scratch, 'tmp'))});`,
        `  expect(os.tmpdir().startsWith(${JSON.stringify(path.join(scratch, 'tmp', 'groundwork-jest-'))})).toBe(true);`,
        '});',
      ].join('\n'),
    );
    const result = runJest();
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
  });

  test("the setup removes an earlier run's directory whose jest process is gone, and nothing else", () => {
    const tmp = path.join(scratch, 'tmp');
    // A process that has exited: a run killed before its teardown left this directory.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const left = [
      `groundwork-jest-${process.pid}-live01`,
      'groundwork-jest-abc123',
      'groundwork-jest-hooks-x',
      'other',
    ];
    for (const name of [`groundwork-jest-${gone}-dead01`, ...left]) fs.mkdirSync(path.join(tmp, name));
    const setup = spawnSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(SETUP)})(); process.stdout.write(process.env.TMPDIR)`],
      { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf-8' },
    );
    expect(setup.status).toBe(0);
    // The new run's directory is named after its own process.
    const created = path.basename(setup.stdout);
    expect(created).toMatch(new RegExp(`^groundwork-jest-${setup.pid}-`));
    expect(fs.readdirSync(tmp).sort()).toEqual([created, ...left].sort());
  });
});
