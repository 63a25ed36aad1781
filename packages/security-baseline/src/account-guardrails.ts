import { Annotations, Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { ConfigRecorder } from './config-compliance';
import { acknowledge } from './private/acknowledge';
import {
  passwordRuleParameters,
  requireCheckableByPasswordRule,
  resolvePasswordPolicy,
  updatePasswordPolicyParameters,
} from './private/password-policy';
import {
  deployOnlyWhere,
  RULE_AVAILABILITY,
  resolvedRegion,
  ruleAvailableCondition,
  ruleAvailableIn,
} from './private/regions';
import { propError, requireInteger, requireKnownOneOf } from './private/validation';

/** How AccountGuardrails applies the account settings. */
export enum GuardrailEnforcement {
  /**
   * AwsCustomResource SDK calls, once per deployment. Needs a Lambda function whose code is a
   * file asset, so the stack needs the CDK bootstrap (asset bucket) of its account.
   */
  CUSTOM_RESOURCE = 'CUSTOM_RESOURCE',
  /**
   * AWS Config managed rules with automatic remediation by AWS-owned SSM Automation runbooks:
   * no Lambda function and no asset, so the template deploys anywhere (e.g. as a CloudFormation
   * StackSet instance in a new account), and a setting changed by hand is set back (continuous
   * reconciliation). Needs an AWS Config recorder in the account and region.
   */
  CONFIG_REMEDIATION = 'CONFIG_REMEDIATION',
}

/** The account password policy applied by AccountGuardrails. */
export interface PasswordPolicyOptions {
  /**
   * Minimum password length (IAM accepts 6 to 128).
   *
   * @default 14
   */
  readonly minimumLength?: number;

  /**
   * Days a password stays valid (IAM accepts 1 to 1095); 0 means passwords never expire. 0 is
   * rejected with `GuardrailEnforcement.CONFIG_REMEDIATION`, and keeps `SecurityBaseline` from
   * creating the IAM_PASSWORD_POLICY compliance rule: that AWS Config rule cannot check a policy
   * without expiry.
   *
   * @default 90
   */
  readonly maxAgeDays?: number;

  /**
   * Number of previous passwords that cannot be reused (IAM accepts 1 to 24); 0 turns the check off.
   * 0 is rejected with `GuardrailEnforcement.CONFIG_REMEDIATION`, and keeps `SecurityBaseline` from
   * creating the IAM_PASSWORD_POLICY compliance rule: that AWS Config rule cannot check a policy
   * without reuse prevention.
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

  /**
   * How the settings are applied. `CONFIG_REMEDIATION` cannot revert on delete.
   *
   * @default GuardrailEnforcement.CUSTOM_RESOURCE
   */
  readonly enforcement?: GuardrailEnforcement;

  /**
   * With `CONFIG_REMEDIATION`: the recorder the guardrail rules need; the rules are created after
   * it. AWS Config rejects rules in a region without a recorder (NoAvailableConfigurationRecorderException).
   *
   * @default - no dependency: a recorder must already exist in the account and region
   */
  readonly recorder?: ConfigRecorder;

  /**
   * With `CONFIG_REMEDIATION`: how many times AWS Config retries a failed remediation within
   * `remediationRetrySeconds` (AWS Config accepts 1 to 25).
   *
   * @default 5
   */
  readonly remediationAttempts?: number;

  /**
   * With `CONFIG_REMEDIATION`: the window in seconds for `remediationAttempts`.
   *
   * @default 60
   */
  readonly remediationRetrySeconds?: number;
}

/** AwsCustomResource provider singletons already acknowledged (one per stack). */
const ACKNOWLEDGED_PROVIDERS = new WeakSet<IConstruct>();

/** AWS-owned SSM Automation runbooks (Systems Manager Automation Runbook Reference). */
const RUNBOOKS = {
  s3: 'AWSConfigRemediation-ConfigureS3PublicAccessBlock',
  ebs: 'AWSConfigRemediation-EnableEbsEncryptionByDefault',
  password: 'AWSConfigRemediation-SetIAMPasswordPolicy',
} as const;

/**
 * Account-wide settings CloudFormation has no resource type for (S3 account Block Public Access,
 * EBS encryption by default, IAM password policy), applied with AwsCustomResource SDK calls or,
 * with `GuardrailEnforcement.CONFIG_REMEDIATION`, by AWS Config rules with automatic remediation.
 */
export class AccountGuardrails extends Construct {
  /** The enforcement mode in use. */
  public readonly enforcement: GuardrailEnforcement;
  /** With CONFIG_REMEDIATION: the role SSM Automation assumes to run the runbooks. */
  public readonly remediationRole?: iam.Role;
  /** With CONFIG_REMEDIATION: the Config rule that checks account S3 Block Public Access, when enabled. */
  public readonly s3BlockPublicAccessRule?: config.ManagedRule;
  /** With CONFIG_REMEDIATION: the Config rule that checks EBS encryption by default, when enabled. */
  public readonly ebsEncryptionByDefaultRule?: config.ManagedRule;
  /** With CONFIG_REMEDIATION: the Config rule that checks the password policy, when enabled. */
  public readonly passwordPolicyRule?: config.ManagedRule;
  /** With CONFIG_REMEDIATION: the automatic remediations, one per enabled setting. */
  public readonly remediations: config.CfnRemediationConfiguration[] = [];

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
    this.enforcement = props.enforcement ?? GuardrailEnforcement.CUSTOM_RESOURCE;
    // Typed in TypeScript, but free text in JavaScript or YAML config: a misspelt CONFIG_REMEDIATION
    // must not fall back to the Lambda-backed custom resources, which need an asset bucket.
    requireKnownOneOf(this, 'enforcement', this.enforcement, Object.values(GuardrailEnforcement));
    if (this.enforcement === GuardrailEnforcement.CONFIG_REMEDIATION) {
      const r = this.applyWithConfigRemediation(props);
      this.remediationRole = r.role;
      this.s3BlockPublicAccessRule = r.s3;
      this.ebsEncryptionByDefaultRule = r.ebs;
      this.passwordPolicyRule = r.password;
      return;
    }
    const remediationOnly: (keyof AccountGuardrailsProps)[] = [
      'recorder',
      'remediationAttempts',
      'remediationRetrySeconds',
    ];
    for (const prop of remediationOnly) {
      if (props[prop] !== undefined) {
        throw propError(this, prop, 'unset unless enforcement is CONFIG_REMEDIATION', 'a value');
      }
    }

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
      const parameters = updatePasswordPolicyParameters(
        resolvePasswordPolicy(this, 'passwordPolicy', props.passwordPolicy),
      );
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

  /**
   * One managed rule per setting, each with an automatic remediation by the AWS-owned runbook,
   * and one automation role limited to exactly the read and write calls of those runbooks.
   */
  private applyWithConfigRemediation(props: AccountGuardrailsProps): {
    role?: iam.Role;
    s3?: config.ManagedRule;
    ebs?: config.ManagedRule;
    password?: config.ManagedRule;
  } {
    if (props.revertOnDelete) {
      throw propError(this, 'revertOnDelete', 'false or unset with enforcement CONFIG_REMEDIATION', true);
    }
    const attempts = props.remediationAttempts ?? 5;
    const retrySeconds = props.remediationRetrySeconds ?? 60;
    // Limits of AWS::Config::RemediationConfiguration: MaximumAutomaticAttempts 1-25,
    // RetryAttemptSeconds 1-2678000.
    requireInteger(this, 'remediationAttempts', attempts, 1, 25);
    requireInteger(this, 'remediationRetrySeconds', retrySeconds, 1, 2678000);
    const s3 = props.enableS3BlockPublicAccess ?? true;
    const ebs = props.enableEbsEncryptionByDefault ?? true;
    const passwordWanted = props.enablePasswordPolicy ?? true;
    if (!passwordWanted && props.passwordPolicy !== undefined) {
      throw propError(this, 'passwordPolicy', 'unset when enablePasswordPolicy is false', 'a policy');
    }
    const passwordPolicy = passwordWanted
      ? resolvePasswordPolicy(this, 'passwordPolicy', props.passwordPolicy)
      : undefined;
    if (passwordPolicy) {
      // The rule decides when the runbook runs: a rule that cannot pass the policy the runbook sets
      // would run it on every evaluation and report the account NON_COMPLIANT forever.
      requireCheckableByPasswordRule(
        this,
        'passwordPolicy',
        passwordPolicy,
        'with enforcement CONFIG_REMEDIATION',
        'use enforcement CUSTOM_RESOURCE for such a policy',
      );
    }
    // AWS Config has the iam-password-policy rule only in some regions (private/regions.ts). The
    // password policy is account-wide, so another region's stack can apply it.
    const region = resolvedRegion(this);
    const passwordRule = 'iam-password-policy';
    let password = passwordWanted;
    if (passwordWanted && region !== undefined && !ruleAvailableIn(passwordRule, region)) {
      const why = `AWS Config has no ${passwordRule} rule in ${region} (${RULE_AVAILABILITY[passwordRule].reason})`;
      if (props.enablePasswordPolicy === true) {
        throw propError(
          this,
          'enablePasswordPolicy',
          `false, or enforcement CUSTOM_RESOURCE, in ${region}: ${why}; the password policy is account-wide, apply it from a stack in another region`,
          true,
        );
      }
      Annotations.of(this).addWarningV2(
        '@groundwork/security-baseline:passwordPolicyNotApplied',
        `the IAM password policy is not applied by this stack: ${why}; apply it from a stack in another region of the account`,
      );
      password = false;
    }
    if (!s3 && !ebs && !password) {
      return {};
    }

    const stack = Stack.of(this);
    // Each runbook reads the setting, writes it, then reads it back to verify
    // (Systems Manager Automation Runbook Reference, "Required IAM permissions").
    const actions = [
      ...(s3 ? ['s3:GetAccountPublicAccessBlock', 's3:PutAccountPublicAccessBlock'] : []),
      ...(ebs ? ['ec2:GetEbsEncryptionByDefault', 'ec2:EnableEbsEncryptionByDefault'] : []),
      ...(password ? ['iam:GetAccountPasswordPolicy', 'iam:UpdateAccountPasswordPolicy'] : []),
    ];
    const role = new iam.Role(this, 'RemediationRole', {
      description: 'Assumed by SSM Automation to re-apply the account guardrails when AWS Config finds them off',
      // Only SSM Automation runs started in this account (confused-deputy protection).
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ssm:*:${stack.account}:automation-execution/*` },
      }),
    });
    // A managed policy rather than an inline one, so it can be reviewed and audited on its own.
    const policy = new iam.ManagedPolicy(this, 'RemediationPolicy', {
      description: 'Exactly the calls of the three AWSConfigRemediation runbooks of the account guardrails',
      roles: [role],
      statements: [new iam.PolicyStatement({ actions, resources: ['*'] })],
    });
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      `${actions.join(', ')} act on the account and support no resource-level permissions (Service Authorization Reference), so IAM accepts only '*'.`,
    );

    const I = config.ManagedRuleIdentifiers;
    const daily = config.MaximumExecutionFrequency.TWENTY_FOUR_HOURS;
    const created: {
      role: iam.Role;
      s3?: config.ManagedRule;
      ebs?: config.ManagedRule;
      password?: config.ManagedRule;
    } = { role };
    const rule = (id: string, identifier: string, inputParameters?: { [key: string]: string }) => {
      const r = new config.ManagedRule(this, id, {
        identifier,
        inputParameters,
        maximumExecutionFrequency: daily,
        description: `Groundwork account guardrail, remediated automatically (${identifier})`,
      });
      if (props.recorder) {
        r.node.addDependency(props.recorder.recorder);
      }
      return r;
    };
    const remediate = (id: string, target: config.ManagedRule, document: string, parameters: object) => {
      this.remediations.push(
        new config.CfnRemediationConfiguration(this, id, {
          configRuleName: target.configRuleName,
          targetType: 'SSM_DOCUMENT',
          targetId: document,
          automatic: true,
          maximumAutomaticAttempts: attempts,
          retryAttemptSeconds: retrySeconds,
          parameters: {
            AutomationAssumeRole: { StaticValue: { Values: [role.roleArn] } },
            ...parameters,
          },
        }),
      );
    };
    const value = (v: string | number | boolean) => ({ StaticValue: { Values: [String(v)] } });

    if (s3) {
      created.s3 = rule('S3BlockPublicAccessRule', I.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC);
      remediate('S3BlockPublicAccessRemediation', created.s3, RUNBOOKS.s3, {
        AccountId: value(stack.account),
        BlockPublicAcls: value(true),
        IgnorePublicAcls: value(true),
        BlockPublicPolicy: value(true),
        RestrictPublicBuckets: value(true),
      });
    }
    if (ebs) {
      created.ebs = rule('EbsEncryptionByDefaultRule', I.EC2_EBS_ENCRYPTION_BY_DEFAULT);
      remediate('EbsEncryptionByDefaultRemediation', created.ebs, RUNBOOKS.ebs, {});
    }
    if (passwordPolicy && password) {
      const runbookParameters: { [key: string]: object } = {};
      for (const [key, v] of Object.entries(updatePasswordPolicyParameters(passwordPolicy))) {
        runbookParameters[key] = value(v);
      }
      // The rule checks exactly the policy the runbook sets.
      created.password = rule('PasswordPolicyRule', I.IAM_PASSWORD_POLICY, passwordRuleParameters(passwordPolicy));
      remediate('PasswordPolicyRemediation', created.password, RUNBOOKS.password, runbookParameters);
      // One template for every region (a StackSet): the rule and its remediation exist only where
      // AWS Config offers the rule.
      const condition = region === undefined ? ruleAvailableCondition(this, passwordRule) : undefined;
      if (condition) {
        deployOnlyWhere(created.password, condition);
        deployOnlyWhere(this.remediations[this.remediations.length - 1], condition);
      }
    }
    return created;
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

  /**
   * The AwsCustomResource provider Lambda is a stack-wide singleton created by aws-cdk-lib: it is
   * acknowledged once per stack, however many guardrails (in however many AccountGuardrails) use it.
   */
  private acknowledgeProvider(): void {
    const id = `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;
    const provider = Stack.of(this).node.tryFindChild(id);
    if (!provider || ACKNOWLEDGED_PROVIDERS.has(provider)) {
      return;
    }
    ACKNOWLEDGED_PROVIDERS.add(provider);
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
