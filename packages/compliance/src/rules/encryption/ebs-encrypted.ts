import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isNoValue, isTrue, possibleElements, possibleValues, renderResource } from '../../private/cfn-template';

/** Every value `value` may take once the template's conditions are evaluated, less absent and `AWS::NoValue` ones. */
function presentValues(value: unknown): any[] {
  return possibleValues(value).filter((v) => v !== undefined && v !== null && !isNoValue(v));
}

/**
 * The `Ebs` blocks of the block device mappings of an instance, launch template or launch
 * configuration, in every deployment: each `Fn::If` branch of the list, of an element, of the
 * launch template data and of `Ebs` counts, and an `AWS::NoValue` branch adds nothing.
 */
function ebsBlocks(type: string, props: { [key: string]: any }): any[] | undefined {
  let mappings: unknown[];
  switch (type) {
    case 'AWS::EC2::Instance':
    case 'AWS::AutoScaling::LaunchConfiguration':
      mappings = possibleElements(props.BlockDeviceMappings);
      break;
    case 'AWS::EC2::LaunchTemplate':
      mappings = presentValues(props.LaunchTemplateData).flatMap((data) => possibleElements(data?.BlockDeviceMappings));
      break;
    default:
      return undefined;
  }
  return mappings.flatMap((m) => presentValues((m as { Ebs?: unknown } | undefined)?.Ebs));
}

/** True when `Encrypted` is true in every branch: a false, absent or `AWS::NoValue` branch leaves the volume unencrypted. */
function alwaysEncrypted(value: unknown): boolean {
  return possibleValues(value).every(isTrue);
}

/**
 * Groundwork-ENC5: EBS volumes are encrypted: `AWS::EC2::Volume` has `Encrypted: true`, and every
 * EBS block device mapping of an instance, launch template or launch configuration has
 * `Ebs.Encrypted: true`. The mappings are read in every deployment the template's conditions allow:
 * a mapping or an `Encrypted: false` behind either branch of an `Fn::If` fails. Without mappings
 * the root volume follows the AMI and the account's EBS encryption-by-default setting, which a
 * template cannot show, so the rule does not apply.
 * @param node the CfnResource to check
 */
export function ebsEncrypted(node: CfnResource): NagRuleResult {
  const type = node.cfnResourceType;
  if (type === 'AWS::EC2::Volume') {
    return alwaysEncrypted(renderResource(node).Properties.Encrypted)
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  }
  if (ebsBlocks(type, {}) === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const blocks = ebsBlocks(type, renderResource(node).Properties) ?? [];
  if (blocks.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return blocks.every((ebs) => alwaysEncrypted(ebs?.Encrypted))
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
