import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import {
  AccountGuardrails,
  ComplianceRules,
  ConfigRecorder,
  GuardrailEnforcement,
  ManagedRule,
  SecurityBaseline,
} from '../src';
import { conditionHolds, stackIn } from './util';
import { GLOBAL_IAM_RECORDING_REGIONS, RULE_AVAILABILITY } from '../src/private/regions';

/** The rules of a template, by SourceIdentifier, with their condition (if any). */
function rulesOf(template: Template): Map<string, string | undefined> {
  return new Map(
    Object.values(template.findResources('AWS::Config::ConfigRule')).map((r) => [
      r.Properties.Source.SourceIdentifier,
      r.Condition,
    ]),
  );
}

const IAM_RULES = [
  ManagedRule.ROOT_ACCOUNT_MFA_ENABLED,
  ManagedRule.IAM_ROOT_ACCESS_KEY_CHECK,
  ManagedRule.MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS,
  ManagedRule.IAM_PASSWORD_POLICY,
  ManagedRule.ACCESS_KEYS_ROTATED,
  ManagedRule.IAM_USER_NO_POLICIES_CHECK,
];

describe('ComplianceRules in a region where AWS Config lacks some rules', () => {
  test('eu-south-1 (Milan): kms-cmk-not-scheduled-for-deletion is left out, with an info annotation', () => {
    const stack = stackIn('eu-south-1');
    const rules = new ComplianceRules(stack, 'Rules');
    const template = Template.fromStack(stack);
    expect(rulesOf(template).has('KMS_CMK_NOT_SCHEDULED_FOR_DELETION')).toBe(false);
    expect(rules.selectedRules).not.toContain(ManagedRule.KMS_CMK_NOT_SCHEDULED_FOR_DELETION);
    expect(rules.ruleFor(ManagedRule.KMS_CMK_NOT_SCHEDULED_FOR_DELETION)).toBeUndefined();
    // Milan records IAM: the IAM rules stay.
    expect(rulesOf(template).has('IAM_USER_NO_POLICIES_CHECK')).toBe(true);
    expect(rules.selectedRules).toHaveLength(Object.values(ManagedRule).length - 1);
    Annotations.fromStack(stack).hasInfo(
      '/Test/Rules',
      Match.stringLikeRegexp(
        '^left out in eu-south-1: kms-cmk-not-scheduled-for-deletion \\(AWS Config does not offer it there\\)$',
      ),
    );
  });

  test('eu-central-2 (Zurich): the IAM rules and iam-user-no-policies-check are left out', () => {
    const stack = stackIn('eu-central-2');
    const rules = new ComplianceRules(stack, 'Rules');
    const identifiers = rulesOf(Template.fromStack(stack));
    expect(identifiers.has('IAM_USER_NO_POLICIES_CHECK')).toBe(false);
    expect(identifiers.has('ROOT_ACCOUNT_MFA_ENABLED')).toBe(false);
    expect(rules.selectedRules.filter((r) => IAM_RULES.includes(r))).toEqual([]);
    // Rules Zurich has stay, without a condition: the region is known.
    expect(identifiers.get('KMS_CMK_NOT_SCHEDULED_FOR_DELETION')).toBeUndefined();
    expect(identifiers.has('KMS_CMK_NOT_SCHEDULED_FOR_DELETION')).toBe(true);
    expect(identifiers.has('INCOMING_SSH_DISABLED')).toBe(true);
    Annotations.fromStack(stack).hasInfo(
      '/Test/Rules',
      Match.stringLikeRegexp('left out in eu-central-2: .*iam-user-no-policies-check \\(it reports on IAM resources'),
    );
  });

  test('eu-west-1: every rule, no annotation', () => {
    const stack = stackIn('eu-west-1');
    const rules = new ComplianceRules(stack, 'Rules');
    expect(rules.selectedRules).toEqual(Object.values(ManagedRule));
    expect(Annotations.fromStack(stack).findInfo('*', Match.anyValue())).toEqual([]);
  });

  test('a rule listed explicitly where AWS Config does not offer it is an error naming rule and region', () => {
    expect(
      () =>
        new ComplianceRules(stackIn('eu-south-1'), 'Rules', {
          rules: [ManagedRule.RESTRICTED_SSH, ManagedRule.KMS_CMK_NOT_SCHEDULED_FOR_DELETION],
        }),
    ).toThrow(
      /^Test\/Rules: invalid rules: expected rules AWS Config offers in eu-south-1; it does not offer kms-cmk-not-scheduled-for-deletion \(AWS Config does not offer it there\), found \["kms-cmk-not-scheduled-for-deletion"\]$/,
    );
    expect(
      () =>
        new ComplianceRules(stackIn('ap-southeast-4'), 'Rules', { rules: [ManagedRule.IAM_USER_NO_POLICIES_CHECK] }),
    ).toThrow(
      /invalid rules: expected rules AWS Config offers in ap-southeast-4; it does not offer iam-user-no-policies-check/,
    );
  });

  test('the table names only rules of the package and regions the conditions can test', () => {
    for (const rule of Object.keys(RULE_AVAILABILITY)) {
      expect(Object.values(ManagedRule)).toContain(rule);
    }
    for (const availability of Object.values(RULE_AVAILABILITY)) {
      for (const region of [...(availability.only ?? []), ...(availability.except ?? [])]) {
        expect(region).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
      }
    }
  });
});

describe('ComplianceRules in a stack whose region is unknown at synthesis (one template for every region)', () => {
  const stack = stackIn(undefined);
  const rules = new ComplianceRules(stack, 'Rules');
  const template = Template.fromStack(stack);
  const json = template.toJSON();
  const rulesByIdentifier = rulesOf(template);

  test('every rule is in the template; rules available everywhere have no condition', () => {
    expect(rules.selectedRules).toEqual(Object.values(ManagedRule));
    expect(rulesByIdentifier.size).toBe(Object.values(ManagedRule).length);
    expect(rulesByIdentifier.get('INCOMING_SSH_DISABLED')).toBeUndefined();
    expect(rulesByIdentifier.get('S3_BUCKET_SSL_REQUESTS_ONLY')).toBeUndefined();
  });

  test.each([
    ['KMS_CMK_NOT_SCHEDULED_FOR_DELETION', 'eu-west-1', true],
    ['KMS_CMK_NOT_SCHEDULED_FOR_DELETION', 'eu-south-1', false],
    ['KMS_CMK_NOT_SCHEDULED_FOR_DELETION', 'ap-east-2', false],
    ['IAM_USER_NO_POLICIES_CHECK', 'eu-west-1', true],
    ['IAM_USER_NO_POLICIES_CHECK', 'us-west-2', true],
    ['IAM_USER_NO_POLICIES_CHECK', 'eu-central-2', false],
    ['ROOT_ACCOUNT_MFA_ENABLED', 'il-central-1', false],
    ['CLOUDFORMATION_STACK_DRIFT_DETECTION_CHECK', 'eu-south-2', false],
    ['CLOUDFORMATION_STACK_DRIFT_DETECTION_CHECK', 'eu-central-1', true],
    ['GUARDDUTY_ENABLED_CENTRALIZED', 'mx-central-1', false],
  ])('%s exists in %s: %s', (identifier, region, exists) => {
    const condition = rulesByIdentifier.get(identifier);
    expect(condition).toBeDefined();
    expect(conditionHolds(json, condition!, region)).toBe(exists);
  });

  test('the IAM rules exist exactly where AWS Config records IAM (nested Fn::Or: at most 10 conditions each)', () => {
    const condition = rulesByIdentifier.get('ACCESS_KEYS_ROTATED')!;
    for (const region of GLOBAL_IAM_RECORDING_REGIONS) {
      expect({ region, holds: conditionHolds(json, condition, region) }).toEqual({ region, holds: true });
    }
    for (const region of ['me-central-1', 'ap-south-2', 'ca-west-1', 'ap-southeast-6', 'a-region-of-2030-1']) {
      expect({ region, holds: conditionHolds(json, condition, region) }).toEqual({ region, holds: false });
    }
    expect(JSON.stringify(json.Conditions)).toContain('"Fn::Or"');
    const walk = (v: any): void => {
      if (Array.isArray(v)) {
        v.forEach(walk);
      } else if (v && typeof v === 'object') {
        for (const [k, arg] of Object.entries(v)) {
          if (k === 'Fn::Or') expect((arg as any[]).length).toBeLessThanOrEqual(10);
          walk(arg);
        }
      }
    };
    walk(json.Conditions);
  });

  test('one condition per rule of the table, named after it; the IAM rules share one', () => {
    const iam = [
      ...new Set(
        [
          'ROOT_ACCOUNT_MFA_ENABLED',
          'IAM_ROOT_ACCESS_KEY_CHECK',
          'MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS',
          'IAM_PASSWORD_POLICY',
          'ACCESS_KEYS_ROTATED',
          'IAM_USER_NO_POLICIES_CHECK',
        ].map((id) => rulesByIdentifier.get(id)),
      ),
    ];
    expect(iam).toEqual(['GlobalIamRecordingRegion']);
    expect(Object.keys(json.Conditions).sort()).toEqual([
      'ConfigRuleCloudformationStackDriftDetectionCheckAvailable',
      'ConfigRuleEncryptedVolumesAvailable',
      'ConfigRuleGuarddutyEnabledCentralizedAvailable',
      'ConfigRuleKmsCmkNotScheduledForDeletionAvailable',
      'ConfigRuleRdsStorageEncryptedAvailable',
      'GlobalIamRecordingRegion',
    ]);
  });

  test('the drift rule and its role share the condition', () => {
    const condition = rulesByIdentifier.get('CLOUDFORMATION_STACK_DRIFT_DETECTION_CHECK');
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) expect(role.Condition).toBe(condition);
  });
});

describe('excludedRules', () => {
  test('leaves rules out of the default set', () => {
    const stack = stackIn('eu-west-1');
    const rules = new ComplianceRules(stack, 'Rules', { excludedRules: [ManagedRule.RDS_STORAGE_ENCRYPTED] });
    expect(rules.selectedRules).toEqual(
      Object.values(ManagedRule).filter((r) => r !== ManagedRule.RDS_STORAGE_ENCRYPTED),
    );
    expect(rulesOf(Template.fromStack(stack)).has('RDS_STORAGE_ENCRYPTED')).toBe(false);
  });

  test('only without rules, known and distinct', () => {
    expect(
      () =>
        new ComplianceRules(stackIn('eu-west-1'), 'Rules', {
          rules: [ManagedRule.RESTRICTED_SSH],
          excludedRules: [ManagedRule.RDS_STORAGE_ENCRYPTED],
        }),
    ).toThrow(/^Test\/Rules: invalid rules\/excludedRules: expected at most one of the two, found "both"$/);
    expect(
      () => new ComplianceRules(stackIn('eu-west-1'), 'Rules', { excludedRules: ['nope' as ManagedRule] }),
    ).toThrow(/^Test\/Rules: invalid excludedRules\[0\]: expected one of encrypted-volumes/);
  });
});

describe('ConfigRecorder and the regions that record IAM', () => {
  test('canRecordGlobalResources: regions AWS Config served before February 2022 only', () => {
    expect(ConfigRecorder.canRecordGlobalResources('eu-west-1')).toBe(true);
    expect(ConfigRecorder.canRecordGlobalResources('ap-southeast-3')).toBe(true);
    for (const later of ['eu-central-2', 'eu-south-2', 'me-central-1', 'il-central-1', 'ca-west-1', 'mx-central-1']) {
      expect({ later, can: ConfigRecorder.canRecordGlobalResources(later) }).toEqual({ later, can: false });
    }
  });

  test('recordGlobalResources: true where AWS Config cannot record IAM is an error', () => {
    expect(() => new ConfigRecorder(stackIn('eu-central-2'), 'Config', { recordGlobalResources: true })).toThrow(
      /^Test\/Config: invalid recordGlobalResources: expected false in eu-central-2, where AWS Config cannot record IAM resources \(it records them only in the regions it served before February 2022: af-south-1, .*\); record them from a stack in one of those, found true$/,
    );
    // false there, true in a region that can, and an unknown region are fine.
    new ConfigRecorder(stackIn('eu-central-2'), 'Config', { recordGlobalResources: false });
    new ConfigRecorder(stackIn('eu-west-1'), 'Config', { recordGlobalResources: true });
    new ConfigRecorder(stackIn(undefined), 'Config', { recordGlobalResources: true });
  });
});

describe('AccountGuardrails CONFIG_REMEDIATION and the iam-password-policy rule', () => {
  const remediating = { enforcement: GuardrailEnforcement.CONFIG_REMEDIATION };

  test('in a region without the rule: no password rule or remediation, a warning; the other guardrails stay', () => {
    const stack = stackIn('eu-central-2');
    const guardrails = new AccountGuardrails(stack, 'Guardrails', remediating);
    const template = Template.fromStack(stack);
    expect([...rulesOf(template).keys()].sort()).toEqual([
      'EC2_EBS_ENCRYPTION_BY_DEFAULT',
      'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC',
    ]);
    expect(guardrails.passwordPolicyRule).toBeUndefined();
    expect(guardrails.remediations).toHaveLength(2);
    const actions = JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(actions).not.toContain('iam:UpdateAccountPasswordPolicy');
    Annotations.fromStack(stack).hasWarning(
      '/Test/Guardrails',
      Match.stringLikeRegexp(
        'the IAM password policy is not applied by this stack: AWS Config has no iam-password-policy rule in eu-central-2',
      ),
    );
  });

  test('asked for explicitly there: an error naming the region', () => {
    expect(
      () =>
        new AccountGuardrails(stackIn('eu-central-2'), 'Guardrails', { ...remediating, enablePasswordPolicy: true }),
    ).toThrow(
      /^Test\/Guardrails: invalid enablePasswordPolicy: expected false, or enforcement CUSTOM_RESOURCE, in eu-central-2: AWS Config has no iam-password-policy rule in eu-central-2 .*, found true$/,
    );
  });

  test('region unknown at synthesis: the rule and its remediation only where AWS Config offers the rule', () => {
    const stack = stackIn(undefined);
    new AccountGuardrails(stack, 'Guardrails', remediating);
    const json = Template.fromStack(stack).toJSON();
    const [ruleEntry] = Object.entries<any>(json.Resources).filter(
      ([, r]) => r.Type === 'AWS::Config::ConfigRule' && r.Properties.Source.SourceIdentifier === 'IAM_PASSWORD_POLICY',
    );
    const [, remediation] = Object.entries<any>(json.Resources).find(
      ([, r]) =>
        r.Type === 'AWS::Config::RemediationConfiguration' && r.Properties.TargetId.endsWith('SetIAMPasswordPolicy'),
    )!;
    const condition = ruleEntry[1].Condition;
    expect(condition).toBeDefined();
    expect(remediation.Condition).toBe(condition);
    expect(conditionHolds(json, condition, 'eu-west-1')).toBe(true);
    expect(conditionHolds(json, condition, 'eu-central-2')).toBe(false);
    // The other guardrails everywhere.
    const others = Object.values<any>(json.Resources).filter(
      (r) => r.Type === 'AWS::Config::ConfigRule' && r.Properties.Source.SourceIdentifier !== 'IAM_PASSWORD_POLICY',
    );
    expect(others).toHaveLength(2);
    for (const r of others) expect(r.Condition).toBeUndefined();
  });

  /** Per region: the actions the remediation role gets there, after the template's conditions. */
  function remediationActionsIn(json: any, region: string): string[] {
    return Object.values<any>(json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')
      .filter((r) => r.Condition === undefined || conditionHolds(json, r.Condition, region))
      .flatMap((r) => r.Properties.PolicyDocument.Statement.flatMap((st: any) => [st.Action].flat()));
  }

  test('region unknown at synthesis: the password permission only where the password rule and its remediation are', () => {
    const stack = stackIn(undefined);
    new AccountGuardrails(stack, 'Guardrails', remediating);
    const json = Template.fromStack(stack).toJSON();
    const [, passwordRemediation] = Object.entries<any>(json.Resources).find(
      ([, r]) =>
        r.Type === 'AWS::Config::RemediationConfiguration' && r.Properties.TargetId.endsWith('SetIAMPasswordPolicy'),
    )!;
    const passwordPolicies = Object.values<any>(json.Resources).filter(
      (r) => r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r).includes('iam:'),
    );
    expect(passwordPolicies).toHaveLength(1);
    expect(passwordPolicies[0].Condition).toBe(passwordRemediation.Condition);
    expect(passwordPolicies[0].Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['iam:GetAccountPasswordPolicy', 'iam:UpdateAccountPasswordPolicy'], Resource: '*' },
    ]);
    const s3AndEbs = [
      's3:GetAccountPublicAccessBlock',
      's3:PutAccountPublicAccessBlock',
      'ec2:GetEbsEncryptionByDefault',
      'ec2:EnableEbsEncryptionByDefault',
    ];
    expect(remediationActionsIn(json, 'eu-west-1')).toEqual([
      ...s3AndEbs,
      'iam:GetAccountPasswordPolicy',
      'iam:UpdateAccountPasswordPolicy',
    ]);
    expect(remediationActionsIn(json, 'eu-central-2')).toEqual(s3AndEbs);
  });

  test('region unknown, the password policy alone: the role and its permission exist only where the rule does', () => {
    const stack = stackIn(undefined);
    new AccountGuardrails(stack, 'Guardrails', {
      ...remediating,
      enableS3BlockPublicAccess: false,
      enableEbsEncryptionByDefault: false,
    });
    const json = Template.fromStack(stack).toJSON();
    const conditions = Object.values<any>(json.Resources).map((r) => r.Condition);
    // Rule, remediation, role, policy: nothing is left where AWS Config has no iam-password-policy rule.
    expect(conditions).toHaveLength(4);
    expect(new Set(conditions).size).toBe(1);
    expect(conditionHolds(json, conditions[0], 'eu-west-1')).toBe(true);
    expect(conditionHolds(json, conditions[0], 'eu-central-2')).toBe(false);
    expect(remediationActionsIn(json, 'eu-central-2')).toEqual([]);
  });

  test('a known region with the rule keeps one unconditional policy', () => {
    const json = Template.fromStack(
      (() => {
        const stack = stackIn('eu-west-1');
        new AccountGuardrails(stack, 'Guardrails', remediating);
        return stack;
      })(),
    ).toJSON();
    const policies = Object.values<any>(json.Resources).filter((r) => r.Type === 'AWS::IAM::ManagedPolicy');
    expect(policies).toHaveLength(1);
    expect(policies[0].Condition).toBeUndefined();
    expect(json.Conditions).toBeUndefined();
  });
});

describe('SecurityBaseline in a StackSet-style template', () => {
  test('the compliance rules and the guardrails share one condition for iam-password-policy', () => {
    const stack = stackIn(undefined);
    new SecurityBaseline(stack, 'Baseline', {
      accountGuardrails: { enforcement: GuardrailEnforcement.CONFIG_REMEDIATION },
    });
    const json = Template.fromStack(stack).toJSON();
    expect(Object.keys(json.Conditions)).toEqual(
      expect.arrayContaining(['GlobalIamRecordingRegion', 'ConfigRuleKmsCmkNotScheduledForDeletionAvailable']),
    );
    // The guardrails bring the password rule; the compliance rules leave it out (no rule twice).
    const passwordRules = Object.values<any>(json.Resources).filter(
      (r) => r.Type === 'AWS::Config::ConfigRule' && r.Properties.Source.SourceIdentifier === 'IAM_PASSWORD_POLICY',
    );
    expect(passwordRules).toHaveLength(1);
    expect(passwordRules[0].Condition).toBe('GlobalIamRecordingRegion');
  });
});
