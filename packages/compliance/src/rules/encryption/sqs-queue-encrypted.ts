import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { deployments, isTrue, renderResource } from '../../private/cfn-template';
import { alwaysSetWithParameters } from '../../private/parameters';

/**
 * Groundwork-ENC3: the SQS queue states its encryption: a KMS key (`KmsMasterKeyId`) or
 * SQS-managed SSE (`SqsManagedSseEnabled: true`), in every deployment the template's conditions allow (see
 * deployments): one of the two must hold under each branch of an `Fn::If`, so a key in one branch and
 * SQS-managed SSE in the other passes. A key counts only when it is set whatever the parameters:
 * `{ "Ref": "AWS::NoValue" }` is absent, and a parameter whose `Default` or `AllowedValues` is `''` leaves the
 * queue without one.
 * @param node the CfnResource to check
 */
export function sqsQueueEncrypted(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::SQS::Queue') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const { KmsMasterKeyId, SqsManagedSseEnabled } = renderResource(node).Properties;
  // More conditions than deployments reads: the template cannot be shown to encrypt in every case.
  const forms = deployments({ KmsMasterKeyId, SqsManagedSseEnabled }) ?? [{}];
  return forms.every(
    (queue: any) => alwaysSetWithParameters(node, queue.KmsMasterKeyId) || isTrue(queue.SqsManagedSseEnabled),
  )
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
