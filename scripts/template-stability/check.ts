/**
 * Template stability gate: synthesizes each package's integ apps (test/integ.*.ts) and fails if a
 * stateful resource deployed from the last release would be deleted or replaced (its logical id is
 * gone, or a replacement-forcing property changed), or a resource whose fixed name or single copy per
 * account and region others depend on would be (IDENTITY_RESOURCES in stateful-resources.ts), unless the
 * pending release is marked breaking.
 *
 *   npx ts-node --transpile-only scripts/template-stability/check.ts packages/networking
 *   npx ts-node --transpile-only scripts/template-stability/check.ts --all
 *   npx ts-node --transpile-only scripts/template-stability/check.ts packages/networking --update-baseline
 *
 * Run `--help` for the options. See docs/decisions/0005-deprecation-policy.md.
 */
import * as fs from 'fs';
import * as path from 'path';
import { compareTemplates, describeFinding, StabilityFinding, StackTemplates, statefulResources } from './compare';
import { IDENTITY_RESOURCES, REPLACING_PROPERTIES } from './stateful-resources';
import { integApps, synthesizeIntegApps, SynthError } from './synth';
import { BASELINE_DIR, PackageInfo, parseArgs, selectPackages, UsageError } from '../api-compat/packages';
import {
  describeMarking,
  describeMissingBaseline,
  howToMarkBreaking,
  pendingRelease,
  releasedWithoutBaseline,
} from '../api-compat/release-markers';

export const BASELINE_TEMPLATES = path.join(BASELINE_DIR, 'templates.json');

const HELP = `Usage: npx ts-node --transpile-only scripts/template-stability/check.ts [options] (<package-dir>... | --all)

Synthesizes each package's integ apps (<package>/test/integ.*.ts) and compares their stateful resources
(${Object.keys(REPLACING_PROPERTIES).join(', ')}),
and the resources whose name or single copy others depend on
(${Object.entries(IDENTITY_RESOURCES)
  .map(([type, rule]) => (rule.nameProperty ? `${type} with a fixed ${rule.nameProperty}` : type))
  .join(', ')}),
with those of the last release (<package>/${BASELINE_TEMPLATES}). A resource whose logical id is gone
(renamed or moved construct), or whose replacement-forcing or name property changed, fails the check, unless a
conventional commit since the package's last release tag that touches the package is marked breaking:
\`feat(scope)!: ...\` or a \`BREAKING CHANGE: ...\` footer.

Options:
  --all               every jsii package under <root>/packages
  --root DIR          repository root (default: the git top-level of the package or the current folder)
  --update-baseline   write the current protected resources to <package>/${BASELINE_TEMPLATES} instead of
                      checking; the release workflow runs this after publishing and opens a pull
                      request with the result
  --help              this text

A package released before (a <name>@v* tag exists) that has integ apps, or had the baseline, fails when the
baseline is missing: restore the file.

In-repo dependencies must be built first (their lib/). Exit status: 0 stable (or marked breaking),
1 a protected resource would be replaced or deleted without a marker, an integ app failed to synthesize, or
the baseline of a released package is missing, 2 usage error.
`;

export type Verdict = 'stable' | 'no-integ-app' | 'no-baseline' | 'marked-breaking' | 'breaking' | 'error';

export interface PackageReport {
  readonly pkg: PackageInfo;
  readonly verdict: Verdict;
  readonly findings: readonly StabilityFinding[];
  readonly lines: readonly string[];
}

interface BaselineFile {
  readonly stacks: StackTemplates;
}

function readBaseline(file: string): StackTemplates {
  return (JSON.parse(fs.readFileSync(file, 'utf-8')) as BaselineFile).stacks ?? {};
}

function countResources(stacks: StackTemplates): number {
  return Object.values(stacks).reduce((n, t) => n + Object.keys(t.Resources ?? {}).length, 0);
}

export function checkPackage(pkg: PackageInfo): PackageReport {
  const lines: string[] = [];
  const baselineFile = path.join(pkg.dir, BASELINE_TEMPLATES);
  const baseline = fs.existsSync(baselineFile) ? readBaseline(baselineFile) : undefined;
  const noIntegApp = integApps(pkg.dir).length === 0;
  if (baseline === undefined) {
    // A released package must keep its baseline; one without integ apps only if git shows it had one
    // (a package such as compliance never has templates to compare).
    const missing = releasedWithoutBaseline(pkg.dir, pkg.name, BASELINE_TEMPLATES);
    if (missing && (!noIntegApp || missing.restoreFrom !== undefined)) {
      lines.push(...describeMissingBaseline(missing, pkg.name, pkg.display, BASELINE_TEMPLATES));
      return { pkg, verdict: 'error', findings: [], lines };
    }
  }
  if (noIntegApp && countResources(baseline ?? {}) === 0) {
    lines.push(`SKIP: no integ app (test/integ.*.ts) to synthesize, so no template is checked.`);
    return { pkg, verdict: 'no-integ-app', findings: [], lines };
  }
  if (baseline === undefined) {
    lines.push(
      `SKIP: no released templates to compare with (${path.join(pkg.display, BASELINE_TEMPLATES)} is missing). ` +
        'The release writes it after publishing: scripts/template-stability/check.ts <package> --update-baseline.',
    );
    return { pkg, verdict: 'no-baseline', findings: [], lines };
  }
  let current: StackTemplates = {};
  if (noIntegApp) {
    // Deleting the integ apps must not switch the gate off: their released resources count as deleted.
    lines.push(
      `No integ app (test/integ.*.ts) is left, but ${path.join(pkg.display, BASELINE_TEMPLATES)} lists the ` +
        'stateful resources of the last release: each counts as deleted.',
    );
  } else {
    try {
      current = synthesizeIntegApps(pkg.dir);
    } catch (e) {
      if (!(e instanceof SynthError)) throw e;
      lines.push(`FAIL: ${e.message}`);
      return { pkg, verdict: 'error', findings: [], lines };
    }
  }
  const findings = compareTemplates(baseline, current);
  if (findings.length === 0) {
    lines.push('OK: no stateful resource of the released templates would be replaced or deleted.');
    return { pkg, verdict: 'stable', findings, lines };
  }
  lines.push(`Protected resources that a deployment would replace or delete (${findings.length}):`);
  for (const finding of findings) lines.push(`  - ${describeFinding(finding)}`);
  const release = pendingRelease(pkg.dir);
  if (release.breakingCommits.length > 0) {
    lines.push(describeMarking(release), 'PASS: the replacements are marked breaking, so the release will say so.');
    return { pkg, verdict: 'marked-breaking', findings, lines };
  }
  lines.push(describeMarking(release), 'FAIL: a stateful resource would be replaced without a breaking-change marker.');
  lines.push(
    'To keep the resource, keep its construct id and path (a moved construct can keep its logical id with ' +
      '`(resource.node.defaultChild as CfnResource).overrideLogicalId(...)`), and keep the listed properties.',
  );
  lines.push(howToMarkBreaking(release.packageName, release.latestVersion));
  return { pkg, verdict: 'breaking', findings, lines };
}

export function updateBaseline(pkg: PackageInfo): string {
  if (integApps(pkg.dir).length === 0) return `no integ app (test/integ.*.ts): nothing written`;
  const stacks = statefulResources(synthesizeIntegApps(pkg.dir));
  const target = path.join(pkg.dir, BASELINE_TEMPLATES);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const content = {
    '//':
      'Stateful resources of the integ apps at the last release. Written by ' +
      '`scripts/template-stability/check.ts --update-baseline`; do not edit.',
    stacks,
  };
  fs.writeFileSync(target, JSON.stringify(content, undefined, 2) + '\n');
  const count = countResources(stacks);
  return `baseline written to ${path.join(pkg.display, BASELINE_TEMPLATES)} (${count} stateful resource(s))`;
}

export function main(argv: readonly string[], cwd: string = process.cwd()): number {
  const out = (text: string) => process.stdout.write(text + '\n');
  try {
    const args = parseArgs(argv);
    if (args.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const { packages } = selectPackages(args, cwd);
    if (args.updateBaseline) {
      for (const pkg of packages) out(`template-stability ${pkg.name}: ${updateBaseline(pkg)}`);
      return 0;
    }
    const reports = packages.map((pkg) => {
      const report = checkPackage(pkg);
      out(`template-stability ${pkg.name} (${pkg.display})`);
      for (const line of report.lines) out(line.replace(/^/gm, '  '));
      return report;
    });
    const failed = reports.filter((r) => r.verdict === 'breaking' || r.verdict === 'error');
    out(
      failed.length === 0
        ? `template-stability: ${reports.length} package(s) checked, no unmarked replacement of a stateful resource.`
        : `template-stability: FAILED for ${failed.map((r) => r.pkg.name).join(', ')}.`,
    );
    return failed.length === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`template-stability: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
