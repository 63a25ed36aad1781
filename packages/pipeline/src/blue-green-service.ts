import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** How traffic moves from the old to the new function version. */
export enum TrafficShifting {
  /** 10% for 5 minutes, then 100%. */
  CANARY_10_PERCENT_5_MINUTES = 'CANARY_10_PERCENT_5_MINUTES',
  /** 10% for 15 minutes, then 100%. */
  CANARY_10_PERCENT_15_MINUTES = 'CANARY_10_PERCENT_15_MINUTES',
  /** 10% more every minute. */
  LINEAR_10_PERCENT_EVERY_1_MINUTE = 'LINEAR_10_PERCENT_EVERY_1_MINUTE',
  /** 10% more every 3 minutes. */
  LINEAR_10_PERCENT_EVERY_3_MINUTES = 'LINEAR_10_PERCENT_EVERY_3_MINUTES',
  /**
   * Everything at once. The deployment ends as soon as the alias moves, and CodeDeploy watches the alarms only
   * while a deployment runs: an alarm that fires afterwards (a one-minute alarm needs a minute of data) rolls
   * nothing back. For environments where that is acceptable (development); a post-traffic hook that waits
   * keeps the deployment, and the alarms' watch, open longer.
   */
  ALL_AT_ONCE = 'ALL_AT_ONCE',
}

const CONFIGS: { [key in TrafficShifting]: codedeploy.ILambdaDeploymentConfig } = {
  [TrafficShifting.CANARY_10_PERCENT_5_MINUTES]: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  [TrafficShifting.CANARY_10_PERCENT_15_MINUTES]: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES,
  [TrafficShifting.LINEAR_10_PERCENT_EVERY_1_MINUTE]: codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
  [TrafficShifting.LINEAR_10_PERCENT_EVERY_3_MINUTES]:
    codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
  [TrafficShifting.ALL_AT_ONCE]: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
};

/** CodeDeploy's limit of alarms per deployment group. */
const MAX_ALARMS = 10;

/**
 * What the AWS managed policy of the CodeDeploy role allows, all of it: aws-cdk-lib attaches it to every Lambda
 * deployment group's role. Only codedeploy.amazonaws.com can assume the role.
 */
const CODEDEPLOY_MANAGED_POLICY_REASON =
  'AWS managed policy that aws-cdk-lib attaches to every Lambda deployment group role (even a role passed in), assumable by CodeDeploy only. ' +
  'It allows, on every resource of the account: cloudwatch:DescribeAlarms, lambda:GetAlias, lambda:UpdateAlias and ' +
  'lambda:GetProvisionedConcurrencyConfig (CodeDeploy moves the alias and watches the alarms); s3:GetObject and ' +
  's3:GetObjectVersion on objects under a CodeDeploy/ prefix of any bucket and on objects tagged UseWithCodeDeploy=true ' +
  '(AppSpec files; a CloudFormation-driven deployment uses none); lambda:InvokeFunction on functions named CodeDeployHook_*. ' +
  'Accepted: CodeDeploy uses it only for the deployments of this group, which name this alias and these hooks';

/** Properties of a `BlueGreenService`. */
export interface BlueGreenServiceProps {
  /** The function whose new versions are shifted in. */
  readonly function: lambda.Function;
  /** Alias that callers invoke and that CodeDeploy moves. @default 'live' */
  readonly aliasName?: string;
  /** Traffic shifting. @default TrafficShifting.CANARY_10_PERCENT_5_MINUTES */
  readonly trafficShifting?: TrafficShifting;
  /**
   * More alarms that stop and roll back the deployment (for example latency or business metrics). CodeDeploy
   * accepts at most 10 alarms per deployment group, the built-in errors alarm included, so at most 9 here
   * (together with any added later with `deploymentGroup.addAlarm`). An alarm on the version being deployed
   * rather than the whole function needs the service first: build it after the service, with
   * `metricDeployedVersion` and a name from `deployedVersionAlarmName` (so that each version gets a new alarm),
   * and add it with `deploymentGroup.addAlarm`.
   * @default - the errors alarm only
   */
  readonly alarms?: cloudwatch.IAlarm[];
  /** Errors per minute of the version being deployed that raise the built-in errors alarm. @default 1 */
  readonly errorThreshold?: number;
  /** Function run before traffic shifts (CodeDeploy lifecycle hook). @default - none */
  readonly preTrafficHook?: lambda.IFunction;
  /** Function run after traffic shifted. @default - none */
  readonly postTrafficHook?: lambda.IFunction;
}

/**
 * Blue/green deployment of a Lambda function: a CloudFormation update that changes the function's code or
 * its version-locked configuration (`currentVersion`) publishes a new version, and CodeDeploy shifts the
 * alias to it by canary or linear steps, rolling back automatically when the deployment fails or an alarm
 * (errors of the new version, plus any given) fires during the shift.
 */
export class BlueGreenService extends Construct {
  /**
   * What an alarm of the deployment group does under `trafficShifting`, in words for its description: with
   * all at once the deployment is over before a one-minute alarm can fire, so the alarm only notifies.
   */
  public static alarmEffect(trafficShifting: TrafficShifting): string {
    return trafficShifting === TrafficShifting.ALL_AT_ONCE
      ? 'all at once, so CodeDeploy has finished before it can fire: it notifies only'
      : 'CodeDeploy rolls back';
  }

  /** The alias that CodeDeploy shifts. */
  public readonly alias: lambda.Alias;
  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  /**
   * The alarm on the errors of the version being deployed, invoked through the alias (metric
   * `metricDeployedVersion('Errors')`, Sum per minute): errors of the version being replaced do not raise it.
   */
  public readonly errorsAlarm: cloudwatch.IAlarm;

  private readonly functionName: string;

  constructor(scope: Construct, id: string, props: BlueGreenServiceProps) {
    super(scope, id);
    const errorThreshold = props.errorThreshold ?? 1;
    if (!Number.isInteger(errorThreshold) || errorThreshold < 1) {
      throw new Error(`${this.node.path}: errorThreshold must be an integer >= 1, found ${errorThreshold}`);
    }
    const aliasName = props.aliasName ?? 'live';
    const trafficShifting = props.trafficShifting ?? TrafficShifting.CANARY_10_PERCENT_5_MINUTES;
    if (!/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/.test(aliasName)) {
      throw new Error(
        `${this.node.path}: aliasName must be 1-128 letters, digits, - or _ and not only digits, found '${aliasName}'`,
      );
    }
    const extraAlarms = props.alarms ?? [];
    if (extraAlarms.length > MAX_ALARMS - 1) {
      throw new Error(
        `${this.node.path}: alarms must hold at most ${MAX_ALARMS - 1} alarms (CodeDeploy accepts ${MAX_ALARMS} per deployment group, the built-in errors alarm included), found ${extraAlarms.length}`,
      );
    }
    this.functionName = props.function.functionName;
    this.alias = new lambda.Alias(this, 'Alias', {
      aliasName,
      version: props.function.currentVersion,
    });
    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmName: this.deployedVersionAlarmName('errors'),
      alarmDescription: `Errors of the version being deployed to ${aliasName}: ${BlueGreenService.alarmEffect(trafficShifting)}`,
      metric: this.metricDeployedVersion('Errors', { period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: errorThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
      alias: this.alias,
      deploymentConfig: CONFIGS[trafficShifting],
      alarms: [this.errorsAlarm, ...extraAlarms],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
      preHook: props.preTrafficHook,
      postHook: props.postTrafficHook,
    });
    // The alias update starts the CodeDeploy deployment: only once the deployment group names this version's
    // alarms (the group refers to them, so they are created first).
    this.alias.node.addDependency(this.deploymentGroup);
    // aws-cdk-lib attaches the managed policy to the deployment group's role even when a role is passed in,
    // so a narrower role of our own would still carry it.
    Validations.of(this.deploymentGroup.role.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason: CODEDEPLOY_MANAGED_POLICY_REASON,
    });
    Validations.of(this.errorsAlarm.node.defaultChild!).acknowledge({
      id: 'NIST.800.53.R5-CloudWatchAlarmAction',
      reason:
        'The alarm acts through the CodeDeploy deployment group, which stops and rolls back the deployment when it fires',
    });
    // Alarms added later with deploymentGroup.addAlarm count too.
    const group = this.deploymentGroup.node.defaultChild as codedeploy.CfnDeploymentGroup;
    this.node.addValidation({
      validate: () => {
        const config = Stack.of(this).resolve(group.alarmConfiguration);
        const count = Array.isArray(config?.alarms) ? config.alarms.length : 0;
        return count > MAX_ALARMS
          ? [
              `${this.node.path}: the deployment group must have at most ${MAX_ALARMS} alarms (CodeDeploy's limit), found ${count}`,
            ]
          : [];
      },
    });
  }

  /**
   * A name for an alarm on the version being deployed (`metricDeployedVersion`) that changes with each version:
   * `<stack name>-<construct path in the stack>-<suffix>-v<version number>`. CloudFormation then replaces the
   * alarm for each new version rather than updating it, and a new alarm starts without a state. An alarm updated
   * in place keeps its state until its next evaluation (CloudFormation, AWS::CloudWatch::Alarm), so an alarm of
   * a failing version, still in ALARM when the deployment of its fix starts, would stop and roll back the fix.
   * The built-in errors alarm is named this way; give the alarms of `alarms` such a name too.
   *
   * @param suffix what the alarm measures, such as `latency` (letters, digits and hyphens)
   */
  public deployedVersionAlarmName(suffix: string): string {
    if (!/^[A-Za-z0-9-]{1,32}$/.test(suffix)) {
      throw new Error(`${this.node.path}: the alarm name suffix must be 1-32 letters, digits or -, found '${suffix}'`);
    }
    const stack = Stack.of(this);
    const pathInStack = this.node.path.slice(stack.node.path.length + 1).replace(/\//g, '-');
    return `${stack.stackName}-${pathInStack}-${suffix}-v${this.alias.version.version}`;
  }

  /**
   * A Lambda metric of the version that this stack deploys, invoked through the alias (dimensions
   * `FunctionName`, `Resource` = `<function>:<alias>` and `ExecutedVersion` = that version's number). While
   * CodeDeploy shifts traffic the alias routes to two versions: this metric counts only the new one, so an
   * alarm on it is not raised by errors or latency of the version being replaced (which would also stop a
   * deployment that fixes them). Each deployment updates the metric to the new version number.
   *
   * @param metricName a metric of the AWS/Lambda namespace, such as `Errors`, `Duration` or `Throttles`
   */
  public metricDeployedVersion(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      ...props,
      namespace: 'AWS/Lambda',
      metricName,
      dimensionsMap: {
        FunctionName: this.functionName,
        Resource: `${this.functionName}:${this.alias.aliasName}`,
        ExecutedVersion: this.alias.version.version,
      },
    });
  }
}
