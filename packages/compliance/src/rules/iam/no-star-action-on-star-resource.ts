import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import {
  allowsActionSet,
  allowsResourceReaching,
  carriesIdentityPolicies,
  coversEveryAction,
  coversEveryResource,
  identityPolicyStatements,
  isAllow,
} from '../../private/iam-policy';

/**
 * Groundwork-IAM1: no identity policy allows every action on every resource. That statement is
 * administrator access written by hand, in any of its forms:
 * - Action `*` (or a pattern matching every action, such as `*:*`) on Resource `*` (or a pattern
 *   matching every ARN, such as `arn:*`);
 * - Allow with `NotAction` on every resource: everything except the listed actions;
 * - Allow with `NotResource`, with `*` or `NotAction` as the actions: every resource except the listed ones.
 * @param node the CfnResource to check
 */
export function noStarActionOnStarResource(node: CfnResource): NagRuleResult {
  if (!carriesIdentityPolicies(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const grantsEverything = identityPolicyStatements(renderResource(node)).some(
    (s) => isAllow(s) && allowsActionSet(s, coversEveryAction) && allowsResourceReaching(s, coversEveryResource),
  );
  return grantsEverything ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
