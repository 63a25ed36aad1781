import * as fs from 'fs';
import * as path from 'path';
import { ComplianceRules } from '@groundwork/security-baseline';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_CONFIG_DIR, tmpOutdir } from './helpers';
import { loadPlatformConfig, PlatformConfig } from '../src/config';
import { composePlatform, Platform } from '../src/platform';

// Template validation at synth is not what this file tests, and costs seconds per stack.
process.env.CDK_VALIDATION = 'false';

/**
 * The example config with a fourth environment, `dev-us`, in dev's account (333333333333) in us-east-1:
 * two environments in one account, in two regions. dev comes first in that account (same wave, then
 * name), so it is the account's home and holds its access stack. `develop` deploys `branchEnvs`.
 */
function twoRegionsInOneAccount(branchEnvs: string[]): PlatformConfig {
  const dir = tmpOutdir('config-shapes');
  fs.cpSync(EXAMPLE_CONFIG_DIR, dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'environments', 'dev-us.yaml'),
    [
      'name: dev-us',
      'account: "333333333333"',
      'region: us-east-1',
      'wave: nonprod',
      'vpc:',
      '  cidr: 10.11.0.0/16',
      '  natStrategy: none',
      'drift:',
      // Auto-reconcile reaches the pipeline only in the tooling region (eu-west-1).
      '  autoReconcile: false',
      'tags:',
      '  Environment: dev-us',
      '',
    ].join('\n'),
  );
  const groundwork = path.join(dir, 'groundwork.yaml');
  const text = fs.readFileSync(groundwork, 'utf-8');
  if (!text.includes('develop: [dev]\n')) throw new Error('expected `develop: [dev]` in the example groundwork.yaml');
  fs.writeFileSync(groundwork, text.replace('develop: [dev]\n', `develop: [${branchEnvs.join(', ')}]\n`));
  return loadPlatformConfig(dir);
}

const stage = (platform: Platform, name: string) => platform.stages.find((s) => s.stageName === name)!;

const ruleIdentifiers = (template: Template): string[] =>
  Object.values(template.findResources('AWS::Config::ConfigRule')).map((r) => r.Properties.Source.SourceIdentifier);

/** The CloudFormation stack names the drift detector's role may detect drift on. */
const driftCheckedStacks = (template: Template): string[] => {
  const text = JSON.stringify(template.findResources('AWS::IAM::Policy'));
  return [...new Set([...text.matchAll(/:stack\/([A-Za-z0-9-]+)\/\*/g)].map((m) => m[1]))].sort();
};

describe('two environments in one account (dev in eu-west-1, dev-us in us-east-1), main branch', () => {
  const platform = composePlatform(new App({ outdir: tmpOutdir('shapes-main') }), twoRegionsInOneAccount(['dev']), {
    complianceGate: [],
  });
  const dev = Template.fromStack(stage(platform, 'dev').security);
  const devUs = Template.fromStack(stage(platform, 'dev-us').security);

  test('the AWS Config rules on IAM (one per account) are in the home environment only', () => {
    // Source identifiers of the rules on IAM, as AWS Config names them.
    const iamRules = [
      'ROOT_ACCOUNT_MFA_ENABLED',
      'IAM_ROOT_ACCESS_KEY_CHECK',
      'MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS',
      'IAM_PASSWORD_POLICY',
      'ACCESS_KEYS_ROTATED',
      'IAM_USER_NO_POLICIES_CHECK',
    ];
    expect(ComplianceRules.ACCOUNT_IAM_RULES).toHaveLength(iamRules.length);
    expect(ruleIdentifiers(dev)).toEqual(expect.arrayContaining(iamRules));
    expect(ruleIdentifiers(devUs).filter((id) => iamRules.includes(id))).toEqual([]);
    // The regional rules stay in both.
    for (const template of [dev, devUs]) {
      expect(ruleIdentifiers(template)).toEqual(
        expect.arrayContaining(['INCOMING_SSH_DISABLED', 'S3_BUCKET_SSL_REQUESTS_ONLY', 'SECURITYHUB_ENABLED']),
      );
    }
  });

  test('one access stack for the account, named after dev, which checks it for drift', () => {
    expect(platform.accessStacks.map((s) => s.stackName)).toEqual([
      'example-dev-access',
      'example-test-access',
      'example-prod-access',
    ]);
    expect(driftCheckedStacks(Template.fromStack(stage(platform, 'dev').operations))).toContain('example-dev-access');
    expect(driftCheckedStacks(Template.fromStack(stage(platform, 'dev-us').operations))).not.toContain(
      'example-dev-us-access',
    );
  });
});

describe('a branch that deploys only the account second environment (develop: [dev-us])', () => {
  const platform = composePlatform(
    new App({ outdir: tmpOutdir('shapes-develop') }),
    twoRegionsInOneAccount(['dev-us']),
    {
      complianceGate: [],
      branch: 'develop',
    },
  );

  test("the branch's access stack is main's (example-dev-access in eu-west-1), not a second one named after dev-us", () => {
    // A second access stack in the account would create the same IAM role names (account-global) and fail.
    expect(platform.accessStacks.map((s) => `${s.stackName} ${s.account}/${s.region}`)).toEqual([
      'example-dev-access 333333333333/eu-west-1',
    ]);
  });

  test("dev-us's drift detector does not check an access stack that does not exist (example-dev-us-access)", () => {
    const checked = driftCheckedStacks(Template.fromStack(stage(platform, 'dev-us').operations));
    expect(checked).toEqual(['example-dev-us-network', 'example-dev-us-operations', 'example-dev-us-security']);
  });
});
