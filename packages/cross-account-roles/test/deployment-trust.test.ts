import * as fs from 'fs';
import * as path from 'path';
import { Aws, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { BootstrapRoleKind, DeploymentTrust, DeploymentTrustProps } from '../src';
import { asArray, flat, PIPELINE_ACCOUNT, REGION, TARGET_ACCOUNT, TRUST_PROPS, targetStack } from './fixtures';
import { evaluate, evaluateWithBoundary } from './policy-evaluator';

function synth(props: Partial<DeploymentTrustProps> = {}) {
  const stack = targetStack();
  const trust = new DeploymentTrust(stack, 'Trust', { ...TRUST_PROPS, ...props });
  return { stack, trust, template: Template.fromStack(stack) };
}

function roleByName(template: Template, kind: BootstrapRoleKind): any {
  const roles = Object.values(template.findResources('AWS::IAM::Role')).filter(
    (r: any) => flat(r.Properties.RoleName) === `cdk-hnb659fds-${kind}-\${AWS::AccountId}-\${AWS::Region}`,
  );
  expect(roles).toHaveLength(1);
  return roles[0];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const PIPELINE_ROOT = `arn:\${AWS::Partition}:iam::${PIPELINE_ACCOUNT}:root`;
const PUBLISHING_KINDS = [
  BootstrapRoleKind.DEPLOY,
  BootstrapRoleKind.FILE_PUBLISHING,
  BootstrapRoleKind.IMAGE_PUBLISHING,
  BootstrapRoleKind.LOOKUP,
];

describe('DeploymentTrust trust policies', () => {
  const { template } = synth();

  test.each(PUBLISHING_KINDS)(
    '%s trusts exactly the named pipeline role and the pattern-conditioned account',
    (kind) => {
      const statements = flat(roleByName(template, kind).Properties.AssumeRolePolicyDocument.Statement);
      expect(statements).toEqual([
        {
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${PIPELINE_ACCOUNT}:role/groundwork-pipeline-deploy` },
          Condition: { Null: { 'sts:ExternalId': 'true' } },
        },
        {
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Effect: 'Allow',
          Principal: { AWS: PIPELINE_ROOT },
          Condition: {
            Null: { 'sts:ExternalId': 'true' },
            ArnLike: {
              'aws:PrincipalArn': [`arn:\${AWS::Partition}:iam::${PIPELINE_ACCOUNT}:role/groundwork-pipeline-*`],
            },
          },
        },
      ]);
    },
  );

  test('no bootstrap role trusts the target account itself or anyone else', () => {
    const statements = (Object.values(template.findResources('AWS::IAM::Role')) as any[]).flatMap((role) =>
      flat(role.Properties.AssumeRolePolicyDocument.Statement),
    );
    // Guards the loop: 4 roles trust the pipeline by ARN and by pattern, the execution role CloudFormation.
    const aws = statements.map((s: any) => asArray<string>(s.Principal.AWS)).filter((a) => a.length > 0);
    expect(aws).toHaveLength(8);
    for (const principals of aws) {
      expect(principals.join()).not.toContain(TARGET_ACCOUNT);
      expect(principals.join()).not.toContain('${AWS::AccountId}');
      expect(principals).not.toContain('*');
    }
  });

  test('with only ARNs, no statement names the pipeline account root', () => {
    const only = synth({ trustedRoleNamePatterns: [] }).template;
    const statements = flat(roleByName(only, BootstrapRoleKind.DEPLOY).Properties.AssumeRolePolicyDocument.Statement);
    expect(statements.map((s: any) => s.Principal.AWS)).toEqual([
      `arn:aws:iam::${PIPELINE_ACCOUNT}:role/groundwork-pipeline-deploy`,
    ]);
  });

  test('the execution role is trusted by CloudFormation only', () => {
    const statements = flat(
      roleByName(template, BootstrapRoleKind.CLOUDFORMATION_EXECUTION).Properties.AssumeRolePolicyDocument.Statement,
    );
    expect(statements).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } },
    ]);
  });

  test('every role carries the Groundwork boundary and a one-hour session limit where assumed by people or pipelines', () => {
    const boundaryId = Object.keys(
      template.findResources('AWS::IAM::ManagedPolicy', {
        Properties: {
          ManagedPolicyName: { 'Fn::Join': ['', ['groundwork-boundary-hnb659fds-', { Ref: 'AWS::Region' }]] },
        },
      }),
    )[0];
    expect(boundaryId).toBeDefined();
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as any[];
    expect(roles).toHaveLength(5);
    for (const role of roles) expect(role.Properties.PermissionsBoundary).toEqual({ Ref: boundaryId });
    for (const kind of PUBLISHING_KINDS) {
      expect(roleByName(template, kind).Properties.MaxSessionDuration).toBe(3600);
    }
  });
});

describe('DeploymentTrust permissions', () => {
  const { template } = synth();
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  const policyOf = (roleKind: BootstrapRoleKind, from: Template = template) => {
    const roleId = Object.entries(from.findResources('AWS::IAM::Role')).find(([, r]: any) =>
      flat(r.Properties.RoleName).startsWith(`cdk-hnb659fds-${roleKind}-`),
    )![0];
    const found = Object.values(from === template ? policies : from.findResources('AWS::IAM::ManagedPolicy')).filter(
      (p: any) => asArray(p.Properties.Roles).some((r: any) => r.Ref === roleId) || false,
    ) as any[];
    return found.length ? flat(found[0].Properties.PolicyDocument.Statement) : [];
  };

  test('the execution policy turns the allow list into <svc>:* and bounded IAM, never iam:*', () => {
    const exec = Object.values(policies).find((p: any) =>
      flat(p.Properties.ManagedPolicyName ?? '').startsWith('groundwork-cfn-exec-'),
    ) as any;
    const statements = flat(exec.Properties.PolicyDocument.Statement);
    const services = statements.find((s: any) => s.Sid === 'AllowedServices');
    expect(services.Action).toEqual(['cloudtrail:*', 'ec2:*', 'kms:*', 'lambda:*', 'logs:*', 's3:*', 'ssm:*']);
    const roleWrites = statements.find((s: any) => s.Sid === 'RoleWritesWithBoundary');
    expect(roleWrites.Action).toEqual(
      expect.arrayContaining([
        'iam:CreateRole',
        'iam:PutRolePolicy',
        'iam:AttachRolePolicy',
        'iam:PutRolePermissionsBoundary',
      ]),
    );
    expect(roleWrites.Condition).toEqual({
      StringEquals: {
        'iam:PermissionsBoundary': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/groundwork-boundary-hnb659fds-\${AWS::Region}`,
      },
    });
    const bounded = statements.find((s: any) => s.Sid === 'BoundedRoleManagement');
    expect(bounded.Action).not.toContain('iam:CreateRole');
    expect(bounded.Action.filter((a: string) => a.startsWith('iam:') && a.includes('User'))).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain('"iam:*"');
  });

  test('without iam in the allow list, the execution policy has no IAM action at all', () => {
    const t = synth({ allowedServices: ['ec2', 'logs'] }).template;
    const exec = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).find((p: any) =>
      flat(p.Properties.ManagedPolicyName ?? '').startsWith('groundwork-cfn-exec-'),
    ) as any;
    expect(JSON.stringify(exec.Properties.PolicyDocument)).not.toContain('iam:');
  });

  test('the deploy role may pass only the execution role and may not touch the bootstrap stack', () => {
    const statements = policyOf(BootstrapRoleKind.DEPLOY);
    const pass = statements.find((s: any) => s.Sid === 'PassExecutionRole');
    expect(pass.Action).toBe('iam:PassRole');
    expect(pass.Resource).toMatch(/^\$\{TrustCloudFormationExecutionRole[0-9A-F]+\.Arn\}$/);
    // The boundary exempts this role from its role-tag check so that it can pass the execution role:
    // its own policy must allow no other IAM action (nor every action).
    const allowed = statements.filter((s: any) => s.Effect !== 'Deny').flatMap((s: any) => [s.Action].flat());
    expect(allowed.filter((a: string) => /^(iam:|\*)/i.test(a))).toEqual(['iam:PassRole']);
    const protect = statements.find((s: any) => s.Sid === 'ProtectBootstrapStack');
    expect(protect.Effect).toBe('Deny');
    // In every region: the deploy role may be allowed stacks in other regions (deployableStackRegions).
    expect(protect.Resource).toBe(`arn:\${AWS::Partition}:cloudformation:*:${TARGET_ACCOUNT}:stack/CDKToolkit/*`);
    const artifacts = statements.find((s: any) => s.Sid === 'PipelineArtifactsBucket');
    expect(artifacts.Condition).toEqual({ StringEquals: { 's3:ResourceAccount': PIPELINE_ACCOUNT } });
    const keys = statements.find((s: any) => s.Sid === 'PipelineArtifactsKey');
    expect(keys.Resource).toBe(`arn:\${AWS::Partition}:kms:*:${PIPELINE_ACCOUNT}:key/*`);
    expect(keys.Condition).toEqual({ StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } });
  });

  test('the deploy role changes only the named stacks when deployableStackNames is set; every stack by default', () => {
    const stackArn = (name: string) =>
      `arn:\${AWS::Partition}:cloudformation:eu-west-1:${TARGET_ACCOUNT}:stack/${name}/*`;
    const deployOf = (statements: any[]) => statements.find((s: any) => s.Sid === 'DeployPermissions');
    expect(deployOf(policyOf(BootstrapRoleKind.DEPLOY)).Resource).toBe(stackArn('*'));

    const named = synth({ deployableStackNames: ['acme-dev-network', 'acme-dev-ops*'] }).template;
    const statements = policyOf(BootstrapRoleKind.DEPLOY, named);
    const deploy = deployOf(statements);
    expect(deploy.Action).toEqual(expect.arrayContaining(['cloudformation:CreateStack', 'cloudformation:DeleteStack']));
    expect(deploy.Resource).toEqual([stackArn('acme-dev-network'), stackArn('acme-dev-ops*')]);
    // The bootstrap stack stays denied whatever the names, in every region.
    expect(statements.find((s: any) => s.Sid === 'ProtectBootstrapStack').Resource).toBe(
      stackArn('CDKToolkit').replace(':eu-west-1:', ':*:'),
    );
  });

  test('the lookup role reads context only and is denied kms:Decrypt', () => {
    const statements = policyOf(BootstrapRoleKind.LOOKUP);
    // Exact: a condition on the deny (toMatchObject would ignore one) could leave some request out of it.
    expect(statements.find((s: any) => s.Sid === 'DontReadSecrets')).toEqual({
      Sid: 'DontReadSecrets',
      Effect: 'Deny',
      Action: 'kms:Decrypt',
      Resource: '*',
    });
    const lookups = statements.find((s: any) => s.Sid === 'ContextLookups').Action as string[];
    expect(lookups.every((a) => /:(Describe|List|Get)/.test(a))).toBe(true);
  });

  test('no role gets AdministratorAccess, ReadOnlyAccess or any AWS managed policy', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/AdministratorAccess|ReadOnlyAccess|iam::aws:policy/);
  });
});

/** The statements of the managed policy attached to `role`, resolved as IAM sees them in the target account. */
function policyStatementsOf(stack: Stack, template: Template, role: iam.Role): any[] {
  const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter((p: any) =>
    asArray(p.Properties.Roles).some((r: any) => r.Ref === roleId),
  ) as any[];
  expect(policies).toHaveLength(1);
  return concrete(policies[0].Properties.PolicyDocument.Statement);
}

/** A policy's statements by their managed policy construct, resolved as IAM sees them in the target account. */
function documentOf(stack: Stack, template: Template, policy: iam.ManagedPolicy): any[] {
  const id = stack.getLogicalId(policy.node.defaultChild as iam.CfnManagedPolicy);
  return concrete(template.toJSON().Resources[id].Properties.PolicyDocument.Statement);
}

// Resolved the way IAM would see them in the target account, eu-west-1.
function concrete(value: any): any {
  return JSON.parse(
    JSON.stringify(flat(value))
      .replace(/\$\{AWS::Partition\}/g, 'aws')
      .replace(/\$\{AWS::AccountId\}/g, TARGET_ACCOUNT)
      .replace(/\$\{AWS::Region\}/g, REGION),
  );
}

const stackIn = (region: string, name: string) =>
  `arn:aws:cloudformation:${region}:${TARGET_ACCOUNT}:stack/${name}/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const STACK_CALLS = [
  'cloudformation:CreateChangeSet',
  'cloudformation:ExecuteChangeSet',
  'cloudformation:CreateStack',
  'cloudformation:UpdateStack',
  'cloudformation:DeleteStack',
];

describe('DeploymentTrust deployableStackRegions: stacks of other regions deployed with these roles', () => {
  function deployRole(props: Partial<DeploymentTrustProps>) {
    const { stack, trust, template } = synth({ deployableStackNames: ['acme-platform*'], ...props });
    const statements = policyStatementsOf(stack, template, trust.deployRole);
    return {
      statements,
      may: (action: string, region: string, name: string) =>
        evaluate(statements, { action, resource: stackIn(region, name) }),
    };
  }

  test('by default the deploy role changes the named stacks in its own region only', () => {
    const { may } = deployRole({});
    for (const action of STACK_CALLS) {
      expect({ action, decision: may(action, REGION, 'acme-platform') }).toEqual({ action, decision: 'Allow' });
      expect({ action, decision: may(action, 'us-east-1', 'acme-platform-support-us-east-1') }).toEqual({
        action,
        decision: 'ImplicitDeny',
      });
    }
  });

  test('with regions listed, the named stacks in each of them (a support stack in us-east-1), and nowhere else', () => {
    const { statements, may } = deployRole({ deployableStackRegions: [REGION, 'us-east-1', 'us-east-1'] });
    // One ARN per region and name, duplicates dropped.
    expect(statements.find((s: any) => s.Sid === 'DeployPermissions').Resource).toEqual([
      `arn:aws:cloudformation:${REGION}:${TARGET_ACCOUNT}:stack/acme-platform*/*`,
      `arn:aws:cloudformation:us-east-1:${TARGET_ACCOUNT}:stack/acme-platform*/*`,
    ]);
    for (const action of STACK_CALLS) {
      for (const [region, name] of [
        [REGION, 'acme-platform'],
        ['us-east-1', 'acme-platform-support-us-east-1'],
      ]) {
        expect({ action, region, decision: may(action, region, name) }).toEqual({ action, region, decision: 'Allow' });
      }
      for (const [region, name, decision] of [
        ['ap-south-1', 'acme-platform-support-ap-south-1', 'ImplicitDeny'],
        ['us-east-1', 'orders-api', 'ImplicitDeny'],
        ['us-east-1', 'CDKToolkit', 'ExplicitDeny'],
        ['ap-south-1', 'CDKToolkit', 'ExplicitDeny'],
      ]) {
        expect({ action, region, name, decision: may(action, region, name) }).toEqual({
          action,
          region,
          name,
          decision,
        });
      }
    }
  });

  test("'*' allows the named stacks in every region, still never the bootstrap stack", () => {
    const { statements, may } = deployRole({ deployableStackRegions: ['us-east-1', '*'] });
    expect(statements.find((s: any) => s.Sid === 'DeployPermissions').Resource).toBe(
      `arn:aws:cloudformation:*:${TARGET_ACCOUNT}:stack/acme-platform*/*`,
    );
    expect(may('cloudformation:CreateChangeSet', 'ap-south-1', 'acme-platform-support-ap-south-1')).toBe('Allow');
    const everyStack = deployRole({ deployableStackNames: ['*'], deployableStackRegions: ['*'] });
    expect(everyStack.may('cloudformation:UpdateStack', 'sa-east-1', 'anything')).toBe('Allow');
    expect(everyStack.may('cloudformation:UpdateStack', 'sa-east-1', 'CDKToolkit')).toBe('ExplicitDeny');
  });

  test('accepts the region names of every partition and a token', () => {
    const names = RegionInfo.regions.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['us-gov-west-1', 'cn-north-1', 'eusc-de-east-1']));
    // Eight at a time: all of them in one policy would pass IAM's size limit (next test).
    for (let i = 0; i < names.length; i += 8) {
      const chunk = names.slice(i, i + 8);
      const { statements } = deployRole({ deployableStackRegions: [...chunk, Aws.REGION] });
      // The token stays one more ARN (its value is known only at deployment).
      expect(statements.find((s: any) => s.Sid === 'DeployPermissions').Resource).toHaveLength(chunk.length + 1);
    }
  });

  test("a deploy role policy over IAM's 6,144 characters fails the synth, naming the regions and stack names", () => {
    const names = RegionInfo.regions.map((r) => r.name);
    expect(() => deployRole({ deployableStackRegions: names })).toThrow(
      new RegExp(
        "Target/Trust/DeployRolePolicy\\] the deploy-role's policy would be up to \\d+ characters, over IAM's limit of " +
          `6144 for a managed policy: it names each deployable stack in each region \\(deployableStackRegions: ${names.length} ` +
          'x deployableStackNames: 1\\)',
      ),
    );
    // The execution policy is checked too: it lists `<svc>:*` for each declared service.
    expect(() => synth({ allowedServices: Array.from({ length: 400 }, (_, i) => `service${i}`) })).toThrow(
      /Target\/Trust\/ExecutionPolicy\] the CloudFormation execution policy would be up to \d+ characters, over IAM's limit of 6144 for a managed policy: declare fewer services in allowedServices \(400\)/,
    );
    // Ten of the longest region names with one stack name pattern fit: the ARNs the policy reads from the
    // template's own resources (execution role, staging bucket and key) count at their longest, not 256.
    const longest = [...names].sort((a, b) => b.length - a.length).slice(0, 10);
    expect(() => deployRole({ deployableStackRegions: longest })).not.toThrow();
  });
});

describe("DeploymentTrust deploy role reads: the stacks it deploys, '*' only for calls without a resource type", () => {
  const NAMES = ['example-dev-network', 'example-dev-security', 'example-dev-operations'];
  const { stack, trust, template } = synth({ deployableStackNames: NAMES });
  const statements = policyStatementsOf(stack, template, trust.deployRole);
  const boundary = documentOf(stack, template, trust.boundary.policy);
  const deployRoleArn = `arn:aws:iam::${TARGET_ACCOUNT}:role/cdk-hnb659fds-deploy-role-${TARGET_ACCOUNT}-${REGION}`;
  const can = (action: string, resource: string) =>
    evaluateWithBoundary(statements, boundary, {
      action,
      resource,
      context: { 'aws:PrincipalArn': deployRoleArn },
    });

  // Every CloudFormation read the deploy role's users make, on a deployed stack. Keep this list in step with them.
  // The CDK CLI (aws-cdk 2.1148, toolkit-lib) with the deploy role: deploy and diff (stack lookup, current
  // template and nested stacks, change set, event monitor, diagnosis of a failed change set), drift, refactor.
  const CDK_CLI_READS = [
    'cloudformation:DescribeStacks',
    'cloudformation:GetTemplate',
    'cloudformation:ListStackResources',
    'cloudformation:DescribeStackResources',
    'cloudformation:DescribeStackResource',
    'cloudformation:DescribeChangeSet',
    'cloudformation:DescribeStackEvents',
    'cloudformation:DescribeEvents',
    'cloudformation:GetTemplateSummary',
    'cloudformation:DetectStackDrift',
    'cloudformation:DescribeStackResourceDrifts',
    'cloudformation:DescribeStackRefactor',
    'cloudformation:ListStackRefactorActions',
  ];
  // CodePipeline's CloudFormation deploy actions (CHANGE_SET_REPLACE, CHANGE_SET_EXECUTE) with the deploy role.
  const CODEPIPELINE_READS = ['cloudformation:DescribeStacks', 'cloudformation:DescribeChangeSet'];
  // The stage validation step (@groundwork/pipeline stage-validation-step.ts): aws cloudformation describe-stacks.
  const STAGE_VALIDATION_READS = ['cloudformation:DescribeStacks'];
  // The drift reconciler, read from its source: every cfn.<call>( of @groundwork/pipeline's reconcile script.
  const reconcilerCalls = (): string[] => {
    const file = path.join(__dirname, '..', '..', 'pipeline', 'src', 'private', 'drift-reconcile-script.ts');
    const calls = [...fs.readFileSync(file, 'utf-8').matchAll(/\bcfn\.([a-zA-Z]+)\(/g)].map((m) => m[1]);
    return [...new Set(calls)].map((call) => `cloudformation:${call[0].toUpperCase()}${call.slice(1)}`).sort();
  };

  test('the drift reconciler calls what this test expects of it (a new call must be added to the policy and here)', () => {
    expect(reconcilerCalls()).toEqual([
      'cloudformation:CreateChangeSet',
      'cloudformation:DeleteChangeSet',
      'cloudformation:DescribeChangeSet',
      'cloudformation:DescribeStackEvents',
      'cloudformation:DescribeStacks',
      'cloudformation:ExecuteChangeSet',
    ]);
  });

  test.each(
    NAMES.flatMap((name) =>
      [...new Set([...CDK_CLI_READS, ...CODEPIPELINE_READS, ...STAGE_VALIDATION_READS, ...reconcilerCalls()])].map(
        (action) => [action, name],
      ),
    ),
  )('%s on %s is allowed (policy and boundary)', (action, name) => {
    expect(can(action, stackIn(REGION, name))).toBe('Allow');
  });

  test.each([...CDK_CLI_READS, 'cloudformation:GetStackPolicy', 'cloudformation:ListChangeSets'])(
    '%s on a stack it does not deploy (the access stack) is not allowed',
    (action) => {
      expect(can(action, stackIn(REGION, 'example-dev-access'))).toBe('ImplicitDeny');
      expect(can(action, stackIn('us-east-1', NAMES[0]))).toBe('ImplicitDeny');
    },
  );

  test('the CLI may look up the bootstrap stack, and read nothing else of it', () => {
    expect(can('cloudformation:DescribeStacks', stackIn(REGION, 'CDKToolkit'))).toBe('Allow');
    expect(can('cloudformation:GetTemplate', stackIn(REGION, 'CDKToolkit'))).toBe('ImplicitDeny');
    expect(can('cloudformation:DescribeStackEvents', stackIn(REGION, 'CDKToolkit'))).toBe('ImplicitDeny');
  });

  test("a failed change set's events, in the deployable regions", () => {
    const changeSet = (region: string) =>
      `arn:aws:cloudformation:${region}:${TARGET_ACCOUNT}:changeSet/cdk-deploy-change-set/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
    expect(can('cloudformation:DescribeEvents', changeSet(REGION))).toBe('Allow');
    expect(can('cloudformation:DescribeEvents', changeSet('us-east-1'))).toBe('ImplicitDeny');
    expect(can('cloudformation:DescribeChangeSet', changeSet(REGION))).toBe('ImplicitDeny');
  });

  test("an allowed statement on '*' without a condition holds only actions that have no resource type", () => {
    // Service Authorization Reference: none of these takes a resource type, so '*' is the only resource IAM matches.
    const WITHOUT_RESOURCE_TYPE = [
      'cloudformation:ListStacks',
      'cloudformation:ValidateTemplate',
      'cloudformation:DescribeStackDriftDetectionStatus',
      'sts:GetCallerIdentity',
    ];
    const onStar = statements
      .filter((st: any) => st.Effect === 'Allow' && asArray(st.Resource).includes('*') && !st.Condition)
      .flatMap((st: any) => asArray<string>(st.Action));
    expect(onStar.sort()).toEqual([...WITHOUT_RESOURCE_TYPE].sort());
    for (const action of WITHOUT_RESOURCE_TYPE) expect(can(action, '*')).toBe('Allow');
    // No wildcard read of every stack is left: the templates of other stacks stay unreadable.
    expect(JSON.stringify(statements)).not.toMatch(/cloudformation:(Get|Describe|List)\*/);
  });

  test("the acknowledgement of the deploy role's '*' names the calls without a resource type, and no false claim", () => {
    const policy = trust.node.findChild('DeployRolePolicy');
    const acknowledged: { [id: string]: string } = Object.assign(
      {},
      ...policy.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => m.data),
    );
    const reason = acknowledged['Annotation::AwsSolutions-IAM5[Resource::*]'];
    expect(reason).toMatch(
      /'\*' only for the calls without a resource type \(cloudformation:ListStacks, ValidateTemplate, DescribeStackDriftDetectionStatus, sts:GetCallerIdentity\)/,
    );
    expect(Object.values(acknowledged).join('\n')).not.toMatch(/no resource-level permissions/);
  });
});

describe('DeploymentTrust passableConnectionArns: a pipeline deployed here with a repository connection', () => {
  const CONNECTION = `arn:aws:codeconnections:${REGION}:${TARGET_ACCOUNT}:connection/00000000-0000-4000-8000-000000000000`;
  const LEGACY = `arn:aws:codestar-connections:${REGION}:${TARGET_ACCOUNT}:connection/11111111-1111-4111-8111-111111111111`;
  const OTHER = `arn:aws:codeconnections:${REGION}:${TARGET_ACCOUNT}:connection/22222222-2222-4222-8222-222222222222`;
  const CONNECTION_SERVICES = ['codeconnections', 'codestar-connections'];

  function executionRole(props: Partial<DeploymentTrustProps>) {
    const { stack, trust, template } = synth(props);
    const exec = documentOf(stack, template, trust.executionPolicy);
    const boundary = documentOf(stack, template, trust.boundary.policy);
    return {
      exec,
      // Passing to `service` (the PassedToService key of the action's own service name), under the boundary.
      canPass: (prefix: string, connection: string, service?: string) =>
        evaluateWithBoundary(exec, boundary, {
          action: `${prefix}:PassConnection`,
          resource: connection,
          context: service ? { [`${prefix}:PassedToService`]: service } : {},
        }),
    };
  }

  test('the execution role passes exactly the listed connections, to CodePipeline only, under both service names', () => {
    const { canPass } = executionRole({
      runtimeServices: CONNECTION_SERVICES,
      passableConnectionArns: [CONNECTION, LEGACY],
    });
    for (const prefix of CONNECTION_SERVICES) {
      for (const connection of [CONNECTION, LEGACY]) {
        expect({ prefix, connection, decision: canPass(prefix, connection, 'codepipeline.amazonaws.com') }).toEqual({
          prefix,
          connection,
          decision: 'Allow',
        });
      }
      expect(canPass(prefix, OTHER, 'codepipeline.amazonaws.com')).toBe('ImplicitDeny');
      expect(canPass(prefix, CONNECTION, 'codebuild.amazonaws.com')).toBe('ImplicitDeny');
      expect(canPass(prefix, CONNECTION)).toBe('ImplicitDeny');
    }
  });

  test('one statement per service name, each with its own condition key; none without connections', () => {
    const { exec } = executionRole({ runtimeServices: CONNECTION_SERVICES, passableConnectionArns: [CONNECTION] });
    expect(exec.filter((s: any) => JSON.stringify(s.Action).includes('PassConnection'))).toEqual([
      {
        Sid: 'PassConnectionsToCodePipeline',
        Effect: 'Allow',
        Action: 'codeconnections:PassConnection',
        Resource: CONNECTION,
        Condition: { StringEquals: { 'codeconnections:PassedToService': 'codepipeline.amazonaws.com' } },
      },
      {
        Sid: 'PassCodeStarConnectionsToCodePipeline',
        Effect: 'Allow',
        Action: 'codestar-connections:PassConnection',
        Resource: CONNECTION,
        Condition: { StringEquals: { 'codestar-connections:PassedToService': 'codepipeline.amazonaws.com' } },
      },
    ]);
    const without = executionRole({ runtimeServices: CONNECTION_SERVICES });
    expect(JSON.stringify(without.exec)).not.toContain('PassConnection');
    expect(without.canPass('codeconnections', CONNECTION, 'codepipeline.amazonaws.com')).toBe('ImplicitDeny');
  });
});

describe('DeploymentTrust resolvableParameterNames: templates with SSM parameter types', () => {
  // CloudFormation resolves AWS::SSM::Parameter::Value<...> parameters with the deploy role's credentials
  // when it creates the change set.
  const parameter = (name: string) => `arn:aws:ssm:${REGION}:${TARGET_ACCOUNT}:parameter${name}`;
  function deployRole(props: Partial<DeploymentTrustProps>) {
    const { stack, trust, template } = synth(props);
    const identity = policyStatementsOf(stack, template, trust.deployRole);
    const boundary = documentOf(stack, template, trust.boundary.policy);
    return (action: string, resource: string) => evaluateWithBoundary(identity, boundary, { action, resource });
  }

  test('by default the deploy role reads the bootstrap version parameter only', () => {
    const may = deployRole({});
    expect(may('ssm:GetParameters', parameter('/cdk-bootstrap/hnb659fds/version'))).toBe('Allow');
    expect(may('ssm:GetParameters', parameter('/groundwork/dev/network/vpc-id'))).toBe('ImplicitDeny');
  });

  test('with names listed, it reads those (through the boundary too), in its own account and region only', () => {
    const may = deployRole({ resolvableParameterNames: ['/groundwork/dev/network/*', '/acme/exact'] });
    for (const action of ['ssm:GetParameters', 'ssm:GetParameter']) {
      expect(may(action, parameter('/groundwork/dev/network/private-subnet-ids'))).toBe('Allow');
      expect(may(action, parameter('/acme/exact'))).toBe('Allow');
    }
    expect(may('ssm:GetParameters', parameter('/groundwork/prod/network/vpc-id'))).toBe('ImplicitDeny');
    expect(may('ssm:GetParameters', parameter('/acme/exact-not'))).toBe('ImplicitDeny');
    expect(
      may('ssm:GetParameters', `arn:aws:ssm:us-east-1:${TARGET_ACCOUNT}:parameter/groundwork/dev/network/vpc-id`),
    ).toBe('ImplicitDeny');
    // Read only.
    expect(may('ssm:PutParameter', parameter('/groundwork/dev/network/vpc-id'))).toBe('ImplicitDeny');
  });
});

describe('DeploymentTrust allowedTransforms: templates with the AWS SAM transform', () => {
  // CloudFormation authorizes the caller of CreateChangeSet (the deploy role) on the transform's ARN too; its
  // account field is the literal 'aws' (CloudFormation User Guide, "Controlling access with IAM").
  const SAM = 'AWS::Serverless-2016-10-31';
  const transform = (region: string, name = 'Serverless-2016-10-31') =>
    `arn:aws:cloudformation:${region}:aws:transform/${name}`;
  function deployRole(props: Partial<DeploymentTrustProps>) {
    const { stack, trust, template } = synth(props);
    const identity = policyStatementsOf(stack, template, trust.deployRole);
    const boundary = documentOf(stack, template, trust.boundary.policy);
    return {
      identity,
      may: (action: string, resource: string) => evaluateWithBoundary(identity, boundary, { action, resource }),
    };
  }

  test('by default the deploy role may not create a change set with the SAM transform, and has no statement for it', () => {
    const { identity, may } = deployRole({});
    expect(may('cloudformation:CreateChangeSet', transform(REGION))).toBe('ImplicitDeny');
    expect(identity.map((s: any) => s.Sid)).not.toContain('UseTemplateTransforms');
    // The same template as without the prop.
    expect(synth({ allowedTransforms: [] }).template.toJSON()).toEqual(synth({}).template.toJSON());
  });

  test('with the SAM transform listed, CreateChangeSet on it in each deployable region (through the boundary too), and nothing else', () => {
    const { identity, may } = deployRole({
      allowedTransforms: [SAM, SAM],
      deployableStackRegions: [REGION, 'us-east-1'],
    });
    // One ARN per region, account 'aws', CreateChangeSet only.
    expect(identity.find((s: any) => s.Sid === 'UseTemplateTransforms')).toEqual({
      Sid: 'UseTemplateTransforms',
      Effect: 'Allow',
      Action: 'cloudformation:CreateChangeSet',
      Resource: [transform(REGION), transform('us-east-1')],
    });
    for (const region of [REGION, 'us-east-1']) {
      expect({ region, decision: may('cloudformation:CreateChangeSet', transform(region)) }).toEqual({
        region,
        decision: 'Allow',
      });
    }
    expect(may('cloudformation:CreateChangeSet', transform('ap-south-1'))).toBe('ImplicitDeny');
    for (const action of [
      'cloudformation:ExecuteChangeSet',
      'cloudformation:CreateStack',
      'cloudformation:UpdateStack',
      'cloudformation:DeleteStack',
      'cloudformation:DeleteChangeSet',
    ]) {
      expect({ action, decision: may(action, transform(REGION)) }).toEqual({ action, decision: 'ImplicitDeny' });
    }
    // Another transform (AWS::LanguageExtensions) stays out of reach.
    expect(may('cloudformation:CreateChangeSet', transform(REGION, 'LanguageExtensions'))).toBe('ImplicitDeny');
    // So does a same-named transform resource in an account (the documented ARN's account is 'aws').
    expect(
      may(
        'cloudformation:CreateChangeSet',
        `arn:aws:cloudformation:${REGION}:${TARGET_ACCOUNT}:transform/Serverless-2016-10-31`,
      ),
    ).toBe('ImplicitDeny');
  });

  test("with deployableStackRegions ['*'], CreateChangeSet on the SAM transform in every region", () => {
    const { identity, may } = deployRole({ allowedTransforms: [SAM], deployableStackRegions: ['us-east-1', '*'] });
    expect(identity.find((s: any) => s.Sid === 'UseTemplateTransforms').Resource).toBe(transform('*'));
    for (const region of [REGION, 'us-east-1', 'ap-south-1', 'sa-east-1']) {
      expect({ region, decision: may('cloudformation:CreateChangeSet', transform(region)) }).toEqual({
        region,
        decision: 'Allow',
      });
    }
    expect(may('cloudformation:ExecuteChangeSet', transform('ap-south-1'))).toBe('ImplicitDeny');
  });

  test("the size validation's message counts the transform among what grows with the regions", () => {
    const names = RegionInfo.regions.map((r) => r.name);
    expect(() => deployRole({ allowedTransforms: [SAM], deployableStackRegions: names })).toThrow(
      /and the SAM transform in each region if allowedTransforms lists it \(1\): list fewer regions/,
    );
    expect(() => deployRole({ deployableStackRegions: names })).toThrow(
      /and the SAM transform in each region if allowedTransforms lists it \(0\): list fewer regions/,
    );
  });

  test('the bootstrap template renders the transform ARN in its own region', () => {
    const rendered = JSON.parse(DeploymentTrust.renderBootstrapTemplate({ ...TRUST_PROPS, allowedTransforms: [SAM] }));
    const statements = (Object.values(rendered.Resources) as any[])
      .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement)
      .filter((s: any) => s.Sid === 'UseTemplateTransforms');
    expect(concrete(statements)).toEqual([
      {
        Sid: 'UseTemplateTransforms',
        Effect: 'Allow',
        Action: 'cloudformation:CreateChangeSet',
        Resource: transform(REGION),
      },
    ]);
  });
});

describe('DeploymentTrust toolkitStackName: a bootstrap stack named by a pattern', () => {
  test('a StackSet instance pattern is denied to the deploy role in every region; other stacks stay deployable', () => {
    const { stack, trust, template } = synth({ toolkitStackName: 'StackSet-acme-deployment-trust-*' });
    const statements = policyStatementsOf(stack, template, trust.deployRole);
    const instance = 'StackSet-acme-deployment-trust-0a1b2c3d-4e5f-6789-abcd-ef0123456789';
    for (const action of STACK_CALLS) {
      expect(evaluate(statements, { action, resource: stackIn(REGION, instance) })).toBe('ExplicitDeny');
      expect(evaluate(statements, { action, resource: stackIn('us-east-1', instance) })).toBe('ExplicitDeny');
      expect(evaluate(statements, { action, resource: stackIn(REGION, 'acme-dev-network') })).toBe('Allow');
    }
  });
});

describe('DeploymentTrust file-publishing role: the calls cdk-assets makes to publish a file asset', () => {
  // Neither s3 nor kms allowed whole, so the boundary's own list of bootstrap-role calls is what admits them.
  const { stack, trust, template } = synth({ allowedServices: ['ec2', 'lambda'] });
  const identity = policyStatementsOf(stack, template, trust.filePublishingRole);
  const boundary = documentOf(stack, template, trust.boundary.policy);
  const bucket = `\${${stack.getLogicalId(trust.stagingBucket.node.defaultChild as any)}.Arn}`;
  const key = `\${${stack.getLogicalId(trust.stagingKey.node.defaultChild as any)}.Arn}`;
  const may = (action: string, resource: string) => evaluateWithBoundary(identity, boundary, { action, resource });

  // cdk-assets (the bundle of the pinned aws-cdk CLI): the bucket's region and default encryption (to send
  // SSE-KMS headers for the staging key), whether the object exists, then a single or multipart upload.
  test.each([
    ['s3:GetBucketLocation', 'bucket'],
    ['s3:GetEncryptionConfiguration', 'bucket'],
    ['s3:ListBucket', 'bucket'],
    ['s3:PutObject', 'object'],
    ['s3:AbortMultipartUpload', 'object'],
    ['s3:ListMultipartUploadParts', 'object'],
    ['kms:GenerateDataKey', 'key'],
    ['kms:Decrypt', 'key'],
  ])('%s on the staging %s is allowed through the boundary', (action, on) => {
    const resource = on === 'bucket' ? bucket : on === 'key' ? key : `${bucket}/asset.0123abcd.zip`;
    expect(may(action, resource)).toBe('Allow');
  });

  test('nothing beyond the staging bucket and key', () => {
    expect(may('s3:GetEncryptionConfiguration', 'arn:aws:s3:::another-bucket')).toBe('ImplicitDeny');
    expect(may('s3:PutObject', 'arn:aws:s3:::another-bucket/asset.zip')).toBe('ImplicitDeny');
    expect(may('s3:PutBucketEncryption', bucket)).toBe('ImplicitDeny');
    expect(may('s3:PutBucketPolicy', bucket)).toBe('ImplicitDeny');
    expect(may('kms:Decrypt', `arn:aws:kms:${REGION}:${TARGET_ACCOUNT}:key/another`)).toBe('ImplicitDeny');
  });
});

describe('DeploymentTrust lookup role: cdk diff reads the deployed templates through it first', () => {
  const NAMES = ['example-dev-network', 'example-dev-operations'];
  const { stack, trust, template } = synth({ deployableStackNames: NAMES });
  const identity = policyStatementsOf(stack, template, trust.lookupRole);
  const boundary = documentOf(stack, template, trust.boundary.policy);
  const may = (action: string, resource: string) => evaluateWithBoundary(identity, boundary, { action, resource });
  // aws-cdk 2.1148 (Deployments.readCurrentTemplateWithNestedStacks, with the lookup role when it can be assumed):
  // the stack, its template, its resources to find nested stacks. An AccessDenied there fails the diff.
  const DIFF_READS = [
    'cloudformation:DescribeStacks',
    'cloudformation:GetTemplate',
    'cloudformation:ListStackResources',
  ];

  test.each(NAMES.flatMap((name) => DIFF_READS.map((action) => [action, name])))(
    '%s on the deployable stack %s is allowed through the boundary',
    (action, name) => {
      expect(may(action, stackIn(REGION, name))).toBe('Allow');
    },
  );

  test.each(DIFF_READS)('%s on another stack is not allowed, in any region', (action) => {
    for (const region of [REGION, 'us-east-1']) {
      expect(may(action, stackIn(region, 'example-dev-access'))).toBe('ImplicitDeny');
      expect(may(action, stackIn(region, 'CDKToolkit'))).toBe('ImplicitDeny');
    }
  });

  test('reads only: no change set, stack write or other stack read on the deployable stacks', () => {
    for (const action of [...STACK_CALLS, 'cloudformation:DescribeStackEvents', 'cloudformation:GetStackPolicy']) {
      expect(may(action, stackIn(REGION, NAMES[0]))).toBe('ImplicitDeny');
    }
  });

  test('one ARN per stack name in any region: the lookup policy and the bootstrap template do not grow with the regions', () => {
    const longest = RegionInfo.regions
      .map((r) => r.name)
      .sort((a, b) => b.length - a.length)
      .slice(0, 5);
    const many = synth({ deployableStackRegions: longest, deployableStackNames: NAMES });
    const statements = policyStatementsOf(many.stack, many.template, many.trust.lookupRole);
    expect(statements.find((st: any) => st.Sid === 'DeployedTemplates').Resource).toEqual(
      NAMES.map((name) => `arn:aws:cloudformation:*:${TARGET_ACCOUNT}:stack/${name}/*`),
    );
    expect(may('cloudformation:GetTemplate', stackIn('us-east-1', NAMES[0]))).toBe('Allow');
  });

  test("a lookup policy over IAM's 6,144 characters fails the synth, naming the stack names", () => {
    const names = Array.from({ length: 100 }, (_, n) => `example-dev-stack-${n}`);
    expect(() => synth({ deployableStackNames: names })).toThrow(
      /Target\/Trust\/LookupRolePolicy\] the lookup-role's policy would be up to \d+ characters, over IAM's limit of 6144 for a managed policy: it names each deployable stack for cdk diff \(deployableStackNames: 100\)/,
    );
  });
});

describe('DeploymentTrust staging resources', () => {
  const { template, trust, stack } = synth();

  test('staging bucket: contract name, dedicated KMS key, versioned, no public access, access-logged, retained', () => {
    const keyId = stack.getLogicalId(trust.stagingKey.node.defaultChild as any);
    const logsId = stack.getLogicalId(trust.accessLogsBucket.node.defaultChild as any);
    const bucketId = stack.getLogicalId(trust.stagingBucket.node.defaultChild as any);
    const bucket = template.toJSON().Resources[bucketId];
    expect(flat(bucket.Properties.BucketName)).toBe('cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logsId },
      LogFilePrefix: 'staging/',
    });
    // Retained, except when the stack operation that created it rolls back (fixed name: a retry must not collide).
    expect(bucket.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true }, DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/cdk-hnb659fds-assets-key',
    });
  });

  test('both buckets refuse requests without TLS', () => {
    for (const b of [trust.stagingBucket, trust.accessLogsBucket]) {
      const id = stack.getLogicalId(b.node.defaultChild as any);
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  test('the log bucket accepts log delivery for the staging bucket only', () => {
    const logsId = stack.getLogicalId(trust.accessLogsBucket.node.defaultChild as any);
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (p: any) => p.Properties.Bucket.Ref === logsId,
    ) as any;
    const delivery = flat(policy.Properties.PolicyDocument.Statement).find(
      (s: any) => s.Sid === 'S3ServerAccessLogsPolicy',
    );
    expect(delivery.Principal).toEqual({ Service: 'logging.s3.amazonaws.com' });
    // Both keys: the source bucket's ARN names no account, so aws:SourceAccount pins it to this one.
    expect(delivery.Condition).toEqual({
      ArnLike: { 'aws:SourceArn': expect.stringMatching(/^\$\{TrustStagingBucket[0-9A-F]+\.Arn\}$/) },
      StringEquals: { 'aws:SourceAccount': '${AWS::AccountId}' },
    });
  });

  test('container repository: contract name, scan on push, immutable tags, KMS encryption, retained', () => {
    template.hasResource('AWS::ECR::Repository', {
      Properties: {
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
        EncryptionConfiguration: { EncryptionType: 'KMS' },
      },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    const repo = Object.values(template.findResources('AWS::ECR::Repository'))[0] as any;
    expect(flat(repo.Properties.RepositoryName)).toBe(
      'cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}',
    );
  });

  test('Lambda may pull container assets for functions of this account and region: the condition matches function ARNs', () => {
    const repo = Object.values(template.findResources('AWS::ECR::Repository'))[0] as any;
    const pull = flat(repo.Properties.RepositoryPolicyText.Statement).find(
      (s: any) => s.Sid === 'LambdaECRImageRetrievalPolicy',
    );
    expect(pull.Principal).toEqual({ Service: 'lambda.amazonaws.com' });
    const pattern: string = pull.Condition.StringLike['aws:sourceArn'];
    expect(pattern).toBe(`arn:\${AWS::Partition}:lambda:eu-west-1:${TARGET_ACCOUNT}:function:*`);
    // aws-cdk-lib's own rendering of a function ARN in this environment (function:<name>) must match the
    // StringLike pattern; the same function in another account must not.
    const functionArn: string = flat(
      stack.resolve(lambda.Function.fromFunctionName(stack, 'AssetFunction', 'asset-fn').functionArn),
    );
    const glob = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
    expect(functionArn).toMatch(glob);
    expect(functionArn.replace(TARGET_ACCOUNT, PIPELINE_ACCOUNT)).not.toMatch(glob);
  });

  test('version parameter and CLI outputs', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/cdk-bootstrap/hnb659fds/version',
      Value: '33',
      Type: 'String',
    });
    const outputs = template.toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['BucketName', 'BucketDomainName', 'ImageRepositoryName', 'BootstrapVersion']),
    );
    expect(outputs.BootstrapVersion.Value).toBe('33');
  });
});

describe('DeploymentTrust validation', () => {
  test.each<[string, Partial<DeploymentTrustProps>, RegExp]>([
    [
      'short account id',
      { pipelineAccountId: '12345' },
      /pipelineAccountId must be a 12-digit AWS account id string, found '12345'/,
    ],
    ['non-numeric account id', { pipelineAccountId: '11111111111a' }, /pipelineAccountId must be a 12-digit/],
    [
      'bad target account id',
      { targetAccountId: 'abc' },
      /targetAccountId must be a 12-digit AWS account id string, found 'abc'/,
    ],
    [
      'pipeline account equal to target',
      { pipelineAccountId: TARGET_ACCOUNT, trustedPrincipalArns: [], trustedRoleNamePatterns: ['groundwork-*'] },
      /pipelineAccountId must differ from the target account 222222222222/,
    ],
    [
      'empty allow list',
      { allowedServices: [] },
      /allowedServices must list at least one service prefix .* found an empty list/,
    ],
    [
      'star in allow list',
      { allowedServices: ['ec2', '*'] },
      /allowedServices entries must be bare IAM service prefixes .* found '\*'/,
    ],
    [
      'iam:* in allow list',
      { allowedServices: ['iam:*'] },
      /allowedServices entries must be bare IAM service prefixes .* found 'iam:\*'/,
    ],
    [
      'organizations in allow list',
      { allowedServices: ['organizations'] },
      /allowedServices must not contain 'organizations'/,
    ],
    ['sts in allow list', { allowedServices: ['sts'] }, /allowedServices must not contain 'sts'/],
    [
      'uppercase qualifier',
      { qualifier: 'Groundwork' },
      /qualifier must match \[a-z0-9\]\{1,10\} .* found 'Groundwork'/,
    ],
    ['long qualifier', { qualifier: 'abcdefghijk' }, /qualifier must match .* found 'abcdefghijk'/],
    [
      'no trust at all',
      { trustedPrincipalArns: [], trustedRoleNamePatterns: [] },
      /trustedPrincipalArns or trustedRoleNamePatterns must name .* found neither/,
    ],
    [
      'trusted role in another account',
      { trustedPrincipalArns: ['arn:aws:iam::999999999999:role/x'] },
      /^Target\/Trust: trustedPrincipalArns must name roles in the pipeline account 111111111111 \(pipelineAccountId\), found 'arn:aws:iam::999999999999:role\/x'/,
    ],
    [
      'trusted user instead of role',
      { trustedPrincipalArns: [`arn:aws:iam::${PIPELINE_ACCOUNT}:user/bob`] },
      /must contain IAM role ARNs/,
    ],
    [
      'pattern that is the whole account',
      { trustedRoleNamePatterns: ['*'] },
      /trustedRoleNamePatterns entries must be role names or name patterns starting with at least 3 literal characters .* found '\*'/,
    ],
    [
      'pattern with only 2 literal characters',
      { trustedRoleNamePatterns: ['ab*'] },
      /trustedRoleNamePatterns entries must be role names or name patterns starting with at least 3 literal characters .* found 'ab\*'/,
    ],
    [
      'no deployable stack',
      { deployableStackNames: [] },
      /deployableStackNames must name at least one stack .* found an empty list/,
    ],
    [
      'deployable stack pattern with too few literal characters',
      { deployableStackNames: ['ac*'] },
      /deployableStackNames entries must be CloudFormation stack names or name patterns starting with at least 3 literal characters .* found 'ac\*'/,
    ],
    ['deployable stack name with an underscore', { deployableStackNames: ['acme_dev'] }, /found 'acme_dev'/],
    ['deployable stack name starting with a digit', { deployableStackNames: ['1acme'] }, /found '1acme'/],
    [
      'deployable stack name over 128 characters (CloudFormation limit)',
      { deployableStackNames: [`a${'b'.repeat(128)}`] },
      /deployableStackNames entries must be CloudFormation stack names .* found 'ab{128}'/,
    ],
    [
      'no deployable stack region',
      { deployableStackRegions: [] },
      /^Target\/Trust: deployableStackRegions must name at least one region \(or '\*' for every region\), found an empty list$/,
    ],
    [
      'deployable stack region that is no region name',
      { deployableStackRegions: ['eu-west-1', 'Ireland'] },
      /^Target\/Trust: deployableStackRegions entries must be AWS region names such as 'us-east-1', or '\*', found 'Ireland'$/,
    ],
    ['deployable stack region pattern', { deployableStackRegions: ['eu-*'] }, /found 'eu-\*'$/],
    [
      'availability zone as a deployable stack region',
      { deployableStackRegions: ['eu-west-1a'] },
      /found 'eu-west-1a'$/,
    ],
    ['upper-case deployable stack region', { deployableStackRegions: ['US-EAST-1'] }, /found 'US-EAST-1'$/],
    [
      'passable connection given as a pattern',
      {
        runtimeServices: ['codeconnections', 'codestar-connections'],
        passableConnectionArns: [`arn:aws:codeconnections:eu-west-1:${TARGET_ACCOUNT}:connection/*`],
      },
      /^Target\/Trust: passableConnectionArns entries must be connection ARNs \(arn:aws:codeconnections:<region>:<account>:connection\/<id>, or codestar-connections\), found 'arn:aws:codeconnections:eu-west-1:222222222222:connection\/\*'$/,
    ],
    [
      'passable connection given as its id',
      {
        runtimeServices: ['codeconnections', 'codestar-connections'],
        passableConnectionArns: ['00000000-0000-4000-8000-000000000000'],
      },
      /passableConnectionArns entries must be connection ARNs .* found '00000000-0000-4000-8000-000000000000'$/,
    ],
    [
      'passable connection that is a connection host',
      {
        runtimeServices: ['codeconnections', 'codestar-connections'],
        passableConnectionArns: [`arn:aws:codeconnections:eu-west-1:${TARGET_ACCOUNT}:host/gh-abc`],
      },
      /passableConnectionArns entries must be connection ARNs .* found 'arn:aws:codeconnections:eu-west-1:222222222222:host\/gh-abc'$/,
    ],
    [
      'passable connection the boundary would not let pass (neither service name declared)',
      { passableConnectionArns: [`arn:aws:codeconnections:eu-west-1:${TARGET_ACCOUNT}:connection/abc`] },
      /^Target\/Trust: passableConnectionArns needs the boundary to allow PassConnection under both service names: runtimeServices \(or allowedServices\) must include 'codeconnections' and 'codestar-connections', found neither$/,
    ],
    [
      'passable connection with only the older service name declared',
      {
        runtimeServices: ['codestar-connections'],
        passableConnectionArns: [`arn:aws:codeconnections:eu-west-1:${TARGET_ACCOUNT}:connection/abc`],
      },
      /passableConnectionArns needs the boundary to allow PassConnection under both service names: .* found no 'codeconnections'$/,
    ],
    [
      'noncurrent asset retention of 0 days (S3 NoncurrentDays must be positive)',
      { noncurrentAssetRetentionDays: 0 },
      /^Target\/Trust: noncurrentAssetRetentionDays must be a whole number of days, at least 1 .* found 0$/,
    ],
    ['negative noncurrent asset retention', { noncurrentAssetRetentionDays: -5 }, /found -5$/],
    ['fractional noncurrent asset retention', { noncurrentAssetRetentionDays: 1.5 }, /found 1\.5$/],
    [
      "protected role name '*' (would deny every role write)",
      { protectedRoleNames: ['*'] },
      /^Target\/Trust: protectedRoleNames entries must be IAM role names \(1-64 letters, digits and \+=,\.@_-; no wildcards, paths or ARNs\), found '\*'$/,
    ],
    [
      'protected role name with a trailing wildcard',
      { protectedRoleNames: ['groundwork-*'] },
      /protectedRoleNames entries must be IAM role names .* found 'groundwork-\*'$/,
    ],
    [
      'protected role given as an ARN',
      { protectedRoleNames: ['groundwork-break-glass', 'arn:aws:iam::1:role/x'] },
      /protectedRoleNames entries must be IAM role names .* found 'arn:aws:iam::1:role\/x'$/,
    ],
    [
      'protected role name over 64 characters (IAM limit)',
      { protectedRoleNames: ['r'.repeat(65)] },
      /protectedRoleNames entries must be IAM role names .* found 'r{65}'$/,
    ],
    [
      'empty protected role name',
      { protectedRoleNames: [''] },
      /protectedRoleNames entries must be IAM role names .* found ''$/,
    ],
    [
      "'*' as the bootstrap stack (it would deny every stack)",
      { toolkitStackName: '*' },
      /toolkitStackName must be a CloudFormation stack name or a name pattern .* not '\*', found '\*'$/,
    ],
    [
      'a bootstrap stack name with a character CloudFormation refuses',
      { toolkitStackName: 'CDK_Toolkit' },
      /toolkitStackName must be a CloudFormation stack name .* found 'CDK_Toolkit'$/,
    ],
    [
      'a parameter name without the leading slash',
      { resolvableParameterNames: ['groundwork/dev/network/vpc-id'] },
      /resolvableParameterNames entries must be full SSM parameter names starting with '\/' .* found 'groundwork\/dev\/network\/vpc-id'$/,
    ],
    [
      'a parameter given as an ARN',
      { resolvableParameterNames: ['arn:aws:ssm:eu-west-1:222222222222:parameter/x'] },
      /resolvableParameterNames entries must be full SSM parameter names .* found 'arn:aws:ssm:eu-west-1:222222222222:parameter\/x'$/,
    ],
    [
      'a transform other than the AWS SAM transform',
      { allowedTransforms: ['AWS::LanguageExtensions'] },
      /allowedTransforms entries must be 'AWS::Serverless-2016-10-31' \(the AWS SAM transform; .*\), found 'AWS::LanguageExtensions'$/,
    ],
    [
      'the SAM transform given as its ARN',
      { allowedTransforms: ['arn:aws:cloudformation:eu-west-1:aws:transform/Serverless-2016-10-31'] },
      /allowedTransforms entries must be 'AWS::Serverless-2016-10-31' .* found 'arn:aws:cloudformation:eu-west-1:aws:transform\/Serverless-2016-10-31'$/,
    ],
    [
      'the SAM transform in another case',
      { allowedTransforms: ['aws::serverless-2016-10-31'] },
      /allowedTransforms entries must be 'AWS::Serverless-2016-10-31' .* found 'aws::serverless-2016-10-31'$/,
    ],
    [
      'a transform name given as a token',
      { allowedTransforms: [Aws.STACK_NAME] },
      /allowedTransforms entries must be 'AWS::Serverless-2016-10-31' .* found '\$\{Token\[AWS\.StackName\.\d+\]\}'$/,
    ],
  ])('%s', (_name, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });

  test('errors name the construct path', () => {
    expect(() => synth({ allowedServices: [] })).toThrow(/^Target\/Trust: /);
  });

  test('accepts a one-day noncurrent retention and role names with every character IAM allows', () => {
    const { template } = synth({
      // Few services: each protected role name also takes room in the boundary (IAM's 6,144-character limit).
      allowedServices: ['s3'],
      noncurrentAssetRetentionDays: 1,
      protectedRoleNames: ['groundwork-break-glass', 'Ops+Admin=1,2.x@y_z', 'r'.repeat(64)],
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'CleanupOldVersions', NoncurrentVersionExpiration: { NoncurrentDays: 1 } }),
        ]),
      },
    });
  });
});
