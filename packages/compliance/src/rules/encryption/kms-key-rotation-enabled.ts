import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { isTrue, renderResource } from '../../private/cfn-template';

// KMS automatic rotation is only supported for symmetric encryption keys whose material KMS
// generated (not imported: Origin EXTERNAL; not in a custom key store: AWS_CLOUDHSM, EXTERNAL_KEY_STORE).
const ROTATABLE_ORIGIN = 'AWS_KMS';
const ROTATABLE_SPEC = 'SYMMETRIC_DEFAULT';

/**
 * Groundwork-ENC8: symmetric KMS keys have automatic rotation on (`EnableKeyRotation: true`).
 * @param node the CfnResource to check
 */
export function kmsKeyRotationEnabled(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::KMS::Key') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const props = renderResource(node).Properties;
  if ((props.KeySpec ?? ROTATABLE_SPEC) !== ROTATABLE_SPEC || (props.Origin ?? ROTATABLE_ORIGIN) !== ROTATABLE_ORIGIN) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return isTrue(props.EnableKeyRotation) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
