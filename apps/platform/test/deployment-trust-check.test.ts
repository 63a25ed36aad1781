import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { EXAMPLE_CONFIG_DIR, exampleConfig, tmpOutdir } from './helpers';
import { loadPlatformConfig, PlatformEnvironment } from '../src/config';
import { checkAllowedServices, servicesNeeded } from '../src/deployment-trust-check';
import { EnvironmentStage } from '../src/environment-stage';
import { driftReconcileProjectName } from '../src/stack-names';

/** The example config, copied to a temporary directory with `edit` applied to each environment file. */
function exampleWith(edit: (envName: string, text: string) => string): string {
  const dir = tmpOutdir('trust-config');
  fs.cpSync(EXAMPLE_CONFIG_DIR, dir, { recursive: true });
  const envDir = path.join(dir, 'environments');
  for (const file of fs.readdirSync(envDir)) {
    const full = path.join(envDir, file);
    fs.writeFileSync(full, edit(path.basename(file, '.yaml'), fs.readFileSync(full, 'utf-8')));
  }
  return dir;
}

function devStage(env: PlatformEnvironment): EnvironmentStage {
  const config = exampleConfig();
  return new EnvironmentStage(new App({ outdir: tmpOutdir('trust-stage') }), env.name, {
    environment: env,
    groundwork: config.groundwork,
    pipelineName: 'example-platform',
    accountHome: true,
    // As composePlatform passes them: the drift detector starts the drift reconciler in the tooling account
    // through the reconcile role.
    reconcileRoleArn: env.drift.autoReconcile
      ? `arn:aws:iam::${config.groundwork.tooling.account}:role/example-platform-drift-reconcile`
      : undefined,
    reconcileProjectName: env.drift.autoReconcile ? driftReconcileProjectName('example-platform') : undefined,
  });
}

const dev = exampleConfig().environments.find((e) => e.name === 'dev')!;
const stage = devStage(dev);

test("the services an environment's stacks need, with the resource types that need them", () => {
  const needed = servicesNeeded(stage);
  expect([...needed.get('lambda')!]).toEqual(
    expect.arrayContaining(['AWS::Lambda::Function', 'Custom::GroundworkS3AccountPublicAccessBlock']),
  );
  expect([...needed.get('states')!]).toEqual(['AWS::StepFunctions::StateMachine']);
  expect([...needed.get('access-analyzer')!]).toEqual(['AWS::AccessAnalyzer::Analyzer']);
  expect([...needed.keys()]).toEqual(expect.arrayContaining(['ec2', 'iam', 'kms', 'logs', 's3', 'config']));
  expect(checkAllowedServices(stage, dev)).toBeUndefined();
});

test('a list without a needed service is an issue at the field: what is missing, why, and what the file says', () => {
  const narrowed = {
    ...dev,
    deploymentTrust: { allowedServices: dev.deploymentTrust.allowedServices.filter((s) => s !== 'states') },
  };
  const issue = checkAllowedServices(stage, narrowed)!;
  expect(issue).toMatchObject({ file: dev.sourceFile, line: 32, column: 20, path: 'deploymentTrust.allowedServices' });
  expect(issue.expected).toBe(
    'a list that also includes "states" (the environment\'s stacks create states for AWS::StepFunctions::StateMachine; ' +
      'its CloudFormation execution role may manage only the listed services)',
  );
  expect(issue.found).toBe(`[${narrowed.deploymentTrust.allowedServices.join(', ')}]`);
});

test('a file without the field is told which default it got', () => {
  const dir = exampleWith((_name, text) => text.replace(/^deploymentTrust:\n  allowedServices: .*\n/m, ''));
  const env = loadPlatformConfig(dir).environments.find((e) => e.name === 'dev')!;
  expect(fs.readFileSync(env.sourceFile, 'utf-8')).not.toContain('deploymentTrust');
  const issue = checkAllowedServices(stage, { ...env, deploymentTrust: { allowedServices: ['ec2'] } })!;
  expect(issue.found).toBe('no value (defaults to [ec2])');
  expect(issue.expected).toMatch(/^a list that also includes "access-analyzer", "cloudtrail", /);
});

test('an environment without a Config recorder of its own (security.configRecorder: false) composes without one', () => {
  const withoutRecorder = { ...dev, security: { ...dev.security, configRecorder: false } };
  const composed = devStage(withoutRecorder);
  const types = composed.node
    .findAll()
    .map((c) => (c as any).cfnResourceType)
    .filter((t): t is string => typeof t === 'string');
  expect(types).not.toContain('AWS::Config::ConfigurationRecorder');
  expect(types).toContain('AWS::GuardDuty::Detector');
});
