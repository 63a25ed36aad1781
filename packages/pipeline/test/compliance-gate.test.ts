import { App, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { GitOpsPipeline } from '../src';
import { CONNECTION_ARN, ORG_ID, PIPELINE_ENV, accountId } from './fixtures';

/** An environment holding a deliberately non-compliant bucket: no SSL enforcement, no access logs. */
class NonCompliantEnvironment extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'Workload');
    new s3.Bucket(stack, 'OpenBucket', { encryption: s3.BucketEncryption.S3_MANAGED });
  }
}

function synthWith(gate: boolean) {
  process.env.CDK_VALIDATION = 'false';
  const app = new App();
  const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
  const pipeline = new GitOpsPipeline(stack, 'GitOps', {
    repository: 'groundwork-platform/groundwork',
    connectionArn: CONNECTION_ARN,
    organizationId: ORG_ID,
    complianceGate: gate ? [new AwsSolutionsChecks()] : undefined,
  });
  pipeline.addEnvironment(
    new NonCompliantEnvironment(app, 'dev', { env: { account: accountId(1), region: 'eu-west-1' } }),
    {
      wave: 'Dev',
    },
  );
  return app.synth();
}

describe('compliance gate', () => {
  test('gate on: synthesis fails, naming the finding and the construct inside the stage', () => {
    let error: Error | undefined;
    try {
      synthWith(true);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeDefined();
    expect(error!.message).toMatch(/AwsSolutions-S10/);
    expect(error!.message).toMatch(/dev\/Workload\/OpenBucket/);
    // the pipeline stack itself is clean: only the stage's bucket is named
    expect(error!.message).not.toMatch(/PipelineStack\/GitOps/);
  });

  test('gate off: the same stage synthesizes and the pipeline deploys it', () => {
    const assembly = synthWith(false);
    const template = assembly.getStackByName('PipelineStack').template;
    const pipeline = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    expect(pipeline.Properties.Stages.map((s: any) => s.Name)).toContain('dev');
  });
});
