import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import { alwaysSetWithParameters } from '../../private/parameters';

/**
 * Groundwork-ENC4: the CloudWatch Logs log group is encrypted with a customer managed KMS key (`KmsKeyId`)
 * whatever the template's conditions and parameters: `{ "Ref": "AWS::NoValue" }` counts as absent, every branch
 * of an `Fn::If` must be a key, and a parameter whose `Default` or `AllowedValues` is `''` leaves the log group
 * without one.
 * @param node the CfnResource to check
 */
export function logGroupEncrypted(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::Logs::LogGroup') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return alwaysSetWithParameters(node, renderResource(node).Properties.KmsKeyId)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
