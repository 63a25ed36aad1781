import * as fs from 'fs';
import * as path from 'path';
import { BASE_TEMPLATE, headTemplate } from './scenario';
import { compareAssemblies, compareTemplates, followRenames } from '../../scripts/change-report/change-report';
import type { AssemblyStack } from '../../scripts/change-report/cloud-assembly';
import { FINDING_KIND_TITLES, renderMarkdown } from '../../scripts/change-report/markdown';
import { findReplacementSpec } from '../../scripts/change-report/replacement-spec';
import type { ChangeReport, SecurityFinding, SecurityFindingKind } from '../../scripts/change-report/types';

const spec = findReplacementSpec();

function stack(environment: string, stackName: string, template: AssemblyStack['template']): AssemblyStack {
  return { environment, stackName, artifactId: stackName, template };
}

function scenarioReport(): ChangeReport {
  return compareAssemblies([stack('Dev', 'dev-app', BASE_TEMPLATE)], [stack('Dev', 'dev-app', headTemplate())], spec, {
    baseLabel: 'base',
    headLabel: 'head',
  });
}

function findingsOf(report: ChangeReport, kind: SecurityFindingKind): SecurityFinding[] {
  return report.security.filter((f) => f.kind === kind);
}

describe('change report over the scenario (one of every change)', () => {
  const report = scenarioReport();
  const [dev] = report.stacks;

  test('an added resource is listed as added, with no finding', () => {
    expect(dev.added).toEqual([{ logicalId: 'NewParameter', type: 'AWS::SSM::Parameter' }]);
    expect(report.security.filter((f) => f.logicalId === 'NewParameter')).toEqual([]);
  });

  test('a removed resource is listed as removed, with no finding (it holds no data)', () => {
    expect(dev.removed).toEqual([{ logicalId: 'OldParameter', type: 'AWS::SSM::Parameter' }]);
    expect(report.security.filter((f) => f.logicalId === 'OldParameter')).toEqual([]);
  });

  test('an IAM statement broadened is a security finding naming the new actions and the wildcard', () => {
    const findings = findingsOf(report, 'iam-permissions-broadened');
    expect(findings.map((f) => f.logicalId)).toEqual(['AppPolicy']);
    expect(findings[0].detail).toContain('s3:PutObject');
    expect(findings[0].detail).toContain('kms:*');
    expect(findings[0].detail).toContain('wildcard action');
    expect(findings[0].detail).toContain('wildcard resource');
    // The grant that did not change is not reported as new.
    expect(findings[0].detail).not.toContain('s3:GetObject');
  });

  test('a trust policy widened is a security finding naming the new principal', () => {
    const findings = findingsOf(report, 'iam-trust-widened');
    expect(findings).toEqual([
      expect.objectContaining({ logicalId: 'AppRole', type: 'AWS::IAM::Role', environment: 'Dev', stack: 'dev-app' }),
    ]);
    expect(findings[0].detail).toContain('AWS:arn:aws:iam::222222222222:root');
  });

  test('a security group opened to 0.0.0.0/0 is a security finding', () => {
    expect(findingsOf(report, 'security-group-ingress-opened')).toEqual([
      expect.objectContaining({
        logicalId: 'WebSg',
        detail: 'ingress open to the internet: tcp, port 22, from 0.0.0.0/0',
      }),
    ]);
  });

  test('bucket encryption removed is a security finding', () => {
    expect(findingsOf(report, 'encryption-disabled')).toEqual([
      expect.objectContaining({ logicalId: 'LogsBucket', detail: 'Properties.BucketEncryption removed' }),
    ]);
  });

  test('a bucket moved to a new logical id is a stateful replacement, not an add and a remove', () => {
    expect(dev.renamed).toEqual([
      expect.objectContaining({
        fromLogicalId: 'DataBucketA1',
        toLogicalId: 'DataBucketB2',
        identicalProperties: true,
        stateful: true,
      }),
    ]);
    expect(dev.added.map((r) => r.logicalId)).not.toContain('DataBucketB2');
    expect(dev.removed.map((r) => r.logicalId)).not.toContain('DataBucketA1');
    const findings = findingsOf(report, 'stateful-replaced-logical-id');
    expect(findings.map((f) => f.logicalId)).toEqual(['DataBucketB2']);
    expect(findings[0].detail).toContain('DataBucketA1 -> DataBucketB2');
  });

  test('a change to a replacement-forcing property of a stateful resource is a security finding', () => {
    expect(findingsOf(report, 'stateful-replaced-property')).toEqual([
      expect.objectContaining({
        logicalId: 'NamedBucket',
        detail: 'Properties.BucketName changed: update requires replacement',
      }),
    ]);
    const named = dev.modified.find((m) => m.logicalId === 'NamedBucket');
    expect(named?.replacement).toBe('always');
    expect(named?.changes).toEqual([
      {
        path: 'Properties.BucketName',
        change: 'changed',
        before: 'groundwork-dev-data',
        after: 'groundwork-dev-data-v2',
        replacement: 'always',
      },
    ]);
  });

  test('modified resources carry property-level changes with JSON paths', () => {
    expect(dev.modified.map((m) => m.logicalId)).toEqual([
      'AppPolicy',
      'AppRole',
      'LogsBucket',
      'NamedBucket',
      'WebSg',
    ]);
    const sg = dev.modified.find((m) => m.logicalId === 'WebSg');
    expect(sg?.changes).toEqual([
      expect.objectContaining({ path: 'Properties.SecurityGroupIngress[1]', change: 'added', replacement: 'none' }),
    ]);
  });

  test('no finding outside the ones planted', () => {
    expect(report.security.map((f) => `${f.kind} ${f.logicalId}`)).toEqual([
      'iam-permissions-broadened AppPolicy',
      'iam-trust-widened AppRole',
      'security-group-ingress-opened WebSg',
      'encryption-disabled LogsBucket',
      'stateful-replaced-logical-id DataBucketB2',
      'stateful-replaced-property NamedBucket',
    ]);
  });

  test('summary counts', () => {
    expect(report.summary).toEqual({
      stacks: 1,
      stacksAdded: 0,
      stacksRemoved: 0,
      stacksModified: 1,
      resourcesAdded: 1,
      resourcesRemoved: 1,
      resourcesModified: 5,
      resourcesRenamed: 1,
      securityFindings: 6,
    });
  });

  test('Markdown lists the security-relevant changes before the per-stack tables', () => {
    const md = renderMarkdown(report);
    const security = md.indexOf('## Security-relevant changes');
    const perStack = md.indexOf('## Changes by environment and stack');
    expect(security).toBeGreaterThan(0);
    expect(perStack).toBeGreaterThan(security);
    for (const title of ['IAM permissions broadened', 'IAM trust widened', 'Security group ingress opened']) {
      const at = md.indexOf(title);
      expect(at).toBeGreaterThan(security);
      expect(at).toBeLessThan(perStack);
    }
    expect(md).toContain('### Dev / dev-app (modified)');
    expect(md).toContain('| moved | `DataBucketA1` → `DataBucketB2` | AWS::S3::Bucket | **always** (stateful) |');
  });

  test('per-stack tables stop at the size budget; the security section is always whole', () => {
    const md = renderMarkdown(report, 2000);
    expect(md).toContain('*1 more changed stack not shown here to stay within the job summary size limit');
    expect(md).not.toContain('### Dev / dev-app');
    expect(md).toContain('Stateful resource replaced (property change)');
  });

  test('the report is deterministic', () => {
    expect(JSON.stringify(scenarioReport())).toEqual(JSON.stringify(report));
    expect(renderMarkdown(scenarioReport())).toEqual(renderMarkdown(report));
  });
});

describe('change report across stacks and environments', () => {
  test('identical assemblies: no changes, security "None."', () => {
    const report = compareAssemblies([stack('Dev', 'a', BASE_TEMPLATE)], [stack('Dev', 'a', BASE_TEMPLATE)], spec, {
      baseLabel: 'b',
      headLabel: 'h',
    });
    expect(report.stacks.map((s) => s.status)).toEqual(['unchanged']);
    expect(report.security).toEqual([]);
    const md = renderMarkdown(report);
    expect(md).toMatch(/## Security-relevant changes\n\nNone\./);
    expect(md).toContain('No stack changes.');
  });

  test('a stack added or removed lists all its resources; a removed stack is left deployed, not deleted', () => {
    const doomed = { Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: {} } } };
    const report = compareAssemblies(
      [stack('Prod', 'old-stack', doomed)],
      [stack('Prod', 'new-stack', { Resources: { Topic: { Type: 'AWS::SNS::Topic' } } })],
      spec,
      { baseLabel: 'b', headLabel: 'h' },
    );
    expect(report.stacks.map((s) => [s.stack, s.status, s.added.length, s.removed.length])).toEqual([
      ['new-stack', 'added', 1, 0],
      ['old-stack', 'removed', 0, 1],
    ]);
    // CDK Pipelines does not delete a stack removed from the app (aws/aws-cdk#10759, #12463): one finding
    // for the stack, no per-resource "its data is deleted".
    expect(report.security).toEqual([
      expect.objectContaining({
        kind: 'stack-left-deployed',
        environment: 'Prod',
        stack: 'old-stack',
        logicalId: '(stack)',
        detail:
          'no longer in the assembly: CDK Pipelines does not delete stacks, so stack old-stack and its 1 resources ' +
          'stay deployed, no longer updated, until the stack is deleted by hand; that deletes Queue (stateful, no Retain policy)',
      }),
    ]);
    const md = renderMarkdown(report);
    expect(md).toContain('| Stack removed from the app (left deployed) | Prod | old-stack | `(stack)` | Stack |');
    expect(md).toContain('*No longer deployed by the pipeline. CDK Pipelines does not delete it');
    expect(md).not.toContain('its data is deleted');
  });

  test('a stack whose account or region changes is a new stack there and one left deployed in the old place', () => {
    const template = { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } } } };
    const at = (awsEnvironment: string): AssemblyStack => ({ ...stack('Prod', 'app', template), awsEnvironment });
    const report = compareAssemblies([at('aws://111111111111/eu-west-1')], [at('aws://999999999999/us-east-1')], spec, {
      baseLabel: 'b',
      headLabel: 'h',
    });
    expect(report.stacks.map((s) => [s.status, s.awsEnvironment, s.movedFrom, s.movedTo])).toEqual([
      ['removed', 'aws://111111111111/eu-west-1', undefined, 'aws://999999999999/us-east-1'],
      ['added', 'aws://999999999999/us-east-1', 'aws://111111111111/eu-west-1', undefined],
    ]);
    expect(report.security).toEqual([
      expect.objectContaining({
        kind: 'stack-left-deployed',
        awsEnvironment: 'aws://111111111111/eu-west-1',
        detail: expect.stringMatching(
          /^moved to aws:\/\/999999999999\/us-east-1: CDK Pipelines does not delete stacks, so stack app in aws:\/\/111111111111\/eu-west-1 and its 1 resources \(1 IAM resources among them\) stay deployed/,
        ),
      }),
    ]);
    const md = renderMarkdown(report);
    expect(md).toContain('Target: `aws://999999999999/us-east-1` (moved from `aws://111111111111/eu-west-1`)');
    expect(md).toContain('| Prod | app | removed | 0 | 1 | 0 | 0 | 1 |');
    expect(md).toContain('| Prod | app | added | 1 | 0 | 0 | 0 | 0 |');
  });

  test('stacks are keyed by environment: the same stack name in two environments stays apart', () => {
    const report = compareAssemblies(
      [stack('Dev', 'network', BASE_TEMPLATE), stack('Prod', 'network', BASE_TEMPLATE)],
      [stack('Dev', 'network', BASE_TEMPLATE), stack('Prod', 'network', headTemplate())],
      spec,
      { baseLabel: 'b', headLabel: 'h' },
    );
    expect(report.stacks.map((s) => `${s.environment}:${s.status}`)).toEqual(['Dev:unchanged', 'Prod:modified']);
    expect(new Set(report.security.map((f) => f.environment))).toEqual(new Set(['Prod']));
  });

  test('a policy that only follows a moved resource to its new id is not reported as broadened', () => {
    const base = {
      Resources: {
        OldQueue: { Type: 'AWS::SQS::Queue', Properties: {} },
        Policy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyDocument: {
              Statement: [
                { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['OldQueue', 'Arn'] } },
              ],
            },
          },
        },
      },
    };
    const head = JSON.parse(JSON.stringify(base).replace(/OldQueue/g, 'NewQueue'));
    const { change, findings } = compareTemplates('Dev', 's', base, head, spec);
    expect(change.renamed.map((r) => r.toLogicalId)).toEqual(['NewQueue']);
    expect(change.modified.map((m) => m.logicalId)).toEqual(['Policy']);
    expect(findings.map((f) => f.kind)).toEqual(['stateful-replaced-logical-id']);
  });

  test('a non-stateful resource that moves with identical properties is reported as moved, without a finding', () => {
    const param = { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'v' } };
    const { change, findings } = compareTemplates(
      'Dev',
      's',
      { Resources: { A: param } },
      { Resources: { B: param } },
      spec,
    );
    expect(change.renamed).toEqual([
      expect.objectContaining({ fromLogicalId: 'A', toLogicalId: 'B', stateful: false }),
    ]);
    expect(findings).toEqual([]);
  });

  test('a stateful resource removed and another of the same type added is a replacement even when properties differ', () => {
    const { change, findings } = compareTemplates(
      'Dev',
      's',
      { Resources: { KeyA: { Type: 'AWS::KMS::Key', Properties: { Description: 'one' } } } },
      { Resources: { KeyB: { Type: 'AWS::KMS::Key', Properties: { Description: 'two' } } } },
      spec,
    );
    expect(change.renamed).toEqual([
      expect.objectContaining({ fromLogicalId: 'KeyA', toLogicalId: 'KeyB', identicalProperties: false }),
    ]);
    expect(change.renamed[0].changes.map((c) => c.path)).toEqual(['Properties.Description']);
    expect(findings.map((f) => f.kind)).toEqual(['stateful-replaced-logical-id']);
  });

  test('Metadata-only changes are not modifications', () => {
    const withMeta = (p: string) => ({
      Resources: { P: { Type: 'AWS::SSM::Parameter', Properties: { Value: 'v' }, Metadata: { 'aws:cdk:path': p } } },
    });
    const { change } = compareTemplates('Dev', 's', withMeta('a/P'), withMeta('b/P'), spec);
    expect(change.status).toBe('unchanged');
  });
});

test('the Lambda, group membership and retention rules run in the report (registered in SECURITY_RULES)', () => {
  const bucket = (policy: string) => ({
    Type: 'AWS::S3::Bucket',
    DeletionPolicy: policy,
    UpdateReplacePolicy: 'Retain',
  });
  const { findings } = compareTemplates(
    'Dev',
    's',
    { Resources: { B: bucket('Retain') } },
    {
      Resources: {
        B: bucket('Delete'),
        Perm: {
          Type: 'AWS::Lambda::Permission',
          Properties: { FunctionName: 'f', Action: 'lambda:InvokeFunction', Principal: '*' },
        },
        Add: { Type: 'AWS::IAM::UserToGroupAddition', Properties: { GroupName: 'admins', Users: ['alice'] } },
      },
    },
    spec,
  );
  expect(findings.map((f) => `${f.kind} ${f.logicalId}`).sort()).toEqual([
    'iam-permissions-broadened Add',
    'resource-policy-broadened Perm',
    'stateful-retention-removed B',
  ]);
});

test('a BucketPolicy removed with its TLS Deny (enforceSSL switched off) is a finding on the removed policy', () => {
  const bucket = { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };
  const policy = {
    Type: 'AWS::S3::BucketPolicy',
    Properties: {
      Bucket: { Ref: 'Bucket' },
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [
              { 'Fn::GetAtt': ['Bucket', 'Arn'] },
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] },
            ],
          },
        ],
      },
    },
  };
  const { change, findings } = compareTemplates(
    'Dev',
    's',
    { Resources: { Bucket: bucket, Policy: policy } },
    { Resources: { Bucket: bucket } },
    spec,
  );
  expect(change.removed).toEqual([{ logicalId: 'Policy', type: 'AWS::S3::BucketPolicy' }]);
  expect(findings.map((f) => `${f.kind} ${f.logicalId}: ${f.detail}`)).toEqual([
    'resource-policy-broadened Policy: PolicyDocument: no longer denies s3:*',
  ]);
});

describe('changes outside Resources', () => {
  const publicRead = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
  const withCondition = (equals: string[], extra: object = {}) => ({
    Conditions: { Public: { 'Fn::Equals': equals } },
    Resources: {
      BP: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: 'b',
          PolicyDocument: { Statement: [{ 'Fn::If': ['Public', publicRead, { Ref: 'AWS::NoValue' }] }] },
        },
      },
    },
    ...extra,
  });

  test('a condition flipped: the stack is modified and the resources that use it are a finding', () => {
    const { change, findings } = compareTemplates(
      'Dev',
      's',
      withCondition(['no', 'yes']),
      withCondition(['yes', 'yes']),
      spec,
    );
    expect(change.status).toBe('modified');
    expect(change.templateChanges).toEqual([
      {
        path: 'Conditions.Public["Fn::Equals"][0]',
        change: 'changed',
        before: 'no',
        after: 'yes',
        replacement: 'none',
      },
    ]);
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'template-logic-changed',
        logicalId: 'Conditions.Public',
        type: 'Template',
        detail:
          'condition Public changed; the report does not evaluate conditions, so check by hand what it changes in BP',
      }),
    ]);
    const md = renderMarkdown(
      compareAssemblies(
        [stack('Dev', 's', withCondition(['no', 'yes']))],
        [stack('Dev', 's', withCondition(['yes', 'yes']))],
        spec,
        {
          baseLabel: 'b',
          headLabel: 'h',
        },
      ),
    );
    expect(md).toContain('| Parameter, condition or mapping changed (not evaluated) | Dev | s | `Conditions.Public` |');
    expect(md).toContain(
      '| template | (outside Resources) | | none | `Conditions.Public["Fn::Equals"][0]` `"no"` → `"yes"` |',
    );
  });

  test('a parameter default used through a condition, and a mapping, are findings naming their users', () => {
    const template = (cidr: string, account: string) => ({
      Parameters: { AllowedCidr: { Type: 'String', Default: cidr }, Unused: { Type: 'String', Default: cidr } },
      Conditions: { Open: { 'Fn::Equals': [{ Ref: 'AllowedCidr' }, '0.0.0.0/0'] } },
      Mappings: { Accounts: { prod: { id: account } } },
      Resources: {
        Ssh: {
          Type: 'AWS::EC2::SecurityGroupIngress',
          Properties: { GroupId: 'sg-1', IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/8' },
          Condition: 'Open',
        },
        Trust: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'sts:AssumeRole',
                  Principal: {
                    AWS: {
                      'Fn::Sub': ['arn:aws:iam::${Id}:root', { Id: { 'Fn::FindInMap': ['Accounts', 'prod', 'id'] } }],
                    },
                  },
                },
              ],
            },
          },
        },
      },
    });
    const { change, findings } = compareTemplates(
      'Dev',
      's',
      template('10.0.0.0/8', '111111111111'),
      template('0.0.0.0/0', '999999999999'),
      spec,
    );
    expect(change.status).toBe('modified');
    expect(change.modified).toEqual([]);
    expect(findings.map((f) => `${f.logicalId}: ${f.detail}`)).toEqual([
      'Mappings.Accounts: mapping Accounts changed; the report does not evaluate mappings, so check by hand what it changes in Trust',
      'Parameters.AllowedCidr: parameter AllowedCidr changed; the report does not evaluate parameters, so check by hand what it changes in Ssh',
    ]);
  });

  test('a resource that gains a Condition attribute (it may be deleted) is a finding', () => {
    const guardrail = {
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }] } },
    };
    const conditions = { Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } } };
    const { findings } = compareTemplates(
      'Dev',
      's',
      { ...conditions, Resources: { G: guardrail } },
      { ...conditions, Resources: { G: { ...guardrail, Condition: 'Never' } } },
      spec,
    );
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'template-logic-changed',
        logicalId: 'G',
        type: 'AWS::IAM::Policy',
        detail:
          'Condition attribute null -> "Never": when the condition is false CloudFormation deletes the resource (not evaluated)',
      }),
    ]);
  });

  test('a Transform change is a finding; Rules, Outputs and unused parameters are changes without one', () => {
    const base = withCondition(['no', 'yes']);
    const { change, findings } = compareTemplates(
      'Dev',
      's',
      {
        ...base,
        Parameters: { Unused: { Type: 'String' } },
        Rules: { R: { Assertions: [] } },
        Outputs: { O: { Value: 'a' } },
      },
      {
        ...base,
        Parameters: { Unused: { Type: 'String', Default: 'x' } },
        Rules: { R: { Assertions: [{ Assert: true }] } },
        Outputs: { O: { Value: 'b' } },
        Transform: 'AWS::LanguageExtensions',
      },
      spec,
    );
    expect(change.status).toBe('modified');
    expect(change.templateChanges.map((c) => c.path)).toEqual([
      'Outputs.O.Value',
      'Parameters.Unused.Default',
      'Rules.R.Assertions[0]',
      'Transform',
    ]);
    expect(findings.map((f) => f.logicalId)).toEqual(['Transform']);
  });

  test('Description and Metadata changes are not changes', () => {
    const { change } = compareTemplates(
      'Dev',
      's',
      { ...withCondition(['a', 'b']), Description: 'one', Metadata: { x: 1 } },
      { ...withCondition(['a', 'b']), Description: 'two', Metadata: { x: 2 } },
      spec,
    );
    expect(change.status).toBe('unchanged');
    expect(change.templateChanges).toEqual([]);
  });
});

test('followRenames rewrites Ref, Fn::GetAtt (both forms) and Fn::Sub references to moved resources only', () => {
  const renames = new Map([['Old', 'New']]);
  expect(
    followRenames(
      {
        a: { Ref: 'Old' },
        b: { 'Fn::GetAtt': ['Old', 'Arn'] },
        c: { 'Fn::GetAtt': 'Old.Arn' },
        d: { 'Fn::Sub': '${Old.Arn}/*:${Other}:${Old}' },
        e: { 'Fn::Sub': ['${Old}-${x}', { x: { Ref: 'Old' } }] },
        f: [{ Ref: 'Other' }, 'Old'],
      },
      renames,
    ),
  ).toEqual({
    a: { Ref: 'New' },
    b: { 'Fn::GetAtt': ['New', 'Arn'] },
    c: { 'Fn::GetAtt': 'New.Arn' },
    d: { 'Fn::Sub': '${New.Arn}/*:${Other}:${New}' },
    e: { 'Fn::Sub': ['${New}-${x}', { x: { Ref: 'New' } }] },
    f: [{ Ref: 'Other' }, 'Old'],
  });
});

test('two stacks with the same name in one environment are told apart by artifact id', () => {
  const east = { environment: 'Prod', stackName: 'network', artifactId: 'NetworkEast', template: BASE_TEMPLATE };
  const west = { environment: 'Prod', stackName: 'network', artifactId: 'NetworkWest', template: BASE_TEMPLATE };
  const report = compareAssemblies([east, west], [east, { ...west, template: headTemplate() }], spec, {
    baseLabel: 'b',
    headLabel: 'h',
  });
  expect(report.stacks.map((s) => `${s.stack}:${s.status}`)).toEqual([
    'network (NetworkEast):unchanged',
    'network (NetworkWest):modified',
  ]);
});

test('docs/contributing.md explains every finding kind, by its Markdown title', () => {
  const contributing = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'contributing.md'), 'utf-8');
  for (const title of Object.values(FINDING_KIND_TITLES)) {
    expect([title, contributing.includes(`| ${title} |`)]).toEqual([title, true]);
  }
});

test('the egress rule runs in the report (registered in SECURITY_RULES)', () => {
  const sg = (egress: object) => ({
    Type: 'AWS::EC2::SecurityGroup',
    Properties: { GroupDescription: 'g', SecurityGroupEgress: [egress] },
  });
  const { findings } = compareTemplates(
    'Dev',
    's',
    { Resources: { Sg: sg({ CidrIp: '10.0.0.0/16', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }) } },
    { Resources: { Sg: sg({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }) } },
    spec,
  );
  expect(findings.map((f) => `${f.kind} ${f.logicalId}: ${f.detail}`)).toEqual([
    'security-group-egress-opened Sg: egress open to the internet: all traffic, all ports, to 0.0.0.0/0',
  ]);
});

describe('cross-stack imports (Fn::ImportValue)', () => {
  const importing = (name: unknown) => ({
    Type: 'AWS::SSM::Parameter',
    Properties: { Type: 'String', Value: { 'Fn::ImportValue': name } },
  });

  test('a new import is a finding naming the export and its users; an import kept or removed is not', () => {
    const base = { Resources: { Kept: importing('network:VpcId') } };
    const head = {
      Resources: {
        Kept: importing('network:VpcId'),
        UsesSubnets: importing({ 'Fn::Sub': '${AWS::StackName}-subnets' }),
      },
      Outputs: { Subnets: { Value: { 'Fn::ImportValue': { 'Fn::Sub': '${AWS::StackName}-subnets' } } } },
    };
    const { findings } = compareTemplates('Dev', 'app', base, head, spec);
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'stack-import-added',
        logicalId: 'Outputs.Subnets, UsesSubnets',
        type: 'Fn::ImportValue',
        detail:
          'imports export ${AWS::StackName}-subnets (Fn::ImportValue): the stack that exports it must be deployed first, ' +
          'and CloudFormation refuses to change or delete that export while this stack imports it',
      }),
    ]);
    expect(compareTemplates('Dev', 'app', head, base, spec).findings).toEqual([]);
  });

  test('a new stack that imports is reported too; Metadata is not an import', () => {
    const head = {
      Resources: {
        P: importing('shared:KeyArn'),
        Q: { Type: 'AWS::SSM::Parameter', Properties: {}, Metadata: { note: { 'Fn::ImportValue': 'x' } } },
      },
    };
    expect(
      compareTemplates('Dev', 'app', undefined, head, spec).findings.map((f) => `${f.kind} ${f.logicalId}`),
    ).toEqual(['stack-import-added P']);
  });
});

describe('nested stacks', () => {
  const nested = (url: string) => ({
    Type: 'AWS::CloudFormation::Stack',
    Properties: { TemplateURL: url },
  });

  test('a nested stack added or changed whose template is not in the assembly is a finding', () => {
    const { findings } = compareTemplates(
      'Dev',
      'app',
      { Resources: { Old: nested('https://s3.amazonaws.com/t/v1.json') } },
      {
        Resources: {
          Old: nested('https://s3.amazonaws.com/t/v2.json'),
          New: nested('https://s3.amazonaws.com/n.json'),
        },
      },
      spec,
    );
    expect(findings.map((f) => `${f.kind} ${f.logicalId} ${f.type}: ${f.detail}`)).toEqual([
      'nested-stack-not-diffed New AWS::CloudFormation::Stack: nested stack added: its template (TemplateURL ' +
        'https://s3.amazonaws.com/n.json) is not in the assembly, so the resources inside it, and their security ' +
        'changes, are not in this report: review that template by hand',
      'nested-stack-not-diffed Old AWS::CloudFormation::Stack: nested stack changed: its template (TemplateURL ' +
        'https://s3.amazonaws.com/t/v2.json) is not in the assembly, so the resources inside it, and their security ' +
        'changes, are not in this report: review that template by hand',
    ]);
  });

  test('a nested stack whose template was read is compared as its own stack, without that finding', () => {
    const { findings } = compareTemplates(
      'Dev',
      'app',
      { Resources: { Inner: nested('a') } },
      { Resources: { Inner: nested('b') } },
      spec,
      undefined,
      { nestedStacksRead: ['Inner'] },
    );
    expect(findings).toEqual([]);
  });

  test('a nested stack removed from a parent that stays is deleted with its resources, not left deployed', () => {
    const parent = (resources: object): AssemblyStack => stack('Dev', 'app', { Resources: resources as never });
    const child: AssemblyStack = {
      ...stack('Dev', 'app/Inner', { Resources: { Table: { Type: 'AWS::DynamoDB::Table', Properties: {} } } }),
      parentStack: 'app',
    };
    const report = compareAssemblies([parent({ Inner: nested('a') }), child], [parent({})], spec, {
      baseLabel: 'b',
      headLabel: 'h',
    });
    expect(report.stacks.map((s) => [s.stack, s.status, s.parentStack])).toEqual([
      ['app', 'modified', undefined],
      ['app/Inner', 'removed', 'app'],
    ]);
    // The spec counts the nested stack resource as stateful: its removal is reported too.
    expect(report.security.map((f) => `${f.kind} ${f.stack} ${f.logicalId}`)).toEqual([
      'stateful-deleted app Inner',
      'stateful-deleted app/Inner Table',
    ]);
    expect(renderMarkdown(report)).toContain(
      'Nested stack `Inner` of `app`: removed from its parent, so CloudFormation deletes it and the resources below',
    );
    // The parent itself removed: its stack-left-deployed finding covers the nested stack.
    const gone = compareAssemblies([parent({ Inner: nested('a') }), child], [], spec, {
      baseLabel: 'b',
      headLabel: 'h',
    });
    expect(gone.security.map((f) => `${f.kind} ${f.stack}`)).toEqual(['stack-left-deployed app']);
  });
});

test('a stack left deployed names a bucket with DeletionPolicy Snapshot among what deleting it deletes', () => {
  const report = compareAssemblies(
    [stack('Prod', 'old', { Resources: { B: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Snapshot' } } })],
    [],
    spec,
    { baseLabel: 'b', headLabel: 'h' },
  );
  expect(report.security[0].detail).toContain('that deletes B (stateful, no Retain policy)');
});
