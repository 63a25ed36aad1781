process.env.CDK_VALIDATION = 'false';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage, StageProps, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { GitOpsPipeline } from '../src';
import {
  CONNECTION_ARN,
  ORG_ID,
  PIPELINE_ENV,
  TinyEnvironment,
  accountId,
  devAndProd,
  pipelineFixture,
} from './fixtures';
import { staleAcknowledgements } from './nag';

/** The artifact key's statement for the target deploy roles: by role-name pattern, limited by `limit` (StringEquals). */
function expectArtifactKeyDecrypt(template: Template, limit: Record<string, unknown>): void {
  template.hasResourceProperties('AWS::KMS::Key', {
    Description: Match.stringLikeRegexp('artifacts of pipeline'),
    KeyPolicy: {
      Statement: Match.arrayWith([
        {
          Action: ['kms:Decrypt', 'kms:DescribeKey'],
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Resource: '*',
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/cdk-hnb659fds-deploy-role-*']],
              },
            },
            StringEquals: limit,
          },
        },
      ]),
    },
  });
}

/** The statements of the inline policies attached to the role whose logical id matches `rolePattern`. */
function inlinePolicyStatements(template: Template, rolePattern: string): any[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: Match.stringLikeRegexp(rolePattern) }] },
  });
  return Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function pipelineOf(template: Template): any {
  return Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
}

describe('GitOpsPipeline', () => {
  const fixture = devAndProd({
    filePathsIncludes: ['packages/**', 'apps/platform/**'],
    filePathsExcludes: ['docs/**'],
    notificationEmails: ['platform@groundwork.example'],
    slackChannelConfigurationArn: 'arn:aws:chatbot::111111111111:chat-configuration/slack-channel/groundwork',
  });
  fixture.pipeline.gateOnAlarms('Dev', ['dev-5xx', 'dev-latency'], { waitTimeMinutes: 10 });
  fixture.pipeline.buildPipeline();
  const template = Template.fromStack(fixture.stack);
  const pipeline = pipelineOf(template);
  const stage = (name: string) => pipeline.Stages.find((s: any) => s.Name === name || s.Name === name.toLowerCase());

  test('is a V2 pipeline whose source is GitHub through CodeConnections, triggered by pushes with path filters', () => {
    expect(pipeline.PipelineType).toBe('V2');
    expect(stage('Source').Actions[0]).toMatchObject({
      ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection' },
      Configuration: {
        ConnectionArn: CONNECTION_ARN,
        FullRepositoryId: 'groundwork-platform/groundwork',
        BranchName: 'main',
      },
    });
    expect(pipeline.Triggers).toEqual([
      {
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: {
          SourceActionName: stage('Source').Actions[0].Name,
          Push: [
            {
              Branches: { Includes: ['main'] },
              FilePaths: { Includes: ['packages/**', 'apps/platform/**'], Excludes: ['docs/**'] },
            },
          ],
        },
      },
    ]);
  });

  test('synth runs npm ci, tests and synth, with a build cache; self-mutation is on', () => {
    const synth = Object.values(template.findResources('AWS::CodeBuild::Project')).find((p: any) =>
      JSON.stringify(p.Properties.Source.BuildSpec).includes('npm run synth'),
    ) as any;
    const spec = JSON.parse(synth.Properties.Source.BuildSpec);
    expect(spec.phases.install.commands).toEqual(['npm ci']);
    expect(spec.phases.build.commands).toEqual(['npm test', 'npm run synth']);
    expect(spec.artifacts['base-directory']).toBe('apps/platform/cdk.out');
    expect(spec.cache.paths).toEqual(expect.arrayContaining(['/root/.npm/**/*', '.nx/cache/**/*']));
    expect(synth.Properties.Cache).toEqual({ Type: 'LOCAL', Modes: ['LOCAL_CUSTOM_CACHE'] });
    expect(stage('UpdatePipeline').Actions[0].Name).toBe('SelfMutate');
  });

  test('artifact bucket: KMS key with rotation, TLS only, versioned, access-logged, retained', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, Description: Match.stringLikeRegexp('artifacts of pipeline') },
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'artifacts/' },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(pipeline.ArtifactStore).toMatchObject({ Type: 'S3', EncryptionKey: { Type: 'KMS' } });
  });

  test('the artifact key policy lets target deploy roles decrypt, by role-name pattern within the organization', () => {
    expectArtifactKeyDecrypt(template, { 'aws:PrincipalOrgID': ORG_ID });
  });

  test('manual approval and permissions-broadening check before production, none before dev', () => {
    const names = (s: any) => s.Actions.map((a: any) => `${a.RunOrder}:${a.ActionTypeId.Provider}:${a.Name}`);
    const prod = names(stage('Prod'));
    expect(prod).toEqual([
      '1:CodeBuild:PermissionsBroadening.Check',
      '2:Manual:PermissionsBroadening.Confirm',
      '3:Manual:Approve',
      '4:CloudFormation:Workload.Prepare',
      '5:CloudFormation:Workload.Deploy',
    ]);
    const dev = names(stage('Dev'));
    expect(dev.some((n: string) => n.includes(':Manual:'))).toBe(false);
    expect(dev).toEqual([
      '1:CloudFormation:Workload.Prepare',
      '2:CloudFormation:Workload.Deploy',
      '3:CodeBuild:Validate',
    ]);
  });

  test('each target account is deployed through its own CDK bootstrap deploy role', () => {
    for (const [wave, account] of [
      ['Dev', accountId(1)],
      ['Prod', accountId(2)],
    ]) {
      const deploys = stage(wave).Actions.filter((a: any) => a.ActionTypeId.Category === 'Deploy');
      expect(deploys).toHaveLength(2);
      for (const action of deploys) {
        expect(JSON.stringify(action.RoleArn)).toContain(
          `:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-eu-west-1`,
        );
        expect(JSON.stringify(action.Configuration.RoleArn ?? '')).not.toContain(PIPELINE_ENV.account);
      }
    }
  });

  test('the pipeline role assumes deploy roles by one pattern statement scoped to the organization', () => {
    const statements = inlinePolicyStatements(template, 'GitOpsPipelineRole');
    const assume = statements.filter((s: any) => JSON.stringify(s.Action) === '"sts:AssumeRole"');
    expect(assume).toEqual([
      {
        Sid: 'AssumeBootstrapRolesByPattern',
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/cdk-hnb659fds-deploy-role-*']] },
        Condition: { StringEquals: { 'aws:ResourceOrgID': ORG_ID } },
      },
    ]);
  });

  test('post-deployment validation assumes the deploy role and checks stacks and outputs', () => {
    const validate = stage('Dev').Actions.find((a: any) => a.Name === 'Validate');
    expect(JSON.parse(validate.Configuration.EnvironmentVariables)).toEqual([
      { name: 'STAGE_ASSEMBLY', type: 'PLAINTEXT', value: 'assembly-dev' },
    ]);
    const project = Object.values(template.findResources('AWS::CodeBuild::Project')).find((p: any) =>
      JSON.stringify(p.Properties.Source.BuildSpec).includes('groundwork-validation'),
    ) as any;
    const script = JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands[0];
    expect(script).toContain('aws sts assume-role --role-arn "$role"');
    expect(script).toContain('aws cloudformation describe-stacks');
    expect(script).toContain('cdk-$QUALIFIER-deploy-role-$account-$region');
    expect(stage('Prod').Actions.some((a: any) => a.Name === 'Validate')).toBe(false);
  });

  test('deployment waves roll back automatically on failure, and promotion is gated on alarms', () => {
    expect(stage('Dev').OnFailure).toEqual({ Result: 'ROLLBACK' });
    expect(stage('Prod').OnFailure).toEqual({ Result: 'ROLLBACK' });
    for (const name of ['Source', 'Build', 'UpdatePipeline']) {
      expect(stage(name).OnFailure).toBeUndefined();
    }
    expect(stage('Dev').OnSuccess).toEqual({
      Conditions: [
        {
          Result: 'ROLLBACK',
          Rules: [
            {
              Name: 'dev-alarm-1',
              RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
              Configuration: { AlarmName: 'dev-5xx', WaitTime: '10' },
            },
            {
              Name: 'dev-alarm-2',
              RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
              Configuration: { AlarmName: 'dev-latency', WaitTime: '10' },
            },
          ],
        },
      ],
    });
    expect(stage('Prod').OnSuccess).toBeUndefined();
    // CloudFormation's own rollback is never disabled.
    expect(JSON.stringify(pipeline)).not.toMatch(/DisableRollback|RetainExceptOnCreate/);
  });

  test('a notification rule sends started, succeeded, failed and approval-needed events to the topic and Slack', () => {
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: [
        'codepipeline-pipeline-pipeline-execution-started',
        'codepipeline-pipeline-pipeline-execution-succeeded',
        'codepipeline-pipeline-pipeline-execution-failed',
        'codepipeline-pipeline-manual-approval-needed',
      ],
      Targets: [
        { TargetType: 'SNS', TargetAddress: { Ref: Match.stringLikeRegexp('NotificationsTopic') } },
        {
          TargetType: 'AWSChatbotSlack',
          TargetAddress: 'arn:aws:chatbot::111111111111:chat-configuration/slack-channel/groundwork',
        },
      ],
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'platform@groundwork.example',
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'codestar-notifications.amazonaws.com' },
            Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          }),
        ]),
      },
    });
  });

  // The topic policy (CodeStar Notifications' grant) replaces SNS's default policy: CloudWatch needs its own.
  test('the notification topic accepts the failure alarm, exactly that alarm of this account', () => {
    const alarm = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).find((id) =>
      id.startsWith('GitOpsMonitoringFailureAlarm'),
    )!;
    const topic = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: topic }],
      OKActions: [{ Ref: topic }],
    });
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as any[];
    expect(policies).toHaveLength(1);
    const publishers = policies[0].Properties.PolicyDocument.Statement.filter(
      (s: any) => s.Effect === 'Allow' && s.Action === 'sns:Publish',
    );
    expect(publishers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Principal: { Service: 'codestar-notifications.amazonaws.com' } }),
        expect.objectContaining({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Resource: { Ref: topic },
          Condition: {
            ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [alarm, 'Arn'] } },
            StringEquals: { 'aws:SourceAccount': PIPELINE_ENV.account },
          },
        }),
      ]),
    );
    // The topic key already lets CloudWatch use it.
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          }),
        ]),
      },
    });
  });

  test('cdk-nag AwsSolutions and NIST 800-53 rev 5: no unacknowledged finding on the pipeline stack', () => {
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      const findings = pack.validateScope(fixture.stack).violations.map((v) => v.ruleName);
      expect(findings).toEqual([]);
    }
  });

  test('every cdk-nag acknowledgement on the pipeline stack suppresses a finding (none is stale)', () => {
    expect(staleAcknowledgements(fixture.stack)).toEqual([]);
  });

  test('the access logs bucket takes log delivery by bucket policy, for the artifact bucket only, never by ACL', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    const [logsId] = Object.keys(buckets).filter((id) => id.startsWith('GitOpsAccessLogs'));
    expect(buckets[logsId].Properties.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
    for (const [id, bucket] of Object.entries<any>(buckets)) {
      expect([id, bucket.Properties.AccessControl]).toEqual([id, undefined]);
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 's3:PutObject',
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logsId, 'Arn'] }, '/artifacts/*']] },
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('GitOpsArtifactBucket'), 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': PIPELINE_ENV.account },
            },
          },
        ]),
      },
    });
    // aws-cdk-lib acknowledges W3045 (AccessControl is deprecated) only where it sets the ACL.
    const acknowledged = fixture.stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.keys(m.data));
    expect(acknowledged.filter((id) => id.includes('W3045'))).toEqual([]);
  });

  test("the permissions-broadening check may assume only the target accounts' deploy roles", () => {
    const statements = inlinePolicyStatements(template, 'PipelinesSecurityCheckCDKSecurityCheckRole');
    expect(statements.filter((s: any) => JSON.stringify(s.Action).includes('sts:'))).toEqual([
      {
        Sid: 'AssumeTargetDeployRoles',
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/cdk-hnb659fds-deploy-role-*']] },
        Condition: {
          'ForAnyValue:StringEquals': { 'iam:ResourceTag/aws-cdk:bootstrap-role': ['deploy'] },
          StringEquals: { 'aws:ResourceOrgID': ORG_ID },
        },
      },
    ]);
  });

  test("the auto-approve function may read and approve only this pipeline's actions", () => {
    const statements = inlinePolicyStatements(template, 'CDKPipelinesAutoApproveServiceRole');
    const arn = (suffix: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, `:codepipeline:eu-west-1:${PIPELINE_ENV.account}:groundwork${suffix}`],
      ],
    });
    expect(statements).toEqual([
      {
        Action: ['codepipeline:GetPipelineState', 'codepipeline:PutApprovalResult'],
        Effect: 'Allow',
        Resource: [arn(''), arn('/*')],
        Condition: { StringEquals: { 'aws:ResourceTag/SECURITY_CHECK': 'ALLOW_APPROVE' } },
      },
    ]);
    // The pipeline it names is this one.
    expect(pipeline.Name).toBe('groundwork');
  });
});

describe('GitOpsPipeline without an organization id', () => {
  const fixture = devAndProd({ organizationId: undefined });
  const template = Template.fromStack(fixture.stack);

  test('scopes the deploy-role pattern to the explicit target accounts', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AssumeBootstrapRolesByPattern',
            Condition: { StringEquals: { 'aws:ResourceAccount': [accountId(1), accountId(2)] } },
          }),
        ]),
      },
    });
  });

  test('post-deployment validation may assume the deploy roles of the target accounts only', () => {
    const statements = inlinePolicyStatements(template, 'StageValidationRole');
    expect(statements.filter((s: any) => JSON.stringify(s.Action).includes('sts:'))).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/cdk-hnb659fds-deploy-role-*']] },
        Condition: { StringEquals: { 'aws:ResourceAccount': [accountId(1), accountId(2)] } },
      },
    ]);
  });

  test('the artifact key policy lets deploy roles decrypt only as principals of the target accounts', () => {
    expectArtifactKeyDecrypt(template, { 'aws:PrincipalAccount': [accountId(1), accountId(2)] });
  });

  test('the permissions-broadening check may assume deploy roles of the target accounts only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AssumeTargetDeployRoles',
            Condition: {
              'ForAnyValue:StringEquals': { 'iam:ResourceTag/aws-cdk:bootstrap-role': ['deploy'] },
              StringEquals: { 'aws:ResourceAccount': [accountId(1), accountId(2)] },
            },
          }),
        ]),
      },
    });
  });

  test('cdk-nag: no unacknowledged finding, and no stale acknowledgement', () => {
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      expect(pack.validateScope(fixture.stack).violations.map((v) => v.ruleName)).toEqual([]);
    }
    expect(staleAcknowledgements(fixture.stack)).toEqual([]);
  });
});

describe('GitOpsPipeline server access logs', () => {
  test('delivered by bucket policy even when the app turns the bucket-policy feature flag off', () => {
    const app = new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': false } });
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const pipeline = new GitOpsPipeline(stack, 'GitOps', {
      repository: 'groundwork-platform/groundwork',
      connectionArn: CONNECTION_ARN,
      organizationId: ORG_ID,
    });
    pipeline.addEnvironment(new TinyEnvironment(app, 'dev', { env: { account: accountId(1), region: 'eu-west-1' } }), {
      wave: 'Dev',
    });
    const template = Template.fromStack(stack);
    for (const [id, bucket] of Object.entries<any>(template.findResources('AWS::S3::Bucket'))) {
      expect([id, bucket.Properties.AccessControl, bucket.Properties.OwnershipControls]).toEqual([
        id,
        undefined,
        { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      ]);
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' }),
        ]),
      },
    });
  });
});

describe('GitOpsPipeline validation', () => {
  const make = (props: any) => () => pipelineFixture(props);
  test.each([
    [{ organizationId: 'o-short' }, /organizationId must match/],
    [{ repository: 'no-owner' }, /repository must be 'owner\/name'/],
    [{ connectionArn: 'arn:aws:s3:::bucket' }, /connectionArn must be a CodeConnections connection ARN/],
    [
      { filePathsIncludes: ['1', '2', '3', '4', '5', '6', '7', '8', '9'] },
      /filePathsIncludes must hold 1 to 8 patterns, found 9/,
    ],
    [{ qualifier: 'much-too-long-qualifier' }, /qualifier must match \[a-z0-9\]\{1,10\}/],
    [{ notificationEmails: ['not-an-email'] }, /emails must be email addresses/],
  ])('rejects %j', (props, message) => {
    expect(make(props)).toThrow(message);
    expect(make(props)).toThrow(/PipelineStack\/GitOps/);
  });

  // Stricter than cdk bootstrap ([A-Za-z0-9_-]{1,10}): uppercase and '_' break the staging bucket name, and a
  // hyphen would let one qualifier's `cdk-<qualifier>-*` pattern match another qualifier's roles.
  test.each(['GW_1', 'Gw1', 'gw-1', 'gw_1', ''])('rejects qualifier %j: lowercase letters and digits only', (q) => {
    expect(make({ qualifier: q })).toThrow(
      `PipelineStack/GitOps: qualifier must match [a-z0-9]{1,10} (the CDK bootstrap contract), found '${q}'`,
    );
  });

  test('accepts a bootstrap qualifier of lowercase letters and digits', () => {
    expect(pipelineFixture({ qualifier: 'gw1' }).pipeline.qualifier).toBe('gw1');
    expect(pipelineFixture({ qualifier: '0123456789' }).pipeline.qualifier).toBe('0123456789');
  });

  test('rejects a wave name that is not a CodePipeline stage name', () => {
    const { app, pipeline } = pipelineFixture();
    const stage = new TinyEnvironment(app, 'dev', { env: { account: accountId(1), region: 'eu-west-1' } });
    expect(() => pipeline.addEnvironment(stage, { wave: 'has space' })).toThrow(/wave must match .* found 'has space'/);
  });

  // Without the check, aws-cdk-lib/pipelines fails with "Node with duplicate id: Build" or a dependency cycle.
  test.each([
    [
      ['Build', 'Build'],
      "wave 'Build' needs the CodePipeline stage name 'Build', which is already the pipeline's own stage",
    ],
    [
      ['Source', 'Source'],
      "wave 'Source' needs the CodePipeline stage name 'Source', which is already the pipeline's own stage",
    ],
    // dev alone in 'solo' makes a stage named 'dev'; test and prod then cannot be the wave 'dev'.
    [['solo', 'dev', 'dev'], "wave 'dev' needs the CodePipeline stage name 'dev', which is already wave 'solo'"],
  ])('rejects waves %j whose stage names collide, naming the wave', (waves, message) => {
    const { app, pipeline } = pipelineFixture();
    ['dev', 'test', 'prod'].slice(0, waves.length).forEach((name, i) => {
      const stage = new TinyEnvironment(app, name, { env: { account: accountId(i + 1), region: 'eu-west-1' } });
      pipeline.addEnvironment(stage, { wave: waves[i] });
    });
    expect(() => pipeline.buildPipeline()).toThrow(`PipelineStack/GitOps: ${message}`);
  });

  // pipelines splits a stage of more than 50 actions into '<name>.1', '<name>.2', ... (and so does the wave
  // layout): a wave called '<other wave>.<digits>' would take the name of one of those parts.
  test.each([
    [['prod', 'prod.1'], "wave 'prod.1' needs the CodePipeline stage name 'prod.1'", "wave 'prod'"],
    [['prod.1', 'prod'], "wave 'prod.1' needs the CodePipeline stage name 'prod.1'", "wave 'prod'"],
    [['Canary', 'Canary.12'], "wave 'Canary.12' needs the CodePipeline stage name 'Canary.12'", "wave 'Canary'"],
  ])('rejects waves %j: one is named like a split part of the other, naming both', (waves, needs, other) => {
    const { app, pipeline } = pipelineFixture();
    waves.forEach((wave, w) => {
      for (const i of [1, 2]) {
        const name = `env${w}${i}`;
        pipeline.addEnvironment(
          new TinyEnvironment(app, name, { env: { account: accountId(w * 2 + i), region: 'eu-west-1' } }),
          { wave },
        );
      }
    });
    expect(() => pipeline.buildPipeline()).toThrow(
      `PipelineStack/GitOps: ${needs}, which ${other} takes for its split parts`,
    );
  });

  // Assets is split into 'Assets.1', 'Assets.2', ... when more than 50 assets are published (pipelines splits
  // every stage of its graph the same way): a wave of that name would collide with a part.
  test.each([
    ['Assets.1', 'Assets.1', 'Assets'],
    ['Build.2', 'Build.2', 'Build'],
  ])("rejects the wave '%s', named like a split part of one of the pipeline's own stages", (wave, used, own) => {
    const { app, pipeline } = pipelineFixture();
    pipeline.addEnvironment(new TinyEnvironment(app, 'dev', { env: { account: accountId(1), region: 'eu-west-1' } }), {
      wave,
    });
    pipeline.addEnvironment(new TinyEnvironment(app, 'test', { env: { account: accountId(2), region: 'eu-west-1' } }), {
      wave,
    });
    expect(() => pipeline.buildPipeline()).toThrow(
      `PipelineStack/GitOps: wave '${wave}' needs the CodePipeline stage name '${used}', which the pipeline's own ` +
        `stage '${own}' takes for its split parts`,
    );
  });

  test('accepts waves named like another wave followed by a dot and more than digits', () => {
    const { app, pipeline } = pipelineFixture();
    ['prod', 'prod.eu', 'prod.1a', 'prod1'].forEach((wave, i) =>
      pipeline.addEnvironment(
        new TinyEnvironment(app, `env${i}`, { env: { account: accountId(i + 1), region: 'eu-west-1' } }),
        { wave },
      ),
    );
    expect(() => pipeline.buildPipeline()).not.toThrow();
  });

  // 18 environments of 3 actions (54) split the wave into '<wave>.1' and '<wave>.2': a 98-character wave
  // name gives 100-character stage names (CodePipeline's limit), a 99-character one 101.
  test.each([
    [98, undefined],
    [99, `'${'w'.repeat(99)}.1' (101 characters, at most 100)`],
  ])('a split wave named with %d characters: stage names over 100 characters are refused', (length, message) => {
    const { app, stack, pipeline } = pipelineFixture();
    const wave = 'w'.repeat(length);
    for (let i = 0; i < 18; i++) {
      pipeline.addEnvironment(
        new TinyEnvironment(app, `env${i}`, { env: { account: accountId(i + 1), region: 'eu-west-1' } }),
        { wave },
      );
    }
    if (message === undefined) {
      pipeline.buildPipeline();
      const names = pipelineOf(Template.fromStack(stack)).Stages.map((s: any) => s.Name);
      expect(names.filter((name: string) => name.startsWith('w'))).toEqual([`${wave}.1`, `${wave}.2`]);
    } else {
      expect(() => pipeline.buildPipeline()).toThrow(
        `PipelineStack/GitOps: wave '${wave}' needs the CodePipeline stage name ${message}`,
      );
    }
  });

  // The docs promise a manual approval before every production environment; approvalRequired: false removed
  // it silently, and the permissions-broadening confirm is approved automatically when nothing broadens.
  test('rejects a production environment with approvalRequired: false, naming the environment', () => {
    const { app, pipeline } = pipelineFixture();
    const prod = new TinyEnvironment(app, 'prod', { env: { account: accountId(2), region: 'eu-west-1' } });
    expect(() => pipeline.addEnvironment(prod, { wave: 'Prod', production: true, approvalRequired: false })).toThrow(
      "PipelineStack/GitOps: addEnvironment('prod'): a production environment always gets a manual approval, " +
        'so approvalRequired must be true or left unset; found production: true and approvalRequired: false',
    );
  });

  test('accepts production with approvalRequired true or unset, and non-production without approval', () => {
    const { app, pipeline } = pipelineFixture();
    const env = (name: string, n: number) =>
      new TinyEnvironment(app, name, { env: { account: accountId(n), region: 'eu-west-1' } });
    pipeline.addEnvironment(env('dev', 1), { wave: 'Dev', approvalRequired: false });
    pipeline.addEnvironment(env('prod', 2), { wave: 'Prod', production: true, approvalRequired: true });
    pipeline.addEnvironment(env('prod2', 3), { wave: 'Prod', production: true });
    pipeline.buildPipeline();
    const stages = pipelineOf(Template.fromStack(pipeline.node.scope as Stack)).Stages;
    const approvals = stages.flatMap((s: any) => s.Actions).filter((a: any) => /\.Approve$/.test(a.Name));
    expect(approvals.map((a: any) => a.Name).sort()).toEqual(['prod.Approve', 'prod2.Approve']);
  });

  test('accepts a wave of one environment named like that environment, and one named like a wave of several', () => {
    const { app, pipeline } = pipelineFixture();
    const add = (name: string, wave: string, i: number) =>
      pipeline.addEnvironment(new TinyEnvironment(app, name, { env: { account: accountId(i), region: 'eu-west-1' } }), {
        wave,
      });
    add('dev', 'dev', 1);
    add('test', 'later', 2);
    add('prod', 'later', 3);
    expect(() => pipeline.buildPipeline()).not.toThrow();
  });

  test('rejects an alarm gate on a wave with no environment, and a pipeline with no environment', () => {
    const { app, pipeline } = pipelineFixture();
    expect(() => pipeline.buildPipeline()).toThrow(/no environment was added/);
    pipeline.addEnvironment(new TinyEnvironment(app, 'dev', { env: { account: accountId(1), region: 'eu-west-1' } }), {
      wave: 'Dev',
    });
    pipeline.gateOnAlarms('Typo', ['a']);
    expect(() => pipeline.buildPipeline()).toThrow(/gateOnAlarms names wave 'Typo'/);
  });

  test('rejects alarm gates with no alarms or an out-of-range wait time', () => {
    const { pipeline } = pipelineFixture();
    expect(() => pipeline.gateOnAlarms('Dev', [])).toThrow(/needs 1 to 5 alarm names, found 0/);
    expect(() => pipeline.gateOnAlarms('Dev', ['a'], { waitTimeMinutes: 0 })).toThrow(
      /waitTimeMinutes must be an integer from 1 to 60/,
    );
  });

  test('rejects more than 5 alarms in one gate and a wait over 60 minutes; accepts 5 alarms and 60 minutes', () => {
    const { pipeline } = pipelineFixture();
    const names = (n: number) => Array.from({ length: n }, (_, i) => `alarm-${i + 1}`);
    expect(() => pipeline.gateOnAlarms('Dev', names(6))).toThrow(
      /GitOps: gateOnAlarms\('Dev'\) needs 1 to 5 alarm names, found 6$/,
    );
    expect(() => pipeline.gateOnAlarms('Dev', ['a'], { waitTimeMinutes: 61 })).toThrow(
      /waitTimeMinutes must be an integer from 1 to 60, found 61$/,
    );
    expect(() => pipeline.gateOnAlarms('Dev', names(5), { waitTimeMinutes: 60 })).not.toThrow();
  });

  test('synthesizes each stage when it is added; a stage changed afterwards fails the synthesis', () => {
    const { app, pipeline } = pipelineFixture();
    const dev = new TinyEnvironment(app, 'dev', { env: { account: accountId(1), region: 'eu-west-1' } });
    const synth = jest.spyOn(dev, 'synth');
    pipeline.addEnvironment(dev, { wave: 'Dev' });
    // Written before the pipeline is built: work on the templates can start while other stages are composed.
    expect(synth).toHaveBeenCalledTimes(1);
    expect(fs.existsSync(path.join(dev.outdir, dev.stack.templateFile))).toBe(true);
    pipeline.buildPipeline();
    // pipelines synthesizes the stage again when it adds it to its wave, and gets the same assembly back.
    expect(synth.mock.calls.length).toBeGreaterThan(1);
    const assemblies = new Set(synth.mock.results.map((r) => r.value));
    expect(assemblies.size).toBe(1);

    const other = pipelineFixture();
    const test = new TinyEnvironment(other.app, 'test', { env: { account: accountId(2), region: 'eu-west-1' } });
    other.pipeline.addEnvironment(test, { wave: 'Test' });
    new sqs.Queue(test.stack, 'AddedLater', { enforceSSL: true });
    expect(() => other.pipeline.buildPipeline()).toThrow(/construct tree was modified after the first synthesis/);
  });

  test('builds itself before synthesis when the app did not call buildPipeline()', () => {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', { env: PIPELINE_ENV });
    const pipeline = new GitOpsPipeline(stack, 'GitOps', {
      repository: 'groundwork-platform/groundwork',
      connectionArn: CONNECTION_ARN,
    });
    pipeline.addEnvironment(new TinyEnvironment(app, 'dev', { env: { account: accountId(1), region: 'eu-west-1' } }), {
      wave: 'Dev',
    });
    const template = app.synth().getStackByName(stack.stackName).template;
    const cfn = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
    expect(cfn.Properties.Triggers).toHaveLength(1);
    expect(cfn.Properties.Stages.find((s: any) => s.Name === 'dev').OnFailure).toEqual({ Result: 'ROLLBACK' });
  });
});

describe('GitOpsPipeline alarm gates, wave by wave', () => {
  /** The pipeline's wave stages: name, OnFailure, and the alarm names of the OnSuccess condition. */
  function gates(build: (fixture: ReturnType<typeof pipelineFixture>) => void): [string, string, string[]][] {
    const fixture = pipelineFixture();
    build(fixture);
    fixture.pipeline.buildPipeline();
    return pipelineOf(Template.fromStack(fixture.stack))
      .Stages.filter((s: any) => !GitOpsPipeline.RESERVED_STAGE_NAMES.includes(s.Name))
      .map((s: any) => [
        s.Name,
        s.OnFailure?.Result,
        (s.OnSuccess?.Conditions ?? []).flatMap((c: any) =>
          c.Rules.map((r: any) => `${r.Name}=${r.Configuration.AlarmName}`),
        ),
      ]);
  }
  const add = (fixture: ReturnType<typeof pipelineFixture>, wave: string, names: string[], start: number) =>
    names.forEach((name, i) =>
      fixture.pipeline.addEnvironment(
        new TinyEnvironment(fixture.app, name, { env: { account: accountId(start + i), region: 'eu-west-1' } }),
        { wave },
      ),
    );

  // Both are valid CodePipeline stage names; 'prod.eu' used to be taken for a part of 'prod' (prefix match),
  // so 'prod' lost its gate and 'prod.eu' was gated on the alarms of 'prod'.
  test("waves 'prod' and 'prod.eu' each get their own gate", () => {
    const result = gates((fixture) => {
      add(fixture, 'prod', ['a1', 'a2'], 1);
      add(fixture, 'prod.eu', ['b1', 'b2'], 3);
      fixture.pipeline.gateOnAlarms('prod', ['prod-5xx']);
      fixture.pipeline.gateOnAlarms('prod.eu', ['prod-eu-5xx']);
    });
    expect(result).toEqual([
      ['prod', 'ROLLBACK', ['prod-alarm-1=prod-5xx']],
      ['prod.eu', 'ROLLBACK', ['prod.eu-alarm-1=prod-eu-5xx']],
    ]);
  });

  // 18 environments of 3 actions (Prepare, Deploy, Validate): 54, over CodePipeline's 50 per stage.
  test('a wave split into several stages waits for its alarms, and can roll back, in every part', () => {
    const result = gates((fixture) => {
      add(
        fixture,
        'Canary',
        Array.from({ length: 18 }, (_, i) => `canary${i}`),
        1,
      );
      add(fixture, 'Next', ['next1', 'next2'], 30);
      fixture.pipeline.gateOnAlarms('Canary', ['canary-5xx']);
    });
    expect(result).toEqual([
      ['Canary.1', 'ROLLBACK', ['Canary.1-alarm-1=canary-5xx']],
      ['Canary.2', 'ROLLBACK', ['Canary.2-alarm-1=canary-5xx']],
      ['Next', 'ROLLBACK', []],
    ]);
  });

  // An environment of more than 50 actions cannot be split by the layout: aws-cdk-lib/pipelines splits its
  // stage itself, into '<environment>.1', '<environment>.2'. Those parts still belong to the wave.
  test("the parts aws-cdk-lib/pipelines splits off on its own ('<name>.<n>') keep the wave's rollback and gate", () => {
    class Big extends Stage {
      constructor(scope: Construct, id: string, props: StageProps) {
        super(scope, id, props);
        for (let i = 0; i < 26; i++) {
          new sqs.Queue(new Stack(this, `S${i}`), 'Queue', { enforceSSL: true });
        }
      }
    }
    const result = gates((fixture) => {
      fixture.pipeline.addEnvironment(
        new Big(fixture.app, 'big', { env: { account: accountId(1), region: 'eu-west-1' } }),
        { wave: 'Big' },
      );
      add(fixture, 'big.eu', ['eu1', 'eu2'], 2);
      fixture.pipeline.gateOnAlarms('Big', ['big-5xx']);
    });
    expect(result).toEqual([
      ['big.1', 'ROLLBACK', ['big.1-alarm-1=big-5xx']],
      ['big.2', 'ROLLBACK', ['big.2-alarm-1=big-5xx']],
      ['big.eu', 'ROLLBACK', []],
    ]);
  });
});

describe('GitOpsPipeline failure alarm threshold', () => {
  const alarmThreshold = (template: Template) =>
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((a: any) =>
      JSON.stringify(a.Properties).includes('"MetricName":"StageFailed"'),
    )!.Properties.Threshold;

  test('failureAlarmThreshold reaches the deployment failure alarm; it is 1 by default', () => {
    const tolerant = devAndProd({ failureAlarmThreshold: 3 });
    tolerant.pipeline.buildPipeline();
    expect(alarmThreshold(Template.fromStack(tolerant.stack))).toBe(3);
    const strict = devAndProd();
    strict.pipeline.buildPipeline();
    expect(alarmThreshold(Template.fromStack(strict.stack))).toBe(1);
  });

  test('failureAlarmThreshold without monitoring is an error', () => {
    expect(() => pipelineFixture({ monitoring: false, failureAlarmThreshold: 3 })).toThrow(
      /PipelineStack\/GitOps: failureAlarmThreshold needs monitoring, found monitoring: false and failureAlarmThreshold: 3/,
    );
  });
});

// S3 Block Public Access (which the artifact bucket turns on) counts a bucket policy public unless each Allow
// names fixed principals or is limited by fixed values of the keys S3 lists (aws:SourceArn, aws:SourceAccount,
// aws:SourceVpc(e), aws:SourceOwner, aws:SourceIp, aws:userid, ...): `Principal: *` with a wildcard
// aws:PrincipalArn and aws:PrincipalAccount is not among them, and the bucket would refuse the policy.
describe('GitOpsPipeline artifact bucket policy under S3 Block Public Access', () => {
  const root = (account: string) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]],
  });
  test.each([
    ['with an organization id', ORG_ID],
    ['with an explicit account list', undefined],
  ])(
    '%s: every Allow names fixed principals; the deploy roles read as their accounts, by name pattern',
    (_, organizationId) => {
      const fixture = devAndProd({ organizationId });
      fixture.pipeline.buildPipeline();
      const policies = Template.fromStack(fixture.stack).findResources('AWS::S3::BucketPolicy');
      const allows = Object.values(policies)
        .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
        .filter((s: any) => s.Effect === 'Allow');
      expect(allows.length).toBeGreaterThan(0);
      for (const statement of allows) {
        expect(JSON.stringify(statement.Principal)).not.toMatch(/"\*"/);
      }
      const readers = allows.filter((s: any) => JSON.stringify(s.Condition ?? {}).includes('deploy-role-*'));
      expect(readers).toHaveLength(1);
      expect(readers[0].Principal).toEqual({ AWS: [root(accountId(1)), root(accountId(2))] });
      expect(readers[0].Condition).toEqual({
        ArnLike: {
          'aws:PrincipalArn': {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/cdk-hnb659fds-deploy-role-*']],
          },
        },
        ...(organizationId ? { StringEquals: { 'aws:PrincipalOrgID': ORG_ID } } : {}),
      });
    },
  );
});

// CodePipeline accepts '.' and '@' in a pipeline name (GitOpsPipeline too), CodeBuild does not in a project
// name ([A-Za-z0-9][A-Za-z0-9_-]{1,254}): aws-cdk-lib's `<pipeline>-selfupdate` made the stack fail to create.
describe('GitOpsPipeline CodeBuild project names', () => {
  const CODEBUILD_PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;
  function projectNamesOf(pipelineName: string): string[] {
    const fixture = pipelineFixture({ pipelineName });
    fixture.pipeline.addEnvironment(
      new TinyEnvironment(fixture.app, 'dev', { env: { account: accountId(1), region: PIPELINE_ENV.region } }),
      { wave: 'Dev' },
    );
    return Object.values(Template.fromStack(fixture.stack).findResources('AWS::CodeBuild::Project'))
      .map((project: any) => project.Properties.Name)
      .filter((name): name is string => name !== undefined);
  }

  test('a pipeline name with . or @, or starting with - or _, gives project names CodeBuild accepts', () => {
    const names = ['team.platform', 'team@platform', '_team', '-', 'team-platform'].map(projectNamesOf);
    for (const projectNames of names) {
      expect(projectNames).toHaveLength(1);
      expect(projectNames[0]).toMatch(CODEBUILD_PROJECT_NAME);
    }
    expect(names[0][0]).toMatch(/^team-platform-[0-9a-f]{8}-selfupdate$/);
    // The hash of the whole pipeline name keeps apart names the replacement would make equal.
    expect(new Set(names.map((n) => n[0])).size).toBe(names.length);
  });

  test('a name CodeBuild accepts is kept as aws-cdk-lib sets it (a new name would replace the project)', () => {
    expect(projectNamesOf('example-platform')).toEqual(['example-platform-selfupdate']);
  });
});

// CloudWatch Logs allows 10 resource policies per account and region (fixed); each pipeline's monitoring
// creates one by default, so pipelines sharing an account turn theirs off for one PipelineEventsLogPolicy.
describe('GitOpsPipeline monitoring events log policy', () => {
  test('monitoringEventsLogPolicy: false leaves the log group to the account-wide policy; true by default', () => {
    const shared = devAndProd({ monitoringEventsLogPolicy: false });
    shared.pipeline.buildPipeline();
    Template.fromStack(shared.stack).resourceCountIs('AWS::Logs::ResourcePolicy', 0);
    Template.fromStack(shared.stack).resourceCountIs('AWS::Logs::LogGroup', 1);
    const own = devAndProd();
    own.pipeline.buildPipeline();
    Template.fromStack(own.stack).hasResourceProperties('AWS::Logs::ResourcePolicy', {
      PolicyName: 'groundwork-events-groundwork',
    });
  });

  test('monitoringEventsLogPolicy without monitoring is an error', () => {
    expect(() => pipelineFixture({ monitoring: false, monitoringEventsLogPolicy: false })).toThrow(
      /PipelineStack\/GitOps: monitoringEventsLogPolicy needs monitoring, found monitoring: false and monitoringEventsLogPolicy: false/,
    );
  });
});

describe('GitOpsPipeline notification rule name', () => {
  /** CodeStar Notifications CreateNotificationRule: Name is 1 to 64 of [A-Za-z0-9\-_ ], unique in the account. */
  const VALID_RULE_NAME = /^[A-Za-z0-9_ -]{1,64}$/;

  /** The notification rule name of a pipeline built alone in its own app, as each branch's synth builds it. */
  function ruleNameOf(pipelineName: string, region: string | null = PIPELINE_ENV.region): any {
    const app = new App();
    const stack = new Stack(app, 'PipelineStack', {
      env: region ? { account: PIPELINE_ENV.account, region } : undefined,
    });
    const pipeline = new GitOpsPipeline(stack, 'GitOps', {
      repository: 'groundwork-platform/groundwork',
      connectionArn: CONNECTION_ARN,
      organizationId: ORG_ID,
      pipelineName,
    });
    // In the pipeline's own account and region (an environment-agnostic pipeline stack deploys only there).
    pipeline.addEnvironment(
      new TinyEnvironment(app, 'dev', { env: region ? { account: accountId(1), region } : undefined }),
      { wave: 'Dev' },
    );
    const rules = Object.values(
      Template.fromStack(stack).findResources('AWS::CodeStarNotifications::NotificationRule'),
    );
    expect(rules).toHaveLength(1);
    return rules[0].Properties.Name;
  }

  test('two pipelines of one account with the same construct path (one per branch) get different rule names', () => {
    // The main and develop pipelines: same code, so same construct path, in one tooling account and region.
    const main = ruleNameOf('example-platform');
    const develop = ruleNameOf('example-platform-develop');
    expect(main).toBe('example-platform-eu-west-1-pipeline-events');
    expect(develop).toBe('example-platform-develop-eu-west-1-pipeline-events');
    expect(main).not.toBe(develop);
  });

  // Pipeline names are unique per account and region, rule names per account: the same pipeline name in two
  // regions of one account (a pipeline per region, or a copy for disaster recovery) made the same rule name.
  test('the same pipeline name in two regions of one account gets two rule names', () => {
    const names = ['eu-west-1', 'us-east-1', 'us-isof-south-1'].map((region) => ruleNameOf('groundwork', region));
    expect(names).toEqual([
      'groundwork-eu-west-1-pipeline-events',
      'groundwork-us-east-1-pipeline-events',
      'groundwork-us-isof-south-1-pipeline-events',
    ]);
    const long = ['eu-west-1', 'us-east-1'].map((region) => ruleNameOf(`ex-platform-${'b'.repeat(36)}`, region));
    expect(long[0]).not.toBe(long[1]);
    for (const name of [...names, ...long]) {
      expect(name).toMatch(VALID_RULE_NAME);
    }
  });

  test('a 48-character pipeline name (the platform maximum) gives a valid name of at most 64 characters', () => {
    const pipelineName = `ex-platform-${'b'.repeat(36)}`;
    expect(pipelineName).toHaveLength(48);
    const name = ruleNameOf(pipelineName);
    // With the region, the name no longer fits whole: it is cut, and the hash of the whole name keeps it apart.
    expect(name).toMatch(/^ex-platform-b+-[0-9a-f]{8}-eu-west-1-pipeline-events$/);
    expect(name).toHaveLength(64);
    expect(name).toMatch(VALID_RULE_NAME);
    // The longest region name aws-cdk-lib knows still leaves room for the start of the pipeline name.
    expect(ruleNameOf(pipelineName, 'us-isof-south-1')).toMatch(
      /^ex-platform-b+-[0-9a-f]{8}-us-isof-south-1-pipeline-events$/,
    );
  });

  test('pipeline names with characters rule names forbid, or too long, are replaced and cut deterministically', () => {
    // 80 characters: the longest name the topic's display name, `Groundwork pipeline <name>`, allows.
    const longName = 'a'.repeat(80);
    const names = ['team.platform', 'team@platform', 'team-platform', longName, `${longName.slice(0, 79)}b`].map(
      (name) => ruleNameOf(name),
    );
    for (const name of names) {
      expect(name).toMatch(VALID_RULE_NAME);
    }
    // '.' and '@' become '-', and the hash of the whole pipeline name keeps names apart that the
    // replacement or the cut would otherwise make equal.
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toMatch(/^team-platform-[0-9a-f]{8}-eu-west-1-pipeline-events$/);
    expect(names[2]).toBe('team-platform-eu-west-1-pipeline-events');
    expect(ruleNameOf('team.platform')).toBe(names[0]);
  });

  test('team.a, team-a and team@a get three rule names', () => {
    const names = ['team.a', 'team-a', 'team@a'].map((name) => ruleNameOf(name));
    expect(new Set(names).size).toBe(3);
    expect(names[1]).toBe('team-a-eu-west-1-pipeline-events');
  });

  // The stack's region is unknown at synthesis: the name takes it at deployment (AWS::Region), with room kept
  // for a region name of up to 20 characters.
  test('in an environment-agnostic stack, the rule name ends in the region the stack is deployed to', () => {
    const resolve = (name: any, region: string): string =>
      name['Fn::Join'][1].map((part: any) => (part.Ref === 'AWS::Region' ? region : part)).join('');
    const short = ruleNameOf('groundwork', null);
    expect(short['Fn::Join'][1]).toContainEqual({ Ref: 'AWS::Region' });
    expect(resolve(short, 'eu-west-1')).toBe('groundwork-eu-west-1-pipeline-events');
    const long = ruleNameOf(`ex-platform-${'b'.repeat(36)}`, null);
    for (const region of ['eu-west-1', 'us-isof-south-1', 'x'.repeat(20)]) {
      expect(resolve(long, region)).toMatch(VALID_RULE_NAME);
    }
    expect(resolve(long, 'x'.repeat(20))).toHaveLength(64);
  });
});

describe('GitOpsPipeline resource policy rewrite', () => {
  test("a statement the app adds for a deploy role keeps its Sid, principal and conditions: only CDK's condition-free grants are rewritten", () => {
    const fixture = devAndProd();
    const role = `arn:aws:iam::${accountId(1)}:role/cdk-hnb659fds-deploy-role-${accountId(1)}-eu-west-1`;
    fixture.pipeline.artifactBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ReadTaggedReportsOnly',
        principals: [new iam.ArnPrincipal(role)],
        actions: ['s3:GetObjectTagging'],
        resources: [fixture.pipeline.artifactBucket.arnForObjects('reports/*')],
        conditions: { StringEquals: { 's3:ExistingObjectTag/report': 'true' } },
      }),
    );
    fixture.pipeline.buildPipeline();
    Template.fromStack(fixture.stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'ReadTaggedReportsOnly',
            Principal: { AWS: role },
            Action: 's3:GetObjectTagging',
            Condition: { StringEquals: { 's3:ExistingObjectTag/report': 'true' } },
          }),
        ]),
      },
    });
  });
});
