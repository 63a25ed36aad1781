/*
 * Limits on the names the app derives from organization.name and a branch, so that a name too long
 * for AWS fails `npm run validate` (and `--branch` of the synth), naming the field, instead of the
 * synth or the deployment. Each branch's pipeline is named `<org>-platform-<branch>`, the repository
 * branch's `<org>-platform` (stack-names.ts), and these names are derived from it:
 *
 * - the drift-reconcile role `<pipeline>-drift-reconcile` (platform.ts): IAM role names, 64 characters;
 * - the pipeline stack `<pipeline>` and its support stacks `<pipeline>-support-<region>`: CloudFormation, 128;
 * - the pipeline `<pipeline>`: CodePipeline, 100;
 * - its topic's display name `Groundwork pipeline <pipeline>` (@groundwork/pipeline): SNS, 100;
 * - its event log group `/aws/events/groundwork/<pipeline>` (@groundwork/pipeline): CloudWatch Logs, 512;
 * - its notification rule `<pipeline>-<region>-pipeline-events` (@groundwork/pipeline): CodeStar
 *   Notifications, 64; @groundwork/pipeline cuts a longer name and adds a hash of the pipeline name.
 *
 * The role is the tightest (16 characters after the pipeline name, of 64), so it sets the limit. The
 * notification rule, resource policy and dashboard names that @groundwork/pipeline derives from the pipeline
 * name are cut to their limits there.
 *
 * An environment with `drift.autoReconcile` names its drift detector's role `<org>-<env>-drift-detector`
 * (stack-names.ts), so that the reconcile role's trust can match it; that name, too, has at most 64.
 */

/** IAM CreateRole: a role name has 1-64 characters. */
export const IAM_ROLE_NAME_MAX_LENGTH = 64;

/** The suffix of the drift-reconcile role's name, `<pipeline>-drift-reconcile` (platform.ts). */
export const DRIFT_RECONCILE_ROLE_SUFFIX = '-drift-reconcile';

/** The longest pipeline name whose derived names all fit: 48. */
export const MAX_PIPELINE_NAME_LENGTH = IAM_ROLE_NAME_MAX_LENGTH - DRIFT_RECONCILE_ROLE_SUFFIX.length;

/**
 * The longest name of a branch other than the repository branch, for an organization name: its
 * pipeline `<org>-platform-<branch>` (stack-names.ts keeps the branch's length) must stay within
 * MAX_PIPELINE_NAME_LENGTH. The repository branch's pipeline, `<org>-platform`, always fits.
 */
export function maxBranchNameLength(organizationName: string): number {
  return MAX_PIPELINE_NAME_LENGTH - `${organizationName}-platform-`.length;
}

/** Why a branch name is limited, for error messages. */
export function branchNameLimitReason(organizationName: string): string {
  return (
    `its pipeline's role "${organizationName}-platform-<branch>${DRIFT_RECONCILE_ROLE_SUFFIX}" ` +
    `must fit IAM's ${IAM_ROLE_NAME_MAX_LENGTH}-character limit`
  );
}

/** The suffix of an auto-reconciling environment's drift detector role, `<org>-<env>-drift-detector`. */
export const DRIFT_DETECTOR_ROLE_SUFFIX = '-drift-detector';

/**
 * The name of an auto-reconciling environment's drift detector role, which the tooling account's
 * reconcile role trusts by the pattern `driftDetectorRoleNamePattern` (stack-names.ts). Named, not
 * generated: a generated name keeps only the start of `<org>-<env>-operations`, which a pattern on the
 * whole name would miss.
 */
export function driftDetectorRoleName(organizationName: string, envName: string): string {
  return `${organizationName}-${envName}${DRIFT_DETECTOR_ROLE_SUFFIX}`;
}

/** The longest name of an auto-reconciling environment, for an organization name. */
export function maxAutoReconcileEnvironmentNameLength(organizationName: string): number {
  return IAM_ROLE_NAME_MAX_LENGTH - driftDetectorRoleName(organizationName, '').length;
}
