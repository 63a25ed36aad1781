process.env.CDK_VALIDATION = 'false';
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { accountId, pipelineFixture } from './fixtures';

/** An environment with a file asset, so the pipeline publishes assets into each target account. */
class EnvironmentWithAsset extends Stage {
  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    const stack = new Stack(this, 'Workload');
    new s3assets.Asset(stack, 'Code', { path: path.join(__dirname, 'fixtures.ts') });
  }
}

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
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      const findings = pack
        .validateScope(fixture.stack)
        .violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r: any) => r.constructPath).join(' ')}`);
      expect(findings).toEqual([]);
    }
  });
});
