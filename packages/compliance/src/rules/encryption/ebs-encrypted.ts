import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { asArray, isTrue, renderResource } from '../../private/cfn-template';

/** The EBS mappings of an instance, launch template or launch configuration. */
function ebsMappings(type: string, props: { [key: string]: any }): any[] | undefined {
  switch (type) {
    case 'AWS::EC2::Instance':
    case 'AWS::AutoScaling::LaunchConfiguration':
      return asArray<any>(props.BlockDeviceMappings).filter((m) => m?.Ebs !== undefined);
    case 'AWS::EC2::LaunchTemplate':
      return asArray<any>(props.LaunchTemplateData?.BlockDeviceMappings).filter((m) => m?.Ebs !== undefined);
    default:
      return undefined;
  }
}

/**
 * Groundwork-ENC5: EBS volumes are encrypted: `AWS::EC2::Volume` has `Encrypted: true`, and every
 * EBS block device mapping of an instance, launch template or launch configuration has
 * `Ebs.Encrypted: true`. Without mappings the root volume follows the AMI and the account's
 * EBS encryption-by-default setting, which a template cannot show, so the rule does not apply.
 * @param node the CfnResource to check
 */
export function ebsEncrypted(node: CfnResource): NagRuleResult {
  const type = node.cfnResourceType;
  if (type === 'AWS::EC2::Volume') {
    return isTrue(renderResource(node).Properties.Encrypted)
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  }
  if (ebsMappings(type, {}) === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const mappings = ebsMappings(type, renderResource(node).Properties) ?? [];
  if (mappings.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return mappings.every((m) => isTrue(m.Ebs.Encrypted)) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
