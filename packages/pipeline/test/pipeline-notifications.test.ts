process.env.CDK_VALIDATION = 'false';
import { App, Stack } from 'aws-cdk-lib';
import { PipelineNotifications } from '../src';

describe('PipelineNotifications', () => {
  test('rejects a Slack target that is not a Chatbot channel ARN', () => {
    const stack = new Stack(new App(), 'Notify');
    expect(
      () => new PipelineNotifications(stack, 'N', { slackChannelConfigurationArn: 'arn:aws:sns:eu-west-1:1:topic' }),
    ).toThrow(/Notify\/N: slackChannelConfigurationArn must be an AWS Chatbot channel ARN/);
  });
});
