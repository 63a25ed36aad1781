import { Token } from 'aws-cdk-lib';
import { pipelineNameHash } from './pipeline-name-hash';

/** CodeStar Notifications CreateNotificationRule: a name has 1 to 64 characters. */
export const NOTIFICATION_RULE_NAME_MAX_LENGTH = 64;
/** The characters CodeStar Notifications allows in a rule name: letters, digits, '-', '_' and spaces. */
export const NOTIFICATION_RULE_NAME_PATTERN = /^[A-Za-z0-9_ -]{1,64}$/;

const SUFFIX = '-pipeline-events';
/** '-' and 8 hex characters of the hash that keeps altered names apart. */
const HASH_LENGTH = 9;
/**
 * The room kept for a region that is a token (an environment-agnostic stack). The longest region name
 * aws-cdk-lib 2.276 knows, `us-isof-south-1`, has 15 characters.
 */
export const TOKEN_REGION_LENGTH = 20;

/**
 * The name of the notification rule of pipeline `pipelineName` in `region`: `<pipeline>-<region>-pipeline-events`.
 *
 * Notification rule names are unique per account, and CDK's default name derives from the construct path
 * only, so two pipelines built by the same code (one per branch) in one account collided. A pipeline name is
 * unique per account and region, so a name derived from it and the region is unique per account. A pipeline
 * name may hold '.' and '@', which rule names may not, and up to 100 characters: such a name has those
 * characters replaced with '-', is cut to fit, and ends in a hash of the whole pipeline name, so that two
 * pipeline names that differ only in the replaced or cut characters still get different rule names. A name
 * of letters, digits, '-' and '_' that fits whole is used as it is (up to 38 characters in `eu-west-1`).
 *
 * When `region` is a token (the stack's region is known only at deployment), the name takes the region then,
 * and the pipeline name is cut as if the region had TOKEN_REGION_LENGTH characters.
 */
export function notificationRuleName(pipelineName: string, region: string): string {
  const regionLength = Token.isUnresolved(region) ? TOKEN_REGION_LENGTH : region.length;
  const tail = `-${region}${SUFFIX}`;
  const base = pipelineName.replace(/[^A-Za-z0-9_-]/g, '-');
  if (base === pipelineName && base.length + 1 + regionLength + SUFFIX.length <= NOTIFICATION_RULE_NAME_MAX_LENGTH) {
    return `${base}${tail}`;
  }
  const hash = pipelineNameHash(pipelineName);
  const room = NOTIFICATION_RULE_NAME_MAX_LENGTH - SUFFIX.length - HASH_LENGTH - 1 - regionLength;
  return `${base.slice(0, Math.max(0, room))}-${hash}${tail}`;
}
