import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { flat } from './fixtures';
import { buildIntegApp, INTEG_TARGET_ENV, INTEG_TRUST_PROPS } from './integ.deployment-trust';
import { evaluateWithBoundary } from './policy-evaluator';
import { DeploymentTrust } from '../src';

// The template stability gate (scripts/template-stability) protects only the stateful resources the integ
// app synthesizes. These tests fail if one of them leaves the app, so the gate cannot silently check less.
const STATEFUL = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::ECR::Repository', 'AWS::SNS::Topic', 'AWS::Logs::LogGroup'];

function statefulIds(template: { Resources: { [id: string]: { Type: string } } }): string[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => STATEFUL.includes(r.Type))
    .map(([id, r]) => `${r.Type} ${id}`)
    .sort();
}

describe('integ.deployment-trust', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cross-account-roles-integ-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const { app, bootstrap, access, trust, breakGlass } = buildIntegApp({ outdir });
  const assembly = app.synth();
  const trustTemplate = Template.fromStack(bootstrap);
  const accessTemplate = Template.fromStack(access);

  function logicalId(construct: IConstruct): string {
    const resource = (construct.node.defaultChild ?? construct) as CfnElement;
    return Stack.of(resource).resolve(resource.logicalId);
  }

  function expectRetained(
    template: Template,
    construct: IConstruct,
    type: string,
    deletionPolicy: 'Retain' | 'RetainExceptOnCreate' = 'Retain',
  ): void {
    expect(template.findResources(type)[logicalId(construct)]).toMatchObject({
      Type: type,
      DeletionPolicy: deletionPolicy,
      UpdateReplacePolicy: 'Retain',
    });
  }

  test('synthesizes the bootstrap stack and the access stack, the access stack after the bootstrap', () => {
    expect(assembly.stacks.map((s) => s.stackName)).toEqual(
      expect.arrayContaining(['GroundworkDeploymentTrustInteg', 'GroundworkAccountAccessInteg']),
    );
    expect(access.dependencies).toContain(bootstrap);
  });

  test('the bootstrap stack holds the staging bucket and key, its access-log bucket and the image repository, retained', () => {
    // The two fixed-name resources are deleted when their creation rolls back, so that a retry does not collide.
    expectRetained(trustTemplate, trust.stagingBucket, 'AWS::S3::Bucket', 'RetainExceptOnCreate');
    expectRetained(trustTemplate, trust.accessLogsBucket, 'AWS::S3::Bucket');
    expectRetained(trustTemplate, trust.stagingKey, 'AWS::KMS::Key');
    expectRetained(trustTemplate, trust.containerAssetsRepository, 'AWS::ECR::Repository', 'RetainExceptOnCreate');
    // The names the DefaultStackSynthesizer looks for: a replacement would break every app's asset publishing.
    const bucket = trustTemplate.findResources('AWS::S3::Bucket')[logicalId(trust.stagingBucket)];
    expect(flat(bucket.Properties.BucketName)).toBe('cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}');
    const repository = trustTemplate.findResources('AWS::ECR::Repository')[logicalId(trust.containerAssetsRepository)];
    expect(flat(repository.Properties.RepositoryName)).toBe(
      'cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}',
    );
  });

  test('the stateful logical ids are those of the template `cdk bootstrap --template` deploys', () => {
    const rendered = JSON.parse(DeploymentTrust.renderBootstrapTemplate(INTEG_TRUST_PROPS));
    const integ = statefulIds(trustTemplate.toJSON() as any);
    expect(integ).toHaveLength(4);
    expect(statefulIds(rendered)).toEqual(integ);
  });

  test('the access stack holds the break-glass alert key and topic, the key retained', () => {
    expectRetained(accessTemplate, breakGlass.node.findChild('AlertKey'), 'AWS::KMS::Key');
    accessTemplate.hasResource('AWS::SNS::Topic', {
      Properties: { KmsMasterKeyId: Match.anyValue(), DisplayName: 'Groundwork break-glass role assumed' },
    });
    expect(accessTemplate.findResources('AWS::SNS::Topic')).toHaveProperty(logicalId(breakGlass.alertTopic));
  });

  describe("the access stack's alert resources are the ones the bootstrap's boundary protects", () => {
    const ACCOUNT = INTEG_TARGET_ENV.account;
    const concrete = (value: any) =>
      JSON.parse(
        JSON.stringify(flat(value))
          .replace(/\$\{AWS::Partition\}/g, 'aws')
          .replace(/\$\{AWS::AccountId\}/g, ACCOUNT)
          .replace(/\$\{AWS::Region\}/g, INTEG_TARGET_ENV.region),
      );
    const boundary: any[] = concrete(
      trustTemplate.toJSON().Resources[logicalId(trust.boundary.policy)].Properties.PolicyDocument,
    ).Statement;
    const resources = accessTemplate.toJSON().Resources;
    const ofType = (type: string) => Object.values(resources).filter((r: any) => r.Type === type) as any[];
    // Break-glass itself, or a pipeline custom resource, granted every action of these services.
    const everything = [{ Effect: 'Allow', Action: ['events:*', 'cloudwatch:*', 'sns:*', 'kms:*'], Resource: '*' }];
    const decision = (action: string, resource: string, context?: { [k: string]: string }) =>
      evaluateWithBoundary(everything, boundary, { action, resource, context });
    const tagsOf = (resource: any) =>
      Object.fromEntries((resource.Properties.Tags ?? []).map((t: any) => [`aws:ResourceTag/${t.Key}`, t.Value])) as {
        [k: string]: string;
      };

    test('both rules: their names match the protected prefix; no write is allowed', () => {
      const rules = ofType('AWS::Events::Rule');
      expect(rules.map((r) => r.Properties.Name).sort()).toEqual([
        'groundwork-break-glass-assumed',
        'groundwork-break-glass-cloudformation',
      ]);
      for (const rule of rules) {
        const arn = `arn:aws:events:${INTEG_TARGET_ENV.region}:${ACCOUNT}:rule/${rule.Properties.Name}`;
        for (const action of [
          'events:DeleteRule',
          'events:DisableRule',
          'events:PutRule',
          'events:PutTargets',
          'events:RemoveTargets',
        ]) {
          expect({ action, arn, decision: decision(action, arn) }).toEqual({ action, arn, decision: 'ExplicitDeny' });
        }
      }
    });

    test('the alarm: its name matches the protected prefix; no write is allowed', () => {
      const [alarm] = ofType('AWS::CloudWatch::Alarm');
      const arn = `arn:aws:cloudwatch:${INTEG_TARGET_ENV.region}:${ACCOUNT}:alarm:${alarm.Properties.AlarmName}`;
      for (const action of [
        'cloudwatch:DeleteAlarms',
        'cloudwatch:DisableAlarmActions',
        'cloudwatch:PutMetricAlarm',
        'cloudwatch:SetAlarmState',
      ]) {
        expect({ action, decision: decision(action, arn) }).toEqual({ action, decision: 'ExplicitDeny' });
      }
    });

    test('the topic and the key: their tags are the protected tag; no change is allowed', () => {
      const [topic] = ofType('AWS::SNS::Topic');
      const [key] = ofType('AWS::KMS::Key');
      const topicArn = `arn:aws:sns:${INTEG_TARGET_ENV.region}:${ACCOUNT}:GroundworkAccountAccessInteg-BreakGlassAlertTopic-AbCdEf`;
      const keyArn = `arn:aws:kms:${INTEG_TARGET_ENV.region}:${ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
      for (const action of [
        'sns:SetTopicAttributes',
        'sns:DeleteTopic',
        'sns:Unsubscribe',
        'sns:RemovePermission',
        'sns:AddPermission',
        'sns:UntagResource',
      ]) {
        expect({ action, decision: decision(action, topicArn, tagsOf(topic)) }).toEqual({
          action,
          decision: 'ExplicitDeny',
        });
      }
      for (const action of ['kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy', 'kms:UntagResource']) {
        expect({ action, decision: decision(action, keyArn, tagsOf(key)) }).toEqual({
          action,
          decision: 'ExplicitDeny',
        });
      }
    });
  });

  test.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['NIST 800-53 rev 5', () => new NIST80053R5Checks()],
  ])('cdk-nag %s: no unacknowledged finding in the integ app', (_name, pack) => {
    const checks = pack();
    const violations = [bootstrap, access].flatMap((s) => checks.validateScope(s).violations);
    expect(
      violations.map((v) => `${v.ruleName} ${v.violatingResources.map((c) => c.constructPath).join(',')}`),
    ).toEqual([]);
  });
});
