import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { createCompliancePacks, writeComplianceReport } from './compliance';
import {
  ConfigError,
  formatIssues,
  invocationDir,
  loadPlatformConfig,
  resolveConfigDir,
  CONFIG_DIR_CONTEXT_KEY,
} from './config';
import { composePlatform } from './platform';
import { renderTable, summarize } from './summary';

const USAGE = `Usage: node lib/main.js [--config-dir DIR] [--branch BRANCH]

The main job: validates the config, synthesizes every environment the branch
deploys and the pipeline into apps/platform/cdk.out, runs the compliance
packs on every stage and the pipeline stack, and prints a summary.

Options:
  --config-dir DIR  config directory (default: apps/platform/config; or -c configDir=DIR with the CDK CLI)
  --branch BRANCH   build the pipeline of this branch (default: the repository branch in groundwork.yaml)
  -h, --help        show this help`;

/** Where the main job writes when the CDK CLI does not say (CDK_OUTDIR). */
export const DEFAULT_OUTDIR = path.resolve(__dirname, '..', 'cdk.out');

export interface MainResult {
  readonly exitCode: number;
}

/** Runs the main job; returns the exit code. Output goes to stdout/stderr. */
export function runMain(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const branch = optionValue(argv, '--branch');
  const app = new App({ outdir: process.env.CDK_OUTDIR ?? DEFAULT_OUTDIR, context: cdkJsonContext() });
  const configDir = resolveConfigDir(argv, app.node.tryGetContext(CONFIG_DIR_CONTEXT_KEY), invocationDir());

  // Validate first: on a config error nothing is composed and nothing written.
  let config;
  try {
    config = loadPlatformConfig(configDir);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${formatIssues(error.issues, invocationDir())}\n\n${error.issues.length} config error(s): nothing was synthesized\n`,
      );
      return 1;
    }
    throw error;
  }

  const packs = createCompliancePacks(app, config.groundwork);
  const platform = composePlatform(app, config, { complianceGate: packs, branch });

  let assembly;
  try {
    assembly = app.synth();
  } catch (error) {
    // Compliance findings and construct validation errors: the message names
    // the rule and the construct path; the stack trace would only add noise.
    process.stderr.write(`synth failed: ${(error as Error).message}\n`);
    return 1;
  }

  const report = writeComplianceReport(app, packs, assembly.directory);
  process.stdout.write(`${renderTable(summarize(platform, assembly, report.counts))}\n\n`);
  process.stdout.write(`cloud assembly:    ${path.relative(invocationDir(), assembly.directory) || '.'}\n`);
  process.stdout.write(`compliance report: ${path.relative(invocationDir(), report.file)}\n`);
  return 0;
}

/**
 * Run directly (`node lib/main.js`), the app gets no context from the CDK CLI:
 * read cdk.json's, so feature flags are the same as under `cdk synth`.
 */
function cdkJsonContext(): Record<string, unknown> {
  if (process.env.CDK_CONTEXT_JSON) return {};
  const file = path.resolve(__dirname, '..', 'cdk.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf-8')).context ?? {}) : {};
}

function optionValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1);
    if (argv[i] === name) return argv[i + 1];
  }
  return undefined;
}

if (require.main === module) {
  try {
    process.exitCode = runMain(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`groundwork: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
