import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MAX_INLINE_BUILDSPEC, MeasuredStack, oversizedBuildspecs, oversizedPolicies } from './quotas';
import { SyntheticConfigOptions, writeSyntheticConfig } from './synthetic-config';
import { ConfigError, loadPlatformConfig } from '../../src/config';
import { composePlatform } from '../../src/platform';
import { tmpOutdir } from '../helpers';

/**
 * Cross-account permissions that would grow per account (the drift-reconcile
 * role's trust, the pipeline's assume-role policy) are scoped to the
 * organization when groundwork.yaml gives its id.
 */
function syntheticConfig(environments: number, organizationId?: string, options: SyntheticConfigOptions = {}) {
  const dir = tmpOutdir('org-scope');
  writeSyntheticConfig(dir, environments, { regions: ['eu-west-1'], ...options });
  if (organizationId) {
    const file = path.join(dir, 'groundwork.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf-8').replace(/^organization:\n/m, `organization:\n  id: ${organizationId}\n`),
    );
  }
  return { dir, config: () => loadPlatformConfig(dir) };
}

function reconcileTrust(template: Template): any {
  const roles = template.findResources('AWS::IAM::Role', {
    Properties: { RoleName: 'example-platform-drift-reconcile' },
  });
  return Object.values(roles)[0].Properties.AssumeRolePolicyDocument.Statement;
}

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
});

test('with organization.id, the reconcile trust and the pipeline policy name the organization, not accounts', () => {
  const { config } = syntheticConfig(5, 'o-a1b2c3d4e5');
  const platform = composePlatform(new App({ outdir: tmpOutdir('org-scope-out') }), config(), { complianceGate: [] });
  const template = Template.fromStack(platform.pipelineStack);
  const [statement] = reconcileTrust(template);
  expect(statement.Condition.StringEquals).toEqual({ 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' });
  // Nothing in it depends on the number of environments.
  expect(JSON.stringify(statement)).not.toMatch(/\d{12}/);
  const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
  expect(policies).toContain('"aws:ResourceOrgID":"o-a1b2c3d4e5"');
  expect(policies).not.toContain('aws:ResourceAccount');
});

test('without organization.id, too many reconciling accounts for one trust policy is a config error on the field', () => {
  // 200 environments, 160 of them auto-reconciling: about 2,650 characters of trust policy.
  const { config } = syntheticConfig(200);
  expect(config).toThrow(
    /groundwork\.yaml:\d+:\d+: organization\.id: expected an AWS Organizations id such as "o-a1b2c3d4e5" for the drift-reconcile role of branch "main"'s pipeline: .* found none, and a trust policy of \d+ characters for 160 accounts/,
  );
});

test('an organization id that is not "o-..." is a config error naming the field', () => {
  const { config } = syntheticConfig(1, 'org-123');
  expect(config).toThrow(ConfigError);
  try {
    config();
  } catch (error) {
    expect((error as ConfigError).message).toMatch(
      /groundwork\.yaml:\d+:\d+: organization\.id: expected an AWS Organizations id such as "o-a1b2c3d4e5", found "org-123"/,
    );
  }
});

test('with organization.id, 99 auto-reconciling environments with 32-character names fit CodeBuild and IAM quotas', () => {
  // What grows with reconciling environments: the reconciler's allow-list (in its inline buildspec), the
  // reconcile role's StartBuild conditions (environment names) and the reconciler's assume statement. All in
  // the tooling region, so every non-production environment reconciles; longest names the config allows.
  const { config } = syntheticConfig(100, 'o-a1b2c3d4e5', { nameLength: 32, productionEvery: 100 });
  const loaded = config();
  expect(loaded.environments.filter((e) => e.drift.autoReconcile)).toHaveLength(99);
  expect(Math.min(...loaded.environments.map((e) => e.name.length))).toBe(32);
  const app = new App({ outdir: tmpOutdir('org-scope-out') });
  const platform = composePlatform(app, loaded, { complianceGate: [] });
  const pipeline: MeasuredStack = {
    name: 'pipeline',
    template: Template.fromStack(platform.pipelineStack).toJSON(),
    account: platform.pipelineStack.account,
    region: platform.pipelineStack.region,
  };
  const buildspecs = oversizedBuildspecs([pipeline]);
  expect({ limit: MAX_INLINE_BUILDSPEC, over: buildspecs.tooLarge }).toEqual({ limit: MAX_INLINE_BUILDSPEC, over: [] });
  expect(buildspecs.checked).toBeGreaterThanOrEqual(4);
  expect(oversizedPolicies([pipeline]).tooLarge).toEqual([]);

  // The permission to start the reconciler, spread over managed policies: together they name exactly the
  // reconciling environments, each override deny once, and the role stays within IAM's 10 managed policies.
  const reconcilers = Object.entries<any>(pipeline.template.Resources).filter(
    ([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && id.startsWith('DriftReconcilePolicy'),
  );
  expect(reconcilers.length).toBeGreaterThan(1);
  const statements = reconcilers.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  const named = statements
    .filter((st: any) => st.Effect === 'Allow')
    .flatMap((st: any) => Object.values<string[]>(st.Condition['ForAnyValue:StringEquals'])[0]);
  expect([...named].sort()).toEqual(
    loaded.environments
      .filter((e) => e.drift.autoReconcile)
      .map((e) => e.name)
      .sort(),
  );
  const denies = statements.filter((st: any) => st.Effect === 'Deny').map((st: any) => JSON.stringify(st.Condition));
  expect(new Set(denies).size).toBe(denies.length);
  const [role] = Object.entries<any>(pipeline.template.Resources).find(
    ([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === 'example-platform-drift-reconcile',
  )!;
  const attached = Object.values<any>(pipeline.template.Resources).filter(
    (r) => r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties.Roles ?? []).includes(`"${role}"`),
  );
  expect(attached.length).toBeLessThanOrEqual(10);
});
