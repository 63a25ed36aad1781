import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './private/acknowledge';
import { bucketNameProblem } from './private/bucket-name';
import { createAccessLogsBucket, createLogBucket, useBucketPolicyForAccessLogs } from './private/buckets';
import {
  propError,
  requireBoolean,
  requireInteger,
  requireKnownOneOf,
  resolveRetention,
  validateLifecycle,
} from './private/validation';

/** Object Lock retention mode of the trail bucket. */
export enum AuditLogLockMode {
  /** Users with s3:BypassGovernanceRetention can still delete or shorten retention. */
  GOVERNANCE = 'GOVERNANCE',
  /** Nobody, including the root user, can delete a locked object before its retention ends. */
  COMPLIANCE = 'COMPLIANCE',
}

/**
 * The CloudTrail trail name rules (CloudTrail API Reference, CreateTrail `Name`, and
 * InvalidTrailNameException): ASCII letters, digits, periods, underscores and dashes; starts and ends
 * with a letter or digit; 3 to 128 characters; no adjacent periods, underscores or dashes; not in IP
 * address format.
 */
function isValidTrailName(name: string): boolean {
  return (
    /^[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?![._-])){1,126}[A-Za-z0-9]$/.test(name) &&
    !/^\d{1,3}(?:\.\d{1,3}){3}$/.test(name)
  );
}

/** Properties of an AuditTrail. */
export interface AuditTrailProps {
  /**
   * Name of the trail. The key policy and bucket policy pin `aws:SourceArn` to this trail, so the
   * name is fixed at synthesis (a token such as one built from `AWS::StackId` is fine). A name known
   * at synthesis is checked against CloudTrail's naming rules (3-128 letters, digits, periods,
   * underscores or dashes; starts and ends with a letter or digit; no two of `._-` in a row; not an
   * IP address), which CloudTrail otherwise enforces only at deployment. The log
   * group is named after it (`/groundwork/audit-trail/<trailName>`) and retained when the stack is
   * deleted: a stack created again with the same trail name in the same account and region fails on
   * that log group. Where stacks are deleted and created again (e.g. StackSet instances of accounts
   * that leave and rejoin a unit), use a name unique to each stack.
   *
   * @default - a name unique to this construct's path
   */
  readonly trailName?: string;

  /**
   * Deliver the trail to CloudWatch Logs too. Needed by SecurityAlarms (metric filters).
   *
   * @default true
   */
  readonly sendToCloudWatchLogs?: boolean;

  /**
   * Retention of the CloudWatch Logs copy. Use either this or `cloudWatchLogsRetentionDays`.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly cloudWatchLogsRetention?: logs.RetentionDays;

  /**
   * Retention of the CloudWatch Logs copy as a number of days (handy from YAML config). Must be a
   * value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, ...).
   *
   * @default - `cloudWatchLogsRetention`
   */
  readonly cloudWatchLogsRetentionDays?: number;

  /**
   * Days after which trail objects of 128 KB or more move to S3 Glacier Flexible Retrieval; smaller
   * ones (many log files, digest files) stay in S3 Standard: S3's default minimum transition
   * size. Local bucket only.
   *
   * @default 90
   */
  readonly transitionToGlacierAfterDays?: number;

  /**
   * Days after which trail objects expire. The bucket is versioned: expiry only makes an object
   * noncurrent (a delete marker hides it), and S3 deletes it for good
   * `noncurrentVersionExpireAfterDays` later. With the defaults a log file is therefore kept
   * 2557 + 2557 days (about 14 years), not 7. Must be greater than `transitionToGlacierAfterDays`
   * and, with Object Lock, not less than `objectLockDays`. The access-log bucket this construct
   * creates has the same lifecycle. Local bucket only.
   *
   * @default 2557 (7 years to expiry)
   */
  readonly expireAfterDays?: number;

  /**
   * Days a noncurrent version of a trail object is kept before S3 deletes it for good: an object
   * that expired (`expireAfterDays`), or one that was deleted or overwritten, which this window keeps
   * recoverable. A log file is deleted for good `expireAfterDays` plus this many days after it was
   * written: with a deadline for deleting logs, keep the sum within it. An integer from 1 to 36500.
   * The access-log bucket this construct creates has the same lifecycle. Local bucket only.
   *
   * @default - `expireAfterDays`
   */
  readonly noncurrentVersionExpireAfterDays?: number;

  /**
   * Turns on S3 Object Lock with this default retention mode. Object Lock can only be enabled when
   * the bucket is created. Local bucket only.
   *
   * @default - no Object Lock
   */
  readonly objectLockMode?: AuditLogLockMode;

  /**
   * Default Object Lock retention in days; only with `objectLockMode`.
   *
   * @default 365
   */
  readonly objectLockDays?: number;

  /**
   * Name of a bucket in a central logging account to write the trail to instead of a local bucket.
   * That bucket's policy must allow this account's trail to write (see README). Requires `centralKeyArn`.
   * A literal name is checked against S3's general purpose bucket naming rules (length, characters, adjacent dots,
   * IP address form, reserved prefixes and suffixes); the error names the rule it breaks.
   *
   * @default - a local bucket is created
   */
  readonly centralBucketName?: string;

  /**
   * ARN of the KMS key in the central logging account that encrypts the trail. Requires `centralBucketName`.
   *
   * @default - a local key is created
   */
  readonly centralKeyArn?: string;

  /**
   * Bucket that receives the S3 server access logs of the trail bucket.
   *
   * @default - a new SSE-S3 encrypted, versioned, retained bucket
   */
  readonly accessLogsBucket?: s3.IBucket;
}

/**
 * A multi-region, KMS-encrypted CloudTrail with log file validation, delivered to a dedicated,
 * versioned, TLS-only, never-public and retained S3 bucket (or to a central logging account) and
 * to a KMS-encrypted CloudWatch Logs group.
 */
export class AuditTrail extends Construct {
  /** The trail. */
  public readonly trail: cloudtrail.Trail;
  /** The trail's name (fixed at synthesis). */
  public readonly trailName: string;
  /** ARN of the trail, built from its name so policies can pin `aws:SourceArn` without a dependency cycle. */
  public readonly trailArn: string;
  /** The key that encrypts log files and the log group; the central key in central mode. */
  public readonly encryptionKey: kms.IKey;
  /** The bucket the trail writes to (imported in central mode). */
  public readonly bucket: s3.IBucket;
  /** The server access logs bucket of the trail bucket; undefined in central mode. */
  public readonly accessLogsBucket?: s3.IBucket;
  /** The CloudWatch Logs group; undefined when `sendToCloudWatchLogs` is false. */
  public readonly logGroup?: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: AuditTrailProps = {}) {
    super(scope, id);
    useBucketPolicyForAccessLogs(this);
    const stack = Stack.of(this);
    const central = this.validateCentral(props);

    this.trailName = props.trailName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    if (!Token.isUnresolved(this.trailName) && !isValidTrailName(this.trailName)) {
      throw propError(
        this,
        'trailName',
        '3-128 letters, digits, periods, underscores or dashes, starting and ending with a letter or digit, ' +
          'no two periods, underscores or dashes in a row, not an IP address',
        this.trailName,
      );
    }
    this.trailArn = stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: this.trailName });

    const retention = resolveRetention(
      this,
      'cloudWatchLogsRetention',
      props.cloudWatchLogsRetention,
      'cloudWatchLogsRetentionDays',
      props.cloudWatchLogsRetentionDays,
      logs.RetentionDays.ONE_YEAR,
    );
    requireBoolean(this, 'sendToCloudWatchLogs', props.sendToCloudWatchLogs);
    const sendToCloudWatchLogs = props.sendToCloudWatchLogs ?? true;
    if (!sendToCloudWatchLogs && (props.cloudWatchLogsRetention !== undefined || props.cloudWatchLogsRetentionDays)) {
      throw propError(this, 'cloudWatchLogsRetention', 'no retention when sendToCloudWatchLogs is false', retention);
    }

    const logGroupName = `/groundwork/audit-trail/${this.trailName}`;
    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    if (central) {
      this.encryptionKey = kms.Key.fromKeyArn(this, 'CentralKey', props.centralKeyArn!);
      this.bucket = s3.Bucket.fromBucketName(this, 'CentralBucket', props.centralBucketName!);
    } else {
      const key = new kms.Key(this, 'Key', {
        description: `Encrypts CloudTrail log files of ${this.trailName}`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.addTrailKeyPolicy(key);
      this.encryptionKey = key;
      const lifecycle = this.validateLocalBucket(props);
      const accessLogsBucket =
        props.accessLogsBucket ??
        createAccessLogsBucket(
          this,
          'AccessLogsBucket',
          lifecycle.expireAfterDays,
          lifecycle.noncurrentVersionExpireAfterDays,
        );
      this.accessLogsBucket = accessLogsBucket;
      const bucket = createLogBucket(this, 'Bucket', {
        encryptionKey: key,
        accessLogsBucket,
        accessLogsPrefix: 'audit-trail/',
        ...lifecycle,
      });
      // The Trail L2 grants cloudtrail.amazonaws.com write access without a source condition; this
      // deny keeps any other account's or trail's CloudTrail from writing here (confused deputy).
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'DenyOtherTrails',
          effect: iam.Effect.DENY,
          principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
          actions: ['s3:PutObject', 's3:GetBucketAcl'],
          resources: [bucket.bucketArn, bucket.arnForObjects('*')],
          conditions: { StringNotEquals: { 'aws:SourceArn': this.trailArn } },
        }),
      );
      acknowledge(
        bucket,
        'NIST.800.53.R5-S3BucketReplicationEnabled',
        'An off-account copy is made by writing to a central logging bucket (centralBucketName); in local mode the trail bucket is versioned, retained and optionally Object Locked.',
      );
      this.bucket = bucket;
    }

    let logGroup: logs.LogGroup | undefined;
    if (sendToCloudWatchLogs) {
      // The log group uses its own key: in central mode the trail key lives in another account.
      const logKey = central ? this.createLogGroupKey(logGroupArn) : (this.encryptionKey as kms.Key);
      if (!central) {
        this.allowLogsToUseKey(logKey as kms.Key, logGroupArn);
      }
      logGroup = new logs.LogGroup(this, 'LogGroup', {
        logGroupName,
        retention,
        encryptionKey: logKey,
        // Retained, but deleted when the creation of the stack rolls back: it has a fixed name, and a
        // log group left behind by a failed first creation would fail every retry ("already exists").
        // The trail's log files stay in the retained bucket.
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
      this.logGroup = logGroup;
    }

    this.trail = new cloudtrail.Trail(this, 'Trail', {
      trailName: this.trailName,
      bucket: this.bucket,
      encryptionKey: this.encryptionKey,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      sendToCloudWatchLogs,
      cloudWatchLogGroup: logGroup,
    });
    const logsPolicy = this.trail.node.tryFindChild('LogsRole')?.node.tryFindChild('DefaultPolicy');
    if (logsPolicy) {
      acknowledge(
        logsPolicy,
        'NIST.800.53.R5-IAMNoInlinePolicy',
        'The Trail construct writes this inline policy (logs:CreateLogStream and logs:PutLogEvents on this log group only) to the role only CloudTrail assumes.',
      );
    }
  }

  private validateCentral(props: AuditTrailProps): boolean {
    const hasBucket = props.centralBucketName !== undefined;
    const hasKey = props.centralKeyArn !== undefined;
    if (hasBucket && !hasKey) {
      throw propError(this, 'centralKeyArn', 'the central logging key ARN when centralBucketName is set', undefined);
    }
    if (hasKey && !hasBucket) {
      throw propError(this, 'centralBucketName', 'the central bucket name when centralKeyArn is set', undefined);
    }
    if (!hasBucket) {
      return false;
    }
    const name = props.centralBucketName!;
    const nameProblem = Token.isUnresolved(name) ? undefined : bucketNameProblem(name);
    if (nameProblem) {
      throw propError(
        this,
        'centralBucketName',
        `an S3 bucket name (3-63 lowercase letters, digits, dots, dashes; S3's naming rules), not one with ${nameProblem}`,
        name,
      );
    }
    const arn = props.centralKeyArn!;
    if (!Token.isUnresolved(arn) && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(arn)) {
      throw propError(this, 'centralKeyArn', 'a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)', arn);
    }
    const localOnly: (keyof AuditTrailProps)[] = [
      'transitionToGlacierAfterDays',
      'expireAfterDays',
      'noncurrentVersionExpireAfterDays',
      'objectLockMode',
      'objectLockDays',
      'accessLogsBucket',
    ];
    for (const prop of localOnly) {
      if (props[prop] !== undefined) {
        throw propError(
          this,
          prop,
          'unset when centralBucketName is set (the central account owns that bucket)',
          'a value',
        );
      }
    }
    return true;
  }

  private validateLocalBucket(props: AuditTrailProps) {
    const transitionAfterDays = props.transitionToGlacierAfterDays ?? 90;
    const expireAfterDays = props.expireAfterDays ?? 2557;
    validateLifecycle(this, 'transitionToGlacierAfterDays', 'expireAfterDays', {
      transitionAfterDays,
      expireAfterDays,
    });
    const noncurrentVersionExpireAfterDays = props.noncurrentVersionExpireAfterDays ?? expireAfterDays;
    requireInteger(this, 'noncurrentVersionExpireAfterDays', noncurrentVersionExpireAfterDays, 1, 36500);
    let objectLockRetention: s3.ObjectLockRetention | undefined;
    if (props.objectLockDays !== undefined && props.objectLockMode === undefined) {
      throw propError(this, 'objectLockMode', 'a mode when objectLockDays is set', undefined);
    }
    if (props.objectLockMode !== undefined) {
      // Typed in TypeScript, but free text in JavaScript or YAML config: a lower-case or misspelt mode
      // must not become the weaker GOVERNANCE lock.
      requireKnownOneOf(this, 'objectLockMode', props.objectLockMode, Object.values(AuditLogLockMode));
      const days = props.objectLockDays ?? 365;
      // S3 Object Lock default retention accepts 1 to 36500 days.
      requireInteger(this, 'objectLockDays', days, 1, 36500);
      if (days > expireAfterDays) {
        throw propError(
          this,
          'expireAfterDays',
          `at least objectLockDays (${days}), or expiry fails on locked objects`,
          expireAfterDays,
        );
      }
      const retentionOf: Record<AuditLogLockMode, (duration: Duration) => s3.ObjectLockRetention> = {
        [AuditLogLockMode.GOVERNANCE]: (d) => s3.ObjectLockRetention.governance(d),
        [AuditLogLockMode.COMPLIANCE]: (d) => s3.ObjectLockRetention.compliance(d),
      };
      objectLockRetention = retentionOf[props.objectLockMode](Duration.days(days));
    }
    return { transitionAfterDays, expireAfterDays, noncurrentVersionExpireAfterDays, objectLockRetention };
  }

  /** Key policy statements from the CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail". */
  private addTrailKeyPolicy(key: kms.Key): void {
    const stack = Stack.of(this);
    const cloudtrailPrincipal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    const accountTrails = `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*`;
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailEncryptLogs',
        principals: [cloudtrailPrincipal],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceArn': this.trailArn },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': accountTrails },
        },
      }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailDescribeKey',
        principals: [cloudtrailPrincipal],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': this.trailArn } },
      }),
    );
  }

  /** Key policy statement from the CloudWatch Logs User Guide, "Encrypt log data using AWS KMS". */
  private allowLogsToUseKey(key: kms.Key, logGroupArn: string): void {
    const stack = Stack.of(this);
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsUseOfTheKey',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': logGroupArn } },
      }),
    );
  }

  private createLogGroupKey(logGroupArn: string): kms.Key {
    const key = new kms.Key(this, 'LogGroupKey', {
      description: `Encrypts the CloudWatch Logs copy of CloudTrail ${this.trailName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.allowLogsToUseKey(key, logGroupArn);
    return key;
  }
}
