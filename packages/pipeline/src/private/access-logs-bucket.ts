import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * A bucket that receives S3 server access logs of the pipeline's buckets: SSE-S3, TLS only, versioned,
 * public access blocked, ACLs disabled (BucketOwnerEnforced: log delivery is granted by bucket policy, to
 * logging.s3.amazonaws.com for the source buckets of this account only), retained, noncurrent versions
 * kept 90 days. A source bucket created with aws-cdk-lib's `serverAccessLogsBucket` needs the
 * `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy` flag in its scope, or aws-cdk-lib would try the
 * LogDeliveryWrite ACL, which this bucket refuses.
 */
export function accessLogsBucket(scope: Construct, id: string, props: Partial<s3.BucketProps> = {}): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    // S3 server access logging delivers only to buckets encrypted with SSE-S3 (not SSE-KMS).
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
    ...props,
  });
  Validations.of(bucket.node.defaultChild!).acknowledge({
    id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
    reason: 'S3 server access logging delivers only to buckets encrypted with SSE-S3',
  });
  Validations.of(bucket.node.defaultChild!).acknowledge({
    id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
    reason: 'Access logs of transient pipeline artifacts; versioned and retained in the pipeline account',
  });
  return bucket;
}
