/**
 * Integration app of GitOpsPipeline: the pipeline in a tooling account, a non-production environment in
 * another account of the same region and a production environment in another account and region, each
 * with a small workload and the environment's DriftDetector, as the platform app composes them.
 *
 * It is the app the template stability gate (scripts/template-stability) synthesizes and compares with
 * api-baseline/templates.json: the artifact bucket and key, the access-log bucket, the notification topic
 * and key, the deployment monitoring log group and key, the cross-region replication buckets and key, and
 * each environment's drift log group and key. The accounts and the connection are placeholders: the app is
 * synthesized, not deployed (`stackUpdateWorkflow: false`).
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, AppProps, CfnOutput, Duration, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { DriftDetector, GitOpsPipeline } from '../src';

export const INTEG_TOOLING_ENV = { account: '111111111111', region: 'eu-west-1' };
export const INTEG_DEV_ENV = { account: '200000000001', region: 'eu-west-1' };
/** Another region than the pipeline's, so CodePipeline adds a cross-region support stack. */
export const INTEG_PROD_ENV = { account: '200000000002', region: 'us-east-1' };
export const INTEG_PIPELINE_NAME = 'groundwork-integ';

/** One environment: a small workload stack and the environment's drift detector. */
export class IntegEnvironment extends Stage {
  public readonly workload: Stack;
  public readonly drift: DriftDetector;
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    this.workload = new Stack(this, 'Workload');
    const version = new ssm.StringParameter(this.workload, 'Version', {
      parameterName: `/groundwork/${id}/integ/version`,
      stringValue: '1',
    });
    // An output for the post-deployment validation of the non-production wave to check.
    new CfnOutput(this.workload, 'VersionParameter', { value: version.parameterName });

    const alertKey = new kms.Key(this.workload, 'AlertKey', { enableKeyRotation: true });
    const alerts = new sns.Topic(this.workload, 'Alerts', { masterKey: alertKey, enforceSSL: true });
    this.drift = new DriftDetector(this.workload, 'Drift', {
      environmentName: id,
      stackNamePrefix: `groundwork-${id}-`,
      schedule: events.Schedule.rate(Duration.hours(12)),
      alertTopic: alerts,
      alertTopicKey: alertKey,
      pipelineName: INTEG_PIPELINE_NAME,
      pipelineAccount: INTEG_TOOLING_ENV.account,
      pipelineRegion: INTEG_TOOLING_ENV.region,
    });
  }
}

export interface IntegApp {
  readonly app: App;
  readonly tooling: Stack;
  readonly pipeline: GitOpsPipeline;
  readonly dev: IntegEnvironment;
  readonly prod: IntegEnvironment;
  readonly integ: IntegTest;
}

/** Builds the integ app. Stack traces are off so synthesized metadata holds no local paths. */
export function buildIntegApp(props: AppProps = {}): IntegApp {
  const app = new App({
    stackTraces: false,
    ...props,
    context: { 'aws:cdk:disable-creation-stack-traces': true, ...props.context },
  });
  const tooling = new Stack(app, 'GroundworkPipelineInteg', { env: INTEG_TOOLING_ENV });
  const pipeline = new GitOpsPipeline(tooling, 'GitOps', {
    repository: 'groundwork-platform/groundwork',
    connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-1111-2222-3333-444455556666',
    organizationId: 'o-abc123def4',
    pipelineName: INTEG_PIPELINE_NAME,
    notificationEmails: ['platform@example.com'],
  });
  const dev = new IntegEnvironment(app, 'dev', { env: INTEG_DEV_ENV });
  const prod = new IntegEnvironment(app, 'prod', { env: INTEG_PROD_ENV });
  pipeline.addEnvironment(dev, { wave: 'Dev' });
  pipeline.addEnvironment(prod, { wave: 'Prod', production: true });
  // Built here rather than by the aspect at synth time, so the cross-region support stack exists for
  // IntegTest and for tests that read the app without synthesizing it.
  pipeline.buildPipeline();

  const integ = new IntegTest(app, 'GitOpsPipelineInteg', {
    testCases: [tooling],
    // No credentials are available to CI here; the synthesized templates are what gets checked.
    stackUpdateWorkflow: false,
  });
  return { app, tooling, pipeline, dev, prod, integ };
}

if (require.main === module) {
  buildIntegApp().app.synth();
}
