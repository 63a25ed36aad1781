import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { deployments, isTrue, renderResource } from '../../private/cfn-template';

/**
 * Groundwork-ENC7: DynamoDB tables use KMS encryption (`SSESpecification.SSEEnabled: true`, with
 * the AWS managed or a customer managed key) rather than the AWS owned key, so that key use is
 * logged in CloudTrail and access can be revoked through the key policy. `SSESpecification` is read in
 * every deployment the template's conditions allow (see deployments): an `Fn::If` around it or around
 * `SSEEnabled` passes when every branch enables it, and fails when one branch turns it off or removes it.
 * @param node the CfnResource to check
 */
export function dynamoDbTableEncrypted(node: CfnResource): NagRuleResult {
  const type = node.cfnResourceType;
  if (type !== 'AWS::DynamoDB::Table' && type !== 'AWS::DynamoDB::GlobalTable') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  // More conditions than deployments reads: the template cannot be shown to encrypt in every case.
  const forms = deployments(renderResource(node).Properties.SSESpecification) ?? [undefined];
  return forms.every((sse: any) => isTrue(sse?.SSEEnabled))
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
