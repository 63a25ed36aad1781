import type { CfnResource } from '../../scripts/change-report/cloud-assembly';
import { fallbackReplacementSpec, findReplacementSpec } from '../../scripts/change-report/replacement-spec';
import {
  encryptionRule,
  groupMembershipRule,
  iamPermissionsRule,
  iamTrustRule,
  lambdaPublicRule,
  loggingRule,
  publicAccessRule,
  resourcePolicyRule,
  ResourceChange,
  securityGroupEgressRule,
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

/** An AWS::IAM::Policy changed from `before` to `after` is reported as broadened, with `expected` in the detail. */
function expectPolicyBroadened(_name: string, before: object, after: object, expected: string): void {
  const findings = run(iamPermissionsRule, modified('AWS::IAM::Policy', before, after));
  expect(findings.join('\n')).toContain(expected);
  expect(findings.every((f) => f.startsWith('iam-permissions-broadened'))).toBe(true);
}

/** An AWS::IAM::Policy changed from `before` to `after` gives no finding. */
function expectPolicyQuiet(_name: string, before: object, after: object): void {
  expect(run(iamPermissionsRule, modified('AWS::IAM::Policy', before, after))).toEqual([]);
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
  ])('reports %s', expectPolicyBroadened);

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
  ])('stays quiet when %s', expectPolicyQuiet);

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

describe('iamPermissionsRule: NotAction and NotResource are compared as exclusion lists', () => {
  const policy = (...statements: object[]) => ({ PolicyDocument: doc(...statements), Roles: [{ Ref: 'Role' }] });
  const notAction = (NotAction: unknown, extra: object = {}) => ({
    Effect: 'Allow',
    NotAction,
    Resource: '*',
    ...extra,
  });

  test.each([
    // Fewer exclusions allow more: NotAction iam:* -> iam:CreateUser now allows iam:PassRole and the rest of IAM.
    [
      'a NotAction narrowed',
      policy(notAction('iam:*')),
      policy(notAction('iam:CreateUser')),
      'NotAction:iam:CreateUser',
    ],
    [
      'one entry of a NotAction list narrowed',
      policy(notAction(['iam:*', 'organizations:*'])),
      policy(notAction(['iam:*', 'organizations:Describe*'])),
      'NotAction:iam:*,organizations:Describe*',
    ],
    ['a NotAction entry removed', policy(notAction(['iam:*', 'kms:*'])), policy(notAction('iam:*')), 'NotAction:iam:*'],
    [
      'a NotResource narrowed',
      policy({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secrets*' }),
      policy({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secrets-archive' }),
      'on NotResource:arn:aws:s3:::secrets-archive',
    ],
    [
      'an action the NotAction excluded',
      policy(notAction('iam:*')),
      policy(notAction('iam:*'), allow('iam:PassRole')),
      'allows iam:PassRole',
    ],
    [
      'a wildcard `?` in the base does not cover a `*` in the head',
      policy(allow('s3:GetObject', 'arn:aws:s3:::logs-?/*')),
      policy(allow('s3:GetObject', 'arn:aws:s3:::logs-*/*')),
      'on arn:aws:s3:::logs-*/*',
    ],
  ])('reports %s', expectPolicyBroadened);

  test.each([
    ['a NotAction widened (excludes more)', policy(notAction('iam:CreateUser')), policy(notAction('iam:*'))],
    ['a NotAction list reordered', policy(notAction(['kms:*', 'iam:*'])), policy(notAction(['iam:*', 'kms:*']))],
    [
      'an action the NotAction already allowed',
      policy(notAction('iam:*')),
      policy(notAction('iam:*'), allow('s3:GetObject')),
    ],
    [
      'a NotResource widened',
      policy({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secrets-archive' }),
      policy({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secrets*' }),
    ],
    [
      'a `?` resource narrowed from `*`',
      policy(allow('s3:GetObject', 'arn:aws:s3:::logs-*')),
      policy(allow('s3:GetObject', 'arn:aws:s3:::logs-?')),
    ],
  ])('stays quiet when %s', expectPolicyQuiet);

  test('a Deny NotAction that exempts fewer actions denies more: quiet; one that exempts more: reported', () => {
    const deny = (NotAction: string[]) => policy({ Effect: 'Deny', NotAction, Resource: '*' });
    expect(run(iamPermissionsRule, modified('AWS::IAM::Policy', deny(['s3:*', 'kms:*']), deny(['s3:*'])))).toEqual([]);
    expect(run(iamPermissionsRule, modified('AWS::IAM::Policy', deny(['s3:*']), deny(['s3:*', 'kms:*'])))).toEqual([
      'iam-permissions-broadened: no longer denies NotAction:s3:*',
    ]);
  });
});

describe('iamPermissionsRule: permissions boundary', () => {
  const boundary = 'arn:aws:iam::111111111111:policy/boundary';
  const admin = { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] };

  test.each(['AWS::IAM::Role', 'AWS::IAM::User'])('a %s whose boundary is removed is reported', (type) => {
    expect(run(iamPermissionsRule, modified(type, { ...admin, PermissionsBoundary: boundary }, admin))).toEqual([
      `iam-permissions-broadened: permissions boundary removed (was ${boundary})`,
    ]);
  });

  test('a boundary changed to another policy is reported with both values', () => {
    const other = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/other' };
    expect(
      run(
        iamPermissionsRule,
        modified('AWS::IAM::Role', { PermissionsBoundary: boundary }, { PermissionsBoundary: other }),
      ),
    ).toEqual([
      `iam-permissions-broadened: permissions boundary changed from ${boundary} to ` +
        'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/other',
    ]);
  });

  test('a boundary added or unchanged, or a role deleted with its boundary, is quiet', () => {
    expect(
      run(iamPermissionsRule, modified('AWS::IAM::Role', admin, { ...admin, PermissionsBoundary: boundary })),
    ).toEqual([]);
    expect(
      run(
        iamPermissionsRule,
        modified('AWS::IAM::Role', { PermissionsBoundary: boundary }, { PermissionsBoundary: boundary }),
      ),
    ).toEqual([]);
    const role = { Type: 'AWS::IAM::Role', Properties: { PermissionsBoundary: boundary } };
    expect(run(iamPermissionsRule, { logicalId: 'R', type: 'AWS::IAM::Role', before: role })).toEqual([]);
  });

  test('a removed policy resource that held a Deny is reported (its Deny stops applying)', () => {
    const guardrail = {
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyDocument: doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*' }), Roles: [{ Ref: 'R' }] },
    };
    expect(run(iamPermissionsRule, { logicalId: 'G', type: 'AWS::IAM::Policy', before: guardrail })).toEqual([
      'iam-permissions-broadened: no longer denies iam:*',
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

describe('iamPermissionsRule and iamTrustRule: documents written as JSON strings, and documents they cannot read', () => {
  const s3Only = doc(allow('s3:*', 'arn:aws:s3:::b/*'));
  const plusIam = doc(allow('s3:*', 'arn:aws:s3:::b/*'), allow('iam:*'));
  const allowsIam = 'iam-permissions-broadened: allows iam:* on * (wildcard action, wildcard resource)';

  test('a statement appended to a policy written as a JSON string is reported as if it were an object', () => {
    const policy = (d: object) => ({ PolicyDocument: JSON.stringify(d), Roles: [{ Ref: 'Role' }] });
    expect(run(iamPermissionsRule, modified('AWS::IAM::Policy', policy(s3Only), policy(plusIam)))).toEqual([allowsIam]);
    // The same document, once an object and once a string: nothing is granted that was not.
    expect(
      run(
        iamPermissionsRule,
        modified('AWS::IAM::Policy', { PolicyDocument: plusIam, Roles: [{ Ref: 'Role' }] }, policy(plusIam)),
      ),
    ).toEqual([]);
  });

  test('a statement appended to a role inline policy written as a JSON string is reported', () => {
    const role = (d: object) => ({ Policies: [{ PolicyName: 'inline', PolicyDocument: JSON.stringify(d) }] });
    expect(run(iamPermissionsRule, modified('AWS::IAM::Role', role(s3Only), role(plusIam)))).toEqual([allowsIam]);
  });

  test('a statement trusting any principal appended to a trust policy written as a JSON string is reported', () => {
    const github = {
      Effect: 'Allow',
      Principal: { Federated: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:org/app:*' } },
    };
    const anyone = { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' };
    const trust = (...statements: object[]) => ({ AssumeRolePolicyDocument: JSON.stringify(doc(...statements)) });
    expect(run(iamTrustRule, modified('AWS::IAM::Role', trust(github), trust(github, anyone)))).toEqual([
      'iam-trust-widened: trusts * allows sts:AssumeRole (any principal)',
    ]);
    expect(run(iamTrustRule, modified('AWS::IAM::Role', trust(github), trust(github)))).toEqual([]);
  });

  test('a document that cannot be read is compared as text: a `*` in the old text does not cover new text', () => {
    // A whole document behind Fn::If, and a JSON string that does not parse: both stay opaque.
    const conditional = (d: object) => ({ PolicyDocument: { 'Fn::If': ['C', d, s3Only] }, Roles: [{ Ref: 'Role' }] });
    const findings = run(iamPermissionsRule, modified('AWS::IAM::Policy', conditional(s3Only), conditional(plusIam)));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatch(/^iam-permissions-broadened: allows opaque:.*iam:\*/);
    expect(run(iamPermissionsRule, modified('AWS::IAM::Policy', conditional(plusIam), conditional(plusIam)))).toEqual(
      [],
    );
    const broken = (d: object) => ({ PolicyDocument: JSON.stringify(d).slice(0, -1), Roles: [{ Ref: 'Role' }] });
    expect(run(iamPermissionsRule, modified('AWS::IAM::Policy', broken(s3Only), broken(plusIam)))).toHaveLength(1);
  });

  test('a statement, or a role inline policy, behind Fn::If is compared as text, not skipped', () => {
    const ifStatement = (action: string) => ({
      PolicyDocument: doc(allow('s3:GetObject'), { 'Fn::If': ['C', allow(action), { Ref: 'AWS::NoValue' }] }),
      Roles: [{ Ref: 'Role' }],
    });
    const statementFindings = run(
      iamPermissionsRule,
      modified('AWS::IAM::Policy', ifStatement('s3:ListBucket'), ifStatement('*')),
    );
    expect(statementFindings).toHaveLength(1);
    expect(statementFindings[0]).toMatch(/^iam-permissions-broadened: allows opaque:\{"Fn::If"/);
    expect(run(iamPermissionsRule, modified('AWS::IAM::Policy', ifStatement('*'), ifStatement('*')))).toEqual([]);
    const ifPolicy = (d: object) => ({
      Policies: [{ 'Fn::If': ['C', { PolicyName: 'inline', PolicyDocument: d }, { Ref: 'AWS::NoValue' }] }],
    });
    expect(run(iamPermissionsRule, modified('AWS::IAM::Role', ifPolicy(s3Only), ifPolicy(plusIam)))).toHaveLength(1);
    expect(run(iamPermissionsRule, modified('AWS::IAM::Role', ifPolicy(s3Only), ifPolicy(s3Only)))).toEqual([]);
  });
});

describe('iamPermissionsRule: an inline policy resource moved to another identity', () => {
  const everything = doc(allow('*'));

  test.each([
    ['AWS::IAM::RolePolicy', 'RoleName', 'role'],
    ['AWS::IAM::UserPolicy', 'UserName', 'user'],
    ['AWS::IAM::GroupPolicy', 'GroupName', 'group'],
  ])('a %s whose %s changes is reported: the same grants now apply to another identity', (type, name, label) => {
    const policy = (target: string) => ({ PolicyName: 'admin', PolicyDocument: everything, [name]: { Ref: target } });
    expect(run(iamPermissionsRule, modified(type, policy('Admin'), policy('Workload')))).toEqual([
      `iam-permissions-broadened: now applies to ${label} \${Workload} (was \${Admin})`,
    ]);
    expect(run(iamPermissionsRule, modified(type, policy('Admin'), policy('Admin')))).toEqual([]);
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

describe('resourcePolicyRule: a removed policy resource', () => {
  const tlsDeny = doc({
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 's3:*',
    Resource: ['arn:b', 'arn:b/*'],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
  const removedWith = (type: string, props: object): ResourceChange => ({
    logicalId: 'R',
    type,
    before: { Type: type, Properties: props as CfnResource['Properties'] },
  });

  test.each([
    ['AWS::S3::BucketPolicy', 'PolicyDocument'],
    ['AWS::SNS::TopicPolicy', 'PolicyDocument'],
    ['AWS::SQS::QueuePolicy', 'PolicyDocument'],
    ['AWS::SecretsManager::ResourcePolicy', 'ResourcePolicy'],
  ])(
    'a removed %s that held a Deny is reported (the resource it protected stays, without the Deny)',
    (type, property) => {
      // CDK removes the whole BucketPolicy when enforceSSL is switched off and no other statement is left.
      expect(run(resourcePolicyRule, removedWith(type, { [property]: tlsDeny }))).toEqual([
        `resource-policy-broadened: ${property}: no longer denies s3:*`,
      ]);
    },
  );

  test('a removed policy resource that only allowed, or a removed key or table with its own policy, is quiet', () => {
    const grant = doc(allow('s3:GetObject', 'arn:b/*', { Principal: { AWS: 'arn:aws:iam::1:root' } }));
    expect(run(resourcePolicyRule, removedWith('AWS::S3::BucketPolicy', { PolicyDocument: grant }))).toEqual([]);
    // The policy goes with the resource it is part of: nothing is left for the Deny to protect.
    expect(run(resourcePolicyRule, removedWith('AWS::KMS::Key', { KeyPolicy: tlsDeny }))).toEqual([]);
    expect(
      run(resourcePolicyRule, removedWith('AWS::DynamoDB::Table', { ResourcePolicy: { PolicyDocument: tlsDeny } })),
    ).toEqual([]);
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

describe('securityGroupIngressRule: IPv6 ranges and very wide public ranges', () => {
  const sg = (...SecurityGroupIngress: object[]) => ({ GroupDescription: 'g', SecurityGroupIngress });
  const ssh = (source: object) => ({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, ...source });

  test.each([
    [
      'an IPv6 CIDR widened to all global unicast',
      sg(ssh({ CidrIpv6: '2001:db8:1:2::/64' })),
      sg(ssh({ CidrIpv6: '2000::/3' })),
      ['ingress widened from tcp, port 22, from 2001:db8:1:2::/64 to tcp, port 22, from 2000::/3'],
    ],
    [
      'half of the IPv4 internet twice',
      sg(),
      sg(ssh({ CidrIp: '0.0.0.0/1' }), ssh({ CidrIp: '128.0.0.0/1' })),
      [
        'ingress open to a wide public range: tcp, port 22, from 0.0.0.0/1',
        'ingress open to a wide public range: tcp, port 22, from 128.0.0.0/1',
      ],
    ],
    [
      'a new IPv6 /12',
      sg(),
      sg(ssh({ CidrIpv6: '2a00::/12' })),
      ['ingress open to a wide public range: tcp, port 22, from 2a00::/12'],
    ],
  ])('reports %s', (_, before, after, expected) => {
    expect(run(securityGroupIngressRule, modified('AWS::EC2::SecurityGroup', before, after))).toEqual(
      expected.map((e) => `security-group-ingress-opened: ${e}`),
    );
  });

  test.each([
    ['an IPv6 CIDR narrowed', sg(ssh({ CidrIpv6: '2001:db8::/32' })), sg(ssh({ CidrIpv6: '2001:db8:1:2::/64' }))],
    ['a new private /8', sg(), sg(ssh({ CidrIp: '10.0.0.0/8' }))],
    ['a new IPv6 ULA range', sg(), sg(ssh({ CidrIpv6: 'fd00::/8' }))],
    ['a new public /16', sg(), sg(ssh({ CidrIp: '203.0.0.0/16' }))],
    ['IPv6 written differently', sg(ssh({ CidrIpv6: '2001:DB8:0:0::/64' })), sg(ssh({ CidrIpv6: '2001:db8::/64' }))],
  ])('stays quiet when %s', (_, before, after) => {
    expect(run(securityGroupIngressRule, modified('AWS::EC2::SecurityGroup', before, after))).toEqual([]);
  });
});

describe('securityGroupIngressRule: a standalone rule moved to another group', () => {
  const ingress = (GroupId: unknown) => ({ GroupId, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' });
  const bastion = { 'Fn::GetAtt': ['Bastion', 'GroupId'] };
  const db = { 'Fn::GetAtt': ['Db', 'GroupId'] };

  test('is a new rule on that group', () => {
    expect(
      run(securityGroupIngressRule, modified('AWS::EC2::SecurityGroupIngress', ingress(bastion), ingress(db))),
    ).toEqual(['security-group-ingress-opened: ingress open to the internet: tcp, port 22, from 0.0.0.0/0']);
  });

  test('on the same group, an unchanged world-open rule stays quiet (it was already open)', () => {
    expect(
      run(
        securityGroupIngressRule,
        modified('AWS::EC2::SecurityGroupIngress', ingress(bastion), { ...ingress(bastion), Description: 'ssh' }),
      ),
    ).toEqual([]);
  });
});

describe('encryptionRule: S3 default encryption with our KMS key', () => {
  const bucket = (byDefault: object) => ({
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: byDefault }] },
  });
  const key = { 'Fn::GetAtt': ['K', 'Arn'] };
  const where = 'Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault';

  const bucketChange = (before: object, after: object) =>
    run(encryptionRule, modified('AWS::S3::Bucket', bucket(before), bucket(after)));

  test.each([
    [
      'SSE-KMS with a customer key replaced by SSE-S3 (KMSMasterKeyID, capital D)',
      { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key },
      { SSEAlgorithm: 'AES256' },
      [`${where}.KMSMasterKeyID removed`, `${where}.SSEAlgorithm set to "AES256"`],
    ],
    [
      'the customer key removed, SSE-KMS kept (AWS managed key aws/s3 instead of ours)',
      { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key },
      { SSEAlgorithm: 'aws:kms' },
      [`${where}.KMSMasterKeyID removed`],
    ],
  ])('reports %s', (_, before, after, details) => {
    expect(bucketChange(before, after)).toEqual(details.map((d) => `encryption-disabled: ${d}`));
  });

  test.each([
    ['SSE-S3 to SSE-KMS', { SSEAlgorithm: 'AES256' }, { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key }],
    [
      'aws:kms to aws:kms:dsse',
      { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key },
      { SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: key },
    ],
  ])('stays quiet on %s', (_, before, after) => {
    expect(bucketChange(before, after)).toEqual([]);
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

const added = (type: string, props: object): ResourceChange => ({
  logicalId: 'R',
  type,
  after: { Type: type, Properties: props as CfnResource['Properties'] },
});
const removed = (type: string): ResourceChange => ({ logicalId: 'R', type, before: { Type: type, Properties: {} } });

describe('loggingRule: detection services removed', () => {
  test.each([
    'AWS::SecurityHub::Hub',
    'AWS::SecurityHub::Standard',
    'AWS::AccessAnalyzer::Analyzer',
    'AWS::Config::ConfigRule',
    'AWS::Config::DeliveryChannel',
    'AWS::Config::ConformancePack',
  ])('reports %s removed', (type) => {
    expect(run(loggingRule, removed(type))).toEqual([`logging-disabled: ${type} removed`]);
  });
});

describe('lambdaPublicRule', () => {
  const permission = (extra: object) => ({ FunctionName: 'f', Action: 'lambda:InvokeFunction', ...extra });

  test('a new permission for any principal is reported, with its limits', () => {
    expect(run(lambdaPublicRule, added('AWS::Lambda::Permission', permission({ Principal: '*' })))).toEqual([
      'resource-policy-broadened: lambda:InvokeFunction granted to any principal (*)',
    ]);
    expect(
      run(
        lambdaPublicRule,
        added(
          'AWS::Lambda::Permission',
          permission({ Principal: '*', Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE' }),
        ),
      ),
    ).toEqual([
      'resource-policy-broadened: lambda:InvokeFunctionUrl granted to any principal (*) through a function URL with AuthType NONE (public)',
    ]);
  });

  test('a source condition removed from a permission for any principal is reported', () => {
    expect(
      run(
        lambdaPublicRule,
        modified(
          'AWS::Lambda::Permission',
          permission({ Principal: '*', PrincipalOrgID: 'o-1' }),
          permission({ Principal: '*' }),
        ),
      ),
    ).toEqual(['resource-policy-broadened: lambda:InvokeFunction granted to any principal (*)']);
  });

  test('the action of a permission for any principal widened is reported; narrowed, it is quiet', () => {
    const url = (Action: string) => permission({ Principal: '*', Action, FunctionUrlAuthType: 'NONE' });
    expect(
      run(lambdaPublicRule, modified('AWS::Lambda::Permission', url('lambda:InvokeFunctionUrl'), url('lambda:*'))),
    ).toEqual([
      'resource-policy-broadened: lambda:* granted to any principal (*) through a function URL with AuthType NONE (public)',
    ]);
    expect(
      run(
        lambdaPublicRule,
        modified(
          'AWS::Lambda::Permission',
          permission({ Principal: '*', Action: 'lambda:InvokeFunctionUrl' }),
          permission({ Principal: '*', Action: 'lambda:InvokeFunction' }),
        ),
      ),
    ).toEqual(['resource-policy-broadened: lambda:InvokeFunction granted to any principal (*)']);
    expect(
      run(lambdaPublicRule, modified('AWS::Lambda::Permission', url('lambda:*'), url('lambda:InvokeFunctionUrl'))),
    ).toEqual([]);
  });

  test('a function URL with AuthType NONE is reported when new or switched from AWS_IAM', () => {
    const expected = ['resource-policy-broadened: function URL with AuthType NONE: no IAM authentication'];
    expect(run(lambdaPublicRule, added('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: 'f' }))).toEqual(
      expected,
    );
    expect(run(lambdaPublicRule, modified('AWS::Lambda::Url', { AuthType: 'AWS_IAM' }, { AuthType: 'NONE' }))).toEqual(
      expected,
    );
  });

  test('a service principal, an unchanged public permission, or an IAM-authenticated URL stay quiet', () => {
    expect(
      run(lambdaPublicRule, added('AWS::Lambda::Permission', permission({ Principal: 's3.amazonaws.com' }))),
    ).toEqual([]);
    expect(
      run(
        lambdaPublicRule,
        modified(
          'AWS::Lambda::Permission',
          permission({ Principal: '*' }),
          permission({ Principal: '*', FunctionName: 'g' }),
        ),
      ),
    ).toEqual([]);
    expect(run(lambdaPublicRule, added('AWS::Lambda::Url', { AuthType: 'AWS_IAM' }))).toEqual([]);
  });
});

describe('publicAccessRule: public canned ACL', () => {
  test.each(['PublicRead', 'PublicReadWrite', 'AuthenticatedRead'])('reports AccessControl %s', (acl) => {
    expect(run(publicAccessRule, modified('AWS::S3::Bucket', {}, { AccessControl: acl }))).toEqual([
      `public-access-opened: Properties.AccessControl set to "${acl}"`,
    ]);
  });

  test('a private ACL, or one that was already public, stays quiet', () => {
    expect(run(publicAccessRule, modified('AWS::S3::Bucket', {}, { AccessControl: 'Private' }))).toEqual([]);
    expect(
      run(
        publicAccessRule,
        modified('AWS::S3::Bucket', { AccessControl: 'PublicRead' }, { AccessControl: 'PublicRead', Tags: [] }),
      ),
    ).toEqual([]);
  });
});

describe('group membership', () => {
  test('a user added to a group through User.Groups is reported', () => {
    expect(
      run(iamPermissionsRule, modified('AWS::IAM::User', { Groups: ['dev'] }, { Groups: ['dev', { Ref: 'Admins' }] })),
    ).toEqual(['iam-permissions-broadened: added to groups ${Admins}']);
  });

  test('a UserToGroupAddition adding users, or moved to another group, is reported', () => {
    expect(
      run(
        groupMembershipRule,
        added('AWS::IAM::UserToGroupAddition', { GroupName: { Ref: 'Admins' }, Users: ['alice'] }),
      ),
    ).toEqual(['iam-permissions-broadened: adds users alice to group ${Admins}']);
    expect(
      run(
        groupMembershipRule,
        modified(
          'AWS::IAM::UserToGroupAddition',
          { GroupName: 'readers', Users: ['alice'] },
          { GroupName: 'admins', Users: ['alice'] },
        ),
      ),
    ).toEqual(['iam-permissions-broadened: adds users alice to group admins']);
  });

  test('users removed from a group stay quiet', () => {
    expect(
      run(
        groupMembershipRule,
        modified(
          'AWS::IAM::UserToGroupAddition',
          { GroupName: 'g', Users: ['a', 'b'] },
          { GroupName: 'g', Users: ['a'] },
        ),
      ),
    ).toEqual([]);
  });
});

describe('statefulReplacementRule: retention removed', () => {
  const bucket = (policy?: string): ResourceChange['after'] => ({
    Type: 'AWS::S3::Bucket',
    Properties: {},
    ...(policy ? { DeletionPolicy: policy, UpdateReplacePolicy: policy } : {}),
  });

  test('Retain to Delete (or to no policy) on a stateful resource is reported for both policies', () => {
    const change: ResourceChange = {
      logicalId: 'B',
      type: 'AWS::S3::Bucket',
      before: bucket('Retain'),
      after: bucket(),
    };
    expect(run(statefulReplacementRule, change)).toEqual([
      'stateful-retention-removed: DeletionPolicy Retain -> Delete: a later removal or replacement deletes its data',
      'stateful-retention-removed: UpdateReplacePolicy Retain -> Delete: a later removal or replacement deletes its data',
    ]);
  });

  test('Delete to Retain, or a stateless resource, stays quiet', () => {
    expect(
      run(statefulReplacementRule, {
        logicalId: 'B',
        type: 'AWS::S3::Bucket',
        before: bucket('Delete'),
        after: bucket('Retain'),
      }),
    ).toEqual([]);
    const param = (policy?: string) => ({
      Type: 'AWS::SSM::Parameter',
      Properties: {},
      ...(policy ? { DeletionPolicy: policy } : {}),
    });
    expect(
      run(statefulReplacementRule, {
        logicalId: 'P',
        type: 'AWS::SSM::Parameter',
        before: param('Retain'),
        after: param(),
      }),
    ).toEqual([]);
  });
});

describe('securityGroupEgressRule', () => {
  const sg = (...SecurityGroupEgress: object[]) => ({ GroupDescription: 'g', SecurityGroupEgress });
  const tcp = (from: number, to: number, destination: object) => ({
    IpProtocol: 'tcp',
    FromPort: from,
    ToPort: to,
    ...destination,
  });
  // What CDK writes for allowAllOutbound: false.
  const closed = {
    CidrIp: '255.255.255.255/32',
    Description: 'Disallow all traffic',
    FromPort: 252,
    IpProtocol: 'icmp',
    ToPort: 86,
  };
  const allOut = { CidrIp: '0.0.0.0/0', Description: 'Allow all outbound traffic by default', IpProtocol: '-1' };

  test.each([
    [
      'a restricted group (CDK allowAllOutbound: false) opened to all outbound traffic',
      sg(closed),
      sg(allOut),
      ['egress open to the internet: all traffic, all ports, to 0.0.0.0/0'],
    ],
    [
      'a new rule to ::/0 on port 22',
      sg(tcp(443, 443, { CidrIp: '10.0.0.0/16' })),
      sg(tcp(443, 443, { CidrIp: '10.0.0.0/16' }), tcp(22, 22, { CidrIpv6: '::/0' })),
      ['egress open to the internet: tcp, port 22, to ::/0'],
    ],
    [
      'a destination CIDR widened',
      sg(tcp(5432, 5432, { CidrIp: '10.0.1.0/24' })),
      sg(tcp(5432, 5432, { CidrIp: '10.0.0.0/8' })),
      ['egress widened from tcp, port 5432, to 10.0.1.0/24 to tcp, port 5432, to 10.0.0.0/8'],
    ],
    [
      'every egress rule removed (EC2 then allows all outbound traffic)',
      sg(tcp(443, 443, { CidrIp: '10.0.0.0/16' })),
      { GroupDescription: 'g' },
      [
        'egress open to the internet: all traffic, all ports, to 0.0.0.0/0 (no SecurityGroupEgress rules left: the group may fall back to the EC2 default, all outbound traffic)',
        'egress open to the internet: all traffic, all ports, to ::/0 (no SecurityGroupEgress rules left: the group may fall back to the EC2 default, all outbound traffic)',
      ],
    ],
  ])('reports %s', (_, before, after, expected) => {
    expect(run(securityGroupEgressRule, modified('AWS::EC2::SecurityGroup', before, after))).toEqual(
      expected.map((e) => `security-group-egress-opened: ${e}`),
    );
  });

  test('reports a standalone SecurityGroupEgress to the internet, new or moved to another group', () => {
    const egress = (GroupId: unknown) => ({ GroupId, ...tcp(443, 443, { CidrIp: '0.0.0.0/0' }) });
    expect(run(securityGroupEgressRule, added('AWS::EC2::SecurityGroupEgress', egress('sg-1')))).toEqual([
      'security-group-egress-opened: egress open to the internet: tcp, port 443, to 0.0.0.0/0',
    ]);
    expect(
      run(securityGroupEgressRule, modified('AWS::EC2::SecurityGroupEgress', egress('sg-1'), egress('sg-2'))),
    ).toHaveLength(1);
  });

  test.each([
    ['a new group with the default all-outbound rule', added('AWS::EC2::SecurityGroup', sg(allOut))],
    ['a new group without egress rules', added('AWS::EC2::SecurityGroup', { GroupDescription: 'g' })],
    ['an all-outbound group unchanged but for its ingress', modified('AWS::EC2::SecurityGroup', {}, sg(allOut))],
    ['egress narrowed', modified('AWS::EC2::SecurityGroup', sg(allOut), sg(tcp(443, 443, { CidrIp: '0.0.0.0/0' })))],
    [
      'a new egress to another security group',
      modified(
        'AWS::EC2::SecurityGroup',
        sg(closed),
        sg(closed, tcp(5432, 5432, { DestinationSecurityGroupId: 'sg-db' })),
      ),
    ],
    [
      'a standalone egress to a private range',
      added('AWS::EC2::SecurityGroupEgress', { GroupId: 'sg-1', ...tcp(443, 443, { CidrIp: '10.0.0.0/16' }) }),
    ],
  ])('stays quiet for %s', (_, change) => {
    expect(run(securityGroupEgressRule, change)).toEqual([]);
  });

  test('ingress rules are not read as egress, nor egress as ingress', () => {
    const both = (ingress: object[], egress: object[]) => ({
      SecurityGroupIngress: ingress,
      SecurityGroupEgress: egress,
    });
    const change = modified(
      'AWS::EC2::SecurityGroup',
      both([], [closed]),
      both([tcp(22, 22, { CidrIp: '0.0.0.0/0' })], [closed]),
    );
    expect(run(securityGroupEgressRule, change)).toEqual([]);
    expect(run(securityGroupIngressRule, change)).toHaveLength(1);
  });
});

describe('resourcePolicyRule: more resource policies', () => {
  const account = (id: string) => ({ AWS: `arn:aws:iam::${id}:root` });
  const grant = (Principal: unknown, extra: object = {}) => doc(allow('x:Get', 'arn:r', { Principal, ...extra }));

  test.each([
    ['AWS::ECR::Repository', 'RepositoryPolicyText', (d: object) => ({ RepositoryPolicyText: d })],
    ['AWS::ECR::RegistryPolicy', 'PolicyText', (d: object) => ({ PolicyText: d })],
    ['AWS::SecretsManager::ResourcePolicy', 'ResourcePolicy', (d: object) => ({ SecretId: 's', ResourcePolicy: d })],
    // CloudWatch Logs takes the document as a JSON string.
    [
      'AWS::Logs::ResourcePolicy',
      'PolicyDocument',
      (d: object) => ({ PolicyName: 'p', PolicyDocument: JSON.stringify(d) }),
    ],
    ['AWS::Logs::Destination', 'DestinationPolicy', (d: object) => ({ DestinationPolicy: JSON.stringify(d) })],
    ['AWS::Events::EventBus', 'Policy', (d: object) => ({ Name: 'bus', Policy: d })],
    ['AWS::ApiGateway::RestApi', 'Policy', (d: object) => ({ Name: 'api', Policy: d })],
    ['AWS::OpenSearchService::Domain', 'AccessPolicies', (d: object) => ({ AccessPolicies: d })],
    ['AWS::Elasticsearch::Domain', 'AccessPolicies', (d: object) => ({ AccessPolicies: d })],
    ['AWS::CodeArtifact::Domain', 'PermissionsPolicyDocument', (d: object) => ({ PermissionsPolicyDocument: d })],
    ['AWS::CodeArtifact::Repository', 'PermissionsPolicyDocument', (d: object) => ({ PermissionsPolicyDocument: d })],
    ['AWS::Backup::BackupVault', 'AccessPolicy', (d: object) => ({ AccessPolicy: d })],
    ['AWS::EFS::FileSystem', 'FileSystemPolicy', (d: object) => ({ FileSystemPolicy: d })],
    ['AWS::S3::AccessPoint', 'Policy', (d: object) => ({ Bucket: 'b', Policy: d })],
    ['AWS::KMS::ReplicaKey', 'KeyPolicy', (d: object) => ({ KeyPolicy: d })],
    ['AWS::Kinesis::ResourcePolicy', 'ResourcePolicy', (d: object) => ({ ResourceArn: 'a', ResourcePolicy: d })],
    ['AWS::Glue::ResourcePolicy', 'PolicyInJson', (d: object) => ({ PolicyInJson: d })],
    [
      'AWS::DynamoDB::Table',
      'ResourcePolicy.PolicyDocument',
      (d: object) => ({ KeySchema: [], ResourcePolicy: { PolicyDocument: d } }),
    ],
    ['AWS::EC2::VPCEndpoint', 'PolicyDocument', (d: object) => ({ ServiceName: 's', VpcId: 'v', PolicyDocument: d })],
    [
      'AWS::Logs::LogGroup',
      'ResourcePolicyDocument',
      (d: object) => ({ LogGroupName: 'g', ResourcePolicyDocument: JSON.stringify(d) }),
    ],
    ['AWS::ECR::PublicRepository', 'RepositoryPolicyText', (d: object) => ({ RepositoryPolicyText: d })],
  ])(
    'a %s policy opened to any principal, to another account, or without its condition is reported',
    (type, property, props) => {
      const orgOnly = { Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } };
      expect(run(resourcePolicyRule, modified(type, props(grant(account('1'))), props(grant('*'))))).toEqual([
        `resource-policy-broadened: ${property}: to * allows x:Get on arn:r (any principal)`,
      ]);
      expect(run(resourcePolicyRule, modified(type, props(grant(account('1'))), props(grant(account('2')))))).toEqual([
        `resource-policy-broadened: ${property}: to AWS:arn:aws:iam::2:root allows x:Get on arn:r`,
      ]);
      expect(run(resourcePolicyRule, modified(type, props(grant('*', orgOnly)), props(grant('*'))))).toEqual([
        `resource-policy-broadened: ${property}: conditions removed or relaxed for x:Get by *`,
      ]);
      expect(run(resourcePolicyRule, modified(type, props(grant('*')), props(grant('*', orgOnly))))).toEqual([]);
    },
  );

  test('a JSON string policy with tokens (Fn::Join) is compared by what it grants, not as text', () => {
    const joined = (principal: string) => ({
      PolicyName: 'p',
      PolicyDocument: {
        'Fn::Join': [
          '',
          [
            `{"Statement":[{"Effect":"Allow","Principal":${principal},"Action":"logs:PutLogEvents","Resource":"`,
            { 'Fn::GetAtt': ['Group', 'Arn'] },
            '"}]}',
          ],
        ],
      },
    });
    const service = '{"Service":"es.amazonaws.com"}';
    expect(run(resourcePolicyRule, modified('AWS::Logs::ResourcePolicy', joined(service), joined(service)))).toEqual(
      [],
    );
    expect(run(resourcePolicyRule, modified('AWS::Logs::ResourcePolicy', joined(service), joined('"*"')))).toEqual([
      'resource-policy-broadened: PolicyDocument: to * allows logs:PutLogEvents on ${Group.Arn} (any principal)',
    ]);
  });

  test('an EventBusPolicy, in the Statement form and the legacy Principal/Action form, is compared as a policy', () => {
    const statement = (Principal: unknown) => ({
      EventBusName: 'bus',
      StatementId: 's',
      Statement: { Effect: 'Allow', Principal, Action: 'events:PutEvents', Resource: 'arn:bus' },
    });
    expect(
      run(
        resourcePolicyRule,
        modified('AWS::Events::EventBusPolicy', statement({ AWS: '111111111111' }), statement('*')),
      ),
    ).toEqual(['resource-policy-broadened: Statement: to * allows events:PutEvents on arn:bus (any principal)']);
    const legacy = (Principal: string, Condition?: object) => ({
      EventBusName: 'bus',
      StatementId: 's',
      Action: 'events:PutEvents',
      Principal,
      ...(Condition ? { Condition } : {}),
    });
    const org = { Type: 'StringEquals', Key: 'aws:PrincipalOrgID', Value: 'o-1' };
    expect(
      run(resourcePolicyRule, modified('AWS::Events::EventBusPolicy', legacy('111111111111'), legacy('222222222222'))),
    ).toEqual(['resource-policy-broadened: Statement: to AWS:222222222222 allows events:PutEvents on bus']);
    expect(run(resourcePolicyRule, modified('AWS::Events::EventBusPolicy', legacy('*', org), legacy('*')))).toEqual([
      'resource-policy-broadened: Statement: conditions removed or relaxed for events:PutEvents by *',
    ]);
  });
});

describe('resourcePolicyRule: VPC endpoint policies', () => {
  const endpoint = (PolicyDocument?: object) => ({
    ServiceName: 'com.amazonaws.eu-west-1.s3',
    VpcId: 'vpc-1',
    ...(PolicyDocument ? { PolicyDocument } : {}),
  });
  const ourBucket = doc(allow('s3:GetObject', 'arn:aws:s3:::ours/*', { Principal: '*' }));

  test('a policy removed from an endpoint is reported: the endpoint falls back to full access', () => {
    expect(run(resourcePolicyRule, modified('AWS::EC2::VPCEndpoint', endpoint(ourBucket), endpoint()))).toEqual([
      'resource-policy-broadened: PolicyDocument: to * allows * on * (wildcard action, wildcard resource, any principal)',
    ]);
  });

  test('a new endpoint, with or without a policy, and a policy added to an endpoint, are quiet', () => {
    // Full access is the EC2 (and CDK) default: a new endpoint cannot allow more than that.
    expect(run(resourcePolicyRule, added('AWS::EC2::VPCEndpoint', endpoint()))).toEqual([]);
    expect(run(resourcePolicyRule, added('AWS::EC2::VPCEndpoint', endpoint(ourBucket)))).toEqual([]);
    expect(run(resourcePolicyRule, modified('AWS::EC2::VPCEndpoint', endpoint(), endpoint(ourBucket)))).toEqual([]);
    expect(run(resourcePolicyRule, modified('AWS::EC2::VPCEndpoint', endpoint(), endpoint()))).toEqual([]);
  });
});

describe('lambdaPublicRule: layer version permissions', () => {
  const share = (Principal: string, extra: object = {}) => ({
    Action: 'lambda:GetLayerVersion',
    LayerVersionArn: { Ref: 'Layer' },
    Principal,
    ...extra,
  });

  test('a layer shared with any principal is reported, new or changed from one account', () => {
    expect(run(lambdaPublicRule, added('AWS::Lambda::LayerVersionPermission', share('*')))).toEqual([
      'resource-policy-broadened: lambda:GetLayerVersion on layer ${Layer} granted to any principal (*): every AWS account',
    ]);
    expect(
      run(lambdaPublicRule, modified('AWS::Lambda::LayerVersionPermission', share('222222222222'), share('*'))),
    ).toHaveLength(1);
    // The same public share moved to another layer shares that layer.
    expect(
      run(
        lambdaPublicRule,
        modified('AWS::Lambda::LayerVersionPermission', share('*'), share('*', { LayerVersionArn: { Ref: 'Other' } })),
      ),
    ).toEqual([
      'resource-policy-broadened: lambda:GetLayerVersion on layer ${Other} granted to any principal (*): every AWS account',
    ]);
  });

  test('an OrganizationId limit removed is reported; one kept or added is quiet', () => {
    const org = { OrganizationId: 'o-1' };
    expect(run(lambdaPublicRule, modified('AWS::Lambda::LayerVersionPermission', share('*', org), share('*')))).toEqual(
      [
        'resource-policy-broadened: lambda:GetLayerVersion on layer ${Layer} granted to any principal (*): every AWS account',
      ],
    );
    expect(run(lambdaPublicRule, added('AWS::Lambda::LayerVersionPermission', share('*', org)))).toEqual([
      'resource-policy-broadened: lambda:GetLayerVersion on layer ${Layer} granted to any principal (*), limited by OrganizationId',
    ]);
    expect(
      run(lambdaPublicRule, modified('AWS::Lambda::LayerVersionPermission', share('*', org), share('*', org))),
    ).toEqual([]);
    expect(run(lambdaPublicRule, modified('AWS::Lambda::LayerVersionPermission', share('*'), share('*', org)))).toEqual(
      [],
    );
    expect(run(lambdaPublicRule, added('AWS::Lambda::LayerVersionPermission', share('222222222222')))).toEqual([]);
    // Another organization is a new share.
    expect(
      run(
        lambdaPublicRule,
        modified('AWS::Lambda::LayerVersionPermission', share('*', org), share('*', { OrganizationId: 'o-2' })),
      ),
    ).toHaveLength(1);
  });
});

describe('statefulReplacementRule: Snapshot keeps data only where CloudFormation supports it', () => {
  const removedWith = (type: string, DeletionPolicy?: string, props: object = {}): ResourceChange => ({
    logicalId: 'R',
    type,
    before: {
      Type: type,
      Properties: props as CfnResource['Properties'],
      ...(DeletionPolicy ? { DeletionPolicy } : {}),
    },
  });

  test.each(['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::EFS::FileSystem'])(
    'a %s removed with DeletionPolicy Snapshot is reported as deleted (no snapshot is taken)',
    (type) => {
      expect(run(statefulReplacementRule, removedWith(type, 'Snapshot'))).toEqual([
        `stateful-deleted: removed with DeletionPolicy Snapshot (not supported for ${type}: no snapshot is taken): its data is deleted`,
      ]);
    },
  );

  test.each(['AWS::RDS::DBCluster', 'AWS::Neptune::DBCluster', 'AWS::DocDB::DBCluster', 'AWS::EC2::Volume'])(
    'a %s removed with DeletionPolicy Snapshot stays quiet (a final snapshot is kept)',
    (type) => {
      expect(run(statefulReplacementRule, removedWith(type, 'Snapshot'))).toEqual([]);
    },
  );

  test('an RDS cluster or standalone instance without DeletionPolicy defaults to Snapshot; a cluster member does not', () => {
    expect(run(statefulReplacementRule, removedWith('AWS::RDS::DBCluster'))).toEqual([]);
    expect(run(statefulReplacementRule, removedWith('AWS::RDS::DBInstance'))).toEqual([]);
    expect(
      run(statefulReplacementRule, removedWith('AWS::RDS::DBInstance', undefined, { DBClusterIdentifier: 'c' })),
    ).toEqual(['stateful-deleted: removed with DeletionPolicy Delete: its data is deleted']);
  });

  test('Retain to Snapshot on a type without snapshots is retention removed; on a type with snapshots it is not', () => {
    const change = (type: string, was: string, now: string): ResourceChange => ({
      logicalId: 'R',
      type,
      before: { Type: type, Properties: {}, DeletionPolicy: was },
      after: { Type: type, Properties: {}, DeletionPolicy: now },
    });
    expect(run(statefulReplacementRule, change('AWS::S3::Bucket', 'Retain', 'Snapshot'))).toEqual([
      'stateful-retention-removed: DeletionPolicy Retain -> Snapshot (not supported for AWS::S3::Bucket: no snapshot is taken): a later removal or replacement deletes its data',
    ]);
    expect(run(statefulReplacementRule, change('AWS::RDS::DBCluster', 'Retain', 'Snapshot'))).toEqual([]);
    // Snapshot to no policy on an RDS cluster: the default is Snapshot, nothing changes.
    const cluster = (DeletionPolicy?: string) => ({
      Type: 'AWS::RDS::DBCluster',
      Properties: {},
      ...(DeletionPolicy ? { DeletionPolicy } : {}),
    });
    expect(
      run(statefulReplacementRule, {
        logicalId: 'C',
        type: 'AWS::RDS::DBCluster',
        before: cluster('Snapshot'),
        after: cluster(),
      }),
    ).toEqual([]);
  });

  test('a bucket with Snapshot moved to a new logical id is deleted, not kept', () => {
    const bucket = { Type: 'AWS::S3::Bucket', Properties: {}, DeletionPolicy: 'Snapshot' };
    expect(
      run(statefulReplacementRule, {
        logicalId: 'New',
        type: 'AWS::S3::Bucket',
        before: bucket,
        after: bucket,
        renamedFrom: 'Old',
      }),
    ).toEqual([
      'stateful-replaced-logical-id: logical id Old -> New: CloudFormation creates a new AWS::S3::Bucket and deletes the old one (DeletionPolicy Snapshot (not supported for AWS::S3::Bucket: no snapshot is taken))',
    ]);
  });
});
