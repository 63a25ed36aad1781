import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import {
  PolicyStatement,
  actionsOf,
  carriesIdentityPolicies,
  coversEveryAction,
  coversEveryResource,
  identityPolicyStatements,
  isAllow,
  notActionsOf,
  notResourcesOf,
  resourcesOf,
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
    (s) => isAllow(s) && allowsEveryAction(s) && allowsEveryResource(s),
  );
  return grantsEverything ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

/** Every action, or every action but the few a NotAction lists (`NotAction: "*"` leaves none). */
function allowsEveryAction(statement: PolicyStatement): boolean {
  return statement.NotAction !== undefined
    ? !notActionsOf(statement).some(coversEveryAction)
    : actionsOf(statement).some(coversEveryAction);
}

/** Every resource, or every resource but the few a NotResource lists (`NotResource: "*"` leaves none). */
function allowsEveryResource(statement: PolicyStatement): boolean {
  return statement.NotResource !== undefined
    ? !notResourcesOf(statement).some(coversEveryResource)
    : resourcesOf(statement).some(coversEveryResource);
}
