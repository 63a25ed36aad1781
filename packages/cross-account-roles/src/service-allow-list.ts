import * as fs from 'fs';
import * as path from 'path';

/**
 * Derives the execution role's service allow list from what an app actually deploys: the resource types
 * in synthesized CloudFormation templates, mapped to IAM service prefixes.
 */
export class ServiceAllowList {
  /**
   * CloudFormation namespaces whose IAM service prefix differs from the lowercased namespace. `''` marks
   * types that need no service permission (CDK metadata, CloudFormation's own wait conditions).
   */
  public static readonly NAMESPACE_OVERRIDES: { [namespace: string]: string } = {
    'AWS::ElasticLoadBalancingV2': 'elasticloadbalancing',
    'AWS::ElasticLoadBalancing': 'elasticloadbalancing',
    'AWS::CertificateManager': 'acm',
    'AWS::Cognito': 'cognito-idp',
    'AWS::KinesisFirehose': 'firehose',
    'AWS::StepFunctions': 'states',
    'AWS::CodeStarNotifications': 'codestar-notifications',
    'AWS::CodeStarConnections': 'codestar-connections',
    'AWS::Events': 'events',
    'AWS::CloudWatch': 'cloudwatch',
    'AWS::Logs': 'logs',
    'AWS::ApiGateway': 'apigateway',
    'AWS::ApiGatewayV2': 'apigateway',
    'AWS::ApplicationAutoScaling': 'application-autoscaling',
    'AWS::AutoScaling': 'autoscaling',
    'AWS::ElastiCache': 'elasticache',
    'AWS::OpenSearchService': 'es',
    'AWS::Elasticsearch': 'es',
    'AWS::SecretsManager': 'secretsmanager',
    'AWS::ServiceDiscovery': 'servicediscovery',
    'AWS::EventSchemas': 'schemas',
    'AWS::Pipes': 'pipes',
    'AWS::Scheduler': 'scheduler',
    'AWS::ResourceGroups': 'resource-groups',
    'AWS::NetworkFirewall': 'network-firewall',
    'AWS::Route53Resolver': 'route53resolver',
    'AWS::WAFv2': 'wafv2',
    'AWS::EFS': 'elasticfilesystem',
    'AWS::EKS': 'eks',
    'AWS::EMR': 'elasticmapreduce',
    'AWS::Kinesis': 'kinesis',
    'AWS::KinesisAnalyticsV2': 'kinesisanalytics',
    'AWS::Lambda': 'lambda',
    'AWS::SSO': 'sso',
    'AWS::AppConfig': 'appconfig',
    'AWS::AccessAnalyzer': 'access-analyzer',
    'AWS::DocDB': 'rds',
    'AWS::Neptune': 'rds',
    'AWS::CloudFormation': 'cloudformation',
    'AWS::CDK': '',
  };

  /** Resource types that are pure CloudFormation constructs and call no service. */
  public static readonly NO_SERVICE_TYPES = [
    'AWS::CDK::Metadata',
    'AWS::CloudFormation::WaitCondition',
    'AWS::CloudFormation::WaitConditionHandle',
    'AWS::CloudFormation::CustomResource',
  ];

  /**
   * The IAM service prefixes a resource type needs: `AWS::EC2::VPC` -> ['ec2'], `AWS::CDK::Metadata` -> [],
   * `Custom::Foo` and `AWS::CloudFormation::CustomResource` -> ['lambda'] (CloudFormation invokes the
   * provider function; what the provider itself calls is its own role's business).
   */
  public static servicesForResourceType(resourceType: string): string[] {
    if (resourceType.startsWith('Custom::') || resourceType === 'AWS::CloudFormation::CustomResource') {
      return ['lambda'];
    }
    if (ServiceAllowList.NO_SERVICE_TYPES.includes(resourceType)) return [];
    const parts = resourceType.split('::');
    if (parts.length !== 3 || parts[0] !== 'AWS') {
      throw new Error(`ServiceAllowList: cannot map resource type '${resourceType}' to an IAM service prefix`);
    }
    const namespace = `${parts[0]}::${parts[1]}`;
    const override = ServiceAllowList.NAMESPACE_OVERRIDES[namespace];
    if (override !== undefined) return override === '' ? [] : [override];
    return [parts[1].toLowerCase()];
  }

  /**
   * Sorted, unique service prefixes for every resource in the given CloudFormation templates (parsed JSON).
   * A pure function of its input.
   */
  public static fromTemplates(templates: any[]): string[] {
    const services = new Set<string>();
    for (const template of templates) {
      const resources: { [id: string]: { Type?: string; Properties?: any } } = template?.Resources ?? {};
      for (const resource of Object.values(resources)) {
        if (typeof resource?.Type !== 'string') continue;
        const isCustom =
          resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource';
        const found = isCustom
          ? [customResourceProvider(resource.Properties?.ServiceToken, resources)]
          : ServiceAllowList.servicesForResourceType(resource.Type);
        for (const svc of found) services.add(svc);
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

  private constructor() {}
}

/**
 * CloudFormation calls a custom resource's provider with the execution role's credentials: Lambda invoke,
 * or SNS publish when the ServiceToken is a topic.
 */
function customResourceProvider(serviceToken: any, resources: { [id: string]: { Type?: string } }): string {
  const getAtt = serviceToken?.['Fn::GetAtt'];
  const ref = serviceToken?.Ref;
  const target = Array.isArray(getAtt) ? resources[getAtt[0]] : typeof ref === 'string' ? resources[ref] : undefined;
  if (target?.Type === 'AWS::SNS::Topic') return 'sns';
  if (typeof serviceToken === 'string' && serviceToken.startsWith('arn:') && serviceToken.split(':')[2] === 'sns') {
    return 'sns';
  }
  return 'lambda';
}
