process.env.CDK_VALIDATION = 'false';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Aws, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { DriftReconciler, DriftReconcilerEnvironment, DriftReconcilerProps } from '../src';

const PIPELINE_ENV = { account: '111111111111', region: 'eu-west-1' };
const DEV: DriftReconcilerEnvironment = {
  name: 'dev',
  account: '333333333333',
  region: 'eu-west-1',
  stackNames: ['acme-dev-network', 'acme-dev-security', 'acme-dev-operations'],
};
const TEST: DriftReconcilerEnvironment = {
  name: 'test',
  account: '444444444444',
  region: 'eu-central-1',
  stackNames: ['acme-test-network', 'acme-test-security', 'acme-test-operations'],
};

function make(props: Partial<DriftReconcilerProps> = {}) {
  const app = new App();
  const stack = new Stack(app, 'Pipeline', { stackName: 'acme-platform', env: PIPELINE_ENV });
  const reconciler = new DriftReconciler(stack, 'DriftReconciler', { environments: [DEV, TEST], ...props });
  return { stack, reconciler, template: Template.fromStack(stack) };
}

function projectOf(template: Template): any {
  return Object.values(template.findResources('AWS::CodeBuild::Project'))[0];
}

function buildSpecOf(template: Template): any {
  return JSON.parse(projectOf(template).Properties.Source.BuildSpec);
}

/** The program the build writes to reconcile.js, decoded from the synthesized buildspec (base64 of gzip). */
function programOf(template: Template): string {
  const commands: string[] = buildSpecOf(template).phases.build.commands;
  const write = commands.find((c) => c.includes('> reconcile.js'))!;
  const encoded = /echo '([A-Za-z0-9+/=]+)' \| base64 -d \| gunzip > reconcile\.js$/.exec(write)![1];
  return zlib.gunzipSync(Buffer.from(encoded, 'base64')).toString('utf-8');
}

/** Loads the program as a module (as `node reconcile.js` would, but without running its main). */
function load(program: string): any {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-'));
  const file = path.join(dir, 'reconcile.js');
  fs.writeFileSync(file, program);
  // A CommonJS file written at run time: only require() loads it as node would.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file);
}

const BUILD_ARN = 'arn:aws:codebuild:eu-west-1:111111111111:build/acme-platform-drift-reconciler:0a1b';

interface Call {
  readonly api: string;
  readonly input: any;
}

/**
 * A fake CloudFormation client of the SDK v3 aggregated client's shape (method per API, promise result). Each
 * stack's behaviour: its status before, what the change set ends in, and the status after the execution.
 */
function fakeCloudFormation(
  stacks: {
    [name: string]: {
      status?: string;
      parameters?: string[];
      changeSet?: { Status: string; StatusReason?: string; ExecutionStatus?: string; Changes?: any[] };
      after?: string;
      events?: any[];
    };
  },
  calls: Call[],
) {
  const executed = new Set<string>();
  const polls = new Map<string, number>();
  const record = (api: string, input: any) => calls.push({ api, input });
  return {
    async describeStacks(input: any) {
      record('describeStacks', input);
      const s = stacks[input.StackName];
      if (!s) throw new Error(`Stack with id ${input.StackName} does not exist`);
      let status = s.status ?? 'UPDATE_COMPLETE';
      if (executed.has(input.StackName)) {
        // One poll in progress, then the final status.
        const n = (polls.get(input.StackName) ?? 0) + 1;
        polls.set(input.StackName, n);
        status = n === 1 ? 'UPDATE_IN_PROGRESS' : (s.after ?? 'UPDATE_COMPLETE');
      }
      return {
        Stacks: [
          {
            StackName: input.StackName,
            StackStatus: status,
            Parameters: (s.parameters ?? ['BootstrapVersion']).map((k) => ({ ParameterKey: k, ParameterValue: 'x' })),
          },
        ],
      };
    },
    async createChangeSet(input: any) {
      record('createChangeSet', input);
      return { Id: `arn:aws:cloudformation:eu-west-1:333333333333:changeSet/${input.ChangeSetName}/1`, StackId: 'id' };
    },
    async describeChangeSet(input: any) {
      record('describeChangeSet', input);
      const n = (polls.get(`cs:${input.StackName}`) ?? 0) + 1;
      polls.set(`cs:${input.StackName}`, n);
      if (n === 1) return { Status: 'CREATE_IN_PROGRESS', ExecutionStatus: 'UNAVAILABLE' };
      return (
        stacks[input.StackName].changeSet ?? {
          Status: 'CREATE_COMPLETE',
          ExecutionStatus: 'AVAILABLE',
          Changes: [
            {
              ResourceChange: {
                Action: 'Modify',
                LogicalResourceId: 'Bucket',
                ResourceType: 'AWS::S3::Bucket',
                Replacement: 'False',
              },
            },
          ],
        }
      );
    },
    async executeChangeSet(input: any) {
      record('executeChangeSet', input);
      executed.add(input.StackName);
      return {};
    },
    async deleteChangeSet(input: any) {
      record('deleteChangeSet', input);
      return {};
    },
    async describeStackEvents(input: any) {
      record('describeStackEvents', input);
      return { StackEvents: stacks[input.StackName].events ?? [] };
    },
  };
}

describe('DriftReconciler program', () => {
  const { template } = make();
  const program = load(programOf(template));

  async function runWith(
    env: { [name: string]: string },
    stacks: Parameters<typeof fakeCloudFormation>[0],
  ): Promise<{ calls: Call[]; clients: any[]; log: string[]; error?: Error }> {
    const calls: Call[] = [];
    const clients: any[] = [];
    const log: string[] = [];
    let error: Error | undefined;
    try {
      await program.run({
        env: { CODEBUILD_BUILD_ARN: BUILD_ARN, ...env },
        allowList: program.ALLOW_LIST,
        qualifier: program.QUALIFIER,
        cloudFormation: (options: any) => {
          clients.push(options);
          return fakeCloudFormation(stacks, calls);
        },
        sleep: async () => undefined,
        now: () => 1767225600000,
        log: (line: string) => log.push(line),
      });
    } catch (e) {
      error = e as Error;
    }
    return { calls, clients, log, error };
  }

  const apis = (calls: Call[], stack: string) => calls.filter((c) => c.input.StackName === stack).map((c) => c.api);

  test('the allow-list and the qualifier are baked in at synthesis', () => {
    expect(program.ALLOW_LIST).toEqual([DEV, TEST]);
    expect(program.QUALIFIER).toBe('hnb659fds');
  });

  test("reverts each drifted stack with a drift-aware change set on the deployed template, through the environment's deploy role", async () => {
    const { calls, clients, error, log } = await runWith(
      { GROUNDWORK_RECONCILE_ENVIRONMENT: 'dev', GROUNDWORK_RECONCILE_STACKS: 'acme-dev-network,acme-dev-security' },
      { 'acme-dev-network': { parameters: ['BootstrapVersion', 'Other'] }, 'acme-dev-security': {} },
    );
    expect(error).toBeUndefined();
    expect(clients).toEqual([
      {
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-eu-west-1',
        sessionName: 'groundwork-reconcile-dev',
      },
    ]);
    const creates = calls.filter((c) => c.api === 'createChangeSet').map((c) => c.input);
    expect(creates).toHaveLength(2);
    expect(creates[0]).toEqual({
      StackName: 'acme-dev-network',
      ChangeSetName: 'groundwork-revert-drift-1767225600000',
      ChangeSetType: 'UPDATE',
      DeploymentMode: 'REVERT_DRIFT',
      UsePreviousTemplate: true,
      Parameters: [
        { ParameterKey: 'BootstrapVersion', UsePreviousValue: true },
        { ParameterKey: 'Other', UsePreviousValue: true },
      ],
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      RoleARN: 'arn:aws:iam::333333333333:role/cdk-hnb659fds-cfn-exec-role-333333333333-eu-west-1',
      Description: expect.stringContaining('revert drift'),
    });
    // No template of its own: the one the pipeline deployed.
    expect(creates[0].TemplateBody).toBeUndefined();
    expect(creates[0].TemplateURL).toBeUndefined();
    // Waits for the change set, executes it, waits for the update to complete.
    expect(apis(calls, 'acme-dev-network')).toEqual([
      'describeStacks',
      'createChangeSet',
      'describeChangeSet',
      'describeChangeSet',
      'executeChangeSet',
      'describeStacks',
      'describeStacks',
    ]);
    const execute = calls.find((c) => c.api === 'executeChangeSet')!.input;
    expect(execute).toEqual({
      StackName: 'acme-dev-network',
      ChangeSetName: expect.stringContaining(':changeSet/groundwork-revert-drift-1767225600000/'),
    });
    expect(log).toEqual(
      expect.arrayContaining([
        'acme-dev-network: Modify Bucket (AWS::S3::Bucket)',
        'acme-dev-network: reverted',
        'acme-dev-security: reverted',
      ]),
    );
  });

  test('a change set without changes means the stack is in sync: deleted, never executed', async () => {
    const { calls, error, log } = await runWith(
      { GROUNDWORK_RECONCILE_ENVIRONMENT: 'dev', GROUNDWORK_RECONCILE_STACKS: 'acme-dev-network' },
      {
        'acme-dev-network': {
          changeSet: {
            Status: 'FAILED',
            ExecutionStatus: 'UNAVAILABLE',
            StatusReason: "The submitted information didn't contain changes. Submit different information.",
          },
        },
      },
    );
    expect(error).toBeUndefined();
    expect(calls.map((c) => c.api)).not.toContain('executeChangeSet');
    expect(calls.map((c) => c.api)).toContain('deleteChangeSet');
    expect(log).toContain('acme-dev-network: in sync');
  });

  test.each([
    ['a stack of another environment', 'dev', 'acme-test-network', /acme-test-network not among the stacks of dev/],
    ['a stack in no environment', 'dev', 'acme-dev-network,CDKToolkit', /refused: CDKToolkit not among the stacks/],
    ['an access stack sharing the prefix', 'dev', 'acme-dev-access', /refused: acme-dev-access/],
    ['an environment not in the list', 'prod', 'acme-prod-network', /refused: environment "prod" is not one/],
    ['no environment', '', 'acme-dev-network', /refused: environment "" is not one/],
    ['an inherited property name', '__proto__', 'acme-dev-network', /refused: environment "__proto__"/],
    ['no stack', 'dev', ' , ', /refused: GROUNDWORK_RECONCILE_STACKS names no stack of dev/],
  ])('refuses %s before any AWS call', async (_what, environment, stacks, message) => {
    const { calls, clients, error } = await runWith(
      { GROUNDWORK_RECONCILE_ENVIRONMENT: environment, GROUNDWORK_RECONCILE_STACKS: stacks },
      { 'acme-dev-network': {}, 'acme-test-network': {}, CDKToolkit: {}, 'acme-dev-access': {} },
    );
    expect(error?.message).toMatch(message);
    expect(error).toBeInstanceOf(program.Refused);
    expect(clients).toEqual([]);
    expect(calls).toEqual([]);
  });

  test('fails loudly when the revert rolls back, with the failed resources, after trying every stack', async () => {
    const { calls, error } = await runWith(
      { GROUNDWORK_RECONCILE_ENVIRONMENT: 'dev', GROUNDWORK_RECONCILE_STACKS: 'acme-dev-network,acme-dev-security' },
      {
        'acme-dev-network': {
          after: 'UPDATE_ROLLBACK_COMPLETE',
          events: [
            {
              LogicalResourceId: 'Bucket',
              ResourceStatus: 'UPDATE_FAILED',
              ResourceStatusReason: 'Access Denied',
              Timestamp: new Date(1767225600000),
            },
            { LogicalResourceId: 'Old', ResourceStatus: 'UPDATE_FAILED', Timestamp: new Date(1000) },
          ],
        },
        'acme-dev-security': {},
      },
    );
    expect(error?.message).toBe(
      'drift in dev not reverted for 1 of 2 stacks:\n' +
        'acme-dev-network: the revert ended in UPDATE_ROLLBACK_COMPLETE\n  Bucket UPDATE_FAILED: Access Denied',
    );
    // The second stack was still reverted.
    expect(apis(calls, 'acme-dev-security')).toContain('executeChangeSet');
  });

  test('fails loudly on a change set that failed for another reason, and never executes it', async () => {
    const { calls, error } = await runWith(
      { GROUNDWORK_RECONCILE_ENVIRONMENT: 'dev', GROUNDWORK_RECONCILE_STACKS: 'acme-dev-network' },
      {
        'acme-dev-network': {
          changeSet: { Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', StatusReason: 'Role is invalid' },
        },
      },
    );
    expect(error?.message).toMatch(/acme-dev-network: change set .* is FAILED\/UNAVAILABLE: Role is invalid/);
    expect(calls.map((c) => c.api)).not.toContain('executeChangeSet');
  });

  test('fails loudly, without a change set, on a stack a deployment is updating', async () => {
    const { calls, error } = await runWith(
      { GROUNDWORK_RECONCILE_ENVIRONMENT: 'dev', GROUNDWORK_RECONCILE_STACKS: 'acme-dev-network' },
      { 'acme-dev-network': { status: 'UPDATE_IN_PROGRESS' } },
    );
    expect(error?.message).toMatch(/acme-dev-network: status UPDATE_IN_PROGRESS, from which no change set/);
    expect(calls.map((c) => c.api)).toEqual(['describeStacks']);
  });

  test("uses the deploy and execution roles of the environment's own account, region and partition", async () => {
    const { clients, calls } = await runWith(
      {
        CODEBUILD_BUILD_ARN: 'arn:aws-cn:codebuild:cn-north-1:111111111111:build/p:1',
        GROUNDWORK_RECONCILE_ENVIRONMENT: 'test',
        GROUNDWORK_RECONCILE_STACKS: 'acme-test-operations',
      },
      { 'acme-test-operations': {} },
    );
    expect(clients).toEqual([
      {
        region: 'eu-central-1',
        roleArn: 'arn:aws-cn:iam::444444444444:role/cdk-hnb659fds-deploy-role-444444444444-eu-central-1',
        sessionName: 'groundwork-reconcile-test',
      },
    ]);
    expect(calls.find((c) => c.api === 'createChangeSet')!.input.RoleARN).toBe(
      'arn:aws-cn:iam::444444444444:role/cdk-hnb659fds-cfn-exec-role-444444444444-eu-central-1',
    );
  });

  test('assumes the deploy role again before its credentials expire', async () => {
    let now = 0;
    const assumed: any[] = [];
    const sts = {
      async assumeRole(input: any) {
        assumed.push(input);
        return {
          Credentials: {
            AccessKeyId: `AKIA${assumed.length}`,
            SecretAccessKey: 's',
            SessionToken: 't',
            Expiration: new Date(now + 3600 * 1000),
          },
        };
      },
    };
    const provider = program.assumedRole(sts, 'arn:aws:iam::1:role/r', 'session', () => now);
    expect((await provider()).accessKeyId).toBe('AKIA1');
    now = 50 * 60 * 1000;
    expect((await provider()).accessKeyId).toBe('AKIA1');
    now = 56 * 60 * 1000;
    expect((await provider()).accessKeyId).toBe('AKIA2');
    expect(assumed[0]).toEqual({ RoleArn: 'arn:aws:iam::1:role/r', RoleSessionName: 'session', DurationSeconds: 3600 });
  });
});

describe('DriftReconciler project', () => {
  const { template, reconciler } = make();

  test('no source, an inline buildspec on Node.js 20, the pinned SDK installed without install scripts', () => {
    const project = projectOf(template);
    expect(project.Properties).toMatchObject({
      Name: 'acme-platform-drift-reconciler',
      Source: { Type: 'NO_SOURCE' },
      Artifacts: { Type: 'NO_ARTIFACTS' },
      Environment: { Image: 'aws/codebuild/standard:7.0', PrivilegedMode: false },
      TimeoutInMinutes: 60,
    });
    const spec = buildSpecOf(template);
    expect(spec.phases.install['runtime-versions']).toEqual({ nodejs: '20' });
    const commands: string[] = spec.phases.build.commands;
    expect(commands[commands.length - 1]).toBe('cd /tmp/groundwork-reconcile && node reconcile.js');
    const install = commands.find((c) => c.includes('npm install'))!;
    expect(install).toContain('--ignore-scripts');
    expect(install).toContain('@aws-sdk/client-cloudformation@3.1169.0 @aws-sdk/client-sts@3.1169.0');
    // Pinned exactly: no range, so a build never picks a client without DeploymentMode (3.1169.0 has it).
    expect(DriftReconciler.CLOUDFORMATION_SDK_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(reconciler.projectName).toBe('acme-platform-drift-reconciler');
  });

  test("the project's role may only assume the deploy roles of the listed environments", () => {
    const roleId = projectOf(template).Properties.ServiceRole['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId];
    // Generated by CloudFormation from the stack name, so the deploy roles' `<stack name>*` pattern matches.
    expect(role.Properties.RoleName).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' } },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
    ).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const assume = statements.filter((s: any) => [s.Action].flat().includes('sts:AssumeRole'));
    // The deploy-role name pattern in each environment's region, in the environments' accounts only.
    expect(assume).toEqual([
      {
        Sid: 'AssumeDeployRolesOfReconcilingEnvironments',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: ['eu-central-1', 'eu-west-1'].map((region) => ({
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/cdk-hnb659fds-deploy-role-*-${region}`]],
        })),
        Condition: { StringEquals: { 'aws:ResourceAccount': ['333333333333', '444444444444'] } },
      },
    ]);
    // Each environment's deploy role matches; another role of the accounts, or another account's, does not.
    // `:iam::*:role/<pattern>` after the partition, as a regular expression on the ARN without `arn:aws`.
    const patterns = assume[0].Resource.map(
      (r: any) => new RegExp(`^${r['Fn::Join'][1][2].replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`),
    );
    const matches = (arn: string) => patterns.some((p: RegExp) => p.test(arn.slice('arn:aws'.length)));
    expect(matches('arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-eu-west-1')).toBe(true);
    expect(matches('arn:aws:iam::444444444444:role/cdk-hnb659fds-deploy-role-444444444444-eu-central-1')).toBe(true);
    expect(matches('arn:aws:iam::333333333333:role/cdk-hnb659fds-cfn-exec-role-333333333333-eu-west-1')).toBe(false);
    expect(matches('arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-us-east-1')).toBe(false);
    // Nothing else of consequence: no CloudFormation, no PassRole, no other role, only its own logs and key.
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions.filter((a: string) => !/^(logs|kms):/.test(a))).toEqual(['sts:AssumeRole']);
    // aws-cdk-lib's grants on /aws/codebuild/<project> and on report groups are dropped: the build logs to its
    // own log group and publishes no report.
    expect(JSON.stringify(statements)).not.toMatch(/\/aws\/codebuild\/|report-group/);
    const logs = statements.find((s: any) => [s.Action].flat().includes('logs:PutLogEvents'));
    expect(logs.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DriftReconcilerLogs/), 'Arn'] });
    expect(JSON.stringify(statements)).not.toContain('role/*');
    expect(statements.every((s: any) => s.Effect === 'Allow' && s.Resource !== '*')).toBe(true);
  });

  test('with an organization id, the deploy roles of the organization: no account list to grow', () => {
    const inOrganization = make({ organizationId: 'o-a1b2c3d4e5' }).template;
    const statements = Object.values(inOrganization.findResources('AWS::IAM::Policy')).flatMap(
      (p: any) => p.Properties.PolicyDocument.Statement,
    );
    const [assume] = statements.filter((s: any) => s.Sid === 'AssumeDeployRolesOfReconcilingEnvironments');
    expect(assume.Condition).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } });
    expect(JSON.stringify(assume)).not.toMatch(/\d{12}/);
  });

  test('failed builds raise an alarm, published to the topic given', () => {
    const app = new App();
    const stack = new Stack(app, 'Pipeline', { env: PIPELINE_ENV });
    const topic = new sns.Topic(stack, 'Topic');
    new DriftReconciler(stack, 'R', { environments: [DEV], alarmTopic: topic, projectName: 'reconcile' });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/CodeBuild',
      MetricName: 'FailedBuilds',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }],
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
  });

  test('logs to a KMS-encrypted, retained log group', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: Match.anyValue(), RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
    expect(projectOf(template).Properties.LogsConfig.CloudWatchLogs).toMatchObject({ Status: 'ENABLED' });
  });

  test('cdk-nag AwsSolutions and NIST 800-53 rev 5: no unacknowledged finding', () => {
    const { stack } = make();
    const findings = [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) =>
      pack.validateScope(stack).violations.map((v: any) => v.ruleName),
    );
    expect(findings).toEqual([]);
  });
});

describe('DriftReconciler.startBuildStatements', () => {
  const arn = 'arn:aws:codebuild:eu-west-1:111111111111:project/acme-platform-drift-reconciler';
  const stack = new Stack(new App(), 'S');
  const statements = DriftReconciler.startBuildStatements(arn, ['dev', 'test']).map((s) => stack.resolve(s.toJSON()));

  test('StartBuild on the project only, with only the two request variables, for the listed environments', () => {
    expect(statements[0]).toEqual({
      Sid: 'StartDriftReconcile',
      Effect: 'Allow',
      Action: 'codebuild:StartBuild',
      Resource: arn,
      Condition: {
        'ForAllValues:StringEquals': {
          'codebuild:environment.environmentVariables.name': [
            'GROUNDWORK_RECONCILE_ENVIRONMENT',
            'GROUNDWORK_RECONCILE_STACKS',
          ],
        },
        'ForAnyValue:StringEquals': {
          'codebuild:environment.environmentVariables/GROUNDWORK_RECONCILE_ENVIRONMENT.value': ['dev', 'test'],
        },
      },
    });
    expect(statements.filter((s) => s.Effect === 'Allow')).toHaveLength(1);
  });

  test('denied when the request overrides the buildspec, source, image, role or logs', () => {
    const denied = statements
      .filter((s) => s.Effect === 'Deny')
      .map((s) => {
        expect(s).toMatchObject({ Action: 'codebuild:StartBuild', Resource: arn });
        // One key per statement: several keys in one Null block would all have to be set to deny.
        expect(Object.keys(s.Condition.Null)).toHaveLength(1);
        expect(Object.values(s.Condition.Null)).toEqual(['false']);
        return Object.keys(s.Condition.Null)[0];
      });
    expect(denied).toEqual(
      expect.arrayContaining([
        'codebuild:source.buildspec',
        'codebuild:source.location',
        'codebuild:secondarySources',
        'codebuild:environment.image',
        'codebuild:environment.privilegedMode',
        'codebuild:serviceRole',
        'codebuild:logsConfig',
        'codebuild:artifacts',
      ]),
    );
    // The Denies and 80 short names fit one managed policy (6,144 characters without whitespace); longer or
    // more names need several (startBuildPolicies, test/drift-reconciler-scale.test.ts).
    const names = Array.from({ length: 80 }, (_, i) => `environment-${i}`);
    const size = JSON.stringify(
      DriftReconciler.startBuildStatements(arn, names).map((s) => stack.resolve(s.toJSON())),
    ).length;
    expect(size).toBeLessThan(6144);
  });

  test('rejects an empty environment list', () => {
    expect(() => DriftReconciler.startBuildStatements(arn, [])).toThrow(/environmentNames must not be empty/);
  });
});

describe('DriftReconciler validation', () => {
  test.each([
    [{ environments: [] }, /environments must name at least one environment/],
    [{ environments: [DEV, DEV] }, /environment 'dev' is listed twice/],
    [{ environments: [{ ...DEV, name: 'dev x' }] }, /environment name must match/],
    [{ environments: [{ ...DEV, account: '3333' }] }, /account must be 12 digits, found '3333'/],
    [{ environments: [{ ...DEV, region: 'Europe' }] }, /region must be a region name/],
    [{ environments: [{ ...DEV, stackNames: [] }] }, /stackNames must name at least one stack/],
    [{ environments: [{ ...DEV, stackNames: ['acme-dev-*'] }] }, /found 'acme-dev-\*'/],
    [{ projectName: 'a b' }, /projectName must be a CodeBuild project name/],
    [{ qualifier: 'NOT_VALID' }, /qualifier must be 1 to 10 lowercase letters and digits/],
    [
      { organizationId: 'org-123' },
      /organizationId must be an AWS Organizations id such as 'o-a1b2c3d4e5', found 'org-123'/,
    ],
  ] as Array<[Partial<DriftReconcilerProps>, RegExp]>)('rejects %j', (props, message) => {
    expect(() => make(props)).toThrow(message);
  });

  test('rejects a token in the allow-list: it could not be checked or baked into the program', () => {
    const stack = new Stack(new App(), 'S', { env: PIPELINE_ENV });
    expect(() => new DriftReconciler(stack, 'R', { environments: [{ ...DEV, account: Aws.ACCOUNT_ID }] })).toThrow(
      /must be literal strings known at synthesis/,
    );
  });
});
