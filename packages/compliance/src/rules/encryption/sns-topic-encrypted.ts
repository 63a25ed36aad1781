import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';

/**
 * Groundwork-ENC2: the SNS topic is encrypted with a KMS key (`KmsMasterKeyId`).
 * @param node the CfnResource to check
 */
export function snsTopicEncrypted(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SNS::Topic') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const key = renderResource(node).Properties.KmsMasterKeyId;
  return key !== undefined && key !== '' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
