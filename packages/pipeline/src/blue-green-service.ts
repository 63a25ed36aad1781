import { createHash } from 'crypto';
import { Annotations, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
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
 * Minutes from the first shift until all traffic is on the new version. A canary shifts its percentage, then the
 * rest after its interval; a linear configuration shifts its percentage at the start of each interval
 * (CodeDeploy TimeBasedLinear), so 10 % steps reach 100 % at the start of the tenth interval, 9 intervals in.
 */
const MINUTES_BEFORE_FULL_SHIFT: { [key in TrafficShifting]: number } = {
  [TrafficShifting.CANARY_10_PERCENT_5_MINUTES]: 5,
  [TrafficShifting.CANARY_10_PERCENT_15_MINUTES]: 15,
  [TrafficShifting.LINEAR_10_PERCENT_EVERY_1_MINUTE]: 9,
  [TrafficShifting.LINEAR_10_PERCENT_EVERY_3_MINUTES]: 27,
  [TrafficShifting.ALL_AT_ONCE]: 0,
};

/** CloudWatch PutMetricAlarm AlarmName and CodeDeploy's Alarm name: at most 255 characters. */
const ALARM_NAME_MAX_LENGTH = 255;
/**
 * Room kept for the version number, known only at deployment. Lambda numbers versions 1, 2, 3, ... per function;
 * ten digits would take billions of published versions.
 */
const VERSION_NUMBER_ROOM = 10;
/** CloudFormation stack names have at most 128 characters: the room kept for a stack name that is a token. */
const STACK_NAME_MAX_LENGTH = 128;

/** The alarm names handed out in each stack, with the construct path of the service that named each alarm. */
const ALARM_NAME_STEMS = new WeakMap<Stack, Map<string, string>>();

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
    // From JavaScript any string gets here; CONFIGS[unknown] is undefined, which aws-cdk-lib replaces with its own
    // default (canary 10 % for 5 minutes), so a typo would silently deploy differently from what was asked.
    if (!Object.prototype.hasOwnProperty.call(CONFIGS, trafficShifting)) {
      throw new Error(
        `${this.node.path}: trafficShifting must be one of ${Object.keys(CONFIGS).join(', ')}, found '${trafficShifting}'`,
      );
    }
    if (!/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/.test(aliasName)) {
      throw new Error(
        `${this.node.path}: aliasName must be 1-128 letters, digits, - or _ and not only digits, found '${aliasName}'`,
      );
    }
    const extraAlarms = props.alarms ?? [];
    if (!Array.isArray(extraAlarms)) {
      throw new Error(`${this.node.path}: alarms must be an array of alarms, found ${typeof extraAlarms}`);
    }
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
    const watchesAfterShift = props.postTrafficHook !== undefined;
    this.node.addValidation({
      validate: () => {
        const config = Stack.of(this).resolve(group.alarmConfiguration);
        const alarms: unknown[] = Array.isArray(config?.alarms) ? config.alarms : [];
        // A post-traffic hook keeps the deployment, and CodeDeploy's watch of the alarms, open for as long as it
        // runs, which the template does not tell; all at once is documented as notify-only.
        if (!watchesAfterShift && trafficShifting !== TrafficShifting.ALL_AT_ONCE) {
          this.warnOfLateAlarms(alarms, trafficShifting);
        }
        return alarms.length > MAX_ALARMS
          ? [
              `${this.node.path}: the deployment group must have at most ${MAX_ALARMS} alarms (CodeDeploy's limit), found ${alarms.length}`,
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
   * The built-in errors alarm is named this way (suffix `errors`); give the alarms of `alarms` such a name too.
   *
   * Each call names one alarm: a second call that would give the same name (the same suffix on this service,
   * or another service of the stack whose path and suffix join to the same words, such as `Api-x` + `errors`
   * and `Api` + `x-errors`) throws, since two alarms of one name fail the deployment. A name that would pass
   * CloudWatch's 255 characters has the construct path cut and followed by a hash of the whole path.
   *
   * @param suffix what the alarm measures, such as `latency` (letters, digits and hyphens)
   */
  public deployedVersionAlarmName(suffix: string): string {
    if (typeof suffix !== 'string' || !/^[A-Za-z0-9-]{1,32}$/.test(suffix)) {
      throw new Error(`${this.node.path}: the alarm name suffix must be 1-32 letters, digits or -, found '${suffix}'`);
    }
    const stack = Stack.of(this);
    const stem = `${stack.stackName}-${this.alarmNamePath(stack, suffix)}-${suffix}`;
    const stems = ALARM_NAME_STEMS.get(stack) ?? new Map<string, string>();
    ALARM_NAME_STEMS.set(stack, stems);
    const owner = stems.get(stem);
    if (owner !== undefined) {
      const first =
        owner !== this.node.path
          ? `an alarm of ${owner} has that name`
          : suffix === 'errors'
            ? 'the built-in errors alarm has that name'
            : `this service already named an alarm with suffix '${suffix}'`;
      throw new Error(
        `${this.node.path}: deployedVersionAlarmName('${suffix}') would name a second alarm '${stem}-v<version>' ` +
          `(${first}); alarm names are unique per account and region: use another suffix`,
      );
    }
    stems.set(stem, this.node.path);
    return `${stem}-v${this.alias.version.version}`;
  }

  /** The construct path in the stack, '/' as '-', cut and hashed when the alarm name would pass 255 characters. */
  private alarmNamePath(stack: Stack, suffix: string): string {
    const path = this.node.path.slice(stack.node.path.length + 1).replace(/\//g, '-');
    const stackNameLength = Token.isUnresolved(stack.stackName) ? STACK_NAME_MAX_LENGTH : stack.stackName.length;
    // <stack>-<path>-<suffix>-v<version>
    const room = ALARM_NAME_MAX_LENGTH - stackNameLength - 1 - 1 - suffix.length - 2 - VERSION_NUMBER_ROOM;
    if (path.length <= room) {
      return path;
    }
    const hash = createHash('sha256').update(path).digest('hex').slice(0, 8);
    return `${path.slice(0, Math.max(0, room - hash.length - 1))}-${hash}`;
  }

  /**
   * Warns of each alarm of the deployment group (of this stack) that needs more data to go to ALARM than
   * `trafficShifting` leaves before all traffic is on the new version: CodeDeploy watches the alarms only until
   * the deployment ends, which is when the last shift is done, so such an alarm can never roll back. Its time
   * to ALARM is `datapointsToAlarm` (else `evaluationPeriods`) times its period; Lambda's metrics also arrive
   * some time after the minute they count, so an alarm that needs exactly the whole window is late too.
   */
  private warnOfLateAlarms(alarms: unknown[], trafficShifting: TrafficShifting): void {
    const stack = Stack.of(this);
    const window = MINUTES_BEFORE_FULL_SHIFT[trafficShifting];
    const byLogicalId = new Map<string, cloudwatch.CfnAlarm>();
    for (const construct of stack.node.findAll()) {
      if (construct instanceof cloudwatch.CfnAlarm && Stack.of(construct) === stack) {
        byLogicalId.set(stack.resolve(construct.logicalId), construct);
      }
    }
    for (const entry of alarms) {
      const ref = (entry as { name?: { Ref?: unknown } })?.name?.Ref;
      const alarm = typeof ref === 'string' ? byLogicalId.get(ref) : undefined;
      const minutes = alarm ? minutesToAlarm(stack, alarm) : undefined;
      if (alarm && minutes !== undefined && minutes >= window) {
        Annotations.of(this).addWarningV2(
          '@groundwork/pipeline:blueGreenAlarmTooSlow',
          `${alarm.node.path}: needs ${minutes} minutes of data to go to ALARM, but ${trafficShifting} moves all ` +
            `traffic to the new version after ${window} minutes and the deployment then ends: CodeDeploy stops ` +
            'watching the alarm before it can fire, so it rolls nothing back. Give it fewer datapoints to alarm or a ' +
            'shorter period (their product under the window, which leaves the metric time to arrive), or shift traffic more slowly.',
        );
      }
    }
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

/**
 * Minutes of data an alarm needs before it can go to ALARM: datapoints to alarm (else evaluation periods) times the
 * period (of the metric, or of the query the alarm returns). Undefined when a value is a token.
 */
function minutesToAlarm(stack: Stack, alarm: cloudwatch.CfnAlarm): number | undefined {
  const datapoints = stack.resolve(alarm.datapointsToAlarm ?? alarm.evaluationPeriods);
  let period: unknown = stack.resolve(alarm.period);
  if (period === undefined) {
    const queries: any[] = stack.resolve(alarm.metrics) ?? [];
    const returned = queries.find((q) => q?.returnData !== false) ?? queries[0];
    period = returned?.period ?? returned?.metricStat?.period;
    if (period === undefined) {
      const periods = queries.map((q) => q?.metricStat?.period).filter((p) => typeof p === 'number');
      period = periods.length > 0 ? Math.max(...periods) : undefined;
    }
  }
  return typeof datapoints === 'number' && typeof period === 'number' ? (datapoints * period) / 60 : undefined;
}
