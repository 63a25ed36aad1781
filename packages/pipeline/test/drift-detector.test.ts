process.env.CDK_VALIDATION = 'false';
import { App, CfnParameter, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { DriftDetector, DriftDetectorProps } from '../src';
import { staleAcknowledgements } from './nag';
import { FakeAws, runStateMachine, SdkCall, TaskFailure } from './state-machine-simulator';

const TARGET = { account: '200000000001', region: 'eu-west-1' };
const RECONCILE_ROLE = 'arn:aws:iam::111111111111:role/groundwork-drift-reconcile';
const PROJECT = 'groundwork-drift-reconciler';
/** Auto-reconcile through the DriftReconciler project of the pipeline account, stacks by name: each is sent. */
const RECONCILE_NAMED = { autoReconcile: true, reconcileProjectName: PROJECT } as const;
/** The same with make's stackNamePrefix: only the stacks of the reconciler's allow-list are sent. */
const RECONCILE = { ...RECONCILE_NAMED, reconcileStackNames: ['groundwork-dev-network'] };
/** What the start task sends: this environment and the drifted stacks, comma-separated (JSONata). */
const REQUEST = [
  { Name: 'GROUNDWORK_RECONCILE_ENVIRONMENT', Value: 'dev', Type: 'PLAINTEXT' },
  { Name: 'GROUNDWORK_RECONCILE_STACKS', Value: '{% $join($reconcilable.stack, ",") %}', Type: 'PLAINTEXT' },
];

/** `env: {}` makes an environment-agnostic stack (account and region unknown at synthesis). */
function make(props: Partial<DriftDetectorProps> = {}, env: { account?: string; region?: string } = TARGET) {
  const stack = new Stack(new App(), 'Dev', { env });
  const key = new kms.Key(stack, 'TopicKey', { enableKeyRotation: true });
  const topic = new sns.Topic(stack, 'Alerts', { masterKey: key });
  const detector = new DriftDetector(stack, 'Drift', {
    environmentName: 'dev',
    stackNamePrefix: 'groundwork-',
    alertTopic: topic,
    alertTopicKey: key,
    pipelineName: 'groundwork',
    pipelineAccount: '111111111111',
    schedule: events.Schedule.rate(Duration.hours(6)),
    ...props,
  });
  return { stack, detector, template: Template.fromStack(stack) };
}

function statementsOf(template: Template): any[] {
  return Object.values(
    template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('DriftStateMachineRole') }] },
    }),
  ).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** The state machine's definition, with the Fn::Join of its DefinitionString resolved to plain text. */
function definitionOf(template: Template): any {
  const machine: any = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
  const parts = machine.Properties.DefinitionString['Fn::Join'][1];
  return JSON.parse(
    parts.map((p: unknown) => (typeof p === 'string' ? p : JSON.stringify(p).replace(/"/g, ''))).join(''),
  );
}

/** The statements of the alert topic's policy that let CloudWatch alarms publish. */
function alarmPublishStatements(template: Template): any[] {
  const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as any[];
  return policy.Properties.PolicyDocument.Statement.filter(
    (st: any) => st.Effect === 'Allow' && st.Principal?.Service === 'cloudwatch.amazonaws.com',
  );
}

/** The statements of the role of the only Lambda function of the template. */
function functionRoleStatements(template: Template): any[] {
  const fn: any = Object.values(template.findResources('AWS::Lambda::Function'))[0];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
  ).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** cdk-nag findings on the detector and on the resources it makes aws-cdk-lib generate at the stack root. */
function nagFindings(stack: Stack): string[] {
  return [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) =>
    pack
      .validateScope(stack)
      .violations.filter((v: any) =>
        v.violatingResources.some((r: any) => /^Dev\/(Drift|CrossRegionAwsSdk)/.test(r.constructPath)),
      )
      .map((v: any) => v.ruleName),
  );
}

describe('DriftDetector', () => {
  test('runs on the given schedule and starts the state machine', () => {
    const { template } = make();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('DriftStateMachine') } })],
    });
  });

  test('runs every 12 hours when no schedule is given', () => {
    const { template } = make({ schedule: undefined });
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(12 hours)', State: 'ENABLED' });
  });

  // Confused deputy prevention (EventBridge user guide): the role a rule target uses is assumed by EventBridge
  // for rules of this account and region only, and may start this state machine and nothing else.
  test.each([
    ['a stack of a known account and region', TARGET, '200000000001', ':events:eu-west-1:200000000001:rule/*'],
    ['an environment-agnostic stack', {}, { Ref: 'AWS::AccountId' }, undefined],
  ])(
    'the schedule role trusts EventBridge only for rules of this account and region: %s',
    (_name, env, account, arn) => {
      const { template } = make({}, env);
      const rule: any = Object.values(template.findResources('AWS::Events::Rule'))[0];
      const roleId = rule.Properties.Targets[0].RoleArn['Fn::GetAtt'][0];
      // The logical id of the role aws-cdk-lib created before: the deployed role is updated, not replaced.
      expect(roleId).toMatch(/^DriftStateMachineEventsRole[0-9A-F]{8}$/);
      const role = template.toJSON().Resources[roleId];
      const ruleArn = arn
        ? { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, arn]] }
        : {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':events:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':rule/*',
              ],
            ],
          };
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': ruleArn } },
        },
      ]);
      const machine = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0];
      const statements = Object.values(
        template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
      ).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      expect(statements).toEqual([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machine } }]);
    },
  );

  test('a run that failed, timed out or was aborted raises an alarm to the alert topic, which admits that alarm', () => {
    const { stack, detector, template } = make();
    const alarmId = stack.getLogicalId(detector.executionFailureAlarm.node.defaultChild as any);
    const machineId = stack.getLogicalId(detector.stateMachine.node.defaultChild as any);
    const alarm = template.toJSON().Resources[alarmId].Properties;
    expect(alarm.AlarmActions).toHaveLength(1);
    expect(alarm.AlarmActions[0].Ref).toMatch(/^Alerts/);
    expect(alarm).toMatchObject({ Threshold: 1, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    const expression = alarm.Metrics.find((m: any) => m.Expression);
    expect(expression.Expression).toBe('failed + timedOut + aborted');
    const watched = alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => ({
      id: m.Id,
      name: m.MetricStat.Metric.MetricName,
      machine: m.MetricStat.Metric.Dimensions[0].Value,
    }));
    expect(watched).toEqual([
      { id: 'failed', name: 'ExecutionsFailed', machine: { Ref: machineId } },
      { id: 'timedOut', name: 'ExecutionsTimedOut', machine: { Ref: machineId } },
      { id: 'aborted', name: 'ExecutionsAborted', machine: { Ref: machineId } },
    ]);
    // The topic's policy replaces SNS's default one: without this statement the alarm would be refused.
    expect(alarmPublishStatements(template)).toContainEqual(
      expect.objectContaining({
        Action: 'sns:Publish',
        Condition: {
          ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [alarmId, 'Arn'] } },
          StringEquals: { 'aws:SourceAccount': TARGET.account },
        },
      }),
    );
  });

  test('a run the schedule failed to start (no execution, so no execution metric) raises its own alarm to the alert topic', () => {
    const { stack, detector, template } = make();
    const alarmId = stack.getLogicalId(detector.scheduleFailureAlarm.node.defaultChild as any);
    const ruleId = stack.getLogicalId(detector.rule.node.defaultChild as any);
    const alarm = template.toJSON().Resources[alarmId].Properties;
    // EventBridge counts a target it could not invoke, after its retries, in FailedInvocations of the rule.
    expect(alarm).toMatchObject({
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: ruleId } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      // Sent only when not zero: no data is no failure.
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.AlarmActions).toHaveLength(1);
    expect(alarm.AlarmActions[0].Ref).toMatch(/^Alerts/);
    // The topic admits both alarms, each by its own ARN.
    expect(
      alarmPublishStatements(template).map((st: any) => st.Condition.ArnEquals['aws:SourceArn']['Fn::GetAtt'][0]),
    ).toEqual([stack.getLogicalId(detector.executionFailureAlarm.node.defaultChild as any), alarmId]);
  });

  test('uses SDK integrations only (no Lambda), logs to an encrypted log group and traces with X-Ray', () => {
    const { template } = make();
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: Match.anyValue(), LogGroupName: '/aws/vendedlogs/states/groundwork-drift-dev' },
      // Named: kept after a failed create, it would make the retried create fail on its name.
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    const definition = JSON.stringify(Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]);
    for (const api of [
      'cloudformation:listStacks',
      'cloudformation:detectStackDrift',
      'cloudformation:describeStackDriftDetectionStatus',
      'cloudformation:describeStackResourceDrifts',
      'cloudwatch:putMetricData',
      'sns:publish',
    ]) {
      expect(definition).toContain(`:states:::aws-sdk:${api}`);
    }
    expect(definition).toContain('Groundwork/Drift');
    expect(definition).toContain('DriftedStacks');
    expect(definition).not.toContain('codepipeline:startPipelineExecution');
    expect(definition).not.toContain('codebuild:startBuild');
  });

  test('state machine role: drift APIs on the Groundwork stacks, publish on the topic, metric namespace bounded', () => {
    const statements = statementsOf(make().template);
    const stackArn = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':cloudformation:eu-west-1:200000000001:stack/groundwork-*/*'],
      ],
    };
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'cloudformation:DetectStackDrift', Resource: stackArn }),
        expect.objectContaining({ Action: 'cloudformation:DetectStackResourceDrift', Resource: stackArn }),
        expect.objectContaining({ Action: 'cloudformation:DescribeStackResourceDrifts', Resource: stackArn }),
        expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: expect.stringMatching(/^Alerts/) } }),
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'cloudwatch:PutMetricData',
          Condition: { StringNotEquals: { 'cloudwatch:namespace': 'Groundwork/Drift' } },
        }),
      ]),
    );
    expect(statements.some((s) => JSON.stringify(s.Action).includes('codepipeline:'))).toBe(false);
    expect(statements.some((s) => JSON.stringify(s.Action).includes('codebuild:'))).toBe(false);
  });

  test('auto-reconcile in the pipeline account: the state machine role may start exactly the reconcile project, for this environment', () => {
    const { template } = make({ ...RECONCILE, pipelineAccount: TARGET.account });
    const statements = statementsOf(template);
    const projectArn = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':codebuild:eu-west-1:200000000001:project/groundwork-drift-reconciler'],
      ],
    };
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Sid: 'StartDriftReconcile',
          Effect: 'Allow',
          Action: 'codebuild:StartBuild',
          Resource: projectArn,
          Condition: expect.objectContaining({
            'ForAnyValue:StringEquals': {
              'codebuild:environment.environmentVariables/GROUNDWORK_RECONCILE_ENVIRONMENT.value': ['dev'],
            },
          }),
        }),
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'codebuild:StartBuild',
          Condition: { Null: { 'codebuild:source.buildspec': 'false' } },
        }),
      ]),
    );
    expect(statements.some((s) => s.Action === 'sts:AssumeRole')).toBe(false);
    // Restarting the pipeline does not revert drift: it is never called.
    expect(statements.some((s) => JSON.stringify(s.Action).includes('codepipeline:'))).toBe(false);
    const states = definitionOf(template).States;
    expect(states.StartReconcile).toMatchObject({
      Resource: expect.stringContaining(':states:::aws-sdk:codebuild:startBuild'),
      Arguments: { ProjectName: PROJECT, EnvironmentVariablesOverride: REQUEST },
    });
    expect(states.StartReconcile.Credentials).toBeUndefined();
    expect(states.StartPipeline).toBeUndefined();
  });

  test('auto-reconcile across accounts: the task runs as the reconcile role, the state machine role may only assume it', () => {
    const reconcileRoleArn = 'arn:aws:iam::111111111111:role/groundwork-drift-reconcile';
    const { template } = make({ ...RECONCILE, reconcileRoleArn });
    const statements = statementsOf(template);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: reconcileRoleArn }),
      ]),
    );
    // Only the reconcile role can start a project of another account; a grant to this role is useless.
    expect(statements.some((s) => JSON.stringify(s.Action).includes('codebuild:'))).toBe(false);
    expect(statements.some((s) => JSON.stringify(s.Action).includes('codepipeline:'))).toBe(false);
    const states = definitionOf(template).States;
    expect(states.StartReconcile).toEqual({
      Type: 'Task',
      Resource: expect.stringContaining(':states:::aws-sdk:codebuild:startBuild'),
      Arguments: { ProjectName: PROJECT, EnvironmentVariablesOverride: REQUEST },
      Credentials: { RoleArn: reconcileRoleArn },
      Retry: [expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 4 })],
      Next: 'Done',
    });
  });

  test("auto-reconcile with pipelineRegion equal to this stack's region: a plain SDK task, no Lambda", () => {
    const { template } = make({ ...RECONCILE, pipelineAccount: TARGET.account, pipelineRegion: TARGET.region });
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(definitionOf(template).States.StartReconcile.Resource).toContain(':states:::aws-sdk:codebuild:startBuild');
  });

  test('pipelineRegion without auto-reconcile adds nothing: the reconciler is never called', () => {
    const { template } = make({ pipelineRegion: 'eu-central-1' });
    template.resourceCountIs('AWS::Lambda::Function', 0);
    expect(definitionOf(template).States.StartReconcile).toBeUndefined();
  });

  describe('auto-reconcile with the reconcile project in another region of the same account', () => {
    // The stack in eu-central-1, the project in eu-west-1: an SDK task would call eu-central-1.
    const STACK_ENV = { account: TARGET.account, region: 'eu-central-1' };
    const { stack, template } = make(
      { ...RECONCILE, pipelineAccount: TARGET.account, pipelineRegion: 'eu-west-1' },
      STACK_ENV,
    );
    const projectArn = {
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':codebuild:eu-west-1:200000000001:project/groundwork-drift-reconciler'],
      ],
    };

    test("the start task calls CodeBuild in the project's region through CallAwsServiceCrossRegion", () => {
      const start = definitionOf(template).States.StartReconcile;
      // Not an SDK integration: those call the state machine's own region (eu-central-1).
      expect(start.Resource).not.toContain(':states:::aws-sdk:');
      expect(start.Resource).toMatch(/CrossRegionAwsSdk.*Arn/);
      expect(start).toMatchObject({
        Type: 'Task',
        Arguments: {
          region: 'eu-west-1',
          service: 'codebuild',
          action: 'startBuild',
          // The function passes them to the JavaScript SDK v3 command as they are: camelCase members.
          parameters: {
            projectName: PROJECT,
            environmentVariablesOverride: REQUEST.map((v) => ({ name: v.Name, value: v.Value, type: v.Type })),
          },
        },
        Retry: expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 4 })]),
        Next: 'Done',
      });
      expect(start.Credentials).toBeUndefined();
    });

    test("only the function's role may start the project, in its region, without overrides; the state machine may invoke the function", () => {
      template.resourceCountIs('AWS::Lambda::Function', 1);
      const fnStatements = functionRoleStatements(template);
      expect(fnStatements.filter((s) => s.Effect === 'Allow')).toEqual([
        expect.objectContaining({ Effect: 'Allow', Action: 'codebuild:StartBuild', Resource: projectArn }),
      ]);
      expect(fnStatements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'codebuild:StartBuild',
            Condition: { Null: { 'codebuild:source.buildspec': 'false' } },
          }),
        ]),
      );
      const statements = statementsOf(template);
      expect(statements.some((s) => JSON.stringify(s.Action).includes('codebuild:'))).toBe(false);
      expect(statements).toEqual(
        expect.arrayContaining([expect.objectContaining({ Action: 'lambda:InvokeFunction' })]),
      );
    });

    test("the function logs to a KMS-encrypted, retained log group with the detector's retention", () => {
      const fn: any = Object.values(template.findResources('AWS::Lambda::Function'))[0];
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
      expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]).toMatchObject({
        Properties: {
          KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DriftLogKey/), 'Arn'] },
          RetentionInDays: 365,
        },
        DeletionPolicy: 'Retain',
      });
    });

    test('cdk-nag AwsSolutions and NIST 800-53 rev 5: no unacknowledged finding, generated function included', () => {
      expect(nagFindings(stack)).toEqual([]);
    });
  });

  test('auto-reconcile with the project in another region, region of this stack unknown: same account uses the cross-region task', () => {
    const { template } = make(
      { ...RECONCILE, pipelineAccount: TARGET.account, pipelineRegion: 'eu-west-1' },
      { account: TARGET.account },
    );
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(definitionOf(template).States.StartReconcile.Arguments).toMatchObject({ region: 'eu-west-1' });
  });

  test('rejects auto-reconcile through reconcileRoleArn of a project in another region (another account)', () => {
    expect(() =>
      make(
        { ...RECONCILE, reconcileRoleArn: RECONCILE_ROLE, pipelineRegion: 'eu-west-1' },
        { account: TARGET.account, region: 'eu-central-1' },
      ),
    ).toThrow(
      "Dev/Drift: autoReconcile with reconcileRoleArn calls CodeBuild in this stack's region (eu-central-1); " +
        "expected pipelineRegion unset or equal to it, found 'eu-west-1'",
    );
    // The stack's region unknown at synthesis: the start could target the wrong region, so it is rejected too.
    expect(() => make({ ...RECONCILE, reconcileRoleArn: RECONCILE_ROLE, pipelineRegion: 'eu-west-1' }, {})).toThrow(
      /Dev\/Drift: autoReconcile with reconcileRoleArn .* found 'eu-west-1' \(this stack's region is not known/,
    );
  });

  test("accepts auto-reconcile through reconcileRoleArn of a project in this stack's region (another account)", () => {
    const { template } = make({ ...RECONCILE, reconcileRoleArn: RECONCILE_ROLE, pipelineRegion: TARGET.region });
    expect(definitionOf(template).States.StartReconcile.Credentials).toEqual({ RoleArn: RECONCILE_ROLE });
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('rejects ambiguous stack selection and a reconcile role or project without auto-reconcile', () => {
    expect(() => make({ stackNames: ['a'] })).toThrow(/Dev\/Drift: set exactly one of stackNamePrefix or stackNames/);
    expect(() => make({ reconcileRoleArn: 'arn:aws:iam::111111111111:role/r' })).toThrow(
      /reconcileRoleArn is set but autoReconcile is off/,
    );
    expect(() => make({ reconcileProjectName: PROJECT })).toThrow(
      /reconcileProjectName is set but autoReconcile is off/,
    );
    expect(() => make(RECONCILE)).toThrow(
      'Dev/Drift: autoReconcile with the pipeline in account 111111111111 (this stack is in 200000000001) needs reconcileRoleArn',
    );
  });

  test('reconcileStackNames: required with a prefix and auto-reconcile, only there, and names of the prefix', () => {
    const reconcile = { ...RECONCILE_NAMED, reconcileRoleArn: RECONCILE_ROLE };
    // The prefix selects stacks the reconciler may not change, and it refuses a whole request naming one.
    expect(() => make(reconcile)).toThrow(
      "Dev/Drift: autoReconcile with stackNamePrefix 'groundwork-' needs reconcileStackNames, the stacks of the " +
        "prefix that the DriftReconciler's allow-list holds for this environment; found none",
    );
    expect(() => make({ reconcileStackNames: ['groundwork-dev-network'] })).toThrow(
      'Dev/Drift: reconcileStackNames is set but autoReconcile is off',
    );
    expect(() =>
      make({ ...byName('groundwork-dev-network'), ...reconcile, reconcileStackNames: ['groundwork-dev-network'] }),
    ).toThrow(
      'Dev/Drift: reconcileStackNames is for stackNamePrefix; with stackNames every listed stack is sent to the ' +
        'reconciler: list the stacks it may not change in detectOnlyStackNames instead',
    );
    expect(() => make({ ...reconcile, reconcileStackNames: [] })).toThrow(
      'Dev/Drift: reconcileStackNames must name at least one stack, found none',
    );
    for (const name of ['other-dev-network', 'groundwork-dev-*', 'groundwork_dev']) {
      expect(() => make({ ...reconcile, reconcileStackNames: [name] })).toThrow(
        `Dev/Drift: reconcileStackNames must hold CloudFormation stack names starting with stackNamePrefix 'groundwork-', found '${name}'`,
      );
    }
    // With stackNames, every stack is sent, as before.
    expect(() => make({ ...byName('groundwork-dev-network'), ...reconcile })).not.toThrow();
  });

  test('detectOnlyStackNames: checked with the drift APIs on their names; rejected when reconciled too or not a stack name', () => {
    const { template } = make({ ...byName('groundwork-dev-network'), detectOnlyStackNames: ['groundwork-dev-access'] });
    const definition = definitionOf(template);
    expect(definition.States.Init.Assign.stacks).toEqual(['groundwork-dev-network', 'groundwork-dev-access']);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'cloudformation:DetectStackDrift',
            Resource: Match.arrayWith([
              { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':stack/groundwork-dev-access/\\*$')])] },
            ]),
          }),
        ]),
      },
    });
    expect(() =>
      make({ ...byName('groundwork-dev-network'), detectOnlyStackNames: ['groundwork-dev-network'] }),
    ).toThrow(
      "Dev/Drift: detectOnlyStackNames names 'groundwork-dev-network', which stackNames also lists: a stack is either reconciled or detect only",
    );
    expect(() => make({ detectOnlyStackNames: ['groundwork-dev-access'] })).toThrow(
      "Dev/Drift: detectOnlyStackNames names 'groundwork-dev-access', which starts with stackNamePrefix 'groundwork-': a stack is either reconciled or detect only",
    );
    expect(() => make({ detectOnlyStackNames: ['other_stack'] })).toThrow(
      "Dev/Drift: detectOnlyStackNames must hold CloudFormation stack names (a letter, then up to 127 letters, digits or '-'), found 'other_stack'",
    );
  });

  test('checkedLogicalResourceIds: a Choice sends the listed stacks to a DetectStackDrift with LogicalResourceIds, the others to the plain one', () => {
    const access = { 'groundwork-dev-access': ['SecurityAudit', 'BreakGlass'] };
    const { template } = make({
      ...byName('groundwork-dev-network'),
      detectOnlyStackNames: ['groundwork-dev-access'],
      checkedLogicalResourceIds: access,
    });
    const item = definitionOf(template).States.DetectEachStack.ItemProcessor;
    expect(item.StartAt).toBe('ChosenResourcesOnly');
    expect(item.States.ChosenResourcesOnly).toEqual({
      Type: 'Choice',
      QueryLanguage: 'JSONata',
      Choices: [
        {
          Condition: '{% $states.input in ["groundwork-dev-access"] %}',
          Next: 'DetectStackDriftOfChosenResources',
        },
      ],
      Default: 'DetectStackDrift',
    });
    const chosen = item.States.DetectStackDriftOfChosenResources;
    expect(chosen.Arguments).toEqual({
      StackName: '{% $states.input %}',
      LogicalResourceIds: '{% $lookup({"groundwork-dev-access":["SecurityAudit","BreakGlass"]}, $states.input) %}',
    });
    // The other stacks keep the call without LogicalResourceIds: every resource is checked.
    expect(item.States.DetectStackDrift.Arguments).toEqual({ StackName: '{% $states.input %}' });
    // Both wait for the detection, retry and catch the same way.
    const { Arguments: _a, Resource: _r, ...rest } = item.States.DetectStackDrift;
    const { Arguments: _b, Resource: _s, ...restChosen } = chosen;
    expect(restChosen).toEqual(rest);
    expect(chosen.Resource).toEqual(item.States.DetectStackDrift.Resource);
    expect(rest.Next).toBe('WaitForDetection');
    // The same permissions: one DetectStackDrift statement, on the stacks by name.
    const detectStatements = statementsOf(template).filter(
      (st) => JSON.stringify(st.Action) === '"cloudformation:DetectStackDrift"',
    );
    expect(detectStatements).toHaveLength(1);
    // Without it, no Choice: the Map iteration starts with the one DetectStackDrift.
    const plain = definitionOf(
      make({ ...byName('groundwork-dev-network'), detectOnlyStackNames: ['groundwork-dev-access'] }).template,
    ).States.DetectEachStack.ItemProcessor;
    expect(plain.StartAt).toBe('DetectStackDrift');
    expect(Object.keys(plain.States)).not.toContain('DetectStackDriftOfChosenResources');
  });

  test('checkedLogicalResourceIds: rejected for a stack the detector does not name, an empty or too long list, or ids that are not logical ids', () => {
    const base = { ...byName('groundwork-dev-network'), detectOnlyStackNames: ['groundwork-dev-access'] };
    const ids200 = Array.from({ length: 200 }, (_, i) => `Resource${i}`);
    expect(() => make({ ...base, checkedLogicalResourceIds: { 'groundwork-dev-access': ids200 } })).not.toThrow();
    expect(() => make({ ...base, checkedLogicalResourceIds: { 'groundwork-dev-network': ['Vpc'] } })).not.toThrow();
    expect(() => make({ ...base, checkedLogicalResourceIds: { 'groundwork-dev-other': ['Vpc'] } })).toThrow(
      "Dev/Drift: checkedLogicalResourceIds names the stack 'groundwork-dev-other', which neither stackNames nor detectOnlyStackNames lists",
    );
    // With a prefix, only a detect-only stack can be named: the listed stacks are known only at run time.
    expect(() =>
      make({
        detectOnlyStackNames: ['other-access'],
        checkedLogicalResourceIds: { 'groundwork-dev-network': ['Vpc'] },
      }),
    ).toThrow(/names the stack 'groundwork-dev-network', which neither stackNames nor detectOnlyStackNames lists/);
    expect(() => make({ ...base, checkedLogicalResourceIds: { 'groundwork-dev-access': [] } })).toThrow(
      "Dev/Drift: checkedLogicalResourceIds of 'groundwork-dev-access' must hold 1 to 200 logical ids (DetectStackDrift's LogicalResourceIds), found 0",
    );
    expect(() =>
      make({ ...base, checkedLogicalResourceIds: { 'groundwork-dev-access': [...ids200, 'OneMore'] } }),
    ).toThrow(/must hold 1 to 200 logical ids \(DetectStackDrift's LogicalResourceIds\), found 201$/);
    for (const bad of ['Break-Glass', 'a'.repeat(256), '', new CfnParameter(new Stack(), 'P').valueAsString]) {
      expect(() => make({ ...base, checkedLogicalResourceIds: { 'groundwork-dev-access': [bad] } })).toThrow(
        "Dev/Drift: checkedLogicalResourceIds of 'groundwork-dev-access' must hold CloudFormation logical ids known at synthesis (1 to 255 letters or digits)",
      );
    }
    expect(() =>
      make({ ...base, checkedLogicalResourceIds: { 'groundwork-dev-access': ['BreakGlass', 'BreakGlass'] } }),
    ).toThrow("Dev/Drift: checkedLogicalResourceIds of 'groundwork-dev-access' lists 'BreakGlass' twice");
  });

  test('rejects a detectionTimeout outside 1 to 90 minutes or unknown at synthesis', () => {
    for (const [timeout, found] of [
      [Duration.seconds(59), '59 seconds'],
      [Duration.minutes(91), '1 hour 31 minutes'],
      [Duration.minutes(new CfnParameter(new Stack(), 'T', { type: 'Number' }).valueAsNumber), 'a token'],
    ] as const) {
      expect(() => make({ detectionTimeout: timeout })).toThrow(
        `Dev/Drift: detectionTimeout must be a duration known at synthesis of 1 to 90 minutes, found ${found}`,
      );
    }
    expect(() => make({ detectionTimeout: Duration.minutes(1) })).not.toThrow();
    expect(() => make({ detectionTimeout: Duration.minutes(90) })).not.toThrow();
  });

  test('auto-reconcile needs the reconcile project: restarting the pipeline would not revert drift', () => {
    expect(() => make({ autoReconcile: true, reconcileRoleArn: RECONCILE_ROLE })).toThrow(
      'Dev/Drift: autoReconcile needs reconcileProjectName, the DriftReconciler project that reverts drift with ' +
        'drift-aware change sets; found none (restarting the pipeline, what autoReconcile used to do, redeploys an ' +
        'unchanged template, which does not revert drift)',
    );
    expect(() => make({ ...RECONCILE, reconcileRoleArn: RECONCILE_ROLE, reconcileProjectName: 'a b' })).toThrow(
      "Dev/Drift: reconcileProjectName must be a CodeBuild project name, found 'a b'",
    );
  });
});

/**
 * What CloudFormation drift detection reads, per resource type: the read handler's permissions
 * (`handlers.read.permissions` of the type's CloudFormation resource schema). Drift detection calls the
 * read handler with the caller's credentials, and one action missing fails the stack's whole check
 * (DETECTION_FAILED). The types are those the platform's environment stacks deploy (network, security and
 * operations: `apps/platform/cdk.out/assembly-<env>/*.template.json`), the cross-region support stacks'
 * KMS alias and the queue of the test fixtures. Custom resources (Custom::*) are not checked by drift
 * detection. Left out on purpose, though the AWS::Events::Rule schema lists it: iam:PassRole, which
 * authorizes handing a role to a service and reads nothing (the handler's calls are DescribeRule,
 * ListTargetsByRule and ListTagsForResource).
 */
const READ_HANDLER_ACTIONS: { readonly [type: string]: readonly string[] } = {
  'AWS::AccessAnalyzer::Analyzer': [
    'access-analyzer:ListAnalyzers',
    'access-analyzer:GetAnalyzer',
    'access-analyzer:ListArchiveRules',
  ],
  'AWS::CloudTrail::Trail': [
    'cloudtrail:GetTrail',
    'cloudtrail:GetTrailStatus',
    'cloudtrail:ListTags',
    'cloudtrail:GetEventSelectors',
    'cloudtrail:GetInsightSelectors',
    'cloudtrail:GetEventConfiguration',
    'cloudtrail:DescribeTrails',
  ],
  'AWS::CloudWatch::Alarm': ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
  'AWS::CloudWatch::Dashboard': ['cloudwatch:GetDashboard', 'cloudwatch:ListTagsForResource'],
  'AWS::Config::ConfigRule': ['config:DescribeConfigRules', 'config:DescribeComplianceByConfigRule'],
  'AWS::Config::ConfigurationRecorder': ['config:DescribeConfigurationRecorders', 'config:ListTagsForResource'],
  'AWS::Config::DeliveryChannel': ['config:DescribeDeliveryChannels'],
  'AWS::EC2::EIP': ['ec2:DescribeAddresses'],
  'AWS::EC2::FlowLog': ['ec2:DescribeFlowLogs'],
  'AWS::EC2::InternetGateway': ['ec2:DescribeInternetGateways'],
  'AWS::EC2::NatGateway': ['ec2:DescribeNatGateways'],
  'AWS::EC2::NetworkAcl': ['ec2:DescribeNetworkAcls'],
  'AWS::EC2::NetworkAclEntry': ['ec2:DescribeNetworkAcls'],
  'AWS::EC2::Route': ['ec2:DescribeRouteTables'],
  'AWS::EC2::RouteTable': ['ec2:DescribeRouteTables'],
  'AWS::EC2::SecurityGroup': ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
  'AWS::EC2::Subnet': ['ec2:DescribeSubnets', 'ec2:DescribeNetworkAcls'],
  'AWS::EC2::SubnetNetworkAclAssociation': ['ec2:DescribeNetworkAcls'],
  'AWS::EC2::SubnetRouteTableAssociation': ['ec2:DescribeRouteTables'],
  'AWS::EC2::VPC': [
    'ec2:DescribeVpcs',
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeNetworkAcls',
    'ec2:DescribeVpcAttribute',
  ],
  'AWS::EC2::VPCEndpoint': ['ec2:DescribeVpcEndpoints'],
  'AWS::EC2::VPCGatewayAttachment': ['ec2:DescribeInternetGateways', 'ec2:DescribeVpnGateways'],
  'AWS::Events::Rule': ['events:DescribeRule', 'events:ListTargetsByRule', 'events:ListTagsForResource'],
  'AWS::GuardDuty::Detector': ['guardduty:GetDetector', 'guardduty:ListTagsForResource'],
  'AWS::IAM::ManagedPolicy': [
    'iam:GetPolicy',
    'iam:ListPolicyVersions',
    'iam:GetPolicyVersion',
    'iam:ListEntitiesForPolicy',
  ],
  'AWS::IAM::Policy': ['iam:GetRolePolicy', 'iam:GetUserPolicy', 'iam:GetGroupPolicy'],
  'AWS::IAM::Role': ['iam:GetRole', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:GetRolePolicy'],
  'AWS::KMS::Alias': ['kms:ListAliases'],
  'AWS::KMS::Key': ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags'],
  'AWS::Lambda::Function': [
    'lambda:GetFunction',
    'lambda:GetFunctionCodeSigningConfig',
    'lambda:GetFunctionRecursionConfig',
    'lambda:GetRuntimeManagementConfig',
  ],
  'AWS::Logs::LogGroup': [
    'logs:DescribeLogGroups',
    'logs:ListTagsForResource',
    'logs:ListTagsLogGroup',
    'logs:GetDataProtectionPolicy',
    'logs:DescribeIndexPolicies',
    'logs:DescribeResourcePolicies',
  ],
  'AWS::Logs::MetricFilter': ['logs:DescribeMetricFilters'],
  'AWS::S3::Bucket': [
    's3:GetAccelerateConfiguration',
    's3:GetLifecycleConfiguration',
    's3:GetBucketPublicAccessBlock',
    's3:GetAnalyticsConfiguration',
    's3:GetBucketCORS',
    's3:GetEncryptionConfiguration',
    's3:GetInventoryConfiguration',
    's3:GetBucketLogging',
    's3:GetMetricsConfiguration',
    's3:GetBucketNotification',
    's3:GetBucketVersioning',
    's3:GetReplicationConfiguration',
    's3:GetBucketWebsite',
    's3:GetBucketObjectLockConfiguration',
    's3:GetBucketTagging',
    's3:GetBucketOwnershipControls',
    's3:GetIntelligentTieringConfiguration',
    's3:ListBucket',
  ],
  'AWS::S3::BucketPolicy': ['s3:GetBucketPolicy'],
  'AWS::SecurityHub::Hub': ['securityhub:DescribeHub', 'securityhub:ListTagsForResource'],
  'AWS::SecurityHub::Standard': ['securityhub:GetEnabledStandards', 'securityhub:DescribeStandardsControls'],
  'AWS::SNS::Subscription': ['sns:GetSubscriptionAttributes'],
  'AWS::SNS::Topic': [
    'sns:GetTopicAttributes',
    'sns:ListTagsForResource',
    'sns:ListSubscriptionsByTopic',
    'sns:GetDataProtectionPolicy',
  ],
  'AWS::SNS::TopicPolicy': ['sns:GetTopicAttributes'],
  'AWS::SQS::Queue': ['sqs:GetQueueAttributes', 'sqs:ListQueueTags'],
  'AWS::SSM::Parameter': ['ssm:GetParameters', 'ssm:ListTagsForResource'],
  'AWS::StepFunctions::StateMachine': ['states:DescribeStateMachine', 'states:ListTagsForResource'],
};

/** Data-plane reads, and a non-read, that the read statement must not allow through any wildcard (decision 0008). */
const NEVER_ALLOWED = [
  's3:GetObject',
  's3:GetObjectVersion',
  'secretsmanager:GetSecretValue',
  'kms:Decrypt',
  'ssm:GetParametersByPath',
  'cloudtrail:GetQueryResults',
  'states:DescribeExecution',
  'states:GetExecutionHistory',
  'guardduty:GetFindings',
  'securityhub:GetFindings',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
  'sqs:ReceiveMessage',
  'iam:PassRole',
  // EC2 Describe calls that return secrets: instance user data, the user data of Spot launch specifications, an
  // OIDC trust provider's client secret, VPN tunnels' pre-shared keys
  'ec2:DescribeInstanceAttribute',
  'ec2:DescribeLaunchTemplateVersions',
  'ec2:DescribeSpotFleetRequests',
  'ec2:DescribeSpotInstanceRequests',
  'ec2:DescribeVerifiedAccessTrustProviders',
  'ec2:DescribeVpnConnections',
];

/** Reads that return data (parameter values, function environment and code) and take a resource ARN. */
const DATA_READS = [
  'ssm:GetParameter',
  'ssm:GetParameters',
  'lambda:GetFunction',
  'lambda:GetFunctionConfiguration',
  'lambda:GetAlias',
  'lambda:GetPolicy',
];

/** Whether an IAM action pattern (`service:Prefix*`, case-insensitive as IAM matches it) covers an action. */
function covers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return regex.test(action);
}

/** Whether one of the statements (with `effect`) names an action pattern covering `action`. */
function names(statements: any[], effect: 'Allow' | 'Deny', action: string): boolean {
  return statements
    .filter((s) => s.Effect === effect)
    .some((s) => [s.Action].flat().some((pattern: string) => covers(pattern, action)));
}

/** `arn:<partition>:<service>:eu-west-1:200000000001:<resource>` as the template writes it. */
function arnOf(service: string, resource: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:eu-west-1:200000000001:${resource}`]] };
}

describe('DriftDetector read permissions', () => {
  const { template } = make();
  const statements = statementsOf(template);
  const read = statements.find((s) => s.Sid === 'ReadResourcesForDriftDetection');
  /** Allowed on some resource and not denied. */
  const allows = (action: string) => names(statements, 'Allow', action) && !names(statements, 'Deny', action);

  test('the metadata reads are one statement, on every resource: drift detection reads every resource of the stacks', () => {
    expect(read).toMatchObject({ Effect: 'Allow', Resource: '*' });
  });

  test.each(Object.entries(READ_HANDLER_ACTIONS))('CloudFormation can read %s with the role', (_type, actions) => {
    const missing = actions.filter((action) => !allows(action));
    expect(missing).toEqual([]);
  });

  test('no data-plane read, no PassRole, no user data: the reads on every resource are metadata only', () => {
    const granted = NEVER_ALLOWED.filter((action) => allows(action));
    expect(granted).toEqual([]);
  });

  test('reads that return data are granted only on the checked stacks: their parameters and functions', () => {
    const onEveryResource = statements.filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*'));
    expect(DATA_READS.filter((action) => names(onEveryResource, 'Allow', action))).toEqual([]);
    expect(statements.find((s) => s.Sid === 'ReadParametersOfCheckedStacks')).toEqual({
      Sid: 'ReadParametersOfCheckedStacks',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:ListTagsForResource'],
      // The environment's parameters, /groundwork/dev/...
      Resource: arnOf('ssm', 'parameter/groundwork/dev/*'),
    });
    expect(statements.find((s) => s.Sid === 'ReadFunctionsOfCheckedStacks')).toEqual({
      Sid: 'ReadFunctionsOfCheckedStacks',
      Effect: 'Allow',
      // ListTags: GetFunction needs it for a tagged function (Lambda Developer Guide, "Using tags on Lambda functions").
      Action: expect.arrayContaining([
        'lambda:GetFunction',
        'lambda:GetFunctionConfiguration',
        'lambda:GetPolicy',
        'lambda:ListTags',
      ]),
      // CloudFormation names a function after its stack: stackNamePrefix 'groundwork-'.
      Resource: arnOf('lambda', 'function:groundwork-*'),
    });
  });

  test('SecureString values cannot be decrypted through SSM, whatever else the role is given', () => {
    expect(statements).toContainEqual({
      Sid: 'DenySecureStringDecryption',
      Effect: 'Deny',
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringLike: { 'kms:ViaService': 'ssm.*.amazonaws.com' } },
    });
  });

  test('additionalReadActions are added to the read statement; naming a user-data read lifts its Deny', () => {
    const more = statementsOf(
      make({ additionalReadActions: ['dynamodb:DescribeTable', 'ec2:DescribeInstanceAttribute'] }).template,
    );
    const extra = more.find((s) => s.Sid === 'ReadResourcesForDriftDetection');
    expect(extra.Action).toEqual(
      expect.arrayContaining(['dynamodb:DescribeTable', 'ec2:DescribeInstanceAttribute', ...[read.Action].flat()]),
    );
    expect(more.find((s) => s.Sid === 'DenyUserDataReads')).toEqual({
      Sid: 'DenyUserDataReads',
      Effect: 'Deny',
      Action: [
        'ec2:DescribeLaunchTemplateVersions',
        'ec2:DescribeSpotFleetRequests',
        'ec2:DescribeSpotInstanceRequests',
        'ec2:DescribeVerifiedAccessTrustProviders',
        'ec2:DescribeVpnConnections',
      ],
      Resource: '*',
    });
  });

  test('the EC2 Describe calls that return secrets are denied by name, and the cdk-nag reason names them', () => {
    const deny = statements.find((s) => s.Sid === 'DenyUserDataReads');
    expect(deny).toMatchObject({ Effect: 'Deny', Resource: '*' });
    const secretReads = NEVER_ALLOWED.filter((action) => action.startsWith('ec2:'));
    expect(deny.Action).toEqual(secretReads);
    // Allowed through ec2:Describe* without the Deny.
    expect(secretReads.filter((action) => !names(statements, 'Allow', action))).toEqual([]);
    // The acknowledgement of ec2:Describe* says which of its calls are denied.
    const { detector } = make();
    const reasons = detector.stateMachine.role.node
      .findChild('DefaultPolicy')
      .node.defaultChild!.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((m) => m.data['Annotation::AwsSolutions-IAM5[Action::ec2:Describe*]'])
      .filter((reason) => reason !== undefined);
    expect(reasons).toHaveLength(1);
    expect(secretReads.filter((action) => !reasons[0].includes(action.replace(/^ec2:/, '')))).toEqual([]);
  });
});

describe('DriftDetector data reads: parameter and function names', () => {
  const sidOf = (statements: any[], sid: string) => statements.find((s) => s.Sid === sid);

  test('with stackNames, functions are read by the first 25 characters of each stack name', () => {
    const statements = statementsOf(
      make({
        stackNamePrefix: undefined,
        stackNames: ['example-dev-network', 'a-very-long-organization-name-dev-operations'],
      }).template,
    );
    expect(sidOf(statements, 'ReadFunctionsOfCheckedStacks').Resource).toEqual([
      arnOf('lambda', 'function:example-dev-network*'),
      arnOf('lambda', 'function:a-very-long-organization-*'),
    ]);
  });

  test('parameterNamePrefixes and functionNamePrefixes replace the defaults; an empty list grants nothing', () => {
    const statements = statementsOf(
      make({ parameterNamePrefixes: ['/shared/dev/', 'legacy-'], functionNamePrefixes: [] }).template,
    );
    expect(sidOf(statements, 'ReadParametersOfCheckedStacks').Resource).toEqual([
      arnOf('ssm', 'parameter/shared/dev/*'),
      arnOf('ssm', 'parameter/legacy-*'),
    ]);
    expect(sidOf(statements, 'ReadFunctionsOfCheckedStacks')).toBeUndefined();
    expect(names(statements, 'Allow', 'lambda:GetFunction')).toBe(false);
  });

  test('rejects prefixes that are not names, or hold a wildcard', () => {
    expect(() => make({ parameterNamePrefixes: ['/groundwork/*'] })).toThrow(
      "Dev/Drift: parameterNamePrefixes entries must be SSM parameter name prefixes (letters, digits, '_', '.', '-', '/'; no wildcard), found '/groundwork/*'",
    );
    expect(() => make({ functionNamePrefixes: ['my function'] })).toThrow(
      "Dev/Drift: functionNamePrefixes entries must be Lambda function name prefixes (1 to 64 letters, digits, '_' or '-'; no wildcard), found 'my function'",
    );
  });

  test('cdk-nag: each data-read scope is acknowledged on its own, so no finding', () => {
    const { stack } = make({
      parameterNamePrefixes: ['/shared/dev/', 'legacy-'],
      functionNamePrefixes: ['svc-', 'api-'],
    });
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('DriftDetector environment name', () => {
  // The name is written into a JSONata string literal, the log group name, a metric dimension and the subject.
  test.each(['dev "x" / y', 'dev"', 'dev\\', 'dev x', 'dev/x', '-dev', '', 'a'.repeat(64)])('rejects %j', (name) => {
    expect(() => make({ environmentName: name })).toThrow(
      `Dev/Drift: environmentName must match /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/ (1-63 letters, digits, '_', '.', '-', ` +
        `starting with a letter or digit), found '${name}'`,
    );
  });

  test('rejects a token: the name cannot be checked before it is written into the state machine', () => {
    const param = (stack: Stack) => new CfnParameter(stack, 'Env').valueAsString;
    const stack = new Stack(new App(), 'Dev', { env: TARGET });
    expect(
      () =>
        new DriftDetector(stack, 'Drift', {
          environmentName: param(stack),
          stackNames: ['a'],
          alertTopic: new sns.Topic(stack, 'Alerts'),
          pipelineName: 'groundwork',
        }),
    ).toThrow('Dev/Drift: environmentName must be a literal string known at synthesis time');
  });

  test.each(['dev', 'Prod-EU_1.blue', '1st', 'a'.repeat(63)])('accepts %j in names and in the alert', (name) => {
    const { template } = make({ environmentName: name });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: `/aws/vendedlogs/states/groundwork-drift-${name}`,
    });
    const alert = definitionOf(template).States.AlertDrift.Arguments;
    expect(alert.Subject).toContain(`"Groundwork drift check failed in ${name}"`);
    expect(alert.Message).toContain(`"Drift detected in ${name} (runbook`);
  });
});

describe('DriftDetector role name', () => {
  const roles = (template: Template) => Object.entries(template.findResources('AWS::IAM::Role'));
  const machineRole = (template: Template) => {
    const machine: any = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0];
    return template.toJSON().Resources[machine.Properties.RoleArn['Fn::GetAtt'][0]];
  };

  test("names the state machine's own role, keeping its logical id, so another account's trust can name it", () => {
    const unnamed = make({ ...RECONCILE, reconcileRoleArn: RECONCILE_ROLE }).template;
    const named = make({
      ...RECONCILE,
      reconcileRoleArn: RECONCILE_ROLE,
      roleName: 'acme-dev-drift-detector',
    }).template;
    expect(machineRole(unnamed).Properties.RoleName).toBeUndefined();
    expect(machineRole(named).Properties.RoleName).toBe('acme-dev-drift-detector');
    // The same role, not a second one: only the name changes.
    expect(roles(named).map(([id]) => id)).toEqual(roles(unnamed).map(([id]) => id));
  });

  test.each(['', 'a'.repeat(65), 'dev drift', 'dev/drift', 'dev*'])('rejects %j', (roleName) => {
    expect(() => make({ roleName })).toThrow(
      `Dev/Drift: roleName must be an IAM role name (1 to 64 letters, digits and '+=,.@_-'), found '${roleName}' ` +
        `(${roleName.length} characters)`,
    );
  });

  test.each(['a'.repeat(64), 'Dev+1=x,y.z@w_v-u'])('accepts %j', (roleName) => {
    expect(machineRole(make({ roleName }).template).Properties.RoleName).toBe(roleName);
  });
});

describe('DriftDetector stacks whose drift detection failed', () => {
  const { template } = make({ ...RECONCILE, reconcileRoleArn: RECONCILE_ROLE });
  const states = definitionOf(template).States;
  const item = (Object.values(states).find((s: any) => s.Type === 'Map') as any).ItemProcessor.States;

  test('DETECTION_FAILED goes to its own state, and only a complete IN_SYNC detection is in sync', () => {
    const choices = item.DetectionDone.Choices;
    const failed = choices.findIndex((c: any) => c.Condition === '{% $states.input.detection = "DETECTION_FAILED" %}');
    expect(failed).toBeGreaterThanOrEqual(0);
    expect(choices[failed].Next).toBe('DetectionFailed');
    const inSync = choices.findIndex((c: any) => c.Next === 'StackInSync');
    expect(choices[inSync].Condition).toBe(
      '{% $states.input.detection = "DETECTION_COMPLETE" and $states.input.drift = "IN_SYNC" %}',
    );
    expect(item.DetectionDone.Default).toBe('DriftStatusUnknown');
    expect(item.DriftStatusUnknown.Output.failed).toBe(true);
    expect(item.DetectionFailed).toMatchObject({
      Type: 'Pass',
      Output: {
        stack: '{% $states.input.stack %}',
        drifted: false,
        failed: true,
        reason: '{% $states.input.reason %}',
      },
    });
    expect(item.DescribeDetectionStatus.Output.reason).toContain('$states.result.DetectionStatusReason');
    // A stack that drifted while some resources could not be checked is both drifted and failed.
    expect(item.StackDrifted.Output.failed).toBe('{% $states.input.detection = "DETECTION_FAILED" %}');
    expect(item.StackInSync.Output.failed).toBe(false);
  });

  test('such stacks are counted in Groundwork/Drift DetectionFailedStacks per environment', () => {
    expect(states.Summarize.Assign.failed).toBe('{% [$states.input[failed = true]] %}');
    expect(states.PublishDriftMetric.Arguments).toMatchObject({
      Namespace: 'Groundwork/Drift',
      MetricData: [
        expect.objectContaining({ MetricName: 'DriftedStacks', Value: '{% $count($drifted) %}' }),
        {
          MetricName: DriftDetector.DETECTION_FAILED_METRIC_NAME,
          Unit: 'Count',
          Value: '{% $count($failed) %}',
          Dimensions: [{ Name: 'Environment', Value: 'dev' }],
        },
      ],
    });
    expect(DriftDetector.DETECTION_FAILED_METRIC_NAME).toBe('DetectionFailedStacks');
  });

  test('they raise the alert, named with their reason; only drift starts the reconcile', () => {
    expect(states.AnyDrift.Choices).toEqual([
      { Condition: '{% $count($drifted) > 0 or $count($failed) > 0 %}', Next: 'AlertDrift' },
    ]);
    expect(states.AlertDrift.Arguments.Message).toContain('$join($failed.(stack & ": " & reason), "\\n")');
    expect(states.AlertDrift.Arguments.Message).toContain('Drift could not be checked in dev');
    expect(states.AlertDrift.Next).toBe('ReconcileDrift');
    expect(states.ReconcileDrift).toEqual({
      Type: 'Choice',
      Choices: [{ Condition: '{% $count($reconcilable) > 0 %}', Next: 'StartReconcile' }],
      Default: 'Done',
    });
  });
});

describe('DriftDetector drifted resources: every page of DescribeStackResourceDrifts', () => {
  const definition = definitionOf(make().template);
  const item = (Object.values(definition.States).find((s: any) => s.Type === 'Map') as any).ItemProcessor;
  const states = item.States;
  const RESULT_IDS = '[$states.result.StackResourceDrifts.LogicalResourceId]';

  test('the first page asks for 100 drifts, keeps their logical ids and the NextToken in iteration variables', () => {
    expect(item.States.DetectionDone.Choices).toContainEqual({
      Condition: '{% $states.input.drift = "DRIFTED" %}',
      Next: 'DescribeResourceDrifts',
    });
    const first = states.DescribeResourceDrifts;
    expect(first.Arguments).toEqual({
      StackName: '{% $states.input.stack %}',
      StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
      MaxResults: 100,
    });
    expect(first.Assign).toEqual({
      driftedResources: `{% ${RESULT_IDS} %}`,
      resourceDriftsToken: '{% $exists($states.result.NextToken) ? $states.result.NextToken : "" %}',
    });
    expect(first.Output).toBe('{% $states.input %}');
    expect(first.Next).toBe('MoreResourceDrifts');
    expect(first.End).toBeUndefined();
  });

  test('each NextToken is passed to one more call, whose drifts are appended, until there is none', () => {
    expect(states.MoreResourceDrifts).toEqual({
      Type: 'Choice',
      QueryLanguage: 'JSONata',
      Choices: [{ Condition: '{% $resourceDriftsToken != "" %}', Next: 'DescribeResourceDriftsNextPage' }],
      Default: 'StackDrifted',
    });
    const next = states.DescribeResourceDriftsNextPage;
    expect(next.Resource).toMatch(/:states:::aws-sdk:cloudformation:describeStackResourceDrifts$/);
    expect(next.Arguments).toEqual({
      StackName: '{% $states.input.stack %}',
      StackResourceDriftStatusFilters: ['MODIFIED', 'DELETED'],
      MaxResults: 100,
      NextToken: '{% $resourceDriftsToken %}',
    });
    expect(next.Assign).toEqual({
      driftedResources: `{% $append($driftedResources, ${RESULT_IDS}) %}`,
      resourceDriftsToken: states.DescribeResourceDrifts.Assign.resourceDriftsToken,
    });
    expect(next.Output).toBe('{% $states.input %}');
    expect(next.Next).toBe('MoreResourceDrifts');
    expect(next.Retry).toEqual(states.DescribeResourceDrifts.Retry);
  });

  test('the stack is reported with the drifts of all pages', () => {
    expect(states.StackDrifted).toMatchObject({
      Type: 'Pass',
      End: true,
      Output: { stack: '{% $states.input.stack %}', drifted: true, resources: '{% $driftedResources %}' },
    });
  });

  test('walking the loop over three pages calls the API three times, each later call with the previous token', () => {
    // The Choice conditions, as the tokens make them: a token that is not "" means one more page.
    const pages = [{ NextToken: 't1' }, { NextToken: 't2' }, {}];
    const calls: string[] = [];
    let token = '';
    let name: string = 'DescribeResourceDrifts';
    for (let steps = 0; name !== 'StackDrifted' && steps < 10; steps++) {
      const state = states[name];
      if (state.Type === 'Task') {
        calls.push(state.Arguments.NextToken ? token : '(first)');
        const page = pages[calls.length - 1];
        token = page.NextToken ?? '';
        name = state.Next;
      } else {
        const [choice] = state.Choices;
        expect(choice.Condition).toBe('{% $resourceDriftsToken != "" %}');
        name = token !== '' ? choice.Next : state.Default;
      }
    }
    expect(calls).toEqual(['(first)', 't1', 't2']);
    expect(name).toBe('StackDrifted');
  });

  test("the iteration's variables do not reuse a name the top level assigns", () => {
    const assigned = (machine: any) => Object.values(machine.States).flatMap((s: any) => Object.keys(s.Assign ?? {}));
    const inner = assigned(item);
    expect(inner).toEqual(expect.arrayContaining(['driftedResources', 'resourceDriftsToken']));
    expect(inner.filter((name) => assigned(definition).includes(name))).toEqual([]);
  });

  test('a call that fails after its retries makes that stack a failed check, named with the error, not a failed run', () => {
    const reason =
      '{% $states.errorOutput.Error & ": " & ($exists($states.errorOutput.Cause) ? $states.errorOutput.Cause : "no cause given") %}';
    // Before the drift status is known: not drifted, a failed check.
    const stackOf: Record<string, string> = {
      DetectStackDrift: '{% $states.input %}',
      DescribeDetectionStatus: '{% $states.input.stack %}',
    };
    for (const [name, stack] of Object.entries(stackOf)) {
      expect(states[name].Retry).toHaveLength(1);
      expect(states[name].Catch).toEqual([
        {
          ErrorEquals: ['States.ALL'],
          Next: 'CheckCallFailed',
          Output: { stack, drifted: false, resources: [], failed: true, reason },
        },
      ]);
    }
    // Listing the drifted resources of a stack CloudFormation said DRIFTED: still drifted, and a failed check.
    for (const name of ['DescribeResourceDrifts', 'DescribeResourceDriftsNextPage']) {
      expect(states[name].Retry).toHaveLength(1);
      expect(states[name].Catch).toEqual([
        {
          ErrorEquals: ['States.ALL'],
          Next: 'DriftListFailed',
          Output: {
            stack: '{% $states.input.stack %}',
            drifted: true,
            resources: '{% $driftedResources %}',
            // The alert's drift line says the list is short, and why.
            listed: false,
            failed: true,
            // The error, after the detection's own reason when it ended DETECTION_FAILED (run in the simulator below).
            reason: expect.stringContaining(reason.slice('{% '.length, -' %}'.length)),
          },
        },
      ]);
    }
    // The catchers' Output is the iteration's result: pass-through end states, counted like DETECTION_FAILED.
    for (const name of ['CheckCallFailed', 'DriftListFailed']) {
      expect(states[name]).toEqual({ Type: 'Pass', QueryLanguage: 'JSONata', End: true });
    }
    expect(definition.States.Summarize.Assign.failed).toBe('{% [$states.input[failed = true]] %}');
  });

  test('a detection status without StackDriftStatus (optional in the API) reads as UNKNOWN, not undefined', () => {
    expect(states.DescribeDetectionStatus.Output.drift).toBe(
      '{% $exists($states.result.StackDriftStatus) ? $states.result.StackDriftStatus : "UNKNOWN" %}',
    );
  });
});

describe('DriftDetectors of one app whose stack selections overlap', () => {
  /** Two detectors in one app, each in a stack of its own; the validation errors of each. */
  function twoDetectors(
    first: Partial<DriftDetectorProps>,
    second: Partial<DriftDetectorProps>,
    envs: Array<{ account?: string; region?: string }> = [TARGET, TARGET],
  ) {
    const app = new App();
    const detectors = [first, second].map((props, i) => {
      const stack = new Stack(app, `Env${i + 1}`, { env: envs[i] });
      return new DriftDetector(stack, 'Drift', {
        environmentName: `env${i + 1}`,
        alertTopic: new sns.Topic(stack, 'Alerts'),
        pipelineName: 'groundwork',
        ...props,
      });
    });
    return { app, errors: detectors.map((d) => d.node.validate()) };
  }
  const byNames = (...stackNames: string[]) => ({ stackNamePrefix: undefined, stackNames });
  const BOTH = 'the DriftDetectors Env1/Drift and Env2/Drift both check stacks of account 200000000001 in eu-west-1: ';

  test('two prefixes where one starts with the other, same account and region: synthesis fails, naming both detectors', () => {
    const { app } = twoDetectors({ stackNamePrefix: 'groundwork-dev-' }, { stackNamePrefix: 'groundwork-dev-eu-' });
    expect(() => app.synth()).toThrow(
      BOTH +
        "stackNamePrefix 'groundwork-dev-' and stackNamePrefix 'groundwork-dev-eu-' both select every stack named " +
        "'groundwork-dev-eu-*'. Each stack would be checked and alerted twice and could be reverted by two reconcile " +
        'builds at once; expected selections that share no stack: prefixes neither of which starts with the other, ' +
        'or each stack named by one detector only',
    );
  });

  test('a prefix that selects a stack the other names, or a stack both name, is refused the same way', () => {
    const selected = twoDetectors(
      { stackNamePrefix: 'groundwork-dev-' },
      { ...byNames('groundwork-dev-network', 'legacy-dev'), detectOnlyStackNames: ['groundwork-dev-access'] },
    );
    expect(selected.errors).toEqual([
      [
        expect.stringContaining(
          `${BOTH}stackNamePrefix 'groundwork-dev-' selects 'groundwork-dev-network', 'groundwork-dev-access', which the other names.`,
        ),
      ],
      [
        expect.stringContaining(
          "the DriftDetectors Env2/Drift and Env1/Drift both check stacks of account 200000000001 in eu-west-1: the other's " +
            "stackNamePrefix 'groundwork-dev-' selects 'groundwork-dev-network', 'groundwork-dev-access', which this one names.",
        ),
      ],
    ]);
    const named = twoDetectors(byNames('groundwork-dev-network', 'groundwork-dev-ops'), byNames('groundwork-dev-ops'));
    expect(named.errors[0]).toEqual([expect.stringContaining(`${BOTH}both name 'groundwork-dev-ops'.`)]);
  });

  test('no error for selections that share no stack, other accounts or regions, or an environment unknown at synthesis', () => {
    const prefix = { stackNamePrefix: 'groundwork-dev-' };
    const cases: Array<Parameters<typeof twoDetectors>> = [
      [prefix, { stackNamePrefix: 'groundwork-devx-' }],
      [prefix, byNames('groundwork-prod-network', 'groundwork-dev')],
      [byNames('groundwork-dev-network'), byNames('groundwork-dev-ops')],
      [prefix, prefix, [TARGET, { ...TARGET, region: 'eu-central-1' }]],
      [prefix, prefix, [TARGET, { ...TARGET, account: '200000000002' }]],
      [prefix, prefix, [TARGET, {}]],
    ];
    for (const args of cases) {
      expect(twoDetectors(...args).errors).toEqual([[], []]);
    }
  });
});

describe('DriftDetector cdk-nag', () => {
  test('AwsSolutions and NIST 800-53 rev 5: no unacknowledged finding on the detector', () => {
    const { stack } = make({ ...RECONCILE, reconcileRoleArn: 'arn:aws:iam::111111111111:role/reconcile' });
    expect(nagFindings(stack)).toEqual([]);
  });

  test.each([
    ['alert only, stacks by prefix', {}],
    [
      'stacks by name, reconcile through a role',
      {
        stackNamePrefix: undefined,
        stackNames: ['groundwork-dev-network'],
        ...RECONCILE_NAMED,
        reconcileRoleArn: RECONCILE_ROLE,
      },
    ],
    [
      'reconcile project in another region',
      { ...RECONCILE, pipelineAccount: TARGET.account, pipelineRegion: 'eu-central-1' },
    ],
    ['no parameter or function reads', { parameterNamePrefixes: [], functionNamePrefixes: [] }],
  ])('%s: every acknowledgement suppresses a finding (none is stale)', (_label, props) => {
    const { stack } = make(props as Partial<DriftDetectorProps>);
    expect(staleAcknowledgements(stack)).toEqual([]);
  });

  test('with stackNames: each stack ARN is acknowledged on its own, so no finding either', () => {
    const { stack } = make({
      stackNamePrefix: undefined,
      stackNames: ['groundwork-dev-network', 'groundwork-dev-ops'],
    });
    expect(nagFindings(stack)).toEqual([]);
  });
});

/** One stack of the fake account. */
interface FakeStack {
  /** DetectionStatus of each DescribeStackDriftDetectionStatus call; the last one repeats. @default ['DETECTION_COMPLETE'] */
  readonly statuses?: Array<'DETECTION_IN_PROGRESS' | 'DETECTION_COMPLETE' | 'DETECTION_FAILED'>;
  /** Logical ids of its MODIFIED or DELETED resources, in the order CloudFormation lists them. @default none */
  readonly drifted?: string[];
  /** DetectionStatusReason of a DETECTION_FAILED detection. */
  readonly reason?: string;
  /**
   * Logical ids of resources the state machine's role may not read (the deployment boundary's deny on the
   * access stack's break-glass alert key and topic): a detection that checks one of them ends
   * DETECTION_FAILED, naming it. @default none
   */
  readonly unreadable?: string[];
  /** The stack id of its parent: a nested stack, which ListStacks lists with a ParentId. @default - a root stack */
  readonly parent?: string;
  /** The stack id of the top-level stack of its tree (ListStacks' RootId) when nested deeper. @default parent */
  readonly root?: string;
}

/**
 * A CloudFormation / CloudWatch / SNS / CodeBuild account, as the state machine's SDK integrations see it:
 * responses shaped as the API reference documents them (DescribeStackResourceDrifts: MaxResults 1 to 100 and a
 * NextToken while more results remain; DescribeStackDriftDetectionStatus: StackDriftStatus only once the
 * detection ended), errors as Step Functions reports them after the retries. A stack missing from `stacks`
 * does not exist. `listPages`: the stack names ListStacks returns, page by page.
 */
function fakeAccount(stacks: Record<string, FakeStack>, listPages: string[][] = [Object.keys(stacks)]): FakeAws {
  const polls: Record<string, number> = {};
  /** The LogicalResourceIds of each stack's last DetectStackDrift call (undefined: every resource). */
  const checked: Record<string, string[] | undefined> = {};
  /** Whether the last detection of the stack checked this resource. */
  const inDetection = (name: string) => (id: string) => checked[name] === undefined || checked[name]!.includes(id);
  const stackOf = (name: string): FakeStack => {
    if (!stacks[name]) {
      throw new TaskFailure('CloudFormation.CloudFormationException', `Stack with id ${name} does not exist`);
    }
    return stacks[name];
  };
  return ({ service, action, args }: SdkCall) => {
    switch (`${service}:${action}`) {
      case 'cloudformation:listStacks': {
        const page = args.NextToken === undefined ? 0 : Number(/^page-(\d+)$/.exec(args.NextToken)![1]);
        expect(args.StackStatusFilter).toEqual(expect.arrayContaining(['CREATE_COMPLETE', 'UPDATE_COMPLETE']));
        return {
          StackSummaries: listPages[page].map((StackName) => ({
            StackName,
            StackStatus: 'UPDATE_COMPLETE',
            ...(stacks[StackName]?.parent
              ? { ParentId: stacks[StackName].parent, RootId: stacks[StackName].root ?? stacks[StackName].parent }
              : {}),
          })),
          ...(page + 1 < listPages.length ? { NextToken: `page-${page + 1}` } : {}),
        };
      }
      case 'cloudformation:detectStackDrift': {
        stackOf(args.StackName);
        const logicalIds = args.LogicalResourceIds;
        // DetectStackDrift: LogicalResourceIds, when given, is a list of 1 to 200 logical ids.
        if (
          logicalIds !== undefined &&
          !(Array.isArray(logicalIds) && logicalIds.length >= 1 && logicalIds.length <= 200)
        ) {
          throw new TaskFailure('CloudFormation.CloudFormationException', `LogicalResourceIds ${logicalIds} invalid`);
        }
        checked[args.StackName] = logicalIds;
        return { StackDriftDetectionId: `detection-${args.StackName}` };
      }
      case 'cloudformation:describeStackDriftDetectionStatus': {
        const name = args.StackDriftDetectionId.replace(/^detection-/, '');
        const stack = stackOf(name);
        const statuses = stack.statuses ?? ['DETECTION_COMPLETE'];
        const unreadable = (stack.unreadable ?? []).filter(inDetection(name));
        const base = statuses[Math.min(polls[name] ?? 0, statuses.length - 1)];
        const status = base === 'DETECTION_COMPLETE' && unreadable.length > 0 ? 'DETECTION_FAILED' : base;
        polls[name] = (polls[name] ?? 0) + 1;
        const drifted = (stack.drifted ?? []).filter(inDetection(name)).length > 0;
        const reason =
          stack.reason ??
          (unreadable.length > 0
            ? `Failed to detect drift on resource [${unreadable[0]}]: explicit deny in a permissions boundary`
            : undefined);
        return {
          StackId: `arn:aws:cloudformation:eu-west-1:200000000001:stack/${name}/1`,
          StackDriftDetectionId: args.StackDriftDetectionId,
          DetectionStatus: status,
          Timestamp: '2026-01-01T00:00:00Z',
          ...(status === 'DETECTION_COMPLETE' ? { StackDriftStatus: drifted ? 'DRIFTED' : 'IN_SYNC' } : {}),
          ...(status === 'DETECTION_FAILED'
            ? { StackDriftStatus: drifted ? 'DRIFTED' : 'UNKNOWN', DetectionStatusReason: reason }
            : {}),
        };
      }
      case 'cloudformation:describeStackResourceDrifts': {
        const ids = (stackOf(args.StackName).drifted ?? []).filter(inDetection(args.StackName));
        if (!(args.MaxResults >= 1 && args.MaxResults <= 100)) {
          throw new TaskFailure(
            'CloudFormation.CloudFormationException',
            `MaxResults ${args.MaxResults} out of 1..100`,
          );
        }
        expect(args.StackResourceDriftStatusFilters).toEqual(['MODIFIED', 'DELETED']);
        const start = args.NextToken === undefined ? 0 : Number(/^after-(\d+)$/.exec(args.NextToken)![1]);
        const end = Math.min(start + args.MaxResults, ids.length);
        return {
          StackResourceDrifts: ids.slice(start, end).map((LogicalResourceId) => ({
            StackId: args.StackName,
            LogicalResourceId,
            StackResourceDriftStatus: 'MODIFIED',
          })),
          ...(end < ids.length ? { NextToken: `after-${end}` } : {}),
        };
      }
      case 'cloudwatch:putMetricData':
      case 'sns:publish':
        return {};
      case 'codebuild:startBuild':
        return { build: { id: 'groundwork-drift-reconciler:1' } };
      default:
        throw new Error(`the fake account has no ${service}:${action}`);
    }
  };
}

/** What EventBridge's scheduled rule passes to the state machine. */
const SCHEDULED_EVENT = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };
const DRIFT_HEADER = 'Drift detected in dev (runbook: docs/runbooks/drift-alert.md)\n';
const FAILED_HEADER =
  "Drift could not be checked in dev: the detection failed for these stacks, so drift may go unnoticed; check the drift detector's read permissions (runbook: docs/runbooks/drift-alert.md)\n";

/**
 * Synthesizes a detector, runs its state machine definition in the simulator against `aws` and returns what
 * an operator would see: the metric values, the alerts, the reconcile builds, the SDK calls.
 * `mutate` alters the parsed definition first (to show that a test catches a broken definition).
 */
async function runDetector(props: Partial<DriftDetectorProps>, aws: FakeAws, mutate?: (definition: any) => void) {
  const definition = definitionOf(make(props).template);
  mutate?.(definition);
  const execution = await runStateMachine(definition, SCHEDULED_EVENT, aws);
  const calls = (action: string) => execution.calls.filter((c) => c.action === action);
  return {
    execution,
    calls,
    /** Values of each PutMetricData call, by metric name, with the dimension checked. */
    metrics: calls('putMetricData').map((c) => {
      expect(c.args.Namespace).toBe('Groundwork/Drift');
      return Object.fromEntries(
        c.args.MetricData.map((m: any) => {
          expect(m.Dimensions).toEqual([{ Name: 'Environment', Value: 'dev' }]);
          return [m.MetricName, m.Value];
        }),
      );
    }),
    alerts: calls('publish').map((c) => c.args),
    builds: calls('startBuild'),
    /** What the Map iteration of each stack returned. */
    results: (execution.outputs.find((o) => o.state === 'DetectEachStack')?.output ?? []) as any[],
  };
}

const byName = (...stackNames: string[]): Partial<DriftDetectorProps> => ({ stackNamePrefix: undefined, stackNames });
const ids = (n: number) => Array.from({ length: n }, (_, i) => `Resource${i}`);

describe('DriftDetector state machine, run in the simulator against a fake account', () => {
  test('no drift: both metrics are 0 and nothing is published', async () => {
    const run = await runDetector(
      byName('groundwork-dev-network', 'groundwork-dev-ops'),
      fakeAccount({
        'groundwork-dev-network': {},
        'groundwork-dev-ops': {},
      }),
    );
    expect(run.execution.status).toBe('SUCCEEDED');
    expect(
      run
        .calls('detectStackDrift')
        .map((c) => c.args.StackName)
        .sort(),
    ).toEqual(['groundwork-dev-network', 'groundwork-dev-ops']);
    expect(run.metrics).toEqual([{ DriftedStacks: 0, DetectionFailedStacks: 0 }]);
    expect(run.alerts).toEqual([]);
    expect(run.calls('describeStackResourceDrifts')).toEqual([]);
  });

  test('250 drifted resources over 3 pages: the alert lists all 250 logical ids in order; another drifted stack keeps its own', async () => {
    const run = await runDetector(
      byName('groundwork-dev-network', 'groundwork-dev-ops', 'groundwork-dev-data'),
      fakeAccount({
        'groundwork-dev-network': { drifted: ids(250) },
        'groundwork-dev-ops': {},
        'groundwork-dev-data': { drifted: ['Bucket', 'BucketPolicy'] },
      }),
    );
    expect(run.execution.status).toBe('SUCCEEDED');
    const network = run
      .calls('describeStackResourceDrifts')
      .filter((c) => c.args.StackName === 'groundwork-dev-network');
    expect(network.map((c) => [c.args.MaxResults, c.args.NextToken])).toEqual([
      [100, undefined],
      [100, 'after-100'],
      [100, 'after-200'],
    ]);
    expect(run.metrics).toEqual([{ DriftedStacks: 2, DetectionFailedStacks: 0 }]);
    expect(run.alerts).toEqual([
      {
        TopicArn: expect.any(String),
        Subject: 'Groundwork drift in dev',
        Message:
          DRIFT_HEADER + `groundwork-dev-network: ${ids(250).join(', ')}\ngroundwork-dev-data: Bucket, BucketPolicy`,
      },
    ]);
  });

  test('one drifted resource: listed, and kept as a one-element list', async () => {
    const run = await runDetector(
      byName('groundwork-dev-network'),
      fakeAccount({
        'groundwork-dev-network': { drifted: ['OnlyResource'] },
      }),
    );
    expect(run.results).toEqual([
      {
        stack: 'groundwork-dev-network',
        drifted: true,
        resources: ['OnlyResource'],
        listed: true,
        failed: false,
        reason: 'no reason given',
      },
    ]);
    expect(run.metrics).toEqual([{ DriftedStacks: 1, DetectionFailedStacks: 0 }]);
    expect(run.alerts.map((a) => a.Message)).toEqual([`${DRIFT_HEADER}groundwork-dev-network: OnlyResource`]);
  });

  test('a detection still DETECTION_IN_PROGRESS twice is polled again (after a Wait) until it completes', async () => {
    const run = await runDetector(
      byName('groundwork-dev-network'),
      fakeAccount({
        'groundwork-dev-network': {
          statuses: ['DETECTION_IN_PROGRESS', 'DETECTION_IN_PROGRESS', 'DETECTION_COMPLETE'],
          drifted: ['Queue'],
        },
      }),
    );
    expect(run.calls('describeStackDriftDetectionStatus').map((c) => c.args)).toEqual(
      Array(3).fill({ StackDriftDetectionId: 'detection-groundwork-dev-network' }),
    );
    expect(run.execution.visited.filter((s) => s === 'DetectEachStack/WaitForDetection')).toHaveLength(3);
    expect(run.alerts.map((a) => a.Message)).toEqual([`${DRIFT_HEADER}groundwork-dev-network: Queue`]);
  });

  test('a detection that never ends is a failed check after detectionTimeout; the other stacks are still checked', async () => {
    const run = await runDetector(
      { ...byName('groundwork-dev-network', 'groundwork-dev-ops'), detectionTimeout: Duration.minutes(2) },
      fakeAccount({
        'groundwork-dev-network': { statuses: ['DETECTION_IN_PROGRESS'] },
        'groundwork-dev-ops': { drifted: ['Queue'] },
      }),
    );
    expect(run.execution.status).toBe('SUCCEEDED');
    // Polled every 30 seconds: 4 status calls cover 2 minutes.
    expect(
      run.calls('describeStackDriftDetectionStatus').filter((c) => c.args.StackDriftDetectionId.endsWith('network')),
    ).toHaveLength(4);
    expect(run.metrics).toEqual([{ DriftedStacks: 1, DetectionFailedStacks: 1 }]);
    expect(run.alerts.map((a) => a.Message)).toEqual([
      `${DRIFT_HEADER}groundwork-dev-ops: Queue\n\n` +
        `${FAILED_HEADER}groundwork-dev-network: drift detection detection-groundwork-dev-network still ` +
        'DETECTION_IN_PROGRESS after 2 minutes (detectionTimeout); not waited for',
    ]);
  });

  test('by default a detection may stay in progress for 30 minutes (60 polls) and still complete', async () => {
    const account = (inProgress: number) =>
      fakeAccount({
        'groundwork-dev-network': {
          statuses: [...Array(inProgress).fill('DETECTION_IN_PROGRESS'), 'DETECTION_COMPLETE'],
          drifted: ['Queue'],
        },
      });
    const completes = await runDetector(byName('groundwork-dev-network'), account(59));
    expect(completes.calls('describeStackDriftDetectionStatus')).toHaveLength(60);
    expect(completes.metrics).toEqual([{ DriftedStacks: 1, DetectionFailedStacks: 0 }]);
    const timesOut = await runDetector(byName('groundwork-dev-network'), account(60));
    expect(timesOut.calls('describeStackDriftDetectionStatus')).toHaveLength(60);
    expect(timesOut.metrics).toEqual([{ DriftedStacks: 0, DetectionFailedStacks: 1 }]);
    expect(timesOut.alerts[0].Message).toContain('still DETECTION_IN_PROGRESS after 30 minutes (detectionTimeout)');
  });

  test('DETECTION_FAILED: counted in DetectionFailedStacks, and the alert gives the reason', async () => {
    const reason =
      'Failed to detect drift on resource [Topic]: User is not authorized to perform sns:GetTopicAttributes';
    const run = await runDetector(
      byName('groundwork-dev-network', 'groundwork-dev-ops'),
      fakeAccount({
        'groundwork-dev-network': { statuses: ['DETECTION_FAILED'], reason },
        'groundwork-dev-ops': {},
      }),
    );
    expect(run.metrics).toEqual([{ DriftedStacks: 0, DetectionFailedStacks: 1 }]);
    expect(run.alerts).toEqual([
      {
        TopicArn: expect.any(String),
        Subject: 'Groundwork drift check failed in dev',
        Message: `${FAILED_HEADER}groundwork-dev-network: ${reason}`,
      },
    ]);
  });

  test('a finished detection with a drift status other than IN_SYNC or DRIFTED is a failed check, not in sync', async () => {
    const account = fakeAccount({ 'groundwork-dev-network': {}, 'groundwork-dev-ops': {}, 'groundwork-dev-app': {} });
    const withStatus =
      (name: string, drift: string | undefined): FakeAws =>
      (call) => {
        const result = account(call) as Record<string, unknown>;
        if (
          call.action === 'describeStackDriftDetectionStatus' &&
          call.args.StackDriftDetectionId === `detection-${name}`
        ) {
          const { StackDriftStatus: _ignored, ...rest } = result;
          return drift === undefined ? rest : { ...rest, StackDriftStatus: drift };
        }
        return result;
      };
    const notChecked = withStatus('groundwork-dev-network', 'NOT_CHECKED');
    const aws: FakeAws = (call) =>
      call.action === 'describeStackDriftDetectionStatus' &&
      call.args.StackDriftDetectionId === 'detection-groundwork-dev-ops'
        ? withStatus('groundwork-dev-ops', undefined)(call)
        : notChecked(call);
    const run = await runDetector(byName('groundwork-dev-network', 'groundwork-dev-ops', 'groundwork-dev-app'), aws);
    expect(run.metrics).toEqual([{ DriftedStacks: 0, DetectionFailedStacks: 2 }]);
    expect(run.alerts).toHaveLength(1);
    expect(run.alerts[0].Message).toBe(
      `${FAILED_HEADER}groundwork-dev-network: drift detection DETECTION_COMPLETE with stack drift status NOT_CHECKED\n` +
        'groundwork-dev-ops: drift detection DETECTION_COMPLETE with stack drift status UNKNOWN',
    );
  });

  test('a stack whose DetectStackDrift fails is a failed check named with the error; the other stacks are still checked', async () => {
    const run = await runDetector(
      byName('groundwork-dev-network', 'groundwork-dev-gone', 'groundwork-dev-ops'),
      fakeAccount({
        'groundwork-dev-network': { drifted: ['Vpc'] },
        'groundwork-dev-ops': {},
      }),
    );
    expect(run.execution.status).toBe('SUCCEEDED');
    expect(
      run
        .calls('describeStackDriftDetectionStatus')
        .map((c) => c.args.StackDriftDetectionId)
        .sort(),
    ).toEqual(['detection-groundwork-dev-network', 'detection-groundwork-dev-ops']);
    expect(run.metrics).toEqual([{ DriftedStacks: 1, DetectionFailedStacks: 1 }]);
    expect(run.alerts.map((a) => a.Message)).toEqual([
      `${DRIFT_HEADER}groundwork-dev-network: Vpc\n\n` +
        `${FAILED_HEADER}groundwork-dev-gone: CloudFormation.CloudFormationException: Stack with id groundwork-dev-gone does not exist`,
    ]);
  });

  test('a drifted stack whose drifted resources cannot all be listed stays drifted, and is a failed check too', async () => {
    const account = fakeAccount({ 'groundwork-dev-network': { drifted: ids(150) }, 'groundwork-dev-ops': {} });
    const failingPage =
      (failing: (token: string | undefined) => boolean): FakeAws =>
      (call) => {
        if (call.action === 'describeStackResourceDrifts' && failing(call.args.NextToken)) {
          throw new TaskFailure('CloudFormation.CloudFormationException', 'Rate exceeded');
        }
        return account(call);
      };
    const props = {
      ...byName('groundwork-dev-network', 'groundwork-dev-ops'),
      ...RECONCILE_NAMED,
      reconcileRoleArn: RECONCILE_ROLE,
    };
    // The second page fails: the first page's 100 resources are listed.
    const second = await runDetector(
      props,
      failingPage((token) => token !== undefined),
    );
    expect(second.execution.status).toBe('SUCCEEDED');
    const listingFailed = 'listing the drifted resources failed: CloudFormation.CloudFormationException: Rate exceeded';
    expect(second.results.find((r) => r.stack === 'groundwork-dev-network')).toEqual({
      stack: 'groundwork-dev-network',
      drifted: true,
      resources: ids(100),
      listed: false,
      failed: true,
      reason: listingFailed,
    });
    expect(second.metrics).toEqual([{ DriftedStacks: 1, DetectionFailedStacks: 1 }]);
    // The drift line says the list stops short, and why: 100 names alone would read as the whole list.
    expect(second.alerts.map((a) => a.Message)).toEqual([
      `${DRIFT_HEADER}groundwork-dev-network: ${ids(100).join(', ')} (list incomplete: ${listingFailed})\n\n` +
        `${FAILED_HEADER}groundwork-dev-network: ${listingFailed}`,
    ]);
    // Its drift is known, so it is reverted: the revert needs no list of resources.
    expect(second.builds.map((c) => c.args.EnvironmentVariablesOverride[1].Value)).toEqual(['groundwork-dev-network']);
    // The first page fails: drifted with no resource listed, still counted, alerted and reverted.
    const first = await runDetector(
      props,
      failingPage(() => true),
    );
    expect(first.results.find((r) => r.stack === 'groundwork-dev-network')).toEqual({
      stack: 'groundwork-dev-network',
      drifted: true,
      resources: [],
      listed: false,
      failed: true,
      reason: listingFailed,
    });
    expect(first.metrics).toEqual([{ DriftedStacks: 1, DetectionFailedStacks: 1 }]);
    // Its drift line is not left empty ('groundwork-dev-network: '): it says that nothing was listed, and why.
    expect(first.alerts.map((a) => a.Message)).toEqual([
      `${DRIFT_HEADER}groundwork-dev-network: (none listed: ${listingFailed})\n\n` +
        `${FAILED_HEADER}groundwork-dev-network: ${listingFailed}`,
    ]);
    expect(first.builds).toHaveLength(1);
  });

  test('a DRIFTED detection that also ended DETECTION_FAILED keeps its reason when the listing then fails', async () => {
    // DETECTION_FAILED with DRIFTED: some resources drifted, one could not be read (a lasting permission
    // problem); the listing then fails on throttling. The alert must still name the unreadable resource.
    const account = fakeAccount({
      'groundwork-dev-network': { drifted: ['Vpc'], unreadable: ['AlertKey'] },
      'groundwork-dev-ops': {},
    });
    const run = await runDetector(byName('groundwork-dev-network', 'groundwork-dev-ops'), (call) => {
      if (call.action === 'describeStackResourceDrifts') {
        throw new TaskFailure('CloudFormation.CloudFormationException', 'Rate exceeded');
      }
      return account(call);
    });
    expect(run.execution.status).toBe('SUCCEEDED');
    const reason =
      'Failed to detect drift on resource [AlertKey]: explicit deny in a permissions boundary; ' +
      'listing the drifted resources failed: CloudFormation.CloudFormationException: Rate exceeded';
    expect(run.results.find((r) => r.stack === 'groundwork-dev-network')).toEqual({
      stack: 'groundwork-dev-network',
      drifted: true,
      resources: [],
      listed: false,
      failed: true,
      reason,
    });
    expect(run.metrics).toEqual([{ DriftedStacks: 1, DetectionFailedStacks: 1 }]);
    // The first page failed: the drift line gives the detection's reason and the listing's error too.
    expect(run.alerts.map((a) => a.Message)).toEqual([
      `${DRIFT_HEADER}groundwork-dev-network: (none listed: ${reason})\n\n${FAILED_HEADER}groundwork-dev-network: ${reason}`,
    ]);
  });

  describe('auto-reconcile', () => {
    const props = {
      ...byName('groundwork-dev-network', 'groundwork-dev-ops', 'groundwork-dev-data'),
      ...RECONCILE_NAMED,
      reconcileRoleArn: RECONCILE_ROLE,
    };

    test('drift starts the reconcile build with this environment and the drifted stacks, with the reconcile role', async () => {
      const run = await runDetector(
        props,
        fakeAccount({
          'groundwork-dev-network': { drifted: ['Vpc'] },
          'groundwork-dev-ops': {},
          'groundwork-dev-data': { drifted: ['Bucket'] },
        }),
      );
      expect(run.builds.map((c) => [c.args, c.credentials])).toEqual([
        [
          {
            ProjectName: PROJECT,
            EnvironmentVariablesOverride: [
              { Name: 'GROUNDWORK_RECONCILE_ENVIRONMENT', Value: 'dev', Type: 'PLAINTEXT' },
              {
                Name: 'GROUNDWORK_RECONCILE_STACKS',
                Value: 'groundwork-dev-network,groundwork-dev-data',
                Type: 'PLAINTEXT',
              },
            ],
          },
          { RoleArn: RECONCILE_ROLE },
        ],
      ]);
      expect(run.execution.status).toBe('SUCCEEDED');
    });

    test('a detect-only stack is checked and alerted, marked, and never passed to the reconcile build', async () => {
      const detectOnly = { ...props, detectOnlyStackNames: ['groundwork-dev-access'] };
      const both = await runDetector(
        detectOnly,
        fakeAccount({
          'groundwork-dev-network': { drifted: ['Vpc'] },
          'groundwork-dev-ops': {},
          'groundwork-dev-data': {},
          'groundwork-dev-access': { drifted: ['BreakGlass'] },
        }),
      );
      expect(both.calls('detectStackDrift').map((c) => c.args.StackName)).toContain('groundwork-dev-access');
      expect(both.alerts.map((a) => a.Message)).toEqual([
        `${DRIFT_HEADER}groundwork-dev-network: Vpc\n` +
          'groundwork-dev-access: BreakGlass (detect only: not reverted automatically)',
      ]);
      expect(both.builds.map((c) => c.args.EnvironmentVariablesOverride[1].Value)).toEqual(['groundwork-dev-network']);
      const onlyDetectOnly = await runDetector(
        detectOnly,
        fakeAccount({
          'groundwork-dev-network': {},
          'groundwork-dev-ops': {},
          'groundwork-dev-data': {},
          'groundwork-dev-access': { drifted: ['BreakGlass'] },
        }),
      );
      expect(onlyDetectOnly.metrics).toEqual([{ DriftedStacks: 1, DetectionFailedStacks: 0 }]);
      expect(onlyDetectOnly.alerts).toHaveLength(1);
      expect(onlyDetectOnly.builds).toEqual([]);
    });

    describe('prefix mode: only the stacks of the reconciler allow-list (reconcileStackNames) are sent', () => {
      const NETWORK = 'groundwork-dev-network';
      const OPERATIONS = 'groundwork-dev-operations';
      // Under the prefix as well: a stack someone else deploys and a stack of the environment dev-eu, whose names
      // start with dev's prefix too (neither in the allow-list).
      const OTHERS = ['groundwork-dev-app', 'groundwork-dev-eu-network'];
      // Nested stacks (`<parent>-<id>-<random>`: under the prefix): drift detection of a stack does not cover its
      // nested stacks (CloudFormation API Reference, DetectStackDrift), so each is checked on its own. Two in the
      // tree of the network stack (one a level deeper), one in the tree of the app stack.
      const NESTED = `${NETWORK}-FlowLogsNestedStack-1A2B3C4D5E6F`;
      const DEEPER = `${NESTED}-SubnetsNestedStack-0F9E8D7C6B5A`;
      const APP_NESTED = 'groundwork-dev-app-CacheNestedStack-1B2C3D4E5F6A';
      const NESTED_UNDER: Record<string, string> = { [NESTED]: NETWORK, [DEEPER]: NESTED, [APP_NESTED]: OTHERS[0] };
      const idOf = (name: string) => `arn:aws:cloudformation:eu-west-1:200000000001:stack/${name}/1`;
      const prefixProps = {
        stackNamePrefix: 'groundwork-dev-',
        ...RECONCILE_NAMED,
        reconcileRoleArn: RECONCILE_ROLE,
        reconcileStackNames: [NETWORK, OPERATIONS],
      };
      const ALL = [NETWORK, OPERATIONS, ...OTHERS, NESTED, DEEPER, APP_NESTED];
      const account = (drifted: string[]) =>
        fakeAccount(
          Object.fromEntries(
            ALL.map((name) => {
              const parent = NESTED_UNDER[name];
              return [
                name,
                {
                  drifted: drifted.includes(name) ? ['Resource'] : [],
                  parent: parent ? idOf(parent) : undefined,
                  root: name === DEEPER ? idOf(NETWORK) : undefined,
                },
              ];
            }),
          ),
          [
            [NETWORK, OTHERS[0], NESTED, APP_NESTED],
            [OPERATIONS, OTHERS[1], DEEPER],
          ],
        );
      const stacksSent = (run: { builds: SdkCall[] }) =>
        run.builds.map((c) => {
          expect(c.args.EnvironmentVariablesOverride[0]).toEqual({
            Name: 'GROUNDWORK_RECONCILE_ENVIRONMENT',
            Value: 'dev',
            Type: 'PLAINTEXT',
          });
          return c.args.EnvironmentVariablesOverride[1].Value;
        });

      test('every stack of the prefix is checked and alerted; the build gets only the allow-listed drifted ones', async () => {
        const run = await runDetector(prefixProps, account(ALL));
        expect(run.execution.status).toBe('SUCCEEDED');
        expect(
          run
            .calls('detectStackDrift')
            .map((c) => c.args.StackName)
            .sort(),
        ).toEqual([...ALL].sort());
        expect(run.metrics).toEqual([{ DriftedStacks: 7, DetectionFailedStacks: 0 }]);
        // Without the filter the request named all seven, and the reconciler refused it whole. The network stack
        // is sent once, for itself and for its two nested stacks.
        expect(stacksSent(run)).toEqual([`${NETWORK},${OPERATIONS}`]);
        const lines = run.alerts[0].Message.split('\n').slice(1);
        expect(lines.sort()).toEqual(
          [
            `${NETWORK}: Resource`,
            `${OPERATIONS}: Resource`,
            // Sent, not "reverted": AWS does not document that the root's drift-aware change set reaches the
            // resources of a nested stack whose template did not change.
            `${NESTED}: Resource (nested stack: root stack ${NETWORK} sent to the reconciler)`,
            `${DEEPER}: Resource (nested stack: root stack ${NETWORK} sent to the reconciler)`,
            ...[...OTHERS, APP_NESTED].map((name) => `${name}: Resource (detect only: not reverted automatically)`),
          ].sort(),
        );
      });

      test('a drifted nested stack whose root stack is allow-listed sends the root to the reconciler, once', async () => {
        const run = await runDetector(prefixProps, account([NESTED, DEEPER]));
        expect(run.metrics).toEqual([{ DriftedStacks: 2, DetectionFailedStacks: 0 }]);
        // Before, a nested stack was never sent: its drift stayed until a person reverted it.
        expect(stacksSent(run)).toEqual([NETWORK]);
      });

      test('drift only outside the allow-list is alerted and starts no build, nested stacks of other roots included', async () => {
        const run = await runDetector(prefixProps, account([...OTHERS, APP_NESTED]));
        expect(run.metrics).toEqual([{ DriftedStacks: 3, DetectionFailedStacks: 0 }]);
        expect(run.alerts).toHaveLength(1);
        expect(run.alerts[0].Message).toContain(`${APP_NESTED}: Resource (detect only: not reverted automatically)`);
        expect(run.builds).toEqual([]);
      });
    });

    test('no drift starts no build; neither does a failed check alone (reverting cannot fix a detection)', async () => {
      const clean = await runDetector(
        props,
        fakeAccount({
          'groundwork-dev-network': {},
          'groundwork-dev-ops': {},
          'groundwork-dev-data': {},
        }),
      );
      expect(clean.builds).toEqual([]);
      const failedOnly = await runDetector(
        props,
        fakeAccount({
          'groundwork-dev-network': { statuses: ['DETECTION_FAILED'], reason: 'Access denied' },
          'groundwork-dev-ops': {},
          'groundwork-dev-data': {},
        }),
      );
      expect(failedOnly.alerts).toHaveLength(1);
      expect(failedOnly.builds).toEqual([]);
      expect([clean.execution.status, failedOnly.execution.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    });
  });

  test('checkedLogicalResourceIds: a stack with resources the role may not read is checked on the listed ones, no longer failed on every run', async () => {
    const props = { ...byName('groundwork-dev-network'), detectOnlyStackNames: ['groundwork-dev-access'] };
    const account = (accessDrift: string[] = []) =>
      fakeAccount({
        'groundwork-dev-network': {},
        'groundwork-dev-access': { unreadable: ['AlertKey', 'AlertTopic'], drifted: accessDrift },
      });
    // Checked whole, the stack's check fails on every run, drift or not.
    const whole = await runDetector(props, account());
    expect(whole.metrics).toEqual([{ DriftedStacks: 0, DetectionFailedStacks: 1 }]);
    expect(whole.alerts.map((a) => a.Message)).toEqual([
      `${FAILED_HEADER}groundwork-dev-access: Failed to detect drift on resource [AlertKey]: explicit deny in a permissions boundary`,
    ]);

    const chosenProps = {
      ...props,
      checkedLogicalResourceIds: {
        'groundwork-dev-access': ['SecurityAudit', 'BreakGlass'],
        // One id stays a list of one.
        'groundwork-dev-network': ['Vpc'],
      },
    };
    const chosen = await runDetector(chosenProps, account());
    expect(chosen.execution.status).toBe('SUCCEEDED');
    expect(
      chosen
        .calls('detectStackDrift')
        .map((c) => c.args)
        .sort((a, b) => a.StackName.localeCompare(b.StackName)),
    ).toEqual([
      { StackName: 'groundwork-dev-access', LogicalResourceIds: ['SecurityAudit', 'BreakGlass'] },
      { StackName: 'groundwork-dev-network', LogicalResourceIds: ['Vpc'] },
    ]);
    expect(chosen.metrics).toEqual([{ DriftedStacks: 0, DetectionFailedStacks: 0 }]);
    expect(chosen.alerts).toEqual([]);
    // Drift of a listed resource is alerted.
    const drifted = await runDetector(chosenProps, account(['BreakGlass']));
    expect(drifted.metrics).toEqual([{ DriftedStacks: 1, DetectionFailedStacks: 0 }]);
    expect(drifted.alerts.map((a) => a.Message)).toEqual([`${DRIFT_HEADER}groundwork-dev-access: BreakGlass`]);
    // A stack it does not list is still checked whole.
    const onlyAccess = await runDetector(
      { ...props, checkedLogicalResourceIds: { 'groundwork-dev-access': ['BreakGlass'] } },
      account(),
    );
    expect(
      onlyAccess.calls('detectStackDrift').find((c) => c.args.StackName === 'groundwork-dev-network')!.args,
    ).toEqual({ StackName: 'groundwork-dev-network' });
  });

  test('prefix mode: ListStacks is read over its 2 pages and only the stacks with the prefix are checked', async () => {
    const run = await runDetector(
      { stackNamePrefix: 'groundwork-' },
      fakeAccount({ 'groundwork-dev-network': {}, 'groundwork-dev-ops': { drifted: ['Role'] } }, [
        ['groundwork-dev-network', 'other-app', 'groundworkx-dev'],
        ['legacy-groundwork-dev', 'groundwork-dev-ops'],
      ]),
    );
    expect(run.calls('listStacks').map((c) => c.args.NextToken)).toEqual([undefined, 'page-1']);
    expect(run.calls('detectStackDrift').map((c) => c.args.StackName)).toEqual([
      'groundwork-dev-network',
      'groundwork-dev-ops',
    ]);
    expect(run.metrics).toEqual([{ DriftedStacks: 1, DetectionFailedStacks: 0 }]);
    expect(run.alerts.map((a) => a.Message)).toEqual([`${DRIFT_HEADER}groundwork-dev-ops: Role`]);
  });

  test('prefix mode: stacks whose last update rolled back or that were imported are checked too; stacks being created or deleted are not', async () => {
    // ListStacks returns only the states its StackStatusFilter names. A stack whose last update failed and rolled
    // back (UPDATE_ROLLBACK_COMPLETE) or that was imported (IMPORT_COMPLETE) is live and can drift.
    const statuses: Record<string, string> = {
      'groundwork-dev-network': 'UPDATE_ROLLBACK_COMPLETE',
      'groundwork-dev-ops': 'IMPORT_COMPLETE',
      'groundwork-dev-app': 'CREATE_COMPLETE',
      'groundwork-dev-api': 'UPDATE_COMPLETE',
      'groundwork-dev-new': 'CREATE_IN_PROGRESS',
      'groundwork-dev-review': 'REVIEW_IN_PROGRESS',
      'groundwork-dev-moving': 'UPDATE_ROLLBACK_IN_PROGRESS',
      'groundwork-dev-old': 'DELETE_COMPLETE',
      'groundwork-dev-going': 'DELETE_IN_PROGRESS',
    };
    const account = fakeAccount({
      'groundwork-dev-network': { drifted: ['Vpc'] },
      'groundwork-dev-ops': { drifted: ['Role'] },
      'groundwork-dev-app': {},
      'groundwork-dev-api': {},
    });
    const aws: FakeAws = (call) =>
      call.action === 'listStacks'
        ? {
            StackSummaries: Object.entries(statuses)
              .filter(([, status]) => call.args.StackStatusFilter.includes(status))
              .map(([StackName, StackStatus]) => ({ StackName, StackStatus })),
          }
        : account(call);
    const run = await runDetector({ stackNamePrefix: 'groundwork-' }, aws);
    expect(run.calls('detectStackDrift').map((c) => c.args.StackName)).toEqual([
      'groundwork-dev-network',
      'groundwork-dev-ops',
      'groundwork-dev-app',
      'groundwork-dev-api',
    ]);
    expect(run.metrics).toEqual([{ DriftedStacks: 2, DetectionFailedStacks: 0 }]);
  });

  test('prefix mode: a broken stack is checked, and reported as a failed check when CloudFormation refuses it', async () => {
    // Left out of the listing, a stack stuck in UPDATE_ROLLBACK_FAILED would never be reported; named in
    // stackNames, the same stack is a failed check. Both modes now say the same.
    const statuses: Record<string, string> = {
      'groundwork-dev-stuck': 'UPDATE_ROLLBACK_FAILED',
      'groundwork-dev-failed': 'ROLLBACK_COMPLETE',
      'groundwork-dev-imported': 'IMPORT_ROLLBACK_COMPLETE',
    };
    const account = fakeAccount({ 'groundwork-dev-imported': { drifted: ['Table'] } });
    const refused = new Set(['groundwork-dev-stuck', 'groundwork-dev-failed']);
    const aws: FakeAws = (call) => {
      if (call.action === 'listStacks') {
        return {
          StackSummaries: Object.entries(statuses)
            .filter(([, status]) => call.args.StackStatusFilter.includes(status))
            .map(([StackName, StackStatus]) => ({ StackName, StackStatus })),
        };
      }
      if (call.action === 'detectStackDrift' && refused.has(call.args.StackName)) {
        throw new TaskFailure(
          'CloudFormation.CloudFormationException',
          `Stack ${call.args.StackName} is in ${statuses[call.args.StackName]} state and can not be checked`,
        );
      }
      return account(call);
    };
    const run = await runDetector({ stackNamePrefix: 'groundwork-' }, aws);
    expect(run.calls('detectStackDrift').map((c) => c.args.StackName)).toEqual([
      'groundwork-dev-stuck',
      'groundwork-dev-failed',
      'groundwork-dev-imported',
    ]);
    expect(run.metrics).toEqual([{ DriftedStacks: 1, DetectionFailedStacks: 2 }]);
    expect(run.alerts).toHaveLength(1);
    for (const name of ['groundwork-dev-stuck', 'groundwork-dev-failed', 'groundwork-dev-imported']) {
      expect(run.alerts[0].Message).toContain(name);
    }
  });

  test('prefix mode with no matching stack: metrics 0, no alert, no detection', async () => {
    const run = await runDetector({ stackNamePrefix: 'groundwork-' }, fakeAccount({}, [['other-app'], []]));
    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.calls('detectStackDrift')).toEqual([]);
    expect(run.metrics).toEqual([{ DriftedStacks: 0, DetectionFailedStacks: 0 }]);
    expect(run.alerts).toEqual([]);
  });

  describe('these runs catch a broken definition (the same account, the definition altered)', () => {
    const account = () =>
      fakeAccount({ 'groundwork-dev-network': { drifted: ids(250) }, 'groundwork-dev-gone-ok': {} });

    test('reading only the first page of DescribeStackResourceDrifts lists 100 of the 250 resources', async () => {
      const broken = await runDetector(byName('groundwork-dev-network'), account(), (definition) => {
        definition.States.DetectEachStack.ItemProcessor.States.DescribeResourceDrifts.Next = 'StackDrifted';
      });
      expect(broken.results[0].resources).toEqual(ids(100));
      expect(broken.alerts[0].Message).not.toBe(`${DRIFT_HEADER}groundwork-dev-network: ${ids(250).join(', ')}`);
    });

    test('one DetectStackDrift with LogicalResourceIds for every stack makes the unlisted ones failed checks: the field is undefined for them', async () => {
      const broken = await runDetector(
        {
          ...byName('groundwork-dev-network'),
          detectOnlyStackNames: ['groundwork-dev-access'],
          checkedLogicalResourceIds: { 'groundwork-dev-access': ['BreakGlass'] },
        },
        fakeAccount({ 'groundwork-dev-network': {}, 'groundwork-dev-access': {} }),
        (definition) => {
          const item = definition.States.DetectEachStack.ItemProcessor;
          item.States.DetectStackDrift.Arguments = item.States.DetectStackDriftOfChosenResources.Arguments;
        },
      );
      expect(broken.results.find((r) => r.stack === 'groundwork-dev-network')).toMatchObject({
        failed: true,
        reason: expect.stringMatching(/^States\.QueryEvaluationError: /),
      });
    });

    test('without the Catch, one stack that does not exist fails the whole run: no metric, no alert', async () => {
      const broken = await runDetector(
        byName('groundwork-dev-network', 'groundwork-dev-gone'),
        account(),
        (definition) => {
          delete definition.States.DetectEachStack.ItemProcessor.States.DetectStackDrift.Catch;
        },
      );
      expect(broken.execution).toMatchObject({ status: 'FAILED', error: 'CloudFormation.CloudFormationException' });
      expect(broken.metrics).toEqual([]);
      expect(broken.alerts).toEqual([]);
    });
  });
});
