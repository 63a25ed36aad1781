import * as fs from 'fs';
import * as path from 'path';
import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { exampleConfig, tmpOutdir } from './helpers';
import {
  createApp,
  GateFailure,
  keptOnFailure,
  synthesizePlatform,
  SynthesizeOptions,
  synthFailureText,
  ValidationPluginFailure,
} from '../src/main';

/**
 * The gates cannot silently pass: non-compliant resources placed inside an
 * environment stage (a separate nested assembly) fail the main job's
 * synthesis, and the failure names the rule and the construct path.
 */
describe('non-compliant resources inside an environment stage', () => {
  let failure: GateFailure;

  beforeAll(() => {
    // CloudFormation's own template validation is not what this test is about.
    process.env.CDK_VALIDATION = 'false';
    const outdir = tmpOutdir('gate');
    try {
      synthesizePlatform(createApp(outdir), exampleConfig(), {
        customizeStage: (dev) => {
          if (dev.stageName !== 'dev') return;
          // An unencrypted bucket with no retain policy, no TLS enforcement, no logging.
          new CfnBucket(dev.network, 'PlainBucket');
          // SSH open to the internet.
          const sg = new ec2.SecurityGroup(dev.network, 'OpenSsh', { vpc: dev.vpc.vpc, description: 'open ssh' });
          sg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'ssh from anywhere');
          // An administrator role.
          new iam.Role(dev.security, 'AdminRole', {
            assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
            managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
          });
        },
      });
    } catch (error) {
      failure = error as GateFailure;
    } finally {
      delete process.env.CDK_VALIDATION;
    }
    expect(fs.existsSync(path.join(outdir, 'validation-report.json'))).toBe(true);
  });

  test('synthesis fails with a GateFailure', () => {
    expect(failure).toBeInstanceOf(GateFailure);
  });

  test('the unencrypted bucket is named with its rules and path', () => {
    const lines = failure.findings.filter((f) => f.includes('dev/Network/PlainBucket'));
    expect(lines.join('\n')).toMatch(/Groundwork-ENC1/);
    expect(lines.join('\n')).toMatch(/AwsSolutions-S10/);
    expect(lines.join('\n')).toMatch(/Groundwork-DATA1/);
  });

  test('the open SSH rule is named by the Groundwork pack and by the ingress guard', () => {
    const lines = failure.findings.filter((f) => f.includes('dev/Network/OpenSsh'));
    expect(lines.join('\n')).toMatch(/Groundwork-NET1/);
    expect(lines.join('\n')).toMatch(/0\.0\.0\.0\/0/);
  });

  test('the administrator role is named', () => {
    const lines = failure.findings.filter((f) => f.includes('dev/Security/AdminRole'));
    expect(lines.join('\n')).toMatch(/Groundwork-IAM3/);
  });

  test('the compliant rest of the platform reports nothing', () => {
    const elsewhere = failure.findings.filter((f) => !/PlainBucket|OpenSsh|AdminRole/.test(f));
    expect(elsewhere).toEqual([]);
  });
});

/**
 * What synthesizePlatform throws (undefined if nothing) with CDK_APP_MODE set to `mode`; restores the mode and the
 * exit code aws-cdk-lib may have set.
 */
function synthFailureIn(mode: string, outdir: string, options: SynthesizeOptions): unknown {
  const before = { mode: process.env.CDK_APP_MODE, exitCode: process.exitCode };
  process.env.CDK_APP_MODE = mode;
  process.env.CDK_VALIDATION = 'false';
  try {
    synthesizePlatform(createApp(outdir), exampleConfig(), options);
    return undefined;
  } catch (error) {
    return error;
  } finally {
    if (before.mode === undefined) delete process.env.CDK_APP_MODE;
    else process.env.CDK_APP_MODE = before.mode;
    delete process.env.CDK_VALIDATION;
    process.exitCode = before.exitCode;
  }
}

describe("the gate holds whatever aws-cdk-lib's app mode", () => {
  // In 'process' mode aws-cdk-lib prints a failed validation, sets process.exitCode and returns normally.
  test('a finding fails the synthesis in process mode too', () => {
    const failure = synthFailureIn('process', tmpOutdir('gate-process-mode'), {
      customizeStage: (dev) => {
        if (dev.stageName === 'dev') new CfnBucket(dev.network, 'PlainBucket');
      },
    });
    expect(failure).toBeInstanceOf(GateFailure);
    expect((failure as GateFailure).findings.join('\n')).toMatch(/Groundwork-ENC1 at .*dev\/Network\/PlainBucket/);
    expect(keptOnFailure(failure)).toEqual(['validation-report.json']);
  });

  test('a plugin that cannot check (it throws) fails the synthesis, naming the plugin and its error', () => {
    const outdir = tmpOutdir('gate-plugin-error');
    const failure = synthFailureIn('inmemory', outdir, {
      onComposed: (platform) =>
        Validations.of(platform.pipelineStack.node.root).addPlugins({
          name: 'Broken',
          validate: () => {
            throw new Error('the engine did not start');
          },
        }),
    });
    expect(failure).toBeInstanceOf(ValidationPluginFailure);
    expect((failure as Error).message).toBe(
      "1 validation plugin(s) could not check the templates:\n  Validation plugin 'Broken' failed: the engine did not start",
    );
    expect(fs.existsSync(path.join(outdir, 'validation-report.json'))).toBe(true);
    // The main job keeps the report in the output directory (its error message names it there).
    expect(keptOnFailure(failure)).toEqual(['validation-report.json']);
    expect(keptOnFailure(new Error('a construct error'))).toEqual([]);
  });
});

describe('what the main job prints for a failed synth', () => {
  const cwd = path.join(path.sep, 'repo', 'apps', 'platform');
  const outdir = path.join(cwd, 'cdk.out');

  test.each([
    ['a failed gate', new GateFailure(['Groundwork-ENC1 at /dev/Network/PlainBucket'])],
    ['a plugin that could not check', new ValidationPluginFailure(["Validation plugin 'Broken' failed: boom"])],
  ])('%s: its message, then the kept report, relative to where the job was started', (_, error) => {
    expect(synthFailureText(error, outdir, cwd)).toBe(
      `synth failed: ${error.message}\ndetails: cdk.out/validation-report.json\n`,
    );
  });

  test('a construct error: its message alone (nothing was kept to point at)', () => {
    expect(synthFailureText(new Error('a construct error'), outdir, cwd)).toBe('synth failed: a construct error\n');
  });
});
