import * as fs from 'fs';
import * as path from 'path';
import * as cxapi from 'aws-cdk-lib/cx-api';
import {
  MAX_ACTIONS_PER_PIPELINE,
  MAX_ACTIONS_PER_STAGE,
  MAX_STAGES_PER_PIPELINE,
  MeasuredStack,
  oversizedBuildspecs,
  oversizedPolicies,
  pipelineStages,
  policySize,
} from './quotas';
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

// CloudFormation: 500 resources and 1 MB (from S3) per template; the budget keeps headroom.
const MAX_RESOURCES = 400;
const MAX_TEMPLATE_BYTES = 800 * 1024;

let result: SynthesisResult;
let stacks: cxapi.CloudFormationStackArtifact[];
/** Every stack of the assembly, by its path in the app. */
const measured = (): MeasuredStack[] =>
  stacks.map((s) => ({
    name: s.hierarchicalId,
    template: s.template,
    account: s.environment.account,
    region: s.environment.region,
  }));

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

test('CodePipeline: at most 50 stages, at most 50 actions per stage and 500 per pipeline, every environment deployed', () => {
  const stages = pipelineStages(templateOf(result.assembly, result.platform.pipelineStack));
  expect(stages.length).toBeLessThanOrEqual(MAX_STAGES_PER_PIPELINE);
  const crowded = stages.filter((s) => s.Actions.length > MAX_ACTIONS_PER_STAGE).map((s) => s.Name);
  expect(crowded).toEqual([]);
  const actions = stages.flatMap((s) => s.Actions);
  expect(actions.length).toBeLessThanOrEqual(MAX_ACTIONS_PER_PIPELINE);
  const deployedEnvironments = new Set(actions.map((a) => a.Name.split('.')[0]).filter((n) => /^env\d{4}$/.test(n)));
  expect(deployedEnvironments.size).toBe(ENVIRONMENTS);
});

test("every CodeBuild project's inline buildspec is within CodeBuild's 25,600 characters", () => {
  const { checked, tooLarge } = oversizedBuildspecs(measured());
  expect(tooLarge).toEqual([]);
  // the synth, self-mutation, validation, asset and reconcile projects at least
  expect(checked).toBeGreaterThanOrEqual(4);
});

test('every IAM policy is within its quota: role inline aggregate, managed, bucket and key policies', () => {
  const { checked, tooLarge } = oversizedPolicies(measured());
  expect(tooLarge.filter((p) => !p.includes('trust policy'))).toEqual([]);
  expect(checked).toBeGreaterThan(ENVIRONMENTS * 10);
});

test('every role trust policy is within 2,048 characters', () => {
  const trust = oversizedPolicies(measured()).tooLarge.filter((p) => p.includes('trust policy'));
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
