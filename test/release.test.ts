import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as semver from 'semver';

/**
 * Independent versions: a conventional commit that touches one package moves
 * only that package's version (and the versions of packages that depend on
 * it), proven on a scratch git repository made from this monorepo.
 */

const repoRoot = path.resolve(__dirname, '..');
const packages = fs.readdirSync(path.join(repoRoot, 'packages')).sort();
const BASELINE = '0.1.0';

let scratch: string;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: scratch, encoding: 'utf-8' }).trim();
}

function version(pkg: string): string {
  return JSON.parse(fs.readFileSync(path.join(scratch, 'packages', pkg, 'package.json'), 'utf-8')).version;
}

function commitFile(relativePath: string, message: string): void {
  fs.mkdirSync(path.dirname(path.join(scratch, relativePath)), { recursive: true });
  fs.writeFileSync(path.join(scratch, relativePath), `export const CHANGED = ${Date.now()};\n`);
  git('add', relativePath);
  git('commit', '-q', '-m', message);
}

/** The commits that count toward a package's next release (what `bump` counts). */
function releasableCommits(pkg: string): string[] {
  const out = execFileSync('npx', ['projen', 'bump:releasable-commits'], {
    cwd: path.join(scratch, 'packages', pkg),
    env: { ...process.env, LATEST_TAG: `@groundwork/${pkg}@v${BASELINE}` },
    encoding: 'utf-8',
  });
  return out.split('\n').filter((line) => /^[0-9a-f]{7,} /.test(line));
}

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-release-'));
  // The working tree as git sees it (tracked and new files, ignored ones left out).
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf-8',
  })
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(repoRoot, f)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, file), path.join(scratch, file));
  }
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(scratch, 'node_modules'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'release-test@groundwork.example');
  git('config', 'user.name', 'release test');
  git('config', 'commit.gpgsign', 'false');
  git('add', '.');
  git('commit', '-q', '-m', 'chore: baseline');
  for (const pkg of packages) git('tag', `@groundwork/${pkg}@v${BASELINE}`);
});

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

test('the monorepo has the expected construct packages', () => {
  expect(packages).toEqual(['compliance', 'cross-account-roles', 'networking', 'pipeline', 'security-baseline']);
});

test('an in-repo peer range accepts the workspace copy and the released versions of the sibling', () => {
  // `^0.0.0` accepted only 0.0.0, which is never published: npm refused to install any release (ERESOLVE).
  const ranges = packages.flatMap((pkg) =>
    Object.entries<string>(
      JSON.parse(fs.readFileSync(path.join(repoRoot, 'packages', pkg, 'package.json'), 'utf-8')).peerDependencies ?? {},
    )
      .filter(([name]) => name.startsWith('@groundwork/'))
      .map(([name, range]) => ({ pkg, name, range })),
  );
  expect(ranges.map((r) => `${r.pkg} -> ${r.name}`)).toEqual(['pipeline -> @groundwork/cross-account-roles']);
  for (const { range } of ranges) {
    for (const released of ['0.0.0', '0.1.0', '0.12.3']) expect(semver.satisfies(released, range)).toBe(true);
  }
});

test('a feat commit touching only networking bumps only networking', () => {
  commitFile('packages/networking/src/release-test.ts', 'feat(networking): add a release-test export');

  execFileSync('npx', ['projen', 'bump'], { cwd: scratch, stdio: 'pipe' });

  const versions = Object.fromEntries(packages.map((p) => [p, version(p)]));
  expect(versions.networking).not.toBe(BASELINE);
  expect(versions.networking).toMatch(/^0\.1\.[1-9]\d*$|^0\.[2-9]\.0$/);
  for (const pkg of packages.filter((p) => p !== 'networking')) {
    expect({ pkg, version: versions[pkg] }).toEqual({ pkg, version: BASELINE });
  }
  // The release tag carries the package name, so every package has its own history.
  expect(fs.readFileSync(path.join(scratch, 'packages/networking/dist/releasetag.txt'), 'utf-8')).toBe(
    `@groundwork/networking@v${versions.networking}`,
  );
  expect(fs.readFileSync(path.join(scratch, 'packages/networking/dist/changelog.md'), 'utf-8')).toContain(
    'add a release-test export',
  );

  execFileSync('npx', ['projen', 'unbump'], { cwd: scratch, stdio: 'pipe' });
  for (const pkg of packages) expect(version(pkg)).toBe('0.0.0');
}, 300_000);

test('a commit to an in-repo dependency counts toward its dependants, and only theirs', () => {
  commitFile('packages/cross-account-roles/src/release-test.ts', 'fix(cross-account-roles): tighten a trust policy');

  expect(releasableCommits('cross-account-roles')).toHaveLength(1);
  // pipeline peer-depends on cross-account-roles: the fix counts for it too.
  expect(releasableCommits('pipeline').join('\n')).toContain('tighten a trust policy');
  // networking knows nothing of cross-account-roles.
  expect(releasableCommits('networking').join('\n')).not.toContain('tighten a trust policy');
}, 120_000);

test("another package's breaking change neither changes this package's bump nor enters its changelog", () => {
  commitFile('packages/compliance/src/release-test.ts', 'feat(compliance)!: drop a rule');

  execFileSync('npx', ['projen', 'bump'], { cwd: path.join(scratch, 'packages', 'networking'), stdio: 'pipe' });

  // Only networking's own feat counts: a patch bump before 1.0.0, not the minor a breaking change would give.
  expect(version('networking')).toBe('0.1.1');
  const changelog = fs.readFileSync(path.join(scratch, 'packages/networking/dist/changelog.md'), 'utf-8');
  expect(changelog).toContain('add a release-test export');
  expect(changelog).not.toContain('drop a rule');
  execFileSync('npx', ['projen', 'unbump'], { cwd: path.join(scratch, 'packages', 'networking'), stdio: 'pipe' });
}, 120_000);

test('commits that are not feat/fix/perf/revert do not release anything', () => {
  commitFile('packages/security-baseline/src/release-test.ts', 'chore(security-baseline): tidy up');
  expect(releasableCommits('security-baseline')).toEqual([]);
}, 60_000);
