import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { writeSyntheticConfig } from './synthetic-config';
import { ConfigError, loadPlatformConfig } from '../../src/config';
import { composePlatform } from '../../src/platform';
import { tmpOutdir } from '../helpers';

/**
 * Cross-account permissions that would grow per account (the drift-reconcile
 * role's trust, the pipeline's assume-role policy) are scoped to the
 * organization when groundwork.yaml gives its id.
 */
function syntheticConfig(environments: number, organizationId?: string) {
  const dir = tmpOutdir('org-scope');
  writeSyntheticConfig(dir, environments, { regions: ['eu-west-1'] });
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

test('without organization.id, too many reconciling accounts for one trust policy is a clear error', () => {
  // 200 environments, 160 of them auto-reconciling: about 2,650 characters of trust policy.
  const { config } = syntheticConfig(200);
  expect(() =>
    composePlatform(new App({ outdir: tmpOutdir('org-scope-out') }), config(), { complianceGate: [] }),
  ).toThrow(
    /DriftReconcileRole: the trust policy for 160 auto-reconciling accounts is about \d+ characters, over IAM's 2048: set organization.id in groundwork.yaml/,
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
