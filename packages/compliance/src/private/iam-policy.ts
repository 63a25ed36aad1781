import { RenderedResource, asArray, flattenToString } from './cfn-template';

/** An IAM policy statement as written in a template (single values not yet wrapped in lists). */
export interface PolicyStatement {
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: { [operator: string]: { [key: string]: unknown } };
}

const STANDALONE_POLICY_TYPES = new Set([
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy',
]);
const INLINE_POLICY_TYPES = new Set(['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']);

/** True when the resource type carries identity-based policy statements that the IAM rules read. */
export function carriesIdentityPolicies(type: string): boolean {
  return STANDALONE_POLICY_TYPES.has(type) || INLINE_POLICY_TYPES.has(type);
}

/** Every statement of every identity-based policy the resource defines (standalone or inline). */
export function identityPolicyStatements(resource: RenderedResource): PolicyStatement[] {
  const documents: unknown[] = [];
  if (STANDALONE_POLICY_TYPES.has(resource.Type)) {
    documents.push(resource.Properties.PolicyDocument);
  } else if (INLINE_POLICY_TYPES.has(resource.Type)) {
    for (const policy of asArray<any>(resource.Properties.Policies)) {
      documents.push(policy?.PolicyDocument);
    }
  }
  return documents.flatMap(statementsOf);
}

/** Statements of one policy document; CloudFormation accepts the document as an object or a JSON string. */
export function statementsOf(document: unknown): PolicyStatement[] {
  const parsed = typeof document === 'string' ? JSON.parse(document) : document;
  if (!parsed || typeof parsed !== 'object') {
    return [];
  }
  return asArray<PolicyStatement>((parsed as { Statement?: PolicyStatement | PolicyStatement[] }).Statement);
}

/** Allow statements only: a Deny never grants anything. */
export function isAllow(statement: PolicyStatement): boolean {
  return statement.Effect === 'Allow';
}

/** The statement's actions as strings, lower-cased (IAM action names are case-insensitive). */
export function actionsOf(statement: PolicyStatement): string[] {
  return asArray(statement.Action).map((a) => flattenToString(a).toLowerCase());
}

/** The statement's resources as strings. */
export function resourcesOf(statement: PolicyStatement): string[] {
  return asArray(statement.Resource).map((r) => flattenToString(r));
}
