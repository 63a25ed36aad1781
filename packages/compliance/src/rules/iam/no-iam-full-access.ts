import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import { actionsOf, carriesIdentityPolicies, identityPolicyStatements, isAllow } from '../../private/iam-policy';

/**
 * Groundwork-IAM2: no identity policy allows `iam:*`. Whoever holds `iam:*` can create a user or
 * role with any policy, so it is administrator access one step removed.
 * @param node the CfnResource to check
 */
export function noIamFullAccess(node: CfnResource): NagRuleResult {
  if (!carriesIdentityPolicies(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const grantsIamStar = identityPolicyStatements(renderResource(node)).some(
    (s) => isAllow(s) && actionsOf(s).includes('iam:*'),
  );
  return grantsIamStar ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
