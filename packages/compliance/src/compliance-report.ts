import { CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * One finding of one rule on one resource.
 */
export interface ComplianceFinding {
  /** The pack that reported it, e.g. `AwsSolutions`, `NIST.800.53.R5`, `Groundwork`. */
  readonly pack: string;
  /** The rule id, with the finding suffix when the rule reports several, e.g. `Groundwork-TAG1[Tag::owner]`. */
  readonly ruleId: string;
  /** Construct path of the resource, e.g. `Prod/Network/WebSg/Resource`. */
  readonly resourcePath: string;
  /** The rule's message. */
  readonly message: string;
  /** `error` or `warning`, as the pack reports it. */
  readonly severity: string;
}

/**
 * One acknowledgement recorded with `Validations.of(construct).acknowledge({ id, reason })`.
 */
export interface ComplianceAcknowledgement {
  /** The acknowledged rule id, as written, e.g. `AwsSolutions-IAM5[Resource::*]`. */
  readonly ruleId: string;
  /** The reason given. */
  readonly reason: string;
  /** Path of the construct the acknowledgement was made on; it covers that construct and everything below it. */
  readonly constructPath: string;
  /**
   * How many findings of the collected packs in this stack it suppressed. Zero means it is stale
   * (or belongs to a pack that was not collected, see `pack`) and should be removed.
   */
  readonly suppressedFindings: number;
  /**
   * The collected pack whose rule it acknowledges.
   *
   * @default - the id does not start with the name of any collected pack
   */
  readonly pack?: string;
}

/**
 * What one rule did in one stack.
 */
export interface ComplianceRuleRun {
  /** The pack the rule belongs to. */
  readonly pack: string;
  /** The rule id without finding suffix, e.g. `Groundwork-NET1`. */
  readonly ruleId: string;
  /** Resources of the stack the rule applied to (result other than not-applicable). */
  readonly resourcesChecked: number;
  /** Findings not acknowledged. */
  readonly violations: number;
  /** Findings suppressed by an acknowledgement. */
  readonly acknowledged: number;
}

/**
 * Compliance of one stack under all collected packs.
 */
export interface StackComplianceReport {
  /** Construct path of the stack, e.g. `Prod/Network`. */
  readonly stackPath: string;
  /** The deployed stack name. */
  readonly stackName: string;
  /** Construct path of the stage (environment) the stack belongs to; empty for the app itself. */
  readonly stagePath: string;
  /** Name of that stage; empty for the app itself. */
  readonly stageName: string;
  /** Every rule the packs ran on the stack's resources. */
  readonly rules: ComplianceRuleRun[];
  /** Unacknowledged findings: any of these fails synthesis when the pack is registered. */
  readonly violations: ComplianceFinding[];
  /** Findings suppressed by an acknowledgement. */
  readonly acknowledgedFindings: ComplianceFinding[];
  /** Every acknowledgement made on the stack, its constructs, or a stage or app above it. */
  readonly acknowledgements: ComplianceAcknowledgement[];
}

/** What the rules did in one stack, counted while they run (one object per finding, not per evaluation). */
class StackTally {
  /** Every rule that ran on the stack's resources, by rule id. */
  readonly rules = new Map<string, RuleRunCount>();
  /** The findings, in the order the rules reported them. */
  readonly findings: RawFinding[] = [];
}

interface RuleRunCount {
  readonly pack: string;
  readonly ruleId: string;
  resourcesChecked: number;
  violations: number;
  acknowledged: number;
}

/** One finding as recorded: the report resolves messages and acknowledgements afterwards. */
interface RawFinding {
  readonly run: RuleRunCount;
  readonly namespace: string;
  readonly findingId: string;
  readonly node: CfnResource;
  readonly info: string;
  readonly severity: string;
}

interface RuleParams {
  readonly ruleSuffixOverride?: string;
  readonly info: string;
  readonly level: NagMessageLevel;
  readonly rule: (node: CfnResource) => unknown;
  readonly node: CfnResource;
}

/**
 * Builds a per-stack compliance report (rules run, violations, acknowledgements with their reasons)
 * from cdk-nag packs, for the platform app to write next to the cloud assembly.
 */
export class ComplianceReport {
  /**
   * Runs each pack over `scope` and returns one report per stack found under it (stages included).
   *
   * Call it after `app.synth()` (also in a `finally` when synth failed): aspects such as
   * `Tags.of()` and `PermissionsBoundary.of()` are applied during synthesis, and the packs must see
   * their result, exactly as they do when registered with `Validations.of(app).addPlugins()`.
   *
   * To learn which rules ran and what each returned, it wraps the packs' `applyRule` for the
   * duration of the call (cdk-nag 3 exposes no hook for that); the wrapper is removed afterwards.
   *
   * @param scope the app (or a stage) to report on
   * @param packs the packs to run, e.g. AwsSolutionsChecks, NIST80053R5Checks, GroundworkChecks
   */
  public static collect(scope: IConstruct, packs: NagPack[]): StackComplianceReport[] {
    const tallies = new Map<Stack, StackTally>();
    // The packs' own messages (verbose or not, as configured), keyed by finding id and resource path.
    const reported = new Map<string, { message: string; severity: string }>();
    for (const pack of packs) {
      const report = withRecording(pack, tallies, () => pack.validateScope(scope));
      for (const violation of report.violations) {
        for (const resource of violation.violatingResources) {
          reported.set(`${violation.ruleName}|${resource.constructPath}`, {
            message: violation.description,
            severity: violation.severity ?? 'error',
          });
        }
      }
    }
    const stacks = scope.node.findAll().filter((c): c is Stack => Stack.isStack(c));

    return stacks.map((stack) => {
      const acknowledgements = acknowledgementsFor(stack);
      const suppressed = new Map<AcknowledgementRecord, number>();
      const violations: ComplianceFinding[] = [];
      const acknowledgedFindings: ComplianceFinding[] = [];
      const tally = tallies.get(stack) ?? new StackTally();

      for (const raw of tally.findings) {
        const resourcePath = raw.node.node.path;
        const fromPack = reported.get(`${raw.findingId}|${resourcePath}`);
        const finding: ComplianceFinding = {
          pack: raw.run.pack,
          ruleId: raw.findingId,
          resourcePath,
          message: fromPack?.message ?? raw.info,
          severity: fromPack?.severity ?? raw.severity,
        };
        const ack = closestAcknowledgement(raw, acknowledgements);
        if (ack) {
          raw.run.acknowledged++;
          acknowledgedFindings.push(finding);
          suppressed.set(ack, (suppressed.get(ack) ?? 0) + 1);
        } else {
          raw.run.violations++;
          violations.push(finding);
        }
      }

      const stage = Stage.of(stack);
      return {
        stackPath: stack.node.path,
        stackName: stack.stackName,
        stagePath: stage?.node.path ?? '',
        stageName: stage?.stageName ?? '',
        rules: [...tally.rules.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId)),
        violations: violations.sort(byRuleThenPath),
        acknowledgedFindings: acknowledgedFindings.sort(byRuleThenPath),
        acknowledgements: acknowledgements.map((a) => ({
          ruleId: a.writtenId,
          reason: a.reason,
          constructPath: a.construct.node.path,
          suppressedFindings: suppressed.get(a) ?? 0,
          pack: packs.find((p) =>
            a.namespace === undefined ? a.ruleId.startsWith(`${p.readPackName}-`) : a.namespace === pluginNamespace(p),
          )?.readPackName,
        })),
      };
    });
  }

  /**
   * Renders reports as Markdown: a summary table (one row per stack) followed by every
   * violation and every acknowledgement with its reason.
   * @param reports the output of `collect`
   */
  public static toMarkdown(reports: StackComplianceReport[]): string {
    const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const lines = [
      '# Compliance report',
      '',
      '| Stage | Stack | Rules run | Violations | Acknowledged findings | Acknowledgements |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
      ...reports.map(
        (r) =>
          `| ${r.stageName || '(app)'} | ${r.stackPath} | ${r.rules.length} | ${r.violations.length} | ${r.acknowledgedFindings.length} | ${r.acknowledgements.length} |`,
      ),
    ];
    for (const r of reports) {
      lines.push('', `## ${r.stackPath}`, '');
      if (r.violations.length === 0) {
        lines.push('No violations.');
      } else {
        lines.push('| Rule | Resource | Message |', '| --- | --- | --- |');
        r.violations.forEach((v) => lines.push(`| ${v.ruleId} | ${v.resourcePath} | ${escape(v.message)} |`));
      }
      if (r.acknowledgements.length > 0) {
        lines.push(
          '',
          '| Acknowledged rule | Construct | Reason | Findings suppressed |',
          '| --- | --- | --- | ---: |',
        );
        r.acknowledgements.forEach((a) =>
          lines.push(`| ${a.ruleId} | ${a.constructPath} | ${escape(a.reason)} | ${a.suppressedFindings} |`),
        );
      }
    }
    return lines.join('\n') + '\n';
  }

  private constructor() {}
}

/** An acknowledgement read from construct metadata. */
interface AcknowledgementRecord {
  /** The rule id without namespace, e.g. `Groundwork-TAG1[Tag::owner]`. */
  readonly ruleId: string;
  /** The plugin namespace it was written with (`Groundwork::...`); undefined for a plain id. */
  readonly namespace?: string;
  /** The id as the developer wrote it. */
  readonly writtenId: string;
  readonly reason: string;
  readonly construct: IConstruct;
}

// aws-cdk-lib stores a plain id as 'Annotation::<id>' (<2.262.1: 'annotation::'). cdk-nag strips
// that prefix and matches the rest; the CDK's own report also matches '<plugin name>::<id>'.
const ANNOTATION_NAMESPACES = ['annotation', 'construct-annotations'];

/** The namespace aws-cdk-lib gives a plugin's findings: its name with spaces as dashes. */
function pluginNamespace(pack: NagPack): string {
  return pack.name.replace(/ /g, '-');
}

function parseAcknowledgement(qualifiedId: string, reason: unknown, construct: IConstruct): AcknowledgementRecord {
  // The namespace ends at the first '::' outside brackets; finding ids such as '[Resource::*]' contain '::' too.
  const match = /^([^[\]]+?)::(.+)$/.exec(qualifiedId);
  if (!match || ANNOTATION_NAMESPACES.includes(match[1].toLowerCase())) {
    const ruleId = match ? match[2] : qualifiedId;
    return { ruleId, writtenId: ruleId, reason: String(reason), construct };
  }
  return { ruleId: match[2], namespace: match[1], writtenId: qualifiedId, reason: String(reason), construct };
}

/**
 * Acknowledgements that apply to a stack: those recorded on its constructs (nested stacks
 * excluded, they get their own report) and on every construct above it (stages, app).
 * cdk-nag 3 reads the same metadata (`Validations.ACKNOWLEDGED_RULES_METADATA_KEY`, one entry
 * `{ '<namespace>::<id>': reason }` per acknowledgement) when it decides whether a finding is suppressed.
 */
function acknowledgementsFor(stack: Stack): AcknowledgementRecord[] {
  const above: IConstruct[] = [];
  for (let c = stack.node.scope; c; c = c.node.scope) {
    above.unshift(c);
  }
  const within = stack.node.findAll().filter((c) => Stack.of(c) === stack);
  const records: AcknowledgementRecord[] = [];
  for (const construct of [...above, ...within]) {
    for (const entry of construct.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && entry.data) {
        for (const [qualifiedId, reason] of Object.entries(entry.data as { [id: string]: string })) {
          records.push(parseAcknowledgement(qualifiedId, reason, construct));
        }
      }
    }
  }
  return records;
}

/**
 * The acknowledgement that suppresses a finding: the first match walking from the resource up
 * to the root, as cdk-nag does. A namespaced acknowledgement only matches its own plugin's findings.
 */
function closestAcknowledgement(
  finding: RawFinding,
  acknowledgements: AcknowledgementRecord[],
): AcknowledgementRecord | undefined {
  for (let c: IConstruct | undefined = finding.node; c; c = c.node.scope) {
    const match = acknowledgements.find(
      (a) =>
        a.construct === c &&
        a.ruleId === finding.findingId &&
        (a.namespace === undefined || a.namespace === finding.namespace),
    );
    if (match) {
      return match;
    }
  }
  return undefined;
}

function byRuleThenPath(a: ComplianceFinding, b: ComplianceFinding): number {
  return a.ruleId.localeCompare(b.ruleId) || a.resourcePath.localeCompare(b.resourcePath);
}

/**
 * Runs `action` with the pack's `applyRule` wrapped so that every rule evaluation is counted, per
 * stack and rule, into `tallies`. The wrapper calls the rule once; a finding (or a rule that throws)
 * goes on to cdk-nag unchanged, while a compliant or not-applicable result, on which cdk-nag's
 * `applyRule` does nothing, is only counted: most evaluations are not applicable, and the report
 * must not cost more than the packs themselves.
 */
function withRecording<T>(pack: NagPack, tallies: Map<Stack, StackTally>, action: () => T): T {
  const target = pack as unknown as { applyRule: (params: RuleParams) => void };
  const original = target.applyRule;
  const packName = pack.readPackName;
  const namespace = pluginNamespace(pack);
  // Rule ids by suffix: the packs pass the same suffixes millions of times at scale, and a rule id
  // built afresh for each evaluation would be hashed afresh for each map lookup.
  const ruleIds = new Map<string, string>();
  // The packs apply every rule to one resource before moving on to the next.
  let lastNode: CfnResource | undefined;
  let tally = new StackTally();
  target.applyRule = function (this: unknown, params: RuleParams): void {
    if (params.node !== lastNode) {
      lastNode = params.node;
      const stack = Stack.of(params.node);
      tally = tallies.get(stack) ?? new StackTally();
      tallies.set(stack, tally);
    }
    const suffix = params.ruleSuffixOverride ?? params.rule.name;
    let ruleId = ruleIds.get(suffix);
    if (ruleId === undefined) {
      ruleId = `${packName}-${suffix}`;
      ruleIds.set(suffix, ruleId);
    }
    let run = tally.rules.get(ruleId);
    if (!run) {
      run = { pack: packName, ruleId, resourcesChecked: 0, violations: 0, acknowledged: 0 };
      tally.rules.set(ruleId, run);
    }
    let result: unknown;
    try {
      result = params.rule(params.node);
    } catch (error) {
      // cdk-nag reports a rule that throws as a finding under the bare rule id.
      recordFindings(tally, run, namespace, params, [ruleId]);
      original.call(this, { ...params, ruleSuffixOverride: suffix, rule: rethrow(error) });
      return;
    }
    if (result === NON_COMPLIANT) {
      recordFindings(tally, run, namespace, params, [ruleId]);
    } else if (Array.isArray(result)) {
      recordFindings(
        tally,
        run,
        namespace,
        params,
        result.map((finding) => `${ruleId}[${finding}]`),
      );
    } else {
      if (result !== NOT_APPLICABLE) run.resourcesChecked++;
      return;
    }
    original.call(this, { ...params, ruleSuffixOverride: suffix, rule: () => result });
  };
  try {
    return action();
  } finally {
    delete (pack as unknown as { applyRule?: unknown }).applyRule;
    if (target.applyRule !== original) {
      target.applyRule = original;
    }
  }
}

// Read once: cdk-nag's exports are getters, and the wrapper above compares every evaluation's result.
const NON_COMPLIANT = NagRuleCompliance.NON_COMPLIANT;
const NOT_APPLICABLE = NagRuleCompliance.NOT_APPLICABLE;

/** Counts one evaluation with findings: the resource was checked, and each finding is kept. */
function recordFindings(
  tally: StackTally,
  run: RuleRunCount,
  namespace: string,
  params: RuleParams,
  findingIds: string[],
): void {
  run.resourcesChecked++;
  for (const findingId of findingIds) {
    tally.findings.push({
      run,
      namespace,
      findingId,
      node: params.node,
      info: params.info,
      // Same mapping as cdk-nag's report: only ERROR is an error.
      severity: params.level === NagMessageLevel.ERROR ? 'error' : 'warning',
    });
  }
}

function rethrow(error: unknown): () => never {
  return () => {
    throw error;
  };
}
