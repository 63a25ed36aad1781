import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Documentation, Language } from 'jsii-docgen';

const USAGE = `Usage: ts-node scripts/docgen/main.ts [PACKAGE_DIR] [--output FILE]

Writes API.md for a jsii package of this workspace (default: the current directory).
--output FILE is relative to the package folder (default API.md), or absolute.
Exit status: 0 written, 1 the package is not built (no .jsii) or rendering failed,
2 --output without a file name.

jsii-docgen looks for dependency assemblies only under the package's own
node_modules, which a hoisted npm workspace leaves empty; this gathers the
assemblies the package depends on (from wherever Node resolves them) into a
temporary folder and renders from there.`;

/** Copies the package's assembly, and those of everything it depends on, into `dir`. */
function gatherAssemblies(packageDir: string, dir: string, seen = new Set<string>()): void {
  if (seen.has(packageDir)) return;
  seen.add(packageDir);
  const target = path.join(dir, `assembly-${seen.size}`);
  fs.mkdirSync(target);
  fs.copyFileSync(path.join(packageDir, '.jsii'), path.join(target, '.jsii'));
  const spec = JSON.parse(fs.readFileSync(path.join(packageDir, '.jsii'), 'utf-8'));
  // A redirect (aws-cdk-lib's {"schema":"jsii/file-redirect","filename":".jsii.gz"}) points at a compressed
  // assembly; aws-cdk-lib's dependencies are all bundled, so there is nothing further to follow.
  if (spec.schema === 'jsii/file-redirect') {
    fs.copyFileSync(path.join(packageDir, spec.filename), path.join(target, spec.filename));
    return;
  }
  for (const dependency of Object.keys(spec.dependencies ?? {})) {
    const dependencyDir = path.dirname(require.resolve(`${dependency}/package.json`, { paths: [packageDir] }));
    gatherAssemblies(dependencyDir, dir, seen);
  }
}

export async function renderApiMarkdown(packageDir: string): Promise<string> {
  const name = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf-8')).name;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-docgen-'));
  try {
    gatherAssemblies(packageDir, dir);
    const docs = await Documentation.forAssembly(name, dir);
    const markdown = await docs.toMarkdown({ language: Language.TYPESCRIPT, readme: false, allSubmodules: true });
    return markdown.render();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const outputIndex = argv.indexOf('--output');
  const output = outputIndex >= 0 ? argv[outputIndex + 1] : 'API.md';
  if (output === undefined || output.startsWith('--')) {
    process.stderr.write(`docgen: --output needs a file name, found ${output ?? 'none'}\n`);
    return 2;
  }
  const packageDir = path.resolve(argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--output') ?? '.');
  if (!fs.existsSync(path.join(packageDir, '.jsii'))) {
    process.stderr.write(`docgen: ${packageDir} has no .jsii assembly: build the package first\n`);
    return 1;
  }
  // --output is relative to the package folder (API.md by default), or absolute.
  const outputFile = path.resolve(packageDir, output);
  fs.writeFileSync(outputFile, await renderApiMarkdown(packageDir));
  process.stdout.write(`docgen: wrote ${path.relative(process.cwd(), outputFile)}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`docgen: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
