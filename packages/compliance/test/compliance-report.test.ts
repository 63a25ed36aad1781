import { App, Stack, Stage, Tags, Validations, CfnResource } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  AwsSolutionsChecks,
  NagMessageLevel,
  NagPack,
  NagRuleCompliance,
  NagRuleResult,
  NIST80053R5Checks,
} from 'cdk-nag';
import { ComplianceReport, GroundworkChecks, StackComplianceReport } from '../src';

/** An app with a Dev and a Prod stage: Dev has an acknowledged finding, Prod an open one and a stale acknowledgement. */
function platformApp() {
  const app = new App();
  const devStage = new Stage(app, 'Dev');
  const dev = new Stack(devStage, 'Data');
  const devBucket = new s3.Bucket(dev, 'Bucket');
  Validations.of(devBucket).acknowledge({
    id: 'Groundwork-ENC1',
    reason: 'Dev scratch bucket; encryption stated in ADR-7.',
  });

  const prodStage = new Stage(app, 'Prod');
  const prod = new Stack(prodStage, 'Data');
  new s3.Bucket(prod, 'Bucket', { encryption: s3.BucketEncryption.S3_MANAGED });
  new sqs.Queue(prod, 'Queue', { encryption: sqs.QueueEncryption.SQS_MANAGED });
  const queue = new sqs.Queue(prod, 'Plain');
  Validations.of(queue).acknowledge({ id: 'Groundwork-ENC2', reason: 'Stale: a queue is not a topic.' });
  // Per stage: aspects (and so Tags.of) added to the App do not cross into a Stage.
  Tags.of(devStage).add('owner', 'platform');
  Tags.of(prodStage).add('owner', 'platform');
  return app;
}

function byStack(reports: StackComplianceReport[], stackPath: string): StackComplianceReport {
  const report = reports.find((r) => r.stackPath === stackPath);
  if (!report) {
    throw new Error(`no report for ${stackPath}`);
  }
  return report;
}

describe('ComplianceReport.collect', () => {
  test('reports per stack and stage: rules run, violations, acknowledged findings and acknowledgements', () => {
    const app = platformApp();
    app.synth();
    const reports = ComplianceReport.collect(app, [new GroundworkChecks(app, { requiredTags: ['owner'] })]);

    expect(reports.map((r) => [r.stageName, r.stackPath])).toEqual([
      ['Dev', 'Dev/Data'],
      ['Prod', 'Prod/Data'],
    ]);

    const dev = byStack(reports, 'Dev/Data');
    expect(dev.stagePath).toBe('Dev');
    expect(dev.stackName).toBe('Dev-Data');
    expect(dev.rules.map((r) => r.ruleId)).toEqual(
      expect.arrayContaining(['Groundwork-ENC1', 'Groundwork-IAM1', 'Groundwork-TAG1']),
    );
    expect(dev.rules.find((r) => r.ruleId === 'Groundwork-ENC1')).toEqual({
      pack: 'Groundwork',
      ruleId: 'Groundwork-ENC1',
      resourcesChecked: 1,
      violations: 0,
      acknowledged: 1,
    });
    expect(dev.violations).toEqual([]);
    expect(dev.acknowledgedFindings).toEqual([
      expect.objectContaining({
        ruleId: 'Groundwork-ENC1',
        resourcePath: 'Dev/Data/Bucket/Resource',
        severity: 'error',
      }),
    ]);
    expect(dev.acknowledgements).toEqual([
      {
        ruleId: 'Groundwork-ENC1',
        reason: 'Dev scratch bucket; encryption stated in ADR-7.',
        constructPath: 'Dev/Data/Bucket',
        suppressedFindings: 1,
        pack: 'Groundwork',
      },
    ]);

    const prod = byStack(reports, 'Prod/Data');
    expect(prod.violations).toEqual([
      expect.objectContaining({
        pack: 'Groundwork',
        ruleId: 'Groundwork-ENC3',
        resourcePath: 'Prod/Data/Plain/Resource',
        severity: 'error',
        message: expect.stringMatching(/SQS queue does not state encryption[\s\S]*Fix:/),
      }),
    ]);
    // Tags.of(stage) reached the stage's resources because collect ran after synth.
    expect(prod.violations.some((v) => v.ruleId.startsWith('Groundwork-TAG1'))).toBe(false);
    expect(prod.acknowledgements).toEqual([
      expect.objectContaining({ ruleId: 'Groundwork-ENC2', suppressedFindings: 0 }),
    ]);
  });

  test('the report agrees with the pack: violations are exactly what validateScope reports', () => {
    const app = platformApp();
    app.synth();
    const pack = new GroundworkChecks(app);
    const fromPack = pack
      .validateScope(app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
    const fromReport = ComplianceReport.collect(app, [pack]).flatMap((r) =>
      r.violations.map((v) => `${v.ruleId} ${v.resourcePath}`),
    );
    expect(fromReport.sort()).toEqual(fromPack.sort());
    expect(fromReport.length).toBeGreaterThan(0);
  });

  test('runs several packs, keeps their findings apart, and leaves the packs usable afterwards', () => {
    const app = new App();
    const stack = new Stack(app, 'Data');
    const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.S3_MANAGED });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Fixture: access logs are not part of this test.',
    });
    app.synth();
    const solutions = new AwsSolutionsChecks(app);
    const nist = new NIST80053R5Checks(app);
    const [report] = ComplianceReport.collect(app, [solutions, nist, new GroundworkChecks(app)]);

    expect(new Set(report.rules.map((r) => r.pack))).toEqual(new Set(['AwsSolutions', 'NIST.800.53.R5', 'Groundwork']));
    expect(report.violations.map((v) => v.ruleId)).toContain('AwsSolutions-S10');
    expect(report.violations.some((v) => v.pack === 'NIST.800.53.R5')).toBe(true);
    expect(report.acknowledgements).toEqual([
      expect.objectContaining({ ruleId: 'AwsSolutions-S1', pack: 'AwsSolutions', suppressedFindings: 1 }),
    ]);
    // The recording wrapper is gone: the pack validates as before.
    expect(Object.prototype.hasOwnProperty.call(solutions, 'applyRule')).toBe(false);
    expect(solutions.validateScope(app).violations.length).toBeGreaterThan(0);
  });

  test('recognises the namespaced form the CDK suggests ("Groundwork::Groundwork-ENC1") and lets synth pass with it', () => {
    const app = new App();
    const stack = new Stack(app, 'Data');
    const bucket = new s3.Bucket(stack, 'Bucket');
    Validations.of(bucket).acknowledge({ id: 'Groundwork::Groundwork-ENC1', reason: 'Fixture: namespaced form.' });
    const pack = new GroundworkChecks(app);
    Validations.of(app).addPlugins(pack);
    expect(() => app.synth()).not.toThrow();

    const [report] = ComplianceReport.collect(app, [pack]);
    expect(report.violations).toEqual([]);
    expect(report.acknowledgements).toEqual([
      {
        ruleId: 'Groundwork::Groundwork-ENC1',
        reason: 'Fixture: namespaced form.',
        constructPath: 'Data/Bucket',
        suppressedFindings: 1,
        pack: 'Groundwork',
      },
    ]);
  });

  test("an acknowledgement namespaced to another plugin does not suppress this pack's finding, in the report or at synth", () => {
    const app = new App();
    const stack = new Stack(app, 'Data');
    const bucket = new s3.Bucket(stack, 'Bucket');
    Validations.of(bucket).acknowledge({ id: 'OtherPack::Groundwork-ENC1', reason: 'Fixture: wrong namespace.' });
    const pack = new GroundworkChecks(app);

    const [report] = ComplianceReport.collect(app, [pack]);
    expect(report.violations.map((v) => `${v.ruleId} ${v.resourcePath}`)).toContain(
      'Groundwork-ENC1 Data/Bucket/Resource',
    );
    expect(report.acknowledgedFindings).toEqual([]);
    expect(report.acknowledgements).toEqual([
      {
        ruleId: 'OtherPack::Groundwork-ENC1',
        reason: 'Fixture: wrong namespace.',
        constructPath: 'Data/Bucket',
        suppressedFindings: 0,
        pack: undefined,
      },
    ]);
    Validations.of(app).addPlugins(pack);
    expect(() => app.synth()).toThrow(/Groundwork-ENC1/);
  });

  test('counts every outcome per stack and rule: compliant, not applicable, findings, a rule that throws', () => {
    const app = new App();
    const one = new Stack(app, 'One');
    new sqs.Queue(one, 'A');
    new sqs.Queue(one, 'B');
    const two = new Stack(app, 'Two');
    new sqs.Queue(two, 'C');
    app.synth();
    const pack = new OutcomesPack();
    const fromPack = pack
      .validateScope(app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
    const reports = ComplianceReport.collect(app, [pack]);

    const counts = (stackPath: string) =>
      byStack(reports, stackPath).rules.map((r) => [r.ruleId, r.resourcesChecked, r.violations]);
    expect(counts('One')).toEqual([
      ['Outcomes-Compliant', 2, 0],
      ['Outcomes-Finds', 2, 2],
      ['Outcomes-NotApplicable', 0, 0],
      ['Outcomes-Throws', 2, 2],
    ]);
    expect(counts('Two')).toEqual([
      ['Outcomes-Compliant', 1, 0],
      ['Outcomes-Finds', 1, 1],
      ['Outcomes-NotApplicable', 0, 0],
      ['Outcomes-Throws', 1, 1],
    ]);
    expect(byStack(reports, 'Two').violations.map((v) => `${v.ruleId} ${v.resourcePath}`)).toEqual([
      'Outcomes-Finds[Size::large] Two/C/Resource',
      'Outcomes-Throws Two/C/Resource',
    ]);
    // The rule that throws is reported by the pack too, with its message.
    const fromReport = reports.flatMap((r) => r.violations.map((v) => `${v.ruleId} ${v.resourcePath}`));
    expect(fromReport.sort()).toEqual(fromPack.sort());
    expect(byStack(reports, 'Two').violations[1].message).toMatch(/Rule threw an error/);
  });

  test('can be collected in a finally after a failed synth, when the platform app writes the report', () => {
    const app = platformApp();
    const pack = new GroundworkChecks(app, { requiredTags: ['owner'] });
    Validations.of(app).addPlugins(pack);
    let reports: StackComplianceReport[] = [];
    try {
      app.synth();
    } catch {
      // expected: Prod/Data/Plain fails ENC3
    } finally {
      reports = ComplianceReport.collect(app, [pack]);
    }
    expect(reports.flatMap((r) => r.violations.map((v) => v.ruleId))).toEqual(['Groundwork-ENC3']);
  });
});

describe('ComplianceReport.toMarkdown', () => {
  test('renders a summary row per stack, every violation and every acknowledgement with its reason', () => {
    const app = platformApp();
    app.synth();
    const markdown = ComplianceReport.toMarkdown(ComplianceReport.collect(app, [new GroundworkChecks(app)]));
    expect(markdown).toContain('| Dev | Dev/Data | 17 | 0 | 1 | 1 |');
    expect(markdown).toContain('| Prod | Prod/Data | 17 | 1 | 0 | 1 |');
    expect(markdown).toMatch(/\| Groundwork-ENC3 \| Prod\/Data\/Plain\/Resource \| The SQS queue/);
    expect(markdown).toContain(
      '| Groundwork-ENC1 | Dev/Data/Bucket | Dev scratch bucket; encryption stated in ADR-7. | 1 |',
    );
    expect(markdown).toContain('| Groundwork-ENC2 | Prod/Data/Plain | Stale: a queue is not a topic. | 0 |');
  });
});

/** A pack with one rule per outcome, for the report's counting. */
class OutcomesPack extends NagPack {
  public readonly name = 'Outcomes';
  constructor() {
    super();
    this.packName = 'Outcomes';
  }
  protected checkResource(node: CfnResource): void {
    const rules: Array<[string, (node: CfnResource) => NagRuleResult]> = [
      ['Compliant', () => NagRuleCompliance.COMPLIANT],
      ['NotApplicable', () => NagRuleCompliance.NOT_APPLICABLE],
      ['Finds', () => ['Size::large']],
      [
        'Throws',
        () => {
          throw new Error('cannot read the property');
        },
      ],
    ];
    for (const [suffix, rule] of rules) {
      this.applyRule({
        ruleSuffixOverride: suffix,
        info: `${suffix} rule.`,
        explanation: 'Test.',
        level: NagMessageLevel.ERROR,
        rule,
        node,
      });
    }
  }
}
