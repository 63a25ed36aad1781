process.env.CDK_VALIDATION = 'false';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { PipelineNotifications } from '../src';

/** A stack with PipelineNotifications and an imported pipeline to attach rules to. */
function notificationsFixture(): {
  stack: Stack;
  notifications: PipelineNotifications;
  pipeline: codepipeline.IPipeline;
} {
  const stack = new Stack(new App(), 'Notify');
  const notifications = new PipelineNotifications(stack, 'N');
  const pipeline = codepipeline.Pipeline.fromPipelineArn(
    stack,
    'Pipeline',
    'arn:aws:codepipeline:eu-west-1:111111111111:groundwork',
  );
  return { stack, notifications, pipeline };
}

describe('PipelineNotifications', () => {
  test('rejects a Slack target that is not a Chatbot channel ARN', () => {
    const stack = new Stack(new App(), 'Notify');
    expect(
      () => new PipelineNotifications(stack, 'N', { slackChannelConfigurationArn: 'arn:aws:sns:eu-west-1:1:topic' }),
    ).toThrow(/Notify\/N: slackChannelConfigurationArn must be an AWS Chatbot channel ARN/);
  });

  test('rejects notification emails that are not addresses, naming the bad one', () => {
    for (const email of ['platform@', '@groundwork.example', 'platform@localhost', 'plat form@groundwork.example']) {
      const stack = new Stack(new App(), 'Notify');
      expect(() => new PipelineNotifications(stack, 'N', { emails: ['ok@groundwork.example', email] })).toThrow(
        `Notify/N: emails must be email addresses, found '${email}'`,
      );
    }
    const stack = new Stack(new App(), 'Notify');
    new PipelineNotifications(stack, 'N', { emails: ['platform+alerts@groundwork.example'] });
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'platform+alerts@groundwork.example',
    });
  });

  test('notifyOn names the rule as given, and rejects a name CodeStar Notifications does not accept', () => {
    const { stack, notifications, pipeline } = notificationsFixture();
    notifications.notifyOn('Events', pipeline, undefined, 'groundwork-pipeline-events');
    Template.fromStack(stack).hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      Name: 'groundwork-pipeline-events',
    });
    expect(() => notifications.notifyOn('Dotted', pipeline, undefined, 'groundwork.main')).toThrow(
      /Notify\/N: notificationRuleName of notifyOn\('Dotted'\) must be 1 to 64 letters, digits, '-', '_' or spaces \(CodeStar Notifications\), found 'groundwork.main' \(15 characters\)/,
    );
    expect(() => notifications.notifyOn('Long', pipeline, undefined, 'x'.repeat(65))).toThrow(
      /found 'x{65}' \(65 characters\)/,
    );
  });

  // CodeStar Notifications refuses an unknown event type id at deployment, after the rest of the stack changed.
  test.each([
    [[], 'events must list at least one notification event type id, found []'],
    [
      ['codepipeline-pipeline-execution-failed'],
      "events lists 'codepipeline-pipeline-execution-failed', which is not a notification event type id of a " +
        'CodePipeline pipeline (codepipeline.PipelineNotificationEvents); expected one of ' +
        'codepipeline-pipeline-pipeline-execution-failed,',
    ],
    [
      ['codebuild-project-build-failed'],
      "events lists 'codebuild-project-build-failed', which is not a notification event type id of a CodeBuild " +
        'project (codebuild.ProjectNotificationEvents)',
    ],
    [[''], 'events must hold notification event type ids, found ""'],
  ])('notifyOn refuses the events %j', (events, message) => {
    const { notifications, pipeline } = notificationsFixture();
    expect(() => notifications.notifyOn('Events', pipeline, events)).toThrow(
      `Notify/N: notifyOn('Events'): ${message}`,
    );
  });

  test('notifyOn sends the events given, ids of other services and tokens as they are', () => {
    const { stack, notifications, pipeline } = notificationsFixture();
    const token = new CfnParameter(stack, 'Event').valueAsString;
    const events = ['codepipeline-pipeline-stage-execution-failed', 'codedeploy-application-deployment-failed', token];
    notifications.notifyOn('Events', pipeline, events);
    Template.fromStack(stack).hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: [
        'codepipeline-pipeline-stage-execution-failed',
        'codedeploy-application-deployment-failed',
        { Ref: 'Event' },
      ],
    });
  });

  // The default list is shared by every rule of the app: a caller that changed it changed them all.
  test('DEFAULT_EVENTS cannot be changed', () => {
    expect(() => PipelineNotifications.DEFAULT_EVENTS.push('codepipeline-pipeline-stage-execution-failed')).toThrow(
      TypeError,
    );
    expect(PipelineNotifications.DEFAULT_EVENTS).toHaveLength(4);
  });

  // A token is known only at deployment (CloudFormation parameter, SSM parameter): the address or ARN checks
  // refused it, so an app could not take its recipients or Slack channel from a parameter.
  test('accepts emails and a Slack channel ARN that are tokens', () => {
    const stack = new Stack(new App(), 'Notify');
    const email = new CfnParameter(stack, 'Email').valueAsString;
    const slack = new CfnParameter(stack, 'Slack').valueAsString;
    const notifications = new PipelineNotifications(stack, 'N', {
      emails: [email],
      slackChannelConfigurationArn: slack,
    });
    const pipeline = codepipeline.Pipeline.fromPipelineArn(
      stack,
      'Pipeline',
      'arn:aws:codepipeline:eu-west-1:111111111111:groundwork',
    );
    notifications.notifyOn('Events', pipeline, undefined, 'groundwork-pipeline-events');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: { Ref: 'Email' } });
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      Targets: Match.arrayWith([{ TargetType: 'AWSChatbotSlack', TargetAddress: { Ref: 'Slack' } }]),
    });
  });

  test('rejects an empty Slack channel ARN rather than sending nothing to Slack', () => {
    expect(
      () => new PipelineNotifications(new Stack(new App(), 'Notify'), 'N', { slackChannelConfigurationArn: '' }),
    ).toThrow(
      "Notify/N: slackChannelConfigurationArn must be an AWS Chatbot channel ARN (arn:aws:chatbot:...), found ''",
    );
  });
});
