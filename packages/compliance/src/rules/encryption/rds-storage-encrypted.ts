import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isTrue, renderResource } from '../../private/cfn-template';

/**
 * Groundwork-ENC6: RDS instances and clusters have `StorageEncrypted: true`. An instance that
 * belongs to an Aurora cluster (`DBClusterIdentifier`) takes its encryption from the cluster, and
 * Aurora Serverless v1 clusters (`EngineMode: serverless`) are always encrypted.
 * @param node the CfnResource to check
 */
export function rdsStorageEncrypted(node: CfnResource): NagRuleResult {
  const type = node.cfnResourceType;
  if (type !== 'AWS::RDS::DBInstance' && type !== 'AWS::RDS::DBCluster') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const props = renderResource(node).Properties;
  if (type === 'AWS::RDS::DBInstance' && props.DBClusterIdentifier !== undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  if (type === 'AWS::RDS::DBCluster' && props.EngineMode === 'serverless') {
    return NagRuleCompliance.COMPLIANT;
  }
  return isTrue(props.StorageEncrypted) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
