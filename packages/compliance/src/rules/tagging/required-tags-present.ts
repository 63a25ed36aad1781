import { CfnResource, TagManager } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, flattenToString, renderResource } from '../../private/cfn-template';

/** Tag keys with a non-empty value, as rendered into the template (tag list or tag map). */
function renderedTagKeys(rendered: unknown): string[] {
  if (Array.isArray(rendered)) {
    return asArray<any>(rendered)
      .filter((t) => typeof t?.Key === 'string' && flattenToString(t.Value) !== '')
      .map((t) => t.Key);
  }
  if (rendered && typeof rendered === 'object') {
    return Object.entries(rendered as { [key: string]: unknown })
      .filter(([, value]) => flattenToString(value) !== '')
      .map(([key]) => key);
  }
  return [];
}

/**
 * Groundwork-TAG1: every taggable resource carries each required tag with a non-empty value.
 * Reports one finding per missing tag (`Groundwork-TAG1[Tag::<key>]`), so an acknowledgement
 * covers one tag on one resource.
 *
 * Tags added with `Tags.of(scope).add()` are applied by an aspect during synthesis; cdk-nag 3
 * validates after that, so they are seen. Resources that CloudFormation can tag but the CDK does not
 * model as taggable (plain `CfnResource` with a type string) are not checked.
 * @param requiredTags the tag keys every taggable resource must carry
 */
export function requiredTagsPresent(requiredTags: string[]): (node: CfnResource) => NagRuleResult {
  return (node: CfnResource): NagRuleResult => {
    const manager = TagManager.of(node);
    if (!manager || requiredTags.length === 0) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const present = new Set(
      Object.entries(manager.tagValues())
        .filter(([, value]) => value !== '')
        .map(([key]) => key),
    );
    // The rendered property also holds tags written with raw overrides, which the TagManager never sees.
    const propertyName = manager.tagPropertyName.charAt(0).toUpperCase() + manager.tagPropertyName.slice(1);
    renderedTagKeys(renderResource(node).Properties[propertyName]).forEach((key) => present.add(key));
    const missing = requiredTags.filter((key) => !present.has(key));
    return missing.length > 0 ? missing.map((key) => `Tag::${key}`) : NagRuleCompliance.COMPLIANT;
  };
}
