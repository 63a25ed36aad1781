/**
 * Which S3 default encryption Groundwork-ENC1 accepts.
 */
export enum BucketEncryptionRequirement {
  /** SSE-KMS or DSSE-KMS (`aws:kms`, `aws:kms:dsse`). */
  KMS = 'KMS',
  /**
   * SSE-KMS, DSSE-KMS or SSE-S3 (`AES256`). Needed where KMS is not supported, e.g. the target
   * bucket of S3 server access logs, which only accepts SSE-S3.
   */
  KMS_OR_S3_MANAGED = 'KMS_OR_S3_MANAGED',
}
