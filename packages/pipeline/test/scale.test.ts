process.env.CDK_VALIDATION = 'false';
import { Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { pipelineFixture, TinyEnvironment, accountId } from './fixtures';
import { MANAGED_POLICY, oversizedPolicies, ROLE_INLINE_POLICIES, ROLE_TRUST_POLICY } from './quotas';

// Issue 9: the pipeline must stay deployable at 100 environments.
// AWS quotas: CodePipeline 50 stages per pipeline and 50 actions per stage; IAM, in characters without
// whitespace, 10,240 for all inline policies of a role together, 6,144 per managed policy and 2,048 per
// trust policy; S3 bucket policies 20 KB and KMS key policies 32 KB (test/quotas.ts); the issue's own
// budget of 400 resources and 800 KB per template (CloudFormation: 500 resources, 1 MB).
describe('GitOpsPipeline at 100 environments in 10 waves', () => {
  const runs = [
    { label: 'with an organization id', organizationId: 'o-abc123def4' },
    { label: 'with an explicit account list', organizationId: undefined },
  ];
  describe.each(runs)('$label', ({ organizationId }) => {
    const fixture = pipelineFixture({ organizationId });
    for (let i = 0; i < 100; i++) {
      const wave = Math.floor(i / 10);
      fixture.pipeline.addEnvironment(
        new TinyEnvironment(fixture.app, `env${i}`, {
          env: { account: accountId(i), region: i % 2 === 0 ? 'eu-west-1' : 'eu-central-1' },
        }),
        { wave: `Wave${wave}`, production: wave === 9 },
      );
    }
    const assembly = fixture.app.synth();
    const pipelineStacks = assembly.stacks;
    const template = assembly.getStackByName(fixture.stack.stackName).template;
    const pipeline = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');

    test('no CodePipeline stage has more than 50 actions, and there are at most 50 stages', () => {
      const stages: any[] = pipeline.Properties.Stages;
      expect(stages.length).toBeLessThanOrEqual(50);
      for (const stage of stages) {
        expect([stage.Name, stage.Actions.length <= 50]).toEqual([stage.Name, true]);
      }
      // every environment is deployed: 100 Deploy actions
      const deploys = stages.flatMap((s) => s.Actions).filter((a: any) => a.Name.endsWith('.Deploy'));
      expect(deploys).toHaveLength(100);
      // CodePipeline's fixed quota of 500 actions per pipeline
      expect(stages.flatMap((s) => s.Actions).length).toBeLessThanOrEqual(500);
    });

    test('every policy is within its quota: inline per role, managed, trust, bucket and key policies', () => {
      const { checked, tooLarge } = oversizedPolicies(
        pipelineStacks.map((stack) => ({ name: stack.stackName, template: stack.template })),
      );
      expect(tooLarge).toEqual([]);
      expect(checked).toBeGreaterThan(10);
      // no CDK policy splitting happened (which would mean a role's inline policies outgrew 10,240)
      const managed = Object.keys(template.Resources).filter((id) => id.includes('OverflowPolicy'));
      expect(managed).toEqual([]);
    });

    test('each stack stays under 400 resources and 800 KB', () => {
      for (const stack of pipelineStacks) {
        expect(Object.keys(stack.template.Resources).length).toBeLessThan(400);
        expect(JSON.stringify(stack.template).length).toBeLessThan(800 * 1024);
      }
    });
  });
});

describe('the policy quota check can fail', () => {
  const statement = (chars: number) => ({
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${'b'.repeat(chars)}`,
  });
  const template = (resources: Record<string, unknown>) => [{ name: 'Quota', template: { Resources: resources } }];

  test('a managed policy over 6,144 characters, measured without whitespace', () => {
    const policy = { Version: '2012-10-17', Statement: [statement(6_100)] };
    // Pretty-printed, the same document is far longer; IAM does not count the whitespace.
    expect(JSON.stringify(policy, undefined, 2).length).toBeGreaterThan(JSON.stringify(policy).length);
    const { tooLarge } = oversizedPolicies(
      template({ Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: policy } } }),
    );
    expect(tooLarge).toEqual([`Quota/Managed: ${JSON.stringify(policy).length} > ${MANAGED_POLICY}`]);
    const { tooLarge: under } = oversizedPolicies(
      template({
        Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [statement(5_000)] } } },
      }),
    );
    expect(under).toEqual([]);
  });

  test('a trust policy over 2,048 characters', () => {
    const trust = { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'a'.repeat(2_048) } }] };
    const { tooLarge } = oversizedPolicies(
      template({ Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust } } }),
    );
    expect(tooLarge).toEqual([`Quota/Role trust policy: ${JSON.stringify(trust).length} > ${ROLE_TRUST_POLICY}`]);
  });

  test("a role's inline policies summed: two of 6,000 characters each are over 10,240 together", () => {
    const policy = (role: string) => ({
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyDocument: { Statement: [statement(5_950)] }, Roles: [{ Ref: role }] },
    });
    const one = { Statement: [statement(5_950)] };
    const { tooLarge } = oversizedPolicies(
      template({
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: { AssumeRolePolicyDocument: {}, Policies: [{ PolicyDocument: one }] },
        },
        Extra: policy('Role'),
        // Another role's policy counts for that role only.
        Elsewhere: policy('Other'),
      }),
    );
    const size = 2 * JSON.stringify(one).length;
    expect(size).toBeLessThan(2 * ROLE_INLINE_POLICIES);
    expect(tooLarge).toEqual([`Quota/Role inline policies: ${size} > ${ROLE_INLINE_POLICIES}`]);
  });

  test('intrinsics are measured at their worst-case deployed length', () => {
    // 100 bucket ARNs: 32 characters each in the template, up to 128 once deployed.
    const refs = Array.from({ length: 100 }, () => ({ 'Fn::GetAtt': ['Bucket', 'Arn'] }));
    const policy = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: refs }] };
    expect(JSON.stringify(policy).length).toBeLessThan(MANAGED_POLICY);
    const { tooLarge } = oversizedPolicies(
      template({ Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: policy } } }),
    );
    expect(tooLarge).toHaveLength(1);
  });
});

/** An environment of three stacks, like the platform's (network, security, operations). */
class ThreeStackEnvironment extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    for (const name of ['Network', 'Security', 'Operations']) {
      const stack = new Stack(this, name);
      new sqs.Queue(stack, 'Queue', { enforceSSL: true });
    }
  }
}

/** 20 environments of three stacks in two waves, every fifth production, as the pipeline lays them out. */
function twoWaves(useChangeSets?: boolean): any[] {
  const fixture = pipelineFixture({ useChangeSets });
  for (let i = 0; i < 20; i++) {
    fixture.pipeline.addEnvironment(
      new ThreeStackEnvironment(fixture.app, `env${i}`, { env: { account: accountId(i), region: 'eu-west-1' } }),
      { wave: i < 10 ? 'Wave1' : 'Wave2', production: (i + 1) % 5 === 0 },
    );
  }
  fixture.pipeline.gateOnAlarms('Wave1', ['wave1-errors']);
  fixture.pipeline.buildPipeline();
  const pipeline = Object.values<any>(Template.fromStack(fixture.stack).findResources('AWS::CodePipeline::Pipeline'))[0]
    .Properties;
  return pipeline.Stages.filter((s: any) => s.Name.startsWith('Wave'));
}

const actionsOf = (stages: any[]): any[] => stages.flatMap((s: any) => s.Actions);

/** The default layout (with change sets), shared by the two describes below. */
const withChangeSetsStages = twoWaves();

describe('waves of production environments stay within 50 actions per CodePipeline stage', () => {
  // 10 environments of 3 stacks, every 5th production: 8 x 7 + 2 x 9 = 74 actions, 50 steps + 2 extra
  // actions in the first 50 steps (a permissions-broadening step is 2 actions).
  const waveStages = withChangeSetsStages;

  test('each wave is split into stages of at most 50 actions, named <wave>.1, <wave>.2', () => {
    expect(waveStages.map((s: any) => s.Name)).toEqual(['Wave1.1', 'Wave1.2', 'Wave2.1', 'Wave2.2']);
    for (const stage of waveStages) {
      expect([stage.Name, stage.Actions.length <= 50]).toEqual([stage.Name, true]);
    }
    const deploys = actionsOf(waveStages).filter((a: any) => a.Name.endsWith('.Deploy'));
    expect(deploys).toHaveLength(60);
  });

  test('every part of a wave rolls back on failure, and waits for the alarm gate of its wave', () => {
    for (const stage of waveStages) {
      expect(stage.OnFailure).toEqual({ Result: 'ROLLBACK' });
    }
    expect(waveStages.map((s: any) => s.OnSuccess !== undefined)).toEqual([true, true, false, false]);
  });
});

describe('without change sets, each stack deploys in one action', () => {
  // The same 20 environments: 8 x 4 + 2 x 6 = 44 actions per wave, so each wave is one CodePipeline stage.
  const withChangeSets = actionsOf(withChangeSetsStages);
  const waveStages = twoWaves(false);
  const actions = actionsOf(waveStages);
  const cloudFormation = actions.filter((a: any) => a.ActionTypeId.Provider === 'CloudFormation');

  test('one CREATE_UPDATE action per stack, through the target account deploy and execution roles', () => {
    expect(cloudFormation).toHaveLength(60);
    for (const action of cloudFormation) {
      expect(action.Name).toMatch(/\.Deploy$/);
      expect(action.Configuration).toMatchObject({
        ActionMode: 'CREATE_UPDATE',
        TemplatePath: expect.stringMatching(/^Synth_Output::assembly-env\d+\/.*\.template\.json$/),
      });
      expect(JSON.stringify(action.RoleArn)).toMatch(/:role\/cdk-hnb659fds-deploy-role-\d{12}-eu-west-1/);
      expect(JSON.stringify(action.Configuration.RoleArn)).toMatch(
        /:role\/cdk-hnb659fds-cfn-exec-role-\d{12}-eu-west-1/,
      );
    }
    // With change sets the same stacks take two actions each.
    const modes = withChangeSets
      .map((a: any): unknown => a.Configuration?.ActionMode)
      .filter((m): m is string => typeof m === 'string');
    expect(modes.filter((m: string) => m === 'CHANGE_SET_REPLACE')).toHaveLength(60);
    expect(modes.filter((m: string) => m === 'CHANGE_SET_EXECUTE')).toHaveLength(60);
  });

  test('the layout counts one action per stack: each wave of 44 actions is one stage, gates unchanged', () => {
    expect(waveStages.map((s: any) => [s.Name, s.Actions.length])).toEqual([
      ['Wave1', 44],
      ['Wave2', 44],
    ]);
    expect(waveStages.map((s: any) => s.OnSuccess !== undefined)).toEqual([true, false]);
    // Production environments still check permissions and wait for approval before deploying.
    const prod = waveStages[0].Actions.filter((a: any) => a.Name.startsWith('env4.'));
    expect(prod.map((a: any) => `${a.RunOrder}:${a.ActionTypeId.Provider}:${a.Name.replace(/^env4\./, '')}`)).toEqual([
      '1:CodeBuild:PermissionsBroadening.Check',
      '2:Manual:PermissionsBroadening.Confirm',
      '3:Manual:Approve',
      '4:CloudFormation:Network.Deploy',
      '4:CloudFormation:Operations.Deploy',
      '4:CloudFormation:Security.Deploy',
    ]);
  });
});

describe("a pipeline over CodePipeline's 500 actions is a synthesis error, not a failed stack update", () => {
  /** `count` environments of three stacks in waves of ten, with or without change sets. */
  function build(count: number, useChangeSets: boolean): () => void {
    const fixture = pipelineFixture({ useChangeSets });
    for (let i = 0; i < count; i++) {
      fixture.pipeline.addEnvironment(
        new ThreeStackEnvironment(fixture.app, `env${i}`, { env: { account: accountId(i), region: 'eu-west-1' } }),
        { wave: `Wave${Math.floor(i / 10)}`, production: false },
      );
    }
    return () => fixture.pipeline.buildPipeline();
  }

  test('90 environments with change sets: two actions per stack, over 600 in all; the error says what to change', () => {
    expect(build(90, true)).toThrow(
      /pipeline groundwork would have 6\d\d actions \(at most 500\) for 90 environments in 9 waves, over CodePipeline's fixed quotas\. Deploy without change sets \(useChangeSets: false/,
    );
  });

  test('55 waves of one environment: 58 CodePipeline stages, over 50, is a synthesis error too', () => {
    const fixture = pipelineFixture({ useChangeSets: false });
    for (let i = 0; i < 55; i++) {
      fixture.pipeline.addEnvironment(
        new TinyEnvironment(fixture.app, `env${i}`, { env: { account: accountId(i), region: 'eu-west-1' } }),
        { wave: `Wave${i}`, production: false },
      );
    }
    expect(() => fixture.pipeline.buildPipeline()).toThrow(
      /pipeline groundwork would have 58 stages \(at most 50\) for 55 environments in 55 waves, over CodePipeline's fixed quotas\. Split the environments over more pipelines/,
    );
  });

  test('the same 90 environments without change sets: one action per stack, within 500', () => {
    expect(build(90, false)).not.toThrow();
  });
});
