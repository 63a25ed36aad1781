import { GENERATED_NOTICE, mermaidText } from './trust-graph';
import { AssemblyStack, compareStrings } from '../change-report/cloud-assembly';
import { renderValue } from '../change-report/policy-statements';

/** One action of a synthesized CodePipeline, as deployed. */
export interface PipelineAction {
  readonly name: string;
  readonly runOrder: number;
  /** `Deploy/CloudFormation`, `Build/CodeBuild`, `Approval/Manual`, ... */
  readonly type: string;
  /** The account of the role the action runs as, when it is another account's role. */
  readonly account?: string;
}

export interface PipelineStage {
  readonly name: string;
  readonly actions: PipelineAction[];
}

export interface SynthesizedPipeline {
  readonly stack: string;
  readonly logicalId: string;
  readonly stages: PipelineStage[];
}

/** Every AWS::CodePipeline::Pipeline in the assembly, with its stages and actions in order. */
export function pipelinesOf(stacks: readonly AssemblyStack[]): SynthesizedPipeline[] {
  const pipelines: SynthesizedPipeline[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::CodePipeline::Pipeline') continue;
      const stages = (resource.Properties?.Stages ?? []) as Array<{ Name: string; Actions?: any[] }>;
      pipelines.push({
        stack: stack.stackName,
        logicalId,
        stages: stages.map((stage) => ({
          name: stage.Name,
          actions: (stage.Actions ?? []).map((action) => {
            const role = action.RoleArn === undefined ? '' : renderValue(action.RoleArn);
            return {
              name: String(action.Name),
              runOrder: Number(action.RunOrder ?? 1),
              type: `${action.ActionTypeId?.Category}/${action.ActionTypeId?.Provider}`,
              account: /:iam::(\d{12}):/.exec(role)?.[1],
            };
          }),
        })),
      });
    }
  }
  return pipelines.sort((a, b) => compareStrings(a.stack, b.stack) || compareStrings(a.logicalId, b.logicalId));
}

/**
 * The pipeline as Markdown: a Mermaid flowchart with one box per stage (a
 * wave is a stage), one node per step (actions with the same run order run
 * in parallel), and a table of the stages.
 */
export function renderPipelines(pipelines: readonly SynthesizedPipeline[], accounts: ReadonlyMap<string, string>) {
  const out = ['# Pipeline', '', GENERATED_NOTICE, ''];
  for (const pipeline of pipelines) {
    const actions = pipeline.stages.reduce((n, s) => n + s.actions.length, 0);
    out.push(
      `## ${pipeline.stack} (${pipeline.stages.length} stages, ${actions} actions)`,
      '',
      'Stages run top to bottom; inside a stage, the actions of one step run in parallel and steps run in order.',
      '',
      '```mermaid',
      'flowchart TB',
    );
    const stageIds: string[] = [];
    pipeline.stages.forEach((stage, s) => {
      const stageId = `s${s + 1}`;
      stageIds.push(stageId);
      out.push(`  subgraph ${stageId}["${mermaidText(stage.name)}"]`, '    direction LR');
      const steps = [...new Set(stage.actions.map((a) => a.runOrder))].sort((a, b) => a - b);
      steps.forEach((runOrder, i) => {
        const lines = stage.actions
          .filter((a) => a.runOrder === runOrder)
          .map((a) => `${a.name} (${a.type}${a.account ? ` in ${accountName(a.account, accounts)}` : ''})`);
        out.push(`    ${stageId}_${i + 1}["${mermaidText(lines.join('\n')).replace(/\n/g, '<br/>')}"]`);
        if (i > 0) out.push(`    ${stageId}_${i} --> ${stageId}_${i + 1}`);
      });
      out.push('  end');
    });
    for (let i = 1; i < stageIds.length; i++) out.push(`  ${stageIds[i - 1]} --> ${stageIds[i]}`);
    out.push('```', '', '| # | Stage | Actions | Steps | Target accounts |', '| --- | --- | --- | --- | --- |');
    pipeline.stages.forEach((stage, s) => {
      const targets = [...new Set(stage.actions.flatMap((a) => (a.account ? [accountName(a.account, accounts)] : [])))];
      out.push(
        `| ${s + 1} | ${stage.name} | ${stage.actions.length} | ${new Set(stage.actions.map((a) => a.runOrder)).size} | ${
          targets.sort(compareStrings).join(', ') || '-'
        } |`,
      );
    });
    out.push('');
  }
  return out.join('\n');
}

function accountName(account: string, accounts: ReadonlyMap<string, string>): string {
  return accounts.has(account) ? `${accounts.get(account)} ${account}` : account;
}
