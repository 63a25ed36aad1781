import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import type { BatchItem, BatchResult } from './batch';
import { DocExample } from './extract';

/** `App` or `<namespace>.App` (`cdk.App`), the class a complete CDK app constructs. */
function isAppClass(expression: ts.Expression): boolean {
  return (
    (ts.isIdentifier(expression) && expression.text === 'App') ||
    (ts.isPropertyAccessExpression(expression) && expression.name.text === 'App')
  );
}

/**
 * Documentation examples that are complete apps: they construct an `App` (`new App(...)`, `new cdk.App(...)`)
 * or call `.synth()`. A reader runs such a block with `cdk synth`, which sets `CDK_OUTDIR`, so the App
 * synthesizes when the program ends even without `app.synth()`; these blocks are therefore run, not only
 * type-checked. Read from the syntax tree, so a comment or a string that mentions `new App()` does not count.
 */
export function isRunnableExample(example: DocExample): boolean {
  const source = ts.createSourceFile('example.ts', example.code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const visit = (node: ts.Node): boolean =>
    (ts.isNewExpression(node) && isAppClass(node.expression)) ||
    (ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'synth' &&
      node.arguments.length === 0) ||
    ts.forEachChild(node, visit) === true;
  return visit(source);
}

/** What running one example did. */
export interface ExampleRun {
  /** Exit status; `null` when the batch process ended (killed, timed out) before the example finished. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The directory it ran in (its working directory); the cloud assembly is `cdk.out` inside it. */
  readonly workDir: string;
  /** The cloud assembly's directory, `<workDir>/cdk.out` (CDK_OUTDIR). */
  readonly outdir: string;
}

const COMPILE_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
};

/**
 * Runs examples as a reader would after `npm install` and `cdk synth`: each compiled to CommonJS, in a new
 * empty directory (so files it writes land there), with the repository's node_modules on NODE_PATH
 * (`@groundwork/*` are the workspace packages, which must be built) and CDK_OUTDIR set, as the CDK CLI sets
 * it, so each App synthesizes when the example ends. Template validation stays at the default, as for a
 * reader.
 *
 * All the examples run one after another in ONE child node process (batch.ts): loading aws-cdk-lib and
 * compiling the template validator's WebAssembly take a few seconds, which a process per example would pay
 * every time. Each example still gets its own working directory, environment, output and exit status, and an
 * error or `process.exit()` in one ends that example only.
 */
export function runExamples(examples: readonly DocExample[], repoRoot: string): ExampleRun[] {
  const items: BatchItem[] = examples.map((example) => {
    const fileName = `${example.file.replace(/[^A-Za-z0-9]+/g, '-')}-${example.line}.js`;
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-doc-example-'));
    return {
      fileName,
      javascript: ts.transpileModule(example.code, { compilerOptions: COMPILE_OPTIONS, fileName }).outputText,
      workDir,
      outdir: path.join(workDir, 'cdk.out'),
    };
  });
  const batchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-doc-example-batch-'));
  const input = path.join(batchDir, 'input.json');
  const output = path.join(batchDir, 'output.json');
  fs.writeFileSync(input, JSON.stringify(items));
  const driver = ts.transpileModule(fs.readFileSync(path.join(__dirname, 'batch.ts'), 'utf-8'), {
    compilerOptions: COMPILE_OPTIONS,
  }).outputText;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: path.join(repoRoot, 'node_modules') };
  delete env.CDK_OUTDIR;
  delete env.CDK_VALIDATION;
  try {
    const child = spawnSync(process.execPath, ['-', input, output], {
      cwd: batchDir,
      input: driver,
      encoding: 'utf-8',
      env,
      maxBuffer: 64 * 1024 * 1024,
      // A synth with template validation takes a few seconds; allow two minutes each.
      timeout: 120_000 * Math.max(1, items.length),
    });
    const results: BatchResult[] = fs.existsSync(output) ? JSON.parse(fs.readFileSync(output, 'utf-8')) : [];
    return items.map((item, index) => {
      const result = results[index];
      if (result) return { ...result, workDir: item.workDir, outdir: item.outdir };
      // The process ended before this example finished: say how, with what the process printed.
      const how = child.error ? String(child.error) : `exit status ${child.status}, signal ${child.signal}`;
      return {
        status: null,
        stdout: child.stdout ?? '',
        stderr: `the example batch ended before this example finished (${how})\n${child.stderr ?? ''}`,
        workDir: item.workDir,
        outdir: item.outdir,
      };
    });
  } finally {
    fs.rmSync(batchDir, { recursive: true, force: true });
  }
}

/** `runExamples` for one example. */
export function runExample(example: DocExample, repoRoot: string): ExampleRun {
  return runExamples([example], repoRoot)[0];
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
