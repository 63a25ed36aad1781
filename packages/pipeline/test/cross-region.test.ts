process.env.CDK_VALIDATION = 'false';
import { Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { GitOpsPipeline } from '../src';
import { Fixture, PIPELINE_ENV, TinyEnvironment, accountId, pipelineFixture } from './fixtures';
import { staleAcknowledgements } from './nag';

// The pipeline is in eu-west-1; environments in two more regions make CodePipeline keep artifacts in a
// replication bucket per region, in support stacks at the root of the app.
const OTHER_REGIONS = ['eu-central-1', 'us-east-1'];

function multiRegion(props: Parameters<typeof pipelineFixture>[0] = {}): Fixture {
  const fixture = pipelineFixture(props);
  [PIPELINE_ENV.region, ...OTHER_REGIONS].forEach((region, i) =>
    fixture.pipeline.addEnvironment(
      new TinyEnvironment(fixture.app, `env${i}`, { env: { account: accountId(i), region } }),
      { wave: `Wave${i}`, production: i === 2 },
    ),
  );
  return fixture;
}

function supportStacks(fixture: Fixture): Stack[] {
  return Object.values(fixture.pipeline.pipeline.crossRegionSupport).map((s) => s.stack);
}

describe('GitOpsPipeline with environments in several regions', () => {
  const fixture = multiRegion();
  Tags.of(fixture.stack).add('Project', 'groundwork');
  Tags.of(fixture.stack).add('Owner', 'platform-team');
  fixture.pipeline.buildPipeline();
  // Added after the pipeline is built, as the platform app does: still inherited.
  Tags.of(fixture.stack).add('Environment', 'tooling');
  const stacks = supportStacks(fixture);
  fixture.app.synth();
  const templates = stacks.map((s) => Template.fromStack(s));

  test('one support stack per other region, in the pipeline account', () => {
    expect(stacks.map((s) => s.region).sort()).toEqual(OTHER_REGIONS);
    expect(stacks.every((s) => s.account === PIPELINE_ENV.account)).toBe(true);
  });

  test.each(OTHER_REGIONS.map((r, i) => [r, i]))(
    'replication bucket in %s: SSE-KMS with bucket key, versioned, access-logged, owner-enforced, retained',
    (_region, i) => {
      const template = templates[i as number];
      const logs = template.findResources('AWS::S3::Bucket', {
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
        },
      });
      expect(Object.keys(logs)).toHaveLength(1);
      const logsId = Object.keys(logs)[0];
      template.hasResource('AWS::S3::Bucket', {
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              {
                ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
                BucketKeyEnabled: true,
              },
            ],
          },
          VersioningConfiguration: { Status: 'Enabled' },
          LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'replication/' },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
          BucketName: Match.anyValue(),
        },
        // CodePipeline gives the bucket a fixed name: kept after a failed create, it would make the retried
        // create fail, so it is deleted then and retained on every other deletion and on replacement.
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
      });
      // the log bucket: versioned, retained, and only S3 logging may write, from the replication bucket
      template.hasResource('AWS::S3::Bucket', {
        Properties: { VersioningConfiguration: { Status: 'Enabled' } },
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logsId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Action: 's3:PutObject',
              Condition: {
                ArnLike: { 'aws:SourceArn': Match.anyValue() },
                StringEquals: { 'aws:SourceAccount': PIPELINE_ENV.account },
              },
            }),
          ]),
        },
      });
      // TLS only on both buckets
      expect(
        Object.keys(
          template.findResources('AWS::S3::BucketPolicy', {
            Properties: {
              PolicyDocument: {
                Statement: Match.arrayWith([
                  Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
                ]),
              },
            },
          }),
        ),
      ).toHaveLength(2);
      template.hasResource('AWS::KMS::Key', {
        Properties: { EnableKeyRotation: true },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    },
  );

  test('replication bucket policies name fixed principals: S3 Block Public Access refuses Principal * with a pattern', () => {
    const readers = templates.flatMap((template) =>
      Object.values(template.findResources('AWS::S3::BucketPolicy'))
        .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
        .filter((s: any) => s.Effect === 'Allow'),
    );
    expect(readers.length).toBeGreaterThan(0);
    for (const statement of readers) {
      expect(JSON.stringify(statement.Principal)).not.toMatch(/"\*"/);
    }
    // The target accounts' deploy roles read as their accounts, by the role-name pattern.
    expect(JSON.stringify(readers)).toContain(`:iam::${accountId(1)}:root`);
  });

  test('support stacks carry the tags of the pipeline stack, including tags added after the build', () => {
    for (const template of templates) {
      for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
        const resources = Object.values(template.findResources(type));
        expect(resources.length).toBeGreaterThan(0);
        for (const resource of resources) {
          expect(resource.Properties.Tags).toEqual(
            expect.arrayContaining([
              { Key: 'Project', Value: 'groundwork' },
              { Key: 'Owner', Value: 'platform-team' },
              { Key: 'Environment', Value: 'tooling' },
            ]),
          );
        }
      }
    }
  });

  test('the pipeline role gets the replication keys by alias in their regions, never on Resource *', () => {
    const policies = Template.fromStack(fixture.stack).findResources('AWS::IAM::Policy');
    const pipelineRolePolicy = Object.entries(policies).find(([id]) => /PipelineRoleDefaultPolicy/.test(id))![1];
    const statements: any[] = pipelineRolePolicy.Properties.PolicyDocument.Statement;
    expect(statements.filter((s) => s.Resource === '*')).toEqual([]);
    const keys = statements.find((s) => s.Sid === 'ReplicationKeysByAlias');
    const resources = JSON.stringify(keys.Resource);
    for (const region of OTHER_REGIONS) {
      expect(resources).toContain(`:kms:${region}:${PIPELINE_ENV.account}:key/*`);
    }
    expect(keys.Condition['ForAnyValue:StringEquals']['kms:ResourceAliases']).toHaveLength(OTHER_REGIONS.length);
    for (const alias of keys.Condition['ForAnyValue:StringEquals']['kms:ResourceAliases']) {
      expect(alias).toMatch(/^alias\//);
    }
    // and the aliases are those of the keys the support stacks create
    const aliasNames = templates.map(
      (t) => Object.values<any>(t.findResources('AWS::KMS::Alias'))[0].Properties.AliasName,
    );
    expect([...keys.Condition['ForAnyValue:StringEquals']['kms:ResourceAliases']].sort()).toEqual(aliasNames.sort());
  });
});

describe('GitOpsPipeline in several regions: cdk-nag', () => {
  test.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['NIST 800-53 R5', () => new NIST80053R5Checks()],
  ])('%s: zero unacknowledged findings on the pipeline stack and the support stacks', (_name, pack) => {
    const fixture = multiRegion();
    fixture.pipeline.buildPipeline();
    const checks = pack();
    const violations = [fixture.stack, ...supportStacks(fixture)].flatMap((s) => checks.validateScope(s).violations);
    expect(
      violations.map((v) => `${v.ruleName} ${v.violatingResources.map((c) => c.constructPath).join(',')}`),
    ).toEqual([]);
  });

  test('every acknowledgement on the pipeline stack and the support stacks suppresses a finding', () => {
    const fixture = multiRegion();
    fixture.pipeline.buildPipeline();
    expect([fixture.stack, ...supportStacks(fixture)].flatMap((s) => staleAcknowledgements(s))).toEqual([]);
  });

  test('the packs reach the support stacks: a bare bucket added to one is reported', () => {
    const fixture = multiRegion();
    fixture.pipeline.buildPipeline();
    const [support] = supportStacks(fixture);
    new s3.Bucket(support, 'Bare');
    const violations = new AwsSolutionsChecks().validateScope(support).violations;
    expect(violations.flatMap((v) => v.violatingResources.map((r) => r.constructPath))).toEqual(
      expect.arrayContaining([`${support.node.path}/Bare/Resource`]),
    );
  });

  test('two pipelines of one app share the support stacks, which are hardened once', () => {
    const fixture = multiRegion();
    const second = new Stack(fixture.app, 'SecondPipelineStack', { env: PIPELINE_ENV });
    const other = new GitOpsPipeline(second, 'GitOps', {
      repository: 'groundwork-platform/groundwork',
      connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0a1b2c3d-1111-2222-3333-444455556666',
      pipelineName: 'second',
      organizationId: 'o-abc123def4',
    });
    other.addEnvironment(
      new TinyEnvironment(fixture.app, 'other', { env: { account: accountId(9), region: 'us-east-1' } }),
      {
        wave: 'Only',
      },
    );
    fixture.pipeline.buildPipeline();
    other.buildPipeline();
    expect(other.pipeline.crossRegionSupport['us-east-1'].stack).toBe(
      fixture.pipeline.pipeline.crossRegionSupport['us-east-1'].stack,
    );
    const template = Template.fromStack(other.pipeline.crossRegionSupport['us-east-1'].stack);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.resourceCountIs('AWS::KMS::Key', 1);
  });
});
