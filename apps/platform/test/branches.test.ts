import { Match, Template } from 'aws-cdk-lib/assertions';
import { exampleConfig, templateOf, tmpOutdir, withEnv } from './helpers';
import { createApp, synthesizePlatform, SynthesisResult } from '../src/main';
import { environmentsForBranch, owningBranch } from '../src/platform';

/**
 * Branch strategy (groundwork.yaml `branches`): main deploys every
 * environment through the approval gate; develop gets its own pipeline
 * instance that deploys only dev; other branches get no pipeline.
 */
const config = exampleConfig();

describe('the develop pipeline', () => {
  let result: SynthesisResult;
  let pipeline: Template;

  beforeAll(() => {
    process.env.CDK_VALIDATION = 'false';
    try {
      result = synthesizePlatform(createApp(tmpOutdir('develop')), config, { branch: 'develop' });
    } finally {
      delete process.env.CDK_VALIDATION;
    }
    pipeline = Template.fromJSON(templateOf(result.assembly, result.platform.pipelineStack));
  });

  test('is its own pipeline instance, following the develop branch', () => {
    expect(result.platform.pipelineStack.stackName).toBe('example-platform-develop');
    pipeline.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Name: 'example-platform-develop',
      Stages: Match.arrayWith([
        Match.objectLike({
          Name: 'Source',
          Actions: [Match.objectLike({ Configuration: Match.objectLike({ BranchName: 'develop' }) })],
        }),
      ]),
    });
  });

  test('deploys only the dev environment', () => {
    expect(result.platform.stages.map((s) => s.stageName)).toEqual(['dev']);
    const stageNames: string[] = Object.values(
      pipeline.findResources('AWS::CodePipeline::Pipeline'),
    )[0].Properties.Stages.map((s: any) => s.Name);
    expect(stageNames.some((n) => /prod|test/.test(n))).toBe(false);
  });

  test("builds the access stack of dev's account only, not those of the accounts it does not deploy", () => {
    // The example's three environments are in three accounts: main builds all three access stacks.
    expect(new Set(config.environments.map((e) => e.account)).size).toBe(3);
    expect(result.platform.accessStacks.map((s) => s.stackName)).toEqual(['example-dev-access']);
  });

  test('has no approval gate', () => {
    const stages: any[] = Object.values(pipeline.findResources('AWS::CodePipeline::Pipeline'))[0].Properties.Stages;
    const approvals = stages.flatMap((s) => s.Actions).filter((a) => a.ActionTypeId.Category === 'Approval');
    expect(approvals).toEqual([]);
  });

  test("builds dev's stacks as main does, so the two pipelines do not update them back and forth", () => {
    const main = withEnv('CDK_VALIDATION', 'false', () =>
      synthesizePlatform(createApp(tmpOutdir('develop-main')), config),
    );
    const dev = (r: SynthesisResult) => r.platform.stages.find((s) => s.stageName === 'dev')!;
    for (const stack of ['network', 'security', 'operations'] as const) {
      expect({ stack, template: templateOf(result.assembly, dev(result)[stack]) }).toEqual({
        stack,
        template: templateOf(main.assembly, dev(main)[stack]),
      });
    }
    // dev's drift detector starts main's reconciler, whichever pipeline deployed dev last.
    expect(JSON.stringify(templateOf(result.assembly, dev(result).operations))).toContain(
      'example-platform-drift-reconcile',
    );
    expect(JSON.stringify(templateOf(result.assembly, dev(result).operations))).not.toContain('develop');
  });

  test('has no drift reconciler of its own: main owns dev', () => {
    expect(
      pipeline.findResources('AWS::CodeBuild::Project', {
        Properties: { Name: Match.stringLikeRegexp('drift-reconcile') },
      }),
    ).toEqual({});
    expect(JSON.stringify(pipeline.toJSON())).not.toContain('drift-reconcile');
  });

  test('re-synthesizes itself with --branch develop', () => {
    const json = JSON.stringify(pipeline.toJSON());
    expect(json).toContain('npm run synth -- --branch develop');
  });
});

test("an environment's owner: the repository branch when it deploys it, else the first branch listed that does", () => {
  const env = (name: string) => config.environments.find((e) => e.name === name)!;
  expect(config.environments.map((e) => owningBranch(config, e))).toEqual(['main', 'main', 'main']);
  const split = {
    ...config,
    groundwork: {
      ...config.groundwork,
      branches: { develop: ['dev'], staging: ['dev', 'test'], main: ['test', 'prod'] },
    },
  };
  expect(['dev', 'test', 'prod'].map((name) => owningBranch(split, env(name)))).toEqual(['develop', 'main', 'main']);
});

test('main deploys every environment; an unknown branch deploys nothing and says which branches exist', () => {
  expect(environmentsForBranch(config, 'main').map((e) => e.name)).toEqual(['dev', 'test', 'prod']);
  expect(() => environmentsForBranch(config, 'feature/x')).toThrow(
    'branch "feature/x" deploys nothing: groundwork.yaml branches lists main, develop',
  );
});
