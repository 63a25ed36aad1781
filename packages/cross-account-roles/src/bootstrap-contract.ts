import { Aws } from 'aws-cdk-lib';

/**
 * The kinds of role the CDK DefaultStackSynthesizer expects in a bootstrapped environment.
 */
export enum BootstrapRoleKind {
  /** `cdk-<qualifier>-deploy-role-<account>-<region>`: creates change sets, passes the execution role. */
  DEPLOY = 'deploy-role',
  /** `cdk-<qualifier>-file-publishing-role-<account>-<region>`: uploads file assets to the staging bucket. */
  FILE_PUBLISHING = 'file-publishing-role',
  /** `cdk-<qualifier>-image-publishing-role-<account>-<region>`: pushes image assets to the ECR repository. */
  IMAGE_PUBLISHING = 'image-publishing-role',
  /** `cdk-<qualifier>-lookup-role-<account>-<region>`: read-only context lookups at synth time. */
  LOOKUP = 'lookup-role',
  /** `cdk-<qualifier>-cfn-exec-role-<account>-<region>`: the role CloudFormation acts as. */
  CLOUDFORMATION_EXECUTION = 'cfn-exec-role',
}

/**
 * The names the CDK DefaultStackSynthesizer (aws-cdk-lib `DefaultStackSynthesizer.DEFAULT_*`) derives from a
 * qualifier, account and region. Both the bootstrap side (DeploymentTrust) and the pipeline side (key policies,
 * role ARNs to assume) build names here so that they cannot drift apart.
 */
export class BootstrapContract {
  /** The qualifier `cdk bootstrap` uses when none is given. */
  public static readonly DEFAULT_QUALIFIER = 'hnb659fds';

  /**
   * The bootstrap version this package's template declares (SSM parameter and `BootstrapVersion` output).
   *
   * Equal to the template bundled with the aws-cdk CLI 2.1148 this repo pins, which is above every
   * minimum aws-cdk-lib 2.276's DefaultStackSynthesizer asks for (6 to deploy, 8 for lookups, 22 for
   * session tags); the CLI refuses to replace a newer bootstrap stack with an older version.
   */
  public static readonly BOOTSTRAP_VERSION = 33;

  /** The CloudFormation stack name `cdk bootstrap` uses when none is given. */
  public static readonly DEFAULT_TOOLKIT_STACK_NAME = 'CDKToolkit';

  /**
   * The value of the `BootstrapVariant` parameter; the CLI refuses to overwrite a bootstrap stack of another
   * variant without `--force`, so a plain `cdk bootstrap` cannot silently re-widen the trust.
   */
  public static readonly BOOTSTRAP_VARIANT = 'Groundwork: least-privilege DeploymentTrust';

  /**
   * The tag that marks a role as managed under a qualifier's boundary; its value is the qualifier.
   *
   * The boundary lets its roles change, delete or pass only roles that carry this tag with its own qualifier,
   * and create roles only with it: IAM has no condition on the boundary of the target role for
   * `iam:UpdateAssumeRolePolicy`, `iam:PassRole` and the like, so the tag is what tells the deployment's roles
   * from the account's other roles (e.g. `OrganizationAccountAccessRole`). `PermissionsBoundaryAspect` sets it.
   */
  public static readonly BOUNDARY_TAG_KEY = 'groundwork:boundary';

  /**
   * IAM path of the managed policies that hold the permissions of the bootstrap roles other than the execution
   * role (deploy, file publishing, image publishing, lookup). Their names are generated; the path lets the
   * boundary deny rewriting them (iam:CreatePolicyVersion) to every role under it. The boundary protects every
   * customer managed policy whose name or path starts with `groundwork` (POLICY_NAME_PREFIX).
   */
  public static readonly ROLE_POLICY_PATH = '/groundwork/';

  /**
   * The start of the names (and paths) of the customer managed policies the boundary protects: the boundaries
   * (`groundwork-boundary-...`), the execution policies (`groundwork-cfn-exec-...`) and the policies under
   * ROLE_POLICY_PATH, of every qualifier. No role under the boundary may change or delete a policy so named:
   * deployed stacks must not name their own policies this way.
   */
  public static readonly POLICY_NAME_PREFIX = 'groundwork';

  /**
   * Whether `qualifier` is one the bootstrap contract allows: 1 to 10 lowercase letters and digits. The CDK
   * CLI limits qualifiers to 10 characters because `cdk-<qualifier>-image-publishing-role-<account>-<region>`
   * must fit IAM's 64-character role name, and to lowercase because the qualifier is part of S3 bucket and
   * ECR repository names. A token is not valid: the names built from it could not be checked.
   */
  public static isValidQualifier(qualifier: string): boolean {
    return /^[a-z0-9]{1,10}$/.test(qualifier);
  }

  /** Name of one of the bootstrap roles, e.g. `cdk-hnb659fds-deploy-role-111111111111-eu-west-1`. */
  public static roleName(kind: BootstrapRoleKind, qualifier: string, account: string, region: string): string {
    return `cdk-${qualifier}-${kind}-${account}-${region}`;
  }

  /**
   * The name pattern of one kind of bootstrap role of a qualifier in every account and region,
   * `cdk-<qualifier>-<kind>-*`: for policies that must not grow with the number of accounts (scope them to
   * the organization or the accounts with a condition).
   */
  public static roleNamePattern(kind: BootstrapRoleKind, qualifier: string): string {
    return `cdk-${qualifier}-${kind}-*`;
  }

  /** ARN of one of the bootstrap roles. */
  public static roleArn(
    kind: BootstrapRoleKind,
    qualifier: string,
    account: string,
    region: string,
    partition?: string,
  ): string {
    return `arn:${partition ?? Aws.PARTITION}:iam::${account}:role/${BootstrapContract.roleName(kind, qualifier, account, region)}`;
  }

  /** Name of the file asset staging bucket. */
  public static stagingBucketName(qualifier: string, account: string, region: string): string {
    return `cdk-${qualifier}-assets-${account}-${region}`;
  }

  /** Name of the container asset ECR repository. */
  public static containerAssetsRepositoryName(qualifier: string, account: string, region: string): string {
    return `cdk-${qualifier}-container-assets-${account}-${region}`;
  }

  /** Name of the SSM parameter that holds the bootstrap version. */
  public static versionParameterName(qualifier: string): string {
    return `/cdk-bootstrap/${qualifier}/version`;
  }

  /**
   * Name of the permissions boundary managed policy. Managed policy names are per account, not per region,
   * so the region is part of the name to allow bootstrapping several regions with one qualifier.
   */
  public static boundaryPolicyName(qualifier: string, region: string): string {
    return `groundwork-boundary-${qualifier}-${region}`;
  }

  /** Name of the managed policy that holds the execution role's service allow list. */
  public static executionPolicyName(qualifier: string, region: string): string {
    return `groundwork-cfn-exec-${qualifier}-${region}`;
  }

  /** ARN of the permissions boundary managed policy. */
  public static boundaryPolicyArn(qualifier: string, account: string, region: string, partition?: string): string {
    return `arn:${partition ?? Aws.PARTITION}:iam::${account}:policy/${BootstrapContract.boundaryPolicyName(qualifier, region)}`;
  }

  private constructor() {}
}
