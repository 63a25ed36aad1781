import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * Lets `alarm` publish to `topic`. A topic policy (`AWS::SNS::TopicPolicy`, which CDK creates as soon as
 * anything adds a statement to the topic, a CodeStar Notifications rule for example) replaces SNS's
 * default policy, so CloudWatch is refused unless the policy names it: the alarm changes state and nobody
 * is told, except in the alarm history.
 *
 * When the alarm is in the topic's stack, the grant names that alarm's ARN exactly (the topic policy then
 * depends on the alarm, which depends on the topic: no cycle). An alarm of another stack would make the
 * two stacks depend on each other, so the grant then admits the alarms of the topic's account and region.
 * Either way `aws:SourceAccount` is the topic's account. For an imported topic, CDK adds nothing: its
 * owner manages its policy.
 */
export function allowAlarmPublish(topic: sns.ITopic, alarm: cloudwatch.IAlarm): void {
  const stack = Stack.of(topic);
  const sameStack = Stack.of(alarm) === stack;
  const source = sameStack
    ? { ArnEquals: { 'aws:SourceArn': alarm.alarmArn } }
    : {
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      };
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      // Unique per alarm: the last characters of its unique id hold the hash of its path.
      sid: `AllowAlarmPublish${Names.uniqueId(alarm)
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(-64)}`,
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { ...source, StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
  );
}
