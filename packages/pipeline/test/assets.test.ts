process.env.CDK_VALIDATION = 'false';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as cpActions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { accountId, pipelineFixture } from './fixtures';
import { staleAcknowledgements } from './nag';

/** An environment with a file asset, so the pipeline publishes assets into each target account. */
class EnvironmentWithAsset extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'Workload');
    new s3assets.Asset(stack, 'Code', { path: path.join(__dirname, 'fixtures.ts') });
  }
}

/** An environment with a container image asset (synthesis only stages the directory: no Docker needed). */
class EnvironmentWithImage extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-image-'));
    fs.writeFileSync(path.join(directory, 'Dockerfile'), 'FROM public.ecr.aws/docker/library/busybox:latest\n');
    new ecrAssets.DockerImageAsset(new Stack(this, 'Workload'), 'Image', { directory });
  }
}

/** The statements of the policies attached to the roles whose logical id matches `role`. */
function roleStatements(template: Template, role: RegExp): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => role.test(r.Ref)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

const BUILD_CONTROL = /^codebuild:(Start|Stop|Retry|BatchGet)Build/;

describe('GitOpsPipeline with file assets in 12 accounts', () => {
  const fixture = pipelineFixture();
  for (let i = 0; i < 12; i++) {
    fixture.pipeline.addEnvironment(
      new EnvironmentWithAsset(fixture.app, `env${i}`, { env: { account: accountId(i), region: 'eu-west-1' } }),
      { wave: `Wave${Math.floor(i / 4)}` },
    );
  }
  fixture.pipeline.buildPipeline();
  const template = Template.fromStack(fixture.stack);

  test('the asset publishing role assumes file-publishing roles by one pattern statement, not one per account', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s).includes('file-publishing-role'));
    expect(statements).toEqual([
      expect.objectContaining({
        Sid: 'AssumeBootstrapRolesByPattern',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/cdk-hnb659fds-file-publishing-role-*']],
        },
        Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-abc123def4' } },
      }),
    ]);
  });

  test('the asset publishing project runs Node.js 20 (runtime-versions), not the image default', () => {
    const assets = Object.values(template.findResources('AWS::CodeBuild::Project')).filter((p: any) =>
      /^buildspec-.*-FileAsset\.yaml$/.test(p.Properties.Source.BuildSpec),
    ) as any[];
    expect(assets).toHaveLength(1);
    // pipelines writes the asset buildspec into the cloud assembly, next to the pipeline's template (as
    // JSON, which is YAML too).
    const spec = JSON.parse(
      fs.readFileSync(path.join(fixture.app.outdir, assets[0].Properties.Source.BuildSpec), 'utf-8'),
    );
    expect(spec.phases.install['runtime-versions']).toEqual({ nodejs: '20' });
    expect(spec.phases.install.commands).toEqual([expect.stringMatching(/^npm install -g cdk-assets@/)]);
  });

  test('cdk-nag findings on the asset publishing resources are acknowledged', () => {
    expect(staleAcknowledgements(fixture.stack)).toEqual([]);
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      const findings = pack
        .validateScope(fixture.stack)
        .violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r: any) => r.constructPath).join(' ')}`);
      expect(findings).toEqual([]);
    }
  });
});

describe('GitOpsPipeline asset publishing roles and CodeBuild', () => {
  const fixture = pipelineFixture();
  fixture.pipeline.addEnvironment(
    new EnvironmentWithAsset(fixture.app, 'files', { env: { account: accountId(1), region: 'eu-west-1' } }),
    { wave: 'Dev' },
  );
  fixture.pipeline.addEnvironment(
    new EnvironmentWithImage(fixture.app, 'images', { env: { account: accountId(2), region: 'eu-west-1' } }),
    { wave: 'Dev' },
  );
  fixture.pipeline.buildPipeline();
  const template = Template.fromStack(fixture.stack);
  const pipeline = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
  const assetActions = pipeline.Stages.find((s: any) => s.Name === 'Assets').Actions;

  test('the pipeline role starts the asset builds: the asset actions have no role of their own', () => {
    expect(assetActions.map((a: any) => a.Name).sort()).toEqual(['DockerAssets', 'FileAssets']);
    for (const action of assetActions) {
      expect([action.Name, action.RoleArn]).toEqual([action.Name, undefined]);
      const project = action.Configuration.ProjectName.Ref;
      const start = roleStatements(template, /^GitOpsPipelineRole/).filter(
        (s: any) => JSON.stringify(s.Action).includes('codebuild:StartBuild') && s.Effect === 'Allow',
      );
      expect(JSON.stringify(start)).toContain(`"${project}"`);
    }
  });

  test.each([
    ['file', /^GitOpsPipelineAssetsFileRole/],
    ['image', /^GitOpsPipelineAssetsDockerRole/],
  ])('the %s publishing role may not start, stop or read any CodeBuild build', (_kind, role) => {
    const statements = roleStatements(template, role);
    expect(statements.length).toBeGreaterThan(0);
    const grants = statements.filter(
      (s: any) => s.Effect === 'Allow' && [s.Action].flat().some((a: string) => BUILD_CONTROL.test(a)),
    );
    expect(grants).toEqual([]);
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Sid: 'DenyBuildControl',
          Effect: 'Deny',
          Resource: '*',
          Action: expect.arrayContaining(['codebuild:StartBuild', 'codebuild:StopBuild', 'codebuild:BatchGetBuilds']),
        },
      ]),
    );
    expect(statements.some((s: any) => s.Effect === 'Allow' && s.Resource === '*')).toBe(false);
  });

  test('the asset projects still run as the publishing roles', () => {
    for (const action of assetActions) {
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Name: Match.absent(),
        ServiceRole: {
          'Fn::GetAtt': [Match.stringLikeRegexp(action.Name.startsWith('File') ? 'FileRole' : 'DockerRole'), 'Arn'],
        },
      });
    }
  });

  test('cdk-nag: no unacknowledged finding, and no stale acknowledgement', () => {
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      expect(pack.validateScope(fixture.stack).violations.map((v) => v.ruleName)).toEqual([]);
    }
    expect(staleAcknowledgements(fixture.stack)).toEqual([]);
  });
});

describe('GitOpsPipeline asset publishing role used as a CodePipeline action role', () => {
  test('fails the build instead of denying that role the StartBuild its action needs', () => {
    const fixture = pipelineFixture();
    fixture.pipeline.addEnvironment(
      new EnvironmentWithAsset(fixture.app, 'files', { env: { account: accountId(1), region: 'eu-west-1' } }),
      { wave: 'Dev' },
    );
    // What a future aws-cdk-lib/pipelines could do: start an asset build as the asset publishing role.
    const cdkPipeline = fixture.pipeline.cdkPipeline;
    const build = cdkPipeline.buildPipeline.bind(cdkPipeline);
    jest.spyOn(cdkPipeline, 'buildPipeline').mockImplementation(() => {
      build();
      const role = cdkPipeline.node.findChild('Assets').node.findChild('FileRole') as iam.Role;
      const assets = cdkPipeline.pipeline.stages.find((s) => s.stageName === 'Assets')!;
      const existing = assets.actions[0].actionProperties;
      assets.addAction(
        new cpActions.CodeBuildAction({
          actionName: 'AsAssetRole',
          input: existing.inputs![0],
          project: new codebuild.PipelineProject(fixture.stack, 'Extra'),
          role,
        }),
      );
    });
    expect(() => fixture.pipeline.buildPipeline()).toThrow(
      "PipelineStack/GitOps: CodePipeline action 'Assets/AsAssetRole' runs as the asset publishing role " +
        'PipelineStack/GitOps/Pipeline/Assets/FileRole; expected no action role (the pipeline role starts the ' +
        'asset builds). That role is denied codebuild:StartBuild, so the action could not start its build',
    );
  });
});
