import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { BucketEncryptionRequirement } from '../../bucket-encryption-requirement';
import { asArray, renderResource } from '../../private/cfn-template';

const KMS_ALGORITHMS = ['aws:kms', 'aws:kms:dsse'];

/**
 * Groundwork-ENC1: the bucket states its default encryption, with an algorithm the requirement accepts.
 * S3 encrypts new objects with SSE-S3 even when the template is silent (since January 2023), but
 * a silent template cannot be reviewed or diffed, so the rule asks for it to be written down.
 * @param requirement which algorithms are accepted
 */
export function s3BucketEncrypted(requirement: BucketEncryptionRequirement): (node: CfnResource) => NagRuleResult {
  const accepted = requirement === BucketEncryptionRequirement.KMS ? KMS_ALGORITHMS : [...KMS_ALGORITHMS, 'AES256'];
  return (node: CfnResource): NagRuleResult => {
    if (node.cfnResourceType !== 'AWS::S3::Bucket') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const rules = asArray<any>(renderResource(node).Properties.BucketEncryption?.ServerSideEncryptionConfiguration);
    const algorithms = rules.map((r) => r?.ServerSideEncryptionByDefault?.SSEAlgorithm);
    return algorithms.length > 0 && algorithms.every((a) => accepted.includes(a))
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  };
}
