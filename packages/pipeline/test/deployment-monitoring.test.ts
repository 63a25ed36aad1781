process.env.CDK_VALIDATION = 'false';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { DeploymentMonitoring } from '../src';
import { PIPELINE_ENV } from './fixtures';

function make(props: Partial<{ failureThreshold: number }> = {}) {
  const stack = new Stack(new App(), 'Monitoring', { env: PIPELINE_ENV });
  const topic = new sns.Topic(stack, 'Topic');
  const monitoring = new DeploymentMonitoring(stack, 'Deployments', {
    pipelineName: 'groundwork',
    alarmTopic: topic,
    ...props,
  });
  return { stack, topic, monitoring, template: Template.fromStack(stack) };
}

describe('DeploymentMonitoring', () => {
  const { stack, template } = make();

  test('an EventBridge rule sends stage and action state changes of the pipeline to an encrypted, retained log group', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codepipeline'],
        'detail-type': ['CodePipeline Stage Execution State Change', 'CodePipeline Action Execution State Change'],
        detail: { pipeline: ['groundwork'] },
      },
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/aws/events/groundwork/groundwork',
        KmsKeyId: Match.anyValue(),
        RetentionInDays: 365,
      },
      // The name is fixed: a log group kept after a failed create would make the retried create fail.
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    const policy = Object.values(template.findResources('AWS::Logs::ResourcePolicy'))[0] as any;
    const document = JSON.stringify(policy.Properties.PolicyDocument);
    expect(document).toContain('events.amazonaws.com');
    expect(document).toContain('logs:PutLogEvents');
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('metric filters count succeeded and failed stage executions per stage', () => {
    for (const [name, state] of [
      ['StageSucceeded', 'SUCCEEDED'],
      ['StageFailed', 'FAILED'],
    ]) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: `{ ($.detail-type = "CodePipeline Stage Execution State Change") && ($.detail.state = "${state}") }`,
        MetricTransformations: [
          {
            MetricNamespace: 'Groundwork/Deployments',
            MetricName: name,
            MetricValue: '1',
            Dimensions: [
              { Key: 'Pipeline', Value: '$.detail.pipeline' },
              { Key: 'Stage', Value: '$.detail.stage' },
            ],
          },
        ],
      });
    }
  });

  test('a metric filter counts failed stage executions of the whole pipeline (dimension Pipeline only)', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ ($.detail-type = "CodePipeline Stage Execution State Change") && ($.detail.state = "FAILED") }',
      MetricTransformations: [
        {
          MetricNamespace: 'Groundwork/Deployments',
          MetricName: 'StageFailed',
          MetricValue: '1',
          Dimensions: [{ Key: 'Pipeline', Value: '$.detail.pipeline' }],
        },
      ],
    });
    template.resourceCountIs('AWS::Logs::MetricFilter', 3);
  });

  test('the failure alarm watches that one metric and notifies the topic; a dashboard shows pipeline health', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: [
        {
          Id: 'm1',
          Label: 'Failed stage executions',
          MetricStat: {
            Metric: {
              Namespace: 'Groundwork/Deployments',
              MetricName: 'StageFailed',
              Dimensions: [{ Name: 'Pipeline', Value: 'groundwork' }],
            },
            Period: 300,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
      ],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Topic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('Topic') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'groundwork-groundwork' });
  });

  test('the failure alarm uses no SEARCH expression (CloudWatch rejects alarms on SEARCH)', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(1);
    expect(JSON.stringify(alarms)).not.toMatch(/SEARCH\s*\(/i);
    // No metric math either: the alarm watches one metric that the construct's own filter publishes.
    const queries = (alarms[0] as any).Properties.Metrics;
    expect(queries.filter((q: any) => q.Expression !== undefined)).toEqual([]);
  });

  test('rejects a failure threshold below 1', () => {
    expect(() => make({ failureThreshold: 0 })).toThrow(
      /Monitoring\/Deployments: failureThreshold must be an integer >= 1, found 0/,
    );
  });

  test('cdk-nag AwsSolutions and NIST 800-53 rev 5: no finding', () => {
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      const findings = pack
        .validateScope(stack)
        .violations.filter((v) => v.violatingResources.some((r: any) => r.constructPath.includes('Deployments')));
      expect(findings.map((v) => v.ruleName)).toEqual([]);
    }
  });
});
