import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isTrue, possibleValues, renderResource } from '../../private/cfn-template';
import { alwaysSetWithParameters } from '../../private/parameters';

/**
 * Groundwork-ENC6: RDS instances and clusters have `StorageEncrypted: true`. An instance that
 * belongs to an Aurora cluster (`DBClusterIdentifier` set in every branch of the template's
 * conditions) takes its encryption from the cluster and is not checked; an instance that a condition or a
 * parameter may leave standalone (an `Fn::If` with an `AWS::NoValue` or empty branch, a parameter whose
 * `Default` or `AllowedValues` is `''`) is checked as one. Aurora
 * Serverless v1 clusters (`EngineMode: serverless`) are always encrypted. `StorageEncrypted` must be true in
 * every `Fn::If` branch.
 * @param node the CfnResource to check
 */
export function rdsStorageEncrypted(node: CfnResource): NagRuleResult {
  const type = node.cfnResourceType;
  if (type !== 'AWS::RDS::DBInstance' && type !== 'AWS::RDS::DBCluster') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const props = renderResource(node).Properties;
  if (type === 'AWS::RDS::DBInstance' && alwaysSetWithParameters(node, props.DBClusterIdentifier)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  if (type === 'AWS::RDS::DBCluster' && props.EngineMode === 'serverless') {
    return NagRuleCompliance.COMPLIANT;
  }
  return possibleValues(props.StorageEncrypted).every(isTrue)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
