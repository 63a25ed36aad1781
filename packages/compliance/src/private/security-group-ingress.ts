// Internal: the ingress one security group receives in a template, judged as a whole. A group's inline rules and
// the AWS::EC2::SecurityGroupIngress resources that point at it all apply to it, so rules in different resources
// add up (`0.0.0.0/1` inline and `128.0.0.0/1` in a standalone ingress are the whole internet), and each
// deployment the template's conditions and parameters allow is judged on its own.
import { CfnResource, Stack } from 'aws-cdk-lib';
import { MAX_DEPLOYMENTS, RenderedResource, asArray, deployments, derivedOnce, renderResource } from './cfn-template';
import { IngressRule, RULE_KEYS, ingressRulesOf, rulesFromAnywhere } from './ingress-rules';
import { possibleValuesWithParameters } from './parameters';

const SECURITY_GROUP = 'AWS::EC2::SecurityGroup';
const INGRESS = 'AWS::EC2::SecurityGroupIngress';
const NO_VALUE = { Ref: 'AWS::NoValue' };

/** A security group or standalone ingress resource of the template. */
interface Member {
  readonly node: CfnResource;
  readonly logicalId: string;
  readonly resource: RenderedResource;
}

/** A rule and the resource that holds it. */
interface HeldRule {
  readonly rule: IngressRule;
  readonly holder: CfnResource;
}

function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An intrinsic function or reference (`Ref`, `Fn::...`), as opposed to a rule object. */
function isIntrinsic(value: { [key: string]: unknown }): boolean {
  return Object.keys(value).some((key) => key === 'Ref' || key.startsWith('Fn::'));
}

/** The keys of `value` that NET1 reads, as written (an `Fn::If` in them is kept). */
function pick(value: { [key: string]: unknown }, keys: readonly string[]): { [key: string]: unknown } {
  return Object.fromEntries(keys.filter((key) => value[key] !== undefined).map((key) => [key, value[key]]));
}

/**
 * A rule list with only the rule keys NET1 reads, keeping the `Fn::If`s around the list and its elements:
 * the conditions of a description or a source group do not multiply the deployments.
 */
function ruleShape(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(ruleShape);
  }
  if (!isPlainObject(value)) {
    return value;
  }
  const args = value['Fn::If'];
  if (Array.isArray(args) && args.length === 3) {
    return { 'Fn::If': [args[0], ruleShape(args[1]), ruleShape(args[2])] };
  }
  return isIntrinsic(value) ? value : pick(value, RULE_KEYS);
}

/** The value in the deployments where CloudFormation creates the resource (its `Condition`), else `AWS::NoValue`. */
function whenCreated(condition: string | undefined, value: unknown): unknown {
  return condition ? { 'Fn::If': [condition, value, NO_VALUE] } : value;
}

/** The logical id of the template's security group that `value` (`Ref`, or `Fn::GetAtt` of `GroupId`) names. */
function referencedGroup(value: unknown, groups: ReadonlySet<string>, attribute: boolean): string | undefined {
  if (!isPlainObject(value)) {
    return undefined;
  }
  let logicalId: unknown = value.Ref;
  const att = value['Fn::GetAtt'];
  if (attribute && att !== undefined) {
    const [id, name] = Array.isArray(att) ? att : typeof att === 'string' ? att.split('.') : [];
    logicalId = name === 'GroupId' ? id : undefined;
  }
  return typeof logicalId === 'string' && groups.has(logicalId) ? logicalId : undefined;
}

/**
 * The group a standalone ingress points at: a security group of the template by its logical id (`GroupId` as its
 * `Ref` or `GroupId` attribute, or, in a default VPC, `GroupName` as its `Ref`), or any other group by the value
 * written (a literal id, an import, a parameter): two ingresses that write the same value point at the same
 * group. Undefined without either property.
 */
function targetOf(target: { [key: string]: unknown }, groups: ReadonlySet<string>): string | undefined {
  if (target.GroupId !== undefined) {
    const group = referencedGroup(target.GroupId, groups, true);
    return group !== undefined ? `sg:${group}` : `id:${JSON.stringify(target.GroupId)}`;
  }
  if (target.GroupName !== undefined) {
    const group = referencedGroup(target.GroupName, groups, false);
    return group !== undefined ? `sg:${group}` : `name:${JSON.stringify(target.GroupName)}`;
  }
  return undefined;
}

/** The groups an ingress may point at, over every deployment (all branches when there are too many). */
function possibleTargets(ingress: Member, groups: ReadonlySet<string>): string[] {
  const target = pick(ingress.resource.Properties, ['GroupId', 'GroupName']);
  const forms = deployments(target) ?? [target];
  const keys = forms.map((form) => (isPlainObject(form) ? targetOf(form, groups) : undefined));
  return [...new Set(keys.map((key) => key ?? `self:${ingress.logicalId}`))];
}

/** A `Ref` to a template parameter, by name, or undefined. */
function referencedName(value: unknown): string | undefined {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value.Ref === 'string'
    ? value.Ref
    : undefined;
}

/**
 * The rules once the parameters they reference take one value each, in every combination the template allows
 * (possibleValuesWithParameters: `AllowedValues`, or the `Default` and any other value): a parameter has one
 * value in a deployment, in every rule that references it. Undefined when there would be more than `limit`.
 */
function withParameters(node: CfnResource, held: readonly HeldRule[], limit: number): HeldRule[][] | undefined {
  const options = new Map<string, unknown[]>();
  for (const { rule } of held) {
    for (const key of RULE_KEYS) {
      const value = (rule as { [key: string]: unknown })[key];
      const name = referencedName(value);
      if (name !== undefined && !options.has(name)) {
        const values = possibleValuesWithParameters(node, value);
        if (values.length !== 1 || values[0] !== value) {
          options.set(name, values);
        }
      }
    }
  }
  let assignments: Map<string, unknown>[] = [new Map()];
  for (const [name, values] of options) {
    if (assignments.length * values.length > limit) {
      return undefined;
    }
    assignments = assignments.flatMap((a) => values.map((v) => new Map(a).set(name, v)));
  }
  return assignments.map((assignment) =>
    held.map(({ rule, holder }) => {
      const copy: { [key: string]: unknown } = { ...rule };
      for (const key of RULE_KEYS) {
        const name = referencedName(copy[key]);
        if (name !== undefined && assignment.has(name)) {
          copy[key] = assignment.get(name);
        }
      }
      return { rule: copy as IngressRule, holder };
    }),
  );
}

/** The resources holding a rule that takes part in traffic open to every address which `allowed` rejects. */
function holdersOfRejected(
  rulesets: readonly HeldRule[][],
  allowed: (traffic: IngressRule) => boolean,
): Set<CfnResource> {
  const holders = new Set<CfnResource>();
  for (const held of rulesets) {
    const holderOf = new Map(held.map(({ rule, holder }) => [rule, holder]));
    for (const exposure of rulesFromAnywhere(held.map(({ rule }) => rule))) {
      if (!allowed(exposure.traffic)) {
        exposure.rules.forEach((rule) => holders.add(holderOf.get(rule)!));
      }
    }
  }
  return holders;
}

/**
 * The rule sets the group `target` receives, one per deployment: its inline rules (when the template defines
 * it) and the rules of the ingress resources that point at it in that deployment, each held by its resource.
 * Undefined when there are more deployments than MAX_DEPLOYMENTS.
 */
function rulesetsOf(
  node: CfnResource,
  target: string,
  group: Member | undefined,
  ingresses: readonly Member[],
  groups: ReadonlySet<string>,
): HeldRule[][] | undefined {
  const parts: { [index: string]: unknown } = {};
  const holders: CfnResource[] = [];
  if (group) {
    parts[holders.length] = whenCreated(group.resource.Condition, {
      rules: ruleShape(group.resource.Properties.SecurityGroupIngress),
    });
    holders.push(group.node);
  }
  for (const ingress of ingresses) {
    const props = ingress.resource.Properties;
    parts[holders.length] = whenCreated(ingress.resource.Condition, {
      target: pick(props, ['GroupId', 'GroupName']),
      rules: [pick(props, RULE_KEYS)],
      self: ingress.logicalId,
    });
    holders.push(ingress.node);
  }
  const forms = deployments(parts);
  if (!forms) {
    return undefined;
  }
  const rulesets: HeldRule[][] = [];
  for (const form of forms as {
    [index: string]: { target?: { [key: string]: unknown }; rules: unknown; self?: string };
  }[]) {
    const held: HeldRule[] = [];
    for (const [index, part] of Object.entries(form)) {
      if (part.target !== undefined && (targetOf(part.target, groups) ?? `self:${part.self}`) !== target) {
        continue;
      }
      for (const rule of asArray(part.rules)) {
        if (isPlainObject(rule)) {
          held.push({ rule: rule as IngressRule, holder: holders[Number(index)] });
        }
      }
    }
    const withValues = withParameters(node, held, Math.max(1, Math.floor(MAX_DEPLOYMENTS / forms.length)));
    if (!withValues) {
      return undefined;
    }
    rulesets.push(...withValues);
  }
  return rulesets;
}

/** The security groups and standalone ingress resources of a template, with the groups each ingress may point at. */
interface TemplateIngress {
  readonly groups: ReadonlyMap<string, CfnResource>;
  readonly ingresses: readonly { readonly ingress: Member; readonly targets: readonly string[] }[];
}

function templateIngressOf(stack: Stack): TemplateIngress {
  const resources = stack.node
    .findAll()
    .filter(
      (c): c is CfnResource =>
        CfnResource.isCfnResource(c) &&
        Stack.of(c) === stack &&
        (c.cfnResourceType === SECURITY_GROUP || c.cfnResourceType === INGRESS),
    );
  const groups = new Map(
    resources.filter((c) => c.cfnResourceType === SECURITY_GROUP).map((c) => [stack.resolve(c.logicalId) as string, c]),
  );
  const ids = new Set(groups.keys());
  const ingresses = resources
    .filter((c) => c.cfnResourceType === INGRESS)
    .map((c) => memberOf(stack, c))
    .map((ingress) => ({ ingress, targets: possibleTargets(ingress, ids) }));
  return { groups, ingresses };
}

function memberOf(stack: Stack, node: CfnResource): Member {
  return { node, logicalId: stack.resolve(node.logicalId), resource: renderResource(node) };
}

/** The resources that take part in public ingress `allowed` rejects, among the rules the group `target` receives. */
function rejectedHolders(stack: Stack, target: string, allowed: (traffic: IngressRule) => boolean): Set<CfnResource> {
  const { groups, ingresses } = derivedOnce(stack, 'security group ingress', () => templateIngressOf(stack));
  const groupNode = target.startsWith('sg:') ? groups.get(target.slice(3)) : undefined;
  const group = groupNode ? memberOf(stack, groupNode) : undefined;
  const pointing = ingresses.filter((i) => i.targets.includes(target)).map((i) => i.ingress);
  const rulesets = rulesetsOf(groupNode ?? pointing[0].node, target, group, pointing, new Set(groups.keys())) ?? [
    [group, ...pointing]
      .filter((m): m is Member => m !== undefined)
      .flatMap((m) => ingressRulesOf(m.resource, m.node).map((rule) => ({ rule, holder: m.node }))),
  ];
  return holdersOfRejected(rulesets, allowed);
}

/**
 * Whether `node` (a security group or a standalone ingress) holds a rule that takes part in ingress from every
 * address on traffic `allowed` rejects, judging together all the rules its group receives in the template:
 * the group's inline rules and every AWS::EC2::SecurityGroupIngress pointing at it (see targetOf), each in every
 * deployment (see deployments; the branches of one `Fn::If` and the values of one parameter are alternatives, a
 * resource's `Condition` counts). A rule takes part when it is from a `/0` block, or is needed in some set of the
 * rules reaching that traffic whose blocks together hold every address (see rulesFromAnywhere): each resource
 * holding such a rule is reported, so the finding, and its acknowledgement, stays with the rule. With more
 * deployments than MAX_DEPLOYMENTS, every branch and stated parameter value of every rule counts at once.
 * A group is judged once per validation run and `allowed` (see derivedOnce), whichever of its resources comes
 * first.
 */
export function takesPartInPublicIngress(node: CfnResource, allowed: (traffic: IngressRule) => boolean): boolean {
  const stack = Stack.of(node);
  const verdicts = derivedOnce(
    stack,
    'public ingress holders',
    () => new WeakMap<object, Map<string, Set<CfnResource>>>(),
  );
  let byTarget = verdicts.get(allowed);
  if (byTarget === undefined) {
    byTarget = new Map();
    verdicts.set(allowed, byTarget);
  }
  const self = memberOf(stack, node);
  const { groups } = derivedOnce(stack, 'security group ingress', () => templateIngressOf(stack));
  const targets =
    node.cfnResourceType === SECURITY_GROUP ? [`sg:${self.logicalId}`] : possibleTargets(self, new Set(groups.keys()));
  return targets.some((target) => {
    let holders = byTarget!.get(target);
    if (holders === undefined) {
      holders = rejectedHolders(stack, target, allowed);
      byTarget!.set(target, holders);
    }
    return holders.has(node);
  });
}
