process.env.CDK_VALIDATION = 'false';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { DeploymentMonitoring, PipelineEventsLogPolicy } from '../src';
import { PIPELINE_ENV } from './fixtures';

function make(
  props: Partial<{ failureThreshold: number; pipelineName: string; eventsLogPolicy: boolean; namespace: string }> = {},
) {
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

  // CloudWatch Logs uses the key only with the ARN of the log group as encryption context: the condition keeps
  // the key to log groups of this account and region, not those of any account that names the key.
  test('the log group key admits CloudWatch Logs only for the log groups of this account and region', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
            Resource: '*',
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111111111111:log-group:*']],
                },
              },
            },
          },
        ]),
      },
    });
  });

  // GetAtt Arn of a log group ends in `:*`; EventBridge is reported to accept that target and deliver
  // nothing. aws-cdk-lib's CloudWatchLogGroup target uses the ARN without it.
  test('the rule targets the log group ARN without the trailing :*, which the resource policy still covers', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0] as any;
    const logGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup'))[0];
    expect(rule.Properties.Targets).toEqual([
      {
        Id: 'Target0',
        Arn: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:111111111111:log-group:', { Ref: logGroupId }],
          ],
        },
      },
    ]);
    // Resolved as CloudFormation would: the policy's resource is the target ARN followed by `:*`, so it
    // matches the log streams EventBridge creates and writes to in the target's log group.
    const name = '/aws/events/groundwork/groundwork';
    const resolve = (value: any): string => {
      if (typeof value === 'string') return value;
      if (value.Ref === 'AWS::Partition') return 'aws';
      if (value.Ref === logGroupId) return name;
      if (value['Fn::GetAtt']?.[0] === logGroupId && value['Fn::GetAtt'][1] === 'Arn') {
        return `arn:aws:logs:eu-west-1:111111111111:log-group:${name}:*`;
      }
      if (value['Fn::Join']) return value['Fn::Join'][1].map(resolve).join(value['Fn::Join'][0]);
      throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    };
    const targetArn = resolve(rule.Properties.Targets[0].Arn);
    expect(targetArn).toBe(`arn:aws:logs:eu-west-1:111111111111:log-group:${name}`);
    const policy = Object.values(template.findResources('AWS::Logs::ResourcePolicy'))[0] as any;
    const statement = JSON.parse(resolve(policy.Properties.PolicyDocument)).Statement[0];
    expect(statement.Principal.Service).toContain('events.amazonaws.com');
    expect(statement.Action).toEqual(expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']));
    // IAM wildcard matching: `*` is any run of characters, everything else is literal.
    const matches = (pattern: string, value: string) =>
      value.length >= pattern.length - 1 &&
      pattern
        .split('*')
        .every((part, i, parts) =>
          i === 0 ? value.startsWith(part) : i === parts.length - 1 ? value.endsWith(part) : value.includes(part),
        );
    expect(matches(statement.Resource, `${targetArn}:log-stream:abc`)).toBe(true);
    expect(matches(statement.Resource, `${targetArn}-other:log-stream:abc`)).toBe(false);
  });

  // A topic policy replaces SNS's default policy: without a grant of its own, CloudWatch is refused and
  // the alarm notifies nobody.
  test('the topic policy lets CloudWatch publish from the failure alarm, of this account only', () => {
    const alarmId = Object.keys(template.findResources('AWS::CloudWatch::Alarm'))[0];
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: Match.stringLikeRegexp('^AllowAlarmPublish[A-Za-z0-9]+$'),
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: topicId },
            Condition: {
              ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [alarmId, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': '111111111111' },
            },
          },
        ]),
      },
    });
  });

  test('a topic of another stack admits the alarms of its account and region, without a dependency cycle', () => {
    const app = new App();
    const topicStack = new Stack(app, 'Topics', { env: PIPELINE_ENV });
    const topic = new sns.Topic(topicStack, 'Topic');
    const monitoringStack = new Stack(app, 'Monitoring', { env: PIPELINE_ENV });
    new DeploymentMonitoring(monitoringStack, 'Deployments', { pipelineName: 'groundwork', alarmTopic: topic });
    const assembly = app.synth();
    // The monitoring stack uses the topic; the topic's stack must not need the monitoring stack back.
    expect(assembly.getStackByName('Monitoring').dependencies.map((d) => d.id)).toContain('Topics');
    expect(assembly.getStackByName('Topics').dependencies.map((d) => d.id)).not.toContain('Monitoring');
    Template.fromStack(topicStack).hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111111111111:alarm:*']],
                },
              },
              StringEquals: { 'aws:SourceAccount': '111111111111' },
            },
          }),
        ],
      },
    });
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
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'groundwork-groundwork-eu-west-1' });
  });

  test('the failure alarm uses no SEARCH expression (CloudWatch rejects alarms on SEARCH)', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(1);
    expect(JSON.stringify(alarms)).not.toMatch(/SEARCH\s*\(/i);
    // No metric math either: the alarm watches one metric that the construct's own filter publishes.
    const queries = (alarms[0] as any).Properties.Metrics;
    expect(queries.filter((q: any) => q.Expression !== undefined)).toEqual([]);
  });

  // CodePipeline allows '@' in a pipeline name (and GitOpsPipeline accepts it); CloudWatch Logs allows only
  // letters, digits, '_', '-', '/', '.' (and '#') in a log group name, so CloudFormation would fail to create it.
  test('a pipeline name with @ gets a log group name CloudWatch Logs accepts, distinct from the name with -', () => {
    const logGroupName = (pipelineName: string) =>
      (Object.values(make({ pipelineName }).template.findResources('AWS::Logs::LogGroup'))[0] as any).Properties
        .LogGroupName as string;
    const withAt = logGroupName('orders@main');
    expect(withAt).toMatch(/^\/aws\/events\/groundwork\/orders-main-[0-9a-f]{8}$/);
    expect(withAt).toMatch(/^[A-Za-z0-9._\/#-]{1,512}$/);
    expect(logGroupName('orders-main')).toBe('/aws/events/groundwork/orders-main');
    expect(logGroupName('orders.main_1')).toBe('/aws/events/groundwork/orders.main_1');
  });

  // CloudWatch dashboards are global to the account (PutDashboard replaces a dashboard of the same name), and
  // allow only letters, digits, '-' and '_' (at most 255). '.' and '@' were replaced with no hash, so team.a,
  // team-a and team@a shared one dashboard; and the same pipeline name in two regions did too.
  describe('dashboard names', () => {
    const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;
    const dashboardName = (pipelineName: string, region: string | null = PIPELINE_ENV.region): any => {
      const monitoringStack = new Stack(new App(), 'Monitoring', {
        env: region ? { account: PIPELINE_ENV.account, region } : undefined,
      });
      new DeploymentMonitoring(monitoringStack, 'Deployments', { pipelineName });
      return (Object.values(Template.fromStack(monitoringStack).findResources('AWS::CloudWatch::Dashboard'))[0] as any)
        .Properties.DashboardName;
    };

    test('team.a, team-a and team@a get three dashboards', () => {
      const names = ['team.a', 'team-a', 'team@a'].map((name) => dashboardName(name));
      expect(new Set(names).size).toBe(3);
      expect(names[0]).toMatch(/^groundwork-team-a-[0-9a-f]{8}-eu-west-1$/);
      expect(names[1]).toBe('groundwork-team-a-eu-west-1');
      expect(names[2]).toMatch(/^groundwork-team-a-[0-9a-f]{8}-eu-west-1$/);
      for (const name of names) {
        expect(name).toMatch(DASHBOARD_NAME);
      }
    });

    test('the same pipeline name in two regions of one account gets two dashboards', () => {
      expect(dashboardName('groundwork', 'eu-west-1')).toBe('groundwork-groundwork-eu-west-1');
      expect(dashboardName('groundwork', 'us-east-1')).toBe('groundwork-groundwork-us-east-1');
    });

    test('a 100-character pipeline name gives a valid dashboard name', () => {
      const name = dashboardName(`${'a'.repeat(99)}.`);
      expect(name).toMatch(DASHBOARD_NAME);
      expect(name).toMatch(/^groundwork-a{99}--[0-9a-f]{8}-eu-west-1$/);
    });

    test('in an environment-agnostic stack, the dashboard name ends in the region the stack is deployed to', () => {
      expect(dashboardName('team.a', null)).toEqual({
        'Fn::Join': ['', [expect.stringMatching(/^groundwork-team-a-[0-9a-f]{8}-$/), { Ref: 'AWS::Region' }]],
      });
    });
  });

  // CloudWatch Logs: at most 10 resource policies per account and region, not adjustable. One per pipeline
  // stops the 11th pipeline of a shared tooling account (LimitExceededException), so it can be turned off
  // in favour of one policy of the account that covers every pipeline's log group.
  test('eventsLogPolicy: false creates no resource policy; PipelineEventsLogPolicy covers every pipeline log group', () => {
    const { template: withoutPolicy } = make({ eventsLogPolicy: false });
    withoutPolicy.resourceCountIs('AWS::Logs::ResourcePolicy', 0);
    withoutPolicy.resourceCountIs('AWS::Events::Rule', 1);
    const accountStack = new Stack(new App(), 'Account', { env: PIPELINE_ENV });
    new PipelineEventsLogPolicy(accountStack, 'EventsLogPolicy');
    const shared = Template.fromStack(accountStack);
    shared.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    const policy = Object.values(shared.findResources('AWS::Logs::ResourcePolicy'))[0] as any;
    expect(policy.Properties.PolicyName).toBe('groundwork-pipeline-events');
    const resolve = (value: any): string => {
      if (typeof value === 'string') return value;
      if (value.Ref === 'AWS::Partition') return 'aws';
      if (value['Fn::Join']) return value['Fn::Join'][1].map(resolve).join(value['Fn::Join'][0]);
      throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    };
    const statement = JSON.parse(resolve(policy.Properties.PolicyDocument)).Statement[0];
    expect(statement.Principal.Service).toContain('events.amazonaws.com');
    expect(statement.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(statement.Resource).toBe('arn:aws:logs:eu-west-1:111111111111:log-group:/aws/events/groundwork/*:*');
    // IAM wildcard matching against the log streams of the log groups DeploymentMonitoring names.
    const pattern = new RegExp(
      `^${statement.Resource.split('*')
        .map((p: string) => p.replace(/[.?+^$()[\]{}|\\/]/g, '\\$&'))
        .join('.*')}$`,
    );
    for (const pipelineName of ['groundwork', 'orders@main']) {
      const name = (Object.values(make({ pipelineName }).template.findResources('AWS::Logs::LogGroup'))[0] as any)
        .Properties.LogGroupName;
      expect(`arn:aws:logs:eu-west-1:111111111111:log-group:${name}:log-stream:abc`).toMatch(pattern);
    }
    expect('arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/x:log-stream:abc').not.toMatch(pattern);
  });

  test('rejects a failure threshold below 1', () => {
    expect(() => make({ failureThreshold: 0 })).toThrow(
      /Monitoring\/Deployments: failureThreshold must be an integer >= 1, found 0/,
    );
  });

  // The rule matches events by pipeline name: a name no CodePipeline pipeline can have (CodePipeline allows 1 to
  // 100 letters, digits, '.', '@', '_' and '-') matches no event, so the failure alarm could never fire.
  test('rejects a pipeline name that no CodePipeline pipeline can have; accepts a token', () => {
    for (const pipelineName of ['my pipeline', '', 'a'.repeat(101), 'team/a']) {
      expect(() => make({ pipelineName })).toThrow(
        `Monitoring/Deployments: pipelineName must be a CodePipeline pipeline name (1 to 100 letters, digits, '.', '@', '_' or '-'), found '${pipelineName}'`,
      );
    }
    expect(() => make({ pipelineName: undefined as unknown as string })).toThrow(/found 'undefined'/);
    expect(() => make({ pipelineName: 'a'.repeat(100) })).not.toThrow();
    const parameterStack = new Stack(new App(), 'Monitoring', { env: PIPELINE_ENV });
    const name = new CfnParameter(parameterStack, 'PipelineName').valueAsString;
    new DeploymentMonitoring(parameterStack, 'Deployments', { pipelineName: name });
    Template.fromStack(parameterStack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { pipeline: [{ Ref: 'PipelineName' }] } },
    });
  });

  // The metric filters reject ':', '*' and '$' in a namespace (CloudWatch Logs MetricTransformation), and a quote
  // would end the dashboard's SEARCH string.
  test('rejects a namespace the metric filters or the dashboard cannot take', () => {
    for (const namespace of ['', 'Team:Deployments', 'Deploy*', 'x'.repeat(256), "Team's", 'Say "hi"']) {
      expect(() => make({ namespace })).toThrow(
        `Monitoring/Deployments: namespace must be 1 to 255 characters without ':', '*', '$', quotes or control characters (CloudWatch Logs metric filters), found '${namespace}'`,
      );
    }
  });

  // CloudWatch SEARCH: a namespace with spaces or characters other than letters and digits goes in double quotes
  // in the metric schema; unquoted, the graph shows an error instead of the stages.
  test('the dashboard quotes a namespace with spaces or punctuation in its SEARCH expressions', () => {
    const expressions = (namespace?: string): string[] => {
      const dashboard = Object.values(
        make({ namespace }).template.findResources('AWS::CloudWatch::Dashboard'),
      )[0] as any;
      const parts: any[] = dashboard.Properties.DashboardBody['Fn::Join'][1];
      const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
      return body.widgets
        .filter((w: any) => w.type === 'metric')
        .flatMap((w: any) => w.properties.metrics.flat().map((m: any) => m.expression));
    };
    expect(expressions('Team Deployments.prod')).toEqual([
      `SEARCH('{"Team Deployments.prod",Pipeline,Stage} MetricName="StageSucceeded" Pipeline="groundwork"', 'Sum', 3600)`,
      `SEARCH('{"Team Deployments.prod",Pipeline,Stage} MetricName="StageFailed" Pipeline="groundwork"', 'Sum', 3600)`,
    ]);
    // The default needs no quotes (AWS writes {AWS/EC2,InstanceId}), so the deployed dashboard is unchanged.
    expect(expressions()[1]).toBe(
      `SEARCH('{Groundwork/Deployments,Pipeline,Stage} MetricName="StageFailed" Pipeline="groundwork"', 'Sum', 3600)`,
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
