import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isTrue, renderResource } from '../../private/cfn-template';

/**
 * Groundwork-ENC3: the SQS queue states its encryption: a KMS key (`KmsMasterKeyId`) or
 * SQS-managed SSE (`SqsManagedSseEnabled: true`).
 * @param node the CfnResource to check
 */
export function sqsQueueEncrypted(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SQS::Queue') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const props = renderResource(node).Properties;
  const kms = props.KmsMasterKeyId !== undefined && props.KmsMasterKeyId !== '';
  return kms || isTrue(props.SqsManagedSseEnabled) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
