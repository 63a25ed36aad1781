import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { sampleConfig } from './fixtures';
import { FUNCTION_TIMEOUT_SECONDS, ServiceEnvironment } from '../src/config';
import { ServiceStage } from '../src/service-stage';

// Template validation is not under test here (test/main.test.ts runs it).
process.env.CDK_VALIDATION = 'false';

const config = sampleConfig();
const envNamed = (name: string): ServiceEnvironment => config.environments.find((e) => e.name === name)!;

function synthStage(environment: ServiceEnvironment): { stage: ServiceStage; template: Template } {
  const stage = new ServiceStage(new App(), environment.name, {
    service: config.service,
    environment,
    qualifier: config.pipeline.qualifier,
  });
  return { stage, template: Template.fromStack(stage.serviceStack) };
}

const { stage: testStage, template } = synthStage(envNamed('test'));
const { template: prodTemplate } = synthStage(envNamed('prod'));

/** Logical id of the template parameter that reads the SSM parameter at `path`. */
function ssmParameter(t: Template, path: string, type: string): string {
  const found = Object.entries(t.toJSON().Parameters as Record<string, any>).filter(
    ([, p]) => p.Default === path && p.Type === type,
  );
  expect(found).toHaveLength(1);
  return found[0][0];
}

describe('the VPC is imported from the platform, without lookups', () => {
  test('the function runs in the private subnets read from SSM at deploy time', () => {
    const subnets = ssmParameter(
      template,
      '/groundwork/test/network/private-subnet-ids',
      'AWS::SSM::Parameter::Value<List<String>>',
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SubnetIds: [{ 'Fn::Select': [0, { Ref: subnets }] }, { 'Fn::Select': [1, { Ref: subnets }] }],
      },
    });
  });

  test('the subnet count follows the environment: three AZs in prod', () => {
    const subnets = ssmParameter(
      prodTemplate,
      '/groundwork/prod/network/private-subnet-ids',
      'AWS::SSM::Parameter::Value<List<String>>',
    );
    const fn = Object.values(prodTemplate.findResources('AWS::Lambda::Function'))[0];
    expect(fn.Properties.VpcConfig.SubnetIds).toEqual([0, 1, 2].map((i) => ({ 'Fn::Select': [i, { Ref: subnets }] })));
  });

  test('the security group is in the imported VPC and only reaches the endpoint security group on 443', () => {
    const vpcId = ssmParameter(template, '/groundwork/test/network/vpc-id', 'AWS::SSM::Parameter::Value<String>');
    const endpoints = ssmParameter(
      template,
      '/groundwork/test/network/endpoint-security-group-id',
      'AWS::SSM::Parameter::Value<String>',
    );
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: { Ref: vpcId },
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: Match.absent(),
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      DestinationSecurityGroupId: { Ref: endpoints },
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('synthesis needs no context lookup and creates no VPC', () => {
    const assembly = testStage.synth();
    expect(assembly.manifest.missing).toBeUndefined();
    template.resourceCountIs('AWS::EC2::VPC', 0);
  });
});

describe('blue/green deployment', () => {
  test('a canary deployment group on the live alias rolls back on failure, stop and alarm', () => {
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live' });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: Match.arrayWith(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']),
      },
    });
    prodTemplate.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent15Minutes',
    });
  });

  test('the errors and latency alarms both stop the deployment', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const latency = Object.keys(alarms).find((id) => alarms[id].Properties.ExtendedStatistic === 'p99')!;
    const errors = Object.keys(alarms).find((id) => alarms[id].Properties.MetricName === 'Errors')!;
    expect(latency).toBeDefined();
    expect(errors).toBeDefined();
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: {
        Enabled: true,
        Alarms: Match.arrayWith([{ Name: { Ref: errors } }, { Name: { Ref: latency } }]),
      },
    });
  });

  test('both alarms measure the version being deployed, through the live alias, not the whole function', () => {
    const fn = Object.keys(template.findResources('AWS::Lambda::Function'))[0];
    const version = Object.keys(template.findResources('AWS::Lambda::Version'))[0];
    const dimensions = [
      { Name: 'ExecutedVersion', Value: { 'Fn::GetAtt': [version, 'Version'] } },
      { Name: 'FunctionName', Value: { Ref: fn } },
      { Name: 'Resource', Value: { 'Fn::Join': ['', [{ Ref: fn }, ':live']] } },
    ];
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) {
      expect(alarm.Properties.Dimensions).toEqual(dimensions);
    }
  });

  test('callers go through the alias, so traffic shifting applies to them', () => {
    const fn = Object.keys(template.findResources('AWS::Lambda::Function'))[0];
    template.resourceCountIs('AWS::Lambda::Url', 1);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': [fn, 'Arn'] },
      Qualifier: 'live',
    });
    template.hasOutput('ServiceUrl', { Value: Match.anyValue() });
  });
});

describe('alarms', () => {
  test('thresholds come from the environment config and alarms notify the encrypted topic', () => {
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ExtendedStatistic: 'p99',
      MetricName: 'Duration',
      Threshold: 1000,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      AlarmActions: [{ Ref: topic }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Threshold: 1,
      AlarmActions: [{ Ref: topic }],
    });
    prodTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', { ExtendedStatistic: 'p99', Threshold: 800 });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'orders-oncall@example.com',
    });
  });

  test('CloudWatch may use the key of the encrypted topic, so alarm notifications are not dropped', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': '444444444444' } },
          }),
        ]),
      },
    });
  });

  test("every alarm that notifies the topic may publish to it (its policy replaces SNS's default), and only those", () => {
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    const notifying = Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
      .filter(([, alarm]: [string, any]) =>
        (alarm.Properties.AlarmActions ?? []).some((action: any) => action.Ref === topic),
      )
      .map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    expect(notifying).toHaveLength(2);
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as any[];
    expect(policy.Properties.Topics).toEqual([{ Ref: topic }]);
    const publish = policy.Properties.PolicyDocument.Statement.filter(
      (s: any) => s.Effect === 'Allow' && s.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(publish).toEqual([
      expect.objectContaining({
        Action: 'sns:Publish',
        Resource: { Ref: topic },
        Condition: {
          ArnEquals: { 'aws:SourceArn': expect.arrayContaining(notifying) },
          StringEquals: { 'aws:SourceAccount': '444444444444' },
        },
      }),
    ]);
    expect(publish[0].Condition.ArnEquals['aws:SourceArn']).toHaveLength(notifying.length);
  });
});

describe('function, logs and roles', () => {
  test('current Node.js runtime, reserved concurrency from config, its own log group', () => {
    const logGroup = Object.keys(template.findResources('AWS::Logs::LogGroup'))[0];
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      ReservedConcurrentExecutions: 5,
      // The latency thresholds are validated against this timeout.
      Timeout: FUNCTION_TIMEOUT_SECONDS,
      LoggingConfig: { LogGroup: { Ref: logGroup } },
    });
  });

  test('the log group is KMS-encrypted, retained except by the rollback of its own creation, with the configured retention', () => {
    const key = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: {
        LogGroupName: '/orders-api/test/function',
        RetentionInDays: 90,
        KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] },
      },
      // Not 'Retain': the name is fixed, so a group kept by a failed first create would fail the retry.
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('CloudWatch Logs may use the key only for this log group', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: {
              ArnEquals: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': [
                    '',
                    Match.arrayWith([':logs:eu-west-1:444444444444:log-group:/orders-api/test/function']),
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  test('every role carries the Groundwork permissions boundary of the target account and its role tag', () => {
    const roles = template.findResources('AWS::IAM::Role');
    expect(Object.keys(roles).length).toBeGreaterThan(0);
    for (const role of Object.values(roles)) {
      expect(JSON.stringify(role.Properties.PermissionsBoundary)).toContain(
        ':iam::444444444444:policy/groundwork-boundary-orders-eu-west-1',
      );
      expect(role.Properties.Tags).toContainEqual({ Key: 'groundwork:boundary', Value: 'orders' });
    }
  });
});

test('the ingress guard of the stage rejects a security group open to the internet', () => {
  const environment = envNamed('dev');
  const stage = new ServiceStage(new App(), 'dev', {
    service: config.service,
    environment,
    qualifier: config.pipeline.qualifier,
  });
  const stack = stage.serviceStack;
  const open = new ec2.SecurityGroup(stack, 'Open', {
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'OtherVpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'] }),
  });
  open.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
  stage.synth();
  Annotations.fromStack(stack).hasError('/dev/Service/Open/Resource', Match.stringLikeRegexp('0.0.0.0/0'));
});

describe('values that differ between environments and fields', () => {
  test('the VPC comes from platformEnvironment and the log group is named after the environment, when the two differ', () => {
    const qa: ServiceEnvironment = { ...envNamed('test'), name: 'qa', platformEnvironment: 'test' };
    const { template: qaTemplate } = synthStage(qa);
    const defaults = Object.values(qaTemplate.toJSON().Parameters as Record<string, any>).map((p) => p.Default);
    expect(defaults).toContain('/groundwork/test/network/vpc-id');
    expect(defaults).toContain('/groundwork/test/network/private-subnet-ids');
    expect(defaults.filter((d) => String(d).startsWith('/groundwork/qa/'))).toEqual([]);
    qaTemplate.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/orders-api/qa/function' });
  });

  test("the errors alarm's threshold is the environment's (5 in dev)", () => {
    const { template: devTemplate } = synthStage(envNamed('dev'));
    devTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 5 });
  });

  test('every alarm address is subscribed to the topic', () => {
    const service = { ...config.service, alarmEmails: ['a@example.com', 'b@example.com'] };
    const stage = new ServiceStage(new App(), 'test', { service, environment: envNamed('test'), qualifier: 'orders' });
    const t = Template.fromStack(stage.serviceStack);
    t.resourceCountIs('AWS::SNS::Subscription', 2);
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'b@example.com' });
  });

  test('the latency alarm fires only above the threshold, and a minute without invocations does not count', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ExtendedStatistic: 'p99',
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('every resource is tagged with the service, its owner and the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Tags: Match.arrayWith([
        { Key: 'Environment', Value: 'test' },
        { Key: 'Owner', Value: 'orders-team' },
        { Key: 'Service', Value: 'orders-api' },
      ]),
    });
  });

  test('the alarm topic refuses publishing without TLS', () => {
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as any[];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Resource: { Ref: topic },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });
});
