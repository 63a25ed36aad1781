import { IConstruct } from 'constructs';
import { propError, requireInteger } from './validation';
import { PasswordPolicyOptions } from '../account-guardrails';

/** A password policy with every default filled in and checked against the IAM limits. */
export interface ResolvedPasswordPolicy {
  readonly minimumLength: number;
  /** 0: passwords never expire. */
  readonly maxAgeDays: number;
  /** 0: no reuse prevention. */
  readonly reusePrevention: number;
  readonly requireAllCharacterTypes: boolean;
}

/**
 * The one place the password policy defaults live, so that the policy AccountGuardrails applies
 * and the policy the iam-password-policy rule checks cannot drift apart.
 */
export function resolvePasswordPolicy(
  scope: IConstruct,
  prop: string,
  options: PasswordPolicyOptions = {},
): ResolvedPasswordPolicy {
  const policy = {
    minimumLength: options.minimumLength ?? 14,
    maxAgeDays: options.maxAgeDays ?? 90,
    reusePrevention: options.reusePrevention ?? 24,
    requireAllCharacterTypes: options.requireAllCharacterTypes ?? true,
  };
  // Limits from the IAM API reference, UpdateAccountPasswordPolicy; 0 stands for leaving the
  // optional MaxPasswordAge / PasswordReusePrevention out of the call.
  requireInteger(scope, `${prop}.minimumLength`, policy.minimumLength, 6, 128);
  requireInteger(scope, `${prop}.maxAgeDays`, policy.maxAgeDays, 0, 1095);
  requireInteger(scope, `${prop}.reusePrevention`, policy.reusePrevention, 0, 24);
  return policy;
}

/** Parameters of IAM UpdateAccountPasswordPolicy, which the AWSConfigRemediation-SetIAMPasswordPolicy runbook shares. */
export function updatePasswordPolicyParameters(policy: ResolvedPasswordPolicy): { [key: string]: number | boolean } {
  const all = policy.requireAllCharacterTypes;
  return {
    MinimumPasswordLength: policy.minimumLength,
    RequireSymbols: all,
    RequireNumbers: all,
    RequireUppercaseCharacters: all,
    RequireLowercaseCharacters: all,
    AllowUsersToChangePassword: true,
    ...(policy.maxAgeDays > 0 ? { MaxPasswordAge: policy.maxAgeDays } : {}),
    ...(policy.reusePrevention > 0 ? { PasswordReusePrevention: policy.reusePrevention } : {}),
  };
}

/** A setting of the policy that the iam-password-policy managed rule cannot check. */
export interface UncheckableSetting {
  /** The PasswordPolicyOptions field. */
  readonly setting: string;
  readonly value: number;
  /** The values of the setting the rule can check. */
  readonly expected: string;
  /** What the policy goes without. */
  readonly missing: string;
}

/**
 * Settings of the policy that the iam-password-policy managed rule cannot check. Its parameters
 * MaxPasswordAge and PasswordReusePrevention are thresholds that default to 90 and 24 when left
 * out, and no value means "passwords never expire" or "reuse allowed" (AWS Config Developer Guide,
 * iam-password-policy): against such a policy the rule reports NON_COMPLIANT forever.
 * AllowUsersToChangePassword has no rule parameter either, but it is always true here.
 */
export function uncheckableByPasswordRule(policy: ResolvedPasswordPolicy): UncheckableSetting[] {
  const found: UncheckableSetting[] = [];
  if (policy.maxAgeDays === 0) {
    found.push({ setting: 'maxAgeDays', value: 0, expected: 'an integer from 1 to 1095', missing: 'password expiry' });
  }
  if (policy.reusePrevention === 0) {
    found.push({
      setting: 'reusePrevention',
      value: 0,
      expected: 'an integer from 1 to 24',
      missing: 'reuse prevention',
    });
  }
  return found;
}

/**
 * Rejects a policy the iam-password-policy rule cannot check, where that rule is to be created.
 * `context` says why the rule is there, `remedy` how to do without it.
 */
export function requireCheckableByPasswordRule(
  scope: IConstruct,
  prop: string,
  policy: ResolvedPasswordPolicy,
  context: string,
  remedy: string,
): void {
  const [first] = uncheckableByPasswordRule(policy);
  if (first) {
    throw propError(
      scope,
      `${prop}.${first.setting}`,
      `${first.expected} ${context}, since the AWS Config rule iam-password-policy cannot check a policy without ${first.missing} and would report it NON_COMPLIANT forever (${remedy})`,
      first.value,
    );
  }
}

/**
 * Input parameters of the iam-password-policy managed rule that check exactly the given policy.
 * The rule's booleans are case-sensitive strings: anything but "true" counts as false.
 */
export function passwordRuleParameters(policy: ResolvedPasswordPolicy): { [key: string]: string } {
  // The settings the policy call applies, as strings; the rule has no parameter for AllowUsersToChangePassword.
  // MaxPasswordAge and PasswordReusePrevention are left out only where uncheckableByPasswordRule already
  // stops the rule from being created.
  const { AllowUsersToChangePassword: _notChecked, ...checked } = updatePasswordPolicyParameters(policy);
  return Object.fromEntries(Object.entries(checked).map(([key, value]) => [key, String(value)]));
}
