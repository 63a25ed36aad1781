import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ServiceAllowList } from '../src';

describe('ServiceAllowList.servicesForResourceType', () => {
  test.each([
    ['AWS::EC2::VPC', ['ec2']],
    ['AWS::Logs::LogGroup', ['logs']],
    ['AWS::SSM::Parameter', ['ssm']],
    ['AWS::ElasticLoadBalancingV2::Listener', ['elasticloadbalancing']],
    ['AWS::CertificateManager::Certificate', ['acm']],
    ['AWS::Cognito::UserPool', ['cognito-idp']],
    ['AWS::KinesisFirehose::DeliveryStream', ['firehose']],
    ['AWS::StepFunctions::StateMachine', ['states']],
    ['AWS::CodeStarNotifications::NotificationRule', ['codestar-notifications']],
    ['AWS::Events::Rule', ['events']],
    ['AWS::CloudWatch::Alarm', ['cloudwatch']],
    ['AWS::CDK::Metadata', []],
    ['AWS::CloudFormation::WaitConditionHandle', []],
    ['Custom::AWS', ['lambda']],
    ['AWS::DynamoDB::Table', ['dynamodb']],
  ])('%s -> %j', (type, expected) => {
    expect(ServiceAllowList.servicesForResourceType(type)).toEqual(expected);
  });

  test('an unknown shape is an error, not a guess', () => {
    expect(() => ServiceAllowList.servicesForResourceType('Vendor::Thing')).toThrow(
      /cannot map resource type 'Vendor::Thing' to an IAM service prefix/,
    );
  });
});

describe('ServiceAllowList.fromTemplates', () => {
  test('sorted, unique, custom resources mapped to their provider', () => {
    expect(
      ServiceAllowList.fromTemplates([
        { Resources: { A: { Type: 'AWS::S3::Bucket' }, B: { Type: 'AWS::S3::BucketPolicy' } } },
        {
          Resources: {
            C: { Type: 'AWS::EC2::VPC' },
            D: { Type: 'Custom::X', Properties: { ServiceToken: 'arn:aws:sns:eu-west-1:1:t' } },
          },
        },
        {},
      ]),
    ).toEqual(['ec2', 's3', 'sns']);
  });
});

describe('ServiceAllowList.fromAssemblyDirectory', () => {
  test('reads every template, nested assemblies and nested stacks included', () => {
    expect(ServiceAllowList.fromAssemblyDirectory(path.join(__dirname, 'fixtures', 'assembly'))).toEqual([
      'acm',
      'cloudformation',
      'cloudwatch',
      'codestar-notifications',
      'cognito-idp',
      'ec2',
      'elasticloadbalancing',
      'events',
      'firehose',
      'lambda',
      'logs',
      'sns',
      'ssm',
      'states',
    ]);
  });

  test('works on a real synthesized assembly', () => {
    process.env.CDK_VALIDATION = 'false';
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'allow-list-'));
    try {
      const app = new App({ outdir });
      new s3.Bucket(new Stack(app, 'Data'), 'Bucket', { enforceSSL: true });
      const assembly = app.synth();
      expect(ServiceAllowList.fromAssemblyDirectory(assembly.directory)).toEqual(['s3']);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('refuses a directory that is not a cloud assembly', () => {
    expect(() => ServiceAllowList.fromAssemblyDirectory(__dirname)).toThrow(
      /is not a cloud assembly \(no manifest.json\)/,
    );
  });
});
