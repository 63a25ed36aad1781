import { CfnElement, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { isNoValue, possibleValues } from './cfn-template';

/** A template parameter as the rules read it. */
interface ParameterDeclaration {
  readonly default?: unknown;
  readonly allowedValues?: readonly unknown[];
}

/**
 * Duck-typed rather than `instanceof CfnParameter`: the app may load another copy of aws-cdk-lib than this
 * library does, and a parameter of a `CfnInclude` is a CfnParameter of the app's copy.
 */
function isParameter(c: IConstruct): c is CfnElement & { type: string; default?: unknown; allowedValues?: unknown } {
  return (
    CfnElement.isCfnElement(c) &&
    !CfnResource.isCfnResource(c) &&
    'allowedValues' in c &&
    'default' in c &&
    typeof (c as { type?: unknown }).type === 'string'
  );
}

/**
 * The parameter of the resource's stack that `value` references (`{ "Ref": "<LogicalId>" }`), or undefined
 * for anything else (a literal, a pseudo parameter, a resource, another intrinsic). A parameter of an
 * `AWS::SSM::Parameter::Value<...>` type is left out: its `Default` and `AllowedValues` name Systems Manager
 * parameters, not the value the template receives.
 */
function referencedParameter(node: CfnResource, value: unknown): ParameterDeclaration | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length !== 1) {
    return undefined;
  }
  const name = (value as { Ref?: unknown }).Ref;
  if (typeof name !== 'string' || name.startsWith('AWS::')) {
    return undefined;
  }
  const stack = Stack.of(node);
  // Only looked up for a Ref in a property a rule reads, so no index is kept: the tree may still grow
  // between two validations (tests add resources to a stack they have already checked).
  const parameter = stack.node
    .findAll()
    .find((c) => isParameter(c) && Stack.of(c) === stack && stack.resolve(c.logicalId) === name);
  if (!parameter || !isParameter(parameter) || parameter.type.startsWith('AWS::SSM::Parameter::')) {
    return undefined;
  }
  const allowed = stack.resolve(parameter.allowedValues);
  return {
    default: stack.resolve(parameter.default),
    allowedValues: Array.isArray(allowed) && allowed.length > 0 ? allowed : undefined,
  };
}

/**
 * Every value a property may take in some deployment: the branches of an `Fn::If` (possibleValues) and, for a
 * `Ref` to a parameter of the stack, what the template itself says the parameter may be. With `AllowedValues`
 * those values are all CloudFormation accepts; without, the parameter's `Default` (the value of every stack
 * created without passing one, CloudFormation User Guide, "Parameters section") and the reference itself,
 * which stands for any other value the deployer may pass. A `Default` of `0.0.0.0/0` or `''` is a deployment
 * the rules must judge, not a reference to wave through.
 */
export function possibleValuesWithParameters(node: CfnResource, value: unknown): unknown[] {
  return possibleValues(value).flatMap((v) => {
    const parameter = referencedParameter(node, v);
    if (!parameter) {
      return [v];
    }
    if (parameter.allowedValues) {
      return [...parameter.allowedValues];
    }
    return parameter.default === undefined ? [v] : [parameter.default, v];
  });
}

/**
 * Whether a property is set in every deployment, as alwaysSet, also when it is a `Ref` to a parameter: one
 * whose `Default` or `AllowedValues` is `''` leaves the property empty in that deployment. A parameter that
 * states neither counts as set (the deployer must pass a value, which the template cannot show).
 */
export function alwaysSetWithParameters(node: CfnResource, value: unknown): boolean {
  return possibleValuesWithParameters(node, value).every(
    (v) => v !== undefined && v !== null && v !== '' && !isNoValue(v),
  );
}

/**
 * The forms an object may take once the parameters it references for the given keys are set: one copy per
 * combination of the keys' possibleValuesWithParameters (`Fn::If` branches are expected to have been split
 * already, by conditionVariants). With no parameter reference in those keys, the result is the object alone.
 */
export function parameterVariants<T extends object>(node: CfnResource, value: T, keys: readonly string[]): T[] {
  let variants: { [key: string]: unknown }[] = [value as { [key: string]: unknown }];
  for (const key of keys) {
    const current = (value as { [key: string]: unknown })[key];
    if (current === undefined) {
      continue;
    }
    const options = possibleValuesWithParameters(node, current);
    if (options.length === 1 && options[0] === current) {
      continue;
    }
    variants = variants.flatMap((variant) => options.map((option) => ({ ...variant, [key]: option })));
  }
  return variants as T[];
}
