import { Stack, Stage } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Platform } from './platform';

/** One row of the main job's summary. */
export interface SummaryRow {
  /** Environment name, "pipeline", or "<env> access". */
  readonly environment: string;
  /** Who deploys it: the pipeline, or an administrator. */
  readonly deployedBy: string;
  readonly target: string;
  readonly stacks: number;
  readonly resources: number;
  readonly findings: number;
  readonly acknowledged: number;
}

/** Findings and acknowledgements, keyed by stack name. */
export type StackCounts = Record<string, { findings: number; acknowledged: number }>;

/** Counts stacks, resources and compliance results per row of the platform. */
export function summarize(platform: Platform, assembly: cxapi.CloudAssembly, counts: StackCounts = {}): SummaryRow[] {
  const row = (environment: string, deployedBy: string, stacks: Stack[]): SummaryRow => {
    const artifacts = stacks.map((s) => artifactOf(assembly, s));
    const findings = stacks.reduce((n, s) => n + (counts[s.stackName]?.findings ?? 0), 0);
    const acknowledged = stacks.reduce((n, s) => n + (counts[s.stackName]?.acknowledged ?? 0), 0);
    return {
      environment,
      deployedBy,
      target: [...new Set(stacks.map((s) => `${s.account}/${s.region}`))].join(', '),
      stacks: stacks.length,
      resources: artifacts.reduce((n, a) => n + Object.keys(a.template.Resources ?? {}).length, 0),
      findings,
      acknowledged,
    };
  };
  // CodePipeline's per-region replication stacks deploy with the pipeline stack (its own region's
  // entry is the pipeline stack itself).
  const support = Object.values(platform.pipeline.cdkPipeline.pipeline.crossRegionSupport)
    .map((s) => s.stack)
    .filter((s) => s !== platform.pipelineStack);
  return [
    row('pipeline', 'bootstrap', [platform.pipelineStack, ...support]),
    ...platform.stages.map((stage) => row(stage.stageName, 'pipeline', stacksOf(stage))),
    ...platform.accessStacks.map((stack) => row(`${stack.environmentName} access`, 'admin', [stack])),
    ...(platform.organizationStackSets
      ? [row('organization stacksets', 'admin', [platform.organizationStackSets])]
      : []),
  ];
}

export function stacksOf(stage: Stage): Stack[] {
  return stage.node.children.filter(Stack.isStack);
}

function artifactOf(assembly: cxapi.CloudAssembly, stack: Stack): cxapi.CloudFormationStackArtifact {
  const stage = Stage.of(stack);
  const owner = stage && stage.parentStage ? assembly.getNestedAssembly(stage.artifactId) : assembly;
  return owner.getStackArtifact(stack.artifactId);
}

/** Renders rows as an aligned plain-text table. */
export function renderTable(rows: SummaryRow[]): string {
  const header = ['environment', 'deployed by', 'account/region', 'stacks', 'resources', 'findings', 'acknowledged'];
  const body = rows.map((r) => [
    r.environment,
    r.deployedBy,
    r.target,
    String(r.stacks),
    String(r.resources),
    String(r.findings),
    String(r.acknowledged),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
