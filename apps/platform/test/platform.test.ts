import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import {
  BootstrapContract,
  BootstrapRoleKind,
  DeploymentBoundary,
  ServiceAllowList,
} from '@groundwork/cross-account-roles';
import { DriftReconciler } from '@groundwork/pipeline';
import { App, CfnResource, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  allStackArtifacts,
  cloudFormationRoleName,
  EXAMPLE_CONFIG_DIR,
  exampleConfig,
  globMatches,
  intrinsicResolver,
  resourcesOfType,
  templateOf,
  PIPELINE_STACK_RESOURCE_TYPES,
  tmpOutdir,
  withEnv,
} from './helpers';
import { writeSyntheticConfig } from './scale/synthetic-config';
import { AccountAccessStack } from '../src/account-access-stack';
import {
  deploymentTrustProps,
  pipelineStackRegions,
  renderEnvironmentBootstrapTemplate,
  renderToolingBootstrapTemplate,
  toolingDeploymentTrustProps,
} from '../src/bootstrap-template';
import { collectComplianceReport, createCompliancePacks, writeComplianceReport } from '../src/compliance';
import { loadPlatformConfig } from '../src/config';
import { driftReconcileTrustPolicy, pipelineSize } from '../src/config/validate';
import { COMPACT_VALIDATION_BELOW, createApp, synthesizePlatform, SynthesisResult } from '../src/main';
import { composePlatform, driftCheckedAccessResources } from '../src/platform';
import { environmentStackNames, pipelineRoleNamePattern, pipelineStackName } from '../src/stack-names';
import { renderTable, summarize } from '../src/summary';
import { ParallelTemplateValidation } from '../src/template-validation';

/**
 * The main job on the built-in example config: one synthesis, shared by every
 * assertion below (a platform synth takes tens of seconds).
 */
let result: SynthesisResult;
let assembly: cxapi.CloudAssembly;
let outdir: string;
const config = exampleConfig();

beforeAll(() => {
  outdir = tmpOutdir('platform');
  const app = createApp(outdir);
  result = synthesizePlatform(app, config);
  assembly = result.assembly;
});

test('one stage per environment, in config order, each with its network, security and operations stacks', () => {
  expect(result.platform.stages.map((s) => s.stageName)).toEqual(['dev', 'test', 'prod']);
  for (const stage of result.platform.stages) {
    const names = stage.node.children
      .filter((c): c is import('aws-cdk-lib').Stack => 'stackName' in c)
      .map((s) => s.stackName);
    expect(names).toEqual([
      `example-${stage.stageName}-network`,
      `example-${stage.stageName}-operations`,
      `example-${stage.stageName}-security`,
    ]);
    const env = config.environments.find((e) => e.name === stage.stageName)!;
    expect(stage.account).toBe(env.account);
    expect(stage.region).toBe(env.region);
  }
});

test('each package contributes: VPC (networking), trail and recorder (security-baseline), drift detector and pipeline (pipeline), roles (cross-account-roles)', () => {
  const dev = result.platform.stages[0];
  expect(resourcesOfType(templateOf(assembly, dev.network), 'AWS::EC2::VPC')).toHaveLength(1);
  expect(resourcesOfType(templateOf(assembly, dev.network), 'AWS::EC2::FlowLog').length).toBeGreaterThan(0);
  expect(resourcesOfType(templateOf(assembly, dev.security), 'AWS::CloudTrail::Trail')).toHaveLength(1);
  expect(resourcesOfType(templateOf(assembly, dev.security), 'AWS::Config::ConfigurationRecorder')).toHaveLength(1);
  expect(resourcesOfType(templateOf(assembly, dev.operations), 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
  expect(
    resourcesOfType(templateOf(assembly, result.platform.pipelineStack), 'AWS::CodePipeline::Pipeline'),
  ).toHaveLength(1);
  const access = templateOf(assembly, result.platform.accessStacks[0]);
  const roleNames = resourcesOfType(access, 'AWS::IAM::Role').map(([, r]) => r.Properties.RoleName);
  expect(roleNames).toEqual(expect.arrayContaining(['groundwork-security-audit', 'groundwork-break-glass']));
});

test('CloudFormation validation ran in its worker, each template once, while the app synthesized', () => {
  const stacks = allStackArtifacts(assembly).length;
  // Every template was handed to the worker before the validation plugins ran (the stages' as soon as
  // the pipeline had synthesized them, the others when the first pack ran), and none changed afterwards.
  expect(result.validation).toMatchObject({ validated: stacks, reused: stacks });
  // Three environments: compact (main.ts COMPACT_VALIDATION_BELOW), and the worker was done and ended when the
  // first pack ran, so the compliance report was not collected while waiting for it.
  expect(result.validation?.compact).toBe(true);
  expect(result.compliance).toBeUndefined();
  const report = JSON.parse(fs.readFileSync(`${outdir}/validation-report.json`, 'utf-8'));
  expect(
    report.pluginReports.filter((r: { pluginName: string }) => r.pluginName === 'CloudFormation Validate'),
  ).toHaveLength(1);
});

test(`the engine runs compact below ${COMPACT_VALIDATION_BELOW} environments, and optimizing from there`, () => {
  const chosen = (environments: number): boolean | undefined => {
    const dir = tmpOutdir(`compact-${environments}`);
    writeSyntheticConfig(dir, environments);
    const register = jest.spyOn(ParallelTemplateValidation, 'register').mockImplementation(() => {
      throw new Error('registered');
    });
    try {
      expect(() => synthesizePlatform(createApp(tmpOutdir('compact-app')), loadPlatformConfig(dir))).toThrow(
        'registered',
      );
      return register.mock.calls[0][1]?.compact;
    } finally {
      register.mockRestore();
    }
  };
  expect(chosen(COMPACT_VALIDATION_BELOW - 1)).toBe(true);
  expect(chosen(COMPACT_VALIDATION_BELOW)).toBe(false);
});

test("the pipeline stack's resource types are the ones the bootstrap-template tests stand in for it", () => {
  const template = templateOf(assembly, result.platform.pipelineStack);
  const types = [...new Set(Object.values<{ Type: string }>(template.Resources).map((r) => r.Type))].sort();
  expect(types).toEqual([...PIPELINE_STACK_RESOURCE_TYPES].sort());
});

test('synthesis needs no AWS lookups: no missing context, AZs from config', () => {
  expect(assembly.manifest.missing ?? []).toEqual([]);
  for (const nested of assembly.nestedAssemblies) {
    expect(nested.nestedAssembly.manifest.missing ?? []).toEqual([]);
  }
  const prod = result.platform.stages.find((s) => s.stageName === 'prod')!;
  const azs = resourcesOfType(templateOf(assembly, prod.network), 'AWS::EC2::Subnet').map(
    ([, r]) => r.Properties.AvailabilityZone,
  );
  expect([...new Set(azs)].sort()).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
});

test("the cloud assembly carries no resource's creation stack trace (cdk.json); CDK_DEBUG=true brings them back", () => {
  const count = (artifacts: cxapi.CloudFormationStackArtifact[], type: string) =>
    artifacts.reduce((n, a) => n + a.findMetadataByType(type).length, 0);
  const artifacts = allStackArtifacts(assembly);
  // The metadata is still written (logical IDs, acknowledgements with their reasons), only the traces are gone.
  expect(count(artifacts, 'aws:cdk:logicalId')).toBeGreaterThan(100);
  expect(count(artifacts, 'aws:cdk:acknowledged-rules')).toBeGreaterThan(0);
  expect(count(artifacts, 'aws:cdk:creationStack')).toBe(0);

  const debugAssembly = withEnv('CDK_DEBUG', 'true', () => {
    const app = createApp(tmpOutdir('debug'));
    new CfnResource(new Stack(app, 'Debug'), 'Handle', { type: 'AWS::CloudFormation::WaitConditionHandle' });
    return app.synth();
  });
  expect(count(debugAssembly.stacks, 'aws:cdk:creationStack')).toBeGreaterThan(0);
});

test('every IAM role in every account carries the deployment permissions boundary; the deployed ones its role tag', () => {
  const boundary = BootstrapContract.boundaryPolicyName(BootstrapContract.DEFAULT_QUALIFIER, '');
  // The access stacks are deployed by an administrator: their roles must stay out of the pipeline's reach.
  const accessStacks = new Set(result.platform.accessStacks.map((stack) => stack.stackName));
  let roles = 0;
  for (const artifact of allStackArtifacts(assembly)) {
    for (const [id, role] of resourcesOfType(artifact.template, 'AWS::IAM::Role')) {
      roles++;
      const tags: { Key: string; Value: string }[] = role.Properties.Tags ?? [];
      expect({
        stack: artifact.stackName,
        id,
        boundary: JSON.stringify(role.Properties.PermissionsBoundary ?? null),
        tag: tags.find((t) => t.Key === BootstrapContract.BOUNDARY_TAG_KEY)?.Value,
      }).toEqual({
        stack: artifact.stackName,
        id,
        boundary: expect.stringContaining(boundary),
        tag: accessStacks.has(artifact.stackName) ? undefined : BootstrapContract.DEFAULT_QUALIFIER,
      });
    }
  }
  expect(roles).toBeGreaterThan(20);
});

const environmentBootstraps = new Map<string, string>();
/** An environment's bootstrap template, as `npm run bootstrap-template -- --env` writes it; rendered once. */
function environmentBootstrap(envName: string): string {
  if (!environmentBootstraps.has(envName)) {
    environmentBootstraps.set(envName, renderEnvironmentBootstrapTemplate(config, envName));
  }
  return environmentBootstraps.get(envName)!;
}

let toolingBootstrapTemplate: string | undefined;
/** The tooling account's bootstrap template, from the synthesized pipeline stack; rendered once. */
function toolingBootstrap(): string {
  toolingBootstrapTemplate ??= renderToolingBootstrapTemplate(
    config,
    templateOf(assembly, result.platform.pipelineStack),
  );
  return toolingBootstrapTemplate;
}

/** The ARN of a deployed stack (any stack id), as IAM matches it. */
function stackArn(account: string, region: string, stackName: string): string {
  return `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
}

/** An environment's bootstrap template (what `cdk bootstrap` deploys there): its policy statements, by Sid. */
function bootstrapStatements(envName: string): Map<string, any> {
  const template = JSON.parse(environmentBootstrap(envName));
  const statements = resourcesOfType(template, 'AWS::IAM::ManagedPolicy').flatMap(
    ([, r]) => r.Properties.PolicyDocument.Statement,
  );
  return new Map(statements.map((st: any) => [st.Sid, st]));
}

/** The templates of one environment's stage. */
function stageTemplates(envName: string): any[] {
  const stage = result.platform.stages.find((s) => s.stageName === envName)!;
  return [stage.network, stage.operations, stage.security].map((stack) => templateOf(assembly, stack));
}

/** An IAM pattern (`s3:Get*`, `arn:aws:iam::*:role/cdk-*`) as a case-insensitive regular expression. */
function iamPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
}

/**
 * The Allow statements of the permissions boundary in a bootstrap template, with the template's
 * intrinsics resolved as IAM would see them in `account` and `region` (default qualifier).
 */
function boundaryAllows(bootstrapTemplate: string, account: string, region: string): any[] {
  return bootstrapPolicyStatements(bootstrapTemplate, 'groundwork-boundary-', account, region).filter(
    (st: any) => st.Effect === 'Allow',
  );
}

/**
 * The statements of the bootstrap template's managed policy whose name or logical id contains `name`, with
 * the template's intrinsics resolved as IAM would see them in `account` and `region` (default qualifier).
 */
function bootstrapPolicyStatements(bootstrapTemplate: string, name: string, account: string, region: string): any[] {
  const found = resourcesOfType(JSON.parse(bootstrapTemplate), 'AWS::IAM::ManagedPolicy').filter(
    ([id, r]) => id.includes(name) || String(JSON.stringify(r.Properties.ManagedPolicyName)).includes(name),
  );
  expect(found).toHaveLength(1);
  const [[, policy]] = found;
  const resolve = intrinsicResolver(JSON.parse(bootstrapTemplate), account, region, (ref) => `<${ref}>`);
  return [].concat(resolve(policy.Properties.PolicyDocument.Statement));
}

/** Whether the statements allow `action` on `resource` and no Deny among them matches (conditions not evaluated). */
function policyAllowsCall(statements: any[], action: string, resource: string): boolean {
  const matches = (st: any) =>
    [].concat(st.Action).some((a: string) => iamPattern(a).test(action)) &&
    [].concat(st.Resource).some((r: string) => iamPattern(r).test(resource));
  return (
    statements.some((st) => st.Effect === 'Allow' && matches(st)) &&
    !statements.some((st) => st.Effect === 'Deny' && matches(st))
  );
}

/** Whether the boundary's Allow statements allow `action` on `resource` (conditions are not evaluated). */
function boundaryAllowsCall(allows: any[], action: string, resource: string): boolean {
  return allows.some(
    (st) =>
      [].concat(st.Action).some((a: string) => iamPattern(a).test(action)) &&
      [].concat(st.Resource).some((r: string) => iamPattern(r).test(resource)),
  );
}

/**
 * The actions that roles in `templates` are granted by their own policies, and that the boundary does
 * not allow. AWS managed policies (AWS_ConfigRole, ReadOnlyAccess) are not known offline; a wildcard
 * such as iam:Get* passes when the boundary allows some of what it names (the boundary caps it on
 * purpose), an exact action only when the boundary allows it. Reads of services the templates deploy
 * nothing of are not the role's own calls: the drift detector reads only the resources its stacks have.
 */
function actionsOutsideBoundary(templates: any[], allows: any[]): { checked: number; outside: string[] } {
  const deployed = new Set(ServiceAllowList.fromTemplates(templates));
  const allowedNames: string[] = allows.flatMap((st: any) => [].concat(st.Action));
  const isRead = (action: string) => /^[a-z0-9-]+:(Describe|Get|List)/.test(action);
  let checked = 0;
  const outside = new Set<string>();
  for (const template of templates) {
    const policies = [
      ...resourcesOfType(template, 'AWS::IAM::Policy').map(([, p]) => p.Properties.PolicyDocument),
      ...resourcesOfType(template, 'AWS::IAM::ManagedPolicy').map(([, p]) => p.Properties.PolicyDocument),
      ...resourcesOfType(template, 'AWS::IAM::Role').flatMap(([, r]) =>
        (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument),
      ),
    ];
    for (const statement of policies.flatMap((doc) => [].concat(doc.Statement)) as any[]) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of [].concat(statement.Action ?? []) as string[]) {
        checked++;
        if (isRead(action) && !deployed.has(action.split(':')[0])) continue;
        const ok = action.includes('*')
          ? allowedNames.some((name) => iamPattern(action).test(name) || iamPattern(name).test(action))
          : allowedNames.some((name) => iamPattern(name).test(action));
        if (!ok) outside.add(action);
      }
    }
  }
  return { checked, outside: [...outside].sort() };
}

test("each environment's CloudFormation execution role may create every resource type of its stacks", () => {
  for (const env of config.environments) {
    const allowed: string[] = bootstrapStatements(env.name).get('AllowedServices').Action;
    const needed = ServiceAllowList.fromTemplates(stageTemplates(env.name));
    // The platform's own stacks need these beyond the obvious ones (a custom resource is a Lambda call).
    expect(needed).toEqual(expect.arrayContaining(['access-analyzer', 'lambda', 'states']));
    const missing = needed.filter((service) => service !== 'iam' && !allowed.includes(`${service}:*`));
    expect({ env: env.name, missing }).toEqual({ env: env.name, missing: [] });
  }
});

test("every action an environment's roles are granted is within that environment's permissions boundary", () => {
  let checked = 0;
  for (const env of config.environments) {
    const allows = boundaryAllows(environmentBootstrap(env.name), env.account, env.region);
    const found = actionsOutsideBoundary(stageTemplates(env.name), allows);
    checked += found.checked;
    expect({ env: env.name, outside: found.outside }).toEqual({ env: env.name, outside: [] });
    if (env.drift.autoReconcile) {
      // The drift detector starts the reconciler through the reconcile role in the tooling account.
      const reconcile = `arn:aws:iam::${config.groundwork.tooling.account}:role/example-platform-drift-reconcile`;
      expect(boundaryAllowsCall(allows, 'sts:AssumeRole', reconcile)).toBe(true);
    }
  }
  expect(checked).toBeGreaterThan(100);
});

test("the pipeline's roles work under the tooling account's boundary: every action, and the bootstrap roles they go through", () => {
  const tooling = config.groundwork.tooling.account;
  const pipelineTemplate = templateOf(assembly, result.platform.pipelineStack);
  const allows = boundaryAllows(toolingBootstrap(), tooling, config.groundwork.tooling.region);
  const found = actionsOutsideBoundary([pipelineTemplate], allows);
  expect(found.checked).toBeGreaterThan(50);
  expect(found.outside).toEqual([]);
  // Deploying, publishing assets and self-mutating go through the bootstrap roles of each account.
  const roles = [config.groundwork.tooling, ...config.environments].flatMap(({ account, region }) =>
    [BootstrapRoleKind.DEPLOY, BootstrapRoleKind.FILE_PUBLISHING].map((kind) =>
      BootstrapContract.roleArn(kind, BootstrapContract.DEFAULT_QUALIFIER, account, region, 'aws'),
    ),
  );
  for (const role of roles) {
    expect({ role, allowed: boundaryAllowsCall(allows, 'sts:AssumeRole', role) }).toEqual({ role, allowed: true });
  }
  expect(
    boundaryAllowsCall(allows, 'sts:AssumeRole', `arn:aws:iam::${tooling}:role/OrganizationAccountAccessRole`),
  ).toBe(false);
});

test("each access stack's break-glass alerts are out of reach of every role under its account's boundary; the tooling boundary has no such deny", () => {
  const denies = (bootstrap: string, account: string, region: string) =>
    bootstrapPolicyStatements(bootstrap, 'groundwork-boundary-', account, region).filter((st) => st.Effect === 'Deny');
  for (const stack of result.platform.accessStacks) {
    const env = config.environments.find((e) => e.account === stack.account && e.region === stack.region)!;
    const boundaryDenies = denies(environmentBootstrap(env.name), env.account, env.region);
    const deniedCall = (action: string, resource: string) =>
      boundaryDenies.some(
        (st) =>
          st.Condition === undefined &&
          [st.Action].flat().some((a: string) => iamPattern(a).test(action)) &&
          [st.Resource].flat().some((r: string) => iamPattern(r).test(resource)),
      );
    const access = templateOf(assembly, stack);
    const rules = resourcesOfType(access, 'AWS::Events::Rule').map(([, r]) => r.Properties.Name);
    const alarms = resourcesOfType(access, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
    expect(rules.length).toBeGreaterThanOrEqual(2);
    expect(alarms.length).toBeGreaterThanOrEqual(1);
    for (const name of rules) {
      const arn = `arn:aws:events:${env.region}:${env.account}:rule/${name}`;
      for (const action of ['events:DisableRule', 'events:DeleteRule', 'events:PutRule', 'events:RemoveTargets']) {
        expect({ arn, action, denied: deniedCall(action, arn) }).toEqual({ arn, action, denied: true });
      }
    }
    for (const name of alarms) {
      const arn = `arn:aws:cloudwatch:${env.region}:${env.account}:alarm:${name}`;
      for (const action of ['cloudwatch:DeleteAlarms', 'cloudwatch:DisableAlarmActions', 'cloudwatch:PutMetricAlarm']) {
        expect({ arn, action, denied: deniedCall(action, arn) }).toEqual({ arn, action, denied: true });
      }
    }
    // The topic and its key are denied by their tag, whatever their generated names.
    const tagged = boundaryDenies.filter((st) =>
      JSON.stringify(st.Condition ?? {}).includes(`aws:ResourceTag/${DeploymentBoundary.ALERT_TAG_KEY}`),
    );
    expect(tagged).toHaveLength(1);
    const [[tagCondition, tagValue]] = Object.entries<string>(tagged[0].Condition.StringEquals);
    const tagKey = tagCondition.replace('aws:ResourceTag/', '');
    for (const type of ['AWS::SNS::Topic', 'AWS::KMS::Key']) {
      const found = resourcesOfType(access, type);
      expect(found.length).toBeGreaterThanOrEqual(1);
      for (const [id, resource] of found) {
        const tags = resource.Properties.Tags ?? [];
        expect({ id, tagged: tags.some((t: any) => t.Key === tagKey && t.Value === tagValue) }).toEqual({
          id,
          tagged: true,
        });
      }
    }
    expect([tagged[0].Action].flat()).toEqual(expect.arrayContaining(['sns:*', 'kms:*']));
  }
  // The tooling account has no access stack: its boundary spends no characters on the alerts.
  const toolingDenies = denies(toolingBootstrap(), config.groundwork.tooling.account, config.groundwork.tooling.region);
  expect(toolingDenies.length).toBeGreaterThan(0);
  expect(JSON.stringify(toolingDenies)).not.toContain(`aws:ResourceTag/${DeploymentBoundary.ALERT_TAG_KEY}`);
  expect(toolingDenies.flatMap((st) => [st.Resource].flat()).filter((r) => /:rule\/|:alarm:/.test(r))).toEqual([]);
});

test('the pipeline deploys waves in order; production behind the permissions check and a manual approval, dev without', () => {
  const pipeline = Template.fromJSON(templateOf(assembly, result.platform.pipelineStack));
  const [, cfn] = Object.entries(pipeline.findResources('AWS::CodePipeline::Pipeline'))[0] as [string, any];
  const stages: Array<{ Name: string; Actions: any[] }> = cfn.Properties.Stages;
  const names = stages.map((s) => s.Name);
  expect(names.indexOf('nonprod')).toBeLessThan(names.indexOf('prod'));
  const approvals = (stage: string) =>
    stages
      .find((s) => s.Name === stage)!
      .Actions.filter((a) => a.ActionTypeId.Category === 'Approval')
      .map((a) => a.Name);
  expect(approvals('nonprod')).toEqual([]);
  expect(approvals('prod')).toEqual(expect.arrayContaining([expect.stringMatching(/Approve/)]));
  expect(approvals('prod').length).toBe(2); // permissions-broadening check, then the manual approval
  expect(cfn.Properties.PipelineType).toBe('V2');
});

/** The stages of the pipeline resource in a pipeline stack's template. */
function pipelineStages(template: any): Array<{ Name: string; Actions: any[] }> {
  return resourcesOfType(template, 'AWS::CodePipeline::Pipeline')[0][1].Properties.Stages;
}

function cloudFormationActions(template: any): any[] {
  return pipelineStages(template).flatMap((s) => s.Actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation'));
}

/**
 * The example's pipeline template with `pipeline.changeSets: true`, composed once for the tests that
 * compare both modes (no validation plugins: only the pipeline's shape is read).
 */
let changeSetsPipeline: any;
function pipelineWithChangeSets(): any {
  if (!changeSetsPipeline) {
    const withChangeSets = {
      ...config,
      groundwork: { ...config.groundwork, pipeline: { ...config.groundwork.pipeline, changeSets: true } },
    };
    const pipelineStack = composePlatform(new App(), withChangeSets, { complianceGate: [] }).pipelineStack;
    changeSetsPipeline = Template.fromStack(pipelineStack).toJSON();
  }
  return changeSetsPipeline;
}

test('by default each stack deploys in one CREATE_UPDATE action, after the approval; changeSets: true adds Prepare', () => {
  expect(config.groundwork.pipeline.changeSets).toBe(false);
  const pipeline = templateOf(assembly, result.platform.pipelineStack);
  const stackNames = result.platform.stages
    .flatMap((s) => s.node.children.filter((c): c is Stack => Stack.isStack(c)))
    .map((s) => s.stackName)
    .sort();
  const byDefault = cloudFormationActions(pipeline);
  expect(byDefault.map((a) => a.Configuration.StackName).sort()).toEqual(stackNames);
  expect(new Set(byDefault.map((a) => a.Configuration.ActionMode))).toEqual(new Set(['CREATE_UPDATE']));
  const prod = pipelineStages(pipeline).find((s) => s.Name === 'prod')!.Actions;
  const approve = prod.find((a) => a.Name === 'Approve')!;
  for (const action of prod.filter((a) => a.ActionTypeId.Provider === 'CloudFormation')) {
    expect(action.RunOrder).toBeGreaterThan(approve.RunOrder);
  }

  // With change sets: a Prepare (create) and a Deploy (execute) action for every stack.
  const modes = cloudFormationActions(pipelineWithChangeSets()).map(
    (a) => `${a.Configuration.StackName}:${a.Configuration.ActionMode}`,
  );
  expect(modes.sort()).toEqual(
    stackNames.flatMap((name) => [`${name}:CHANGE_SET_EXECUTE`, `${name}:CHANGE_SET_REPLACE`]),
  );
});

test("the pipeline's size in stages and actions is what the config validation computes, in both modes", () => {
  // checkPipelineQuotas holds each branch's pipeline to CodePipeline's quotas with pipelineSize.
  for (const [pipeline, changeSets] of [
    [templateOf(assembly, result.platform.pipelineStack), false],
    [pipelineWithChangeSets(), true],
  ] as const) {
    const stages = pipelineStages(pipeline);
    expect({ changeSets, ...pipelineSize(config.environments, changeSets) }).toEqual({
      changeSets,
      stages: stages.length,
      actions: stages.flatMap((stage) => stage.Actions).length,
    });
  }
});

test("the drift-reconcile role's trust policy is the one the config validation measures against IAM's quota", () => {
  const pipeline = templateOf(assembly, result.platform.pipelineStack);
  const { account, region } = config.groundwork.tooling;
  const [[, role]] = resourcesOfType(pipeline, 'AWS::IAM::Role').filter(
    ([, r]) => r.Properties.RoleName === 'example-platform-drift-reconcile',
  );
  const accounts = config.environments.filter((e) => e.drift.autoReconcile).map((e) => e.account);

  expect(accounts).toEqual(['333333333333', '444444444444']);
  // As IAM stores it: resolved, in the commercial partition, without white space.
  const deployed = JSON.stringify(
    intrinsicResolver(pipeline, account, region)(role.Properties.AssumeRolePolicyDocument),
  );
  expect(deployed).toBe(driftReconcileTrustPolicy(config.groundwork.organization.name, accounts));
});

test("each environment's bootstrap deploy role allows the CloudFormation calls of its pipeline actions, in both modes", () => {
  // What CodePipeline's CloudFormation action calls, per action mode (CodePipeline action reference).
  const callsOf: Record<string, string[]> = {
    CREATE_UPDATE: ['cloudformation:CreateStack', 'cloudformation:UpdateStack'],
    CHANGE_SET_REPLACE: ['cloudformation:CreateChangeSet', 'cloudformation:DeleteChangeSet'],
    CHANGE_SET_EXECUTE: ['cloudformation:ExecuteChangeSet'],
  };
  const deployPermissions = (envName: string): string[] => {
    const { account, region } = config.environments.find((e) => e.name === envName)!;
    // The DeployPermissions statement is the deploy role's own (DeploymentTrust, cross-account-roles).
    const statements = bootstrapPolicyStatements(environmentBootstrap(envName), 'DeployRolePolicy', account, region);
    const deploy = statements.filter((st: any) => st.Sid === 'DeployPermissions');
    expect(deploy).toHaveLength(1);
    return deploy[0].Action;
  };
  const modes = new Map<string, Set<string>>();
  for (const pipeline of [templateOf(assembly, result.platform.pipelineStack), pipelineWithChangeSets()]) {
    for (const action of cloudFormationActions(pipeline)) {
      const envName = config.environments.find((e) => JSON.stringify(action.RoleArn).includes(e.account))!.name;
      modes.set(envName, (modes.get(envName) ?? new Set()).add(action.Configuration.ActionMode));
    }
  }
  expect(modes.size).toBe(config.environments.length);
  for (const [envName, envModes] of modes) {
    expect([...envModes].sort()).toEqual(['CHANGE_SET_EXECUTE', 'CHANGE_SET_REPLACE', 'CREATE_UPDATE']);
    const allowed = deployPermissions(envName);
    for (const mode of envModes) expect(allowed).toEqual(expect.arrayContaining(callsOf[mode]));
  }
});

test("the tooling account's deploy role may change the pipeline stacks and their support stacks only", () => {
  const { account, region } = config.groundwork.tooling;
  const statements = bootstrapPolicyStatements(toolingBootstrap(), 'DeployRolePolicy', account, region);
  const may = (stackName: string) =>
    policyAllowsCall(statements, 'cloudformation:UpdateStack', stackArn(account, region, stackName));
  // Self-mutation deploys the pipeline stack of each branch, and CodePipeline's cross-region support stacks.
  expect(result.platform.pipelineStack.stackName).toBe('example-platform');
  for (const stackName of ['example-platform', 'example-platform-develop']) {
    expect({ stackName, allowed: may(stackName) }).toEqual({ stackName, allowed: true });
  }
  for (const stackName of ['example-organization-stacksets', 'example-dev-network', 'CDKToolkit']) {
    expect({ stackName, allowed: may(stackName) }).toEqual({ stackName, allowed: false });
  }

  // The example deploys in the tooling region only, so its pipeline has no support stack: move test to
  // us-east-1 and prod to eu-central-1. A support stack is in its environment's region, and a stack ARN
  // names its region, but the stack is deployed with the tooling region's bootstrap roles.
  const configDir = tmpOutdir('support-stacks');
  fs.cpSync(EXAMPLE_CONFIG_DIR, configDir, { recursive: true });
  for (const [envName, envRegion] of [
    ['test', 'us-east-1'],
    ['prod', 'eu-central-1'],
  ]) {
    const file = path.join(configDir, 'environments', `${envName}.yaml`);
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf-8')
        .replace(`region: ${region}`, `region: ${envRegion}`)
        // Auto-reconcile reaches the pipeline only in its own region (DriftDetector).
        .replace('autoReconcile: true', 'autoReconcile: false'),
    );
  }
  const multiRegion = loadPlatformConfig(configDir);
  const app = new App();
  const platform = composePlatform(app, multiRegion, { complianceGate: [] });
  // Only the pipeline's shape, the manifest and the deploy role's policy are read: no template validation.
  const [multiRegionAssembly, bootstrap] = withEnv('CDK_VALIDATION', 'false', () => {
    const synthesized = app.synth();
    return [
      synthesized,
      renderToolingBootstrapTemplate(multiRegion, templateOf(synthesized, platform.pipelineStack)),
    ] as const;
  });
  const supportStacks = Object.values(platform.pipeline.cdkPipeline.pipeline.crossRegionSupport)
    .map((support) => support.stack)
    .filter((stack) => stack !== platform.pipelineStack);
  expect(supportStacks.map((stack) => `${stack.region}/${stack.stackName}`).sort()).toEqual([
    'eu-central-1/example-platform-support-eu-central-1',
    'us-east-1/example-platform-support-us-east-1',
  ]);
  const deployRole = bootstrapPolicyStatements(bootstrap, 'DeployRolePolicy', account, region);
  const deployRoleName = BootstrapContract.roleName(
    BootstrapRoleKind.DEPLOY,
    BootstrapContract.DEFAULT_QUALIFIER,
    account,
    region,
  );
  // What `cdk deploy` of the pipeline stack calls for each support stack (a change set, by default).
  const calls = ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet', 'cloudformation:UpdateStack'];
  const mayIn = (stackRegion: string, stackName: string) =>
    calls.filter((call) => policyAllowsCall(deployRole, call, stackArn(account, stackRegion, stackName)));
  for (const stack of supportStacks) {
    const artifact = allStackArtifacts(multiRegionAssembly).find((a) => a.stackName === stack.stackName)!;
    expect(artifact.environment).toMatchObject({ account, region: stack.region });
    expect(artifact.assumeRoleArn).toContain(`:role/${deployRoleName}`);
    expect({ stack: stack.stackName, allowed: mayIn(stack.region, stack.stackName) }).toEqual({
      stack: stack.stackName,
      allowed: calls,
    });
  }
  expect(mayIn(region, 'example-platform')).toEqual(calls);
  // Not in a region without an environment, and never the bootstrap stack of any region.
  for (const [stackRegion, stackName] of [
    ['ap-south-1', 'example-platform-support-ap-south-1'],
    ['us-east-1', 'CDKToolkit'],
    ['us-east-1', 'example-test-network'],
  ]) {
    expect({ stackRegion, stackName, allowed: mayIn(stackRegion, stackName) }).toEqual({
      stackRegion,
      stackName,
      allowed: [],
    });
  }
});

test("each environment's deploy role may change exactly the stacks the pipeline deploys there", () => {
  const pipeline = templateOf(assembly, result.platform.pipelineStack);
  for (const env of config.environments) {
    const statements = bootstrapPolicyStatements(
      environmentBootstrap(env.name),
      'DeployRolePolicy',
      env.account,
      env.region,
    );
    const may = (action: string, stackName: string) =>
      policyAllowsCall(statements, action, stackArn(env.account, env.region, stackName));
    const deployed = cloudFormationActions(pipeline)
      .filter((action) => JSON.stringify(action.RoleArn).includes(env.account))
      .map((action) => action.Configuration.StackName as string);
    const stage = result.platform.stages.find((s) => s.stageName === env.name)!;
    expect([...new Set(deployed)].sort()).toEqual(
      [stage.network, stage.operations, stage.security].map((st) => st.stackName).sort(),
    );
    for (const stackName of deployed) {
      for (const action of [
        'cloudformation:CreateStack',
        'cloudformation:UpdateStack',
        'cloudformation:CreateChangeSet',
      ]) {
        expect({ stackName, action, allowed: may(action, stackName) }).toEqual({ stackName, action, allowed: true });
      }
    }
    // Not the access stack an administrator deploys, another environment's stacks, or the bootstrap stack.
    const other = config.environments.find((e) => e.name !== env.name)!;
    for (const stackName of [
      `example-${env.name}-access`,
      `example-${other.name}-network`,
      'CDKToolkit',
      'orders-api-service',
    ]) {
      for (const action of [
        'cloudformation:UpdateStack',
        'cloudformation:DeleteStack',
        'cloudformation:CreateChangeSet',
      ]) {
        expect({ stackName, action, allowed: may(action, stackName) }).toEqual({ stackName, action, allowed: false });
      }
    }
  }
});

test('production stacks are protected from deletion; others are not', () => {
  for (const stage of result.platform.stages) {
    for (const stack of [stage.network, stage.security, stage.operations]) {
      expect({ stack: stack.stackName, protected: stack.terminationProtection }).toEqual({
        stack: stack.stackName,
        protected: stage.stageName === 'prod',
      });
    }
  }
});

test('tags from config reach the resources inside each stage', () => {
  const dev = result.platform.stages[0];
  const [, vpc] = resourcesOfType(templateOf(assembly, dev.network), 'AWS::EC2::VPC')[0];
  const tags = Object.fromEntries(vpc.Properties.Tags.map((t: any) => [t.Key, t.Value]));
  expect(tags).toMatchObject({ Environment: 'dev', Project: 'groundwork', Owner: 'platform-team' });
});

test("each environment's unauthorized-API-calls alarm fires at its configured count, the other CIS alarms at 1", () => {
  for (const stage of result.platform.stages) {
    const env = config.environments.find((e) => e.name === stage.stageName)!;
    const alarms = resourcesOfType(templateOf(assembly, stage.security), 'AWS::CloudWatch::Alarm').filter(
      ([, alarm]) => alarm.Properties.Namespace === 'Groundwork/Security',
    );
    const thresholds = Object.fromEntries(alarms.map(([, a]) => [a.Properties.MetricName, a.Properties.Threshold]));
    expect(thresholds.UnauthorizedApiCalls).toBe(env.alarms.unauthorizedApiCalls);
    expect(thresholds.RootAccountUsage).toBe(1);
  }
  expect(new Set(config.environments.map((e) => e.alarms.unauthorizedApiCalls)).size).toBeGreaterThan(1);
});

test('an account with environments in two regions gets one access stack: IAM role names are per account', () => {
  const configDir = tmpOutdir('two-regions');
  fs.cpSync(EXAMPLE_CONFIG_DIR, configDir, { recursive: true });
  const testFile = path.join(configDir, 'environments', 'test.yaml');
  fs.writeFileSync(
    testFile,
    fs
      .readFileSync(testFile, 'utf-8')
      .replace('account: "444444444444"', 'account: "333333333333"')
      .replace('region: eu-west-1', 'region: eu-central-1')
      // Auto-reconcile reaches the pipeline only in its own region (DriftDetector).
      .replace('autoReconcile: true', 'autoReconcile: false'),
  );
  const twoRegions = loadPlatformConfig(configDir);
  const platform = composePlatform(new App(), twoRegions, { complianceGate: [] });
  expect(platform.accessStacks.map((stack) => `${stack.account}/${stack.region}:${stack.stackName}`)).toEqual([
    '333333333333/eu-west-1:example-dev-access',
    '555555555555/eu-west-1:example-prod-access',
  ]);
  const roleNames = platform.accessStacks.flatMap((stack) =>
    Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role')).map(
      (role) => `${stack.account}:${role.Properties.RoleName}`,
    ),
  );
  expect(roleNames.length).toBeGreaterThan(0);
  expect(new Set(roleNames).size).toBe(roleNames.length);
  // Only the environment whose name the access stack carries checks it for drift: the other one's detector, in
  // another region, would find no such stack there.
  const checked = (name: string) =>
    driftCheckedStacks(Template.fromStack(platform.stages.find((s) => s.stageName === name)!.operations).toJSON());
  expect(checked('dev').detectOnly).toEqual(['example-dev-access']);
  expect(checked('test').checked).not.toContain('example-dev-access');
  expect(checked('test').detectOnly).toEqual([]);
});

test('access stacks are deployed with the administrator credentials, not through bootstrap roles', () => {
  for (const stack of result.platform.accessStacks) {
    const artifact = allStackArtifacts(assembly).find((a) => a.stackName === stack.stackName)!;
    expect(artifact.assumeRoleArn).toBeUndefined();
    expect(artifact.cloudFormationExecutionRoleArn).toBeUndefined();
  }
});

test('the compliance report lists zero findings and every acknowledgement with a reason and a construct path', () => {
  const app = result.platform.pipelineStack.node.root as App;
  // The main job may collect the report while the validation worker finishes (template-validation.test.ts
  // covers when): it must be the report collected after synthesis.
  const afterSynthesis = collectComplianceReport(app, result.packs);
  if (result.compliance) expect(result.compliance).toEqual(afterSynthesis);
  // It replays what the packs recorded at synthesis (a not-applicable result once per stack and rule):
  // packs that CDK never ran, so that run every rule again, must give the same report.
  expect(collectComplianceReport(app, createCompliancePacks(app, config.groundwork))).toEqual(afterSynthesis);
  const report = writeComplianceReport(app, result.packs, assembly.directory, result.compliance);
  const json = JSON.parse(fs.readFileSync(`${assembly.directory}/compliance-report.json`, 'utf-8'));
  expect(json.packs).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'Groundwork']);
  const stacks: any[] = json.stacks;
  expect(stacks.map((s) => s.stackName)).toEqual(expect.arrayContaining(['example-platform', 'example-prod-security']));
  expect(stacks.flatMap((s) => s.violations)).toEqual([]);
  // The example has no stackSets section.
  expect(json.stackSetMembers).toEqual([]);
  const acks = stacks.flatMap((s) => s.acknowledgements);
  expect(acks.length).toBeGreaterThan(0);
  for (const ack of acks) {
    expect(ack.reason.length).toBeGreaterThan(20);
    expect(ack.constructPath).toMatch(/\//);
  }
  expect(fs.readFileSync(report.file, 'utf-8')).toContain('## Acknowledgements');
});

test('the hard-coded AZ names are acknowledged on each subnet, the resources that name them, not on the whole VPC', () => {
  const report = collectComplianceReport(result.platform.pipelineStack.node.root as App, result.packs)!;
  for (const stage of result.platform.stages) {
    const acks = report.stacks
      .find((s) => s.stackName === stage.network.stackName)!
      .acknowledgements.filter((a) => a.ruleId === 'CloudFormation-Validate::W3010');
    const subnets = stage.network.node
      .findAll()
      .filter((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::EC2::Subnet')
      .map((c) => c.node.path);
    // Not vacuous: every environment's VPC has subnets in each of its zones.
    expect(subnets.length).toBeGreaterThanOrEqual(2);
    expect(subnets).toHaveLength(resourcesOfType(templateOf(assembly, stage.network), 'AWS::EC2::Subnet').length);
    expect(acks.map((a) => a.constructPath).sort()).toEqual(subnets.sort());
  }
});

test('every acknowledgement of a collected pack suppresses at least one finding (none is stale)', () => {
  const report = collectComplianceReport(result.platform.pipelineStack.node.root as App, result.packs)!;
  // `pack` is set for the AwsSolutions, NIST.800.53.R5 and Groundwork acknowledgements only: CloudFormation
  // validation (a plugin, not a collected pack) is left out. An acknowledgement that suppresses nothing would
  // silently accept the finding if it appeared later (docs/compliance.md).
  const stale = [...report.stacks, ...report.stackSetMembers]
    .flatMap((s) => s.acknowledgements.map((a) => ({ stack: s.stackName, ...a })))
    .filter((a) => a.pack !== undefined && a.suppressedFindings === 0)
    .map((a) => `${a.stack} ${a.constructPath} ${a.ruleId}`);
  expect(stale).toEqual([]);
});

test("each security stack acknowledges the account guardrails' findings once each, each one suppressing a finding", () => {
  const report = collectComplianceReport(result.platform.pipelineStack.node.root as App, result.packs)!;
  for (const stage of result.platform.stages) {
    const stack = report.stacks.find((s) => s.stackName === stage.security.stackName)!;
    // The guardrail function (three NIST findings) and the policy of each of its three settings (IAM5).
    const acks = stack.acknowledgements.filter(
      (a) => a.pack !== undefined && a.constructPath.includes('/AccountGuardrails/'),
    );
    const keys = acks.map((a) => `${a.ruleId} ${a.constructPath.replace(/^.*\/AccountGuardrails\//, '')}`);
    expect(keys.sort()).toEqual([
      'AwsSolutions-IAM5[Resource::*] EbsEncryptionByDefaultPermissions',
      'AwsSolutions-IAM5[Resource::*] PasswordPolicyPermissions',
      'AwsSolutions-IAM5[Resource::*] S3BlockPublicAccessPermissions',
      'NIST.800.53.R5-LambdaConcurrency Handler',
      'NIST.800.53.R5-LambdaDLQ Handler',
      'NIST.800.53.R5-LambdaInsideVPC Handler',
    ]);
    for (const ack of acks) {
      expect({ key: `${ack.ruleId} ${ack.constructPath}`, suppressed: ack.suppressedFindings }).toEqual({
        key: `${ack.ruleId} ${ack.constructPath}`,
        suppressed: 1,
      });
    }
  }
});

test('the summary table has a row per environment with the counted stacks and resources', () => {
  const rows = summarize(result.platform, assembly);
  expect(rows.map((r) => r.environment)).toEqual([
    'pipeline',
    'dev',
    'test',
    'prod',
    'dev access',
    'test access',
    'prod access',
  ]);
  const dev = rows.find((r) => r.environment === 'dev')!;
  const counted = result.platform.stages[0].node.children
    .filter((c): c is import('aws-cdk-lib').Stack => 'stackName' in c)
    .reduce((n, s) => n + Object.keys(templateOf(assembly, s).Resources).length, 0);
  expect(dev).toMatchObject({ stacks: 3, resources: counted, target: '333333333333/eu-west-1' });
  const table = renderTable(rows);
  expect(table.split('\n')[0]).toMatch(/^environment\s+deployed by\s+account\/region\s+stacks\s+resources\s+findings/);
  expect(table).toContain('555555555555/eu-west-1');
});

test('auto-reconcile: the drift detectors of dev and test (not prod) may start the reconciler, and nothing else', () => {
  const pipeline = templateOf(assembly, result.platform.pipelineStack);
  const [, role] = resourcesOfType(pipeline, 'AWS::IAM::Role').find(
    ([, r]) => r.Properties.RoleName === 'example-platform-drift-reconcile',
  )!;
  // One statement: the drift detector roles, by name pattern, in the reconciling environments' accounts.
  const statements = role.Properties.AssumeRolePolicyDocument.Statement;
  expect(statements).toHaveLength(1);
  expect(statements[0].Principal).toEqual({ AWS: '*' });
  expect(statements[0].Condition.StringEquals).toEqual({ 'aws:PrincipalAccount': ['333333333333', '444444444444'] });
  const trusted = /:iam::\*:role\/(\S+?)"/.exec(JSON.stringify(statements[0].Condition.ArnLike))![1];
  expect(trusted).toBe('example-*-drift-detector');
  // The detector roles of dev and test carry the names the pattern matches; prod's keeps a generated name.
  const detectorRoleNames = (name: string) =>
    resourcesOfType(
      templateOf(assembly, result.platform.stages.find((s) => s.stageName === name)!.operations),
      'AWS::IAM::Role',
    )
      .filter(([id]) => id.startsWith('DriftDetectorStateMachineRole'))
      .map(([, r]) => r.Properties.RoleName);
  for (const name of ['dev', 'test']) {
    expect(detectorRoleNames(name)).toEqual([`example-${name}-drift-detector`]);
    expect(globMatches(trusted, `example-${name}-drift-detector`)).toBe(true);
  }
  expect(detectorRoleNames('prod')).toEqual([undefined]);
  const policies = [
    ...resourcesOfType(pipeline, 'AWS::IAM::Policy'),
    ...resourcesOfType(pipeline, 'AWS::IAM::ManagedPolicy'),
  ].filter(([, p]) => JSON.stringify(p.Properties.Roles ?? []).includes('DriftReconcileRole'));
  // Allowed: starting the reconciler only (the denies around it are drift-reconcile.test.ts's subject).
  const allowed = policies.flatMap(([, p]) =>
    p.Properties.PolicyDocument.Statement.filter((s: any) => s.Effect === 'Allow').flatMap((s: any) =>
      [s.Action].flat(),
    ),
  );
  expect(allowed).toEqual(['codebuild:StartBuild']);

  const ops = (name: string) =>
    JSON.stringify(templateOf(assembly, result.platform.stages.find((s) => s.stageName === name)!.operations));
  expect(ops('dev')).toContain('role/example-platform-drift-reconcile');
  // The dev account's own roles are never granted the call: only the reconcile role can make it.
  expect(ops('dev')).not.toMatch(/"codebuild:StartBuild"|codepipeline:StartPipelineExecution/);
  expect(ops('prod')).not.toContain('drift-reconcile');
  expect(ops('prod')).not.toMatch(/startBuild|startPipelineExecution/);
});

/** The drift detector's state machine definition, with the partition and the other references (inside strings) as text. */
function driftDefinition(template: any): any {
  const [[, machine]] = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');
  const parts: any[] = machine.Properties.DefinitionString['Fn::Join'][1];
  return JSON.parse(
    parts.map((p) => (typeof p === 'string' ? p : p.Ref === 'AWS::Partition' ? 'aws' : 'REF')).join(''),
  );
}

/** The stack names a stage's drift detector starts from, and the detect-only ones among them (no reconcile). */
function driftCheckedStacks(template: any): { checked: string[]; detectOnly: string[] } {
  const states = driftDefinition(template).States;
  const detectOnly = /stack in (\[[^\]]*\])/.exec(states.Summarize.Assign.reconcilable)![1];
  return { checked: states.Init.Assign.stacks, detectOnly: JSON.parse(detectOnly) };
}

test("each drift detector checks its stage's three stacks by name, and its account's access stack detect only", () => {
  for (const stage of result.platform.stages) {
    const template = templateOf(assembly, stage.operations);
    const names = stage.node.children
      .filter((c): c is Stack => Stack.isStack(c))
      .map((s) => s.stackName)
      .sort();
    expect(names).toEqual(['network', 'operations', 'security'].map((id) => `example-${stage.stageName}-${id}`));
    // The state machine starts from exactly these names (no ListStacks by prefix): the stage's stacks, then the
    // access stack an administrator deploys, which no reconcile build receives.
    const access = `example-${stage.stageName}-access`;
    expect(result.platform.accessStacks.map((s) => s.stackName)).toContain(access);
    const { checked, detectOnly } = driftCheckedStacks(template);
    expect([...checked].sort()).toEqual([...names, access].sort());
    expect(detectOnly).toEqual([access]);
    expect(JSON.stringify(template)).not.toContain('listStacks');
    // ... and its role may detect drift on them only: no prefix, the access stack by its own name.
    const detect = resourcesOfType(template, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => [s.Action].flat().includes('cloudformation:DetectStackDrift'));
    expect(detect).toHaveLength(1);
    const resources = JSON.stringify(detect[0].Resource);
    for (const name of [...names, access]) expect(resources).toContain(`:stack/${name}/*`);
    expect(resources).not.toContain(`example-${stage.stageName}-*`);
  }
});

/** The drift detector's `checkedLogicalResourceIds`, read back from its state machine's JSONata. */
function driftCheckedResources(template: any): { [stackName: string]: string[] } {
  const item = driftDefinition(template).States.DetectEachStack.ItemProcessor;
  const expression: string = item.States.DetectStackDriftOfChosenResources.Arguments.LogicalResourceIds;
  return JSON.parse(/^\{% \$lookup\((\{.*\}), \$states\.input\) %\}$/.exec(expression)![1]);
}

test('the access stack is checked on every resource of its template but the break-glass alert key and topic and what reads the topic', () => {
  const alertTag = (resource: any) =>
    (resource.Properties?.Tags ?? []).some(
      (t: any) => t.Key === DeploymentBoundary.ALERT_TAG_KEY && t.Value === DeploymentBoundary.ALERT_TAG_VALUE,
    );
  for (const access of result.platform.accessStacks) {
    const template = templateOf(assembly, access);
    // Denied to every role under the boundary, the detector's too: the resources with the tag ...
    const tagged = Object.keys(template.Resources).filter((id) => alertTag(template.Resources[id]));
    expect(tagged.map((id) => template.Resources[id].Type).sort()).toEqual(['AWS::KMS::Key', 'AWS::SNS::Topic']);
    // ... and those whose read handler reads a tagged topic (sns:GetTopicAttributes): its policy and subscriptions.
    const refsTagged = (value: unknown) => [value].flat().some((v: any) => tagged.includes(v?.Ref));
    const readTagged = [
      ...resourcesOfType(template, 'AWS::SNS::TopicPolicy').filter(([, r]) => refsTagged(r.Properties.Topics)),
      ...resourcesOfType(template, 'AWS::SNS::Subscription').filter(([, r]) => refsTagged(r.Properties.TopicArn)),
    ].map(([id]) => id);
    expect(readTagged.length).toBeGreaterThanOrEqual(2);
    // Every other resource of the synthesized template is checked, so a resource added to the stack is too.
    const expected = Object.keys(template.Resources).filter((id) => !tagged.includes(id) && !readTagged.includes(id));
    expect(expected).toEqual(expect.arrayContaining(['SecurityAuditA1ED209D', 'BreakGlass397E96D8']));
    const stage = result.platform.stages.find((s) => s.stageName === access.environmentName)!;
    const operations = templateOf(assembly, stage.operations);
    expect(driftCheckedResources(operations)).toEqual({ [access.stackName]: expected });
    const item = driftDefinition(operations).States.DetectEachStack.ItemProcessor;
    expect(item.States.ChosenResourcesOnly.Choices[0].Condition).toBe(`{% $states.input in ["${access.stackName}"] %}`);
    // The stage's own stacks are checked whole.
    expect(item.States.DetectStackDrift.Arguments).toEqual({ StackName: '{% $states.input %}' });
  }
});

test('driftCheckedAccessResources: a resource added to the access stack is checked, one under the break-glass tag is not', () => {
  const env = config.environments[0];
  const stack = new AccountAccessStack(new App(), 'Access', { environment: env, groundwork: config.groundwork });
  const before = driftCheckedAccessResources(stack);
  const added = new CfnResource(stack, 'Added', { type: 'AWS::SQS::Queue' });
  const protectedTopic = new CfnResource(stack, 'Protected', { type: 'AWS::SNS::Topic' });
  Tags.of(protectedTopic).add(DeploymentBoundary.ALERT_TAG_KEY, DeploymentBoundary.ALERT_TAG_VALUE);
  expect(driftCheckedAccessResources(stack)).toEqual([...before, stack.resolve(added.logicalId)]);
  // The synthesized template: every resource is checked but the tagged ones and the topic's policy and subscriptions.
  const template = Template.fromStack(stack).toJSON();
  const skipped = Object.keys(template.Resources).filter((id) => !driftCheckedAccessResources(stack).includes(id));
  expect(skipped.map((id) => template.Resources[id].Type).sort()).toEqual([
    'AWS::KMS::Key',
    'AWS::SNS::Subscription',
    'AWS::SNS::Topic',
    'AWS::SNS::Topic',
    'AWS::SNS::TopicPolicy',
  ]);
});

/*
 * The tooling account's bootstrap against the pipeline that self-mutation deploys through it. CloudFormation
 * creates and updates the pipeline with the tooling execution role, and the pipeline's source action names
 * the repository connection, a resource created outside the stack: CreatePipeline and UpdatePipeline need
 * PassConnection on it, or self-mutation fails with AccessDenied while every synth and offline check passes.
 */
const CONNECTION_SERVICES = ['codeconnections', 'codestar-connections'];

/** The synthesized example pipeline stack's template. */
function synthesizedPipelineTemplate(): any {
  return templateOf(assembly, result.platform.pipelineStack);
}

/** The statements of the bootstrap template's managed policy whose logical id contains `id`. */
function policyStatements(bootstrap: any, id: string): any[] {
  const found = resourcesOfType(bootstrap, 'AWS::IAM::ManagedPolicy').filter(([logicalId]) => logicalId.includes(id));
  expect(found).toHaveLength(1);
  return [].concat(found[0][1].Properties.PolicyDocument.Statement);
}

/** Whether an Allow statement names `action` (exactly, or as `<service>:*`) on `resource` (exactly or `*`). */
function grants(statement: any, action: string, resource: string): boolean {
  return (
    statement.Effect === 'Allow' &&
    [statement.Action].flat().some((a: string) => a === action || a === `${action.split(':')[0]}:*`) &&
    [statement.Resource].flat().some((r: unknown) => r === resource || r === '*')
  );
}

test("the tooling execution role may pass the source action's connection to CodePipeline, and the boundary lets it", () => {
  const sources = resourcesOfType(synthesizedPipelineTemplate(), 'AWS::CodePipeline::Pipeline')
    .flatMap(([, p]) => p.Properties.Stages)
    .flatMap((stage: any) => stage.Actions)
    .filter((action: any) => action.ActionTypeId.Provider === 'CodeStarSourceConnection');
  expect(sources.length).toBeGreaterThan(0);
  const connections = [...new Set(sources.map((action: any) => action.Configuration.ConnectionArn))];
  expect(connections).toEqual([config.groundwork.repository.connectionArn]);

  const bootstrap = JSON.parse(toolingBootstrap());
  const execution = policyStatements(bootstrap, 'ExecutionPolicy');
  const boundary = policyStatements(bootstrap, 'Boundary');
  for (const prefix of CONNECTION_SERVICES) {
    const action = `${prefix}:PassConnection`;
    // Which service name CodePipeline checks is not documented per ARN form: both are granted.
    const passes = execution.filter((st) => [st.Action].flat().includes(action));
    expect(passes).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Resource: connections[0],
        Condition: { StringEquals: { [`${prefix}:PassedToService`]: 'codepipeline.amazonaws.com' } },
      }),
    ]);
    // The execution role holds no other grant of it (e.g. through `<service>:*`).
    expect(execution.filter((st) => grants(st, action, 'arn:aws:codeconnections:eu-west-1:1:connection/x'))).toEqual(
      [],
    );
    expect({ action, boundary: boundary.some((st) => grants(st, action, connections[0])) }).toEqual({
      action,
      boundary: true,
    });
  }
});

test('the older codestar-connections ARN of a connection is passed the same way', () => {
  const legacy = config.groundwork.repository.connectionArn.replace(':codeconnections:', ':codestar-connections:');
  const withLegacy = {
    ...config,
    groundwork: { ...config.groundwork, repository: { ...config.groundwork.repository, connectionArn: legacy } },
  };
  expect(toolingDeploymentTrustProps(withLegacy, synthesizedPipelineTemplate()).passableConnectionArns).toEqual([
    legacy,
  ]);
  const execution = policyStatements(
    JSON.parse(renderToolingBootstrapTemplate(withLegacy, synthesizedPipelineTemplate())),
    'ExecutionPolicy',
  );
  for (const prefix of CONNECTION_SERVICES) {
    expect(execution.some((st) => grants(st, `${prefix}:PassConnection`, legacy))).toBe(true);
  }
});

test('the tooling deploy role reaches the tooling region and every environment region, each once', () => {
  expect(config.environments.map((e) => e.name)).toEqual(['dev', 'test', 'prod']);
  const [dev, testEnv, prod] = config.environments;
  const multiRegion = {
    ...config,
    environments: [dev, { ...testEnv, region: 'us-east-1' }, { ...prod, region: 'eu-central-1' }],
  } as typeof config;
  expect(pipelineStackRegions(config)).toEqual([config.groundwork.tooling.region]);
  expect(pipelineStackRegions(multiRegion)).toEqual(['eu-west-1', 'us-east-1', 'eu-central-1']);
  expect(toolingDeploymentTrustProps(multiRegion, synthesizedPipelineTemplate()).deployableStackRegions).toEqual(
    pipelineStackRegions(multiRegion),
  );
});

/*
 * Auto-reconcile, end to end on the example config: the drift detectors of dev and test (drift.autoReconcile)
 * start the DriftReconciler project in the tooling account through the reconcile role; the project reverts
 * drift with drift-aware change sets through each environment's deploy role. Redeploying the pipeline does
 * not revert drift (decision 0008), so nothing here may start it any more.
 */

describe('auto-reconcile (drift.autoReconcile) on the example config', () => {
  const TOOLING = config.groundwork.tooling;
  const RECONCILING = config.environments.filter((e) => e.drift.autoReconcile);
  const PROJECT = 'example-platform-drift-reconcile';
  const RECONCILE_ROLE = 'example-platform-drift-reconcile';

  const operationsTemplate = (name: string) =>
    templateOf(assembly, result.platform.stages.find((s) => s.stageName === name)!.operations);

  function reconcilerProject(): [string, any] {
    const projects = resourcesOfType(synthesizedPipelineTemplate(), 'AWS::CodeBuild::Project').filter(
      ([, p]) => p.Properties.Name === PROJECT,
    );
    expect(projects).toHaveLength(1);
    return projects[0];
  }

  /** The statements of every policy (inline or managed) attached to the role with this logical id. */
  function roleStatements(template: any, roleId: string): any[] {
    return [...resourcesOfType(template, 'AWS::IAM::Policy'), ...resourcesOfType(template, 'AWS::IAM::ManagedPolicy')]
      .filter(([, p]) => JSON.stringify(p.Properties.Roles ?? []).includes(`"${roleId}"`))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  }

  /** The tooling account's view of the pipeline stack's intrinsics. */
  const resolvePipeline = (value: any): any =>
    intrinsicResolver(synthesizedPipelineTemplate(), TOOLING.account, TOOLING.region)(value);

  /** An environment's CDK deploy role, as BootstrapContract names it. */
  function deployRoleArn(account: string, region: string): string {
    const qualifier = BootstrapContract.DEFAULT_QUALIFIER;
    return BootstrapContract.roleArn(BootstrapRoleKind.DEPLOY, qualifier, account, region, 'aws');
  }

  /** The reconcile program baked into the project's buildspec, loaded as a module. */
  function reconcileProgram(): any {
    const [, project] = reconcilerProject();
    const commands: string[] = JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands;
    // gzip, then base64: the build writes it back with `base64 -d | gunzip`.
    const encoded = /echo '([A-Za-z0-9+/=]+)' \| base64 -d \| gunzip > reconcile\.js$/.exec(
      commands.find((c) => c.includes('> reconcile.js'))!,
    )![1];
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-')), 'reconcile.js');
    fs.writeFileSync(file, zlib.gunzipSync(Buffer.from(encoded, 'base64')));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file);
  }

  test('dev and test reconcile, prod does not: the shipped config', () => {
    expect(RECONCILING.map((e) => e.name)).toEqual(['dev', 'test']);
    expect(config.environments.find((e) => e.name === 'prod')!.drift.autoReconcile).toBe(false);
  });

  test("the reconciler's allow-list is each reconciling environment's three stacks, by name, and nothing of prod", () => {
    const program = reconcileProgram();
    expect(program.ALLOW_LIST).toEqual(
      RECONCILING.map((e) => ({
        name: e.name,
        account: e.account,
        region: e.region,
        stackNames: environmentStackNames('example', e.name),
      })),
    );
    expect(program.QUALIFIER).toBe(BootstrapContract.DEFAULT_QUALIFIER);
    expect(JSON.stringify(program.ALLOW_LIST)).not.toContain('prod');
    // The access stack shares the prefix, but only an administrator deploys it.
    expect(JSON.stringify(program.ALLOW_LIST)).not.toContain('-access');
  });

  test("the reconciler's role: named by CloudFormation after the pipeline stack, so the deploy roles trust it; it may assume only the reconciling environments' deploy roles", () => {
    const [, project] = reconcilerProject();
    const roleId = project.Properties.ServiceRole['Fn::GetAtt'][0];
    const role = synthesizedPipelineTemplate().Resources[roleId];
    expect(role.Properties.RoleName).toBeUndefined();
    // The name CloudFormation gives it matches the pattern every environment's bootstrap roles trust.
    const name = cloudFormationRoleName(result.platform.pipelineStack.stackName, roleId);
    expect(globMatches(pipelineRoleNamePattern('example'), name)).toBe(true);
    for (const env of config.environments) {
      expect(deploymentTrustProps(config, env.name).trustedRoleNamePatterns!.some((p) => globMatches(p, name))).toBe(
        true,
      );
    }
    // So it does for every organization name length (2 to 32) and branch: CloudFormation keeps at least the
    // first 25 characters of the stack name, which the pattern is cut to.
    for (let length = 2; length <= 32; length++) {
      const org = 'acmeplatformengineeringeuropewest'.slice(0, length);
      for (const branch of ['main', 'develop', 'release-candidate-2027']) {
        const stackName = pipelineStackName(org, branch, 'main');
        const generated = cloudFormationRoleName(stackName, roleId);
        expect([org, branch, globMatches(pipelineRoleNamePattern(org), generated)]).toEqual([org, branch, true]);
      }
    }
    // It carries the tooling account's permissions boundary like every pipeline role.
    expect(role.Properties.PermissionsBoundary).toBeDefined();

    const statements = resolvePipeline(roleStatements(synthesizedPipelineTemplate(), roleId));
    // The deploy-role pattern of the reconciling environments' region, in their accounts (the example has no
    // organization id): each one's deploy role, and no other role or account.
    const assume = statements.filter((s: any) => [s.Action].flat().includes('sts:AssumeRole'));
    expect(assume).toHaveLength(1);
    expect(assume[0].Condition).toEqual({
      StringEquals: { 'aws:ResourceAccount': [...new Set(RECONCILING.map((e) => e.account))].sort() },
    });
    const may = (arn: string) =>
      [assume[0].Resource].flat().some((r: string) => iamPattern(r).test(arn)) &&
      assume[0].Condition.StringEquals['aws:ResourceAccount'].includes(arn.split(':')[4]);
    for (const env of RECONCILING) {
      expect(may(deployRoleArn(env.account, env.region))).toBe(true);
    }
    const prod = config.environments.find((e) => e.name === 'prod')!;
    expect(may(deployRoleArn(prod.account, prod.region))).toBe(false);
    expect(may(deployRoleArn(RECONCILING[0].account, 'us-east-1'))).toBe(false);
    expect(
      may(
        `arn:aws:iam::${RECONCILING[0].account}:role/cdk-hnb659fds-cfn-exec-role-${RECONCILING[0].account}-eu-west-1`,
      ),
    ).toBe(false);
    expect(JSON.stringify(statements)).not.toContain(prod.account);
    // No CloudFormation, PassRole, pipeline or '*' grant of its own: everything goes through the deploy role.
    const actions: string[] = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions.filter((a) => /^(cloudformation|iam|codepipeline|codebuild):/.test(a))).toEqual([]);
    expect(statements.filter((s: any) => [s.Resource].flat().includes('*'))).toEqual([]);
  });

  test("each reconciling environment's deploy role trusts the reconciler's role and allows what the reconciler does there", () => {
    const program = reconcileProgram();
    const [, project] = reconcilerProject();
    const reconcilerRole = `arn:aws:iam::${TOOLING.account}:role/${cloudFormationRoleName(
      result.platform.pipelineStack.stackName,
      project.Properties.ServiceRole['Fn::GetAtt'][0],
    )}`;
    for (const env of RECONCILING) {
      const bootstrap = JSON.parse(environmentBootstrap(env.name));
      const resolveEnv = intrinsicResolver(bootstrap, env.account, env.region);
      const roles = program.bootstrapRoleArns('aws', program.QUALIFIER, env.account, env.region);
      const deployRoleId = resourcesOfType(bootstrap, 'AWS::IAM::Role').find(
        ([id]) => resolveEnv({ 'Fn::GetAtt': [id, 'Arn'] }) === roles.deploy,
      )?.[0];
      // The program assumes the role the bootstrap template creates, by its exact name.
      expect(deployRoleId).toBeDefined();
      expect(roles.deploy).toBe(deployRoleArn(env.account, env.region));

      // Trust: the tooling account's roles whose names match the pipeline pattern, the reconciler's among them.
      const [trust] = resolveEnv(bootstrap.Resources[deployRoleId!].Properties.AssumeRolePolicyDocument.Statement);
      expect(trust.Principal).toEqual({ AWS: `arn:aws:iam::${TOOLING.account}:root` });
      const patterns: string[] = [trust.Condition.ArnLike['aws:PrincipalArn']].flat();
      expect(patterns.some((pattern) => globMatches(pattern, reconcilerRole))).toBe(true);

      // Permissions: the deploy role's managed policy.
      const [, policy] = resourcesOfType(bootstrap, 'AWS::IAM::ManagedPolicy').find(([, p]) =>
        JSON.stringify(p.Properties.Roles ?? []).includes(`"${deployRoleId}"`),
      )!;
      const statements: any[] = [
        intrinsicResolver(
          bootstrap,
          env.account,
          env.region,
          (ref) => `<${ref}>`,
        )(policy.Properties.PolicyDocument.Statement),
      ].flat();
      const allows = (action: string, resource: string) => policyAllowsCall(statements, action, resource);
      // CreateChangeSet passes the execution role: only the deploy role may (the boundary lets no other role).
      expect(allows('iam:PassRole', roles.execution)).toBe(true);
      for (const stack of environmentStackNames('example', env.name)) {
        const arn = stackArn(env.account, env.region, stack);
        for (const action of [
          'cloudformation:CreateChangeSet',
          'cloudformation:ExecuteChangeSet',
          'cloudformation:DeleteChangeSet',
          'cloudformation:DescribeChangeSet',
          'cloudformation:DescribeStacks',
          'cloudformation:DescribeStackEvents',
        ]) {
          expect({ stack, action, allowed: allows(action, arn) }).toEqual({ stack, action, allowed: true });
        }
      }
      // The access stack shares the prefix: the deploy role may not change it, whatever a request says.
      const access = stackArn(env.account, env.region, `example-${env.name}-access`);
      expect(allows('cloudformation:CreateChangeSet', access)).toBe(false);
    }
  });

  test('the reconcile role may only start the reconciler, for the reconciling environments, without overrides; trusted as before by the drift detectors', () => {
    const template = synthesizedPipelineTemplate();
    const [roleId, role] = resourcesOfType(template, 'AWS::IAM::Role').find(
      ([, r]) => r.Properties.RoleName === RECONCILE_ROLE,
    )!;
    const trust = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Principal).toEqual({ AWS: '*' });
    expect(trust[0].Condition.StringEquals).toEqual({
      'aws:PrincipalAccount': [...new Set(RECONCILING.map((e) => e.account))].sort(),
    });
    expect(JSON.stringify(trust[0].Condition.ArnLike)).toContain(':role/example-*-drift-detector');

    // One managed policy, no inline policy: what DriftReconciler.startBuildPolicies gives at this size, on this project.
    const managed = resourcesOfType(template, 'AWS::IAM::ManagedPolicy').filter(([, p]) =>
      JSON.stringify(p.Properties.Roles ?? []).includes(`"${roleId}"`),
    );
    expect(managed).toHaveLength(1);
    expect(
      resourcesOfType(template, 'AWS::IAM::Policy').filter(([, p]) =>
        JSON.stringify(p.Properties.Roles ?? []).includes(`"${roleId}"`),
      ),
    ).toEqual([]);
    const statements = resolvePipeline(managed[0][1].Properties.PolicyDocument.Statement);
    const [projectId] = reconcilerProject();
    expect(statements).toHaveLength(DriftReconciler.startBuildStatements('arn', ['dev']).length);
    for (const statement of statements) {
      expect(statement).toMatchObject({
        Action: 'codebuild:StartBuild',
        Resource: { 'Fn::GetAtt': [projectId, 'Arn'] },
      });
    }
    const [allow, ...denies] = statements;
    expect(allow).toMatchObject({
      Effect: 'Allow',
      Condition: {
        'ForAllValues:StringEquals': {
          'codebuild:environment.environmentVariables.name': [
            DriftReconciler.ENVIRONMENT_VARIABLE,
            DriftReconciler.STACKS_VARIABLE,
          ],
        },
        'ForAnyValue:StringEquals': {
          [`codebuild:environment.environmentVariables/${DriftReconciler.ENVIRONMENT_VARIABLE}.value`]: ['dev', 'test'],
        },
      },
    });
    expect(denies.map((s: any) => s.Effect)).toEqual(denies.map(() => 'Deny'));
    expect(denies.map((s: any) => Object.keys(s.Condition.Null)[0])).toEqual(
      expect.arrayContaining(['codebuild:source.buildspec', 'codebuild:environment.image', 'codebuild:serviceRole']),
    );
    // Restarting the pipeline does not revert drift: no role of the tooling account is granted it for that.
    expect(JSON.stringify(statements)).not.toContain('codepipeline:');
  });

  test('the drift detectors of dev and test start the reconciler through the reconcile role; prod only alerts', () => {
    const reconcileRoleArn = `arn:aws:iam::${TOOLING.account}:role/${RECONCILE_ROLE}`;
    for (const env of RECONCILING) {
      const template = operationsTemplate(env.name);
      const definition = driftDefinition(template);
      expect(definition.States.StartReconcile).toEqual({
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:codebuild:startBuild',
        Arguments: {
          ProjectName: PROJECT,
          EnvironmentVariablesOverride: [
            { Name: DriftReconciler.ENVIRONMENT_VARIABLE, Value: env.name, Type: 'PLAINTEXT' },
            {
              Name: DriftReconciler.STACKS_VARIABLE,
              Value: '{% $join($reconcilable.stack, ",") %}',
              Type: 'PLAINTEXT',
            },
          ],
        },
        Credentials: { RoleArn: reconcileRoleArn },
        Retry: [expect.objectContaining({ ErrorEquals: ['States.ALL'] })],
        Next: 'Done',
      });
      expect(JSON.stringify(definition)).not.toContain('startPipelineExecution');
      // The account's own roles may only assume the reconcile role: never start a build or a pipeline themselves.
      const text = JSON.stringify(resourcesOfType(template, 'AWS::IAM::Policy'));
      expect(text).not.toContain('codebuild:StartBuild');
      expect(text).not.toContain('codepipeline:StartPipelineExecution');
      expect(text).toContain(`role/${RECONCILE_ROLE}`);
    }
    const prod = JSON.stringify(operationsTemplate('prod'));
    expect(prod).not.toContain('drift-reconcile');
    expect(prod).not.toContain('codebuild');
    expect(prod).not.toContain('startPipelineExecution');
  });

  test('the reconciler fails loudly where the platform team hears of pipeline failures', () => {
    const template = synthesizedPipelineTemplate();
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties.Namespace === 'AWS/CodeBuild' && a.Properties.MetricName === 'FailedBuilds',
    );
    expect(alarms).toHaveLength(1);
    const [[, alarm]] = alarms;
    expect(alarm.Properties.Dimensions).toEqual([{ Name: 'ProjectName', Value: { Ref: reconcilerProject()[0] } }]);
    const topic = result.platform.pipelineStack.resolve(result.platform.pipeline.notificationTopic.topicArn);
    expect(alarm.Properties.AlarmActions).toEqual([topic]);
  });

  test('no reconciling environment, no reconciler and no reconcile role', () => {
    const noReconcile = {
      ...config,
      environments: config.environments.map((e) => ({ ...e, drift: { ...e.drift, autoReconcile: false } })),
    };
    const app = createApp(tmpOutdir('drift-reconcile-off'));
    const off = synthesizePlatform(app, noReconcile);
    const template = templateOf(off.assembly, off.platform.pipelineStack);
    expect(resourcesOfType(template, 'AWS::CodeBuild::Project').map(([, p]) => p.Properties.Name)).not.toContain(
      PROJECT,
    );
    expect(resourcesOfType(template, 'AWS::IAM::Role').map(([, r]) => r.Properties.RoleName)).not.toContain(
      RECONCILE_ROLE,
    );
  });
});
