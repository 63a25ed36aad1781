import { asArray, flattenToString } from './cfn-template';
import { PolicyStatement, coversEveryRoleArn } from './iam-policy';

// Operators that hold only when the request carries the key with a matching value: IAM evaluates a condition
// on a key missing from the request as false, "except ...IfExists and Null check" (IAM User Guide, condition
// operators). Negated operators (StringNotEquals, NotIpAddress...) hold for every caller but the listed ones
// and for callers without the key, ...IfExists and ForAllValues: for callers without the key, Null for any
// caller that has (or lacks) it, whatever its value: none of them names the caller.
const MATCHING_OPERATORS = [
  'stringequals',
  'stringequalsignorecase',
  'stringlike',
  'arnequals',
  'arnlike',
  'bool',
  'ipaddress',
];

/** A value that matches every caller: only wildcards, any organization id (`o-*`), any role's ARN (`arn:aws:iam::*:*`), any address. */
function matchesAnyCaller(key: string, value: string): boolean {
  return (
    /^[*?]*$/.test(value) ||
    (key === 'aws:principalorgid' && /^o-[*?]*$/i.test(value)) ||
    (key === 'aws:principalarn' && coversEveryRoleArn(value)) ||
    (key === 'aws:sourceip' && /\/0$/.test(value))
  );
}

/**
 * The condition keys of the statement (lower-cased) that narrow who may call: under a matching operator
 * (optionally `ForAnyValue:`), with no value that matches every caller; `aws:MultiFactorAuthPresent` only
 * when every value is `true`; `aws:SourceIp` only under `IpAddress`, with ranges narrower than /0.
 */
export function narrowingConditionKeys(statement: PolicyStatement): string[] {
  const keys: string[] = [];
  for (const [operator, byKey] of Object.entries(statement.Condition ?? {})) {
    const op = operator.toLowerCase().replace(/^foranyvalue:/, '');
    if (!MATCHING_OPERATORS.includes(op)) {
      continue;
    }
    for (const [key, value] of Object.entries(byKey ?? {})) {
      const k = key.toLowerCase();
      const values = asArray(value).map(flattenToString);
      if (values.length === 0) {
        continue;
      }
      const narrows =
        k === 'aws:multifactorauthpresent'
          ? values.every((v) => v.toLowerCase() === 'true')
          : op !== 'bool' &&
            (op === 'ipaddress') === (k === 'aws:sourceip') &&
            !values.some((v) => matchesAnyCaller(k, v));
      if (narrows) {
        keys.push(k);
      }
    }
  }
  return keys;
}
