import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Whether a package's pending release is marked breaking: the conventional commits since its last
 * release tag (`<name>@v<version>`, docs/decisions/0004-independent-releases.md) that touch the
 * folders its `bump` counts. Shared by the API compatibility gate and the template stability gate,
 * so both accept a breaking change on exactly the same evidence.
 */

export interface Commit {
  readonly sha: string;
  /** First line of the message. */
  readonly subject: string;
  /** The whole message. */
  readonly message: string;
}

export interface PendingRelease {
  /** The package's npm name, e.g. `@groundwork/networking`. */
  readonly packageName: string;
  /** The latest release tag, or undefined before the first release. */
  readonly latestTag?: string;
  /** The version of the latest release tag (`0.0.0` before the first release). */
  readonly latestVersion: string;
  /** Folders (relative to the package) whose commits count toward the release. */
  readonly paths: readonly string[];
  /** Every commit since the tag that touches those folders. */
  readonly commits: readonly Commit[];
  /** The commits among them marked breaking. */
  readonly breakingCommits: readonly Commit[];
}

/**
 * `type(scope)!: subject`: the `!` marks a breaking change (Conventional Commits 1.0.0, item 1). Exactly one
 * space after `!:`, as the bump tool's `breakingHeaderPattern` (conventional-changelog-conventionalcommits,
 * `/^(\w*)(?:\((.*)\))?!: (.*)$/`) needs: with a tab there, the bump makes no breaking release.
 */
const BREAKING_HEADER = /^[a-zA-Z]+(\([^()\r\n]+\))?!: .*\S/;
/** A `BREAKING CHANGE:` (or `BREAKING-CHANGE:`) footer, as commit-and-tag-version's parser reads notes. */
const BREAKING_FOOTER = /^BREAKING[ -]CHANGE:[ \t]*\S/m;

/**
 * A line that makes projen's bump release: its `bump:releasable-commits` task runs `git log -E --grep` with this
 * pattern (`feat|fix|perf|revert`), which matches any line of the message. A breaking marker on another type
 * (`refactor!:`, `chore!:`) makes no release by itself: the break ships with the next release.
 */
const RELEASABLE_LINE = /^(feat|fix|perf|revert)(\([^()\s]+\))?!?:[ \t]+.+/m;

/** True if projen's bump counts the commit as releasable. */
export function isReleasableCommit(message: string): boolean {
  return RELEASABLE_LINE.test(message);
}

/** The conventional commit type of a subject line (`refactor` of `refactor(demo)!: ...`), or undefined. */
export function commitType(subject: string): string | undefined {
  return /^([a-zA-Z]+)(\([^()\r\n]*\))?!?:/.exec(subject)?.[1];
}

/** True if the commit message marks a breaking change, by `!` in the header or a footer. */
export function isBreakingCommit(message: string): boolean {
  const [header, ...body] = message.split(/\r?\n/);
  return BREAKING_HEADER.test(header) || BREAKING_FOOTER.test(body.join('\n'));
}

/**
 * The next version for a release that contains a breaking change, as the bump tool computes it:
 * a major bump from 1.0.0 on, and a minor bump before 1.0.0 (semver item 4: 0.y.z may change at any time,
 * and commit-and-tag-version keeps 0.x releases on 0.x).
 */
export function breakingBump(latestVersion: string): { readonly kind: 'major' | 'minor'; readonly next: string } {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(latestVersion);
  if (!match) throw new Error(`not a semantic version: ${latestVersion}`);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major >= 1 ? { kind: 'major', next: `${major + 1}.0.0` } : { kind: 'minor', next: `0.${minor + 1}.0` };
}

/** What the gates print after a failure, so the author knows how to mark the change. */
export function howToMarkBreaking(packageName: string, latestVersion: string): string {
  const scope = packageName.replace(/^@[^/]+\//, '');
  const bump = breakingBump(latestVersion);
  return [
    'If this is intended, mark the commit that makes it as breaking (amend it, or set the squash-merge message):',
    `    feat(${scope})!: <what changed>`,
    '  or keep the header and add a footer to the message body:',
    '    BREAKING CHANGE: <what changed and how app teams migrate>',
    `  The next release of ${packageName} is then ${bump.next} (a ${bump.kind} bump from ${latestVersion}` +
      (bump.kind === 'minor' ? '; before 1.0.0 a breaking change bumps the minor version' : '') +
      '), and its changelog lists the change under BREAKING CHANGES.',
    'If it is not intended, keep the old API or resource (deprecate instead: docs/decisions/0005-deprecation-policy.md).',
  ].join('\n');
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * The folders, relative to the package, whose commits projen's `bump` counts for this package:
 * read from its `bump:releasable-commits` task (`git log ... -- . ../cross-account-roles`), so an
 * in-repo dependency's commits count here as they count for the version. Defaults to the package folder.
 */
export function releasePaths(packageDir: string): string[] {
  const tasksFile = path.join(packageDir, '.projen', 'tasks.json');
  if (!fs.existsSync(tasksFile)) return ['.'];
  const tasks = JSON.parse(fs.readFileSync(tasksFile, 'utf-8')).tasks ?? {};
  const exec: unknown = tasks['bump:releasable-commits']?.steps?.[0]?.exec;
  if (typeof exec !== 'string' || !exec.includes(' -- ')) return ['.'];
  const paths = exec
    .slice(exec.lastIndexOf(' -- ') + 4)
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  return paths.length > 0 ? paths : ['.'];
}

/** The latest `<name>@v*` tag by version order, as projen's `release/resolve-latest-tag` picks it. */
export function latestReleaseTag(packageDir: string, packageName: string): string | undefined {
  const tags = git(packageDir, [
    '-c',
    'versionsort.suffix=-',
    'tag',
    '--sort=-version:refname',
    '--list',
    `${packageName}@v*`,
  ])
    .split('\n')
    .map((t) => t.trim())
    .filter(Boolean);
  return tags[0];
}

/** A baseline file that a released package lacks, and where git still has it. */
export interface MissingBaseline {
  /** The package's latest release tag. */
  readonly tag: string;
  /** The latest commit that holds the file (`<sha>` or `<sha>~1`), or undefined if git never had it. */
  readonly restoreFrom?: string;
  /** The commit that deleted the file, if a commit did (not only the working tree). */
  readonly deletedBy?: string;
}

/**
 * For a baseline file (relative to the package) that is missing: the package's latest release tag, and the
 * commit to restore the file from. Undefined before the first release, or where git cannot tell (a source
 * bundle without .git), so the gates keep skipping a package that was never released.
 */
export function releasedWithoutBaseline(
  packageDir: string,
  packageName: string,
  baselineFile: string,
): MissingBaseline | undefined {
  let tag: string | undefined;
  try {
    tag = latestReleaseTag(packageDir, packageName);
  } catch {
    return undefined;
  }
  if (tag === undefined) return undefined;
  const last = (...filter: string[]) => {
    try {
      return git(packageDir, ['log', '-1', '--abbrev=12', '--format=%h', ...filter, '--', baselineFile]).trim();
    } catch {
      return '';
    }
  };
  const lastCommit = last();
  if (!lastCommit) return { tag };
  const deletedBy = last('--diff-filter=D');
  return deletedBy === lastCommit
    ? { tag, restoreFrom: `${deletedBy}~1`, deletedBy }
    : { tag, restoreFrom: lastCommit };
}

/** The lines with which a gate fails for a released package whose baseline file is missing. */
export function describeMissingBaseline(
  missing: MissingBaseline,
  packageName: string,
  packageDisplay: string,
  baselineFile: string,
): string[] {
  const file = path.join(packageDisplay, baselineFile);
  const scope = packageName.replace(/^@[^/]+\//, '');
  return [
    `FAIL: ${file} is missing, but ${missing.tag} has been released: without the released baseline the gate ` +
      'has nothing to compare with, and a deleted baseline must not switch the gate off.',
    missing.restoreFrom !== undefined
      ? `Restore it from the repository root: git checkout ${missing.restoreFrom} -- ${file}` +
        (missing.deletedBy ? ` (commit ${missing.deletedBy} deleted it)` : ' (the last commit that has it)')
      : 'git has never had it.',
    `If ${missing.tag} is the first release, merge the release's baseline pull request ` +
      `(chore(${scope}): API baseline of ${missing.tag}). To record the baseline again, build the released commit ` +
      `(git checkout ${missing.tag}) and run \`npx projen update-baseline\` in ${packageDisplay}, as the release does.`,
  ];
}

/** Reads the pending release of the package at `packageDir` from git. */
export function pendingRelease(packageDir: string): PendingRelease {
  const packageName: string = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf-8')).name;
  const latestTag = latestReleaseTag(packageDir, packageName);
  const latestVersion = latestTag ? latestTag.slice(`${packageName}@v`.length) : '0.0.0';
  const paths = releasePaths(packageDir);
  const range = latestTag ? [`${latestTag}..HEAD`] : ['HEAD'];
  let log = '';
  try {
    // \x1f between fields and \x1e between commits: neither occurs in commit messages.
    log = git(packageDir, ['log', '--no-merges', '--format=%H%x1f%B%x1e', ...range, '--', ...paths]);
  } catch (e) {
    // A repository without commits has no HEAD: nothing is pending.
    if (!/does not have any commits|unknown revision|bad revision/.test(String((e as { stderr?: string }).stderr))) {
      throw e;
    }
  }
  const commits = log
    .split('\x1e')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [sha, message = ''] = entry.split('\x1f');
      return { sha: sha.slice(0, 12), subject: message.trim().split('\n')[0], message: message.trim() };
    });
  return {
    packageName,
    latestTag,
    latestVersion,
    paths,
    commits,
    breakingCommits: commits.filter((c) => isBreakingCommit(c.message)),
  };
}

/** One line saying whether the pending release is marked breaking, and by which commits. */
export function describeMarking(release: PendingRelease): string {
  const since = release.latestTag ? `since ${release.latestTag}` : 'before the first release tag';
  if (release.breakingCommits.length === 0) {
    return `No commit ${since} touching ${release.paths.join(' ')} is marked breaking (${release.commits.length} commit(s) checked).`;
  }
  const bump = breakingBump(release.latestVersion);
  const next = `${bump.next} (a ${bump.kind} bump from ${release.latestVersion})`;
  let effect = `  so the next release is ${next}.`;
  if (!release.commits.some((c) => isReleasableCommit(c.message))) {
    // No pending commit makes a release: projen's bump releases only on feat, fix, perf and revert commits.
    const types = [...new Set(release.breakingCommits.map((c) => commitType(c.subject) ?? c.subject))].sort();
    const list = types.length === 1 ? types[0] : `${types.slice(0, -1).join(', ')} and ${types[types.length - 1]}`;
    effect =
      `  ${list} ${types.length === 1 ? 'makes' : 'make'} no release by ${types.length === 1 ? 'itself' : 'themselves'} ` +
      '(projen releases on feat, fix, perf and revert commits): the break takes effect with the next feat or fix ' +
      `release of ${release.packageName}, which is then ${next}.`;
  }
  return [
    `Marked breaking ${since} by:`,
    ...release.breakingCommits.map((c) => `    ${c.sha} ${c.subject}`),
    effect,
  ].join('\n');
}
