import { App, CfnElement, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { PlatformStack } from '../src/platform-stack';

/**
 * Resources whose logical IDs exercise aws-cdk-lib's allocation rules (a
 * top-level resource, nested paths, "Default" and "Resource" components, a
 * repeated last component), each referenced several times.
 */
function populate(stack: Stack): void {
  const top = new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic' });
  const group = new Construct(stack, 'Group');
  const queue = new CfnResource(group, 'Resource', { type: 'AWS::SQS::Queue' });
  const inner = new Construct(new Construct(stack, 'Storage'), 'Default');
  const bucket = new CfnResource(new Construct(inner, 'Bucket'), 'Bucket', { type: 'AWS::S3::Bucket' });
  new CfnResource(group, 'Subscription', {
    type: 'AWS::SNS::Subscription',
    properties: {
      TopicArn: top.ref,
      Endpoint: queue.getAtt('Arn'),
      Protocol: 'sqs',
      FilterPolicy: { bucket: [bucket.ref, Fn.join('/', [bucket.getAtt('Arn').toString(), top.ref])] },
    },
  });
}

/** Counts aws-cdk-lib's own allocations (Stack.prototype.allocateLogicalId) per element while `action` runs. */
function countAllocations(action: () => void): Map<CfnElement, number> {
  const counts = new Map<CfnElement, number>();
  const proto = Stack.prototype as unknown as { allocateLogicalId(element: CfnElement): string };
  const original = proto.allocateLogicalId;
  proto.allocateLogicalId = function (this: Stack, element: CfnElement): string {
    counts.set(element, (counts.get(element) ?? 0) + 1);
    return original.call(this, element);
  };
  try {
    action();
  } finally {
    proto.allocateLogicalId = original;
  }
  return counts;
}

describe('PlatformStack', () => {
  // Logical IDs do not depend on CloudFormation validation; without it each synth takes milliseconds.
  const validation = process.env.CDK_VALIDATION;
  beforeAll(() => {
    process.env.CDK_VALIDATION = 'false';
  });
  afterAll(() => {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
  });

  test('gives every element the same logical ID as a plain Stack does', () => {
    const plain = new Stack(new App(), 'Stack');
    const platform = new PlatformStack(new App(), 'Stack');
    populate(plain);
    populate(platform);
    const expected = Template.fromStack(plain).toJSON();
    expect(Object.keys(expected.Resources)).toHaveLength(4);
    expect(Template.fromStack(platform).toJSON()).toEqual(expected);
  });

  test("allocates each element's logical ID once, however often it is referenced", () => {
    const plain = new Stack(new App(), 'Stack');
    const platform = new PlatformStack(new App(), 'Stack');
    populate(plain);
    populate(platform);
    // A plain Stack allocates again at each reference (the reason for PlatformStack).
    const plainCounts = countAllocations(() => Template.fromStack(plain));
    expect(Math.max(...plainCounts.values())).toBeGreaterThan(1);

    const counts = countAllocations(() => Template.fromStack(platform));
    expect(counts.size).toBe(plainCounts.size);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  test('renameLogicalId and overrideLogicalId still apply after an ID was allocated', () => {
    const stack = new PlatformStack(new App(), 'Stack');
    const topic = new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic' });
    const queue = new CfnResource(stack, 'Queue', { type: 'AWS::SQS::Queue', properties: { QueueName: topic.ref } });
    // Resolving allocates (and keeps) both IDs.
    expect(stack.resolve(queue.logicalId)).toBe('Queue');
    expect(stack.resolve(topic.ref)).toEqual({ Ref: 'Topic' });

    stack.renameLogicalId('Topic', 'Alerts');
    queue.overrideLogicalId('Inbox');

    const resources = Template.fromStack(stack).toJSON().Resources;
    expect(Object.keys(resources).sort()).toEqual(['Alerts', 'Inbox']);
    expect(resources.Inbox.Properties.QueueName).toEqual({ Ref: 'Alerts' });
  });
});
