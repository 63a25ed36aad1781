import * as path from 'path';
import {
  EXCLUDED_STATEFUL_TYPES,
  STATEFUL_TYPES,
} from '../../packages/compliance/src/rules/data-safety/stateful-resource-retained';
import { readSpecDatabase, specResourcesByType } from '../../scripts/change-report/replacement-spec';

/**
 * Groundwork-DATA1 covers the resource types that the CloudFormation resource specification used by the CDK
 * (@aws-cdk/aws-service-spec, a root devDependency) marks stateful, less a listed few, each with its reason.
 * A type the spec marks stateful in a later version fails here by name until it is added or excluded.
 */
function specStatefulTypes(): string[] {
  const specFile = path.resolve(__dirname, '../../node_modules/@aws-cdk/aws-service-spec/db.json.gz');
  return [...specResourcesByType(readSpecDatabase(specFile))]
    .filter(([, entity]) => entity.isStateful)
    .map(([type]) => type)
    .sort();
}

test('DATA1 covers every type the service spec marks stateful, except the listed exclusions', () => {
  const spec = specStatefulTypes();
  const excluded = Object.keys(EXCLUDED_STATEFUL_TYPES);
  expect(spec.filter((t) => !STATEFUL_TYPES.includes(t) && !excluded.includes(t))).toEqual([]);
  // Each exclusion is a stateful type of the spec (not a typo) and is not also covered.
  expect(excluded.filter((t) => !spec.includes(t) || STATEFUL_TYPES.includes(t))).toEqual([]);
  // Every covered type is one the spec knows as stateful: the list holds no guesses.
  expect(STATEFUL_TYPES.filter((t) => !spec.includes(t))).toEqual([]);
  expect(new Set(STATEFUL_TYPES).size).toBe(STATEFUL_TYPES.length);
  for (const [type, reason] of Object.entries(EXCLUDED_STATEFUL_TYPES)) {
    expect([type, reason.length > 20]).toEqual([type, true]);
  }
});
