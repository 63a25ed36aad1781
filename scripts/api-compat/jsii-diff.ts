import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** One incompatible change as jsii-diff reports it. */
export interface ApiChange {
  /** `err` fails the gate; `warn` is printed only (with `--error-on all` every change is `err`). */
  readonly level: 'err' | 'warn';
  /** The kind of API element: TYPE, PROP, METHOD, INITIALIZER, ENUM VALUE, ... */
  readonly element: string;
  /** Fully qualified name, e.g. `@groundwork/networking.WorkloadVpcProps.cidr`. */
  readonly fqn: string;
  readonly description: string;
  /** The suppression key for an ignore file (`removed:...`, `changed-type:...`). */
  readonly key?: string;
}

export interface DiffResult {
  readonly changes: readonly ApiChange[];
  readonly exitCode: number;
  readonly output: string;
}

const CHANGE_LINE = /^(err|warn)\s+-\s+([A-Z][A-Z ]*?)\s+(\S+):\s+(.*?)(?:\s+\[([^\]]+)\])?\s*$/;

/** Reads jsii-diff's `-k` output: one `err  - PROP fqn: description [key]` line per change. */
export function parseJsiiDiffOutput(output: string): ApiChange[] {
  const changes: ApiChange[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = CHANGE_LINE.exec(line.trim());
    if (!match) continue;
    changes.push({
      level: match[1] as 'err' | 'warn',
      element: match[2],
      fqn: match[3],
      description: match[4],
      key: match[5],
    });
  }
  return changes;
}

/** The jsii-diff executable of this repository (run with node, no npx lookup or download). */
function jsiiDiffBin(repoRoot: string): string {
  const candidates = [
    path.join(repoRoot, 'node_modules', 'jsii-diff', 'bin', 'jsii-diff'),
    path.join(__dirname, '..', '..', 'node_modules', 'jsii-diff', 'bin', 'jsii-diff'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new Error(`jsii-diff is not installed (looked in ${candidates.join(', ')}); run npm ci`);
  return found;
}

/**
 * jsii-diff loads the dependencies of an assembly (aws-cdk-lib, constructs, in-repo packages) only when
 * it is given a package folder, not a lone .jsii file. The committed baseline is staged as a package
 * folder in a temporary directory: its .jsii, a package.json naming the same dependencies, and the
 * repository's node_modules, where those dependencies are installed.
 */
export function stageBaselinePackage(baselineAssembly: string, repoRoot: string): string {
  const assembly = JSON.parse(fs.readFileSync(baselineAssembly, 'utf-8'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-api-baseline-'));
  fs.copyFileSync(baselineAssembly, path.join(dir, '.jsii'));
  const pkg = {
    name: assembly.name,
    version: assembly.version,
    jsii: { outdir: 'dist' },
    dependencies: assembly.dependencies ?? {},
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, undefined, 2));
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * Compares the baseline assembly with the package's built one. `--error-on all` makes changes to
 * experimental APIs errors too: every Groundwork package is `stability: experimental` today, and by
 * default jsii-diff lets experimental APIs break.
 */
export function runJsiiDiff(options: {
  readonly baselineAssembly: string;
  readonly packageDir: string;
  readonly repoRoot: string;
}): DiffResult {
  const staged = stageBaselinePackage(options.baselineAssembly, options.repoRoot);
  try {
    const args = [jsiiDiffBin(options.repoRoot), '--error-on', 'all', '--keys', staged, options.packageDir];
    // jsii-diff's own ignore file convention (projen's `compat` task): keys of reviewed false positives.
    const ignoreFile = path.join(options.packageDir, '.compatignore');
    if (fs.existsSync(ignoreFile)) args.push('--ignore-file', ignoreFile);
    const run = spawnSync(process.execPath, args, {
      encoding: 'utf-8',
      env: { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0] },
    });
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    return { changes: parseJsiiDiffOutput(output), exitCode: run.status ?? 1, output };
  } finally {
    fs.rmSync(staged, { recursive: true, force: true });
  }
}
