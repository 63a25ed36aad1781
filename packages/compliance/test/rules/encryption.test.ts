import { Aws, CfnCondition, CfnParameter, Fn, IResolvable, Size, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
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
  return conditionalValue(stack, whenTrue, whenFalse).toString();
}

/** The same `Fn::If` for a value of any type (a list, an object, a boolean). */
function conditionalValue(stack: Stack, whenTrue: any, whenFalse: any): IResolvable {
  const condition =
    (stack.node.tryFindChild('Encrypt') as CfnCondition | undefined) ??
    new CfnCondition(stack, 'Encrypt', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
  return Fn.conditionIf(condition.logicalId, whenTrue, whenFalse);
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

  // Inside an Fn::If the CDK does not rename keys: the values are written as CloudFormation reads them.
  const unencrypted = { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 100, Encrypted: false } };
  const encrypted = { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 100, Encrypted: true } };

  test('fails an unencrypted mapping behind Fn::If: around the list, an element, the launch template data or Ebs', () => {
    const stack = newStack();
    new ec2.CfnInstance(stack, 'ListIf', {
      imageId: 'ami-1',
      blockDeviceMappings: conditionalValue(stack, [unencrypted], Aws.NO_VALUE),
    });
    new ec2.CfnInstance(stack, 'ElementIf', {
      imageId: 'ami-1',
      blockDeviceMappings: [
        { deviceName: '/dev/xvdb', ebs: { encrypted: true } },
        conditionalValue(stack, unencrypted, Aws.NO_VALUE),
      ],
    });
    new ec2.CfnLaunchTemplate(stack, 'BothBranches', {
      launchTemplateData: { blockDeviceMappings: [conditionalValue(stack, unencrypted, unencrypted)] },
    });
    new ec2.CfnLaunchTemplate(stack, 'DataIf', {
      launchTemplateData: conditionalValue(
        stack,
        { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true } }] },
        { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: false } }] },
      ),
    });
    new autoscaling.CfnLaunchConfiguration(stack, 'EbsIf', {
      imageId: 'ami-1',
      instanceType: 't3.micro',
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: conditionalValue(stack, { VolumeSize: 8 }, Aws.NO_VALUE) }],
    });
    new ec2.CfnInstance(stack, 'EncryptedIf', {
      imageId: 'ami-1',
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: conditionalValue(stack, true, false) } }],
    });
    new ec2.CfnInstance(stack, 'Control', {
      imageId: 'ami-1',
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 100, encrypted: false } }],
    });
    expectFindings(stack, 'Groundwork-ENC5', [
      'Test/ListIf',
      'Test/ElementIf',
      'Test/BothBranches',
      'Test/DataIf',
      'Test/EbsIf',
      'Test/EncryptedIf',
      'Test/Control',
    ]);
  });

  test('passes mappings behind Fn::If whose branches are all encrypted; an AWS::NoValue branch adds no mapping', () => {
    const stack = newStack();
    new ec2.CfnInstance(stack, 'ListIf', {
      imageId: 'ami-1',
      blockDeviceMappings: conditionalValue(stack, [encrypted], Aws.NO_VALUE),
    });
    new ec2.CfnInstance(stack, 'ElementIf', {
      imageId: 'ami-1',
      blockDeviceMappings: [conditionalValue(stack, encrypted, { ...encrypted, DeviceName: '/dev/xvdb' })],
    });
    new ec2.CfnLaunchTemplate(stack, 'DataIf', {
      launchTemplateData: conditionalValue(
        stack,
        { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true } }] },
        Aws.NO_VALUE,
      ),
    });
    new ec2.CfnInstance(stack, 'EncryptedIf', {
      imageId: 'ami-1',
      blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: conditionalValue(stack, true, 'true') } }],
    });
    new ec2.CfnVolume(stack, 'Volume', {
      availabilityZone: 'eu-west-1a',
      size: 8,
      encrypted: conditionalValue(stack, true, true),
    });
    // Mappings in no branch (only AWS::NoValue or an instance-store volume): not applicable, as without mappings.
    new ec2.CfnInstance(stack, 'NoEbs', {
      imageId: 'ami-1',
      blockDeviceMappings: conditionalValue(
        stack,
        [{ deviceName: '/dev/sdb', virtualName: 'ephemeral0' }],
        Aws.NO_VALUE,
      ),
    });
    new ec2.CfnInstance(stack, 'NoMappings', { imageId: 'ami-1' });
    expectCompliant(stack, 'Groundwork-ENC5');
    expect(resourcesChecked(stack, 'Groundwork-ENC5')).toBe(5);
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

  test('checks an instance that a condition may leave outside a cluster (DBClusterIdentifier Fn::If with AWS::NoValue)', () => {
    const stack = newStack();
    const props = { dbInstanceClass: 'db.t3.micro', engine: 'mysql', allocatedStorage: '20' };
    new rds.CfnDBInstance(stack, 'MaybeMember', {
      ...props,
      dbClusterIdentifier: conditional(stack, 'my-cluster', Aws.NO_VALUE),
    });
    new rds.CfnDBInstance(stack, 'Control', props);
    new rds.CfnDBInstance(stack, 'Encrypted', {
      ...props,
      storageEncrypted: true,
      dbClusterIdentifier: conditional(stack, 'my-cluster', Aws.NO_VALUE),
    });
    expectFindings(stack, 'Groundwork-ENC6', ['Test/MaybeMember', 'Test/Control']);
    expect(resourcesChecked(stack, 'Groundwork-ENC6')).toBe(3);
  });

  test("checks an instance whose DBClusterIdentifier parameter defaults to '' (standalone unless one is passed)", () => {
    const stack = newStack();
    const props = { dbInstanceClass: 'db.t3.micro', engine: 'mysql', allocatedStorage: '20' };
    const optional = new CfnParameter(stack, 'ClusterId', { default: '' });
    const required = new CfnParameter(stack, 'RequiredClusterId');
    new rds.CfnDBInstance(stack, 'MaybeMember', { ...props, dbClusterIdentifier: optional.valueAsString });
    new rds.CfnDBInstance(stack, 'Member', { ...props, dbClusterIdentifier: required.valueAsString });
    expectFindings(stack, 'Groundwork-ENC6', ['Test/MaybeMember']);
    expect(resourcesChecked(stack, 'Groundwork-ENC6')).toBe(1);
  });

  test('does not check an instance that is a cluster member in both branches of an Fn::If', () => {
    const stack = newStack();
    new rds.CfnDBInstance(stack, 'Member', {
      dbInstanceClass: 'db.r6g.large',
      engine: 'aurora-postgresql',
      dbClusterIdentifier: conditional(stack, 'blue', 'green'),
    });
    new rds.CfnDBInstance(stack, 'Db', { dbInstanceClass: 'db.t4g.micro', engine: 'postgres', storageEncrypted: true });
    expectCompliant(stack, 'Groundwork-ENC6');
    expect(resourcesChecked(stack, 'Groundwork-ENC6')).toBe(1);
  });

  test('StorageEncrypted behind an Fn::If must be true in both branches', () => {
    const stack = newStack();
    const instance = (id: string, storageEncrypted: any) =>
      new rds.CfnDBInstance(stack, id, { dbInstanceClass: 'db.t4g.micro', engine: 'postgres', storageEncrypted });
    instance('TrueInBoth', conditionalValue(stack, true, true));
    instance('FalseInOne', conditionalValue(stack, true, false));
    expectFindings(stack, 'Groundwork-ENC6', ['Test/FalseInOne']);
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

  test('checks a key that some Fn::If branch of KeySpec or Origin makes rotatable (AWS::NoValue means the default)', () => {
    const stack = newStack();
    new kms.CfnKey(stack, 'SpecIf', { keySpec: conditional(stack, 'SYMMETRIC_DEFAULT', 'RSA_2048'), keyPolicy: {} });
    new kms.CfnKey(stack, 'SpecNoValue', { keySpec: conditional(stack, 'RSA_2048', Aws.NO_VALUE), keyPolicy: {} });
    new kms.CfnKey(stack, 'OriginIf', { origin: conditional(stack, 'EXTERNAL', 'AWS_KMS'), keyPolicy: {} });
    // Controls: no branch can rotate, so the rule does not apply.
    new kms.CfnKey(stack, 'Asymmetric', { keySpec: conditional(stack, 'RSA_2048', 'ECC_NIST_P256'), keyPolicy: {} });
    new kms.CfnKey(stack, 'Imported', { origin: conditional(stack, 'EXTERNAL', 'AWS_CLOUDHSM'), keyPolicy: {} });
    expectFindings(stack, 'Groundwork-ENC8', ['Test/SpecIf', 'Test/SpecNoValue', 'Test/OriginIf']);
    expect(resourcesChecked(stack, 'Groundwork-ENC8')).toBe(3);
  });

  test('fails rotation that an Fn::If branch turns off or removes', () => {
    const stack = newStack();
    new kms.CfnKey(stack, 'Off', { enableKeyRotation: conditionalValue(stack, true, false), keyPolicy: {} });
    new kms.CfnKey(stack, 'Removed', { enableKeyRotation: conditionalValue(stack, Aws.NO_VALUE, true), keyPolicy: {} });
    expectFindings(stack, 'Groundwork-ENC8', ['Test/Off', 'Test/Removed']);
  });

  test('passes rotation on in every branch, also for a key whose KeySpec is behind Fn::If', () => {
    const stack = newStack();
    new kms.CfnKey(stack, 'Both', { enableKeyRotation: conditionalValue(stack, true, 'true'), keyPolicy: {} });
    new kms.CfnKey(stack, 'SpecIf', {
      keySpec: conditional(stack, 'SYMMETRIC_DEFAULT', Aws.NO_VALUE),
      enableKeyRotation: true,
      keyPolicy: {},
    });
    expectCompliant(stack, 'Groundwork-ENC8');
    expect(resourcesChecked(stack, 'Groundwork-ENC8')).toBe(2);
  });
});

describe('Groundwork-ENC2/3/4: a key given as a template parameter', () => {
  test("fails a parameter whose Default or AllowedValues is '' (a stack created without the key is unencrypted)", () => {
    const stack = newStack();
    const emptyDefault = new CfnParameter(stack, 'KeyArn', { default: '' });
    const emptyAllowed = new CfnParameter(stack, 'KeyChoice', { allowedValues: ['', 'alias/aws/sqs'] });
    new sns.CfnTopic(stack, 'Topic', { kmsMasterKeyId: emptyDefault.valueAsString });
    new sqs.CfnQueue(stack, 'Queue', { kmsMasterKeyId: emptyAllowed.valueAsString });
    new logs.CfnLogGroup(stack, 'Logs', { kmsKeyId: emptyDefault.valueAsString });
    // SQS-managed SSE still encrypts the queue whatever the parameter.
    new sqs.CfnQueue(stack, 'Managed', { kmsMasterKeyId: emptyDefault.valueAsString, sqsManagedSseEnabled: true });
    expectFindings(stack, 'Groundwork-ENC2', ['Test/Topic']);
    expectFindings(stack, 'Groundwork-ENC3', ['Test/Queue']);
    expectFindings(stack, 'Groundwork-ENC4', ['Test/Logs']);
  });

  test('passes a parameter that states a key, and one that states nothing (the deployer must pass a value)', () => {
    const stack = newStack();
    const keyDefault = new CfnParameter(stack, 'KeyArn', { default: 'alias/groundwork/data' });
    const unstated = new CfnParameter(stack, 'OtherKeyArn');
    new sns.CfnTopic(stack, 'Topic', { kmsMasterKeyId: keyDefault.valueAsString });
    new sqs.CfnQueue(stack, 'Queue', { kmsMasterKeyId: unstated.valueAsString });
    new logs.CfnLogGroup(stack, 'Logs', { kmsKeyId: keyDefault.valueAsString });
    expectCompliant(stack, 'Groundwork-ENC2');
    expectCompliant(stack, 'Groundwork-ENC3');
    expectCompliant(stack, 'Groundwork-ENC4');
  });
});

describe('Groundwork-ENC8: KeySpec or Origin given as a reference', () => {
  test('checks a key whose KeySpec or Origin a parameter or an import may make rotatable', () => {
    const stack = newStack();
    const symmetric = new CfnParameter(stack, 'Spec', { default: 'SYMMETRIC_DEFAULT' });
    // Without AllowedValues the deployer may pass SYMMETRIC_DEFAULT whatever the Default.
    const open = new CfnParameter(stack, 'OpenSpec', { default: 'RSA_2048' });
    const origin = new CfnParameter(stack, 'Origin', { allowedValues: ['AWS_KMS', 'EXTERNAL'] });
    new kms.CfnKey(stack, 'ParameterSpec', { keySpec: symmetric.valueAsString, keyPolicy: {} });
    new kms.CfnKey(stack, 'OpenParameter', { keySpec: open.valueAsString, keyPolicy: {} });
    new kms.CfnKey(stack, 'ParameterOrigin', { origin: origin.valueAsString, keyPolicy: {} });
    new kms.CfnKey(stack, 'ImportedSpec', { keySpec: Fn.importValue('KeySpec'), keyPolicy: {} });
    expectFindings(stack, 'Groundwork-ENC8', [
      'Test/ParameterSpec',
      'Test/OpenParameter',
      'Test/ParameterOrigin',
      'Test/ImportedSpec',
    ]);
  });

  test('does not check a key whose parameter allows only values that cannot rotate', () => {
    const stack = newStack();
    const asymmetric = new CfnParameter(stack, 'Spec', { allowedValues: ['RSA_2048', 'ECC_NIST_P256'] });
    const imported = new CfnParameter(stack, 'Origin', { default: 'EXTERNAL', allowedValues: ['EXTERNAL'] });
    new kms.CfnKey(stack, 'Asymmetric', { keySpec: asymmetric.valueAsString, keyPolicy: {} });
    new kms.CfnKey(stack, 'Imported', { origin: imported.valueAsString, keyPolicy: {} });
    new kms.CfnKey(stack, 'Rotating', { keySpec: Fn.importValue('KeySpec'), enableKeyRotation: true, keyPolicy: {} });
    expectCompliant(stack, 'Groundwork-ENC8');
    expect(resourcesChecked(stack, 'Groundwork-ENC8')).toBe(1);
  });
});

describe('Groundwork-ENC1/3/7: an Fn::If passes when every branch is encrypted and fails when one is not', () => {
  const byDefault = (algorithm: any) => ({
    ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: algorithm } }],
  });

  test('ENC1: the encryption, its rule list or its algorithm behind an Fn::If', () => {
    const stack = newStack();
    new s3.CfnBucket(stack, 'Whole', {
      bucketEncryption: conditionalValue(stack, byDefault('aws:kms'), byDefault('AES256')),
    });
    const l1 = (algorithm: any) => ({
      serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: algorithm } }],
    });
    new s3.CfnBucket(stack, 'Algorithm', { bucketEncryption: l1(conditional(stack, 'aws:kms', 'AES256')) });
    new s3.CfnBucket(stack, 'Removed', {
      bucketEncryption: conditionalValue(stack, byDefault('aws:kms'), Aws.NO_VALUE),
    });
    new s3.CfnBucket(stack, 'NoAlgorithm', { bucketEncryption: l1(conditional(stack, 'aws:kms', Aws.NO_VALUE)) });
    expectFindings(stack, 'Groundwork-ENC1', ['Test/Removed', 'Test/NoAlgorithm']);
    // Under KMS, the SSE-S3 branch fails.
    expectFindings(stack, 'Groundwork-ENC1', ['Test/Whole', 'Test/Algorithm', 'Test/Removed', 'Test/NoAlgorithm'], {
      bucketEncryption: BucketEncryptionRequirement.KMS,
    });
  });

  test('ENC3: SqsManagedSseEnabled behind an Fn::If, alone or in turn with a key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new sqs.CfnQueue(stack, 'Both', { sqsManagedSseEnabled: conditionalValue(stack, true, 'true') });
    // Where the condition removes the key, SQS-managed SSE is on.
    new sqs.CfnQueue(stack, 'InTurn', {
      kmsMasterKeyId: conditional(stack, key.keyArn, Aws.NO_VALUE),
      sqsManagedSseEnabled: conditionalValue(stack, Aws.NO_VALUE, true),
    });
    new sqs.CfnQueue(stack, 'OffInOne', { sqsManagedSseEnabled: conditionalValue(stack, true, false) });
    new sqs.CfnQueue(stack, 'NeitherInOne', {
      kmsMasterKeyId: conditional(stack, key.keyArn, Aws.NO_VALUE),
      sqsManagedSseEnabled: conditionalValue(stack, true, Aws.NO_VALUE),
    });
    expectFindings(stack, 'Groundwork-ENC3', ['Test/OffInOne', 'Test/NeitherInOne']);
  });

  test('ENC7: SSEEnabled or the whole SSESpecification behind an Fn::If', () => {
    const stack = newStack();
    const table = (id: string, sseSpecification: any) =>
      new dynamodb.CfnTable(stack, id, {
        keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
        attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
        billingMode: 'PAY_PER_REQUEST',
        sseSpecification,
      });
    table('Enabled', { sseEnabled: conditionalValue(stack, true, 'true') });
    table('Whole', conditionalValue(stack, { SSEEnabled: true }, { SSEEnabled: true, SSEType: 'KMS' }));
    table('OffInOne', { sseEnabled: conditionalValue(stack, true, false) });
    table('RemovedInOne', conditionalValue(stack, { SSEEnabled: true }, Aws.NO_VALUE));
    expectFindings(stack, 'Groundwork-ENC7', ['Test/OffInOne', 'Test/RemovedInOne']);
  });
});

describe('Groundwork-ENC6: a read replica or a restore inherits its encryption', () => {
  const props = { dbInstanceClass: 'db.t4g.micro', engine: 'postgres' };

  test('does not check an instance that is a read replica (of an instance or a Multi-AZ cluster) or restored from a snapshot or backup, nor a cluster restored or cloned', () => {
    const stack = newStack();
    const source = new rds.CfnDBInstance(stack, 'Source', { ...props, storageEncrypted: true });
    new rds.CfnDBInstance(stack, 'Replica', { ...props, sourceDbInstanceIdentifier: source.ref });
    new rds.CfnDBInstance(stack, 'ReplicaByResourceId', { ...props, sourceDbiResourceId: 'db-ABCDEFGHIJKL' });
    new rds.CfnDBInstance(stack, 'FromBackups', {
      ...props,
      sourceDbInstanceAutomatedBackupsArn: 'arn:aws:rds:eu-west-1:111111111111:auto-backup:ab-EXAMPLE',
    });
    new rds.CfnDBInstance(stack, 'FromSnapshot', { ...props, dbSnapshotIdentifier: 'snapshot-1' });
    new rds.CfnDBCluster(stack, 'ClusterFromSnapshot', { engine: 'aurora-postgresql', snapshotIdentifier: 'snap' });
    new rds.CfnDBCluster(stack, 'Clone', { engine: 'aurora-postgresql', sourceDbClusterIdentifier: 'c' });
    // The same point-in-time restore, naming its source by resource id instead.
    new rds.CfnDBCluster(stack, 'CloneByResourceId', {
      engine: 'aurora-postgresql',
      sourceDbClusterResourceId: 'cluster-ABCDEFGHIJKL',
    });
    // A read replica of a Multi-AZ DB cluster.
    new rds.CfnDBInstance(stack, 'ClusterReplica', { ...props, sourceDbClusterIdentifier: 'multi-az-cluster' });
    expectCompliant(stack, 'Groundwork-ENC6');
    expect(resourcesChecked(stack, 'Groundwork-ENC6')).toBe(1);
  });

  test('checks a cluster restore that encrypts with its own key, and a source that a condition or parameter may leave out', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new rds.CfnDBCluster(stack, 'EncryptedRestore', {
      engine: 'aurora-postgresql',
      snapshotIdentifier: 'snap',
      storageEncrypted: true,
      kmsKeyId: key.keyArn,
    });
    new rds.CfnDBInstance(stack, 'MaybeReplica', {
      ...props,
      sourceDbInstanceIdentifier: conditional(stack, 'source-db', Aws.NO_VALUE),
    });
    // Where no source is set, the instance states its encryption: it passes.
    new rds.CfnDBInstance(stack, 'ReplicaOrEncrypted', {
      ...props,
      sourceDbInstanceIdentifier: conditional(stack, 'source-db', Aws.NO_VALUE),
      storageEncrypted: conditionalValue(stack, Aws.NO_VALUE, true),
    });
    // DBSnapshotIdentifier '' creates a new, empty database.
    const snapshot = new CfnParameter(stack, 'Snapshot', { default: '' });
    new rds.CfnDBInstance(stack, 'MaybeRestored', { ...props, dbSnapshotIdentifier: snapshot.valueAsString });
    expectFindings(stack, 'Groundwork-ENC6', ['Test/MaybeReplica', 'Test/MaybeRestored']);
    expect(resourcesChecked(stack, 'Groundwork-ENC6')).toBe(4);
  });
});
