import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';

/** Resource types whose deletion or replacement destroys data or the means to read it. */
export const STATEFUL_TYPES = [
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::EFS::FileSystem',
];

// RetainExceptOnCreate keeps the resource on every delete except the rollback of a failed
// create, when it never held data; UpdateReplacePolicy has no such variant.
const RETAINING_DELETION_POLICIES = ['Retain', 'RetainExceptOnCreate'];

/**
 * Groundwork-DATA1: stateful resources have `DeletionPolicy: Retain` and `UpdateReplacePolicy: Retain`,
 * so that neither removing them from the template nor a replacing update deletes their data.
 * An RDS instance inside an Aurora cluster holds no data of its own and is skipped.
 * @param node the CfnResource to check
 */
export function statefulResourceRetained(node: CfnResource): NagRuleResult {
  if (!STATEFUL_TYPES.includes(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = renderResource(node);
  if (resource.Type === 'AWS::RDS::DBInstance' && resource.Properties.DBClusterIdentifier !== undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return RETAINING_DELETION_POLICIES.includes(resource.DeletionPolicy ?? '') &&
    resource.UpdateReplacePolicy === 'Retain'
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
