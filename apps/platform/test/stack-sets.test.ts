import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { configWith, FIXTURES } from './config/fixtures';
import { resourcesOfType, tmpOutdir } from './helpers';
import { collectComplianceReport, renderMarkdown } from '../src/compliance';
import { loadPlatformConfig, readPlatformConfig, renderJsonSchemas } from '../src/config';
import { createApp, synthesizePlatform, SynthesisResult } from '../src/main';
import {
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
          { DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'] }, Regions: ['eu-west-1'] },
        ],
      });
      // Removing the section must not tear the baseline out of every account of the units.
      expect(set.DeletionPolicy).toBe('Retain');
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
    expect(stackSets.account).toBe('444444444444');
    expect(stackSets.region).toBe('eu-west-1');
    // CliCredentialsStackSynthesizer: no bootstrap role to assume; the administrator's own credentials.
    expect(assembly.getStackArtifact(stackSets.artifactId).assumeRoleArn).toBeUndefined();
    // Neither a stage of the pipeline nor referenced by the pipeline stack.
    expect(result.platform.stages.flatMap((s) => s.node.findAll()).includes(stackSets)).toBe(false);
    const pipeline = JSON.stringify(assembly.getStackArtifact(result.platform.pipelineStack.artifactId).template);
    expect(pipeline).not.toContain('444444444444');
    expect(pipeline).not.toContain('organization-stacksets');
  });

  test('has its own row in the main job summary, deployed by admin', () => {
    const rows = summarize(result.platform, assembly);
    expect(rows.at(-1)).toMatchObject({
      environment: 'organization stacksets',
      deployedBy: 'admin',
      target: '444444444444/eu-west-1',
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
      /cdk-hnb659fds-assets-444444444444-eu-west-1\/[0-9a-f]{64}\.json/,
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
        'stackSets:\n  administrator:\n    account: "444444444444"\n    region: eu-west-1\n  targets:\n    - organizationalUnitId: ou-ab12-cd34ef56\n      regions: [eu-west-1]\nbranches:',
      ],
    ] as [string, string][],
  };

  test('defaults: delegated administrator, auto-deployment on, stacks removed with the account, both parts', () => {
    const config = loadPlatformConfig(configWith(minimal));
    expect(config.groundwork.stackSets).toEqual({
      administrator: { account: '444444444444', region: 'eu-west-1', callAs: 'DELEGATED_ADMIN' },
      targets: [{ organizationalUnitId: 'ou-ab12-cd34ef56', regions: ['eu-west-1'] }],
      autoDeployment: true,
      retainStacksOnAccountRemoval: false,
      operationPreferences: { regionConcurrency: 'SEQUENTIAL', concurrencyMode: 'STRICT_FAILURE_TOLERANCE' },
      parts: { securityBaseline: true, deploymentTrust: true },
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

  test('the section appears in the JSON Schema (editor completion)', () => {
    const groundwork = renderJsonSchemas()['schema/groundwork.schema.json'] as any;
    expect(Object.keys(groundwork.properties)).toContain('stackSets');
    expect(groundwork.required).not.toContain('stackSets');
  });
});
