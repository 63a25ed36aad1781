import * as fs from 'fs';
import * as path from 'path';

/**
 * The review rules are files; these tests keep them true to the repository:
 * the right owners on the right paths, no stale patterns, and the documented
 * required check named exactly as the workflow job that reports it.
 */

const repoRoot = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf-8');
const PLATFORM = '@groundwork-platform/platform';
const SECURITY = '@groundwork-platform/security';

interface OwnerRule {
  readonly pattern: string;
  readonly matches: RegExp;
  readonly owners: string[];
}

/** CODEOWNERS patterns as used in this repository: `*`, anchored paths, trailing-slash folders, `*` in a segment. */
function toRegExp(pattern: string): RegExp {
  if (pattern === '*') return /.*/;
  const anchored = pattern.startsWith('/');
  const body = pattern
    .replace(/^\//, '')
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*/g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\u0000/g, '.*');
  const tail = pattern.endsWith('/') ? '.*' : '(/.*)?';
  return new RegExp(`^${anchored ? '' : '(.*/)?'}${body}${tail}$`);
}

const rules: OwnerRule[] = read('.github/CODEOWNERS')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const [pattern, ...owners] = line.split(/\s+/);
    return { pattern, matches: toRegExp(pattern), owners };
  });

/** Owners of a file: the last matching rule wins, as on GitHub. */
function ownersOf(file: string): string[] {
  return [...rules].reverse().find((r) => r.matches.test(file))?.owners ?? [];
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name);
    if (['node_modules', 'lib', 'cdk.out', 'coverage', '.nx', '.git', 'test-reports', 'dist'].includes(entry.name)) {
      continue;
    }
    if (entry.isDirectory()) out.push(...filesUnder(rel));
    else out.push(rel);
  }
  return out;
}

const repoFiles = [...filesUnder('packages'), ...filesUnder('apps'), ...filesUnder('.github'), ...filesUnder('docs')];

test('the platform team owns every package, app, workflow and doc', () => {
  // The loop below passes on an empty list: the walk must have found the files it is about.
  expect(repoFiles).toEqual(
    expect.arrayContaining([
      'packages/networking/src/index.ts',
      'apps/platform/config/groundwork.yaml',
      'docs/contributing.md',
    ]),
  );
  for (const file of repoFiles) expect([file, ownersOf(file)]).toEqual([file, expect.arrayContaining([PLATFORM])]);
});

test.each(['packages/security-baseline', 'packages/cross-account-roles', 'packages/compliance'])(
  'security owners co-own %s',
  (dir) => {
    const files = repoFiles.filter((f) => f.startsWith(`${dir}/`));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect([file, ownersOf(file)]).toEqual([file, [PLATFORM, SECURITY]]);
  },
);

test('security owners co-own every production environment file and the organization settings', () => {
  const production = repoFiles.filter(
    (f) => /\/config\/environments\/[^/]+\.ya?ml$/.test(f) && /^production:\s*true\s*$/m.test(read(f)),
  );
  expect(production).toContain('apps/platform/config/environments/prod.yaml');
  for (const file of [...production, 'apps/platform/config/groundwork.yaml']) {
    expect([file, ownersOf(file)]).toEqual([file, [PLATFORM, SECURITY]]);
  }
  expect(ownersOf('apps/platform/config/environments/dev.yaml')).toEqual([PLATFORM]);
  expect(ownersOf('packages/networking/src/index.ts')).toEqual([PLATFORM]);
});

test('every CODEOWNERS pattern matches something (no stale rules)', () => {
  const everything = [...repoFiles, ...filesUnder('scripts'), ...filesUnder('projenrc'), ...filesUnder('test')];
  // An unparsed CODEOWNERS (no rules) would pass the loop below.
  expect(rules.map((r) => r.pattern)).toEqual(expect.arrayContaining(['*', '/packages/security-baseline/']));
  for (const rule of rules) {
    expect([rule.pattern, everything.some((f) => rule.matches.test(f))]).toEqual([rule.pattern, true]);
  }
});

test('the documented required check is the name of the build workflow job', () => {
  const jobNames = [...read('.github/workflows/build.yml').matchAll(/^ {2}[\w-]+:\n {4}name: (.+)$/gm)].map(
    (m) => m[1],
  );
  expect(jobNames).toContain('test and synth');
  const contributing = read('docs/contributing.md');
  expect(contributing).toContain('| Require status checks to pass before merging | on: `test and synth`');
  expect(contributing).toContain('"contexts": ["test and synth", "Validate PR title"]');
  expect(read('.github/workflows/pull-request-lint.yml')).toMatch(/^ {4}name: Validate PR title$/m);
});

test('the pull request template carries the methodology checklist', () => {
  const checklist = read('.github/pull_request_template.md')
    .split('\n')
    .filter((line) => line.startsWith('- [ ] '))
    .join('\n');
  for (const item of [
    /Tests added/,
    /npm run synth/,
    /Change report reviewed/,
    /security-relevant change/,
    /Docs updated/,
    /Approval/,
  ]) {
    expect(checklist).toMatch(item);
  }
});
