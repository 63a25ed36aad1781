import * as fs from 'fs';
import * as path from 'path';
import { ComplianceReport, GroundworkChecks, StackComplianceReport } from '@groundwork/compliance';
import { BootstrapContract } from '@groundwork/cross-account-roles';
import { App, CfnResource, IPolicyValidationContext, PolicyValidationPluginReport, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, IApplyRule, NagPack, NagRuleCompliance, NagRuleResult, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { CompliancePack, GroundworkConfig } from './config';
import { OrganizationStackSetsStack } from './organization-stack-sets-stack';
import { StackCounts } from './summary';

/** Tag that marks the stacks of production environments for Groundwork-DATA2 (termination protection). */
export const PRODUCTION_TAG = { key: 'groundwork:environment-tier', value: 'production' } as const;

/** What `compliance-report.json` holds. */
export interface CompliancePackReport {
  readonly packs: string[];
  readonly stacks: StackComplianceReport[];
  /**
   * The member templates of the organization's StackSets that are built from constructs, checked by the
   * same packs before they are embedded: one per StackSet, named after it (`stackName`); construct
   * paths are those of the member stack. Empty without `stackSets` in groundwork.yaml.
   */
  readonly stackSetMembers: StackComplianceReport[];
}

/**
 * Creates the packs named in groundwork.yaml `compliance.packs`. Each pack
 * is registered once (on the app and on every stage, by the pipeline's
 * compliance gate); CDK invokes a plugin once per synth with all the stacks it
 * covers, and a pack walks the whole construct tree, stages included.
 */
export interface CompliancePackOptions {
  /** Called with the templates each time CDK runs a pack, before the pack's rules run. */
  readonly beforeValidation?: (context: IPolicyValidationContext) => void;
}

export function createCompliancePacks(
  app: App,
  groundwork: GroundworkConfig,
  options: CompliancePackOptions = {},
): NagPack[] {
  return groundwork.compliance.packs.map((name) =>
    recordEvaluations(createPack(app, name, groundwork), options.beforeValidation),
  );
}

function createPack(app: App, name: CompliancePack, groundwork: GroundworkConfig): NagPack {
  switch (name) {
    case 'AwsSolutions':
      return new AwsSolutionsChecks(app);
    case 'NIST80053R5':
      return new NIST80053R5Checks(app);
    case 'Groundwork':
      return new GroundworkChecks(app, {
        requiredTags: groundwork.compliance.requiredTags,
        // Every role in a target account must carry the deployment boundary
        // (the account's execution role refuses to create one without it).
        requiredPermissionsBoundary: BootstrapContract.boundaryPolicyName(BootstrapContract.DEFAULT_QUALIFIER, ''),
        productionStackTags: { [PRODUCTION_TAG.key]: PRODUCTION_TAG.value },
      });
  }
}

/**
 * The compliance report of the app: per environment and stack, the rules run,
 * the findings and every acknowledgement with its reason and the construct it
 * covers. It replays the evaluations recorded while CDK ran the packs; with
 * `onlyRecorded`, it returns undefined instead of running the rules of a pack
 * that CDK has not run yet.
 */
export function collectComplianceReport(
  app: App,
  packs: NagPack[],
  options: { onlyRecorded?: boolean } = {},
): CompliancePackReport | undefined {
  if (options.onlyRecorded && !packs.every((pack) => recordings.has(pack))) return undefined;
  // One collect per child of the app (the pipeline and access stacks, each environment's stage):
  // collect matches every rule evaluation against every stack of its scope, which grows with the
  // square of the environments when the scope is the whole app. The stacks come out in the same
  // (pre-)order as from one collect over the app.
  const stacks = app.node.children.flatMap((child) =>
    ComplianceReport.collect(
      child,
      packs.map((pack) => replayOf(pack, child)),
    ),
  );
  return { packs: packs.map((p) => p.name), stacks, stackSetMembers: stackSetMemberReports(app) };
}

/** The compliance of the StackSet member templates, collected when the StackSets stack built them. */
function stackSetMemberReports(app: App): StackComplianceReport[] {
  return app.node.children
    .filter((child): child is OrganizationStackSetsStack => child instanceof OrganizationStackSetsStack)
    .flatMap((owner) =>
      owner.memberStackSets.flatMap(({ stackSetName, member }) =>
        member.compliance
          ? [{ ...member.compliance, stackName: stackSetName, stackPath: `${owner.node.path}/${stackSetName}` }]
          : [],
      ),
    );
}

/**
 * Writes compliance-report.json and .md next to the cloud assembly: the
 * report `collected` before (see collectComplianceReport), or collected now.
 * The counts are per deployed stack name; a StackSet member template's
 * findings and acknowledged findings count towards the stack that holds the
 * StackSet (its stackPath is under that stack's), which deploys it.
 */
export function writeComplianceReport(
  app: App,
  packs: NagPack[],
  assemblyDir: string,
  collected?: CompliancePackReport,
): { file: string; counts: StackCounts } {
  const report = collected ?? collectComplianceReport(app, packs)!;
  fs.writeFileSync(path.join(assemblyDir, 'compliance-report.json'), JSON.stringify(report, undefined, 2) + '\n');
  const file = path.join(assemblyDir, 'compliance-report.md');
  fs.writeFileSync(file, renderMarkdown(report));
  const counts: StackCounts = {};
  for (const s of report.stacks) {
    counts[s.stackName] = { findings: s.violations.length, acknowledged: s.acknowledgedFindings.length };
  }
  for (const member of report.stackSetMembers) {
    const owner = report.stacks.find((s) => member.stackPath.startsWith(`${s.stackPath}/`));
    if (!owner) continue;
    const own = counts[owner.stackName];
    counts[owner.stackName] = {
      findings: own.findings + member.violations.length,
      acknowledged: own.acknowledged + member.acknowledgedFindings.length,
    };
  }
  return { file, counts };
}

export function renderMarkdown(report: CompliancePackReport): string {
  const lines = [
    '# Compliance report',
    '',
    `Packs: ${report.packs.join(', ')}. They run on the pipeline stack and on every environment stage.`,
    '',
    '| environment | stack | rules run | findings | acknowledged findings |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const s of report.stacks) {
    lines.push(
      `| ${s.stageName || '(app)'} | ${s.stackName} | ${s.rules.length} | ${s.violations.length} | ${s.acknowledgedFindings.length} |`,
    );
  }
  if (report.stackSetMembers.length > 0) {
    lines.push(
      '',
      '## StackSet member templates',
      '',
      'Checked by the same packs before they are embedded; the organization deploys them to every account of its units.',
      '',
      '| StackSet | rules run | findings | acknowledged findings |',
      '| --- | ---: | ---: | ---: |',
    );
    for (const s of report.stackSetMembers) {
      lines.push(`| ${s.stackName} | ${s.rules.length} | ${s.violations.length} | ${s.acknowledgedFindings.length} |`);
    }
  }
  const checked = [...report.stacks, ...report.stackSetMembers];
  const findings = checked.flatMap((s) => s.violations);
  lines.push('', '## Findings', '');
  if (findings.length === 0) lines.push('None.');
  for (const f of findings) lines.push(`- **${f.ruleId}** on \`${f.resourcePath}\`: ${f.message}`);
  lines.push('', '## Acknowledgements', '');
  const acks = checked.flatMap((s) => s.acknowledgements.map((a) => ({ ...a, stack: s.stackName })));
  if (acks.length === 0) lines.push('None.');
  for (const a of acks) {
    lines.push(
      `- **${a.ruleId}** on \`${a.constructPath}\` (${a.stack}, ${a.suppressedFindings} finding(s)): ${a.reason}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** What cdk-nag needs of a rule besides the resource and the result: the same for every resource it checks. */
interface RuleMeta {
  /** The rule id suffix cdk-nag derives from the rule function's name when there is no override. */
  readonly suffix: string;
  readonly info: string;
  readonly explanation: string;
  readonly level: IApplyRule['level'];
}

/** A rule that threw: cdk-nag reports it as a finding with the error's message. */
class RuleError {
  constructor(readonly error: unknown) {}
}

/**
 * The rule evaluations under one child of the app, in the order the pack made them, as
 * parallel arrays: a few hundred thousand evaluations for a few environments, so one
 * object per evaluation would cost tens of MB of peak memory (docs/performance.md).
 * Not-applicable results are kept once per stack and rule: all the report learns from
 * them is that the rule ran on the stack, and they are most of the evaluations.
 */
class Evaluations {
  readonly rules: RuleMeta[] = [];
  readonly nodes: CfnResource[] = [];
  readonly outcomes: Array<NagRuleResult | RuleError> = [];
}

/** A pack's rule evaluations of its last validation, by the child of the app they fall under. */
const recordings = new WeakMap<NagPack, Map<IConstruct, Evaluations>>();

/**
 * Records the rule evaluations while CDK runs the pack at synthesis (each one,
 * except repeated not-applicable results: see Evaluations), so that the
 * compliance report can replay them (see replayOf) instead of running every
 * rule on every resource a second time: that second run was about a third of
 * the time the packs take per environment (npm run bench:synth, docs/performance.md).
 * cdk-nag 3 has no hook for this; like ComplianceReport.collect, it wraps the
 * pack's applyRule, calls each rule once and hands its result on unchanged.
 */
function recordEvaluations<T extends NagPack>(
  pack: T,
  beforeValidation?: (context: IPolicyValidationContext) => void,
): T {
  const target = pack as unknown as {
    applyRule(params: IApplyRule): void;
    validate(context: IPolicyValidationContext): PolicyValidationPluginReport;
  };
  const applyRule = target.applyRule;
  const validate = target.validate;
  // One RuleMeta per rule, shared by all its evaluations (the packs pass the same literals every time).
  const metas = new Map<string, RuleMeta[]>();
  const metaOf = (params: IApplyRule): RuleMeta => {
    const suffix = params.ruleSuffixOverride ?? params.rule.name;
    const known = metas.get(suffix) ?? [];
    metas.set(suffix, known);
    const same = known.find(
      (m) => m.info === params.info && m.explanation === params.explanation && m.level === params.level,
    );
    if (same) return same;
    const meta = { suffix, info: params.info, explanation: params.explanation, level: params.level };
    known.push(meta);
    return meta;
  };
  let recording: Map<IConstruct, Evaluations> | undefined;
  /** Per stack, the rules whose not-applicable result is recorded already. */
  let notApplicable: Map<Stack, Set<RuleMeta>> | undefined;
  let lastNode: CfnResource | undefined;
  let lastEvaluations: Evaluations | undefined;
  let lastNotApplicable: Set<RuleMeta> | undefined;
  target.validate = function (this: NagPack, context: IPolicyValidationContext) {
    beforeValidation?.(context);
    recording = new Map();
    notApplicable = new Map();
    try {
      const report = validate.call(this, context);
      recordings.set(pack, recording);
      return report;
    } finally {
      recording = undefined;
      notApplicable = undefined;
      lastNode = undefined;
      lastEvaluations = undefined;
      lastNotApplicable = undefined;
    }
  };
  target.applyRule = function (this: NagPack, params: IApplyRule) {
    if (!recording || this !== pack) return applyRule.call(this, params);
    // cdk-nag applies every rule of the pack to one resource before it moves on to the next.
    if (params.node !== lastNode) {
      lastNode = params.node;
      const unit = params.node.node.scopes[1] ?? params.node;
      lastEvaluations = recording.get(unit);
      if (!lastEvaluations) {
        lastEvaluations = new Evaluations();
        recording.set(unit, lastEvaluations);
      }
      const stack = Stack.of(params.node);
      lastNotApplicable = notApplicable!.get(stack);
      if (!lastNotApplicable) {
        lastNotApplicable = new Set();
        notApplicable!.set(stack, lastNotApplicable);
      }
    }
    const evaluations = lastEvaluations!;
    let outcome: NagRuleResult | RuleError;
    try {
      outcome = params.rule(params.node);
    } catch (error) {
      outcome = new RuleError(error);
    }
    const meta = metaOf(params);
    if (outcome === NOT_APPLICABLE) {
      if (lastNotApplicable!.has(meta)) return;
      lastNotApplicable!.add(meta);
    }
    evaluations.rules.push(meta);
    evaluations.nodes.push(params.node);
    evaluations.outcomes.push(outcome);
    // Nearly every evaluation is compliant or not applicable, and for those cdk-nag's applyRule only
    // calls the rule and reports nothing. Skipping it took the three packs from 3.4-4.3 s to 1.8-2.2 s
    // at 20 environments (docs/performance.md).
    if (outcome === COMPLIANT || outcome === NOT_APPLICABLE) return;
    return applyRule.call(this, { ...params, ruleSuffixOverride: meta.suffix, rule: replayRule(outcome) });
  };
  return pack;
}

// Read once: cdk-nag's exports are getters, and the code here compares or replays every evaluation.
const COMPLIANT = NagRuleCompliance.COMPLIANT;
const NOT_APPLICABLE = NagRuleCompliance.NOT_APPLICABLE;
const REPLAY_COMPLIANT = () => COMPLIANT;
const REPLAY_NOT_APPLICABLE = () => NOT_APPLICABLE;

function replayRule(outcome: NagRuleResult | RuleError): (node: CfnResource) => NagRuleResult {
  // Nearly every outcome is one of these two: one shared function each instead of a closure per evaluation.
  if (outcome === NOT_APPLICABLE) return REPLAY_NOT_APPLICABLE;
  if (outcome === COMPLIANT) return REPLAY_COMPLIANT;
  return () => {
    if (outcome instanceof RuleError) throw outcome.error;
    return outcome;
  };
}

/**
 * The pack as ComplianceReport.collect sees it for one child of the app: its
 * validateScope replays the evaluations recorded at synthesis under that child
 * through the pack's own applyRule (acknowledgements, violations), without
 * running the rules. A pack CDK never ran (no recording) is returned as is.
 */
function replayOf(pack: NagPack, child: IConstruct): NagPack {
  const recording = recordings.get(pack);
  if (!recording) return pack;
  const evaluations = recording.get(child) ?? new Evaluations();
  // Inherits the pack's name, settings and applyRule; only validateScope and the violations it collects are its own.
  const replay = Object.create(pack) as {
    violations: PolicyValidationPluginReport['violations'];
    applyRule(params: IApplyRule): void;
    validateScope(scope: IConstruct): PolicyValidationPluginReport;
  };
  replay.validateScope = function (this: typeof replay, scope: IConstruct): PolicyValidationPluginReport {
    if (scope !== child) throw new Error(`replay of ${pack.readPackName} covers ${child.node.path} only`);
    this.violations = [];
    evaluations.nodes.forEach((node, i) => {
      const { suffix, info, explanation, level } = evaluations.rules[i];
      this.applyRule({
        ruleSuffixOverride: suffix,
        info,
        explanation,
        level,
        node,
        rule: replayRule(evaluations.outcomes[i]),
      });
    });
    return { success: this.violations.length === 0, violations: this.violations };
  };
  return replay as unknown as NagPack;
}
