import type { CfnResource } from '../../scripts/change-report/cloud-assembly';
import { fallbackReplacementSpec, findReplacementSpec } from '../../scripts/change-report/replacement-spec';
import {
  encryptionRule,
  iamPermissionsRule,
  iamTrustRule,
  loggingRule,
  publicAccessRule,
  resourcePolicyRule,
  ResourceChange,
  securityGroupIngressRule,
  SecurityRule,
  statefulReplacementRule,
} from '../../scripts/change-report/security-rules';

/** Each rule: failing fixtures (must report) and passing fixtures (must stay quiet). */

const spec = findReplacementSpec();

function modified(type: string, before: object, after: object, extra: Partial<CfnResource> = {}): ResourceChange {
  return {
    logicalId: 'R',
    type,
    before: { Type: type, Properties: before as CfnResource['Properties'], ...extra },
    after: { Type: type, Properties: after as CfnResource['Properties'], ...extra },
  };
}

function run(rule: SecurityRule, change: ResourceChange): string[] {
  return rule(change, spec).map((f) => `${f.kind}: ${f.detail}`);
}

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const allow = (Action: unknown, Resource: unknown = '*', extra: object = {}) => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...extra,
});

describe('iamPermissionsRule', () => {
  const policy = (...statements: object[]) => ({ PolicyDocument: doc(...statements), Roles: [{ Ref: 'Role' }] });

  test.each([
    [
      'an action added',
      policy(allow('s3:GetObject', 'arn:b/*')),
      policy(allow(['s3:GetObject', 's3:PutObject'], 'arn:b/*')),
      'allows s3:PutObject on arn:b/*',
    ],
    [
      'a resource added',
      policy(allow('s3:GetObject', 'arn:b/*')),
      policy(allow('s3:GetObject', ['arn:b/*', 'arn:c/*'])),
      'on arn:c/*',
    ],
    [
      'a wildcard action',
      policy(allow('s3:GetObject', 'arn:b/*')),
      policy(allow('s3:*', 'arn:b/*')),
      '(wildcard action)',
    ],
    [
      'a wildcard resource',
      policy(allow('s3:GetObject', 'arn:b/*')),
      policy(allow('s3:GetObject', '*')),
      '(wildcard resource)',
    ],
    [
      'a condition removed',
      policy(allow('kms:Decrypt', '*', { Condition: { StringEquals: { 'kms:ViaService': 's3' } } })),
      policy(allow('kms:Decrypt', '*')),
      'conditions removed or relaxed for kms:Decrypt',
    ],
    [
      'a Deny removed',
      policy(allow('s3:*', 'arn:b/*'), { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }),
      policy(allow('s3:*', 'arn:b/*')),
      'no longer denies s3:DeleteObject',
    ],
    [
      'NotAction used',
      policy(allow('s3:GetObject')),
      policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }),
      'wildcard action',
    ],
    [
      'attached to another role',
      policy(allow('s3:GetObject')),
      { ...policy(allow('s3:GetObject')), Roles: [{ Ref: 'Role' }, { Ref: 'Other' }] },
      'now also applies to roles ${Other}',
    ],
  ])('reports %s', (_, before, after, expected) => {
    const findings = run(iamPermissionsRule, modified('AWS::IAM::Policy', before, after));
    expect(findings.join('\n')).toContain(expected);
    expect(findings.every((f) => f.startsWith('iam-permissions-broadened'))).toBe(true);
  });

  test.each([
    [
      'an action removed',
      policy(allow(['s3:GetObject', 's3:PutObject'], 'arn:b/*')),
      policy(allow('s3:GetObject', 'arn:b/*')),
    ],
    [
      'statements reordered and merged',
      policy(allow('s3:GetObject', 'arn:b/*'), allow('s3:PutObject', 'arn:b/*')),
      policy(allow(['s3:PutObject', 's3:GetObject'], 'arn:b/*')),
    ],
    [
      'a grant already covered by a wildcard',
      policy(allow('s3:Get*', 'arn:b/*')),
      policy(allow('s3:GetObject', 'arn:b/*')),
    ],
    [
      'a condition tightened',
      policy(allow('kms:Decrypt')),
      policy(allow('kms:Decrypt', '*', { Condition: { StringEquals: { 'kms:ViaService': 's3' } } })),
    ],
    [
      'action case changed (IAM actions are case-insensitive)',
      policy(allow('s3:getobject')),
      policy(allow('s3:GetObject')),
    ],
  ])('stays quiet when %s', (_, before, after) => {
    expect(run(iamPermissionsRule, modified('AWS::IAM::Policy', before, after))).toEqual([]);
  });

  test('inline role policies and managed policy attachments count', () => {
    const role = (actions: string[], managed: string[]) => ({
      Policies: [{ PolicyName: 'inline', PolicyDocument: doc(allow(actions)) }],
      ManagedPolicyArns: managed,
    });
    expect(
      run(
        iamPermissionsRule,
        modified(
          'AWS::IAM::Role',
          role(['sqs:SendMessage'], []),
          role(['sqs:SendMessage', 'sqs:DeleteQueue'], ['arn:aws:iam::aws:policy/AdministratorAccess']),
        ),
      ),
    ).toEqual([
      'iam-permissions-broadened: allows sqs:DeleteQueue on * (wildcard resource)',
      'iam-permissions-broadened: attaches managed policies arn:aws:iam::aws:policy/AdministratorAccess',
    ]);
  });

  test('a new policy resource reports everything it grants', () => {
    const change: ResourceChange = {
      logicalId: 'P',
      type: 'AWS::IAM::ManagedPolicy',
      after: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc(allow('*')) } },
    };
    expect(run(iamPermissionsRule, change)).toEqual([
      'iam-permissions-broadened: allows * on * (wildcard action, wildcard resource)',
    ]);
  });
});

describe('iamTrustRule', () => {
  const trust = (...statements: object[]) => ({ AssumeRolePolicyDocument: doc(...statements) });
  const assume = (Principal: object, extra: object = {}) => ({
    Effect: 'Allow',
    Action: 'sts:AssumeRole',
    Principal,
    ...extra,
  });
  const orgCondition = { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-123' } } };

  test.each([
    [
      'a principal added',
      trust(assume({ Service: 'lambda.amazonaws.com' })),
      trust(assume({ Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'] })),
      'trusts Service:ec2.amazonaws.com',
    ],
    [
      'an account trusted',
      trust(assume({ Service: 'lambda.amazonaws.com' })),
      trust(assume({ Service: 'lambda.amazonaws.com' }), assume({ AWS: '222222222222' })),
      'trusts AWS:222222222222',
    ],
    [
      'a condition removed',
      trust(assume({ AWS: '*' }, orgCondition)),
      trust(assume({ AWS: '*' })),
      'conditions removed or relaxed for sts:AssumeRole by *',
    ],
    ['anyone trusted', trust(assume({ AWS: 'arn:aws:iam::1:root' })), trust(assume({ AWS: '*' })), 'any principal'],
  ])('reports %s', (_, before, after, expected) => {
    const findings = run(iamTrustRule, modified('AWS::IAM::Role', before, after));
    expect(findings.join('\n')).toContain(expected);
    expect(findings.every((f) => f.startsWith('iam-trust-widened'))).toBe(true);
  });

  test.each([
    [
      'a principal removed',
      trust(assume({ Service: ['lambda.amazonaws.com', 'ec2.amazonaws.com'] })),
      trust(assume({ Service: 'lambda.amazonaws.com' })),
    ],
    ['a condition added', trust(assume({ AWS: '*' })), trust(assume({ AWS: '*' }, orgCondition))],
    [
      'a condition narrowed to fewer values',
      trust(assume({ AWS: '*' }, { Condition: { StringEquals: { 'aws:PrincipalOrgID': ['o-1', 'o-2'] } } })),
      trust(assume({ AWS: '*' }, { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } })),
    ],
    [
      'only permissions changed',
      { ...trust(assume({ Service: 'x' })), Policies: [] },
      {
        ...trust(assume({ Service: 'x' })),
        Policies: [{ PolicyName: 'p', PolicyDocument: doc(allow('s3:GetObject')) }],
      },
    ],
  ])('stays quiet when %s', (_, before, after) => {
    expect(run(iamTrustRule, modified('AWS::IAM::Role', before, after))).toEqual([]);
  });
});

describe('resourcePolicyRule', () => {
  test.each([
    ['AWS::S3::BucketPolicy', 'PolicyDocument'],
    ['AWS::KMS::Key', 'KeyPolicy'],
    ['AWS::SNS::TopicPolicy', 'PolicyDocument'],
    ['AWS::SQS::QueuePolicy', 'PolicyDocument'],
  ])('reports a %s statement opened to any principal', (type, property) => {
    const before = { [property]: doc(allow('s3:GetObject', 'arn:b/*', { Principal: { AWS: 'arn:aws:iam::1:root' } })) };
    const after = { [property]: doc(allow('s3:GetObject', 'arn:b/*', { Principal: '*' })) };
    expect(run(resourcePolicyRule, modified(type, before, after))).toEqual([
      `resource-policy-broadened: ${property}: to * allows s3:GetObject on arn:b/* (any principal)`,
    ]);
  });

  test('stays quiet when a bucket policy adds a Deny', () => {
    const before = {
      PolicyDocument: doc(allow('s3:GetObject', 'arn:b/*', { Principal: { AWS: 'arn:aws:iam::1:root' } })),
    };
    const after = {
      PolicyDocument: doc(...before.PolicyDocument.Statement, {
        Effect: 'Deny',
        Action: 's3:*',
        Resource: '*',
        Principal: '*',
      }),
    };
    expect(run(resourcePolicyRule, modified('AWS::S3::BucketPolicy', before, after))).toEqual([]);
  });
});

describe('securityGroupIngressRule', () => {
  const sg = (...SecurityGroupIngress: object[]) => ({ GroupDescription: 'g', SecurityGroupIngress });
  const tcp = (from: number, to: number, source: object) => ({
    IpProtocol: 'tcp',
    FromPort: from,
    ToPort: to,
    ...source,
  });

  test.each([
    [
      'a new rule from 0.0.0.0/0',
      sg(),
      sg(tcp(443, 443, { CidrIp: '0.0.0.0/0' })),
      'ingress open to the internet: tcp, port 443, from 0.0.0.0/0',
    ],
    ['a new rule from ::/0', sg(), sg(tcp(443, 443, { CidrIpv6: '::/0' })), 'from ::/0'],
    ['all traffic from anywhere', sg(), sg({ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }), 'all traffic, all ports'],
    [
      'a port range widened',
      sg(tcp(443, 443, { CidrIp: '10.0.0.0/16' })),
      sg(tcp(0, 65535, { CidrIp: '10.0.0.0/16' })),
      'ingress widened from tcp, port 443, from 10.0.0.0/16 to tcp, all ports, from 10.0.0.0/16',
    ],
    [
      'a CIDR widened',
      sg(tcp(443, 443, { CidrIp: '10.0.1.0/24' })),
      sg(tcp(443, 443, { CidrIp: '10.0.0.0/8' })),
      'to tcp, port 443, from 10.0.0.0/8',
    ],
  ])('reports %s', (_, before, after, expected) => {
    const findings = run(securityGroupIngressRule, modified('AWS::EC2::SecurityGroup', before, after));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toContain(expected);
  });

  test('reports a standalone SecurityGroupIngress resource opened to the internet', () => {
    const change: ResourceChange = {
      logicalId: 'In',
      type: 'AWS::EC2::SecurityGroupIngress',
      after: {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: { GroupId: 'sg-1', ...tcp(22, 22, { CidrIp: '0.0.0.0/0' }) },
      },
    };
    expect(run(securityGroupIngressRule, change)).toEqual([
      'security-group-ingress-opened: ingress open to the internet: tcp, port 22, from 0.0.0.0/0',
    ]);
  });

  test.each([
    ['a rule narrowed', sg(tcp(0, 65535, { CidrIp: '0.0.0.0/0' })), sg(tcp(443, 443, { CidrIp: '0.0.0.0/0' }))],
    [
      'a new rule from another security group',
      sg(),
      sg(tcp(5432, 5432, { SourceSecurityGroupId: { 'Fn::GetAtt': ['App', 'GroupId'] } })),
    ],
    [
      'a new rule from a private CIDR',
      sg(tcp(443, 443, { CidrIp: '10.0.0.0/16' })),
      sg(tcp(443, 443, { CidrIp: '10.0.0.0/16' }), tcp(443, 443, { CidrIp: '10.1.0.0/16' })),
    ],
    ['a CIDR narrowed', sg(tcp(443, 443, { CidrIp: '10.0.0.0/8' })), sg(tcp(443, 443, { CidrIp: '10.0.1.0/24' }))],
    [
      'the protocol written as a number',
      sg(tcp(443, 443, { CidrIp: '0.0.0.0/0' })),
      sg({ IpProtocol: '6', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }),
    ],
  ])('stays quiet when %s', (_, before, after) => {
    expect(run(securityGroupIngressRule, modified('AWS::EC2::SecurityGroup', before, after))).toEqual([]);
  });
});

describe('encryptionRule', () => {
  test.each([
    [
      'AWS::S3::Bucket',
      { BucketEncryption: { ServerSideEncryptionConfiguration: [] } },
      {},
      'Properties.BucketEncryption removed',
    ],
    ['AWS::SQS::Queue', { KmsMasterKeyId: 'alias/k' }, {}, 'Properties.KmsMasterKeyId removed'],
    [
      'AWS::RDS::DBCluster',
      { StorageEncrypted: true },
      { StorageEncrypted: false },
      'Properties.StorageEncrypted set to false',
    ],
    ['AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true } }, {}, 'Properties.SSESpecification removed'],
    ['AWS::Logs::LogGroup', { KmsKeyId: 'arn:k' }, {}, 'Properties.KmsKeyId removed'],
    [
      'AWS::KMS::Key',
      { EnableKeyRotation: true },
      { EnableKeyRotation: false },
      'Properties.EnableKeyRotation set to false',
    ],
    ['AWS::KMS::Key', { EnableKeyRotation: true }, {}, 'Properties.EnableKeyRotation removed'],
  ])('reports %s: %s -> %s', (type, before, after, expected) => {
    expect(run(encryptionRule, modified(type, before, after))).toEqual([`encryption-disabled: ${expected}`]);
  });

  test.each([
    ['a key changed', 'AWS::SQS::Queue', { KmsMasterKeyId: 'alias/a' }, { KmsMasterKeyId: 'alias/b' }],
    ['encryption added', 'AWS::S3::Bucket', {}, { BucketEncryption: { ServerSideEncryptionConfiguration: [] } }],
    ['StorageEncrypted false removed', 'AWS::RDS::DBInstance', { StorageEncrypted: false }, {}],
  ])('stays quiet when %s', (_, type, before, after) => {
    expect(run(encryptionRule, modified(type, before, after))).toEqual([]);
  });
});

describe('loggingRule', () => {
  test.each([
    [
      'AWS::S3::Bucket',
      { LoggingConfiguration: { DestinationBucketName: 'logs' } },
      {},
      'Properties.LoggingConfiguration removed',
    ],
    ['AWS::CloudTrail::Trail', { IsLogging: true }, { IsLogging: false }, 'Properties.IsLogging set to false'],
    [
      'AWS::CloudTrail::Trail',
      { EnableLogFileValidation: true },
      { EnableLogFileValidation: false },
      'Properties.EnableLogFileValidation set to false',
    ],
    ['AWS::GuardDuty::Detector', { Enable: true }, { Enable: false }, 'Properties.Enable set to false'],
  ])('reports %s', (type, before, after, expected) => {
    expect(run(loggingRule, modified(type, before, after))).toEqual([`logging-disabled: ${expected}`]);
  });

  test('reports a flow log removed', () => {
    const change: ResourceChange = {
      logicalId: 'Flow',
      type: 'AWS::EC2::FlowLog',
      before: { Type: 'AWS::EC2::FlowLog', Properties: {} },
    };
    expect(run(loggingRule, change)).toEqual(['logging-disabled: AWS::EC2::FlowLog removed']);
  });

  test.each([
    [
      'a flow log moved to a new logical id',
      {
        logicalId: 'B',
        type: 'AWS::EC2::FlowLog',
        renamedFrom: 'A',
        before: { Type: 'AWS::EC2::FlowLog' },
        after: { Type: 'AWS::EC2::FlowLog' },
      },
    ],
    ['another resource type with Enable false', modified('AWS::Events::Rule', { Enable: true }, { Enable: false })],
    ['logging added', modified('AWS::S3::Bucket', {}, { LoggingConfiguration: {} })],
  ])('stays quiet for %s', (_, change) => {
    expect(run(loggingRule, change as ResourceChange)).toEqual([]);
  });
});

describe('publicAccessRule', () => {
  const block = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };
  test('reports Block Public Access removed or a flag turned off', () => {
    expect(run(publicAccessRule, modified('AWS::S3::Bucket', { PublicAccessBlockConfiguration: block }, {}))).toEqual([
      'public-access-opened: Properties.PublicAccessBlockConfiguration removed',
    ]);
    expect(
      run(
        publicAccessRule,
        modified(
          'AWS::S3::Bucket',
          { PublicAccessBlockConfiguration: block },
          { PublicAccessBlockConfiguration: { ...block, BlockPublicPolicy: false } },
        ),
      ),
    ).toEqual(['public-access-opened: Properties.PublicAccessBlockConfiguration.BlockPublicPolicy set to false']);
  });
  test('stays quiet when Block Public Access is added', () => {
    expect(run(publicAccessRule, modified('AWS::S3::Bucket', {}, { PublicAccessBlockConfiguration: block }))).toEqual(
      [],
    );
  });
});

describe('statefulReplacementRule', () => {
  test.each([
    [
      'AWS::S3::Bucket',
      { BucketName: 'a' },
      { BucketName: 'b' },
      'Properties.BucketName changed: update requires replacement',
    ],
    [
      'AWS::EC2::VPC',
      { CidrBlock: '10.0.0.0/16' },
      { CidrBlock: '10.1.0.0/16' },
      'Properties.CidrBlock changed: update requires replacement',
    ],
    [
      'AWS::Logs::LogGroup',
      { LogGroupName: 'a' },
      { LogGroupName: 'b' },
      'Properties.LogGroupName changed: update requires replacement',
    ],
    [
      'AWS::DynamoDB::Table',
      { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] },
      { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] },
      'Properties.KeySchema[0].AttributeName changed: update requires replacement',
    ],
    [
      'AWS::RDS::DBInstance',
      { Engine: 'postgres' },
      { Engine: 'mysql' },
      'Properties.Engine changed: update may require replacement',
    ],
  ])('reports %s replacement', (type, before, after, expected) => {
    expect(run(statefulReplacementRule, modified(type, before, after))).toEqual([
      `stateful-replaced-property: ${expected}`,
    ]);
  });

  test('reports a stateful resource deleted without Retain, and stays quiet with Retain', () => {
    const removed = (DeletionPolicy?: string): ResourceChange => ({
      logicalId: 'T',
      type: 'AWS::DynamoDB::Table',
      before: { Type: 'AWS::DynamoDB::Table', ...(DeletionPolicy ? { DeletionPolicy } : {}) },
    });
    expect(run(statefulReplacementRule, removed())).toEqual([
      'stateful-deleted: removed with DeletionPolicy Delete: its data is deleted',
    ]);
    expect(run(statefulReplacementRule, removed('Retain'))).toEqual([]);
  });

  test.each([
    [
      'a stateful in-place update',
      'AWS::S3::Bucket',
      { VersioningConfiguration: { Status: 'Suspended' } },
      { VersioningConfiguration: { Status: 'Enabled' } },
    ],
    [
      'a replacing change of a stateless type',
      'AWS::EC2::SecurityGroup',
      { GroupDescription: 'a' },
      { GroupDescription: 'b' },
    ],
  ])('stays quiet for %s', (_, type, before, after) => {
    expect(run(statefulReplacementRule, modified(type, before, after))).toEqual([]);
  });

  test('the built-in table covers the stateful types when no spec is installed', () => {
    const table = fallbackReplacementSpec();
    expect(
      statefulReplacementRule(modified('AWS::S3::Bucket', { BucketName: 'a' }, { BucketName: 'b' }), table),
    ).toHaveLength(1);
    expect(table.isStateful('AWS::ECR::Repository')).toBe(true);
    expect(table.isStateful('AWS::IAM::Role')).toBe(false);
  });
});
