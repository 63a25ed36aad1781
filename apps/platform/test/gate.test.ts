import * as fs from 'fs';
import * as path from 'path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { exampleConfig, tmpOutdir } from './helpers';
import { createApp, GateFailure, synthesizePlatform } from '../src/main';

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
