import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * A bucket that receives S3 server access logs of the pipeline's buckets: SSE-S3, TLS only, versioned,
 * public access blocked, retained, noncurrent versions kept 90 days.
 */
export function accessLogsBucket(scope: Construct, id: string, props: Partial<s3.BucketProps> = {}): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    // S3 server access logging delivers only to buckets encrypted with SSE-S3 (not SSE-KMS).
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
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
