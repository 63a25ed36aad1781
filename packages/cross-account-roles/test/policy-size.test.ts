import { Template } from 'aws-cdk-lib/assertions';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { DeploymentBoundary } from '../src';
import { flat, targetStack } from './fixtures';
import {
  BUCKET_ARN_MAX_LENGTH,
  KEY_ARN_MAX_LENGTH,
  MANAGED_POLICY_MAX_CHARACTERS,
  maxPolicyLength,
  ROLE_ARN_MAX_LENGTH,
} from '../src/private/policy-size';

// The size check must never pass a policy that IAM then refuses ("Cannot exceed quota for PolicySize: 6144"):
// each reference counts at least as long as its longest real value. The longest values come from aws-cdk-lib's
// region list and from IAM's and S3's name limits, not from the package.
const longest = (values: string[]) => values.reduce((a, b) => (b.length > a.length ? b : a));
const REGION = longest(RegionInfo.regions.map((r) => r.name));
const PARTITION = longest(RegionInfo.regions.flatMap((r) => (r.partition ? [r.partition] : [])));
const ACCOUNT = '123456789012';
// IAM quotas: a customer managed policy document is at most 6,144 characters, without whitespace.
const IAM_LIMIT = 6144;

describe('the policy size bounds hold in every partition and region aws-cdk-lib knows', () => {
  /** `{ what, bound, value }` for each bound shorter than the longest value it stands for. */
  const tooShort = (bounds: Array<[string, number, string]>) =>
    bounds.filter(([, bound, value]) => bound < value.length).map(([what, bound, value]) => ({ what, bound, value }));

  test('the data the bounds are checked against (guards against a vacuous pass)', () => {
    expect(RegionInfo.regions.length).toBeGreaterThan(30);
    expect(REGION.length).toBeGreaterThanOrEqual('ap-southeast-5'.length);
    expect(PARTITION).toBe('aws-us-gov');
    expect(MANAGED_POLICY_MAX_CHARACTERS).toBe(IAM_LIMIT);
  });

  test('a Ref to a pseudo parameter counts at least as long as its longest value', () => {
    // A Ref standing alone in a policy becomes a JSON string, quotes included.
    const quoted = (value: string) => JSON.stringify(value);
    expect(
      tooShort([
        ['AWS::Region', maxPolicyLength({ Ref: 'AWS::Region' }), quoted(REGION)],
        ['AWS::Partition', maxPolicyLength({ Ref: 'AWS::Partition' }), quoted(PARTITION)],
        ['AWS::AccountId', maxPolicyLength({ Ref: 'AWS::AccountId' }), quoted(ACCOUNT)],
      ]),
    ).toEqual([]);
  });

  test('the role, bucket and key ARN bounds are at least their longest ARNs', () => {
    // A KMS key id is a UUID.
    const keyId = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';
    expect(
      tooShort([
        // IAM role names: at most 64 characters.
        ['role ARN', ROLE_ARN_MAX_LENGTH, `arn:${PARTITION}:iam::${ACCOUNT}:role/${'r'.repeat(64)}`],
        // S3 bucket names: at most 63 characters.
        ['bucket ARN', BUCKET_ARN_MAX_LENGTH, `arn:${PARTITION}:s3:::${'b'.repeat(63)}`],
        ['key ARN', KEY_ARN_MAX_LENGTH, `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/${keyId}`],
      ]),
    ).toEqual([]);
  });
});

describe("the boundary's size check fails the synth exactly when IAM would refuse the policy", () => {
  // The boundary of `services`, and its length as IAM counts it (JSON without whitespace) in the environment with
  // the longest partition, account and region names: computed here, independently of the package's bound.
  const boundaryOf = (services: string[]) => {
    const stack = targetStack();
    const boundary = new DeploymentBoundary(stack, 'B', { allowedServices: services });
    const text = JSON.stringify(flat(stack.resolve(boundary.policy.document.toJSON())))
      .split('${AWS::Partition}')
      .join(PARTITION)
      .split('${AWS::AccountId}')
      .join(ACCOUNT)
      .split('${AWS::Region}')
      .join(REGION);
    return { stack, text };
  };
  const services = (n: number) => Array.from({ length: n }, (_, i) => `s${100 + i}`);

  test('at 6,144 characters it passes; at 6,145 it fails', () => {
    // As many services 'sNNN' as fit under the limit with one more service 'z' (a binary search); the length of
    // that service's name then sets the policy's length to the character.
    let [fits, over] = [0, 600];
    expect(boundaryOf([...services(over), 'z']).text.length).toBeGreaterThan(IAM_LIMIT);
    while (over - fits > 1) {
      const middle = Math.floor((fits + over) / 2);
      if (boundaryOf([...services(middle), 'z']).text.length <= IAM_LIMIT) fits = middle;
      else over = middle;
    }
    const shortest = boundaryOf([...services(fits), 'z']).text.length;
    const withLength = (length: number) => boundaryOf([...services(fits), 'z'.repeat(1 + length - shortest)]);
    const atLimit = withLength(IAM_LIMIT);
    const overLimit = withLength(IAM_LIMIT + 1);
    // Every reference was replaced, and the policy names the region (its own ARN, the deploy role ARN).
    expect(atLimit.text).not.toContain('${');
    expect(atLimit.text).toContain(`-${REGION}`);
    expect([atLimit.text.length, overLimit.text.length]).toEqual([IAM_LIMIT, IAM_LIMIT + 1]);
    expect(() => Template.fromStack(atLimit.stack)).not.toThrow();
    expect(() => Template.fromStack(overLimit.stack)).toThrow(
      /the permissions boundary policy would be up to 6145 characters, over IAM's limit of 6144/,
    );
  });
});
