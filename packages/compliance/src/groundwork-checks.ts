import { CfnResource, PolicyValidationPluginReport, Token } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { BucketEncryptionRequirement } from './bucket-encryption-requirement';
import { inValidationRun, withRenderedResource } from './private/cfn-template';
import { productionStackTerminationProtected } from './rules/data-safety/production-stack-termination-protected';
import { statefulResourceRetained } from './rules/data-safety/stateful-resource-retained';
import { dynamoDbTableEncrypted } from './rules/encryption/dynamodb-table-encrypted';
import { ebsEncrypted } from './rules/encryption/ebs-encrypted';
import { kmsKeyRotationEnabled } from './rules/encryption/kms-key-rotation-enabled';
import { logGroupEncrypted } from './rules/encryption/log-group-encrypted';
import { rdsStorageEncrypted } from './rules/encryption/rds-storage-encrypted';
import { s3BucketEncrypted } from './rules/encryption/s3-bucket-encrypted';
import { snsTopicEncrypted } from './rules/encryption/sns-topic-encrypted';
import { sqsQueueEncrypted } from './rules/encryption/sqs-queue-encrypted';
import { crossAccountTrustNarrowed } from './rules/iam/cross-account-trust-narrowed';
import { noAdministratorAccessPolicy } from './rules/iam/no-administrator-access-policy';
import { noIamFullAccess } from './rules/iam/no-iam-full-access';
import { noStarActionOnStarResource } from './rules/iam/no-star-action-on-star-resource';
import { resourcePolicyNotPublic } from './rules/iam/resource-policy-not-public';
import { roleHasPermissionsBoundary } from './rules/iam/role-has-permissions-boundary';
import { noAllPortsIngress } from './rules/network/no-all-ports-ingress';
import { publicIngressOnAllowedPorts } from './rules/network/public-ingress-on-allowed-ports';
import { requiredTagsPresent } from './rules/tagging/required-tags-present';

/**
 * Configuration of the Groundwork rule pack.
 */
export interface GroundworkChecksProps extends NagPackProps {
  /**
   * Name of the permissions boundary policy, or a fragment of its ARN, that every IAM role must
   * carry (Groundwork-IAM5). A boundary defined in the same stack is matched by its
   * `ManagedPolicyName`.
   *
   * @default - Groundwork-IAM5 is not run: no role is required to carry a boundary
   */
  readonly requiredPermissionsBoundary?: string;

  /**
   * TCP/UDP ports that may accept ingress from 0.0.0.0/0 or ::/0 (Groundwork-NET1).
   *
   * @default [] - no port may be open to the internet; a public endpoint states its port in config
   */
  readonly allowedPublicIngressPorts?: number[];

  /**
   * Which S3 default encryption Groundwork-ENC1 accepts. A value outside `BucketEncryptionRequirement`
   * (e.g. from JavaScript or a config file) throws.
   *
   * @default BucketEncryptionRequirement.KMS_OR_S3_MANAGED
   */
  readonly bucketEncryption?: BucketEncryptionRequirement;

  /**
   * Tag keys every taggable resource must carry with a non-empty value (Groundwork-TAG1).
   *
   * @default [] - Groundwork-TAG1 is not run
   */
  readonly requiredTags?: string[];

  /**
   * Treat every stack this pack checks as a production stack (Groundwork-DATA2 requires
   * termination protection on it). Register a pack with `production: true` only on scopes that hold
   * nothing but production: a pack walks the whole app it is added to.
   *
   * @default false
   */
  readonly production?: boolean;

  /**
   * Stacks that carry all of these tags (key and value) are production stacks for
   * Groundwork-DATA2, e.g. `{ 'groundwork:environment-tier': 'production' }`. Lets one pack on the
   * app tell production stacks from the others.
   *
   * @default - only `production` decides
   */
  readonly productionStackTags?: { [key: string]: string };
}

/** One Groundwork rule: its id suffix, its message and the check itself. */
interface GroundworkRule {
  readonly id: string;
  readonly info: string;
  readonly explanation: string;
  readonly rule: (node: CfnResource) => NagRuleResult;
}

/**
 * Groundwork's own cdk-nag rule pack: IAM, network, encryption, data safety and tagging checks.
 * Rule ids are `Groundwork-<Area><N>` (e.g. `Groundwork-IAM1`); every rule reports at error
 * level, so a registered pack fails synthesis on any unacknowledged finding. Unlike cdk-nag's
 * packs, `verbose` defaults to true: each message carries the rule's explanation and fix.
 *
 * @example
 * Validations.of(app).addPlugins(new GroundworkChecks(app, { requiredTags: ['groundwork:owner'] }));
 */
export class GroundworkChecks extends NagPack {
  /** The pack name, which prefixes every rule id. */
  public static readonly PACK_NAME = 'Groundwork';

  public readonly name = GroundworkChecks.PACK_NAME;
  private readonly rules: GroundworkRule[];

  constructor(scope?: IConstruct, props: GroundworkChecksProps = {}) {
    // Verbose by default: a gate that fails synthesis should say how to fix the finding.
    super(scope, { ...props, verbose: props.verbose ?? true });
    this.packName = GroundworkChecks.PACK_NAME;
    const where = scope ? `${scope.node.path || '<app>'}: ` : '';
    const ports = props.allowedPublicIngressPorts ?? [];
    for (const port of ports) {
      if (Token.isUnresolved(port) || !Number.isInteger(port) || port < 0 || port > 65535) {
        throw new Error(
          `${where}GroundworkChecks allowedPublicIngressPorts expects integers 0-65535, found ${JSON.stringify(port)}`,
        );
      }
    }
    // A value from JavaScript or config outside the enum must not fall through to the looser default.
    const encryptions = Object.values(BucketEncryptionRequirement) as string[];
    if (props.bucketEncryption !== undefined && !encryptions.includes(props.bucketEncryption)) {
      throw new Error(
        `${where}GroundworkChecks bucketEncryption expects one of ${encryptions.join(', ')}, found ${JSON.stringify(
          props.bucketEncryption,
        )}`,
      );
    }
    if (props.requiredPermissionsBoundary !== undefined && props.requiredPermissionsBoundary.trim() === '') {
      throw new Error(
        `${where}GroundworkChecks requiredPermissionsBoundary expects a policy name or ARN fragment, found an empty string`,
      );
    }
    const emptyTag = (props.requiredTags ?? []).find((t) => t.trim() === '');
    if (emptyTag !== undefined) {
      throw new Error(
        `${where}GroundworkChecks requiredTags expects non-empty tag keys, found ${JSON.stringify(emptyTag)}`,
      );
    }
    this.rules = groundworkRules(props);
  }

  /** The ids of the rules this configuration runs, e.g. `Groundwork-IAM1`. */
  public get enabledRuleIds(): string[] {
    return this.rules.map((r) => `${this.packName}-${r.id}`);
  }

  /**
   * Validates the tree under `scope` (what `validate` does for the CDK validation framework). Each call reads the
   * tree afresh: a resource changed since an earlier call is judged as it is now.
   */
  public override validateScope(scope: IConstruct): PolicyValidationPluginReport {
    return inValidationRun(() => super.validateScope(scope));
  }

  protected checkResource(node: CfnResource): void {
    withRenderedResource(node, () => {
      for (const rule of this.rules) {
        this.applyRule({
          ruleSuffixOverride: rule.id,
          info: rule.info,
          explanation: rule.explanation,
          level: NagMessageLevel.ERROR,
          rule: rule.rule,
          node,
        });
      }
    });
  }
}

function groundworkRules(props: GroundworkChecksProps): GroundworkRule[] {
  const rules: GroundworkRule[] = [
    {
      id: 'IAM1',
      info: 'The IAM policy allows every action ("*") on every resource ("*"), or all but a few (NotAction, NotResource).',
      explanation:
        'A statement with Action "*" and Resource "*" is administrator access, and so is an Allow with NotAction or NotResource on every resource: it grants everything it does not list. Fix: list the actions the workload calls and the ARNs it calls them on.',
      rule: noStarActionOnStarResource,
    },
    {
      id: 'IAM2',
      info: 'The IAM policy allows "iam:*" (or every IAM action through "*", another wildcard or NotAction), or the role, user or group attaches the AWS managed IAMFullAccess policy.',
      explanation:
        'iam:* lets the holder create users, roles and policies with any permission, so it is administrator access one step removed. "*" on IAM resources, an Allow with NotAction that does not exclude iam:*, and the AWS managed IAMFullAccess policy (iam:* on *) grant the same. Fix: grant the specific IAM actions needed, scoped to specific role or policy ARNs.',
      rule: noIamFullAccess,
    },
    {
      id: 'IAM3',
      info: 'The IAM role, user or group has the AWS managed AdministratorAccess policy attached.',
      explanation:
        'AdministratorAccess grants every action on every resource. Fix: attach a policy with the permissions the principal needs; break-glass administration belongs to IAM Identity Center, not to roles in a stack.',
      rule: noAdministratorAccessPolicy,
    },
    {
      id: 'IAM4',
      info: 'The IAM role trusts another AWS account (or any account), or a web identity provider, without naming specific principals or a principal condition.',
      explanation:
        'Trusting an account root or "*" lets every principal that account (or anyone) allows call sts:AssumeRole; trusting an OIDC provider without a subject condition lets every workload of its issuer (every GitHub repository) call sts:AssumeRoleWithWebIdentity, and trusting Google, Facebook or Login with Amazon without an app condition lets every user of every app of that provider. Fix: trust specific role ARNs, or add a condition on aws:PrincipalArn, aws:PrincipalOrgID, sts:ExternalId or aws:MultiFactorAuthPresent ("*" needs aws:PrincipalArn or aws:PrincipalOrgID); for an OIDC provider, a condition on <provider host>:sub (for GitHub, values that name one repository, repo:<owner>/<repository>:..., with no wildcard in the owner or repository; not repo:*, repo:<owner>/* or *:environment:prod); for Google, Facebook or Login with Amazon, on the app (accounts.google.com:aud, graph.facebook.com:app_id, www.amazon.com:app_id; not accounts.google.com:oaud alone); for Amazon Cognito, on cognito-identity.amazonaws.com:aud and cognito-identity.amazonaws.com:amr.',
      rule: crossAccountTrustNarrowed,
    },
    {
      id: 'IAM6',
      info: 'The resource-based policy allows everyone ("*" or NotPrincipal) without a condition on the account, organization, source or network of the caller.',
      explanation:
        'A bucket, S3 access point, topic, queue, key, secret, table, stream, domain, registry, repository, file system, log, backup vault or event bus policy, or a Lambda permission, Lambda layer permission or EventBridge bus permission, that admits "*" lets any AWS account, and for some services anonymous callers, use the resource; a Lambda permission for an AWS service without a source lets that service invoke the function for a resource in any account. Fix: name the principals, or add a condition on aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceVpce or another key that ties the request to a known caller (a Lambda permission: sourceAccount, sourceArn or principalOrgId, for a service principal sourceAccount or sourceArn, for Amazon S3 sourceAccount, since a bucket ARN holds no account; a layer permission: organizationId; a bus permission in its older form: the aws:PrincipalOrgID condition), with fixed values: no wildcard or policy variable in an id, and an ARN without wildcards or with a fixed account (arn:aws:s3:::* or arn:aws:sns:*:*:topic fix nothing).',
      rule: resourcePolicyNotPublic,
    },
    {
      id: 'NET1',
      info: 'The security group allows ingress from 0.0.0.0/0 or ::/0 on a port that is not in allowedPublicIngressPorts.',
      explanation: `Internet-facing ports are the attack surface of the account. Allowed public ports: ${JSON.stringify(
        props.allowedPublicIngressPorts ?? [],
      )}. Fix: restrict the source to known CIDRs, a prefix list or a security group, or add the port to the allowed public ports in config.`,
      rule: publicIngressOnAllowedPorts(props.allowedPublicIngressPorts ?? []),
    },
    {
      id: 'NET2',
      info: 'The security group has an ingress rule that opens every port (IpProtocol -1, a protocol number other than tcp/udp/icmp/icmpv6, whose port range EC2 ignores, or port range 0/1-65535).',
      explanation:
        'An all-ports rule exposes every service the target runs, including ones added later. Fix: open only the ports the service listens on.',
      rule: noAllPortsIngress,
    },
    {
      id: 'ENC1',
      info: `The S3 bucket does not state default encryption with ${
        props.bucketEncryption === BucketEncryptionRequirement.KMS ? 'SSE-KMS' : 'SSE-KMS or SSE-S3'
      }.`,
      explanation:
        'S3 encrypts new objects with SSE-S3 by default, but the template must state the encryption so that it is reviewed and a change is visible in a diff. Fix: set encryption (BucketEncryption.KMS, or S3_MANAGED where allowed) on the bucket.',
      rule: s3BucketEncrypted(props.bucketEncryption ?? BucketEncryptionRequirement.KMS_OR_S3_MANAGED),
    },
    {
      id: 'ENC2',
      info: 'The SNS topic is not encrypted with a KMS key (KmsMasterKeyId) in every case: it is absent, AWS::NoValue, or an Fn::If branch without a key.',
      explanation:
        'Messages at rest in SNS are only encrypted when the topic has a KMS key; a key that a condition replaces with AWS::NoValue leaves the topic unencrypted in that deployment. Fix: set masterKey on the topic, in every branch of a condition.',
      rule: snsTopicEncrypted,
    },
    {
      id: 'ENC3',
      info: 'The SQS queue does not state encryption in every deployment (a KmsMasterKeyId that is set, or SqsManagedSseEnabled: true, under each assignment of the template conditions).',
      explanation:
        'Queues hold messages at rest; the template must state SQS-managed or KMS encryption, and a key that a condition replaces with AWS::NoValue does not count. Fix: set encryption to QueueEncryption.SQS_MANAGED or KMS, in every branch of a condition.',
      rule: sqsQueueEncrypted,
    },
    {
      id: 'ENC4',
      info: 'The CloudWatch Logs log group is not encrypted with a KMS key (KmsKeyId) in every case: it is absent, AWS::NoValue, or an Fn::If branch without a key.',
      explanation:
        'Logs often carry request data and identifiers; a customer managed key lets access be audited and revoked, and a key that a condition replaces with AWS::NoValue leaves the log group unencrypted in that deployment. Fix: set encryptionKey on the log group, in every branch of a condition (the key policy must allow logs.<region>.amazonaws.com).',
      rule: logGroupEncrypted,
    },
    {
      id: 'ENC5',
      info: 'An EBS volume or EBS block device mapping is not encrypted.',
      explanation:
        'Unencrypted volumes and their snapshots expose data to anyone who can copy or share them. Fix: set encrypted: true on the volume or on every EBS block device.',
      rule: ebsEncrypted,
    },
    {
      id: 'ENC6',
      info: 'The RDS instance or cluster does not have StorageEncrypted enabled.',
      explanation:
        'RDS encryption can only be chosen at creation; an unencrypted database must be copied to be fixed. Fix: set storageEncrypted: true (and a storageEncryptionKey).',
      rule: rdsStorageEncrypted,
    },
    {
      id: 'ENC7',
      info: 'The DynamoDB table does not use KMS encryption (SSESpecification.SSEEnabled).',
      explanation:
        'With the AWS owned key, key use is not visible in CloudTrail and access cannot be revoked through a key policy. Fix: set encryption to TableEncryption.AWS_MANAGED or CUSTOMER_MANAGED.',
      rule: dynamoDbTableEncrypted,
    },
    {
      id: 'ENC8',
      info: 'The symmetric KMS key does not have automatic rotation enabled.',
      explanation:
        'Automatic rotation limits how much data one key version protects. Fix: set enableKeyRotation: true on the key.',
      rule: kmsKeyRotationEnabled,
    },
    {
      id: 'DATA1',
      info: 'The stateful resource does not have DeletionPolicy and UpdateReplacePolicy Retain.',
      explanation:
        'Removing a stateful resource (a bucket, key, log group, table, database, file system, volume, stream, search domain, user pool, backup vault...) from the template, or an update that replaces it, would otherwise delete its data. Fix: removalPolicy: RemovalPolicy.RETAIN.',
      rule: statefulResourceRetained,
    },
    {
      id: 'DATA2',
      info: 'The production stack does not have termination protection (reported on its first resource).',
      explanation:
        'Termination protection stops a mistaken stack deletion from deleting production. Fix: terminationProtection: true on the stack.',
      rule: productionStackTerminationProtected({
        allStacks: props.production ?? false,
        stackTags: props.productionStackTags,
      }),
    },
  ];
  if (props.requiredPermissionsBoundary !== undefined) {
    rules.push({
      id: 'IAM5',
      info: `The IAM role does not carry the required permissions boundary (${props.requiredPermissionsBoundary}).`,
      explanation:
        'The boundary caps what any role Groundwork creates in a target account can do, whatever policies are attached later. Fix: PermissionsBoundary.of(scope).apply(boundary) or the permissionsBoundary prop of the role.',
      rule: roleHasPermissionsBoundary(props.requiredPermissionsBoundary),
    });
  }
  if ((props.requiredTags ?? []).length > 0) {
    rules.push({
      id: 'TAG1',
      info: `The resource is missing a required tag (required: ${(props.requiredTags ?? []).join(', ')}).`,
      explanation:
        'Tags identify the owner, environment and cost centre of every resource. Fix: Tags.of(scope).add(key, value) on the stage or stack.',
      rule: requiredTagsPresent(props.requiredTags ?? []),
    });
  }
  return rules;
}
