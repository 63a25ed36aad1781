import * as path from 'path';
import { readSpecDatabase, specResourcesByType } from '../../scripts/change-report/replacement-spec';
import {
  compareTemplates,
  describeFinding,
  StackTemplates,
  statefulResources,
  Template,
} from '../../scripts/template-stability/compare';
import { IDENTITY_RESOURCES, REPLACING_PROPERTIES } from '../../scripts/template-stability/stateful-resources';

/** Fixture templates: what a release deployed, and what the next build would deploy. */

const STACK = 'integ.example/ExampleStack';

const released: Template = {
  Resources: {
    AuditLogsBucket1A2B3C4D: {
      Type: 'AWS::S3::Bucket',
      Properties: { BucketName: 'audit-logs', VersioningConfiguration: { Status: 'Enabled' } },
    },
    FlowLogKeyF785E5F9: {
      Type: 'AWS::KMS::Key',
      Properties: { KeySpec: 'SYMMETRIC_DEFAULT', EnableKeyRotation: true },
    },
    FlowLogGroup4F8CEEEF: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': ['FlowLogKeyF785E5F9', 'Arn'] } },
    },
    NetworkVpc7FB7348F: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.42.0.0/16', EnableDnsSupport: true } },
    NetworkSubnet1: {
      Type: 'AWS::EC2::Subnet',
      Properties: {
        VpcId: { Ref: 'NetworkVpc7FB7348F' },
        CidrBlock: '10.42.0.0/20',
        AvailabilityZone: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      },
    },
    AuditTrail443D92B8: { Type: 'AWS::CloudTrail::Trail', Properties: { TrailName: 'audit', IsLogging: true } },
    // A role without RoleName: CloudFormation generates its name, so nobody outside the stack depends on it.
    DeployRoleABCDEF01: { Type: 'AWS::IAM::Role', Properties: { Description: 'deploys the app' } },
  },
};

/** A deep copy of the released template with `change` applied to its resources. */
function changed(change: (resources: { [id: string]: any }) => void): StackTemplates {
  const copy = JSON.parse(JSON.stringify(released));
  change(copy.Resources);
  return { [STACK]: copy };
}

const baseline: StackTemplates = { [STACK]: released };

test('an identical template passes', () => {
  expect(
    compareTemplates(
      baseline,
      changed(() => undefined),
    ),
  ).toEqual([]);
});

test('a renamed bucket construct (new logical id) is caught, with the likely new name', () => {
  const current = changed((r) => {
    r.AuditLogBucketF00D0001 = r.AuditLogsBucket1A2B3C4D;
    delete r.AuditLogsBucket1A2B3C4D;
  });

  const findings = compareTemplates(baseline, current);

  expect(findings).toEqual([
    {
      kind: 'removed',
      stack: STACK,
      logicalId: 'AuditLogsBucket1A2B3C4D',
      type: 'AWS::S3::Bucket',
      renamedTo: ['AuditLogBucketF00D0001'],
    },
  ]);
  expect(describeFinding(findings[0])).toBe(
    `${STACK}: AWS::S3::Bucket AuditLogsBucket1A2B3C4D would be DELETED: its logical id is gone ` +
      '(a renamed or moved construct gets a new logical id); new AWS::S3::Bucket in the stack: AuditLogBucketF00D0001',
  );
});

test.each([
  ['AWS::S3::Bucket', 'AuditLogsBucket1A2B3C4D', 'BucketName', 'audit-logs-v2'],
  ['AWS::KMS::Key', 'FlowLogKeyF785E5F9', 'KeySpec', 'RSA_2048'],
  ['AWS::EC2::VPC', 'NetworkVpc7FB7348F', 'CidrBlock', '10.43.0.0/16'],
  ['AWS::EC2::Subnet', 'NetworkSubnet1', 'AvailabilityZone', 'eu-west-1b'],
  ['AWS::EC2::Subnet', 'NetworkSubnet1', 'VpcId', { Ref: 'OtherVpc' }],
  ['AWS::CloudTrail::Trail', 'AuditTrail443D92B8', 'TrailName', 'organization-audit'],
])('a changed replacement-forcing property is caught: %s %s.%s', (type, logicalId, property, value) => {
  const current = changed((r) => {
    r[logicalId].Properties[property] = value;
  });
  const findings = compareTemplates(baseline, current);
  expect(findings).toEqual([
    {
      kind: 'replaced',
      stack: STACK,
      logicalId,
      type,
      property,
      before: (released.Resources![logicalId].Properties as any)[property],
      after: value,
    },
  ]);
  expect(describeFinding(findings[0])).toContain(`${type} ${logicalId} would be REPLACED: ${property} changed from`);
});

test('setting a replacement-forcing property that was unset is caught (a log group gets a fixed name)', () => {
  const current = changed((r) => {
    r.FlowLogGroup4F8CEEEF.Properties.LogGroupName = '/groundwork/flow-logs';
  });
  const [finding] = compareTemplates(baseline, current);
  expect(finding).toMatchObject({ kind: 'replaced', property: 'LogGroupName', before: undefined });
  expect(describeFinding(finding)).toContain('LogGroupName changed from (not set) to "/groundwork/flow-logs"');
});

test('in-place updates of stateful resources pass', () => {
  const current = changed((r) => {
    r.AuditLogsBucket1A2B3C4D.Properties.VersioningConfiguration = { Status: 'Suspended' };
    r.AuditLogsBucket1A2B3C4D.Properties.Tags = [{ Key: 'owner', Value: 'platform' }];
    r.FlowLogKeyF785E5F9.Properties.EnableKeyRotation = false;
    r.FlowLogGroup4F8CEEEF.Properties.RetentionInDays = 400;
    r.FlowLogGroup4F8CEEEF.Properties.KmsKeyId = 'arn:aws:kms:eu-west-1:111111111111:key/other';
    r.NetworkVpc7FB7348F.Properties.EnableDnsSupport = false;
    r.AuditTrail443D92B8.Properties.IsLogging = false;
  });
  expect(compareTemplates(baseline, current)).toEqual([]);
});

test('the key order inside a property value does not count as a change', () => {
  const current = changed((r) => {
    r.NetworkSubnet1.Properties.AvailabilityZone = { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] };
    r.NetworkSubnet1.Properties = Object.fromEntries(Object.entries(r.NetworkSubnet1.Properties).reverse());
  });
  expect(compareTemplates(baseline, current)).toEqual([]);
});

test('renaming or removing a resource that holds no state and has no fixed name passes', () => {
  const current = changed((r) => {
    r.DeployRoleRenamed0001 = r.DeployRoleABCDEF01;
    delete r.DeployRoleABCDEF01;
  });
  expect(compareTemplates(baseline, current)).toEqual([]);
});

test('adding a stateful resource passes', () => {
  const current = changed((r) => {
    r.NewQueue0001 = { Type: 'AWS::SQS::Queue', Properties: {} };
  });
  expect(compareTemplates(baseline, current)).toEqual([]);
});

test('a removed stack deletes every stateful resource in it', () => {
  const findings = compareTemplates(baseline, { 'integ.example/RenamedStack': released });
  expect(findings.map((f) => f.logicalId)).toEqual([
    'AuditLogsBucket1A2B3C4D',
    'AuditTrail443D92B8',
    'FlowLogGroup4F8CEEEF',
    'FlowLogKeyF785E5F9',
    'NetworkSubnet1',
    'NetworkVpc7FB7348F',
  ]);
  expect(findings.every((f) => f.kind === 'removed' && f.stackRemoved)).toBe(true);
  expect(describeFinding(findings[0])).toContain('its stack is no longer synthesized');
});

test('a changed resource type under the same logical id is a replacement', () => {
  const current = changed((r) => {
    r.AuditTrail443D92B8.Type = 'AWS::CloudTrail::EventDataStore';
  });
  expect(compareTemplates(baseline, current)).toEqual([
    {
      kind: 'type-changed',
      stack: STACK,
      logicalId: 'AuditTrail443D92B8',
      type: 'AWS::CloudTrail::Trail',
      before: 'AWS::CloudTrail::Trail',
      after: 'AWS::CloudTrail::EventDataStore',
    },
  ]);
});

test('the baseline keeps only stateful resources, and comparing against it finds the same replacements', () => {
  const kept = statefulResources(baseline);
  expect(Object.keys(kept[STACK].Resources)).not.toContain('DeployRoleABCDEF01');
  expect(Object.keys(kept[STACK].Resources)).toHaveLength(6);
  expect(statefulResources({ 'integ.example/Empty': { Resources: { R: { Type: 'AWS::IAM::Role' } } } })).toEqual({});

  const current = changed((r) => {
    r.NetworkVpc7FB7348F.Properties.CidrBlock = '10.43.0.0/16';
  });
  expect(compareTemplates(kept, current)).toEqual(compareTemplates(baseline, current));
  expect(compareTemplates(kept, current)).toHaveLength(1);
});

test('a renamed bucket names only the new bucket as its likely new name, not a kept bucket or another type', () => {
  const withSecondBucket = (r: { [id: string]: any }) => {
    r.ArchiveBucket0F1E2D3C = { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'archive' } };
  };
  const twoBuckets: StackTemplates = changed(withSecondBucket);
  const current = changed((r) => {
    withSecondBucket(r);
    r.AuditLogBucketF00D0001 = r.AuditLogsBucket1A2B3C4D;
    delete r.AuditLogsBucket1A2B3C4D;
    r.AuditLogsQueue0001 = { Type: 'AWS::SQS::Queue', Properties: {} };
  });
  expect(compareTemplates(twoBuckets, current)).toEqual([
    expect.objectContaining({
      kind: 'removed',
      logicalId: 'AuditLogsBucket1A2B3C4D',
      renamedTo: ['AuditLogBucketF00D0001'],
    }),
  ]);
});

test('the key order inside a nested property value does not count as a change, its content does', () => {
  const repository = (encryption: object): StackTemplates => ({
    [STACK]: {
      Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: { EncryptionConfiguration: encryption } } },
    },
  });
  const before = repository({ EncryptionType: 'KMS', KmsKey: 'alias/images' });
  expect(compareTemplates(before, repository({ KmsKey: 'alias/images', EncryptionType: 'KMS' }))).toEqual([]);
  expect(compareTemplates(before, repository({ KmsKey: 'alias/other', EncryptionType: 'KMS' }))).toEqual([
    expect.objectContaining({ kind: 'replaced', logicalId: 'Repo', property: 'EncryptionConfiguration' }),
  ]);
});

test('the table covers the stateful types the promise is about', () => {
  expect(REPLACING_PROPERTIES).toMatchObject({
    'AWS::S3::Bucket': expect.arrayContaining(['BucketName']),
    'AWS::KMS::Key': expect.arrayContaining(['KeySpec', 'KeyUsage', 'MultiRegion']),
    'AWS::Logs::LogGroup': expect.arrayContaining(['LogGroupName']),
    'AWS::EC2::VPC': expect.arrayContaining(['CidrBlock']),
    'AWS::EC2::Subnet': expect.arrayContaining(['CidrBlock', 'AvailabilityZone', 'VpcId']),
    'AWS::CloudTrail::Trail': expect.arrayContaining(['TrailName']),
    'AWS::DynamoDB::Table': expect.arrayContaining(['TableName', 'KeySchema', 'LocalSecondaryIndexes']),
    'AWS::RDS::DBInstance': expect.arrayContaining(['DBInstanceIdentifier']),
    'AWS::RDS::DBCluster': expect.arrayContaining(['DBClusterIdentifier']),
    'AWS::SNS::Topic': expect.arrayContaining(['TopicName']),
    'AWS::SQS::Queue': expect.arrayContaining(['QueueName']),
    'AWS::ECR::Repository': expect.arrayContaining(['RepositoryName']),
  });
  // Every protected type, so dropping one from the table (its resources then pass unchecked) fails here.
  expect(Object.keys(REPLACING_PROPERTIES).sort()).toEqual([
    'AWS::CloudTrail::Trail',
    'AWS::DynamoDB::GlobalTable',
    'AWS::DynamoDB::Table',
    'AWS::EC2::Subnet',
    'AWS::EC2::VPC',
    'AWS::ECR::Repository',
    'AWS::EFS::FileSystem',
    'AWS::KMS::Key',
    'AWS::Logs::LogGroup',
    'AWS::RDS::DBCluster',
    'AWS::RDS::DBInstance',
    'AWS::S3::Bucket',
    'AWS::SNS::Topic',
    'AWS::SQS::Queue',
    'AWS::SecretsManager::Secret',
  ]);
});

test('the table lists every property the installed service spec marks as replacing, for each stateful type', () => {
  // @aws-cdk/aws-service-spec (a root devDependency) records CloudFormation's "Update requires: Replacement" as
  // causesReplacement 'yes'. A property the spec adds later, or one the table forgot, fails here by name.
  const specFile = path.resolve(__dirname, '../../node_modules/@aws-cdk/aws-service-spec/db.json.gz');
  const resources = specResourcesByType(readSpecDatabase(specFile));
  const missing = Object.entries(REPLACING_PROPERTIES).flatMap(([type, listed]) => {
    const spec = resources.get(type);
    if (!spec) return [`${type}: not in the service spec`];
    return Object.entries(spec.properties ?? {})
      .filter(([name, p]) => p.causesReplacement === 'yes' && !listed.includes(name))
      .map(([name]) => `${type}.${name}`);
  });
  expect(missing).toEqual([]);

  // The properties listed from the CloudFormation reference that the spec does not mark: the spec check above
  // cannot notice one of them dropped, so they are pinned here (KMS: immutable, the update fails; LogGroupClass;
  // a Table's local secondary indexes, which can only be created with the table).
  const beyondSpec = Object.fromEntries(
    Object.entries(REPLACING_PROPERTIES)
      .map(([type, listed]) => [
        type,
        listed.filter((name) => resources.get(type)!.properties?.[name]?.causesReplacement !== 'yes'),
      ])
      .filter(([, names]) => names.length > 0),
  );
  expect(beyondSpec).toEqual({
    'AWS::DynamoDB::Table': ['LocalSecondaryIndexes'],
    'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'MultiRegion', 'Origin'],
    'AWS::Logs::LogGroup': ['LogGroupClass'],
  });
});

test('a changed local secondary index of a DynamoDB table is caught: it can only be created with the table', () => {
  const table = (sortKey: string): StackTemplates => ({
    [STACK]: {
      Resources: {
        Orders: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            LocalSecondaryIndexes: [
              {
                IndexName: 'byDate',
                KeySchema: [
                  { AttributeName: 'pk', KeyType: 'HASH' },
                  { AttributeName: sortKey, KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'ALL' },
              },
            ],
          },
        },
      },
    },
  });
  const findings = compareTemplates(table('createdAt'), table('updatedAt'));
  expect(findings).toEqual([
    expect.objectContaining({ kind: 'replaced', logicalId: 'Orders', property: 'LocalSecondaryIndexes' }),
  ]);
  expect(describeFinding(findings[0])).toContain(
    'AWS::DynamoDB::Table Orders would be REPLACED: LocalSecondaryIndexes changed from',
  );
});

describe('resources whose name others depend on, and account/region singletons', () => {
  const deployed: Template = {
    Resources: {
      VpcIdParameter1A2B3C4D: {
        Type: 'AWS::SSM::Parameter',
        Properties: { Name: '/groundwork/dev/network/vpc-id', Type: 'String', Value: { Ref: 'Vpc' } },
      },
      GeneratedParameter0001: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'x' } },
      BreakGlassRole5E6F7A8B: {
        Type: 'AWS::IAM::Role',
        Properties: { RoleName: 'groundwork-break-glass', AssumeRolePolicyDocument: { Statement: [] } },
      },
      HandlerRole00000001: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } },
      FlowLogKeyAlias0001: {
        Type: 'AWS::KMS::Alias',
        Properties: { AliasName: 'alias/groundwork/flow-logs', TargetKeyId: { Ref: 'Key' } },
      },
      Detector: { Type: 'AWS::GuardDuty::Detector', Properties: { Enable: true } },
      Recorder: { Type: 'AWS::Config::ConfigurationRecorder', Properties: { Name: 'default', RoleARN: 'arn' } },
      Channel: { Type: 'AWS::Config::DeliveryChannel', Properties: { Name: 'default', S3BucketName: 'audit' } },
      Hub: { Type: 'AWS::SecurityHub::Hub', Properties: {} },
      Analyzer: { Type: 'AWS::AccessAnalyzer::Analyzer', Properties: { AnalyzerName: 'groundwork', Type: 'ACCOUNT' } },
    },
  };
  const before: StackTemplates = { [STACK]: deployed };
  const after = (change: (resources: { [id: string]: any }) => void): StackTemplates => {
    const copy = JSON.parse(JSON.stringify(deployed));
    change(copy.Resources);
    return { [STACK]: copy };
  };
  const renamed = (logicalId: string) =>
    after((r) => {
      r[`${logicalId}Renamed`] = r[logicalId];
      delete r[logicalId];
    });

  test('unchanged, they pass', () => {
    expect(
      compareTemplates(
        before,
        after(() => undefined),
      ),
    ).toEqual([]);
  });

  test.each([
    ['AWS::SSM::Parameter', 'VpcIdParameter1A2B3C4D', 'Name', '/groundwork/dev/network/vpc-id'],
    ['AWS::IAM::Role', 'BreakGlassRole5E6F7A8B', 'RoleName', 'groundwork-break-glass'],
    ['AWS::KMS::Alias', 'FlowLogKeyAlias0001', 'AliasName', 'alias/groundwork/flow-logs'],
  ])('a renamed %s construct with a fixed name is caught: %s', (type, logicalId, nameProperty, name) => {
    const findings = compareTemplates(before, renamed(logicalId));
    expect(findings).toEqual([
      {
        kind: 'removed',
        stack: STACK,
        logicalId,
        type,
        renamedTo: [`${logicalId}Renamed`],
        protectedAs: 'named',
        nameProperty,
        name,
      },
    ]);
    expect(describeFinding(findings[0])).toBe(
      `${STACK}: ${type} ${logicalId} would be DELETED: its logical id is gone (a renamed or moved construct gets a ` +
        `new logical id); new ${type} in the stack: ${logicalId}Renamed; its ${nameProperty} ${JSON.stringify(name)} ` +
        'is a name others depend on: consumers lose it, or, if a new resource keeps the name, CloudFormation ' +
        'creates that one first and it fails with "already exists"',
    );
  });

  test.each([
    ['AWS::SSM::Parameter', 'VpcIdParameter1A2B3C4D', 'Name', '/groundwork/dev/net/vpc-id'],
    ['AWS::IAM::Role', 'BreakGlassRole5E6F7A8B', 'RoleName', 'groundwork-breakglass'],
    ['AWS::KMS::Alias', 'FlowLogKeyAlias0001', 'AliasName', 'alias/groundwork/flowlogs'],
  ])('a changed name of a %s is caught: consumers lose the name (%s)', (type, logicalId, property, value) => {
    const was = (deployed.Resources![logicalId].Properties as any)[property];
    const findings = compareTemplates(
      before,
      after((r) => {
        r[logicalId].Properties[property] = value;
      }),
    );
    expect(findings).toEqual([
      {
        kind: 'replaced',
        stack: STACK,
        logicalId,
        type,
        property,
        before: was,
        after: value,
        protectedAs: 'named',
        nameProperty: property,
        name: was,
      },
    ]);
    expect(describeFinding(findings[0])).toBe(
      `${STACK}: ${type} ${logicalId} would be REPLACED: ${property} changed from ${JSON.stringify(was)} to ` +
        `${JSON.stringify(value)}; consumers that use the name ${JSON.stringify(was)} lose it`,
    );
  });

  test('a role whose fixed RoleName is dropped is caught', () => {
    const [finding] = compareTemplates(
      before,
      after((r) => {
        delete r.BreakGlassRole5E6F7A8B.Properties.RoleName;
      }),
    );
    expect(finding).toMatchObject({ kind: 'replaced', property: 'RoleName', after: undefined });
  });

  test('a changed Path of a named role is caught: the copy keeps the name, so it cannot be created first', () => {
    const findings = compareTemplates(
      before,
      after((r) => {
        r.BreakGlassRole5E6F7A8B.Properties.Path = '/groundwork/';
      }),
    );
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'replaced', property: 'Path', before: undefined, after: '/groundwork/' }),
    ]);
    expect(describeFinding(findings[0])).toBe(
      `${STACK}: AWS::IAM::Role BreakGlassRole5E6F7A8B would be REPLACED: Path changed from (not set) to ` +
        '"/groundwork/"; the new copy keeps the RoleName "groundwork-break-glass", so CloudFormation, which ' +
        'creates it first, fails with "already exists"',
    );
  });

  test.each([
    ['AWS::GuardDuty::Detector', 'Detector'],
    ['AWS::Config::ConfigurationRecorder', 'Recorder'],
    ['AWS::Config::DeliveryChannel', 'Channel'],
    ['AWS::SecurityHub::Hub', 'Hub'],
    ['AWS::AccessAnalyzer::Analyzer', 'Analyzer'],
  ])('a renamed %s construct is caught: a second one cannot be created', (type, logicalId) => {
    const findings = compareTemplates(before, renamed(logicalId));
    expect(findings).toEqual([
      {
        kind: 'removed',
        stack: STACK,
        logicalId,
        type,
        renamedTo: [`${logicalId}Renamed`],
        protectedAs: 'singleton',
      },
    ]);
    expect(describeFinding(findings[0])).toBe(
      `${STACK}: ${type} ${logicalId} would be DELETED: its logical id is gone (a renamed or moved construct gets a ` +
        `new logical id); new ${type} in the stack: ${logicalId}Renamed; there is one per account and region: ` +
        'the new copy is created before this one is deleted and fails because one already exists',
    );
  });

  test.each([
    ['AWS::Config::ConfigurationRecorder', 'Recorder', 'Name', 'groundwork'],
    ['AWS::Config::DeliveryChannel', 'Channel', 'Name', 'groundwork'],
    ['AWS::AccessAnalyzer::Analyzer', 'Analyzer', 'AnalyzerName', 'groundwork-account'],
  ])('a changed name of a %s is caught: its replacement is a second one', (type, logicalId, property, value) => {
    const findings = compareTemplates(
      before,
      after((r) => {
        r[logicalId].Properties[property] = value;
      }),
    );
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'replaced', logicalId, type, property, after: value, protectedAs: 'singleton' }),
    ]);
    expect(describeFinding(findings[0])).toContain(
      `would be REPLACED: ${property} changed from ${JSON.stringify((deployed.Resources![logicalId].Properties as any)[property])} ` +
        `to "${value}"; there is one per account and region: the new copy is created before this one is deleted and fails`,
    );
  });

  test('a removed stack deletes its singletons too', () => {
    const findings = compareTemplates(before, {});
    expect(findings.find((f) => f.logicalId === 'Detector')).toMatchObject({ stackRemoved: true });
    expect(describeFinding(findings.find((f) => f.logicalId === 'Detector')!)).toContain(
      'its stack is no longer synthesized; there is one per account and region',
    );
  });

  test('resources with a generated name, and in-place updates, pass', () => {
    const current = after((r) => {
      r.GeneratedParameterRenamed = r.GeneratedParameter0001;
      delete r.GeneratedParameter0001;
      r.HandlerRoleRenamed = r.HandlerRole00000001;
      delete r.HandlerRole00000001;
      r.VpcIdParameter1A2B3C4D.Properties.Value = 'vpc-123';
      r.BreakGlassRole5E6F7A8B.Properties.AssumeRolePolicyDocument = { Statement: [{ Effect: 'Allow' }] };
      r.FlowLogKeyAlias0001.Properties.TargetKeyId = { Ref: 'OtherKey' };
      r.Detector.Properties.Enable = false;
      r.Analyzer.Properties.Tags = [{ Key: 'owner', Value: 'security' }];
    });
    expect(compareTemplates(before, current)).toEqual([]);
  });

  test('the baseline keeps them, but not a role or parameter with a generated name', () => {
    const kept = statefulResources(before);
    expect(Object.keys(kept[STACK].Resources).sort()).toEqual([
      'Analyzer',
      'BreakGlassRole5E6F7A8B',
      'Channel',
      'Detector',
      'FlowLogKeyAlias0001',
      'Hub',
      'Recorder',
      'VpcIdParameter1A2B3C4D',
    ]);
    expect(compareTemplates(kept, renamed('BreakGlassRole5E6F7A8B'))).toHaveLength(1);
  });

  test('the second table lists exactly these types, and each listed property replaces the resource per the spec', () => {
    expect(IDENTITY_RESOURCES).toEqual({
      'AWS::SSM::Parameter': { kind: 'named', nameProperty: 'Name', properties: ['Name'] },
      'AWS::IAM::Role': { kind: 'named', nameProperty: 'RoleName', properties: ['RoleName', 'Path'] },
      'AWS::KMS::Alias': { kind: 'named', nameProperty: 'AliasName', properties: ['AliasName'] },
      'AWS::GuardDuty::Detector': { kind: 'singleton', properties: [] },
      'AWS::Config::ConfigurationRecorder': { kind: 'singleton', properties: ['Name'] },
      'AWS::Config::DeliveryChannel': { kind: 'singleton', properties: ['Name'] },
      'AWS::SecurityHub::Hub': { kind: 'singleton', properties: [] },
      'AWS::AccessAnalyzer::Analyzer': { kind: 'singleton', properties: ['AnalyzerName'] },
    });
    // No type is in both tables: a stateful type keeps its own rules.
    expect(Object.keys(IDENTITY_RESOURCES).filter((t) => t in REPLACING_PROPERTIES)).toEqual([]);
    const specFile = path.resolve(__dirname, '../../node_modules/@aws-cdk/aws-service-spec/db.json.gz');
    const resources = specResourcesByType(readSpecDatabase(specFile));
    const notReplacing = Object.entries(IDENTITY_RESOURCES).flatMap(([type, rule]) => {
      const spec = resources.get(type);
      if (!spec) return [`${type}: not in the service spec`];
      return rule.properties
        .filter((name) => spec.properties?.[name]?.causesReplacement !== 'yes')
        .map((name) => `${type}.${name}`);
    });
    expect(notReplacing).toEqual([]);
  });
});
