import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  App,
  ArnFormat,
  Aws,
  CfnElement,
  CfnOutput,
  CfnParameter,
  CfnRule,
  DefaultStackSynthesizer,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Tags,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { BootstrapContract, BootstrapRoleKind } from './bootstrap-contract';
import { DeploymentBoundary } from './deployment-boundary';
import {
  BOUNDED_IAM_ACTIONS,
  CLOUDFORMATION_ACCOUNT_READ_ACTIONS,
  CLOUDFORMATION_STACK_READ_ACTIONS,
  DEPLOY_CLOUDFORMATION_ACTIONS,
  IMAGE_PUBLISHING_ACTIONS,
  KMS_DATA_ACTIONS,
  KMS_DECRYPT_ACTIONS,
  LOOKUP_ACTIONS,
  LOOKUP_STACK_READ_ACTIONS,
  ROLE_WRITE_ACTIONS_REQUIRING_BOUNDARY,
  STAGING_READ_ACTIONS,
  STAGING_WRITE_ACTIONS,
} from './iam-actions';
import { acknowledge, acknowledgeWildcards } from './nag-acknowledgements';
import {
  BUCKET_ARN_MAX_LENGTH,
  KEY_ARN_MAX_LENGTH,
  ROLE_ARN_MAX_LENGTH,
  validateManagedPolicySize,
} from './private/policy-size';
import { requireSomeTrust, roleNamePatternArns, trustedRolePrincipal } from './trusted-principals';
import {
  CONNECTION_SERVICE_PREFIXES,
  validateAccountId,
  validateConnectionArns,
  validateParameterNames,
  validateQualifier,
  validateRegions,
  validateRoleArns,
  validateRoleNamePatterns,
  validateRoleNames,
  validateServices,
  validateStackNamePatterns,
  validateToolkitStackName,
  validateTransforms,
} from './validation';

/**
 * Properties of a DeploymentTrust.
 */
export interface DeploymentTrustProps {
  /**
   * The bootstrap qualifier; must equal the `qualifier` of the apps' DefaultStackSynthesizer.
   *
   * @default 'hnb659fds'
   */
  readonly qualifier?: string;

  /** The 12-digit id of the account that runs the pipeline. */
  readonly pipelineAccountId: string;

  /**
   * The 12-digit id of the account being bootstrapped, used to check that it is not the pipeline account.
   *
   * @default - the stack's account (the check is skipped for environment-agnostic stacks)
   */
  readonly targetAccountId?: string;

  /**
   * Exact ARNs of pipeline-account roles that may assume the deploy, publishing and lookup roles.
   * IAM rejects a trust policy that names a role which does not exist yet: create the pipeline roles first,
   * or use `trustedRoleNamePatterns`.
   *
   * @default [] - at least one of trustedPrincipalArns and trustedRoleNamePatterns must be given
   */
  readonly trustedPrincipalArns?: string[];

  /**
   * Role names (IAM wildcards allowed after at least 3 literal characters) in the pipeline account that may
   * assume the bootstrap roles. Trusts the pipeline account only with an `ArnLike aws:PrincipalArn` condition
   * on `arn:<partition>:iam::<pipelineAccountId>:role/<pattern>`.
   *
   * @default [] - at least one of trustedPrincipalArns and trustedRoleNamePatterns must be given
   */
  readonly trustedRoleNamePatterns?: string[];

  /**
   * IAM service prefixes the CloudFormation execution role may manage in this environment, e.g.
   * `['ec2', 'logs', 's3', 'kms', 'ssm', 'iam']` (see `ServiceAllowList` to derive it from a cloud assembly).
   * Each becomes `<svc>:*`, except 'iam' which becomes bounded role management (never `iam:*`).
   */
  readonly allowedServices: string[];

  /**
   * Service prefixes that roles created by the deployment may call at run time, allowed by the boundary
   * but not granted to the execution role.
   *
   * @default []
   */
  readonly runtimeServices?: string[];

  /**
   * Names of roles that nothing under the boundary may modify, pass or delete: exact IAM role names
   * (1-64 letters, digits and `+=,.@_-`), no wildcards, paths or ARNs.
   *
   * @default DeploymentBoundary.DEFAULT_PROTECTED_ROLE_NAMES
   */
  readonly protectedRoleNames?: string[];

  /**
   * Name prefixes of the break-glass alerts that nothing under the boundary may switch off (see
   * `DeploymentBoundaryProps.protectedAlertNamePrefixes`). `[]` for an account without a break-glass role,
   * such as the pipeline's own, where the boundary's characters are needed for its allow list.
   *
   * @default DeploymentBoundary.DEFAULT_PROTECTED_ALERT_NAME_PREFIXES
   */
  readonly protectedAlertNamePrefixes?: string[];

  /**
   * Names of the stacks the deploy role may create, update, delete and change (CloudFormation stack names;
   * IAM wildcards allowed after at least 3 literal characters), e.g. `['acme-dev-network', 'acme-dev-security']`.
   * Stacks with other names in the account, deployed by an administrator or another pipeline, are out
   * of the pipeline's reach. The bootstrap stack is always denied.
   *
   * @default ['*'] - every stack of the account and region but the bootstrap stack
   */
  readonly deployableStackNames?: string[];

  /**
   * Regions in which the deploy role may change the stacks of `deployableStackNames`: region names such as
   * 'us-east-1', or '*' for every region.
   *
   * A stack's ARN includes its region, and a stack in another region can be deployed with this bootstrap's
   * roles: a pipeline stack's cross-region support stacks (CodePipeline's artifact buckets, one per region it
   * deploys to) go out with the deploy and execution roles of the pipeline's region. List the bootstrap's own
   * region too if its stacks are to be deployed there. The bootstrap stack is denied in every region.
   *
   * @default - the bootstrap stack's own region only
   */
  readonly deployableStackRegions?: string[];

  /**
   * ARNs of the repository connections that the execution role may pass to CodePipeline.
   *
   * A stack that creates or updates a pipeline whose source action uses a connection (created outside the
   * stack) needs it: `arn:<partition>:codeconnections:<region>:<account>:connection/<id>`, or the older
   * `codestar-connections` service name, exact. The execution role gets `PassConnection` under both service
   * names, on exactly these ARNs and only for `codepipeline.amazonaws.com`; the boundary must allow both,
   * so list 'codeconnections' and 'codestar-connections' in `runtimeServices` (or `allowedServices`).
   *
   * @default [] - the execution role may pass no connection
   */
  readonly passableConnectionArns?: string[];

  /**
   * Name of the bootstrap stack; the deploy role may not change it, so the pipeline cannot widen its own trust.
   *
   * A pattern (IAM wildcards after at least 3 literal characters) names a bootstrap stack whose full name is
   * not known in advance: a StackSet instance is named `StackSet-<stack set name>-<id>`, so
   * `'StackSet-acme-deployment-trust-*'` protects the instances of that StackSet. `'*'` alone is refused: it
   * would deny every stack.
   *
   * @default 'CDKToolkit'
   */
  readonly toolkitStackName?: string;

  /**
   * Names of the SSM parameters that the deployed templates declare as parameter types
   * (`AWS::SSM::Parameter::Value<...>`, e.g. from `ssm.StringParameter.valueForStringParameter` or
   * `WorkloadVpc.fromEnvironment`): CloudFormation reads them with the deploy role's credentials when it
   * creates a change set, and fails with AccessDenied otherwise. Full names starting with '/', IAM wildcards
   * allowed, e.g. `['/groundwork/dev/network/*']`. Read access only (`ssm:GetParameter`, `ssm:GetParameters`),
   * in the bootstrap stack's account and region.
   *
   * @default [] - the bootstrap version parameter only
   */
  readonly resolvableParameterNames?: string[];

  /**
   * Template transforms that the deployed templates declare: only `'AWS::Serverless-2016-10-31'`, the AWS SAM
   * transform (`"Transform": "AWS::Serverless-2016-10-31"`, which the `aws_sam` constructs of aws-cdk-lib add).
   *
   * The caller of CreateChangeSet on a template with a transform needs `cloudformation:CreateChangeSet` on the
   * transform too, and fails with AccessDenied otherwise. Here that caller is the deploy role (CodePipeline's
   * CloudFormation actions and `cdk deploy` use it); it gets CreateChangeSet, no other action, on
   * `arn:<partition>:cloudformation:<region>:aws:transform/Serverless-2016-10-31` (the ARN the CloudFormation
   * User Guide documents; its account is the literal `aws`) in each of `deployableStackRegions`. Any other
   * value is refused: AWS documents no IAM resource ARN for other transforms.
   *
   * @default [] - none: a template with the SAM transform fails at CreateChangeSet with AccessDenied
   */
  readonly allowedTransforms?: string[];

  /**
   * Days after which noncurrent versions of staged assets expire: a whole number, at least 1.
   *
   * @default 30
   */
  readonly noncurrentAssetRetentionDays?: number;
}

/**
 * A least-privilege replacement for `cdk bootstrap` in a target account, compatible with the
 * DefaultStackSynthesizer contract (role names, staging bucket, ECR repository, version parameter).
 *
 * Unlike the CLI's template, no role trusts a whole account unconditionally, the execution role holds a
 * declared service allow list instead of AdministratorAccess, and every role carries a boundary that denies
 * privilege escalation.
 */
export class DeploymentTrust extends Construct {
  /**
   * Render a standalone bootstrap template (JSON text) that `cdk bootstrap --template FILE` accepts.
   *
   * The template declares every parameter the CLI passes. Those that would widen the trust
   * (TrustedAccounts, CloudFormationExecutionPolicies, a custom boundary, bucket, key or repository) are
   * refused by CloudFormation rules or allowed values rather than silently ignored.
   */
  public static renderBootstrapTemplate(props: DeploymentTrustProps): string {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-bootstrap-'));
    try {
      const app = new App({
        outdir,
        analyticsReporting: false,
        context: { 'aws:cdk:enable-path-metadata': false, 'aws:cdk:version-reporting': false },
      });
      const stack = new Stack(app, 'GroundworkBootstrap', {
        // The bootstrap template cannot depend on a bootstrap: no version rule, no assets.
        synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
        analyticsReporting: false,
        description: 'Groundwork least-privilege deployment trust (CDK bootstrap contract compatible)',
      });
      const qualifier = props.qualifier ?? BootstrapContract.DEFAULT_QUALIFIER;
      // The construct receives the qualifier as a parameter token, so check the literal value here.
      validateQualifier(stack.node.path, qualifier);
      validateAccountId(stack.node.path, 'pipelineAccountId', props.pipelineAccountId);
      const qualifierParameter = declareCliParameters(stack, qualifier, props.pipelineAccountId);
      Validations.of(stack).acknowledge({
        id: 'CloudFormation-Validate::W2001',
        reason:
          '`cdk bootstrap --template` passes every parameter of the CLI bootstrap contract (FileAssetsBucketName, ' +
          'BootstrapVariant, ...); this template declares them so the CLI call succeeds, but needs only some of them.',
      });
      new DeploymentTrust(stack, 'DeploymentTrust', { ...props, qualifier: qualifierParameter.valueAsString });
      const assembly = app.synth();
      return JSON.stringify(assembly.getStackByName(stack.stackName).template, undefined, 2) + '\n';
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }

  /** The boundary every role created here, and by the execution role, carries. */
  public readonly boundary: DeploymentBoundary;
  /**
   * The file asset staging bucket `cdk-<qualifier>-assets-<account>-<region>`: retained on stack deletion and
   * replacement, deleted when the stack operation that created it rolls back (DeletionPolicy RetainExceptOnCreate).
   */
  public readonly stagingBucket: s3.Bucket;
  /** The bucket that receives the staging bucket's server access logs. */
  public readonly accessLogsBucket: s3.Bucket;
  /** The customer managed key of the staging bucket. */
  public readonly stagingKey: kms.Key;
  /**
   * The container asset repository `cdk-<qualifier>-container-assets-<account>-<region>`: retained on stack
   * deletion and replacement, deleted when the stack operation that created it rolls back (DeletionPolicy
   * RetainExceptOnCreate).
   */
  public readonly containerAssetsRepository: ecr.Repository;
  /** `cdk-<qualifier>-deploy-role-<account>-<region>`. */
  public readonly deployRole: iam.Role;
  /** `cdk-<qualifier>-file-publishing-role-<account>-<region>`. */
  public readonly filePublishingRole: iam.Role;
  /** `cdk-<qualifier>-image-publishing-role-<account>-<region>`. */
  public readonly imagePublishingRole: iam.Role;
  /** `cdk-<qualifier>-lookup-role-<account>-<region>`. */
  public readonly lookupRole: iam.Role;
  /** `cdk-<qualifier>-cfn-exec-role-<account>-<region>`. */
  public readonly cloudFormationExecutionRole: iam.Role;
  /** The managed policy holding the execution role's service allow list. */
  public readonly executionPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: DeploymentTrustProps) {
    super(scope, id);
    const p = this.node.path;
    const stack = Stack.of(this);
    const qualifier = props.qualifier ?? BootstrapContract.DEFAULT_QUALIFIER;
    validateQualifier(p, qualifier);
    validateAccountId(p, 'pipelineAccountId', props.pipelineAccountId);
    if (Token.isUnresolved(props.pipelineAccountId)) {
      throw new Error(`${p}: pipelineAccountId must be a literal 12-digit account id, found a token`);
    }
    const targetAccountId = props.targetAccountId ?? stack.account;
    validateAccountId(p, 'targetAccountId', props.targetAccountId);
    if (!Token.isUnresolved(targetAccountId) && targetAccountId === props.pipelineAccountId) {
      throw new Error(
        `${p}: pipelineAccountId must differ from the target account ${targetAccountId}: the pipeline account deploys into other accounts, it is not bootstrapped with cross-account trust to itself`,
      );
    }
    const trustedArns = props.trustedPrincipalArns ?? [];
    const trustedPatterns = props.trustedRoleNamePatterns ?? [];
    requireSomeTrust(p, trustedArns, trustedPatterns);
    validateRoleArns(p, 'trustedPrincipalArns', trustedArns, {
      id: props.pipelineAccountId,
      label: 'pipeline account',
      prop: 'pipelineAccountId',
    });
    validateRoleNamePatterns(p, 'trustedRoleNamePatterns', trustedPatterns);
    validateServices(p, 'allowedServices', props.allowedServices, false);
    const deployableStackNames = props.deployableStackNames ?? ['*'];
    validateStackNamePatterns(p, 'deployableStackNames', deployableStackNames);
    const deployableStackRegions = props.deployableStackRegions ?? [stack.region];
    validateRegions(p, 'deployableStackRegions', deployableStackRegions);
    const connectionArns = props.passableConnectionArns ?? [];
    validateConnectionArns(p, connectionArns, [...props.allowedServices, ...(props.runtimeServices ?? [])]);
    // A '*' here would deny every role write to the execution role; the boundary treats each entry as a name.
    validateRoleNames(p, 'protectedRoleNames', props.protectedRoleNames ?? []);
    const noncurrentRetentionDays = props.noncurrentAssetRetentionDays ?? 30;
    // S3 lifecycle NoncurrentVersionExpiration.NoncurrentDays must be a positive integer.
    if (
      !Token.isUnresolved(noncurrentRetentionDays) &&
      (!Number.isInteger(noncurrentRetentionDays) || noncurrentRetentionDays < 1)
    ) {
      throw new Error(
        `${p}: noncurrentAssetRetentionDays must be a whole number of days, at least 1 (S3 NoncurrentDays), found ${noncurrentRetentionDays}`,
      );
    }
    const toolkitStackName = props.toolkitStackName ?? BootstrapContract.DEFAULT_TOOLKIT_STACK_NAME;
    validateToolkitStackName(p, toolkitStackName);
    const resolvableParameterNames = props.resolvableParameterNames ?? [];
    validateParameterNames(p, 'resolvableParameterNames', resolvableParameterNames);
    const allowedTransforms = props.allowedTransforms ?? [];
    validateTransforms(p, 'allowedTransforms', allowedTransforms);

    const account = Aws.ACCOUNT_ID;
    const region = Aws.REGION;
    const roleName = (kind: BootstrapRoleKind) => BootstrapContract.roleName(kind, qualifier, account, region);

    this.boundary = new DeploymentBoundary(this, 'Boundary', {
      qualifier,
      allowedServices: props.allowedServices,
      runtimeServices: props.runtimeServices,
      protectedRoleNames: props.protectedRoleNames,
      protectedAlertNamePrefixes: props.protectedAlertNamePrefixes,
      // The pipeline's roles, which the environment's roles may need to assume (a drift detector restarts
      // the pipeline through its reconcile role); each decides in its own trust policy whom it trusts.
      assumableRoleArns: [...trustedArns, ...roleNamePatternArns(props.pipelineAccountId, trustedPatterns)],
    });

    // --- Staging storage -------------------------------------------------------------------------------
    this.stagingKey = new kms.Key(this, 'StagingKey', {
      description: `Encrypts CDK file assets staged for qualifier ${qualifier}`,
      enableKeyRotation: true,
      alias: `alias/cdk-${qualifier}-assets-key`,
      // Retain, also when the first creation rolls back: the key has no fixed name, so a retried create does not
      // collide with it, and whatever it encrypted stays readable. The alias (fixed name) is deleted with the
      // stack, rollback included (no DeletionPolicy), so a retry can create it again.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogsBucket', {
      // S3 server access log delivery supports only SSE-S3 on the target bucket (S3 user guide, "Enabling
      // Amazon S3 server access logging"), hence no KMS key here.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      // Retain, also when the first creation rolls back: the bucket has a generated name, so a retried create
      // does not collide with it; and log delivery may already have written to it, which would make a
      // deletion fail (BucketNotEmpty) and leave the stack ROLLBACK_FAILED.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'ExpireOldLogs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) },
      ],
    });
    this.stagingBucket = new s3.Bucket(this, 'StagingBucket', {
      bucketName: BootstrapContract.stagingBucketName(qualifier, account, region),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.stagingKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      // DeletionPolicy RetainExceptOnCreate, UpdateReplacePolicy Retain: kept on stack deletion and replacement
      // like Retain, but deleted when the stack operation that created it rolls back. See the DeletionPolicy
      // attribute, option RetainExceptOnCreate
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html)
      // and AWS What's New of 2023-07-31
      // (https://aws.amazon.com/about-aws/whats-new/2023/07/aws-cloudformation-deletion-policies-dev-test-cycle/).
      // With Retain, a failed first bootstrap left this fixed-name bucket behind and every retry failed with
      // "already exists". The bucket is empty then: nothing publishes to it before the stack is complete.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      lifecycleRules: [
        {
          id: 'CleanupOldVersions',
          noncurrentVersionExpiration: Duration.days(noncurrentRetentionDays),
        },
        { id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    // Server access logging wired by hand (bucket policy for the logging service, not the legacy
    // LogDeliveryWrite ACL) so that the result does not depend on the app's
    // @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy feature flag.
    (this.stagingBucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = {
      destinationBucketName: this.accessLogsBucket.bucketName,
      logFilePrefix: 'staging/',
    };
    this.accessLogsBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'S3ServerAccessLogsPolicy',
        principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.accessLogsBucket.arnForObjects('staging/*')],
        conditions: {
          ArnLike: { 'aws:SourceArn': this.stagingBucket.bucketArn },
          StringEquals: { 'aws:SourceAccount': account },
        },
      }),
    );

    acknowledge(
      this.stagingBucket,
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'Staged assets are build outputs re-published from git by the pipeline on every run; replication would add cost without recovery value',
    );
    acknowledge(
      this.accessLogsBucket,
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'Access logs of the staging bucket; account-wide data events are kept by the organization trail in the log archive account',
    );
    acknowledge(
      this.accessLogsBucket,
      'NIST.800.53.R5-S3DefaultEncryptionKMS',
      'S3 server access log delivery supports only SSE-S3 on the destination bucket',
    );

    this.containerAssetsRepository = new ecr.Repository(this, 'ContainerAssetsRepository', {
      repositoryName: BootstrapContract.containerAssetsRepositoryName(qualifier, account, region),
      imageScanOnPush: true,
      // Asset images are tagged with their content hash, so a tag never needs to move.
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      encryption: ecr.RepositoryEncryption.KMS,
      // Fixed name, like the staging bucket: RetainExceptOnCreate so that a rolled-back first creation deletes
      // the (empty) repository instead of blocking every retry with "already exists"; Retain otherwise.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      lifecycleRules: [
        {
          description: 'Untagged images should not exist; expire them',
          tagStatus: ecr.TagStatus.UNTAGGED,
          maxImageAge: Duration.days(365),
        },
      ],
    });
    // Lambda pulls container images with its service principal, not with the function's role.
    this.containerAssetsRepository.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'LambdaECRImageRetrievalPolicy',
        principals: [new iam.ServicePrincipal('lambda.amazonaws.com')],
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        conditions: {
          StringLike: {
            // Function ARNs separate the name with a colon: arn:<partition>:lambda:<region>:<account>:function:<name>.
            'aws:sourceArn': stack.formatArn({
              service: 'lambda',
              resource: 'function',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    // --- Trust ---------------------------------------------------------------------------------------------
    const pipelinePrincipals = () => trustedRolePrincipal(props.pipelineAccountId, trustedArns, trustedPatterns);

    const reasons: { [kind: string]: string } = {
      [BootstrapRoleKind.DEPLOY]:
        "Deploy role: stack reads and writes only on the deployableStackNames of this account in the declared regions (stack/<name>/*), and DescribeStacks of the bootstrap stack; '*' only for the calls without a resource type (cloudformation:ListStacks, ValidateTemplate, DescribeStackDriftDetectionStatus, sts:GetCallerIdentity) and for pipeline artifacts, in buckets of the pipeline account only (s3:ResourceAccount) with its keys via S3; DescribeEvents on this account's change sets in those regions (a change set ARN names no stack); CreateChangeSet on the AWS SAM transform in those regions if allowedTransforms lists it",
      [BootstrapRoleKind.FILE_PUBLISHING]:
        'File publishing role: object-level wildcards only on the staging bucket and its dedicated key, as the CDK asset publisher needs',
      [BootstrapRoleKind.IMAGE_PUBLISHING]:
        'Image publishing role: ecr:GetAuthorizationToken has no resource-level permissions; pushes are limited to the asset repository',
      [BootstrapRoleKind.LOOKUP]:
        "Lookup role: the CDK context providers call Describe/List APIs that have no resource-level permissions; kms:Decrypt is explicitly denied; cdk diff reads the deployed templates of the deployable stack names only, in any region (stack/<name>/*, a stack's ARN ends in its id)",
    };
    // What makes each policy larger, for the size validation's message: the deploy and lookup roles' grow with props.
    const policyRemedies: { [kind: string]: string } = {
      [BootstrapRoleKind.DEPLOY]:
        `it names each deployable stack in each region (deployableStackRegions: ${deployableStackRegions.length} x ` +
        `deployableStackNames: ${deployableStackNames.length}), and each of resolvableParameterNames ` +
        `(${resolvableParameterNames.length}), and the SAM transform in each region if allowedTransforms lists it ` +
        `(${allowedTransforms.length}): list fewer regions or stack name patterns (a shared prefix ` +
        'pattern such as "orders-*" covers several stacks), or fewer parameters',
      [BootstrapRoleKind.LOOKUP]: `it names each deployable stack for cdk diff (deployableStackNames: ${deployableStackNames.length}): list fewer stack name patterns`,
    };

    const bootstrapRole = (
      roleId: string,
      kind: BootstrapRoleKind,
      tag: string,
      assumedBy: iam.IPrincipal,
      statements: iam.PolicyStatement[],
    ): iam.Role => {
      const role = new iam.Role(this, roleId, {
        roleName: roleName(kind),
        assumedBy,
        permissionsBoundary: this.boundary.policy,
        maxSessionDuration: Duration.hours(1),
      });
      // Customer managed rather than inline: NIST 800-53 AC-6 checks flag inline policies.
      // Under a path the boundary protects: otherwise any role under the boundary allowed iam:CreatePolicyVersion
      // could rewrite the deploy role's policy and act with the deploy role's exemptions.
      const policy = new iam.ManagedPolicy(this, `${roleId}Policy`, {
        path: BootstrapContract.ROLE_POLICY_PATH,
        roles: [role],
        statements,
      });
      // IAM refuses a larger one when the bootstrap is deployed: say so at synth.
      validateManagedPolicySize(
        policy,
        `the ${kind}'s policy`,
        () => policyRemedies[kind] ?? 'its statements do not depend on the props',
        [
          [this.cloudFormationExecutionRole.node.defaultChild as CfnElement, ROLE_ARN_MAX_LENGTH],
          [this.stagingBucket.node.defaultChild as CfnElement, BUCKET_ARN_MAX_LENGTH],
          [this.stagingKey.node.defaultChild as CfnElement, KEY_ARN_MAX_LENGTH],
        ],
      );
      acknowledgeWildcards(policy, reasons[kind]);
      // The CLI template tags its roles this way; tools that look for bootstrap roles read the tag.
      Tags.of(role).add('aws-cdk:bootstrap-role', tag);
      return role;
    };

    const stagingObjects = [this.stagingBucket.bucketArn, this.stagingBucket.arnForObjects('*')];
    const versionParameterArn = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `cdk-bootstrap/${qualifier}/version`,
    });

    this.executionPolicy = new iam.ManagedPolicy(this, 'ExecutionPolicy', {
      managedPolicyName: BootstrapContract.executionPolicyName(qualifier, region),
      description: 'Groundwork CloudFormation execution: the environment service allow list',
      statements: executionStatements(
        props.allowedServices,
        this.boundary.policyArn,
        stack,
        stagingObjects,
        this.stagingKey.keyArn,
        connectionArns,
      ),
    });
    validateManagedPolicySize(
      this.executionPolicy,
      'the CloudFormation execution policy',
      () =>
        `declare fewer services in allowedServices (${props.allowedServices.length}) or fewer ` +
        `passableConnectionArns (${connectionArns.length})`,
      [
        [this.stagingBucket.node.defaultChild as CfnElement, BUCKET_ARN_MAX_LENGTH],
        [this.stagingKey.node.defaultChild as CfnElement, KEY_ARN_MAX_LENGTH],
      ],
    );
    acknowledgeWildcards(
      this.executionPolicy,
      'Execution policy: <svc>:* for each service in the platform-declared allow list for this environment, capped by the Groundwork permissions boundary; IAM is limited to role management and requires the boundary',
    );
    acknowledge(
      this.executionPolicy,
      'NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess',
      'Execution policy: full access per declared service is the allow list the platform team reviews per environment; escalation is denied by the permissions boundary',
    );
    this.cloudFormationExecutionRole = new iam.Role(this, 'CloudFormationExecutionRole', {
      roleName: roleName(BootstrapRoleKind.CLOUDFORMATION_EXECUTION),
      assumedBy: new iam.ServicePrincipal('cloudformation.amazonaws.com'),
      managedPolicies: [this.executionPolicy],
      permissionsBoundary: this.boundary.policy,
    });

    this.deployRole = bootstrapRole('DeployRole', BootstrapRoleKind.DEPLOY, 'deploy', pipelinePrincipals(), [
      new iam.PolicyStatement({
        sid: 'DeployPermissions',
        // The writes, and the reads of the same stacks: one statement, so that the stack ARNs (one per region
        // and name) are listed once in the policy, whose size IAM limits.
        actions: [...DEPLOY_CLOUDFORMATION_ACTIONS, ...CLOUDFORMATION_STACK_READ_ACTIONS],
        // Change sets are authorized on their stack's ARN (CloudFormation service authorization reference).
        resources: stackArns(stack, deployableStackRegions, deployableStackNames),
      }),
      new iam.PolicyStatement({
        sid: 'ProtectBootstrapStack',
        effect: iam.Effect.DENY,
        actions: DEPLOY_CLOUDFORMATION_ACTIONS,
        // In every region, not only those of deployableStackRegions: no deployment changes a bootstrap stack,
        // so denying the bootstrap stack of each region of the account costs nothing.
        resources: stackArns(stack, ['*'], [toolkitStackName]),
      }),
      // The reads without a resource type in the Service Authorization Reference: '*' is the only resource IAM
      // matches for them. Every other read is on the deployable stacks above.
      new iam.PolicyStatement({
        sid: 'ReadAccountStacks',
        actions: CLOUDFORMATION_ACCOUNT_READ_ACTIONS,
        resources: ['*'],
      }),
      // The CDK CLI looks up the bootstrap stack (DescribeStacks) in the region it deploys to; read-only, and
      // its outputs are the names this template fixes. Its writes stay denied (ProtectBootstrapStack).
      new iam.PolicyStatement({
        sid: 'ReadBootstrapStack',
        actions: ['cloudformation:DescribeStacks'],
        resources: stackArns(stack, deployableStackRegions, [toolkitStackName]),
      }),
      // DescribeEvents (the CLI's diagnosis of a failed change set) takes the stack or the change set resource
      // type; a change set's ARN (changeSet/<name>/<id>) names no stack, so it is also granted on the account's
      // change sets in the deployable regions: their events, no template.
      new iam.PolicyStatement({
        sid: 'ReadChangeSetEvents',
        actions: ['cloudformation:DescribeEvents'],
        resources: changeSetArns(stack, deployableStackRegions),
      }),
      new iam.PolicyStatement({
        sid: 'PassExecutionRole',
        actions: ['iam:PassRole'],
        resources: [this.cloudFormationExecutionRole.roleArn],
      }),
      new iam.PolicyStatement({ sid: 'CliStagingBucket', actions: STAGING_READ_ACTIONS, resources: stagingObjects }),
      new iam.PolicyStatement({
        sid: 'CliStagingKey',
        actions: KMS_DECRYPT_ACTIONS,
        resources: [this.stagingKey.keyArn],
      }),
      new iam.PolicyStatement({
        sid: 'PipelineArtifactsBucket',
        // CodePipeline's cross-account CloudFormation action reads its input artifacts (and writes outputs)
        // in the pipeline account's artifact bucket; no other account's buckets.
        actions: ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:PutObject*', 's3:Abort*'],
        resources: ['*'],
        conditions: { StringEquals: { 's3:ResourceAccount': props.pipelineAccountId } },
      }),
      new iam.PolicyStatement({
        sid: 'PipelineArtifactsKey',
        actions: KMS_DATA_ACTIONS,
        resources: [`arn:${Aws.PARTITION}:kms:*:${props.pipelineAccountId}:key/*`],
        conditions: { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadVersion',
        actions: ['ssm:GetParameter', 'ssm:GetParameters'],
        resources: [versionParameterArn],
      }),
      ...(resolvableParameterNames.length > 0
        ? [
            new iam.PolicyStatement({
              sid: 'ResolveTemplateParameters',
              actions: ['ssm:GetParameter', 'ssm:GetParameters'],
              resources: resolvableParameterNames.map((name) =>
                stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) }),
              ),
            }),
          ]
        : []),
      // A template with a transform: CloudFormation also authorizes CreateChangeSet on the transform's ARN
      // (account 'aws'), for the caller of CreateChangeSet, that is this role. No other action uses it.
      ...(allowedTransforms.length > 0
        ? [
            new iam.PolicyStatement({
              sid: 'UseTemplateTransforms',
              actions: ['cloudformation:CreateChangeSet'],
              resources: transformArns(stack, deployableStackRegions),
            }),
          ]
        : []),
      new iam.PolicyStatement({ sid: 'CliIdentity', actions: ['sts:GetCallerIdentity'], resources: ['*'] }),
    ]);

    this.filePublishingRole = bootstrapRole(
      'FilePublishingRole',
      BootstrapRoleKind.FILE_PUBLISHING,
      'file-publishing',
      pipelinePrincipals(),
      [
        new iam.PolicyStatement({ sid: 'StagingObjects', actions: STAGING_WRITE_ACTIONS, resources: stagingObjects }),
        new iam.PolicyStatement({ sid: 'StagingKey', actions: KMS_DATA_ACTIONS, resources: [this.stagingKey.keyArn] }),
      ],
    );

    this.imagePublishingRole = bootstrapRole(
      'ImagePublishingRole',
      BootstrapRoleKind.IMAGE_PUBLISHING,
      'image-publishing',
      pipelinePrincipals(),
      [
        new iam.PolicyStatement({
          sid: 'ContainerAssets',
          actions: IMAGE_PUBLISHING_ACTIONS,
          resources: [this.containerAssetsRepository.repositoryArn],
        }),
        // ecr:GetAuthorizationToken has no resource-level permissions (ECR service authorization reference).
        new iam.PolicyStatement({ sid: 'RegistryLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
      ],
    );

    this.lookupRole = bootstrapRole('LookupRole', BootstrapRoleKind.LOOKUP, 'lookup', pipelinePrincipals(), [
      // Describe/List calls of the context providers have no resource-level permissions.
      new iam.PolicyStatement({ sid: 'ContextLookups', actions: LOOKUP_ACTIONS, resources: ['*'] }),
      // cdk diff reads the deployed templates through this role first; only the stacks the deploy role deploys.
      // Any region: one ARN per name, so that this policy and the bootstrap template (whose body the CLI limits to
      // 51,200 bytes) do not grow with the regions; reading a same-named stack of another region reveals nothing
      // the deploy role's users could not see in the synthesized template.
      new iam.PolicyStatement({
        sid: 'DeployedTemplates',
        actions: LOOKUP_STACK_READ_ACTIONS,
        resources: stackArns(stack, ['*'], deployableStackNames),
      }),
      new iam.PolicyStatement({
        sid: 'DontReadSecrets',
        effect: iam.Effect.DENY,
        actions: ['kms:Decrypt'],
        resources: ['*'],
      }),
    ]);

    // --- Version and outputs the CLI and the synthesizer's version rule read -----------------------------
    new ssm.CfnParameter(this, 'CdkBootstrapVersion', {
      type: 'String',
      name: BootstrapContract.versionParameterName(qualifier),
      value: String(BootstrapContract.BOOTSTRAP_VERSION),
      description: 'Version of the Groundwork CDK bootstrap resources',
    }).overrideLogicalId('CdkBootstrapVersion');

    const output = (outputId: string, description: string, value: string) =>
      new CfnOutput(this, outputId, { description, value }).overrideLogicalId(outputId);
    output('BucketName', 'The name of the file asset staging bucket', this.stagingBucket.bucketName);
    output(
      'BucketDomainName',
      'The regional domain name of the staging bucket',
      this.stagingBucket.bucketRegionalDomainName,
    );
    output(
      'ImageRepositoryName',
      'The name of the container asset repository',
      this.containerAssetsRepository.repositoryName,
    );
    // A literal, not a GetAtt of the parameter: the CLI reads this value from the template itself.
    output('BootstrapVersion', 'The version of the bootstrap resources', String(BootstrapContract.BOOTSTRAP_VERSION));
    output('FileAssetKeyArn', 'The ARN of the KMS key that encrypts the staging bucket', this.stagingKey.keyArn);
  }
}

/** The ARNs of every change set of the stack's account in each region, region '*' standing for all of them. */
function changeSetArns(stack: Stack, regions: string[]): string[] {
  const unique = regions.includes('*') ? ['*'] : [...new Set(regions)];
  return unique.map((region) =>
    stack.formatArn({ service: 'cloudformation', region, resource: 'changeSet', resourceName: '*/*' }),
  );
}

/**
 * The ARNs of the AWS SAM transform (the only one validateTransforms accepts) in each region, region '*' standing
 * for all of them: `arn:<partition>:cloudformation:<region>:aws:transform/Serverless-2016-10-31`.
 */
function transformArns(stack: Stack, regions: string[]): string[] {
  const unique = regions.includes('*') ? ['*'] : [...new Set(regions)];
  return unique.map((region) =>
    stack.formatArn({
      service: 'cloudformation',
      region,
      account: 'aws',
      resource: 'transform',
      resourceName: 'Serverless-2016-10-31',
    }),
  );
}

/** The ARNs of the named stacks (any stack id) in each region, region '*' standing for all of them. */
function stackArns(stack: Stack, regions: string[], names: string[]): string[] {
  const unique = regions.includes('*') ? ['*'] : [...new Set(regions)];
  return unique.flatMap((region) =>
    names.map((name) =>
      stack.formatArn({ service: 'cloudformation', region, resource: 'stack', resourceName: `${name}/*` }),
    ),
  );
}

function executionStatements(
  allowedServices: string[],
  boundaryArn: string,
  stack: Stack,
  stagingObjects: string[],
  stagingKeyArn: string,
  connectionArns: string[],
): iam.PolicyStatement[] {
  const services = [...new Set(allowedServices)].sort();
  const statements: iam.PolicyStatement[] = [];
  const serviceActions = services.filter((s) => s !== 'iam').map((s) => `${s}:*`);
  if (serviceActions.length > 0) {
    statements.push(new iam.PolicyStatement({ sid: 'AllowedServices', actions: serviceActions, resources: ['*'] }));
  }
  // CloudFormation creates Lambda functions and nested stacks from staged assets with this role's credentials.
  statements.push(
    new iam.PolicyStatement({ sid: 'ReadStagedAssets', actions: STAGING_READ_ACTIONS, resources: stagingObjects }),
    new iam.PolicyStatement({ sid: 'DecryptStagedAssets', actions: KMS_DECRYPT_ACTIONS, resources: [stagingKeyArn] }),
  );
  if (connectionArns.length > 0) {
    // CreatePipeline and UpdatePipeline with a connection in a source action need PassConnection on it;
    // each service name has its own condition key, hence one statement per name.
    for (const prefix of CONNECTION_SERVICE_PREFIXES) {
      statements.push(
        new iam.PolicyStatement({
          sid: prefix === 'codeconnections' ? 'PassConnectionsToCodePipeline' : 'PassCodeStarConnectionsToCodePipeline',
          actions: [`${prefix}:PassConnection`],
          resources: [...new Set(connectionArns)],
          conditions: { StringEquals: { [`${prefix}:PassedToService`]: 'codepipeline.amazonaws.com' } },
        }),
      );
    }
  }
  if (services.includes('iam')) {
    const iamResources = ['role/*', 'instance-profile/*', 'policy/*'].map((r) =>
      stack.formatArn({ service: 'iam', region: '', resource: r.split('/')[0], resourceName: '*' }),
    );
    const writes = ROLE_WRITE_ACTIONS_REQUIRING_BOUNDARY.filter((a) => BOUNDED_IAM_ACTIONS.includes(a));
    statements.push(
      new iam.PolicyStatement({
        sid: 'RoleWritesWithBoundary',
        actions: writes,
        resources: [iamResources[0]],
        conditions: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn } },
      }),
      new iam.PolicyStatement({
        sid: 'BoundedRoleManagement',
        actions: BOUNDED_IAM_ACTIONS.filter((a) => !writes.includes(a)),
        resources: iamResources,
      }),
    );
  }
  return statements;
}

function declareCliParameters(stack: Stack, qualifier: string, pipelineAccountId: string): CfnParameter {
  const list = (id: string, description: string) =>
    new CfnParameter(stack, id, { type: 'CommaDelimitedList', default: '', description });
  const mustBeEmpty = (id: string, description: string) =>
    new CfnParameter(stack, id, {
      type: 'String',
      default: '',
      allowedValues: [''],
      description,
      constraintDescription: 'is fixed by the Groundwork DeploymentTrust template and cannot be customized',
    });
  const trusted = list('TrustedAccounts', 'Accepted for CLI compatibility; only the pipeline account may be listed');
  const trustedLookup = list(
    'TrustedAccountsForLookup',
    'Accepted for CLI compatibility; only the pipeline account may be listed',
  );
  const executionPolicies = list(
    'CloudFormationExecutionPolicies',
    'Accepted for CLI compatibility; must be empty: the execution policy is the declared service allow list',
  );
  mustBeEmpty('FileAssetsBucketName', 'Accepted for CLI compatibility; the bucket name is fixed by the CDK contract');
  new CfnParameter(stack, 'FileAssetsBucketKmsKeyId', {
    type: 'String',
    default: '',
    // What the CLI sends when no key option is given (toolkit-lib bootstrap-environment.ts): 'AWS_MANAGED_KEY' on a
    // first bootstrap, the previous value on a re-bootstrap, '' with --bootstrap-customer-key. This template
    // creates its own customer managed key whichever of the two it receives; a key of the caller's is refused.
    allowedValues: ['', 'AWS_MANAGED_KEY'],
    description:
      "Accepted for CLI compatibility: '' or AWS_MANAGED_KEY (the CLI's defaults); a dedicated customer managed key is always created",
    constraintDescription:
      "must be '' or AWS_MANAGED_KEY, what the CDK CLI sends without --bootstrap-kms-key-id: the Groundwork DeploymentTrust template always creates its own customer managed key, so a custom key id, ARN or alias cannot be used",
  });
  mustBeEmpty(
    'ContainerAssetsRepositoryName',
    'Accepted for CLI compatibility; the repository name is fixed by the CDK contract',
  );
  mustBeEmpty('InputPermissionsBoundary', 'Accepted for CLI compatibility; the Groundwork boundary is always applied');
  new CfnParameter(stack, 'PublicAccessBlockConfiguration', {
    type: 'String',
    default: 'true',
    allowedValues: ['true'],
    description: 'Accepted for CLI compatibility; public access is always blocked',
  });
  new CfnParameter(stack, 'BootstrapVariant', {
    type: 'String',
    default: BootstrapContract.BOOTSTRAP_VARIANT,
    description: 'Provenance of this bootstrap; the CLI will not overwrite a stack of another variant without --force',
  });
  new CfnRule(stack, 'OnlyThePipelineAccountIsTrusted', {
    assertions: [
      {
        assert: Fn.conditionEachMemberIn(trusted.valueAsList, ['', pipelineAccountId]),
        assertDescription: `--trust may only name the pipeline account ${pipelineAccountId}; trust is fixed by the template`,
      },
      {
        assert: Fn.conditionEachMemberIn(trustedLookup.valueAsList, ['', pipelineAccountId]),
        assertDescription: `--trust-for-lookup may only name the pipeline account ${pipelineAccountId}`,
      },
      {
        assert: Fn.conditionEachMemberEquals(executionPolicies.valueAsList, ''),
        // Over an existing bootstrap, the CLI re-sends the stack's policies (and trust) when the options are not
        // given; an empty list clears them, and the CLI accepts no policies only when no account is trusted.
        assertDescription:
          "--cloudformation-execution-policies is not supported: the execution policy is the declared allow list (a CDKToolkit stack of the CLI's own template cannot be updated to this one: delete it and bootstrap again, bootstrap runbook step 7)",
      },
    ],
  });
  return new CfnParameter(stack, 'Qualifier', {
    type: 'String',
    default: qualifier,
    // Fixed to the configured qualifier: the pipeline's role names and the apps' synthesizer depend on it.
    allowedValues: [qualifier],
    description: 'An identifier to distinguish multiple bootstrap stacks in the same environment',
  });
}
