import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  ComplianceRules,
  GuardrailEnforcement,
  ManagedRule,
  SecurityBaseline,
  SecurityBaselineProps,
  SecurityEvent,
} from '../src';
import { ENV, findings, newStack } from './util';
import { GUARDRAIL_ENV, GUARDRAIL_RESOURCE_TYPES } from '../src/private/guardrail-handler';

function baseline(props?: SecurityBaselineProps): { app: App; stack: Stack; construct: SecurityBaseline } {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: ENV });
  const construct = new SecurityBaseline(stack, 'Baseline', props);
  return { app, stack, construct };
}

describe('SecurityBaseline defaults', () => {
  const { app, stack, construct } = baseline({ securityAlarms: { emailAddresses: ['sec@example.com'] } });
  const template = Template.fromStack(stack);

  test('every part is on and exposed', () => {
    expect(construct.auditTrail?.trail).toBeDefined();
    expect(construct.configRecorder?.recorder).toBeDefined();
    // All but iam-user-no-policies-check: the default recorder records no IAM users, so it would never evaluate.
    const rules = Object.values(ManagedRule).filter((r) => r !== ManagedRule.IAM_USER_NO_POLICIES_CHECK);
    expect(construct.complianceRules?.selectedRules).toEqual(rules);
    expect(construct.threatDetection?.detector).toBeDefined();
    expect(construct.accountGuardrails?.passwordPolicy).toBeDefined();
    expect(construct.securityAlarms?.topic).toBeDefined();
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.resourceCountIs('AWS::Config::ConfigurationRecorder', 1);
    template.resourceCountIs('AWS::Config::ConfigRule', rules.length);
    template.resourceCountIs('AWS::GuardDuty::Detector', 1);
    template.resourceCountIs('AWS::SecurityHub::Hub', 1);
    template.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 1);
    for (const type of Object.values(GUARDRAIL_RESOURCE_TYPES)) template.resourceCountIs(type, 1);
    template.resourceCountIs('AWS::CloudWatch::Alarm', Object.values(SecurityEvent).length);
  });

  test('alarms watch the trail log group', () => {
    const logGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup'))[0];
    // One filter per event, and AlertingChanges' two on the alert topic, its subscriptions and key.
    template.resourceCountIs('AWS::Logs::MetricFilter', Object.values(SecurityEvent).length + 2);
    for (const filter of Object.values(template.findResources('AWS::Logs::MetricFilter'))) {
      expect(filter.Properties.LogGroupName).toEqual({ Ref: logGroupId });
    }
  });

  // Setting the topic policy is a SetTopicAttributes call on the alert topic (AlertingChanges): on the first
  // deployment it is made before the trail records, so it cannot raise the alarm.
  test('the trail is created after the alert topic and its policy', () => {
    const [[, trail]] = Object.entries(template.findResources('AWS::CloudTrail::Trail'));
    const topicParts = [
      ...Object.keys(template.findResources('AWS::SNS::Topic')),
      ...Object.keys(template.findResources('AWS::SNS::TopicPolicy')),
    ];
    expect(topicParts).toHaveLength(2);
    expect(trail.DependsOn).toEqual(expect.arrayContaining(topicParts));
  });

  test('one shared access-log bucket for the trail and Config buckets', () => {
    template.resourceCountIs('AWS::S3::Bucket', 3);
    const accessLogs = construct.auditTrail!.accessLogsBucket!;
    expect(construct.configRecorder!.accessLogsBucket).toBe(accessLogs);
  });

  test('every bucket, key and log group is retained on delete and replacement (the log group not after a failed creation)', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      const resources = Object.entries(template.findResources(type));
      expect(resources.length).toBeGreaterThan(0);
      for (const [id, resource] of resources) {
        expect({ id, deletion: resource.DeletionPolicy, replace: resource.UpdateReplacePolicy }).toEqual({
          id,
          // The named log group is deleted when the stack's creation rolls back (see AuditTrail).
          deletion: type === 'AWS::Logs::LogGroup' ? 'RetainExceptOnCreate' : 'Retain',
          replace: 'Retain',
        });
      }
    }
    // Trail, Config delivery, alarm topic, and the guardrail function's logs.
    template.resourceCountIs('AWS::KMS::Key', 4);
    for (const key of Object.values(template.findResources('AWS::KMS::Key'))) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
    }
  });

  test('cdk-nag AwsSolutions and NIST 800-53 rev 5: no unacknowledged findings', () => {
    expect(findings(app)).toEqual([]);
  });

  test('acknowledgements are narrow: on single resources, never the stack or the baseline', () => {
    const acknowledged: { path: string; reasons: { [id: string]: string }[] }[] = [];
    for (const node of app.node.findAll()) {
      const entries = node.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
      if (entries.length > 0) {
        acknowledged.push({ path: node.node.path, reasons: entries.map((e) => e.data) });
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    const paths = acknowledged.map((a) => a.path);
    expect(paths).not.toContain('Test');
    expect(paths).not.toContain('Test/Baseline');
    for (const a of acknowledged) {
      for (const [id, reason] of a.reasons.flatMap((r) => Object.entries(r))) {
        // One rule (or one finding of a rule) per acknowledgement, with a reason that says why.
        expect(id).toMatch(/^Annotation::(AwsSolutions|NIST\.800\.53\.R5)-[A-Za-z0-9]+(\[[^\]]+\])?$/);
        expect(reason.length).toBeGreaterThan(60);
      }
    }
  });
});

describe('cdk-nag is really looking', () => {
  test('an unencrypted, unlogged bucket next to the baseline is reported', () => {
    const { app, stack } = baseline();
    new s3.Bucket(stack, 'Careless');
    const found = findings(app);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^AwsSolutions-S1 Test\/Careless/)]));
    expect(found.every((f) => f.includes('Test/Careless'))).toBe(true);
  });
});

describe('SecurityBaseline switches', () => {
  test('everything off creates nothing', () => {
    const stack = newStack();
    new SecurityBaseline(stack, 'Baseline', {
      enableAuditTrail: false,
      enableConfigRecorder: false,
      enableComplianceRules: false,
      enableThreatDetection: false,
      enableAccountGuardrails: false,
      enableSecurityAlarms: false,
    });
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
  });

  test('options reach the parts', () => {
    const { stack } = baseline({
      auditTrail: { cloudWatchLogsRetentionDays: 90 },
      configRecorder: { recordGlobalResources: true },
      complianceRules: { rules: [ManagedRule.ROOT_ACCOUNT_MFA_ENABLED] },
      threatDetection: { enableAccessAnalyzer: false },
      accountGuardrails: { enableEbsEncryptionByDefault: false, passwordPolicy: { minimumLength: 18 } },
      securityAlarms: { events: [SecurityEvent.ROOT_ACCOUNT_USAGE] },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
    });
    template.resourceCountIs('AWS::Config::ConfigRule', 1);
    template.resourceCountIs('AWS::AccessAnalyzer::Analyzer', 0);
    template.resourceCountIs(GUARDRAIL_RESOURCE_TYPES.s3, 1);
    template.resourceCountIs(GUARDRAIL_RESOURCE_TYPES.ebs, 0);
    template.resourceCountIs(GUARDRAIL_RESOURCE_TYPES.password, 1);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  });

  test('the password rule follows the guardrail password length', () => {
    const { stack } = baseline({ accountGuardrails: { passwordPolicy: { minimumLength: 18 } } });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'IAM_PASSWORD_POLICY' },
      InputParameters: { MinimumPasswordLength: '18' },
    });
  });

  test('the password rule checks exactly the policy the guardrails apply', () => {
    const { stack } = baseline({
      accountGuardrails: {
        passwordPolicy: { minimumLength: 16, maxAgeDays: 60, reusePrevention: 12, requireAllCharacterTypes: false },
      },
    });
    const template = Template.fromStack(stack);
    // What the guardrail function applies: its environment (fixed at synthesis).
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const applied = JSON.parse(fn.Properties.Environment.Variables[GUARDRAIL_ENV.settings]).password;
    const rules = Object.values(
      template.findResources('AWS::Config::ConfigRule', {
        Properties: { Source: { SourceIdentifier: 'IAM_PASSWORD_POLICY' } },
      }),
    );
    expect(rules).toHaveLength(1);
    // The rule has no parameter for AllowUsersToChangePassword; every other applied setting is checked.
    const { AllowUsersToChangePassword, ...checkable } = applied;
    expect(AllowUsersToChangePassword).toBe(true);
    expect(rules[0].Properties.InputParameters).toEqual(
      Object.fromEntries(Object.entries(checkable).map(([k, v]) => [k, String(v)])),
    );
    expect(rules[0].Properties.InputParameters).toEqual({
      MinimumPasswordLength: '16',
      MaxPasswordAge: '60',
      PasswordReusePrevention: '12',
      RequireSymbols: 'false',
      RequireNumbers: 'false',
      RequireUppercaseCharacters: 'false',
      RequireLowercaseCharacters: 'false',
    });
  });

  test('a policy without expiry or reuse prevention, which the password rule cannot check, gets no password rule', () => {
    const { stack, construct } = baseline({
      accountGuardrails: { passwordPolicy: { maxAgeDays: 0, reusePrevention: 0, requireAllCharacterTypes: false } },
    });
    const template = Template.fromStack(stack);
    expect(construct.complianceRules!.selectedRules).not.toContain(ManagedRule.IAM_PASSWORD_POLICY);
    // Nor iam-user-no-policies-check (the default recorder records no IAM users).
    template.resourceCountIs('AWS::Config::ConfigRule', Object.values(ManagedRule).length - 2);
    expect(
      template.findResources('AWS::Config::ConfigRule', {
        Properties: { Source: { SourceIdentifier: 'IAM_PASSWORD_POLICY' } },
      }),
    ).toEqual({});
    // The policy itself is still applied.
    expect(construct.accountGuardrails!.passwordPolicy).toBeDefined();
  });

  test('asking for the password rule with a policy it cannot check is an error', () => {
    expect(() =>
      baseline({
        accountGuardrails: { passwordPolicy: { maxAgeDays: 0 } },
        complianceRules: { rules: [ManagedRule.IAM_PASSWORD_POLICY] },
      }),
    ).toThrow(
      /^Test\/Baseline\/ComplianceRules: invalid passwordPolicy.maxAgeDays: expected an integer from 1 to 1095 while rules include iam-password-policy/,
    );
  });

  test('a length given in complianceRules still sets the rule length; the rest follows the guardrails', () => {
    const { stack } = baseline({
      accountGuardrails: { passwordPolicy: { maxAgeDays: 45 } },
      complianceRules: { minimumPasswordLength: 18 },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'IAM_PASSWORD_POLICY' },
      InputParameters: Match.objectLike({ MinimumPasswordLength: '18', MaxPasswordAge: '45' }),
    });
  });

  test('rules without a recorder in this stack have no dependency on one', () => {
    const { stack } = baseline({ enableConfigRecorder: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Config::ConfigurationRecorder', 0);
    const rules = Object.values(template.findResources('AWS::Config::ConfigRule'));
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.DependsOn ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/ConfigRecorder/)]));
    }
  });

  // From JavaScript or YAML config, "false" is a non-empty string: the part would be created, and its options
  // would pass the check for a part that is off.
  test.each([
    'enableAuditTrail',
    'enableConfigRecorder',
    'enableComplianceRules',
    'enableThreatDetection',
    'enableAccountGuardrails',
    'enableSecurityAlarms',
  ] as const)('rejects %s as the string "false"', (flag) => {
    expect(() => baseline({ [flag]: 'false' as unknown as boolean })).toThrow(
      new RegExp(`^Test/Baseline: invalid ${flag}: expected true, false or unset \\(a boolean\\), found "false"$`),
    );
  });

  test("the parts' switches are checked too, with the part's path", () => {
    expect(() => baseline({ threatDetection: { enableGuardDuty: 'no' as unknown as boolean } })).toThrow(
      /^Test\/Baseline\/ThreatDetection: invalid enableGuardDuty: expected true, false or unset \(a boolean\), found "no"$/,
    );
    expect(() => baseline({ securityAlarms: { notifyGuardDutyFindings: 'false' as unknown as boolean } })).toThrow(
      /^Test\/Baseline\/SecurityAlarms: invalid notifyGuardDutyFindings: expected true, false or unset/,
    );
    expect(() => baseline({ configRecorder: { recordGlobalResources: 'true' as unknown as boolean } })).toThrow(
      /^Test\/Baseline\/ConfigRecorder: invalid recordGlobalResources: expected true, false or unset/,
    );
  });

  test('the password rule options with remediating guardrails, which bring their own password rule, are errors', () => {
    for (const [option, value, found] of [
      ['minimumPasswordLength', 16, '16'],
      ['passwordPolicy', { minimumLength: 16 }, '\\{"minimumLength":16\\}'],
    ] as const) {
      expect(() =>
        baseline({
          accountGuardrails: { enforcement: GuardrailEnforcement.CONFIG_REMEDIATION },
          complianceRules: { [option]: value },
        }),
      ).toThrow(
        new RegExp(
          `^Test/Baseline: invalid complianceRules.${option}: expected unset with accountGuardrails.enforcement ` +
            'CONFIG_REMEDIATION \\(the guardrails bring their own iam-password-policy rule, which checks ' +
            `accountGuardrails.passwordPolicy\\), found ${found}$`,
        ),
      );
    }
  });

  test("without the password rule the guardrails' policy is not passed to the rules; a policy of the rules' own is refused", () => {
    // The IAM rules in one region per account (as the platform does elsewhere): the guardrails still apply a policy.
    const { construct } = baseline({
      complianceRules: { excludedRules: [...ComplianceRules.ACCOUNT_IAM_RULES] },
      accountGuardrails: { passwordPolicy: { minimumLength: 18 } },
    });
    expect(construct.complianceRules!.selectedRules).not.toContain(ManagedRule.IAM_PASSWORD_POLICY);
    expect(construct.accountGuardrails!.passwordPolicy).toBeDefined();
    expect(() =>
      baseline({ complianceRules: { rules: [ManagedRule.RESTRICTED_SSH], passwordPolicy: { minimumLength: 18 } } }),
    ).toThrow(
      /^Test\/Baseline\/ComplianceRules: invalid passwordPolicy: expected unset when rules leave out iam-password-policy \(it would do nothing\), found \{"minimumLength":18\}$/,
    );
  });

  test('rejects options for a part that is off', () => {
    expect(() => baseline({ enableThreatDetection: false, threatDetection: { enableGuardDuty: false } })).toThrow(
      /Test\/Baseline: invalid threatDetection: expected unset when enableThreatDetection is false, found options/,
    );
  });

  test('errors from the parts name their path', () => {
    expect(() => baseline({ auditTrail: { cloudWatchLogsRetentionDays: 2 } })).toThrow(
      /^Test\/Baseline\/AuditTrail: invalid cloudWatchLogsRetentionDays/,
    );
  });
});
