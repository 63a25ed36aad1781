import * as cdk from 'aws-cdk-lib';
import {
  App,
  Aws,
  CfnCondition,
  CfnParameter,
  CfnResource,
  Fn,
  NestedStack,
  RemovalPolicy,
  Stack,
  Tags,
} from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as docdb from 'aws-cdk-lib/aws-docdb';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ACCOUNT, expectCompliant, expectFindings, findingsOf, newStack } from '../fixtures';

function newDocumentDatabase(stack: Stack, removalPolicy?: RemovalPolicy): docdb.DatabaseCluster {
  return new docdb.DatabaseCluster(stack, 'Docs', {
    vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0 }),
    masterUser: { username: 'admin' },
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.R5, ec2.InstanceSize.LARGE),
    removalPolicy,
  });
}

describe('Groundwork-DATA1: stateful resources are retained', () => {
  test('passes the CDK defaults for bucket, key, log group and table (RETAIN)', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket');
    new kms.Key(stack, 'Key');
    new logs.LogGroup(stack, 'Logs');
    new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    expectCompliant(stack, 'Groundwork-DATA1');
  });

  test('fails RemovalPolicy.DESTROY, and a DeletionPolicy Retain without UpdateReplacePolicy Retain', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket', { removalPolicy: RemovalPolicy.DESTROY });
    const fs = new efs.CfnFileSystem(stack, 'Files', { encrypted: true });
    fs.cfnOptions.deletionPolicy = 'Retain' as any;
    expectFindings(stack, 'Groundwork-DATA1', ['Test/Bucket/Resource', 'Test/Files']);
  });

  test('covers user pools, volumes, streams, search domains, document databases and backup vaults: the CDK defaults (RETAIN) pass', () => {
    const stack = newStack();
    new cognito.UserPool(stack, 'Users');
    new ec2.Volume(stack, 'Volume', { availabilityZone: 'eu-west-1a', size: cdk.Size.gibibytes(8) });
    new kinesis.Stream(stack, 'Stream');
    new opensearch.Domain(stack, 'Search', { version: opensearch.EngineVersion.OPENSEARCH_2_11 });
    new backup.BackupVault(stack, 'Vault');
    newDocumentDatabase(stack);
    expectCompliant(stack, 'Groundwork-DATA1');
  });

  test('fails those types with RemovalPolicy.DESTROY, each on its own resource', () => {
    const stack = newStack();
    const destroy = { removalPolicy: RemovalPolicy.DESTROY };
    new cognito.UserPool(stack, 'Users', destroy);
    new ec2.Volume(stack, 'Volume', { availabilityZone: 'eu-west-1a', size: cdk.Size.gibibytes(8), ...destroy });
    new kinesis.Stream(stack, 'Stream', destroy);
    new opensearch.Domain(stack, 'Search', { version: opensearch.EngineVersion.OPENSEARCH_2_11, ...destroy });
    new backup.BackupVault(stack, 'Vault', destroy);
    expectFindings(stack, 'Groundwork-DATA1', [
      'Test/Users/Resource',
      'Test/Volume/Resource',
      'Test/Stream/Resource',
      'Test/Search/Resource',
      'Test/Vault/Resource',
    ]);
  });

  test("skips a document database's instances (the cluster holds the data), its generated secret, secrets and caches", () => {
    const stack = newStack();
    const cluster = newDocumentDatabase(stack, RemovalPolicy.DESTROY);
    new secretsmanager.Secret(stack, 'Secret', { removalPolicy: RemovalPolicy.DESTROY });
    new elasticache.CfnReplicationGroup(stack, 'Cache', {
      replicationGroupDescription: 'sessions',
      engine: 'valkey',
      cacheNodeType: 'cache.t4g.micro',
      numCacheClusters: 1,
    });
    // The cluster itself is reported; its instance (DESTROY too), the secrets and the cache are not.
    expect(
      stack.node
        .findAll()
        .filter((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::DocDB::DBInstance'),
    ).toHaveLength(1);
    expectFindings(stack, 'Groundwork-DATA1', [cluster.node.defaultChild!.node.path]);
  });

  test('does not apply to stateless resources', () => {
    const stack = newStack();
    new sqs.Queue(stack, 'Queue', { removalPolicy: RemovalPolicy.DESTROY });
    expectFindings(stack, 'Groundwork-DATA1', []);
  });

  test('skips an RDS instance that is an Aurora cluster member in every branch, and checks one that a condition may leave standalone', () => {
    const stack = newStack();
    const condition = new CfnCondition(stack, 'UseAurora', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    const props = { dbInstanceClass: 'db.t3.micro', engine: 'mysql', allocatedStorage: '20' };
    // No DeletionPolicy on any of them: each one checked fails.
    new rds.CfnDBInstance(stack, 'MaybeMember', {
      ...props,
      dbClusterIdentifier: Fn.conditionIf(condition.logicalId, 'my-cluster', Aws.NO_VALUE).toString(),
    });
    new rds.CfnDBInstance(stack, 'Standalone', props);
    new rds.CfnDBInstance(stack, 'Member', { ...props, dbClusterIdentifier: 'my-cluster' });
    new rds.CfnDBInstance(stack, 'MemberEitherWay', {
      ...props,
      dbClusterIdentifier: Fn.conditionIf(condition.logicalId, 'blue', 'green').toString(),
    });
    expectFindings(stack, 'Groundwork-DATA1', ['Test/MaybeMember', 'Test/Standalone']);
  });

  test("checks an RDS instance whose DBClusterIdentifier parameter defaults to ''", () => {
    const stack = newStack();
    const props = { dbInstanceClass: 'db.t3.micro', engine: 'mysql', allocatedStorage: '20' };
    const optional = new CfnParameter(stack, 'ClusterId', { default: '' });
    const required = new CfnParameter(stack, 'RequiredClusterId');
    new rds.CfnDBInstance(stack, 'MaybeMember', { ...props, dbClusterIdentifier: optional.valueAsString });
    new rds.CfnDBInstance(stack, 'Member', { ...props, dbClusterIdentifier: required.valueAsString });
    expectFindings(stack, 'Groundwork-DATA1', ['Test/MaybeMember']);
  });

  test('passes a retained RDS instance that a condition may leave standalone', () => {
    const stack = newStack();
    const condition = new CfnCondition(stack, 'UseAurora', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    const db = new rds.CfnDBInstance(stack, 'MaybeMember', {
      dbInstanceClass: 'db.t3.micro',
      engine: 'mysql',
      allocatedStorage: '20',
      dbClusterIdentifier: Fn.conditionIf(condition.logicalId, 'my-cluster', Aws.NO_VALUE).toString(),
    });
    db.applyRemovalPolicy(RemovalPolicy.RETAIN);
    expectCompliant(stack, 'Groundwork-DATA1');
  });
});

describe('Groundwork-DATA2: production stacks have termination protection', () => {
  const env = { account: ACCOUNT, region: 'eu-west-1' };

  test('passes a protected stack when the pack is configured with production: true', () => {
    const stack = newStack({ env, terminationProtection: true });
    new sqs.Queue(stack, 'Queue');
    expectCompliant(stack, 'Groundwork-DATA2', { production: true });
  });

  test('fails an unprotected stack once, on its first resource', () => {
    const stack = newStack({ env });
    new sqs.Queue(stack, 'First');
    new sqs.Queue(stack, 'Second');
    expectFindings(stack, 'Groundwork-DATA2', ['Test/First/Resource'], { production: true });
  });

  test("reports on the stack's first resource in construct-tree order, past empty scopes and nested stacks", () => {
    const stack = newStack({ env });
    new Construct(stack, 'Empty');
    // A nested stack's own resources belong to it; its AWS::CloudFormation::Stack resource belongs here.
    const nested = new NestedStack(stack, 'Nested');
    new sqs.Queue(nested, 'Inner');
    new sqs.Queue(new Construct(new Construct(stack, 'Group'), 'Deep'), 'Queue');
    const first = stack.node.findAll().find((c) => CfnResource.isCfnResource(c) && Stack.of(c) === stack)!.node.path;
    expect(first).toBe('Test/Nested.NestedStack/Nested.NestedStackResource');
    expectFindings(stack, 'Groundwork-DATA2', [first], { production: true });
  });

  test('is not applied when the pack is not told which stacks are production', () => {
    const stack = newStack({ env });
    new sqs.Queue(stack, 'Queue');
    expectFindings(stack, 'Groundwork-DATA2', []);
  });

  test('productionStackTags picks production stacks by their tags, applied by Tags.of() at synth', () => {
    const app = new App();
    const prod = new Stack(app, 'Prod', { env });
    const dev = new Stack(app, 'Dev', { env });
    new sqs.Queue(prod, 'Queue');
    new sqs.Queue(dev, 'Queue');
    Tags.of(prod).add('groundwork:tier', 'production');
    Tags.of(dev).add('groundwork:tier', 'development');
    app.synth();
    expect(
      findingsOf(app, 'Groundwork-DATA2', { productionStackTags: { 'groundwork:tier': 'production' } }).map(
        (f) => f.path,
      ),
    ).toEqual(['Prod/Queue/Resource']);
  });

  test('productionStackTags needs every listed tag with its value: one of two is not enough', () => {
    const app = new App();
    const both = new Stack(app, 'Both', { env });
    const one = new Stack(app, 'One', { env });
    new sqs.Queue(both, 'Queue');
    new sqs.Queue(one, 'Queue');
    Tags.of(both).add('groundwork:tier', 'production');
    Tags.of(both).add('groundwork:owner', 'platform');
    Tags.of(one).add('groundwork:tier', 'production');
    Tags.of(one).add('groundwork:owner', 'data');
    app.synth();
    const productionStackTags = { 'groundwork:tier': 'production', 'groundwork:owner': 'platform' };
    expect(findingsOf(app, 'Groundwork-DATA2', { productionStackTags }).map((f) => f.path)).toEqual([
      'Both/Queue/Resource',
    ]);
  });
});
