import { BASE_TEMPLATE, headTemplate } from './scenario';
import { compareAssemblies, compareTemplates, followRenames } from '../../scripts/change-report/change-report';
import type { AssemblyStack } from '../../scripts/change-report/cloud-assembly';
import { renderMarkdown } from '../../scripts/change-report/markdown';
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

  test('a stack added or removed lists all its resources; a deleted stateful resource without Retain is a finding', () => {
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
    expect(report.security).toEqual([
      expect.objectContaining({
        kind: 'stateful-deleted',
        environment: 'Prod',
        stack: 'old-stack',
        logicalId: 'Queue',
      }),
    ]);
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
