import { compareTemplates } from '../../scripts/change-report/change-report';
import { diffJson } from '../../scripts/change-report/json-diff';
import { findReplacementSpec } from '../../scripts/change-report/replacement-spec';

const spec = findReplacementSpec();

describe('arrays inside intrinsic functions compare by position', () => {
  test('swapping the branches of an Fn::If in a BucketName is a replacing change of a stateful resource', () => {
    const bucket = (ifTrue: string, ifFalse: string) => ({
      Resources: {
        Data: {
          Type: 'AWS::S3::Bucket',
          Properties: { BucketName: { 'Fn::If': ['IsProd', ifTrue, ifFalse] } },
        },
      },
    });
    const { change, findings } = compareTemplates(
      'Dev',
      'app',
      bucket('prod-data', 'dev-data'),
      bucket('dev-data', 'prod-data'),
      spec,
    );
    expect(change.modified).toEqual([
      {
        logicalId: 'Data',
        type: 'AWS::S3::Bucket',
        replacement: 'always',
        changes: [
          {
            path: 'Properties.BucketName["Fn::If"]',
            change: 'changed',
            before: ['IsProd', 'prod-data', 'dev-data'],
            after: ['IsProd', 'dev-data', 'prod-data'],
            replacement: 'always',
          },
        ],
      },
    ]);
    expect(findings.map((f) => `${f.kind} ${f.logicalId}: ${f.detail}`)).toEqual([
      'stateful-replaced-property Data: Properties.BucketName["Fn::If"] changed: update requires replacement',
    ]);
  });

  test('elements that are not a pure reorder are paired by position, not matched where they moved', () => {
    expect(diffJson({ 'Fn::If': ['C', 'a', 'b'] }, { 'Fn::If': ['C', 'b', 'x'] })).toEqual([
      { path: ['Fn::If', 1], change: 'changed', before: 'a', after: 'b' },
      { path: ['Fn::If', 2], change: 'changed', before: 'b', after: 'x' },
    ]);
    expect(diffJson({ 'Fn::Join': ['', ['a', 'b']] }, { 'Fn::Join': ['', ['x', 'a', 'b']] })).toEqual([
      { path: ['Fn::Join', 1, 0], change: 'changed', before: 'a', after: 'x' },
      { path: ['Fn::Join', 1, 1], change: 'changed', before: 'b', after: 'a' },
      { path: ['Fn::Join', 1, 2], change: 'added', after: 'b' },
    ]);
  });

  test.each([
    ['Fn::Join list', { 'Fn::Join': ['-', ['a', 'b']] }, { 'Fn::Join': ['-', ['b', 'a']] }, ['Fn::Join', 1]],
    ['Fn::Select list', { 'Fn::Select': [0, ['a', 'b']] }, { 'Fn::Select': [0, ['b', 'a']] }, ['Fn::Select', 1]],
    [
      'Fn::Join list inside an Fn::If branch',
      { 'Fn::If': ['C', { 'Fn::Join': ['', ['a', 'b']] }, 'x'] },
      { 'Fn::If': ['C', { 'Fn::Join': ['', ['b', 'a']] }, 'x'] },
      ['Fn::If', 1, 'Fn::Join', 1],
    ],
    [
      'list that is an Fn::If branch inside an Fn::Join',
      { 'Fn::Join': ['', { 'Fn::If': ['C', ['a', 'b'], ['c']] }] },
      { 'Fn::Join': ['', { 'Fn::If': ['C', ['b', 'a'], ['c']] }] },
      ['Fn::Join', 1, 'Fn::If', 1],
    ],
    [
      'Fn::Sub with its variables',
      { 'Fn::Sub': ['${A}', { A: { 'Fn::Select': [1, ['a', 'b']] } }] },
      { 'Fn::Sub': ['${A}', { A: { 'Fn::Select': [1, ['b', 'a']] } }] },
      ['Fn::Sub', 1, 'A', 'Fn::Select', 1],
    ],
  ])('a reorder of a %s is one change of the whole array', (_, before, after, path) => {
    const diff = diffJson({ Name: before }, { Name: after });
    expect(diff).toHaveLength(1);
    expect(diff[0]).toMatchObject({ path: ['Name', ...path], change: 'changed' });
  });

  test('ordinary lists stay set-like: a reorder is no change, an insertion at the top is one added element', () => {
    const tags = [
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
    ];
    expect(diffJson({ Tags: tags }, { Tags: [...tags].reverse() })).toEqual([]);
    const s1 = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
    const conditional = { 'Fn::If': ['C', s1, { Ref: 'AWS::NoValue' }] };
    const s0 = { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' };
    expect(diffJson({ Statement: [s1, conditional] }, { Statement: [conditional, s1] })).toEqual([]);
    expect(diffJson({ Statement: [s1, conditional] }, { Statement: [s0, s1, conditional] })).toEqual([
      { path: ['Statement', 0], change: 'added', after: s0 },
    ]);
  });

  test('a branch of an Fn::If stands where the Fn::If stands: a plain list there stays set-like', () => {
    const r1 = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/8' };
    const r2 = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.1.0.0/16' };
    const r0 = { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '10.2.0.0/16' };
    const rules = (list: object[]) => ({ SecurityGroupIngress: { 'Fn::If': ['IsProd', list, []] } });
    expect(diffJson(rules([r1, r2]), rules([r2, r1]))).toEqual([]);
    // Not a cascade of per-position changes that names the wrong rules as changed.
    expect(diffJson(rules([r1, r2]), rules([r0, r1, r2]))).toEqual([
      { path: ['SecurityGroupIngress', 'Fn::If', 1, 0], change: 'added', after: r0 },
    ]);
    const arns = (list: string[]) => ({ ManagedPolicyArns: { 'Fn::If': ['C', list, { Ref: 'AWS::NoValue' }] } });
    expect(diffJson(arns(['a', 'b']), arns(['b', 'a']))).toEqual([]);
  });
});
