import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkExamplesInChildProcess, DocExampleError, formatError, main } from '../scripts/doc-examples/check';
import {
  collectExamples,
  DocExample,
  documentationFiles,
  extractTypeScriptBlocks,
} from '../scripts/doc-examples/extract';
import {
  ExampleRun,
  isRunnableExample,
  runExample,
  runExamples,
  validationFindings,
} from '../scripts/doc-examples/run';

/**
 * Every ```ts block of the documentation is a complete module that compiles against the packages' real
 * API (docs/contributing.md). The packages must be built: `@groundwork/*` resolves to their lib/*.d.ts
 * (the repo-test target depends on every package's build).
 */
const repoRoot = path.resolve(__dirname, '..');
const examples = collectExamples(repoRoot);

/** An example that misuses a real API: `cidr` is a string. */
const broken = extractTypeScriptBlocks(
  [
    'Some text.', // 1
    '', // 2
    '```ts', // 3
    "import { App, Stack } from 'aws-cdk-lib';", // 4
    "import { WorkloadVpc } from '@groundwork/networking';", // 5
    '', // 6
    "new WorkloadVpc(new Stack(new App(), 'S'), 'Vpc', { environmentName: 'dev', cidr: 10 });", // 7
    '```', // 8
  ].join('\n'),
  'test/broken.md',
);

/** Two blocks declaring the same name, and a fragment using a name no block of its own declares. */
const modules = extractTypeScriptBlocks(
  [
    '```ts',
    'export const app = 1;',
    '```',
    '```ts',
    'export const app = 2;',
    '```',
    '```ts',
    'app.synth();',
    '```',
  ].join('\n'),
  'test/modules.md',
);

let errors: DocExampleError[];

// One program for everything, so the aws-cdk-lib declarations are loaded once: about 15 s of CPU.
beforeAll(() => {
  errors = checkExamplesInChildProcess([...examples, ...broken, ...modules], repoRoot);
}, 300_000);

const errorsIn = (file: string) => errors.filter((e) => e.file === file);

describe('extracting the examples', () => {
  test('finds ts and typescript blocks, at their fence line, and skips every other language', () => {
    const markdown = [
      '# Title', // 1
      '```ts', // 2
      'const a: number = 1;', // 3
      '```', // 4
      '```text', // 5
      'not code', // 6
      '```', // 7
      '- a list item', // 8
      '', // 9
      '   ```typescript', // 10
      '   export const b = 2;', // 11
      '   ```', // 12
      '````ts', // 13
      '```', // 14: shorter than the fence, part of the block
      '````', // 15
      '```sh', // 16
      'npm test', // 17
      '```', // 18
      '  ```` ```ts ```` is inline code, not a fence', // 19
      '~~~typescript', // 20
      'export const c = 3;', // 21
      '~~~', // 22
    ].join('\n');
    const blocks = extractTypeScriptBlocks(markdown, 'x.md');
    expect(blocks.map((b) => [b.line, b.code])).toEqual([
      [2, 'const a: number = 1;\n'],
      [10, 'export const b = 2;\n'],
      [13, '```\n'],
      [20, 'export const c = 3;\n'],
    ]);
  });

  test('a ts fence that is never closed runs to the end of the document, so it is still checked', () => {
    const markdown = ['Text.', '```ts', 'export const a = 1;', '', 'More prose the author meant as text.'].join('\n');
    expect(extractTypeScriptBlocks(markdown, 'x.md').map((b) => [b.line, b.code])).toEqual([
      [2, 'export const a = 1;\n\nMore prose the author meant as text.\n'],
    ]);
    // An unclosed fence of another language hides nothing: it is not collected.
    expect(extractTypeScriptBlocks(['```sh', 'npm test'].join('\n'), 'x.md')).toEqual([]);
  });

  test('a fence line with an info string does not close a block, so an example inside another block stays whole', () => {
    const markdown = ['```ts', 'const a: number = 1;', '```text', 'export {};', '```'].join('\n');
    expect(extractTypeScriptBlocks(markdown, 'x.md').map((b) => [b.line, b.code])).toEqual([
      [1, 'const a: number = 1;\n```text\nexport {};\n'],
    ]);
  });

  test('reads README.md, docs/ and every package and app README', () => {
    const files = documentationFiles(repoRoot);
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'docs/contributing.md', 'docs/runbooks/break-glass.md']),
    );
    expect(files).toEqual(expect.arrayContaining(['packages/networking/README.md', 'apps/platform/README.md']));
  });

  test.each(['compliance', 'cross-account-roles', 'networking', 'pipeline', 'security-baseline'])(
    'packages/%s/README.md has TypeScript examples',
    (name) => {
      expect(examples.filter((e) => e.file === `packages/${name}/README.md`).length).toBeGreaterThan(0);
    },
  );
});

describe('compiling the examples', () => {
  test('every TypeScript example of the documentation compiles', () => {
    expect(examples.length).toBeGreaterThan(0);
    const fromDocs = errors.filter((e) => !e.file.startsWith('test/'));
    expect(fromDocs.map(formatError)).toEqual([]);
  });

  test('a broken example fails, naming the file, the line and the compiler message', () => {
    const found = errorsIn('test/broken.md');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'test/broken.md', blockLine: 3, line: 7, code: 2322 });
    expect(formatError(found[0])).toMatch(
      /^test\/broken\.md:7:\d+: TS2322: Type 'number' is not assignable to type 'string'\. \(block at line 3\)$/,
    );
  });

  test('the command exits 1 and names each error by file, line and column; 0 when every example compiles', () => {
    // A repository of its own: one README whose example misuses a type, checked with this repository's packages.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-doc-examples-'));
    const output = { stdout: [] as string[], stderr: [] as string[] };
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((t) => (output.stdout.push(String(t)), true));
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((t) => (output.stderr.push(String(t)), true));
    try {
      fs.copyFileSync(path.join(repoRoot, 'tsconfig.base.json'), path.join(root, 'tsconfig.base.json'));
      fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir');
      fs.writeFileSync(
        path.join(root, 'README.md'),
        ['# Demo', '', '```ts', "export const port: number = '443';", '```', ''].join('\n'),
      );
      expect(main([], root)).toBe(1);
      expect(output.stderr.join('')).toBe(
        "README.md:4:14: TS2322: Type 'string' is not assignable to type 'number'. (block at line 3)\n",
      );
      expect(output.stdout.join('')).toBe('1 TypeScript examples checked, 1 errors\n');

      fs.writeFileSync(
        path.join(root, 'README.md'),
        ['```ts', 'export const port: number = 443;', '```', ''].join('\n'),
      );
      output.stdout.length = 0;
      output.stderr.length = 0;
      expect(main([], root)).toBe(0);
      expect(output.stdout.join('')).toBe('1 TypeScript examples checked, 0 errors\n');
      expect(output.stderr).toEqual([]);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);

  test('each block is its own module: two blocks may declare the same name, a fragment does not compile', () => {
    expect(errorsIn('test/modules.md').map((e) => [e.line, e.code, e.message])).toEqual([
      [8, 2304, "Cannot find name 'app'."],
    ]);
  });
});

describe('running the examples that are complete apps', () => {
  const runnable = examples.filter(isRunnableExample);
  const where = (example: DocExample) => `${example.file}:${example.line}`;
  // Every complete app runs once, all in one node process (a process each would load aws-cdk-lib and the
  // template validator each time); the tests share the runs.
  const runs = new Map<DocExample, ExampleRun>();
  beforeAll(() => {
    runExamples(runnable, repoRoot).forEach((run, index) => runs.set(runnable[index], run));
  }, 600_000);
  afterAll(() => {
    for (const run of runs.values()) fs.rmSync(run.workDir, { recursive: true, force: true });
  });
  const runOf = (example: DocExample) => runs.get(example)!;

  test('a block that constructs an App or calls synth() is a complete app, whether or not it calls synth()', () => {
    const block = (...code: string[]) => ({ file: 'x.md', line: 1, code: code.join('\n') });
    const runnableBlocks = [
      block("import { App } from 'aws-cdk-lib';", 'new App();'),
      block("import * as cdk from 'aws-cdk-lib';", "new cdk.Stack(new cdk.App(), 'S');"),
      block("import { App } from 'aws-cdk-lib';", 'const app = new App;', 'export { app };'),
      block("import { App } from 'aws-cdk-lib';", 'export const app = new App(', "  { context: { a: 'b' } },", ');'),
      block("import { Stage } from 'aws-cdk-lib';", 'declare const stage: Stage;', 'stage.synth();'),
    ];
    expect(runnableBlocks.filter((b) => !isRunnableExample(b)).map((b) => b.code)).toEqual([]);
    const constructsOnly = [
      block("import { Stack } from 'aws-cdk-lib';", 'export function build(stack: Stack) { return stack; }'),
      block('// new App() is made by the caller', "const text = 'new App()';", 'export { text };'),
    ];
    expect(constructsOnly.filter(isRunnableExample).map((b) => b.code)).toEqual([]);
  });

  test('every complete app of the documentation is run (a block that stops being run fails here)', () => {
    // Independent of isRunnableExample: a block that imports App from aws-cdk-lib builds one.
    const importsApp = examples.filter(
      (e) =>
        /import\s*\{[^}]*\bApp\b[^}]*\}\s*from\s*'aws-cdk-lib'/.test(e.code) ||
        /import\s*\*\s*as\s+\w+\s+from\s*'aws-cdk-lib'/.test(e.code),
    );
    expect(importsApp.filter((e) => !isRunnableExample(e)).map(where)).toEqual([]);
    // The complete apps per file, pinned: a guard against a vacuous pass, and against a block that is no
    // longer recognised (e.g. by a narrower isRunnableExample). Update it when you add or remove an app.
    const perFile: Record<string, number> = {};
    for (const example of runnable) perFile[example.file] = (perFile[example.file] ?? 0) + 1;
    expect(perFile).toEqual({
      'docs/app-teams.md': 1,
      'docs/compliance.md': 2,
      'packages/compliance/README.md': 2,
      'packages/cross-account-roles/README.md': 4,
      'packages/networking/README.md': 5,
      'packages/pipeline/README.md': 1,
      'packages/security-baseline/README.md': 1,
    });
    // A block that only builds constructs, or a script without an App, is type-checked, not run.
    expect(examples.filter((e) => !isRunnableExample(e)).length).toBeGreaterThan(0);
  });

  test.each(runnable.map((e) => [where(e), e] as const))(
    '%s runs as written: exit 0, a cloud assembly, no unacknowledged finding',
    (_where, example) => {
      const run = runOf(example);
      // On failure, the example's own output says why.
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
      expect(run.stderr).not.toMatch(/^\s+at /m);
      const manifest = JSON.parse(fs.readFileSync(path.join(run.outdir, 'manifest.json'), 'utf-8'));
      expect(Object.keys(manifest.artifacts ?? {}).length).toBeGreaterThan(0);
      expect(validationFindings(run.outdir)).toEqual([]);
    },
  );

  test('the app teams example deploys one stage per environment from its pipeline stack', () => {
    const example = runnable.find((e) => e.file === 'docs/app-teams.md')!;
    const run = runOf(example);
    expect(run.status).toBe(0);
    const artifacts = JSON.parse(fs.readFileSync(path.join(run.outdir, 'manifest.json'), 'utf-8')).artifacts;
    expect(artifacts.Pipeline.type).toBe('aws:cloudformation:stack');
    expect(
      Object.values<any>(artifacts)
        .filter((a) => a.type === 'cdk:cloud-assembly')
        .map((a) => a.properties.directoryName)
        .sort(),
    ).toEqual(['assembly-dev', 'assembly-prod']);
    const pipeline = JSON.parse(fs.readFileSync(path.join(run.outdir, 'Pipeline.template.json'), 'utf-8'));
    const approvals = JSON.stringify(pipeline).match(/"Category":"Approval"/g) ?? [];
    expect(approvals.length).toBeGreaterThan(0);
  }, 300_000);

  test("the validation report's violations are read as findings, one per violating construct", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-validation-report-'));
    try {
      expect(validationFindings(outdir)).toEqual([]);
      fs.writeFileSync(
        path.join(outdir, 'validation-report.json'),
        JSON.stringify({
          version: '55.0.0',
          pluginReports: [
            {
              pluginName: 'cdk-nag',
              conclusion: 'failure',
              violations: [
                {
                  ruleName: 'AwsSolutions-S1',
                  description: 'The S3 Bucket has server access logs disabled.',
                  severity: 'error',
                  violatingConstructs: [{ constructPath: 'App/Stack/Bucket' }, { constructPath: 'App/Stack/Logs' }],
                },
              ],
            },
            { pluginName: 'other', conclusion: 'success', violations: [] },
          ],
        }),
      );
      expect(validationFindings(outdir)).toEqual([
        'AwsSolutions-S1 at App/Stack/Bucket',
        'AwsSolutions-S1 at App/Stack/Logs',
      ]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('an example that throws, or exits, fails alone: the next one runs in its own directory and environment', () => {
    const blocks = extractTypeScriptBlocks(
      [
        '```ts',
        "import { App } from 'aws-cdk-lib';",
        "import { writeFileSync } from 'fs';",
        'const app = new App();',
        "process.env.LEFT_BY_THE_FIRST = 'yes';",
        "writeFileSync('left-by-the-first', '');",
        "throw new Error('stopped');",
        'app.synth();',
        '```',
        '```ts',
        "import { App } from 'aws-cdk-lib';",
        'new App();',
        'process.exit(3);',
        '```',
        '```ts',
        "import { App } from 'aws-cdk-lib';",
        "import { existsSync } from 'fs';",
        "if (process.env.LEFT_BY_THE_FIRST || existsSync('left-by-the-first')) throw new Error('state leaked');",
        "console.log('ran in', process.cwd());",
        'new App(); // no synth(): CDK_OUTDIR is set, so it synthesizes when the example ends, as under cdk synth',
        '```',
      ].join('\n'),
      'test/failing.md',
    );
    expect(blocks.map(isRunnableExample)).toEqual([true, true, true]);
    const [thrown, exited, clean] = runExamples(blocks, repoRoot);
    try {
      expect(thrown.status).toBe(1);
      expect(thrown.stderr).toContain('stopped');
      expect(fs.existsSync(path.join(thrown.outdir, 'manifest.json'))).toBe(false);
      expect(exited.status).toBe(3);
      expect(fs.existsSync(path.join(exited.outdir, 'manifest.json'))).toBe(false);
      expect({ status: clean.status, stderr: clean.stderr }).toEqual({ status: 0, stderr: '' });
      expect(clean.stdout).toBe(`ran in ${fs.realpathSync(clean.workDir)}\n`);
      expect(fs.existsSync(path.join(clean.outdir, 'manifest.json'))).toBe(true);
      expect(process.env.LEFT_BY_THE_FIRST).toBeUndefined();
    } finally {
      for (const run of [thrown, exited, clean]) fs.rmSync(run.workDir, { recursive: true, force: true });
    }
  }, 300_000);

  test('runExample runs one example the same way', () => {
    const [block] = extractTypeScriptBlocks(
      ['```ts', "import { App } from 'aws-cdk-lib';", "throw new Error('stopped');", 'new App();', '```'].join('\n'),
      'test/one.md',
    );
    const run = runExample(block, repoRoot);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('stopped');
    fs.rmSync(run.workDir, { recursive: true, force: true });
  }, 300_000);
});
