process.env.CDK_VALIDATION = 'false';
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { Construct } from 'constructs';
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

describe('BlueGreenService props from JavaScript', () => {
  // An unknown value used to reach aws-cdk-lib as `deploymentConfig: undefined`, which it replaces with canary
  // 10 % for 5 minutes: a typo deployed differently from what was asked, and the alarm text said "rolls back".
  test('rejects a traffic shifting that is not one of TrafficShifting', () => {
    expect(() => make({ trafficShifting: 'CANARY_50_PERCENT' as TrafficShifting })).toThrow(
      "Service/Api: trafficShifting must be one of CANARY_10_PERCENT_5_MINUTES, CANARY_10_PERCENT_15_MINUTES, LINEAR_10_PERCENT_EVERY_1_MINUTE, LINEAR_10_PERCENT_EVERY_3_MINUTES, ALL_AT_ONCE, found 'CANARY_50_PERCENT'",
    );
  });

  test('rejects alarms that are not an array', () => {
    const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
    const fn = makeFunction(stack);
    const alarm = new cloudwatch.Alarm(stack, 'One', { metric: fn.metricErrors(), threshold: 1, evaluationPeriods: 1 });
    expect(() => new BlueGreenService(stack, 'Api', { function: fn, alarms: alarm as any })).toThrow(
      'Service/Api: alarms must be an array of alarms, found object',
    );
  });
});

function makeFunction(stack: Stack, id = 'Handler'): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(`exports.handler = async () => '${id}';`),
  });
}

/** The alarm names of a template with the version number as CloudFormation would give it. */
function alarmNames(template: Template, version: string): string[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((a: any) => a.Properties.AlarmName)
    .filter((n) => n !== undefined)
    .map((n: any) =>
      typeof n === 'string' ? n : n['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : version)).join(''),
    );
}

describe('BlueGreenService alarm names', () => {
  // CloudWatch (PutMetricAlarm AlarmName) and CodeDeploy (Alarm name) take at most 255 characters; the name held
  // the whole construct path, so a service deep in a construct tree failed to deploy.
  test('a name that would pass 255 characters has the path cut and hashed, and stays distinct', () => {
    const stack = new Stack(new App(), 'S'.repeat(128), { env: PIPELINE_ENV });
    let scope: Construct = stack;
    for (let i = 0; i < 6; i++) scope = new Construct(scope, `Level${i}${'x'.repeat(15)}`);
    // Two services whose paths differ only past the cut.
    const deep = (id: string) => new BlueGreenService(scope, id, { function: makeFunction(stack, `Handler${id}`) });
    const one = deep('ApiOne');
    const other = deep('ApiTwo');
    one.deploymentGroup.addAlarm(
      new cloudwatch.Alarm(stack, 'Latency', {
        alarmName: one.deployedVersionAlarmName('p99-latency-of-the-deployed-ver'),
        metric: one.metricDeployedVersion('Duration'),
        threshold: 1000,
        evaluationPeriods: 1,
      }),
    );
    const names = alarmNames(Template.fromStack(stack), '9'.repeat(10));
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(3);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(255);
      expect(name).toMatch(/^S{128}-Level0x{15}-.*-[0-9a-f]{8}-(errors|p99-latency-of-the-deployed-ver)-v9{10}$/);
    }
    expect(other.node.path.length).toBeGreaterThan(100);
  });

  test('a short name keeps the whole path, unhashed', () => {
    expect(alarmNames(make(), '12')).toEqual(['Service-Api-errors-v12']);
  });

  // Alarm names are unique per account and region: two alarms of one name fail the deployment.
  test('a suffix names one alarm: the built-in errors suffix or a suffix used twice throws', () => {
    const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
    const service = new BlueGreenService(stack, 'Api', { function: makeFunction(stack) });
    expect(() => service.deployedVersionAlarmName('errors')).toThrow(
      "Service/Api: deployedVersionAlarmName('errors') would name a second alarm 'Service-Api-errors-v<version>' (the built-in errors alarm has that name); alarm names are unique per account and region: use another suffix",
    );
    service.deployedVersionAlarmName('latency');
    expect(() => service.deployedVersionAlarmName('latency')).toThrow(
      /this service already named an alarm with suffix 'latency'/,
    );
  });

  test('two services whose paths and suffixes join to the same name are refused', () => {
    const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
    new BlueGreenService(new Construct(stack, 'Orders-Api'), 'Blue', { function: makeFunction(stack, 'One') });
    expect(
      () => new BlueGreenService(new Construct(stack, 'Orders'), 'Api-Blue', { function: makeFunction(stack, 'Two') }),
    ).toThrow(
      "Service/Orders/Api-Blue: deployedVersionAlarmName('errors') would name a second alarm 'Service-Orders-Api-Blue-errors-v<version>' (an alarm of Service/Orders-Api/Blue has that name)",
    );
    const api = new BlueGreenService(stack, 'Api', { function: makeFunction(stack, 'Three') });
    new BlueGreenService(stack, 'Api-x', { function: makeFunction(stack, 'Four') });
    expect(() => api.deployedVersionAlarmName('x-errors')).toThrow(/an alarm of Service\/Api-x has that name/);
  });
});

describe('BlueGreenService alarms that cannot fire before traffic has shifted', () => {
  const WARNING = /needs \d+ minutes of data to go to ALARM/;
  /** Warnings of a service whose deployment group also watches `datapoints` of `period` minutes. */
  const warnings = (
    trafficShifting: TrafficShifting,
    datapoints: number,
    periodMinutes: number,
    options: { late?: boolean; postTrafficHook?: boolean } = {},
  ) => {
    const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
    const fn = makeFunction(stack);
    const hook = options.postTrafficHook ? makeFunction(stack, 'Hook') : undefined;
    const alarm = (service?: BlueGreenService) =>
      new cloudwatch.Alarm(stack, 'Latency', {
        metric: (service ? service.metricDeployedVersion('Duration') : fn.metricDuration()).with({
          period: Duration.minutes(periodMinutes),
          statistic: 'p99',
        }),
        threshold: 1000,
        evaluationPeriods: datapoints + 1,
        datapointsToAlarm: datapoints,
      });
    if (options.late) {
      const service = new BlueGreenService(stack, 'Api', { function: fn, trafficShifting, postTrafficHook: hook });
      service.deploymentGroup.addAlarm(alarm(service));
    } else {
      new BlueGreenService(stack, 'Api', { function: fn, trafficShifting, alarms: [alarm()], postTrafficHook: hook });
    }
    return Annotations.fromStack(stack)
      .findWarning('*', Match.stringLikeRegexp('needs'))
      .map((w) => String(w.entry.data));
  };

  test('an alarm needing the whole canary (or more) is reported; one that fits, and the errors alarm, are not', () => {
    const [five] = warnings(TrafficShifting.CANARY_10_PERCENT_5_MINUTES, 5, 1);
    expect(five).toMatch(
      /^Service\/Latency\/Resource: needs 5 minutes of data to go to ALARM, but CANARY_10_PERCENT_5_MINUTES moves all traffic to the new version after 5 minutes/,
    );
    expect(warnings(TrafficShifting.CANARY_10_PERCENT_5_MINUTES, 1, 5)).toHaveLength(1);
    expect(warnings(TrafficShifting.CANARY_10_PERCENT_5_MINUTES, 3, 1)).toEqual([]);
    expect(warnings(TrafficShifting.CANARY_10_PERCENT_15_MINUTES, 1, 5)).toEqual([]);
  });

  test('linear shifting reaches all traffic one interval before its tenth: 9 and 27 minutes', () => {
    expect(warnings(TrafficShifting.LINEAR_10_PERCENT_EVERY_1_MINUTE, 8, 1)).toEqual([]);
    expect(warnings(TrafficShifting.LINEAR_10_PERCENT_EVERY_1_MINUTE, 9, 1)[0]).toMatch(WARNING);
    expect(warnings(TrafficShifting.LINEAR_10_PERCENT_EVERY_3_MINUTES, 5, 5)).toEqual([]);
    expect(warnings(TrafficShifting.LINEAR_10_PERCENT_EVERY_3_MINUTES, 6, 5)[0]).toMatch(/needs 30 minutes/);
  });

  test('an alarm on metric math is measured by the period of its queries', () => {
    const stack = new Stack(new App(), 'Service', { env: PIPELINE_ENV });
    const service = new BlueGreenService(stack, 'Api', { function: makeFunction(stack) });
    const rate = (id: string, minutes: number) =>
      new cloudwatch.Alarm(stack, id, {
        metric: new cloudwatch.MathExpression({
          expression: 'errors / invocations',
          usingMetrics: {
            errors: service.metricDeployedVersion('Errors', { statistic: 'Sum' }),
            invocations: service.metricDeployedVersion('Invocations', { statistic: 'Sum' }),
          },
          period: Duration.minutes(minutes),
        }),
        threshold: 0.05,
        evaluationPeriods: 1,
      });
    service.deploymentGroup.addAlarm(rate('SlowRate', 5));
    service.deploymentGroup.addAlarm(rate('FastRate', 1));
    const found = Annotations.fromStack(stack)
      .findWarning('*', Match.stringLikeRegexp('needs'))
      .map((w) => String(w.entry.data));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^Service\/SlowRate\/Resource: needs 5 minutes/);
  });

  test('an alarm added later with deploymentGroup.addAlarm is checked too', () => {
    expect(warnings(TrafficShifting.CANARY_10_PERCENT_5_MINUTES, 5, 1, { late: true })[0]).toMatch(WARNING);
    expect(warnings(TrafficShifting.CANARY_10_PERCENT_5_MINUTES, 3, 1, { late: true })).toEqual([]);
  });

  test('no warning with all at once (documented as notify-only) or a post-traffic hook (it keeps the watch open)', () => {
    expect(warnings(TrafficShifting.ALL_AT_ONCE, 5, 1)).toEqual([]);
    expect(warnings(TrafficShifting.CANARY_10_PERCENT_5_MINUTES, 5, 1, { postTrafficHook: true })).toEqual([]);
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
