import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isNoValue, isTrue, possibleValues, renderResource } from '../../private/cfn-template';

// KMS automatic rotation is only supported for symmetric encryption keys whose material KMS
// generated (not imported: Origin EXTERNAL; not in a custom key store: AWS_CLOUDHSM, EXTERNAL_KEY_STORE).
const ROTATABLE_ORIGIN = 'AWS_KMS';
const ROTATABLE_SPEC = 'SYMMETRIC_DEFAULT';

/**
 * Whether some deployment gives the property the value `rotatable`: a branch of an `Fn::If`, or the
 * CloudFormation default when the property is absent or `AWS::NoValue`.
 */
function mayBe(value: unknown, rotatable: string): boolean {
  return possibleValues(value).some(
    (v) => (v === undefined || v === null || isNoValue(v) ? rotatable : v) === rotatable,
  );
}

/**
 * Groundwork-ENC8: symmetric KMS keys have automatic rotation on (`EnableKeyRotation: true`).
 * A key is checked when some deployment allowed by the template's conditions makes it rotatable:
 * a `KeySpec` that is (or in some `Fn::If` branch is, or defaults to) `SYMMETRIC_DEFAULT` together
 * with an `Origin` that is (likewise) `AWS_KMS`. `EnableKeyRotation` must then be true in every
 * `Fn::If` branch.
 * @param node the CfnResource to check
 */
export function kmsKeyRotationEnabled(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::KMS::Key') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const props = renderResource(node).Properties;
  if (!mayBe(props.KeySpec, ROTATABLE_SPEC) || !mayBe(props.Origin, ROTATABLE_ORIGIN)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return possibleValues(props.EnableKeyRotation).every(isTrue)
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
