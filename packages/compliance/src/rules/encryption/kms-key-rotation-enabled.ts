import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isNoValue, isTrue, possibleValues, renderResource } from '../../private/cfn-template';
import { possibleValuesWithParameters } from '../../private/parameters';

// KMS automatic rotation is only supported for symmetric encryption keys whose material KMS
// generated (not imported: Origin EXTERNAL; not in a custom key store: AWS_CLOUDHSM, EXTERNAL_KEY_STORE).
const ROTATABLE_ORIGIN = 'AWS_KMS';
const ROTATABLE_SPEC = 'SYMMETRIC_DEFAULT';

/**
 * Whether some deployment gives the property the value `rotatable`: a branch of an `Fn::If`, the
 * CloudFormation default when the property is absent or `AWS::NoValue`, a value the template states for a
 * parameter (see possibleValuesWithParameters), or any reference or intrinsic whose value the template does
 * not show (a parameter without `AllowedValues`, `Fn::FindInMap`, `Fn::ImportValue`): it may be `rotatable`.
 */
function mayBe(node: CfnResource, value: unknown, rotatable: string): boolean {
  // Absent and `AWS::NoValue` give the default, which is rotatable; any other object is a value the template
  // does not show.
  return possibleValuesWithParameters(node, value).some(
    (v) => v === undefined || v === null || isNoValue(v) || typeof v === 'object' || v === rotatable,
  );
}

/**
 * Groundwork-ENC8: symmetric KMS keys have automatic rotation on (`EnableKeyRotation: true`).
 * A key is checked when some deployment allowed by the template's conditions makes it rotatable:
 * a `KeySpec` that is (or in some `Fn::If` branch is, or defaults to, or may be as a reference)
 * `SYMMETRIC_DEFAULT` together with an `Origin` that is (likewise) `AWS_KMS`. A parameter whose
 * `AllowedValues` exclude those values makes the key not rotatable. `EnableKeyRotation` must then be true in
 * every `Fn::If` branch.
 * @param node the CfnResource to check
 */
export function kmsKeyRotationEnabled(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::KMS::Key') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const props = renderResource(node).Properties;
  if (!mayBe(node, props.KeySpec, ROTATABLE_SPEC) || !mayBe(node, props.Origin, ROTATABLE_ORIGIN)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return possibleValues(props.EnableKeyRotation).every(isTrue)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
