import { compareAssemblies } from '../../scripts/change-report/change-report';
import type { AssemblyStack, CfnTemplate } from '../../scripts/change-report/cloud-assembly';
import { renderMarkdown } from '../../scripts/change-report/markdown';
import { findReplacementSpec } from '../../scripts/change-report/replacement-spec';

const spec = findReplacementSpec();

function stack(environment: string, template: CfnTemplate): AssemblyStack {
  return { environment, stackName: 'app', artifactId: 'app', template };
}

/** Markdown with every code span removed: what GitHub parses as text, HTML and line structure. */
function outsideCodeSpans(markdown: string): string {
  return markdown.replace(/`[^`\n]*`/g, '');
}

/** The cells of a table row, split at the `|` GitHub treats as column separators (not `\|`). */
function cells(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1);
}

describe('template text cannot break the Markdown', () => {
  // A value that ends a line with a lone \r and opens an HTML comment: on GitHub the rest of
  // the job summary would be swallowed by the comment.
  const hostile = 'lambda:InvokeFunction<!--\rhidden & <b>bold</b>\u0007';
  const template = (action: string, description: string, timeout: number): CfnTemplate => ({
    Resources: {
      Invoke: {
        Type: 'AWS::Lambda::Permission',
        Properties: { FunctionName: 'f', Principal: '*', Action: action },
      },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: { Description: description, Timeout: timeout },
      },
    },
  });
  const report = compareAssemblies(
    [stack('Dev', template('lambda:GetFunction', 'plain', 3))],
    [stack('Dev', { Resources: { ...template(hostile, hostile, 5).Resources!, Extra: { Type: 'AWS::SNS::Topic' } } })],
    spec,
    { baseLabel: 'b', headLabel: 'h' },
  );
  const markdown = renderMarkdown(report);

  test('the finding is there, with the value in it', () => {
    expect(report.security.map((f) => f.detail)).toEqual([`${hostile} granted to any principal (*)`]);
  });

  test('no carriage return or other control character is left', () => {
    expect(markdown).not.toMatch(/\r/);
    expect(markdown).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });

  test('outside code spans, <, > and & are entities, so no HTML comment or tag opens', () => {
    const text = outsideCodeSpans(markdown);
    expect(text).not.toContain('<!--');
    expect(text).not.toContain('<b>');
    expect(text).toContain(
      'lambda:InvokeFunction&lt;!-- hidden &amp; &lt;b&gt;bold&lt;/b&gt; granted to any principal (*)',
    );
    // The line breaks between changed properties are the report's own, and stay HTML.
    expect(text).toContain('<br>');
  });

  test('inside a code span the value stays literal (CommonMark does not read HTML or entities there), on one line', () => {
    expect(markdown).toContain('`"lambda:InvokeFunction<!--\\rhidden & <b>bold</b>\\u0007"`');
  });

  test('every table row keeps its columns, and the report runs to its last line', () => {
    // Split where CommonMark ends a line: a lone \r ends one too.
    const rows = markdown.split(/\r\n|\r|\n/).filter((line) => line.startsWith('|'));
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(row.endsWith('|')).toBe(true);
    const security = rows.find((r) => r.startsWith('| Resource policy broadened'))!;
    expect(cells(security)).toHaveLength(6);
    const modified = rows.find((r) => r.includes('| modified | `Fn` |'))!;
    expect(cells(modified)).toHaveLength(5);
    expect(markdown.trimEnd().split('\n').pop()).toMatch(/^Replacement behaviour from /);
  });
});
