import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { compareAssemblies } from '../../scripts/change-report/change-report';
import { readCloudAssembly } from '../../scripts/change-report/cloud-assembly';
import { findReplacementSpec } from '../../scripts/change-report/replacement-spec';
import type { ChangeReport } from '../../scripts/change-report/types';

/**
 * The report reads what aws-cdk-lib really writes: a root stack, a Stage
 * (nested assembly) and a Stage inside it, synthesized twice with changes.
 */

process.env.CDK_VALIDATION = 'false';

let tmp: string;
let report: ChangeReport;

function synth(outdir: string, head: boolean): string {
  const app = new App({ outdir });
  new Stack(app, 'Pipeline', { stackName: 'groundwork-pipeline' });
  const dev = new Stage(app, 'Dev', { env: { account: '111111111111', region: 'eu-west-1' } });
  const data = new Stack(dev, 'Data', { stackName: 'dev-data' });
  // Head moves the bucket to a new construct id, so its logical id changes.
  const bucket = new s3.Bucket(data, head ? 'ArchiveBucket' : 'DataBucket', {
    encryption: s3.BucketEncryption.KMS_MANAGED,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(data, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  bucket.grantRead(role);
  if (head) bucket.grantWrite(role);
  const replica = new Stage(dev, 'Replica');
  const network = new Stack(replica, 'Network', { stackName: 'dev-replica-network' });
  const vpc = new ec2.CfnVPC(network, 'Vpc', { cidrBlock: '10.0.0.0/16' });
  new ec2.CfnSecurityGroup(network, 'Web', {
    groupDescription: 'web',
    vpcId: vpc.ref,
    securityGroupIngress: head ? [{ ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '0.0.0.0/0' }] : [],
  });
  app.synth();
  return outdir;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'change-report-cdk-'));
  const base = readCloudAssembly(synth(path.join(tmp, 'base'), false));
  const head = readCloudAssembly(synth(path.join(tmp, 'head'), true));
  report = compareAssemblies(base, head, findReplacementSpec(), { baseLabel: 'base', headLabel: 'head' });
}, 60_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('reads the root stack, the Stage and the nested Stage by environment and stack name', () => {
  expect(report.stacks.map((s) => `${s.environment} | ${s.stack} | ${s.status}`)).toEqual([
    '(root) | groundwork-pipeline | unchanged',
    'Dev | dev-data | modified',
    'Dev/Replica | dev-replica-network | modified',
  ]);
  expect(report.stacks[1].awsEnvironment).toBe('aws://111111111111/eu-west-1');
});

test('finds the planted changes in real CDK output, each in its stack', () => {
  expect(report.security.map((f) => `${f.kind} | ${f.environment} | ${f.stack} | ${f.type}`)).toEqual([
    'iam-permissions-broadened | Dev | dev-data | AWS::IAM::Policy',
    'security-group-ingress-opened | Dev/Replica | dev-replica-network | AWS::EC2::SecurityGroup',
    'stateful-replaced-logical-id | Dev | dev-data | AWS::S3::Bucket',
  ]);
  const broadened = report.security[0].detail;
  expect(broadened).toContain('s3:PutObject');
  // Reads granted before stay unreported although they now point at the moved bucket's new logical id.
  expect(broadened).not.toMatch(/s3:GetObject\*/);
  expect(report.stacks[1].renamed).toEqual([
    expect.objectContaining({ type: 'AWS::S3::Bucket', identicalProperties: true, stateful: true }),
  ]);
});
