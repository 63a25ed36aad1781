import type { ChangeReport, PropertyChange, SecurityFindingKind, StackChange } from './types';

/**
 * The Markdown form of the report, written for a pull request's job summary:
 * security-relevant changes first, then one table per changed stack. Long
 * values are shortened here; change-report.json always has them in full.
 */

export const FINDING_KIND_TITLES: { readonly [kind in SecurityFindingKind]: string } = {
  'iam-permissions-broadened': 'IAM permissions broadened',
  'iam-trust-widened': 'IAM trust widened',
  'resource-policy-broadened': 'Resource policy broadened',
  'security-group-ingress-opened': 'Security group ingress opened',
  'security-group-egress-opened': 'Security group egress opened',
  'public-access-opened': 'S3 public access opened',
  'encryption-disabled': 'Encryption turned off',
  'logging-disabled': 'Logging turned off',
  'stateful-replaced-logical-id': 'Stateful resource replaced (logical id change)',
  'stateful-replaced-property': 'Stateful resource replaced (property change)',
  'stateful-retention-removed': 'Stateful resource no longer retained',
  'stateful-deleted': 'Stateful resource deleted',
  'template-logic-changed': 'Parameter, condition or mapping changed (not evaluated)',
  'stack-left-deployed': 'Stack removed from the app (left deployed)',
  'stack-import-added': 'New cross-stack import',
  'nested-stack-not-diffed': 'Nested stack changed (content not compared)',
};

/** Changed-property rows shown per resource before deferring to the JSON file. */
const MAX_PROPERTY_ROWS = 10;
const MAX_VALUE_LENGTH = 80;
/**
 * GitHub rejects a job summary over 1 MiB (per step). Past this budget the
 * per-stack tables stop and the reader is sent to the JSON file; the summary
 * and the security section are always kept whole.
 */
export const DEFAULT_MARKDOWN_BUDGET = 900 * 1024;

/**
 * One line of a table row. CommonMark ends a line at \n, \r\n and a lone \r, so any of them
 * inside a value would end the row there; other control characters have no business in a
 * summary. An unescaped `|` would start another column.
 */
function oneLine(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/\|/g, '\\|');
}

/**
 * Template text as table cell text: `<!--` in a value (an unclosed HTML comment) would hide
 * the rest of the job summary, and other tags render as HTML, so `&`, `<` and `>` are escaped.
 */
function cell(text: string): string {
  return oneLine(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

/**
 * A code span. Its content is literal in CommonMark (no HTML, no entities: `&lt;` would show
 * as those four characters), so only what ends the row or the span is replaced.
 */
function code(text: string): string {
  return '`' + oneLine(text).replace(/`/g, "'") + '`';
}

function value(v: unknown): string {
  const json = JSON.stringify(v) ?? 'undefined';
  return code(json.length > MAX_VALUE_LENGTH ? json.slice(0, MAX_VALUE_LENGTH - 1) + '…' : json);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeChange(c: PropertyChange): string {
  const what =
    c.change === 'added'
      ? `added ${value(c.after)}`
      : c.change === 'removed'
        ? `removed (was ${value(c.before)})`
        : `${value(c.before)} → ${value(c.after)}`;
  const replacement =
    c.replacement === 'always' ? ' **replaces**' : c.replacement === 'conditional' ? ' *may replace*' : '';
  return `${code(c.path)} ${what}${replacement}`;
}

function describeChanges(changes: PropertyChange[]): string {
  const shown = changes.slice(0, MAX_PROPERTY_ROWS).map(describeChange);
  if (changes.length > MAX_PROPERTY_ROWS) {
    shown.push(`and ${changes.length - MAX_PROPERTY_ROWS} more in change-report.json`);
  }
  return shown.join('<br>');
}

function stackTitle(s: StackChange): string {
  return `${cell(s.environment)} / ${cell(s.stack)}`;
}

function stackTable(s: StackChange): string[] {
  const rows: string[] = ['| Change | Logical id | Type | Replacement | Details |', '| --- | --- | --- | --- | --- |'];
  for (const r of s.added) rows.push(`| added | ${code(r.logicalId)} | ${cell(r.type)} | | |`);
  for (const r of s.removed) rows.push(`| removed | ${code(r.logicalId)} | ${cell(r.type)} | | |`);
  for (const r of s.renamed) {
    const details = r.identicalProperties ? 'identical properties' : describeChanges(r.changes);
    rows.push(
      `| moved | ${code(r.fromLogicalId)} → ${code(r.toLogicalId)} | ${cell(r.type)} | ` +
        `${r.stateful ? '**always** (stateful)' : 'always'} | ${details} |`,
    );
  }
  for (const m of s.modified) {
    const replacement =
      m.replacement === 'always' ? '**always**' : m.replacement === 'conditional' ? '*conditional*' : 'none';
    rows.push(`| modified | ${code(m.logicalId)} | ${cell(m.type)} | ${replacement} | ${describeChanges(m.changes)} |`);
  }
  if (s.templateChanges.length > 0) {
    rows.push(`| template | (outside Resources) | | none | ${describeChanges(s.templateChanges)} |`);
  }
  if (s.parentParameterChanges && s.parentParameterChanges.length > 0) {
    rows.push(
      `| parameters | (passed by ${code(s.parentStack ?? 'the parent')}) | | none | ${describeChanges(s.parentParameterChanges)} |`,
    );
  }
  return rows;
}

export function renderMarkdown(report: ChangeReport, budget: number = DEFAULT_MARKDOWN_BUDGET): string {
  const { summary } = report;
  const lines: string[] = [];
  lines.push('# Infrastructure change report', '');
  lines.push(`Base ${code(report.base)} → head ${code(report.head)}.`, '');
  lines.push(
    `**${plural(summary.securityFindings, 'security-relevant change')}** · ` +
      `${summary.stacksAdded + summary.stacksRemoved + summary.stacksModified} of ${plural(summary.stacks, 'stack')} changed ` +
      `(${summary.stacksAdded} added, ${summary.stacksRemoved} removed) · resources: ${summary.resourcesAdded} added, ` +
      `${summary.resourcesRemoved} removed, ${summary.resourcesModified} modified, ` +
      `${summary.resourcesRenamed} moved to a new logical id.`,
    '',
  );

  lines.push('## Security-relevant changes', '');
  if (report.security.length === 0) {
    lines.push('None.', '');
  } else {
    lines.push('| Kind | Environment | Stack | Logical id | Type | Detail |', '| --- | --- | --- | --- | --- | --- |');
    for (const f of report.security) {
      lines.push(
        `| ${FINDING_KIND_TITLES[f.kind]} | ${cell(f.environment)} | ${cell(f.stack)} | ${code(f.logicalId)} | ` +
          `${cell(f.type)} | ${cell(f.detail)} |`,
      );
    }
    lines.push('');
  }

  const changed = report.stacks.filter((s) => s.status !== 'unchanged');
  lines.push('## Changes by environment and stack', '');
  if (changed.length === 0) {
    lines.push('No stack changes.', '');
  } else {
    lines.push(
      '| Environment | Stack | Status | Added | Removed | Modified | Moved | Security |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const s of changed) {
      const findings = report.security.filter(
        (f) => f.environment === s.environment && f.stack === s.stack && f.awsEnvironment === s.awsEnvironment,
      ).length;
      lines.push(
        `| ${cell(s.environment)} | ${cell(s.stack)} | ${s.status} | ${s.added.length} | ${s.removed.length} | ` +
          `${s.modified.length} | ${s.renamed.length} | ${findings} |`,
      );
    }
    lines.push('');
    let size = Buffer.byteLength(lines.join('\n'));
    for (const [i, s] of changed.entries()) {
      const section = [`### ${stackTitle(s)} (${s.status})`, ''];
      if (s.awsEnvironment) {
        const moved = s.movedFrom
          ? ` (moved from ${code(s.movedFrom)})`
          : s.movedTo
            ? ` (moved to ${code(s.movedTo)})`
            : '';
        section.push(`Target: ${code(s.awsEnvironment)}${moved}`, '');
      }
      if (s.parentStack) {
        section.push(
          `Nested stack ${code(s.stack.slice(s.parentStack.length + 1))} of ${code(s.parentStack)}` +
            (s.status === 'removed'
              ? ': removed from its parent, so CloudFormation deletes it and the resources below (per their DeletionPolicy).'
              : '.'),
          '',
        );
      } else if (s.status === 'removed') {
        section.push(
          '*No longer deployed by the pipeline. CDK Pipelines does not delete it: the stack and the resources ' +
            'below stay in the account, no longer updated, until the stack is deleted by hand.*',
          '',
        );
      }
      section.push(...stackTable(s), '');
      size += Buffer.byteLength(section.join('\n')) + 1;
      if (size > budget) {
        lines.push(
          `*${plural(changed.length - i, 'more changed stack')} not shown here to stay within the job summary size limit: see change-report.json.*`,
          '',
        );
        break;
      }
      lines.push(...section);
    }
  }
  const unchanged = report.stacks.length - changed.length;
  if (unchanged > 0) lines.push(`${plural(unchanged, 'stack')} unchanged.`, '');
  lines.push(`Replacement behaviour from ${report.replacementSource}.`, '');
  return lines.join('\n');
}
