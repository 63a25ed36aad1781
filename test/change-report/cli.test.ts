import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BASE_TEMPLATE, headTemplate, writeAssembly } from './scenario';
import type { ChangeReport } from '../../scripts/change-report/types';

/**
 * The command as CI runs it: `ts-node scripts/change-report/main.ts` from the
 * repository root, in a child process, so exit codes and output are real.
 */

const repoRoot = path.resolve(__dirname, '..', '..');
let tmp: string;
let base: string;
let head: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'change-report-cli-'));
  base = writeAssembly(path.join(tmp, 'base'), {
    '(root)': { pipeline: { Resources: {} } },
    Dev: { 'dev-app': BASE_TEMPLATE },
  });
  head = writeAssembly(path.join(tmp, 'head'), {
    '(root)': { pipeline: { Resources: {} } },
    Dev: { 'dev-app': headTemplate() },
  });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function changeReport(args: string[], cwd = repoRoot) {
  // The repository's own ts-node (what `npx ts-node` resolves to at the root), so any cwd works.
  const tsNode = path.join(repoRoot, 'node_modules', '.bin', 'ts-node');
  const result = spawnSync(tsNode, [path.join(repoRoot, 'scripts/change-report/main.ts'), ...args], {
    cwd,
    encoding: 'utf-8',
    // Type checking is ts-jest's job; transpile-only keeps each run to a few seconds.
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(repoRoot, 'tsconfig.json') },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectNoStackTrace(text: string) {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toMatch(/Error:/);
}

test('writes change-report.md and change-report.json to --out-dir, prints the Markdown, exits 0 with changes', () => {
  const out = path.join(tmp, 'out', 'nested');
  const result = changeReport(['--base', base, '--head', head, '--out-dir', out]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const markdown = fs.readFileSync(path.join(out, 'change-report.md'), 'utf-8');
  expect(result.stdout).toBe(markdown);
  expect(markdown).toContain('**6 security-relevant changes**');
  const json = JSON.parse(fs.readFileSync(path.join(out, 'change-report.json'), 'utf-8')) as ChangeReport;
  expect(json.schemaVersion).toBe(3);
  expect(json.summary.securityFindings).toBe(6);
  expect(json.stacks.map((s) => `${s.environment}/${s.stack}:${s.status}`)).toEqual([
    '(root)/pipeline:unchanged',
    'Dev/dev-app:modified',
  ]);
}, 60_000);

test('writes to the current directory by default, and --flag=value works', () => {
  const cwd = fs.mkdtempSync(path.join(tmp, 'cwd-'));
  const result = changeReport([`--base=${base}`, `--head=${base}`], cwd);
  expect(result.status).toBe(0);
  expect(fs.readFileSync(path.join(cwd, 'change-report.md'), 'utf-8')).toMatch(
    /## Security-relevant changes\n\nNone\./,
  );
  expect(fs.existsSync(path.join(cwd, 'change-report.json'))).toBe(true);
}, 60_000);

test('--help prints usage and exits 0 (run exactly as the root task does, with type checking)', () => {
  const spawned = spawnSync('npx', ['ts-node', 'scripts/change-report/main.ts', '--help'], {
    cwd: repoRoot,
    encoding: 'utf-8',
  });
  const result = { status: spawned.status, stdout: spawned.stdout };
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('Usage: npm run change-report -- --base DIR --head DIR [--out-dir DIR]');
}, 60_000);

test.each([
  ['no arguments', [], /--base DIR is required/],
  ['a missing --head', ['--base', '.'], /--head DIR is required/],
  ['a flag without value', ['--base', '--head', 'x'], /--base needs a directory/],
  ['an unknown argument', ['--base', 'a', '--head', 'b', '--verbose'], /unknown argument '--verbose'/],
  [
    'a missing directory',
    ['--base', '/nonexistent/cdk.out', '--head', '.'],
    /--base: \/nonexistent\/cdk\.out does not exist or is not a directory/,
  ],
  [
    'a directory that is not a cloud assembly',
    ['--base', '.', '--head', '.'],
    /--base: \. is not a cloud assembly: it has no manifest\.json/,
  ],
])(
  '%s: exit 2 with a clear message and no stack trace',
  (_, args, message) => {
    const result = changeReport(args as string[], tmp);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^change-report: /);
    expectNoStackTrace(result.stderr);
  },
  60_000,
);

test('an output directory that cannot be created: exit 1 (unexpected failure), one line, no stack trace', () => {
  const file = path.join(tmp, 'a-file');
  fs.writeFileSync(file, '');
  const result = changeReport(['--base', base, '--head', head, '--out-dir', path.join(file, 'out')], tmp);
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^change-report: failed: .*a-file\/out/);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}, 60_000);
