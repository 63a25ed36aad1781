import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
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
