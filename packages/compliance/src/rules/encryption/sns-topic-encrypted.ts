import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import { alwaysSetWithParameters } from '../../private/parameters';

/**
 * Groundwork-ENC2: the SNS topic is encrypted with a KMS key (`KmsMasterKeyId`) whatever the template's
 * conditions and parameters: `{ "Ref": "AWS::NoValue" }` counts as absent, every branch of an `Fn::If` must be
 * a key, and a parameter whose `Default` or `AllowedValues` is `''` leaves the topic without one.
 * @param node the CfnResource to check
 */
export function snsTopicEncrypted(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SNS::Topic') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return alwaysSetWithParameters(node, renderResource(node).Properties.KmsMasterKeyId)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
