process.env.CDK_VALIDATION = 'false';
import { pipelineFixture, TinyEnvironment, accountId } from './fixtures';

// Issue 9: the pipeline must stay deployable at 100 environments.
// AWS quotas: CodePipeline 50 stages per pipeline and 50 actions per stage; IAM 10,240 bytes per role
// policy (we hold every policy document to it, including S3 bucket and KMS key policies); the issue's own
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
    });

    test('every policy document is under 10,240 bytes', () => {
      const documents: Array<[string, unknown]> = [];
      for (const stack of pipelineStacks) {
        for (const [id, resource] of Object.entries<any>(stack.template.Resources)) {
          const props = resource.Properties ?? {};
          if (props.PolicyDocument) documents.push([`${stack.stackName}/${id}`, props.PolicyDocument]);
          if (props.KeyPolicy) documents.push([`${stack.stackName}/${id}`, props.KeyPolicy]);
          for (const inline of props.Policies ?? []) {
            documents.push([`${stack.stackName}/${id}`, inline.PolicyDocument]);
          }
        }
      }
      expect(documents.length).toBeGreaterThan(10);
      const tooLarge = documents.filter(([, doc]) => JSON.stringify(doc).length >= 10240).map(([id]) => id);
      expect(tooLarge).toEqual([]);
      // no CDK policy splitting happened (which would mean a policy outgrew 10,240 bytes)
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
