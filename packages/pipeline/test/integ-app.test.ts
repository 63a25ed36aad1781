process.env.CDK_VALIDATION = 'false';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { PipelineNotifications } from '../src';
import { buildIntegApp, INTEG_PIPELINE_NAME, INTEG_PROD_ENV, INTEG_TOOLING_ENV } from './integ.gitops-pipeline';

// The template stability gate (scripts/template-stability) protects only the stateful resources the integ
// app synthesizes. These tests fail if one of them leaves the app, so the gate cannot silently check less.
describe('integ.gitops-pipeline', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-integ-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const integ = buildIntegApp({ outdir });
  const { tooling, pipeline, dev, prod } = integ;
  const supportStacks = Object.values(pipeline.pipeline.crossRegionSupport).map((s) => s.stack);
  const assembly = integ.app.synth();

  /** The logical id a construct's CloudFormation resource has in its stack. */
  function logicalId(construct: IConstruct): string {
    const resource = (construct.node.defaultChild ?? construct) as CfnElement;
    return Stack.of(resource).resolve(resource.logicalId);
  }

  /**
   * Retained on deletion and replacement. A resource with a fixed name is `RetainExceptOnCreate`: deleted when
   * the create that made it rolls back, as a retained one would make the retried create fail on its name.
   */
  function expectRetained(
    stack: Stack,
    construct: IConstruct,
    type: string,
    deletionPolicy: 'Retain' | 'RetainExceptOnCreate' = 'Retain',
  ): void {
    const resources = Template.fromStack(stack).findResources(type);
    expect(resources[logicalId(construct)]).toMatchObject({ Type: type, DeletionPolicy: deletionPolicy });
    expect(resources[logicalId(construct)].UpdateReplacePolicy).toBe('Retain');
  }

  test('synthesizes the pipeline stack, one cross-region support stack and both environments', () => {
    expect(supportStacks.map((s) => [s.account, s.region])).toEqual([
      [INTEG_TOOLING_ENV.account, INTEG_PROD_ENV.region],
    ]);
    const stacks = assembly.stacks.map((s) => s.stackName);
    expect(stacks).toEqual(expect.arrayContaining([tooling.stackName, supportStacks[0].stackName]));
    const stageStacks = [dev, prod].map((stage) => stage.synth().stacks.map((s) => s.hierarchicalId));
    expect(stageStacks).toEqual([['dev/Workload'], ['prod/Workload']]);
  });

  test('the pipeline stack holds the artifact bucket and key, the access-log bucket, retained', () => {
    expectRetained(tooling, pipeline.artifactBucket, 'AWS::S3::Bucket');
    expectRetained(tooling, pipeline.artifactKey, 'AWS::KMS::Key');
    expectRetained(tooling, pipeline.accessLogsBucket, 'AWS::S3::Bucket');
    Template.fromStack(tooling).hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(pipeline.artifactKey), 'Arn'] },
            },
          }),
        ],
      },
    });
  });

  test('the pipeline stack holds the notification topic and key and the monitoring log group and key', () => {
    const notifications = pipeline.node.findChild('Notifications') as PipelineNotifications;
    expectRetained(tooling, notifications.key, 'AWS::KMS::Key');
    Template.fromStack(tooling).resourceCountIs('AWS::SNS::Topic', 1);
    expect(Template.fromStack(tooling).findResources('AWS::SNS::Topic')).toHaveProperty(
      logicalId(pipeline.notificationTopic),
    );
    expectRetained(tooling, pipeline.monitoring!.logGroup, 'AWS::Logs::LogGroup', 'RetainExceptOnCreate');
    Template.fromStack(tooling).hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/events/groundwork/${INTEG_PIPELINE_NAME}`,
      KmsKeyId: Match.anyValue(),
    });
  });

  test('the cross-region support stack holds the replication bucket, its key and its access-log bucket', () => {
    const template = Template.fromStack(supportStacks[0]);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.resourceCountIs('AWS::KMS::Key', 1);
    // The replication bucket has a fixed name (RetainExceptOnCreate); its access-log bucket has none.
    expect(
      Object.values(template.findResources('AWS::S3::Bucket'))
        .map((r) => `${r.Properties.BucketName ? 'named' : 'unnamed'}: ${r.DeletionPolicy}`)
        .sort(),
    ).toEqual(['named: RetainExceptOnCreate', 'unnamed: Retain']);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test.each([
    ['dev', dev],
    ['prod', prod],
  ])('environment %s holds the drift detector log group and key, retained', (name, stage) => {
    expectRetained(stage.workload, stage.drift.logGroup, 'AWS::Logs::LogGroup', 'RetainExceptOnCreate');
    Template.fromStack(stage.workload).hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: `/aws/vendedlogs/states/groundwork-drift-${name}`, KmsKeyId: Match.anyValue() },
    });
    Template.fromStack(stage.workload).resourcePropertiesCountIs(
      'AWS::KMS::Key',
      { Description: `Encrypts the drift detector logs of ${name}` },
      1,
    );
  });

  test.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['NIST 800-53 R5', () => new NIST80053R5Checks()],
  ])('cdk-nag %s: no unacknowledged finding in any stack of the integ app', (_name, pack) => {
    const checks = pack();
    const violations = [tooling, ...supportStacks, dev.workload, prod.workload].flatMap(
      (s) => checks.validateScope(s).violations,
    );
    expect(
      violations.map((v) => `${v.ruleName} ${v.violatingResources.map((c) => c.constructPath).join(',')}`),
    ).toEqual([]);
  });
});
