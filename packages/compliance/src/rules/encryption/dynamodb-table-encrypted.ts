import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isTrue, renderResource } from '../../private/cfn-template';

/**
 * Groundwork-ENC7: DynamoDB tables use KMS encryption (`SSESpecification.SSEEnabled: true`, with
 * the AWS managed or a customer managed key) rather than the AWS owned key, so that key use is
 * logged in CloudTrail and access can be revoked through the key policy.
 * @param node the CfnResource to check
 */
export function dynamoDbTableEncrypted(node: CfnResource): NagRuleResult {
  const type = node.cfnResourceType;
  if (type !== 'AWS::DynamoDB::Table' && type !== 'AWS::DynamoDB::GlobalTable') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return isTrue(renderResource(node).Properties.SSESpecification?.SSEEnabled)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
