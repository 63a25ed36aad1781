import * as fs from 'fs';
import * as path from 'path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { rawSampleConfig, tempDir, writeConfig } from './fixtures';
import { GateFailure, runMain, synthesizeServiceApp } from '../src/main';
import * as serviceApp from '../src/service-app';

// The entry point as `node lib/main.js` runs it: CloudFormation template validation stays on.
delete process.env.CDK_VALIDATION;

function capture(): { out: () => string; err: () => string } {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const text = (spy: jest.SpyInstance) => () => spy.mock.calls.map((c) => String(c[0])).join('');
  return { out: text(out), err: text(err) };
}

afterEach(() => jest.restoreAllMocks());

test('node lib/main.js synthesizes the pipeline and every environment, with no missing context', () => {
  const outdir = tempDir('main');
  const io = capture();
  const code = runMain([], outdir);
  expect(io.err()).toBe('');
  expect(code).toBe(0);

  const assembly = new CloudAssembly(outdir);
  expect(assembly.stacks.map((s) => s.stackName)).toEqual(['orders-api-pipeline']);
  const stageStacks = assembly.nestedAssemblies.map((n) => n.nestedAssembly.stacks.map((s) => s.stackName));
  expect(stageStacks.flat().sort()).toEqual(['orders-api-dev', 'orders-api-prod', 'orders-api-test']);
  for (const asm of [assembly, ...assembly.nestedAssemblies.map((n) => n.nestedAssembly)]) {
    expect(asm.manifest.missing).toBeUndefined();
  }
  // No cdk.context.json: nothing was looked up.
  expect(fs.existsSync(path.join(__dirname, '..', 'cdk.context.json'))).toBe(false);
  expect(io.out()).toMatch(/orders-api-prod\s+aws:\/\/555555555555\/eu-west-1/);
});

test('a config error exits 1, names the field, and synthesizes nothing', () => {
  const raw = rawSampleConfig();
  raw.environments[0].account = '12345';
  const file = writeConfig(raw);
  const outdir = path.join(tempDir('bad'), 'cdk.out');
  const io = capture();
  expect(runMain(['--config', file], outdir)).toBe(1);
  expect(io.err()).toContain(
    `${file}: environments[0].account: expected a 12-digit AWS account id as a string, found '12345'`,
  );
  expect(fs.existsSync(outdir)).toBe(false);
});

test('--help prints the usage', () => {
  const io = capture();
  expect(runMain(['--help'], tempDir('help'))).toBe(0);
  expect(io.out()).toContain('Usage: node lib/main.js [--config FILE]');
});

test.each([
  [['--confg', 'config/prod.json'], "Unknown option '--confg'"],
  [['config/prod.json'], "Unexpected argument 'config/prod.json'"],
  [['--config'], "Option '--config <value>' argument missing"],
  [['--config='], '--config needs a file, found an empty value'],
])('usage error %j exits 2 and synthesizes nothing', (argv, message) => {
  const outdir = path.join(tempDir('usage'), 'cdk.out');
  const io = capture();
  expect(runMain(argv, outdir)).toBe(2);
  expect(io.err()).toContain(message);
  expect(io.err()).toContain('Usage: node lib/main.js [--config FILE]');
  expect(fs.existsSync(outdir)).toBe(false);
});

test("a validation report left by an earlier run is not taken for this run's findings", () => {
  const outdir = tempDir('stale');
  // What an earlier run that failed the gate leaves in the reused cdk.out.
  fs.writeFileSync(
    path.join(outdir, 'validation-report.json'),
    JSON.stringify({
      pluginReports: [
        {
          pluginName: 'AwsSolutions',
          violations: [
            {
              ruleName: 'AwsSolutions-S1',
              description: 'The S3 Bucket has server access logs disabled.',
              violatingConstructs: [{ constructPath: 'test/Service/Gone/Resource' }],
            },
          ],
        },
      ],
    }),
  );
  let failure: unknown;
  try {
    synthesizeServiceApp({
      outdir,
      customizeStage: () => {
        throw new Error('the error of this run');
      },
    });
  } catch (error) {
    failure = error;
  }
  expect(failure).not.toBeInstanceOf(GateFailure);
  expect((failure as Error).message).toBe('the error of this run');
});

test('under the CDK CLI (CDK_OUTDIR set) the app does not synthesize again when the process exits', () => {
  // Otherwise an error while composing is followed, at exit, by a second error and stack trace from the
  // half-built app (e.g. "no environment was added").
  const outdir = tempDir('cli');
  const saved = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    const before = process.listenerCount('beforeExit');
    serviceApp.createApp(outdir);
    expect(process.listenerCount('beforeExit')).toBe(before);
  } finally {
    if (saved === undefined) delete process.env.CDK_OUTDIR;
    else process.env.CDK_OUTDIR = saved;
  }
});

test('an error while synthesizing (a gate finding, a construct error) exits 1 with the message, no stack trace', () => {
  jest.spyOn(serviceApp, 'composeServiceApp').mockImplementation(() => {
    throw new Error('Stage name Build already used');
  });
  const io = capture();
  expect(runMain([], tempDir('synth-error'))).toBe(1);
  expect(io.err()).toBe('synth failed: Stage name Build already used\n');
});

test("outside the CDK CLI the app gets cdk.json's context (CloudFormation template validation on)", () => {
  const saved = process.env.CDK_CONTEXT_JSON;
  delete process.env.CDK_CONTEXT_JSON;
  try {
    const app = serviceApp.createApp(tempDir('context'));
    expect(app.node.tryGetContext('@aws-cdk/core:validateAgainstDefaultRules')).toBe(true);
  } finally {
    if (saved !== undefined) process.env.CDK_CONTEXT_JSON = saved;
  }
});
