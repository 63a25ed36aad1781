import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import {
  actionsOf,
  carriesIdentityPolicies,
  identityPolicyStatements,
  isAllow,
  resourcesOf,
} from '../../private/iam-policy';

/**
 * Groundwork-IAM1: no identity policy allows every action (`*` or `*:*`) on every resource (`*`).
 * That statement is administrator access written by hand.
 * @param node the CfnResource to check
 */
export function noStarActionOnStarResource(node: CfnResource): NagRuleResult {
  if (!carriesIdentityPolicies(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const grantsEverything = identityPolicyStatements(renderResource(node)).some(
    (s) => isAllow(s) && actionsOf(s).some((a) => a === '*' || a === '*:*') && resourcesOf(s).includes('*'),
  );
  return grantsEverything ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
