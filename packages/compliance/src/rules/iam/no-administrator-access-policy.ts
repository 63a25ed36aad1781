import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import { attachesAwsManagedPolicy } from '../../private/iam-policy';

const PRINCIPAL_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);

/**
 * Groundwork-IAM3: no role, user or group has the AWS managed `AdministratorAccess` policy attached, in
 * any partition, written literally or through `Fn::Join`/`Fn::Sub` with the partition, or in either
 * branch of an `Fn::If`.
 * @param node the CfnResource to check
 */
export function noAdministratorAccessPolicy(node: CfnResource): NagRuleResult {
  if (!PRINCIPAL_TYPES.has(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return attachesAwsManagedPolicy(renderResource(node), 'AdministratorAccess')
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}
