import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { writeSyntheticConfig } from './synthetic-config';
import { loadPlatformConfig } from '../../src/config';
import { createApp, synthesizePlatform, SynthesisResult } from '../../src/main';
import { composePlatform } from '../../src/platform';
import { summarize } from '../../src/summary';
import { allStackArtifacts, templateOf, tmpOutdir } from '../helpers';

/*
 * Issue 9: the platform stays deployable at 100 environments in several regions. One synthesis of a
 * 100-environment config in 4 regions, by the main job's path with its compliance gate, and assertions
 * on the AWS quotas that grow with the number of environments.
 */

const ENVIRONMENTS = 100;
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'];

// CodePipeline quotas: "Maximum number of actions per stage" 50, "Maximum number of stages in a pipeline" 50.
const MAX_ACTIONS_PER_STAGE = 50;
const MAX_STAGES_PER_PIPELINE = 50;
// IAM quotas (characters, whitespace not counted): "Role policy size" 10,240 for all inline policies of a
// role together; "Managed policy size" 6,144; "Role trust policy length" 2,048 (default; 4,096 at most).
const ROLE_INLINE_POLICIES = 10_240;
const MANAGED_POLICY = 6_144;
const ROLE_TRUST_POLICY = 2_048;
// Resource policies: S3 bucket policy 20 KB, KMS key policy 32 KB.
const BUCKET_POLICY = 20_480;
const KEY_POLICY = 32_768;
// CloudFormation: 500 resources and 1 MB (from S3) per template; the budget keeps headroom.
const MAX_RESOURCES = 400;
const MAX_TEMPLATE_BYTES = 800 * 1024;

let result: SynthesisResult;
let stacks: cxapi.CloudFormationStackArtifact[];

function synthetic(environments: number): string {
  const dir = tmpOutdir(`limits-config-${environments}`);
  writeSyntheticConfig(dir, environments, { regions: REGIONS });
  return dir;
}

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
  try {
    // The main job's path: packs from config, composition, synthesis; a finding throws a GateFailure.
    result = synthesizePlatform(createApp(tmpOutdir('limits')), loadPlatformConfig(synthetic(ENVIRONMENTS)));
    stacks = allStackArtifacts(result.assembly);
  } finally {
    delete process.env.CDK_VALIDATION;
  }
}, 600_000);

test('the main job synthesizes 100 environments in 4 regions and passes its compliance gate', () => {
  expect(result.platform.stages).toHaveLength(ENVIRONMENTS);
  expect(new Set(result.platform.stages.map((s) => s.region))).toEqual(new Set(REGIONS));
  expect(result.packs.map((p) => p.readPackName).sort()).toEqual(['AwsSolutions', 'Groundwork', 'NIST.800.53.R5']);
  // CodePipeline keeps artifacts in every region it deploys to: a support stack per other region, gated too.
  const support = stacks.filter((s) => s.stackName.includes('-support-')).map((s) => s.environment.region);
  expect(support.sort()).toEqual(REGIONS.filter((r) => r !== 'eu-west-1').sort());
  // ...and the main job's summary counts them in the pipeline's row.
  const [pipelineRow] = summarize(result.platform, result.assembly);
  expect(pipelineRow).toMatchObject({ environment: 'pipeline', stacks: 1 + support.length });
  expect(
    pipelineRow.target
      .split(', ')
      .map((t) => t.split('/')[1])
      .sort(),
  ).toEqual([...REGIONS].sort());
});

test('CodePipeline: at most 50 stages, at most 50 actions per stage, every environment deployed', () => {
  const template = templateOf(result.assembly, result.platform.pipelineStack);
  const [pipeline] = resources(template, 'AWS::CodePipeline::Pipeline');
  const pipelineStages: Array<{ Name: string; Actions: Array<{ Name: string }> }> = pipeline.Properties.Stages;
  expect(pipelineStages.length).toBeLessThanOrEqual(MAX_STAGES_PER_PIPELINE);
  const crowded = pipelineStages.filter((s) => s.Actions.length > MAX_ACTIONS_PER_STAGE).map((s) => s.Name);
  expect(crowded).toEqual([]);
  const deployedEnvironments = new Set(
    pipelineStages.flatMap((s) => s.Actions.map((a) => a.Name.split('.')[0])).filter((n) => /^env\d{4}$/.test(n)),
  );
  expect(deployedEnvironments.size).toBe(ENVIRONMENTS);
});

/** Policies of every stack over their quota, as `<stack>/<logical id>[ trust policy]: size >= limit`. */
function oversizedPolicies(): { checked: number; tooLarge: string[] } {
  const tooLarge: string[] = [];
  let checked = 0;
  const check = (where: string, document: unknown, limit: number) => {
    checked++;
    const size = policySize(document);
    if (size >= limit) tooLarge.push(`${where}: ${size} >= ${limit}`);
  };
  for (const stack of stacks) {
    const template = stack.template;
    const inlineByRole = new Map<string, unknown[]>();
    const addInline = (role: string, document: unknown) =>
      inlineByRole.set(role, [...(inlineByRole.get(role) ?? []), document]);
    for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
      const props = resource.Properties ?? {};
      const where = `${stack.hierarchicalId}/${id}`;
      switch (resource.Type) {
        case 'AWS::IAM::Role':
          check(`${where} trust policy`, props.AssumeRolePolicyDocument, ROLE_TRUST_POLICY);
          for (const inline of props.Policies ?? []) addInline(id, inline.PolicyDocument);
          break;
        case 'AWS::IAM::Policy':
          for (const role of props.Roles ?? []) addInline(roleKey(role), props.PolicyDocument);
          break;
        case 'AWS::IAM::ManagedPolicy':
          check(where, props.PolicyDocument, MANAGED_POLICY);
          break;
        case 'AWS::S3::BucketPolicy':
          check(where, props.PolicyDocument, BUCKET_POLICY);
          break;
        case 'AWS::KMS::Key':
          check(where, props.KeyPolicy, KEY_POLICY);
          break;
      }
    }
    for (const [role, documents] of inlineByRole) {
      check(`${stack.hierarchicalId}/${role} inline policies`, { documents }, ROLE_INLINE_POLICIES);
    }
  }
  return { checked, tooLarge };
}

test('every IAM policy is within its quota: role inline aggregate, managed, bucket and key policies', () => {
  const { checked, tooLarge } = oversizedPolicies();
  expect(tooLarge.filter((p) => !p.includes('trust policy'))).toEqual([]);
  expect(checked).toBeGreaterThan(ENVIRONMENTS * 10);
});

test('every role trust policy is within 2,048 characters', () => {
  const trust = oversizedPolicies().tooLarge.filter((p) => p.includes('trust policy'));
  expect(trust).toEqual([]);
});

test("the pipeline role's policy does not grow per account: same statements at 20 and 100 environments", () => {
  process.env.CDK_VALIDATION = 'false';
  let small: any;
  try {
    // Composition without the packs: only the pipeline role's policy is compared.
    const app = createApp(tmpOutdir('limits-20'));
    const platform = composePlatform(app, loadPlatformConfig(synthetic(20)), { complianceGate: [] });
    small = templateOf(app.synth(), platform.pipelineStack);
  } finally {
    delete process.env.CDK_VALIDATION;
  }
  const large = templateOf(result.assembly, result.platform.pipelineStack);
  const [at20, at100] = [pipelineRolePolicy(small), pipelineRolePolicy(large)];
  expect(at100.Statement.map(shapeOf)).toEqual(at20.Statement.map(shapeOf));
  // What may grow: target account ids in the aws:ResourceAccount condition, at most 15 characters each
  // ("123456789012",) instead of one ~90-character role ARN per account and region.
  expect(policySize(at100) - policySize(at20)).toBeLessThanOrEqual((ENVIRONMENTS - 20) * 15);
});

test('every stack stays under 400 resources and every template under 800 KB', () => {
  const over = stacks
    .map((s) => ({
      stack: s.hierarchicalId,
      resources: Object.keys(s.template.Resources ?? {}).length,
      bytes: fs.statSync(path.join(s.assembly.directory, s.templateFile)).size,
    }))
    .filter((s) => s.resources >= MAX_RESOURCES || s.bytes >= MAX_TEMPLATE_BYTES);
  expect(over).toEqual([]);
  // every environment's stacks and the pipeline's were measured
  expect(stacks.length).toBeGreaterThan(ENVIRONMENTS * 3);
});

function resources(template: any, type: string): any[] {
  return Object.values<any>(template.Resources ?? {}).filter((r) => r.Type === type);
}

function roleKey(role: unknown): string {
  const ref = (role as { Ref?: string }).Ref;
  return ref ?? JSON.stringify(role);
}

/** The pipeline role's default policy (the role CodePipeline itself runs as). */
function pipelineRolePolicy(template: any): any {
  const entry = Object.entries<any>(template.Resources).find(
    ([id, r]) => r.Type === 'AWS::IAM::Policy' && /PipelineRoleDefaultPolicy/.test(id),
  );
  expect(entry).toBeDefined();
  return entry![1].Properties.PolicyDocument;
}

/** A statement without its condition values: what it allows, on what. */
function shapeOf(statement: any): unknown {
  return { Sid: statement.Sid, Action: statement.Action, Resource: statement.Resource };
}

/**
 * Size of a policy as IAM counts it: JSON without whitespace. Templates hold intrinsics, resolved only at
 * deploy time; the larger of the template form and a deployed form with worst-case values is used.
 */
function policySize(document: unknown): number {
  return Math.max(JSON.stringify(document).length, JSON.stringify(deployed(document)).length);
}

/** Worst-case deployed value of CloudFormation intrinsics in a policy. */
function deployed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deployed);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    const [key] = keys;
    const arg = object[key];
    if (key === 'Ref') return PSEUDO[arg as string] ?? 'x'.repeat(64);
    if (key === 'Fn::GetAtt') return 'x'.repeat(128);
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return (parts as unknown[]).map((p) => String(deployed(p))).join(separator);
    }
    if (key === 'Fn::Sub') return String(Array.isArray(arg) ? arg[0] : arg).replace(/\$\{[^}]+\}/g, 'x'.repeat(64));
    if (key.startsWith('Fn::')) return 'x'.repeat(Math.max(64, JSON.stringify(arg).length));
  }
  return Object.fromEntries(keys.map((k) => [k, deployed(object[k])]));
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-2',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackName': 'x'.repeat(128),
};
