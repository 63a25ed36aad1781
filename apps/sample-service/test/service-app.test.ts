import { Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { tempDir } from './fixtures';
import { GateFailure, synthesizeServiceApp } from '../src/main';

// Template validation is not under test here (test/main.test.ts runs it).
process.env.CDK_VALIDATION = 'false';

const { service } = synthesizeServiceApp({ outdir: tempDir('app') });
const pipelineTemplate = Template.fromStack(service.pipelineStack);
const pipelineResource = (): any =>
  Object.values(
    pipelineTemplate.findResources('AWS::CodePipeline::Pipeline', { Properties: { Name: 'orders-api' } }),
  )[0];

describe("the team's own pipeline", () => {
  test('pulls the team repository through the CodeConnections connection', () => {
    const source = pipelineResource().Properties.Stages[0].Actions[0];
    expect(source.ActionTypeId).toMatchObject({ Provider: 'CodeStarSourceConnection' });
    expect(source.Configuration).toMatchObject({
      FullRepositoryId: 'example-org/orders-api',
      BranchName: 'main',
      ConnectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-4000-8000-000000000001',
    });
  });

  test('one wave per configured wave, in config order, after build and self-mutation', () => {
    const names: string[] = pipelineResource().Properties.Stages.map((s: any) => s.Name);
    expect(names.slice(0, 3)).toEqual(['Source', 'Build', 'UpdatePipeline']);
    expect(names.filter((n) => n === 'nonprod' || n === 'prod')).toEqual(['nonprod', 'prod']);
    expect(names.indexOf('nonprod')).toBeLessThan(names.indexOf('prod'));
  });

  test('each environment deploys its own stack; prod only after a manual approval', () => {
    const stages: any[] = pipelineResource().Properties.Stages;
    const actions = (name: string): any[] => stages.find((s) => s.Name === name).Actions;
    const deployed = (name: string): string[] =>
      actions(name)
        .filter(
          (a) => a.ActionTypeId.Provider === 'CloudFormation' && a.Configuration.ActionMode === 'CHANGE_SET_REPLACE',
        )
        .map((a) => a.Configuration.StackName);
    expect(deployed('nonprod').sort()).toEqual(['orders-api-dev', 'orders-api-test']);
    expect(deployed('prod')).toEqual(['orders-api-prod']);
    expect(actions('prod').some((a) => a.ActionTypeId.Provider === 'Manual')).toBe(true);
    expect(actions('nonprod').some((a) => a.ActionTypeId.Provider === 'Manual')).toBe(false);
  });

  test("the synth step runs the team's own install, test and synth commands", () => {
    pipelineTemplate.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: {
        BuildSpec: Match.serializedJson(
          Match.objectLike({
            phases: {
              install: { commands: ['npm ci'] },
              build: { commands: ['npm test', 'npx projen compile && node lib/main.js'] },
            },
            artifacts: Match.objectLike({ 'base-directory': 'cdk.out' }),
          }),
        ),
      },
    });
  });

  test("every stack deploys through the team's own bootstrap (its qualifier), never the platform's", () => {
    const deployActions = pipelineResource()
      .Properties.Stages.flatMap((stage: any) => stage.Actions)
      .filter((action: any) => action.ActionTypeId.Provider === 'CloudFormation');
    expect(deployActions.length).toBeGreaterThan(0);
    for (const action of deployActions) {
      expect(JSON.stringify(action.RoleArn)).toMatch(/:role\/cdk-orders-deploy-role-\d{12}-eu-west-1"/);
    }
    const text = JSON.stringify(pipelineTemplate.toJSON());
    expect(text).not.toContain('hnb659fds');
    for (const stage of service.stages) {
      expect(stage.serviceStack.synthesizer.bootstrapQualifier).toBe('orders');
    }
    expect(service.pipelineStack.synthesizer.bootstrapQualifier).toBe('orders');
  });

  test("every role of the pipeline stack carries the pipeline account's Groundwork boundary and its role tag", () => {
    const roles = Object.values(pipelineTemplate.findResources('AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      expect(JSON.stringify(role.Properties.PermissionsBoundary)).toContain(
        ':iam::111111111111:policy/groundwork-boundary-orders-eu-west-1',
      );
      expect(role.Properties.Tags).toContainEqual({ Key: 'groundwork:boundary', Value: 'orders' });
    }
  });

  test('the pipeline stack is protected from deletion', () => {
    expect(service.pipelineStack.terminationProtection).toBe(true);
  });
});

describe('stages', () => {
  test('one per environment, each in its own account and region', () => {
    expect(service.stages.map((s) => [s.stageName, s.account, s.region])).toEqual([
      ['dev', '333333333333', 'eu-west-1'],
      ['test', '444444444444', 'eu-west-1'],
      ['prod', '555555555555', 'eu-west-1'],
    ]);
    expect(service.stages.map((s) => s.serviceStack.stackName)).toEqual([
      'orders-api-dev',
      'orders-api-test',
      'orders-api-prod',
    ]);
  });
});

describe('cdk-nag', () => {
  const scopes: Array<[string, IConstruct]> = [
    ['the pipeline stack', service.pipelineStack],
    ...service.stages.map((s): [string, IConstruct] => [`stage ${s.stageName}`, s]),
  ];
  test.each(scopes)('AwsSolutions and NIST 800-53 rev 5: no unacknowledged finding in %s', (_, scope) => {
    for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()]) {
      const findings = pack
        .validateScope(scope)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.resourceLogicalId}`));
      expect(findings).toEqual([]);
    }
  });

  /** The findings of the compliance gate that synthesizing with `customizeStage` fails on; any other outcome fails the test. */
  function gateFindings(outdir: string, customizeStage: (stage: Stage) => void): string[] {
    try {
      synthesizeServiceApp({ outdir, customizeStage });
    } catch (error) {
      expect(error).toBeInstanceOf(GateFailure);
      return (error as GateFailure).findings;
    }
    throw new Error('expected the compliance gate to fail the synthesis');
  }

  test('the packs are registered on every stage, so a finding inside a stage fails synthesis', () => {
    const findings = gateFindings(tempDir('gate'), (stage) => {
      if (stage.stageName === 'test') {
        // No server access logs: AwsSolutions-S1.
        new s3.Bucket(stage.node.findChild('Service'), 'NoAccessLogs', { enforceSSL: true });
      }
    });
    expect(findings).toEqual(
      expect.arrayContaining([expect.stringMatching(/^AwsSolutions-S1 at test\/Service\/NoAccessLogs\/Resource /)]),
    );
  });

  test('the NIST 800-53 rev 5 pack gates the stages too: a finding only it reports fails synthesis', () => {
    const findings = gateFindings(tempDir('gate-nist'), (stage) => {
      if (stage.stageName === 'dev') {
        // An alarm with no action: NIST.800.53.R5-CloudWatchAlarmAction (AwsSolutions has no such rule).
        new cloudwatch.Alarm(stage.node.findChild('Service'), 'Unwatched', {
          metric: new cloudwatch.Metric({ namespace: 'Orders', metricName: 'Failures' }),
          threshold: 1,
          evaluationPeriods: 1,
        });
      }
    });
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^NIST\.800\.53\.R5-CloudWatchAlarmAction at dev\/Service\/Unwatched\/Resource /),
      ]),
    );
  });
});
