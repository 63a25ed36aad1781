/*
 * AWS policy size quotas, and how to measure a synthesized template against them the way the services count
 * (the same measure as apps/platform/test/scale/quotas.ts).
 */

// IAM (characters, whitespace not counted): "Role policy size" 10,240 for all inline policies of a role
// together; "Managed policy size" 6,144; "Role trust policy length" 2,048 (default; 4,096 at most).
export const ROLE_INLINE_POLICIES = 10_240;
export const MANAGED_POLICY = 6_144;
export const ROLE_TRUST_POLICY = 2_048;
// Resource policies: S3 bucket policy 20 KB, KMS key policy 32 KB.
export const BUCKET_POLICY = 20_480;
export const KEY_POLICY = 32_768;

/** A synthesized stack: its name (for messages) and its template. */
export interface MeasuredStack {
  readonly name: string;
  readonly template: any;
}

/**
 * Policies of the stacks over their quota, as `<stack>/<logical id>[ trust policy| inline policies]: size > limit`,
 * and how many were measured. Inline policies (`AWS::IAM::Policy` and a role's `Policies`) are summed per role,
 * as IAM counts them; managed policies, trust policies, bucket and key policies are measured one by one.
 */
export function oversizedPolicies(stacks: MeasuredStack[]): { checked: number; tooLarge: string[] } {
  const tooLarge: string[] = [];
  let checked = 0;
  const check = (where: string, document: unknown, limit: number) => {
    checked++;
    const size = policySize(document);
    if (size > limit) tooLarge.push(`${where}: ${size} > ${limit}`);
  };
  for (const { name, template } of stacks) {
    const inlineByRole = new Map<string, unknown[]>();
    const addInline = (role: string, document: unknown) =>
      inlineByRole.set(role, [...(inlineByRole.get(role) ?? []), document]);
    for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
      const props = resource.Properties ?? {};
      const where = `${name}/${id}`;
      switch (resource.Type) {
        case 'AWS::IAM::Role':
          check(`${where} trust policy`, props.AssumeRolePolicyDocument, ROLE_TRUST_POLICY);
          for (const inline of props.Policies ?? []) addInline(id, inline.PolicyDocument);
          break;
        case 'AWS::IAM::Policy':
          for (const role of props.Roles ?? []) addInline(roleKey(role), props.PolicyDocument);
          break;
        case 'AWS::IAM::ManagedPolicy':
          check(where, props.PolicyDocument, MANAGED_POLICY);
          break;
        case 'AWS::S3::BucketPolicy':
          check(where, props.PolicyDocument, BUCKET_POLICY);
          break;
        case 'AWS::KMS::Key':
          check(where, props.KeyPolicy, KEY_POLICY);
          break;
      }
    }
    for (const [role, documents] of inlineByRole) {
      // Each document measured on its own and added up: IAM counts the documents, not a wrapper around them.
      checked++;
      const size = documents.reduce<number>((sum, document) => sum + policySize(document), 0);
      if (size > ROLE_INLINE_POLICIES) {
        tooLarge.push(`${name}/${role} inline policies: ${size} > ${ROLE_INLINE_POLICIES}`);
      }
    }
  }
  return { checked, tooLarge };
}

function roleKey(role: unknown): string {
  const ref = (role as { Ref?: string }).Ref;
  return ref ?? JSON.stringify(role);
}

/**
 * Size of a policy as IAM counts it: JSON without whitespace. Templates hold intrinsics, resolved only at
 * deploy time; the larger of the template form and a deployed form with worst-case values is used.
 */
export function policySize(document: unknown): number {
  return Math.max(JSON.stringify(document).length, JSON.stringify(deployed(document)).length);
}

/** Worst-case deployed value of CloudFormation intrinsics. */
function deployed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deployed);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    const [key] = keys;
    const arg = object[key];
    if (key === 'Ref') return PSEUDO[arg as string] ?? 'x'.repeat(64);
    if (key === 'Fn::GetAtt') return 'x'.repeat(128);
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((p) => String(deployed(p))).join(separator);
    }
    if (key === 'Fn::Sub') return String(Array.isArray(arg) ? arg[0] : arg).replace(/\$\{[^}]+\}/g, 'x'.repeat(64));
    if (key.startsWith('Fn::')) return 'x'.repeat(Math.max(64, JSON.stringify(arg).length));
  }
  return Object.fromEntries(keys.map((k) => [k, deployed(object[k])]));
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-2',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackName': 'x'.repeat(128),
};
