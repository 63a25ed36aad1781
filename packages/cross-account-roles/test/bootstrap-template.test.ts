import * as fs from 'fs';
import * as path from 'path';
import { App, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { BootstrapContract, DeploymentTrust } from '../src';
import { cliTemplate } from './cdk-cli-bootstrap';
import { flat, PIPELINE_ACCOUNT, TRUST_PROPS } from './fixtures';

// The CLI's own bootstrap template, read as text (the package has no YAML parser dependency).
const CLI_TEMPLATE = fs.readFileSync(
  path.join(path.dirname(require.resolve('aws-cdk/package.json')), 'lib/api/bootstrap/bootstrap-template.yaml'),
  'utf8',
);
const CLI_PARAMETERS = [...CLI_TEMPLATE.split(/^Conditions:/m)[0].matchAll(/^ {2}(\w+):$/gm)].map((m) => m[1]);
const CLI_VERSION = Number(/BootstrapVersion:[\s\S]*?Value: '(\d+)'/.exec(CLI_TEMPLATE.split(/^Outputs:/m)[1])![1]);
// The parameters the CLI always passes on `cdk bootstrap` (toolkit-lib bootstrap-environment.ts):
// CloudFormation rejects a template that does not declare a passed parameter.
const ALWAYS_PASSED = [
  'FileAssetsBucketName',
  'FileAssetsBucketKmsKeyId',
  'TrustedAccounts',
  'TrustedAccountsForLookup',
  'CloudFormationExecutionPolicies',
  'Qualifier',
  'PublicAccessBlockConfiguration',
  'InputPermissionsBoundary',
];

const template = JSON.parse(DeploymentTrust.renderBootstrapTemplate(TRUST_PROPS));
const resources = Object.values(template.Resources) as any[];

/** The statement `sid` of the managed policy whose logical id contains `policyId`, its intrinsics flattened. */
function statementOf(rendered: any, policyId: string, sid: string): any {
  const policies = Object.entries(rendered.Resources as { [id: string]: any }).filter(
    ([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && id.includes(policyId),
  );
  expect(policies).toHaveLength(1);
  const statement = flat(policies[0][1].Properties.PolicyDocument.Statement).find((st: any) => st.Sid === sid);
  expect(statement).toBeDefined();
  return statement;
}

/** What aws-cdk-lib's DefaultStackSynthesizer requires of a bootstrapped environment, read from a real synth. */
function synthesizerRequirements(): { deploy: number; lookup: number } {
  const app = new App();
  const stack = new Stack(app, 'App', {
    env: { account: '222222222222', region: 'eu-west-1' },
    synthesizer: new DefaultStackSynthesizer(),
  });
  new ec2.CfnVPC(stack, 'Vpc', { cidrBlock: '10.0.0.0/16' });
  const artifact = app.synth().getStackByName('App');
  return {
    deploy: artifact.requiresBootstrapStackVersion ?? 0,
    lookup: artifact.lookupRole?.requiresBootstrapStackVersion ?? 0,
  };
}

describe('standalone bootstrap template', () => {
  test('the CLI template was read (guards the parsing below)', () => {
    expect(CLI_PARAMETERS).toEqual(expect.arrayContaining(ALWAYS_PASSED));
    expect(CLI_VERSION).toBeGreaterThanOrEqual(20);
  });

  test('declares every parameter the CLI passes, plus BootstrapVariant', () => {
    expect(Object.keys(template.Parameters)).toEqual(expect.arrayContaining([...ALWAYS_PASSED, 'BootstrapVariant']));
    expect(template.Parameters.Qualifier).toMatchObject({ Default: 'hnb659fds', AllowedValues: ['hnb659fds'] });
    expect(template.Parameters.BootstrapVariant.Default).toBe(BootstrapContract.BOOTSTRAP_VARIANT);
  });

  test('refuses CLI options that would widen trust instead of ignoring them', () => {
    for (const p of ['FileAssetsBucketName', 'ContainerAssetsRepositoryName', 'InputPermissionsBoundary']) {
      expect(template.Parameters[p].AllowedValues).toEqual(['']);
    }
    // The CLI's two defaults (bootstrap-cli-parameters.test.ts); a key of the caller's stays refused.
    expect(template.Parameters.FileAssetsBucketKmsKeyId.AllowedValues).toEqual(['', 'AWS_MANAGED_KEY']);
    expect(template.Parameters.PublicAccessBlockConfiguration.AllowedValues).toEqual(['true']);
    expect(template.Rules.OnlyThePipelineAccountIsTrusted.Assertions.map((a: any) => a.Assert)).toEqual([
      { 'Fn::EachMemberIn': [{ Ref: 'TrustedAccounts' }, ['', PIPELINE_ACCOUNT]] },
      { 'Fn::EachMemberIn': [{ Ref: 'TrustedAccountsForLookup' }, ['', PIPELINE_ACCOUNT]] },
      { 'Fn::EachMemberEquals': [{ Ref: 'CloudFormationExecutionPolicies' }, ''] },
    ]);
  });

  test('has no dependency on an existing bootstrap (no version rule, no asset parameters, no CDK metadata)', () => {
    expect(template.Parameters.BootstrapVersion).toBeUndefined();
    expect(Object.keys(template.Rules)).toEqual(['OnlyThePipelineAccountIsTrusted']);
    expect(resources.map((r) => r.Type)).not.toContain('AWS::CDK::Metadata');
  });

  test.each([
    ['DEFAULT_DEPLOY_ROLE_ARN', DefaultStackSynthesizer.DEFAULT_DEPLOY_ROLE_ARN],
    ['DEFAULT_FILE_ASSET_PUBLISHING_ROLE_ARN', DefaultStackSynthesizer.DEFAULT_FILE_ASSET_PUBLISHING_ROLE_ARN],
    ['DEFAULT_IMAGE_ASSET_PUBLISHING_ROLE_ARN', DefaultStackSynthesizer.DEFAULT_IMAGE_ASSET_PUBLISHING_ROLE_ARN],
    ['DEFAULT_LOOKUP_ROLE_ARN', DefaultStackSynthesizer.DEFAULT_LOOKUP_ROLE_ARN],
    ['DEFAULT_CLOUDFORMATION_ROLE_ARN', DefaultStackSynthesizer.DEFAULT_CLOUDFORMATION_ROLE_ARN],
  ])('creates the role the synthesizer expects at %s', (_name, arn) => {
    const expectedName = arn.split(':role/')[1];
    const names = resources.filter((r) => r.Type === 'AWS::IAM::Role').map((r) => flat(r.Properties.RoleName));
    expect(names).toContain(expectedName);
  });

  test('bucket, repository and version parameter names follow the synthesizer contract', () => {
    const byType = (type: string) => resources.filter((r) => r.Type === type).map((r) => r.Properties);
    expect(byType('AWS::S3::Bucket').map((p) => flat(p.BucketName))).toContain(
      DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME,
    );
    expect(byType('AWS::ECR::Repository').map((p) => flat(p.RepositoryName))).toEqual([
      DefaultStackSynthesizer.DEFAULT_IMAGE_ASSETS_REPOSITORY_NAME,
    ]);
    expect(flat(template.Resources.CdkBootstrapVersion.Properties.Name)).toBe(
      DefaultStackSynthesizer.DEFAULT_BOOTSTRAP_STACK_VERSION_SSM_PARAMETER,
    );
  });

  test('version: SSM value equals the BootstrapVersion output, >= what the synthesizer requires and >= the CLI template', () => {
    const ssmValue = Number(template.Resources.CdkBootstrapVersion.Properties.Value);
    expect(template.Outputs.BootstrapVersion.Value).toBe(String(ssmValue));
    const required = synthesizerRequirements();
    expect(required.deploy).toBeGreaterThan(0);
    expect(ssmValue).toBeGreaterThanOrEqual(required.deploy);
    expect(ssmValue).toBeGreaterThanOrEqual(required.lookup);
    expect(ssmValue).toBeGreaterThanOrEqual(CLI_VERSION);
  });

  test('outputs the CLI reads are present', () => {
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining(['BucketName', 'BucketDomainName', 'ImageRepositoryName', 'BootstrapVersion']),
    );
    expect(template.Outputs.BucketName.Value).toEqual({ Ref: expect.stringMatching(/StagingBucket/) });
  });

  test('never falls back to AdministratorAccess, whatever the CLI passes', () => {
    expect(JSON.stringify(template)).not.toMatch(/AdministratorAccess|iam::aws:policy/);
  });

  test('a custom qualifier flows into every contract name', () => {
    const custom = JSON.parse(DeploymentTrust.renderBootstrapTemplate({ ...TRUST_PROPS, qualifier: 'gw1' }));
    expect(custom.Parameters.Qualifier).toMatchObject({ Default: 'gw1', AllowedValues: ['gw1'] });
    const names = (Object.values(custom.Resources) as any[])
      .filter((r) => r.Type === 'AWS::IAM::Role')
      .map((r) => flat(r.Properties.RoleName).replace('${Qualifier}', 'gw1'));
    expect(names.every((n: string) => n.startsWith('cdk-gw1-'))).toBe(true);
  });

  test('bad props fail before any template is produced', () => {
    expect(() => DeploymentTrust.renderBootstrapTemplate({ ...TRUST_PROPS, qualifier: 'BAD_Q' })).toThrow(
      /qualifier must match \[a-z0-9\]\{1,10\}/,
    );
    expect(() => DeploymentTrust.renderBootstrapTemplate({ ...TRUST_PROPS, allowedServices: [] })).toThrow(
      /allowedServices must list at least one service prefix/,
    );
    expect(() =>
      DeploymentTrust.renderBootstrapTemplate({ ...TRUST_PROPS, deployableStackRegions: ['eu-west-1', 'useast1'] }),
    ).toThrow(
      /^GroundworkBootstrap\/DeploymentTrust: deployableStackRegions entries must be AWS region names such as 'us-east-1', or '\*', found 'useast1'$/,
    );
    expect(() =>
      DeploymentTrust.renderBootstrapTemplate({
        ...TRUST_PROPS,
        runtimeServices: ['codeconnections', 'codestar-connections'],
        passableConnectionArns: ['arn:aws:codebuild:eu-west-1:111111111111:project/x'],
      }),
    ).toThrow(
      /passableConnectionArns entries must be connection ARNs .* found 'arn:aws:codebuild:eu-west-1:111111111111:project\/x'$/,
    );
  });

  test("the deploy role's stack ARNs carry deployableStackRegions; the bootstrap stack is denied in every region", () => {
    const stackArn = (region: string, name: string) =>
      `arn:\${AWS::Partition}:cloudformation:${region}:\${AWS::AccountId}:stack/${name}/*`;
    // Without the prop, the region the template is deployed in.
    expect(statementOf(template, 'DeployRolePolicy', 'DeployPermissions').Resource).toBe(
      stackArn('${AWS::Region}', '*'),
    );
    const tooling = JSON.parse(
      DeploymentTrust.renderBootstrapTemplate({
        ...TRUST_PROPS,
        deployableStackNames: ['acme-platform*'],
        deployableStackRegions: ['eu-west-1', 'us-east-1', 'eu-central-1'],
      }),
    );
    expect(statementOf(tooling, 'DeployRolePolicy', 'DeployPermissions').Resource).toEqual([
      stackArn('eu-west-1', 'acme-platform*'),
      stackArn('us-east-1', 'acme-platform*'),
      stackArn('eu-central-1', 'acme-platform*'),
    ]);
    for (const rendered of [template, tooling]) {
      expect(statementOf(rendered, 'DeployRolePolicy', 'ProtectBootstrapStack')).toMatchObject({
        Effect: 'Deny',
        Resource: stackArn('*', 'CDKToolkit'),
      });
    }
  });

  test('the execution policy lets pass the listed connections to CodePipeline; the boundary allows both service names', () => {
    const connection = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-4000-8000-000000000000';
    const rendered = JSON.parse(
      DeploymentTrust.renderBootstrapTemplate({
        ...TRUST_PROPS,
        runtimeServices: ['codeconnections', 'codestar-connections'],
        passableConnectionArns: [connection],
      }),
    );
    for (const [sid, prefix] of [
      ['PassConnectionsToCodePipeline', 'codeconnections'],
      ['PassCodeStarConnectionsToCodePipeline', 'codestar-connections'],
    ]) {
      expect(statementOf(rendered, 'ExecutionPolicy', sid)).toEqual({
        Sid: sid,
        Effect: 'Allow',
        Action: `${prefix}:PassConnection`,
        Resource: connection,
        Condition: { StringEquals: { [`${prefix}:PassedToService`]: 'codepipeline.amazonaws.com' } },
      });
    }
    expect(statementOf(rendered, 'Boundary', 'AllowDeclaredServices').Action).toEqual(
      expect.arrayContaining(['codeconnections:*', 'codestar-connections:*']),
    );
    // The default template passes no connection.
    expect(JSON.stringify(template)).not.toContain('PassConnection');
  });
});

/**
 * The resources of a rendered template that CloudFormation creates under a fixed physical name: a top-level
 * property ending in `Name` (BucketName, RepositoryName, AliasName, RoleName, ManagedPolicyName, Name) whose
 * value does not depend on a resource of the stack (no Ref to or GetAtt of a logical id).
 */
function fixedNameResources(rendered: any): { id: string; type: string; name: string; resource: any }[] {
  const logicalIds = new Set(Object.keys(rendered.Resources));
  const dependsOnResource = (value: any): boolean =>
    JSON.stringify(value)
      .match(/"Ref":"([^"]+)"|"Fn::GetAtt":\["([^"]+)"/g)
      ?.some((m) => {
        const id = /"(?:Ref|Fn::GetAtt)":\[?"([^"]+)"/.exec(m)![1];
        return logicalIds.has(id);
      }) ?? false;
  const found: { id: string; type: string; name: string; resource: any }[] = [];
  for (const [id, resource] of Object.entries<any>(rendered.Resources)) {
    for (const [key, value] of Object.entries<any>(resource.Properties ?? {})) {
      if (key.endsWith('Name') && !dependsOnResource(value)) {
        found.push({ id, type: resource.Type, name: flat(value), resource });
      }
    }
  }
  return found;
}

describe('retention of the named resources: a failed first bootstrap can be retried', () => {
  const stagingBucketName = 'cdk-${Qualifier}-assets-${AWS::AccountId}-${AWS::Region}';
  const repositoryName = 'cdk-${Qualifier}-container-assets-${AWS::AccountId}-${AWS::Region}';
  const templates = [
    ['the default template', template],
    ['a custom qualifier', JSON.parse(DeploymentTrust.renderBootstrapTemplate({ ...TRUST_PROPS, qualifier: 'gw1' }))],
  ] as const;

  test.each(templates)(
    '%s: no fixed-name resource is Retain; the retained ones are RetainExceptOnCreate and Retain on replacement',
    (_name, rendered) => {
      const named = fixedNameResources(rendered);
      // Guards the walk: the bootstrap roles, the bucket and the repository are found.
      expect(named.map((r) => r.type)).toEqual(
        expect.arrayContaining(['AWS::S3::Bucket', 'AWS::ECR::Repository', 'AWS::IAM::Role', 'AWS::KMS::Alias']),
      );
      const wrong = named
        .filter((r) => r.resource.DeletionPolicy !== undefined && r.resource.DeletionPolicy !== 'Delete')
        .filter(
          (r) => r.resource.DeletionPolicy !== 'RetainExceptOnCreate' || r.resource.UpdateReplacePolicy !== 'Retain',
        )
        .map(
          (r) =>
            `${r.id} (${r.type} '${r.name}'): DeletionPolicy ${r.resource.DeletionPolicy}, UpdateReplacePolicy ${r.resource.UpdateReplacePolicy}`,
        );
      expect(wrong).toEqual([]);
      // The retained named resources are exactly the staging bucket and the image repository.
      const retained = named.filter((r) => r.resource.DeletionPolicy === 'RetainExceptOnCreate');
      expect(retained.map((r) => r.type).sort()).toEqual(['AWS::ECR::Repository', 'AWS::S3::Bucket']);
    },
  );

  test('the staging bucket and the image repository: RetainExceptOnCreate, Retain on replacement', () => {
    const named = fixedNameResources(template);
    for (const name of [stagingBucketName, repositoryName]) {
      const match = named.filter((r) => r.name === name);
      expect(match).toHaveLength(1);
      expect(match[0].resource).toMatchObject({
        DeletionPolicy: 'RetainExceptOnCreate',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });

  test('the unnamed staging key and access-log bucket stay Retain: a retried create does not collide with them', () => {
    const unnamed = resources.filter(
      (r) => (r.Type === 'AWS::KMS::Key' || r.Type === 'AWS::S3::Bucket') && r.Properties.BucketName === undefined,
    );
    expect(unnamed.map((r) => r.Type).sort()).toEqual(['AWS::KMS::Key', 'AWS::S3::Bucket']);
    for (const r of unnamed) expect(r).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('deliberately differs from the CLI template, whose staging bucket is Retain (it predates RetainExceptOnCreate)', async () => {
    const cli = await cliTemplate();
    expect(cli.Resources.StagingBucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    // Ours: same protection on update and delete, but a rolled-back first creation deletes the empty bucket,
    // so that `cdk bootstrap` or the StackSet instance can be retried without "already exists".
    const ours = fixedNameResources(template).find((r) => r.name === stagingBucketName)!;
    expect(ours.resource.DeletionPolicy).toBe('RetainExceptOnCreate');
  });
});

test('renders with CloudFormation validation on and prints nothing: the CLI contract parameters are acknowledged', () => {
  const previous = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  const printed: string[] = [];
  const capture = (chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
    ...(['log', 'warn', 'error', 'info'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void capture(args.join(' '))),
    ),
  ];
  try {
    const rendered = JSON.parse(DeploymentTrust.renderBootstrapTemplate(TRUST_PROPS));
    expect(Object.keys(rendered.Parameters)).toEqual(
      expect.arrayContaining(['FileAssetsBucketName', 'BootstrapVariant']),
    );
  } finally {
    spies.forEach((s) => s.mockRestore());
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
  expect(printed.join('')).not.toMatch(/W2001|WARNING/);
});
