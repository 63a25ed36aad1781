import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isTrue, renderResource } from '../../private/cfn-template';
import { alwaysSetWithParameters } from '../../private/parameters';

/**
 * Groundwork-ENC3: the SQS queue states its encryption: a KMS key (`KmsMasterKeyId`) or
 * SQS-managed SSE (`SqsManagedSseEnabled: true`). A key counts only when it is set whatever the template's
 * conditions and parameters: `{ "Ref": "AWS::NoValue" }` is absent, every branch of an `Fn::If` must be a key,
 * and a parameter whose `Default` or `AllowedValues` is `''` leaves the queue without one.
 * @param node the CfnResource to check
 */
export function sqsQueueEncrypted(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SQS::Queue') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const props = renderResource(node).Properties;
  const kms = alwaysSetWithParameters(node, props.KmsMasterKeyId);
  return kms || isTrue(props.SqsManagedSseEnabled) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
