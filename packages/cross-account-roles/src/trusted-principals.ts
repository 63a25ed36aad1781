import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

// Internal: the one way this package trusts another account.

/** Options of `trustedRolePrincipal`. */
export interface TrustOptions {
  /** Conditions added to every trust statement (e.g. MFA). */
  readonly conditions?: { [key: string]: any };
  /**
   * Also allow `sts:SetSourceIdentity`, for the same principals and conditions. Every principal trusted here is
   * a role, so every assumption is role chaining, and IAM then requires the action in the target role's trust
   * policy whenever the caller's session carries a source identity (set by an identity provider, or by the
   * caller to name the human behind the session): without it, such a caller cannot assume the role.
   */
  readonly allowSourceIdentity?: boolean;
}

/**
 * Exact role ARNs, and/or the account narrowed by `ArnLike aws:PrincipalArn` on role name patterns, never a
 * bare account. Every statement refuses an ExternalId (these roles are not meant to be deputized) and allows
 * sts:TagSession (and, with `allowSourceIdentity`, sts:SetSourceIdentity) for the same principals only.
 */
export function trustedRolePrincipal(
  accountId: string,
  roleArns: string[],
  roleNamePatterns: string[],
  options: TrustOptions = {},
): iam.IPrincipal {
  const conditions = { Null: { 'sts:ExternalId': 'true' }, ...options.conditions };
  const trust = (principal: iam.PrincipalBase, statementConditions: { [key: string]: any }): iam.IPrincipal =>
    options.allowSourceIdentity
      ? new ChainedRolePrincipal(principal, statementConditions)
      : new iam.SessionTagsPrincipal(principal.withConditions(statementConditions));
  const principals: iam.IPrincipal[] = roleArns.map((arn) => trust(new iam.ArnPrincipal(arn), conditions));
  if (roleNamePatterns.length > 0) {
    principals.push(
      trust(new iam.AccountPrincipal(accountId), {
        ...conditions,
        ArnLike: {
          'aws:PrincipalArn': roleNamePatternArns(accountId, roleNamePatterns),
        },
      }),
    );
  }
  return new iam.CompositePrincipal(...principals);
}

/** The actions of a trust statement that allows source identities: assume, tag the session, set its source. */
export const SOURCE_IDENTITY_TRUST_ACTIONS = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'];

/**
 * A principal that adds one trust statement: `sts:AssumeRole`, `sts:SetSourceIdentity` and `sts:TagSession`
 * for `principal`, under `conditions`. (aws-cdk-lib's SessionTagsPrincipal adds only sts:TagSession, and offers
 * no way to add another action to the same statement.)
 */
class ChainedRolePrincipal extends iam.PrincipalBase {
  public readonly assumeRoleAction = 'sts:AssumeRole';

  constructor(
    private readonly principal: iam.IPrincipal,
    private readonly conditions: { [key: string]: any },
  ) {
    super();
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return new iam.PrincipalPolicyFragment(this.principal.policyFragment.principalJson, this.conditions);
  }

  public addToAssumeRolePolicy(document: iam.PolicyDocument): void {
    document.addStatements(
      new iam.PolicyStatement({
        actions: SOURCE_IDENTITY_TRUST_ACTIONS,
        principals: [this.principal],
        conditions: this.conditions,
      }),
    );
  }

  public dedupeString(): string | undefined {
    return `ChainedRolePrincipal:${this.principal}:${JSON.stringify(this.conditions)}`;
  }
}

/** `arn:<partition>:iam::<account>:role/<pattern>` for each role name pattern. */
export function roleNamePatternArns(accountId: string, roleNamePatterns: string[]): string[] {
  return roleNamePatterns.map((pattern) => `arn:${Aws.PARTITION}:iam::${accountId}:role/${pattern}`);
}

export function requireSomeTrust(path: string, roleArns: string[], roleNamePatterns: string[]): void {
  if (roleArns.length === 0 && roleNamePatterns.length === 0) {
    throw new Error(
      `${path}: trustedPrincipalArns or trustedRoleNamePatterns must name the roles that may assume this role, found neither (a whole account is never trusted)`,
    );
  }
}
