process.env.CDK_VALIDATION = 'false';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { PipelineNotifications } from '../src';

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
    const stack = new Stack(new App(), 'Notify');
    const notifications = new PipelineNotifications(stack, 'N');
    const pipeline = codepipeline.Pipeline.fromPipelineArn(
      stack,
      'Pipeline',
      'arn:aws:codepipeline:eu-west-1:111111111111:groundwork',
    );
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
});
