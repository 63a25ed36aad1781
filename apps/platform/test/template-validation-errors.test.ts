import * as fs from 'fs';
import { MessagePort, receiveMessageOnPort } from 'worker_threads';
import { App, CfnResource, IPolicyValidationContext, Stack } from 'aws-cdk-lib';
import { tmpOutdir, validationContextOf, withEnv } from './helpers';
import { ParallelTemplateValidation } from '../src/template-validation';

/**
 * ParallelTemplateValidation fails closed, and at once, when its worker reports an error: here the
 * worker is a stand-in whose messages the test writes, so that the error cases need no broken engine.
 * template-validation.test.ts covers the real worker.
 */

/** The test's end of the stand-in worker's channel, and its message counter. */
let mockWorkerSide: { port: MessagePort; signal: Int32Array } | undefined;

jest.mock('../src/validation-worker', () => ({
  takeValidationWorker: () => {
    const { MessageChannel: Channel } = jest.requireActual('worker_threads');
    const channel = new Channel();
    const signal = new Int32Array(new SharedArrayBuffer(8));
    mockWorkerSide = { port: channel.port2, signal };
    return { worker: { terminate: async () => 0 }, port: channel.port1, signal };
  },
}));

/** Sends a message as the worker does: post it, count it, wake the waiting main thread. */
function fromWorker(message: unknown): void {
  mockWorkerSide!.port.postMessage(message);
  Atomics.add(mockWorkerSide!.signal, 0, 1);
  Atomics.notify(mockWorkerSide!.signal, 0);
}

/** The jobs the plugin sent to the worker so far. */
function jobsSent(): Array<{ id: number; templatePath: string }> {
  const jobs: Array<{ id: number; templatePath: string }> = [];
  for (
    let m = receiveMessageOnPort(mockWorkerSide!.port);
    m !== undefined;
    m = receiveMessageOnPort(mockWorkerSide!.port)
  ) {
    jobs.push(...m.message.jobs);
  }
  return jobs;
}

/** A validation context of one small app with two stacks. */
function context(): IPolicyValidationContext {
  const app = new App({ outdir: tmpOutdir('template-validation-errors') });
  for (const id of ['One', 'Two']) {
    new CfnResource(new Stack(app, id), 'Topic', { type: 'AWS::SNS::Topic' });
  }
  return validationContextOf(
    app,
    withEnv('CDK_VALIDATION', 'false', () => app.synth()),
  );
}

afterEach(() => {
  mockWorkerSide?.port.close();
  mockWorkerSide = undefined;
});

test("a template the worker could not validate fails the synth at once, with the worker's message", () => {
  const ctx = context();
  // A second's timeout: without the check, validate() would wait for a result that never comes.
  const plugin = new ParallelTemplateValidation({ timeoutSeconds: 1 });
  plugin.prefetch(ctx);
  const jobs = jobsSent();
  expect(jobs).toHaveLength(2);
  fromWorker({ kind: 'ready', version: '1.2.3' });
  fromWorker({ kind: 'result', id: jobs[0].id, diagnostics: [], ms: 1 });
  fromWorker({ kind: 'error', id: jobs[1].id, message: 'the engine threw on Two' });

  expect(() => plugin.validate(ctx)).toThrow('CloudFormation validation failed: the engine threw on Two');
});

test('every template answered: the report is built from the answers', () => {
  const ctx = context();
  const plugin = new ParallelTemplateValidation({ timeoutSeconds: 1 });
  plugin.prefetch(ctx);
  for (const job of jobsSent()) fromWorker({ kind: 'result', id: job.id, diagnostics: [], ms: 1 });

  expect(plugin.validate(ctx)).toMatchObject({ success: true, violations: [] });
  expect(plugin.stats).toMatchObject({ validated: 2, reused: 2 });
});

test('an engine that could not start fails the synth with its message', () => {
  const ctx = context();
  const plugin = new ParallelTemplateValidation({ timeoutSeconds: 1 });
  fromWorker({ kind: 'error', message: 'cannot load @aws/cloudformation-validate' });

  expect(() => plugin.validate(ctx)).toThrow('cannot load @aws/cloudformation-validate');
});

// Blocked in Atomics.wait, the main thread cannot get the worker's 'exit' event: a worker that ran out of
// memory left it waiting for the whole timeout (900 s by default). Linux only: the check reads /proc.
const onLinux = process.platform === 'linux' ? test : test.skip;
onLinux('a worker thread that ended without answering fails the synth within seconds, not at the timeout', () => {
  const ctx = context();
  const plugin = new ParallelTemplateValidation({ timeoutSeconds: 60 });
  plugin.prefetch(ctx);
  fromWorker({ kind: 'ready', version: '1.2.3' });
  // A thread id that no thread has (Linux allows at most 2^22): the worker's thread is gone.
  Atomics.store(mockWorkerSide!.signal, 1, 2 ** 30);
  const start = Date.now();
  expect(() => plugin.validate(ctx)).toThrow(
    /^CloudFormation validation: the validation worker thread ended without answering \(it ran out of memory or was killed\), with 2 template\(s\) not validated \(first: .*\.template\.json\)$/,
  );
  expect(Date.now() - start).toBeLessThan(10_000);
});

onLinux('a worker whose thread still runs is waited for, up to the timeout', () => {
  const ctx = context();
  const plugin = new ParallelTemplateValidation({ timeoutSeconds: 2 });
  plugin.prefetch(ctx);
  // This thread's own id: alive.
  Atomics.store(mockWorkerSide!.signal, 1, Number(fs.readlinkSync('/proc/thread-self').split('/').pop()));
  expect(() => plugin.validate(ctx)).toThrow(/^CloudFormation validation: no result for 2 template\(s\) after 2 s/);
});
