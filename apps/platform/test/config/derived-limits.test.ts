import { GitOpsPipeline } from '@groundwork/pipeline';
import { App, CfnWaitConditionHandle, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { configWith } from './fixtures';
import {
  DRIFT_RECONCILE_ROLE_SUFFIX,
  IAM_ROLE_NAME_MAX_LENGTH,
  loadPlatformConfig,
  MAX_PIPELINE_NAME_LENGTH,
  maxBranchNameLength,
  PlatformConfig,
} from '../../src/config';
import {
  APP_TAG_KEYS,
  MAX_ACTIONS_PER_STAGE,
  MAX_CONFIG_TAGS,
  MAX_TAGS_PER_RESOURCE,
  PIPELINE_OWN_STAGES,
  pipelineSize,
} from '../../src/config/validate';
import { composePlatform } from '../../src/platform';
import { ENVIRONMENT_STACK_IDS, pipelineStackName } from '../../src/stack-names';
import { allStackArtifacts, tmpOutdir } from '../helpers';

/*
 * The limits the config checks (name-limits.ts, the tags per resource in validate.ts) are only right
 * if they match what the app builds: compose a platform at those limits, with a 32-character
 * organization name, the longest branch it allows, an auto-reconciling and a production environment
 * (and a pipeline.deploymentFailures other than the default, to see it reach the alarm).
 */
const ORG = 'acme-platform-engineering-europe';
const BRANCH = 'b'.repeat(maxBranchNameLength(ORG));

let config: PlatformConfig;
let assembly: cxapi.CloudAssembly;

beforeAll(() => {
  const dir = configWith({
    'groundwork.yaml': [
      ['name: example', `name: ${ORG}`],
      // The branch owns dev (main does not deploy it), so its pipeline builds dev's drift-reconcile role.
      ['  main: all', '  main: [prod]'],
      ['  develop: [dev]', `  ${BRANCH}: [dev, prod]`],
      // Not the default (1): the pipeline's failure alarm must take it from the config.
      ['waves:', 'pipeline:\n  deploymentFailures: 3\nwaves:'],
    ],
  });
  config = loadPlatformConfig(dir);
  const app = new App({ outdir: tmpOutdir('derived-limits') });
  composePlatform(app, config, { complianceGate: [], branch: BRANCH });
  assembly = app.synth();
});

test('the longest branch for a 32-character organization name: its pipeline name and role fit, none longer', () => {
  expect(ORG).toHaveLength(32);
  expect(BRANCH).toHaveLength(6);
  expect(pipelineStackName(ORG, BRANCH, 'main')).toHaveLength(MAX_PIPELINE_NAME_LENGTH);

  const roleNames = allStackArtifacts(assembly).flatMap((artifact) =>
    Object.values<any>(artifact.template.Resources ?? {})
      .filter((r) => r.Type === 'AWS::IAM::Role' && typeof r.Properties?.RoleName === 'string')
      .map((r) => r.Properties.RoleName as string),
  );
  const reconcile = `${pipelineStackName(ORG, BRANCH, 'main')}${DRIFT_RECONCILE_ROLE_SUFFIX}`;
  // The drift-reconcile role is the longest name derived from the pipeline's: exactly IAM's limit here.
  expect(roleNames).toContain(reconcile);
  expect(reconcile).toHaveLength(IAM_ROLE_NAME_MAX_LENGTH);
  const stackNames = allStackArtifacts(assembly).map((a) => a.stackName);
  expect(Math.max(...roleNames.map((n) => n.length))).toBe(IAM_ROLE_NAME_MAX_LENGTH);
  // The notification rule, whose names are unique per account (CodeStar Notifications: 64), is cut to fit and
  // keeps its region (a pipeline name is unique per region only).
  const ruleNames = allStackArtifacts(assembly).flatMap((artifact) =>
    Object.values<any>(artifact.template.Resources ?? {})
      .filter((r) => r.Type === 'AWS::CodeStarNotifications::NotificationRule')
      .map((r) => r.Properties.Name),
  );
  expect(ruleNames).toHaveLength(1);
  expect(ruleNames[0]).toMatch(/-[0-9a-f]{8}-eu-west-1-pipeline-events$/);
  expect(ruleNames[0]).toHaveLength(64);
  expect(Math.max(...stackNames.map((n) => n.length))).toBeLessThanOrEqual(128);
});

test("pipeline.deploymentFailures is the threshold of the pipeline's failure alarm", () => {
  const pipeline = allStackArtifacts(assembly).find((a) => a.stackName === pipelineStackName(ORG, BRANCH, 'main'))!;
  const failureAlarms = Object.values<any>(pipeline.template.Resources).filter(
    (r) => r.Type === 'AWS::CloudWatch::Alarm' && JSON.stringify(r.Properties).includes('"MetricName":"StageFailed"'),
  );
  expect(failureAlarms.map((a) => a.Properties.Threshold)).toEqual([3]);
});

test(`the app adds at most ${APP_TAG_KEYS.length} tags of its own to a resource: production subnets get all of them`, () => {
  const configKeys = new Set([
    ...Object.keys(config.groundwork.defaultTags),
    ...config.environments.flatMap((e) => Object.keys(e.effectiveTags)),
    'Environment',
  ]);
  const added = allStackArtifacts(assembly).flatMap((artifact) =>
    Object.values<any>(artifact.template.Resources ?? {})
      .filter((r) => r.Properties?.Tags !== undefined)
      .map((r) => ({
        type: r.Type as string,
        stack: artifact.stackName,
        keys: tagKeys(r.Properties.Tags).filter((key) => !configKeys.has(key) && !key.startsWith('aws:')),
      })),
  );

  expect(Math.max(...added.map((a) => a.keys.length))).toBe(APP_TAG_KEYS.length);
  const prodSubnets = added.filter((a) => a.type === 'AWS::EC2::Subnet' && a.stack === `${ORG}-prod-network`);
  expect(prodSubnets.length).toBeGreaterThan(0);
  for (const subnet of prodSubnets) expect(subnet.keys.sort()).toEqual([...APP_TAG_KEYS].sort());
  expect(MAX_CONFIG_TAGS + APP_TAG_KEYS.length).toBe(MAX_TAGS_PER_RESOURCE);
});

/**
 * An environment's stage as the pipeline lays it out: its three stacks, termination-protected in production, and a
 * file asset (the platform's stacks hold Lambda code: the pipeline gets its Assets stage).
 */
class LayoutStage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps & { readonly production: boolean }) {
    super(scope, id, props);
    for (const name of ENVIRONMENT_STACK_IDS) {
      const stack = new Stack(this, name, { terminationProtection: props.production });
      new CfnWaitConditionHandle(stack, 'Resource');
      if (name === ENVIRONMENT_STACK_IDS[0]) new Asset(stack, 'Code', { path: __filename });
    }
  }
}

// The platform's own pipeline (platform.test.ts, with and without change sets) has no wave over 50 actions; this
// one does, with every kind of environment: 12 in the first wave (two production, one more with an approval), 2 in
// the second.
test(`a wave of more than ${MAX_ACTIONS_PER_STAGE} actions is split into stages as pipelineSize computes`, () => {
  const environments = Array.from({ length: 14 }, (_, i) => ({
    name: `env${String(i + 1).padStart(2, '0')}`,
    wave: i < 12 ? 'first' : 'second',
    production: i % 5 === 4,
    approvalRequired: i % 5 === 4 || i === 7,
  }));
  const app = new App();
  const stack = new Stack(app, 'Pipeline', { env: { account: '111111111111', region: 'eu-west-1' } });
  const pipeline = new GitOpsPipeline(stack, 'GitOps', {
    repository: 'example-org/groundwork-platform',
    connectionArn: config.groundwork.repository.connectionArn,
    organizationId: 'o-a1b2c3d4e5',
    useChangeSets: false,
  });
  environments.forEach((env, i) =>
    pipeline.addEnvironment(
      new LayoutStage(app, env.name, {
        env: { account: String(300000000000 + i), region: 'eu-west-1' },
        production: env.production,
      }),
      env,
    ),
  );
  pipeline.buildPipeline();
  const stages = Object.values<any>(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline'))[0]
    .Properties.Stages;

  const size = pipelineSize(environments, false);
  expect(size.stages).toBe(PIPELINE_OWN_STAGES + 3);
  expect(size).toEqual({ stages: stages.length, actions: stages.flatMap((stage: any) => stage.Actions).length });
});

/** Tag keys of a resource: a list of { Key, Value } or a map (e.g. AWS::SSM::Parameter). */
function tagKeys(tags: unknown): string[] {
  if (Array.isArray(tags)) return tags.map((t) => t.Key);
  return typeof tags === 'object' && tags !== null ? Object.keys(tags) : [];
}
