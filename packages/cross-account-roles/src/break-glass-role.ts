import { Duration, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { DeploymentBoundary } from './deployment-boundary';
import { requireSomeTrust, trustedRolePrincipal } from './trusted-principals';
import { validateAccountId, validateOtherAccount, validateRoleArns, validateRoleNamePatterns } from './validation';

/**
 * Properties of a BreakGlassRole.
 */
export interface BreakGlassRoleProps {
  /**
   * The 12-digit id of the account whose identities may break glass (e.g. the security account).
   *
   * It must differ from the account the role is deployed into (checked when the stack's account is known at
   * synthesis): that account's own principals could otherwise create or change a trusted role and assume this one.
   */
  readonly trustedAccountId: string;

  /**
   * Exact ARNs of roles that may assume the break-glass role.
   *
   * @default [] - at least one of trustedPrincipalArns and trustedRoleNamePatterns must be given
   */
  readonly trustedPrincipalArns?: string[];

  /**
   * Role names or patterns in the trusted account that may assume the break-glass role.
   *
   * @default [] - at least one of trustedPrincipalArns and trustedRoleNamePatterns must be given
   */
  readonly trustedRoleNamePatterns?: string[];

  /**
   * What the role may do in an emergency. Chosen by the platform team per environment; this package
   * ships no grant of its own.
   */
  readonly managedPolicies: iam.IManagedPolicy[];

  /**
   * Name of the role. The deployment boundary protects the default name from modification
   * (`DeploymentBoundary.DEFAULT_PROTECTED_ROLE_NAMES`); another name is protected only once it is listed in
   * the deployment trust's `protectedRoleNames` too. The alert rules and the
   * alarm are named after it (`<roleName>-assumed`, `<roleName>-cloudformation`), so it may use only letters,
   * digits and `._-`, at most 49 of them; the boundary protects those names by their prefix
   * (`DeploymentBoundaryProps.protectedAlertNamePrefixes`, `<roleName>-` by default for the default name).
   *
   * @default 'groundwork-break-glass'
   */
  readonly roleName?: string;

  /**
   * Maximum age of the MFA authentication, in seconds, when the role is assumed.
   *
   * @default 3600
   */
  readonly maxMfaAgeSeconds?: number;

  /**
   * Email addresses notified when the role is assumed.
   *
   * @default []
   */
  readonly notificationEmails?: string[];
}

/**
 * An emergency role that can only be assumed with MFA, and that raises an alert (EventBridge rule on the
 * CloudTrail AssumeRole event to a KMS-encrypted SNS topic, plus a CloudWatch alarm) every time it is, and
 * again for every CloudFormation stack change a session of the role makes.
 *
 * The alert names the caller with what CloudTrail writes in this (the role's) account for a cross-account
 * AssumeRole: the caller's principal id and account, the session name, the source identity if the caller set
 * one, and the source IP address. CloudTrail records AssumeRole in the region of the STS endpoint used: deploy
 * this construct in every region where the role may be assumed (us-east-1 for the global endpoint), and have
 * callers use the regional endpoint of that region. EventBridge receives these events only from an enabled
 * CloudTrail trail that logs the account's management events.
 *
 * The rules and the alarm are named `<roleName>-...`, and the topic and its key carry the tag
 * `DeploymentBoundary.ALERT_TAG_KEY` = `DeploymentBoundary.ALERT_TAG_VALUE`: the deployment boundary denies
 * every role under it, this one included, switching them off.
 */
export class BreakGlassRole extends Construct {
  /**
   * The CloudFormation calls that `stackChangeRule` reports: every call that creates, changes, rolls back or
   * deletes a stack, a change set, a stack refactor, a stack set or its instances, or a stack's protection.
   */
  public static readonly STACK_CHANGE_EVENTS = [
    'CancelUpdateStack',
    'ContinueUpdateRollback',
    'CreateChangeSet',
    'CreateStack',
    'CreateStackInstances',
    'CreateStackRefactor',
    'CreateStackSet',
    'DeleteChangeSet',
    'DeleteStack',
    'DeleteStackInstances',
    'DeleteStackSet',
    'ExecuteChangeSet',
    'ExecuteStackRefactor',
    'ImportStacksToStackSet',
    'RollbackStack',
    'SetStackPolicy',
    'UpdateStack',
    'UpdateStackInstances',
    'UpdateStackSet',
    'UpdateTerminationProtection',
  ];

  /** The break-glass role. */
  public readonly role: iam.Role;
  /** The topic that receives an alert on every assumption. */
  public readonly alertTopic: sns.Topic;
  /** The rule that matches AssumeRole on this role. */
  public readonly assumeRule: events.Rule;
  /** The alarm raised when the rule fires. */
  public readonly assumeAlarm: cloudwatch.Alarm;
  /** The rule that matches CloudFormation stack changes made by a session of this role. */
  public readonly stackChangeRule: events.Rule;

  constructor(scope: Construct, id: string, props: BreakGlassRoleProps) {
    super(scope, id);
    const p = this.node.path;
    validateAccountId(p, 'trustedAccountId', props.trustedAccountId);
    if (Token.isUnresolved(props.trustedAccountId)) {
      throw new Error(`${p}: trustedAccountId must be a literal 12-digit account id, found a token`);
    }
    validateOtherAccount(p, 'trustedAccountId', props.trustedAccountId, Stack.of(this).account);
    const arns = props.trustedPrincipalArns ?? [];
    const patterns = props.trustedRoleNamePatterns ?? [];
    requireSomeTrust(p, arns, patterns);
    validateRoleArns(p, 'trustedPrincipalArns', arns, {
      id: props.trustedAccountId,
      label: 'trusted account',
      prop: 'trustedAccountId',
    });
    validateRoleNamePatterns(p, 'trustedRoleNamePatterns', patterns);
    if (props.managedPolicies.length === 0) {
      throw new Error(`${p}: managedPolicies must list what the role may do in an emergency, found an empty list`);
    }
    const maxMfaAge = props.maxMfaAgeSeconds ?? 3600;
    if (!Number.isInteger(maxMfaAge) || maxMfaAge < 60 || maxMfaAge > 3600) {
      throw new Error(`${p}: maxMfaAgeSeconds must be an integer between 60 and 3600, found ${maxMfaAge}`);
    }
    const roleName = props.roleName ?? 'groundwork-break-glass';
    // EventBridge rule names allow [.\-_A-Za-z0-9], at most 64: '<roleName>-cloudformation' must fit.
    if (!Token.isUnresolved(roleName) && !/^[A-Za-z0-9._-]{1,49}$/.test(roleName)) {
      throw new Error(
        `${p}: roleName must be 1-49 letters, digits or ._- (the alert rules and alarm are named '<roleName>-assumed' and '<roleName>-cloudformation'), found '${roleName}'`,
      );
    }

    this.role = new iam.Role(this, 'Resource', {
      roleName,
      description: 'Groundwork break-glass: MFA required, every assumption alerts',
      assumedBy: trustedRolePrincipal(props.trustedAccountId, arns, patterns, {
        conditions: {
          Bool: { 'aws:MultiFactorAuthPresent': 'true' },
          NumericLessThan: { 'aws:MultiFactorAuthAge': String(maxMfaAge) },
        },
        allowSourceIdentity: true,
      }),
      managedPolicies: props.managedPolicies,
      maxSessionDuration: Duration.hours(1),
    });

    const key = new kms.Key(this, 'AlertKey', {
      description: 'Encrypts break-glass alerts',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The boundary denies every role under it any KMS action on a key with this tag (disabling it, scheduling its
    // deletion, its key policy, its tags); EventBridge and CloudWatch use it with their service principals.
    Tags.of(key).add(DeploymentBoundary.ALERT_TAG_KEY, DeploymentBoundary.ALERT_TAG_VALUE);
    // EventBridge and CloudWatch publish to the encrypted topic with their service principals. EventBridge's
    // request to an encrypted topic carries no aws:SourceAccount, aws:SourceArn or aws:SourceOrgID (SNS
    // developer guide, key management), so a condition on them would drop every alert: its grant has none,
    // and the topic policy decides what may publish. CloudWatch's carries them; its grant cannot name the
    // alarm (key -> alarm -> topic -> key would be a cycle), but the key encrypts this topic only, and the
    // topic policy admits this alarm only.
    const account = Stack.of(this).account;
    const keyUsers: Array<[string, Record<string, unknown> | undefined]> = [
      ['events.amazonaws.com', undefined],
      ['cloudwatch.amazonaws.com', { StringEquals: { 'aws:SourceAccount': account } }],
    ];
    for (const [service, conditions] of keyUsers) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions,
        }),
      );
    }
    this.alertTopic = new sns.Topic(this, 'AlertTopic', {
      displayName: 'Groundwork break-glass role assumed',
      masterKey: key,
      enforceSSL: true,
    });
    // By tag, not by name: naming the topic would replace it (and its confirmed subscriptions).
    Tags.of(this.alertTopic).add(DeploymentBoundary.ALERT_TAG_KEY, DeploymentBoundary.ALERT_TAG_VALUE);
    for (const email of props.notificationEmails ?? []) {
      this.alertTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    this.assumeRule = new events.Rule(this, 'AssumeRule', {
      ruleName: `${roleName}-assumed`,
      description: 'Break-glass role assumed',
      eventPattern: {
        source: ['aws.sts'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['sts.amazonaws.com'],
          eventName: ['AssumeRole'],
          requestParameters: { roleArn: [this.role.roleArn] },
        },
      },
    });
    // AssumeRole is a read-only management event, which a rule in the ENABLED state may not receive
    // (EventBridge user guide, "Receiving read-only management events from AWS services", whose example is an
    // STS AssumeRole rule): this state receives every management event; the pattern keeps this role's only.
    (this.assumeRule.node.defaultChild as events.CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
    // In this (the role's) account, CloudTrail's copy of a cross-account AssumeRole has no caller ARN: its
    // userIdentity is the caller's account and principal id (the role id and session name of the operator's
    // role). The session name and source identity are the caller's request parameters. A path absent from an
    // event (sourceIdentity when the caller set none) leaves its place in the message empty.
    const field = (path: string) => events.EventField.fromPath(path);
    this.sendToTopic(
      this.assumeRule,
      `Break-glass role ${field('$.detail.requestParameters.roleArn')} assumed at ${events.EventField.time}` +
        ` by principal ${field('$.detail.userIdentity.principalId')} of account ${field('$.detail.userIdentity.accountId')}` +
        ` from ${field('$.detail.sourceIPAddress')}, session name ${field('$.detail.requestParameters.roleSessionName')},` +
        ` source identity ${field('$.detail.requestParameters.sourceIdentity')} (empty when the caller set none).`,
      'AllowAssumeRulePublish',
    );

    // Even when the role's own policies grant no IAM write (PowerUserAccess grants none but service-linked roles),
    // CloudFormation performs a stack operation with the stack's service role, whoever asks for it: a session of
    // this role that updates a stack deployed with the pipeline's execution role changes IAM (bounded roles)
    // through that role. Every stack change a session of this role requests, allowed or refused, is reported
    // on the same topic.
    this.stackChangeRule = new events.Rule(this, 'StackChangeRule', {
      ruleName: `${roleName}-cloudformation`,
      description: 'CloudFormation stack change requested by a break-glass session',
      eventPattern: {
        source: ['aws.cloudformation'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cloudformation.amazonaws.com'],
          eventName: BreakGlassRole.STACK_CHANGE_EVENTS,
          userIdentity: { sessionContext: { sessionIssuer: { arn: [this.role.roleArn] } } },
        },
      },
    });
    this.sendToTopic(
      this.stackChangeRule,
      `Break-glass session ${field('$.detail.userIdentity.principalId')} (source identity ` +
        `${field('$.detail.userIdentity.sessionContext.sourceIdentity')}) called cloudformation:${field('$.detail.eventName')}` +
        ` on stack ${field('$.detail.requestParameters.stackName')} (change set ${field('$.detail.requestParameters.changeSetName')},` +
        ` stack set ${field('$.detail.requestParameters.stackSetName')}) at ${events.EventField.time};` +
        ` error ${field('$.detail.errorCode')} (empty when the call succeeded).`,
      'AllowStackChangeRulePublish',
    );

    this.assumeAlarm = new cloudwatch.Alarm(this, 'AssumeAlarm', {
      alarmName: `${roleName}-assumed`,
      alarmDescription: 'The Groundwork break-glass role was assumed',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'TriggeredRules',
        dimensionsMap: { RuleName: this.assumeRule.ruleName },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.assumeAlarm.addAlarmAction(new cwActions.SnsAction(this.alertTopic));
    // The topic policy replaces SNS's default one, which let the account's alarms publish: without this the
    // alarm fires and its notification is refused.
    this.alertTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAssumeAlarmPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alertTopic.topicArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': this.assumeAlarm.alarmArn },
          StringEquals: { 'aws:SourceAccount': account },
        },
      }),
    );
  }

  /**
   * Send `message` (with EventBridge's input transformer) to the alert topic when `rule` matches, and admit
   * that rule, and no other, in the topic policy. Not aws-events-targets' SnsTopic: it would also grant every
   * EventBridge rule of every account the topic, without a condition. EventBridge sets aws:SourceArn when it
   * publishes to a topic (only its request to the key carries no source keys).
   */
  private sendToTopic(rule: events.Rule, message: string, sid: string): void {
    rule.addTarget({
      bind: () => ({ arn: this.alertTopic.topicArn, input: events.RuleTargetInput.fromText(message) }),
    });
    this.alertTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alertTopic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
      }),
    );
  }
}
