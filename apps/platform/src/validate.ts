import { parseArguments } from './cli-args';
import { displayPath, formatIssues, invocationDir, readPlatformConfig, resolveConfigDir } from './config';

const USAGE = `Usage: node lib/validate.js [--config-dir DIR]

Validates the Groundwork config (groundwork.yaml and environments/*.yaml) and
reports every problem at once, as <file>:<line>:<column>: <field>: expected ..., found ...

Options:
  --config-dir DIR  config directory to validate (default: apps/platform/config);
                    a relative DIR is taken from the directory you ran the command in
  -h, --help        show this help

Exit codes: 0 valid, 1 config errors, 2 usage error.`;

/** Where the CLI writes; replaceable in tests. */
export interface ValidateOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processOutput: ValidateOutput = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
};

/** Runs the validate command; returns the exit code. */
export function runValidate(
  argv: readonly string[],
  output: ValidateOutput = processOutput,
  baseDir: string = invocationDir(),
): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    output.stdout(USAGE);
    return 0;
  }
  let configDir: string;
  try {
    const args = parseArguments(argv, { values: ['--config-dir'] });
    configDir = resolveConfigDir(args.values.get('--config-dir'), undefined, baseDir);
  } catch (error) {
    output.stderr(`validate: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const shownDir = displayPath(configDir, baseDir);
  const result = readPlatformConfig(configDir);
  if (!result.config) {
    const count = result.issues.length;
    output.stderr(formatIssues(result.issues, baseDir));
    output.stderr(`\n${count} config ${count === 1 ? 'error' : 'errors'} in ${shownDir}`);
    return 1;
  }
  const { environments, waves } = result.config;
  const used = waves.filter((w) => w.environments.length > 0);
  const detail = used.map((w) => `${w.name}: ${w.environments.map((e) => e.name).join(', ')}`).join('; ');
  output.stdout(
    `config OK: ${environments.length} ${environments.length === 1 ? 'environment' : 'environments'} ` +
      `in ${used.length} ${used.length === 1 ? 'wave' : 'waves'} (${detail}) from ${shownDir}`,
  );
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = runValidate(process.argv.slice(2));
  } catch (error) {
    // A bug in the validator itself: say so plainly, without a stack trace.
    process.stderr.write(`validate: internal error: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
