/*
 * AWS quotas that grow with the number of environments, and how to measure a synthesized template against
 * them the way the service counts. Shared by the scale tests.
 */

// CodePipeline: "Number of stages in a pipeline" 2 to 50, "Number of actions in a stage" 1 to 50,
// "Maximum number of actions per pipeline" 500 (fixed, cannot be raised).
export const MAX_STAGES_PER_PIPELINE = 50;
export const MAX_ACTIONS_PER_STAGE = 50;
export const MAX_ACTIONS_PER_PIPELINE = 500;
// CodeBuild: an inline buildspec holds at most 25,600 characters ("Max buildspec length is 25600").
export const MAX_INLINE_BUILDSPEC = 25_600;
// IAM (characters, whitespace not counted): "Role policy size" 10,240 for all inline policies of a role together;
// "Managed policy size" 6,144; "Role trust policy length" 2,048 (default; 4,096 at most).
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
  /** The stack's account and region, when known: the ARNs of its named resources are built with them. */
  readonly account?: string;
  readonly region?: string;
}

/**
 * Policies of the stacks over their quota, as `<stack>/<logical id>[ trust policy]: size >= limit`, and how
 * many documents were measured. Inline policies are summed per role, as IAM counts them.
 */
export function oversizedPolicies(stacks: MeasuredStack[]): { checked: number; tooLarge: string[] } {
  const tooLarge: string[] = [];
  let checked = 0;
  let current: MeasuredStack | undefined;
  const check = (where: string, document: unknown, limit: number) => {
    checked++;
    const size = policySize(document, current);
    if (size >= limit) tooLarge.push(`${where}: ${size} >= ${limit}`);
  };
  for (const stack of stacks) {
    const { name, template } = stack;
    current = stack;
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
      check(`${name}/${role} inline policies`, { documents }, ROLE_INLINE_POLICIES);
    }
  }
  return { checked, tooLarge };
}

/**
 * CodeBuild projects of the stacks whose inline buildspec is over CodeBuild's limit, as
 * `<stack>/<logical id>: length`, and how many inline buildspecs were measured.
 */
export function oversizedBuildspecs(stacks: MeasuredStack[]): { checked: number; tooLarge: string[] } {
  const tooLarge: string[] = [];
  let checked = 0;
  for (const stack of stacks) {
    for (const [id, resource] of Object.entries<any>(stack.template.Resources ?? {})) {
      const buildSpec =
        resource.Type === 'AWS::CodeBuild::Project' ? resource.Properties?.Source?.BuildSpec : undefined;
      if (buildSpec === undefined) continue;
      checked++;
      // A buildspec with intrinsics: measured in its deployed form with worst-case values.
      const length = String(deployed(buildSpec, stack)).length;
      if (length > MAX_INLINE_BUILDSPEC) tooLarge.push(`${stack.name}/${id}: ${length}`);
    }
  }
  return { checked, tooLarge };
}

/** The stages of the (one) CodePipeline in a template. */
export function pipelineStages(template: any): Array<{ Name: string; Actions: Array<{ Name: string }> }> {
  const pipelines = Object.values<any>(template.Resources ?? {}).filter(
    (r) => r.Type === 'AWS::CodePipeline::Pipeline',
  );
  if (pipelines.length !== 1) throw new Error(`expected one pipeline in the template, found ${pipelines.length}`);
  return pipelines[0].Properties.Stages;
}

function roleKey(role: unknown): string {
  const ref = (role as { Ref?: string }).Ref;
  return ref ?? JSON.stringify(role);
}

/**
 * Size of a policy as IAM counts it: JSON without whitespace. Templates hold intrinsics, resolved only at
 * deploy time; the larger of the template form and a deployed form with worst-case values is used.
 */
export function policySize(document: unknown, stack?: MeasuredStack): number {
  return Math.max(JSON.stringify(document).length, JSON.stringify(deployed(document, stack)).length);
}

/**
 * Worst-case deployed value of CloudFormation intrinsics. The ARN of a CodeBuild project or IAM role of the
 * template with a literal name is built from it (with the longest partition, region and account); any other
 * attribute is taken at 128 characters.
 */
function deployed(value: unknown, stack?: MeasuredStack): unknown {
  const recurse = (v: unknown) => deployed(v, stack);
  if (Array.isArray(value)) return value.map(recurse);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    const [key] = keys;
    const arg = object[key];
    if (key === 'Ref') return PSEUDO[arg as string] ?? 'x'.repeat(64);
    if (key === 'Fn::GetAtt') return namedArn(arg as [string, string], stack) ?? 'x'.repeat(128);
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return (parts as unknown[]).map((p) => String(recurse(p))).join(separator);
    }
    if (key === 'Fn::Sub') return String(Array.isArray(arg) ? arg[0] : arg).replace(/\$\{[^}]+\}/g, 'x'.repeat(64));
    if (key.startsWith('Fn::')) return 'x'.repeat(Math.max(64, JSON.stringify(arg).length));
  }
  return Object.fromEntries(keys.map((k) => [k, recurse(object[k])]));
}

/**
 * The ARN of a named CodeBuild project or IAM role of the stack's template, at its longest (the stack's account
 * and region when known); undefined otherwise.
 */
function namedArn([id, attribute]: [string, string], stack?: MeasuredStack): string | undefined {
  const resource = stack?.template?.Resources?.[id];
  if (attribute !== 'Arn' || resource === undefined) return undefined;
  const partition = PSEUDO['AWS::Partition'];
  const region = stack?.region ?? PSEUDO['AWS::Region'];
  const account = stack?.account ?? PSEUDO['AWS::AccountId'];
  const name = resource.Type === 'AWS::CodeBuild::Project' ? resource.Properties?.Name : resource.Properties?.RoleName;
  if (typeof name !== 'string') return undefined;
  if (resource.Type === 'AWS::CodeBuild::Project') {
    return `arn:${partition}:codebuild:${region}:${account}:project/${name}`;
  }
  if (resource.Type === 'AWS::IAM::Role') return `arn:${partition}:iam::${account}:role/${name}`;
  return undefined;
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws-us-gov',
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'ap-southeast-2',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackName': 'x'.repeat(128),
};
