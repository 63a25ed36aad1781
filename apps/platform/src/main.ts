// First, for its side effect: run as the main job, this starts the CloudFormation validation worker
// before the other modules load (about 0.7 s), and its engine starts meanwhile (docs/performance.md).
import './validation-worker';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { NagPack } from 'cdk-nag';
import { checkOutputPath, parseArguments, ParsedArguments, UsageError } from './cli-args';
import {
  collectComplianceReport,
  CompliancePackReport,
  createCompliancePacks,
  writeComplianceReport,
} from './compliance';
import {
  ConfigError,
  PlatformConfig,
  formatIssues,
  invocationDir,
  loadPlatformConfig,
  resolveConfigDir,
  CONFIG_DIR_CONTEXT_KEY,
} from './config';
import { didYouMean, editDistance } from './config/did-you-mean';
import { EnvironmentStage } from './environment-stage';
import { composePlatform, Platform } from './platform';
import { renderTable, summarize } from './summary';
import { ParallelTemplateValidation, TemplateValidationStats } from './template-validation';

const USAGE = `Usage: node lib/main.js [--config-dir DIR] [--branch BRANCH] [--outdir DIR]

The main job: validates the config, synthesizes every environment the branch
deploys and the pipeline into apps/platform/cdk.out, runs the compliance
packs on every stage and the pipeline stack, and prints a summary.

Options:
  --config-dir DIR  config directory (default: apps/platform/config; or -c configDir=DIR with the CDK CLI)
  --branch BRANCH   build the pipeline of this branch, one of groundwork.yaml branches
                    (default: the repository branch in groundwork.yaml)
  --outdir DIR      write the cloud assembly to DIR (default: apps/platform/cdk.out, or CDK_OUTDIR)
  -h, --help        show this help

Exit codes: 0 synthesized, 1 config errors or a failed synth, 2 usage error.`;

/** Where the main job writes when the CDK CLI does not say (CDK_OUTDIR). */
export const DEFAULT_OUTDIR = path.resolve(__dirname, '..', 'cdk.out');

/** A synth stopped by the compliance gate or CloudFormation validation: each finding, one per line. */
export class GateFailure extends Error {
  constructor(public readonly findings: string[]) {
    super(`${findings.length} finding(s) failed the gate:\n${findings.map((f) => `  ${f}`).join('\n')}`);
  }
}

/**
 * A validation plugin that could not check (its worker failed, its engine did not start, it timed out): the
 * gate did not run, so the synth fails. Its validation-report.json is kept, like a failed gate's.
 */
export class ValidationPluginFailure extends Error {
  constructor(public readonly failures: string[]) {
    super(
      `${failures.length} validation plugin(s) could not check the templates:\n${failures.map((f) => `  ${f}`).join('\n')}`,
    );
  }
}

/**
 * Below this many environments in the config, the main job validates templates compact
 * (ParallelTemplateValidation `compact`, then `settle()` when the compliance packs start): the engine runs
 * WebAssembly baseline code only and is gone before the packs run. Measured on this project's 2-core machine
 * (docs/performance.md, "compact validation"): at 20 environments both ways take the same time and compact
 * needs 150 MB less; at 30 and 40 the optimizing compiler is 20 to 35 % faster, and memory is no longer the
 * tight limit.
 */
export const COMPACT_VALIDATION_BELOW = 25;

export interface SynthesizeOptions {
  /** Build this branch's pipeline (groundwork.yaml `branches`). */
  readonly branch?: string;
  /** Called with each stage before it is synthesized (tests use it to add resources to a stage). */
  readonly customizeStage?: (stage: EnvironmentStage) => void;
  /** Called when the app is composed, before it is synthesized (the synth benchmark times the two apart). */
  readonly onComposed?: (platform: Platform) => void;
}

export interface SynthesisResult {
  readonly platform: Platform;
  readonly assembly: cxapi.CloudAssembly;
  readonly packs: NagPack[];
  /** CloudFormation template validation in its worker; undefined when validation is off (CDK_VALIDATION=false). */
  readonly validation?: TemplateValidationStats;
  /** The compliance report, when it was collected during synthesis (see writeComplianceReport). */
  readonly compliance?: CompliancePackReport;
}

/**
 * The main job's synthesis: packs from config, composition, synth. Throws a
 * GateFailure naming every rule and construct path when a check fails, and a
 * ConfigError (unchanged) when the composed stacks show the config to be wrong.
 */
export function synthesizePlatform(app: App, config: PlatformConfig, options: SynthesizeOptions = {}): SynthesisResult {
  // CDK writes validation-report.json on every synth and never removes it: one left by an earlier
  // run would be taken for this run's findings, and hide this run's real error.
  fs.rmSync(validationReportFile(app.outdir), { force: true });
  // CloudFormation validation in a worker thread: its engine starts now, while the app is composed,
  // and the templates are validated while the rest synthesizes (docs/performance.md). For a config
  // of fewer than COMPACT_VALIDATION_BELOW environments, compact: less memory, and the worker is done
  // and gone before the compliance packs run.
  const compact = config.environments.length < COMPACT_VALIDATION_BELOW;
  const validation = ParallelTemplateValidation.register(app, { compact });
  let prefetched = false;
  const packs = createCompliancePacks(app, config.groundwork, {
    beforeValidation: (context) => {
      if (validation && !prefetched) {
        validation.prefetch(context);
        if (compact) validation.settle();
      }
      prefetched = true;
    },
  });
  // CDK runs the packs before the CloudFormation validation: collect the compliance report while
  // the worker finishes, if it has not finished by then (else, or if a pack has not run yet, the
  // report is collected after synthesis, with the worker's memory already freed).
  let compliance: CompliancePackReport | undefined;
  validation?.whileWaiting(() => {
    compliance = collectComplianceReport(app, packs, { onlyRecorded: true });
  });
  try {
    // Building the pipeline synthesizes the stages, so findings can surface here too.
    const platform = composePlatform(app, config, {
      complianceGate: packs,
      branch: options.branch,
      customizeStage: (stage) => {
        // The pipeline synthesizes each stage it deploys while it is built: validate the stage's templates from then on.
        if (validation) stage.onSynthesized((assembly) => validation.prefetchAssembly(assembly, stage));
        options.customizeStage?.(stage);
      },
    });
    // The pipeline's template is the largest: its validation starts as soon as it is written.
    validation?.prefetchWhenWritten(platform.pipelineStack);
    options.onComposed?.(platform);
    const assembly = app.synth();
    // aws-cdk-lib throws on a failed plugin only in its default app mode: under CDK_APP_MODE=process (or the
    // context @aws-cdk/core:appMode) it prints the report, sets process.exitCode and returns. The report
    // decides, whatever the mode.
    throwIfValidationFailed(app.outdir);
    return { platform, assembly, packs, validation: validation?.stats, compliance };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof GateFailure || error instanceof ValidationPluginFailure) {
      throw error;
    }
    throwIfValidationFailed(app.outdir);
    throw error;
  } finally {
    validation?.stop();
  }
}

/**
 * Throws GateFailure for the unacknowledged violations of the validation report CDK writes when a plugin
 * fails, or ValidationPluginFailure for the plugins that failed without any (their error).
 */
function throwIfValidationFailed(outdir: string): void {
  const file = validationReportFile(outdir);
  if (!fs.existsSync(file)) return;
  const report = JSON.parse(fs.readFileSync(file, 'utf-8')) as ValidationReport;
  const findings = readValidationFindings(report);
  if (findings.length > 0) throw new GateFailure(findings);
  const failures = (report.pluginReports ?? [])
    .filter((plugin) => plugin.conclusion === 'failure')
    // aws-cdk-lib's error already names the plugin ("Validation plugin '<name>' failed: ...").
    .map((plugin) => plugin.metadata?.error ?? `${plugin.pluginName}: failed without a finding or an error`);
  if (failures.length > 0) throw new ValidationPluginFailure(failures);
}

/** Unacknowledged violations from the validation report CDK writes when a plugin fails. */
function readValidationFindings(report: ValidationReport): string[] {
  return (report.pluginReports ?? []).flatMap((plugin) =>
    (plugin.violations ?? []).flatMap((violation) =>
      (violation.violatingConstructs ?? []).map(
        (c) => `${violation.ruleName} at ${c.constructPath} (${plugin.pluginName}): ${violation.description}`,
      ),
    ),
  );
}

const VALIDATION_REPORT = 'validation-report.json';

function validationReportFile(outdir: string): string {
  return path.join(outdir, VALIDATION_REPORT);
}

interface ValidationReport {
  readonly pluginReports?: Array<{
    readonly pluginName: string;
    /** 'success' or 'failure' (aws-cdk-lib's PolicyValidationReportStatus). */
    readonly conclusion?: string;
    /** Why a plugin that threw failed (aws-cdk-lib writes its error here). */
    readonly metadata?: { readonly error?: string };
    readonly violations?: Array<{
      readonly ruleName: string;
      readonly description: string;
      readonly violatingConstructs?: Array<{ readonly constructPath: string }>;
    }>;
  }>;
}

/** Runs the main job; returns the exit code. Output goes to stdout/stderr. */
export function runMain(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const usageError = (message: string) => {
    process.stderr.write(`synth: ${message}\n\n${USAGE}\n`);
    return 2;
  };
  let args: ParsedArguments;
  let configDir: string;
  let outdir: string;
  try {
    args = parseArguments(argv, { values: ['--config-dir', '--branch', '--outdir'] });
    const option = args.values.get('--config-dir');
    configDir = resolveConfigDir(option, contextConfigDir(cliContext(), option !== undefined), invocationDir());
    const outdirOption = args.values.get('--outdir');
    outdir = outdirOption ? path.resolve(invocationDir(), outdirOption) : (process.env.CDK_OUTDIR ?? DEFAULT_OUTDIR);
    const outdirSource = outdirOption ? '--outdir' : process.env.CDK_OUTDIR ? 'CDK_OUTDIR' : 'the default --outdir';
    checkOutputPath(outdirSource, outdir, 'directory', invocationDir());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageError(error.message);
  }

  // Validate first: on a config error nothing is composed and nothing written.
  let config: PlatformConfig;
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

  const branch = args.values.get('--branch');
  if (branch !== undefined && !Object.hasOwn(config.groundwork.branches, branch)) {
    const known = Object.keys(config.groundwork.branches);
    const suggestion = didYouMean(branch, known);
    return usageError(
      `--branch: expected a branch of groundwork.yaml branches (${known.join(', ')}), found "${branch}"` +
        (suggestion ? ` (did you mean "${suggestion}"?)` : ''),
    );
  }
  let summary: { table: string; reportFile: string };
  try {
    summary = writeStaged(
      outdir,
      (dir) => {
        const app = createApp(dir);
        const result = synthesizePlatform(app, config, { branch });
        const report = writeComplianceReport(app, result.packs, result.assembly.directory, result.compliance);
        // Read the assembly now: once moved into the output directory, its nested assemblies are elsewhere.
        const table = renderTable(summarize(result.platform, result.assembly, report.counts));
        return { table, reportFile: path.relative(dir, report.file) };
      },
      keptOnFailure,
    );
  } catch (error) {
    process.stderr.write(synthFailureText(error, outdir, invocationDir()));
    return 1;
  }

  process.stdout.write(`${summary.table}\n\n`);
  process.stdout.write(`cloud assembly:    ${path.relative(invocationDir(), outdir) || '.'}\n`);
  process.stdout.write(`compliance report: ${path.relative(invocationDir(), path.join(outdir, summary.reportFile))}\n`);
  return 0;
}

/** What the main job prints for a synth that failed once the config had loaded (`cwd`: where paths are relative to). */
export function synthFailureText(error: unknown, outdir: string, cwd: string): string {
  // A config the composed stacks show to be wrong (e.g. a deployment trust that cannot deploy them).
  if (error instanceof ConfigError) {
    return `${formatIssues(error.issues, cwd)}\n\n${error.issues.length} config error(s): synth stopped\n`;
  }
  // Findings and construct validation errors name the rule and the construct path; a stack trace would only add
  // noise. The report the failure kept (keptOnFailure) holds the findings' details.
  const kept = keptOnFailure(error).map((entry) => `details: ${path.relative(cwd, path.join(outdir, entry))}\n`);
  return `synth failed: ${(error as Error).message}\n${kept.join('')}`;
}

/**
 * What a failed synth keeps of its partial output: a failed gate (or a plugin that could not check) keeps its
 * validation-report.json, which holds the findings' details (docs/compliance.md) and which its message names.
 */
export function keptOnFailure(error: unknown): readonly string[] {
  return error instanceof GateFailure || error instanceof ValidationPluginFailure ? [VALIDATION_REPORT] : [];
}

/** Where a run writes before its output is moved into the output directory: `<outdir>/.partial-synth-<pid>`. */
const PARTIAL_PREFIX = '.partial-synth-';

/**
 * Runs `write` with a new, empty directory inside `outdir` and, when it returns, moves each entry it
 * wrote into `outdir`, replacing the entry of the same name (entries it did not write stay, as with
 * CDK's own synth). When `write` throws, `outdir` is left as it was, so an earlier cloud assembly stays
 * whole instead of mixed with part of a new one; only the entries `keepOnError(error)` names are moved
 * in. Directories that did not exist before (the output directory and its missing parents) are removed
 * again when nothing is kept. The partial
 * directories of runs that were killed are removed first.
 */
export function writeStaged<T>(
  outdir: string,
  write: (dir: string) => T,
  keepOnError: (error: unknown) => readonly string[] = () => [],
): T {
  // Normalized (CDK_OUTDIR is taken as given), so that the directories removed below are the ones made here.
  outdir = path.resolve(outdir);
  // mkdirSync returns the first directory it created: it and those below it are this run's to remove.
  const created = fs.mkdirSync(outdir, { recursive: true });
  removeAbandonedPartials(outdir);
  const partial = path.join(outdir, `${PARTIAL_PREFIX}${process.pid}`);
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial);
  try {
    const result = write(partial);
    moveEntries(partial, outdir, fs.readdirSync(partial));
    return result;
  } catch (error) {
    const kept = keepOnError(error).filter((entry) => fs.existsSync(path.join(partial, entry)));
    moveEntries(partial, outdir, kept);
    throw error;
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
    if (created !== undefined) removeEmptyUpTo(outdir, created);
  }
}

/** Removes `dir` and its parents up to and including `top` while they are empty. */
function removeEmptyUpTo(dir: string, top: string): void {
  for (let current = dir; ; current = path.dirname(current)) {
    if (!fs.existsSync(current) || fs.readdirSync(current).length > 0) return;
    fs.rmdirSync(current);
    if (current === top) return;
  }
}

function moveEntries(from: string, to: string, entries: readonly string[]): void {
  for (const entry of entries) {
    fs.rmSync(path.join(to, entry), { recursive: true, force: true });
    fs.renameSync(path.join(from, entry), path.join(to, entry));
  }
}

/** A run killed before it finished leaves its partial directory behind: remove those whose process is gone. */
function removeAbandonedPartials(outdir: string): void {
  for (const entry of fs.readdirSync(outdir)) {
    if (!entry.startsWith(PARTIAL_PREFIX)) continue;
    const pid = Number(entry.slice(PARTIAL_PREFIX.length));
    if (Number.isInteger(pid) && pid !== process.pid && processRuns(pid)) continue;
    fs.rmSync(path.join(outdir, entry), { recursive: true, force: true });
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The platform's App, with cdk.json's context (feature flags) when not run by the CDK CLI. */
export function createApp(outdir: string): App {
  // Compact templates: at 100 environments the pipeline stack's indented template is 860 KB of
  // CloudFormation's 1 MB template limit (issue 9), compact 530 KB. cdk.json may still override it.
  return new App({
    outdir,
    context: { '@aws-cdk/core:suppressTemplateIndentation': true, ...cdkJsonContext() },
    // The job synthesizes once, explicitly. Under the CDK CLI (CDK_OUTDIR set) an App would otherwise
    // synthesize again when the process exits, also after the job has failed and reported why.
    autoSynth: false,
  });
}

/**
 * Context the CDK CLI passes (`cdk synth -c configDir=DIR`), before an App exists: CDK_CONTEXT_JSON
 * and, when the context is too large for one environment variable, the file the CLI names in
 * CONTEXT_OVERFLOW_LOCATION_ENV (read as aws-cdk-lib's App reads them).
 */
function cliContext(): Record<string, unknown> {
  const read = (variable: string, text: string | undefined): Record<string, unknown> => {
    if (!text) return {};
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UsageError(
        `${variable}: expected CDK context as a JSON object, found invalid JSON (${(error as Error).message})`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UsageError(`${variable}: expected CDK context as a JSON object, found ${JSON.stringify(value)}`);
    }
    return value as Record<string, unknown>;
  };
  const overflow = process.env[cxapi.CONTEXT_OVERFLOW_LOCATION_ENV];
  let overflowText: string | undefined;
  if (overflow) {
    try {
      overflowText = fs.readFileSync(overflow, 'utf-8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'an unreadable file';
      throw new UsageError(
        `${cxapi.CONTEXT_OVERFLOW_LOCATION_ENV}: expected a readable CDK context file, found ${code} for ${overflow}`,
      );
    }
  }
  return {
    ...read(cxapi.CONTEXT_ENV, process.env[cxapi.CONTEXT_ENV]),
    ...read(overflow ?? cxapi.CONTEXT_OVERFLOW_LOCATION_ENV, overflowText),
  };
}

/**
 * The config directory from the CDK context (`-c configDir=DIR`), or undefined. A blank value, or a
 * key that is a near miss of configDir (`-c confgDir=DIR`, `-c config-dir=DIR`), is a usage error:
 * ignored, it would synthesize the default config. Other unknown keys are not reported: the CLI
 * passes its own (aws:cdk:*, cached lookups such as availability-zones:*), the feature flags of
 * cdk.json (@aws-cdk/...) and whatever ~/.cdk.json holds, a set the app cannot know. Keys with ':',
 * '/' or '@' are never near misses, so no CLI key or feature flag can be mistaken for one.
 */
export function contextConfigDir(context: Record<string, unknown>, overridden = false): string | undefined {
  const normalized = (key: string) => key.toLowerCase().replace(/[-_]/g, '');
  for (const key of Object.keys(context)) {
    if (key === CONFIG_DIR_CONTEXT_KEY || /[:/@]/.test(key)) continue;
    if (editDistance(normalized(key), normalized(CONFIG_DIR_CONTEXT_KEY)) <= 2) {
      throw new UsageError(
        `-c ${key}=...: expected the context key ${CONFIG_DIR_CONTEXT_KEY}, found '${key}' (did you mean ${CONFIG_DIR_CONTEXT_KEY}?)`,
      );
    }
  }
  const value = context[CONFIG_DIR_CONTEXT_KEY];
  // --config-dir wins (resolveConfigDir): the context value is not used.
  if (value === undefined || overridden) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(
      `-c ${CONFIG_DIR_CONTEXT_KEY}=DIR: expected a config directory, found ${JSON.stringify(value)}`,
    );
  }
  return value;
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

if (require.main === module) {
  try {
    // Never lower an exit code already set (aws-cdk-lib sets 1 for a failed validation in some app modes).
    process.exitCode = Math.max(Number(process.exitCode ?? 0), runMain(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`synth: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
