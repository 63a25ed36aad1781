import { Token } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';

/**
 * Builds an error that names the construct path, the prop, what was expected and what was found,
 * so that a failed synth in a pipeline points straight at the config line to fix.
 */
export function propError(scope: IConstruct, prop: string, expected: string, found: unknown): Error {
  return new Error(`${scope.node.path}: invalid ${prop}: expected ${expected}, found ${describe(found)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(describe).join(', ')}]`;
  }
  return String(value);
}

/**
 * Values CloudWatch Logs accepts for RetentionInDays (PutRetentionPolicy API), taken from the RetentionDays enum
 * without INFINITE (9999): that one is the CDK's "never expire", which leaves RetentionInDays out; CloudWatch
 * Logs itself has no 9999.
 */
export const ALLOWED_RETENTION_DAYS: number[] = Object.values(RetentionDays)
  .filter((v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE)
  .sort((a, b) => a - b);

/**
 * Checks one value of an enum prop (typed in TypeScript, but free text in JavaScript or YAML config)
 * against the values it may take. `expected` describes them in the error; by default "one of" the list.
 * A token is left to CloudFormation.
 */
export function requireOneOf(
  scope: IConstruct,
  prop: string,
  value: unknown,
  allowed: readonly (string | number)[],
  expected?: string,
): void {
  if ((typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value)) {
    return;
  }
  if (!allowed.includes(value as string | number)) {
    throw propError(scope, prop, expected ?? `one of ${allowed.join(', ')}`, value);
  }
}

/**
 * As requireOneOf, for a value that decides at synthesis which resources are created (a mode): a token,
 * known only at deployment, is refused too.
 */
export function requireKnownOneOf(scope: IConstruct, prop: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    throw propError(scope, prop, `one of ${allowed.join(', ')}, known at synthesis (it decides the resources)`, value);
  }
  requireOneOf(scope, prop, value, allowed);
}

/**
 * Checks an optional boolean prop (typed in TypeScript, but free in JavaScript or YAML config, where
 * `"false"`, a non-empty string, would count as true). Unset is fine: the caller's default applies. A
 * boolean decides at synthesis which resources are created, so there are no tokens to leave alone.
 */
export function requireBoolean(scope: IConstruct, prop: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw propError(scope, prop, 'true, false or unset (a boolean)', value);
  }
}

/**
 * As requireBoolean, for a boolean prop whose L1 property also takes a value CloudFormation resolves at
 * deployment (e.g. `Fn.conditionIf(...)`, one template for every region): such a token is left to CloudFormation.
 */
export function requireBooleanOrToken(scope: IConstruct, prop: string, value: unknown): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  requireBoolean(scope, prop, value);
}

/**
 * Refuses an option of a part that is switched off: it would silently do nothing, so a switch flipped by
 * accident while its settings remain in config would go unnoticed. `off` names the switch, e.g.
 * "enableGuardDuty is false".
 */
export function requireUnsetWhenOff(scope: IConstruct, prop: string, value: unknown, off: string): void {
  if (value === undefined) {
    return;
  }
  const expected = `unset when ${off} (it would do nothing)`;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    // An options object (e.g. a password policy), shown as its JSON rather than as [object Object].
    throw new Error(`${scope.node.path}: invalid ${prop}: expected ${expected}, found ${JSON.stringify(value)}`);
  }
  throw propError(scope, prop, expected, value);
}

export function requireInteger(scope: IConstruct, prop: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw propError(scope, prop, `an integer from ${min} to ${max}`, value);
  }
}

/**
 * Resolves the log retention from either the enum prop or the plain-number prop (easier to write in
 * YAML config). Both at once is ambiguous and rejected.
 */
export function resolveRetention(
  scope: IConstruct,
  enumProp: string,
  enumValue: RetentionDays | undefined,
  numberProp: string,
  numberValue: number | undefined,
  fallback: RetentionDays,
): RetentionDays {
  if (enumValue !== undefined && numberValue !== undefined) {
    throw propError(
      scope,
      `${enumProp}/${numberProp}`,
      `at most one of the two`,
      `both (${enumValue}, ${numberValue})`,
    );
  }
  if (numberValue !== undefined) {
    if (numberValue === RetentionDays.INFINITE) {
      throw propError(
        scope,
        numberProp,
        `a CloudWatch Logs retention value (one of ${ALLOWED_RETENTION_DAYS.join(', ')}); 9999 is not one. ` +
          `To keep the logs forever, set ${enumProp}: RetentionDays.INFINITE instead`,
        numberValue,
      );
    }
    if (!ALLOWED_RETENTION_DAYS.includes(numberValue)) {
      throw propError(
        scope,
        numberProp,
        `a CloudWatch Logs retention value (one of ${ALLOWED_RETENTION_DAYS.join(', ')})`,
        numberValue,
      );
    }
    return numberValue as RetentionDays;
  }
  if (enumValue !== undefined) {
    requireOneOf(
      scope,
      enumProp,
      enumValue,
      [...ALLOWED_RETENTION_DAYS, RetentionDays.INFINITE],
      `a RetentionDays value (one of ${ALLOWED_RETENTION_DAYS.join(', ')}, or RetentionDays.INFINITE to never expire)`,
    );
  }
  return enumValue ?? fallback;
}

/** Options for the lifecycle of a log bucket; validated by validateLifecycle. */
export interface LifecycleDays {
  readonly transitionAfterDays: number;
  readonly expireAfterDays: number;
}

// S3 keeps Glacier Flexible Retrieval objects billed for at least 90 days, and S3 rejects an
// expiration that is not later than a transition in the same rule.
export function validateLifecycle(
  scope: IConstruct,
  transitionProp: string,
  expireProp: string,
  days: LifecycleDays,
): void {
  requireInteger(scope, transitionProp, days.transitionAfterDays, 1, 36500);
  requireInteger(scope, expireProp, days.expireAfterDays, 2, 36500);
  if (days.expireAfterDays <= days.transitionAfterDays) {
    throw propError(
      scope,
      expireProp,
      `more days than ${transitionProp} (${days.transitionAfterDays}), since objects expire after they transition`,
      days.expireAfterDays,
    );
  }
}

/**
 * Checks a selection from a string enum (typed in TypeScript, but free text in JavaScript or YAML
 * config): every entry must be one of `known`, and none may repeat. Unknown entries are reported
 * first, so a repeated typo reads as a typo rather than as a duplicate.
 */
export function requireKnownDistinct(
  scope: IConstruct,
  prop: string,
  values: readonly string[],
  known: readonly string[],
  entryNoun: string,
): void {
  values.forEach((v, i) => {
    if (!known.includes(v)) {
      throw propError(scope, `${prop}[${i}]`, `one of ${known.join(', ')}`, v);
    }
  });
  const dupes = values.filter((v, i) => values.indexOf(v) !== i);
  if (dupes.length > 0) {
    throw propError(scope, prop, `each ${entryNoun} at most once`, dupes);
  }
}

export function requireNonEmptyStrings(scope: IConstruct, prop: string, values: string[]): void {
  values.forEach((v, i) => {
    if (Token.isUnresolved(v)) {
      return;
    }
    if (v.trim() === '') {
      throw propError(scope, `${prop}[${i}]`, 'a non-empty string', v);
    }
  });
}
