import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { collectExamples, DocExample } from './extract';

const USAGE = `Usage: ts-node scripts/doc-examples/check.ts [--list]

Type-checks every \`\`\`ts and \`\`\`typescript block of README.md, docs/**/*.md,
packages/*/README.md and apps/*/README.md, each as a complete module, against
the installed packages (build the packages first: their lib/*.d.ts are what
\`@groundwork/*\` imports resolve to). Prints one line per error:

  <markdown file>:<line>:<column>: TS<code>: <message>

and exits 1 when there is any. Fragments belong in \`\`\`text blocks.

Options:
  --list      list the blocks found instead of checking them
  --stdin     check the examples given as JSON on stdin (DocExample[]) instead,
              and print the errors as JSON (DocExampleError[])
  -h, --help  show this help`;

/** One compiler error in a documentation example. */
export interface DocExampleError {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** Line of the opening fence of the block. */
  readonly blockLine: number;
  /** Line and column of the error in the Markdown file (1-based). */
  readonly line: number;
  readonly column: number;
  readonly code: number;
  readonly message: string;
}

/** `<file>:<line>:<column>: TS<code>: <message> (block at line <n>)`, the way editors and terminals link it. */
export function formatError(error: DocExampleError): string {
  return `${error.file}:${error.line}:${error.column}: TS${error.code}: ${error.message} (block at line ${error.blockLine})`;
}

/**
 * The compiler options of the examples: the packages' own (tsconfig.base.json, so strict, no unused
 * locals), every file a module even without an import (a block declaring `app` must not clash with the
 * next one), and no output.
 */
export function compilerOptions(repoRoot: string): ts.CompilerOptions {
  const base = ts.readConfigFile(path.join(repoRoot, 'tsconfig.base.json'), ts.sys.readFile);
  if (base.error) throw new Error(ts.flattenDiagnosticMessageText(base.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(base.config, ts.sys, repoRoot);
  return {
    ...parsed.options,
    noEmit: true,
    declaration: false,
    inlineSourceMap: false,
    inlineSources: false,
    moduleDetection: ts.ModuleDetectionKind.Force,
    // Examples may use node's fs, path and process, as the platform app does.
    types: ['node'],
  };
}

/**
 * Type-checks the examples as one program (the aws-cdk-lib declarations are loaded once). Each block is
 * an in-memory file in a directory under `repoRoot`, so its imports resolve from the repository's
 * node_modules like a file of the repository would; nothing is written to disk.
 */
export function checkExamples(examples: readonly DocExample[], repoRoot: string): DocExampleError[] {
  const dir = path.join(repoRoot, '.doc-examples');
  const sources = new Map<string, DocExample>();
  examples.forEach((example, index) => {
    const name = `${example.file.replace(/[^A-Za-z0-9]+/g, '-')}-L${example.line}-${index}.ts`;
    sources.set(path.join(dir, name), example);
  });

  const options = compilerOptions(repoRoot);
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (fileName) => sources.has(path.resolve(fileName)) || fileExists.call(host, fileName);
  host.readFile = (fileName) => sources.get(path.resolve(fileName))?.code ?? readFile.call(host, fileName);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const example = sources.get(path.resolve(fileName));
    return example
      ? ts.createSourceFile(fileName, example.code, languageVersion, true)
      : getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
  };

  const program = ts.createProgram({ rootNames: [...sources.keys()], options, host });
  const errors: DocExampleError[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const example = diagnostic.file ? sources.get(path.resolve(diagnostic.file.fileName)) : undefined;
    if (example === undefined || diagnostic.file === undefined || diagnostic.start === undefined) {
      // Not located in an example (e.g. a bad compiler option): report it against the first block.
      const first = examples[0];
      errors.push({
        file: first?.file ?? '(none)',
        blockLine: first?.line ?? 0,
        line: first?.line ?? 0,
        column: 1,
        code: diagnostic.code,
        message,
      });
      continue;
    }
    const position = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    errors.push({
      file: example.file,
      blockLine: example.line,
      // The code starts on the line after the fence.
      line: example.line + 1 + position.line,
      column: position.character + 1,
      code: diagnostic.code,
      message,
    });
  }
  return errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/**
 * `checkExamples` in a child node process. The compiler runs about four times slower inside jest's module
 * sandbox (with coverage on, slower still), so tests check through this.
 */
export function checkExamplesInChildProcess(examples: readonly DocExample[], repoRoot: string): DocExampleError[] {
  const output = execFileSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'check.ts'), '--stdin'],
    { cwd: repoRoot, input: JSON.stringify(examples), encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(output) as DocExampleError[];
}

/**
 * The command line: `--help`, `--stdin`, `--list`, or check every example under `repoRoot`, printing one line
 * per error to stderr. Returns the exit status: 1 when an example does not compile, else 0.
 */
export function main(
  args: readonly string[],
  repoRoot: string,
  stdin: () => string = () => fs.readFileSync(0, 'utf-8'),
): number {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.includes('--stdin')) {
    const given = JSON.parse(stdin()) as DocExample[];
    process.stdout.write(JSON.stringify(checkExamples(given, repoRoot)));
    return 0;
  }
  const examples = collectExamples(repoRoot);
  if (args.includes('--list')) {
    process.stdout.write(examples.map((e) => `${e.file}:${e.line}`).join('\n') + '\n');
    return 0;
  }
  const errors = checkExamples(examples, repoRoot);
  for (const error of errors) process.stderr.write(`${formatError(error)}\n`);
  process.stdout.write(`${examples.length} TypeScript examples checked, ${errors.length} errors\n`);
  return errors.length > 0 ? 1 : 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), path.resolve(__dirname, '..', '..'));
}
