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
