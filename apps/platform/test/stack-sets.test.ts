import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configWith, FIXTURES } from './config/fixtures';
import { resourcesOfType, tmpOutdir, unguardedConditionalReferences } from './helpers';
import { collectComplianceReport, renderMarkdown } from '../src/compliance';
import { loadPlatformConfig, readPlatformConfig, renderJsonSchemas } from '../src/config';
import { createApp, synthesizePlatform, SynthesisResult } from '../src/main';
import {
  AUDIT_TRAIL_NAME_PREFIX,
  GLOBAL_RESOURCES_CONDITION,
  OrganizationStackSetsStack,
  synthesizeMemberTemplate,
  TEMPLATE_BODY_MAX_BYTES,
} from '../src/organization-stack-sets-stack';
import { composePlatform } from '../src/platform';
import { summarize } from '../src/summary';

// Template validation at synth is not what this file tests, and costs seconds per stack.
process.env.CDK_VALIDATION = 'false';

// The main job's gate (every pack from groundwork.yaml) runs on the whole synth below.
const STACKSETS_FIXTURE = path.join(FIXTURES, 'stacksets');

let result: SynthesisResult;
let assembly: cxapi.CloudAssembly;
let stackSets: OrganizationStackSetsStack;
let template: any;

beforeAll(() => {
  result = synthesizePlatform(createApp(tmpOutdir('stacksets')), loadPlatformConfig(STACKSETS_FIXTURE));
  assembly = result.assembly;
  stackSets = result.platform.organizationStackSets!;
  template = assembly.getStackArtifact(stackSets.artifactId).template;
});

function stackSetResources(): Array<[string, any]> {
  return resourcesOfType(template, 'AWS::CloudFormation::StackSet');
}

/** The administrator and one target: the smallest stackSets section (YAML lines under `stackSets:`). */
const ADMIN_AND_TARGET =
  '  administrator:\n    account: "777777777777"\n    region: eu-west-1\n' +
  '  targets:\n    - organizationalUnitId: ou-ab12-cd34ef56\n      regions: [eu-west-1]\n';

/** A copy of the valid fixture with this stackSets section (YAML lines under `stackSets:`). */
function configWithStackSets(section: string): string {
  return configWith({ 'groundwork.yaml': [['branches:', `stackSets:\n${section}branches:`]] });
}

/**
 * The StackSets stack alone for a stackSets section, with its template. The member checks are the
 * main job's packs (from the shared synth), so a variant's member template must pass them too.
 */
function stackSetsVariant(section: string): { stack: OrganizationStackSetsStack; template: any } {
  const config = loadPlatformConfig(configWithStackSets(section));
  const app = new App({ outdir: tmpOutdir('stacksets-variant') });
  const stack = new OrganizationStackSetsStack(app, 'OrganizationStackSets', {
    groundwork: config.groundwork,
    stackSets: config.groundwork.stackSets!,
    trustedRoleNamePatterns: ['example-platform*'],
    memberChecks: result.packs,
  });
  return { stack, template: app.synth().getStackArtifact(stack.artifactId).template };
}

/**
 * The security baseline's own region conditions: the Config rules AWS Config does not offer in every
 * region (@groundwork/security-baseline, "Rules and regions"). Each resource under one is a Config
 * rule, its remediation or the drift rule's role.
 */
const RULE_REGION_CONDITION = /^(GlobalIamRecordingRegion|ConfigRule[A-Za-z]+Available)$/;

/**
 * Logical ids of a template's resources with the global-resources condition, and without (or only
 * under a rule's region condition).
 */
function byCondition(member: any): { home: string[]; everywhere: string[] } {
  const entries = Object.entries<any>(member.Resources);
  // That condition, a rule's region condition, or none: a resource under another condition would be missed below.
  const conditions = new Set(entries.map(([, r]) => r.Condition).filter((c) => c !== undefined));
  expect([...conditions].filter((c) => c !== GLOBAL_RESOURCES_CONDITION && !RULE_REGION_CONDITION.test(c))).toEqual([]);
  for (const [id, r] of entries.filter(([, e]) => RULE_REGION_CONDITION.test(e.Condition ?? ''))) {
    expect({ id, type: r.Type }).toEqual({
      id,
      type: expect.stringMatching(/^AWS::(Config::ConfigRule|Config::RemediationConfiguration|IAM::Role)$/),
    });
  }
  return {
    home: entries.filter(([, r]) => r.Condition === GLOBAL_RESOURCES_CONDITION).map(([id]) => id),
    everywhere: entries.filter(([, r]) => r.Condition !== GLOBAL_RESOURCES_CONDITION).map(([id]) => id),
  };
}

const typesOf = (member: any, ids: string[]) => new Set(ids.map((id) => member.Resources[id].Type));

/** The security baseline's AWS Config managed rules on IAM (global) resources, by source identifier. */
const IAM_RULE_IDENTIFIERS = [
  'ROOT_ACCOUNT_MFA_ENABLED',
  'IAM_ROOT_ACCESS_KEY_CHECK',
  'MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS',
  'ACCESS_KEYS_ROTATED',
  'IAM_USER_NO_POLICIES_CHECK',
  'IAM_PASSWORD_POLICY',
];

describe('the StackSets stack (stackSets in groundwork.yaml)', () => {
  test('one service-managed StackSet per part, targeting the configured OUs with auto-deployment on', () => {
    const sets = stackSetResources();
    expect(sets.map(([, r]) => r.Properties.StackSetName).sort()).toEqual([
      'example-deployment-trust',
      'example-security-baseline',
    ]);
    for (const [, set] of sets) {
      expect(set.Properties).toMatchObject({
        PermissionModel: 'SERVICE_MANAGED',
        CallAs: 'DELEGATED_ADMIN',
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: true },
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        ManagedExecution: { Active: true },
        StackInstancesGroup: [
          {
            DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cd34ef56'] },
            Regions: ['eu-west-1', 'eu-central-1'],
          },
          { DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-zz34ef99'] }, Regions: ['eu-west-1'] },
        ],
      });
      // Removing the section must not tear the baseline out of every account of the units; a StackSet
      // whose creation failed is deleted by the rollback, so that the retry can create it again.
      expect(set.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(set.UpdateReplacePolicy).toBe('Retain');
    }
  });

  test('operation preferences come from config, and nothing CloudFormation would reject is added', () => {
    for (const [, set] of stackSetResources()) {
      expect(set.Properties.OperationPreferences).toEqual({
        FailureTolerancePercentage: 10,
        MaxConcurrentCount: 5,
        RegionConcurrencyType: 'PARALLEL',
        ConcurrencyMode: 'STRICT_FAILURE_TOLERANCE',
      });
    }
  });

  test('deployed by an administrator of the StackSets administrator account, not by the pipeline', () => {
    expect(stackSets.account).toBe('777777777777');
    expect(stackSets.region).toBe('eu-west-1');
    // CliCredentialsStackSynthesizer: no bootstrap role to assume; the administrator's own credentials.
    expect(assembly.getStackArtifact(stackSets.artifactId).assumeRoleArn).toBeUndefined();
    // Neither a stage of the pipeline nor referenced by the pipeline stack.
    expect(result.platform.stages.flatMap((s) => s.node.findAll()).includes(stackSets)).toBe(false);
    const pipeline = JSON.stringify(assembly.getStackArtifact(result.platform.pipelineStack.artifactId).template);
    expect(pipeline).not.toContain('777777777777');
    expect(pipeline).not.toContain('organization-stacksets');
  });

  test('has its own row in the main job summary, deployed by admin', () => {
    const rows = summarize(result.platform, assembly);
    expect(rows.at(-1)).toMatchObject({
      environment: 'organization stacksets',
      deployedBy: 'admin',
      target: '777777777777/eu-west-1',
      stacks: 1,
      resources: stackSetResources().length,
    });
  });

  test('the StackSets carry the default tags and Environment=organization (CloudFormation propagates them)', () => {
    for (const [, set] of stackSetResources()) {
      expect(set.Properties.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'Environment', Value: 'organization' },
          { Key: 'Project', Value: 'groundwork' },
        ]),
      );
    }
  });
});

describe('member templates', () => {
  test('the security baseline: trail, recorder, rules and remediations; no Lambda, no asset, no bootstrap version rule', () => {
    const member = stackSets.memberTemplates.securityBaseline!.template;
    expect(resourcesOfType(member, 'AWS::CloudTrail::Trail')).toHaveLength(1);
    expect(resourcesOfType(member, 'AWS::Config::ConfigurationRecorder')).toHaveLength(1);
    expect(resourcesOfType(member, 'AWS::GuardDuty::Detector')).toHaveLength(1);
    expect(
      resourcesOfType(member, 'AWS::Config::RemediationConfiguration').map(([, r]) => r.Properties.TargetId),
    ).toEqual(
      expect.arrayContaining([
        'AWSConfigRemediation-ConfigureS3PublicAccessBlock',
        'AWSConfigRemediation-EnableEbsEncryptionByDefault',
        'AWSConfigRemediation-SetIAMPasswordPolicy',
      ]),
    );
    expect(resourcesOfType(member, 'AWS::Lambda::Function')).toEqual([]);
    expect(resourcesOfType(member, 'Custom::AWS')).toEqual([]);
    expect(member.Parameters?.BootstrapVersion).toBeUndefined();
    expect(member.Rules?.CheckBootstrapVersion).toBeUndefined();
    expect(JSON.stringify(member)).not.toMatch(/cdk-hnb659fds-assets|AssetParameters/);
  });

  test('IAM resources are recorded in the one configured region only', () => {
    const member = stackSets.memberTemplates.securityBaseline!.template;
    expect(member.Conditions.IsGlobalResourcesRegion).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] });
    const [[, recorder]] = resourcesOfType(member, 'AWS::Config::ConfigurationRecorder');
    expect(recorder.Properties.RecordingGroup.IncludeGlobalResourceTypes).toEqual({
      'Fn::If': ['IsGlobalResourcesRegion', true, false],
    });
  });

  test('the multi-region audit trail, what serves only it, its CIS alarms and the dashboard exist in the global-resources region only', () => {
    const member = stackSets.memberTemplates.securityBaseline!.template;
    const { home, everywhere } = byCondition(member);
    // One trail per account: a multi-region trail in each target region would log every event N times.
    const [[trailId, trail]] = resourcesOfType(member, 'AWS::CloudTrail::Trail');
    expect(trail.Condition).toBe(GLOBAL_RESOURCES_CONDITION);
    expect(trail.Properties).toMatchObject({ IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true });
    // The trail with its key, buckets, log group and log role: the whole AuditTrail construct.
    const trailParts = Object.keys(member.Resources).filter((id) => id.startsWith('BaselineAuditTrail'));
    expect(trailParts).toContain(trailId);
    expect(typesOf(member, trailParts)).toEqual(
      new Set([
        'AWS::CloudTrail::Trail',
        'AWS::KMS::Key',
        'AWS::S3::Bucket',
        'AWS::S3::BucketPolicy',
        'AWS::Logs::LogGroup',
        'AWS::IAM::Role',
        'AWS::IAM::Policy',
      ]),
    );
    const filters = resourcesOfType(member, 'AWS::Logs::MetricFilter').map(([id]) => id);
    const alarms = resourcesOfType(member, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    const dashboards = resourcesOfType(member, 'AWS::CloudWatch::Dashboard').map(([id]) => id);
    // The 14 CIS controls, the GuardDuty, Security Hub, Access Analyzer and Config rule changes, and the
    // alerting changes (three filters: account-wide, and the alert topic's and key's own calls).
    expect([filters.length, alarms.length, dashboards.length]).toEqual([21, 19, 1]);
    // The Config rules on IAM resources (one IAM per account), the password policy remediation, and the
    // remediation role's permission to set the password policy (no region gets it without the runbook).
    const iamRules = [
      ...resourcesOfType(member, 'AWS::Config::ConfigRule').filter(([, r]) =>
        IAM_RULE_IDENTIFIERS.includes(r.Properties.Source.SourceIdentifier),
      ),
      ...resourcesOfType(member, 'AWS::Config::RemediationConfiguration').filter(
        ([, r]) => r.Properties.TargetId === 'AWSConfigRemediation-SetIAMPasswordPolicy',
      ),
      ...resourcesOfType(member, 'AWS::IAM::ManagedPolicy').filter(([, r]) =>
        JSON.stringify(r.Properties.PolicyDocument).includes('iam:UpdateAccountPasswordPolicy'),
      ),
    ].map(([id]) => id);
    expect(iamRules).toHaveLength(IAM_RULE_IDENTIFIERS.length + 2);
    // Exactly these, nothing more.
    expect(home.sort()).toEqual([...trailParts, ...filters, ...alarms, ...dashboards, ...iamRules].sort());

    // Regional services stay in every region.
    for (const type of [
      'AWS::GuardDuty::Detector',
      'AWS::SecurityHub::Hub',
      'AWS::SecurityHub::Standard',
      'AWS::AccessAnalyzer::Analyzer',
      'AWS::Config::ConfigurationRecorder',
      'AWS::Config::DeliveryChannel',
      'AWS::Config::ConfigRule',
      'AWS::Config::RemediationConfiguration',
      'AWS::Events::Rule',
      'AWS::SNS::Topic',
    ]) {
      expect({ type, everywhere: typesOf(member, everywhere).has(type) }).toEqual({ type, everywhere: true });
    }
    // The Config bucket logs its access to a bucket of every region, not to the trail's.
    const [[, configBucket]] = resourcesOfType(member, 'AWS::S3::Bucket').filter(([id]) =>
      id.startsWith('BaselineConfigRecorderBucket'),
    );
    const logTarget = configBucket.Properties.LoggingConfiguration.DestinationBucketName.Ref;
    expect(member.Resources[logTarget]).toMatchObject({ Type: 'AWS::S3::Bucket' });
    expect(member.Resources[logTarget].Condition).toBeUndefined();
  });

  test('nothing that exists in every region references what exists in the global-resources region only', () => {
    const member = stackSets.memberTemplates.securityBaseline!.template;
    expect(byCondition(member).home.length).toBeGreaterThan(0);
    expect(unguardedConditionalReferences(member)).toEqual([]);
  });

  test('Config rules AWS Config lacks in some target regions exist only where it offers them; IAM rules in the global-resources region only', () => {
    const member = stackSets.memberTemplates.securityBaseline!.template;
    const rules = resourcesOfType(member, 'AWS::Config::ConfigRule');
    const conditionOf = (identifier: string) =>
      rules.find(([, r]) => r.Properties.Source.SourceIdentifier === identifier)?.[1].Condition;
    // The IAM rules in the one region that records IAM (eu-west-1), not in eu-central-1 too, where AWS
    // Config also offers them: IAM is one per account, and a periodic rule evaluates it in every region
    // it is added to. Others by their own region lists.
    for (const identifier of IAM_RULE_IDENTIFIERS) {
      expect({ identifier, condition: conditionOf(identifier) }).toEqual({
        identifier,
        condition: GLOBAL_RESOURCES_CONDITION,
      });
    }
    expect(member.Conditions.GlobalIamRecordingRegion).toBeUndefined();
    expect(conditionOf('KMS_CMK_NOT_SCHEDULED_FOR_DELETION')).toBe('ConfigRuleKmsCmkNotScheduledForDeletionAvailable');
    expect(conditionOf('INCOMING_SSH_DISABLED')).toBeUndefined();
    const kms = JSON.stringify(member.Conditions.ConfigRuleKmsCmkNotScheduledForDeletionAvailable);
    expect(kms).toMatch(/^\{"Fn::Not":\[.*"eu-south-1".*\]\}$/);
    // The guardrail's password remediation follows its rule.
    const [[, remediation]] = resourcesOfType(member, 'AWS::Config::RemediationConfiguration').filter(([, r]) =>
      r.Properties.TargetId.endsWith('SetIAMPasswordPolicy'),
    );
    expect(remediation.Condition).toBe(GLOBAL_RESOURCES_CONDITION);
  });

  test('the audit trail and its retained log group are named after the stack instance, not fixed', () => {
    const member = stackSets.memberTemplates.securityBaseline!.template;
    // The stack id's UUID: new for every stack CloudFormation creates, so a log group retained by an
    // earlier instance in the account (a rolled-back creation, an account that left a unit and came
    // back) does not block the next one.
    const instanceId = { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] };
    const [[, trail]] = resourcesOfType(member, 'AWS::CloudTrail::Trail');
    expect(trail.Properties.TrailName).toEqual({ 'Fn::Join': ['-', [AUDIT_TRAIL_NAME_PREFIX, instanceId]] });
    const [[, logGroup]] = resourcesOfType(member, 'AWS::Logs::LogGroup');
    // Kept when the instance is deleted (the account left a unit), and then in the way of the next one.
    expect(logGroup.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(JSON.stringify(logGroup.Properties.LogGroupName)).toContain(JSON.stringify(instanceId));
    // Every named resource of the template: none is a fixed string.
    const named = Object.entries<any>(member.Resources).flatMap(([id, r]) =>
      Object.entries<any>(r.Properties ?? {})
        .filter(
          ([key, value]) =>
            /^(TrailName|LogGroupName|BucketName|RoleName|AliasName|Name)$/.test(key) && typeof value === 'string',
        )
        .map(([key, value]) => `${id}.${key}=${value}`),
    );
    expect(named).toEqual([]);
  });

  test('the deployment trust: the least-privilege bootstrap, trusting only the tooling account pipeline roles', () => {
    const member = stackSets.memberTemplates.deploymentTrust!.template;
    const roleNames = JSON.stringify(resourcesOfType(member, 'AWS::IAM::Role').map(([, r]) => r.Properties.RoleName));
    expect(roleNames).toContain('cdk-');
    expect(roleNames).toContain('deploy-role');
    expect(roleNames).toContain('cfn-exec-role');
    expect(JSON.stringify(member)).toContain('":iam::111111111111:role/example-platform*"');
    expect(Object.values(member.Parameters).every((p: any) => p.Default !== undefined)).toBe(true);
    expect(member.Rules?.CheckBootstrapVersion).toBeUndefined();
    expect(resourcesOfType(member, 'AWS::Lambda::Function')).toEqual([]);
  });

  test("the deploy role may change neither StackSet's instance in a member account, in any region", () => {
    const member = stackSets.memberTemplates.deploymentTrust!.template;
    const statements = resourcesOfType(member, 'AWS::IAM::ManagedPolicy').flatMap(([, p]) =>
      [p.Properties.PolicyDocument.Statement].flat(),
    );
    const protect = statements.filter((s: any) => s.Sid === 'ProtectBootstrapStack');
    expect(protect).toHaveLength(1);
    expect(protect[0].Effect).toBe('Deny');
    const resource = JSON.stringify(protect[0].Resource);
    // Instances are named StackSet-<stack set name>-<id>; CDKToolkit does not exist in these accounts.
    expect(resource).toContain(':cloudformation:*:');
    const pattern = /:stack\/(StackSet-[^"]*)\/\*/.exec(resource)![1];
    const matches = (name: string) => new RegExp(`^${pattern.replace(/\*/g, '.*')}$`).test(name);
    // The security baseline's instance too: through it the pipeline could remove Config rules and alarms; and
    // any other StackSet's instance in the account (AWS Control Tower's, another team's).
    for (const stackSet of [
      'example-deployment-trust',
      'example-security-baseline',
      'AWSControlTowerBP-BASELINE-CLOUDWATCH',
    ]) {
      expect({ stackSet, protected: matches(`StackSet-${stackSet}-0a1b2c3d-aaaa-bbbb-cccc-0123456789ab`) }).toEqual({
        stackSet,
        protected: true,
      });
    }
    expect(matches('example-dev-network')).toBe(false);
  });

  test('TemplateBody when the template fits 51,200 bytes, an S3 asset for TemplateURL when larger', () => {
    const trust = stackSets.memberTemplates.deploymentTrust!;
    const baseline = stackSets.memberTemplates.securityBaseline!;
    expect(trust.size).toBeLessThanOrEqual(TEMPLATE_BODY_MAX_BYTES);
    expect(trust.delivery).toBe('TemplateBody');
    expect(baseline.size).toBeGreaterThan(TEMPLATE_BODY_MAX_BYTES);
    expect(baseline.delivery).toBe('TemplateURL');

    const byName = Object.fromEntries(stackSetResources().map(([, r]) => [r.Properties.StackSetName, r.Properties]));
    expect(JSON.parse(byName['example-deployment-trust'].TemplateBody)).toEqual(trust.template);
    expect(byName['example-deployment-trust'].TemplateURL).toBeUndefined();
    expect(byName['example-security-baseline'].TemplateBody).toBeUndefined();
    expect(JSON.stringify(byName['example-security-baseline'].TemplateURL)).toMatch(
      /cdk-hnb659fds-assets-777777777777-eu-west-1\/[0-9a-f]{64}\.json/,
    );
    // The asset is the baseline template itself.
    const manifest = assembly.tryGetArtifact(`${stackSets.artifactId}.assets`) as cxapi.AssetManifestArtifact;
    const files = Object.values((manifest.contents as any).files ?? {}) as any[];
    const assets = files.filter((f) => f.source.path.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const staged = JSON.parse(fs.readFileSync(path.join(assembly.directory, assets[0].source.path), 'utf-8'));
    expect(staged).toEqual(baseline.template);
  });
});

describe('unguardedConditionalReferences (the check the member template must pass)', () => {
  const conditioned = { Type: 'AWS::S3::Bucket', Condition: 'Home' };
  test('finds a Ref, GetAtt, Sub variable or DependsOn to a conditioned resource from outside its condition', () => {
    const refs = unguardedConditionalReferences({
      Resources: {
        Trail: conditioned,
        ByRef: { Type: 'T', Properties: { A: [{ Ref: 'Trail' }] } },
        ByGetAtt: { Type: 'T', Properties: { A: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Trail', 'Arn'] }]] } } },
        BySub: { Type: 'T', Properties: { A: { 'Fn::Sub': 'arn:${Trail.Arn}:${AWS::Region}' } } },
        ByDependsOn: { Type: 'T', DependsOn: ['Trail'] },
        InTheFalseBranch: { Type: 'T', Properties: { A: { 'Fn::If': ['Home', 'x', { Ref: 'Trail' }] } } },
        UnderAnotherCondition: { Type: 'T', Condition: 'Other', Properties: { A: { Ref: 'Trail' } } },
      },
      Outputs: { Out: { Value: { Ref: 'Trail' } } },
    });
    expect(refs.map((r) => `${r.from} ${r.via}`)).toEqual([
      'Resources.ByRef Ref',
      'Resources.ByGetAtt Fn::GetAtt',
      'Resources.BySub Fn::Sub',
      'Resources.ByDependsOn DependsOn',
      'Resources.InTheFalseBranch Ref',
      'Resources.UnderAnotherCondition Ref',
      'Outputs.Out Ref',
    ]);
  });

  test('accepts references under the same condition, in the true branch of Fn::If, and to parameters', () => {
    expect(
      unguardedConditionalReferences({
        Parameters: { P: { Type: 'String' } },
        Resources: {
          Trail: conditioned,
          Sibling: { Type: 'T', Condition: 'Home', DependsOn: 'Trail', Properties: { A: { Ref: 'Trail' } } },
          Guarded: {
            Type: 'T',
            Properties: { A: { 'Fn::If': ['Home', { 'Fn::GetAtt': 'Trail.Arn' }, { Ref: 'AWS::NoValue' }] } },
          },
          Plain: { Type: 'T', Properties: { A: { Ref: 'P' }, B: { 'Fn::Sub': ['${X}', { X: { Ref: 'P' } }] } } },
        },
        Outputs: { Out: { Condition: 'Home', Value: { Ref: 'Trail' } } },
      }),
    ).toEqual([]);
  });
});

describe('variants of the stackSets section', () => {
  test('autoDeployment false: AutoDeployment is { Enabled: false } alone (CloudFormation rejects RetainStacksOnAccountRemoval without it)', () => {
    const { template: t } = stackSetsVariant(`${ADMIN_AND_TARGET}  autoDeployment: false\n`);
    const sets = resourcesOfType(t, 'AWS::CloudFormation::StackSet');
    expect(sets).toHaveLength(2);
    for (const [, set] of sets) expect(set.Properties.AutoDeployment).toEqual({ Enabled: false });
  });

  test('autoDeployment on (the default): the retain setting is sent with it', () => {
    const { template: t } = stackSetsVariant(`${ADMIN_AND_TARGET}  parts:\n    securityBaseline: false\n`);
    const [[, set]] = resourcesOfType(t, 'AWS::CloudFormation::StackSet');
    expect(set.Properties.AutoDeployment).toEqual({ Enabled: true, RetainStacksOnAccountRemoval: false });
  });

  test('securityBaseline switches: no detector, hub or recorder when off; the rules stay (on the existing recorder)', () => {
    const { stack } = stackSetsVariant(
      `${ADMIN_AND_TARGET}  securityBaseline:\n    guardDuty: false\n    securityHub: false\n    configRecorder: false\n`,
    );
    const member = stack.memberTemplates.securityBaseline!.template;
    for (const type of [
      'AWS::GuardDuty::Detector',
      'AWS::SecurityHub::Hub',
      'AWS::SecurityHub::Standard',
      'AWS::Config::ConfigurationRecorder',
      'AWS::Config::DeliveryChannel',
    ]) {
      expect({ type, resources: resourcesOfType(member, type) }).toEqual({ type, resources: [] });
    }
    // The rules and the guardrails' remediations evaluate the recorder that already exists.
    expect(resourcesOfType(member, 'AWS::Config::ConfigRule').length).toBeGreaterThan(10);
    expect(resourcesOfType(member, 'AWS::Config::RemediationConfiguration')).toHaveLength(3);
    expect(resourcesOfType(member, 'AWS::AccessAnalyzer::Analyzer')).toHaveLength(1);
    // The trail keeps its place in the global-resources region, with nothing left dangling.
    expect(resourcesOfType(member, 'AWS::CloudTrail::Trail')[0][1].Condition).toBe(GLOBAL_RESOURCES_CONDITION);
    expect(unguardedConditionalReferences(member)).toEqual([]);
  });

  test('a global-resources region where AWS Config cannot record IAM (recorder off): the IAM rules keep their own region condition', () => {
    const { stack } = stackSetsVariant(
      '  administrator:\n    account: "777777777777"\n    region: eu-west-1\n' +
        '  targets:\n    - organizationalUnitId: ou-ab12-cd34ef56\n      regions: [eu-south-2, eu-west-1]\n' +
        '  globalResourcesRegion: eu-south-2\n  securityBaseline:\n    configRecorder: false\n',
    );
    const member = stack.memberTemplates.securityBaseline!.template;
    expect(member.Conditions.IsGlobalResourcesRegion).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-south-2'] });
    // AWS Config does not offer them in eu-south-2: they stay where it does (here eu-west-1).
    const iamRules = resourcesOfType(member, 'AWS::Config::ConfigRule').filter(([, r]) =>
      IAM_RULE_IDENTIFIERS.includes(r.Properties.Source.SourceIdentifier),
    );
    expect(iamRules).toHaveLength(IAM_RULE_IDENTIFIERS.length);
    expect(new Set(iamRules.map(([, r]) => r.Condition))).toEqual(new Set(['GlobalIamRecordingRegion']));
    expect(JSON.stringify(member.Conditions.GlobalIamRecordingRegion)).not.toContain('"eu-south-2"');
    expect(unguardedConditionalReferences(member)).toEqual([]);
  });

  test.each([
    ['guardDuty', 'AWS::GuardDuty::Detector'],
    ['securityHub', 'AWS::SecurityHub::Hub'],
    ['configRecorder', 'AWS::Config::ConfigurationRecorder'],
    // AWS allows one account-level analyzer per account and region: where the accounts have one already.
    ['accessAnalyzer', 'AWS::AccessAnalyzer::Analyzer'],
  ])('securityBaseline.%s: false turns off %s only', (switchName, type) => {
    const { stack } = stackSetsVariant(`${ADMIN_AND_TARGET}  securityBaseline:\n    ${switchName}: false\n`);
    const member = stack.memberTemplates.securityBaseline!.template;
    const present = (t: string) => resourcesOfType(member, t).length > 0;
    const services = [
      'AWS::GuardDuty::Detector',
      'AWS::SecurityHub::Hub',
      'AWS::Config::ConfigurationRecorder',
      'AWS::AccessAnalyzer::Analyzer',
    ];
    expect(services.map((t) => [t, present(t)])).toEqual(services.map((t) => [t, t !== type]));
    expect(unguardedConditionalReferences(member)).toEqual([]);
  });
});

describe('the compliance report', () => {
  test('lists the security baseline member template: the rules run and each acknowledgement with its reason', () => {
    const app = stackSets.node.root as App;
    const report = collectComplianceReport(app, result.packs);
    // The deployment trust's template is rendered text, not constructs: no member report for it.
    expect(report!.stackSetMembers.map((m) => [m.stackName, m.stackPath])).toEqual([
      ['example-security-baseline', 'OrganizationStackSets/example-security-baseline'],
    ]);
    const [member] = report!.stackSetMembers;
    expect(new Set(member.rules.map((r) => r.pack))).toEqual(new Set(['AwsSolutions', 'NIST.800.53.R5', 'Groundwork']));
    expect(member.rules.find((r) => r.ruleId === 'Groundwork-IAM5')).toMatchObject({ violations: 0 });
    expect(member.violations).toEqual([]);
    // Every role's boundary finding is acknowledged on that role, with the reason and the role's path.
    const iam5 = member.acknowledgements.filter((a) => a.ruleId === 'Groundwork-IAM5');
    expect(iam5.length).toBeGreaterThan(0);
    for (const ack of iam5) {
      expect(ack.constructPath).toMatch(/^securityBaselineMember\/Baseline\//);
      expect(ack.reason).toContain('StackSets execution role');
      expect(ack.suppressedFindings).toBe(1);
    }
    // The environments' and pipeline's stacks are still reported as before, beside the members.
    expect(report!.stacks.map((s) => s.stackName)).toContain('example-organization-stacksets');

    const markdown = renderMarkdown(report!);
    expect(markdown).toMatch(
      /## StackSet member templates[\s\S]*\| example-security-baseline \| \d+ \| 0 \| [1-9]\d* \|/,
    );
    expect(markdown).toContain('**Groundwork-IAM5** on `securityBaselineMember/Baseline/');
    expect(markdown).toContain('(example-security-baseline, 1 finding(s))');
  });
});

describe('synthesizeMemberTemplate', () => {
  const base = { owner: 'Owner', part: 'example', tags: { Project: 'groundwork' }, checks: [] };

  test('rejects an asset with a clear error', () => {
    expect(() =>
      synthesizeMemberTemplate({
        ...base,
        build: (stack: Stack) => new s3assets.Asset(stack, 'File', { path: __filename }),
      }),
    ).toThrow(/^Owner: invalid example StackSet template: expected no assets \(a StackSet instance in a new account/);
  });

  test('rejects an unacknowledged compliance finding, naming rule and construct', () => {
    expect(() =>
      synthesizeMemberTemplate({
        ...base,
        checks: [new AwsSolutionsChecks()],
        build: (stack: Stack) => new s3.CfnBucket(stack, 'Bucket'),
      }),
    ).toThrow(
      /Owner: the example StackSet template fails the compliance gate:\n {2}AwsSolutions-S1 at exampleMember\/Bucket/,
    );
  });
});

describe('without the stackSets section', () => {
  test('no StackSets stack is composed', () => {
    process.env.CDK_VALIDATION = 'false';
    const platform = composePlatform(
      new App({ outdir: tmpOutdir('no-stacksets') }),
      loadPlatformConfig(path.join(FIXTURES, 'valid')),
      {
        complianceGate: [],
      },
    );
    expect(platform.organizationStackSets).toBeUndefined();
  });
});

describe('config', () => {
  const minimal = {
    'groundwork.yaml': [
      [
        'branches:',
        'stackSets:\n  administrator:\n    account: "777777777777"\n    region: eu-west-1\n  targets:\n    - organizationalUnitId: ou-ab12-cd34ef56\n      regions: [eu-west-1]\nbranches:',
      ],
    ] as [string, string][],
  };

  test('defaults: delegated administrator, auto-deployment on, stacks removed with the account, both parts', () => {
    const config = loadPlatformConfig(configWith(minimal));
    expect(config.groundwork.stackSets).toEqual({
      administrator: { account: '777777777777', region: 'eu-west-1', callAs: 'DELEGATED_ADMIN' },
      targets: [{ organizationalUnitId: 'ou-ab12-cd34ef56', regions: ['eu-west-1'] }],
      autoDeployment: true,
      retainStacksOnAccountRemoval: false,
      operationPreferences: { regionConcurrency: 'SEQUENTIAL', concurrencyMode: 'STRICT_FAILURE_TOLERANCE' },
      parts: { securityBaseline: true, deploymentTrust: true },
      securityBaseline: { guardDuty: true, securityHub: true, configRecorder: true, accessAnalyzer: true },
      deploymentTrust: { allowedServices: expect.arrayContaining(['cloudformation', 'iam', 's3']) },
    });
  });

  test('a count and a percentage together are rejected, naming file, line, field, expected and found', () => {
    const dir = configWith({
      'groundwork.yaml': [
        [
          minimal['groundwork.yaml'][0][0],
          minimal['groundwork.yaml'][0][1].replace(
            'branches:',
            '  operationPreferences:\n    maxConcurrentCount: 2\n    maxConcurrentPercentage: 50\nbranches:',
          ),
        ],
      ],
    });
    const issues = readPlatformConfig(dir).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      path: 'stackSets.operationPreferences.maxConcurrentPercentage',
      expected:
        'maxConcurrentCount or maxConcurrentPercentage, not both (CloudFormation StackSet operation preferences)',
      found: 'both (maxConcurrentCount: 2)',
    });
  });

  test('the section appears in the JSON Schema (editor completion), whose target pattern admits units, not the root', () => {
    const groundwork = renderJsonSchemas()['schema/groundwork.schema.json'] as any;
    expect(Object.keys(groundwork.properties)).toContain('stackSets');
    expect(groundwork.required).not.toContain('stackSets');
    const section = groundwork.properties.stackSets;
    const pattern = new RegExp(section.properties.targets.items.properties.organizationalUnitId.pattern);
    expect(['ou-ab12-cd34ef56', 'r-ab12'].map((id) => pattern.test(id))).toEqual([true, false]);
    expect(Object.keys(section.properties.securityBaseline.properties)).toEqual([
      'guardDuty',
      'securityHub',
      'configRecorder',
      'accessAnalyzer',
    ]);
  });

  const issuesOf = (section: string) =>
    readPlatformConfig(configWithStackSets(section)).issues.map((i) => ({ ...i, file: path.basename(i.file) }));
  const twoTargets = (first: string, second: string) =>
    '  administrator:\n    account: "777777777777"\n    region: eu-west-1\n  targets:\n' +
    `    - organizationalUnitId: ou-ab12-cd34ef56\n      regions: ${first}\n` +
    `    - organizationalUnitId: ou-ab12-zz34ef99\n      regions: ${second}\n`;

  test('the global-resources region must be a region of every target: explicit, or the default first region', () => {
    expect(issuesOf(twoTargets('[eu-west-1, eu-central-1]', '[us-east-1, eu-west-1]'))).toEqual([]);
    expect(issuesOf(twoTargets('[eu-west-1, eu-central-1]', '[us-east-1]'))).toEqual([
      expect.objectContaining({
        file: 'groundwork.yaml',
        path: 'stackSets.targets[1].regions',
        expected: expect.stringMatching(/^"eu-west-1" among the regions, the global-resources region \(by default/),
        found: 'the regions "us-east-1"',
      }),
    ]);
    const explicit = `${twoTargets('[eu-west-1, eu-central-1]', '[eu-west-1]')}  globalResourcesRegion: eu-central-1\n`;
    expect(issuesOf(explicit)).toEqual([
      expect.objectContaining({
        path: 'stackSets.targets[1].regions',
        expected: expect.stringMatching(/^"eu-central-1" among the regions, .*\(stackSets\.globalResourcesRegion\)/),
        found: 'the regions "eu-west-1"',
      }),
    ]);
    // A misspelt region is the schema's to report, once.
    expect(issuesOf(twoTargets('[eu-west-1]', '[eu-wst-1]')).map((i) => i.path)).toEqual([
      'stackSets.targets[1].regions[0]',
    ]);
  });

  test('the global-resources region must be one where AWS Config records IAM; by default the first such region', () => {
    // Zurich (2022) cannot record IAM; Frankfurt can: the default skips Zurich.
    expect(issuesOf(twoTargets('[eu-central-2, eu-central-1]', '[eu-central-1]'))).toEqual([]);
    const config = loadPlatformConfig(
      configWithStackSets(twoTargets('[eu-central-2, eu-central-1]', '[eu-central-1]')),
    );
    const stack = new OrganizationStackSetsStack(
      new App({ outdir: tmpOutdir('stacksets-zurich') }),
      'OrganizationStackSets',
      {
        groundwork: config.groundwork,
        stackSets: config.groundwork.stackSets!,
        trustedRoleNamePatterns: ['example-platform*'],
        memberChecks: [],
      },
    );
    expect(stack.memberTemplates.securityBaseline!.template.Conditions[GLOBAL_RESOURCES_CONDITION]).toEqual({
      'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-central-1'],
    });
    // Explicitly a region that cannot.
    expect(
      issuesOf(
        `${twoTargets('[eu-central-2, eu-central-1]', '[eu-central-2]')}  globalResourcesRegion: eu-central-2\n`,
      ),
    ).toEqual([
      expect.objectContaining({
        file: 'groundwork.yaml',
        path: 'stackSets.globalResourcesRegion',
        expected: expect.stringMatching(
          /^a region where AWS Config records IAM resources \(af-south-1, .*\): AWS Config records IAM only in the regions it served before February 2022$/,
        ),
        found: '"eu-central-2", where it cannot (no account of the units would have its IAM recorded)',
      }),
    ]);
    // By default, and no region of the first target can.
    expect(issuesOf(twoTargets('[eu-central-2, eu-south-2]', '[eu-central-2]'))).toEqual([
      expect.objectContaining({
        path: 'stackSets.targets[0].regions',
        expected: expect.stringMatching(
          /^a region where AWS Config records IAM resources among the first target's regions \(the default global-resources region\), or stackSets.globalResourcesRegion set to one/,
        ),
        found: 'the regions "eu-central-2", "eu-south-2", where AWS Config cannot record IAM',
      }),
    ]);
    // Without the baseline's own recorder, IAM is recorded by another one: no constraint.
    expect(
      issuesOf(`${twoTargets('[eu-central-2]', '[eu-central-2]')}  securityBaseline:\n    configRecorder: false\n`),
    ).toEqual([]);
  });

  test('the administrator may not be the tooling account or an environment account', () => {
    const admin = (account: string) => ADMIN_AND_TARGET.replace('"777777777777"', `"${account}"`);
    expect(issuesOf(admin('222222222222'))).toEqual([]);
    expect(issuesOf(admin('111111111111'))).toEqual([
      expect.objectContaining({
        file: 'groundwork.yaml',
        path: 'stackSets.administrator.account',
        expected: expect.stringMatching(/^an account the pipeline does not deploy to, not the tooling account/),
        found: '"111111111111", the tooling account',
      }),
    ]);
    expect(issuesOf(admin('555555555555'))).toEqual([
      expect.objectContaining({
        path: 'stackSets.administrator.account',
        found: '"555555555555", the account of environments/prod.yaml',
      }),
    ]);
  });

  test('the organization root is not a target: one error that says why', () => {
    expect(issuesOf(ADMIN_AND_TARGET.replace('ou-ab12-cd34ef56', 'r-ab12'))).toEqual([
      expect.objectContaining({
        path: 'stackSets.targets[0].organizationalUnitId',
        expected: expect.stringContaining('not the organization root (the root holds every account'),
        found: '"r-ab12"',
      }),
    ]);
  });
});
