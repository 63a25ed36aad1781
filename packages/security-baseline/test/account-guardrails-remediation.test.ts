import { App, Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccountGuardrails, ConfigRecorder, GuardrailEnforcement, ManagedRule, SecurityBaseline } from '../src';
import { ENV, findings, newStack } from './util';
import { GUARDRAIL_RESOURCE_TYPES } from '../src/private/guardrail-handler';

const REMEDIATION = { enforcement: GuardrailEnforcement.CONFIG_REMEDIATION };

function staticValue(value: string) {
  return { StaticValue: { Values: [value] } };
}

describe('AccountGuardrails with CONFIG_REMEDIATION', () => {
  const stack = newStack();
  const guardrails = new AccountGuardrails(stack, 'Guardrails', REMEDIATION);
  const template = Template.fromStack(stack);
  const roleRef = { 'Fn::GetAtt': [stack.getLogicalId(guardrails.remediationRole!.node.defaultChild as any), 'Arn'] };

  test('no Lambda function, no custom resource, no asset', () => {
    template.resourceCountIs('AWS::Lambda::Function', 0);
    for (const type of Object.values(GUARDRAIL_RESOURCE_TYPES)) template.resourceCountIs(type, 0);
    const assembly = stack.node.root as App;
    const artifact = assembly.synth().getStackArtifact(stack.artifactId);
    expect(artifact.assets).toEqual([]);
  });

  test('one managed rule per setting, each remediated automatically by its AWS-owned runbook', () => {
    template.resourceCountIs('AWS::Config::ConfigRule', 3);
    template.resourceCountIs('AWS::Config::RemediationConfiguration', 3);
    for (const [identifier, document] of [
      ['S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC', 'AWSConfigRemediation-ConfigureS3PublicAccessBlock'],
      ['EC2_EBS_ENCRYPTION_BY_DEFAULT', 'AWSConfigRemediation-EnableEbsEncryptionByDefault'],
      ['IAM_PASSWORD_POLICY', 'AWSConfigRemediation-SetIAMPasswordPolicy'],
    ]) {
      const rules = template.findResources('AWS::Config::ConfigRule', {
        Properties: { Source: { Owner: 'AWS', SourceIdentifier: identifier } },
      });
      const ruleIds = Object.keys(rules);
      expect(ruleIds).toHaveLength(1);
      template.hasResourceProperties('AWS::Config::RemediationConfiguration', {
        ConfigRuleName: { Ref: ruleIds[0] },
        TargetType: 'SSM_DOCUMENT',
        TargetId: document,
        Automatic: true,
        MaximumAutomaticAttempts: 5,
        RetryAttemptSeconds: 60,
        Parameters: Match.objectLike({ AutomationAssumeRole: staticValue(roleRef as any) }),
      });
    }
  });

  test('the remediations set every Block Public Access setting and the full password policy', () => {
    template.hasResourceProperties('AWS::Config::RemediationConfiguration', {
      TargetId: 'AWSConfigRemediation-ConfigureS3PublicAccessBlock',
      Parameters: Match.objectLike({
        AccountId: staticValue('111122223333'),
        BlockPublicAcls: staticValue('true'),
        IgnorePublicAcls: staticValue('true'),
        BlockPublicPolicy: staticValue('true'),
        RestrictPublicBuckets: staticValue('true'),
      }),
    });
    template.hasResourceProperties('AWS::Config::RemediationConfiguration', {
      TargetId: 'AWSConfigRemediation-SetIAMPasswordPolicy',
      Parameters: Match.objectLike({
        MinimumPasswordLength: staticValue('14'),
        RequireSymbols: staticValue('true'),
        RequireNumbers: staticValue('true'),
        RequireUppercaseCharacters: staticValue('true'),
        RequireLowercaseCharacters: staticValue('true'),
        AllowUsersToChangePassword: staticValue('true'),
        MaxPasswordAge: staticValue('90'),
        PasswordReusePrevention: staticValue('24'),
      }),
    });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'IAM_PASSWORD_POLICY' },
      InputParameters: {
        MinimumPasswordLength: '14',
        RequireSymbols: 'true',
        MaxPasswordAge: '90',
        PasswordReusePrevention: '24',
      },
    });
  });

  test('the password rule checks exactly the policy the runbook sets', () => {
    const s = newStack();
    new AccountGuardrails(s, 'Guardrails', {
      ...REMEDIATION,
      passwordPolicy: { minimumLength: 20, maxAgeDays: 30, reusePrevention: 5, requireAllCharacterTypes: false },
    });
    const t = Template.fromStack(s);
    const runbook = Object.values(
      t.findResources('AWS::Config::RemediationConfiguration', {
        Properties: { TargetId: 'AWSConfigRemediation-SetIAMPasswordPolicy' },
      }),
    )[0].Properties.Parameters;
    const rule = Object.values(
      t.findResources('AWS::Config::ConfigRule', {
        Properties: { Source: { SourceIdentifier: 'IAM_PASSWORD_POLICY' } },
      }),
    )[0].Properties.InputParameters;
    const { AutomationAssumeRole, AllowUsersToChangePassword, ...set } = runbook;
    expect(AutomationAssumeRole).toBeDefined();
    expect(AllowUsersToChangePassword).toEqual(staticValue('true'));
    expect(rule).toEqual(
      Object.fromEntries(Object.entries(set).map(([k, v]: [string, any]) => [k, v.StaticValue.Values[0]])),
    );
    expect(rule).toEqual({
      MinimumPasswordLength: '20',
      MaxPasswordAge: '30',
      PasswordReusePrevention: '5',
      RequireSymbols: 'false',
      RequireNumbers: 'false',
      RequireUppercaseCharacters: 'false',
      RequireLowercaseCharacters: 'false',
    });
  });

  test('rejects a password policy the rule cannot check, which would stay NON_COMPLIANT forever', () => {
    expect(() => new AccountGuardrails(newStack(), 'G', { ...REMEDIATION, passwordPolicy: { maxAgeDays: 0 } })).toThrow(
      /^Test\/G: invalid passwordPolicy.maxAgeDays: expected an integer from 1 to 1095 with enforcement CONFIG_REMEDIATION, since the AWS Config rule iam-password-policy cannot check a policy without password expiry .*found 0$/,
    );
    expect(
      () => new AccountGuardrails(newStack(), 'G', { ...REMEDIATION, passwordPolicy: { reusePrevention: 0 } }),
    ).toThrow(
      /^Test\/G: invalid passwordPolicy.reusePrevention: expected an integer from 1 to 24 with enforcement CONFIG_REMEDIATION, since .*without reuse prevention .*found 0$/,
    );
  });

  test('the automation role: assumed only by SSM Automation of this account, allowed exactly the runbook calls', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'ssm.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111122223333' },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:*:111122223333:automation-execution/*']],
                },
              },
            },
          }),
        ],
      },
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Resource: '*',
        Action: [
          's3:GetAccountPublicAccessBlock',
          's3:PutAccountPublicAccessBlock',
          'ec2:GetEbsEncryptionByDefault',
          'ec2:EnableEbsEncryptionByDefault',
          'iam:GetAccountPasswordPolicy',
          'iam:UpdateAccountPasswordPolicy',
        ],
      },
    ]);
  });

  test('a switched-off setting gets no rule, no remediation and no permission', () => {
    const s = newStack();
    new AccountGuardrails(s, 'Guardrails', { ...REMEDIATION, enablePasswordPolicy: false });
    const t = Template.fromStack(s);
    t.resourceCountIs('AWS::Config::RemediationConfiguration', 2);
    const actions = Object.values(t.findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument.Statement[0]
      .Action;
    expect(actions.filter((a: string) => a.startsWith('iam:'))).toEqual([]);
  });

  test('rules are created after the recorder when one is given', () => {
    const s = newStack();
    const recorder = new ConfigRecorder(s, 'Recorder');
    new AccountGuardrails(s, 'Guardrails', { ...REMEDIATION, recorder });
    const recorderId = s.getLogicalId(recorder.recorder);
    const rules = Template.fromStack(s).findResources('AWS::Config::ConfigRule');
    expect(Object.keys(rules)).toHaveLength(3);
    for (const rule of Object.values(rules)) expect(rule.DependsOn).toContain(recorderId);
  });

  test('zero unacknowledged AwsSolutions and NIST 800-53 rev 5 findings', () => {
    expect(findings(stack)).toEqual([]);
  });

  test('invalid props are rejected with the construct path, prop, expected and found', () => {
    // Two steps: setting revertOnDelete false in the deployment that switches would revert the settings.
    expect(() => new AccountGuardrails(newStack(), 'G', { ...REMEDIATION, revertOnDelete: true })).toThrow(
      'Test/G: invalid revertOnDelete: expected false or unset with enforcement CONFIG_REMEDIATION. Switch in two ' +
        'deployments: first deploy revertOnDelete: false with enforcement CUSTOM_RESOURCE, then switch the ' +
        'enforcement; setting both in one deployment reverts the settings, because CloudFormation deletes the ' +
        'custom resources with the revert still configured, found true',
    );
    expect(() => new AccountGuardrails(newStack(), 'G', { ...REMEDIATION, remediationAttempts: 26 })).toThrow(
      'Test/G: invalid remediationAttempts: expected an integer from 1 to 25, found 26',
    );
    expect(() => new AccountGuardrails(newStack(), 'G', { ...REMEDIATION, remediationRetrySeconds: 0 })).toThrow(
      'Test/G: invalid remediationRetrySeconds: expected an integer from 1 to 2678000, found 0',
    );
    expect(
      () =>
        new AccountGuardrails(newStack(), 'G', {
          ...REMEDIATION,
          enablePasswordPolicy: false,
          passwordPolicy: { minimumLength: 20 },
        }),
    ).toThrow('Test/G: invalid passwordPolicy: expected unset when enablePasswordPolicy is false');
    expect(() => new AccountGuardrails(newStack(), 'G', { remediationAttempts: 3 })).toThrow(
      'Test/G: invalid remediationAttempts: expected unset unless enforcement is CONFIG_REMEDIATION',
    );
  });

  // Free text in JavaScript or YAML config: a misspelt CONFIG_REMEDIATION must not fall back to the
  // Lambda-backed custom resources, whose asset bucket a StackSet instance does not have.
  test('a misspelt enforcement is an error, not the custom resources', () => {
    const typo = { enforcement: 'CONFIG_REMEDIATON' as GuardrailEnforcement };
    expect(() => new AccountGuardrails(newStack(), 'G', typo)).toThrow(
      /^Test\/G: invalid enforcement: expected one of CUSTOM_RESOURCE, CONFIG_REMEDIATION, found "CONFIG_REMEDIATON"$/,
    );
    expect(() => new SecurityBaseline(newStack(), 'Baseline', { accountGuardrails: typo })).toThrow(
      /^Test\/Baseline\/AccountGuardrails: invalid enforcement: expected one of CUSTOM_RESOURCE, CONFIG_REMEDIATION, found "CONFIG_REMEDIATON"$/,
    );
  });

  test('an enforcement known only at deployment is an error: it decides which resources are created', () => {
    const deployTime = { enforcement: Lazy.string({ produce: () => 'CONFIG_REMEDIATION' }) as GuardrailEnforcement };
    expect(() => new AccountGuardrails(newStack(), 'G', deployTime)).toThrow(
      /^Test\/G: invalid enforcement: expected one of CUSTOM_RESOURCE, CONFIG_REMEDIATION, known at synthesis \(it decides the resources\), found /,
    );
  });
});

describe('SecurityBaseline with remediating guardrails', () => {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: ENV });
  const baseline = new SecurityBaseline(stack, 'Baseline', { accountGuardrails: REMEDIATION });
  const template = Template.fromStack(stack);

  test('no Lambda function and no asset anywhere in the baseline', () => {
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(app.synth().getStackArtifact(stack.artifactId).assets).toEqual([]);
  });

  test('the guardrail rules are not duplicated by the compliance rules, and wait for the recorder', () => {
    expect(baseline.complianceRules!.selectedRules).not.toContain(ManagedRule.IAM_PASSWORD_POLICY);
    expect(baseline.complianceRules!.selectedRules).not.toContain(ManagedRule.EBS_ENCRYPTION_BY_DEFAULT);
    expect(baseline.complianceRules!.selectedRules).not.toContain(ManagedRule.S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS);
    for (const identifier of ['IAM_PASSWORD_POLICY', 'EC2_EBS_ENCRYPTION_BY_DEFAULT']) {
      const rules = Object.values(
        template.findResources('AWS::Config::ConfigRule', { Properties: { Source: { SourceIdentifier: identifier } } }),
      );
      expect(rules).toHaveLength(1);
      expect(rules[0].DependsOn).toContain(stack.getLogicalId(baseline.configRecorder!.recorder));
    }
    // The three guardrail rules stand in for theirs; iam-user-no-policies-check is left out (the default
    // recorder records no IAM users, so it would never evaluate).
    template.resourceCountIs('AWS::Config::ConfigRule', Object.values(ManagedRule).length - 1);
  });

  test('zero unacknowledged AwsSolutions and NIST 800-53 rev 5 findings', () => {
    expect(findings(stack)).toEqual([]);
  });
});
