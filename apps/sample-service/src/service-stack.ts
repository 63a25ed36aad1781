import { WorkloadVpc } from '@groundwork/networking';
import { BlueGreenService } from '@groundwork/pipeline';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { FUNCTION_TIMEOUT_SECONDS, ServiceEnvironment, ServiceIdentity } from './config';

/** Properties of a `ServiceStack`. */
export interface ServiceStackProps extends StackProps {
  readonly service: ServiceIdentity;
  readonly environment: ServiceEnvironment;
}

// A sample handler. A real service ships its code as an asset (lambda.Code.fromAsset or NodejsFunction).
const HANDLER = `exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    service: process.env.SERVICE_NAME,
    environment: process.env.ENVIRONMENT_NAME,
    path: event.rawPath,
  }),
});`;

/**
 * The orders API in one environment: a Lambda function in the environment's private subnets (VPC
 * imported from the platform's SSM parameters, no lookup), reached through an IAM-authenticated
 * function URL on the `live` alias, deployed blue/green by CodeDeploy with canary traffic shifting
 * and automatic rollback on the error and latency alarms.
 */
export class ServiceStack extends Stack {
  public readonly function: lambda.Function;
  public readonly blueGreen: BlueGreenService;
  public readonly latencyAlarm: cloudwatch.Alarm;
  public readonly alarmTopic: sns.Topic;
  public readonly logGroup: logs.LogGroup;
  public readonly functionUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { service, environment: env } = props;

    const vpc = WorkloadVpc.fromEnvironment(this, 'Vpc', {
      environmentName: env.platformEnvironment,
      azCount: env.azCount,
    });
    const endpoints = WorkloadVpc.endpointSecurityGroupFromEnvironment(
      this,
      'EndpointSecurityGroup',
      env.platformEnvironment,
    );

    // The key and the log group are kept on every update and delete, but not by the rollback of the stack's
    // own failed first creation (CloudFormation `RetainExceptOnCreate`): the log group's name is fixed, so a
    // group kept by that rollback would make the retry fail with AlreadyExists.
    const key = new kms.Key(this, 'Key', {
      description: `Encrypts the logs and alarm topic of ${service.name} in ${env.name}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    const logGroupName = `/${service.name}/${env.name}/function`;
    // CloudWatch Logs uses the key only for this log group (encryption context aws:logs:arn).
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'kms:EncryptionContext:aws:logs:arn': this.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: logGroupName,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    // CloudWatch alarms publish to the encrypted topic only if they may use its key.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName,
      retention: env.logRetentionDays,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `${service.name} ${env.name} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of service.alarmEmails) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    const securityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc,
      // EC2 refuses apostrophes in a group description.
      description: `${service.name} function - HTTPS to the interface endpoints of the environment only`,
      allowAllOutbound: false,
    });
    securityGroup.connections.allowTo(endpoints, ec2.Port.tcp(443), 'AWS APIs through the interface endpoints');

    this.function = new lambda.Function(this, 'Function', {
      description: service.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(HANDLER),
      memorySize: 256,
      // The p99 latency threshold is validated against it (config.ts).
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
      reservedConcurrentExecutions: env.reservedConcurrency,
      logGroup: this.logGroup,
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      environment: { SERVICE_NAME: service.name, ENVIRONMENT_NAME: env.name },
    });

    this.blueGreen = new BlueGreenService(this, 'BlueGreen', {
      function: this.function,
      trafficShifting: env.trafficShifting,
      errorThreshold: env.alarms.errorsPerMinute,
    });
    this.latencyAlarm = new cloudwatch.Alarm(this, 'LatencyAlarm', {
      // New with each version: an alarm updated in place would keep the old version's state.
      alarmName: this.blueGreen.deployedVersionAlarmName('latency'),
      alarmDescription: `p99 duration of the version of ${service.name} being deployed in ${env.name} over ${env.alarms.p99LatencyMs} ms: ${BlueGreenService.alarmEffect(env.trafficShifting)}`,
      // The version being deployed only (through the alias): the old version's latency must neither roll back
      // the new one nor stop a deployment that fixes it.
      metric: this.blueGreen.metricDeployedVersion('Duration', { period: Duration.minutes(1), statistic: 'p99' }),
      threshold: env.alarms.p99LatencyMs,
      // Three minutes in a row: one slow cold start must not roll a deployment back.
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.latencyAlarm.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
    this.blueGreen.deploymentGroup.addAlarm(this.latencyAlarm);
    // BlueGreenService types its alarm as IAlarm; it is an Alarm, so the team can be told too.
    const notifying = [this.latencyAlarm];
    if (this.blueGreen.errorsAlarm instanceof cloudwatch.Alarm) {
      this.blueGreen.errorsAlarm.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      notifying.push(this.blueGreen.errorsAlarm);
    }
    // enforceSSL gives the topic a policy, which replaces SNS's default one (that let the account's alarms
    // publish): without this statement the alarms change state and their notifications are refused.
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': notifying.map((alarm) => alarm.alarmArn) },
          StringEquals: { 'aws:SourceAccount': this.account },
        },
      }),
    );

    this.functionUrl = this.blueGreen.alias.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    new CfnOutput(this, 'ServiceUrl', {
      description: 'IAM-authenticated URL of the live alias',
      value: this.functionUrl.url,
    });

    this.acknowledgeFindings();
  }

  /** Each acknowledgement covers one finding on one construct. */
  private acknowledgeFindings(): void {
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W2001',
      reason:
        'WorkloadVpc.fromEnvironment declares a template parameter for every tier the platform publishes; this service uses only the private subnets, so the other SSM parameters stay unreferenced',
    });
    const role = this.function.role!.node.defaultChild!;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'AWS managed policy limited to CreateLogGroup/CreateLogStream/PutLogEvents; the function logs only to its own KMS-encrypted log group',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason:
        'AWS managed policy with the ENI actions Lambda needs to place the function in the VPC (they do not support resource-level permissions)',
    });
    Validations.of(this.function.node.defaultChild!).acknowledge({
      id: 'NIST.800.53.R5-LambdaDLQ',
      reason:
        'Invoked only synchronously through the function URL: the caller receives the error, and a DLQ applies only to asynchronous invocations',
    });
  }
}
