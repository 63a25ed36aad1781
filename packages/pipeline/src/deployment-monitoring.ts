import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { allowAlarmPublish } from './private/alarm-publish';
import { logGroupKey } from './private/log-group-key';
import { pipelineNameHash } from './private/pipeline-name-hash';

export interface DeploymentMonitoringProps {
  /** Name of the CodePipeline pipeline to watch. */
  readonly pipelineName: string;
  /**
   * Topic that receives the failure alarm. When the topic is created in this app, its policy gets a
   * statement letting CloudWatch publish from the failure alarm (a topic policy replaces SNS's default one).
   * @default - the alarm has no action
   */
  readonly alarmTopic?: sns.ITopic;
  /** Retention of the pipeline event log group. @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;
  /** Metric namespace. @default 'Groundwork/Deployments' */
  readonly namespace?: string;
  /** Failed stage executions in the alarm period that raise the alarm. @default 1 */
  readonly failureThreshold?: number;
  /**
   * Create the CloudWatch Logs resource policy that lets EventBridge write to this construct's log group
   * (`groundwork-events-<pipeline>`). CloudWatch Logs allows at most 10 resource policies per account and
   * region, a quota that cannot be raised, and each construct with this option adds one: with several
   * pipelines in one account (one per branch, one per team), set it to false on each and create one
   * `PipelineEventsLogPolicy` in that account and region instead, which covers every
   * `/aws/events/groundwork/*` log group.
   * @default true
   */
  readonly eventsLogPolicy?: boolean;
}

/**
 * A CodePipeline pipeline name (aws-cdk-lib 2.276 validates pipeline names with it, aws-codepipeline's
 * VALID_IDENTIFIER_REGEX). The rule matches events by this name: one that no pipeline can have matches nothing,
 * so the failure alarm could never fire.
 */
const PIPELINE_NAME = /^[A-Za-z0-9.@_-]{1,100}$/;

/**
 * A namespace that the metric filters (CloudWatch Logs MetricTransformation metricNamespace: at most 255
 * characters, none of ':', '*', '$') and the failure alarm (a namespace of 1 to 255 characters) accept. Quotes
 * are refused as well: the dashboard writes the namespace into a SEARCH expression, a quoted string.
 */
const NAMESPACE = /^[^:*$"'\x00-\x1f]{1,255}$/;

/**
 * The namespace as a SEARCH expression's metric schema takes it: CloudWatch requires double quotes around a
 * namespace with spaces or other characters than letters and digits, and shows AWS's own `AWS/EC2` unquoted.
 */
function searchNamespace(namespace: string): string {
  return /^[A-Za-z0-9/]+$/.test(namespace) ? namespace : `"${namespace}"`;
}

/** Characters CloudWatch Logs allows in a log group name, besides '/' (CreateLogGroup). */
const LOG_GROUP_NAME_PART = /^[A-Za-z0-9._-]+$/;
/** The prefix of the log groups that receive pipeline events: EventBridge writes only to `/aws/events/...`. */
const EVENTS_LOG_GROUP_PREFIX = '/aws/events/groundwork/';

/**
 * `/aws/events/groundwork/<pipeline>`. A pipeline name may hold '@' (CodePipeline allows it), which a log
 * group name may not: such a name has it replaced with '-' and ends in a hash of the whole pipeline name,
 * so that `a@b` and `a-b` still get different log groups.
 */
function eventsLogGroupName(pipelineName: string): string {
  if (Token.isUnresolved(pipelineName) || LOG_GROUP_NAME_PART.test(pipelineName)) {
    return `${EVENTS_LOG_GROUP_PREFIX}${pipelineName}`;
  }
  return `${EVENTS_LOG_GROUP_PREFIX}${pipelineName.replace(/[^A-Za-z0-9._-]/g, '-')}-${pipelineNameHash(pipelineName)}`;
}

/** Characters CloudWatch allows in a dashboard name (PutDashboard), at most 255 of them. */
const DASHBOARD_NAME_PART = /^[A-Za-z0-9_-]+$/;
/** The longest pipeline name kept whole in a dashboard name: room for the prefix, hash and region within 255. */
const DASHBOARD_PIPELINE_NAME_MAX_LENGTH = 200;

/**
 * `groundwork-<pipeline>-<region>`. Dashboards are global to the account while a pipeline name is unique only
 * per account and region, so the name holds the stack's region (a token when the stack has none: the region
 * it is deployed to). A pipeline name with characters a dashboard name may not hold ('.' and '@'), or longer
 * than 200 characters, has them replaced with '-', is cut, and ends in a hash of the whole pipeline name, as
 * the log group name does, so that `a.b`, `a@b` and `a-b` still get different dashboards.
 */
function dashboardName(pipelineName: string, region: string): string {
  if (Token.isUnresolved(pipelineName)) {
    return `groundwork-${pipelineName}-${region}`;
  }
  const base = pipelineName.replace(/[^A-Za-z0-9_-]/g, '-');
  const whole = DASHBOARD_NAME_PART.test(pipelineName) && pipelineName.length <= DASHBOARD_PIPELINE_NAME_MAX_LENGTH;
  const name = whole ? base : `${base.slice(0, DASHBOARD_PIPELINE_NAME_MAX_LENGTH)}-${pipelineNameHash(pipelineName)}`;
  return `groundwork-${name}-${region}`;
}

/** The statement that lets EventBridge create log streams and put events in the log groups `resource` names. */
function eventsWritePolicy(stack: Stack, resource: string): string {
  return stack.toJsonString({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: resource,
      },
    ],
  });
}

/**
 * One CloudWatch Logs resource policy, `groundwork-pipeline-events`, that lets EventBridge write to every
 * `/aws/events/groundwork/*` log group of its stack's account and region: the log groups of all
 * `DeploymentMonitoring` constructs there (`GitOpsPipeline` creates one per pipeline).
 *
 * CloudWatch Logs allows at most 10 resource policies per account and region (a fixed quota), and by default
 * each `DeploymentMonitoring` creates its own. Where several pipelines share an account, create this once in
 * that account and region (in one stack only: the name is fixed), and give every pipeline
 * `monitoringEventsLogPolicy: false` (`DeploymentMonitoring`'s `eventsLogPolicy: false`).
 */
export class PipelineEventsLogPolicy extends Construct {
  /** The name of the resource policy. */
  public static readonly POLICY_NAME = 'groundwork-pipeline-events';

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    new logs.CfnResourcePolicy(this, 'Resource', {
      policyName: PipelineEventsLogPolicy.POLICY_NAME,
      policyDocument: eventsWritePolicy(
        stack,
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: `${EVENTS_LOG_GROUP_PREFIX}*:*`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    });
  }
}

/**
 * Deployment metrics without Lambda code: an EventBridge rule sends CodePipeline stage and action
 * execution state changes to a KMS-encrypted log group, metric filters count succeeded and failed
 * stage executions per stage (dimensions `Pipeline`, `Stage`) and failed stage executions of the
 * whole pipeline (`StageFailed` with the dimension `Pipeline` only), an alarm fires on the latter,
 * and a dashboard shows pipeline health.
 */
export class DeploymentMonitoring extends Construct {
  /** The metric namespace. */
  public readonly namespace: string;
  /** The log group that stores the pipeline's stage and action events. */
  public readonly logGroup: logs.ILogGroup;
  /** The alarm on failed stage executions of the pipeline (metric `StageFailed`, dimension `Pipeline`). */
  public readonly failureAlarm: cloudwatch.IAlarm;
  /**
   * The pipeline health dashboard, `groundwork-<pipeline>-<region>`. Dashboards are global to the account, so
   * the name holds the region; see the package README for pipeline names with '.' or '@'.
   */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DeploymentMonitoringProps) {
    super(scope, id);
    this.namespace = props.namespace ?? 'Groundwork/Deployments';
    // From JavaScript a missing name is undefined, which a regular expression tests as the word 'undefined'.
    const pipelineName = props.pipelineName;
    if (typeof pipelineName !== 'string' || (!Token.isUnresolved(pipelineName) && !PIPELINE_NAME.test(pipelineName))) {
      throw new Error(
        `${this.node.path}: pipelineName must be a CodePipeline pipeline name (1 to 100 letters, digits, '.', '@', '_' or '-'), found '${props.pipelineName}'`,
      );
    }
    if (
      typeof this.namespace !== 'string' ||
      (!Token.isUnresolved(this.namespace) && !NAMESPACE.test(this.namespace))
    ) {
      throw new Error(
        `${this.node.path}: namespace must be 1 to 255 characters without ':', '*', '$', quotes or control characters (CloudWatch Logs metric filters), found '${this.namespace}'`,
      );
    }
    const threshold = props.failureThreshold ?? 1;
    if (!Number.isInteger(threshold) || threshold < 1) {
      throw new Error(`${this.node.path}: failureThreshold must be an integer >= 1, found ${threshold}`);
    }
    const stack = Stack.of(this);

    const key = logGroupKey(this, 'LogKey', `Encrypts the pipeline event log group (${this.node.path})`);
    // EventBridge delivers to log groups whose name starts with /aws/events/ only.
    const logGroup = new logs.LogGroup(this, 'Events', {
      logGroupName: eventsLogGroupName(props.pipelineName),
      encryptionKey: key,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      // Retained on stack deletion and replacement, but deleted when the create that made it rolls back:
      // a log group retained then keeps its fixed name, so the retried create fails on it.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    // The aws-events-targets CloudWatchLogGroup target installs this policy through a Lambda-backed
    // custom resource; the plain CloudFormation resource needs no Lambda. Without it (eventsLogPolicy:
    // false), a PipelineEventsLogPolicy of the account and region must cover the log group.
    if (props.eventsLogPolicy ?? true) {
      new logs.CfnResourcePolicy(this, 'EventsWritePolicy', {
        policyName: `groundwork-events-${props.pipelineName}`.slice(0, 255),
        policyDocument: eventsWritePolicy(stack, logGroup.logGroupArn),
      });
    }
    const rule = new events.Rule(this, 'StateChanges', {
      description: `CodePipeline stage and action state changes of ${props.pipelineName}`,
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Stage Execution State Change', 'CodePipeline Action Execution State Change'],
        detail: { pipeline: [props.pipelineName] },
      },
    });
    // The log group's ARN without the `:*` that Fn::GetAtt Arn ends in, as aws-cdk-lib's CloudWatchLogGroup
    // target builds it: EventBridge is reported to accept the `:*` form and then deliver nothing. The
    // resource policy (above, or PipelineEventsLogPolicy's) keeps `<arn>:*`, which covers the log streams
    // EventBridge writes to.
    const targetArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: logGroup.logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    rule.addTarget({
      bind: () => ({ arn: targetArn }),
    });

    const stageFilter = (id2: string, name: string, state: string, dimensions: { [name: string]: string }) =>
      new logs.MetricFilter(this, id2, {
        logGroup,
        metricNamespace: this.namespace,
        metricName: name,
        filterPattern: logs.FilterPattern.all(
          logs.FilterPattern.stringValue('$.detail-type', '=', 'CodePipeline Stage Execution State Change'),
          logs.FilterPattern.stringValue('$.detail.state', '=', state),
        ),
        metricValue: '1',
        dimensions,
      });
    const perStage = { Pipeline: '$.detail.pipeline', Stage: '$.detail.stage' };
    stageFilter('StageSucceededFilter', 'StageSucceeded', 'SUCCEEDED', perStage);
    stageFilter('StageFailedFilter', 'StageFailed', 'FAILED', perStage);
    // CloudWatch rejects alarms on SEARCH expressions (they may return several time series), and
    // does not add up the per-stage series of a custom metric by itself. A second filter publishes
    // the same failures with the Pipeline dimension only: one series per pipeline, whatever the
    // number of stages, which an alarm may watch directly.
    stageFilter('PipelineStageFailedFilter', 'StageFailed', 'FAILED', { Pipeline: '$.detail.pipeline' });
    const failures = new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: 'StageFailed',
      dimensionsMap: { Pipeline: props.pipelineName },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
      label: 'Failed stage executions',
    });
    const alarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription: `A stage of pipeline ${props.pipelineName} failed: see the failed-deployment runbook (docs/runbooks/failed-deployment.md)`,
      metric: failures,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
      alarm.addOkAction(new cwActions.SnsAction(props.alarmTopic));
      allowAlarmPublish(props.alarmTopic, alarm);
    }

    const byStage = (metricName: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${searchNamespace(this.namespace)},Pipeline,Stage} MetricName="${metricName}" Pipeline="${props.pipelineName}"', 'Sum', 3600)`,
        label,
        period: Duration.hours(1),
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: dashboardName(props.pipelineName, stack.region),
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({ title: 'Deployment alarms', alarms: [alarm], width: 6 }),
          new cloudwatch.GraphWidget({
            title: 'Succeeded stage executions per stage',
            left: [byStage('StageSucceeded', 'Succeeded')],
            width: 9,
          }),
          new cloudwatch.GraphWidget({
            title: 'Failed stage executions per stage',
            left: [byStage('StageFailed', 'Failed')],
            width: 9,
          }),
        ],
        [
          new cloudwatch.LogQueryWidget({
            title: 'Latest failed actions',
            logGroupNames: [logGroup.logGroupName],
            queryLines: [
              'fields @timestamp, detail.stage, detail.action, detail.state',
              "filter `detail-type` = 'CodePipeline Action Execution State Change' and detail.state = 'FAILED'",
              'sort @timestamp desc',
              'limit 20',
            ],
            width: 24,
          }),
        ],
      ],
    });
    this.logGroup = logGroup;
    this.failureAlarm = alarm;
  }
}
