import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { compareAssemblies, compareTemplates } from '../../scripts/change-report/change-report';
import type { AssemblyStack, CfnResource, CfnTemplate } from '../../scripts/change-report/cloud-assembly';
import { renderMarkdown } from '../../scripts/change-report/markdown';
import {
  fallbackReplacementSpec,
  findReplacementSpec,
  loadReplacementSpec,
} from '../../scripts/change-report/replacement-spec';
import {
  iamPermissionsRule,
  publicAccessRule,
  resourcePolicyRule,
  ResourceChange,
  securityGroupIngressRule,
  SecurityRule,
  statefulReplacementRule,
} from '../../scripts/change-report/security-rules';

/**
 * The decisions a reviewer relies on, each at the boundary where a one-line
 * slip would change it: the Replacement column, which resources are paired as
 * moved, what is a security finding, and which stacks count as moved or
 * deleted. Each test names the decision it guards.
 */

const spec = findReplacementSpec();

function stack(environment: string, stackName: string, template: CfnTemplate, extra: Partial<AssemblyStack> = {}) {
  return { environment, stackName, artifactId: stackName, template, ...extra } as AssemblyStack;
}

function compare(base: CfnTemplate | undefined, head: CfnTemplate | undefined) {
  return compareTemplates('Dev', 'app', base, head, spec);
}

function run(rule: SecurityRule, change: ResourceChange): string[] {
  return rule(change, spec).map((f) => `${f.kind}: ${f.detail}`);
}

const bucket = (Properties?: object, extra: Partial<CfnResource> = {}): CfnResource => ({
  Type: 'AWS::S3::Bucket',
  ...(Properties ? { Properties: Properties as CfnResource['Properties'] } : {}),
  ...extra,
});

describe('the Replacement column of a modified resource', () => {
  test('a changed Type always replaces the resource', () => {
    const { change } = compare(
      { Resources: { Channel: { Type: 'AWS::SQS::Queue' } } },
      { Resources: { Channel: { Type: 'AWS::SNS::Topic' } } },
    );
    expect(change.modified).toEqual([
      expect.objectContaining({
        logicalId: 'Channel',
        replacement: 'always',
        changes: [expect.objectContaining({ path: 'Type', change: 'changed', replacement: 'always' })],
      }),
    ]);
  });

  test('a whole Properties block added is judged property by property (BucketName replaces)', () => {
    const { change } = compare({ Resources: { Data: bucket() } }, { Resources: { Data: bucket({ BucketName: 'b' }) } });
    expect(change.modified.map((m) => [m.replacement, m.changes.map((c) => `${c.path}:${c.replacement}`)])).toEqual([
      ['always', ['Properties:always']],
    ]);
  });

  test('a whole Properties block removed is judged property by property too', () => {
    const { change } = compare({ Resources: { Data: bucket({ BucketName: 'b' }) } }, { Resources: { Data: bucket() } });
    expect(change.modified[0].replacement).toBe('always');
  });

  test('the strongest change wins, wherever it is in the list (not only the first)', () => {
    const { change } = compare(
      { Resources: { Data: bucket({ BucketName: 'old' }) } },
      { Resources: { Data: bucket({ BucketName: 'new' }, { DependsOn: ['Other'] }) } },
    );
    const [data] = change.modified;
    // DependsOn sorts before Properties: the first change does not replace, the second does.
    expect(data.changes.map((c) => `${c.path}:${c.replacement}`)).toEqual([
      'DependsOn:none',
      'Properties.BucketName:always',
    ]);
    expect(data.replacement).toBe('always');
  });

  test('a "may replace" change is marked in the Markdown', () => {
    const vpc = (InstanceTenancy: string) => ({
      Type: 'AWS::EC2::VPC',
      Properties: { CidrBlock: '10.0.0.0/16', InstanceTenancy },
    });
    const report = compareAssemblies(
      [stack('Dev', 'net', { Resources: { Vpc: vpc('default') } })],
      [stack('Dev', 'net', { Resources: { Vpc: vpc('dedicated') } })],
      spec,
      { baseLabel: 'b', headLabel: 'h' },
    );
    expect(renderMarkdown(report)).toContain(
      '| modified | `Vpc` | AWS::EC2::VPC | *conditional* | `Properties.InstanceTenancy` `"default"` → `"dedicated"` *may replace* |',
    );
  });
});

describe('replacement specification: walking nested property types', () => {
  // A small database in the service spec's format: an array, a map and a union of property types.
  const ref = (id: string) => ({ type: 'ref', reference: { $ref: id } });
  const db = {
    schema: {
      resource: {
        entities: {
          r1: {
            $id: 'r1',
            cloudFormationType: 'Test::Thing',
            properties: {
              Listeners: { type: { type: 'array', element: ref('Listener') }, causesReplacement: 'no' },
              ListenersByName: { type: { type: 'map', element: ref('Listener') }, causesReplacement: 'no' },
              Target: { type: { type: 'union', types: [{ type: 'string' }, ref('Target')] }, causesReplacement: 'no' },
            },
          },
        },
      },
      typeDefinition: {
        entities: {
          Listener: {
            $id: 'Listener',
            properties: {
              Port: { type: { type: 'integer' }, causesReplacement: 'yes' },
              Name: { type: { type: 'string' }, causesReplacement: 'no' },
            },
          },
          Target: { $id: 'Target', properties: { Arn: { type: { type: 'string' }, causesReplacement: 'yes' } } },
        },
      },
    },
  };
  let dir: string;
  let walked: ReturnType<typeof loadReplacementSpec>;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'change-report-walk-'));
    fs.writeFileSync(path.join(dir, 'db.json.gz'), zlib.gzipSync(JSON.stringify(db)));
    walked = loadReplacementSpec(path.join(dir, 'db.json.gz'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each([
    [['Listeners', 0, 'Port'], 'always'],
    [['Listeners', 2, 'Name'], 'none'],
    [['ListenersByName', 'https', 'Port'], 'always'],
    [['ListenersByName', 'https', 'Name'], 'none'],
    // Only the second alternative of the union has the property: every alternative is tried.
    [['Target', 'Arn'], 'always'],
  ])('%j replaces: %s', (propertyPath, expected) => {
    expect(walked.replacementFor('Test::Thing', propertyPath as (string | number)[])).toBe(expected);
  });
});

describe('immutable KMS key properties (an update fails: treated as a replacement)', () => {
  test.each(['KeySpec', 'KeyUsage', 'MultiRegion', 'Origin'])('%s, with the service spec and without it', (name) => {
    expect(spec.replacementFor('AWS::KMS::Key', [name])).toBe('always');
    expect(fallbackReplacementSpec().replacementFor('AWS::KMS::Key', [name])).toBe('always');
  });
});

describe('immutable local secondary indexes of a DynamoDB table (an update fails: treated as a replacement)', () => {
  test.each([
    ['AWS::DynamoDB::Table', ['LocalSecondaryIndexes', 0, 'KeySchema', 1, 'AttributeName']],
    ['AWS::DynamoDB::Table', ['LocalSecondaryIndexes', 1]],
    ['AWS::DynamoDB::GlobalTable', ['LocalSecondaryIndexes', 0, 'Projection', 'ProjectionType']],
  ])('%s %j, with the service spec and without it', (type, propertyPath) => {
    expect(spec.replacementFor(type, propertyPath as (string | number)[])).toBe('always');
    expect(fallbackReplacementSpec().replacementFor(type, propertyPath as (string | number)[])).toBe('always');
  });

  test('a global secondary index stays an in-place update', () => {
    expect(spec.replacementFor('AWS::DynamoDB::Table', ['GlobalSecondaryIndexes', 0, 'IndexName'])).not.toBe('always');
  });
});

describe('which removed and added resources are paired as moved', () => {
  test('a removed bucket is not paired with an added resource of another type', () => {
    const { change, findings } = compare(
      { Resources: { OldData: bucket({ VersioningConfiguration: { Status: 'Enabled' } }) } },
      { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } } } },
    );
    expect([change.removed, change.added, change.renamed]).toEqual([
      [{ logicalId: 'OldData', type: 'AWS::S3::Bucket' }],
      [{ logicalId: 'Role', type: 'AWS::IAM::Role' }],
      [],
    ]);
    expect(findings.map((f) => `${f.kind} ${f.logicalId}`)).toContain('stateful-deleted OldData');
  });

  test('a moved bucket is paired with the most similar added bucket, not the first', () => {
    const logs = { BucketName: 'logs', VersioningConfiguration: { Status: 'Enabled' } };
    const { change } = compare(
      { Resources: { Logs: bucket({ ...logs, Tags: [{ Key: 'a', Value: '1' }] }) } },
      {
        Resources: {
          AOther: bucket({ BucketName: 'other' }),
          BLogs: bucket({ ...logs, Tags: [{ Key: 'a', Value: '2' }] }),
        },
      },
    );
    expect(change.renamed.map((r) => `${r.fromLogicalId} -> ${r.toLogicalId}`)).toEqual(['Logs -> BLogs']);
    expect(change.added.map((r) => r.logicalId)).toEqual(['AOther']);
  });
});

describe('stacks across environments', () => {
  test('an environment-agnostic stack given an account and region is treated as moved (the report cannot tell they are the same)', () => {
    const template = { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } } } };
    const report = compareAssemblies(
      [stack('Prod', 'app', template)],
      [stack('Prod', 'app', template, { awsEnvironment: 'aws://111111111111/eu-west-1' })],
      spec,
      { baseLabel: 'b', headLabel: 'h' },
    );
    expect(report.stacks.map((s) => [s.status, s.movedFrom, s.movedTo])).toEqual([
      ['removed', undefined, 'aws://111111111111/eu-west-1'],
      ['added', '(environment-agnostic)', undefined],
    ]);
    expect(report.security.map((f) => f.kind)).toEqual(['stack-left-deployed']);
  });

  test('a nested stack whose parent left its environment is covered by the parent, even if a stack of that name stays elsewhere', () => {
    const parent = {
      Resources: { Nested: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://x/n.json' } } },
    };
    const nested = { Resources: { Data: bucket({ BucketName: 'd' }) } };
    const report = compareAssemblies(
      [
        stack('Dev', 'Parent', parent, { nestedStacksRead: ['Nested'] }),
        stack('Dev', 'Parent/Nested', nested, { parentStack: 'Parent' }),
        stack('Prod', 'Parent', parent, { nestedStacksRead: ['Nested'] }),
        stack('Prod', 'Parent/Nested', nested, { parentStack: 'Parent' }),
      ],
      [
        stack('Prod', 'Parent', parent, { nestedStacksRead: ['Nested'] }),
        stack('Prod', 'Parent/Nested', nested, { parentStack: 'Parent' }),
      ],
      spec,
      { baseLabel: 'b', headLabel: 'h' },
    );
    expect(report.security.map((f) => `${f.kind} ${f.environment} ${f.stack}`)).toEqual([
      'stack-left-deployed Dev Parent',
    ]);
  });

  test('a removed stack names only the stateful resources a manual delete would delete (not the retained ones)', () => {
    const { findings } = compare(
      {
        Resources: {
          Kept: bucket({}, { DeletionPolicy: 'Retain' }),
          Gone: { Type: 'AWS::SQS::Queue', Properties: {} },
        },
      },
      undefined,
    );
    expect(findings).toHaveLength(1);
    expect(findings[0].detail).toMatch(/; that deletes Gone \(stateful, no Retain policy\)$/);
  });
});

describe('findings the report adds beside the rules', () => {
  test('an AWS::CloudFormation::Stack moved to a new logical id whose template is not read is flagged', () => {
    const nested = { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://x/n.json' } };
    const { change, findings } = compare({ Resources: { Old: nested } }, { Resources: { New: nested } });
    expect(change.renamed.map((r) => r.toLogicalId)).toEqual(['New']);
    // The spec marks a nested stack stateful: the move is also a stateful replacement.
    expect(findings.map((f) => `${f.kind} ${f.logicalId}`)).toContain('nested-stack-not-diffed New');
  });

  test('a parameter removed is a finding naming the base resources that used it', () => {
    const { findings } = compare(
      {
        Parameters: { Stage: { Type: 'String', Default: 'dev' } },
        Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { Ref: 'Stage' } } } },
      },
      { Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: 'dev' } } } },
    );
    expect(findings.filter((f) => f.kind === 'template-logic-changed').map((f) => [f.logicalId, f.detail])).toEqual([
      [
        'Parameters.Stage',
        'parameter Stage removed; the report does not evaluate parameters, so check by hand what it changes in Topic',
      ],
    ]);
  });

  test('an import in a condition is a new cross-stack import', () => {
    const resources = { Topic: { Type: 'AWS::SNS::Topic', Properties: {} } };
    const { findings } = compare(
      { Resources: resources },
      {
        Conditions: { UseShared: { 'Fn::Equals': [{ 'Fn::ImportValue': 'Shared-Flag' }, 'yes'] } },
        Resources: resources,
      },
    );
    expect(findings.map((f) => `${f.kind} ${f.logicalId}`)).toEqual(['stack-import-added Conditions.UseShared']);
  });
});

describe('security rules at their boundaries', () => {
  const sg = (...SecurityGroupIngress: object[]) => ({
    Type: 'AWS::EC2::SecurityGroup',
    Properties: { GroupDescription: 'g', SecurityGroupIngress },
  });
  const ingress = (before: object[], after: object[]) =>
    run(securityGroupIngressRule, { logicalId: 'Sg', type: sg().Type, before: sg(...before), after: sg(...after) });
  const tcp = (FromPort: number, ToPort: number, peer: object) => ({ IpProtocol: 'tcp', FromPort, ToPort, ...peer });

  test('ICMP with FromPort -1 is every type: reported as all ports, and it covers a single type', () => {
    const icmpAll = { IpProtocol: 'icmp', FromPort: -1, ToPort: -1, CidrIp: '0.0.0.0/0' };
    expect(ingress([], [icmpAll])).toEqual([
      'security-group-ingress-opened: ingress open to the internet: icmp, all ports, from 0.0.0.0/0',
    ]);
    expect(ingress([icmpAll], [{ IpProtocol: 'icmp', FromPort: 8, ToPort: 0, CidrIp: '0.0.0.0/0' }])).toEqual([]);
  });

  test('more ports for the same IPv6 range written another way is a widening', () => {
    expect(
      ingress([tcp(443, 443, { CidrIpv6: '2001:db8::/32' })], [tcp(443, 8443, { CidrIpv6: '2001:0db8::/32' })]),
    ).toEqual([
      'security-group-ingress-opened: ingress widened from tcp, port 443, from 2001:db8::/32 to tcp, ports 443-8443, from 2001:0db8::/32',
    ]);
  });

  test('a port range extended upwards is a widening', () => {
    expect(ingress([tcp(443, 443, { CidrIp: '10.0.0.0/16' })], [tcp(443, 8443, { CidrIp: '10.0.0.0/16' })])).toEqual([
      'security-group-ingress-opened: ingress widened from tcp, port 443, from 10.0.0.0/16 to tcp, ports 443-8443, from 10.0.0.0/16',
    ]);
  });

  test('one protocol from a source becoming all traffic from it is a widening', () => {
    expect(ingress([tcp(443, 443, { CidrIp: '10.0.0.0/16' })], [{ IpProtocol: '-1', CidrIp: '10.0.0.0/16' }])).toEqual([
      'security-group-ingress-opened: ingress widened from tcp, port 443, from 10.0.0.0/16 to all traffic, all ports, from 10.0.0.0/16',
    ]);
  });

  test.each([
    ['11.0.0.0/8', { CidrIp: '11.0.0.0/8' }],
    ['2001::/16', { CidrIpv6: '2001::/16' }],
  ])('a new public range exactly as wide as the limit (%s) is reported', (range, peer) => {
    expect(ingress([], [tcp(22, 22, peer)])).toEqual([
      `security-group-ingress-opened: ingress open to a wide public range: tcp, port 22, from ${range}`,
    ]);
  });

  test('a resource policy whose resource changes type is a new policy: its grants are new', () => {
    const document = {
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 'sqs:SendMessage' }],
    };
    const findings = run(resourcePolicyRule, {
      logicalId: 'Policy',
      type: 'AWS::SQS::QueuePolicy',
      before: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: document } },
      after: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: ['q'], PolicyDocument: document } },
    });
    expect(findings).toEqual([
      'resource-policy-broadened: PolicyDocument: to AWS:arn:aws:iam::222222222222:root allows sqs:SendMessage',
    ]);
  });

  test('a Block Public Access flag that was true and is removed (S3 then treats it as false) is reported', () => {
    const all = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };
    const { RestrictPublicBuckets: _dropped, ...three } = all;
    const change = {
      logicalId: 'Data',
      type: 'AWS::S3::Bucket',
      before: bucket({ PublicAccessBlockConfiguration: all }),
      after: bucket({ PublicAccessBlockConfiguration: three }),
    };
    expect(run(publicAccessRule, change)).toEqual([
      'public-access-opened: Properties.PublicAccessBlockConfiguration.RestrictPublicBuckets removed',
    ]);
  });
});

describe('stateful resources: retention and replacement', () => {
  const change = (before: CfnResource | undefined, after: CfnResource | undefined, extra: object = {}) =>
    run(statefulReplacementRule, { logicalId: 'Data', type: (after ?? before)!.Type, before, after, ...extra });

  test('RetainExceptOnCreate keeps the data: a removal is quiet, a switch to Delete is reported', () => {
    expect(change(bucket({}, { DeletionPolicy: 'RetainExceptOnCreate' }), undefined)).toEqual([]);
    expect(
      change(bucket({}, { DeletionPolicy: 'RetainExceptOnCreate' }), bucket({}, { DeletionPolicy: 'Delete' })),
    ).toEqual([
      'stateful-retention-removed: DeletionPolicy RetainExceptOnCreate -> Delete: a later removal or replacement deletes its data',
    ]);
  });

  test('a retained bucket moved to a new logical id is orphaned, not deleted', () => {
    expect(
      change(bucket({}, { DeletionPolicy: 'Retain' }), bucket({}, { DeletionPolicy: 'Retain' }), {
        logicalId: 'NewData',
        renamedFrom: 'Data',
      }),
    ).toEqual([
      'stateful-replaced-logical-id: logical id Data -> NewData: CloudFormation creates a new AWS::S3::Bucket and orphans the old one (DeletionPolicy Retain)',
    ]);
  });

  test('a stateful resource whose type becomes a stateless one is replaced', () => {
    expect(change(bucket({ BucketName: 'b' }), { Type: 'Custom::Bucket', Properties: { BucketName: 'b' } })).toEqual([
      'stateful-replaced-property: type changes from AWS::S3::Bucket to Custom::Bucket',
    ]);
  });
});

describe('IAM policy comparison at its boundaries', () => {
  const policy = (...Statement: object[]) => ({
    Type: 'AWS::IAM::Policy',
    Properties: { PolicyDocument: { Version: '2012-10-17', Statement }, Roles: [{ Ref: 'Role' }] },
  });
  const iam = (before: object[], after: object[]) =>
    run(iamPermissionsRule, {
      logicalId: 'P',
      type: 'AWS::IAM::Policy',
      before: policy(...before),
      after: policy(...after),
    });
  const notEquals = (...accounts: string[]) => ({ StringNotEquals: { 'aws:PrincipalAccount': accounts } });
  const allowS3 = (Condition?: object) => ({
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: '*',
    ...(Condition ? { Condition } : {}),
  });

  test('a negated condition that excludes fewer values is relaxed; one that excludes more is not', () => {
    expect(iam([allowS3(notEquals('111111111111', '222222222222'))], [allowS3(notEquals('111111111111'))])).toEqual([
      'iam-permissions-broadened: conditions removed or relaxed for s3:GetObject',
    ]);
    expect(iam([allowS3(notEquals('111111111111'))], [allowS3(notEquals('111111111111', '222222222222'))])).toEqual([]);
  });

  test('NotAction excluding iam:* does not cover Action * (a wildcard may overlap the exclusion)', () => {
    expect(
      iam([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }], [{ Effect: 'Allow', Action: '*', Resource: '*' }]),
    ).toEqual(['iam-permissions-broadened: allows * on * (wildcard action, wildcard resource)']);
  });

  test('a Deny that gains a condition no longer denies in every case: reported', () => {
    const deny = (Condition?: object) => ({
      Effect: 'Deny',
      Action: 's3:DeleteBucket',
      Resource: '*',
      ...(Condition ? { Condition } : {}),
    });
    expect(iam([deny()], [deny({ StringEquals: { 'aws:PrincipalAccount': '111111111111' } })])).toEqual([
      'iam-permissions-broadened: no longer denies s3:DeleteBucket',
    ]);
  });
});
