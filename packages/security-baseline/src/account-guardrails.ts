import { Annotations, ArnFormat, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ConfigRecorder } from './config-compliance';
import { acknowledge } from './private/acknowledge';
import {
  GUARDRAIL_ENV,
  GUARDRAIL_HANDLER_CODE,
  GUARDRAIL_RESOURCE_TYPES,
  GuardrailSetting,
} from './private/guardrail-handler';
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
import { propError, requireBoolean, requireInteger, requireKnownOneOf } from './private/validation';

/** How AccountGuardrails applies the account settings. */
export enum GuardrailEnforcement {
  /**
   * Custom resources backed by one Lambda function (inline code, no file asset) that applies the
   * settings once per deployment. The function's calls and settings are fixed at synthesis: invoking
   * it directly can only apply the same settings again.
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
   * policy) whenever CloudFormation deletes one of the guardrail custom resources. Off so that
   * removing a stack never silently opens an account. CloudFormation deletes them not only with the
   * stack but also in ordinary updates: a setting switched off, the construct moved or renamed (new
   * logical ids), a switch to `CONFIG_REMEDIATION`. Each of those then reverts the setting, even where
   * the same deployment (or another stack) applies it again; deploy `revertOnDelete: false` first.
   *
   * @default false
   */
  readonly revertOnDelete?: boolean;

  /**
   * How the settings are applied. `CONFIG_REMEDIATION` cannot revert on delete. Switching from
   * `CUSTOM_RESOURCE` with `revertOnDelete: true` takes two deployments: first `revertOnDelete: false`.
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

/** AWS-owned SSM Automation runbooks (Systems Manager Automation Runbook Reference). */
const RUNBOOKS = {
  s3: 'AWSConfigRemediation-ConfigureS3PublicAccessBlock',
  ebs: 'AWSConfigRemediation-EnableEbsEncryptionByDefault',
  password: 'AWSConfigRemediation-SetIAMPasswordPolicy',
} as const;

/**
 * Account-wide settings CloudFormation has no resource type for (S3 account Block Public Access,
 * EBS encryption by default, IAM password policy), applied by custom resources of a purpose-built
 * Lambda function or, with `GuardrailEnforcement.CONFIG_REMEDIATION`, by AWS Config rules with
 * automatic remediation.
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

  /** With CUSTOM_RESOURCE: the custom resource that sets account-level S3 Block Public Access, when enabled. */
  public readonly s3BlockPublicAccess?: CustomResource;
  /** With CUSTOM_RESOURCE: the custom resource that turns on EBS encryption by default, when enabled. */
  public readonly ebsEncryptionByDefault?: CustomResource;
  /** With CUSTOM_RESOURCE: the custom resource that sets the IAM password policy, when enabled. */
  public readonly passwordPolicy?: CustomResource;

  constructor(scope: Construct, id: string, props: AccountGuardrailsProps = {}) {
    super(scope, id);
    // Typed in TypeScript, but free in JavaScript or YAML config, where revertOnDelete: "false" (a string)
    // would otherwise be truthy and turn the revert on.
    for (const prop of [
      'enableS3BlockPublicAccess',
      'enableEbsEncryptionByDefault',
      'enablePasswordPolicy',
      'revertOnDelete',
    ] as const) {
      requireBoolean(this, prop, props[prop]);
    }
    const revert = props.revertOnDelete ?? false;
    this.enforcement = props.enforcement ?? GuardrailEnforcement.CUSTOM_RESOURCE;
    // Typed in TypeScript, but free text in JavaScript or YAML config: a misspelt CONFIG_REMEDIATION
    // must not fall back to the Lambda-backed custom resources, which a StackSet template must not have.
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

    if (!(props.enablePasswordPolicy ?? true) && props.passwordPolicy !== undefined) {
      throw propError(this, 'passwordPolicy', 'unset when enablePasswordPolicy is false', 'a policy');
    }
    if (revert) {
      Annotations.of(this).addWarningV2(
        '@groundwork/security-baseline:revertOnDelete',
        'revertOnDelete is true: the settings are reverted (S3 Block Public Access off, EBS encryption by ' +
          'default off, password policy deleted) whenever CloudFormation deletes a guardrail custom resource, ' +
          'also in ordinary updates: a setting switched off, this construct moved or renamed, a switch to ' +
          'CONFIG_REMEDIATION, or the stack deleted while another stack still relies on the setting. Before any ' +
          'such change, deploy revertOnDelete: false on its own',
      );
    }
    const created = this.applyWithCustomResources(props, revert);
    this.s3BlockPublicAccess = created.s3;
    this.ebsEncryptionByDefault = created.ebs;
    this.passwordPolicy = created.password;
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
      // Switching with revertOnDelete still true in the same deployment is what reverts: CloudFormation
      // deletes the custom resources with the revert still configured.
      throw propError(
        this,
        'revertOnDelete',
        'false or unset with enforcement CONFIG_REMEDIATION. Switch in two deployments: first deploy ' +
          'revertOnDelete: false with enforcement CUSTOM_RESOURCE, then switch the enforcement; setting both ' +
          'in one deployment reverts the settings, because CloudFormation deletes the custom resources with ' +
          'the revert still configured',
        true,
      );
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
    // One template for every region (a StackSet): the password rule, its remediation and the permission to
    // run it exist only where AWS Config offers the rule.
    const passwordCondition = password && region === undefined ? ruleAvailableCondition(this, passwordRule) : undefined;
    // Each runbook reads the setting, writes it, then reads it back to verify
    // (Systems Manager Automation Runbook Reference, "Required IAM permissions").
    const passwordActions = password ? ['iam:GetAccountPasswordPolicy', 'iam:UpdateAccountPasswordPolicy'] : [];
    const actions = [
      ...(s3 ? ['s3:GetAccountPublicAccessBlock', 's3:PutAccountPublicAccessBlock'] : []),
      ...(ebs ? ['ec2:GetEbsEncryptionByDefault', 'ec2:EnableEbsEncryptionByDefault'] : []),
      ...(passwordCondition ? [] : passwordActions),
    ];
    const role = new iam.Role(this, 'RemediationRole', {
      description: 'Assumed by SSM Automation to re-apply the account guardrails when AWS Config finds them off',
      // Only SSM Automation runs started in this account (confused-deputy protection).
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:ssm:*:${stack.account}:automation-execution/*` },
      }),
    });
    // Managed policies rather than inline ones, so each can be reviewed and audited on its own.
    const remediationPolicy = (policyId: string, policyActions: string[]) => {
      const policy = new iam.ManagedPolicy(this, policyId, {
        description: 'Exactly the calls of the AWSConfigRemediation runbooks of the account guardrails',
        roles: [role],
        statements: [new iam.PolicyStatement({ actions: policyActions, resources: ['*'] })],
      });
      acknowledge(
        policy,
        'AwsSolutions-IAM5[Resource::*]',
        `${policyActions.join(', ')} act on the account and support no resource-level permissions (Service Authorization Reference), so IAM accepts only '*'.`,
      );
      return policy;
    };
    if (actions.length > 0) {
      remediationPolicy('RemediationPolicy', actions);
    }
    if (passwordCondition) {
      deployOnlyWhere(remediationPolicy('PasswordRemediationPolicy', passwordActions), passwordCondition);
      if (actions.length === 0) {
        // Nothing but the password runbook uses the role.
        deployOnlyWhere(role, passwordCondition);
      }
    }

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
      if (passwordCondition) {
        deployOnlyWhere(created.password, passwordCondition);
        deployOnlyWhere(this.remediations[this.remediations.length - 1], passwordCondition);
      }
    }
    return created;
  }

  /**
   * One Lambda function (inline code, see private/guardrail-handler.ts) and one custom resource per
   * enabled setting. The function's calls and settings are fixed in its code and environment; the
   * resources' properties only carry a copy, so that a changed setting updates the resource (and the
   * function applies it again).
   */
  private applyWithCustomResources(
    props: AccountGuardrailsProps,
    revert: boolean,
  ): { s3?: CustomResource; ebs?: CustomResource; password?: CustomResource } {
    const stack = Stack.of(this);
    const settings: { s3?: object; ebs?: boolean; password?: { [key: string]: number | boolean } } = {};
    if (props.enableS3BlockPublicAccess ?? true) {
      settings.s3 = {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      };
    }
    if (props.enableEbsEncryptionByDefault ?? true) {
      settings.ebs = true;
    }
    if (props.enablePasswordPolicy ?? true) {
      settings.password = updatePasswordPolicyParameters(
        resolvePasswordPolicy(this, 'passwordPolicy', props.passwordPolicy),
      );
    }
    const enabled = (Object.keys(GUARDRAIL_RESOURCE_TYPES) as GuardrailSetting[]).filter(
      (s) => settings[s] !== undefined,
    );
    if (enabled.length === 0) {
      return {};
    }

    // The function's log lines (request, setting, outcome) record when which setting was applied or
    // reverted, and every refused request: kept a year, encrypted with a customer managed key like every
    // other log group of the baseline.
    const logKey = new kms.Key(this, 'HandlerLogKey', {
      description: `Encrypts the logs of the account guardrails function of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    logKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          // The log group's name is generated, so it cannot be named here without a circular reference.
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    const logGroup = new logs.LogGroup(this, 'HandlerLogs', {
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: logKey,
      // Retained like every log group of the baseline, except after a failed first creation.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    // Logs, and with revertOnDelete the deletion check, for as long as the function exists: attached through
    // the role, so the function is created after it.
    const functionPolicy = new iam.ManagedPolicy(this, 'HandlerPolicy', {
      description: 'Account guardrails function: write its own logs; check a deletion before a revert',
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
        ...(revert
          ? [
              new iam.PolicyStatement({
                actions: ['cloudformation:DescribeStackResource'],
                resources: [stack.stackId],
              }),
            ]
          : []),
      ],
    });
    const role = new iam.Role(this, 'HandlerRole', {
      description: 'Account guardrails function: applies the fixed account settings of its stack',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [functionPolicy],
    });
    const handler = new lambda.Function(this, 'Handler', {
      // Not the construct path: Lambda allows 256 characters.
      description: 'Applies the account guardrails of its stack: fixed settings, reverted only on deletion',
      // Pinned rather than NODEJS_LATEST, so an aws-cdk-lib upgrade does not change the function unseen;
      // its AWS SDK for JavaScript v3 has every call the code makes.
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(GUARDRAIL_HANDLER_CODE),
      role,
      logGroup,
      // The function's deadline is this timeout less GUARDRAIL_RESPONSE_MARGIN_MS (10 s, to log and answer):
      // an SDK call still pending then is given up and the answer is FAILED. A denied call is retried for
      // at most 15 s (GUARDRAIL_RETRY_DELAYS_MS) within it.
      timeout: Duration.minutes(1),
      environment: {
        [GUARDRAIL_ENV.settings]: stack.toJsonString(settings),
        [GUARDRAIL_ENV.revert]: String(revert),
        [GUARDRAIL_ENV.stackId]: stack.stackId,
        [GUARDRAIL_ENV.accountId]: stack.account,
        [GUARDRAIL_ENV.owner]: this.node.addr,
      },
    });
    acknowledge(
      handler,
      'NIST.800.53.R5-LambdaConcurrency',
      'The account guardrails function runs only during CloudFormation deployments, a few invocations per deployment; reserving concurrency would take from the account pool for nothing.',
    );
    acknowledge(
      handler,
      'NIST.800.53.R5-LambdaDLQ',
      'The account guardrails function catches every error and reports it to CloudFormation itself (FAILED, shown in the stack events); an event in a dead-letter queue would never reach CloudFormation.',
    );
    acknowledge(
      handler,
      'NIST.800.53.R5-LambdaInsideVPC',
      'The account guardrails function only calls public AWS APIs (S3 Control, EC2, IAM, CloudFormation); the baseline deploys before any workload VPC exists.',
    );

    // S3 authorizes both PutPublicAccessBlock and DeletePublicAccessBlock on the account with
    // s3:PutAccountPublicAccessBlock (Amazon S3 User Guide, permissions related to account operations;
    // S3 API Reference, PutPublicAccessBlock of S3 Control).
    const actions: { [setting in GuardrailSetting]: string[] } = {
      s3: ['s3:PutAccountPublicAccessBlock'],
      ebs: ['ec2:EnableEbsEncryptionByDefault', ...(revert ? ['ec2:DisableEbsEncryptionByDefault'] : [])],
      password: ['iam:UpdateAccountPasswordPolicy', ...(revert ? ['iam:DeleteAccountPasswordPolicy'] : [])],
    };
    const ids: { [setting in GuardrailSetting]: string } = {
      s3: 'S3BlockPublicAccess',
      ebs: 'EbsEncryptionByDefault',
      password: 'PasswordPolicy',
    };
    const created: { [setting in GuardrailSetting]?: CustomResource } = {};
    for (const setting of enabled) {
      // One policy per setting, attached by the policy (not the role) and created before its resource:
      // CloudFormation deletes the policy after the resource, so a setting switched off with
      // revertOnDelete can still be reverted.
      const policy = new iam.ManagedPolicy(this, `${ids[setting]}Permissions`, {
        description: `Account guardrails function: exactly the calls of the ${ids[setting]} setting`,
        roles: [role],
        statements: [new iam.PolicyStatement({ actions: actions[setting], resources: ['*'] })],
      });
      acknowledge(
        policy,
        'AwsSolutions-IAM5[Resource::*]',
        `${actions[setting].join(', ')} act on the account and support no resource-level permissions (Service Authorization Reference), so IAM accepts only '*'.`,
      );
      const resource = new CustomResource(this, ids[setting], {
        serviceToken: handler.functionArn,
        resourceType: GUARDRAIL_RESOURCE_TYPES[setting],
        // Not read by the function (it applies its environment); here so that a change updates the resource.
        properties: { Settings: settings[setting] },
        // The function answers before its timeout (FAILED at its deadline); fail the deployment soon if it
        // somehow does not (the response PUT lost), rather than after CloudFormation's default hour.
        serviceTimeout: Duration.minutes(5),
      });
      resource.node.addDependency(policy);
      created[setting] = resource;
    }
    return created;
  }
}
