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

/**
 * The stack's first CfnResource in construct-tree order (the order of `node.findAll()`), skipping
 * nested stacks' resources. It stops at the first match: the rule asks this for every resource of a
 * production stack, and listing the whole stack each time grew with the square of its resources.
 */
function firstResourceOf(stack: Stack): CfnResource | undefined {
  const pending: IConstruct[] = [stack];
  while (pending.length > 0) {
    const c = pending.pop()!;
    if (CfnResource.isCfnResource(c) && Stack.of(c) === stack) {
      return c;
    }
    const children = c.node.children;
    for (let i = children.length - 1; i >= 0; i--) {
      pending.push(children[i]);
    }
  }
  return undefined;
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
