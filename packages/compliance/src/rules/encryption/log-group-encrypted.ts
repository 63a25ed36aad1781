import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';

/**
 * Groundwork-ENC4: the CloudWatch Logs log group is encrypted with a customer managed KMS key (`KmsKeyId`).
 * @param node the CfnResource to check
 */
export function logGroupEncrypted(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::Logs::LogGroup') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const key = renderResource(node).Properties.KmsKeyId;
  return key !== undefined && key !== '' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
