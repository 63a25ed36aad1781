import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from './private/acknowledge';
import { requireInteger } from './private/validation';

/** The account password policy applied by AccountGuardrails. */
export interface PasswordPolicyOptions {
  /**
   * Minimum password length (IAM accepts 6 to 128).
   *
   * @default 14
   */
  readonly minimumLength?: number;

  /**
   * Days a password stays valid (IAM accepts 1 to 1095); 0 means passwords never expire.
   *
   * @default 90
   */
  readonly maxAgeDays?: number;

  /**
   * Number of previous passwords that cannot be reused (IAM accepts 1 to 24); 0 turns the check off.
   *
   * @default 24
   */
  readonly reusePrevention?: number;

  /**
   * Require at least one uppercase letter, one lowercase letter, one number and one symbol.
   *
   * @default true
   */
  readonly requireAllCharacterTypes?: boolean;
}

/** Properties of AccountGuardrails. */
export interface AccountGuardrailsProps {
  /**
   * Turn on S3 Block Public Access for the whole account.
   *
   * @default true
   */
  readonly enableS3BlockPublicAccess?: boolean;

  /**
   * Turn on EBS encryption by default in this region.
   *
   * @default true
   */
  readonly enableEbsEncryptionByDefault?: boolean;

  /**
   * Set the IAM account password policy.
   *
   * @default true
   */
  readonly enablePasswordPolicy?: boolean;

  /**
   * The password policy.
   *
   * @default - 14 characters, all character types, 90 days, 24 remembered
   */
  readonly passwordPolicy?: PasswordPolicyOptions;

  /**
   * Undo the guardrails (disable Block Public Access, EBS default encryption, delete the password
   * policy) when this construct is removed from the stack. Off so that removing a stack never
   * silently opens an account.
   *
   * @default false
   */
  readonly revertOnDelete?: boolean;
}

/**
 * Account-wide settings CloudFormation has no resource type for (S3 account Block Public Access,
 * EBS encryption by default, IAM password policy), applied with AwsCustomResource SDK calls.
 */
export class AccountGuardrails extends Construct {
  /** The custom resource that sets account-level S3 Block Public Access, when enabled. */
  public readonly s3BlockPublicAccess?: cr.AwsCustomResource;
  /** The custom resource that turns on EBS encryption by default, when enabled. */
  public readonly ebsEncryptionByDefault?: cr.AwsCustomResource;
  /** The custom resource that sets the IAM password policy, when enabled. */
  public readonly passwordPolicy?: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: AccountGuardrailsProps = {}) {
    super(scope, id);
    const revert = props.revertOnDelete ?? false;
    const stack = Stack.of(this);

    if (props.enableS3BlockPublicAccess ?? true) {
      const call = (action: string, parameters: object): cr.AwsSdkCall => ({
        service: 'S3Control',
        action,
        parameters: { AccountId: stack.account, ...parameters },
        physicalResourceId: cr.PhysicalResourceId.of(`${stack.account}-s3-account-public-access-block`),
      });
      const set = call('putPublicAccessBlock', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      });
      // S3 authorizes both PutPublicAccessBlock and DeletePublicAccessBlock on the account with
      // s3:PutAccountPublicAccessBlock (Service Authorization Reference, Amazon S3).
      this.s3BlockPublicAccess = this.sdkResource(
        'S3BlockPublicAccess',
        set,
        revert ? call('deletePublicAccessBlock', {}) : undefined,
        ['s3:PutAccountPublicAccessBlock'],
      );
    }

    if (props.enableEbsEncryptionByDefault ?? true) {
      const call = (action: string): cr.AwsSdkCall => ({
        service: 'EC2',
        action,
        physicalResourceId: cr.PhysicalResourceId.of(`${stack.account}-ebs-encryption-by-default`),
      });
      this.ebsEncryptionByDefault = this.sdkResource(
        'EbsEncryptionByDefault',
        call('enableEbsEncryptionByDefault'),
        revert ? call('disableEbsEncryptionByDefault') : undefined,
        revert
          ? ['ec2:EnableEbsEncryptionByDefault', 'ec2:DisableEbsEncryptionByDefault']
          : ['ec2:EnableEbsEncryptionByDefault'],
      );
    }

    if (props.enablePasswordPolicy ?? true) {
      const parameters = this.passwordPolicyParameters(props.passwordPolicy ?? {});
      const physicalResourceId = cr.PhysicalResourceId.of(`${stack.account}-iam-password-policy`);
      this.passwordPolicy = this.sdkResource(
        'PasswordPolicy',
        { service: 'IAM', action: 'updateAccountPasswordPolicy', parameters, physicalResourceId },
        revert ? { service: 'IAM', action: 'deleteAccountPasswordPolicy', physicalResourceId } : undefined,
        revert
          ? ['iam:UpdateAccountPasswordPolicy', 'iam:DeleteAccountPasswordPolicy']
          : ['iam:UpdateAccountPasswordPolicy'],
      );
    } else if (props.passwordPolicy !== undefined) {
      throw new Error(
        `${this.node.path}: invalid passwordPolicy: expected unset when enablePasswordPolicy is false, found a policy`,
      );
    }
  }

  private passwordPolicyParameters(options: PasswordPolicyOptions): object {
    const minimumLength = options.minimumLength ?? 14;
    const maxAgeDays = options.maxAgeDays ?? 90;
    const reusePrevention = options.reusePrevention ?? 24;
    // Limits from the IAM API reference, UpdateAccountPasswordPolicy.
    requireInteger(this, 'passwordPolicy.minimumLength', minimumLength, 6, 128);
    requireInteger(this, 'passwordPolicy.maxAgeDays', maxAgeDays, 0, 1095);
    requireInteger(this, 'passwordPolicy.reusePrevention', reusePrevention, 0, 24);
    const all = options.requireAllCharacterTypes ?? true;
    return {
      MinimumPasswordLength: minimumLength,
      RequireSymbols: all,
      RequireNumbers: all,
      RequireUppercaseCharacters: all,
      RequireLowercaseCharacters: all,
      AllowUsersToChangePassword: true,
      ...(maxAgeDays > 0 ? { MaxPasswordAge: maxAgeDays } : {}),
      ...(reusePrevention > 0 ? { PasswordReusePrevention: reusePrevention } : {}),
    };
  }

  private sdkResource(
    id: string,
    onCreate: cr.AwsSdkCall,
    onDelete: cr.AwsSdkCall | undefined,
    actions: string[],
  ): cr.AwsCustomResource {
    const resource = new cr.AwsCustomResource(this, id, {
      onCreate,
      onUpdate: onCreate,
      onDelete,
      // These account-level actions support no resource-level permissions, so '*' is the only
      // resource IAM accepts; the action list is exact.
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions, resources: ['*'] })]),
      // The SDK bundled with the Lambda runtime has these calls; installing the latest needs npm at deploy time.
      installLatestAwsSdk: false,
    });
    const policy = resource.node.findChild('CustomResourcePolicy');
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      `${actions.join(', ')} act on the account and support no resource-level permissions (Service Authorization Reference), so IAM accepts only '*'.`,
    );
    acknowledge(
      policy,
      'NIST.800.53.R5-IAMNoInlinePolicy',
      "AwsCustomResource attaches each call's exact permissions as an inline policy on its provider role, so each policy lives and dies with the setting it applies.",
    );
    this.acknowledgeProvider();
    return resource;
  }

  /** The AwsCustomResource provider Lambda is a stack-wide singleton created by aws-cdk-lib. */
  private acknowledgeProvider(): void {
    const id = `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;
    const provider = Stack.of(this).node.tryFindChild(id);
    if (!provider) {
      return;
    }
    const fn = provider.node.tryFindChild('Resource');
    const role = provider.node.tryFindChild('ServiceRole');
    if (role) {
      acknowledge(
        role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'The aws-cdk-lib AwsCustomResource provider role only needs to write its own logs, which is exactly what AWSLambdaBasicExecutionRole grants.',
      );
    }
    if (fn) {
      acknowledge(
        fn,
        'NIST.800.53.R5-LambdaConcurrency',
        'The AwsCustomResource provider runs only during CloudFormation deployments, a few invocations per deployment; reserving concurrency would take from the account pool for nothing.',
      );
      acknowledge(
        fn,
        'NIST.800.53.R5-LambdaDLQ',
        'The AwsCustomResource provider is invoked synchronously by CloudFormation, which reports failures in the stack events; there is no asynchronous event to dead-letter.',
      );
      acknowledge(
        fn,
        'NIST.800.53.R5-LambdaInsideVPC',
        'The AwsCustomResource provider only calls public AWS account-settings APIs (S3 Control, EC2, IAM); the baseline deploys before any workload VPC exists.',
      );
    }
  }
}
