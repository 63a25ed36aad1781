import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { flattenToString, possibleElements, renderResource } from '../../private/cfn-template';
import { narrowingConditionKeys } from '../../private/conditions';
import { PolicyStatement, allowsAction, isAllow, statementsOf } from '../../private/iam-policy';

// Condition keys that tie a trust to a known caller (IAM global condition context keys).
const NARROWING_KEYS = ['aws:principalarn', 'aws:principalorgid', 'sts:externalid', 'aws:multifactorauthpresent'];
// With `AWS: *` any account in the world matches the principal, so only keys that name the
// caller (its ARN or its organization) narrow it; MFA or an external id alone do not.
const WILDCARD_NARROWING_KEYS = ['aws:principalarn', 'aws:principalorgid'];

// Pseudo parameters contain colons, so they are replaced before the ARN is split on colons.
const THIS_ACCOUNT = 'this-account';
const IAM_ARN = /^arn:[^:]+:(?:iam|sts)::([^:]+):(.+)$/;

function withoutPseudoParameters(text: string): string {
  return text.replace(/\$\{AWS::Partition\}/g, 'aws').replace(/\$\{AWS::AccountId\}/g, THIS_ACCOUNT);
}

interface TrustedPrincipal {
  /** Anyone (`*`): a principal from every account. */
  readonly wildcard: boolean;
  /** The account the principal belongs to, when the text names one. */
  readonly account?: string;
  /** The whole account (`:root` or a bare account id) rather than one role or user. */
  readonly wholeAccount: boolean;
}

function parsePrincipal(principal: string): TrustedPrincipal {
  const text = withoutPseudoParameters(principal);
  if (text === '*') {
    return { wildcard: true, wholeAccount: true };
  }
  if (/^\d{12}$/.test(text)) {
    return { wildcard: false, account: text, wholeAccount: true };
  }
  const arn = IAM_ARN.exec(text);
  if (arn) {
    return { wildcard: false, account: arn[1], wholeAccount: arn[2] === 'root' };
  }
  // `Fn::GetAtt [X, Arn]`: the ARN of a role or user defined in this template (same account, one principal).
  if (/^\$\{[^}]+\.Arn\}$/.test(text)) {
    return { wildcard: false, wholeAccount: false };
  }
  // Anything else (a parameter, an import, an intrinsic we cannot read) may be any account: it needs a condition.
  return { wildcard: false, account: text, wholeAccount: true };
}

function awsPrincipals(statement: PolicyStatement): string[] {
  const principal = statement.Principal as any;
  if (principal === '*') {
    return ['*'];
  }
  if (principal && typeof principal === 'object' && 'AWS' in principal) {
    // Every branch of an Fn::If counts: a principal one deployment trusts is trusted.
    return possibleElements(principal.AWS).map(flattenToString);
  }
  return [];
}

/** Stands for "a `sub` key of whichever provider": the provider is a reference this rule cannot read. */
const ANY_PROVIDER_SUBJECT = '*:sub';

/** The keys that name the callers of each web identity provider STS knows without an IAM provider resource. */
const BUILT_IN_PROVIDER_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ['accounts.google.com', ['accounts.google.com:aud']],
  ['graph.facebook.com', ['graph.facebook.com:app_id']],
  ['www.amazon.com', ['www.amazon.com:app_id']],
  ['cognito-identity.amazonaws.com', ['cognito-identity.amazonaws.com:aud', 'cognito-identity.amazonaws.com:amr']],
]);

/**
 * The condition keys (lower-cased) that together name the callers of a web identity trust of `federated`
 * (IAM User Guide, "Available keys for AWS web identity federation"). An IAM OIDC provider
 * (`arn:...:oidc-provider/<host>`) issues tokens to every workload or user of its issuer (every repository on
 * GitHub, every service account of a cluster), which its subject claim `<host>:sub` tells apart. The built-in
 * providers issue tokens to every user of every app: Google's client id `accounts.google.com:aud`, Facebook's
 * `graph.facebook.com:app_id` and Login with Amazon's `www.amazon.com:app_id` name the app. Google's
 * `accounts.google.com:oaud` does not: it is the token's own `aud`, which a Google service account chooses
 * when it asks for a token. A user key alone (`:sub`, `:id`, `:user_id`) does not either: it names a user,
 * not the app the user signed in through. Amazon Cognito issues tokens for every identity pool, which
 * `cognito-identity.amazonaws.com:aud` names, to guests and signed-in users, which
 * `cognito-identity.amazonaws.com:amr` tells apart (the Cognito developer guide asks for both on every role
 * that trusts identity pools). A reference (an OIDC provider of the template, an import) stands for a provider
 * whose host the rule cannot read: a `sub` key of any provider counts. Other federated principals (SAML
 * providers) are not judged: undefined.
 */
function webIdentityCallerKeys(federated: string): readonly string[] | undefined {
  const text = withoutPseudoParameters(federated);
  const builtIn = BUILT_IN_PROVIDER_KEYS.get(text.toLowerCase());
  if (builtIn) {
    return builtIn;
  }
  const oidc = /^arn:[^:]+:iam::[^:]*:oidc-provider\/(.+)$/.exec(text);
  if (oidc) {
    return [`${oidc[1].toLowerCase()}:sub`];
  }
  return /^\$\{[^}]+\}$/.test(text) ? [ANY_PROVIDER_SUBJECT] : undefined;
}

/** The statement's `Federated` principals as strings, every `Fn::If` branch counted. */
function federatedPrincipals(statement: PolicyStatement): string[] {
  const principal = statement.Principal as any;
  if (principal && typeof principal === 'object' && 'Federated' in principal) {
    return possibleElements(principal.Federated).map(flattenToString);
  }
  return [];
}

/**
 * Whether a statement that lets a web identity assume the role names its callers: for each federated
 * principal webIdentityCallerKeys judges, each of its keys narrows (see narrowingConditionKeys).
 */
function webIdentityCallersNamed(statement: PolicyStatement, keys: string[]): boolean {
  if (!allowsAction(statement, 'sts:AssumeRoleWithWebIdentity')) {
    return true;
  }
  return federatedPrincipals(statement).every((federated) =>
    (webIdentityCallerKeys(federated) ?? []).every((key) =>
      key === ANY_PROVIDER_SUBJECT ? keys.some((k) => k.endsWith(':sub')) : keys.includes(key),
    ),
  );
}

/**
 * Groundwork-IAM4: a role whose trust policy admits a principal from another AWS account (an
 * account id or ARN that is not this stack's account, or `AWS: *`) either names specific role or
 * user ARNs, or carries a condition on the caller (aws:PrincipalArn, aws:PrincipalOrgID,
 * sts:ExternalId, aws:MultiFactorAuthPresent true; for `*` only aws:PrincipalArn or aws:PrincipalOrgID).
 * A condition counts only under an operator that fails for a caller without the key (StringEquals,
 * StringLike, ArnEquals, ArnLike, their variants, Bool; not a negated operator, `...IfExists`, `Null` or
 * `ForAllValues:`) and with values that do not match every caller (`*`, `o-*`, `arn:aws:iam::*:role/*`);
 * for `*`, with values that fix the caller's account or organization, as Groundwork-IAM6 counts them
 * (`arn:aws:iam::*:role/deployer` or `o-abc*` do not), or with a role name pattern in aws:PrincipalArn
 * beside fixed aws:PrincipalAccount values. An aws:PrincipalArn value that covers every role or every user of
 * an account (`arn:aws:iam::222222222222:*`, `...:role/*`) names no caller and does not count.
 *
 * A trust that lets a web identity in (sts:AssumeRoleWithWebIdentity) names its callers too: for an IAM OIDC
 * provider, a condition on its subject, `<provider host>:sub` (for a provider given as a reference, a `sub`
 * key of any provider), with values that are not only wildcards nor every GitHub repository (`repo:*`); for
 * GitHub's own key (`token.actions.githubusercontent.com[/<enterprise>]:sub`), every value names one repository,
 * `repo:<owner>/<repository>` with no wildcard in either, then `:` or the end (`*:environment:prod`,
 * `repo:octo*` and `repo:octo-org/*` do not); for Google, Facebook and Login with Amazon, the app:
 * `accounts.google.com:aud`, `graph.facebook.com:app_id`, `www.amazon.com:app_id` (not `accounts.google.com:oaud`
 * alone, nor a user key alone); for Amazon Cognito, `cognito-identity.amazonaws.com:aud` and
 * `cognito-identity.amazonaws.com:amr`. An app or identity pool id with a wildcard or a policy variable
 * (`*.apps.googleusercontent.com`, `eu-west-1:*`) does not count. Under the operators counted above. A
 * condition block the rule cannot read (aws-cdk-lib's `eks.ServiceAccount` puts it in a CfnJson,
 * `{"StringEquals": {"Fn::GetAtt": [..., "Value"]}}`) has no `sub` key, and fails.
 *
 * When the stack is environment-agnostic its account is unknown, so every literal account id
 * counts as another account: give the stack an `env` to compare against.
 * @param node the CfnResource to check
 */
export function crossAccountTrustNarrowed(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::IAM::Role') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const stackAccount = Stack.of(node).account;
  const ownAccount = Token.isUnresolved(stackAccount) ? undefined : stackAccount;
  const statements = statementsOf(renderResource(node).Properties.AssumeRolePolicyDocument).filter(isAllow);

  for (const statement of statements) {
    // aws:PrincipalArn narrows only when it names roles or users: `arn:aws:iam::<account>:*` admits what the
    // account's root does.
    const keys = narrowingConditionKeys(statement, { namedCallers: true });
    if (!webIdentityCallersNamed(statement, keys)) {
      return NagRuleCompliance.NON_COMPLIANT;
    }
    // With `*`, the condition alone names the caller: its value must fix the account or organization
    // (`arn:aws:iam::*:role/deployer` admits a role of that name in any account), or a fixed
    // aws:PrincipalAccount names the accounts and aws:PrincipalArn the roles in them.
    const fixedKeys = narrowingConditionKeys(statement, { fixedValues: true, namedCallers: true });
    const wildcardNarrowed =
      fixedKeys.some((k) => WILDCARD_NARROWING_KEYS.includes(k)) ||
      (fixedKeys.includes('aws:principalaccount') && keys.includes('aws:principalarn'));
    for (const principal of awsPrincipals(statement).map(parsePrincipal)) {
      if (principal.wildcard) {
        if (!wildcardNarrowed) {
          return NagRuleCompliance.NON_COMPLIANT;
        }
        continue;
      }
      const otherAccount =
        principal.account !== undefined && principal.account !== THIS_ACCOUNT && principal.account !== ownAccount;
      if (otherAccount && principal.wholeAccount && !keys.some((k) => NARROWING_KEYS.includes(k))) {
        return NagRuleCompliance.NON_COMPLIANT;
      }
    }
  }
  return NagRuleCompliance.COMPLIANT;
}
