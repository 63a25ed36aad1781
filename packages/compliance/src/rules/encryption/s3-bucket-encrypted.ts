import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { BucketEncryptionRequirement } from '../../bucket-encryption-requirement';
import { asArray, deployments, renderResource } from '../../private/cfn-template';

const KMS_ALGORITHMS = ['aws:kms', 'aws:kms:dsse'];

/**
 * Groundwork-ENC1: the bucket states its default encryption, with an algorithm the requirement accepts.
 * S3 encrypts new objects with SSE-S3 even when the template is silent (since January 2023), but
 * a silent template cannot be reviewed or diffed, so the rule asks for it to be written down.
 * `BucketEncryption` is read in every deployment the template's conditions allow (see deployments): an
 * `Fn::If` anywhere in it passes when every branch states an accepted algorithm, and fails when one branch
 * states another or removes it (`AWS::NoValue`).
 * @param requirement which algorithms are accepted
 */
export function s3BucketEncrypted(requirement: BucketEncryptionRequirement): (node: CfnResource) => NagRuleResult {
  const accepted = requirement === BucketEncryptionRequirement.KMS ? KMS_ALGORITHMS : [...KMS_ALGORITHMS, 'AES256'];
  const statesAccepted = (encryption: any): boolean => {
    const rules = asArray<any>(encryption?.ServerSideEncryptionConfiguration);
    const algorithms = rules.map((r) => r?.ServerSideEncryptionByDefault?.SSEAlgorithm);
    return algorithms.length > 0 && algorithms.every((a) => accepted.includes(a));
  };
  return (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== 'AWS::S3::Bucket') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    // More conditions than deployments reads: the template cannot be shown to encrypt in every case.
    const forms = deployments(renderResource(node).Properties.BucketEncryption) ?? [undefined];
    return forms.every(statesAccepted) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  };
}
