import { CfnCondition, Fn } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ComplianceRules, ConfigRecorder, ManagedRule, SnapshotFrequency } from '../src';
import { newStack, stackIn } from './util';

describe('ConfigRecorder defaults', () => {
  const stack = newStack();
  new ConfigRecorder(stack, 'Config');
  const template = Template.fromStack(stack);

  test('records all supported resource types, not global ones', () => {
    template.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: false },
      RoleARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConfigRole'), 'Arn'] },
    });
  });

  test('role uses the AWS_ConfigRole managed policy; only Config acting for this account assumes it', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        // AWS Config Developer Guide, "Permissions for the IAM Role Assigned to AWS Config": the
        // AWS:SourceAccount condition keeps Config from assuming the role for another account.
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'config.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
          },
        ],
      },
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWS_ConfigRole']] },
      ],
    });
  });

  test('delivery channel: KMS key, daily snapshots, after the recorder and bucket policy', () => {
    template.hasResource('AWS::Config::DeliveryChannel', {
      Properties: {
        S3BucketName: { Ref: Match.stringLikeRegexp('^ConfigBucket') },
        S3KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConfigKey'), 'Arn'] },
        ConfigSnapshotDeliveryProperties: { DeliveryFrequency: 'TwentyFour_Hours' },
      },
      DependsOn: Match.arrayWith([
        Match.stringLikeRegexp('^ConfigBucketPolicy'),
        Match.stringLikeRegexp('^Config[0-9A-F]{8}$'),
      ]),
    });
  });

  test('delivery bucket: KMS, versioned, no public access, TLS only, access logs, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'config/' },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^ConfigBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Sid: 'AWSConfigBucketDelivery',
            Principal: { Service: 'config.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111122223333', 's3:x-amz-acl': 'bucket-owner-full-control' },
            },
          }),
        ]),
      },
    });
  });

  test('key: rotation on, retained, grants only Config delivery besides the account', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: [
            Match.objectLike({ Action: 'kms:*', Principal: { AWS: Match.anyValue() } }),
            {
              Sid: 'AllowConfigServiceDelivery',
              Effect: 'Allow',
              Principal: { Service: 'config.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
            },
            {
              Sid: 'AllowConfigRoleDelivery',
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConfigRole'), 'Arn'] } },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
              Resource: '*',
            },
          ],
        },
      },
    });
  });
});

describe('ConfigRecorder options', () => {
  test('global resources and snapshot frequency', () => {
    const stack = newStack();
    new ConfigRecorder(stack, 'Config', {
      recordGlobalResources: true,
      snapshotFrequency: SnapshotFrequency.SIX_HOURS,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
    });
    template.hasResourceProperties('AWS::Config::DeliveryChannel', {
      ConfigSnapshotDeliveryProperties: { DeliveryFrequency: 'Six_Hours' },
    });
  });

  test('recordGlobalResources: a boolean, or a condition CloudFormation resolves per region', () => {
    // From JavaScript or YAML config, "false" is a non-empty string: it would record IAM in every region.
    expect(
      () => new ConfigRecorder(newStack(), 'Config', { recordGlobalResources: 'false' as unknown as boolean }),
    ).toThrow(
      /^Test\/Config: invalid recordGlobalResources: expected true, false or unset \(a boolean\), found "false"$/,
    );
    // One template for every region (a StackSet): Fn::If on a region condition.
    const stack = stackIn(undefined);
    const home = new CfnCondition(stack, 'Home', { expression: Fn.conditionEquals(stack.region, 'eu-west-1') });
    new ConfigRecorder(stack, 'Config', {
      recordGlobalResources: Fn.conditionIf(home.logicalId, true, false) as unknown as boolean,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { IncludeGlobalResourceTypes: { 'Fn::If': ['Home', true, false] } },
    });
  });

  test('rejects inconsistent lifecycle days', () => {
    expect(
      () => new ConfigRecorder(newStack(), 'Config', { transitionToGlacierAfterDays: 400, expireAfterDays: 365 }),
    ).toThrow(
      /Test\/Config: invalid expireAfterDays: expected more days than transitionToGlacierAfterDays \(400\).*found 365/,
    );
  });

  // Both buckets are versioned: expiry makes an item noncurrent, and NoncurrentDays later it is deleted for good.
  test('noncurrent versions: expireAfterDays by default, noncurrentVersionExpireAfterDays when given, on both buckets', () => {
    const noncurrentDays = (props: ConstructorParameters<typeof ConfigRecorder>[2]) => {
      const stack = newStack();
      new ConfigRecorder(stack, 'Config', props);
      return Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket'))
        .map((b) => {
          const rule = b.Properties.LifecycleConfiguration.Rules[0];
          return [rule.Id, rule.ExpirationInDays, rule.NoncurrentVersionExpiration.NoncurrentDays];
        })
        .sort();
    };
    expect(noncurrentDays({ expireAfterDays: 1000 })).toEqual([
      ['ArchiveThenExpire', 1000, 1000],
      ['ExpireAccessLogs', 1000, 1000],
    ]);
    expect(noncurrentDays({ expireAfterDays: 1000, noncurrentVersionExpireAfterDays: 7 })).toEqual([
      ['ArchiveThenExpire', 1000, 7],
      ['ExpireAccessLogs', 1000, 7],
    ]);
  });

  test.each<[string, ConstructorParameters<typeof ConfigRecorder>[2], RegExp]>([
    [
      'noncurrent expiry of 0 days',
      { noncurrentVersionExpireAfterDays: 0 },
      /^Test\/Config: invalid noncurrentVersionExpireAfterDays: expected an integer from 1 to 36500, found 0$/,
    ],
    [
      'fractional noncurrent expiry',
      { noncurrentVersionExpireAfterDays: 1.5 },
      /^Test\/Config: invalid noncurrentVersionExpireAfterDays: expected an integer from 1 to 36500, found 1.5$/,
    ],
    [
      // Free text from JavaScript or YAML: AWS Config would reject it only at deployment.
      'a snapshot frequency that is not a SnapshotFrequency value',
      { snapshotFrequency: 'Daily' as SnapshotFrequency },
      /^Test\/Config: invalid snapshotFrequency: expected one of One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours, found "Daily"$/,
    ],
  ])('rejects %s', (_name, props, message) => {
    expect(() => new ConfigRecorder(newStack(), 'Config', props)).toThrow(message);
  });
});

describe('ComplianceRules', () => {
  test('every curated rule by default, created after the recorder', () => {
    const stack = newStack();
    const recorder = new ConfigRecorder(stack, 'Config', { recordGlobalResources: true });
    const rules = new ComplianceRules(stack, 'Rules', { recorder });
    const template = Template.fromStack(stack);
    const all = Object.values(ManagedRule);
    expect(rules.selectedRules).toEqual(all);
    template.resourceCountIs('AWS::Config::ConfigRule', all.length);
    const configRules = template.findResources('AWS::Config::ConfigRule');
    for (const rule of Object.values(configRules)) {
      expect(rule.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Config[0-9A-F]{8}$/)]));
    }
    const identifiers = Object.values(configRules).map((r) => r.Properties.Source.SourceIdentifier);
    expect(identifiers).toEqual(
      expect.arrayContaining([
        'ENCRYPTED_VOLUMES',
        'S3_BUCKET_PUBLIC_READ_PROHIBITED',
        'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC',
        'INCOMING_SSH_DISABLED',
        'ROOT_ACCOUNT_MFA_ENABLED',
        'CLOUD_TRAIL_ENABLED',
        'MULTI_REGION_CLOUD_TRAIL_ENABLED',
        'IAM_PASSWORD_POLICY',
        'ACCESS_KEYS_ROTATED',
        'CLOUDFORMATION_STACK_DRIFT_DETECTION_CHECK',
        'VPC_FLOW_LOGS_ENABLED',
        'S3_BUCKET_SSL_REQUESTS_ONLY',
        'KMS_CMK_NOT_SCHEDULED_FOR_DELETION',
        'GUARDDUTY_ENABLED_CENTRALIZED',
        'SECURITYHUB_ENABLED',
      ]),
    );
    expect(new Set(identifiers).size).toBe(all.length);
  });

  test('the rules on IAM, global to an account, are the six that report on the root user, passwords, MFA, keys and users', () => {
    expect(ComplianceRules.ACCOUNT_IAM_RULES).toEqual([
      ManagedRule.ROOT_ACCOUNT_MFA_ENABLED,
      ManagedRule.IAM_ROOT_ACCESS_KEY_CHECK,
      ManagedRule.MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS,
      ManagedRule.IAM_PASSWORD_POLICY,
      ManagedRule.ACCESS_KEYS_ROTATED,
      ManagedRule.IAM_USER_NO_POLICIES_CHECK,
    ]);
  });

  test('iam-user-no-policies-check only with a recorder that records IAM users: elsewhere it never evaluates', () => {
    const stack = newStack();
    const recorder = new ConfigRecorder(stack, 'Config');
    const rules = new ComplianceRules(stack, 'Rules', { recorder });
    expect(recorder.recordsGlobalResources).toBe(false);
    expect(rules.selectedRules).toEqual(
      Object.values(ManagedRule).filter((r) => r !== ManagedRule.IAM_USER_NO_POLICIES_CHECK),
    );
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs(
      'AWS::Config::ConfigRule',
      { Source: { Owner: 'AWS', SourceIdentifier: 'IAM_USER_NO_POLICIES_CHECK' } },
      0,
    );
    Annotations.fromStack(stack).hasInfo(
      '/Test/Rules',
      Match.stringLikeRegexp('iam-user-no-policies-check rule left out: the recorder does not record IAM users here'),
    );

    // Listed explicitly: deployed as asked, with a warning.
    const explicit = newStack();
    new ComplianceRules(explicit, 'Rules', {
      recorder: new ConfigRecorder(explicit, 'Config'),
      rules: [ManagedRule.IAM_USER_NO_POLICIES_CHECK],
    });
    Template.fromStack(explicit).resourcePropertiesCountIs(
      'AWS::Config::ConfigRule',
      { Source: { Owner: 'AWS', SourceIdentifier: 'IAM_USER_NO_POLICIES_CHECK' } },
      1,
    );
    Annotations.fromStack(explicit).hasWarning('/Test/Rules', Match.stringLikeRegexp('never evaluates here'));

    // Without a recorder (one exists in the account) nothing is known: the rule stays.
    const unknown = newStack();
    expect(new ComplianceRules(unknown, 'Rules').selectedRules).toContain(ManagedRule.IAM_USER_NO_POLICIES_CHECK);
  });

  test('rule parameters: access key age, password policy, drift role', () => {
    const stack = newStack();
    new ComplianceRules(stack, 'Rules', {
      rules: [
        ManagedRule.ACCESS_KEYS_ROTATED,
        ManagedRule.IAM_PASSWORD_POLICY,
        ManagedRule.CLOUDFORMATION_STACK_DRIFT_DETECTION_CHECK,
      ],
      maxAccessKeyAgeDays: 45,
      minimumPasswordLength: 16,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Config::ConfigRule', 3);
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'ACCESS_KEYS_ROTATED' },
      InputParameters: { maxAccessKeyAge: 45 },
    });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'IAM_PASSWORD_POLICY' },
      InputParameters: Match.objectLike({
        MinimumPasswordLength: '16',
        RequireSymbols: 'true',
        PasswordReusePrevention: '24',
      }),
    });
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'CLOUDFORMATION_STACK_DRIFT_DETECTION_CHECK' },
      InputParameters: { cloudformationRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Role'), 'Arn'] } },
    });
  });

  test('the password rule checks every setting of the given policy', () => {
    const stack = newStack();
    new ComplianceRules(stack, 'Rules', {
      rules: [ManagedRule.IAM_PASSWORD_POLICY],
      passwordPolicy: { minimumLength: 20, maxAgeDays: 30, reusePrevention: 5, requireAllCharacterTypes: false },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'IAM_PASSWORD_POLICY' },
      InputParameters: {
        RequireUppercaseCharacters: 'false',
        RequireLowercaseCharacters: 'false',
        RequireSymbols: 'false',
        RequireNumbers: 'false',
        MinimumPasswordLength: '20',
        MaxPasswordAge: '30',
        PasswordReusePrevention: '5',
      },
    });
  });

  test('without a policy the password rule checks the AccountGuardrails defaults', () => {
    const stack = newStack();
    new ComplianceRules(stack, 'Rules', { rules: [ManagedRule.IAM_PASSWORD_POLICY] });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { SourceIdentifier: 'IAM_PASSWORD_POLICY' },
      InputParameters: {
        RequireUppercaseCharacters: 'true',
        RequireLowercaseCharacters: 'true',
        RequireSymbols: 'true',
        RequireNumbers: 'true',
        MinimumPasswordLength: '14',
        MaxPasswordAge: '90',
        PasswordReusePrevention: '24',
      },
    });
  });

  test.each([
    ['never expire', { maxAgeDays: 0 }, 'maxAgeDays 0'],
    ['allow reuse', { reusePrevention: 0 }, 'reusePrevention 0'],
  ])('a policy whose passwords %s leaves the password rule out of the default rules', (_name, policy, info) => {
    const stack = newStack();
    const rules = new ComplianceRules(stack, 'Rules', { passwordPolicy: policy });
    const all = Object.values(ManagedRule);
    expect(rules.selectedRules).toEqual(all.filter((r) => r !== ManagedRule.IAM_PASSWORD_POLICY));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Config::ConfigRule', all.length - 1);
    expect(
      template.findResources('AWS::Config::ConfigRule', {
        Properties: { Source: { SourceIdentifier: 'IAM_PASSWORD_POLICY' } },
      }),
    ).toEqual({});
    Annotations.fromStack(stack).hasInfo(
      '/Test/Rules',
      Match.stringLikeRegexp(`iam-password-policy rule left out.*${info}`),
    );
  });

  test('rejects the password rule for a policy it cannot check', () => {
    expect(
      () =>
        new ComplianceRules(newStack(), 'Rules', {
          rules: [ManagedRule.IAM_PASSWORD_POLICY],
          passwordPolicy: { maxAgeDays: 0 },
        }),
    ).toThrow(
      /^Test\/Rules: invalid passwordPolicy.maxAgeDays: expected an integer from 1 to 1095 while rules include iam-password-policy, since .*cannot check a policy without password expiry.*found 0$/,
    );
    expect(
      () =>
        new ComplianceRules(newStack(), 'Rules', {
          rules: [ManagedRule.RESTRICTED_SSH, ManagedRule.IAM_PASSWORD_POLICY],
          passwordPolicy: { reusePrevention: 0 },
        }),
    ).toThrow(
      /^Test\/Rules: invalid passwordPolicy.reusePrevention: expected an integer from 1 to 24 while rules include iam-password-policy, since .*without reuse prevention.*found 0$/,
    );
  });

  // A rule's parameters without the rule would do nothing.
  test.each<[string, ConstructorParameters<typeof ComplianceRules>[2], RegExp]>([
    [
      'an access key age with rules that leave access-keys-rotated out',
      { rules: [ManagedRule.RESTRICTED_SSH], maxAccessKeyAgeDays: 45 },
      /^Test\/Rules: invalid maxAccessKeyAgeDays: expected unset when rules leave out access-keys-rotated \(it would do nothing\), found 45$/,
    ],
    [
      'an access key age with access-keys-rotated excluded',
      { excludedRules: [ManagedRule.ACCESS_KEYS_ROTATED], maxAccessKeyAgeDays: 45 },
      /^Test\/Rules: invalid maxAccessKeyAgeDays: expected unset when excludedRules leave out access-keys-rotated \(it would do nothing\), found 45$/,
    ],
    [
      'a password length without the password rule',
      { rules: [ManagedRule.RESTRICTED_SSH], minimumPasswordLength: 16 },
      /^Test\/Rules: invalid minimumPasswordLength: expected unset when rules leave out iam-password-policy \(it would do nothing\), found 16$/,
    ],
    [
      'a password policy with the password rule excluded',
      { excludedRules: [...ComplianceRules.ACCOUNT_IAM_RULES], passwordPolicy: { minimumLength: 16 } },
      /^Test\/Rules: invalid passwordPolicy: expected unset when excludedRules leave out iam-password-policy \(it would do nothing\), found \{"minimumLength":16\}$/,
    ],
  ])('rejects %s', (_name, props, message) => {
    expect(() => new ComplianceRules(newStack(), 'Rules', props)).toThrow(message);
  });

  test('rule parameters stay allowed where the rule is left out for the region, not by the options', () => {
    // eu-central-2 has no IAM rules (AWS Config records no IAM there): the same options serve every region.
    const rules = new ComplianceRules(stackIn('eu-central-2'), 'Rules', {
      maxAccessKeyAgeDays: 45,
      passwordPolicy: { minimumLength: 16 },
    });
    expect(rules.selectedRules).not.toContain(ManagedRule.ACCESS_KEYS_ROTATED);
    expect(rules.selectedRules).not.toContain(ManagedRule.IAM_PASSWORD_POLICY);
  });

  test('selected rules only; ruleFor finds them', () => {
    const stack = newStack();
    const rules = new ComplianceRules(stack, 'Rules', { rules: [ManagedRule.RESTRICTED_SSH] });
    Template.fromStack(stack).resourceCountIs('AWS::Config::ConfigRule', 1);
    expect(rules.ruleFor(ManagedRule.RESTRICTED_SSH)).toBeDefined();
    expect(rules.ruleFor(ManagedRule.ENCRYPTED_VOLUMES)).toBeUndefined();
  });

  test('rejects unknown, duplicate rules and bad parameters', () => {
    expect(() => new ComplianceRules(newStack(), 'Rules', { rules: ['no-such-rule' as ManagedRule] })).toThrow(
      /Test\/Rules: invalid rules\[0\]: expected one of encrypted-volumes, .*found "no-such-rule"/,
    );
    expect(
      () =>
        new ComplianceRules(newStack(), 'Rules', { rules: [ManagedRule.RESTRICTED_SSH, ManagedRule.RESTRICTED_SSH] }),
    ).toThrow(/Test\/Rules: invalid rules: expected each rule at most once, found \["restricted-ssh"\]/);
    expect(() => new ComplianceRules(newStack(), 'Rules', { maxAccessKeyAgeDays: 0 })).toThrow(
      /Test\/Rules: invalid maxAccessKeyAgeDays: expected an integer from 1 to 3650, found 0/,
    );
    expect(() => new ComplianceRules(newStack(), 'Rules', { minimumPasswordLength: 4 })).toThrow(
      /invalid minimumPasswordLength: expected an integer from 6 to 128, found 4/,
    );
    expect(() => new ComplianceRules(newStack(), 'Rules', { rules: [] })).toThrow(
      /^Test\/Rules: invalid rules: expected at least one ManagedRule \(set enableComplianceRules: false instead\), found \[\]$/,
    );
    expect(
      () =>
        new ComplianceRules(newStack(), 'Rules', { minimumPasswordLength: 16, passwordPolicy: { minimumLength: 18 } }),
    ).toThrow(
      /^Test\/Rules: invalid minimumPasswordLength\/passwordPolicy.minimumLength: expected at most one of the two, found \[16, 18\]$/,
    );
    expect(() => new ComplianceRules(newStack(), 'Rules', { passwordPolicy: { maxAgeDays: 1096 } })).toThrow(
      /^Test\/Rules: invalid passwordPolicy.maxAgeDays: expected an integer from 0 to 1095, found 1096$/,
    );
  });
});
