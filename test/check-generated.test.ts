import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { staleFiles } from '../scripts/check-generated/main';

/** The CI check that committed generated files (API.md) match what the build wrote. */
test('reports modified and new generated files, and nothing when they are committed', () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-generated-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf-8' });
  git('init', '-q');
  git('config', 'user.email', 'check@groundwork.example');
  git('config', 'user.name', 'check');
  fs.mkdirSync(path.join(repo, 'packages/a'), { recursive: true });
  fs.mkdirSync(path.join(repo, 'packages/b'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'packages/a/API.md'), '# a\n');
  git('add', '.');
  git('commit', '-q', '-m', 'chore: api docs');

  expect(staleFiles(['packages/*/API.md'], repo)).toEqual([]);

  fs.writeFileSync(path.join(repo, 'packages/a/API.md'), '# a, changed\n');
  fs.writeFileSync(path.join(repo, 'packages/b/API.md'), '# b\n');
  fs.writeFileSync(path.join(repo, 'packages/b/other.md'), 'not generated\n');
  expect(staleFiles(['packages/*/API.md'], repo).sort()).toEqual([' M packages/a/API.md', '?? packages/b/API.md']);
  fs.rmSync(repo, { recursive: true, force: true });
});

const ROOT = path.resolve(__dirname, '..');

/** Runs one of the root scripts with ts-node, as the package tasks and CI do. */
function script(name: string, args: string[], cwd: string) {
  const run = spawnSync(
    process.execPath,
    ['-r', require.resolve('ts-node/register/transpile-only'), path.join(ROOT, 'scripts', name, 'main.ts'), ...args],
    {
      cwd,
      encoding: 'utf-8',
      env: {
        ...process.env,
        TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: 'commonjs', moduleResolution: 'node10' }),
      },
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('the check exits 1 naming the stale API.md files by default, and 0 when they are committed', () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-generated-cli-'));
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf-8' });
    git('init', '-q');
    git('config', 'user.email', 'check@groundwork.example');
    git('config', 'user.name', 'check');
    fs.mkdirSync(path.join(repo, 'packages/a'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'packages/a/API.md'), '# a\n');
    git('add', '.');
    git('commit', '-q', '-m', 'chore: api docs');
    expect(script('check-generated', [], repo)).toEqual({ status: 0, stdout: '', stderr: '' });

    fs.writeFileSync(path.join(repo, 'packages/a/API.md'), '# a, changed\n');
    fs.writeFileSync(path.join(repo, 'README.md'), 'not generated\n');
    const stale = script('check-generated', [], repo);
    expect(stale.stderr).toBe(
      'generated files are out of date (run npm test and commit them):\n M packages/a/API.md\n',
    );
    expect(stale.status).toBe(1);
  } finally {
    fs.rmSync(repo, { recursive: true, force: true });
  }
}, 30_000);

describe('docgen', () => {
  test("renders a package's API.md with the aws-cdk-lib types it uses, to the --output file", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-docgen-test-'));
    try {
      const run = script('docgen', ['packages/networking', '--output', path.join(out, 'API.md')], ROOT);
      expect(run).toMatchObject({
        status: 0,
        stdout: `docgen: wrote ${path.relative(ROOT, path.join(out, 'API.md'))}\n`,
      });
      const markdown = fs.readFileSync(path.join(out, 'API.md'), 'utf-8');
      expect(markdown).toMatch(/^# API Reference/);
      expect(markdown).toContain('### WorkloadVpc');
      // A type of aws-cdk-lib, whose assembly is the compressed .jsii.gz its .jsii redirects to.
      expect(markdown).toContain('<code>aws-cdk-lib.aws_ec2.SecurityGroup</code>');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  test('--output without a file name is a usage error (exit 2)', () => {
    const run = script('docgen', ['packages/networking', '--output'], ROOT);
    expect(run).toEqual({ status: 2, stdout: '', stderr: 'docgen: --output needs a file name, found none\n' });
  }, 30_000);

  test('a package that is not built is an error (exit 1), not an empty API.md', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-docgen-unbuilt-'));
    try {
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@groundwork/unbuilt' }));
      const run = script('docgen', [dir], ROOT);
      expect(run.stderr).toBe(`docgen: ${dir} has no .jsii assembly: build the package first\n`);
      expect(run.status).toBe(1);
      expect(fs.existsSync(path.join(dir, 'API.md'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
