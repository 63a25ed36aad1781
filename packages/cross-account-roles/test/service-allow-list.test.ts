import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sam from 'aws-cdk-lib/aws-sam';
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
    // The rest of the namespaces that have a type override below.
    ['AWS::Cognito::UserPoolClient', ['cognito-idp']],
    ['AWS::ECR::Repository', ['ecr']],
    ['AWS::MediaPackage::Channel', ['mediapackage']],
    ['AWS::Timestream::Table', ['timestream']],
  ])('%s -> %j', (type, expected) => {
    expect(ServiceAllowList.servicesForResourceType(type)).toEqual(expected);
  });

  // Each CloudFormation namespace or type whose IAM service prefix is not its lowercased name, checked against
  // the Service Authorization Reference ("service prefix: ..."): without an override each would map to a
  // prefix that does not exist (msk, amazonmq, vpclattice, ...) or to another service's (cognito-idp).
  test.each([
    ['AWS::MSK::Cluster', ['kafka']],
    ['AWS::MSK::ServerlessCluster', ['kafka']],
    ['AWS::AmazonMQ::Broker', ['mq']],
    ['AWS::VpcLattice::ServiceNetwork', ['vpc-lattice']],
    ['AWS::InspectorV2::Filter', ['inspector2']],
    ['AWS::Macie::Session', ['macie2']],
    ['AWS::Cognito::IdentityPool', ['cognito-identity']],
    ['AWS::Cognito::IdentityPoolRoleAttachment', ['cognito-identity']],
    ['AWS::Cognito::IdentityPoolPrincipalTag', ['cognito-identity']],
    ['AWS::ECR::PublicRepository', ['ecr-public']],
    ['AWS::MediaPackage::PackagingGroup', ['mediapackage-vod']],
    ['AWS::MediaPackage::PackagingConfiguration', ['mediapackage-vod']],
    ['AWS::MediaPackage::Asset', ['mediapackage-vod']],
    ['AWS::Timestream::InfluxDBInstance', ['timestream-influxdb']],
    ['AWS::Timestream::InfluxDBCluster', ['timestream-influxdb']],
    ['AWS::Timestream::InfluxDBBackup', ['timestream-influxdb']],
    ['AWS::ComputeOptimizer::AutomationRule', ['aco-automation']],
    ['AWS::S3ObjectLambda::AccessPoint', ['s3']],
    ['AWS::ACMPCA::CertificateAuthority', ['acm-pca']],
    ['AWS::ARCRegionSwitch::Plan', ['arc-region-switch']],
    ['AWS::ARCZonalShift::ZonalAutoshiftConfiguration', ['arc-zonal-shift']],
    ['AWS::AWSExternalAnthropic::Workspace', ['aws-external-anthropic']],
    ['AWS::AccountAccess::Application', ['account-access']],
    ['AWS::AgentRegistry::Registry', ['agent-registry']],
    ['AWS::AppIntegrations::Application', ['app-integrations']],
    ['AWS::ApplicationSignals::Discovery', ['application-signals']],
    ['AWS::AutoScalingPlans::ScalingPlan', ['autoscaling-plans']],
    ['AWS::BCM::Dashboard', ['bcm-dashboards']],
    ['AWS::BCMDataExports::Export', ['bcm-data-exports']],
    ['AWS::BackupGateway::Hypervisor', ['backup-gateway']],
    ['AWS::BcmPricingCalculator::BillEstimate', ['bcm-pricing-calculator']],
    ['AWS::BedrockAgentCore::Runtime', ['bedrock-agentcore']],
    ['AWS::BedrockMantle::Project', ['bedrock-mantle']],
    ['AWS::CleanRoomsML::TrainingDataset', ['cleanrooms-ml']],
    ['AWS::CodeGuruProfiler::ProfilingGroup', ['codeguru-profiler']],
    ['AWS::CodeGuruReviewer::RepositoryAssociation', ['codeguru-reviewer']],
    ['AWS::ConnectCampaigns::Campaign', ['connect-campaigns']],
    ['AWS::ConnectCampaignsV2::Campaign', ['connect-campaigns']],
    ['AWS::CustomerProfiles::Domain', ['profile']],
    ['AWS::DevOpsAgent::AgentSpace', ['aidevops']],
    ['AWS::DevOpsGuru::NotificationChannel', ['devops-guru']],
    ['AWS::DirectoryService::MicrosoftAD', ['ds']],
    ['AWS::DocDBElastic::Cluster', ['docdb-elastic']],
    ['AWS::EMRContainers::VirtualCluster', ['emr-containers']],
    ['AWS::EMRServerless::Application', ['emr-serverless']],
    ['AWS::ElementalInference::Feed', ['elemental-inference']],
    ['AWS::GreengrassV2::ComponentVersion', ['greengrass']],
    ['AWS::HealthAgent::Domain', ['health-agent']],
    ['AWS::HealthImaging::Datastore', ['medical-imaging']],
    ['AWS::IoTCoreDeviceAdvisor::SuiteDefinition', ['iotdeviceadvisor']],
    ['AWS::IoTSecureTunneling::Tunnel', ['iot']],
    ['AWS::KendraRanking::ExecutionPlan', ['kendra-ranking']],
    ['AWS::LicenseManager::Grant', ['license-manager']],
    ['AWS::LicenseManagerLinuxSubscriptions::SubscriptionProvider', ['license-manager-linux-subscriptions']],
    ['AWS::LicenseManagerUserSubscriptions::LicenseServerEndpoint', ['license-manager-user-subscriptions']],
    ['AWS::Location::Tracker', ['geo']],
    ['AWS::MWAA::Environment', ['airflow']],
    ['AWS::MWAAServerless::Workflow', ['airflow-serverless']],
    ['AWS::NeptuneGraph::Graph', ['neptune-graph']],
    ['AWS::NimbleStudio::Studio', ['nimble']],
    ['AWS::NotificationsContacts::EmailContact', ['notifications-contacts']],
    ['AWS::NovaAct::WorkflowDefinition', ['nova-act']],
    ['AWS::OpenSearchServerless::Collection', ['aoss']],
    ['AWS::OpsWorksCM::Server', ['opsworks-cm']],
    ['AWS::PCAConnectorAD::Connector', ['pca-connector-ad']],
    ['AWS::PCAConnectorSCEP::Connector', ['pca-connector-scep']],
    ['AWS::PaymentCryptography::Key', ['payment-cryptography']],
    ['AWS::Pinpoint::App', ['mobiletargeting']],
    ['AWS::PinpointEmail::ConfigurationSet', ['ses']],
    ['AWS::RedshiftServerless::Workgroup', ['redshift-serverless']],
    ['AWS::RefactorSpaces::Environment', ['refactor-spaces']],
    ['AWS::ResilienceHubV2::UserJourney', ['resiliencehub']],
    ['AWS::ResourceExplorer2::Index', ['resource-explorer-2']],
    ['AWS::Route53RecoveryControl::ControlPanel', ['route53-recovery-control-config']],
    ['AWS::Route53RecoveryReadiness::Cell', ['route53-recovery-readiness']],
    ['AWS::S3Outposts::Bucket', ['s3-outposts']],
    ['AWS::SMSVOICE::PhoneNumber', ['sms-voice']],
    ['AWS::SSMContacts::Contact', ['ssm-contacts']],
    ['AWS::SSMGuiConnect::Preferences', ['ssm-guiconnect']],
    ['AWS::SSMIncidents::ResponsePlan', ['ssm-incidents']],
    ['AWS::SSMQuickSetup::ConfigurationManager', ['ssm-quicksetup']],
    ['AWS::ServiceCatalogAppRegistry::Application', ['servicecatalog']],
    ['AWS::SystemsManagerSAP::Application', ['ssm-sap']],
    ['AWS::WAFRegional::WebACL', ['waf-regional']],
    ['AWS::WorkSpacesThinClient::Environment', ['thinclient']],
    ['AWS::WorkSpacesWeb::Portal', ['workspaces-web']],
    ['AWS::WorkspacesInstances::WorkspaceInstance', ['workspaces-instances']],
  ])('%s -> %j (IAM service prefix differs from the namespace)', (type, expected) => {
    expect(ServiceAllowList.servicesForResourceType(type)).toEqual(expected);
  });

  test('an unknown shape is an error, not a guess', () => {
    expect(() => ServiceAllowList.servicesForResourceType('Vendor::Thing')).toThrow(
      /cannot map resource type 'Vendor::Thing' to an IAM service prefix/,
    );
  });
});

describe('ServiceAllowList: AWS SAM types map to the services of the resources the transform generates', () => {
  const services = (type: string, properties?: any) => ServiceAllowList.servicesForResourceType(type, properties);
  const fn = (properties: any) => services('AWS::Serverless::Function', properties);
  const withRole = { Role: 'arn:aws:iam::111111111111:role/fn' };

  test('a function is Lambda, plus IAM for the role the transform creates when none is given', () => {
    expect(services('AWS::Serverless::Function')).toEqual(['iam', 'lambda']);
    expect(fn({})).toEqual(['iam', 'lambda']);
    expect(fn(withRole)).toEqual(['lambda']);
    // A role that may be absent (Fn::If with AWS::NoValue) may still be generated.
    expect(
      fn({ Role: { 'Fn::If': ['HasRole', 'arn:aws:iam::111111111111:role/fn', { Ref: 'AWS::NoValue' }] } }),
    ).toEqual(['iam', 'lambda']);
  });

  test.each([
    ['SQS', {}, ['lambda']],
    ['Kinesis', {}, ['lambda']],
    ['DynamoDB', {}, ['lambda']],
    ['MSK', {}, ['lambda']],
    ['MQ', {}, ['lambda']],
    ['SelfManagedKafka', {}, ['lambda']],
    ['DocumentDB', {}, ['lambda']],
    ['S3', {}, ['lambda', 's3']],
    ['SNS', {}, ['lambda', 'sns']],
    ['SNS', { SqsSubscription: true }, ['lambda', 'sns', 'sqs']],
    // An existing queue still gets a queue policy.
    ['SNS', { SqsSubscription: { QueueArn: 'arn:aws:sqs:eu-west-1:1:q', QueueUrl: 'u' } }, ['lambda', 'sns', 'sqs']],
    ['Api', {}, ['apigateway', 'lambda']],
    ['HttpApi', {}, ['apigateway', 'lambda']],
    ['Schedule', {}, ['events', 'lambda']],
    ['Schedule', { DeadLetterConfig: { Type: 'SQS' } }, ['events', 'lambda', 'sqs']],
    ['EventBridgeRule', { DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:1:q' } }, ['events', 'lambda']],
    ['Schedule', { DeadLetterConfig: { Type: 'SQS', Arn: 'arn:aws:sqs:eu-west-1:1:q' } }, ['events', 'lambda']],
    ['CloudWatchEvent', {}, ['events', 'lambda']],
    ['ScheduleV2', {}, ['iam', 'lambda', 'scheduler']],
    ['ScheduleV2', { RoleArn: 'arn:aws:iam::1:role/s' }, ['lambda', 'scheduler']],
    ['CloudWatchLogs', {}, ['lambda', 'logs']],
    ['IoTRule', {}, ['iot', 'lambda']],
    ['AlexaSkill', {}, ['lambda']],
    ['Cognito', {}, ['cognito-idp', 'lambda']],
  ])('a function event of Type %s (%j) -> %j', (type, properties, expected) => {
    expect(fn({ ...withRole, Events: { E: { Type: type, Properties: properties } } })).toEqual(expected);
  });

  test('a deployment preference adds CodeDeploy, and IAM for its service role unless one is given', () => {
    expect(fn({ ...withRole, DeploymentPreference: { Type: 'Canary10Percent5Minutes' } })).toEqual([
      'codedeploy',
      'iam',
      'lambda',
    ]);
    expect(fn({ ...withRole, DeploymentPreference: { Type: 'AllAtOnce', Role: 'arn:aws:iam::1:role/cd' } })).toEqual([
      'codedeploy',
      'lambda',
    ]);
  });

  test('an SQS or SNS destination without an ARN is a queue or topic the transform creates', () => {
    const destinations = (onSuccess: any, onFailure: any) =>
      fn({ ...withRole, EventInvokeConfig: { DestinationConfig: { OnSuccess: onSuccess, OnFailure: onFailure } } });
    expect(destinations({ Type: 'SQS' }, { Type: 'SNS' })).toEqual(['lambda', 'sns', 'sqs']);
    expect(
      destinations({ Type: 'SQS', Destination: 'arn:aws:sqs:eu-west-1:1:q' }, { Type: 'Lambda', Destination: 'x' }),
    ).toEqual(['lambda']);
  });

  test('a state machine is Step Functions, and IAM for the roles of its role-less events', () => {
    const role = { Role: 'arn:aws:iam::1:role/sm' };
    expect(services('AWS::Serverless::StateMachine')).toEqual(['iam', 'states']);
    expect(services('AWS::Serverless::StateMachine', role)).toEqual(['states']);
    expect(
      services('AWS::Serverless::StateMachine', {
        ...role,
        Events: { S: { Type: 'Schedule', Properties: { RoleArn: 'arn:aws:iam::1:role/e' } } },
      }),
    ).toEqual(['events', 'states']);
    expect(
      services('AWS::Serverless::StateMachine', {
        ...role,
        Events: { S: { Type: 'EventBridgeRule', Properties: {} } },
      }),
    ).toEqual(['events', 'iam', 'states']);
    expect(
      services('AWS::Serverless::StateMachine', {
        ...role,
        Events: { S: { Type: 'CloudWatchEvent', Properties: {} } },
      }),
    ).toEqual(['events', 'iam', 'states']);
    expect(services('AWS::Serverless::StateMachine', { ...role, Events: { S: { Type: 'ScheduleV2' } } })).toEqual([
      'iam',
      'scheduler',
      'states',
    ]);
    expect(
      services('AWS::Serverless::StateMachine', {
        ...role,
        Events: { S: { Type: 'ScheduleV2', Properties: { RoleArn: 'arn:aws:iam::1:role/s' } } },
      }),
    ).toEqual(['scheduler', 'states']);
    expect(services('AWS::Serverless::StateMachine', { ...role, Events: { A: { Type: 'Api' } } })).toEqual([
      'apigateway',
      'iam',
      'states',
    ]);
  });

  test('APIs: Route 53 for a custom domain with record settings, Lambda for authorizer permissions', () => {
    const authorizer = (settings: any) => ({
      Auth: { Authorizers: { A: { FunctionArn: 'arn:aws:lambda:eu-west-1:1:function:a', ...settings } } },
    });
    for (const type of ['AWS::Serverless::Api', 'AWS::Serverless::HttpApi']) {
      expect(services(type, {})).toEqual(['apigateway']);
      expect(services(type, { Domain: { DomainName: 'api.example.com', Route53: { HostedZoneId: 'Z1' } } })).toEqual([
        'apigateway',
        'route53',
      ]);
      expect(services(type, { Domain: { DomainName: 'api.example.com' } })).toEqual(['apigateway']);
    }
    // A REST API's Lambda authorizer gets a permission unless told not to; an HTTP API's only when told to.
    expect(services('AWS::Serverless::Api', authorizer({}))).toEqual(['apigateway', 'lambda']);
    expect(services('AWS::Serverless::Api', authorizer({ DisableFunctionDefaultPermissions: true }))).toEqual([
      'apigateway',
    ]);
    expect(services('AWS::Serverless::HttpApi', authorizer({}))).toEqual(['apigateway']);
    expect(services('AWS::Serverless::HttpApi', authorizer({ EnableFunctionDefaultPermissions: true }))).toEqual([
      'apigateway',
      'lambda',
    ]);
  });

  test('a GraphQL API is AppSync, IAM for the logging and data source roles it is not given, Lambda for authorizers', () => {
    const graphql = (properties: any) => services('AWS::Serverless::GraphQLApi', properties);
    expect(graphql({})).toEqual(['appsync', 'iam']);
    expect(graphql({ Logging: false })).toEqual(['appsync']);
    expect(graphql({ Logging: { CloudWatchLogsRoleArn: 'arn:aws:iam::1:role/l' } })).toEqual(['appsync']);
    expect(graphql({ Logging: false, DataSources: { DynamoDb: { Table: { TableArn: 'arn' } } } })).toEqual([
      'appsync',
      'iam',
    ]);
    expect(
      graphql({ Logging: false, DataSources: { Lambda: { Fn: { FunctionArn: 'arn', ServiceRoleArn: 'arn:r' } } } }),
    ).toEqual(['appsync']);
    expect(graphql({ Logging: false, Auth: { Type: 'API_KEY', Additional: [{ Type: 'AWS_LAMBDA' }] } })).toEqual([
      'appsync',
      'lambda',
    ]);
  });

  test('a connector is the resource policy its pair takes (queue, topic, Lambda permission), otherwise IAM', () => {
    const template = (connector: any) => ({
      Resources: {
        Rule: { Type: 'AWS::Events::Rule' },
        Queue: { Type: 'AWS::SQS::Queue' },
        Topic: { Type: 'AWS::SNS::Topic' },
        Fn: { Type: 'AWS::Serverless::Function', Properties: withRole },
        Table: { Type: 'AWS::Serverless::SimpleTable' },
        C: { Type: 'AWS::Serverless::Connector', Properties: connector },
      },
    });
    const connectorOnly = (connector: any) => {
      const all = ServiceAllowList.fromTemplates([template(connector)]);
      const without = ServiceAllowList.fromTemplates([
        { Resources: { ...template(connector).Resources, C: undefined } },
      ]);
      return all.filter((svc) => !without.includes(svc));
    };
    // The pairs' own resources already list sqs, sns, lambda and dynamodb: check the connector's services directly.
    const only = (connector: any) => ServiceAllowList.servicesForResourceType('AWS::Serverless::Connector', connector);
    expect(
      only({ Source: { Type: 'AWS::Events::Rule', Arn: 'a' }, Destination: { Type: 'AWS::SQS::Queue', Arn: 'q' } }),
    ).toEqual(['sqs']);
    expect(
      only({ Source: { Type: 'AWS::Events::Rule', Arn: 'a' }, Destination: { Type: 'AWS::SNS::Topic', Arn: 't' } }),
    ).toEqual(['sns']);
    expect(
      only({
        Source: { Type: 'AWS::S3::Bucket', Arn: 'b' },
        Destination: { Type: 'AWS::Serverless::Function', Arn: 'f' },
      }),
    ).toEqual(['lambda']);
    expect(
      only({
        Source: { Type: 'AWS::Serverless::Function', Arn: 'f' },
        Destination: { Type: 'AWS::SQS::Queue', Arn: 'q' },
      }),
    ).toEqual(['iam']);
    // Id references are looked up in the template; a list of destinations maps each.
    // A function writing to a table and a topic: managed policies on its role, IAM, which nothing else here needs.
    expect(connectorOnly({ Source: { Id: 'Fn' }, Destination: [{ Id: 'Table' }, { Id: 'Topic' }] })).toEqual(['iam']);
    expect(
      ServiceAllowList.fromTemplates([
        {
          Resources: {
            Rule: { Type: 'AWS::Events::Rule' },
            C: {
              Type: 'AWS::Serverless::Connector',
              Properties: { Source: { Id: 'Rule' }, Destination: { Type: 'AWS::SQS::Queue', Arn: 'q' } },
            },
          },
        },
      ]),
    ).toEqual(['events', 'sqs']);
    expect(() => only({ Source: { Id: 'Fn' }, Destination: { Type: 'AWS::SQS::Queue', Arn: 'q' } })).toThrow(
      /cannot map the AWS::Serverless::Connector to IAM service prefixes: expected its Source to have a Type or the Id of a resource in the same template, found \{"Id":"Fn"\}/,
    );
  });

  test('connectors embedded in a resource have that resource as their source', () => {
    const resources = (destination: any) => ({
      Resources: {
        Rule: {
          Type: 'AWS::Events::Rule',
          Connectors: { ToQueue: { Properties: { Destination: destination, Permissions: ['Write'] } } },
        },
        Fn: { Type: 'AWS::Serverless::Function', Properties: withRole },
      },
    });
    expect(ServiceAllowList.fromTemplates([resources({ Type: 'AWS::SQS::Queue', Arn: 'q' })])).toEqual([
      'events',
      'lambda',
      'sqs',
    ]);
    expect(ServiceAllowList.fromTemplates([resources({ Id: 'Fn' })])).toEqual(['events', 'lambda']);
    expect(() => ServiceAllowList.fromTemplates([resources({ Id: 'Missing' })])).toThrow(
      /cannot map connector 'ToQueue' of resource 'Rule' to IAM service prefixes: expected its Destination to have a Type or the Id/,
    );
  });

  test.each([
    ['AWS::Serverless::SimpleTable', ['dynamodb']],
    ['AWS::Serverless::LayerVersion', ['lambda']],
    ['AWS::Serverless::Application', ['cloudformation']],
  ])('%s -> %j', (type, expected) => {
    expect(services(type, {})).toEqual(expected);
  });

  test('an event type or SAM type it does not know is an error naming it, not a guess', () => {
    expect(() => fn({ Events: { Nightly: { Type: 'Cron' } } })).toThrow(
      /cannot map event 'Nightly' of AWS::Serverless::Function to IAM service prefixes: expected an event Type of S3, .*found "Cron"/,
    );
    expect(() => services('AWS::Serverless::Gadget')).toThrow(
      /cannot map SAM resource type 'AWS::Serverless::Gadget' to IAM service prefixes \(known SAM types: AWS::Serverless::Function, /,
    );
  });

  test('fromTemplates merges the template Globals into each SAM resource, the resource winning', () => {
    const template = (globals: any, properties: any) => ({
      Transform: 'AWS::Serverless-2016-10-31',
      Globals: globals,
      Resources: { F: { Type: 'AWS::Serverless::Function', Properties: properties } },
    });
    expect(
      ServiceAllowList.fromTemplates([
        template({ Function: { DeploymentPreference: { Type: 'AllAtOnce' } } }, withRole),
      ]),
    ).toEqual(['codedeploy', 'iam', 'lambda']);
    // Maps merge key by key: the global deployment preference's role stays when the resource sets its type.
    expect(
      ServiceAllowList.fromTemplates([
        template(
          { Function: { DeploymentPreference: { Role: 'arn:aws:iam::1:role/cd' } } },
          { ...withRole, DeploymentPreference: { Type: 'Linear10PercentEvery1Minute' } },
        ),
      ]),
    ).toEqual(['codedeploy', 'lambda']);
    // Globals of another kind do not apply, nor those the resource ignores.
    const preference = { DeploymentPreference: { Type: 'AllAtOnce' } };
    expect(ServiceAllowList.fromTemplates([template({ Api: preference }, withRole)])).toEqual(['lambda']);
    const ignoring = (ignore: any) => ({
      Globals: { Function: preference },
      Resources: { F: { Type: 'AWS::Serverless::Function', Properties: withRole, IgnoreGlobals: ignore } },
    });
    expect(ServiceAllowList.fromTemplates([ignoring('*')])).toEqual(['lambda']);
    expect(ServiceAllowList.fromTemplates([ignoring(['DeploymentPreference'])])).toEqual(['lambda']);
    expect(ServiceAllowList.fromTemplates([ignoring(['Timeout'])])).toEqual(['codedeploy', 'iam', 'lambda']);
  });

  test('a synthesized aws_sam function maps to what its transform creates, never to a serverless prefix', () => {
    process.env.CDK_VALIDATION = 'false';
    const app = new App();
    const stack = new Stack(app, 'Sam');
    new sam.CfnFunction(stack, 'Worker', {
      codeUri: 's3://bucket/key.zip',
      handler: 'index.handler',
      runtime: 'nodejs20.x',
      events: {
        Queue: { type: 'SQS', properties: { queue: 'arn:aws:sqs:eu-west-1:111111111111:jobs' } },
        Nightly: { type: 'Schedule', properties: { schedule: 'rate(1 day)' } },
      },
    });
    const template = app.synth().getStackByName('Sam').template;
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(ServiceAllowList.fromTemplates([template])).toEqual(['events', 'iam', 'lambda']);
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
