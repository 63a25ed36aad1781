process.env.CDK_VALIDATION = 'false';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
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

  test('one error of the new version in a minute raises the errors alarm (threshold reached, not exceeded)', () => {
    for (const [errorThreshold, threshold] of [
      [undefined, 1],
      [3, 3],
    ] as const) {
      const template = make({ errorThreshold });
      template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'Errors' }, 1);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        // No invocation of the new version is no error: the alarm must not stop a deployment nobody calls yet.
        TreatMissingData: 'notBreaching',
      });
    }
  });

  test('the errors alarm counts only the version being deployed, invoked through the alias', () => {
    const template = make();
    const versions = Object.keys(template.findResources('AWS::Lambda::Version'));
    expect(versions).toHaveLength(1);
    const handler = Object.keys(template.findResources('AWS::Lambda::Function'))[0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Period: 60,
      Dimensions: Match.arrayEquals([
        { Name: 'ExecutedVersion', Value: { 'Fn::GetAtt': [versions[0], 'Version'] } },
        { Name: 'FunctionName', Value: { Ref: handler } },
        { Name: 'Resource', Value: { 'Fn::Join': ['', [{ Ref: handler }, ':live']] } },
      ]),
    });
  });

  test('each version gets new alarms: their names carry the version, so CloudFormation replaces them', () => {
    // An alarm updated in place keeps its state: the ALARM of a failing version would stop the deployment of its fix.
    const synth = (code: string) => {
      const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
      const fn = new lambda.Function(stack, 'Handler', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(code),
      });
      const service = new BlueGreenService(stack, 'Api', { function: fn });
      const latency = new cloudwatch.Alarm(stack, 'Latency', {
        alarmName: service.deployedVersionAlarmName('latency'),
        metric: service.metricDeployedVersion('Duration'),
        threshold: 1000,
        evaluationPeriods: 1,
      });
      service.deploymentGroup.addAlarm(latency);
      return Template.fromStack(stack);
    };
    const names = (template: Template) =>
      Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a: any) => a.Properties.AlarmName);
    const before = synth('exports.handler = async () => 1;');
    const version = Object.keys(before.findResources('AWS::Lambda::Version'))[0];
    expect(names(before)).toEqual([
      { 'Fn::Join': ['', ['Service-Api-errors-v', { 'Fn::GetAtt': [version, 'Version'] }]] },
      { 'Fn::Join': ['', ['Service-Api-latency-v', { 'Fn::GetAtt': [version, 'Version'] }]] },
    ]);
    // New code: a new version resource, whose number the names take.
    const after = synth('exports.handler = async () => 2;');
    const next = Object.keys(after.findResources('AWS::Lambda::Version'))[0];
    expect(next).not.toBe(version);
    expect(JSON.stringify(names(after))).toContain(next);
    // The alias, whose update starts the deployment, waits for the group that names the new alarms.
    const group = Object.keys(after.findResources('AWS::CodeDeploy::DeploymentGroup'))[0];
    after.hasResource('AWS::Lambda::Alias', { DependsOn: Match.arrayWith([group]) });
    after.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Alarms: Match.arrayWith([{ Name: { Ref: Match.stringLikeRegexp('Latency') } }]) },
    });
  });

  test('the errors alarm says what it does: all at once rolls nothing back, so it only notifies', () => {
    const description = (trafficShifting: TrafficShifting) =>
      Object.values(
        make({ trafficShifting }).findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'Errors' } }),
      )[0].Properties.AlarmDescription;
    expect(description(TrafficShifting.CANARY_10_PERCENT_5_MINUTES)).toBe(
      'Errors of the version being deployed to live: CodeDeploy rolls back',
    );
    expect(description(TrafficShifting.ALL_AT_ONCE)).toBe(
      'Errors of the version being deployed to live: all at once, so CodeDeploy has finished before it can fire: it notifies only',
    );
  });

  test('rejects an alarm name suffix that would not fit the name', () => {
    const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
    const fn = new lambda.Function(stack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    });
    const service = new BlueGreenService(stack, 'Api', { function: fn });
    expect(() => service.deployedVersionAlarmName('p99 latency')).toThrow(
      "Service/Api: the alarm name suffix must be 1-32 letters, digits or -, found 'p99 latency'",
    );
  });

  test('metricDeployedVersion gives any Lambda metric of the deployed version through the alias', () => {
    const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
    const fn = new lambda.Function(stack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    });
    const service = new BlueGreenService(stack, 'Api', { function: fn, aliasName: 'prod' });
    const metric = service.metricDeployedVersion('Duration', { statistic: 'p99', period: Duration.minutes(1) });
    expect(metric.namespace).toEqual('AWS/Lambda');
    expect(metric.metricName).toEqual('Duration');
    expect(metric.statistic).toEqual('p99');
    expect(stack.resolve(metric.dimensions)).toEqual({
      FunctionName: { Ref: 'Handler886CB40B' },
      Resource: { 'Fn::Join': ['', [{ Ref: 'Handler886CB40B' }, ':prod']] },
      ExecutedVersion: { 'Fn::GetAtt': [expect.stringMatching(/^HandlerCurrentVersion/), 'Version'] },
    });
  });

  test('at most 10 alarms in the deployment group (CodeDeploy limit), the errors alarm included', () => {
    const build = (extra: number) => {
      const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
      const fn = new lambda.Function(stack, 'Handler', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      });
      const alarms = Array.from(
        { length: extra },
        (_, i) =>
          new cloudwatch.Alarm(stack, `Alarm${i}`, {
            metric: fn.metricThrottles(),
            threshold: 1,
            evaluationPeriods: 1,
          }),
      );
      return { stack, fn, service: new BlueGreenService(stack, 'Api', { function: fn, alarms }) };
    };
    expect(() => build(9)).not.toThrow();
    expect(() => build(10)).toThrow(
      /Service\/Api: alarms must hold at most 9 alarms \(CodeDeploy accepts 10 per deployment group, the built-in errors alarm included\), found 10/,
    );
    // An alarm added afterwards through the deployment group counts too.
    const { stack, fn, service } = build(9);
    service.deploymentGroup.addAlarm(
      new cloudwatch.Alarm(stack, 'Late', { metric: fn.metricThrottles(), threshold: 1, evaluationPeriods: 1 }),
    );
    expect(() => Template.fromStack(stack)).toThrow(
      /Service\/Api: the deployment group must have at most 10 alarms \(CodeDeploy's limit\), found 11/,
    );
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
