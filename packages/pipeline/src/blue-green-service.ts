import { Duration, Validations } from 'aws-cdk-lib';
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
  /** Everything at once (still rolled back on alarm). */
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
  /** More alarms that stop and roll back the deployment (for example latency or business metrics). @default - the errors alarm only */
  readonly alarms?: cloudwatch.IAlarm[];
  /** Function errors per minute that raise the built-in errors alarm. @default 1 */
  readonly errorThreshold?: number;
  /** Function run before traffic shifts (CodeDeploy lifecycle hook). @default - none */
  readonly preTrafficHook?: lambda.IFunction;
  /** Function run after traffic shifted. @default - none */
  readonly postTrafficHook?: lambda.IFunction;
}

/**
 * Blue/green deployment of a Lambda function: each CloudFormation update publishes a new version, and
 * CodeDeploy shifts the alias to it by canary or linear steps, rolling back automatically when the
 * deployment fails or an alarm (function errors, plus any given) fires.
 */
export class BlueGreenService extends Construct {
  /** The alias that CodeDeploy shifts. */
  public readonly alias: lambda.Alias;
  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  /** The alarm on the alias's errors. */
  public readonly errorsAlarm: cloudwatch.IAlarm;

  constructor(scope: Construct, id: string, props: BlueGreenServiceProps) {
    super(scope, id);
    const errorThreshold = props.errorThreshold ?? 1;
    if (!Number.isInteger(errorThreshold) || errorThreshold < 1) {
      throw new Error(`${this.node.path}: errorThreshold must be an integer >= 1, found ${errorThreshold}`);
    }
    const aliasName = props.aliasName ?? 'live';
    if (!/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/.test(aliasName)) {
      throw new Error(
        `${this.node.path}: aliasName must be 1-128 letters, digits, - or _ and not only digits, found '${aliasName}'`,
      );
    }
    this.alias = new lambda.Alias(this, 'Alias', {
      aliasName,
      version: props.function.currentVersion,
    });
    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `Errors on ${aliasName} during or after a blue/green deployment: CodeDeploy rolls back`,
      metric: this.alias.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: errorThreshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
      alias: this.alias,
      deploymentConfig: CONFIGS[props.trafficShifting ?? TrafficShifting.CANARY_10_PERCENT_5_MINUTES],
      alarms: [this.errorsAlarm, ...(props.alarms ?? [])],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
      preHook: props.preTrafficHook,
      postHook: props.postTrafficHook,
    });
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
  }
}
