import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootstrapContract, BootstrapRoleKind } from '@groundwork/cross-account-roles';
import { DriftReconciler } from '@groundwork/pipeline';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { exampleConfig, globMatches, intrinsicResolver, resourcesOfType, templateOf, tmpOutdir } from './helpers';
import { deploymentTrustProps, renderEnvironmentBootstrapTemplate } from '../src/bootstrap-template';
import { createApp, synthesizePlatform, SynthesisResult } from '../src/main';
import { environmentStackNames, pipelineRoleNamePattern, pipelineStackName } from '../src/stack-names';

/*
 * Auto-reconcile, end to end on the example config: the drift detectors of dev and test (drift.autoReconcile)
 * start the DriftReconciler project in the tooling account through the reconcile role; the project reverts
 * drift with drift-aware change sets through each environment's deploy role. Redeploying the pipeline does
 * not revert drift (decision 0008), so nothing here may start it any more.
 */

let result: SynthesisResult;
let assembly: cxapi.CloudAssembly;
const config = exampleConfig();
const TOOLING = config.groundwork.tooling;
const RECONCILING = config.environments.filter((e) => e.drift.autoReconcile);
const PROJECT = 'example-platform-drift-reconcile';
const RECONCILE_ROLE = 'example-platform-drift-reconcile';

beforeAll(() => {
  const app = createApp(tmpOutdir('drift-reconcile'));
  result = synthesizePlatform(app, config);
  assembly = result.assembly;
});

const pipelineTemplate = () => templateOf(assembly, result.platform.pipelineStack);
const operationsTemplate = (name: string) =>
  templateOf(assembly, result.platform.stages.find((s) => s.stageName === name)!.operations);

function reconcilerProject(): [string, any] {
  const projects = resourcesOfType(pipelineTemplate(), 'AWS::CodeBuild::Project').filter(
    ([, p]) => p.Properties.Name === PROJECT,
  );
  expect(projects).toHaveLength(1);
  return projects[0];
}

/** The statements of every policy (inline or managed) attached to the role with this logical id. */
function roleStatements(template: any, roleId: string): any[] {
  return [...resourcesOfType(template, 'AWS::IAM::Policy'), ...resourcesOfType(template, 'AWS::IAM::ManagedPolicy')]
    .filter(([, p]) => JSON.stringify(p.Properties.Roles ?? []).includes(`"${roleId}"`))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

/** The tooling account's view of the pipeline stack's intrinsics. */
const resolve = (value: any): any => intrinsicResolver(pipelineTemplate(), TOOLING.account, TOOLING.region)(value);

/** An environment's CDK deploy role, as BootstrapContract names it. */
function deployRoleArn(account: string, region: string): string {
  const qualifier = BootstrapContract.DEFAULT_QUALIFIER;
  return BootstrapContract.roleArn(BootstrapRoleKind.DEPLOY, qualifier, account, region, 'aws');
}

/** CloudFormation's name for a role without RoleName (see role-name-patterns.test.ts). */
function cloudFormationRoleName(stackName: string, logicalId: string): string {
  const tail = '-ABCDEFGHIJKL';
  const full = `${stackName}-${logicalId}${tail}`;
  return full.length <= 64 ? full : `${stackName.slice(0, 25)}-${logicalId.slice(0, 25)}${tail}`;
}

/** An IAM pattern as a case-insensitive regular expression. */
function iamPattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
}

/** The reconcile program baked into the project's buildspec, loaded as a module. */
function reconcileProgram(): any {
  const [, project] = reconcilerProject();
  const commands: string[] = JSON.parse(project.Properties.Source.BuildSpec).phases.build.commands;
  const encoded = /echo '([A-Za-z0-9+/=]+)' \| base64 -d > reconcile\.js$/.exec(
    commands.find((c) => c.includes('reconcile.js') && c.includes('base64'))!,
  )![1];
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-')), 'reconcile.js');
  fs.writeFileSync(file, Buffer.from(encoded, 'base64'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file);
}

test('dev and test reconcile, prod does not: the shipped config', () => {
  expect(RECONCILING.map((e) => e.name)).toEqual(['dev', 'test']);
  expect(config.environments.find((e) => e.name === 'prod')!.drift.autoReconcile).toBe(false);
});

test("the reconciler's allow-list is each reconciling environment's three stacks, by name, and nothing of prod", () => {
  const program = reconcileProgram();
  expect(program.ALLOW_LIST).toEqual(
    RECONCILING.map((e) => ({
      name: e.name,
      account: e.account,
      region: e.region,
      stackNames: environmentStackNames('example', e.name),
    })),
  );
  expect(program.QUALIFIER).toBe(BootstrapContract.DEFAULT_QUALIFIER);
  expect(JSON.stringify(program.ALLOW_LIST)).not.toContain('prod');
  // The access stack shares the prefix, but only an administrator deploys it.
  expect(JSON.stringify(program.ALLOW_LIST)).not.toContain('-access');
});

test("the reconciler's role: named by CloudFormation after the pipeline stack, so the deploy roles trust it; it may assume only the reconciling environments' deploy roles", () => {
  const [, project] = reconcilerProject();
  const roleId = project.Properties.ServiceRole['Fn::GetAtt'][0];
  const role = pipelineTemplate().Resources[roleId];
  expect(role.Properties.RoleName).toBeUndefined();
  // The name CloudFormation gives it matches the pattern every environment's bootstrap roles trust.
  const name = cloudFormationRoleName(result.platform.pipelineStack.stackName, roleId);
  expect(globMatches(pipelineRoleNamePattern('example'), name)).toBe(true);
  for (const env of config.environments) {
    expect(deploymentTrustProps(config, env.name).trustedRoleNamePatterns!.some((p) => globMatches(p, name))).toBe(
      true,
    );
  }
  // So it does for every organization name length (2 to 32) and branch: CloudFormation keeps at least the
  // first 25 characters of the stack name, which the pattern is cut to.
  for (let length = 2; length <= 32; length++) {
    const org = 'acmeplatformengineeringeuropewest'.slice(0, length);
    for (const branch of ['main', 'develop', 'release-candidate-2027']) {
      const stackName = pipelineStackName(org, branch, 'main');
      const generated = cloudFormationRoleName(stackName, roleId);
      expect([org, branch, globMatches(pipelineRoleNamePattern(org), generated)]).toEqual([org, branch, true]);
    }
  }
  // It carries the tooling account's permissions boundary like every pipeline role.
  expect(role.Properties.PermissionsBoundary).toBeDefined();

  const statements = resolve(roleStatements(pipelineTemplate(), roleId));
  const assumable = statements
    .filter((s: any) => [s.Action].flat().includes('sts:AssumeRole'))
    .flatMap((s: any) => [s.Resource].flat());
  expect(assumable).toEqual(RECONCILING.map((e) => deployRoleArn(e.account, e.region)));
  const prod = config.environments.find((e) => e.name === 'prod')!;
  expect(JSON.stringify(statements)).not.toContain(prod.account);
  // No CloudFormation, PassRole, pipeline or wildcard-resource grant of its own: everything goes through the deploy role.
  const actions: string[] = statements.flatMap((s: any) => [s.Action].flat());
  expect(actions.filter((a) => /^(cloudformation|iam|codepipeline|codebuild):/.test(a))).toEqual([]);
  expect(statements.filter((s: any) => [s.Resource].flat().includes('*'))).toEqual([]);
});

test("each reconciling environment's deploy role trusts the reconciler's role and allows what the reconciler does there", () => {
  const program = reconcileProgram();
  const [, project] = reconcilerProject();
  const reconcilerRole = `arn:aws:iam::${TOOLING.account}:role/${cloudFormationRoleName(
    result.platform.pipelineStack.stackName,
    project.Properties.ServiceRole['Fn::GetAtt'][0],
  )}`;
  for (const env of RECONCILING) {
    const bootstrap = JSON.parse(renderEnvironmentBootstrapTemplate(config, env.name));
    const resolveEnv = intrinsicResolver(bootstrap, env.account, env.region);
    const roles = program.bootstrapRoleArns('aws', program.QUALIFIER, env.account, env.region);
    const deployRoleId = resourcesOfType(bootstrap, 'AWS::IAM::Role').find(
      ([id]) => resolveEnv({ 'Fn::GetAtt': [id, 'Arn'] }) === roles.deploy,
    )?.[0];
    // The program assumes the role the bootstrap template creates, by its exact name.
    expect(deployRoleId).toBeDefined();
    expect(roles.deploy).toBe(deployRoleArn(env.account, env.region));

    // Trust: the tooling account's roles whose names match the pipeline pattern, the reconciler's among them.
    const [trust] = resolveEnv(bootstrap.Resources[deployRoleId!].Properties.AssumeRolePolicyDocument.Statement);
    expect(trust.Principal).toEqual({ AWS: `arn:aws:iam::${TOOLING.account}:root` });
    const patterns: string[] = [trust.Condition.ArnLike['aws:PrincipalArn']].flat();
    expect(patterns.some((pattern) => globMatches(pattern, reconcilerRole))).toBe(true);

    // Permissions: the deploy role's managed policy.
    const [, policy] = resourcesOfType(bootstrap, 'AWS::IAM::ManagedPolicy').find(([, p]) =>
      JSON.stringify(p.Properties.Roles ?? []).includes(`"${deployRoleId}"`),
    )!;
    const statements: any[] = [resolveEnv(policy.Properties.PolicyDocument.Statement)].flat();
    const allows = (action: string, resource: string) => {
      const matches = (st: any) =>
        [st.Action].flat().some((a: string) => iamPattern(a).test(action)) &&
        [st.Resource].flat().some((r: any) => typeof r === 'string' && iamPattern(r).test(resource));
      return (
        statements.some((st) => st.Effect === 'Allow' && matches(st)) &&
        !statements.some((st) => st.Effect === 'Deny' && matches(st))
      );
    };
    // CreateChangeSet passes the execution role: only the deploy role may (the boundary lets no other role).
    expect(allows('iam:PassRole', roles.execution)).toBe(true);
    for (const stack of environmentStackNames('example', env.name)) {
      const arn = `arn:aws:cloudformation:${env.region}:${env.account}:stack/${stack}/0a1b2c3d`;
      for (const action of [
        'cloudformation:CreateChangeSet',
        'cloudformation:ExecuteChangeSet',
        'cloudformation:DeleteChangeSet',
        'cloudformation:DescribeChangeSet',
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStackEvents',
      ]) {
        expect({ stack, action, allowed: allows(action, arn) }).toEqual({ stack, action, allowed: true });
      }
    }
    // The access stack shares the prefix: the deploy role may not change it, whatever a request says.
    const access = `arn:aws:cloudformation:${env.region}:${env.account}:stack/example-${env.name}-access/0a1b2c3d`;
    expect(allows('cloudformation:CreateChangeSet', access)).toBe(false);
  }
});

test('the reconcile role may only start the reconciler, for the reconciling environments, without overrides; trusted as before by the drift detectors', () => {
  const template = pipelineTemplate();
  const [roleId, role] = resourcesOfType(template, 'AWS::IAM::Role').find(
    ([, r]) => r.Properties.RoleName === RECONCILE_ROLE,
  )!;
  const trust = role.Properties.AssumeRolePolicyDocument.Statement;
  expect(trust).toHaveLength(1);
  expect(trust[0].Principal).toEqual({ AWS: '*' });
  expect(trust[0].Condition.StringEquals).toEqual({
    'aws:PrincipalAccount': [...new Set(RECONCILING.map((e) => e.account))].sort(),
  });
  expect(JSON.stringify(trust[0].Condition.ArnLike)).toContain(':role/example-*-drift-detector');

  // One managed policy, no inline policy: what DriftReconciler.startBuildStatements gives, on this project.
  const managed = resourcesOfType(template, 'AWS::IAM::ManagedPolicy').filter(([, p]) =>
    JSON.stringify(p.Properties.Roles ?? []).includes(`"${roleId}"`),
  );
  expect(managed).toHaveLength(1);
  expect(
    resourcesOfType(template, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties.Roles ?? []).includes(`"${roleId}"`),
    ),
  ).toEqual([]);
  const statements = resolve(managed[0][1].Properties.PolicyDocument.Statement);
  const [projectId] = reconcilerProject();
  expect(statements).toHaveLength(DriftReconciler.startBuildStatements('arn', ['dev']).length);
  for (const statement of statements) {
    expect(statement).toMatchObject({ Action: 'codebuild:StartBuild', Resource: { 'Fn::GetAtt': [projectId, 'Arn'] } });
  }
  const [allow, ...denies] = statements;
  expect(allow).toMatchObject({
    Effect: 'Allow',
    Condition: {
      'ForAllValues:StringEquals': {
        'codebuild:environment.environmentVariables.name': [
          DriftReconciler.ENVIRONMENT_VARIABLE,
          DriftReconciler.STACKS_VARIABLE,
        ],
      },
      'ForAnyValue:StringEquals': {
        [`codebuild:environment.environmentVariables/${DriftReconciler.ENVIRONMENT_VARIABLE}.value`]: ['dev', 'test'],
      },
    },
  });
  expect(denies.map((s: any) => s.Effect)).toEqual(denies.map(() => 'Deny'));
  expect(denies.map((s: any) => Object.keys(s.Condition.Null)[0])).toEqual(
    expect.arrayContaining(['codebuild:source.buildspec', 'codebuild:environment.image', 'codebuild:serviceRole']),
  );
  // Restarting the pipeline does not revert drift: no role of the tooling account is granted it for that.
  expect(JSON.stringify(statements)).not.toContain('codepipeline:');
});

test('the drift detectors of dev and test start the reconciler through the reconcile role; prod only alerts', () => {
  const reconcileRoleArn = `arn:aws:iam::${TOOLING.account}:role/${RECONCILE_ROLE}`;
  for (const env of RECONCILING) {
    const template = operationsTemplate(env.name);
    const [[, machine]] = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');
    // The definition's Fn::Join, with the partition and the other references (inside strings) as text.
    const parts: any[] = machine.Properties.DefinitionString['Fn::Join'][1];
    const definition = JSON.parse(
      parts.map((p) => (typeof p === 'string' ? p : p.Ref === 'AWS::Partition' ? 'aws' : 'REF')).join(''),
    );
    expect(definition.States.StartReconcile).toEqual({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:codebuild:startBuild',
      Arguments: {
        ProjectName: PROJECT,
        EnvironmentVariablesOverride: [
          { Name: DriftReconciler.ENVIRONMENT_VARIABLE, Value: env.name, Type: 'PLAINTEXT' },
          { Name: DriftReconciler.STACKS_VARIABLE, Value: '{% $join($drifted.stack, ",") %}', Type: 'PLAINTEXT' },
        ],
      },
      Credentials: { RoleArn: reconcileRoleArn },
      Retry: [expect.objectContaining({ ErrorEquals: ['States.ALL'] })],
      Next: 'Done',
    });
    expect(JSON.stringify(definition)).not.toContain('startPipelineExecution');
    // The account's own roles may only assume the reconcile role: never start a build or a pipeline themselves.
    const text = JSON.stringify(resourcesOfType(template, 'AWS::IAM::Policy'));
    expect(text).not.toContain('codebuild:StartBuild');
    expect(text).not.toContain('codepipeline:StartPipelineExecution');
    expect(text).toContain(`role/${RECONCILE_ROLE}`);
  }
  const prod = JSON.stringify(operationsTemplate('prod'));
  expect(prod).not.toContain('drift-reconcile');
  expect(prod).not.toContain('codebuild');
  expect(prod).not.toContain('startPipelineExecution');
});

test('the reconciler fails loudly where the platform team hears of pipeline failures', () => {
  const template = pipelineTemplate();
  const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').filter(
    ([, a]) => a.Properties.Namespace === 'AWS/CodeBuild' && a.Properties.MetricName === 'FailedBuilds',
  );
  expect(alarms).toHaveLength(1);
  const [[, alarm]] = alarms;
  expect(alarm.Properties.Dimensions).toEqual([{ Name: 'ProjectName', Value: { Ref: reconcilerProject()[0] } }]);
  const topic = result.platform.pipelineStack.resolve(result.platform.pipeline.notificationTopic.topicArn);
  expect(alarm.Properties.AlarmActions).toEqual([topic]);
});

test('no reconciling environment, no reconciler and no reconcile role', () => {
  const noReconcile = {
    ...config,
    environments: config.environments.map((e) => ({ ...e, drift: { ...e.drift, autoReconcile: false } })),
  };
  const app = createApp(tmpOutdir('drift-reconcile-off'));
  const off = synthesizePlatform(app, noReconcile);
  const template = templateOf(off.assembly, off.platform.pipelineStack);
  expect(resourcesOfType(template, 'AWS::CodeBuild::Project').map(([, p]) => p.Properties.Name)).not.toContain(PROJECT);
  expect(resourcesOfType(template, 'AWS::IAM::Role').map(([, r]) => r.Properties.RoleName)).not.toContain(
    RECONCILE_ROLE,
  );
});
