import { Lazy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AuditLogLockMode, AuditTrail, AuditTrailProps } from '../src';
import { newStack } from './util';

function trail(props?: AuditTrailProps): { stack: Stack; template: Template; construct: AuditTrail } {
  const stack = newStack();
  const construct = new AuditTrail(stack, 'Audit', props);
  return { stack, template: Template.fromStack(stack), construct };
}

/**
 * The ARN of the one trail in the template, built from the name the trail resource actually has,
 * as CloudTrail will report it in aws:SourceArn.
 */
function arnOfTrailIn(template: Template): object {
  const trails = Object.values(template.findResources('AWS::CloudTrail::Trail'));
  if (trails.length !== 1 || typeof trails[0].Properties.TrailName !== 'string') {
    throw new Error(`expected one trail with a literal name, found ${JSON.stringify(trails)}`);
  }
  return {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, `:cloudtrail:eu-west-1:111122223333:trail/${trails[0].Properties.TrailName}`],
    ],
  };
}

describe('AuditTrail defaults', () => {
  const { template, construct } = trail();
  const TRAIL_ARN = arnOfTrailIn(template);

  test('multi-region trail with log file validation, KMS, global events and CloudWatch Logs', () => {
    template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      IncludeGlobalServiceEvents: true,
      IsLogging: true,
      KMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditKey'), 'Arn'] },
      CloudWatchLogsLogGroupArn: Match.anyValue(),
      EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }],
    });
  });

  test('dedicated key: rotation on, retained, least-privilege policy', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: [
            {
              Action: 'kms:*',
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } },
              Resource: '*',
            },
            {
              Sid: 'AllowCloudTrailEncryptLogs',
              Action: 'kms:GenerateDataKey*',
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Resource: '*',
              Condition: {
                StringEquals: { 'aws:SourceArn': TRAIL_ARN },
                StringLike: {
                  'kms:EncryptionContext:aws:cloudtrail:arn': {
                    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:111122223333:trail/*']],
                  },
                },
              },
            },
            {
              Sid: 'AllowCloudTrailDescribeKey',
              Action: 'kms:DescribeKey',
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Resource: '*',
              Condition: { StringEquals: { 'aws:SourceArn': TRAIL_ARN } },
            },
            {
              Sid: 'AllowCloudWatchLogsUseOfTheKey',
              Effect: 'Allow',
              Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
              Resource: '*',
              Condition: {
                ArnEquals: {
                  'kms:EncryptionContext:aws:logs:arn': {
                    'Fn::Join': [
                      '',
                      [
                        'arn:',
                        { Ref: 'AWS::Partition' },
                        Match.stringLikeRegexp(':log-group:/groundwork/audit-trail/Test-Audit-'),
                      ],
                    ],
                  },
                },
              },
            },
          ],
        },
      },
    });
  });

  test('the key and bucket policies pin aws:SourceArn to the trail that is created', () => {
    expect(construct.trailName).toMatch(/^Test-Audit-[A-F0-9]{8}$/);
    const arn = arnOfTrailIn(template);
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    expect(keys).toHaveLength(1);
    const keyStatements: any[] = keys[0].Properties.KeyPolicy.Statement;
    const cloudtrailStatements = keyStatements.filter((st) => st.Principal?.Service === 'cloudtrail.amazonaws.com');
    expect(cloudtrailStatements.map((st) => st.Sid)).toEqual([
      'AllowCloudTrailEncryptLogs',
      'AllowCloudTrailDescribeKey',
    ]);
    for (const st of cloudtrailStatements) {
      expect(st.Condition.StringEquals['aws:SourceArn']).toEqual(arn);
    }
    const bucketPolicy = Object.values(
      template.findResources('AWS::S3::BucketPolicy', {
        Properties: { Bucket: { Ref: Match.stringLikeRegexp('^AuditBucket') } },
      }),
    );
    expect(bucketPolicy).toHaveLength(1);
    const deny = bucketPolicy[0].Properties.PolicyDocument.Statement.filter((st: any) => st.Sid === 'DenyOtherTrails');
    expect(deny).toHaveLength(1);
    expect(deny[0].Condition).toEqual({ StringNotEquals: { 'aws:SourceArn': arn } });
  });

  test('trail bucket: KMS, versioned, no public access, access logs, lifecycle, retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditKey'), 'Arn'] },
              },
            },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.stringLikeRegexp('^AuditAccessLogsBucket') },
          LogFilePrefix: 'audit-trail/',
        },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({
              Status: 'Enabled',
              Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }],
              ExpirationInDays: 2557,
              NoncurrentVersionExpiration: { NoncurrentDays: 2557 },
            }),
          ],
        },
        ObjectLockEnabled: Match.absent(),
      },
    });
  });

  test('access log bucket: SSE-S3, versioned, no public access, retained', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicPolicy: true, RestrictPublicBuckets: true }),
        LoggingConfiguration: Match.absent(),
      },
    });
  });

  test('both buckets deny non-TLS and TLS < 1.2', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      );
    }
  });

  test('trail bucket denies CloudTrail writes from any other trail', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^AuditBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DenyOtherTrails',
            Effect: 'Deny',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Condition: { StringNotEquals: { 'aws:SourceArn': TRAIL_ARN } },
          }),
        ]),
      },
    });
  });

  test('log group: KMS encrypted, one year retention, retained, but deleted when the first creation rolls back (its name is fixed)', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      // Retain would leave it behind after a failed creation, and the retry would fail on its name.
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditKey'), 'Arn'] },
      },
    });
  });
});

describe('AuditTrail options', () => {
  test('retention as a number of days', () => {
    const { template } = trail({ cloudWatchLogsRetentionDays: 731 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
  });

  test('retention as the enum', () => {
    const { template } = trail({ cloudWatchLogsRetention: logs.RetentionDays.TEN_YEARS });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 3653 });
  });

  test('RetentionDays.INFINITE keeps the logs forever (no RetentionInDays)', () => {
    const { template } = trail({ cloudWatchLogsRetention: logs.RetentionDays.INFINITE });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.absent() });
  });

  test('lifecycle days from props', () => {
    const { template } = trail({ transitionToGlacierAfterDays: 30, expireAfterDays: 400 });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 30 }], ExpirationInDays: 400 }),
        ],
      },
    });
  });

  // Both buckets are versioned: expiry makes a log file noncurrent, and NoncurrentDays later it is deleted for good.
  test('by default noncurrent versions are kept expireAfterDays too, on the trail and the access-log bucket', () => {
    const { template } = trail({ transitionToGlacierAfterDays: 30, expireAfterDays: 400 });
    const noncurrentDays = Object.values(template.findResources('AWS::S3::Bucket')).map(
      (b) => b.Properties.LifecycleConfiguration.Rules[0].NoncurrentVersionExpiration.NoncurrentDays,
    );
    expect(noncurrentDays).toEqual([400, 400]);
  });

  test('noncurrentVersionExpireAfterDays sets NoncurrentDays of the trail and the access-log bucket', () => {
    const { template } = trail({ expireAfterDays: 2557, noncurrentVersionExpireAfterDays: 30 });
    const rules = Object.values(template.findResources('AWS::S3::Bucket')).map(
      (b) => b.Properties.LifecycleConfiguration.Rules[0],
    );
    expect(rules.map((r) => [r.Id, r.ExpirationInDays, r.NoncurrentVersionExpiration.NoncurrentDays]).sort()).toEqual([
      ['ArchiveThenExpire', 2557, 30],
      ['ExpireAccessLogs', 2557, 30],
    ]);
  });

  test('Object Lock in compliance mode', () => {
    const { template } = trail({ objectLockMode: AuditLogLockMode.COMPLIANCE, objectLockDays: 400 });
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } },
      },
    });
  });

  test('Object Lock in governance mode defaults to 365 days', () => {
    const { template } = trail({ objectLockMode: AuditLogLockMode.GOVERNANCE });
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
    });
  });

  test('central logging account: no local bucket or trail key, log group gets its own key', () => {
    const { template, construct } = trail({
      centralBucketName: 'org-audit-logs',
      centralKeyArn: 'arn:aws:kms:eu-west-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      S3BucketName: 'org-audit-logs',
      KMSKeyId: 'arn:aws:kms:eu-west-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditLogGroupKey'), 'Arn'] },
    });
    expect(construct.accessLogsBucket).toBeUndefined();
  });

  test('without CloudWatch Logs there is no log group', () => {
    const { template, construct } = trail({ sendToCloudWatchLogs: false });
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    template.hasResourceProperties('AWS::CloudTrail::Trail', { CloudWatchLogsLogGroupArn: Match.absent() });
    expect(construct.logGroup).toBeUndefined();
  });
});

describe('AuditTrail validation', () => {
  const cases: [string, AuditTrailProps, RegExp][] = [
    [
      'retention not allowed by CloudWatch Logs',
      { cloudWatchLogsRetentionDays: 42 },
      /Test\/Audit: invalid cloudWatchLogsRetentionDays: expected a CloudWatch Logs retention value \(one of 1, 3, 5, .*\), found 42/,
    ],
    [
      'both retention props',
      { cloudWatchLogsRetentionDays: 30, cloudWatchLogsRetention: logs.RetentionDays.ONE_MONTH },
      /Test\/Audit: invalid cloudWatchLogsRetention\/cloudWatchLogsRetentionDays: expected at most one/,
    ],
    [
      // From YAML or JavaScript: the string "false" would count as true and send the trail to CloudWatch Logs.
      'sendToCloudWatchLogs as a string',
      { sendToCloudWatchLogs: 'false' as unknown as boolean },
      /Test\/Audit: invalid sendToCloudWatchLogs: expected true, false or unset \(a boolean\), found "false"/,
    ],
    [
      'retention without CloudWatch Logs',
      { sendToCloudWatchLogs: false, cloudWatchLogsRetentionDays: 30 },
      /Test\/Audit: invalid cloudWatchLogsRetention: expected no retention when sendToCloudWatchLogs is false/,
    ],
    [
      'expiry before transition',
      { transitionToGlacierAfterDays: 90, expireAfterDays: 60 },
      /Test\/Audit: invalid expireAfterDays: expected more days than transitionToGlacierAfterDays \(90\).*found 60/,
    ],
    [
      'expiry equal to transition',
      { transitionToGlacierAfterDays: 90, expireAfterDays: 90 },
      /invalid expireAfterDays: expected more days than transitionToGlacierAfterDays/,
    ],
    [
      'transition of 0 days',
      { transitionToGlacierAfterDays: 0 },
      /invalid transitionToGlacierAfterDays: expected an integer from 1 to 36500, found 0/,
    ],
    [
      'fractional expiry',
      { expireAfterDays: 100.5 },
      /invalid expireAfterDays: expected an integer from 2 to 36500, found 100.5/,
    ],
    [
      '9999 as a number of days (the CDK "never expire", not a CloudWatch Logs value)',
      { cloudWatchLogsRetentionDays: 9999 },
      /^Test\/Audit: invalid cloudWatchLogsRetentionDays: expected a CloudWatch Logs retention value \(one of 1, 3, 5, .*, 3653\); 9999 is not one\. To keep the logs forever, set cloudWatchLogsRetention: RetentionDays\.INFINITE instead, found 9999$/,
    ],
    [
      'an enum retention that is not a RetentionDays value (JavaScript or YAML)',
      { cloudWatchLogsRetention: 42 as logs.RetentionDays },
      /^Test\/Audit: invalid cloudWatchLogsRetention: expected a RetentionDays value \(one of 1, 3, 5, .*, 3653, or RetentionDays\.INFINITE to never expire\), found 42$/,
    ],
    [
      'noncurrent expiry of 0 days',
      { noncurrentVersionExpireAfterDays: 0 },
      /^Test\/Audit: invalid noncurrentVersionExpireAfterDays: expected an integer from 1 to 36500, found 0$/,
    ],
    [
      'fractional noncurrent expiry',
      { noncurrentVersionExpireAfterDays: 30.5 },
      /invalid noncurrentVersionExpireAfterDays: expected an integer from 1 to 36500, found 30.5/,
    ],
    [
      'noncurrent expiry above S3 lifecycle range',
      { noncurrentVersionExpireAfterDays: 36501 },
      /invalid noncurrentVersionExpireAfterDays: expected an integer from 1 to 36500, found 36501/,
    ],
    [
      // Free text from JavaScript or YAML: it must not become the weaker GOVERNANCE lock.
      'object lock mode in lower case',
      { objectLockMode: 'compliance' as AuditLogLockMode },
      /^Test\/Audit: invalid objectLockMode: expected one of GOVERNANCE, COMPLIANCE, found "compliance"$/,
    ],
    [
      // The mode decides the bucket's lock at synthesis: a value known only at deployment cannot.
      'object lock mode known only at deployment',
      { objectLockMode: Lazy.string({ produce: () => 'COMPLIANCE' }) as AuditLogLockMode },
      /^Test\/Audit: invalid objectLockMode: expected one of GOVERNANCE, COMPLIANCE, known at synthesis \(it decides the resources\), found /,
    ],
    [
      'misspelt object lock mode',
      { objectLockMode: 'COMPLIANT' as AuditLogLockMode },
      /^Test\/Audit: invalid objectLockMode: expected one of GOVERNANCE, COMPLIANCE, found "COMPLIANT"$/,
    ],
    [
      'object lock days < 1',
      { objectLockMode: AuditLogLockMode.GOVERNANCE, objectLockDays: 0 },
      /Test\/Audit: invalid objectLockDays: expected an integer from 1 to 36500, found 0/,
    ],
    [
      'object lock days without mode',
      { objectLockDays: 30 },
      /invalid objectLockMode: expected a mode when objectLockDays is set, found undefined/,
    ],
    [
      'object lock longer than expiry',
      { objectLockMode: AuditLogLockMode.COMPLIANCE, objectLockDays: 3000, expireAfterDays: 2557 },
      /invalid expireAfterDays: expected at least objectLockDays \(3000\).*found 2557/,
    ],
    [
      'central bucket without key',
      { centralBucketName: 'org-audit-logs' },
      /Test\/Audit: invalid centralKeyArn: expected the central logging key ARN when centralBucketName is set, found undefined/,
    ],
    [
      'central key without bucket',
      { centralKeyArn: 'arn:aws:kms:eu-west-1:999988887777:key/abc' },
      /invalid centralBucketName: expected the central bucket name when centralKeyArn is set/,
    ],
    [
      'central key that is not a key ARN',
      { centralBucketName: 'org-audit-logs', centralKeyArn: 'alias/audit' },
      /invalid centralKeyArn: expected a KMS key ARN .*found "alias\/audit"/,
    ],
    [
      'central bucket name that is not a bucket name',
      { centralBucketName: 'Org_Audit', centralKeyArn: 'arn:aws:kms:eu-west-1:999988887777:key/abc' },
      /invalid centralBucketName: expected an S3 bucket name/,
    ],
    [
      'central bucket name longer than 63 characters',
      { centralBucketName: 'a'.repeat(64), centralKeyArn: 'arn:aws:kms:eu-west-1:999988887777:key/abc' },
      /invalid centralBucketName: expected an S3 bucket name \(3-63 .*found "a{64}"$/,
    ],
    [
      'local-bucket options with a central bucket',
      {
        centralBucketName: 'org-audit-logs',
        centralKeyArn: 'arn:aws:kms:eu-west-1:999988887777:key/abc',
        objectLockMode: AuditLogLockMode.COMPLIANCE,
      },
      /invalid objectLockMode: expected unset when centralBucketName is set/,
    ],
    [
      'noncurrent expiry with a central bucket',
      {
        centralBucketName: 'org-audit-logs',
        centralKeyArn: 'arn:aws:kms:eu-west-1:999988887777:key/abc',
        noncurrentVersionExpireAfterDays: 30,
      },
      /invalid noncurrentVersionExpireAfterDays: expected unset when centralBucketName is set/,
    ],
    ['bad trail name', { trailName: '-bad name' }, /invalid trailName: expected 3-128 letters/],
    // CloudTrail rejects these at deployment (InvalidTrailNameException).
    ['trail name ending in a dash', { trailName: 'audit-trail-' }, /invalid trailName: .*found "audit-trail-"/],
    ['trail name with two dashes in a row', { trailName: 'audit--trail' }, /invalid trailName: .*found "audit--trail"/],
    [
      'trail name with a dash after an underscore',
      { trailName: 'audit_-trail' },
      /invalid trailName: .*found "audit_-trail"/,
    ],
    ['trail name in IP address format', { trailName: '192.168.5.4' }, /invalid trailName: .*not an IP address/],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    expect(() => new AuditTrail(newStack(), 'Audit', props)).toThrow(message);
  });

  test.each(['abc', 'Org.Audit_Trail-1', 'a'.repeat(128), '1.2.3.4.5'])('accepts the trail name %s', (trailName) => {
    expect(new AuditTrail(newStack(), 'Audit', { trailName }).trailName).toBe(trailName);
  });

  // S3 User Guide, "General purpose bucket naming rules": S3 refuses these names, so none can be the central bucket.
  const centralKeyArn = 'arn:aws:kms:eu-west-1:999988887777:key/abc';
  test.each([
    ['ab', /not one with 2 characters, found "ab"/],
    ['org_audit', /not one with the character "_"/],
    ['-org-audit', /not one with a first or last character that is not a letter or digit/],
    ['org-audit.', /not one with a first or last character that is not a letter or digit/],
    ['org..audit', /not one with two adjacent dots/],
    ['192.168.5.4', /not one with the form of an IP address/],
    ['xn--org-audit', /not one with the reserved prefix "xn--"/],
    ['sthree-audit', /not one with the reserved prefix "sthree-"/],
    ['sthree-configurator-audit', /not one with the reserved prefix "sthree-"/],
    ['amzn-s3-demo-audit', /not one with the reserved prefix "amzn-s3-demo-"/],
    ['org-audit-s3alias', /not one with the reserved suffix "-s3alias"/],
    ['org-audit--ol-s3', /not one with the reserved suffix "--ol-s3"/],
    ['org-audit.mrap', /not one with the reserved suffix ".mrap"/],
    ['org-audit--x-s3', /not one with the reserved suffix "--x-s3"/],
    ['org-audit--table-s3', /not one with the reserved suffix "--table-s3"/],
  ])('refuses the central bucket name %s, naming the rule it breaks', (centralBucketName, message) => {
    expect(() => new AuditTrail(newStack(), 'Audit', { centralBucketName, centralKeyArn })).toThrow(
      /Test\/Audit: invalid centralBucketName: expected an S3 bucket name/,
    );
    expect(() => new AuditTrail(newStack(), 'Audit', { centralBucketName, centralKeyArn })).toThrow(message);
  });

  test.each([
    'abc',
    'a'.repeat(63),
    'org.audit-logs.1',
    '192.168.5.4.5',
    'xn-audit',
    'sthree',
    'audit-s3alias1',
    'mrap.audit',
  ])('accepts the central bucket name %s', (centralBucketName) => {
    const { template } = trail({ centralBucketName, centralKeyArn });
    template.hasResourceProperties('AWS::CloudTrail::Trail', { S3BucketName: centralBucketName });
  });
});
