import { CfnResource, TagManager } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, flattenToString, isNoValue, possibleValues, renderResource } from '../../private/cfn-template';

/**
 * Whether a tag value is non-empty in every deployment: not `''`, not `AWS::NoValue`, and so in each
 * branch of an `Fn::If`.
 */
function nonEmptyValue(value: unknown): boolean {
  return possibleValues(value).every(
    (v) => v !== undefined && v !== null && !isNoValue(v) && flattenToString(v) !== '',
  );
}

/** Tag keys with a non-empty value, as rendered into the template (tag list or tag map). */
function renderedTagKeys(rendered: unknown): string[] {
  if (Array.isArray(rendered)) {
    return asArray<any>(rendered)
      .filter((t) => typeof t?.Key === 'string' && nonEmptyValue(t.Value))
      .map((t) => t.Key);
  }
  if (rendered && typeof rendered === 'object') {
    return Object.entries(rendered as { [key: string]: unknown })
      .filter(([, value]) => nonEmptyValue(value))
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
 * validates after that, so they are seen. The tags are read from the resource as the template will hold
 * them: the TagManager's tags are rendered into the tag property, and raw overrides apply after that, so an
 * `addPropertyOverride('Tags', [...])` that replaces the list, or a deletion override, removes them from the
 * deployed resource even though the TagManager still lists them. Resources that CloudFormation can tag but
 * the CDK does not model as taggable (plain `CfnResource` with a type string) are not checked.
 * @param requiredTags the tag keys every taggable resource must carry
 */
export function requiredTagsPresent(requiredTags: string[]): (node: CfnResource) => NagRuleResult {
  return (node: CfnResource): NagRuleResult => {
    const manager = TagManager.of(node);
    if (!manager || requiredTags.length === 0) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    // The template's name of the tag property: `tags` is `Tags`, `userPoolTags` is `UserPoolTags` (so for
    // every taggable L1 of aws-cdk-lib 2.276, whose cfnPropertyNames map each one so).
    const propertyName = manager.tagPropertyName.charAt(0).toUpperCase() + manager.tagPropertyName.slice(1);
    const present = new Set(renderedTagKeys(renderResource(node).Properties[propertyName]));
    const missing = requiredTags.filter((key) => !present.has(key));
    return missing.length > 0 ? missing.map((key) => `Tag::${key}`) : NagRuleCompliance.COMPLIANT;
  };
}
