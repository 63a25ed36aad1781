import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import {
  PolicyStatement,
  actionsOf,
  allowsActionSet,
  attachesAwsManagedPolicy,
  allowsResourceReaching,
  carriesIdentityPolicies,
  coversEveryActionOf,
  identityPolicyStatements,
  isAllow,
  mayBeIamResource,
} from '../../private/iam-policy';

/**
 * Groundwork-IAM2: no identity policy allows every IAM action. Whoever holds `iam:*` can create a
 * user or role with any policy, so it is administrator access one step removed. Besides `iam:*`
 * itself (on any resource), that covers:
 * - any pattern matching every IAM action (`*`, `*:*`, `i*`, `iam:?*`...) on resources that may be
 *   IAM resources (`*`, an IAM ARN, a reference that cannot be read, or a `NotResource`);
 * - Allow with a `NotAction` that does not exclude every IAM action, on such resources;
 * - a role, user or group attaching the AWS managed `IAMFullAccess` policy (`iam:*` on `*`), in any
 *   partition, literally, through `Fn::Join`/`Fn::Sub` or in either branch of an `Fn::If`.
 * @param node the CfnResource to check
 */
export function noIamFullAccess(node: CfnResource): NagRuleResult {
  if (!carriesIdentityPolicies(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const resource = renderResource(node);
  const grantsIamStar =
    attachesAwsManagedPolicy(resource, 'IAMFullAccess') ||
    identityPolicyStatements(resource).some((s) => isAllow(s) && grantsEveryIamAction(s));
  return grantsIamStar ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

function grantsEveryIamAction(statement: PolicyStatement): boolean {
  // `iam:*` states its intent, whatever the resource: the existing behaviour, kept.
  if (actionsOf(statement).includes('iam:*')) {
    return true;
  }
  if (!allowsActionSet(statement, (a) => coversEveryActionOf(a, 'iam'))) {
    return false;
  }
  // A wider pattern grants IAM only where IAM resources can be: `*` on one bucket's ARN does not.
  return allowsResourceReaching(statement, mayBeIamResource);
}
