// The thread that runs CloudFormation template validation for ParallelTemplateValidation
// (template-validation.ts), started apart from the plugin so that the main job can start it before it
// loads its other modules (docs/performance.md).
//
// This module loads nothing but Node.js built-ins: main.ts imports it first, and the engine's start
// (seconds) then overlaps the main job's loading of aws-cdk-lib, cdk-nag and the construct packages.
import * as path from 'path';
import { MessageChannel, MessagePort, Worker } from 'worker_threads';

/** The worker's source: plain JavaScript beside this file's source, found from src/ and from lib/. */
const WORKER_FILE = path.join(__dirname, '..', 'src', 'cfn-validation-worker.js');

/** A started validation worker and the main thread's ends of its channel. */
export interface ValidationWorker {
  readonly worker: Worker;
  /** Where the worker's messages arrive (read with receiveMessageOnPort) and jobs are posted. */
  readonly port: MessagePort;
  /**
   * [0] counts the worker's messages: the main thread waits on it with Atomics.wait. [1] is the worker's
   * Linux thread id once it runs (0 elsewhere, or before): the main thread, blocked in that wait, cannot
   * receive the worker's 'exit' event, so it looks for the thread in /proc instead (template-validation.ts).
   */
  readonly signal: Int32Array;
  /** Whether its engine runs compact (baseline WebAssembly code only): see {@link startValidationWorker}. */
  readonly compact: boolean;
}

/** How a validation worker runs its engine. */
export interface ValidationWorkerOptions {
  /**
   * Run the engine compact: V8 keeps its baseline compiler's code for the engine's WebAssembly and never
   * recompiles it with the optimizing compiler. About 150 MB less memory and faster on small templates; about
   * twice as slow on a pipeline template of 80 environments (docs/performance.md). V8's WebAssembly flags are
   * the process's: the worker sets them when it starts, for its own engine.
   *
   * @default false
   */
  readonly compact?: boolean;
}

/**
 * Starts a worker with aws-cdk-lib's copy of the CloudFormation validation
 * engine and its built-in rules. Neither the worker nor its port keeps the
 * process alive: a worker nobody uses ends with the process.
 */
export function startValidationWorker(options: ValidationWorkerOptions = {}): ValidationWorker {
  const compact = options.compact ?? false;
  // Resolving a module does not load it: aws-cdk-lib is not loaded here.
  const cdkDir = path.dirname(require.resolve('aws-cdk-lib'));
  const modulePath = require.resolve('@aws/cloudformation-validate', { paths: [cdkDir] });
  const rulesDirectory = path.join(cdkDir, 'core', 'lib', 'validation', 'rules');
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const channel = new MessageChannel();
  const worker = new Worker(WORKER_FILE, {
    workerData: { port: channel.port2, signal, modulePath, rulesDirectory, compact },
    transferList: [channel.port2],
  });
  worker.unref();
  channel.port1.unref();
  return { worker, port: channel.port1, signal, compact };
}

/** The worker started ahead of its plugin, until a plugin takes it. */
let early: ValidationWorker | undefined;

/**
 * Starts a worker now, for the next ParallelTemplateValidation to take,
 * unless CloudFormation validation is off (`CDK_VALIDATION=false`) or one is
 * waiting already. Returns the waiting worker.
 */
export function prestartValidationWorker(options: ValidationWorkerOptions = {}): ValidationWorker | undefined {
  if (process.env.CDK_VALIDATION === 'false') return undefined;
  early ??= startValidationWorker(options);
  return early;
}

/**
 * The worker started ahead if it runs its engine as asked (each is taken once), else a new one: a waiting
 * worker of the other kind is ended (its engine's module is compiled already, with the other compiler flags).
 */
export function takeValidationWorker(options: ValidationWorkerOptions = {}): ValidationWorker {
  const waiting = early;
  early = undefined;
  if (waiting && waiting.compact === (options.compact ?? false)) return waiting;
  if (waiting) {
    waiting.port.close();
    void waiting.worker.terminate();
  }
  return startValidationWorker(options);
}

// The main job (`node lib/main.js`, as `cdk synth` and `npm run synth` run it) imports this module
// before any other: start its worker now, compact, as the main job runs it for most configs (main.ts
// synthesizePlatform; a large config replaces it). Not when main.js is loaded as a library (tests,
// benchmarks), where an unused worker would only cost an engine's start.
if (require.main?.filename === path.join(__dirname, 'main.js')) prestartValidationWorker({ compact: true });
