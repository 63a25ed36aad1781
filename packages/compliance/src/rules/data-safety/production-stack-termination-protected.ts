import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** How the rule decides that a stack is a production stack. */
export interface ProductionStackSelector {
  /** Every stack the pack checks is a production stack. */
  readonly allStacks: boolean;
  /** Stacks carrying all of these tags (key and value) are production stacks. */
  readonly stackTags?: { [key: string]: string };
}

function isProduction(stack: Stack, selector: ProductionStackSelector): boolean {
  if (selector.allStacks) {
    return true;
  }
  const wanted = Object.entries(selector.stackTags ?? {});
  if (wanted.length === 0) {
    return false;
  }
  const tags = stack.tags.tagValues();
  return wanted.every(([key, value]) => tags[key] === value);
}

/** The stack's first CfnResource in construct-tree order, skipping nested stacks' resources. */
function firstResourceOf(stack: Stack): CfnResource | undefined {
  return stack.node
    .findAll()
    .find((c: IConstruct): c is CfnResource => CfnResource.isCfnResource(c) && Stack.of(c) === stack);
}

/**
 * Groundwork-DATA2: production stacks have termination protection. A stack is not a CfnResource,
 * and cdk-nag only visits CfnResources, so the finding is reported once per stack, on the stack's
 * first resource; acknowledge it on the stack. Nested stacks are skipped: CloudFormation only
 * protects root stacks.
 * @param selector which stacks are production stacks
 */
export function productionStackTerminationProtected(
  selector: ProductionStackSelector,
): (node: CfnResource) => NagRuleResult {
  return (node: CfnResource): NagRuleResult => {
    const stack = Stack.of(node);
    if (stack.nested || !isProduction(stack, selector) || firstResourceOf(stack) !== node) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return stack.terminationProtection ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  };
}
