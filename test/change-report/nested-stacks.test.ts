import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { compareAssemblies } from '../../scripts/change-report/change-report';
import { readCloudAssembly } from '../../scripts/change-report/cloud-assembly';
import { findReplacementSpec } from '../../scripts/change-report/replacement-spec';

/**
 * CDK writes a nested stack's template as `<id>.nested.template.json` next to its parent's and
 * names it in the parent resource's `aws:asset:path` metadata when asset metadata is on (the CLI
 * default), otherwise only in the asset manifest. The report reads it both ways and compares the
 * nested stack as a stack of its own.
 */

process.env.CDK_VALIDATION = 'false';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'change-report-nested-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function synth(outdir: string, head: boolean, assetMetadata: boolean): string {
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': assetMetadata } });
  const stage = new Stage(app, 'Dev', { env: { account: '111111111111', region: 'eu-west-1' } });
  const parent = new Stack(stage, 'App', { stackName: 'dev-app' });
  const inner = new NestedStack(parent, 'Network');
  new ec2.CfnSecurityGroup(inner, 'Web', {
    groupDescription: 'web',
    securityGroupIngress: head ? [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' }] : [],
  });
  app.synth();
  return outdir;
}

test.each([
  ['with asset metadata (aws:asset:path)', true],
  ['without asset metadata (asset manifest)', false],
])('a change inside a nested stack is reported on that nested stack, %s', (_, assetMetadata) => {
  const base = readCloudAssembly(synth(path.join(tmp, 'base'), false, assetMetadata));
  const head = readCloudAssembly(synth(path.join(tmp, 'head'), true, assetMetadata));
  const nestedId = Object.entries(head.find((s) => s.stackName === 'dev-app')!.template.Resources!).find(
    ([, r]) => r.Type === 'AWS::CloudFormation::Stack',
  )![0];
  const report = compareAssemblies(base, head, findReplacementSpec(), { baseLabel: 'b', headLabel: 'h' });
  expect(report.stacks.map((s) => `${s.stack} ${s.status} ${s.parentStack ?? '-'}`)).toEqual([
    'dev-app modified -',
    `dev-app/${nestedId} modified dev-app`,
  ]);
  expect(report.security.map((f) => `${f.kind} ${f.environment} ${f.stack} ${f.type}: ${f.detail}`)).toEqual([
    `security-group-ingress-opened Dev dev-app/${nestedId} AWS::EC2::SecurityGroup: ingress open to the internet: tcp, port 22, from 0.0.0.0/0`,
  ]);
});
