import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { DocExample } from './extract';

/**
 * Documentation examples that synthesize an app (they call `.synth()`): the ones a reader copies and
 * runs as they are, so they are run, not only type-checked.
 */
export function isRunnableExample(example: DocExample): boolean {
  return /\.synth\(\s*\)/.test(example.code);
}

/** What running one example did. */
export interface ExampleRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The directory it ran in (its working directory); the cloud assembly is `cdk.out` inside it. */
  readonly workDir: string;
  /** The cloud assembly's directory, `<workDir>/cdk.out` (CDK_OUTDIR). */
  readonly outdir: string;
}

/**
 * Runs an example as a reader would after `npm install`: compiled to CommonJS, in a new empty
 * directory (so files it writes land there), with the repository's node_modules on NODE_PATH
 * (`@groundwork/*` are the workspace packages, which must be built) and CDK_OUTDIR set, as the CDK
 * CLI sets it for `cdk synth`. Template validation stays at the default, as for a reader.
 */
export function runExample(example: DocExample, repoRoot: string): ExampleRun {
  const javascript = ts.transpileModule(example.code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: `${example.file.replace(/[^A-Za-z0-9]+/g, '-')}-${example.line}.ts`,
  }).outputText;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-doc-example-'));
  const outdir = path.join(workDir, 'cdk.out');
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: path.join(repoRoot, 'node_modules'), CDK_OUTDIR: outdir };
  delete env.CDK_VALIDATION;
  const result = spawnSync(process.execPath, ['-'], {
    cwd: workDir,
    input: javascript,
    encoding: 'utf-8',
    env,
    timeout: 300_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, workDir, outdir };
}

/** The unacknowledged findings in the validation report CDK writes next to the assembly, as `rule at path`. */
export function validationFindings(outdir: string): string[] {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf-8'));
  return (report.pluginReports ?? []).flatMap((plugin: any) =>
    (plugin.violations ?? []).flatMap((violation: any) =>
      (violation.violatingConstructs ?? []).map((c: any) => `${violation.ruleName} at ${c.constructPath}`),
    ),
  );
}
