process.env.CDK_VALIDATION = 'false';
import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { devAndProd, CONNECTION_ARN, Fixture } from './fixtures';

/** The repository's root, where projenrc/versions.ts pins every tool version. */
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

function projects(template: Template): any[] {
  return Object.values(template.findResources('AWS::CodeBuild::Project'));
}

function buildSpecOf(project: any): any {
  return JSON.parse(project.Properties.Source.BuildSpec);
}

function projectRunning(template: Template, command: string): any {
  const found = projects(template).filter((p) => JSON.stringify(p.Properties.Source.BuildSpec).includes(command));
  expect(found).toHaveLength(1);
  return found[0];
}

/** Every statement of the identity policies attached to the role whose logical id matches `role`. */
function roleStatements(template: Template, role: RegExp): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => role.test(r.Ref)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function connectionActions(template: Template, role: RegExp, arn: string): string[] {
  return roleStatements(template, role)
    .filter((s) => JSON.stringify(s.Resource) === JSON.stringify(arn))
    .flatMap((s) => [].concat(s.Action))
    .sort();
}

function built(fixture: Fixture): Template {
  fixture.pipeline.buildPipeline();
  return Template.fromStack(fixture.stack);
}

describe('GitOpsPipeline source: the synth step works on a git clone', () => {
  const template = built(devAndProd());
  const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as any;

  // The test command needs a work tree with .git (the API compatibility gate's `git rev-parse`, the
  // release tests' `git ls-files`); CodePipeline's default CODE_ZIP artifact has none.
  test('the source action outputs a CodeBuild clone reference, consumed by the synth step only', () => {
    const source = pipeline.Properties.Stages.find((s: any) => s.Name === 'Source').Actions[0];
    expect(source.Configuration.OutputArtifactFormat).toBe('CODEBUILD_CLONE_REF');
    const artifact = source.OutputArtifacts[0].Name;
    const consumers = pipeline.Properties.Stages.flatMap((s: any) => s.Actions).filter((a: any) =>
      (a.InputArtifacts ?? []).some((i: any) => i.Name === artifact),
    );
    expect(consumers.map((a: any) => `${a.ActionTypeId.Provider}:${a.Name}`)).toEqual(['CodeBuild:Synth']);
  });

  // IAM matches the action's service prefix with the ARN's: a codeconnections ARN needs
  // codeconnections:UseConnection, and aws-cdk-lib grants only codestar-connections:UseConnection.
  test('the pipeline role and the synth project may use the codeconnections connection under both prefixes', () => {
    const both = ['codeconnections:UseConnection', 'codestar-connections:UseConnection'];
    expect(connectionActions(template, /^GitOpsPipelineRole/, CONNECTION_ARN)).toEqual(both);
    expect(connectionActions(template, /SynthCdkBuildProjectRole/, CONNECTION_ARN)).toEqual(both);
  });

  test('a codestar-connections ARN gets the codestar-connections action only', () => {
    const arn = CONNECTION_ARN.replace(':codeconnections:', ':codestar-connections:');
    const other = built(devAndProd({ connectionArn: arn }));
    expect(connectionActions(other, /^GitOpsPipelineRole/, arn)).toEqual(['codestar-connections:UseConnection']);
    expect(connectionActions(other, /SynthCdkBuildProjectRole/, arn)).toEqual(['codestar-connections:UseConnection']);
    const all = JSON.stringify(other.toJSON());
    expect(all).not.toContain('codeconnections:UseConnection');
  });
});

describe('GitOpsPipeline toolchain: pinned Node.js runtime and CDK CLI', () => {
  const template = built(devAndProd());

  test('synth, self-mutation and stage validation run Node.js 20 (runtime-versions), not the image default', () => {
    for (const command of ['npm run synth', 'aws-cdk@', 'groundwork-validation']) {
      const spec = buildSpecOf(projectRunning(template, command));
      expect(spec.phases.install['runtime-versions']).toEqual({ nodejs: '20' });
    }
    // The synth step's own partial build spec (the cache) is kept.
    const synth = buildSpecOf(projectRunning(template, 'npm run synth'));
    expect(synth.phases.install.commands).toEqual(['npm ci']);
    expect(synth.cache.paths).toEqual(expect.arrayContaining(['/root/.npm/**/*', '.nx/cache/**/*']));
  });

  test('self-mutation installs the CDK CLI the repository builds with, not the newest aws-cdk@2', () => {
    const versions = fs.readFileSync(path.join(REPO_ROOT, 'projenrc', 'versions.ts'), 'utf-8');
    const repoCli = /awsCdkCli:\s*'([^']+)'/.exec(versions)?.[1];
    expect(repoCli).toMatch(/^\d+\.\d+\.\d+$/);
    const selfMutation = buildSpecOf(projectRunning(template, 'aws-cdk@'));
    expect(selfMutation.phases.install.commands).toEqual([`npm install -g aws-cdk@${repoCli}`]);
  });

  test('cliVersion overrides the pinned CLI', () => {
    const other = built(devAndProd({ cliVersion: '2.1200.0' }));
    const selfMutation = buildSpecOf(projectRunning(other, 'aws-cdk@'));
    expect(selfMutation.phases.install.commands).toEqual(['npm install -g aws-cdk@2.1200.0']);
  });
});
