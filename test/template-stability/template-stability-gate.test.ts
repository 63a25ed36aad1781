import * as fs from 'fs';
import { runGate, ScratchRepo } from '../api-compat/scratch-repo';

/**
 * The template stability gate end to end, with a real aws-cdk-lib synthesis: a scratch package whose
 * integ app has a bucket, released as 1.0.0; renaming the bucket's construct id fails the gate unless
 * the commit is marked breaking, and an in-place change passes.
 */

const PACKAGE = '@groundwork/demo';
const PKG_DIR = 'packages/demo';

function integApp(bucketId: string, versioned: boolean): string {
  return `import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

const app = new App();
const stack = new Stack(app, 'DemoInteg');
new s3.Bucket(stack, '${bucketId}', { enforceSSL: true, versioned: ${versioned} });
app.synth();
`;
}

let repo: ScratchRepo;

function gate(...extra: string[]) {
  return runGate('template-stability', [repo.path(PKG_DIR), ...extra]);
}

beforeAll(() => {
  repo = new ScratchRepo('groundwork-template-stability-');
  repo.write(`${PKG_DIR}/package.json`, JSON.stringify({ name: PACKAGE, version: '0.0.0', jsii: {} }, undefined, 2));
  repo.write(`${PKG_DIR}/test/integ.demo.ts`, integApp('AuditLogs', false));
  repo.commit('feat(demo): audit log bucket');
  const update = gate('--update-baseline');
  expect(update.stdout).toContain('(1 stateful resource(s))');
  expect(update.status).toBe(0);
  repo.commit('chore(release): template baseline of @groundwork/demo 1.0.0');
  repo.git('tag', `${PACKAGE}@v1.0.0`);
}, 60_000);

afterAll(() => repo?.remove());

test('the baseline holds the bucket as synthesized by aws-cdk-lib', () => {
  const baseline = JSON.parse(fs.readFileSync(repo.path(`${PKG_DIR}/api-baseline/templates.json`), 'utf-8'));
  const resources = baseline.stacks['integ.demo/DemoInteg'].Resources;
  expect(Object.values(resources).map((r: any) => r.Type)).toEqual(['AWS::S3::Bucket']);
  expect(Object.keys(resources)[0]).toMatch(/^AuditLogs[0-9A-F]{8}$/);
});

test('an in-place change to the bucket passes without a marker', () => {
  repo.write(`${PKG_DIR}/test/integ.demo.ts`, integApp('AuditLogs', true));
  repo.commit('feat(demo): version the audit log bucket');

  const run = gate();

  expect(run.stdout).toContain('OK: no stateful resource of the released templates would be replaced or deleted.');
  expect(run.status).toBe(0);
}, 30_000);

test("renaming the bucket's construct id is caught", () => {
  repo.write(`${PKG_DIR}/test/integ.demo.ts`, integApp('AuditLogBucket', true));
  repo.commit('refactor(demo): clearer bucket id');

  const run = gate();

  expect(run.stdout).toContain(`template-stability ${PACKAGE} (${PKG_DIR})`);
  expect(run.stdout).toMatch(
    /integ\.demo\/DemoInteg: AWS::S3::Bucket AuditLogs[0-9A-F]{8} would be DELETED: its logical id is gone .*new AWS::S3::Bucket in the stack: AuditLogBucket[0-9A-F]{8}/,
  );
  expect(run.stdout).toContain('FAIL: a stateful resource would be replaced without a breaking-change marker.');
  expect(run.stdout).toContain('feat(demo)!: <what changed>');
  expect(run.status).toBe(1);
}, 30_000);

test('the rename passes when its commit is marked breaking', () => {
  repo.reword(
    'refactor(demo)!: clearer bucket id\n\nBREAKING CHANGE: the audit log bucket is replaced; copy its objects first.\n',
  );

  const run = gate();

  expect(run.stdout).toContain('Marked breaking since @groundwork/demo@v1.0.0 by:');
  expect(run.stdout).toContain('so the next release is 2.0.0 (a major bump from 1.0.0)');
  expect(run.status).toBe(0);
}, 30_000);

describe('a package whose integ apps are gone', () => {
  const OTHER = '@groundwork/other';
  const OTHER_DIR = 'packages/other';

  test('with no released baseline, there is nothing to check', () => {
    repo.write(`${OTHER_DIR}/package.json`, JSON.stringify({ name: OTHER, version: '0.0.0', jsii: {} }, undefined, 2));
    repo.commit('feat(other): a package without integ apps');

    const run = runGate('template-stability', [repo.path(OTHER_DIR)]);

    expect(run.stdout).toContain('SKIP: no integ app (test/integ.*.ts) to synthesize, so no template is checked.');
    expect(run.status).toBe(0);
  }, 30_000);

  test('with a released baseline, deleting the integ apps deletes their stateful resources', () => {
    repo.write(`${OTHER_DIR}/test/integ.other.ts`, integApp('Archive', false));
    repo.commit('feat(other): archive bucket');
    expect(runGate('template-stability', [repo.path(OTHER_DIR), '--update-baseline']).status).toBe(0);
    repo.commit('chore(release): template baseline of @groundwork/other 1.0.0');
    repo.git('tag', `${OTHER}@v1.0.0`);
    fs.rmSync(repo.path(`${OTHER_DIR}/test/integ.other.ts`));
    repo.commit('test(other): drop the integ app');

    const run = runGate('template-stability', [repo.path(OTHER_DIR)]);

    expect(run.stdout).toContain(
      'No integ app (test/integ.*.ts) is left, but packages/other/api-baseline/templates.json',
    );
    expect(run.stdout).toMatch(
      /integ\.other\/DemoInteg: AWS::S3::Bucket Archive[0-9A-F]{8} would be DELETED: its stack is no longer synthesized/,
    );
    expect(run.stdout).toContain('FAIL: a stateful resource would be replaced without a breaking-change marker.');
    expect(run.status).toBe(1);
  }, 60_000);
});

describe('a released package whose baseline is missing', () => {
  test('deleting the baseline of a released package fails (exit 1), naming the file and how to restore it', () => {
    fs.rmSync(repo.path(`${PKG_DIR}/api-baseline/templates.json`));
    repo.commit('chore(demo): drop the template baseline');
    const deletedBy = repo.git('rev-parse', '--short=12', 'HEAD');
    try {
      const run = gate();

      expect(run.stdout).toContain(
        'FAIL: packages/demo/api-baseline/templates.json is missing, but @groundwork/demo@v1.0.0 has been released',
      );
      expect(run.stdout).toContain(
        `git checkout ${deletedBy}~1 -- packages/demo/api-baseline/templates.json (commit ${deletedBy} deleted it)`,
      );
      expect(run.stdout).toContain('npx projen update-baseline');
      expect(run.stdout).toContain('template-stability: FAILED for @groundwork/demo.');
      expect(run.status).toBe(1);
    } finally {
      repo.git('checkout', `${deletedBy}~1`, '--', `${PKG_DIR}/api-baseline/templates.json`);
      repo.commit('chore(demo): restore the template baseline');
    }
  }, 30_000);

  test('deleting both the integ apps and the baseline of a released package fails too', () => {
    const OTHER_DIR = 'packages/other';
    fs.rmSync(repo.path(`${OTHER_DIR}/api-baseline/templates.json`));
    repo.commit('chore(other): drop the template baseline');

    const run = runGate('template-stability', [repo.path(OTHER_DIR)]);

    expect(run.stdout).toContain(
      'FAIL: packages/other/api-baseline/templates.json is missing, but @groundwork/other@v1.0.0 has been released',
    );
    expect(run.status).toBe(1);
  }, 30_000);

  test('a released package that never had integ apps or a template baseline is skipped', () => {
    repo.write(
      'packages/rules/package.json',
      JSON.stringify({ name: '@groundwork/rules', version: '0.0.0', jsii: {} }),
    );
    repo.commit('feat(rules): a rule pack');
    repo.git('tag', '@groundwork/rules@v1.0.0');

    const run = runGate('template-stability', [repo.path('packages/rules')]);

    expect(run.stdout).toContain('SKIP: no integ app (test/integ.*.ts) to synthesize, so no template is checked.');
    expect(run.status).toBe(0);
  }, 30_000);

  test('before the first release, a package with an integ app and no baseline is skipped', () => {
    repo.write(
      'packages/fresh/package.json',
      JSON.stringify({ name: '@groundwork/fresh', version: '0.0.0', jsii: {} }),
    );
    repo.write('packages/fresh/test/integ.fresh.ts', integApp('Fresh', false));
    repo.commit('feat(fresh): a new package');

    const run = runGate('template-stability', [repo.path('packages/fresh')]);

    expect(run.stdout).toContain(
      'SKIP: no released templates to compare with (packages/fresh/api-baseline/templates.json is missing).',
    );
    expect(run.status).toBe(0);
  }, 30_000);
});
