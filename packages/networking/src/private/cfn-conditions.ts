/**
 * Reading resolved CloudFormation values whose shape a condition (`Fn::If`) decides. Internal: not part of
 * the public API. The same approach as the compliance package's `cfn-template.ts`, kept here so that the
 * packages do not depend on each other.
 */

/** True for `{ "Ref": "AWS::NoValue" }`: CloudFormation drops the property or list entry as if it were not written. */
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

/**
 * Every element a list property may hold in some deployment: the branches of an `Fn::If` around the
 * list and around each element are all counted (their union), a single value counts as a one-element
 * list, and `AWS::NoValue`, `undefined` and `null` are left out.
 */
export function possibleElements(value: unknown): unknown[] {
  return possibleValues(value)
    .filter((list) => list !== undefined && list !== null && !isNoValue(list))
    .flatMap((list) => (Array.isArray(list) ? list : [list]))
    .flatMap(possibleValues)
    .filter((element) => element !== undefined && element !== null && !isNoValue(element));
}

/**
 * The forms an object may take once CloudFormation has evaluated the template's conditions, for the
 * given keys: one copy per combination of the `Fn::If` branches of those keys' values (an
 * `AWS::NoValue` branch removes the key). Other keys are copied as they are. With no `Fn::If` in
 * those keys, the result is the object alone.
 */
export function conditionVariants(
  value: { [key: string]: unknown },
  keys: readonly string[],
): Array<{ [key: string]: unknown }> {
  let variants = [value];
  for (const key of keys) {
    if (!(key in value)) {
      continue;
    }
    const options = possibleValues(value[key]);
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
  return variants;
}
