import * as fs from 'fs';
import * as path from 'path';
import { MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import {
  App,
  CloudFormationValidatePlugin,
  IPolicyValidationContext,
  ISynthesisSession,
  PolicyValidationPluginReport,
  Stack,
  Stage,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { IConstruct } from 'constructs';
import { takeValidationWorker } from './validation-worker';

/** How long validate() waits for the worker before it fails the synth. */
const DEFAULT_TIMEOUT_SECONDS = 900;

/** How often validate(), while it waits, checks that the worker's thread still runs. */
const LIVENESS_CHECK_MS = 1000;

export interface ParallelTemplateValidationOptions {
  /**
   * How long to wait for the worker's results before failing.
   *
   * @default 900 seconds
   */
  readonly timeoutSeconds?: number;
  /**
   * Run the engine compact (baseline WebAssembly code only): less memory, slower on large templates.
   * See ValidationWorkerOptions.compact.
   *
   * @default false
   */
  readonly compact?: boolean;
}

/** What a ParallelTemplateValidation did. */
export interface TemplateValidationStats {
  /** Templates the worker validated (a template validated again after its content changed counts twice). */
  readonly validated: number;
  /** Results validate() took from a prefetch instead of validating then. */
  readonly reused: number;
  /** How long validate() (and settle(), if called) waited for the worker, in milliseconds. */
  readonly waitedMs: number;
  /** How long the worker spent validating, in milliseconds. */
  readonly busyMs: number;
  /** Whether the worker runs its engine compact (ParallelTemplateValidationOptions.compact). */
  readonly compact: boolean;
}

/** One template as aws-cdk-lib's plugin would validate it: its path, content and engine options. */
interface ValidationCall {
  readonly templatePath: string;
  readonly content: string;
  readonly options: unknown;
}

/** What the stand-in engine of aws-cdk-lib's plugin receives: TemplateContent of @aws/cloudformation-validate. */
interface TemplateContentLike {
  readonly name: string;
  readonly content: string;
}

interface StandInEngine {
  validateTemplate(template: TemplateContentLike, options: unknown): { diagnostics: unknown[] };
  free(): void;
}

type WorkerMessage =
  | { kind: 'ready'; version: string }
  | { kind: 'result'; id: number; diagnostics: unknown[]; ms: number }
  | { kind: 'error'; id?: number; message: string };

/**
 * aws-cdk-lib's CloudFormation template validation, run in a worker thread.
 *
 * The built-in validation (on with `@aws-cdk/core:validateAgainstDefaultRules`)
 * starts its engine and validates every template on the main thread, after the
 * compliance packs: about 2.5 s to start, then 0.1 to 0.3 s per template and
 * seconds for a large pipeline template (docs/performance.md). This plugin
 * takes its place (an App may hold one CloudFormationValidatePlugin, which then
 * replaces the default instance) and does the same work off the main thread:
 * the engine starts when the plugin is created, so while the app is composed
 * (the main job starts the worker earlier still, before it loads its modules:
 * validation-worker.ts);
 * and {@link prefetch} hands templates to the worker as soon as they are
 * written, so they are validated while the compliance packs run. One worker:
 * two were slower on 2 cores and cost a second engine's memory
 * (docs/performance.md).
 *
 * The results are aws-cdk-lib's own: for each template, the options are those
 * its plugin passes (found by running its validate() with a stand-in engine
 * that records them), the engine is the copy of @aws/cloudformation-validate
 * aws-cdk-lib depends on with its built-in rules, and the report is built by
 * aws-cdk-lib's validate() again, with a stand-in engine that answers with the
 * worker's diagnostics. Failing closed: a worker error fails the synth.
 */
export class ParallelTemplateValidation extends CloudFormationValidatePlugin {
  /**
   * Registers the plugin on the app, unless CloudFormation validation is off
   * (`CDK_VALIDATION=false`). Returns the plugin, or undefined when off.
   */
  public static register(
    app: App,
    options: ParallelTemplateValidationOptions = {},
  ): ParallelTemplateValidation | undefined {
    if (process.env.CDK_VALIDATION === 'false') return undefined;
    const plugin = new ParallelTemplateValidation(options);
    Validations.of(app).addPlugins(plugin);
    return plugin;
  }

  private readonly worker: Worker;
  private readonly port: MessagePort;
  private stopped = false;
  private readonly signal: Int32Array;
  private readonly compact: boolean;
  private readonly timeoutMs: number;
  /** Jobs sent, by template path: the call they validate and, once answered, the diagnostics. */
  private readonly jobs = new Map<
    string,
    { id: number; call: ValidationCall; diagnostics?: unknown[]; error?: string }
  >();
  private readonly jobsById = new Map<number, string>();
  private nextId = 0;
  private reused = 0;
  private waitedMs = 0;
  private busyMs = 0;
  private readonly tasks: Array<() => void> = [];
  private engineVersion?: string;
  /** Why settle() could not get every result, for validate() to throw. */
  private settleError?: Error;
  private settled = false;
  private startError?: string;

  constructor(options: ParallelTemplateValidationOptions = {}) {
    super();
    this.timeoutMs = (options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    // The worker the main job started before loading its modules, if any: its engine may be ready already.
    ({
      worker: this.worker,
      port: this.port,
      signal: this.signal,
      compact: this.compact,
    } = takeValidationWorker({
      compact: options.compact,
    }));
  }

  /** The engine's version, as the worker reports it (the main thread never loads the engine). */
  public override get version(): string | undefined {
    return this.engineVersion;
  }

  public override get ruleIds(): string[] | undefined {
    return this.engineVersion === undefined ? undefined : [this.engineVersion];
  }

  /**
   * Starts validating the templates of `context` in the worker and returns
   * at once. validate() later uses the results of every template whose content
   * and options are still the same, and validates the others.
   */
  public prefetch(context: IPolicyValidationContext): void {
    this.dispatch(recordCalls(context));
  }

  /**
   * Starts validating the templates of a stage's cloud assembly, as soon as
   * the stage is synthesized (GitOpsPipeline.addEnvironment synthesizes each
   * stage when it is added, long before the app's validation plugins run).
   */
  public prefetchAssembly(assembly: cxapi.CloudAssembly, stage: Stage): void {
    const stackTemplates = assembly.stacksRecursively.map((stack) => ({
      stackConstructPath: stack.hierarchicalId,
      templatePath: stack.templateFullPath,
      accountId: stack.environment.account === cxapi.UNKNOWN_ACCOUNT ? undefined : stack.environment.account,
      region: stack.environment.region === cxapi.UNKNOWN_REGION ? undefined : stack.environment.region,
    }));
    this.prefetchStacks(stackTemplates, stage);
  }

  /**
   * Starts validating a stack's template as soon as the app's synthesis
   * writes it, instead of when the validation plugins run, after every other
   * template of the app is written. For the pipeline stack, whose template
   * takes the worker the longest (docs/performance.md), that starts its
   * validation seconds earlier. Call it before `app.synth()`.
   */
  public prefetchWhenWritten(stack: Stack): void {
    const synthesizer = stack.synthesizer;
    const synthesize = synthesizer.synthesize.bind(synthesizer);
    synthesizer.synthesize = (session: ISynthesisSession): void => {
      synthesize(session);
      if (this.stopped) return;
      // The path, account and region as aws-cdk-lib gives them to validation plugins (from the stack's
      // artifact): the result is reused only if the template and the engine options derived from them match.
      const templatePath = path.join(session.outdir, stack.templateFile);
      const known = (value: string) => (Token.isUnresolved(value) ? undefined : value);
      this.prefetchStacks(
        [
          {
            stackConstructPath: stack.node.path,
            templatePath,
            accountId: known(stack.account),
            region: known(stack.region),
          },
        ],
        Stage.of(stack) ?? stack.node.root,
      );
    };
  }

  /** {@link prefetch} for these stacks' templates, in the context CDK would give a plugin on `appConstruct`. */
  private prefetchStacks(stackTemplates: IPolicyValidationContext['stackTemplates'], appConstruct: IConstruct): void {
    this.prefetch({ templatePaths: stackTemplates.map((s) => s.templatePath), stackTemplates, appConstruct });
  }

  /**
   * How many templates the worker validated, how many results validate() took
   * from a prefetch, and how long validate() waited for the worker.
   */
  public get stats(): TemplateValidationStats {
    return {
      validated: this.nextId,
      reused: this.reused,
      waitedMs: this.waitedMs,
      busyMs: Math.round(this.busyMs),
      compact: this.compact,
    };
  }

  /**
   * Runs `task` on the main thread at the start of validate() if the worker
   * is not done by then, instead of only waiting for them: work the app must
   * do after synthesis anyway (the main job collects its compliance report
   * there). A task that did not run is the caller's to do later. An error in
   * it fails the validation.
   */
  public whileWaiting(task: () => void): void {
    this.tasks.push(task);
  }

  /** Whether every template of `context`, as it is now, has its result from the worker. */
  public isSettled(context: IPolicyValidationContext): boolean {
    const calls = recordCalls(context);
    return this.pending(calls).length === 0 && calls.every((call) => this.isSent(call));
  }

  public override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    try {
      if (this.settleError) throw this.settleError;
      const calls = recordCalls(context);
      this.reused = calls.length - this.dispatch(calls);
      const tasks = this.tasks.splice(0);
      // Only when there is waiting to fill: a task run beside a live engine adds to the peak memory.
      if (this.pending(calls).length > 0) for (const task of tasks) task();
      const start = Date.now();
      this.waitFor(calls);
      this.waitedMs += Date.now() - start;
      const byPath = new Map(calls.map((call) => [call.templatePath, this.jobs.get(call.templatePath)!]));
      return answerWith(context, (template, options) => {
        const job = byPath.get(template.name);
        if (!job || job.call.content !== template.content || !sameOptions(job.call.options, options)) {
          throw new Error(`ParallelTemplateValidation: ${template.name} changed while it was validated`);
        }
        return { diagnostics: job.diagnostics! };
      });
    } finally {
      this.stop();
    }
  }

  /**
   * Waits for the results of every template sent so far, then ends the worker: its engine's memory is freed
   * before validate() is called, and validate() answers from these results (a template that was not sent, or
   * changed since, then fails the synth). The main job calls it for a compact validation when the validation
   * plugins start, all templates written: the compliance packs then run without the engine beside them (the
   * peak memory of a small config), at the cost of not overlapping with it. It does not throw: a worker error,
   * a timeout or a worker that ended is thrown by validate(), as the CloudFormation validation's failure.
   */
  public settle(): void {
    const calls = [...this.jobs.values()].map((job) => job.call);
    const start = Date.now();
    try {
      this.waitFor(calls);
    } catch (error) {
      // Called from a compliance pack: validate() reports it, as the CloudFormation validation's failure.
      this.settleError = error as Error;
    } finally {
      this.waitedMs += Date.now() - start;
    }
    this.settled = true;
    this.stop();
  }

  /** Ends the worker (the engine's memory goes with it). validate() calls it when done. */
  public stop(): void {
    if (this.stopped) return;
    // Results the worker has sent count: validate() may still answer from them.
    this.drain();
    this.stopped = true;
    this.port.close();
    void this.worker.terminate();
  }

  /** Sends the calls not sent before with the same content and options; returns how many it sent. */
  private dispatch(calls: ValidationCall[]): number {
    const unsent = calls.filter((call) => !this.isSent(call));
    if (this.stopped && unsent.length > 0) {
      throw new Error(
        `ParallelTemplateValidation: the worker was stopped${this.settled ? ' (settle() had ended it)' : ''}, ` +
          `and ${unsent.length} template(s) were not sent to it or changed since (first: ${unsent[0].templatePath})`,
      );
    }
    // The worker takes the largest waiting template first.
    const jobs = unsent.map((call) => {
      const id = this.nextId++;
      const previous = this.jobs.get(call.templatePath);
      if (previous) this.jobsById.delete(previous.id);
      this.jobs.set(call.templatePath, { id, call });
      this.jobsById.set(id, call.templatePath);
      return { ...call, id };
    });
    if (jobs.length > 0) this.port.postMessage({ kind: 'validate', jobs });
    return jobs.length;
  }

  /** Whether this call (same template, content and options) was sent to a worker. */
  private isSent(call: ValidationCall): boolean {
    const job = this.jobs.get(call.templatePath);
    return job !== undefined && job.call.content === call.content && sameOptions(job.call.options, call.options);
  }

  /** Takes in the worker's messages so far; returns the calls still without diagnostics. Throws on a worker error. */
  private pending(calls: ValidationCall[]): ValidationCall[] {
    this.drain();
    if (this.startError) throw new Error(this.startError);
    const waiting = calls.filter((call) => this.jobs.get(call.templatePath)?.diagnostics === undefined);
    const failed = waiting.map((call) => this.jobs.get(call.templatePath)!).find((job) => job.error);
    if (failed) throw new Error(`CloudFormation validation failed: ${failed.error}`);
    return waiting;
  }

  /** Takes in the worker's messages so far (none once stopped: the port is closed). */
  private drain(): void {
    if (this.stopped) return;
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      this.receive(m.message as WorkerMessage);
    }
  }

  /** Blocks until every call has its diagnostics: a validation plugin must answer synchronously. */
  private waitFor(calls: ValidationCall[]): void {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const waiting = this.pending(calls);
      if (waiting.length === 0) return;
      if (this.stopped) {
        throw new Error(
          `ParallelTemplateValidation: the worker was stopped before it answered for ${waiting.length} template(s) ` +
            `(first: ${waiting[0].templatePath})`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `CloudFormation validation: no result for ${waiting.length} template(s) after ${this.timeoutMs / 1000} s ` +
            `(first: ${waiting[0].templatePath})`,
        );
      }
      if (Atomics.wait(this.signal, 0, seen, Math.min(left, LIVENESS_CHECK_MS)) === 'timed-out' && this.workerEnded()) {
        // Messages the worker sent before it ended count (an error it reported says more than this).
        this.pending(calls);
        throw new Error(
          `CloudFormation validation: the validation worker thread ended without answering (it ran out of memory ` +
            `or was killed), with ${waiting.length} template(s) not validated (first: ${waiting[0].templatePath})`,
        );
      }
    }
  }

  /**
   * Whether the worker's thread has ended: the 'exit' event cannot reach a main thread blocked in Atomics.wait,
   * so this looks for the thread id the worker published (Linux) in /proc. False when that is unknown.
   */
  private workerEnded(): boolean {
    const tid = this.signal.length > 1 ? Atomics.load(this.signal, 1) : 0;
    return tid > 0 && fs.existsSync('/proc/self/task') && !fs.existsSync(`/proc/self/task/${tid}`);
  }

  private receive(message: WorkerMessage): void {
    if (message.kind === 'ready') {
      this.engineVersion = message.version;
      return;
    }
    if (message.id === undefined) {
      this.startError = message.kind === 'error' ? message.message : 'unexpected message from the validation worker';
      return;
    }
    const templatePath = this.jobsById.get(message.id);
    const job = templatePath === undefined ? undefined : this.jobs.get(templatePath);
    if (!job || job.id !== message.id) return; // an answer for content that has changed since
    if (message.kind === 'result') {
      job.diagnostics = message.diagnostics;
      this.busyMs += message.ms;
    } else {
      job.error = message.message;
    }
  }
}

/**
 * Runs aws-cdk-lib's own CloudFormationValidatePlugin.validate with a stand-in
 * engine: it reads the templates and computes the options and the report
 * exactly as the built-in validation does, while `engine` answers.
 */
function answerWith(
  context: IPolicyValidationContext,
  validateTemplate: StandInEngine['validateTemplate'],
): PolicyValidationPluginReport {
  const plugin = new CloudFormationValidatePlugin();
  const internals = plugin as unknown as {
    engine?: StandInEngine;
    engineResourceTypes?: { has(type: string): boolean };
  };
  internals.engine = { validateTemplate, free: () => undefined };
  // The stand-in covers every resource type, so the plugin never builds an engine of its own.
  internals.engineResourceTypes = { has: () => true };
  return plugin.validate(context);
}

/** The calls aws-cdk-lib's plugin would make to its engine for `context`: one per template. */
function recordCalls(context: IPolicyValidationContext): ValidationCall[] {
  const calls: ValidationCall[] = [];
  answerWith(context, (template, options) => {
    calls.push({ templatePath: template.name, content: template.content, options });
    return { diagnostics: [] };
  });
  if (calls.length !== context.stackTemplates.length) {
    // aws-cdk-lib changed how its plugin calls the engine: validating in the worker would not be the same.
    throw new Error(
      `ParallelTemplateValidation: expected ${context.stackTemplates.length} engine calls from aws-cdk-lib's plugin, saw ${calls.length}`,
    );
  }
  return calls;
}

function sameOptions(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
