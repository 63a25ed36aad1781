import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { requireSomeTrust, trustedRolePrincipal } from './trusted-principals';
import { validateAccountId, validateRoleArns, validateRoleNamePatterns } from './validation';

/**
 * Properties of a BreakGlassRole.
 */
export interface BreakGlassRoleProps {
  /** The 12-digit id of the account whose identities may break glass (e.g. the security account). */
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
   * Name of the role (the deployment boundary protects this name from modification).
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
 * CloudTrail AssumeRole event to a KMS-encrypted SNS topic, plus a CloudWatch alarm) every time it is.
 *
 * CloudTrail records AssumeRole in the region of the STS endpoint used; deploy this construct in every
 * region where the role may be assumed (us-east-1 for the global endpoint).
 */
export class BreakGlassRole extends Construct {
  /** The break-glass role. */
  public readonly role: iam.Role;
  /** The topic that receives an alert on every assumption. */
  public readonly alertTopic: sns.Topic;
  /** The rule that matches AssumeRole on this role. */
  public readonly assumeRule: events.Rule;
  /** The alarm raised when the rule fires. */
  public readonly assumeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: BreakGlassRoleProps) {
    super(scope, id);
    const p = this.node.path;
    validateAccountId(p, 'trustedAccountId', props.trustedAccountId);
    if (Token.isUnresolved(props.trustedAccountId)) {
      throw new Error(`${p}: trustedAccountId must be a literal 12-digit account id, found a token`);
    }
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

    this.role = new iam.Role(this, 'Resource', {
      roleName: props.roleName ?? 'groundwork-break-glass',
      description: 'Groundwork break-glass: MFA required, every assumption alerts',
      assumedBy: trustedRolePrincipal(props.trustedAccountId, arns, patterns, {
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        NumericLessThan: { 'aws:MultiFactorAuthAge': String(maxMfaAge) },
      }),
      managedPolicies: props.managedPolicies,
      maxSessionDuration: Duration.hours(1),
    });

    const key = new kms.Key(this, 'AlertKey', {
      description: 'Encrypts break-glass alerts',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
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
    for (const email of props.notificationEmails ?? []) {
      this.alertTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    this.assumeRule = new events.Rule(this, 'AssumeRule', {
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
    // Not aws-events-targets' SnsTopic: it would also grant every EventBridge rule of every account the topic,
    // without a condition. The topic policy admits this rule only (aws:SourceArn, which EventBridge sets when it
    // publishes to a topic; only its request to the key carries no source keys).
    this.assumeRule.addTarget({
      bind: () => ({
        arn: this.alertTopic.topicArn,
        input: events.RuleTargetInput.fromText(
          `Break-glass role ${events.EventField.fromPath('$.detail.requestParameters.roleArn')} assumed by ${events.EventField.fromPath('$.detail.userIdentity.arn')} at ${events.EventField.time}`,
        ),
      }),
    });
    this.alertTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAssumeRulePublish',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alertTopic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.assumeRule.ruleArn } },
      }),
    );

    this.assumeAlarm = new cloudwatch.Alarm(this, 'AssumeAlarm', {
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
}
