/**
 * A small evaluator of CloudWatch Logs JSON filter patterns (the subset the metric filters use), to
 * test a pattern against sample CloudTrail records instead of only reading its text:
 * `{ <expr> }`, where <expr> combines with `&&` (binding tighter) and `||`, in parentheses or not,
 * comparisons `$.a.b = value` and `$.a.b != value` (value bare or "quoted", `*` matching any run of
 * characters) and `$.a.b NOT EXISTS` / `$.a.b EXISTS` (CloudWatch Logs User Guide, "Filter pattern
 * syntax for metric filters", JSON log events).
 *
 * A comparison with a property the event does not have is false for `=`, true for `!=`.
 */
export function matchesFilterPattern(pattern: string, event: unknown): boolean {
  const tokens = tokenize(pattern);
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string) => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(
        `filter pattern ${pattern}: expected ${expected ?? 'a token'} at token ${position}, found ${token}`,
      );
    }
    return token;
  };

  const orExpression = (): boolean => {
    let value = andExpression();
    while (peek() === '||') {
      take();
      const right = andExpression();
      value = value || right;
    }
    return value;
  };
  const andExpression = (): boolean => {
    let value = term();
    while (peek() === '&&') {
      take();
      const right = term();
      value = value && right;
    }
    return value;
  };
  const term = (): boolean => {
    if (peek() === '(') {
      take('(');
      const value = orExpression();
      take(')');
      return value;
    }
    const selector = take();
    if (!selector.startsWith('$.')) {
      throw new Error(`filter pattern ${pattern}: expected a selector, found ${selector}`);
    }
    const actual = select(event, selector.slice(2).split('.'));
    const operator = take();
    if (operator === 'NOT') {
      take('EXISTS');
      return actual === undefined;
    }
    if (operator === 'EXISTS') return actual !== undefined;
    const expected = unquote(take());
    const equal = actual !== undefined && actual !== null && wildcard(expected).test(String(actual));
    if (operator === '=') return equal;
    if (operator === '!=') return !equal;
    throw new Error(`filter pattern ${pattern}: unsupported operator ${operator}`);
  };

  take('{');
  const result = orExpression();
  take('}');
  if (position !== tokens.length) throw new Error(`filter pattern ${pattern}: unexpected ${tokens[position]}`);
  return result;
}

function tokenize(pattern: string): string[] {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|\|\||&&|!=|=|[{}()]|[^\s(){}=!&|]+)/gy;
  let match: RegExpExecArray | null;
  while ((match = re.exec(pattern)) !== null) {
    tokens.push(match[1]);
    if (re.lastIndex === pattern.length) break;
  }
  if (tokens.join('').replace(/\s/g, '') !== pattern.replace(/\s/g, '')) {
    throw new Error(`filter pattern ${pattern}: cannot tokenize`);
  }
  return tokens;
}

function unquote(value: string): string {
  return value.startsWith('"') ? JSON.parse(value) : value;
}

function wildcard(value: string): RegExp {
  return new RegExp(
    `^${value
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

function select(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
