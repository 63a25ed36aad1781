import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as codestarnotifications from 'aws-cdk-lib/aws-codestarnotifications';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { NOTIFICATION_RULE_NAME_MAX_LENGTH, NOTIFICATION_RULE_NAME_PATTERN } from './private/notification-rule-name';

export interface PipelineNotificationsProps {
  /** Email addresses subscribed to the topic (each must confirm the subscription). @default - none */
  readonly emails?: string[];
  /**
   * ARN of an existing AWS Chatbot Slack channel configuration that receives the events.
   * @default - no Chatbot target
   */
  readonly slackChannelConfigurationArn?: string;
  /** Display name of the topic. @default 'Groundwork pipeline' */
  readonly topicDisplayName?: string;
}

/**
 * A KMS-encrypted SNS topic (customer managed key with rotation) for pipeline events and alarms,
 * with email and Chatbot endpoints. `notifyOn` attaches a CodeStar Notifications rule to a source.
 */
export class PipelineNotifications extends Construct {
  /**
   * Pipeline events sent by default: execution started, succeeded, failed, and manual approval needed. Frozen:
   * pass your own list to `notifyOn` instead of changing this one (a change would reach every rule of the app).
   */
  public static readonly DEFAULT_EVENTS: string[] = Object.freeze([
    'codepipeline-pipeline-pipeline-execution-started',
    'codepipeline-pipeline-pipeline-execution-succeeded',
    'codepipeline-pipeline-pipeline-execution-failed',
    'codepipeline-pipeline-manual-approval-needed',
  ]) as string[];

  /** The topic that receives pipeline events and deployment alarms. */
  public readonly topic: sns.ITopic;
  /** The customer managed key that encrypts the topic. */
  public readonly key: kms.IKey;
  private readonly targets: codestarnotifications.INotificationRuleTarget[];

  constructor(scope: Construct, id: string, props: PipelineNotificationsProps = {}) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', {
      description: `Encrypts the Groundwork pipeline notification topic (${this.node.path})`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CodeStar Notifications and CloudWatch alarms publish to an encrypted topic only when the key
    // policy lets their service principals generate data keys and decrypt.
    for (const service of ['codestar-notifications.amazonaws.com', 'cloudwatch.amazonaws.com']) {
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Allow${service.split('.')[0].replace(/-/g, '')}ToUseKey`,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
        }),
      );
    }
    const topic = new sns.Topic(this, 'Topic', {
      displayName: props.topicDisplayName ?? 'Groundwork pipeline',
      masterKey: key,
      enforceSSL: true,
    });
    // A token (a CfnParameter, an SSM parameter read at deployment) is known only then: SNS checks it.
    for (const email of props.emails ?? []) {
      if (typeof email !== 'string' || (!Token.isUnresolved(email) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))) {
        throw new Error(`${this.node.path}: emails must be email addresses, found '${email}'`);
      }
      topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    this.targets = [topic];
    if (props.slackChannelConfigurationArn !== undefined) {
      const arn = props.slackChannelConfigurationArn;
      if (typeof arn !== 'string' || (!Token.isUnresolved(arn) && !/^arn:aws[a-z-]*:chatbot:/.test(arn))) {
        throw new Error(
          `${this.node.path}: slackChannelConfigurationArn must be an AWS Chatbot channel ARN (arn:aws:chatbot:...), found '${props.slackChannelConfigurationArn}'`,
        );
      }
      this.targets.push(
        chatbot.SlackChannelConfiguration.fromSlackChannelConfigurationArn(
          this,
          'Slack',
          props.slackChannelConfigurationArn,
        ),
      );
    }
    this.topic = topic;
    this.key = key;
  }

  /**
   * Creates a CodeStar Notifications rule sending `events` of `source` to the topic and Chatbot.
   * @param events notification event type ids (Developer Tools console "Events for notification
   * rules"). An id of a CodePipeline pipeline, CodeBuild project or CodeCommit repository must be one that
   * aws-cdk-lib knows (`codepipeline.PipelineNotificationEvents` and the like), so that a misspelt id fails
   * here instead of at deployment; ids of other services are passed as they are.
   * @default PipelineNotifications.DEFAULT_EVENTS
   * @param notificationRuleName name of the rule: 1 to 64 letters, digits, '-', '_' or spaces, unique in
   * the account. Set it when the same code deploys this construct more than once into one account (a
   * pipeline per branch, for example): the default name derives from the construct path alone, so it is
   * the same in each stack and the second creation fails. @default - generated from the construct path
   */
  public notifyOn(
    id: string,
    source: codestarnotifications.INotificationRuleSource,
    events?: string[],
    notificationRuleName?: string,
  ): codestarnotifications.NotificationRule {
    if (
      notificationRuleName !== undefined &&
      !Token.isUnresolved(notificationRuleName) &&
      !NOTIFICATION_RULE_NAME_PATTERN.test(notificationRuleName)
    ) {
      throw new Error(
        `${this.node.path}: notificationRuleName of notifyOn('${id}') must be 1 to ${NOTIFICATION_RULE_NAME_MAX_LENGTH} ` +
          `letters, digits, '-', '_' or spaces (CodeStar Notifications), found '${notificationRuleName}' ` +
          `(${notificationRuleName.length} characters)`,
      );
    }
    if (events !== undefined) {
      checkEvents(`${this.node.path}: notifyOn('${id}')`, events);
    }
    return new codestarnotifications.NotificationRule(this, id, {
      source,
      events: events ?? PipelineNotifications.DEFAULT_EVENTS,
      targets: this.targets,
      detailType: codestarnotifications.DetailType.FULL,
      notificationRuleName,
    });
  }
}

/** The event type ids aws-cdk-lib lists, by the prefix of the resource type they belong to. */
const KNOWN_EVENTS: {
  readonly prefix: string;
  readonly resource: string;
  readonly list: string;
  readonly ids: readonly string[];
}[] = [
  {
    prefix: 'codepipeline-pipeline-',
    resource: 'CodePipeline pipeline',
    list: 'codepipeline.PipelineNotificationEvents',
    ids: Object.values(codepipeline.PipelineNotificationEvents),
  },
  {
    prefix: 'codebuild-project-',
    resource: 'CodeBuild project',
    list: 'codebuild.ProjectNotificationEvents',
    ids: Object.values(codebuild.ProjectNotificationEvents),
  },
  {
    prefix: 'codecommit-repository-',
    resource: 'CodeCommit repository',
    list: 'codecommit.RepositoryNotificationEvents',
    ids: Object.values(codecommit.RepositoryNotificationEvents),
  },
];

/**
 * CodeStar Notifications needs at least one event type id; a misspelt id of a known resource type is refused at
 * deployment, after the rest of the stack changed. Tokens are left for the service to check.
 */
function checkEvents(where: string, events: string[]): void {
  if (!Array.isArray(events) || events.length === 0) {
    throw new Error(
      `${where}: events must list at least one notification event type id, found ${JSON.stringify(events)}`,
    );
  }
  for (const event of events) {
    if (typeof event !== 'string' || event === '') {
      throw new Error(`${where}: events must hold notification event type ids, found ${JSON.stringify(event)}`);
    }
    if (Token.isUnresolved(event)) continue;
    const known = KNOWN_EVENTS.find(({ prefix }) => event.startsWith(prefix));
    if (known !== undefined && !known.ids.includes(event)) {
      throw new Error(
        `${where}: events lists '${event}', which is not a notification event type id of a ${known.resource} ` +
          `(${known.list}); expected one of ${known.ids.join(', ')}`,
      );
    }
  }
}
