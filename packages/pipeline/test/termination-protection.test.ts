process.env.CDK_VALIDATION = 'false';
import { Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { accountId, pipelineFixture, TinyEnvironment } from './fixtures';

/**
 * An environment as the platform builds it: a network and a security stack that get termination
 * protection in production, and a scratch stack that never does.
 */
class ProtectedEnvironment extends Stage {
  public readonly network: Stack;
  public readonly security: Stack;
  public readonly scratch: Stack;
  constructor(scope: Construct, id: string, props: StageProps & { readonly production: boolean }) {
    super(scope, id, props);
    const stack = (name: string, terminationProtection: boolean) => {
      const s = new Stack(this, name, { stackName: `example-${id}-${name.toLowerCase()}`, terminationProtection });
      new sqs.Queue(s, 'Queue', { enforceSSL: true });
      return s;
    };
    this.network = stack('Network', props.production);
    this.security = stack('Security', props.production);
    this.scratch = stack('Scratch', false);
  }
}

function pipelineOf(template: Template): any {
  return Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
}

function actions(template: Template, stageName: string): any[] {
  return pipelineOf(template).Stages.find((s: any) => s.Name === stageName).Actions;
}

function environmentOf(action: any): { [name: string]: string } {
  return Object.fromEntries(
    JSON.parse(action.Configuration.EnvironmentVariables).map((v: any) => [v.name, v.value] as const),
  );
}

// CodePipeline's CloudFormation actions ignore a stack's terminationProtection (aws/aws-cdk#17871): without
// a step of its own, a production stack is deployed unprotected although its template says otherwise.
describe('GitOpsPipeline: termination protection of the stacks that declare it', () => {
  const fixture = pipelineFixture();
  const dev = new ProtectedEnvironment(fixture.app, 'dev', {
    env: { account: accountId(1), region: 'eu-west-1' },
    production: false,
  });
  const prod = new ProtectedEnvironment(fixture.app, 'prod', {
    env: { account: accountId(2), region: 'eu-west-1' },
    production: true,
  });
  fixture.pipeline.addEnvironment(dev, { wave: 'Dev' });
  fixture.pipeline.addEnvironment(prod, { wave: 'Prod', production: true });
  fixture.pipeline.buildPipeline();
  const template = Template.fromStack(fixture.stack);

  test('a production stage gets a Protect action after its deployments, naming its protected stacks only', () => {
    const prodActions = actions(template, 'prod');
    const lastDeploy = Math.max(
      ...prodActions.filter((a: any) => a.ActionTypeId.Category === 'Deploy').map((a: any) => a.RunOrder),
    );
    const protect = prodActions.filter((a: any) => a.Name === 'Protect');
    expect(protect).toHaveLength(1);
    expect(protect[0].ActionTypeId).toMatchObject({ Category: 'Build', Provider: 'CodeBuild' });
    expect(protect[0].RunOrder).toBe(lastDeploy + 1);
    expect(environmentOf(protect[0])).toEqual({
      STAGE_ASSEMBLY: 'assembly-prod',
      // postDeploymentValidation is off in production by default: protection only.
      VALIDATE: 'false',
      PROTECT_STACKS: [prod.network.artifactId, prod.security.artifactId].join(' '),
    });
    expect(prodActions.some((a: any) => a.Name === 'Validate')).toBe(false);
  });

  test('the action runs in the shared validation project, which assumes the deploy role and turns protection on', () => {
    const protect = actions(template, 'prod').find((a: any) => a.Name === 'Protect');
    const validate = actions(template, 'dev').find((a: any) => a.Name === 'Validate');
    expect(protect.Configuration.ProjectName).toEqual(validate.Configuration.ProjectName);
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project')).filter((p: any) =>
      JSON.stringify(p.Properties.Source.BuildSpec).includes('groundwork-validation'),
    ) as any[];
    expect(projects).toHaveLength(1);
    const script: string = JSON.parse(projects[0].Properties.Source.BuildSpec).phases.build.commands[0];
    expect(script).toContain('aws sts assume-role --role-arn "$role"');
    expect(script).toContain('cdk-$QUALIFIER-deploy-role-$account-$region');
    expect(script).toContain('aws cloudformation update-termination-protection');
    expect(script).toContain('--enable-termination-protection');
    expect(script).toContain('.Stacks[0].EnableTerminationProtection');
  });

  test('a non-production stage whose stacks declare no protection gets its validation only', () => {
    const devActions = actions(template, 'dev');
    expect(devActions.map((a: any) => a.Name)).not.toContain('Protect');
    const validate = devActions.filter((a: any) => a.Name === 'Validate');
    expect(validate).toHaveLength(1);
    expect(environmentOf(validate[0])).toEqual({ STAGE_ASSEMBLY: 'assembly-dev' });
  });

  test('cdk-nag AwsSolutions and NIST 800-53 rev 5: no unacknowledged finding', () => {
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      expect(pack.validateScope(fixture.stack).violations.map((v) => v.ruleName)).toEqual([]);
    }
  });
});

describe('GitOpsPipeline: termination protection combined with validation, or not needed', () => {
  test('a validated stage with protected stacks protects them in its Validate action (no extra action)', () => {
    const fixture = pipelineFixture();
    const staging = new ProtectedEnvironment(fixture.app, 'staging', {
      env: { account: accountId(3), region: 'eu-west-1' },
      production: true,
    });
    fixture.pipeline.addEnvironment(staging, { wave: 'Staging' });
    const stageActions = actions(Template.fromStack(fixture.stack), 'staging');
    expect(stageActions.map((a: any) => a.Name)).not.toContain('Protect');
    const validate = stageActions.find((a: any) => a.Name === 'Validate');
    expect(environmentOf(validate)).toEqual({
      STAGE_ASSEMBLY: 'assembly-staging',
      PROTECT_STACKS: [staging.network.artifactId, staging.security.artifactId].join(' '),
    });
  });

  test('a production stage without protected stacks, or a stage with validation off, gets no post action', () => {
    const fixture = pipelineFixture();
    fixture.pipeline.addEnvironment(
      new TinyEnvironment(fixture.app, 'prod', { env: { account: accountId(2), region: 'eu-west-1' } }),
      { wave: 'Prod', production: true },
    );
    fixture.pipeline.addEnvironment(
      new ProtectedEnvironment(fixture.app, 'test', {
        env: { account: accountId(4), region: 'eu-west-1' },
        production: false,
      }),
      { wave: 'Test', postDeploymentValidation: false },
    );
    const template = Template.fromStack(fixture.stack);
    for (const stageName of ['prod', 'test']) {
      expect(actions(template, stageName).filter((a: any) => a.ActionTypeId.Category === 'Build')).toEqual(
        stageName === 'prod' ? [expect.objectContaining({ Name: 'PermissionsBroadening.Check' })] : [],
      );
    }
  });
});
