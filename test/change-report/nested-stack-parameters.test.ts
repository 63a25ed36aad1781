import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { compareAssemblies } from '../../scripts/change-report/change-report';
import { AssemblyStack, CfnTemplate, readCloudAssembly } from '../../scripts/change-report/cloud-assembly';
import { renderMarkdown } from '../../scripts/change-report/markdown';
import { findReplacementSpec } from '../../scripts/change-report/replacement-spec';
import type { ChangeReport } from '../../scripts/change-report/types';

/**
 * A parent passes values to a nested stack through its AWS::CloudFormation::Stack resource's
 * Parameters. The nested stack's template may not change at all, so a changed value is reported
 * on the nested stack, naming the resources that use the parameter.
 */

process.env.CDK_VALIDATION = 'false';

const spec = findReplacementSpec();

const CHILD: CfnTemplate = {
  Parameters: {
    AllowedCidr: { Type: 'String' },
    Env: { Type: 'String' },
    Public: { Type: 'String', Default: 'no' },
    Unused: { Type: 'String', Default: 'x' },
  },
  Conditions: { IsPublic: { 'Fn::Equals': [{ Ref: 'Public' }, 'yes'] } },
  Resources: {
    Sg: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'web',
        SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: { Ref: 'AllowedCidr' } }],
      },
    },
    Data: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': '${Env}-data' } } },
    Site: { Type: 'AWS::S3::BucketPolicy', Condition: 'IsPublic', Properties: { Bucket: 'b', PolicyDocument: {} } },
  },
};

function assembly(parameters: unknown): AssemblyStack[] {
  return [
    {
      environment: 'Dev',
      stackName: 'app',
      artifactId: 'app',
      template: {
        Resources: {
          Inner: {
            Type: 'AWS::CloudFormation::Stack',
            Properties: { TemplateURL: 'https://s3.amazonaws.com/t/inner.json', Parameters: parameters },
          },
        },
      },
      nestedStacksRead: ['Inner'],
    },
    { environment: 'Dev', stackName: 'app/Inner', artifactId: 'app/Inner', template: CHILD, parentStack: 'app' },
  ];
}

function report(before: unknown, after: unknown): ChangeReport {
  return compareAssemblies(assembly(before), assembly(after), spec, { baseLabel: 'b', headLabel: 'h' });
}

function findings(r: ChangeReport): string[] {
  return r.security.map((f) => `${f.kind} ${f.stack} ${f.logicalId} ${f.type}: ${f.detail}`);
}

const passed = { AllowedCidr: '10.0.0.0/16', Env: 'dev', Public: 'no', Unused: 'x' };
const where = 'by app (its AWS::CloudFormation::Stack Inner, Properties.Parameters)';

test('a changed parameter value is a finding on the nested stack, naming the resources that Ref it', () => {
  const r = report(passed, { ...passed, AllowedCidr: '0.0.0.0/0' });
  // The nested stack's template did not change: nothing else would show the new source.
  expect(findings(r)).toEqual([
    `template-logic-changed app/Inner Parameters.AllowedCidr Template: parameter AllowedCidr passed ${where} ` +
      'changed from 10.0.0.0/16 to 0.0.0.0/0; the report does not evaluate parameters, so check by hand what it ' +
      'changes in Sg',
  ]);
});

test('the nested stack is modified, with the changed values as its parameters changes, as other changed stacks show', () => {
  const { Unused: _, ...withoutUnused } = passed;
  const r = report(passed, { ...withoutUnused, AllowedCidr: '0.0.0.0/0' });
  expect(r.stacks.map((s) => `${s.stack} ${s.status}`)).toEqual(['app modified', 'app/Inner modified']);
  expect(r.summary.stacksModified).toBe(2);
  expect(r.stacks[1].parentParameterChanges).toEqual([
    {
      path: 'Parameters.AllowedCidr',
      change: 'changed',
      before: '10.0.0.0/16',
      after: '0.0.0.0/0',
      replacement: 'none',
    },
    { path: 'Parameters.Unused', change: 'removed', before: 'x', replacement: 'none' },
  ]);
  const markdown = renderMarkdown(r);
  expect(markdown).toContain('| Dev | app/Inner | modified | 0 | 0 | 0 | 0 | 2 |');
  expect(markdown).toContain(
    '### Dev / app/Inner (modified)\n\nNested stack `Inner` of `app`.\n\n' +
      '| Change | Logical id | Type | Replacement | Details |\n| --- | --- | --- | --- | --- |\n' +
      '| parameters | (passed by `app`) | | none | `Parameters.AllowedCidr` `"10.0.0.0/16"` → `"0.0.0.0/0"`<br>' +
      '`Parameters.Unused` removed (was `"x"`) |\n',
  );
});

test('users through Fn::Sub and through a condition are named; an unused parameter points at the whole nested stack', () => {
  const r = report(passed, { AllowedCidr: '10.0.0.0/16', Env: 'prod', Public: 'yes', Unused: 'y' });
  expect(findings(r)).toEqual([
    `template-logic-changed app/Inner Parameters.Env Template: parameter Env passed ${where} changed from dev to ` +
      'prod; the report does not evaluate parameters, so check by hand what it changes in Data',
    `template-logic-changed app/Inner Parameters.Public Template: parameter Public passed ${where} changed from no ` +
      'to yes; the report does not evaluate parameters, so check by hand what it changes in Site',
    `template-logic-changed app/Inner Parameters.Unused Template: parameter Unused passed ${where} changed from x ` +
      'to y; no resource of the nested stack uses it (by Ref, Fn::Sub or a condition) and the report does not ' +
      'evaluate parameters: check the whole nested stack by hand',
  ]);
});

test('a parameter newly passed, or no longer passed (its Default applies), is a finding too', () => {
  const { Public: _, ...withoutPublic } = passed;
  expect(findings(report(withoutPublic, passed))).toEqual([
    `template-logic-changed app/Inner Parameters.Public Template: parameter Public now passed ${where} as no; ` +
      'the report does not evaluate parameters, so check by hand what it changes in Site',
  ]);
  expect(findings(report(passed, withoutPublic))).toEqual([
    `template-logic-changed app/Inner Parameters.Public Template: parameter Public no longer passed ${where} ` +
      '(was no): its Default applies; the report does not evaluate parameters, so check by hand what it changes in Site',
  ]);
});

test('Parameters given whole by an intrinsic (Fn::If) name every resource that uses a parameter', () => {
  const r = report(passed, { 'Fn::If': ['IsProd', { ...passed, Env: 'prod' }, passed] });
  expect(r.security).toHaveLength(1);
  expect(r.security[0]).toMatchObject({ kind: 'template-logic-changed', stack: 'app/Inner', logicalId: 'Parameters' });
  expect(r.security[0].detail).toContain(`the parameters passed ${where} changed from {"AllowedCidr":`);
  expect(r.security[0].detail).toContain('to {"Fn::If":["IsProd",');
  expect(r.security[0].detail).toMatch(/check by hand what it changes in Data, Sg, Site$/);
  expect(r.stacks[1]).toMatchObject({
    status: 'modified',
    parentParameterChanges: [expect.objectContaining({ path: 'Parameters', change: 'changed' })],
  });
});

test('unchanged parameters give no finding, and leave the nested stack unchanged', () => {
  const r = report(passed, { ...passed });
  expect(r.security).toEqual([]);
  expect(r.stacks[1].status).toBe('unchanged');
  expect(r.stacks[1]).not.toHaveProperty('parentParameterChanges');
});

describe('read from a CDK assembly', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'change-report-nested-params-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A NestedStack given its parameters by the parent (NestedStackProps.parameters); its template is the same in both. */
  function synth(outdir: string, allowedCidr: string): string {
    const app = new App({ outdir });
    const stage = new Stage(app, 'Dev', { env: { account: '111111111111', region: 'eu-west-1' } });
    const parent = new Stack(stage, 'App', { stackName: 'dev-app' });
    const inner = new NestedStack(parent, 'Network', { parameters: { AllowedCidr: allowedCidr } });
    const cidr = new CfnParameter(inner, 'AllowedCidr', { type: 'String' });
    cidr.overrideLogicalId('AllowedCidr');
    new ec2.CfnSecurityGroup(inner, 'Web', {
      groupDescription: 'web',
      securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: cidr.valueAsString }],
    });
    app.synth();
    return outdir;
  }

  test('a NestedStack parameter value changed in the parent is a finding on the nested stack', () => {
    const base = readCloudAssembly(synth(path.join(tmp, 'base'), '10.0.0.0/16'));
    const head = readCloudAssembly(synth(path.join(tmp, 'head'), '0.0.0.0/0'));
    const r = compareAssemblies(base, head, spec, { baseLabel: 'b', headLabel: 'h' });
    const nested = r.stacks.find((s) => s.parentStack === 'dev-app')!;
    expect(nested.status).toBe('modified');
    const resource = nested.stack.slice('dev-app/'.length);
    expect(findings(r)).toEqual([
      `template-logic-changed ${nested.stack} Parameters.AllowedCidr Template: parameter AllowedCidr passed by ` +
        `dev-app (its AWS::CloudFormation::Stack ${resource}, Properties.Parameters) changed from 10.0.0.0/16 to ` +
        '0.0.0.0/0; the report does not evaluate parameters, so check by hand what it changes in Web',
    ]);
  });
});
