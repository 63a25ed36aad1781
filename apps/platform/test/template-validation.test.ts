import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'worker_threads';
import {
  App,
  CfnResource,
  CloudFormationValidatePlugin,
  IPolicyValidationContext,
  PolicyValidationPluginReport,
  Stack,
  Stage,
} from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { tmpOutdir, validationContextOf, withEnv } from './helpers';
import { ParallelTemplateValidation } from '../src/template-validation';
import { prestartValidationWorker, takeValidationWorker } from '../src/validation-worker';

/**
 * A small app whose templates CloudFormation validation flags: an error (a
 * string where a number belongs), a warning (a deprecated property) in two
 * templates of two stacks, and stacks in two accounts and regions.
 * Synthesized without validation, so the tests run the plugins themselves.
 */
function fixture(): { app: App; stage: Stage; assembly: cxapi.CloudAssembly } {
  return withEnv('CDK_VALIDATION', 'false', () => {
    // One-line templates, as the main job writes them (createApp): the worker re-indents them before validating.
    const app = new App({
      outdir: tmpOutdir('template-validation'),
      context: { '@aws-cdk/core:suppressTemplateIndentation': true },
    });
    const root = new Stack(app, 'Root', { env: { account: '111111111111', region: 'eu-west-1' } });
    new CfnResource(root, 'Queue', { type: 'AWS::SQS::Queue', properties: { DelaySeconds: 'soon' } });
    new CfnResource(root, 'Bucket', { type: 'AWS::S3::Bucket', properties: { AccessControl: 'Private' } });
    const stage = new Stage(app, 'Dev', { env: { account: '222222222222', region: 'us-east-1' } });
    const inner = new Stack(stage, 'Data');
    new CfnResource(inner, 'Bucket', { type: 'AWS::S3::Bucket', properties: { AccessControl: 'Private' } });
    return { app, stage, assembly: app.synth() };
  });
}

let app: App;
let stage: Stage;
let context: IPolicyValidationContext;

beforeAll(() => {
  ({ app, stage } = fixture());
  context = validationContextOf(app, app.synth());
});

/** aws-cdk-lib's own plugin's report of `context` (its engine runs on the main thread: seconds), made once. */
let builtIn: PolicyValidationPluginReport | undefined;
function builtInReport(): PolicyValidationPluginReport {
  builtIn ??= new CloudFormationValidatePlugin().validate(context);
  return builtIn;
}

test("the worker's report is aws-cdk-lib's report: the same violations, severities, resources and order", () => {
  const expected = builtInReport();
  // The fixture must give the comparison something to compare: an error and a warning found in two templates,
  // written on one line (what the worker re-indents).
  expect(expected.success).toBe(false);
  for (const { templatePath } of context.stackTemplates) {
    const written = fs.readFileSync(templatePath, 'utf-8');
    expect(JSON.stringify(JSON.parse(written))).toBe(written);
  }
  expect(expected.violations.map((v) => v.severity)).toEqual(expect.arrayContaining(['error', 'warning']));
  expect(
    new Set(expected.violations.flatMap((v) => v.violatingResources.map((r) => r.templatePath))).size,
  ).toBeGreaterThanOrEqual(2);

  const plugin = new ParallelTemplateValidation();
  expect(plugin.validate(context)).toEqual(expected);
  expect(plugin.stats).toMatchObject({ validated: context.stackTemplates.length, reused: 0, compact: false });
  expect(plugin.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(plugin.name).toBe(CloudFormationValidatePlugin.PLUGIN_NAME);
});

test('a worker started ahead (as the main job does before loading its modules) is taken once, by a plugin that runs its engine the same way', async () => {
  const early = prestartValidationWorker({ compact: true })!;
  expect(prestartValidationWorker({ compact: true })).toBe(early); // one waits at a time
  const plugin = new ParallelTemplateValidation({ compact: true });
  // The plugin took the waiting worker: the next one is new.
  const next = takeValidationWorker({ compact: true });
  try {
    expect(next).not.toBe(early);
    // Compact (baseline WebAssembly code only): the same report, and the worker says how it ran.
    expect(plugin.validate(context)).toEqual(builtInReport());
    expect(plugin.stats.compact).toBe(true);
  } finally {
    void next.worker.terminate();
  }

  // A plugin whose engine is to optimize ends a waiting compact worker (its engine's code is compiled already)
  // and starts its own.
  const compact = prestartValidationWorker({ compact: true })!;
  const ended = new Promise((resolve) => compact.worker.once('exit', resolve));
  const optimizing = takeValidationWorker({ compact: false });
  try {
    expect(optimizing).not.toBe(compact);
    expect(optimizing.compact).toBe(false);
    await ended;
    expect(takeValidationWorker({ compact: false })).not.toBe(compact);
  } finally {
    void optimizing.worker.terminate();
  }

  expect(withEnv('CDK_VALIDATION', 'false', prestartValidationWorker)).toBeUndefined();
}, 120_000);

test('a worker compiles the engine as asked, also when the main job replaces its compact worker by an optimizing one', () => {
  // In a process of its own, traced by V8, as the main job does for a large config: a compact worker starts its
  // engine (no optimized code), the main thread loads the engine's module too (aws-cdk-lib's plugin code does,
  // and V8 hands it the worker's compiled module), then an optimizing worker replaces the compact one. V8 would
  // hand that one the compact module the main thread holds, unless it compiles its own.
  const script = path.join(tmpOutdir('wasm-tiers'), 'tiers.js');
  const lib = path.join(__dirname, '..', 'lib', 'validation-worker.js');
  fs.writeFileSync(
    script,
    `const path = require('path');
const { prestartValidationWorker, takeValidationWorker } = require(${JSON.stringify(lib)});
const ready = (w) => new Promise((resolve, reject) => {
  w.port.ref();
  w.port.on('message', (m) => (m.kind === 'ready' ? resolve() : m.kind === 'error' ? reject(new Error(m.message)) : undefined));
});
(async () => {
  await ready(prestartValidationWorker({ compact: true }));
  const cdkDir = path.dirname(require.resolve('aws-cdk-lib', { paths: [${JSON.stringify(path.join(__dirname, '..'))}] }));
  require(require.resolve('@aws/cloudformation-validate', { paths: [cdkDir] }));
  console.log('OPTIMIZING');
  const optimizing = takeValidationWorker({ compact: false });
  await ready(optimizing);
  optimizing.port.close();
  await optimizing.worker.terminate();
})();
`,
  );
  const run = spawnSync(process.execPath, ['--trace-wasm-compilation-times', script], { encoding: 'utf-8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const [compactPart, optimizingPart] = run.stdout.split('OPTIMIZING\n');
  expect(optimizingPart).toBeDefined();
  const turbofan = (text: string) => text.split('\n').filter((line) => / using TurboFan\b/.test(line)).length;
  expect(compactPart).toMatch(/ using Liftoff\b/);
  expect(turbofan(compactPart)).toBe(0);
  expect(turbofan(optimizingPart)).toBeGreaterThan(0);
}, 120_000);

test('settle() waits for every template sent and ends the worker; validate() answers from the results, and fails on a template changed since', () => {
  const plugin = new ParallelTemplateValidation({ compact: true });
  plugin.prefetch(context);
  plugin.settle();
  expect(plugin.validate(context)).toEqual(builtInReport());
  expect(plugin.stats).toMatchObject({
    validated: context.stackTemplates.length,
    reused: context.stackTemplates.length,
  });

  const rootTemplate = context.stackTemplates.find((s) => s.stackConstructPath === 'Root')!.templatePath;
  const original = fs.readFileSync(rootTemplate, 'utf-8');
  const changed = JSON.parse(original);
  changed.Resources.Queue2 = { Type: 'AWS::SQS::Queue' };
  fs.writeFileSync(rootTemplate, JSON.stringify(changed));
  try {
    // Not validated is not passed: the synth fails.
    expect(() => plugin.validate(context)).toThrow(
      /the worker was stopped \(settle\(\) had ended it\), and 1 template\(s\) were not sent to it or changed since \(first: .*Root/,
    );
  } finally {
    fs.writeFileSync(rootTemplate, original);
  }
});

test('templates prefetched before validate() are validated once; a template changed since is validated again', () => {
  const plugin = new ParallelTemplateValidation();
  plugin.prefetchAssembly(stage.synth(), stage);
  plugin.prefetch(context);
  const stageStacks = stage.synth().stacksRecursively.length;
  // The root stack's template changes after the prefetch: a second queue with a bad value.
  const rootTemplate = context.stackTemplates.find((s) => s.stackConstructPath === 'Root')!.templatePath;
  const original = fs.readFileSync(rootTemplate, 'utf-8');
  const changed = JSON.parse(original);
  changed.Resources.Queue2 = { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 'long' } };
  fs.writeFileSync(rootTemplate, JSON.stringify(changed));
  try {
    const report = plugin.validate(context);
    expect(plugin.stats).toMatchObject({
      // Every template once, the changed one twice (the stage's were sent once, not again by prefetch(context)).
      validated: context.stackTemplates.length + 1,
      reused: context.stackTemplates.length - 1,
    });
    expect(stageStacks).toBe(1);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => r.resourceLogicalId))).toContain('Queue2');
  } finally {
    fs.writeFileSync(rootTemplate, original);
  }
});

test('work handed to whileWaiting runs only when validate() would otherwise wait', async () => {
  // A fresh plugin: its engine takes seconds to start, so validate() has to wait.
  const waiting = new ParallelTemplateValidation();
  let ran = 0;
  waiting.whileWaiting(() => ran++);
  waiting.validate(context);
  expect(ran).toBe(1);

  // Everything validated before validate(): nothing to wait for, the task is left to the caller.
  const settled = new ParallelTemplateValidation();
  settled.prefetch(context);
  const deadline = Date.now() + 120_000;
  while (!settled.isSettled(context) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(settled.isSettled(context)).toBe(true);
  let late = 0;
  settled.whileWaiting(() => late++);
  settled.validate(context);
  expect(late).toBe(0);
  expect(settled.stats.waitedMs).toBeLessThan(50);
  // Async (it polls), so jest's 5 s default applies: two engine starts take longer on a loaded machine.
}, 180_000);

test('registered on an app, it replaces the built-in validation; CDK_VALIDATION=false registers nothing', () => {
  const outdir = tmpOutdir('template-validation-app');
  const withPlugin = new App({ outdir });
  const stack = new Stack(withPlugin, 'Only');
  new CfnResource(stack, 'Bucket', { type: 'AWS::S3::Bucket', properties: { AccessControl: 'Private' } });
  const plugin = ParallelTemplateValidation.register(withPlugin)!;
  // CDK prints the warning; the report file is what is checked.
  const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    withPlugin.synth();
  } finally {
    printed.mockRestore();
  }
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf-8'));
  const cfnReports = report.pluginReports.filter(
    (r: { pluginName: string }) => r.pluginName === 'CloudFormation Validate',
  );
  // One report: the built-in instance did not run beside it.
  expect(cfnReports).toHaveLength(1);
  expect(cfnReports[0].pluginVersion).toBe(plugin.version);
  expect(cfnReports[0].violations.map((v: { ruleName: string }) => v.ruleName)).toContain('W3045');
  expect(plugin.stats.validated).toBe(1);

  expect(withEnv('CDK_VALIDATION', 'false', () => ParallelTemplateValidation.register(new App()))).toBeUndefined();
});

test('a stack prefetched when written is sent during synthesis, before the plugins run, and validated once', () => {
  const outdir = tmpOutdir('template-validation-written');
  const written = new App({ outdir });
  // One stack with an account and region, one environment-agnostic: both are described as aws-cdk-lib does.
  const early = new Stack(written, 'Early', { env: { account: '111111111111', region: 'eu-west-1' } });
  new CfnResource(early, 'Queue', { type: 'AWS::SQS::Queue' });
  const agnostic = new Stack(written, 'Agnostic');
  new CfnResource(agnostic, 'Topic', { type: 'AWS::SNS::Topic' });
  const plugin = ParallelTemplateValidation.register(written)!;
  plugin.prefetchWhenWritten(early);
  plugin.prefetchWhenWritten(agnostic);

  const sent: Array<{ templatePath: string; beforeValidate: boolean; exists: boolean }> = [];
  let validating = false;
  const prefetch = plugin.prefetch.bind(plugin);
  jest.spyOn(plugin, 'prefetch').mockImplementation((ctx) => {
    for (const t of ctx.stackTemplates) {
      sent.push({ templatePath: t.templatePath, beforeValidate: !validating, exists: fs.existsSync(t.templatePath) });
    }
    prefetch(ctx);
  });
  const validate = plugin.validate.bind(plugin);
  jest.spyOn(plugin, 'validate').mockImplementation((ctx) => {
    validating = true;
    return validate(ctx);
  });
  const assembly = written.synth();

  const paths = ['Early', 'Agnostic'].map((id) => assembly.getStackArtifact(id).templateFullPath);
  expect(sent).toEqual(paths.map((templatePath) => ({ templatePath, beforeValidate: true, exists: true })));
  // Both results were taken from the prefetch: the same content and the same engine options as validate() computes.
  expect(plugin.stats).toMatchObject({ validated: 2, reused: 2 });
});

test('it fails closed: no answer in time is an error naming the template', () => {
  const plugin = new ParallelTemplateValidation({ timeoutSeconds: 0.01 });
  // The engine takes seconds to start: 10 ms is never enough.
  expect(() => plugin.validate(context)).toThrow(
    new RegExp(
      `no result for ${context.stackTemplates.length} template\\(s\\) after 0.01 s \\(first: .*\\.template\\.json\\)`,
    ),
  );
  // The same when the main job settles first (from a compliance pack): validate() reports it, not settle().
  const settling = new ParallelTemplateValidation({ timeoutSeconds: 0.01, compact: true });
  settling.prefetch(context);
  expect(() => settling.settle()).not.toThrow();
  expect(() => settling.validate(context)).toThrow(/no result for \d+ template\(s\) after 0.01 s/);

  // Stopped before it answered: validate() says so at once (it neither waits for the timeout nor blames memory).
  const stopped = new ParallelTemplateValidation();
  stopped.prefetch(context);
  stopped.stop();
  const before = Date.now();
  expect(() => stopped.validate(context)).toThrow(/the worker was stopped before it answered for \d+ template\(s\)/);
  expect(Date.now() - before).toBeLessThan(500);

  // Stopped: the templates it was sent need nothing more, any other cannot be validated any more.
  expect(() => plugin.prefetch(context)).not.toThrow();
  const elsewhere = context.stackTemplates.map((s) => ({ ...s, accountId: '999999999999' }));
  expect(() => plugin.prefetch({ ...context, stackTemplates: elsewhere })).toThrow(/worker was stopped/);
});

/** Starts the worker script itself and returns its next message (the plugin would wait for it the same way). */
function workerProtocol(modulePath: string): {
  signal: Int32Array;
  next(): unknown;
  post(message: unknown): void;
  end(): void;
} {
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const cdkDir = path.dirname(require.resolve('aws-cdk-lib'));
  const worker = new Worker(path.join(__dirname, '..', 'src', 'cfn-validation-worker.js'), {
    workerData: {
      port: port2,
      signal,
      modulePath,
      rulesDirectory: path.join(cdkDir, 'core', 'lib', 'validation', 'rules'),
    },
    transferList: [port2],
  });
  return {
    signal,
    next: () => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const seen = Atomics.load(signal, 0);
        const m = receiveMessageOnPort(port1);
        if (m) return m.message;
        if (Date.now() > deadline) throw new Error('no message from the worker');
        Atomics.wait(signal, 0, seen, 1000);
      }
    },
    post: (message) => port1.postMessage(message),
    end: () => {
      port1.close();
      void worker.terminate();
    },
  };
}

test('the worker reports an engine that cannot start and a template the engine refuses, instead of going silent', () => {
  // An engine that cannot load: an error message at once, not the 900 s timeout.
  const broken = workerProtocol('/nonexistent/cloudformation-validate.js');
  try {
    expect(broken.next()).toEqual({
      kind: 'error',
      message: expect.stringMatching(/^could not start the CloudFormation validation engine: Cannot find module/),
    });
  } finally {
    broken.end();
  }

  // A call the engine throws on: an error for that job, naming the template.
  const modulePath = require.resolve('@aws/cloudformation-validate', {
    paths: [path.dirname(require.resolve('aws-cdk-lib'))],
  });
  const worker = workerProtocol(modulePath);
  try {
    expect(worker.next()).toMatchObject({ kind: 'ready' });
    // The worker's Linux thread id, for the main thread's liveness check: a thread of this process, not its main one.
    if (process.platform === 'linux') {
      const tid = Atomics.load(worker.signal, 1);
      expect(tid).toBeGreaterThan(0);
      expect(tid).not.toBe(process.pid);
      expect(fs.existsSync(`/proc/self/task/${tid}`)).toBe(true);
    }
    worker.post({
      kind: 'validate',
      jobs: [
        { id: 7, templatePath: 'Broken.template.json', content: '{"Resources":{}}', options: { detailLevel: 'NOPE' } },
      ],
    });
    expect(worker.next()).toEqual({
      kind: 'error',
      id: 7,
      message: expect.stringMatching(/^Broken\.template\.json: .*NOPE/),
    });

    // A template JSON.stringify would not give back unchanged goes to the engine as written: re-indented (as
    // the worker does with CDK's one-line templates), its duplicate key would be gone unseen.
    const duplicate =
      '{"Resources":{"Q":{"Type":"AWS::SQS::Queue"},"Q":{"Type":"AWS::SQS::Queue","Properties":{"DelaySeconds":"soon"}}}}';
    worker.post({
      kind: 'validate',
      jobs: [
        { id: 8, templatePath: 'Duplicate.template.json', content: duplicate, options: { severityLevel: 'WARN' } },
      ],
    });
    const result = worker.next() as { kind: string; id: number; diagnostics: Array<{ ruleId: string }> };
    expect(result).toMatchObject({ kind: 'result', id: 8 });
    expect(result.diagnostics.map((d) => d.ruleId)).toEqual(expect.arrayContaining(['F0000', 'F3012']));

    // A template the engine cannot parse although JSON.parse can (a lone surrogate): its parse error quotes a
    // position, which must be the one of the text as written (one line), not of the re-indented one.
    const surrogate = JSON.stringify({ Description: 'a\ud800b', Resources: { Q: { Type: 'AWS::SQS::Queue' } } });
    worker.post({
      kind: 'validate',
      jobs: [
        { id: 9, templatePath: 'Surrogate.template.json', content: surrogate, options: { severityLevel: 'WARN' } },
      ],
    });
    const parseError = worker.next() as { diagnostics: Array<{ ruleId: string; message: string }> };
    const f1101 = parseError.diagnostics.filter((d) => d.ruleId === 'F1101');
    expect(f1101).toHaveLength(1);
    expect(f1101[0].message).toMatch(/ at line 1 column \d+/);
  } finally {
    worker.end();
  }
});
