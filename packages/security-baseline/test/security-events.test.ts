import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SecurityAlarms, SecurityBaseline, SecurityEvent } from '../src';
import { matchesFilterPattern } from './filter-pattern';
import { newStack } from './util';

/** The alert topic's ARN and key id of the sample account, as CloudFormation would resolve them. */
const ALERT_TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:SecurityBaseline-AlarmsTopic3A2DFEBA-Ab12Cd34Ef56';
const ALERT_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * The filter patterns feeding each event's metric, as synthesized, with the alert topic's and key's references
 * (in the filters watching this construct's own topic and key) replaced by `topicArn` and `keyId`.
 */
function synthesizedPatterns(topicArn = ALERT_TOPIC_ARN, keyId = ALERT_KEY_ID): Record<string, string[]> {
  const stack = newStack();
  new SecurityAlarms(stack, 'Alarms', { logGroup: new logs.LogGroup(stack, 'TrailLogs') });
  const template = Template.fromStack(stack);
  const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
  const [keyIdRef] = Object.keys(template.findResources('AWS::KMS::Key'));
  const resolve = (pattern: any): string => {
    if (typeof pattern === 'string') return pattern;
    const [separator, parts] = pattern['Fn::Join'];
    return parts
      .map((part: any) => {
        if (typeof part === 'string') return part;
        if (part.Ref === topicId) return topicArn;
        if (part.Ref === keyIdRef) return keyId;
        throw new Error(`unexpected reference in a filter pattern: ${JSON.stringify(part)}`);
      })
      .join(separator);
  };
  const patterns: Record<string, string[]> = {};
  for (const filter of Object.values(template.findResources('AWS::Logs::MetricFilter'))) {
    const metric = filter.Properties.MetricTransformations[0].MetricName;
    (patterns[metric] ??= []).push(resolve(filter.Properties.FilterPattern));
  }
  return patterns;
}

/** A CloudTrail record of an API call by an assumed role (CloudTrail record contents). */
function apiCall(eventSource: string, eventName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/admin/someone' },
    eventTime: '2025-01-01T00:00:00Z',
    eventSource,
    eventName,
    awsRegion: 'eu-west-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2',
    requestParameters: {},
    responseElements: null,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    ...extra,
  };
}

describe('the filter pattern evaluator itself', () => {
  test('&& binds tighter than ||; parentheses; NOT EXISTS; wildcards; quoted and bare values', () => {
    const record = { a: 'x', b: 'y', c: { d: 'AccessDeniedException' } };
    expect(matchesFilterPattern('{ $.a = x || $.a = z && $.b = nope }', record)).toBe(true);
    expect(matchesFilterPattern('{ ($.a = x || $.a = z) && $.b = nope }', record)).toBe(false);
    expect(matchesFilterPattern('{ $.missing NOT EXISTS && $.c.d = "AccessDenied*" }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.c.d = "*Unauthorized" }', record)).toBe(false);
    expect(matchesFilterPattern('{ $.b != "y" }', record)).toBe(false);
    expect(() => matchesFilterPattern('{ $.a = x', record)).toThrow(/expected }/);
  });
});

describe('the metric filters against sample CloudTrail records', () => {
  const patterns = synthesizedPatterns();
  // The metric counts a record when any of the event's filters matches it.
  const matches = (event: SecurityEvent, record: unknown) =>
    patterns[event].some((pattern) => matchesFilterPattern(pattern, record));

  test('every event has a metric filter', () => {
    expect(Object.keys(patterns).sort()).toEqual([...Object.values(SecurityEvent)].sort());
  });

  // One record each event must catch: every pattern parses and matches what it is named after.
  test.each<[SecurityEvent, Record<string, unknown>]>([
    [SecurityEvent.UNAUTHORIZED_API_CALLS, apiCall('s3.amazonaws.com', 'GetObject', { errorCode: 'AccessDenied' })],
    [
      SecurityEvent.CONSOLE_SIGNIN_WITHOUT_MFA,
      apiCall('signin.amazonaws.com', 'ConsoleLogin', {
        userIdentity: { type: 'IAMUser' },
        additionalEventData: { MFAUsed: 'No' },
        responseElements: { ConsoleLogin: 'Success' },
      }),
    ],
    [SecurityEvent.ROOT_ACCOUNT_USAGE, apiCall('iam.amazonaws.com', 'ListUsers', { userIdentity: { type: 'Root' } })],
    [SecurityEvent.IAM_POLICY_CHANGES, apiCall('iam.amazonaws.com', 'AttachRolePolicy')],
    [SecurityEvent.CLOUDTRAIL_CHANGES, apiCall('cloudtrail.amazonaws.com', 'StopLogging')],
    [
      SecurityEvent.CONSOLE_SIGNIN_FAILURES,
      apiCall('signin.amazonaws.com', 'ConsoleLogin', { errorMessage: 'Failed authentication' }),
    ],
    [SecurityEvent.KMS_KEY_DISABLED_OR_DELETED, apiCall('kms.amazonaws.com', 'ScheduleKeyDeletion')],
    [SecurityEvent.S3_BUCKET_POLICY_CHANGES, apiCall('s3.amazonaws.com', 'PutBucketPolicy')],
    [SecurityEvent.CONFIG_CHANGES, apiCall('config.amazonaws.com', 'StopConfigurationRecorder')],
    [SecurityEvent.SECURITY_GROUP_CHANGES, apiCall('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress')],
    [SecurityEvent.NACL_CHANGES, apiCall('ec2.amazonaws.com', 'ReplaceNetworkAclEntry')],
    [SecurityEvent.NETWORK_GATEWAY_CHANGES, apiCall('ec2.amazonaws.com', 'DetachInternetGateway')],
    [SecurityEvent.ROUTE_TABLE_CHANGES, apiCall('ec2.amazonaws.com', 'CreateRoute')],
    [SecurityEvent.VPC_CHANGES, apiCall('ec2.amazonaws.com', 'ModifyVpcAttribute')],
    [
      SecurityEvent.GUARDDUTY_CHANGES,
      apiCall('guardduty.amazonaws.com', 'UpdateDetector', { requestParameters: { detectorId: 'abc', enable: false } }),
    ],
    [SecurityEvent.SECURITY_HUB_CHANGES, apiCall('securityhub.amazonaws.com', 'BatchDisableStandards')],
    [SecurityEvent.ACCESS_ANALYZER_CHANGES, apiCall('access-analyzer.amazonaws.com', 'DeleteAnalyzer')],
    [SecurityEvent.CONFIG_RULE_CHANGES, apiCall('config.amazonaws.com', 'DeleteConfigRule')],
    [SecurityEvent.ALERTING_CHANGES, apiCall('monitoring.amazonaws.com', 'DisableAlarmActions')],
  ])('%s matches its sample record', (event, record) => {
    expect(matches(event, record)).toBe(true);
  });

  test('CloudTrail changes include what a trail records: event, advanced event and Insights selectors', () => {
    for (const name of ['PutEventSelectors', 'PutAdvancedEventSelectors', 'PutInsightSelectors']) {
      expect({
        name,
        matched: matches(SecurityEvent.CLOUDTRAIL_CHANGES, apiCall('cloudtrail.amazonaws.com', name)),
      }).toEqual({
        name,
        matched: true,
      });
    }
    // Turning off management events, the change that blinds every other alarm.
    expect(
      matches(
        SecurityEvent.CLOUDTRAIL_CHANGES,
        apiCall('cloudtrail.amazonaws.com', 'PutEventSelectors', {
          requestParameters: {
            trailName: 'audit',
            eventSelectors: [{ includeManagementEvents: false, readWriteType: 'All' }],
          },
        }),
      ),
    ).toBe(true);
    for (const name of ['GetEventSelectors', 'DescribeTrails', 'GetTrailStatus', 'LookupEvents']) {
      expect({
        name,
        matched: matches(SecurityEvent.CLOUDTRAIL_CHANGES, apiCall('cloudtrail.amazonaws.com', name)),
      }).toEqual({
        name,
        matched: false,
      });
    }
  });

  test('root account usage: calls the root user makes, not those an AWS service makes for it (CIS 4.3)', () => {
    const root = { type: 'Root', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' };
    expect(
      matches(
        SecurityEvent.ROOT_ACCOUNT_USAGE,
        apiCall('iam.amazonaws.com', 'CreateAccessKey', { userIdentity: root }),
      ),
    ).toBe(true);
    // An AWS service acting for the root user (invokedBy) and an event the service itself emits (AwsServiceEvent).
    expect(
      matches(
        SecurityEvent.ROOT_ACCOUNT_USAGE,
        apiCall('s3.amazonaws.com', 'PutObject', { userIdentity: { ...root, invokedBy: 'cloudtrail.amazonaws.com' } }),
      ),
    ).toBe(false);
    expect(
      matches(
        SecurityEvent.ROOT_ACCOUNT_USAGE,
        apiCall('kms.amazonaws.com', 'RotateKey', { userIdentity: root, eventType: 'AwsServiceEvent' }),
      ),
    ).toBe(false);
    expect(matches(SecurityEvent.ROOT_ACCOUNT_USAGE, apiCall('iam.amazonaws.com', 'CreateAccessKey'))).toBe(false);
  });

  // CloudWatch Logs rejects a longer pattern (PutMetricFilter filterPattern: at most 1,024 characters),
  // whatever the alert topic's ARN: here the longest SNS allows (a 256-character name, SNS CreateTopic), in
  // a partition and region with names longer than any today.
  test('every filter pattern fits in 1,024 characters, with the longest topic ARN', () => {
    const longestArn = `arn:${'p'.repeat(9)}:sns:${'r'.repeat(20)}:111122223333:${'t'.repeat(256)}`;
    expect(longestArn).toHaveLength(308);
    const longest = synthesizedPatterns(longestArn, `mrk-${'0'.repeat(32)}`);
    for (const [event, eventPatterns] of Object.entries(longest)) {
      for (const pattern of eventPatterns) {
        expect({ event, length: pattern.length, fits: pattern.length <= 1024 }).toEqual({
          event,
          length: pattern.length,
          fits: true,
        });
      }
    }
    // The topic filters do name the topic.
    expect(longest[SecurityEvent.ALERTING_CHANGES].filter((p) => p.includes(longestArn))).toHaveLength(2);
  });

  test('GuardDuty changes: a detector updated (suspended) or deleted; reads and other services are not', () => {
    expect(matches(SecurityEvent.GUARDDUTY_CHANGES, apiCall('guardduty.amazonaws.com', 'DeleteDetector'))).toBe(true);
    expect(matches(SecurityEvent.GUARDDUTY_CHANGES, apiCall('guardduty.amazonaws.com', 'GetDetector'))).toBe(false);
    expect(matches(SecurityEvent.GUARDDUTY_CHANGES, apiCall('guardduty.amazonaws.com', 'ListFindings'))).toBe(false);
    expect(matches(SecurityEvent.GUARDDUTY_CHANGES, apiCall('macie2.amazonaws.com', 'UpdateDetector'))).toBe(false);
  });

  test('GuardDuty changes: suppression rules or trusted IP lists created or updated, the account taken from its administrator', () => {
    // A suppression rule (a filter with action ARCHIVE) archives findings and keeps them from every
    // integrated service, EventBridge included: the finding alerts go quiet.
    const suppression = apiCall('guardduty.amazonaws.com', 'CreateFilter', {
      requestParameters: { detectorId: 'abc', name: 'quiet', action: 'ARCHIVE', findingCriteria: {} },
    });
    expect(matches(SecurityEvent.GUARDDUTY_CHANGES, suppression)).toBe(true);
    // A trusted IP list: GuardDuty generates no findings for traffic from its addresses.
    for (const name of [
      'UpdateFilter',
      'DisassociateFromMasterAccount',
      'DisassociateFromAdministratorAccount',
      'CreateIPSet',
      'UpdateIPSet',
    ]) {
      expect({
        name,
        matched: matches(SecurityEvent.GUARDDUTY_CHANGES, apiCall('guardduty.amazonaws.com', name)),
      }).toEqual({ name, matched: true });
    }
    for (const name of ['GetFilter', 'ListFilters', 'GetAdministratorAccount', 'GetIPSet', 'CreateThreatIntelSet']) {
      expect({
        name,
        matched: matches(SecurityEvent.GUARDDUTY_CHANGES, apiCall('guardduty.amazonaws.com', name)),
      }).toEqual({ name, matched: false });
    }
    // Another service's call of the same name is not GuardDuty's.
    expect(matches(SecurityEvent.GUARDDUTY_CHANGES, apiCall('inspector2.amazonaws.com', 'CreateFilter'))).toBe(false);
  });

  test('GuardDuty changes: publishing destinations (the findings export) and the members an administrator watches', () => {
    for (const name of [
      'CreatePublishingDestination',
      'UpdatePublishingDestination',
      'DeletePublishingDestination',
      'DisassociateMembers',
      'StopMonitoringMembers',
      'DeleteMembers',
    ]) {
      expect({
        name,
        matched: matches(SecurityEvent.GUARDDUTY_CHANGES, apiCall('guardduty.amazonaws.com', name)),
      }).toEqual({ name, matched: true });
    }
    for (const name of [
      'DescribePublishingDestination',
      'ListPublishingDestinations',
      'CreateMembers',
      'StartMonitoringMembers',
      'ListMembers',
    ]) {
      expect({
        name,
        matched: matches(SecurityEvent.GUARDDUTY_CHANGES, apiCall('guardduty.amazonaws.com', name)),
      }).toEqual({ name, matched: false });
    }
  });

  test('Security Hub changes: automation rules (which can suppress findings) and product imports switched off', () => {
    for (const name of [
      'CreateAutomationRule',
      'BatchUpdateAutomationRules',
      'BatchDeleteAutomationRules',
      'CreateAutomationRuleV2',
      'UpdateAutomationRuleV2',
      'DeleteAutomationRuleV2',
      'DisableImportFindingsForProduct',
      'DisassociateFromAdministratorAccount',
      'DisassociateFromMasterAccount',
    ]) {
      expect({
        name,
        matched: matches(SecurityEvent.SECURITY_HUB_CHANGES, apiCall('securityhub.amazonaws.com', name)),
      }).toEqual({ name, matched: true });
    }
    for (const name of [
      'ListAutomationRules',
      'BatchGetAutomationRules',
      'GetAutomationRuleV2',
      'EnableImportFindingsForProduct',
    ]) {
      expect({
        name,
        matched: matches(SecurityEvent.SECURITY_HUB_CHANGES, apiCall('securityhub.amazonaws.com', name)),
      }).toEqual({ name, matched: false });
    }
  });

  test('Access Analyzer changes: analyzers deleted, archive rules created, updated or applied', () => {
    const archive = apiCall('access-analyzer.amazonaws.com', 'CreateArchiveRule', {
      requestParameters: { analyzerName: 'account', ruleName: 'quiet', filter: { isPublic: { eq: ['true'] } } },
    });
    expect(matches(SecurityEvent.ACCESS_ANALYZER_CHANGES, archive)).toBe(true);
    for (const name of ['DeleteAnalyzer', 'UpdateArchiveRule', 'ApplyArchiveRule']) {
      expect({
        name,
        matched: matches(SecurityEvent.ACCESS_ANALYZER_CHANGES, apiCall('access-analyzer.amazonaws.com', name)),
      }).toEqual({ name, matched: true });
    }
    // Deleting an archive rule hides nothing; the rest are the analyzer's creation and reads.
    for (const name of ['DeleteArchiveRule', 'CreateAnalyzer', 'ListFindings', 'GetArchiveRule']) {
      expect({
        name,
        matched: matches(SecurityEvent.ACCESS_ANALYZER_CHANGES, apiCall('access-analyzer.amazonaws.com', name)),
      }).toEqual({ name, matched: false });
    }
    expect(matches(SecurityEvent.ACCESS_ANALYZER_CHANGES, apiCall('inspector2.amazonaws.com', 'DeleteAnalyzer'))).toBe(
      false,
    );
  });

  test('Security Hub changes: standards or controls disabled, or the hub disabled', () => {
    for (const name of ['UpdateStandardsControl', 'BatchUpdateStandardsControlAssociations', 'DisableSecurityHub']) {
      expect({
        name,
        matched: matches(SecurityEvent.SECURITY_HUB_CHANGES, apiCall('securityhub.amazonaws.com', name)),
      }).toEqual({
        name,
        matched: true,
      });
    }
    for (const name of ['BatchEnableStandards', 'GetFindings', 'BatchImportFindings']) {
      expect({
        name,
        matched: matches(SecurityEvent.SECURITY_HUB_CHANGES, apiCall('securityhub.amazonaws.com', name)),
      }).toEqual({
        name,
        matched: false,
      });
    }
  });

  test('Config rule changes: rules, evaluation results or remediations deleted; the CIS Config filter is unchanged', () => {
    for (const name of ['DeleteConfigRule', 'DeleteEvaluationResults', 'DeleteRemediationConfiguration']) {
      expect({
        name,
        matched: matches(SecurityEvent.CONFIG_RULE_CHANGES, apiCall('config.amazonaws.com', name)),
      }).toEqual({
        name,
        matched: true,
      });
      expect(matches(SecurityEvent.CONFIG_CHANGES, apiCall('config.amazonaws.com', name))).toBe(false);
    }
    expect(matches(SecurityEvent.CONFIG_RULE_CHANGES, apiCall('config.amazonaws.com', 'PutConfigRule'))).toBe(false);
    expect(
      matches(SecurityEvent.CONFIG_RULE_CHANGES, apiCall('config.amazonaws.com', 'StartConfigRulesEvaluation')),
    ).toBe(false);
  });

  test('Config rule changes: the recorder deleted (no StopConfigurationRecorder needed); CIS 4.9 left as CIS defines it', () => {
    const deleteRecorder = apiCall('config.amazonaws.com', 'DeleteConfigurationRecorder', {
      requestParameters: { configurationRecorderName: 'default' },
    });
    expect(matches(SecurityEvent.CONFIG_RULE_CHANGES, deleteRecorder)).toBe(true);
    // An aggregator in another account loses its authorization to collect this account's data.
    expect(
      matches(SecurityEvent.CONFIG_RULE_CHANGES, apiCall('config.amazonaws.com', 'DeleteAggregationAuthorization')),
    ).toBe(true);
    expect(matches(SecurityEvent.CONFIG_CHANGES, deleteRecorder)).toBe(false);
    expect(patterns[SecurityEvent.CONFIG_CHANGES]).toEqual([
      '{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }',
    ]);
    expect(
      matches(SecurityEvent.CONFIG_RULE_CHANGES, apiCall('config.amazonaws.com', 'DescribeConfigurationRecorders')),
    ).toBe(false);
  });

  test('alerting changes: alarm actions disabled, metric filters deleted, rules disabled, subscriptions removed', () => {
    const switchedOff: [string, string][] = [
      ['monitoring.amazonaws.com', 'DisableAlarmActions'],
      ['logs.amazonaws.com', 'DeleteMetricFilter'],
      ['events.amazonaws.com', 'DisableRule'],
      ['sns.amazonaws.com', 'Unsubscribe'],
    ];
    for (const [source, name] of switchedOff) {
      expect({ name, matched: matches(SecurityEvent.ALERTING_CHANGES, apiCall(source, name)) }).toEqual({
        name,
        matched: true,
      });
    }
    // Calls ordinary deployments make (an alarm, topic or rule target removed or replaced, e.g. a
    // BlueGreenService's alarm of the previous version on every release), re-enabling calls and reads.
    const notWatched: [string, string][] = [
      ['monitoring.amazonaws.com', 'DeleteAlarms'],
      ['sns.amazonaws.com', 'DeleteTopic'],
      ['events.amazonaws.com', 'RemoveTargets'],
      ['monitoring.amazonaws.com', 'EnableAlarmActions'],
      ['monitoring.amazonaws.com', 'PutMetricAlarm'],
      ['logs.amazonaws.com', 'PutMetricFilter'],
      ['events.amazonaws.com', 'EnableRule'],
      ['sns.amazonaws.com', 'Subscribe'],
      ['monitoring.amazonaws.com', 'DescribeAlarms'],
    ];
    for (const [source, name] of notWatched) {
      expect({ name, matched: matches(SecurityEvent.ALERTING_CHANGES, apiCall(source, name)) }).toEqual({
        name,
        matched: false,
      });
    }
    // Each call only from its own service: another service's Unsubscribe or DisableRule is not the alerting path.
    expect(
      matches(SecurityEvent.ALERTING_CHANGES, apiCall('codestar-notifications.amazonaws.com', 'Unsubscribe')),
    ).toBe(false);
    expect(matches(SecurityEvent.ALERTING_CHANGES, apiCall('logs.amazonaws.com', 'DisableAlarmActions'))).toBe(false);
  });

  test("alerting changes: the alert topic's policy, attributes, subscriptions and key policy, not other topics' or keys'", () => {
    const sns = (name: string, requestParameters: Record<string, unknown>) =>
      apiCall('sns.amazonaws.com', name, { requestParameters });
    const otherTopic = 'arn:aws:sns:eu-west-1:111122223333:orders-events';
    // A policy that denies the alarms sns:Publish; a key the publishers cannot use.
    expect(
      matches(
        SecurityEvent.ALERTING_CHANGES,
        sns('SetTopicAttributes', { topicArn: ALERT_TOPIC_ARN, attributeName: 'Policy', attributeValue: '{}' }),
      ),
    ).toBe(true);
    expect(
      matches(
        SecurityEvent.ALERTING_CHANGES,
        sns('SetTopicAttributes', { topicArn: ALERT_TOPIC_ARN, attributeName: 'KmsMasterKeyId', attributeValue: 'x' }),
      ),
    ).toBe(true);
    expect(
      matches(SecurityEvent.ALERTING_CHANGES, sns('RemovePermission', { topicArn: ALERT_TOPIC_ARN, label: 'x' })),
    ).toBe(true);
    expect(matches(SecurityEvent.ALERTING_CHANGES, sns('DeleteTopic', { topicArn: ALERT_TOPIC_ARN }))).toBe(true);
    // A filter policy on one of its subscriptions drops the alarms that do not match it.
    const filterPolicy = (subscriptionArn: string) =>
      sns('SetSubscriptionAttributes', {
        subscriptionArn,
        attributeName: 'FilterPolicy',
        attributeValue: '{"never":["x"]}',
      });
    expect(
      matches(SecurityEvent.ALERTING_CHANGES, filterPolicy(`${ALERT_TOPIC_ARN}:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`)),
    ).toBe(true);
    // Its key's policy, given by id or by ARN.
    const keyPolicy = (keyId: string) =>
      apiCall('kms.amazonaws.com', 'PutKeyPolicy', { requestParameters: { keyId, policyName: 'default' } });
    expect(matches(SecurityEvent.ALERTING_CHANGES, keyPolicy(ALERT_KEY_ID))).toBe(true);
    expect(
      matches(SecurityEvent.ALERTING_CHANGES, keyPolicy(`arn:aws:kms:eu-west-1:111122223333:key/${ALERT_KEY_ID}`)),
    ).toBe(true);

    // The same calls on other topics, subscriptions and keys are what deployments make: not watched.
    expect(
      matches(
        SecurityEvent.ALERTING_CHANGES,
        sns('SetTopicAttributes', { topicArn: otherTopic, attributeName: 'Policy' }),
      ),
    ).toBe(false);
    expect(matches(SecurityEvent.ALERTING_CHANGES, sns('DeleteTopic', { topicArn: otherTopic }))).toBe(false);
    expect(matches(SecurityEvent.ALERTING_CHANGES, filterPolicy(`${otherTopic}:0f1e2d3c`))).toBe(false);
    // A topic whose name begins with the alert topic's is another topic.
    expect(matches(SecurityEvent.ALERTING_CHANGES, filterPolicy(`${ALERT_TOPIC_ARN}-copy:0f1e2d3c`))).toBe(false);
    expect(matches(SecurityEvent.ALERTING_CHANGES, keyPolicy('9999abcd-12ab-34cd-56ef-1234567890ab'))).toBe(false);
    // Lambda's RemovePermission and reads of the alert topic are not SNS changes to it.
    expect(
      matches(
        SecurityEvent.ALERTING_CHANGES,
        apiCall('lambda.amazonaws.com', 'RemovePermission', { requestParameters: { topicArn: ALERT_TOPIC_ARN } }),
      ),
    ).toBe(false);
    expect(matches(SecurityEvent.ALERTING_CHANGES, sns('GetTopicAttributes', { topicArn: ALERT_TOPIC_ARN }))).toBe(
      false,
    );
    expect(matches(SecurityEvent.ALERTING_CHANGES, sns('Subscribe', { topicArn: ALERT_TOPIC_ARN }))).toBe(false);
  });

  test('the events that are not CIS controls say so in the alarm description', () => {
    const stack = newStack();
    new SecurityAlarms(stack, 'Alarms', { logGroup: new logs.LogGroup(stack, 'TrailLogs') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GuardDutyChanges',
      AlarmDescription: 'Security event: GuardDutyChanges seen in CloudTrail',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AlertingChanges',
      AlarmDescription: 'Security event: AlertingChanges seen in CloudTrail',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AccessAnalyzerChanges',
      AlarmDescription: 'Security event: AccessAnalyzerChanges seen in CloudTrail',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'CloudTrailChanges',
      AlarmDescription: 'CIS monitoring control: CloudTrailChanges seen in CloudTrail',
    });
  });
});

describe("SecurityAlarms without a log group (a region of the account other than the trail's)", () => {
  test('only the routing of GuardDuty findings and Config non-compliance: no filter, alarm or dashboard', () => {
    const stack = newStack();
    const alarms = new SecurityAlarms(stack, 'Alarms', { emailAddresses: ['sec@example.com'] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    expect(alarms.alarms).toEqual([]);
    expect(alarms.guardDutyFindingsRule).toBeDefined();
    expect(alarms.configComplianceRule).toBeDefined();
  });

  test('events, thresholds or a dashboard asked for without one are errors', () => {
    expect(() => new SecurityAlarms(newStack(), 'Alarms', { events: [SecurityEvent.ROOT_ACCOUNT_USAGE] })).toThrow(
      /^Test\/Alarms: invalid events: expected unset without a logGroup \(the alarms and dashboard read the trail log group\), found \["RootAccountUsage"\]$/,
    );
    expect(() => new SecurityAlarms(newStack(), 'Alarms', { eventThresholds: { UnauthorizedApiCalls: 5 } })).toThrow(
      /^Test\/Alarms: invalid eventThresholds: expected unset without a logGroup/,
    );
    expect(() => new SecurityAlarms(newStack(), 'Alarms', { enableDashboard: true })).toThrow(
      /^Test\/Alarms: invalid enableDashboard: expected unset without a logGroup/,
    );
    expect(() => new SecurityAlarms(newStack(), 'Alarms', { metricNamespace: 'Acme/Security' })).toThrow(
      /^Test\/Alarms: invalid metricNamespace: expected unset without a logGroup \(the alarms and dashboard read the trail log group\), found "Acme\/Security"$/,
    );
  });
});

describe('SecurityBaseline without the audit trail', () => {
  test('keeps the finding routing, leaves the CIS alarms and dashboard out, and says so', () => {
    const stack = newStack();
    const baseline = new SecurityBaseline(stack, 'Baseline', { enableAuditTrail: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    template.resourceCountIs('AWS::Logs::MetricFilter', 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    template.resourceCountIs('AWS::Events::Rule', 2);
    expect(baseline.securityAlarms?.topic).toBeDefined();
    Annotations.fromStack(stack).hasInfo(
      '/Test/Baseline',
      Match.stringLikeRegexp('^CIS metric filters, alarms and dashboard left out \\(enableAuditTrail: false'),
    );
  });

  test('with CloudWatch Logs delivery off, the same', () => {
    const stack = newStack();
    new SecurityBaseline(stack, 'Baseline', { auditTrail: { sendToCloudWatchLogs: false } });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::Events::Rule', 2);
  });

  test('alarm options that need the trail are errors naming the option and why', () => {
    expect(
      () =>
        new SecurityBaseline(newStack(), 'Baseline', {
          enableAuditTrail: false,
          securityAlarms: { events: [SecurityEvent.ROOT_ACCOUNT_USAGE] },
        }),
    ).toThrow(
      /^Test\/Baseline: invalid securityAlarms.events: expected unset without the audit trail with CloudWatch Logs delivery \(the alarms and dashboard read its log group\), found enableAuditTrail: false$/,
    );
    expect(
      () =>
        new SecurityBaseline(newStack(), 'Baseline', {
          auditTrail: { sendToCloudWatchLogs: false },
          securityAlarms: { eventThresholds: { UnauthorizedApiCalls: 5 } },
        }),
    ).toThrow(/invalid securityAlarms.eventThresholds: .* found sendToCloudWatchLogs: false$/);
    // The metrics' namespace, without metric filters, would do nothing.
    expect(
      () =>
        new SecurityBaseline(newStack(), 'Baseline', {
          enableAuditTrail: false,
          securityAlarms: { metricNamespace: 'Acme/Security' },
        }),
    ).toThrow(
      /^Test\/Baseline: invalid securityAlarms.metricNamespace: expected unset without the audit trail .* found enableAuditTrail: false$/,
    );
    // Asking for no dashboard is fine.
    new SecurityBaseline(newStack(), 'Baseline', {
      enableAuditTrail: false,
      securityAlarms: { enableDashboard: false },
    });
    // "false" from YAML is not false: reported as what it is, not as a dashboard asked for.
    expect(
      () =>
        new SecurityBaseline(newStack(), 'Baseline', {
          enableAuditTrail: false,
          securityAlarms: { enableDashboard: 'false' as unknown as boolean },
        }),
    ).toThrow(
      /^Test\/Baseline\/SecurityAlarms: invalid enableDashboard: expected true, false or unset \(a boolean\), found "false"$/,
    );
  });
});
