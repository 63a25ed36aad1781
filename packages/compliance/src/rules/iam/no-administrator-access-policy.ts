import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import { attachesAwsManagedPolicy, attachesManagedPolicies } from '../../private/iam-policy';

/**
 * Groundwork-IAM3: no role, user or group has the AWS managed `AdministratorAccess` policy attached, in
 * any partition, written literally or through `Fn::Join`/`Fn::Sub` with the partition, or in either
 * branch of an `Fn::If`; nor does a SAM function or state machine list it (by name or ARN) in `Policies`.
 * @param node the CfnResource to check
 */
export function noAdministratorAccessPolicy(node: CfnResource): NagRuleResult {
  if (!attachesManagedPolicies(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return attachesAwsManagedPolicy(renderResource(node), 'AdministratorAccess')
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}
