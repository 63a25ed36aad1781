import * as fs from 'fs';
import * as path from 'path';
import { embeddedConnectorServices, samServices, withSamGlobals } from './private/sam-services';

/**
 * Derives the execution role's service allow list from what an app actually deploys: the resource types
 * in synthesized CloudFormation templates, mapped to IAM service prefixes.
 */
export class ServiceAllowList {
  /**
   * CloudFormation namespaces whose IAM service prefix differs from the lowercased namespace, as the Service
   * Authorization Reference names them (e.g. `AWS::MSK` is `kafka`). `''` marks types that need no service
   * permission (CDK metadata, CloudFormation's own wait conditions).
   */
  public static readonly NAMESPACE_OVERRIDES: { [namespace: string]: string } = {
    'AWS::ElasticLoadBalancingV2': 'elasticloadbalancing',
    'AWS::ElasticLoadBalancing': 'elasticloadbalancing',
    'AWS::CertificateManager': 'acm',
    'AWS::ACMPCA': 'acm-pca',
    'AWS::Cognito': 'cognito-idp',
    'AWS::KinesisFirehose': 'firehose',
    'AWS::StepFunctions': 'states',
    'AWS::CodeStarNotifications': 'codestar-notifications',
    'AWS::CodeStarConnections': 'codestar-connections',
    'AWS::CodeGuruProfiler': 'codeguru-profiler',
    'AWS::CodeGuruReviewer': 'codeguru-reviewer',
    'AWS::Events': 'events',
    'AWS::CloudWatch': 'cloudwatch',
    'AWS::Logs': 'logs',
    'AWS::ApiGateway': 'apigateway',
    'AWS::ApiGatewayV2': 'apigateway',
    'AWS::AppIntegrations': 'app-integrations',
    'AWS::ApplicationAutoScaling': 'application-autoscaling',
    'AWS::ApplicationSignals': 'application-signals',
    'AWS::AutoScaling': 'autoscaling',
    'AWS::AutoScalingPlans': 'autoscaling-plans',
    'AWS::ElastiCache': 'elasticache',
    'AWS::OpenSearchService': 'es',
    'AWS::OpenSearchServerless': 'aoss',
    'AWS::Elasticsearch': 'es',
    'AWS::SecretsManager': 'secretsmanager',
    'AWS::ServiceDiscovery': 'servicediscovery',
    'AWS::ServiceCatalogAppRegistry': 'servicecatalog',
    'AWS::EventSchemas': 'schemas',
    'AWS::Pipes': 'pipes',
    'AWS::Scheduler': 'scheduler',
    'AWS::ResourceGroups': 'resource-groups',
    'AWS::ResourceExplorer2': 'resource-explorer-2',
    'AWS::NetworkFirewall': 'network-firewall',
    'AWS::Route53Resolver': 'route53resolver',
    'AWS::Route53RecoveryControl': 'route53-recovery-control-config',
    'AWS::Route53RecoveryReadiness': 'route53-recovery-readiness',
    'AWS::WAFv2': 'wafv2',
    'AWS::WAFRegional': 'waf-regional',
    'AWS::EFS': 'elasticfilesystem',
    'AWS::EKS': 'eks',
    'AWS::EMR': 'elasticmapreduce',
    'AWS::EMRContainers': 'emr-containers',
    'AWS::EMRServerless': 'emr-serverless',
    'AWS::Kinesis': 'kinesis',
    'AWS::KinesisAnalyticsV2': 'kinesisanalytics',
    'AWS::Lambda': 'lambda',
    'AWS::SSO': 'sso',
    'AWS::AppConfig': 'appconfig',
    'AWS::AccessAnalyzer': 'access-analyzer',
    'AWS::DocDB': 'rds',
    'AWS::DocDBElastic': 'docdb-elastic',
    'AWS::Neptune': 'rds',
    'AWS::NeptuneGraph': 'neptune-graph',
    'AWS::RedshiftServerless': 'redshift-serverless',
    'AWS::MSK': 'kafka',
    'AWS::AmazonMQ': 'mq',
    'AWS::MWAA': 'airflow',
    'AWS::MWAAServerless': 'airflow-serverless',
    'AWS::VpcLattice': 'vpc-lattice',
    'AWS::InspectorV2': 'inspector2',
    'AWS::Macie': 'macie2',
    'AWS::DevOpsGuru': 'devops-guru',
    'AWS::DirectoryService': 'ds',
    'AWS::Location': 'geo',
    'AWS::Pinpoint': 'mobiletargeting',
    // The Pinpoint Email API is authorized as SES actions.
    'AWS::PinpointEmail': 'ses',
    'AWS::CustomerProfiles': 'profile',
    'AWS::ConnectCampaigns': 'connect-campaigns',
    'AWS::ConnectCampaignsV2': 'connect-campaigns',
    'AWS::HealthImaging': 'medical-imaging',
    'AWS::GreengrassV2': 'greengrass',
    'AWS::IoTCoreDeviceAdvisor': 'iotdeviceadvisor',
    // Secure tunnels are AWS IoT actions (iot:OpenTunnel).
    'AWS::IoTSecureTunneling': 'iot',
    'AWS::KendraRanking': 'kendra-ranking',
    'AWS::LicenseManager': 'license-manager',
    'AWS::LicenseManagerLinuxSubscriptions': 'license-manager-linux-subscriptions',
    'AWS::LicenseManagerUserSubscriptions': 'license-manager-user-subscriptions',
    'AWS::ComputeOptimizer': 'compute-optimizer',
    'AWS::BackupGateway': 'backup-gateway',
    'AWS::BCM': 'bcm-dashboards',
    'AWS::BCMDataExports': 'bcm-data-exports',
    'AWS::BcmPricingCalculator': 'bcm-pricing-calculator',
    'AWS::BedrockAgentCore': 'bedrock-agentcore',
    'AWS::BedrockMantle': 'bedrock-mantle',
    'AWS::CleanRoomsML': 'cleanrooms-ml',
    'AWS::OpsWorksCM': 'opsworks-cm',
    'AWS::PCAConnectorAD': 'pca-connector-ad',
    'AWS::PCAConnectorSCEP': 'pca-connector-scep',
    'AWS::PaymentCryptography': 'payment-cryptography',
    'AWS::RefactorSpaces': 'refactor-spaces',
    'AWS::ResilienceHubV2': 'resiliencehub',
    // Object Lambda access points are managed with S3 actions (s3:CreateAccessPointForObjectLambda);
    // s3-object-lambda is only for requests through them.
    'AWS::S3ObjectLambda': 's3',
    'AWS::S3Outposts': 's3-outposts',
    'AWS::SMSVOICE': 'sms-voice',
    'AWS::SSMContacts': 'ssm-contacts',
    'AWS::SSMGuiConnect': 'ssm-guiconnect',
    'AWS::SSMIncidents': 'ssm-incidents',
    'AWS::SSMQuickSetup': 'ssm-quicksetup',
    'AWS::SystemsManagerSAP': 'ssm-sap',
    'AWS::NimbleStudio': 'nimble',
    'AWS::NotificationsContacts': 'notifications-contacts',
    'AWS::WorkSpacesThinClient': 'thinclient',
    'AWS::WorkSpacesWeb': 'workspaces-web',
    'AWS::WorkspacesInstances': 'workspaces-instances',
    'AWS::ARCRegionSwitch': 'arc-region-switch',
    'AWS::ARCZonalShift': 'arc-zonal-shift',
    'AWS::AccountAccess': 'account-access',
    'AWS::AgentRegistry': 'agent-registry',
    'AWS::AWSExternalAnthropic': 'aws-external-anthropic',
    'AWS::DevOpsAgent': 'aidevops',
    'AWS::ElementalInference': 'elemental-inference',
    'AWS::HealthAgent': 'health-agent',
    'AWS::NovaAct': 'nova-act',
    'AWS::CloudFormation': 'cloudformation',
    'AWS::CDK': '',
  };

  /**
   * Resource types whose IAM service prefix differs from their namespace's: they belong to another service
   * than the rest of it (e.g. `AWS::Cognito::IdentityPool` is Cognito Identity, `cognito-identity`, while the
   * user pools are `cognito-idp`).
   */
  public static readonly RESOURCE_TYPE_OVERRIDES: { [resourceType: string]: string } = {
    'AWS::Cognito::IdentityPool': 'cognito-identity',
    'AWS::Cognito::IdentityPoolPrincipalTag': 'cognito-identity',
    'AWS::Cognito::IdentityPoolRoleAttachment': 'cognito-identity',
    'AWS::ECR::PublicRepository': 'ecr-public',
    'AWS::MediaPackage::Asset': 'mediapackage-vod',
    'AWS::MediaPackage::PackagingConfiguration': 'mediapackage-vod',
    'AWS::MediaPackage::PackagingGroup': 'mediapackage-vod',
    'AWS::Timestream::InfluxDBBackup': 'timestream-influxdb',
    'AWS::Timestream::InfluxDBCluster': 'timestream-influxdb',
    'AWS::Timestream::InfluxDBInstance': 'timestream-influxdb',
    'AWS::ComputeOptimizer::AutomationRule': 'aco-automation',
  };

  /** Resource types that are pure CloudFormation constructs and call no service. */
  public static readonly NO_SERVICE_TYPES = [
    'AWS::CDK::Metadata',
    'AWS::CloudFormation::WaitCondition',
    'AWS::CloudFormation::WaitConditionHandle',
    'AWS::CloudFormation::CustomResource',
  ];

  /**
   * The IAM service prefixes a resource type needs: `AWS::EC2::VPC` -> ['ec2'], `AWS::MSK::Cluster` -> ['kafka'],
   * `AWS::Cognito::IdentityPool` -> ['cognito-identity'], `AWS::CDK::Metadata` -> [],
   * `Custom::Foo` and `AWS::CloudFormation::CustomResource` -> ['lambda'] (CloudFormation invokes the
   * provider function; what the provider itself calls is its own role's business).
   *
   * An AWS SAM type (`AWS::Serverless::*`) maps to the services of the resources the SAM transform generates
   * for it, which depend on its properties: `AWS::Serverless::Function` is `lambda`, plus `iam` without a
   * `Role`, `codedeploy` with a `DeploymentPreference`, and what each of its `Events` generates (an `SQS`
   * event an event source mapping, `lambda`; a `Schedule` a rule, `events`; ...). Pass the resource's
   * `properties`, with the template's `Globals` merged in (`fromTemplates` does both); without them the
   * result is what a resource of the type with no properties generates (a function: `iam` and `lambda`).
   * A connector's `Id` references need the template: use `fromTemplates`.
   *
   * @param resourceType the CloudFormation resource type
   * @param properties the resource's properties; read for SAM types only
   */
  public static servicesForResourceType(resourceType: string, properties?: { [key: string]: any }): string[] {
    if (resourceType.startsWith('Custom::') || resourceType === 'AWS::CloudFormation::CustomResource') {
      return ['lambda'];
    }
    if (ServiceAllowList.NO_SERVICE_TYPES.includes(resourceType)) return [];
    return samServices(resourceType, properties) ?? ServiceAllowList.namespaceServices(resourceType);
  }

  /**
   * Sorted, unique service prefixes for every resource in the given CloudFormation templates (parsed JSON).
   * AWS SAM resources are read with their properties, their template's `Globals` and their connectors
   * (`AWS::Serverless::Connector`, and the `Connectors` attribute of any resource). A pure function of its input.
   */
  public static fromTemplates(templates: any[]): string[] {
    const services = new Set<string>();
    for (const template of templates) {
      const resources: { [id: string]: TemplateResource } = template?.Resources ?? {};
      for (const [logicalId, resource] of Object.entries(resources)) {
        const type = resource?.Type;
        if (typeof type !== 'string') continue;
        const properties = withSamGlobals(type, resource.Properties ?? {}, template?.Globals, resource.IgnoreGlobals);
        const found =
          type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource'
            ? [customResourceProvider(properties.ServiceToken, resources)]
            : ServiceAllowList.NO_SERVICE_TYPES.includes(type)
              ? []
              : (samServices(type, properties, resources) ?? ServiceAllowList.namespaceServices(type));
        for (const svc of [...found, ...embeddedConnectorServices(logicalId, resource, resources)]) services.add(svc);
      }
    }
    return [...services].sort();
  }

  /**
   * Sorted, unique service prefixes for every `*.template.json` in a cloud assembly directory (`cdk.out`),
   * including nested assemblies (pipeline stages) and nested stack templates.
   */
  public static fromAssemblyDirectory(directory: string): string[] {
    if (!fs.existsSync(path.join(directory, 'manifest.json'))) {
      throw new Error(`ServiceAllowList: '${directory}' is not a cloud assembly (no manifest.json)`);
    }
    const templates: any[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory() && !entry.name.startsWith('asset.')) {
          walk(full);
        } else if (entry.isFile() && entry.name.endsWith('.template.json')) {
          templates.push(JSON.parse(fs.readFileSync(full, 'utf8')));
        }
      }
    };
    walk(directory);
    return ServiceAllowList.fromTemplates(templates);
  }

  /** A plain CloudFormation type's service: its namespace's, unless an override says otherwise. */
  private static namespaceServices(resourceType: string): string[] {
    const parts = resourceType.split('::');
    if (parts.length !== 3 || parts[0] !== 'AWS') {
      throw new Error(`ServiceAllowList: cannot map resource type '${resourceType}' to an IAM service prefix`);
    }
    const namespace = `${parts[0]}::${parts[1]}`;
    const override =
      ServiceAllowList.RESOURCE_TYPE_OVERRIDES[resourceType] ?? ServiceAllowList.NAMESPACE_OVERRIDES[namespace];
    if (override !== undefined) return override === '' ? [] : [override];
    return [parts[1].toLowerCase()];
  }

  private constructor() {}
}

/**
 * CloudFormation calls a custom resource's provider with the execution role's credentials: Lambda invoke,
 * or SNS publish when the ServiceToken is a topic.
 */
function customResourceProvider(serviceToken: any, resources: { [id: string]: TemplateResource }): string {
  const getAtt = serviceToken?.['Fn::GetAtt'];
  const ref = serviceToken?.Ref;
  const target = Array.isArray(getAtt) ? resources[getAtt[0]] : typeof ref === 'string' ? resources[ref] : undefined;
  if (target?.Type === 'AWS::SNS::Topic') return 'sns';
  if (typeof serviceToken === 'string' && serviceToken.startsWith('arn:') && serviceToken.split(':')[2] === 'sns') {
    return 'sns';
  }
  return 'lambda';
}

/** A resource of a template, as `fromTemplates` reads it. */
interface TemplateResource {
  readonly Type?: string;
  readonly Properties?: any;
  /** AWS SAM: the resource's embedded connectors. */
  readonly Connectors?: unknown;
  /** AWS SAM: `'*'` or the names of the `Globals` properties the resource does not take. */
  readonly IgnoreGlobals?: unknown;
}
