/**
 * API compatibility gate: compares a package's freshly built jsii assembly with the assembly of its
 * last release (committed as `api-baseline/assembly.jsii`) using jsii-diff, and fails on a breaking
 * change unless the pending release is marked breaking in its conventional commits.
 *
 *   npx ts-node --transpile-only scripts/api-compat/check.ts packages/networking
 *   npx ts-node --transpile-only scripts/api-compat/check.ts --all
 *   npx ts-node --transpile-only scripts/api-compat/check.ts packages/networking --update-baseline
 *
 * Run `--help` for the options. See docs/decisions/0005-deprecation-policy.md.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiChange, runJsiiDiff } from './jsii-diff';
import { BASELINE_DIR, PackageInfo, parseArgs, selectPackages, UsageError } from './packages';
import {
  describeMarking,
  describeMissingBaseline,
  howToMarkBreaking,
  pendingRelease,
  releasedWithoutBaseline,
} from './release-markers';

export const BASELINE_ASSEMBLY = path.join(BASELINE_DIR, 'assembly.jsii');

const HELP = `Usage: npx ts-node --transpile-only scripts/api-compat/check.ts [options] (<package-dir>... | --all)

Compares each package's built assembly (<package>/.jsii, from \`npx nx run @groundwork/<name>:build\`)
with its released API (<package>/${BASELINE_ASSEMBLY}) using jsii-diff --error-on all.
A breaking change fails the check unless a conventional commit since the package's last release tag
(<name>@v<version>) that touches the package is marked breaking: \`feat(scope)!: ...\` or a
\`BREAKING CHANGE: ...\` footer.

Options:
  --all               every jsii package under <root>/packages
  --root DIR          repository root (default: the git top-level of the package or the current folder;
                      without git, the nearest folder above it whose package.json has "workspaces")
  --update-baseline   copy each package's built .jsii to <package>/${BASELINE_ASSEMBLY} instead of checking;
                      the release workflow runs this after publishing and opens a pull request with the result
  --help              this text

A package released before (a <name>@v* tag exists) whose baseline is missing fails: restore the file.

Exit status: 0 compatible (or marked breaking), 1 breaking change not marked, package not built, or baseline
of a released package missing, 2 usage error.
`;

export type Verdict = 'compatible' | 'no-baseline' | 'marked-breaking' | 'breaking' | 'error';

export interface PackageReport {
  readonly pkg: PackageInfo;
  readonly verdict: Verdict;
  readonly changes: readonly ApiChange[];
  readonly lines: readonly string[];
}

function builtAssembly(pkg: PackageInfo): string {
  return path.join(pkg.dir, '.jsii');
}

export function checkPackage(pkg: PackageInfo, root: string): PackageReport {
  const lines: string[] = [];
  const current = builtAssembly(pkg);
  const baseline = path.join(pkg.dir, BASELINE_ASSEMBLY);
  if (!fs.existsSync(current)) {
    lines.push(`FAIL: ${path.join(pkg.display, '.jsii')} is missing: build first (npx nx run ${pkg.name}:build).`);
    return { pkg, verdict: 'error', changes: [], lines };
  }
  if (!fs.existsSync(baseline)) {
    const missing = releasedWithoutBaseline(pkg.dir, pkg.name, BASELINE_ASSEMBLY);
    if (missing) {
      lines.push(...describeMissingBaseline(missing, pkg.name, pkg.display, BASELINE_ASSEMBLY));
      return { pkg, verdict: 'error', changes: [], lines };
    }
    lines.push(
      `SKIP: no released API to compare with (${path.join(pkg.display, BASELINE_ASSEMBLY)} is missing). ` +
        'The release writes it after publishing: scripts/api-compat/check.ts <package> --update-baseline.',
    );
    return { pkg, verdict: 'no-baseline', changes: [], lines };
  }
  const diff = runJsiiDiff({ baselineAssembly: baseline, packageDir: pkg.dir, repoRoot: root });
  const errors = diff.changes.filter((c) => c.level === 'err');
  for (const warning of diff.changes.filter((c) => c.level === 'warn')) {
    lines.push(`warning: ${warning.element} ${warning.fqn}: ${warning.description}`);
  }
  if (diff.exitCode !== 0 && errors.length === 0) {
    lines.push(`FAIL: jsii-diff could not compare the assemblies (exit ${diff.exitCode}):`, diff.output.trim());
    return { pkg, verdict: 'error', changes: diff.changes, lines };
  }
  if (errors.length === 0) {
    lines.push('OK: no breaking API change since the released API.');
    return { pkg, verdict: 'compatible', changes: diff.changes, lines };
  }
  lines.push(`Breaking API changes since the released API (${errors.length}):`);
  for (const change of errors) {
    lines.push(`  - ${change.element} ${change.fqn}: ${change.description}${change.key ? ` [${change.key}]` : ''}`);
  }
  const release = pendingRelease(pkg.dir);
  if (release.breakingCommits.length > 0) {
    lines.push(describeMarking(release), 'PASS: the breaking changes are marked, so the release will say so.');
    return { pkg, verdict: 'marked-breaking', changes: diff.changes, lines };
  }
  lines.push(describeMarking(release), 'FAIL: breaking API change without a breaking-change marker.');
  lines.push(howToMarkBreaking(release.packageName, release.latestVersion));
  lines.push(
    `A false positive (jsii-diff reports a change that breaks no consumer) is suppressed by its [key] in ${path.join(
      pkg.display,
      '.compatignore',
    )}, with a reviewer's agreement.`,
  );
  return { pkg, verdict: 'breaking', changes: diff.changes, lines };
}

export function updateBaseline(pkg: PackageInfo): string {
  const current = builtAssembly(pkg);
  if (!fs.existsSync(current)) {
    throw new UsageError(`${path.join(pkg.display, '.jsii')} is missing: build first (npx nx run ${pkg.name}:build)`);
  }
  const target = path.join(pkg.dir, BASELINE_ASSEMBLY);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(current, target);
  return path.join(pkg.display, BASELINE_ASSEMBLY);
}

export function main(argv: readonly string[], cwd: string = process.cwd()): number {
  const out = (text: string) => process.stdout.write(text + '\n');
  try {
    const args = parseArgs(argv);
    if (args.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const { root, packages } = selectPackages(args, cwd);
    if (args.updateBaseline) {
      for (const pkg of packages) out(`api-compat ${pkg.name}: baseline written to ${updateBaseline(pkg)}`);
      return 0;
    }
    const reports = packages.map((pkg) => {
      const report = checkPackage(pkg, root);
      out(`api-compat ${pkg.name} (${pkg.display})`);
      for (const line of report.lines) out(line.replace(/^/gm, '  '));
      return report;
    });
    const failed = reports.filter((r) => r.verdict === 'breaking' || r.verdict === 'error');
    out(
      failed.length === 0
        ? `api-compat: ${reports.length} package(s) checked, no unmarked breaking change.`
        : `api-compat: FAILED for ${failed.map((r) => r.pkg.name).join(', ')}.`,
    );
    return failed.length === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`api-compat: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
