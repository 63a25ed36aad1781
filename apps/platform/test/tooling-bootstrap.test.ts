import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { exampleConfig, resourcesOfType, withEnv } from './helpers';
import {
  pipelineStackRegions,
  renderToolingBootstrapTemplate,
  toolingDeploymentTrustProps,
} from '../src/bootstrap-template';
import { composePlatform } from '../src/platform';

/*
 * The tooling account's bootstrap against the pipeline that self-mutation deploys through it. CloudFormation
 * creates and updates the pipeline with the tooling execution role, and the pipeline's source action names
 * the repository connection, a resource created outside the stack: CreatePipeline and UpdatePipeline need
 * PassConnection on it, or self-mutation fails with AccessDenied while every synth and offline check passes.
 */

const config = exampleConfig();
// The example's pipeline stack, composed without the validation plugins: only its template is read.
const pipelineTemplate = withEnv('CDK_VALIDATION', 'false', () =>
  Template.fromStack(composePlatform(new App(), config, { complianceGate: [] }).pipelineStack).toJSON(),
);
const CONNECTION_SERVICES = ['codeconnections', 'codestar-connections'];

/** The tooling bootstrap template of `cfg`, as JSON (without template validation: its policies are read). */
function renderTooling(cfg: typeof config): any {
  return JSON.parse(withEnv('CDK_VALIDATION', 'false', () => renderToolingBootstrapTemplate(cfg, pipelineTemplate)));
}

/** The statements of the bootstrap template's managed policy whose logical id contains `id`. */
function policyStatements(bootstrap: any, id: string): any[] {
  const found = resourcesOfType(bootstrap, 'AWS::IAM::ManagedPolicy').filter(([logicalId]) => logicalId.includes(id));
  expect(found).toHaveLength(1);
  return [].concat(found[0][1].Properties.PolicyDocument.Statement);
}

/** Whether an Allow statement names `action` (exactly, or as `<service>:*`) on `resource` (exactly or `*`). */
function allows(statement: any, action: string, resource: string): boolean {
  return (
    statement.Effect === 'Allow' &&
    [statement.Action].flat().some((a: string) => a === action || a === `${action.split(':')[0]}:*`) &&
    [statement.Resource].flat().some((r: unknown) => r === resource || r === '*')
  );
}

test("the tooling execution role may pass the source action's connection to CodePipeline, and the boundary lets it", () => {
  const sources = resourcesOfType(pipelineTemplate, 'AWS::CodePipeline::Pipeline')
    .flatMap(([, p]) => p.Properties.Stages)
    .flatMap((stage: any) => stage.Actions)
    .filter((action: any) => action.ActionTypeId.Provider === 'CodeStarSourceConnection');
  expect(sources.length).toBeGreaterThan(0);
  const connections = [...new Set(sources.map((action: any) => action.Configuration.ConnectionArn))];
  expect(connections).toEqual([config.groundwork.repository.connectionArn]);

  const bootstrap = renderTooling(config);
  const execution = policyStatements(bootstrap, 'ExecutionPolicy');
  const boundary = policyStatements(bootstrap, 'Boundary');
  for (const prefix of CONNECTION_SERVICES) {
    const action = `${prefix}:PassConnection`;
    // Which service name CodePipeline checks is not documented per ARN form: both are granted.
    const grants = execution.filter((st) => [st.Action].flat().includes(action));
    expect(grants).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Resource: connections[0],
        Condition: { StringEquals: { [`${prefix}:PassedToService`]: 'codepipeline.amazonaws.com' } },
      }),
    ]);
    // The execution role holds no other grant of it (e.g. through `<service>:*`).
    expect(execution.filter((st) => allows(st, action, 'arn:aws:codeconnections:eu-west-1:1:connection/x'))).toEqual(
      [],
    );
    expect({ action, boundary: boundary.some((st) => allows(st, action, connections[0])) }).toEqual({
      action,
      boundary: true,
    });
  }
});

test('the older codestar-connections ARN of a connection is passed the same way', () => {
  const legacy = config.groundwork.repository.connectionArn.replace(':codeconnections:', ':codestar-connections:');
  const withLegacy = {
    ...config,
    groundwork: { ...config.groundwork, repository: { ...config.groundwork.repository, connectionArn: legacy } },
  };
  expect(toolingDeploymentTrustProps(withLegacy, pipelineTemplate).passableConnectionArns).toEqual([legacy]);
  const execution = policyStatements(renderTooling(withLegacy), 'ExecutionPolicy');
  for (const prefix of CONNECTION_SERVICES) {
    expect(execution.some((st) => allows(st, `${prefix}:PassConnection`, legacy))).toBe(true);
  }
});

test('the tooling deploy role reaches the tooling region and every environment region, each once', () => {
  expect(config.environments.map((e) => e.name)).toEqual(['dev', 'test', 'prod']);
  const [dev, testEnv, prod] = config.environments;
  const multiRegion = {
    ...config,
    environments: [dev, { ...testEnv, region: 'us-east-1' }, { ...prod, region: 'eu-central-1' }],
  } as typeof config;
  expect(pipelineStackRegions(config)).toEqual([config.groundwork.tooling.region]);
  expect(pipelineStackRegions(multiRegion)).toEqual(['eu-west-1', 'us-east-1', 'eu-central-1']);
  expect(toolingDeploymentTrustProps(multiRegion, pipelineTemplate).deployableStackRegions).toEqual(
    pipelineStackRegions(multiRegion),
  );
});
