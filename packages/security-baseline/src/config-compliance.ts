import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PasswordPolicyOptions } from './account-guardrails';
import { acknowledge } from './private/acknowledge';
import { createAccessLogsBucket, createLogBucket, useBucketPolicyForAccessLogs } from './private/buckets';
import {
  passwordRuleParameters,
  requireCheckableByPasswordRule,
  resolvePasswordPolicy,
  ResolvedPasswordPolicy,
  uncheckableByPasswordRule,
} from './private/password-policy';
import {
  deployOnlyWhere,
  GLOBAL_IAM_RECORDING_REGIONS,
  isAccountIamRule,
  RULE_AVAILABILITY,
  resolvedRegion,
  ruleAvailableCondition,
  ruleAvailableIn,
} from './private/regions';
import {
  propError,
  requireBooleanOrToken,
  requireInteger,
  requireKnownDistinct,
  requireOneOf,
  requireUnsetWhenOff,
  validateLifecycle,
} from './private/validation';

/** How often AWS Config delivers configuration snapshots. */
export enum SnapshotFrequency {
  /** Every hour. */
  ONE_HOUR = 'One_Hour',
  /** Every 3 hours. */
  THREE_HOURS = 'Three_Hours',
  /** Every 6 hours. */
  SIX_HOURS = 'Six_Hours',
  /** Every 12 hours. */
  TWELVE_HOURS = 'Twelve_Hours',
  /** Every 24 hours. */
  TWENTY_FOUR_HOURS = 'TwentyFour_Hours',
}

/** Properties of a ConfigRecorder. */
export interface ConfigRecorderProps {
  /**
   * Record global resource types (IAM users, roles, policies). Set this to true in exactly one
   * region per account, or every region records the same IAM items (and bills for them), and in a
   * region where AWS Config can record them (`ConfigRecorder.canRecordGlobalResources`): true in
   * another region is an error.
   *
   * @default false
   */
  readonly recordGlobalResources?: boolean;

  /**
   * How often configuration snapshots are delivered to the bucket.
   *
   * @default SnapshotFrequency.TWENTY_FOUR_HOURS
   */
  readonly snapshotFrequency?: SnapshotFrequency;

  /**
   * Days after which delivered items of 128 KB or more move to S3 Glacier Flexible Retrieval;
   * smaller ones stay in S3 Standard: S3's default minimum transition size.
   *
   * @default 90
   */
  readonly transitionToGlacierAfterDays?: number;

  /**
   * Days after which delivered items expire; must be greater than `transitionToGlacierAfterDays`. The
   * bucket is versioned: expiry only makes an item noncurrent (a delete marker hides it), and S3
   * deletes it for good `noncurrentVersionExpireAfterDays` later. With the defaults an item is
   * therefore kept 2557 + 2557 days (about 14 years), not 7. The access-log bucket this construct
   * creates has the same lifecycle.
   *
   * @default 2557 (7 years to expiry)
   */
  readonly expireAfterDays?: number;

  /**
   * Days a noncurrent version of a delivered item is kept before S3 deletes it for good: an item
   * that expired (`expireAfterDays`), or one that was deleted or overwritten, which this window keeps
   * recoverable. An item is deleted for good `expireAfterDays` plus this many days after it was
   * delivered: with a deadline for deleting it, keep the sum within it. An integer from 1 to 36500.
   * The access-log bucket this construct creates has the same lifecycle.
   *
   * @default - `expireAfterDays`
   */
  readonly noncurrentVersionExpireAfterDays?: number;

  /**
   * Bucket that receives the S3 server access logs of the delivery bucket.
   *
   * @default - a new SSE-S3 encrypted, versioned, retained bucket
   */
  readonly accessLogsBucket?: s3.IBucket;
}

/**
 * The AWS Config configuration recorder (all supported resource types) and its delivery channel
 * to a KMS-encrypted, TLS-only, versioned and retained bucket.
 */
export class ConfigRecorder extends Construct {
  /**
   * Whether AWS Config can record the global IAM resource types (users, groups, roles, policies) in
   * `region`: only in the regions where it was available before February 2022 (AWS Config Developer
   * Guide, "Recording AWS Resources | Global Resources"). False for any region launched since, and
   * for a region name this package does not know.
   */
  public static canRecordGlobalResources(region: string): boolean {
    return GLOBAL_IAM_RECORDING_REGIONS.includes(region);
  }

  /** The recorder. */
  public readonly recorder: config.CfnConfigurationRecorder;
  /** The delivery channel. */
  public readonly deliveryChannel: config.CfnDeliveryChannel;
  /** The bucket configuration items and snapshots go to. */
  public readonly bucket: s3.Bucket;
  /** The key that encrypts delivered items. */
  public readonly encryptionKey: kms.Key;
  /** The role AWS Config records with. */
  public readonly role: iam.Role;
  /** Server access logs bucket of the delivery bucket. */
  public readonly accessLogsBucket: s3.IBucket;
  /**
   * Whether the recorder records global resource types (IAM): `recordGlobalResources`, false by
   * default; a token when that prop is one.
   */
  public readonly recordsGlobalResources: boolean;

  constructor(scope: Construct, id: string, props: ConfigRecorderProps = {}) {
    super(scope, id);
    useBucketPolicyForAccessLogs(this);
    const stack = Stack.of(this);
    const transitionAfterDays = props.transitionToGlacierAfterDays ?? 90;
    const expireAfterDays = props.expireAfterDays ?? 2557;
    validateLifecycle(this, 'transitionToGlacierAfterDays', 'expireAfterDays', {
      transitionAfterDays,
      expireAfterDays,
    });
    const noncurrentVersionExpireAfterDays = props.noncurrentVersionExpireAfterDays ?? expireAfterDays;
    requireInteger(this, 'noncurrentVersionExpireAfterDays', noncurrentVersionExpireAfterDays, 1, 36500);
    const snapshotFrequency = props.snapshotFrequency ?? SnapshotFrequency.TWENTY_FOUR_HOURS;
    requireOneOf(this, 'snapshotFrequency', snapshotFrequency, Object.values(SnapshotFrequency));
    // Typed in TypeScript, but free in JavaScript or YAML config, where "false" would count as true and record
    // IAM in every region. A token (Fn::If on the region, one template for every region) is left to CloudFormation.
    requireBooleanOrToken(this, 'recordGlobalResources', props.recordGlobalResources);

    // A role with the AWS managed AWS_ConfigRole policy rather than the service-linked role: a
    // CloudFormation-created service-linked role fails when one already exists in the account.
    // Trusted by AWS Config acting for this account only (confused-deputy protection; AWS Config
    // Developer Guide, "Permissions for the IAM Role Assigned to AWS Config", trust policy).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('config.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
      }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
      description: 'Role AWS Config uses to record resource configurations',
    });
    acknowledge(
      this.role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]',
      'AWS_ConfigRole is the AWS-maintained read policy for every resource type Config records; a hand-kept copy would fall behind new resource types.',
    );

    this.encryptionKey = new kms.Key(this, 'Key', {
      description: 'Encrypts AWS Config configuration items and snapshots',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Granted in the key policy rather than the role's policy, which keeps the role free of
    // wildcard statements.
    // aws:SourceAccount is only present on requests a service makes on its own behalf, so the
    // service principal and the recorder role get separate statements.
    const configService = new iam.ServicePrincipal('config.amazonaws.com');
    const sameAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowConfigServiceDelivery',
        principals: [configService],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: sameAccount,
      }),
    );
    this.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowConfigRoleDelivery',
        principals: [new iam.ArnPrincipal(this.role.roleArn)],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );

    this.accessLogsBucket =
      props.accessLogsBucket ??
      createAccessLogsBucket(this, 'AccessLogsBucket', expireAfterDays, noncurrentVersionExpireAfterDays);
    this.bucket = createLogBucket(this, 'Bucket', {
      encryptionKey: this.encryptionKey,
      accessLogsBucket: this.accessLogsBucket,
      accessLogsPrefix: 'config/',
      transitionAfterDays,
      expireAfterDays,
      noncurrentVersionExpireAfterDays,
    });
    // Bucket policy from the AWS Config Developer Guide, "Permissions for the Amazon S3 Bucket".
    const bucketStatements = (who: string, principal: iam.IPrincipal, condition: { [k: string]: string }) => {
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `${who}BucketPermissionsCheck`,
          principals: [principal],
          actions: ['s3:GetBucketAcl', 's3:ListBucket'],
          resources: [this.bucket.bucketArn],
          conditions: Object.keys(condition).length > 0 ? { StringEquals: condition } : undefined,
        }),
      );
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `${who}BucketDelivery`,
          principals: [principal],
          actions: ['s3:PutObject'],
          resources: [this.bucket.arnForObjects(`AWSLogs/${stack.account}/Config/*`)],
          conditions: { StringEquals: { ...condition, 's3:x-amz-acl': 'bucket-owner-full-control' } },
        }),
      );
    };
    bucketStatements('AWSConfig', configService, { 'aws:SourceAccount': stack.account });
    bucketStatements('ConfigRole', new iam.ArnPrincipal(this.role.roleArn), {});

    const region = resolvedRegion(this);
    if (
      props.recordGlobalResources === true &&
      !Token.isUnresolved(props.recordGlobalResources) &&
      region !== undefined &&
      !ConfigRecorder.canRecordGlobalResources(region)
    ) {
      throw propError(
        this,
        'recordGlobalResources',
        `false in ${region}, where AWS Config cannot record IAM resources (it records them only in the regions ` +
          `it served before February 2022: ${GLOBAL_IAM_RECORDING_REGIONS.join(', ')}); record them from a stack in one of those`,
        true,
      );
    }

    this.recordsGlobalResources = props.recordGlobalResources ?? false;
    this.recorder = new config.CfnConfigurationRecorder(this, 'Resource', {
      roleArn: this.role.roleArn,
      recordingGroup: {
        allSupported: true,
        includeGlobalResourceTypes: this.recordsGlobalResources,
      },
    });

    this.deliveryChannel = new config.CfnDeliveryChannel(this, 'DeliveryChannel', {
      s3BucketName: this.bucket.bucketName,
      s3KmsKeyArn: this.encryptionKey.keyArn,
      configSnapshotDeliveryProperties: {
        deliveryFrequency: snapshotFrequency,
      },
    });
    // AWS Config rejects a delivery channel before a recorder exists, and checks bucket access
    // when the channel is created.
    this.deliveryChannel.node.addDependency(this.recorder);
    this.deliveryChannel.node.addDependency(this.bucket.policy!);
    acknowledge(
      this.bucket,
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'Config data is re-creatable from the recorder and is kept versioned and retained; cross-region replication needs a destination bucket in another region this construct does not own.',
    );
  }
}

/** A curated AWS Config managed rule. */
export enum ManagedRule {
  /** EBS volumes attached to instances are encrypted (ENCRYPTED_VOLUMES). */
  ENCRYPTED_VOLUMES = 'encrypted-volumes',
  /** EBS encryption by default is on (EC2_EBS_ENCRYPTION_BY_DEFAULT). */
  EBS_ENCRYPTION_BY_DEFAULT = 'ec2-ebs-encryption-by-default',
  /** No bucket allows public read (S3_BUCKET_PUBLIC_READ_PROHIBITED). */
  S3_BUCKET_PUBLIC_READ_PROHIBITED = 's3-bucket-public-read-prohibited',
  /** No bucket allows public write (S3_BUCKET_PUBLIC_WRITE_PROHIBITED). */
  S3_BUCKET_PUBLIC_WRITE_PROHIBITED = 's3-bucket-public-write-prohibited',
  /** Account-level S3 Block Public Access is on (S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC). */
  S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS = 's3-account-level-public-access-blocks-periodic',
  /** Bucket policies deny non-TLS requests (S3_BUCKET_SSL_REQUESTS_ONLY). */
  S3_BUCKET_SSL_REQUESTS_ONLY = 's3-bucket-ssl-requests-only',
  /** Buckets have default encryption (S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED). */
  S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED = 's3-bucket-server-side-encryption-enabled',
  /** No security group allows SSH from 0.0.0.0/0 (INCOMING_SSH_DISABLED, "restricted-ssh"). */
  RESTRICTED_SSH = 'restricted-ssh',
  /** Default security groups allow no traffic (VPC_DEFAULT_SECURITY_GROUP_CLOSED). */
  VPC_DEFAULT_SECURITY_GROUP_CLOSED = 'vpc-default-security-group-closed',
  /** Every VPC has flow logs (VPC_FLOW_LOGS_ENABLED). */
  VPC_FLOW_LOGS_ENABLED = 'vpc-flow-logs-enabled',
  /** The root user has MFA (ROOT_ACCOUNT_MFA_ENABLED). */
  ROOT_ACCOUNT_MFA_ENABLED = 'root-account-mfa-enabled',
  /** The root user has no access keys (IAM_ROOT_ACCESS_KEY_CHECK). */
  IAM_ROOT_ACCESS_KEY_CHECK = 'iam-root-access-key-check',
  /** Console users have MFA (MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS). */
  MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS = 'mfa-enabled-for-iam-console-access',
  /** The account password policy meets the baseline (IAM_PASSWORD_POLICY). */
  IAM_PASSWORD_POLICY = 'iam-password-policy',
  /** Active access keys are rotated (ACCESS_KEYS_ROTATED). */
  ACCESS_KEYS_ROTATED = 'access-keys-rotated',
  /** IAM users get permissions through groups or roles only (IAM_USER_NO_POLICIES_CHECK). */
  IAM_USER_NO_POLICIES_CHECK = 'iam-user-no-policies-check',
  /** CloudTrail is on (CLOUD_TRAIL_ENABLED). */
  CLOUDTRAIL_ENABLED = 'cloudtrail-enabled',
  /** A multi-region trail exists (MULTI_REGION_CLOUD_TRAIL_ENABLED). */
  MULTI_REGION_CLOUDTRAIL_ENABLED = 'multi-region-cloudtrail-enabled',
  /** Trails validate log files (CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED). */
  CLOUDTRAIL_LOG_FILE_VALIDATION_ENABLED = 'cloud-trail-log-file-validation-enabled',
  /** Trails are KMS encrypted (CLOUD_TRAIL_ENCRYPTION_ENABLED). */
  CLOUDTRAIL_ENCRYPTION_ENABLED = 'cloud-trail-encryption-enabled',
  /** CloudFormation stacks have not drifted (CLOUDFORMATION_STACK_DRIFT_DETECTION_CHECK). */
  CLOUDFORMATION_STACK_DRIFT_DETECTION_CHECK = 'cloudformation-stack-drift-detection-check',
  /** No customer managed key is pending deletion (KMS_CMK_NOT_SCHEDULED_FOR_DELETION). */
  KMS_CMK_NOT_SCHEDULED_FOR_DELETION = 'kms-cmk-not-scheduled-for-deletion',
  /** GuardDuty is on (GUARDDUTY_ENABLED_CENTRALIZED). */
  GUARDDUTY_ENABLED_CENTRALIZED = 'guardduty-enabled-centralized',
  /** Security Hub is on (SECURITYHUB_ENABLED). */
  SECURITYHUB_ENABLED = 'securityhub-enabled',
  /** RDS storage is encrypted (RDS_STORAGE_ENCRYPTED). */
  RDS_STORAGE_ENCRYPTED = 'rds-storage-encrypted',
}

/** Properties of ComplianceRules. */
export interface ComplianceRulesProps {
  /**
   * The managed rules to deploy (at least one). A rule AWS Config does not offer in the stack's
   * region is an error (see the README, "Rules and regions").
   *
   * @default - every value of ManagedRule but `excludedRules`, except IAM_PASSWORD_POLICY when
   * `passwordPolicy` turns off expiry or reuse prevention, which that rule cannot check, except
   * IAM_USER_NO_POLICIES_CHECK when `recorder` does not record global resource types (the rule is
   * triggered by changes to IAM users, which only such a recorder records), and except
   * the rules AWS Config does not offer in the stack's region (left out with an info annotation; in a
   * stack whose region is unknown at synthesis, such a rule is deployed under a condition on
   * `AWS::Region`)
   */
  readonly rules?: ManagedRule[];

  /**
   * Rules to leave out of the default `rules`, e.g. the ones another construct already deploys.
   * Only without `rules`.
   *
   * @default - none
   */
  readonly excludedRules?: ManagedRule[];

  /**
   * The recorder the rules evaluate; rules are created after it. AWS Config rejects rules in a
   * region without a recorder (NoAvailableConfigurationRecorderException).
   *
   * @default - no dependency: a recorder must already exist in the account and region
   */
  readonly recorder?: ConfigRecorder;

  /**
   * Maximum age in days of an active access key (access-keys-rotated). An error when `rules` or
   * `excludedRules` leave that rule out.
   *
   * @default 90
   */
  readonly maxAccessKeyAgeDays?: number;

  /**
   * Minimum password length the iam-password-policy rule expects; keep it equal to the
   * AccountGuardrails password policy. Use either this or `passwordPolicy.minimumLength`. An error
   * when `rules` or `excludedRules` leave iam-password-policy out.
   *
   * @default - `passwordPolicy.minimumLength`, 14
   */
  readonly minimumPasswordLength?: number;

  /**
   * The account password policy the iam-password-policy rule checks, with the same fields and
   * defaults as the one AccountGuardrails applies: pass that one (SecurityBaseline does) and the
   * rule checks exactly what is applied. The rule has no parameter for a policy without expiry
   * (`maxAgeDays: 0`) or without reuse prevention (`reusePrevention: 0`): such a policy leaves the
   * rule out of the default `rules`, and listing it in `rules` is an error. An error when `rules` or
   * `excludedRules` leave iam-password-policy out (SecurityBaseline then passes none).
   *
   * @default - 14 characters, all character types, 90 days, 24 remembered
   */
  readonly passwordPolicy?: PasswordPolicyOptions;
}

/** A curated set of AWS Config managed rules, selectable by prop. */
export class ComplianceRules extends Construct {
  /**
   * The rules that report on IAM, which is global to an account: the root user, the password policy, users'
   * MFA, access keys and policies. AWS Config evaluates (and bills, and reports to Security Hub) a periodic rule
   * again in every region it is added to, and iam-user-no-policies-check evaluates only where the recorder
   * records IAM: deploy them in one region per account, the one whose recorder records global resource types
   * (leave them out elsewhere with `excludedRules`).
   */
  public static readonly ACCOUNT_IAM_RULES: ManagedRule[] = Object.values(ManagedRule).filter(isAccountIamRule);

  /**
   * The managed rules deployed, in the order given. In a stack whose region is unknown at synthesis,
   * some of them may be deployed only in the regions where AWS Config offers them.
   */
  public readonly selectedRules: ManagedRule[];
  private readonly byName = new Map<ManagedRule, config.IRule>();

  constructor(scope: Construct, id: string, props: ComplianceRulesProps = {}) {
    super(scope, id);
    const excluded = props.excludedRules ?? [];
    if (props.rules !== undefined && props.excludedRules !== undefined) {
      throw propError(this, 'rules/excludedRules', 'at most one of the two', 'both');
    }
    requireKnownDistinct(this, 'excludedRules', excluded, Object.values(ManagedRule), 'rule');
    // A rule's parameters would do nothing without the rule. Only a rule left out by `rules` or `excludedRules`
    // counts: one left out for the region or the recorder is not, since the same options serve every region.
    const deselected = (rule: ManagedRule) =>
      props.rules !== undefined ? !props.rules.includes(rule) : excluded.includes(rule);
    const deselectedBy = props.rules !== undefined ? 'rules' : 'excludedRules';
    if (deselected(ManagedRule.ACCESS_KEYS_ROTATED)) {
      requireUnsetWhenOff(
        this,
        'maxAccessKeyAgeDays',
        props.maxAccessKeyAgeDays,
        `${deselectedBy} leave out ${ManagedRule.ACCESS_KEYS_ROTATED}`,
      );
    }
    if (deselected(ManagedRule.IAM_PASSWORD_POLICY)) {
      for (const prop of ['minimumPasswordLength', 'passwordPolicy'] as const) {
        requireUnsetWhenOff(this, prop, props[prop], `${deselectedBy} leave out ${ManagedRule.IAM_PASSWORD_POLICY}`);
      }
    }
    const passwordPolicy = this.checkedPasswordPolicy(props);
    const uncheckable = uncheckableByPasswordRule(passwordPolicy);
    let selected =
      props.rules ??
      Object.values(ManagedRule).filter(
        (r) => !excluded.includes(r) && (r !== ManagedRule.IAM_PASSWORD_POLICY || uncheckable.length === 0),
      );
    if (props.rules === undefined && uncheckable.length > 0 && !excluded.includes(ManagedRule.IAM_PASSWORD_POLICY)) {
      Annotations.of(this).addInfo(
        `iam-password-policy rule left out: it cannot check a password policy with ${uncheckable
          .map((u) => `${u.setting} ${u.value}`)
          .join(' and ')}`,
      );
    }
    // iam-user-no-policies-check is triggered by changes to IAM users, which a recorder records only where it
    // records global resource types (one region per account): elsewhere the rule would never evaluate.
    const iamUnrecorded =
      props.recorder !== undefined &&
      !Token.isUnresolved(props.recorder.recordsGlobalResources) &&
      props.recorder.recordsGlobalResources === false;
    const iamUserRule = ManagedRule.IAM_USER_NO_POLICIES_CHECK;
    if (iamUnrecorded && props.rules === undefined && selected.includes(iamUserRule)) {
      selected = selected.filter((r) => r !== iamUserRule);
      Annotations.of(this).addInfo(
        `${iamUserRule} rule left out: the recorder does not record IAM users here (recordGlobalResources is false), ` +
          'so the rule would never evaluate; it belongs with the recorder that records them',
      );
    } else if (iamUnrecorded && selected.includes(iamUserRule)) {
      Annotations.of(this).addWarningV2(
        '@groundwork/security-baseline:iamUserRuleWithoutIamRecording',
        `${iamUserRule} never evaluates here: the recorder does not record IAM users (recordGlobalResources is false)`,
      );
    }
    if (selected.length === 0) {
      throw propError(this, 'rules', 'at least one ManagedRule (set enableComplianceRules: false instead)', selected);
    }
    requireKnownDistinct(this, 'rules', selected, Object.values(ManagedRule), 'rule');
    if (selected.includes(ManagedRule.IAM_PASSWORD_POLICY)) {
      requireCheckableByPasswordRule(
        this,
        'passwordPolicy',
        passwordPolicy,
        `while rules include ${ManagedRule.IAM_PASSWORD_POLICY}`,
        `leave ManagedRule.IAM_PASSWORD_POLICY out of rules for such a policy`,
      );
    }
    const maxAccessKeyAgeDays = props.maxAccessKeyAgeDays ?? 90;
    requireInteger(this, 'maxAccessKeyAgeDays', maxAccessKeyAgeDays, 1, 3650);

    // AWS Config rejects a managed rule in a region where it does not offer it, failing the stack.
    const region = resolvedRegion(this);
    if (region !== undefined) {
      const unavailable = selected.filter((r) => !ruleAvailableIn(r, region));
      if (unavailable.length > 0 && props.rules !== undefined) {
        throw propError(
          this,
          'rules',
          `rules AWS Config offers in ${region}; it does not offer ${unavailable
            .map((r) => `${r} (${RULE_AVAILABILITY[r].reason})`)
            .join(', ')}`,
          unavailable,
        );
      }
      if (unavailable.length > 0) {
        Annotations.of(this).addInfo(
          `left out in ${region}: ${unavailable.map((r) => `${r} (${RULE_AVAILABILITY[r].reason})`).join(', ')}`,
        );
        selected = selected.filter((r) => !unavailable.includes(r));
      }
    }

    for (const rule of selected) {
      const created = this.createRule(rule, maxAccessKeyAgeDays, passwordPolicy);
      if (props.recorder) {
        created.node.addDependency(props.recorder.recorder);
      }
      // One template for every region (a StackSet): the rule exists only where AWS Config offers it.
      const condition = region === undefined ? ruleAvailableCondition(this, rule) : undefined;
      if (condition) {
        deployOnlyWhere(created, condition);
      }
      this.byName.set(rule, created);
    }
    this.selectedRules = [...selected];
  }

  /** The Config rule deployed for a ManagedRule, or undefined when it was not selected. */
  public ruleFor(rule: ManagedRule): config.IRule | undefined {
    return this.byName.get(rule);
  }

  /** The policy from `passwordPolicy`, with `minimumPasswordLength` (the older prop) for its length. */
  private checkedPasswordPolicy(props: ComplianceRulesProps): ResolvedPasswordPolicy {
    const length = props.minimumPasswordLength;
    const policyLength = props.passwordPolicy?.minimumLength;
    if (length !== undefined && policyLength !== undefined) {
      throw propError(this, 'minimumPasswordLength/passwordPolicy.minimumLength', 'at most one of the two', [
        length,
        policyLength,
      ]);
    }
    if (length !== undefined) {
      requireInteger(this, 'minimumPasswordLength', length, 6, 128);
    }
    return resolvePasswordPolicy(this, 'passwordPolicy', {
      ...props.passwordPolicy,
      minimumLength: length ?? policyLength,
    });
  }

  private createRule(
    rule: ManagedRule,
    maxAccessKeyAgeDays: number,
    passwordPolicy: ResolvedPasswordPolicy,
  ): config.IRule {
    const id = rule
      .split('-')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('');
    const managed = (identifier: string, extra: Partial<config.ManagedRuleProps> = {}) =>
      new config.ManagedRule(this, id, { identifier, ...extra });
    const daily = { maximumExecutionFrequency: config.MaximumExecutionFrequency.TWENTY_FOUR_HOURS };
    const I = config.ManagedRuleIdentifiers;
    const R = config.ResourceType;
    switch (rule) {
      case ManagedRule.ENCRYPTED_VOLUMES:
        return managed(I.EBS_ENCRYPTED_VOLUMES, { ruleScope: config.RuleScope.fromResources([R.EBS_VOLUME]) });
      case ManagedRule.EBS_ENCRYPTION_BY_DEFAULT:
        return managed(I.EC2_EBS_ENCRYPTION_BY_DEFAULT, daily);
      case ManagedRule.S3_BUCKET_PUBLIC_READ_PROHIBITED:
        return managed(I.S3_BUCKET_PUBLIC_READ_PROHIBITED, {
          ruleScope: config.RuleScope.fromResources([R.S3_BUCKET]),
        });
      case ManagedRule.S3_BUCKET_PUBLIC_WRITE_PROHIBITED:
        return managed(I.S3_BUCKET_PUBLIC_WRITE_PROHIBITED, {
          ruleScope: config.RuleScope.fromResources([R.S3_BUCKET]),
        });
      case ManagedRule.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS:
        return managed(I.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC, daily);
      case ManagedRule.S3_BUCKET_SSL_REQUESTS_ONLY:
        return managed(I.S3_BUCKET_SSL_REQUESTS_ONLY, { ruleScope: config.RuleScope.fromResources([R.S3_BUCKET]) });
      case ManagedRule.S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED:
        return managed(I.S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED, {
          ruleScope: config.RuleScope.fromResources([R.S3_BUCKET]),
        });
      case ManagedRule.RESTRICTED_SSH:
        return managed(I.EC2_SECURITY_GROUPS_INCOMING_SSH_DISABLED, {
          ruleScope: config.RuleScope.fromResources([R.EC2_SECURITY_GROUP]),
        });
      case ManagedRule.VPC_DEFAULT_SECURITY_GROUP_CLOSED:
        return managed(I.VPC_DEFAULT_SECURITY_GROUP_CLOSED, {
          ruleScope: config.RuleScope.fromResources([R.EC2_SECURITY_GROUP]),
        });
      case ManagedRule.VPC_FLOW_LOGS_ENABLED:
        return managed(I.VPC_FLOW_LOGS_ENABLED, daily);
      case ManagedRule.ROOT_ACCOUNT_MFA_ENABLED:
        return managed(I.ROOT_ACCOUNT_MFA_ENABLED, daily);
      case ManagedRule.IAM_ROOT_ACCESS_KEY_CHECK:
        return managed(I.IAM_ROOT_ACCESS_KEY_CHECK, daily);
      case ManagedRule.MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS:
        return managed(I.MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS, daily);
      case ManagedRule.IAM_PASSWORD_POLICY:
        // Derived from the same policy the guardrails apply, so the rule checks exactly that policy.
        return managed(I.IAM_PASSWORD_POLICY, { ...daily, inputParameters: passwordRuleParameters(passwordPolicy) });
      case ManagedRule.ACCESS_KEYS_ROTATED:
        return new config.AccessKeysRotated(this, id, { maxAge: Duration.days(maxAccessKeyAgeDays) });
      case ManagedRule.IAM_USER_NO_POLICIES_CHECK:
        return managed(I.IAM_USER_NO_POLICIES_CHECK, { ruleScope: config.RuleScope.fromResources([R.IAM_USER]) });
      case ManagedRule.CLOUDTRAIL_ENABLED:
        return managed(I.CLOUD_TRAIL_ENABLED, daily);
      case ManagedRule.MULTI_REGION_CLOUDTRAIL_ENABLED:
        return managed(I.CLOUDTRAIL_MULTI_REGION_ENABLED, daily);
      case ManagedRule.CLOUDTRAIL_LOG_FILE_VALIDATION_ENABLED:
        return managed(I.CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED, daily);
      case ManagedRule.CLOUDTRAIL_ENCRYPTION_ENABLED:
        return managed(I.CLOUD_TRAIL_ENCRYPTION_ENABLED, daily);
      case ManagedRule.CLOUDFORMATION_STACK_DRIFT_DETECTION_CHECK:
        // The L2 creates the role the rule needs to call DetectStackDrift (it requires cloudformationRoleArn).
        const check = new config.CloudFormationStackDriftDetectionCheck(this, id, { ownStackOnly: false });
        acknowledge(
          check.node.findChild('Role'),
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/ReadOnlyAccess]',
          'Drift detection reads every resource type a stack can contain; the AWS Config rule documentation prescribes ReadOnlyAccess for this role.',
        );
        return check;
      case ManagedRule.KMS_CMK_NOT_SCHEDULED_FOR_DELETION:
        return managed(I.KMS_CMK_NOT_SCHEDULED_FOR_DELETION, {
          ruleScope: config.RuleScope.fromResources([R.KMS_KEY]),
        });
      case ManagedRule.GUARDDUTY_ENABLED_CENTRALIZED:
        return managed(I.GUARDDUTY_ENABLED_CENTRALIZED, daily);
      case ManagedRule.SECURITYHUB_ENABLED:
        return managed(I.SECURITYHUB_ENABLED, daily);
      case ManagedRule.RDS_STORAGE_ENCRYPTED:
        return managed(I.RDS_STORAGE_ENCRYPTED, { ruleScope: config.RuleScope.fromResources([R.RDS_DB_INSTANCE]) });
    }
  }
}
