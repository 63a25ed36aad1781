import { AssemblyStack, CfnTemplate, compareStrings } from '../change-report/cloud-assembly';
import { policyGrants, renderValue } from '../change-report/policy-statements';

/**
 * The trust graph: for every IAM role in the synthesized templates, which
 * principals its trust policy lets assume it, and under which conditions.
 * Read from the trust policies themselves, not from config, so that a
 * reviewer sees in the diff what AWS will actually be asked to allow.
 * Deny statements are edges too, marked as denials: the graph shows them
 * beside the Allow edges rather than computing what is left, so an Allow
 * edge is never drawn narrower than the policy makes it.
 */

/** Where a role is defined: a stack of the cloud assembly, or a bootstrap template. */
export interface TemplateSource {
  /** Shown in the table, e.g. `Access-dev` or `bootstrap template (dev)`. */
  readonly name: string;
  /** The account and region the template deploys to. */
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
}

export interface TrustEdge {
  readonly roleAccount: string;
  /** The role's name, with pseudo parameters and parameter defaults resolved; `<logical id>` when unnamed. */
  readonly role: string;
  /** `AWS`, `Service` or `Federated`. */
  readonly principalKind: string;
  /** For AWS principals, the principal's account (or `organization o-...`); else undefined. */
  readonly principalAccount?: string;
  /**
   * What may assume the role: an ARN pattern, a service, a provider. Without the account part when
   * `principalAccount` names the account; the whole ARN pattern when it allows any account (`*`) or several.
   */
  readonly principal: string;
  /** The trust policy's other conditions, compact (`key op value`), sorted. */
  readonly conditions: string[];
  readonly actions: string[];
  readonly source: string;
  /**
   * `Deny`: the statement takes this principal's access away (under its conditions) from whatever an
   * Allow edge of the same role grants. Shown beside the Allow edges, not subtracted from them.
   */
  readonly effect: 'Allow' | 'Deny';
}

const ARN_ACCOUNT = /^arn:[^:]*:iam::(\d{12}):(.*)$/;
/** The condition operators that limit aws:PrincipalArn to the listed ARNs (not ArnNotLike, ArnNotEquals). */
const NARROWING_ARN = /^Arn(Like|Equals)(IfExists)?$/;
/** Also `arn:aws:iam::*:role/...` (any account), as in aws:PrincipalArn patterns. */
const ARN_ACCOUNT_PATTERN = /^arn:[^:]*:iam::(\d{12}|\*):(.*)$/;

/** The stacks of a cloud assembly as template sources (stacks without a concrete account are skipped). */
export function assemblySources(stacks: readonly AssemblyStack[]): TemplateSource[] {
  return stacks.flatMap((s) => {
    const match = /^aws:\/\/(\d{12})\/([a-z0-9-]+)$/.exec(s.awsEnvironment ?? '');
    return match ? [{ name: s.stackName, account: match[1], region: match[2], template: s.template }] : [];
  });
}

/** Every trust edge of every role in the sources, sorted for a stable, diffable output. */
export function trustEdges(sources: readonly TemplateSource[]): TrustEdge[] {
  const edges: TrustEdge[] = [];
  for (const source of sources) {
    const resolve = resolver(source);
    for (const [logicalId, resource] of Object.entries(source.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      const props = resource.Properties ?? {};
      const role = props.RoleName === undefined ? `<${logicalId}>` : resolve(renderValue(props.RoleName));
      // One edge per (principal, conditions); the actions of a statement (AssumeRole, TagSession) are merged.
      const byKey = new Map<string, TrustEdge & { actions: string[] }>();
      for (const grant of policyGrants(props.AssumeRolePolicyDocument)) {
        // `Principal: {AWS: "*"}` (rendered '*') is anyone: only its conditions narrow it.
        const [kind, ...rest] = grant.principal === '*' ? ['AWS', '*'] : grant.principal.split(':');
        let principal = resolve(rest.join(':'));
        let principalAccounts: Array<string | undefined> = [undefined];
        const conditions: string[] = [];
        const arnMatch = kind === 'AWS' ? ARN_ACCOUNT.exec(principal) : null;
        if (arnMatch) {
          principalAccounts = [arnMatch[1]];
          principal = arnMatch[2] === 'root' ? 'any principal' : arnMatch[2];
        } else if (principal === '*') {
          principal = 'any principal';
        }
        const anyone = kind === 'AWS' && (arnMatch || principalAccounts[0] === undefined);
        /** The aws:PrincipalArn values that narrow an account root (or anyone) to those principals. */
        let narrowedTo: string[] | undefined;
        for (const [operator, keys] of Object.entries(grant.condition)) {
          for (const [key, values] of Object.entries(keys)) {
            const resolved = values.map(resolve);
            // An account root (or anyone) narrowed by aws:PrincipalArn is, in effect, those principals. Only a
            // positive operator narrows: ArnNotLike / ArnNotEquals exclude those principals and stay a condition.
            if (anyone && principal === 'any principal' && key === 'aws:principalarn' && NARROWING_ARN.test(operator)) {
              narrowedTo = resolved;
              continue;
            }
            // Anyone narrowed to accounts or to an organization: an edge from each.
            if (!arnMatch && anyone && operator === 'StringEquals' && key === 'aws:principalaccount') {
              principalAccounts = resolved;
              continue;
            }
            if (!arnMatch && anyone && operator === 'StringEquals' && key === 'aws:principalorgid') {
              principalAccounts = resolved.map((id) => `organization ${id}`);
              continue;
            }
            conditions.push(`${key} ${operator} ${resolved.join(' | ')}`);
          }
        }
        if (narrowedTo !== undefined) {
          const patterns = narrowedTo.map((v) => ARN_ACCOUNT_PATTERN.exec(v));
          const patternAccounts = [...new Set(patterns.map((m) => m?.[1]))];
          if (arnMatch || principalAccounts[0] !== undefined) {
            // The account is already known (the root's, or aws:PrincipalAccount / aws:PrincipalOrgID's).
            principal = narrowedTo.map((v, i) => patterns[i]?.[2] ?? v).join(' or ');
          } else if (patternAccounts.length === 1 && /^\d{12}$/.test(patternAccounts[0] ?? '')) {
            // Anyone narrowed to principals of one account: an edge from that account.
            principalAccounts = [patternAccounts[0]];
            principal = patterns.map((m) => m![2]).join(' or ');
          } else {
            // Anyone narrowed to ARN patterns of any (`*`) or several accounts: the whole ARNs, so the
            // picture does not show `arn:aws:iam::*:role/ops-*` (any account's ops-* roles) as one account's roles.
            principal = narrowedTo.join(' or ');
          }
        }
        conditions.sort(compareStrings);
        for (const principalAccount of principalAccounts) {
          const key = JSON.stringify([grant.effect, kind, principalAccount, principal, conditions]);
          const existing = byKey.get(key);
          if (existing) {
            if (!existing.actions.includes(grant.action)) existing.actions.push(grant.action);
            continue;
          }
          byKey.set(key, {
            roleAccount: source.account,
            role,
            principalKind: kind,
            principalAccount,
            principal,
            conditions,
            actions: [grant.action],
            source: source.name,
            effect: grant.effect,
          });
        }
      }
      for (const edge of byKey.values()) {
        edge.actions.sort(compareStrings);
        edges.push(edge);
      }
    }
  }
  return edges.sort(
    (a, b) =>
      compareStrings(a.roleAccount, b.roleAccount) ||
      compareStrings(a.role, b.role) ||
      compareStrings(a.source, b.source) ||
      compareStrings(a.effect, b.effect) ||
      compareStrings(a.principalKind, b.principalKind) ||
      compareStrings(a.principalAccount ?? '', b.principalAccount ?? '') ||
      compareStrings(a.principal, b.principal) ||
      compareStrings(a.conditions.join(), b.conditions.join()),
  );
}

/** Replaces pseudo parameters and parameters that have a default with their values. */
function resolver(source: TemplateSource): (text: string) => string {
  const values: { [name: string]: string } = {
    'AWS::Partition': 'aws',
    'AWS::AccountId': source.account,
    'AWS::Region': source.region,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const parameters = (source.template.Parameters ?? {}) as { [name: string]: { Default?: unknown } };
  for (const [name, parameter] of Object.entries(parameters)) {
    if (typeof parameter?.Default === 'string') values[name] = parameter.Default;
  }
  return (text) => text.replace(/\$\{([A-Za-z0-9:]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Names for accounts (`tooling`, `security`, environment names), used as subgraph titles. */
export type AccountNames = ReadonlyMap<string, string>;

/**
 * The trust graph as Markdown: a Mermaid picture of the edges between
 * accounts and from people (every AWS principal), and a table of every edge
 * including AWS service principals.
 */
export function renderTrustGraph(edges: readonly TrustEdge[], accounts: AccountNames): string {
  const ids = new Map<string, string>();
  const nodeId = (key: string) => {
    if (!ids.has(key)) ids.set(key, `n${ids.size + 1}`);
    return ids.get(key)!;
  };
  const awsEdges = edges.filter((e) => e.principalKind === 'AWS');
  const nodesByAccount = new Map<string, Map<string, string>>();
  const addNode = (account: string, key: string, label: string) => {
    if (!nodesByAccount.has(account)) nodesByAccount.set(account, new Map());
    nodesByAccount.get(account)!.set(nodeId(key), label);
    return nodeId(key);
  };
  const links: string[] = [];
  for (const edge of awsEdges) {
    const from = edge.principalAccount
      ? addNode(edge.principalAccount, `p:${edge.principalAccount}:${edge.principal}`, edge.principal)
      : addNode('(unresolved)', `p::${edge.principal}`, edge.principal);
    const to = addNode(edge.roleAccount, `r:${edge.roleAccount}:${edge.role}`, `role ${edge.role}`);
    const label = edge.conditions.length ? `|"${mermaidText(edge.conditions.map(shortCondition).join(', '))}"|` : '';
    // A denial is a crossed line: that principal may not assume the role (under the conditions).
    links.push(`  ${from} ${edge.effect === 'Deny' ? '--x' : '-->'}${label} ${to}`);
  }
  const accountLabel = (account: string) => (accounts.has(account) ? `${accounts.get(account)} ${account}` : account);
  const lines = ['```mermaid', 'flowchart LR'];
  for (const account of [...nodesByAccount.keys()].sort(compareStrings)) {
    lines.push(`  subgraph a${account.replace(/\W/g, '')}["${mermaidText(accountLabel(account))}"]`);
    for (const [id, label] of nodesByAccount.get(account)!) lines.push(`    ${id}["${mermaidText(label)}"]`);
    lines.push('  end');
  }
  lines.push(...[...new Set(links)], '```');

  const table = [
    '| Account | Role | Trusted principal | Conditions | Defined in |',
    '| --- | --- | --- | --- | --- |',
    ...edges.map(
      (e) =>
        `| ${cell(accountLabel(e.roleAccount))} | ${code(e.role)} | ${code(principalText(e, accountLabel))} | ${
          e.conditions.length ? e.conditions.map(code).join(', ') : '-'
        } | ${cell(e.source)} |`,
    ),
  ];
  const services = edges.length - awsEdges.length;
  const denials = edges.filter((e) => e.effect === 'Deny').length;
  return [
    '# Trust graph',
    '',
    GENERATED_NOTICE,
    '',
    `Who can assume which role: ${edges.length} trust edges in ${new Set(edges.map((e) => `${e.roleAccount}/${e.role}/${e.source}`)).size} roles. ` +
      `The picture shows the ${awsEdges.length} edges whose principal is an AWS account, role or user (people and pipelines); ` +
      `the table also lists the ${services} AWS service principals.` +
      (denials
        ? ` ${denials} of the edges are denials (Deny statements, a crossed line in the picture): they take access away from the role's Allow edges under their conditions.`
        : ''),
    '',
    ...lines,
    '',
    ...table,
    '',
  ].join('\n');
}

function principalText(edge: TrustEdge, accountLabel: (account: string) => string): string {
  const denied = edge.effect === 'Deny' ? 'denied: ' : '';
  if (edge.principalKind !== 'AWS') return `${denied}${edge.principalKind}: ${edge.principal}`;
  return `${denied}${edge.principalAccount ? `${accountLabel(edge.principalAccount)}: ${edge.principal}` : edge.principal}`;
}

/** Conditions as short edge labels: the common trust conditions in words, the rest compact. */
export function shortCondition(condition: string): string {
  const [key, operator, ...rest] = condition.split(' ');
  const value = rest.join(' ');
  if (key === 'sts:externalid' && operator === 'Null' && value === 'true') return 'no external ID';
  if (key === 'aws:multifactorauthpresent' && operator === 'Bool' && value === 'true') return 'MFA';
  if (key === 'aws:multifactorauthage' && operator === 'NumericLessThan') return `MFA age < ${value} s`;
  const operators: { [op: string]: string } = {
    NumericLessThan: '<',
    NumericLessThanEquals: '<=',
    NumericGreaterThan: '>',
    StringEquals: '=',
    ArnEquals: '=',
    Bool: '=',
    ArnLike: 'like',
    StringLike: 'like',
  };
  return `${key.replace(/^(aws|sts):/, '')} ${operators[operator] ?? operator} ${value}`;
}

export const GENERATED_NOTICE =
  '<!-- Generated by `npm run diagram` from the example config (apps/platform/config). Do not edit: a test fails when it is stale. -->';

/** Text inside a quoted Mermaid label: quotes and angle brackets as Mermaid entity codes. */
export function mermaidText(text: string): string {
  return text.replace(/["<>]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** A table cell as a code span: role names like `<LogicalId>` must not read as HTML. */
function code(text: string): string {
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}
