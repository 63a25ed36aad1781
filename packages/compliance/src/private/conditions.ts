import { flattenToString, isNoValue, possibleElements, possibleValues } from './cfn-template';
import { coversWholeAddressSpace } from './cidr';
import { PolicyStatement, coversEveryPrincipalOfItsAccount, coversEveryRoleArn } from './iam-policy';

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

/**
 * Web identity keys whose value is an id the provider assigns to an app or identity pool (IAM User Guide,
 * "Available keys for AWS web identity federation"): Google's client id, Facebook's and Login with Amazon's app
 * id, a Cognito identity pool id. Nobody picks these ids, so a wildcard in one serves only to admit other
 * apps (`*.apps.googleusercontent.com` is every Google client, `eu-west-1:*` every pool of the region).
 */
const WEB_IDENTITY_APP_KEYS: readonly string[] = [
  'accounts.google.com:aud',
  'graph.facebook.com:app_id',
  'www.amazon.com:app_id',
  'cognito-identity.amazonaws.com:aud',
];

/**
 * A value that matches every caller: only wildcards, any organization id (`o-*`), any role's ARN
 * (`arn:aws:iam::*:*`), any address, any GitHub repository (`repo:*`); for GitHub's own subject key,
 * any value that does not name one repository (see namesOneGitHubRepository); for a web identity app key,
 * a value with a wildcard or an IAM policy variable (see WEB_IDENTITY_APP_KEYS).
 */
function matchesAnyCaller(key: string, value: string): boolean {
  return (
    /^[*?]*$/.test(value) ||
    (WEB_IDENTITY_APP_KEYS.includes(key) && hasWildcard(withTokensFixed(value))) ||
    (key === 'aws:principalorgid' && /^o-[*?]*$/i.test(value)) ||
    (key === 'aws:principalarn' && coversEveryRoleArn(value)) ||
    (key === 'aws:sourceip' && /\/0$/.test(value)) ||
    // GitHub's subject claim starts `repo:<owner>/<repository>`: `repo:*` is every workflow of every repository.
    (key.endsWith(':sub') && /^repo:[*?]/i.test(value)) ||
    (isGitHubSubjectKey(key) && !namesOneGitHubRepository(value))
  );
}

/**
 * The subject key of GitHub Actions' OIDC provider: `token.actions.githubusercontent.com:sub`, or with an
 * enterprise's own issuer, `token.actions.githubusercontent.com/<enterprise>:sub` (lower-cased).
 */
function isGitHubSubjectKey(key: string): boolean {
  return /^token\.actions\.githubusercontent\.com(\/[^:]*)?:sub$/.test(key);
}

/**
 * Whether a GitHub subject value names one repository: GitHub writes the subject `repo:<owner>/<repository>:`
 * followed by the environment, ref or event (`repo:octo-org/octo-repo:environment:Production`), so the value must
 * start with `repo:`, an owner and a repository name without a wildcard, then `:` or its end. What follows may
 * have wildcards (`repo:octo-org/octo-repo:*`). `*:environment:prod` admits every repository, `repo:octo*` every
 * owner whose name starts so (owner names are first come, first served), `repo:octo-org/*` every repository of
 * the owner, including ones created later. A reference CloudFormation resolves (a parameter) counts as fixed
 * text and may hold the `/` (`repo:${Repository}:*`); an IAM policy variable is a wildcard. A custom subject
 * template (one that does not start with `repo:`) is not read, so it does not count.
 */
function namesOneGitHubRepository(value: string): boolean {
  const repository = /^repo:([^:]*)(?::|$)/i.exec(withTokensFixed(value));
  if (!repository || hasWildcard(repository[1])) {
    return false;
  }
  const name = repository[1];
  return /^[^/]+\/[^/]+$/.test(name) || name.includes(FIXED);
}

// Keys whose value is an account id, an organization id or a network id: a value with a wildcard or an IAM
// policy variable admits ids of other owners (`12345678901?`, `o-abc*`, S3's own example `vpc-*`).
export const OWNER_ID_KEYS: readonly string[] = [
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:principalaccount',
  'kms:calleraccount',
  'aws:principalorgid',
  'aws:sourceorgid',
  'aws:sourcevpc',
  'aws:sourcevpce',
];
// Keys whose value is an ARN: the value ties the caller to an owner through the ARN's account field.
export const OWNER_ARN_KEYS: readonly string[] = ['aws:sourcearn', 'aws:principalarn'];
// ArnEquals and ArnLike compare "each of the six colon-delimited components of the ARN separately", so a
// wildcard stays in its component; StringLike matches the whole text, and a wildcard may span colons.
const ARN_OPERATORS = ['arnequals', 'arnlike'];

/** A colon-free, wildcard-free stand-in for a CloudFormation reference (see withTokensFixed). */
const FIXED = '\u0001';

/**
 * The value with every CloudFormation reference (`${AWS::AccountId}`, `${LogicalId}`, `${LogicalId.Arn}`, an
 * intrinsic flattenToString could not read) replaced by FIXED: CloudFormation resolves it at deploy time
 * to one value, which the template author does not write as a wildcard. What is left of `${...}` is an IAM
 * policy variable (`${aws:username}`; `${!aws:username}` in an `Fn::Sub`), whose value each request sets:
 * it is replaced by `*`.
 */
function withTokensFixed(value: string): string {
  return value.replace(/\$\{(!?)([^}]*)\}/g, (_all, escaped: string, name: string) =>
    escaped === '' && !/^[A-Za-z0-9-]+:(?!:)/.test(name) ? FIXED : '*',
  );
}

function hasWildcard(text: string): boolean {
  return /[*?]/.test(text);
}

/**
 * Whether an ARN pattern ties the caller to one owner. A value without wildcards is a fixed value (S3's
 * "The meaning of public"): a literal ARN, an ARN built from references, a bucket ARN (bucket names are
 * unique in a partition). With a wildcard, the ARN's account field must be a fixed account id: in the fifth
 * component under ArnEquals/ArnLike, and with no wildcard before it under the string operators (where `*`
 * may span colons), or the value starts with a reference to a whole ARN followed by `/` or `:`. An ARN
 * without an account (`arn:aws:s3:::*`) or shorter than six components does not.
 */
export function arnFixesOwner(operator: string, value: string): boolean {
  const text = withTokensFixed(value);
  if (!hasWildcard(text)) {
    return true;
  }
  // A reference that is the whole ARN (`Fn::Join [GetAtt Bucket.Arn, "/*"]`): the wildcards that follow
  // a separator stay inside that resource's name space; `${Bucket.Arn}*` also matches other bucket names.
  if (text.startsWith(FIXED)) {
    return /^\u0001[/:]/.test(text);
  }
  const components = text.split(':');
  if (components.length < 6 || components[0].toLowerCase() !== 'arn') {
    return false;
  }
  const account = components[4];
  const prefix = ARN_OPERATORS.includes(operator) ? account : components.slice(0, 5).join(':');
  return account !== '' && !hasWildcard(prefix);
}

/**
 * Whether the value fixes who may call, as S3 counts a "fixed value" ("values that don't contain a
 * wildcard or an AWS Identity and Access Management Policy Variable"), relaxed for ARNs whose account
 * field is fixed (the source resource then belongs to that account): see arnFixesOwner. Other keys keep
 * the test of matchesAnyCaller.
 */
function fixesCaller(operator: string, key: string, value: string): boolean {
  if (OWNER_ARN_KEYS.includes(key)) {
    return arnFixesOwner(operator, value);
  }
  if (OWNER_ID_KEYS.includes(key)) {
    return !hasWildcard(withTokensFixed(value));
  }
  return !matchesAnyCaller(key, value);
}

/** How narrowingConditionKeys judges condition values. */
export interface NarrowingOptions {
  /**
   * Count a value of aws:SourceArn, aws:PrincipalArn, an account, organization or network key only when it
   * fixes the caller's owner (see fixesCaller), rather than when it is not only wildcards.
   * @default false
   */
  readonly fixedValues?: boolean;
  /**
   * Count aws:PrincipalArn only when every value names roles or users, not every role or every user of an
   * account (`arn:aws:iam::222222222222:*`, `...:role/*`): such a value admits whatever the whole account
   * admits, as a trust of that account's root does.
   * @default false
   */
  readonly namedCallers?: boolean;
}

/**
 * The condition keys of the statement (lower-cased) that narrow who may call: under a matching operator
 * (optionally `ForAnyValue:`), with no value that matches every caller (with `fixedValues`, every value
 * fixes the caller's owner; with `namedCallers`, no aws:PrincipalArn value covers a whole account);
 * `aws:MultiFactorAuthPresent` only when every value is `true`; `aws:SourceIp` only under `IpAddress`, with
 * ranges narrower than /0 that do not together hold every address. A value behind `Fn::If` is judged in each branch, and a key that one branch
 * removes (`AWS::NoValue`) does not narrow.
 */
export function narrowingConditionKeys(statement: PolicyStatement, options: NarrowingOptions = {}): string[] {
  const keys: string[] = [];
  for (const [operator, byKey] of Object.entries(statement.Condition ?? {})) {
    const op = operator.toLowerCase().replace(/^foranyvalue:/, '');
    if (!MATCHING_OPERATORS.includes(op)) {
      continue;
    }
    for (const [key, value] of Object.entries(byKey ?? {})) {
      const k = key.toLowerCase();
      // A value behind an `Fn::If` counts in each branch (a wildcard branch is a wildcard in that deployment);
      // a branch that removes the key leaves that deployment without the condition.
      if (possibleValues(value).some(isNoValue)) {
        continue;
      }
      const values = possibleElements(value).map(flattenToString);
      if (values.length === 0) {
        continue;
      }
      if (k === 'aws:principalarn' && options.namedCallers && values.some(coversEveryPrincipalOfItsAccount)) {
        continue;
      }
      const narrows =
        k === 'aws:multifactorauthpresent'
          ? values.every((v) => v.toLowerCase() === 'true')
          : op !== 'bool' &&
            (op === 'ipaddress') === (k === 'aws:sourceip') &&
            (options.fixedValues
              ? values.every((v) => fixesCaller(op, k, v))
              : !values.some((v) => matchesAnyCaller(k, v)));
      // Ranges that together hold every address (`0.0.0.0/1` and `128.0.0.0/1`) admit everyone, as `/0` does.
      if (narrows && !(k === 'aws:sourceip' && coversWholeAddressSpace(values))) {
        keys.push(k);
      }
    }
  }
  return keys;
}
