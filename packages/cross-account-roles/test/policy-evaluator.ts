// A deliberately small IAM policy evaluator for tests: explicit Deny wins, then Allow, else implicit deny.
// It supports what the Groundwork policies use: Action/Resource/NotResource with * and ? wildcards
// (case-insensitive actions), and the condition operators StringEquals, StringNotEquals, StringLike, ArnLike, ArnEquals, Null,
// Bool and NumericLessThan, with IAM's rule that a negated operator matches when the key is absent.
// Anything else throws, so an unsupported policy cannot silently evaluate to a convenient answer.

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context?: { [key: string]: string | undefined };
}

function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
    ignoreCase ? 'i' : '',
  );
  return re.test(value);
}

const asArray = (v: any): any[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function conditionMatches(operator: string, key: string, expected: any, context: Request['context']): boolean {
  const actual = context?.[key];
  const values = asArray(expected).map(String);
  switch (operator) {
    case 'StringEquals':
    case 'ArnEquals':
      return actual !== undefined && values.includes(actual);
    case 'StringNotEquals':
      return actual === undefined || !values.includes(actual);
    case 'StringLike':
    case 'ArnLike':
      return actual !== undefined && values.some((v) => wildcard(v, actual, false));
    case 'Null':
      return values.includes('true') ? actual === undefined : actual !== undefined;
    case 'Bool':
      return actual !== undefined && values.includes(actual);
    case 'NumericLessThan':
      return actual !== undefined && values.some((v) => Number(actual) < Number(v));
    default:
      throw new Error(`policy-evaluator: unsupported condition operator ${operator}`);
  }
}

function statementMatches(statement: any, request: Request): boolean {
  if (statement.NotAction) {
    throw new Error('policy-evaluator: NotAction unsupported');
  }
  const actionOk = asArray(statement.Action).some((a) => wildcard(a, request.action, true));
  const resourceOk =
    statement.NotResource === undefined
      ? asArray(statement.Resource).some((r) => wildcard(r, request.resource, false))
      : !asArray(statement.NotResource).some((r) => wildcard(r, request.resource, false));
  if (!actionOk || !resourceOk) return false;
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(entries as object)) {
      if (!conditionMatches(operator, key, expected, request.context)) return false;
    }
  }
  return true;
}

/** Evaluate one identity-side policy (or boundary) for one request. */
export function evaluate(statements: any[], request: Request): Decision {
  const matching = statements.filter((s) => statementMatches(s, request));
  if (matching.some((s) => s.Effect === 'Deny')) return 'ExplicitDeny';
  if (matching.some((s) => s.Effect === 'Allow')) return 'Allow';
  return 'ImplicitDeny';
}

/** Effective decision of an identity policy capped by a permissions boundary (IAM policy evaluation logic). */
export function evaluateWithBoundary(identity: any[], boundary: any[], request: Request): Decision {
  const a = evaluate(identity, request);
  const b = evaluate(boundary, request);
  if (a === 'ExplicitDeny' || b === 'ExplicitDeny') return 'ExplicitDeny';
  return a === 'Allow' && b === 'Allow' ? 'Allow' : 'ImplicitDeny';
}
