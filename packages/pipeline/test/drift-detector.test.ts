process.env.CDK_VALIDATION = 'false';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { DriftDetector, DriftDetectorProps } from '../src';

const TARGET = { account: '200000000001', region: 'eu-west-1' };

function make(props: Partial<DriftDetectorProps> = {}) {
  const stack = new Stack(new App(), 'Dev', { env: TARGET });
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
  return JSON.parse(parts.map((p: unknown) => (typeof p === 'string' ? p : 'arn:aws')).join(''));
}

describe('DriftDetector', () => {
  test('runs on the given schedule and starts the state machine', () => {
    const { template } = make();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('DriftStateMachine') } })],
    });
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
      DeletionPolicy: 'Retain',
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
  });

  test('auto-reconcile in the pipeline account: the state machine role may start exactly this pipeline', () => {
    const { template } = make({ autoReconcile: true, pipelineAccount: TARGET.account });
    const statements = statementsOf(template);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'codepipeline:StartPipelineExecution',
          Resource: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codepipeline:eu-west-1:200000000001:groundwork']],
          },
        }),
      ]),
    );
    expect(statements.some((s) => s.Action === 'sts:AssumeRole')).toBe(false);
    const states = definitionOf(template).States;
    expect(states.StartPipeline).toMatchObject({
      Resource: expect.stringContaining(':states:::aws-sdk:codepipeline:startPipelineExecution'),
      Arguments: { Name: 'groundwork' },
    });
    expect(states.StartPipeline.Credentials).toBeUndefined();
  });

  test('auto-reconcile across accounts: the task runs as the reconcile role, the state machine role may only assume it', () => {
    const reconcileRoleArn = 'arn:aws:iam::111111111111:role/groundwork-drift-reconcile';
    const { template } = make({ autoReconcile: true, reconcileRoleArn });
    const statements = statementsOf(template);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: reconcileRoleArn }),
      ]),
    );
    // Only the reconcile role can start a pipeline of another account; a grant to this role is useless.
    expect(statements.some((s) => JSON.stringify(s.Action).includes('codepipeline:'))).toBe(false);
    const states = definitionOf(template).States;
    expect(states.StartPipeline).toMatchObject({
      Type: 'Task',
      Resource: expect.stringContaining(':states:::aws-sdk:codepipeline:startPipelineExecution'),
      Arguments: { Name: 'groundwork' },
      Credentials: { RoleArn: reconcileRoleArn },
      Retry: [expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 4 })],
      Next: 'Done',
    });
  });

  test('rejects ambiguous stack selection and a reconcile role without auto-reconcile', () => {
    expect(() => make({ stackNames: ['a'] })).toThrow(/Dev\/Drift: set exactly one of stackNamePrefix or stackNames/);
    expect(() => make({ reconcileRoleArn: 'arn:aws:iam::111111111111:role/r' })).toThrow(
      /reconcileRoleArn is set but autoReconcile is off/,
    );
    expect(() => make({ autoReconcile: true })).toThrow(
      'Dev/Drift: autoReconcile with the pipeline in account 111111111111 (this stack is in 200000000001) needs reconcileRoleArn',
    );
  });
});

describe('DriftDetector cdk-nag', () => {
  test('AwsSolutions and NIST 800-53 rev 5: no unacknowledged finding on the detector', () => {
    const { stack } = make({ autoReconcile: true, reconcileRoleArn: 'arn:aws:iam::111111111111:role/reconcile' });
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      const findings = pack
        .validateScope(stack)
        .violations.filter((v: any) => v.violatingResources.some((r: any) => r.constructPath.startsWith('Dev/Drift/')));
      expect(findings.map((v: any) => v.ruleName)).toEqual([]);
    }
  });
});
