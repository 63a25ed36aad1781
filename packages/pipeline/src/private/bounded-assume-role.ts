import { BootstrapContract, BootstrapRoleKind } from '@groundwork/cross-account-roles';
import { Aws, IResolvable, IResolveContext, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/*
 * Why this file exists (issue 9, IAM and S3/KMS quotas):
 * `aws-cdk-lib/pipelines` imports each stage's `cdk-<qualifier>-deploy-role-<account>-<region>` and
 * (for assets) `cdk-<qualifier>-file-publishing-role-<account>-<region>`, then
 *  - grants the pipeline role (and the asset publishing roles) `sts:AssumeRole` on each ARN: about
 *    90 bytes per account-region in an identity policy (IAM quota: 10,240 bytes of inline policy per
 *    role; beyond it CDK splits into managed policies, 6,144 bytes each, at most 20 per role), and
 *  - grants each deploy role read access in the artifact bucket policy and the artifact key policy:
 *    about 360 and 225 bytes per account-region (S3 quota: 20 KB bucket policy; KMS quota: 32 KB key
 *    policy). Measured: 100 environments made a 36.9 KB bucket policy, which S3 rejects.
 * The module has no option for this, so the built documents are post-processed: the per-account ARNs are
 * replaced by one statement on the role-name pattern `arn:<partition>:iam::*:role/cdk-<qualifier>-<kind>-role-*`
 * (`BootstrapContract.roleNamePattern`),
 * scoped to the organization (`aws:ResourceOrgID` / `aws:PrincipalOrgID`) or, without an organization id,
 * to the explicit list of target accounts (about 15 bytes per account). Bucket policies name each target
 * account's root as a fixed principal instead of `*` (about 35 bytes per account; see ResourcePolicyRewrite).
 */

/** The CDK bootstrap role kinds a pipeline uses in target accounts. */
export const BOOTSTRAP_ROLE_KINDS = [
  BootstrapRoleKind.DEPLOY,
  BootstrapRoleKind.FILE_PUBLISHING,
  BootstrapRoleKind.IMAGE_PUBLISHING,
];

/** `arn:<partition>:iam::*:role/cdk-<qualifier>-<kind>-*`, as text in a policy. */
export function bootstrapRolePatternArn(kind: BootstrapRoleKind, qualifier: string): string {
  return `arn:${Aws.PARTITION}:iam::*:role/${BootstrapContract.roleNamePattern(kind, qualifier)}`;
}

/** What bounds the pattern statement that replaces per-account role ARNs. */
export interface AssumeRoleBound {
  readonly qualifier: string;
  /** AWS Organizations id; when set the pattern is scoped by organization. */
  readonly organizationId?: string;
}

function bootstrapKindOf(resolved: unknown, qualifier: string): BootstrapRoleKind | undefined {
  const text = JSON.stringify(resolved);
  // The name pattern without its trailing '*' is the prefix every role of that kind has.
  return BOOTSTRAP_ROLE_KINDS.find((kind) =>
    text.includes(`:role/${BootstrapContract.roleNamePattern(kind, qualifier).slice(0, -1)}`),
  );
}

/** The account of a resolved role ARN: a literal id, or `{ Ref: AWS::AccountId }` for the pipeline's own account. */
function accountOf(resolved: unknown): unknown {
  const literal = /:iam::(\d{12}):role\//.exec(JSON.stringify(resolved));
  return literal ? literal[1] : { Ref: 'AWS::AccountId' };
}

function pattern(kind: BootstrapRoleKind, qualifier: string): unknown {
  const name = BootstrapContract.roleNamePattern(kind, qualifier);
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::*:role/${name}`]] };
}

/**
 * The statement array of a policy document, to replace statements CDK generated.
 * PolicyDocument offers no public way to remove a statement; its `statements` array is the one place
 * they live. Fails loudly (the 100-environment tests catch it) if a CDK upgrade renames it.
 */
export function mutableStatements(document: iam.PolicyDocument, scope: IConstruct): iam.PolicyStatement[] {
  const internal = document as unknown as { statements?: iam.PolicyStatement[] };
  if (!Array.isArray(internal.statements)) {
    throw new Error(`${scope.node.path}: aws-cdk-lib PolicyDocument internals changed; cannot rewrite its statements`);
  }
  return internal.statements;
}

/**
 * Removes `sts:AssumeRole` on CDK bootstrap role ARNs from an identity policy document and adds one pattern
 * statement instead. Must run before CDK's policy-splitting aspect (it runs at synthesis), so the split sees
 * the bounded document. Returns the number of ARNs removed.
 */
export function boundIdentityPolicy(document: iam.PolicyDocument, scope: IConstruct, bound: AssumeRoleBound): number {
  const internal = { statements: mutableStatements(document, scope) };
  const stack = Stack.of(scope);
  const kinds = new Set<BootstrapRoleKind>();
  const accounts = new Map<string, string>();
  const next: iam.PolicyStatement[] = [];
  for (const statement of internal.statements) {
    const plainAssumeRole =
      statement.effect === iam.Effect.ALLOW &&
      statement.actions.length === 1 &&
      statement.actions[0] === 'sts:AssumeRole' &&
      !statement.hasPrincipal &&
      statement.notResources.length === 0 &&
      Object.keys(statement.conditions ?? {}).length === 0;
    if (!plainAssumeRole) {
      next.push(statement);
      continue;
    }
    const kept: string[] = [];
    for (const resource of statement.resources) {
      const resolved = stack.resolve(resource);
      const kind = bootstrapKindOf(resolved, bound.qualifier);
      if (!kind) {
        kept.push(resource);
        continue;
      }
      kinds.add(kind);
      const account = accountOf(resolved);
      accounts.set(JSON.stringify(account), typeof account === 'string' ? account : Aws.ACCOUNT_ID);
    }
    if (kept.length === statement.resources.length) {
      next.push(statement);
    } else if (kept.length > 0) {
      next.push(new iam.PolicyStatement({ sid: statement.sid, actions: ['sts:AssumeRole'], resources: kept }));
    }
  }
  if (kinds.size === 0) {
    return 0;
  }
  internal.statements.splice(0, internal.statements.length, ...next);
  document.addStatements(
    new iam.PolicyStatement({
      sid: 'AssumeBootstrapRolesByPattern',
      actions: ['sts:AssumeRole'],
      resources: [...kinds].sort().map((kind) => bootstrapRolePatternArn(kind, bound.qualifier)),
      conditions: bound.organizationId
        ? { StringEquals: { 'aws:ResourceOrgID': bound.organizationId } }
        : { StringEquals: { 'aws:ResourceAccount': [...accounts.values()] } },
    }),
  );
  return accounts.size;
}

interface Statement {
  Effect?: string;
  Principal?: { AWS?: unknown };
  Condition?: unknown;
  Action?: unknown;
  Resource?: unknown;
  [key: string]: unknown;
}

/** How a resource policy is rewritten. */
export interface ResourcePolicyRewrite {
  /**
   * Name fixed principals instead of `*` (bucket policies): S3 Block Public Access counts a statement with
   * `Principal: *` as public unless it is limited by fixed values of the condition keys S3 lists
   * (aws:SourceArn, aws:SourceAccount, aws:SourceVpc(e), aws:SourceOwner, aws:SourceIp, aws:userid, ...),
   * and `aws:PrincipalArn` with a wildcard or `aws:PrincipalAccount` is not among them: the bucket, which
   * blocks public policies, would refuse the policy. Each other account becomes its `:root` principal (a
   * cross-account request needs the caller's identity policy anyway), and a role of this stack's own account
   * keeps its exact ARN (in its own account a bucket policy naming the role is enough, as CDK generated
   * it); the role-name pattern stays as a condition. About 35 bytes per account.
   */
  readonly fixedPrincipals?: boolean;
}

/** `arn:<partition>:iam::<account>:root`, for a literal account id. */
function accountRoot(account: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${account}:root`]] };
}

/** Pure rewrite of a resolved resource policy document; exported for tests. */
export function rewriteResourcePolicy(document: any, bound: AssumeRoleBound, options: ResourcePolicyRewrite = {}): any {
  if (!document || !Array.isArray(document.Statement)) {
    return document;
  }
  const merged = new Map<
    string,
    {
      statement: Statement;
      kinds: Set<BootstrapRoleKind>;
      accounts: Map<string, unknown>;
      principals: Map<string, unknown>;
    }
  >();
  const statements: Statement[] = [];
  for (const statement of document.Statement as Statement[]) {
    const principals = statement.Principal?.AWS;
    const list: unknown[] = Array.isArray(principals) ? principals : principals !== undefined ? [principals] : [];
    const allBootstrap =
      statement.Effect === 'Allow' &&
      !statement.Condition &&
      Object.keys(statement.Principal ?? {}).length === 1 &&
      list.length > 0 &&
      list.every((p) => bootstrapKindOf(p, bound.qualifier));
    if (!allBootstrap) {
      statements.push(statement);
      continue;
    }
    const key = JSON.stringify([statement.Action, statement.Resource]);
    let entry = merged.get(key);
    if (!entry) {
      const { Principal: _principal, Sid: _sid, ...rest } = statement;
      entry = { statement: rest, kinds: new Set(), accounts: new Map(), principals: new Map() };
      merged.set(key, entry);
      statements.push(entry.statement);
    }
    for (const principal of list) {
      entry.kinds.add(bootstrapKindOf(principal, bound.qualifier)!);
      const account = accountOf(principal);
      entry.accounts.set(JSON.stringify(account), account);
      // This stack's own account (`{ Ref: AWS::AccountId }`) keeps the role's ARN; another, its root.
      const fixed = typeof account === 'string' ? accountRoot(account) : principal;
      entry.principals.set(JSON.stringify(fixed), fixed);
    }
  }
  for (const entry of merged.values()) {
    const patterns = [...entry.kinds].sort().map((kind) => pattern(kind, bound.qualifier));
    const arnLike = { 'aws:PrincipalArn': patterns.length === 1 ? patterns[0] : patterns };
    if (options.fixedPrincipals) {
      const principals = [...entry.principals.values()];
      entry.statement.Principal = { AWS: principals.length === 1 ? principals[0] : principals };
      entry.statement.Condition = {
        ArnLike: arnLike,
        ...(bound.organizationId ? { StringEquals: { 'aws:PrincipalOrgID': bound.organizationId } } : {}),
      };
      continue;
    }
    entry.statement.Principal = { AWS: '*' };
    entry.statement.Condition = {
      ArnLike: arnLike,
      StringEquals: bound.organizationId
        ? { 'aws:PrincipalOrgID': bound.organizationId }
        : { 'aws:PrincipalAccount': [...entry.accounts.values()] },
    };
  }
  return merged.size === 0 ? document : { ...document, Statement: statements };
}

/** Wraps a resource-policy property (bucket policy, key policy) so it renders bounded. */
export class BoundedResourcePolicy implements IResolvable {
  public readonly creationStack: string[] = [];
  constructor(
    private readonly original: unknown,
    private readonly bound: AssumeRoleBound,
    private readonly options: ResourcePolicyRewrite = {},
  ) {}
  public resolve(context: IResolveContext): unknown {
    return rewriteResourcePolicy(context.resolve(this.original), this.bound, this.options);
  }
}
