import { CfnElement, Stack } from 'aws-cdk-lib';

/**
 * The platform's base stack: a `Stack` that works out each element's logical
 * ID once instead of at every use.
 *
 * aws-cdk-lib allocates an element's logical ID (its construct path, made
 * unique with an MD5 hash) each time a token that names the element is
 * resolved: every `Ref` and `Fn::GetAtt`, once to find cross-stack references,
 * once to write the template, once more for `tree.json` and again in each
 * compliance rule that reads a reference. An element's path never changes, so
 * neither does its allocated ID: this stack keeps it. `renameLogicalId` and
 * `overrideLogicalId` still apply, since aws-cdk-lib reads them after this
 * method. See docs/performance.md for what it saves.
 */
export class PlatformStack extends Stack {
  /** Allocated IDs by element; created on first use. */
  private allocatedLogicalIds?: WeakMap<CfnElement, string>;

  protected override allocateLogicalId(cfnElement: CfnElement): string {
    this.allocatedLogicalIds ??= new WeakMap();
    let logicalId = this.allocatedLogicalIds.get(cfnElement);
    if (logicalId === undefined) {
      logicalId = super.allocateLogicalId(cfnElement);
      this.allocatedLogicalIds.set(cfnElement, logicalId);
    }
    return logicalId;
  }
}
