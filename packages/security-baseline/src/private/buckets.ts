import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

/**
 * The bucket that receives S3 server access logs of the log buckets.
 *
 * SSE-S3, not SSE-KMS: S3 server access log delivery supports only SSE-S3 default encryption
 * on the destination bucket (S3 User Guide, "Enabling Amazon S3 server access logging").
 */
export function createAccessLogsBucket(
  scope: Construct,
  id: string,
  expireAfterDays: number,
  noncurrentVersionExpireAfterDays: number,
): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      {
        id: 'ExpireAccessLogs',
        // Versioned: expiry makes a file noncurrent (a delete marker), and it is deleted for good
        // noncurrentVersionExpireAfterDays later.
        expiration: Duration.days(expireAfterDays),
        noncurrentVersionExpiration: Duration.days(noncurrentVersionExpireAfterDays),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  acknowledge(
    bucket,
    'NIST.800.53.R5-S3DefaultEncryptionKMS',
    'S3 server access log delivery supports only SSE-S3 default encryption on the destination bucket (S3 User Guide, Enabling server access logging).',
  );
  acknowledge(
    bucket,
    'NIST.800.53.R5-S3BucketReplicationEnabled',
    'Access logs of log buckets are secondary evidence kept versioned and retained; replicating them needs a bucket in another region this construct does not own.',
  );
  return bucket;
}

/** Options shared by the KMS-encrypted log buckets. */
export interface LogBucketOptions {
  readonly encryptionKey: kms.IKey;
  readonly accessLogsBucket: s3.IBucket;
  readonly accessLogsPrefix: string;
  readonly transitionAfterDays: number;
  readonly expireAfterDays: number;
  readonly noncurrentVersionExpireAfterDays: number;
  readonly objectLockRetention?: s3.ObjectLockRetention;
}

/** A versioned, KMS-encrypted, TLS-only, never-public log bucket that survives stack deletion. */
export function createLogBucket(scope: Construct, id: string, options: LogBucketOptions): s3.Bucket {
  return new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: options.encryptionKey,
    // An S3 Bucket Key cuts KMS requests (and their cost) by orders of magnitude for log writes.
    bucketKeyEnabled: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: true,
    serverAccessLogsBucket: options.accessLogsBucket,
    serverAccessLogsPrefix: options.accessLogsPrefix,
    removalPolicy: RemovalPolicy.RETAIN,
    objectLockEnabled: options.objectLockRetention !== undefined ? true : undefined,
    objectLockDefaultRetention: options.objectLockRetention,
    lifecycleRules: [
      {
        id: 'ArchiveThenExpire',
        transitions: [
          { storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(options.transitionAfterDays) },
        ],
        // The bucket is versioned: expiry only adds a delete marker, which makes the object
        // noncurrent, and the noncurrent expiration deletes it for good that many days later. So an
        // object is deleted for good expireAfterDays + noncurrentVersionExpireAfterDays after it was
        // written. The noncurrent window is also what keeps a deleted or overwritten object
        // recoverable.
        expiration: Duration.days(options.expireAfterDays),
        noncurrentVersionExpiration: Duration.days(options.noncurrentVersionExpireAfterDays),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
}

/**
 * Makes log buckets grant S3 server access log delivery through the target's bucket policy
 * instead of the LogDeliveryWrite ACL, whatever the app's feature flags say: ACLs are disabled by
 * BucketOwnerEnforced, which the buckets use. Must run before the scope has children.
 */
export function useBucketPolicyForAccessLogs(scope: Construct): void {
  scope.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
}
