import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import { alwaysSetWithParameters } from '../../private/parameters';

/**
 * Resource types whose deletion or replacement destroys data or the means to read it: the types that the
 * CloudFormation resource specification used by the CDK (@aws-cdk/aws-service-spec) marks stateful, less
 * the ones in EXCLUDED_STATEFUL_TYPES. A test in the repository compares both lists with the installed spec.
 */
export const STATEFUL_TYPES = [
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::EFS::FileSystem',
  'AWS::Backup::BackupVault',
  'AWS::Cognito::UserPool',
  'AWS::DocDB::DBCluster',
  'AWS::EC2::Volume',
  'AWS::Elasticsearch::Domain',
  'AWS::FSx::FileSystem',
  'AWS::Kinesis::Stream',
  'AWS::Neptune::DBCluster',
  'AWS::OpenSearchService::Domain',
  'AWS::Organizations::Account',
  'AWS::QLDB::Ledger',
  'AWS::Redshift::Cluster',
  'AWS::SDB::Domain',
];

/** Types the spec marks stateful that DATA1 leaves out on purpose, with the reason. */
export const EXCLUDED_STATEFUL_TYPES: { readonly [type: string]: string } = {
  'AWS::CloudFormation::Stack': "a nested stack's resources are checked in its own template",
  'AWS::DocDB::DBInstance': "an instance of a DocumentDB cluster: the data is the cluster's",
  'AWS::Neptune::DBInstance': "an instance of a Neptune cluster: the data is the cluster's",
  'AWS::SQS::Queue':
    "messages in flight, not data at rest; the CDK's own default removal policy for a queue is DESTROY",
  'AWS::ElastiCache::CacheCluster':
    'usually a cache, refilled from the source of truth (a stack keeping data in it should retain it)',
  'AWS::ElastiCache::ReplicationGroup':
    'usually a cache, refilled from the source of truth (a stack keeping data in it should retain it)',
  'AWS::SecretsManager::Secret':
    "the CDK's default removal policy for a secret is DESTROY, also for a database cluster's generated master secret, which the cluster's `secret` (an attachment) cannot retain: every database would fail",
  'AWS::EMR::Cluster': 'a processing cluster, usually short-lived, its inputs and results in S3',
};

// RetainExceptOnCreate keeps the resource on every delete except the rollback of a failed
// create, when it never held data; UpdateReplacePolicy has no such variant.
const RETAINING_DELETION_POLICIES = ['Retain', 'RetainExceptOnCreate'];

/**
 * Groundwork-DATA1: stateful resources have `DeletionPolicy: Retain` and `UpdateReplacePolicy: Retain`,
 * so that neither removing them from the template nor a replacing update deletes their data.
 * An RDS instance inside an Aurora cluster holds no data of its own and is skipped: one whose
 * `DBClusterIdentifier` is set in every branch of the template's conditions. An instance that a
 * condition or a parameter may leave standalone (an `Fn::If` with an `AWS::NoValue` or empty branch, a
 * parameter whose `Default` or `AllowedValues` is `''`) is checked.
 * @param node the CfnResource to check
 */
export function statefulResourceRetained(node: CfnResource): NagRuleResult {
  if (!STATEFUL_TYPES.includes(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = renderResource(node);
  if (
    resource.Type === 'AWS::RDS::DBInstance' &&
    alwaysSetWithParameters(node, resource.Properties.DBClusterIdentifier)
  ) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return RETAINING_DELETION_POLICIES.includes(resource.DeletionPolicy ?? '') &&
    resource.UpdateReplacePolicy === 'Retain'
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
