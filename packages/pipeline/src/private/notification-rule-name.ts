import { pipelineNameHash } from './pipeline-name-hash';

/** CodeStar Notifications CreateNotificationRule: a name has 1 to 64 characters. */
export const NOTIFICATION_RULE_NAME_MAX_LENGTH = 64;
/** The characters CodeStar Notifications allows in a rule name: letters, digits, '-', '_' and spaces. */
export const NOTIFICATION_RULE_NAME_PATTERN = /^[A-Za-z0-9_ -]{1,64}$/;

const SUFFIX = '-pipeline-events';
/** '-' and 8 hex characters of the hash that keeps altered names apart. */
const HASH_LENGTH = 9;

/**
 * The name of the notification rule of pipeline `pipelineName`: `<pipeline>-pipeline-events`.
 *
 * Notification rule names are unique per account, and CDK's default name derives from the construct path
 * only, so two pipelines built by the same code (one per branch) in one account collided. The pipeline
 * name is unique per account and region, so a name derived from it is too. A pipeline name may hold
 * '.' and '@', which rule names may not, and up to 100 characters: such a name has those characters
 * replaced with '-', is cut to fit, and ends in a hash of the whole pipeline name, so that two pipeline
 * names that differ only in the replaced or cut characters still get different rule names. A name of
 * letters, digits, '-' and '_' of up to 48 characters is used as it is.
 */
export function notificationRuleName(pipelineName: string): string {
  const base = pipelineName.replace(/[^A-Za-z0-9_-]/g, '-');
  if (base === pipelineName && base.length + SUFFIX.length <= NOTIFICATION_RULE_NAME_MAX_LENGTH) {
    return `${base}${SUFFIX}`;
  }
  const hash = pipelineNameHash(pipelineName);
  const room = NOTIFICATION_RULE_NAME_MAX_LENGTH - SUFFIX.length - HASH_LENGTH;
  return `${base.slice(0, room)}-${hash}${SUFFIX}`;
}
