import { App, Aws, CfnCondition, Fn, Stack, Stage, Tags, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { GroundworkChecks } from '../../src';
import { expectCompliant, expectFindings, findingsOf, newStack } from '../fixtures';

const props = { requiredTags: ['groundwork:owner', 'groundwork:environment'] };

describe('Groundwork-TAG1: required tags on every taggable resource', () => {
  test('is not run when requiredTags is empty', () => {
    const stack = newStack();
    new sqs.Queue(stack, 'Queue');
    expectFindings(stack, 'Groundwork-TAG1', []);
  });

  test('passes tags given in L1 properties', () => {
    const stack = newStack();
    new sqs.CfnQueue(stack, 'Queue', {
      tags: [
        { key: 'groundwork:owner', value: 'platform' },
        { key: 'groundwork:environment', value: 'dev' },
      ],
    });
    expectCompliant(stack, 'Groundwork-TAG1', props);
  });

  test('reports one finding per missing tag, so each can be acknowledged alone', () => {
    const stack = newStack();
    new sqs.CfnQueue(stack, 'Queue', { tags: [{ key: 'groundwork:owner', value: 'platform' }] });
    new sqs.CfnQueue(stack, 'Empty', {
      tags: [
        { key: 'groundwork:owner', value: '' },
        { key: 'groundwork:environment', value: 'dev' },
      ],
    });
    expect(findingsOf(stack, 'Groundwork-TAG1', props)).toEqual([
      { ruleId: 'Groundwork-TAG1[Tag::groundwork:environment]', path: 'Test/Queue' },
      { ruleId: 'Groundwork-TAG1[Tag::groundwork:owner]', path: 'Test/Empty' },
    ]);
  });

  test('sees tags written with a raw property override', () => {
    const stack = newStack();
    const queue = new sqs.CfnQueue(stack, 'Queue');
    queue.addPropertyOverride('Tags', [
      { Key: 'groundwork:owner', Value: 'platform' },
      { Key: 'groundwork:environment', Value: 'dev' },
    ]);
    expectCompliant(stack, 'Groundwork-TAG1', props);
  });

  test('reads the tags the template holds: a raw override that replaces or deletes the tag list drops the Tags.of() tags', () => {
    const app = new App();
    const stack = new Stack(app, 'Test');
    Tags.of(stack).add('groundwork:owner', 'platform');
    Tags.of(stack).add('groundwork:environment', 'dev');
    // An override meant to add a tag replaces the whole rendered list (arrays are not merged).
    new sqs.CfnQueue(stack, 'Replaced').addPropertyOverride('Tags', [{ Key: 'Name', Value: 'orders' }]);
    new sqs.CfnQueue(stack, 'Deleted').addPropertyDeletionOverride('Tags');
    new sqs.CfnQueue(stack, 'Untouched');
    app.synth();
    expect(findingsOf(stack, 'Groundwork-TAG1', props)).toEqual([
      { ruleId: 'Groundwork-TAG1[Tag::groundwork:owner]', path: 'Test/Replaced' },
      { ruleId: 'Groundwork-TAG1[Tag::groundwork:owner]', path: 'Test/Deleted' },
      { ruleId: 'Groundwork-TAG1[Tag::groundwork:environment]', path: 'Test/Replaced' },
      { ruleId: 'Groundwork-TAG1[Tag::groundwork:environment]', path: 'Test/Deleted' },
    ]);
  });

  test('a tag value that is empty in some deployment (an Fn::If branch of "" or AWS::NoValue) is missing', () => {
    const stack = newStack();
    const condition = new CfnCondition(stack, 'Tagged', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    new sqs.CfnQueue(stack, 'Queue', {
      tags: [
        { key: 'groundwork:owner', value: Fn.conditionIf(condition.logicalId, 'platform', '').toString() },
        { key: 'groundwork:environment', value: Fn.conditionIf(condition.logicalId, 'dev', Aws.NO_VALUE).toString() },
      ],
    });
    new ssm.CfnParameter(stack, 'Map', {
      type: 'String',
      value: 'x',
      tags: { 'groundwork:owner': Aws.NO_VALUE, 'groundwork:environment': 'dev' },
    });
    new sqs.CfnQueue(stack, 'BothBranches', {
      tags: [
        { key: 'groundwork:owner', value: Fn.conditionIf(condition.logicalId, 'platform', 'data').toString() },
        { key: 'groundwork:environment', value: 'dev' },
      ],
    });
    expect(findingsOf(stack, 'Groundwork-TAG1', props)).toEqual([
      { ruleId: 'Groundwork-TAG1[Tag::groundwork:owner]', path: 'Test/Queue' },
      { ruleId: 'Groundwork-TAG1[Tag::groundwork:owner]', path: 'Test/Map' },
      { ruleId: 'Groundwork-TAG1[Tag::groundwork:environment]', path: 'Test/Queue' },
    ]);
  });

  test('Tags.of() tags are applied by an aspect at synthesis: before synth the rule cannot see them, after it does', () => {
    const app = new App();
    const stack = new Stack(app, 'Test');
    new s3.Bucket(stack, 'Bucket');
    Tags.of(app).add('groundwork:owner', 'platform');
    Tags.of(app).add('groundwork:environment', 'dev');

    // validateScope() alone runs before aspects, so this is what a pack would see outside synthesis.
    expect(findingsOf(stack, 'Groundwork-TAG1', props)).toHaveLength(2);
    app.synth();
    expect(findingsOf(stack, 'Groundwork-TAG1', props)).toEqual([]);
  });

  test('registered on the app, the pack validates after aspects: synth passes with Tags.of() and fails without', () => {
    const tagged = new App();
    new s3.Bucket(new Stack(tagged, 'Test'), 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
    });
    Tags.of(tagged).add('groundwork:owner', 'platform');
    Tags.of(tagged).add('groundwork:environment', 'dev');
    // Only TAG1 can fail here: the bucket satisfies every other Groundwork rule.
    Validations.of(tagged).addPlugins(new GroundworkChecks(tagged, props));
    expect(() => tagged.synth()).not.toThrow();

    const untagged = new App();
    new s3.Bucket(new Stack(untagged, 'Test'), 'Bucket', { encryption: s3.BucketEncryption.S3_MANAGED });
    Tags.of(untagged).add('groundwork:owner', 'platform');
    Validations.of(untagged).addPlugins(new GroundworkChecks(untagged, props));
    expect(() => untagged.synth()).toThrow(
      /Test\/Bucket\/Resource[\s\S]*Groundwork-TAG1\[Tag::groundwork:environment\]/,
    );
  });

  test('Tags.of(app) does not cross into a Stage (aspects stop at Stage boundaries): TAG1 catches it', () => {
    const app = new App();
    const stage = new Stage(app, 'Prod');
    new sqs.CfnQueue(new Stack(stage, 'Data'), 'Queue');
    Tags.of(app).add('groundwork:owner', 'platform');
    Tags.of(stage).add('groundwork:environment', 'prod');
    app.synth();
    expect(findingsOf(app, 'Groundwork-TAG1', props)).toEqual([
      { ruleId: 'Groundwork-TAG1[Tag::groundwork:owner]', path: 'Prod/Data/Queue' },
    ]);
  });
});
