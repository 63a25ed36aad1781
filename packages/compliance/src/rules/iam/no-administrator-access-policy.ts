import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, flattenToString, renderResource } from '../../private/cfn-template';

const PRINCIPAL_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);

// Matches the AWS managed policy in every partition, whether written literally or as
// `Fn::Join` with `${AWS::Partition}` (ManagedPolicy.fromAwsManagedPolicyName renders the latter).
// The `$` anchor keeps look-alikes such as `AdministratorAccess-Amplify` out.
const ADMINISTRATOR_ACCESS = /:iam::aws:policy\/AdministratorAccess$/;

/**
 * Groundwork-IAM3: no role, user or group has the AWS managed `AdministratorAccess` policy attached.
 * @param node the CfnResource to check
 */
export function noAdministratorAccessPolicy(node: CfnResource): NagRuleResult {
  if (!PRINCIPAL_TYPES.has(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const arns = asArray(renderResource(node).Properties.ManagedPolicyArns).map(flattenToString);
  return arns.some((arn) => ADMINISTRATOR_ACCESS.test(arn))
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}
