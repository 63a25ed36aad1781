/**
 * Every region of the commercial `aws` partition, as listed by aws-cdk-lib
 * 2.276's region-info (`RegionInfo.regions` with partition `aws`). GovCloud,
 * China and ISO regions are left out on purpose: they are separate partitions
 * with their own ARNs and account ids, which this config does not model.
 *
 * A test compares this list with aws-cdk-lib's, so a CDK upgrade that adds a
 * region fails loudly instead of leaving the new region unusable.
 */
export const COMMERCIAL_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'me-west-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

/** A region of the commercial `aws` partition. */
export type CommercialRegion = (typeof COMMERCIAL_REGIONS)[number];

/**
 * The regions where AWS Config can record the global IAM resource types (IAM users, groups, roles and
 * customer managed policies): the regions where it was available before February 2022. "These
 * resource types cannot be recorded in Regions supported by AWS Config after February 2022" (AWS
 * Config Developer Guide, "Recording AWS Resources | Global Resources",
 * https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html#select-resources-all;
 * the same note is on every IAM managed rule page, e.g. root-account-mfa-enabled).
 *
 * That is every region of COMMERCIAL_REGIONS launched before February 2022 (ap-southeast-3, Jakarta,
 * December 2021, the last one; AWS Config is in every region from its launch). Those launched since
 * (me-central-1, ap-south-2, eu-central-2, eu-south-2, ap-southeast-4, il-central-1, ca-west-1,
 * ap-southeast-5, ap-southeast-7, mx-central-1, ap-east-2, ap-southeast-6) are the twelve regions the
 * page of the iam-user-no-policies-check rule lists as not offering it, and me-west-1 is not launched.
 *
 * The account's audit trail and its IAM recording go to an environment in one of these regions
 * (platform.ts, validate.ts); @groundwork/security-baseline's `ConfigRecorder.canRecordGlobalResources`
 * holds the same list (a test compares them).
 */
export const GLOBAL_IAM_RECORDING_REGIONS: readonly CommercialRegion[] = [
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'me-south-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

/** Whether AWS Config can record IAM resources in `region` (GLOBAL_IAM_RECORDING_REGIONS). */
export function canRecordIam(region: string): boolean {
  return (GLOBAL_IAM_RECORDING_REGIONS as readonly string[]).includes(region);
}

/**
 * The StackSets' global-resources region when `stackSets.globalResourcesRegion` is not set: the first
 * region of the first target where AWS Config can record IAM, else (validation reports it when the
 * recorder is on) the first region of the first target.
 */
export function defaultGlobalResourcesRegion(firstTargetRegions: readonly string[]): string | undefined {
  return firstTargetRegions.find(canRecordIam) ?? firstTargetRegions[0];
}
