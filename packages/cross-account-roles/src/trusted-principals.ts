import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

// Internal: the one way this package trusts another account.

/**
 * Exact role ARNs, and/or the account narrowed by `ArnLike aws:PrincipalArn` on role name patterns, never a
 * bare account. Every statement refuses an ExternalId (these roles are not meant to be deputized) and allows
 * sts:TagSession for the same principals only.
 */
export function trustedRolePrincipal(
  accountId: string,
  roleArns: string[],
  roleNamePatterns: string[],
  extraConditions: { [key: string]: any } = {},
): iam.IPrincipal {
  const conditions = { Null: { 'sts:ExternalId': 'true' }, ...extraConditions };
  const principals: iam.IPrincipal[] = roleArns.map(
    (arn) => new iam.SessionTagsPrincipal(new iam.ArnPrincipal(arn).withConditions(conditions)),
  );
  if (roleNamePatterns.length > 0) {
    principals.push(
      new iam.SessionTagsPrincipal(
        new iam.AccountPrincipal(accountId).withConditions({
          ...conditions,
          ArnLike: {
            'aws:PrincipalArn': roleNamePatternArns(accountId, roleNamePatterns),
          },
        }),
      ),
    );
  }
  return new iam.CompositePrincipal(...principals);
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
