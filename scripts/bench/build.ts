import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { lastLines, loadAverage, runCli, UsageError } from './measure';

const USAGE = `Usage: npm run bench:build -- [--steps cold,cached,affected] [--touch FILE] [--clean] [--dry-run]

Build times of the workspace through nx:
  cold      every project's build without nx's cache (npx nx run-many -t build --skip-nx-cache),
            after removing the TypeScript incremental state (*.tsbuildinfo) so tsc --build
            recompiles the apps; jsii recompiles a package on every run anyway
  cached    the same build again: every task should come from nx's cache
  affected  after appending a comment to one source file: npx nx affected -t build --files=FILE
            (the file is restored afterwards, also on failure or Ctrl-C)

Options:
  --steps LIST  which of cold, cached, affected to run, in that order (default: all three)
  --touch FILE  the file the affected step changes: a file of one of the projects under packages/
                or apps/ (default: packages/networking/src/index.ts)
  --clean       also remove every project's lib/ and .jsii before the cold build (a clone's first
                build); other work in the repository cannot use the packages until it finishes
  --dry-run     print the commands and the files they would remove or change; run nothing
  -h, --help    show this help

Prints numbers; it is not a test. Exits 1 when a build fails, 2 on a usage error.`;

const ROOT = path.resolve(__dirname, '..', '..');
const PROJECT_DIRS = ['packages', 'apps'].flatMap((group) =>
  fs.existsSync(path.join(ROOT, group))
    ? fs
        .readdirSync(path.join(ROOT, group))
        .map((name) => path.join(group, name))
        .filter((dir) => fs.existsSync(path.join(ROOT, dir, 'package.json')))
    : [],
);
const STEPS = ['cold', 'cached', 'affected'] as const;
type Step = (typeof STEPS)[number];

class BuildFailure extends Error {}

interface Options {
  readonly steps: Step[];
  readonly touch: string;
  readonly clean: boolean;
  readonly dryRun: boolean;
}

interface Result {
  readonly step: Step;
  readonly command: string;
  readonly seconds: number;
  readonly ran: string[];
  readonly fromCache: string[];
  readonly load: string;
}

/**
 * The project folder (`packages/<name>` or `apps/<name>`) that holds `file`, a path relative to the
 * repository root; undefined when none does.
 */
function projectOf(file: string, projectDirs: readonly string[]): string | undefined {
  return projectDirs.find((dir) => file.startsWith(`${dir}${path.sep}`));
}

/**
 * Checks `--touch` before any step runs (the cold step takes minutes and removes build state): a
 * regular file inside one of the projects, whose build nx affected then runs. A directory would fail
 * only at the affected step; a file outside every project (README.md, scripts/) makes no build affected.
 */
export function checkTouchFile(
  touch: string,
  root: string = ROOT,
  projectDirs: readonly string[] = PROJECT_DIRS,
): string {
  const file = path.resolve(root, touch);
  const relative = path.relative(root, file);
  const expected = `a source file of one of the projects (${projectDirs.join(', ')})`;
  if (!fs.existsSync(file)) {
    throw new UsageError(`--touch: expected ${expected}, found '${touch}', which does not exist`);
  }
  if (!fs.statSync(file).isFile()) throw new UsageError(`--touch: expected ${expected}, found '${touch}', a directory`);
  if (projectOf(relative, projectDirs) === undefined) {
    throw new UsageError(`--touch: expected ${expected}, found '${touch}', which no project holds`);
  }
  return relative;
}

export function parseArgs(argv: readonly string[]): Options | 'help' {
  let steps: Step[] = [...STEPS];
  let touch = 'packages/networking/src/index.ts';
  let clean = false;
  let dryRun = false;
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
      case '--steps': {
        const names = value().split(',');
        const unknown = names.filter((s) => !(STEPS as readonly string[]).includes(s));
        if (unknown.length > 0) {
          throw new UsageError(`--steps: expected some of ${STEPS.join(', ')}, found '${unknown.join(', ')}'`);
        }
        steps = STEPS.filter((s) => names.includes(s));
        break;
      }
      case '--touch':
        touch = value();
        break;
      case '--clean':
        clean = true;
        break;
      case '--dry-run':
        dryRun = true;
        break;
      default:
        throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  const relative = steps.includes('affected') ? checkTouchFile(touch) : path.relative(ROOT, path.resolve(ROOT, touch));
  return { steps, touch: relative, clean, dryRun };
}

/** What the cold step removes: tsc's incremental state always, the build outputs with --clean. */
function coldRemovals(clean: boolean): string[] {
  return PROJECT_DIRS.flatMap((dir) => {
    const abs = path.join(ROOT, dir);
    const tsbuildinfo = fs
      .readdirSync(abs)
      .filter((f) => f.endsWith('.tsbuildinfo'))
      .map((f) => path.join(dir, f));
    const outputs = clean
      ? ['lib', '.jsii'].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(path.join(ROOT, f)))
      : [];
    return [...tsbuildinfo, ...outputs];
  });
}

/** Runs nx, timing it; returns the build tasks it ran and those it restored from the cache. */
function runNx(step: Step, args: string[]): Result {
  const command = `npx nx ${args.join(' ')}`;
  process.stdout.write(`\n[${step}] ${command}\n`);
  const load = loadAverage();
  const start = process.hrtime.bigint();
  const child = spawnSync('npx', ['nx', ...args], {
    cwd: ROOT,
    encoding: 'utf-8',
    maxBuffer: 256 * 1024 * 1024,
    // No daemon (nx.json useDaemonProcess: false) and no TUI: plain lines to parse.
    env: { ...process.env, NX_TUI: 'false', NX_DAEMON: 'false', NO_COLOR: '1' },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // eslint-disable-next-line no-control-regex
  const output = `${child.stdout ?? ''}${child.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '');
  if (child.error) throw child.error;
  if (child.status !== 0) {
    const how = child.status === null ? `killed by ${child.signal}` : `exit ${child.status}`;
    throw new BuildFailure(`${command} failed (${how}). Last lines of its output:\n${lastLines(output)}`);
  }
  // The static output style prints one line per task, "> nx run <project>:build" before its output
  // or "✔  nx run <project>:build" alone, with "[local cache]" (or similar) when restored from the cache.
  const ran = new Set<string>();
  const fromCache = new Set<string>();
  for (const match of output.matchAll(/^\s*(?:\S{1,3}\s+)?nx run (\S+?):build\b(.*)$/gm)) {
    (/cache/i.test(match[2]) ? fromCache : ran).add(match[1]);
  }
  process.stdout.write(
    `  ${seconds.toFixed(1)} s; built: ${[...ran].join(', ') || 'none'}; from cache: ${[...fromCache].join(', ') || 'none'}\n`,
  );
  return { step, command, seconds, ran: [...ran], fromCache: [...fromCache], load };
}

const NX_OUTPUT = ['--outputStyle=static'];

function runBenchmark(options: Options): number {
  const { steps, touch, clean, dryRun } = options;
  const touchFile = path.join(ROOT, touch);
  const marker = `\n// bench:build affected-build marker ${Date.now()}\n`;
  const commands: Record<Step, string[]> = {
    cold: ['run-many', '-t', 'build', '--skip-nx-cache', ...NX_OUTPUT],
    cached: ['run-many', '-t', 'build', ...NX_OUTPUT],
    affected: ['affected', '-t', 'build', `--files=${touch}`, ...NX_OUTPUT],
  };

  if (dryRun) {
    for (const step of steps) {
      process.stdout.write(`[${step}]\n`);
      if (step === 'cold') {
        for (const f of coldRemovals(clean)) process.stdout.write(`  rm -rf ${f}\n`);
      }
      if (step === 'affected') process.stdout.write(`  append a comment line to ${touch}\n`);
      process.stdout.write(`  npx nx ${commands[step].join(' ')}\n`);
      if (step === 'affected') {
        process.stdout.write(`  remove the comment line; npx nx ${commands[step].join(' ')} (cache hits, not timed)\n`);
      }
    }
    return 0;
  }

  const results: Result[] = [];
  let touched = false;
  // Restore the touched file even when the run is interrupted.
  const restore = () => {
    if (!touched) return;
    const now = fs.readFileSync(touchFile, 'utf-8');
    // Remove only our marker: if someone else changed the file meanwhile, keep their change.
    if (now.endsWith(marker)) fs.writeFileSync(touchFile, now.slice(0, -marker.length));
    else process.stderr.write(`bench:build: ${touch} changed during the run; remove the marker line by hand\n`);
    touched = false;
  };
  const onSignal = () => {
    restore();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const step of steps) {
      if (step === 'cold') {
        for (const f of coldRemovals(clean)) fs.rmSync(path.join(ROOT, f), { recursive: true, force: true });
      }
      if (step === 'affected') {
        fs.appendFileSync(touchFile, marker);
        touched = true;
      }
      try {
        results.push(runNx(step, commands[step]));
      } finally {
        if (step === 'affected') restore();
      }
      if (step === 'affected') {
        // Put back the outputs of the unchanged source (nx's cache has them): lib/ would keep the marker otherwise.
        process.stdout.write(`\n[restore outputs, not timed]`);
        runNx(step, commands.affected);
      }
    }
  } catch (error) {
    if (!(error instanceof BuildFailure)) throw error;
    process.stderr.write(`\nbench:build: ${error.message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const out = [
    '',
    `| build | wall time (s) | projects built | from cache | load average (1/5/15 min) |`,
    '| --- | ---: | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.step}${r.step === 'cold' && clean ? ' (--clean)' : ''}${r.step === 'affected' ? ` (${touch})` : ''} | ` +
        `${r.seconds.toFixed(1)} | ${r.ran.join(', ') || 'none'} | ${r.fromCache.join(', ') || 'none'} | ${r.load} |`,
    ),
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = runCli('bench:build', USAGE, process.argv.slice(2), parseArgs, runBenchmark);
}
