import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { countAssembly } from './assembly';
import { linearFit } from './fit';
import { lastLines, loadAverage, Measurement, measureNode, runCli, UsageError } from './measure';
import type { TemplateValidationStats } from '../../apps/platform/src/template-validation';
import { writeSyntheticConfig } from '../../apps/platform/test/scale/synthetic-config';

const USAGE = `Usage: npm run bench:synth -- [--sizes 1,5,20,80] [--regions LIST] [--repeat 1] [--keep] [--phases] [--cpu-prof DIR] [--no-validation]

Synth time and memory of the main job (node apps/platform/lib/main.js, compiled
JavaScript, the code path of \`npm run synth\`) for generated configs of N
environments, each synthesized in a fresh process; then the linear fit
T = a + b·N and the ratio of a to an empty CDK app's synth with the same
context and validation plugins, measured in the same run.

Options:
  --sizes LIST     environment counts (default: 1,5,20,80)
  --regions LIST   regions the environments rotate through
                   (default: eu-west-1,eu-central-1,us-east-1,us-west-2)
  --repeat K       run each synth K times and keep the fastest (default: 1)
  --keep           keep the generated configs and cloud assemblies
  --phases         also run each size once more, instrumented (scripts/bench/synth-phases.js), and
                   print the time and memory of each phase of the main job
  --cpu-prof DIR   write a V8 CPU profile of every main-job run to DIR
  --no-validation  CloudFormation template validation off (CDK_VALIDATION=false) in the main job
                   and the empty app alike; npm run synth keeps it on. For comparing the cost of
                   validation, not for the targets
  -h, --help       show this help

Prints numbers; it is not a test. Exits 1 when a synth fails, 2 on a usage error.`;

/** The synthetic config's own rotation: the pipeline then needs cross-region support stacks, as a real organization's would. */
const DEFAULT_REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'];

/** Targets of issue 9 for a 2-core machine. */
const TARGETS = {
  perEnvironmentSeconds: 0.4,
  floorRatio: 1.5,
  rssBaseMb: 400,
  rssPerEnvironmentMb: 15,
};

const ROOT = path.resolve(__dirname, '..', '..');
const APP_DIR = path.join(ROOT, 'apps', 'platform');
const MAIN_JS = path.join(APP_DIR, 'lib', 'main.js');
const EMPTY_APP_JS = path.join(__dirname, 'empty-app.js');
const PHASES_JS = path.join(__dirname, 'synth-phases.js');

/** A child synth that exited non-zero, with the end of its output. */
class SynthFailure extends Error {}

interface Options {
  readonly sizes: number[];
  readonly regions: string[];
  readonly repeat: number;
  readonly keep: boolean;
  readonly phases: boolean;
  readonly cpuProfDir?: string;
  /** CloudFormation template validation in the children (default: on, as in npm run synth). */
  readonly validation: boolean;
}

/** What synth-phases.js prints. */
interface PhaseReport {
  readonly phases: Array<{
    name: string;
    ms: number;
    cpuMs: number;
    rssMb: number;
    heapUsedMb: number;
    externalMb: number;
  }>;
  /** Wall time inside each validation plugin on the main thread. */
  readonly pluginMs: { [plugin: string]: number };
  /** What the CloudFormation validation worker did (template-validation.ts); absent when validation is off. */
  readonly validation?: TemplateValidationStats;
  readonly counters: { [counter: string]: number };
}

interface Row {
  readonly label: string;
  readonly environments: number;
  readonly run: Measurement;
  readonly stacks: number;
  readonly resources: number;
  readonly load: string;
  readonly phases?: PhaseReport;
}

export function parseArgs(argv: readonly string[]): Options | 'help' {
  let sizes = [1, 5, 20, 80];
  let regions = DEFAULT_REGIONS;
  let repeat = 1;
  let keep = false;
  let phases = false;
  let cpuProfDir: string | undefined;
  let validation = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg}: expected a value`);
      return v;
    };
    switch (arg) {
      case '-h':
      case '--help':
        return 'help';
      case '--sizes':
        sizes = value()
          .split(',')
          .map((s) => Number(s.trim()));
        if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
          throw new UsageError(`--sizes: expected positive integers separated by commas, found '${argv[i]}'`);
        }
        break;
      case '--regions':
        regions = value()
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0);
        if (regions.length === 0) throw new UsageError('--regions: expected at least one region');
        break;
      case '--repeat':
        repeat = Number(value());
        if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError(`--repeat: expected a positive integer`);
        break;
      case '--keep':
        keep = true;
        break;
      case '--phases':
        phases = true;
        break;
      case '--no-validation':
        validation = false;
        break;
      case '--cpu-prof':
        cpuProfDir = path.resolve(value());
        break;
      default:
        throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  return { sizes: [...new Set(sizes)].sort((a, b) => a - b), regions, repeat, keep, phases, cpuProfDir, validation };
}

/**
 * The child's environment: cdk.json's context is read by the app itself, and validation stays on unless
 * `validation` is false (whatever the caller's CDK_VALIDATION).
 */
export function childEnv(outdir: string, validation: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: outdir };
  // Set by the CDK CLI: it would replace cdk.json's context in main.ts (and in the floor).
  delete env.CDK_CONTEXT_JSON;
  // `CDK_VALIDATION=false` turns CloudFormation template validation off (aws-cdk-lib's and the main job's
  // worker); npm run synth keeps it on.
  if (validation) {
    delete env.CDK_VALIDATION;
  } else {
    env.CDK_VALIDATION = 'false';
  }
  // A stray INIT_CWD would change how main.ts resolves relative paths; --config-dir is absolute anyway.
  delete env.INIT_CWD;
  return env;
}

/** Runs `node ...args` `repeat` times; keeps the fastest run (least disturbed by other load). */
function bestOf(
  repeat: number,
  label: string,
  outdirOf: (attempt: number) => string,
  argsOf: (outdir: string) => string[],
  validation: boolean,
): { run: Measurement; outdir: string; load: string } {
  let best: { run: Measurement; outdir: string; load: string } | undefined;
  for (let attempt = 0; attempt < repeat; attempt++) {
    const outdir = outdirOf(attempt);
    const load = loadAverage();
    const run = measureNode(argsOf(outdir), { cwd: APP_DIR, env: childEnv(outdir, validation) });
    if (run.status !== 0) {
      throw new SynthFailure(
        `${label} failed (exit ${run.status}). Last lines of its output:\n${lastLines(run.output)}`,
      );
    }
    if (!best || run.seconds < best.run.seconds) best = { run, outdir, load };
  }
  return best!;
}

function compliancePacks(configDir: string): { packs: string[]; requiredTags: string[] } {
  const groundwork = parseYaml(fs.readFileSync(path.join(configDir, 'groundwork.yaml'), 'utf-8'));
  return { packs: groundwork.compliance.packs, requiredTags: groundwork.compliance.requiredTags ?? [] };
}

function describeMachine(): string[] {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf-8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const cdkVersion = (pkg: string) => {
    try {
      return JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`, { paths: [APP_DIR] }), 'utf-8')).version;
    } catch {
      return 'unknown';
    }
  };
  return [
    `- CPU: ${model}; ${os.cpus().length} logical cores`,
    `- memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- node ${process.version}, ${os.type()} ${os.release()}`,
    `- aws-cdk-lib ${cdkVersion('aws-cdk-lib')}, cdk-nag ${cdkVersion('cdk-nag')}`,
  ];
}

/** The main job's command as `npm run synth` runs it: the platform app's nx synth target. */
function nxSynthCommand(): string | undefined {
  return JSON.parse(fs.readFileSync(path.join(APP_DIR, 'package.json'), 'utf-8')).nx?.targets?.synth?.command;
}

/**
 * The Node.js flags of a `node [FLAGS] SCRIPT ...` command (none for any other command). The benchmark runs
 * the main job, its instrumented run and the empty app with the flags `npm run synth` gives the main job.
 * Flags are `--name` or `--name=value` words; anything else before the script (an option with a separate value,
 * `--`) is refused rather than guessed at.
 */
export function nodeFlagsOf(command: string | undefined): string[] {
  const words = (command ?? '').trim().split(/\s+/);
  if (words[0] !== 'node') return [];
  const flags: string[] = [];
  for (const word of words.slice(1)) {
    if (/^--[a-z0-9][\w-]*(=\S*)?$/i.test(word)) {
      flags.push(word);
    } else if (/\.[cm]?js$/.test(word)) {
      return flags;
    } else {
      throw new Error(
        `cannot read the Node.js flags of '${command}': expected --name or --name=value before the script, found '${word}'`,
      );
    }
  }
  throw new Error(`cannot read the Node.js flags of '${command}': no script`);
}

/** Whether the synth runs compiled JavaScript: cdk.json's app and the nx synth target run node on lib/. */
function compiledJavaScriptCheck(): { ok: boolean; detail: string } {
  const cdkJsonApp = JSON.parse(fs.readFileSync(path.join(APP_DIR, 'cdk.json'), 'utf-8')).app as string;
  const nxSynth = nxSynthCommand();
  const compiled = (cmd: string | undefined) =>
    !!cmd && /^node(\s+--\S+)*\s+lib\/\S+\.js\b/.test(cmd) && !/ts-node/.test(cmd);
  return {
    ok: compiled(cdkJsonApp) && compiled(nxSynth),
    detail: `cdk.json app: \`${cdkJsonApp}\`; nx synth: \`${nxSynth ?? 'none'}\``,
  };
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** Seconds and memory per phase and size, and the per-environment slope of each phase's time. */
function phaseTable(rows: Row[]): string[] {
  const measured = rows.filter((r) => r.phases);
  const names = [
    ...measured[0].phases!.phases.map((p) => p.name),
    ...Object.keys(measured[0].phases!.pluginMs).map((p) => `  within synth: ${p} plugin`),
  ];
  const secondsOf = (r: Row, name: string): number => {
    const plugin = /^ {2}within synth: (.+) plugin$/.exec(name);
    if (plugin) return (r.phases!.pluginMs[plugin[1]] ?? 0) / 1000;
    // Wall time: the process's CPU time now includes the validation worker's, which runs beside every phase.
    return (r.phases!.phases.find((p) => p.name === name)?.ms ?? 0) / 1000;
  };
  const slope = (name: string) =>
    measured.length >= 2
      ? `${fmt(linearFit(measured.map((r) => [r.environments, secondsOf(r, name)] as const)).b, 3)}`
      : '';
  const lines = [
    '### Phases (instrumented run, separate process: wall s, then RSS / heap / external MB after the phase)',
    '',
    `| phase | ${measured.map((r) => `N=${r.label}`).join(' | ')} | wall s per environment |`,
    `| --- | ${measured.map(() => '---:').join(' | ')} | ---: |`,
  ];
  for (const name of names) {
    const cells = measured.map((r) => {
      const p = r.phases!.phases.find((x) => x.name === name);
      const memory = p ? ` (${p.rssMb} / ${p.heapUsedMb} / ${p.externalMb})` : '';
      return `${fmt(secondsOf(r, name))}${memory}`;
    });
    lines.push(`| ${name} | ${cells.join(' | ')} | ${slope(name)} |`);
  }
  lines.push('');
  for (const r of measured) {
    const v = r.phases!.validation;
    if (v) {
      lines.push(
        `- N=${r.label}: the validation worker validated ${v.validated} templates in ${fmt(v.busyMs / 1000)} s, ` +
          `${v.reused} of them before the validation plugins ran; the main thread waited ${fmt(v.waitedMs / 1000)} s for it`,
      );
    }
  }
  lines.push('');
  return lines;
}
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

function runBenchmark(options: Options): number {
  if (!fs.existsSync(MAIN_JS)) {
    process.stderr.write(
      `bench:synth: ${path.relative(ROOT, MAIN_JS)} not found: build the platform app first (npm run bench:synth does)\n`,
    );
    return 1;
  }
  const { sizes, regions, repeat, keep, phases, cpuProfDir } = options;
  const nodeFlags = nodeFlagsOf(nxSynthCommand());
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-synth-'));
  if (cpuProfDir) fs.mkdirSync(cpuProfDir, { recursive: true });
  process.stdout.write(
    `bench:synth: sizes ${sizes.join(', ')}; regions ${regions.join(', ')}; best of ${repeat}; work dir ${work}\n`,
  );

  const rows: Row[] = [];
  let failed = false;
  try {
    for (const n of sizes) {
      const configDir = path.join(work, `config-${n}`);
      writeSyntheticConfig(configDir, n, { regions });
      process.stdout.write(`  N=${n}: synthesizing...`);
      const prof = (outdir: string) =>
        cpuProfDir
          ? [
              '--cpu-prof',
              '--cpu-prof-dir',
              cpuProfDir,
              '--cpu-prof-name',
              `main-${n}-${path.basename(outdir)}.cpuprofile`,
            ]
          : [];
      const { run, outdir, load } = bestOf(
        repeat,
        `the main job with ${n} environment(s)`,
        (attempt) => path.join(work, `out-${n}-${attempt}`),
        (out) => [...nodeFlags, ...prof(out), MAIN_JS, '--config-dir', configDir],
        options.validation,
      );
      const { stacks, resources } = countAssembly(outdir);
      process.stdout.write(
        ` ${fmt(run.seconds)} s wall, ${fmt(run.cpuSeconds)} s CPU, ${fmt(run.peakRssMb, 0)} MB, load ${load}\n`,
      );
      let phaseReport: PhaseReport | undefined;
      if (phases) {
        process.stdout.write(`  N=${n}: instrumented run...`);
        const instrumented = bestOf(
          1,
          `the instrumented run with ${n} environment(s)`,
          () => path.join(work, `phases-${n}`),
          (out) => [...nodeFlags, PHASES_JS, APP_DIR, configDir, out],
          options.validation,
        );
        phaseReport = JSON.parse(instrumented.run.output.trim().split('\n').pop()!) as PhaseReport;
        process.stdout.write(` ${fmt(instrumented.run.seconds)} s\n`);
      }
      rows.push({ label: String(n), environments: n, run, stacks, resources, load, phases: phaseReport });
    }

    const floorConfig = compliancePacks(path.join(work, `config-${sizes[0]}`));
    process.stdout.write(`  empty app: synthesizing...`);
    const floor = bestOf(
      repeat,
      'the empty app',
      (attempt) => path.join(work, `out-empty-${attempt}`),
      (out) => [
        ...nodeFlags,
        EMPTY_APP_JS,
        APP_DIR,
        out,
        floorConfig.packs.join(','),
        floorConfig.requiredTags.join(','),
      ],
      options.validation,
    );
    const floorCounts = countAssembly(floor.outdir);
    process.stdout.write(
      ` ${fmt(floor.run.seconds)} s wall, ${fmt(floor.run.cpuSeconds)} s CPU, ${fmt(floor.run.peakRssMb, 0)} MB, load ${floor.load}\n\n`,
    );

    report(
      options,
      rows,
      {
        label: 'empty app',
        environments: 0,
        run: floor.run,
        stacks: floorCounts.stacks,
        resources: floorCounts.resources,
        load: floor.load,
      },
      floorConfig.packs,
      nodeFlags,
    );
  } catch (error) {
    if (!(error instanceof SynthFailure)) throw error;
    failed = true;
    process.stderr.write(`\nbench:synth: ${error.message}\n`);
  } finally {
    // A failed run's config and assembly are kept for inspection.
    if (keep || failed) process.stdout.write(`\nkept: ${work}\n`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

function report(options: Options, rows: Row[], floor: Row, packs: string[], nodeFlags: string[]): void {
  const out: string[] = [];
  out.push('### Machine', '', ...describeMachine(), '');
  out.push(
    '### Settings',
    '',
    `- regions: ${options.regions.join(', ')}; best of ${options.repeat} run(s) per size`,
    `- context: apps/platform/cdk.json (read by main.ts when run with node; CDK_CONTEXT_JSON unset), ` +
      (options.validation
        ? 'CDK_VALIDATION unset (CloudFormation validation on)'
        : 'CDK_VALIDATION=false (CloudFormation validation off, --no-validation: not the npm run synth setting)'),
    `- compliance packs: ${packs.join(', ')}`,
    `- Node.js flags (the nx synth target's, for the main job and the empty app alike): ` +
      (nodeFlags.join(' ') || 'none'),
    `- peak RSS: ${rows[0]?.run.rssSource}`,
    '',
  );
  out.push('### Synth per size', '');
  out.push(
    '| N | wall time (s) | CPU time (s) | peak RSS (MB) | RSS target (MB) | stacks | resources | load average (1/5/15 min) |',
  );
  out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of [floor, ...rows]) {
    const rssTarget =
      r.environments > 0 ? fmt(TARGETS.rssBaseMb + TARGETS.rssPerEnvironmentMb * r.environments, 0) : '';
    out.push(
      `| ${r.label} | ${fmt(r.run.seconds)} | ${fmt(r.run.cpuSeconds)} | ${fmt(r.run.peakRssMb, 0)} | ${rssTarget} | ${r.stacks} | ${r.resources} | ${r.load} |`,
    );
  }
  out.push('');

  const checks: string[] = [];
  if (rows.length >= 2) {
    const time = linearFit(rows.map((r) => [r.environments, r.run.seconds] as const));
    const cpu = linearFit(rows.map((r) => [r.environments, r.run.cpuSeconds] as const));
    const rss = linearFit(rows.map((r) => [r.environments, r.run.peakRssMb] as const));
    const ratio = time.a / floor.run.seconds;
    const cpuRatio = cpu.a / floor.run.cpuSeconds;
    out.push('### Linear fit (least squares over the sizes above)', '');
    out.push('| quantity | a (fixed) | b (per environment) | r² |', '| --- | ---: | ---: | ---: |');
    out.push(`| wall time T = a + b·N | ${fmt(time.a)} s | ${fmt(time.b, 3)} s | ${fmt(time.r2, 4)} |`);
    out.push(`| CPU time C = a + b·N | ${fmt(cpu.a)} s | ${fmt(cpu.b, 3)} s | ${fmt(cpu.r2, 4)} |`);
    out.push(`| peak RSS M = a + b·N | ${fmt(rss.a, 0)} MB | ${fmt(rss.b, 1)} MB | ${fmt(rss.r2, 4)} |`);
    // With a cost that grows faster than linearly, the largest size pulls a down and b up: show the fit without it.
    const smaller = rows.slice(0, -1);
    if (smaller.length >= 2) {
      const label = `without N=${rows[rows.length - 1].label}`;
      const t2 = linearFit(smaller.map((r) => [r.environments, r.run.seconds] as const));
      const c2 = linearFit(smaller.map((r) => [r.environments, r.run.cpuSeconds] as const));
      out.push(`| wall time, ${label} | ${fmt(t2.a)} s | ${fmt(t2.b, 3)} s | ${fmt(t2.r2, 4)} |`);
      out.push(`| CPU time, ${label} | ${fmt(c2.a)} s | ${fmt(c2.b, 3)} s | ${fmt(c2.r2, 4)} |`);
    }
    out.push('');
    out.push(
      `Empty-app floor: ${fmt(floor.run.seconds)} s wall, ${fmt(floor.run.cpuSeconds)} s CPU; ` +
        `a / floor = ${fmt(ratio)} (wall), ${fmt(cpuRatio)} (CPU).`,
      '',
    );
    checks.push(
      `| b (time per environment) | ≤ ${TARGETS.perEnvironmentSeconds} s | ${fmt(time.b, 3)} s | ${verdict(time.b <= TARGETS.perEnvironmentSeconds)} |`,
      `| a / empty-app floor | ≤ ${TARGETS.floorRatio} | ${fmt(ratio)} | ${verdict(ratio <= TARGETS.floorRatio)} |`,
    );
  } else {
    out.push('(one size only: no fit)', '');
  }
  const rssOk = rows.every((r) => r.run.peakRssMb <= TARGETS.rssBaseMb + TARGETS.rssPerEnvironmentMb * r.environments);
  const worst = rows.reduce(
    (w, r) => Math.max(w, r.run.peakRssMb / (TARGETS.rssBaseMb + TARGETS.rssPerEnvironmentMb * r.environments)),
    0,
  );
  checks.push(
    `| peak RSS | ≤ ${TARGETS.rssBaseMb} MB + ${TARGETS.rssPerEnvironmentMb} MB·N at every N | worst ${fmt(worst * 100, 0)} % of target | ${verdict(rssOk)} |`,
  );
  if (rows.some((r) => r.phases)) out.push(...phaseTable(rows));
  const compiled = compiledJavaScriptCheck();
  checks.push(`| synth runs compiled JavaScript | yes | ${compiled.detail} | ${verdict(compiled.ok)} |`);
  out.push('### Targets', '', '| target | limit | measured | verdict |', '| --- | --- | --- | --- |', ...checks, '');
  process.stdout.write(`${out.join('\n')}\n`);
}

if (require.main === module) {
  process.exitCode = runCli('bench:synth', USAGE, process.argv.slice(2), parseArgs, runBenchmark);
}
