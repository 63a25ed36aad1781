import { App, Stack, StackProps } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ComplianceReport, GroundworkChecks, GroundworkChecksProps } from '../src';

// Template validation costs ~4 s per synth and is not what these tests are about.
process.env.CDK_VALIDATION = 'false';

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';

/** A stack in a fresh app, with a concrete account so cross-account rules can compare. */
export function newStack(props: StackProps = { env: { account: ACCOUNT, region: 'eu-west-1' } }): Stack {
  return new Stack(new App(), 'Test', props);
}

/** A finding as the pack reports it: rule id and construct path. */
export interface Finding {
  readonly ruleId: string;
  readonly path: string;
}

/** Every unacknowledged Groundwork finding under `scope`, flattened from the validation report. */
export function findings(scope: IConstruct, props: GroundworkChecksProps = {}): Finding[] {
  const report = new GroundworkChecks(undefined, props).validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({ ruleId: v.ruleName, path: r.constructPath ?? '' })),
  );
}

/** Findings of one rule (its bare id and any `[finding]` suffixes). */
export function findingsOf(scope: IConstruct, ruleId: string, props: GroundworkChecksProps = {}): Finding[] {
  return findings(scope, props).filter((f) => f.ruleId === ruleId || f.ruleId.startsWith(`${ruleId}[`));
}

/**
 * How many resources of `stack` the rule applied to. A passing fixture asserts this is at least
 * one, so that "no finding" cannot come from a rule that never looked at the resource.
 */
export function resourcesChecked(stack: Stack, ruleId: string, props: GroundworkChecksProps = {}): number {
  const [report] = ComplianceReport.collect(stack, [new GroundworkChecks(undefined, props)]);
  return report.rules.find((r) => r.ruleId === ruleId)?.resourcesChecked ?? 0;
}

/** Asserts the rule applied to the stack and found nothing. */
export function expectCompliant(stack: Stack, ruleId: string, props: GroundworkChecksProps = {}): void {
  expect(findingsOf(stack, ruleId, props)).toEqual([]);
  expect(resourcesChecked(stack, ruleId, props)).toBeGreaterThan(0);
}

/** Asserts the rule reported exactly the given resource paths. */
export function expectFindings(stack: Stack, ruleId: string, paths: string[], props: GroundworkChecksProps = {}): void {
  expect(findingsOf(stack, ruleId, props).map((f) => f.path)).toEqual(paths);
}
