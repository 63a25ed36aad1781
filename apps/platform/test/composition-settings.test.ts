import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { exampleConfig, tmpOutdir } from './helpers';
import { PRODUCTION_TAG } from '../src/compliance';
import { composePlatform, Platform } from '../src/platform';

/**
 * Settings of the composed stacks that no compliance pack and no CloudFormation validation can see,
 * but that decide what happens once deployed: what is protected from deletion, what an encrypted alert
 * topic lets its publishers do, which principals each human role trusts. Found missing by a mutation
 * audit of the composition code (each test fails when its setting is changed in src).
 */

// Template validation at synth is not what this file tests, and costs seconds per stack.
process.env.CDK_VALIDATION = 'false';

const config = exampleConfig();
let platform: Platform;

beforeAll(() => {
  platform = composePlatform(new App({ outdir: tmpOutdir('composition-settings') }), config, { complianceGate: [] });
});

/** The statements of a key policy that let `service` use the key, with their actions. */
function serviceGrants(keyPolicy: any, service: string): string[] {
  return [keyPolicy.Statement]
    .flat()
    .filter((s: any) => s.Effect === 'Allow' && s.Principal?.Service === service)
    .flatMap((s: any) => [s.Action].flat());
}

test('the pipeline stack and every access stack are protected from deletion (both hold what keeps the pipeline safe)', () => {
  // An administrator deletes them on purpose only: the access stack holds break glass and its alerts,
  // the pipeline stack every environment's deployments.
  expect(platform.accessStacks.length).toBeGreaterThan(0);
  const stacks: Stack[] = [platform.pipelineStack, ...platform.accessStacks];
  expect(stacks.map((s) => [s.stackName, s.terminationProtection])).toEqual(stacks.map((s) => [s.stackName, true]));
});

test("each environment's alert key is retained, and lets EventBridge and CloudWatch alarms publish to the encrypted topic", () => {
  expect(platform.stages.length).toBe(config.environments.length);
  for (const stage of platform.stages) {
    const keys = Template.fromStack(stage.operations).findResources('AWS::KMS::Key', {
      Properties: { Description: `Encrypts Groundwork ${stage.stageName} alerts` },
    });
    const entries = Object.values(keys);
    expect(entries).toHaveLength(1);
    const [key] = entries;
    // Deleting the key would make every message still encrypted under it unreadable.
    expect({ stage: stage.stageName, deletion: key.DeletionPolicy, replace: key.UpdateReplacePolicy }).toEqual({
      stage: stage.stageName,
      deletion: 'Retain',
      replace: 'Retain',
    });
    // An SNS topic with a customer managed key accepts EventBridge's and CloudWatch's messages only when
    // the key policy lets those services use the key; without it the publish fails and no alert arrives.
    for (const service of ['events.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      expect({ stage: stage.stageName, service, actions: serviceGrants(key.Properties.KeyPolicy, service) }).toEqual({
        stage: stage.stageName,
        service,
        actions: expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
      });
    }
  }
});

test('the stacks of production environments, and only those, carry the production tier tag (Groundwork-DATA2)', () => {
  const production = new Set(config.environments.filter((e) => e.production).map((e) => e.name));
  expect(production.size).toBeGreaterThan(0);
  expect(production.size).toBeLessThan(config.environments.length);
  for (const stage of platform.stages) {
    for (const stack of [stage.network, stage.security, stage.operations]) {
      const tier = stack.tags.tagValues()[PRODUCTION_TAG.key];
      expect({ stack: stack.stackName, tier }).toEqual({
        stack: stack.stackName,
        tier: production.has(stage.stageName) ? PRODUCTION_TAG.value : undefined,
      });
    }
  }
});

test('the audit role trusts the auditor roles only, break glass the break-glass roles only, with MFA at most an hour old', () => {
  const { auditorRoles, breakGlassRoles } = config.groundwork.security;
  // Distinct in the example, so that a swap shows.
  expect(auditorRoles.filter((r) => breakGlassRoles.includes(r))).toEqual([]);
  expect(platform.accessStacks.length).toBeGreaterThan(0);
  for (const stack of platform.accessStacks) {
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    const trust = (name: string) => {
      const role = Object.values(roles).find((r) => r.Properties.RoleName === name);
      expect({ name, found: role !== undefined }).toEqual({ name, found: true });
      const [statement, ...more] = [role!.Properties.AssumeRolePolicyDocument.Statement].flat();
      expect(more).toEqual([]);
      const principals = JSON.stringify(statement.Condition.ArnLike['aws:PrincipalArn']);
      return { statement, principals };
    };
    const audit = trust('groundwork-security-audit');
    const breakGlass = trust('groundwork-break-glass');
    for (const role of auditorRoles) expect(audit.principals).toContain(`:role/${role}"`);
    for (const role of breakGlassRoles) expect(audit.principals).not.toContain(`:role/${role}"`);
    for (const role of breakGlassRoles) expect(breakGlass.principals).toContain(`:role/${role}"`);
    for (const role of auditorRoles) expect(breakGlass.principals).not.toContain(`:role/${role}"`);
    // docs/runbooks/break-glass.md: an MFA sign-in of the last hour.
    expect(breakGlass.statement.Condition).toMatchObject({
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
    });
  }
});
