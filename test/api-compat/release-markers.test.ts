import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, ScratchRepo } from './scratch-repo';
import { parseJsiiDiffOutput } from '../../scripts/api-compat/jsii-diff';
import { parseArgs, UsageError } from '../../scripts/api-compat/packages';
import {
  breakingBump,
  describeMarking,
  howToMarkBreaking,
  isBreakingCommit,
  latestReleaseTag,
  pendingRelease,
  releasePaths,
} from '../../scripts/api-compat/release-markers';

describe('isBreakingCommit', () => {
  test.each([
    'feat(networking)!: remove the cidr prop',
    'feat!: remove the cidr prop',
    'fix(cross-account-roles)!: narrow the trust policy',
    'refactor(pipeline)!: rename the drift detector construct',
    'feat(networking): remove the cidr prop\n\nBREAKING CHANGE: use ipAddresses instead.',
    'feat(networking): remove the cidr prop\n\nSome context.\n\nBREAKING-CHANGE: use ipAddresses instead.\nRefs: #11',
  ])('marked: %j', (message) => {
    expect(isBreakingCommit(message)).toBe(true);
  });

  test.each([
    'feat(networking): add the ipAddresses prop',
    'fix: a bug',
    'feat(networking): mention breaking change in passing',
    // Only a footer at the start of a line counts; the header itself is not a footer.
    'BREAKING CHANGE: not a conventional header',
    'feat(networking): remove x\n\nThis is not a BREAKING CHANGE: it is documented.',
    'feat(networking)! : space before the colon is not the marker',
  ])('not marked: %j', (message) => {
    expect(isBreakingCommit(message)).toBe(false);
  });
});

test('a breaking change bumps the major from 1.0.0 on, and the minor before', () => {
  expect(breakingBump('1.0.0')).toEqual({ kind: 'major', next: '2.0.0' });
  expect(breakingBump('2.3.4')).toEqual({ kind: 'major', next: '3.0.0' });
  expect(breakingBump('0.3.1')).toEqual({ kind: 'minor', next: '0.4.0' });
  expect(breakingBump('0.0.0')).toEqual({ kind: 'minor', next: '0.1.0' });
  expect(() => breakingBump('next')).toThrow(/not a semantic version: next/);
  expect(howToMarkBreaking('@groundwork/networking', '0.3.1')).toContain(
    'then 0.4.0 (a minor bump from 0.3.1; before 1.0.0 a breaking change bumps the minor version)',
  );
});

test("the folders that count are the ones the package's bump counts", () => {
  expect(releasePaths(path.join(REPO_ROOT, 'packages', 'networking'))).toEqual(['.']);
  // pipeline's releases count commits to cross-account-roles, which it builds on (decision 0004).
  expect(releasePaths(path.join(REPO_ROOT, 'packages', 'pipeline'))).toEqual(['.', '../cross-account-roles']);
  const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-release-paths-'));
  try {
    expect(releasePaths(bare)).toEqual(['.']);
  } finally {
    fs.rmSync(bare, { recursive: true, force: true });
  }
});

test("jsii-diff's output is read change by change, with suppression keys", () => {
  const output = [
    'Original assembly: @groundwork/networking@0.3.0',
    'Updated assembly: @groundwork/networking@0.0.0',
    'API elements with incompatible changes:',
    'err  - PROP @groundwork/networking.WorkloadVpcProps.cidr: has been removed [removed:@groundwork/networking.WorkloadVpcProps.cidr]',
    'err  - INITIALIZER @groundwork/networking.WorkloadVpc.<initializer>: newly required argument. [incompatible-argument:@groundwork/networking.WorkloadVpc.<initializer>]',
    'warn - ENUM VALUE @groundwork/networking.NatStrategy.SINGLE: member SINGLE has been removed [removed:@groundwork/networking.NatStrategy.SINGLE]',
  ].join('\n');
  expect(parseJsiiDiffOutput(output)).toEqual([
    {
      level: 'err',
      element: 'PROP',
      fqn: '@groundwork/networking.WorkloadVpcProps.cidr',
      description: 'has been removed',
      key: 'removed:@groundwork/networking.WorkloadVpcProps.cidr',
    },
    {
      level: 'err',
      element: 'INITIALIZER',
      fqn: '@groundwork/networking.WorkloadVpc.<initializer>',
      description: 'newly required argument.',
      key: 'incompatible-argument:@groundwork/networking.WorkloadVpc.<initializer>',
    },
    {
      level: 'warn',
      element: 'ENUM VALUE',
      fqn: '@groundwork/networking.NatStrategy.SINGLE',
      description: 'member SINGLE has been removed',
      key: 'removed:@groundwork/networking.NatStrategy.SINGLE',
    },
  ]);
  expect(parseJsiiDiffOutput('Original assembly: x\nUpdated assembly: x\n')).toEqual([]);
});

test('the command line takes package folders or --all, not both', () => {
  expect(parseArgs(['packages/networking', '--update-baseline'])).toMatchObject({
    all: false,
    updateBaseline: true,
    packageDirs: ['packages/networking'],
  });
  expect(parseArgs(['--all', '--root', '/repo'])).toMatchObject({ all: true, root: '/repo', packageDirs: [] });
  expect(() => parseArgs([])).toThrow(UsageError);
  expect(() => parseArgs(['--all', 'packages/networking'])).toThrow(/either package folders or --all/);
  expect(() => parseArgs(['--frobnicate'])).toThrow(/unknown option --frobnicate/);
});

describe('the pending release, read from git', () => {
  let repo: ScratchRepo;
  const demo = () => repo.path('packages/demo');

  beforeAll(() => {
    repo = new ScratchRepo('groundwork-release-markers-');
    repo.write('packages/demo/package.json', JSON.stringify({ name: '@groundwork/demo', version: '0.0.0' }));
    repo.commit('feat(demo)!: the first API');
    for (const version of ['1.2.0', '1.10.0', '1.9.0']) repo.git('tag', `@groundwork/demo@v${version}`);
    repo.write('packages/demo/README.md', '# demo\n');
    repo.commit('fix(demo): a typo');
    repo.write('packages/other/README.md', '# other\n');
    repo.commit('feat(other)!: not demo');
  }, 30_000);

  afterAll(() => repo?.remove());

  test('counts only the commits since the latest tag by version order (1.10.0 after 1.9.0) that touch the package', () => {
    expect(latestReleaseTag(demo(), '@groundwork/demo')).toBe('@groundwork/demo@v1.10.0');
    const release = pendingRelease(demo());
    expect(release).toMatchObject({ latestTag: '@groundwork/demo@v1.10.0', latestVersion: '1.10.0', paths: ['.'] });
    // The breaking commit before the release tag is in 1.10.0 already; the one of another package is not demo's.
    expect(release.commits.map((c) => c.subject)).toEqual(['fix(demo): a typo']);
    expect(release.breakingCommits).toEqual([]);
    expect(describeMarking(release)).toBe(
      'No commit since @groundwork/demo@v1.10.0 touching . is marked breaking (1 commit(s) checked).',
    );
  });

  test('a release sorts after its pre-releases, as projen picks the latest tag', () => {
    repo.git('tag', '@groundwork/demo@v2.0.0-rc.1');
    repo.git('tag', '@groundwork/demo@v2.0.0');
    expect(latestReleaseTag(demo(), '@groundwork/demo')).toBe('@groundwork/demo@v2.0.0');
  });
});
