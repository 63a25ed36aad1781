import { Aws, CfnCondition, Fn, Size, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BucketEncryptionRequirement } from '../../src';
import { expectCompliant, expectFindings, newStack, resourcesChecked } from '../fixtures';

/** `Fn::If` on a condition of the stack: `whenTrue` in some deployments, `whenFalse` in the others. */
function conditional(stack: Stack, whenTrue: string, whenFalse: string): string {
  const condition =
    (stack.node.tryFindChild('Encrypt') as CfnCondition | undefined) ??
    new CfnCondition(stack, 'Encrypt', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
  return Fn.conditionIf(condition.logicalId, whenTrue, whenFalse).toString();
}

describe('Groundwork-ENC1: S3 buckets state their encryption', () => {
  test('passes SSE-S3 under the default requirement and SSE-KMS under KMS', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.S3_MANAGED });
    expectCompliant(stack, 'Groundwork-ENC1');

    const kmsStack = newStack();
    new s3.Bucket(kmsStack, 'Bucket', { encryption: s3.BucketEncryption.KMS });
    expectCompliant(kmsStack, 'Groundwork-ENC1', { bucketEncryption: BucketEncryptionRequirement.KMS });
  });

  test('fails a bucket whose template is silent (S3 encrypts by default, but the template must say so)', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket');
    expectFindings(stack, 'Groundwork-ENC1', ['Test/Bucket/Resource']);
  });

  test('fails SSE-S3 when KMS is required', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.S3_MANAGED });
    expectFindings(stack, 'Groundwork-ENC1', ['Test/Bucket/Resource'], {
      bucketEncryption: BucketEncryptionRequirement.KMS,
    });
  });
});

describe('Groundwork-ENC2: SNS topics use KMS', () => {
  test('passes a topic with a master key', () => {
    const stack = newStack();
    new sns.Topic(stack, 'Topic', { masterKey: new kms.Key(stack, 'Key') });
    expectCompliant(stack, 'Groundwork-ENC2');
  });

  test('fails a topic without one', () => {
    const stack = newStack();
    new sns.Topic(stack, 'Topic');
    expectFindings(stack, 'Groundwork-ENC2', ['Test/Topic/Resource']);
  });

  test('fails a key that CloudFormation removes: AWS::NoValue, or an Fn::If with an AWS::NoValue branch', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new sns.CfnTopic(stack, 'NoValue', { kmsMasterKeyId: Aws.NO_VALUE });
    new sns.CfnTopic(stack, 'Conditional', { kmsMasterKeyId: conditional(stack, key.keyArn, Aws.NO_VALUE) });
    expectFindings(stack, 'Groundwork-ENC2', ['Test/NoValue', 'Test/Conditional']);
  });

  test('passes an Fn::If whose branches are both keys', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new sns.CfnTopic(stack, 'Topic', { kmsMasterKeyId: conditional(stack, key.keyArn, 'alias/aws/sns') });
    expectCompliant(stack, 'Groundwork-ENC2');
  });
});

describe('Groundwork-ENC3: SQS queues state their encryption', () => {
  test('passes SQS-managed and KMS encryption', () => {
    const stack = newStack();
    new sqs.Queue(stack, 'Managed', { encryption: sqs.QueueEncryption.SQS_MANAGED });
    new sqs.Queue(stack, 'Kms', { encryption: sqs.QueueEncryption.KMS });
    expectCompliant(stack, 'Groundwork-ENC3');
  });

  test('fails a queue that does not state it, and one that turns SSE off', () => {
    const stack = newStack();
    new sqs.Queue(stack, 'Silent');
    new sqs.CfnQueue(stack, 'Off', { sqsManagedSseEnabled: false });
    expectFindings(stack, 'Groundwork-ENC3', ['Test/Silent/Resource', 'Test/Off']);
  });

  test('fails a key that CloudFormation removes (AWS::NoValue, or an Fn::If branch), unless SQS-managed SSE is on', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new sqs.CfnQueue(stack, 'NoValue', { kmsMasterKeyId: Aws.NO_VALUE });
    new sqs.CfnQueue(stack, 'Conditional', { kmsMasterKeyId: conditional(stack, Aws.NO_VALUE, key.keyArn) });
    new sqs.CfnQueue(stack, 'Managed', { kmsMasterKeyId: Aws.NO_VALUE, sqsManagedSseEnabled: true });
    expectFindings(stack, 'Groundwork-ENC3', ['Test/NoValue', 'Test/Conditional']);
  });
});

describe('Groundwork-ENC4: log groups use KMS', () => {
  test('passes a log group with an encryption key', () => {
    const stack = newStack();
    new logs.LogGroup(stack, 'Logs', { encryptionKey: new kms.Key(stack, 'Key') });
    expectCompliant(stack, 'Groundwork-ENC4');
  });

  test('fails a log group without one', () => {
    const stack = newStack();
    new logs.LogGroup(stack, 'Logs');
    expectFindings(stack, 'Groundwork-ENC4', ['Test/Logs/Resource']);
  });

  test('fails a key that CloudFormation removes: AWS::NoValue, or an Fn::If with an AWS::NoValue branch, nested too', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new logs.CfnLogGroup(stack, 'NoValue', { kmsKeyId: Aws.NO_VALUE });
    const inner = new CfnCondition(stack, 'Inner', { expression: Fn.conditionEquals(Aws.ACCOUNT_ID, '111111111111') });
    new logs.CfnLogGroup(stack, 'Nested', {
      kmsKeyId: conditional(stack, key.keyArn, Fn.conditionIf(inner.logicalId, Aws.NO_VALUE, key.keyArn).toString()),
    });
    new logs.CfnLogGroup(stack, 'Empty', { kmsKeyId: conditional(stack, key.keyArn, '') });
    expectFindings(stack, 'Groundwork-ENC4', ['Test/NoValue', 'Test/Nested', 'Test/Empty']);
  });

  test('passes an Fn::If whose branches are both keys', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const other = new kms.Key(stack, 'Other');
    new logs.CfnLogGroup(stack, 'Logs', { kmsKeyId: conditional(stack, key.keyArn, other.keyArn) });
    expectCompliant(stack, 'Groundwork-ENC4');
  });
});

describe('Groundwork-ENC5: EBS encrypted', () => {
  test('passes an encrypted volume and a launch template whose EBS mappings are encrypted', () => {
    const stack = newStack();
    new ec2.Volume(stack, 'Volume', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(8), encrypted: true });
    new ec2.LaunchTemplate(stack, 'Template', {
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
    });
    expectCompliant(stack, 'Groundwork-ENC5');
  });

  test('fails an unencrypted volume and a launch template with an unencrypted mapping', () => {
    const stack = newStack();
    new ec2.CfnVolume(stack, 'Volume', { availabilityZone: 'eu-west-1a', size: 8 });
    new ec2.LaunchTemplate(stack, 'Template', {
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8) }],
    });
    expectFindings(stack, 'Groundwork-ENC5', ['Test/Volume', 'Test/Template/Resource']);
  });

  test('fails a launch template with one unencrypted EBS mapping among encrypted ones', () => {
    const stack = newStack();
    new ec2.LaunchTemplate(stack, 'Template', {
      blockDevices: [
        { deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) },
        { deviceName: '/dev/xvdb', volume: ec2.BlockDeviceVolume.ebs(100) },
      ],
    });
    expectFindings(stack, 'Groundwork-ENC5', ['Test/Template/Resource']);
  });
});

describe('Groundwork-ENC6: RDS storage encrypted', () => {
  test('passes an encrypted instance', () => {
    const stack = newStack();
    new rds.CfnDBInstance(stack, 'Db', { dbInstanceClass: 'db.t4g.micro', engine: 'postgres', storageEncrypted: true });
    expectCompliant(stack, 'Groundwork-ENC6');
  });

  test('does not check an Aurora cluster member (the cluster holds the setting); Serverless v1 is always encrypted', () => {
    const stack = newStack();
    new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql', storageEncrypted: true });
    new rds.CfnDBCluster(stack, 'Serverless', { engine: 'aurora-mysql', engineMode: 'serverless' });
    new rds.CfnDBInstance(stack, 'Member', {
      dbInstanceClass: 'db.r6g.large',
      engine: 'aurora-postgresql',
      dbClusterIdentifier: 'c',
    });
    expectCompliant(stack, 'Groundwork-ENC6');
    expect(resourcesChecked(stack, 'Groundwork-ENC6')).toBe(2);
  });

  test('fails an unencrypted instance and cluster', () => {
    const stack = newStack();
    new rds.CfnDBInstance(stack, 'Db', { dbInstanceClass: 'db.t4g.micro', engine: 'postgres' });
    new rds.CfnDBCluster(stack, 'Cluster', { engine: 'aurora-postgresql', storageEncrypted: false });
    expectFindings(stack, 'Groundwork-ENC6', ['Test/Db', 'Test/Cluster']);
  });
});

describe('Groundwork-ENC7: DynamoDB tables use KMS', () => {
  const partitionKey = { name: 'pk', type: dynamodb.AttributeType.STRING };

  test('passes AWS managed KMS encryption', () => {
    const stack = newStack();
    new dynamodb.Table(stack, 'Table', { partitionKey, encryption: dynamodb.TableEncryption.AWS_MANAGED });
    expectCompliant(stack, 'Groundwork-ENC7');
  });

  test('fails the default (AWS owned key)', () => {
    const stack = newStack();
    new dynamodb.Table(stack, 'Table', { partitionKey });
    expectFindings(stack, 'Groundwork-ENC7', ['Test/Table/Resource']);
  });

  test('checks global tables (TableV2, AWS::DynamoDB::GlobalTable) too', () => {
    const stack = newStack();
    new dynamodb.TableV2(stack, 'Owned', { partitionKey });
    new dynamodb.TableV2(stack, 'Managed', { partitionKey, encryption: dynamodb.TableEncryptionV2.awsManagedKey() });
    expectFindings(stack, 'Groundwork-ENC7', ['Test/Owned/Resource']);
    expect(resourcesChecked(stack, 'Groundwork-ENC7')).toBe(2);
  });
});

describe('Groundwork-ENC8: KMS keys rotate', () => {
  test('passes a rotating symmetric key; asymmetric keys cannot rotate and are not checked', () => {
    const stack = newStack();
    new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new kms.Key(stack, 'Signing', { keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.SIGN_VERIFY });
    expectCompliant(stack, 'Groundwork-ENC8');
    // Only the symmetric key was checked: the signing key is not applicable, rather than passed.
    expect(resourcesChecked(stack, 'Groundwork-ENC8')).toBe(1);
  });

  test('fails a symmetric key without rotation', () => {
    const stack = newStack();
    new kms.Key(stack, 'Key');
    expectFindings(stack, 'Groundwork-ENC8', ['Test/Key/Resource']);
  });

  test('does not check a symmetric key whose material KMS did not generate (imported: Origin EXTERNAL), which cannot rotate', () => {
    const stack = newStack();
    new kms.CfnKey(stack, 'Imported', { origin: 'EXTERNAL', keyPolicy: {} });
    new kms.CfnKey(stack, 'Generated', { origin: 'AWS_KMS', keyPolicy: {} });
    expectFindings(stack, 'Groundwork-ENC8', ['Test/Generated']);
    expect(resourcesChecked(stack, 'Groundwork-ENC8')).toBe(1);
  });
});
