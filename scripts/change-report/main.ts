import * as fs from 'fs';
import * as path from 'path';
import { compareAssemblies } from './change-report';
import { AssemblyError, readCloudAssembly } from './cloud-assembly';
import { renderMarkdown } from './markdown';
import { findReplacementSpec } from './replacement-spec';

export * from './types';

const USAGE = `Usage: npm run change-report -- --base DIR --head DIR [--out-dir DIR]

Compares two synthesized CDK cloud assemblies (for a pull request: the base
branch's and the head's apps/platform/cdk.out) without AWS credentials, and
reports per environment and stack the resources added, removed, modified and
moved, with security-relevant changes first.

Options:
  --base DIR      cloud assembly of the base (must contain manifest.json)
  --head DIR      cloud assembly of the head (must contain manifest.json)
  --out-dir DIR   where to write change-report.md and change-report.json
                  (default: the current directory)
  --help          show this help

Exit codes: 0 report written (changes or not), 2 usage error, 1 unexpected failure.
Set GROUNDWORK_SERVICE_SPEC to a db.json.gz to choose the CloudFormation
resource specification used for replacement behaviour.
`;

class UsageError extends Error {}

interface Options {
  readonly base: string;
  readonly head: string;
  readonly outDir: string;
}

function parseArgs(argv: readonly string[]): Options | 'help' {
  const values: { [flag: string]: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    if (!['--base', '--head', '--out-dir'].includes(flag)) throw new UsageError(`unknown argument '${arg}'`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) {
      throw new UsageError(`${flag} needs a directory`);
    }
    values[flag] = value;
  }
  for (const required of ['--base', '--head']) {
    if (!values[required]) throw new UsageError(`${required} DIR is required`);
  }
  return { base: values['--base'], head: values['--head'], outDir: values['--out-dir'] ?? '.' };
}

function readAssemblyFor(flag: string, dir: string) {
  try {
    return readCloudAssembly(dir);
  } catch (e) {
    if (e instanceof AssemblyError) throw new AssemblyError(`${flag}: ${e.message}`);
    throw e;
  }
}

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const PROCESS_IO: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the CLI and returns its exit code. */
export function main(argv: readonly string[], io: CliIo = PROCESS_IO): number {
  try {
    const options = parseArgs(argv);
    if (options === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    const base = readAssemblyFor('--base', options.base);
    const head = readAssemblyFor('--head', options.head);
    const report = compareAssemblies(base, head, findReplacementSpec(), {
      baseLabel: options.base,
      headLabel: options.head,
    });
    const markdown = renderMarkdown(report);
    fs.mkdirSync(options.outDir, { recursive: true });
    fs.writeFileSync(path.join(options.outDir, 'change-report.md'), markdown);
    fs.writeFileSync(path.join(options.outDir, 'change-report.json'), JSON.stringify(report, undefined, 2) + '\n');
    io.stdout(markdown);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof AssemblyError) {
      io.stderr(`change-report: ${e.message}\n\n${e instanceof UsageError ? USAGE : 'Run with --help for usage.\n'}`);
      return 2;
    }
    // Anything else is a bug or an unreadable output directory: one line, no stack trace.
    io.stderr(`change-report: failed: ${(e as Error).message ?? String(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
