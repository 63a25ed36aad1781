import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { alwaysSet, renderResource } from '../../private/cfn-template';

/**
 * Groundwork-ENC4: the CloudWatch Logs log group is encrypted with a customer managed KMS key (`KmsKeyId`)
 * whatever the template's conditions: `{ "Ref": "AWS::NoValue" }` counts as absent, and every branch of an
 * `Fn::If` must be a key.
 * @param node the CfnResource to check
 */
export function logGroupEncrypted(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::Logs::LogGroup') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return alwaysSet(renderResource(node).Properties.KmsKeyId)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
