import { App, CfnOutput, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GitOpsPipeline, GitOpsPipelineProps } from '../src';

export const PIPELINE_ENV = { account: '111111111111', region: 'eu-west-1' };
export const CONNECTION_ARN =
  'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-1111-2222-3333-444455556666';
export const ORG_ID = 'o-abc123def4';

/** A tiny environment: one stack with one resource and one output. */
export class TinyEnvironment extends Stage {
  public readonly stack: Stack;
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    this.stack = new Stack(this, 'Workload');
    const queue = new sqs.Queue(this.stack, 'Queue', { enforceSSL: true });
    new CfnOutput(this.stack, 'QueueUrl', { value: queue.queueUrl });
  }
}

export function accountId(n: number): string {
  return `${200000000000 + n}`;
}

export interface Fixture {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: GitOpsPipeline;
}

export function pipelineFixture(props: Partial<GitOpsPipelineProps> = {}): Fixture {
  const app = new App();
  const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
  const pipeline = new GitOpsPipeline(stack, 'GitOps', {
    repository: 'groundwork-platform/groundwork',
    connectionArn: CONNECTION_ARN,
    organizationId: ORG_ID,
    ...props,
  });
  return { app, stack, pipeline };
}

/** dev (non-production, wave 'Dev') and prod (production, wave 'Prod'). */
export function devAndProd(props: Partial<GitOpsPipelineProps> = {}): Fixture {
  const fixture = pipelineFixture(props);
  fixture.pipeline.addEnvironment(
    new TinyEnvironment(fixture.app, 'dev', { env: { account: accountId(1), region: 'eu-west-1' } }),
    { wave: 'Dev' },
  );
  fixture.pipeline.addEnvironment(
    new TinyEnvironment(fixture.app, 'prod', { env: { account: accountId(2), region: 'eu-west-1' } }),
    { wave: 'Prod', production: true },
  );
  return fixture;
}
