import * as fs from 'fs';
import * as path from 'path';
import type { CfnResource, CfnTemplate } from '../../scripts/change-report/cloud-assembly';

/**
 * A hand-written base/head pair with one instance of every change the report
 * must call out, small enough to read in one screen. Tests write it as cloud
 * assemblies (writeAssembly) or compare the templates directly.
 */

const bucketArn = { 'Fn::GetAtt': ['NamedBucket', 'Arn'] };

function encryptedBucket(extra: { [key: string]: unknown } = {}): CfnResource {
  return {
    Type: 'AWS::S3::Bucket',
    Properties: {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
      },
      ...extra,
    },
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
  };
}

export const BASE_TEMPLATE: CfnTemplate = {
  Resources: {
    // Moves to DataBucketB2 in head: same properties, new logical id.
    DataBucketA1: encryptedBucket({ VersioningConfiguration: { Status: 'Enabled' } }),
    // Loses its encryption in head.
    LogsBucket: encryptedBucket(),
    // Renamed in head: BucketName forces replacement.
    NamedBucket: encryptedBucket({ BucketName: 'groundwork-dev-data' }),
    // Removed in head.
    OldParameter: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'old' } },
    AppRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }],
        },
      },
    },
    AppPolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'AppPolicy',
        Roles: [{ Ref: 'AppRole' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [bucketArn, '/*']] } }],
        },
      },
    },
    WebSg: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'web',
        VpcId: 'vpc-12345678',
        SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/16' }],
      },
    },
  },
};

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

export function headTemplate(): CfnTemplate {
  const r = clone(BASE_TEMPLATE.Resources!) as { [id: string]: CfnResource & { Properties: { [k: string]: any } } };
  r.DataBucketB2 = r.DataBucketA1;
  delete r.DataBucketA1;
  delete r.LogsBucket.Properties.BucketEncryption;
  r.NamedBucket.Properties.BucketName = 'groundwork-dev-data-v2';
  delete r.OldParameter;
  r.NewParameter = { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'new' } };
  r.AppRole.Properties.AssumeRolePolicyDocument.Statement.push({
    Effect: 'Allow',
    Action: 'sts:AssumeRole',
    Principal: { AWS: 'arn:aws:iam::222222222222:root' },
  });
  r.AppPolicy.Properties.PolicyDocument.Statement[0].Action = ['s3:GetObject', 's3:PutObject'];
  r.AppPolicy.Properties.PolicyDocument.Statement.push({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });
  r.WebSg.Properties.SecurityGroupIngress.push({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' });
  return { Resources: r };
}

/** Stacks by environment ('(root)' for top-level stacks) and stack name. */
export type AssemblyLayout = { [environment: string]: { [stackName: string]: CfnTemplate } };

/**
 * Writes a cloud assembly as CDK lays it out: stacks of the root environment
 * in `dir`, each other environment in a nested assembly `assembly-<name>`.
 */
export function writeAssembly(dir: string, layout: AssemblyLayout): string {
  const artifacts: { [id: string]: unknown } = {};
  for (const [environment, stacks] of Object.entries(layout)) {
    const nested = environment !== '(root)';
    const directoryName = `assembly-${environment.replace(/[^A-Za-z0-9-]/g, '-')}`;
    const target = nested ? path.join(dir, directoryName) : dir;
    fs.mkdirSync(target, { recursive: true });
    const stackArtifacts: { [id: string]: unknown } = {};
    for (const [stackName, template] of Object.entries(stacks)) {
      const id = stackName.replace(/[^A-Za-z0-9]/g, '');
      fs.writeFileSync(path.join(target, `${id}.template.json`), JSON.stringify(template, undefined, 1));
      stackArtifacts[id] = {
        type: 'aws:cloudformation:stack',
        environment: 'aws://111111111111/eu-west-1',
        properties: { templateFile: `${id}.template.json`, stackName },
        displayName: stackName,
      };
    }
    if (nested) {
      fs.writeFileSync(
        path.join(target, 'manifest.json'),
        JSON.stringify({ version: '55.0.0', artifacts: stackArtifacts }),
      );
      artifacts[directoryName] = {
        type: 'cdk:cloud-assembly',
        properties: { directoryName, displayName: environment },
      };
    } else {
      Object.assign(artifacts, stackArtifacts);
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
  return dir;
}
