import { CfnElement, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** IAM's limit on a customer managed policy document, in characters without whitespace (IAM quotas). */
export const MANAGED_POLICY_MAX_CHARACTERS = 6144;

/**
 * The longest value each pseudo parameter takes: aws-us-gov, a 12-digit account, us-isof-south-1 (the longest
 * region name in aws-cdk-lib's region list, in partition aws-iso-f; policy-size.test.ts checks the list).
 */
const LONGEST_REF: Record<string, number> = {
  'AWS::Partition': 10,
  'AWS::AccountId': 12,
  'AWS::Region': 15,
  'AWS::URLSuffix': 17,
};
const PARTITION = LONGEST_REF['AWS::Partition'];
const ACCOUNT = LONGEST_REF['AWS::AccountId'];
const REGION = LONGEST_REF['AWS::Region'];
/** The longest ARN of an IAM role without a path: `arn:<partition>:iam::<account>:role/<name of 64>`. */
export const ROLE_ARN_MAX_LENGTH = 'arn:'.length + PARTITION + ':iam::'.length + ACCOUNT + ':role/'.length + 64;
/** The longest ARN of an S3 bucket: `arn:<partition>:s3:::<name of 63>`. */
export const BUCKET_ARN_MAX_LENGTH = 'arn:'.length + PARTITION + ':s3:::'.length + 63;
/** The longest ARN of a KMS key: `arn:<partition>:kms:<region>:<account>:key/<36-character id>`. */
export const KEY_ARN_MAX_LENGTH =
  'arn:'.length + PARTITION + ':kms:'.length + REGION + ':'.length + ACCOUNT + ':key/'.length + 36;

/** Any other reference, e.g. the bootstrap template's Qualifier parameter (at most 10 characters). */
const LONGEST_OTHER_REF = 64;

/**
 * The length of a resolved policy document as IAM counts it (JSON without whitespace), with each
 * reference at its longest value: an upper bound that holds in every partition, account and region.
 * `getAttLengths` bounds the `Fn::GetAtt` of the named logical IDs more tightly than the 256 characters
 * any other takes.
 */
export function maxPolicyLength(resolved: unknown, getAttLengths: ReadonlyMap<string, number> = new Map()): number {
  const placeholder = (length: number) => 'x'.repeat(length);
  const concrete = (value: any): any => {
    if (Array.isArray(value)) return value.map(concrete);
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) return placeholder(LONGEST_REF[value.Ref] ?? LONGEST_OTHER_REF);
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'];
      return (concrete(parts) as unknown[]).map(String).join(separator);
    }
    if ('Fn::GetAtt' in value) {
      const [logicalId] = value['Fn::GetAtt'];
      return placeholder(getAttLengths.get(logicalId) ?? LONGEST_OTHER_REF * 4);
    }
    if ('Fn::ImportValue' in value) return placeholder(LONGEST_OTHER_REF * 4);
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, concrete(v)]));
  };
  return JSON.stringify(concrete(resolved)).length;
}

/**
 * Fails synthesis when `policy` could exceed IAM's managed policy size, which IAM would otherwise refuse only when
 * the stack is deployed ("Cannot exceed quota for PolicySize: 6144"). `what` names the policy; `remedy` says
 * which props make it smaller; `attributeLengths` gives the longest value of the attribute a `Fn::GetAtt` of
 * that resource in the policy reads (e.g. an ARN whose parts are all bounded), else 256 characters are assumed.
 */
export function validateManagedPolicySize(
  policy: iam.ManagedPolicy,
  what: string,
  remedy: () => string,
  attributeLengths: ReadonlyArray<[CfnElement, number]> = [],
): void {
  const stack = Stack.of(policy);
  const document = policy.document;
  policy.node.addValidation({
    validate: () => {
      const bounds = new Map(attributeLengths.map(([element, length]) => [stack.resolve(element.logicalId), length]));
      const length = maxPolicyLength(stack.resolve(document.toJSON()), bounds);
      return length <= MANAGED_POLICY_MAX_CHARACTERS
        ? []
        : [
            `${what} would be up to ${length} characters, over IAM's limit of ${MANAGED_POLICY_MAX_CHARACTERS} ` +
              `for a managed policy: ${remedy()}`,
          ];
    },
  });
}
