import { AspectPriority, Aspects, Aws, IAspect, RemovalPolicy, Stack, TagManager, Validations } from 'aws-cdk-lib';
import * as cp from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { accessLogsBucket } from './access-logs-bucket';
import { mutableStatements } from './bounded-assume-role';

/*
 * Why this file exists (issue 9, environments in several regions):
 * CodePipeline keeps the artifacts of an action in the action's region. For every region other than the
 * pipeline's, aws-cdk-lib/aws-codepipeline creates a support stack at the root of the app
 * (`cross-region-stack-<account>:<region>`) holding a replication bucket and its KMS key. Those are bare:
 * no versioning, no access logs, the key is deleted with the stack, no tags (the stacks sit outside the
 * pipeline stack), and the pipeline role is granted the key on `Resource: *`, because the key's ARN is not
 * known in the pipeline's region. The module has no option for any of this, so once the pipeline is built
 * the support stacks are hardened here to the artifact bucket's standard.
 */

/** Construct id of the access-logs bucket added to a support stack; also marks the stack as hardened. */
const ACCESS_LOGS_ID = 'GroundworkAccessLogs';
/** Prefix of the replication bucket's server access logs in that bucket. */
const LOG_PREFIX = 'replication/';

/** A replication bucket of one region, as the pipeline stack sees it. */
export interface ReplicationRegion {
  readonly region: string;
  readonly stack: Stack;
  readonly bucket: s3.IBucket;
  /** ARN pattern of the keys of the region's account (the pipeline's account). */
  readonly keyArnPattern: string;
  /** Alias of the replication key, if the bucket is encrypted with one. */
  readonly aliasName?: string;
}

/**
 * Hardens the cross-region support stacks of a built pipeline and scopes the pipeline role's grant on their
 * keys. Returns the regions, for the acknowledgements of the findings that remain by design.
 */
export function hardenCrossRegionSupport(pipeline: cp.Pipeline, tagSource: Stack): ReplicationRegion[] {
  const regions: ReplicationRegion[] = [];
  for (const [region, support] of Object.entries(pipeline.crossRegionSupport).sort(([a], [b]) => a.localeCompare(b))) {
    const bucket = support.replicationBucket;
    const alias = bucket.encryptionKey instanceof kms.Alias ? bucket.encryptionKey : undefined;
    // Support stacks are shared by the pipelines of one app (reuseCrossRegionSupportStacks): harden once.
    if (bucket instanceof s3.Bucket && !support.stack.node.tryFindChild(ACCESS_LOGS_ID)) {
      hardenReplicationBucket(support.stack, bucket, alias);
      Aspects.of(support.stack).add(new InheritStackTags(tagSource), { priority: AspectPriority.MUTATING });
    }
    regions.push({
      region,
      stack: support.stack,
      bucket,
      keyArnPattern: `arn:${Aws.PARTITION}:kms:${region}:${support.stack.account}:key/*`,
      aliasName: alias ? Stack.of(pipeline).resolve(alias.aliasName) : undefined,
    });
  }
  scopeReplicationKeyGrant(pipeline.role, regions);
  return regions;
}

function hardenReplicationBucket(stack: Stack, bucket: s3.Bucket, alias: kms.Alias | undefined): void {
  const logs = accessLogsBucket(stack, ACCESS_LOGS_ID);
  // The bucket-policy form of log delivery (the ACL form needs ACLs enabled), limited to this one source bucket.
  logs.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'S3ServerAccessLogsPolicy',
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [logs.arnForObjects(`${LOG_PREFIX}*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': stack.account },
      },
    }),
  );
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.versioningConfiguration = { status: 'Enabled' };
  cfn.loggingConfiguration = { destinationBucketName: logs.bucketName, logFilePrefix: LOG_PREFIX };
  cfn.ownershipControls = { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] };
  if (alias) {
    // One data key per bucket instead of a KMS request per object, as on the artifact bucket.
    cfn.addPropertyOverride('BucketEncryption.ServerSideEncryptionConfiguration.0.BucketKeyEnabled', true);
    // The alias may go with the stack; the key may not: it is the only way to read what it encrypted.
    alias.aliasTargetKey.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
  // CodePipeline names the bucket (a fixed generated name): retained on deletion and replacement, but
  // deleted when the create that made it rolls back, so that a retried create can use the name again.
  bucket.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
  Validations.of(cfn).acknowledge({
    id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
    reason:
      "Itself a replica: CodePipeline copies the pipeline's artifacts here from the artifact bucket; they are rebuilt from Git on every execution",
  });
}

/**
 * CDK grants the pipeline role the replication keys on `Resource: *` (the key ARN is unknown outside its
 * region). Replaced by the keys of the pipeline's account in those regions, limited by condition to the
 * keys carrying the replication aliases.
 */
function scopeReplicationKeyGrant(role: iam.IRole, regions: ReplicationRegion[]): void {
  const aliases = regions.flatMap((r) => (r.aliasName ? [r.aliasName] : []));
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (aliases.length === 0 || !(policy instanceof iam.Policy)) {
    return;
  }
  const statements = mutableStatements(policy.document, role);
  // The document holds one copy per grant (one per action in the region); they are deduplicated at render.
  const isWildcardKeyGrant = (s: iam.PolicyStatement) =>
    s.effect === iam.Effect.ALLOW &&
    s.resources.length === 1 &&
    s.resources[0] === '*' &&
    s.actions.length > 0 &&
    s.actions.every((a) => a.startsWith('kms:')) &&
    !s.hasPrincipal &&
    Object.keys(s.conditions ?? {}).length === 0;
  const wildcard = statements.find(isWildcardKeyGrant);
  if (!wildcard) {
    return;
  }
  const kept = statements.filter((s) => !isWildcardKeyGrant(s));
  statements.splice(0, statements.length, ...kept);
  policy.document.addStatements(
    new iam.PolicyStatement({
      sid: 'ReplicationKeysByAlias',
      actions: wildcard.actions,
      resources: regions.filter((r) => r.aliasName).map((r) => r.keyArnPattern),
      conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } },
    }),
  );
}

/**
 * Copies the tags of the pipeline's stack onto a support stack, which sits at the app root where tags
 * applied to the pipeline stack do not reach. Runs as an aspect, so tags added after the pipeline is built
 * count too; its priority is below `Tags.of().add`'s (100), so tags set on the support stack win.
 */
class InheritStackTags implements IAspect {
  constructor(private readonly source: Stack) {}
  public visit(node: IConstruct): void {
    if (!TagManager.isTaggable(node)) {
      return;
    }
    for (const [key, value] of Object.entries(this.source.tags.tagValues())) {
      node.tags.setTag(key, value, 50);
    }
  }
}
