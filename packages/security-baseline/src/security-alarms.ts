import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  propError,
  requireBoolean,
  requireKnownDistinct,
  requireNonEmptyStrings,
  requireUnsetWhenOff,
} from './private/validation';

/** A CIS AWS Foundations Benchmark monitoring control (section "Monitoring"), as a metric filter and alarm. */
export enum SecurityEvent {
  /** API calls denied for lack of permission (CIS 4.1). */
  UNAUTHORIZED_API_CALLS = 'UnauthorizedApiCalls',
  /** Console sign-in by an IAM user without MFA (CIS 4.2). */
  CONSOLE_SIGNIN_WITHOUT_MFA = 'ConsoleSignInWithoutMfa',
  /** Any use of the root user (CIS 4.3). */
  ROOT_ACCOUNT_USAGE = 'RootAccountUsage',
  /** IAM policy changes (CIS 4.4). */
  IAM_POLICY_CHANGES = 'IamPolicyChanges',
  /**
   * CloudTrail configuration changes (CIS 4.5), and changes to what a trail records: event, advanced
   * event and Insights selectors (a selector without management events blinds every other alarm).
   */
  CLOUDTRAIL_CHANGES = 'CloudTrailChanges',
  /** Failed console sign-ins (CIS 4.6). */
  CONSOLE_SIGNIN_FAILURES = 'ConsoleSignInFailures',
  /** Customer managed KMS keys disabled or scheduled for deletion (CIS 4.7). */
  KMS_KEY_DISABLED_OR_DELETED = 'KmsKeyDisabledOrScheduledForDeletion',
  /** S3 bucket policy changes (CIS 4.8). */
  S3_BUCKET_POLICY_CHANGES = 'S3BucketPolicyChanges',
  /** AWS Config configuration changes (CIS 4.9). */
  CONFIG_CHANGES = 'ConfigChanges',
  /** Security group changes (CIS 4.10). */
  SECURITY_GROUP_CHANGES = 'SecurityGroupChanges',
  /** Network ACL changes (CIS 4.11). */
  NACL_CHANGES = 'NetworkAclChanges',
  /** Network gateway changes (CIS 4.12). */
  NETWORK_GATEWAY_CHANGES = 'NetworkGatewayChanges',
  /** Route table changes (CIS 4.13). */
  ROUTE_TABLE_CHANGES = 'RouteTableChanges',
  /** VPC changes (CIS 4.14). */
  VPC_CHANGES = 'VpcChanges',
  /**
   * GuardDuty detectors updated (UpdateDetector, which also suspends one) or deleted, suppression rules
   * created or updated (CreateFilter, UpdateFilter: archived findings reach no integrated service, so
   * no finding alert either), trusted IP lists created or updated (CreateIPSet, UpdateIPSet: no findings
   * for their addresses), publishing destinations (the findings export to S3) created, updated or deleted,
   * the account disassociated from its GuardDuty administrator, or member accounts disassociated,
   * no longer monitored or deleted by this one. Not a CIS control.
   */
  GUARDDUTY_CHANGES = 'GuardDutyChanges',
  /**
   * Security Hub standards or controls disabled, Security Hub disabled, the findings of an integrated
   * product no longer imported, the account taken from its Security Hub administrator, or automation rules
   * (which can suppress findings) created, updated or deleted. Not a CIS control.
   */
  SECURITY_HUB_CHANGES = 'SecurityHubChanges',
  /**
   * IAM Access Analyzer analyzers deleted, or archive rules (which archive the findings they match)
   * created, updated or applied to existing findings. Not a CIS control.
   */
  ACCESS_ANALYZER_CHANGES = 'AccessAnalyzerChanges',
  /**
   * AWS Config rules, their evaluation results or remediations deleted, the configuration recorder
   * deleted (DeleteConfigurationRecorder, which stops recording without StopConfigurationRecorder), or an
   * aggregator account's authorization to collect this account's data deleted (DeleteAggregationAuthorization).
   * Not a CIS control.
   */
  CONFIG_RULE_CHANGES = 'ConfigRuleChanges',
  /**
   * The alerting path switched off: CloudWatch alarm actions disabled (DisableAlarmActions), metric
   * filters deleted (DeleteMetricFilter), EventBridge rules disabled (DisableRule) or SNS subscriptions
   * removed (Unsubscribe), anywhere in the account; and this construct's own topic changed
   * (SetTopicAttributes, e.g. its policy or key, RemovePermission, DeleteTopic), one of its subscriptions
   * changed (SetSubscriptionAttributes, e.g. a filter policy that drops the alarms) or the policy of its
   * key replaced (PutKeyPolicy). Calls that ordinary deployments make on any topic, alarm or rule
   * (DeleteAlarms, DeleteTopic, RemoveTargets) are not watched elsewhere. Not a CIS control.
   */
  ALERTING_CHANGES = 'AlertingChanges',
}

/** The events that are not CIS monitoring controls. */
const NOT_CIS: SecurityEvent[] = [
  SecurityEvent.GUARDDUTY_CHANGES,
  SecurityEvent.SECURITY_HUB_CHANGES,
  SecurityEvent.ACCESS_ANALYZER_CHANGES,
  SecurityEvent.CONFIG_RULE_CHANGES,
  SecurityEvent.ALERTING_CHANGES,
];

const or = (field: string, values: string[]) => values.map((v) => `($.${field} = ${v})`).join(' || ');

/** Any of the given calls, each matched with its own service's `eventSource`. */
const anyCall = (calls: [eventSource: string, eventName: string][]) =>
  calls.map(([source, name]) => `(($.eventSource = ${source}) && ($.eventName = ${name}))`).join(' || ');

/**
 * Filter patterns from the CIS AWS Foundations Benchmark v1.4/v3.0 section 4 remediation text; the
 * CloudTrail one adds the selector calls, and the last five are this package's own. CloudWatch Logs
 * accepts filter patterns of up to 1,024 characters (PutMetricFilter `filterPattern`).
 */
const PATTERNS: Record<SecurityEvent, string> = {
  [SecurityEvent.UNAUTHORIZED_API_CALLS]:
    '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
  [SecurityEvent.CONSOLE_SIGNIN_WITHOUT_MFA]:
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  [SecurityEvent.ROOT_ACCOUNT_USAGE]:
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  [SecurityEvent.IAM_POLICY_CHANGES]: `{ ${or('eventName', [
    'DeleteGroupPolicy',
    'DeleteRolePolicy',
    'DeleteUserPolicy',
    'PutGroupPolicy',
    'PutRolePolicy',
    'PutUserPolicy',
    'CreatePolicy',
    'DeletePolicy',
    'CreatePolicyVersion',
    'DeletePolicyVersion',
    'SetDefaultPolicyVersion',
    'AttachRolePolicy',
    'DetachRolePolicy',
    'AttachUserPolicy',
    'DetachUserPolicy',
    'AttachGroupPolicy',
    'DetachGroupPolicy',
  ])} }`,
  [SecurityEvent.CLOUDTRAIL_CHANGES]: `{ ${or('eventName', [
    'CreateTrail',
    'UpdateTrail',
    'DeleteTrail',
    'StartLogging',
    'StopLogging',
    // Not in CIS 4.5: what a trail records. IncludeManagementEvents false stops it recording the
    // management events every alarm here reads.
    'PutEventSelectors',
    'PutAdvancedEventSelectors',
    'PutInsightSelectors',
  ])} }`,
  [SecurityEvent.CONSOLE_SIGNIN_FAILURES]:
    '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  [SecurityEvent.KMS_KEY_DISABLED_OR_DELETED]:
    '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }',
  [SecurityEvent.S3_BUCKET_POLICY_CHANGES]: `{ ($.eventSource = s3.amazonaws.com) && (${or('eventName', [
    'PutBucketAcl',
    'PutBucketPolicy',
    'PutBucketCors',
    'PutBucketLifecycle',
    'PutBucketReplication',
    'DeleteBucketPolicy',
    'DeleteBucketCors',
    'DeleteBucketLifecycle',
    'DeleteBucketReplication',
  ])}) }`,
  [SecurityEvent.CONFIG_CHANGES]: `{ ($.eventSource = config.amazonaws.com) && (${or('eventName', [
    'StopConfigurationRecorder',
    'DeleteDeliveryChannel',
    'PutDeliveryChannel',
    'PutConfigurationRecorder',
  ])}) }`,
  [SecurityEvent.SECURITY_GROUP_CHANGES]: `{ ${or('eventName', [
    'AuthorizeSecurityGroupIngress',
    'AuthorizeSecurityGroupEgress',
    'RevokeSecurityGroupIngress',
    'RevokeSecurityGroupEgress',
    'CreateSecurityGroup',
    'DeleteSecurityGroup',
  ])} }`,
  [SecurityEvent.NACL_CHANGES]: `{ ${or('eventName', [
    'CreateNetworkAcl',
    'CreateNetworkAclEntry',
    'DeleteNetworkAcl',
    'DeleteNetworkAclEntry',
    'ReplaceNetworkAclEntry',
    'ReplaceNetworkAclAssociation',
  ])} }`,
  [SecurityEvent.NETWORK_GATEWAY_CHANGES]: `{ ${or('eventName', [
    'CreateCustomerGateway',
    'DeleteCustomerGateway',
    'AttachInternetGateway',
    'CreateInternetGateway',
    'DeleteInternetGateway',
    'DetachInternetGateway',
  ])} }`,
  [SecurityEvent.ROUTE_TABLE_CHANGES]: `{ ($.eventSource = ec2.amazonaws.com) && (${or('eventName', [
    'CreateRoute',
    'CreateRouteTable',
    'ReplaceRoute',
    'ReplaceRouteTableAssociation',
    'DeleteRouteTable',
    'DeleteRoute',
    'DisassociateRouteTable',
  ])}) }`,
  [SecurityEvent.VPC_CHANGES]: `{ ${or('eventName', [
    'CreateVpc',
    'DeleteVpc',
    'ModifyVpcAttribute',
    'AcceptVpcPeeringConnection',
    'CreateVpcPeeringConnection',
    'DeleteVpcPeeringConnection',
    'RejectVpcPeeringConnection',
    'AttachClassicLinkVpc',
    'DetachClassicLinkVpc',
    'DisableVpcClassicLink',
    'EnableVpcClassicLink',
  ])} }`,
  // Suspending a detector is UpdateDetector with enable=false ("Suspending or disabling GuardDuty").
  // Suppression rules are filters with action ARCHIVE: GuardDuty archives the findings they match and
  // sends them to no integrated service, EventBridge included ("Suppression rules", GuardDuty User Guide).
  // Publishing destinations export findings to S3 (a SIEM's feed); member calls act on the accounts this
  // one administers. The baseline's own GuardDuty resources (a detector) make none of these.
  [SecurityEvent.GUARDDUTY_CHANGES]: `{ ($.eventSource = guardduty.amazonaws.com) && (${or('eventName', [
    'UpdateDetector',
    'DeleteDetector',
    'CreateFilter',
    'UpdateFilter',
    'DisassociateFromMasterAccount',
    'DisassociateFromAdministratorAccount',
    'CreateIPSet',
    'UpdateIPSet',
    'CreatePublishingDestination',
    'UpdatePublishingDestination',
    'DeletePublishingDestination',
    'DisassociateMembers',
    'StopMonitoringMembers',
    'DeleteMembers',
  ])}) }`,
  // Automation rules can set a finding's workflow status to SUPPRESSED or lower its severity as it arrives
  // ("Automation rules", Security Hub User Guide); the V2 calls are Security Hub's newer rule API.
  // DisableImportFindingsForProduct stops the findings of an integration (GuardDuty's, say) reaching Security Hub;
  // DisassociateFromAdministratorAccount (and the older DisassociateFromMasterAccount) leaves the administrator
  // account that collects them.
  [SecurityEvent.SECURITY_HUB_CHANGES]: `{ ($.eventSource = securityhub.amazonaws.com) && (${or('eventName', [
    'BatchDisableStandards',
    'UpdateStandardsControl',
    'BatchUpdateStandardsControlAssociations',
    'DisableSecurityHub',
    'DisableImportFindingsForProduct',
    'DisassociateFromAdministratorAccount',
    'DisassociateFromMasterAccount',
    'CreateAutomationRule',
    'BatchUpdateAutomationRules',
    'BatchDeleteAutomationRules',
    'CreateAutomationRuleV2',
    'UpdateAutomationRuleV2',
    'DeleteAutomationRuleV2',
  ])}) }`,
  // Archive rules archive the findings they match, new ones as they arrive and, with ApplyArchiveRule, existing
  // ones ("Archive rules", IAM User Guide). The baseline creates its analyzer without archive rules, so only a
  // deployment that removes or replaces that analyzer makes one of these calls (DeleteAnalyzer).
  [SecurityEvent.ACCESS_ANALYZER_CHANGES]: `{ ($.eventSource = access-analyzer.amazonaws.com) && (${or('eventName', [
    'DeleteAnalyzer',
    'CreateArchiveRule',
    'UpdateArchiveRule',
    'ApplyArchiveRule',
  ])}) }`,
  // DeleteConfigurationRecorder is here, not in ConfigChanges, which keeps the CIS 4.9 pattern as CIS defines it.
  [SecurityEvent.CONFIG_RULE_CHANGES]: `{ ($.eventSource = config.amazonaws.com) && (${or('eventName', [
    'DeleteConfigRule',
    'DeleteEvaluationResults',
    'DeleteRemediationConfiguration',
    'DeleteConfigurationRecorder',
    'DeleteAggregationAuthorization',
  ])}) }`,
  // Calls that switch alerts off and that CloudFormation does not make in an ordinary deployment.
  // DeleteAlarms, DeleteTopic and RemoveTargets are left out: deployments make them whenever an alarm,
  // topic or rule target is removed or replaced (a BlueGreenService deletes its previous version's alarm
  // on every release), so they would alarm on every release; on this construct's own topic they are watched
  // (SCOPED_PATTERNS).
  [SecurityEvent.ALERTING_CHANGES]: `{ ${anyCall([
    ['monitoring.amazonaws.com', 'DisableAlarmActions'],
    ['logs.amazonaws.com', 'DeleteMetricFilter'],
    ['events.amazonaws.com', 'DisableRule'],
    ['sns.amazonaws.com', 'Unsubscribe'],
  ])} }`,
};

/** The alerting path's own resources, which some filters name. */
interface AlertPath {
  /** The topic's ARN (a token). */
  readonly topicArn: string;
  /** The topic key's id (a token). */
  readonly keyId: string;
}

/**
 * Further filters of an event, each feeding the event's metric (the alarm sums them): the calls that are
 * watched only on this construct's own topic, subscriptions and key. Account-wide they are calls that
 * deployments make (a topic policy is set with SetTopicAttributes, a changed key policy with PutKeyPolicy);
 * on the alert topic and key, only a deployment that changes them does (see the README).
 *
 * A filter of its own per ARN: a topic ARN can be 308 characters (a topic name has up to 256, SNS
 * CreateTopic `Name`), and two of them in one pattern could pass the 1,024 characters CloudWatch Logs
 * accepts. A log group takes up to 100 metric filters (PutMetricFilter).
 */
const SCOPED_PATTERNS: Partial<Record<SecurityEvent, (path: AlertPath) => Record<string, string>>> = {
  [SecurityEvent.ALERTING_CHANGES]: ({ topicArn, keyId }) => ({
    // The topic: a policy that denies CloudWatch or EventBridge sns:Publish, or a key they cannot use
    // (SetTopicAttributes Policy, KmsMasterKeyId), a statement removed by its Sid (RemovePermission), the topic
    // deleted. The key: a policy without the publishers' grants. PutKeyPolicy's keyId is the key's id or ARN,
    // as the caller gave it; both end in the id.
    Topic: `{ (($.eventSource = sns.amazonaws.com) && (${or('eventName', [
      'SetTopicAttributes',
      'RemovePermission',
      'DeleteTopic',
    ])}) && ($.requestParameters.topicArn = "${topicArn}")) || (($.eventSource = kms.amazonaws.com) && ($.eventName = PutKeyPolicy) && ($.requestParameters.keyId = "*${keyId}")) }`,
    // A filter policy on a subscription drops the messages it does not match, the alarms included. A
    // subscription's ARN is its topic's ARN, a colon and an id.
    Subscriptions: `{ ($.eventSource = sns.amazonaws.com) && ($.eventName = SetSubscriptionAttributes) && ($.requestParameters.subscriptionArn = "${topicArn}:*") }`,
  }),
};

/** Options of SecurityAlarms other than the log group (what SecurityBaseline passes through). */
export interface SecurityAlarmsOptions {
  /**
   * Email addresses subscribed to the alarm topic. Each must confirm the subscription.
   *
   * @default - no subscriptions
   */
  readonly emailAddresses?: string[];

  /**
   * The CIS monitoring controls (and this package's own security events) to alarm on. Needs a
   * `logGroup`.
   *
   * @default - every value of SecurityEvent with a `logGroup`; none without
   */
  readonly events?: SecurityEvent[];

  /**
   * Occurrences within one 5-minute period that raise an event's alarm, keyed by SecurityEvent value (e.g.
   * `{ UnauthorizedApiCalls: 5 }` for an account where tools probe permissions). Events not listed alarm on
   * the first occurrence. Needs a `logGroup`.
   *
   * @default - 1 for every event
   */
  readonly eventThresholds?: { [event: string]: number };

  /**
   * CloudWatch namespace of the metric filters' metrics. Needs a `logGroup`.
   *
   * @default 'Groundwork/Security'
   */
  readonly metricNamespace?: string;

  /**
   * Send GuardDuty findings at or above `guardDutyMinimumSeverity` to the topic. With false,
   * `guardDutyMinimumSeverity` is an error.
   *
   * @default true
   */
  readonly notifyGuardDutyFindings?: boolean;

  /**
   * Lowest GuardDuty severity sent to the topic: 1.0 to 10.0 (GuardDuty User Guide, severity levels: Low from 1,
   * Medium from 4, High from 7, Critical 9.0 to 10.0; 9 sends only Critical findings).
   *
   * @default 4
   */
  readonly guardDutyMinimumSeverity?: number;

  /**
   * Send AWS Config rule evaluations that turn NON_COMPLIANT to the topic.
   *
   * @default true
   */
  readonly notifyConfigNonCompliance?: boolean;

  /**
   * Create the security health dashboard (the alarm states and event counts). Needs a `logGroup`.
   *
   * @default - true with a `logGroup`, false without
   */
  readonly enableDashboard?: boolean;
}

/** Properties of SecurityAlarms. */
export interface SecurityAlarmsProps extends SecurityAlarmsOptions {
  /**
   * The CloudWatch Logs group the CloudTrail trail delivers to. A multi-region trail delivers every
   * region's events to its one log group, so an account needs the metric filters, alarms and
   * dashboard once, next to its trail; in its other regions, leave this out: the construct then
   * only routes that region's GuardDuty findings and Config non-compliance to the topic.
   *
   * @default - no metric filters, alarms or dashboard
   */
  readonly logGroup?: logs.ILogGroup;
}

/**
 * CIS-style metric filters and alarms on the trail's log group, GuardDuty and Config findings
 * routed to a KMS-encrypted, TLS-only SNS topic, and a dashboard of the account's security health.
 * Without a log group, only the routing of the region's findings.
 */
export class SecurityAlarms extends Construct {
  /** The topic alarms and findings are sent to. */
  public readonly topic: sns.Topic;
  /** The key that encrypts the topic. */
  public readonly topicKey: kms.Key;
  /** The alarms, in the order of `events`. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** The dashboard, when enabled. */
  public readonly dashboard?: cloudwatch.Dashboard;
  /** EventBridge rule sending GuardDuty findings to the topic, when enabled. */
  public readonly guardDutyFindingsRule?: events.Rule;
  /** EventBridge rule sending Config non-compliance to the topic, when enabled. */
  public readonly configComplianceRule?: events.Rule;
  /** The alarms' metrics (5-minute sums), in the order of `events`. */
  private readonly eventMetrics: cloudwatch.Metric[] = [];

  constructor(scope: Construct, id: string, props: SecurityAlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const emails = props.emailAddresses ?? [];
    requireNonEmptyStrings(this, 'emailAddresses', emails);
    emails.forEach((email, i) => {
      if (!Token.isUnresolved(email) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        throw propError(this, `emailAddresses[${i}]`, 'an email address', email);
      }
    });
    // Typed in TypeScript, but free in JavaScript or YAML config, where "false" (a non-empty string) would
    // count as true.
    for (const prop of ['notifyGuardDutyFindings', 'notifyConfigNonCompliance', 'enableDashboard'] as const) {
      requireBoolean(this, prop, props[prop]);
    }
    const logGroup = props.logGroup;
    if (!logGroup) {
      // Metric filters read the trail's log group: without one, alarms cannot be had.
      for (const [prop, value] of [
        ['events', props.events],
        ['eventThresholds', props.eventThresholds],
        ['metricNamespace', props.metricNamespace],
        ['enableDashboard', props.enableDashboard === true ? true : undefined],
      ] as const) {
        if (value !== undefined) {
          throw propError(
            this,
            prop,
            'unset without a logGroup (the alarms and dashboard read the trail log group)',
            value,
          );
        }
      }
    }
    const selected = logGroup ? (props.events ?? Object.values(SecurityEvent)) : [];
    if (logGroup && selected.length === 0) {
      throw propError(this, 'events', 'at least one SecurityEvent (turn SecurityAlarms off instead)', selected);
    }
    requireKnownDistinct(this, 'events', selected, Object.values(SecurityEvent), 'event');
    const thresholds = props.eventThresholds ?? {};
    for (const [event, threshold] of Object.entries(thresholds)) {
      if (!(selected as string[]).includes(event)) {
        throw propError(this, 'eventThresholds', `keys among the alarmed events (${selected.join(', ')})`, event);
      }
      if (!Number.isInteger(threshold) || threshold < 1) {
        throw propError(this, `eventThresholds.${event}`, 'a whole number of occurrences >= 1', threshold);
      }
    }
    const notifyGuardDuty = props.notifyGuardDutyFindings ?? true;
    if (!notifyGuardDuty) {
      requireUnsetWhenOff(
        this,
        'guardDutyMinimumSeverity',
        props.guardDutyMinimumSeverity,
        'notifyGuardDutyFindings is false',
      );
    }
    const severity = props.guardDutyMinimumSeverity ?? 4;
    // A number, not a numeric string from JavaScript or YAML config: the EventBridge numeric matcher
    // needs a JSON number.
    if (typeof severity !== 'number' || !(severity >= 1 && severity <= 10)) {
      throw propError(this, 'guardDutyMinimumSeverity', 'a number from 1 to 10 (GuardDuty severities)', severity);
    }
    const namespace = props.metricNamespace ?? 'Groundwork/Security';
    if (!/^[A-Za-z0-9._/#:-]{1,255}$/.test(namespace) || namespace.startsWith('AWS/')) {
      throw propError(this, 'metricNamespace', 'a custom CloudWatch namespace (not AWS/...)', namespace);
    }

    this.topicKey = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the security alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms and EventBridge publish to an encrypted topic only if the key lets them
    // (SNS Developer Guide, "Enable compatibility between event sources and encrypted topics").
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmPublishers',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    // No aws:SourceAccount, aws:SourceArn or aws:SourceOrgID here: the same guide says they are not
    // supported in the key policy for EventBridge-to-encrypted topics, and with them every rule
    // invocation fails. The topic policy (publishFrom) limits EventBridge to this construct's rules.
    this.topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventPublishers',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      masterKey: this.topicKey,
      enforceSSL: true,
      displayName: 'Security alarms',
    });
    // The topic policy resource replaces SNS's default policy, so alarms need their own grant.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    emails.forEach((email) => this.topic.addSubscription(new subscriptions.EmailSubscription(email)));
    const action = new cwActions.SnsAction(this.topic);

    const alertPath: AlertPath = { topicArn: this.topic.topicArn, keyId: this.topicKey.keyId };
    for (const event of selected) {
      const filter = new logs.MetricFilter(this, `${event}Filter`, {
        logGroup: logGroup!,
        filterPattern: logs.FilterPattern.literal(PATTERNS[event]),
        metricNamespace: namespace,
        metricName: event,
        metricValue: '1',
      });
      for (const [part, pattern] of Object.entries(SCOPED_PATTERNS[event]?.(alertPath) ?? {})) {
        new logs.MetricFilter(this, `${event}${part}Filter`, {
          logGroup: logGroup!,
          filterPattern: logs.FilterPattern.literal(pattern),
          metricNamespace: namespace,
          metricName: event,
          metricValue: '1',
        });
      }
      const metric = filter.metric({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5) });
      this.eventMetrics.push(metric);
      const alarm = new cloudwatch.Alarm(this, `${event}Alarm`, {
        alarmDescription: `${NOT_CIS.includes(event) ? 'Security event' : 'CIS monitoring control'}: ${event} seen in CloudTrail`,
        metric,
        threshold: thresholds[event] ?? 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        // Set in the template, so that actions disabled outside it (DisableAlarmActions) are drift: drift
        // detection compares only the properties a template sets.
        actionsEnabled: true,
      });
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
    }

    if (notifyGuardDuty) {
      this.guardDutyFindingsRule = new events.Rule(this, 'GuardDutyFindings', {
        description: `GuardDuty findings of severity ${severity} or higher`,
        eventPattern: {
          source: ['aws.guardduty'],
          detailType: ['GuardDuty Finding'],
          detail: { severity: [{ numeric: ['>=', severity] }] },
        },
      });
      this.publishFrom(this.guardDutyFindingsRule);
    }
    if (props.notifyConfigNonCompliance ?? true) {
      this.configComplianceRule = new events.Rule(this, 'ConfigNonCompliance', {
        description: 'AWS Config rule evaluations that turned NON_COMPLIANT',
        eventPattern: {
          source: ['aws.config'],
          detailType: ['Config Rules Compliance Change'],
          detail: { newEvaluationResult: { complianceType: ['NON_COMPLIANT'] } },
        },
      });
      this.publishFrom(this.configComplianceRule);
    }

    if (props.enableDashboard ?? logGroup !== undefined) {
      this.dashboard = this.createDashboard();
    }
  }

  /**
   * Targets the topic from an EventBridge rule. The aws-events-targets SnsTopic target would also
   * grant events.amazonaws.com the topic without conditions; here the topic policy pins the grant
   * to the rule. The key grant (constructor) has no aws:Source* condition, which SNS does not
   * support in the key policy for EventBridge.
   */
  private publishFrom(rule: events.Rule): void {
    const topic = this.topic;
    rule.addTarget({ bind: () => ({ arn: topic.topicArn }) });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `Allow${rule.node.id}Publish`,
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
  }

  private createDashboard(): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
    });
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'CIS monitoring alarms', alarms: this.alarms, width: 24 }),
    );
    // Counted where they are routed (AWS/Events MatchedEvents per rule): GuardDuty publishes no
    // findings metric to CloudWatch, and AWS Config's own metrics are about recording, not compliance.
    const matched = (rule: events.Rule, label: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'MatchedEvents',
        dimensionsMap: { RuleName: rule.ruleName },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.hours(1),
        label,
      });
    const graphs: cloudwatch.IWidget[] = [];
    if (this.configComplianceRule) {
      graphs.push(
        new cloudwatch.GraphWidget({
          title: 'AWS Config: rule evaluations turned NON_COMPLIANT',
          left: [matched(this.configComplianceRule, 'NON_COMPLIANT changes')],
          width: 12,
        }),
      );
    }
    if (this.guardDutyFindingsRule) {
      graphs.push(
        new cloudwatch.GraphWidget({
          title: 'GuardDuty findings',
          left: [matched(this.guardDutyFindingsRule, 'Findings')],
          width: 12,
        }),
      );
    }
    if (graphs.length > 0) {
      dashboard.addWidgets(...graphs);
    }
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'CIS monitoring events (count per hour)',
        // The alarms' metrics sum over 5 minutes; the graph sums over the hour its title promises.
        left: this.eventMetrics.map((m) => m.with({ period: Duration.hours(1) })),
        width: 24,
      }),
    );
    return dashboard;
  }
}
