import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { flattenToString, renderResource } from '../../private/cfn-template';

/** The managed policy a `{ Ref: LogicalId }` points at, when it is defined in the same stack. */
function managedPolicyName(stack: Stack, logicalId: string): string | undefined {
  const policy = stack.node
    .findAll()
    .find(
      (c: IConstruct): c is CfnResource =>
        CfnResource.isCfnResource(c) &&
        c.cfnResourceType === 'AWS::IAM::ManagedPolicy' &&
        stack.resolve(c.logicalId) === logicalId,
    );
  return policy ? flattenToString(renderResource(policy).Properties.ManagedPolicyName) : undefined;
}

/**
 * Groundwork-IAM5: every role carries a permissions boundary whose ARN (or, for a boundary policy
 * defined in the same stack, whose name) contains `boundaryFragment`.
 * @param boundaryFragment the boundary policy name or a fragment of its ARN
 */
export function roleHasPermissionsBoundary(boundaryFragment: string): (node: CfnResource) => NagRuleResult {
  return (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== 'AWS::IAM::Role') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const boundary = renderResource(node).Properties.PermissionsBoundary;
    if (boundary === undefined) {
      return NagRuleCompliance.NON_COMPLIANT;
    }
    if (flattenToString(boundary).includes(boundaryFragment)) {
      return NagRuleCompliance.COMPLIANT;
    }
    const ref = typeof boundary === 'object' && boundary !== null ? (boundary as { Ref?: unknown }).Ref : undefined;
    const name = typeof ref === 'string' ? managedPolicyName(Stack.of(node), ref) : undefined;
    return name?.includes(boundaryFragment) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  };
}
