import { CfnResource, Stack } from 'aws-cdk-lib';

/**
 * One resource as CloudFormation will receive it: properties after `addPropertyOverride`/`addOverride`
 * and after token resolution, plus the resource attributes the rules read.
 */
export interface RenderedResource {
  readonly Type: string;
  readonly Properties: { [key: string]: any };
  /** The logical id of the condition under which CloudFormation creates the resource. */
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/**
 * Renders a resource the way the stack template will contain it.
 *
 * Reading the L1 props alone misses raw overrides, and several CDK features write through them
 * (for example `PermissionsBoundary.of(scope).apply()` sets `PermissionsBoundary` with
 * `addPropertyOverride` from an aspect). `_toCloudFormation()` is the method the stack itself
 * calls to render its template, so rules see exactly what gets deployed.
 */
export function renderResource(node: CfnResource): RenderedResource {
  if (checking === undefined) {
    return render(node);
  }
  let rendered = run.rendered.get(node);
  if (rendered === undefined) {
    rendered = render(node);
    run.rendered.set(node, rendered);
  }
  return rendered;
}

/** What the rules of one validation run share: the renderings of resources, values derived from them. */
interface ValidationRun {
  readonly rendered: WeakMap<CfnResource, RenderedResource>;
  readonly derived: WeakMap<object, Map<string, unknown>>;
}

function newRun(): ValidationRun {
  return { rendered: new WeakMap(), derived: new WeakMap() };
}

/** The current validation run (see withRenderedResource). */
let run: ValidationRun = newRun();

/** The resource whose rules are running (see withRenderedResource), or undefined outside a pack's check. */
let checking: CfnResource | undefined;

/**
 * Runs `action` (a pack's whole validation of a tree) as one validation run: renderings and derived values
 * made in it are shared by every resource's rules, and forgotten at its end. The tree does not change while a
 * pack validates it, but it may between two validations (tests check a stack, change it and check it again).
 */
export function inValidationRun<T>(action: () => T): T {
  run = newRun();
  try {
    return action();
  } finally {
    run = newRun();
  }
}

/**
 * Runs `action` (all of a pack's rules on one resource) with every resource rendered at most once in the
 * validation run (inValidationRun): several rules read the same resource (a role: tags, trust, boundary,
 * policies), a rule may read the resource's neighbours (NET1 reads every ingress of the template for each
 * security group), and rendering resolves every property.
 */
export function withRenderedResource<T>(node: CfnResource, action: () => T): T {
  const outer = checking;
  checking = node;
  try {
    return action();
  } finally {
    checking = outer;
  }
}

/**
 * A value derived from the template (e.g. an index of a stack's security groups), computed once per validation
 * run for `owner` and `name` (see withRenderedResource), or every time outside a pack's check.
 */
export function derivedOnce<T>(owner: object, name: string, compute: () => T): T {
  if (checking === undefined) {
    return compute();
  }
  let values = run.derived.get(owner);
  if (values === undefined) {
    values = new Map();
    run.derived.set(owner, values);
  }
  if (!values.has(name)) {
    values.set(name, compute());
  }
  return values.get(name) as T;
}

function render(node: CfnResource): RenderedResource {
  const stack = Stack.of(node);
  const renderer = (node as unknown as { _toCloudFormation?: () => any })._toCloudFormation;
  if (typeof renderer === 'function') {
    const fragment = stack.resolve(renderer.call(node));
    const resources = fragment?.Resources ?? {};
    const rendered = Object.values(resources)[0] as any;
    if (rendered) {
      return { ...rendered, Properties: rendered.Properties ?? {} };
    }
    // shouldSynthesize() is false (e.g. a condition-less skipped resource): nothing is deployed.
    return { Type: node.cfnResourceType, Properties: {} };
  }
  // Fallback for a future aws-cdk-lib without the internal renderer: L1 props, no raw overrides.
  return {
    Type: node.cfnResourceType,
    Properties: stack.resolve((node as unknown as { cfnProperties: any }).cfnProperties) ?? {},
    Condition: node.cfnOptions.condition ? stack.resolve(node.cfnOptions.condition.logicalId) : undefined,
    DeletionPolicy: node.cfnOptions.deletionPolicy,
    UpdateReplacePolicy: node.cfnOptions.updateReplacePolicy,
  };
}

/** Placeholder used when a value contains an intrinsic that cannot be turned into text. */
export const UNKNOWN = '${?}';

/**
 * Turns a resolved CloudFormation value into one string, keeping the literal parts of
 * `Fn::Join`/`Fn::Sub` (with the values of an `Fn::Sub` variable map substituted) and writing references as
 * `${LogicalId}` or `${LogicalId.Attribute}`,
 * so that e.g. `['arn:', {Ref: 'AWS::Partition'}, ':iam::aws:policy/AdministratorAccess']`
 * becomes `arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess`.
 */
export function flattenToString(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as { [key: string]: any };
    if ('Ref' in obj && typeof obj.Ref === 'string') {
      return '${' + obj.Ref + '}';
    }
    if ('Fn::GetAtt' in obj) {
      const att = obj['Fn::GetAtt'];
      return '${' + (Array.isArray(att) ? att.map(flattenToString).join('.') : flattenToString(att)) + '}';
    }
    if ('Fn::Join' in obj && Array.isArray(obj['Fn::Join'])) {
      const [separator, parts] = obj['Fn::Join'];
      if (typeof separator === 'string' && Array.isArray(parts)) {
        return parts.map(flattenToString).join(separator);
      }
    }
    if ('Fn::Sub' in obj) {
      const sub = obj['Fn::Sub'];
      if (typeof sub === 'string') {
        return sub;
      }
      if (Array.isArray(sub)) {
        // `[template, variables]`: each `${Name}` of the map takes its value (`${!Name}`, literal text, names
        // no variable of the map).
        const variables = sub[1] !== null && typeof sub[1] === 'object' && !Array.isArray(sub[1]) ? sub[1] : {};
        return flattenToString(sub[0]).replace(/\$\{([^}]*)\}/g, (whole: string, name: string) =>
          Object.prototype.hasOwnProperty.call(variables, name) ? flattenToString(variables[name]) : whole,
        );
      }
      return UNKNOWN;
    }
  }
  return UNKNOWN;
}

/** Always an array: CloudFormation accepts a single value wherever a list is allowed in IAM policies. */
export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/** True for `true` and `'true'`: CloudFormation accepts booleans as either. */
export function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** True for `{ "Ref": "AWS::NoValue" }`: CloudFormation drops the property as if it were not written. */
export function isNoValue(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    (value as { Ref?: unknown }).Ref === 'AWS::NoValue'
  );
}

/**
 * Every value a property may take once CloudFormation has evaluated the template's conditions:
 * `Fn::If` (nested too) gives both of its branches, anything else is itself. A branch may be
 * `{ "Ref": "AWS::NoValue" }`.
 */
export function possibleValues(value: unknown): unknown[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'Fn::If' in value) {
    const args = (value as { 'Fn::If': unknown })['Fn::If'];
    if (Array.isArray(args) && args.length === 3) {
      return [...possibleValues(args[1]), ...possibleValues(args[2])];
    }
  }
  return [value];
}

/** The condition name and branches of an `Fn::If`, or undefined for any other value. */
function ifArguments(value: unknown): [string, unknown, unknown] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('Fn::If' in value)) {
    return undefined;
  }
  const args = (value as { 'Fn::If': unknown })['Fn::If'];
  return Array.isArray(args) && args.length === 3 && typeof args[0] === 'string'
    ? [args[0], args[1], args[2]]
    : undefined;
}

/** Thrown by underConditions on an `Fn::If` whose condition the assignment does not name. */
class UnassignedCondition {
  constructor(public readonly name: string) {}
}

/**
 * The value once CloudFormation has evaluated the named conditions: each `Fn::If` replaced by its branch (nested
 * too), an `AWS::NoValue` entry dropped from its list or object. Throws UnassignedCondition for a condition the
 * assignment lacks.
 */
function underConditions(value: unknown, assignment: ReadonlyMap<string, boolean>): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => underConditions(v, assignment)).filter((v) => !isNoValue(v));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const branches = ifArguments(value);
  if (branches) {
    const [name, whenTrue, whenFalse] = branches;
    const holds = assignment.get(name);
    if (holds === undefined) {
      throw new UnassignedCondition(name);
    }
    return underConditions(holds ? whenTrue : whenFalse, assignment);
  }
  const result: { [key: string]: unknown } = {};
  for (const [key, v] of Object.entries(value)) {
    const resolved = underConditions(v, assignment);
    if (!isNoValue(resolved)) {
      result[key] = resolved;
    }
  }
  return result;
}

/**
 * How many deployments `deployments` reads at most: 2^10 assignments of the conditions a value names. Past it,
 * callers fall back to a reading that counts every branch at once, or fail what they cannot confirm.
 */
export const MAX_DEPLOYMENTS = 1024;

/**
 * The forms a value takes in every deployment of the template: one per assignment of true or false to the
 * conditions its `Fn::If`s name (nested too; only those reached under the outer branches), with each `Fn::If`
 * replaced by its branch and `AWS::NoValue` dropped (a value that is `AWS::NoValue` itself becomes undefined).
 * Branches of one `Fn::If` are alternatives, and two `Fn::If`s on the same condition take the same branch;
 * different conditions are taken as independent (their expressions are not evaluated), so every combination
 * of them counts. Undefined when there would be more than `limit` forms.
 */
export function deployments(value: unknown, limit: number = MAX_DEPLOYMENTS): unknown[] | undefined {
  const forms: unknown[] = [];
  const pending: Map<string, boolean>[] = [new Map()];
  while (pending.length > 0) {
    const assignment = pending.pop()!;
    try {
      const form = underConditions(value, assignment);
      forms.push(isNoValue(form) ? undefined : form);
    } catch (e) {
      if (!(e instanceof UnassignedCondition)) {
        throw e;
      }
      if (forms.length + pending.length + 2 > limit) {
        return undefined;
      }
      pending.push(new Map(assignment).set(e.name, true), new Map(assignment).set(e.name, false));
    }
  }
  return forms;
}

/**
 * Whether a property is set whatever the template's conditions: not absent, not `''`, not
 * `{ "Ref": "AWS::NoValue" }`, and for `Fn::If` set in both branches. The encryption rules use it:
 * a key that one condition removes leaves the resource unencrypted in that case.
 */
export function alwaysSet(value: unknown): boolean {
  return possibleValues(value).every((v) => v !== undefined && v !== null && v !== '' && !isNoValue(v));
}

/**
 * Every element a list property may hold in some deployment: the branches of an `Fn::If` around the
 * list and around each element are all counted (their union), a single value is a one-element list,
 * and `AWS::NoValue` entries are left out. For lists that grant something (actions, resources,
 * principals, ingress rules, attached policies), the union is what some deployment may get.
 */
export function possibleElements(value: unknown): unknown[] {
  return possibleValues(value)
    .filter((list) => !isNoValue(list))
    .flatMap((list) => asArray(list))
    .flatMap(possibleValues)
    .filter((element) => element !== undefined && element !== null && !isNoValue(element));
}

/**
 * The forms an object may take once CloudFormation has evaluated the template's conditions, for the
 * given keys: one copy per combination of the `Fn::If` branches of those keys' values (an
 * `AWS::NoValue` branch removes the key). Other keys are copied as they are. With no `Fn::If` in
 * those keys, the result is the object alone.
 */
export function conditionVariants<T extends object>(value: T, keys: readonly string[]): T[] {
  // Every statement and ingress rule passes here: the common case, no Fn::If, costs no copy.
  let variants: { [key: string]: unknown }[] = [value as { [key: string]: unknown }];
  for (const key of keys) {
    if (!(key in (value as object))) {
      continue;
    }
    const options = possibleValues((value as { [key: string]: unknown })[key]);
    if (options.length === 1 && !isNoValue(options[0])) {
      continue;
    }
    variants = variants.flatMap((variant) =>
      options.map((option) => {
        const copy = { ...variant };
        if (isNoValue(option)) {
          delete copy[key];
        } else {
          copy[key] = option;
        }
        return copy;
      }),
    );
  }
  return variants as T[];
}

/**
 * The ARNs in a role's, user's or group's `ManagedPolicyArns` as strings (see flattenToString), with
 * every `Fn::If` branch of the list or of an element counted: a policy that a condition may attach is
 * attached in some deployment. `AWS::NoValue` entries are left out.
 */
export function managedPolicyArns(resource: RenderedResource): string[] {
  return possibleElements(resource.Properties.ManagedPolicyArns).map(flattenToString);
}
