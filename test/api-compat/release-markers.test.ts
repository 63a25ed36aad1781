import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT, ScratchRepo } from './scratch-repo';
import { parseJsiiDiffOutput } from '../../scripts/api-compat/jsii-diff';
import { parseArgs, UsageError } from '../../scripts/api-compat/packages';
import {
  breakingBump,
  Commit,
  describeMarking,
  howToMarkBreaking,
  isBreakingCommit,
  isReleasableCommit,
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
    // The bump tool's breakingHeaderPattern (conventional-changelog-conventionalcommits) needs one space after
    // "!:"; with a tab it makes a patch release, so the gate must not take the commit as marked.
    'feat(networking)!:\tremove the cidr prop',
    'feat(networking)!:remove the cidr prop',
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

describe('a breaking marker on a commit type projen does not release', () => {
  const commit = (subject: string): Commit => ({ sha: '0123456789ab', subject, message: subject });
  const release = (...breaking: Commit[]) => ({
    packageName: '@groundwork/demo',
    latestTag: '@groundwork/demo@v1.0.0',
    latestVersion: '1.0.0',
    paths: ['.'],
    commits: breaking,
    breakingCommits: breaking,
  });

  test('says that the break takes effect with the next feat or fix release', () => {
    const text = describeMarking(release(commit('refactor(demo)!: rename the bucket construct')));
    expect(text).toContain('    0123456789ab refactor(demo)!: rename the bucket construct');
    expect(text).toContain(
      'refactor makes no release by itself (projen releases on feat, fix, perf and revert commits): ' +
        'the break takes effect with the next feat or fix release of @groundwork/demo, which is then 2.0.0 ' +
        '(a major bump from 1.0.0).',
    );
    expect(text).not.toContain('so the next release is');
  });

  test('names every such type, and says nothing of the kind when a releasable commit is marked', () => {
    expect(
      describeMarking(release(commit('chore(demo)!: drop node 18'), commit('refactor!: move the construct'))),
    ).toContain('chore and refactor make no release by themselves');
    const text = describeMarking(release(commit('feat(demo)!: drop the legacy prop'), commit('chore!: drop node 18')));
    expect(text).toContain('so the next release is 2.0.0 (a major bump from 1.0.0).');
    expect(text).not.toContain('no release by');
    // A pending releasable commit without a marker releases the break too.
    const withFeat = {
      ...release(commit('refactor(demo)!: rename the bucket construct')),
      commits: [commit('feat(demo): add a prop'), commit('refactor(demo)!: rename the bucket construct')],
    };
    expect(describeMarking(withFeat)).toContain('so the next release is 2.0.0');
  });

  test('a footer on a non-release type is the same case', () => {
    const footer: Commit = {
      sha: '0123456789ab',
      subject: 'docs(demo): the new bucket name',
      message: 'docs(demo): the new bucket name\n\nBREAKING CHANGE: the bucket is renamed',
    };
    expect(describeMarking(release(footer))).toContain('docs makes no release by itself');
  });
});

test("a commit is releasable as projen's bump:releasable-commits grep counts it", () => {
  expect(isReleasableCommit('feat(demo): add a prop')).toBe(true);
  expect(isReleasableCommit('fix!: narrow the trust policy')).toBe(true);
  expect(isReleasableCommit('perf(demo): faster synth')).toBe(true);
  expect(isReleasableCommit('refactor(demo)!: rename the bucket construct')).toBe(false);
  expect(isReleasableCommit('chore!: drop node 18')).toBe(false);
  expect(isReleasableCommit('Feat(demo): capitalised')).toBe(false);
  // git log --grep matches any line of the message, as the task does.
  expect(isReleasableCommit('chore(demo): tidy\n\nfix(demo): the typo too')).toBe(true);
});
