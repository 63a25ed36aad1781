import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { ConfigError, DEFAULT_CONFIG_FILE, loadServiceConfig } from './config';
import { ComposeOptions, ServiceApp, composeServiceApp, createApp } from './service-app';

const USAGE = `Usage: node lib/main.js [--config FILE]

Validates the service config, synthesizes the pipeline and every environment's
stage into cdk.out (or $CDK_OUTDIR), with the AwsSolutions and NIST 800-53 rev 5
checks, and prints the stacks.

Options:
  --config FILE  service config (default: config/service.json)
  -h, --help     show this help`;

/** Where the app writes when the CDK CLI does not say (CDK_OUTDIR). */
export const DEFAULT_OUTDIR = path.resolve(__dirname, '..', 'cdk.out');

/** Options of `synthesizeServiceApp`. */
export interface SynthesizeOptions extends ComposeOptions {
  /** Cloud assembly directory. */
  readonly outdir: string;
  /** @default config/service.json */
  readonly configFile?: string;
}

/** The composed app and its cloud assembly. */
export interface SynthesisResult {
  readonly service: ServiceApp;
  readonly assembly: cxapi.CloudAssembly;
}

/** A synthesis stopped by a check (cdk-nag, CloudFormation validation): one finding per line. */
export class GateFailure extends Error {
  constructor(public readonly findings: string[]) {
    super(`${findings.length} finding(s) failed the gate:\n${findings.map((f) => `  ${f}`).join('\n')}`);
    this.name = 'GateFailure';
  }
}

/**
 * What `node lib/main.js` (and so `cdk synth` and the pipeline's synth step) does: load the config,
 * compose, synthesize into `outdir`. Throws a ConfigError or a GateFailure naming each problem.
 */
export function synthesizeServiceApp(options: SynthesizeOptions): SynthesisResult {
  const config = loadServiceConfig(options.configFile ?? DEFAULT_CONFIG_FILE);
  // CDK writes the report only when a validation runs: one left in outdir by an earlier run (cdk.out is reused)
  // would otherwise be read below as this run's findings, hiding this run's own error.
  fs.rmSync(validationReportFile(options.outdir), { force: true });
  const app = createApp(options.outdir);
  try {
    // Adding stages to the pipeline synthesizes them, so findings can surface before app.synth().
    const service = composeServiceApp(app, config, options);
    return { service, assembly: app.synth() };
  } catch (error) {
    const findings = readValidationFindings(options.outdir);
    if (findings.length > 0) throw new GateFailure(findings);
    throw error;
  }
}

function validationReportFile(outdir: string): string {
  return path.join(outdir, 'validation-report.json');
}

/** Unacknowledged violations from the report CDK writes when a validation plugin fails. */
function readValidationFindings(outdir: string): string[] {
  const file = validationReportFile(outdir);
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf-8')) as ValidationReport;
  return (report.pluginReports ?? []).flatMap((plugin) =>
    (plugin.violations ?? []).flatMap((violation) =>
      (violation.violatingConstructs ?? []).map(
        (c) => `${violation.ruleName} at ${c.constructPath} (${plugin.pluginName}): ${violation.description}`,
      ),
    ),
  );
}

interface ValidationReport {
  readonly pluginReports?: Array<{
    readonly pluginName: string;
    readonly violations?: Array<{
      readonly ruleName: string;
      readonly description: string;
      readonly violatingConstructs?: Array<{ readonly constructPath: string }>;
    }>;
  }>;
}

/** The command line: `--config FILE` and `--help`; anything else is a usage error (thrown as TypeError by Node). */
function parseCommandLine(argv: readonly string[]): { configFile?: string; help: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  });
  return { configFile: values.config, help: values.help ?? false };
}

/** Runs the entry point; returns the exit code. */
export function runMain(argv: readonly string[], outdir: string = process.env.CDK_OUTDIR ?? DEFAULT_OUTDIR): number {
  let options: { configFile?: string; help: boolean };
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    // A typo such as --confg must not synthesize the default config as if nothing happened.
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const configFile = options.configFile;
  if (configFile === '') {
    process.stderr.write(`--config needs a file, found an empty value\n\n${USAGE}\n`);
    return 2;
  }
  let result: SynthesisResult;
  try {
    result = synthesizeServiceApp({ outdir, configFile: configFile && path.resolve(configFile) });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n\n${error.issues.length} config error(s): nothing was synthesized\n`);
      return 1;
    }
    // Findings and construct errors name the rule and the construct path; a stack trace adds nothing.
    process.stderr.write(`synth failed: ${(error as Error).message}\n`);
    return 1;
  }
  const lines = [result.assembly, ...result.assembly.nestedAssemblies.map((n) => n.nestedAssembly)].flatMap((asm) =>
    asm.stacks.map((s) => `  ${s.stackName.padEnd(28)} aws://${s.environment.account}/${s.environment.region}`),
  );
  process.stdout.write(`${lines.join('\n')}\n\ncloud assembly: ${path.relative(process.cwd(), outdir) || '.'}\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = runMain(process.argv.slice(2));
}
