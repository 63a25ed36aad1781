import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SecurityAlarms, SecurityAlarmsOptions, SecurityEvent } from '../src';
import { newStack } from './util';

function alarms(options: SecurityAlarmsOptions = {}): { template: Template; construct: SecurityAlarms } {
  const stack = newStack();
  const logGroup = new logs.LogGroup(stack, 'TrailLogs');
  const construct = new SecurityAlarms(stack, 'Alarms', { logGroup, ...options });
  return { template: Template.fromStack(stack), construct };
}

describe('SecurityAlarms defaults', () => {
  const { template } = alarms({ emailAddresses: ['sec@example.com'] });
  const all = Object.values(SecurityEvent);

  test('one metric filter and one alarm per CIS control, alarming to the topic', () => {
    // AlertingChanges has two more filters, on the alert topic, its subscriptions and key.
    template.resourceCountIs('AWS::Logs::MetricFilter', all.length + 2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', all.length);
    for (const event of all) {
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: Match.stringLikeRegexp('^TrailLogs') },
        MetricTransformations: [{ MetricNamespace: 'Groundwork/Security', MetricName: event, MetricValue: '1' }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: event,
        Namespace: 'Groundwork/Security',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        // Set in the template, so that DisableAlarmActions outside it shows as drift.
        ActionsEnabled: true,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
      });
    }
  });

  test("the alert topic's filters feed the AlertingChanges metric and alarm, naming the topic and its key", () => {
    const alerting = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
      (f) => f.Properties.MetricTransformations[0].MetricName === SecurityEvent.ALERTING_CHANGES,
    );
    expect(alerting).toHaveLength(3);
    for (const filter of alerting) {
      expect(filter.Properties.MetricTransformations).toEqual([
        { MetricNamespace: 'Groundwork/Security', MetricName: 'AlertingChanges', MetricValue: '1' },
      ]);
    }
    const refs = alerting.map((f) => JSON.stringify(f.Properties.FilterPattern));
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    expect(refs.filter((r) => r.includes(`{"Ref":"${topicId}"}`))).toHaveLength(2);
    expect(refs.filter((r) => r.includes(`{"Ref":"${keyId}"}`))).toHaveLength(1);
    expect(
      Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
        (a) => a.Properties.MetricName === SecurityEvent.ALERTING_CHANGES,
      ),
    ).toHaveLength(1);
  });

  test.each([
    [SecurityEvent.ROOT_ACCOUNT_USAGE, '$.userIdentity.type = "Root"'],
    [SecurityEvent.UNAUTHORIZED_API_CALLS, '($.errorCode = "*UnauthorizedOperation")'],
    [SecurityEvent.CONSOLE_SIGNIN_WITHOUT_MFA, '($.additionalEventData.MFAUsed != "Yes")'],
    [SecurityEvent.IAM_POLICY_CHANGES, '($.eventName = PutRolePolicy)'],
    [SecurityEvent.CLOUDTRAIL_CHANGES, '($.eventName = StopLogging)'],
    [SecurityEvent.CONFIG_CHANGES, '($.eventName = StopConfigurationRecorder)'],
    [SecurityEvent.SECURITY_GROUP_CHANGES, '($.eventName = AuthorizeSecurityGroupIngress)'],
    [SecurityEvent.NACL_CHANGES, '($.eventName = CreateNetworkAclEntry)'],
    [SecurityEvent.ROUTE_TABLE_CHANGES, '($.eventName = CreateRoute)'],
    [SecurityEvent.KMS_KEY_DISABLED_OR_DELETED, '($.eventName = ScheduleKeyDeletion)'],
  ])('%s filter pattern matches the CIS control', (event, fragment) => {
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
      (f) => f.Properties.MetricTransformations[0].MetricName === event,
    );
    expect(filters).toHaveLength(1);
    expect(filters[0].Properties.FilterPattern).toContain(fragment);
  });

  test('topic: KMS encrypted, TLS-only policy, email subscription', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmsTopicKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Sid: 'AllowAlarmsPublish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '111122223333' } }),
          }),
          Match.objectLike({
            Sid: 'AllowGuardDutyFindingsPublish',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: {
              ArnEquals: {
                'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmsGuardDutyFindings'), 'Arn'] },
              },
            },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'sec@example.com' });
  });

  test('topic key: rotation on, retained, only alarm publishers in this account and event publishers', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: [
            Match.objectLike({ Action: 'kms:*', Principal: { AWS: Match.anyValue() } }),
            {
              Sid: 'AllowAlarmPublishers',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
            },
            {
              Sid: 'AllowEventPublishers',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
            },
          ],
        },
      },
    });
  });

  // SNS does not support aws:SourceAccount, aws:SourceArn or aws:SourceOrgID in the key policy for
  // EventBridge-to-encrypted topics: with them every rule invocation fails and no finding arrives.
  test('topic key: no aws:Source* condition on any events.amazonaws.com grant, kept for CloudWatch', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    expect(keys).toHaveLength(1);
    const statements: any[] = keys[0].Properties.KeyPolicy.Statement;
    const grantsTo = (service: string) =>
      statements.filter((s) => ([] as string[]).concat(s.Principal?.Service ?? []).includes(service));
    const sourceKeys = (s: any) =>
      Object.values<Record<string, unknown>>(s.Condition ?? {})
        .flatMap((operands) => Object.keys(operands))
        .filter((key) => /^aws:Source/i.test(key));

    const eventGrants = grantsTo('events.amazonaws.com');
    expect(eventGrants).toHaveLength(1);
    expect(eventGrants[0].Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(sourceKeys(eventGrants[0])).toEqual([]);

    const alarmGrants = grantsTo('cloudwatch.amazonaws.com');
    expect(alarmGrants).toHaveLength(1);
    expect(sourceKeys(alarmGrants[0])).toEqual(['aws:SourceAccount']);
  });

  test('GuardDuty findings (severity >= 4) and Config non-compliance go to the topic', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.guardduty'],
        'detail-type': ['GuardDuty Finding'],
        detail: { severity: [{ numeric: ['>=', 4] }] },
      },
      Targets: [{ Arn: { Ref: Match.stringLikeRegexp('^AlarmsTopic') }, Id: 'Target0' }],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.config'],
        'detail-type': ['Config Rules Compliance Change'],
        detail: { newEvaluationResult: { complianceType: ['NON_COMPLIANT'] } },
      },
    });
  });

  test('dashboard shows alarm states, Config non-compliance and GuardDuty findings', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain('"type\\":\\"alarm\\"');
    expect(body).toContain('AWS Config: rule evaluations turned NON_COMPLIANT');
    expect(body).toContain('GuardDuty findings');
    expect(body).toContain('MatchedEvents');
  });
});

/** The dashboard body with every CloudFormation token replaced by a placeholder, parsed. */
function dashboardBody(template: Template): { widgets: { type: string; properties: any }[] } {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody;
  const parts: unknown[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
}

describe('SecurityAlarms dashboard', () => {
  test('the CIS events graph counts each event per hour', () => {
    const events = [SecurityEvent.ROOT_ACCOUNT_USAGE, SecurityEvent.VPC_CHANGES];
    const { template } = alarms({ events });
    const graphs = dashboardBody(template).widgets.filter(
      (w) => w.properties.title === 'CIS monitoring events (count per hour)',
    );
    expect(graphs).toHaveLength(1);
    expect(graphs[0].properties.metrics).toEqual(
      events.map((event) => ['Groundwork/Security', event, { period: 3600, stat: 'Sum' }]),
    );
    // The alarms keep their 5-minute evaluation.
    for (const event of events) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: event, Period: 300 });
    }
  });
});

describe('SecurityAlarms options', () => {
  test('selected events, no routing, no dashboard, custom namespace', () => {
    const { template } = alarms({
      events: [SecurityEvent.ROOT_ACCOUNT_USAGE],
      notifyGuardDutyFindings: false,
      notifyConfigNonCompliance: false,
      enableDashboard: false,
      metricNamespace: 'Acme/Security',
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.resourceCountIs('AWS::Events::Rule', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'Acme/Security' });
  });

  test('event thresholds: the listed events alarm at their count, the others at the first occurrence', () => {
    const { template } = alarms({ eventThresholds: { [SecurityEvent.UNAUTHORIZED_API_CALLS]: 5 } });
    const thresholds = Object.fromEntries(
      Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: any) => [
        a.Properties.MetricName,
        a.Properties.Threshold,
      ]),
    );
    expect(thresholds[SecurityEvent.UNAUTHORIZED_API_CALLS]).toBe(5);
    for (const event of Object.values(SecurityEvent).filter((e) => e !== SecurityEvent.UNAUTHORIZED_API_CALLS)) {
      expect({ event, threshold: thresholds[event] }).toEqual({ event, threshold: 1 });
    }
  });

  test('GuardDuty severity threshold', () => {
    const { template } = alarms({ guardDutyMinimumSeverity: 7 });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { severity: [{ numeric: ['>=', 7] }] } },
    });
  });

  test('GuardDuty severity 9 sends only Critical findings (9.0 to 10.0)', () => {
    const { template } = alarms({ guardDutyMinimumSeverity: 9 });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { detail: { severity: [{ numeric: ['>=', 9] }] } },
    });
  });

  test.each<[string, SecurityAlarmsOptions, RegExp]>([
    [
      'empty email',
      { emailAddresses: [' '] },
      /Test\/Alarms: invalid emailAddresses\[0\]: expected a non-empty string, found " "/,
    ],
    [
      'not an email',
      { emailAddresses: ['ops'] },
      /Test\/Alarms: invalid emailAddresses\[0\]: expected an email address, found "ops"/,
    ],
    [
      'an email address with a space (the first bad entry is named)',
      { emailAddresses: ['sec@example.com', 'sec team@example.com', 'sec@example'] },
      /^Test\/Alarms: invalid emailAddresses\[1\]: expected an email address, found "sec team@example.com"$/,
    ],
    [
      'an email address without a domain',
      { emailAddresses: ['sec@example'] },
      /^Test\/Alarms: invalid emailAddresses\[0\]: expected an email address, found "sec@example"$/,
    ],
    ['no events', { events: [] }, /Test\/Alarms: invalid events: expected at least one SecurityEvent/],
    [
      'unknown event',
      { events: [SecurityEvent.VPC_CHANGES, 'Foo' as SecurityEvent] },
      /^Test\/Alarms: invalid events\[1\]: expected one of UnauthorizedApiCalls, ConsoleSignInWithoutMfa, .*, VpcChanges, GuardDutyChanges, SecurityHubChanges, AccessAnalyzerChanges, ConfigRuleChanges, AlertingChanges, found "Foo"$/,
    ],
    [
      'duplicate events',
      { events: [SecurityEvent.VPC_CHANGES, SecurityEvent.VPC_CHANGES] },
      /invalid events: expected each event at most once, found \["VpcChanges"\]/,
    ],
    [
      // A repeated typo is reported as the typo, not as a duplicate.
      'a repeated unknown event',
      { events: ['Foo' as SecurityEvent, 'Foo' as SecurityEvent] },
      /^Test\/Alarms: invalid events\[0\]: expected one of UnauthorizedApiCalls, .*, found "Foo"$/,
    ],
    [
      "severity above GuardDuty's range",
      { guardDutyMinimumSeverity: 10.5 },
      /invalid guardDutyMinimumSeverity: expected a number from 1 to 10 \(GuardDuty severities\), found 10.5/,
    ],
    [
      // From JavaScript or YAML config: '7' >= 1 holds by coercion, but the EventBridge numeric matcher needs a number.
      'severity as a string',
      { guardDutyMinimumSeverity: '7' as unknown as number },
      /^Test\/Alarms: invalid guardDutyMinimumSeverity: expected a number from 1 to 10 \(GuardDuty severities\), found "7"$/,
    ],
    [
      "severity below GuardDuty's range",
      { guardDutyMinimumSeverity: 0.5 },
      /invalid guardDutyMinimumSeverity: expected a number from 1 to 10 \(GuardDuty severities\), found 0.5/,
    ],
    [
      'a threshold for an event that is not alarmed',
      { events: [SecurityEvent.VPC_CHANGES], eventThresholds: { UnauthorizedApiCalls: 5 } },
      /^Test\/Alarms: invalid eventThresholds: expected keys among the alarmed events \(VpcChanges\), found "UnauthorizedApiCalls"$/,
    ],
    [
      'a threshold below 1',
      { eventThresholds: { UnauthorizedApiCalls: 0 } },
      /invalid eventThresholds.UnauthorizedApiCalls: expected a whole number of occurrences >= 1, found 0/,
    ],
    [
      'AWS namespace',
      { metricNamespace: 'AWS/Security' },
      /invalid metricNamespace: expected a custom CloudWatch namespace/,
    ],
    [
      // The severity only filters the GuardDuty routing: without it, the option would do nothing.
      'a GuardDuty severity without GuardDuty notifications',
      { notifyGuardDutyFindings: false, guardDutyMinimumSeverity: 7 },
      /^Test\/Alarms: invalid guardDutyMinimumSeverity: expected unset when notifyGuardDutyFindings is false \(it would do nothing\), found 7$/,
    ],
    // From JavaScript or YAML config, "false" is a non-empty string: it would count as true.
    ...(['notifyGuardDutyFindings', 'notifyConfigNonCompliance', 'enableDashboard'] as const).map(
      (prop): [string, SecurityAlarmsOptions, RegExp] => [
        `${prop} as the string "false"`,
        { [prop]: 'false' as unknown as boolean },
        new RegExp(`^Test/Alarms: invalid ${prop}: expected true, false or unset \\(a boolean\\), found "false"$`),
      ],
    ),
  ])('rejects %s', (_name, options, message) => {
    expect(() => alarms(options)).toThrow(message);
  });
});
