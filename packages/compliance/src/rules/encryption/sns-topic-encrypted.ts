import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { alwaysSet, renderResource } from '../../private/cfn-template';

/**
 * Groundwork-ENC2: the SNS topic is encrypted with a KMS key (`KmsMasterKeyId`) whatever the template's
 * conditions: `{ "Ref": "AWS::NoValue" }` counts as absent, and every branch of an `Fn::If` must be a key.
 * @param node the CfnResource to check
 */
export function snsTopicEncrypted(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SNS::Topic') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return alwaysSet(renderResource(node).Properties.KmsMasterKeyId)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
