import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** One child process, measured from outside. */
export interface Measurement {
  /** Wall time from spawn to exit, node start-up and module loading included. */
  readonly seconds: number;
  /** User + system CPU time of the child: less disturbed than wall time when other processes share the cores. */
  readonly cpuSeconds: number;
  /** Peak resident set size of the child, MB (1 MB = 1024 KB, as /usr/bin/time and ps count). */
  readonly peakRssMb: number;
  /** How peak RSS was obtained. */
  readonly rssSource: string;
  readonly status: number | null;
  readonly output: string;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs `node ...args` and measures wall time, CPU time and peak RSS. CPU time
 * and peak RSS come from GNU time (%U + %S, %M: the kernel's rusage of the
 * child) when /usr/bin/time exists, else from `process.resourceUsage()`
 * written by the child on exit through a `--require` hook.
 */
export function measureNode(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Measurement {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-bench-measure-'));
  try {
    const rssFile = path.join(scratch, 'rss');
    const useGnuTime = fs.existsSync(GNU_TIME);
    let command: string;
    let argv: string[];
    if (useGnuTime) {
      command = GNU_TIME;
      argv = ['-f', '%U %S %M', '-o', rssFile, process.execPath, ...args];
    } else {
      const hook = path.join(scratch, 'maxrss.js');
      fs.writeFileSync(
        hook,
        [
          "process.on('exit', () => {",
          '  const u = process.resourceUsage();',
          `  require('fs').writeFileSync(${JSON.stringify(rssFile)}, [u.userCPUTime / 1e6, u.systemCPUTime / 1e6, u.maxRSS].join(' '));`,
          '});',
          '',
        ].join('\n'),
      );
      command = process.execPath;
      argv = ['--require', hook, ...args];
    }
    const start = process.hrtime.bigint();
    const child = spawnSync(command, argv, {
      cwd: options.cwd,
      env: options.env,
      encoding: 'utf-8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (child.error) throw child.error;
    // GNU time writes "Command exited with non-zero status N" before its format on failure: ours is the last line.
    const usage = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf-8').trim().split('\n').pop()! : '';
    const [user, system, rssKb] = usage.split(' ').map(Number);
    return {
      seconds,
      cpuSeconds: user + system,
      peakRssMb: rssKb / 1024,
      rssSource: useGnuTime ? 'GNU time (%M, %U + %S)' : 'process.resourceUsage() in the child',
      status: child.status,
      output: `${child.stdout ?? ''}${child.stderr ?? ''}`,
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The last `n` lines of a child's output, for failure messages. */
export function lastLines(output: string, n = 30): string {
  return output.trimEnd().split('\n').slice(-n).join('\n');
}

/** The 1, 5 and 15 minute load averages (/proc/loadavg), or "n/a" off Linux. */
export function loadAverage(): string {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf-8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

/** A wrong command-line argument: reported with the usage, exit code 2. */
export class UsageError extends Error {}

/**
 * The benchmarks' shared CLI frame: parses the options (or `--help`), prints
 * usage errors without a stack trace, and runs the benchmark.
 */
export function runCli<T>(
  name: string,
  usage: string,
  argv: readonly string[],
  parse: (argv: readonly string[]) => T | 'help',
  run: (options: T) => number,
): number {
  let options: T | 'help';
  try {
    options = parse(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${name}: ${error.message}\n\n${usage}\n`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return run(options);
}
