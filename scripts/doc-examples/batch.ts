/**
 * The child process of `runExamples` (run.ts): runs documentation examples one after another in this one
 * node process, so aws-cdk-lib, the packages and the template validator (a 9 MB WebAssembly module) load
 * once instead of once per example. run.ts compiles this file to JavaScript and feeds it to `node -`, so it
 * must only import node's built-in modules.
 *
 * Each example runs as `cdk synth` runs an app: in its own directory (the working directory), with
 * `CDK_OUTDIR` set, so each App it builds synthesizes when the example is done (autoSynth, on
 * `beforeExit`); what it writes to stdout and stderr is its own; an error it throws, or `process.exit()`,
 * ends that example only. Environment variables, the working directory and `beforeExit` listeners are
 * restored after each example.
 *
 * Usage: node - <input.json> <output.json>, input BatchItem[], output BatchResult[] (written after each
 * example, so a crash of the process keeps the results of the examples before it).
 */
import * as fs from 'fs';
import { Module } from 'module';
import * as path from 'path';
import * as util from 'util';
import * as vm from 'vm';

/** One example to run: its code, already compiled to CommonJS, and the empty directory to run it in. */
export interface BatchItem {
  readonly fileName: string;
  readonly javascript: string;
  readonly workDir: string;
  readonly outdir: string;
}

/** What running one example did. */
export interface BatchResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `process.exit()` called by an example: ends the example, not the batch. */
class ExitCalled extends Error {
  constructor(readonly code: number | undefined) {
    super(`process.exit(${code ?? ''})`);
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A `write` of process.stdout or stderr that keeps the text in `into` (and calls the callback, if any). */
function capture(into: string[]): typeof process.stdout.write {
  return ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf-8'));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return true;
  }) as typeof process.stdout.write;
}

async function runItem(item: BatchItem): Promise<BatchResult> {
  const env = { ...process.env };
  const cwd = process.cwd();
  const out: string[] = [];
  const err: string[] = [];
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const exit = process.exit;
  let failure: unknown;
  let failed = false;
  const fail = (error: unknown) => {
    if (!failed) [failed, failure] = [true, error];
  };

  process.chdir(item.workDir);
  process.env.CDK_OUTDIR = item.outdir;
  delete process.env.CDK_VALIDATION;
  process.exitCode = undefined;
  process.removeAllListeners('beforeExit');
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  process.exit = ((code?: number) => {
    throw new ExitCalled(code);
  }) as typeof process.exit;
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  try {
    const fileName = path.join(item.workDir, item.fileName);
    const mod = new Module(fileName);
    mod.filename = fileName;
    const wrapper = vm.runInThisContext(Module.wrap(item.javascript), { filename: fileName });
    wrapper.call(mod.exports, mod.exports, Module.createRequire(fileName), mod, fileName, item.workDir);
    // Let the example's promise callbacks and immediates run (not its timers), then end it as node ends a
    // program: `beforeExit`, on which each App synthesizes.
    for (let turn = 0; turn < 3 && !failed; turn++) await nextTurn();
    if (!failed) process.emit('beforeExit', 0);
    await nextTurn();
  } catch (error) {
    fail(error);
  } finally {
    process.off('uncaughtException', fail);
    process.off('unhandledRejection', fail);
    process.removeAllListeners('beforeExit');
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.exit = exit;
    process.chdir(cwd);
    for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
    Object.assign(process.env, env);
  }

  let status = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  if (failure instanceof ExitCalled) {
    status = failure.code ?? status;
  } else if (failed) {
    // As node reports an uncaught error: the error, then exit status 1.
    err.push(`${util.inspect(failure)}\n`);
    status = 1;
  }
  return { status, stdout: out.join(''), stderr: err.join('') };
}

async function main(input: string, output: string): Promise<void> {
  const items = JSON.parse(fs.readFileSync(input, 'utf-8')) as BatchItem[];
  const results: BatchResult[] = [];
  for (const item of items) {
    results.push(await runItem(item));
    fs.writeFileSync(output, JSON.stringify(results));
  }
}

// Only as the script of `node -`: importing this file (for its types) runs nothing.
if (process.argv[1] === '-' && process.argv.length === 4) void main(process.argv[2], process.argv[3]);
