import * as fs from 'fs';
import * as path from 'path';
import { ComplianceReport, GroundworkChecks, StackComplianceReport } from '@groundwork/compliance';
import { BootstrapContract } from '@groundwork/cross-account-roles';
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';
import { CompliancePack, GroundworkConfig } from './config';
import { StackCounts } from './summary';

/** Tag that marks the stacks of production environments for Groundwork-DATA2 (termination protection). */
export const PRODUCTION_TAG = { key: 'groundwork:environment-tier', value: 'production' } as const;

/** What `compliance-report.json` holds. */
export interface CompliancePackReport {
  readonly packs: string[];
  readonly stacks: StackComplianceReport[];
}

/**
 * Creates the packs named in groundwork.yaml `compliance.packs`. Each pack
 * is registered once (on the app and on every stage, by the pipeline's
 * compliance gate); CDK invokes a plugin once per synth with all the stacks it
 * covers, and a pack walks the whole construct tree, stages included.
 */
export function createCompliancePacks(app: App, groundwork: GroundworkConfig): NagPack[] {
  return groundwork.compliance.packs.map((name) => createPack(app, name, groundwork));
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
 * Writes compliance-report.json and .md next to the cloud assembly: per
 * environment and stack, the rules run, the findings and every
 * acknowledgement with its reason and the construct it covers.
 */
export function writeComplianceReport(
  app: App,
  packs: NagPack[],
  assemblyDir: string,
): { file: string; counts: StackCounts } {
  const stacks = ComplianceReport.collect(app, packs);
  const report: CompliancePackReport = { packs: packs.map((p) => p.name), stacks };
  fs.writeFileSync(path.join(assemblyDir, 'compliance-report.json'), JSON.stringify(report, undefined, 2) + '\n');
  const file = path.join(assemblyDir, 'compliance-report.md');
  fs.writeFileSync(file, renderMarkdown(report));
  const counts: StackCounts = {};
  for (const s of stacks) {
    counts[s.stackName] = { findings: s.violations.length, acknowledged: s.acknowledgedFindings.length };
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
  const findings = report.stacks.flatMap((s) => s.violations);
  lines.push('', '## Findings', '');
  if (findings.length === 0) lines.push('None.');
  for (const f of findings) lines.push(`- **${f.ruleId}** on \`${f.resourcePath}\`: ${f.message}`);
  lines.push('', '## Acknowledgements', '');
  const acks = report.stacks.flatMap((s) => s.acknowledgements.map((a) => ({ ...a, stack: s.stackName })));
  if (acks.length === 0) lines.push('None.');
  for (const a of acks) {
    lines.push(
      `- **${a.ruleId}** on \`${a.constructPath}\` (${a.stack}, ${a.suppressedFindings} finding(s)): ${a.reason}`,
    );
  }
  return lines.join('\n') + '\n';
}
