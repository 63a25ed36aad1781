process.env.CDK_VALIDATION = 'false';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { BlueGreenService, TrafficShifting } from '../src';
import { PIPELINE_ENV } from './fixtures';
import { staleAcknowledgements } from './nag';

function make(props: { trafficShifting?: TrafficShifting; errorThreshold?: number; aliasName?: string } = {}) {
  const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
  const fn = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
  const latency = new cloudwatch.Alarm(stack, 'Latency', {
    metric: fn.metricDuration(),
    threshold: 1000,
    evaluationPeriods: 1,
  });
  new BlueGreenService(stack, 'Api', { function: fn, alarms: [latency], ...props });
  return Template.fromStack(stack);
}

describe('BlueGreenService', () => {
  test('CodeDeploy shifts the alias by canary and rolls back on failure and on the errors or given alarms', () => {
    const template = make();
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live' });
    template.hasResource('AWS::Lambda::Alias', {
      UpdatePolicy: {
        CodeDeployLambdaAliasUpdate: { ApplicationName: Match.anyValue(), DeploymentGroupName: Match.anyValue() },
      },
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      AutoRollbackConfiguration: {
        Enabled: true,
        Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'],
      },
      AlarmConfiguration: {
        Enabled: true,
        Alarms: [
          { Name: { Ref: Match.stringLikeRegexp('ApiErrorsAlarm') } },
          { Name: { Ref: Match.stringLikeRegexp('Latency') } },
        ],
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Threshold: 1,
      Dimensions: Match.arrayWith([Match.objectLike({ Name: 'Resource' })]),
    });
  });

  test('linear shifting is selectable', () => {
    make({ trafficShifting: TrafficShifting.LINEAR_10_PERCENT_EVERY_1_MINUTE });
    make({ trafficShifting: TrafficShifting.LINEAR_10_PERCENT_EVERY_1_MINUTE }).hasResourceProperties(
      'AWS::CodeDeploy::DeploymentGroup',
      { DeploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute' },
    );
  });

  test('rejects a bad error threshold or alias name', () => {
    expect(() => make({ errorThreshold: 0 })).toThrow(/Service\/Api: errorThreshold must be an integer >= 1, found 0/);
    expect(() => make({ aliasName: '123' })).toThrow(/Service\/Api: aliasName must be/);
  });
});

describe('BlueGreenService cdk-nag', () => {
  test('AwsSolutions and NIST 800-53 rev 5: no unacknowledged finding on the service construct', () => {
    const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
    const fn = new lambda.Function(stack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    new BlueGreenService(stack, 'Api', { function: fn });
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      const findings = pack
        .validateScope(stack)
        .violations.filter((v: any) =>
          v.violatingResources.some((r: any) => r.constructPath.startsWith('Service/Api/')),
        );
      expect(findings.map((v: any) => v.ruleName)).toEqual([]);
    }
    expect(staleAcknowledgements(stack)).toEqual([]);
  });
});

/**
 * AWSCodeDeployRoleForLambdaLimited, version v1 (the AWS Managed Policy Reference,
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForLambdaLimited.html).
 */
const CODEDEPLOY_LAMBDA_LIMITED = [
  {
    Action: [
      'cloudwatch:DescribeAlarms',
      'lambda:UpdateAlias',
      'lambda:GetAlias',
      'lambda:GetProvisionedConcurrencyConfig',
    ],
    Resource: '*',
  },
  { Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: 'arn:aws:s3:::*/CodeDeploy/*' },
  {
    Action: ['s3:GetObject', 's3:GetObjectVersion'],
    Resource: '*',
    Condition: { StringEquals: { 's3:ExistingObjectTag/UseWithCodeDeploy': 'true' } },
  },
  { Action: ['lambda:InvokeFunction'], Resource: 'arn:aws:lambda:*:*:function:CodeDeployHook_*' },
];

describe('BlueGreenService CodeDeploy role acknowledgement', () => {
  test('the reason names everything the managed policy allows, and where', () => {
    const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
    const fn = new lambda.Function(stack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    const service = new BlueGreenService(stack, 'Api', { function: fn });
    const [reason] = service.deploymentGroup.role.node
      .defaultChild!.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries<string>(m.data))
      .filter(([id]) => id.includes('AWSCodeDeployRoleForLambdaLimited'))
      .map(([, text]) => text);
    const missing = CODEDEPLOY_LAMBDA_LIMITED.flatMap((s) => s.Action).filter((action) => !reason.includes(action));
    expect(missing).toEqual([]);
    for (const scope of [
      'every resource',
      'CodeDeploy/ prefix of any bucket',
      'UseWithCodeDeploy=true',
      'CodeDeployHook_*',
    ]) {
      expect(reason).toContain(scope);
    }
  });
});
