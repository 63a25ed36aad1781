/**
 * The names of the stacks the platform's pipelines deploy. The stages and the
 * pipeline take their stack names from here, and so do the bootstrap templates,
 * whose deploy roles may change only these stacks: a stack name changed in one
 * place only would fail the deployment, not widen it.
 */

/** The stacks of each environment's stage, by construct id; the stack name is `<org>-<env>-<id in lowercase>`. */
export const ENVIRONMENT_STACK_IDS = ['Network', 'Security', 'Operations'] as const;

/** One of ENVIRONMENT_STACK_IDS. */
export type EnvironmentStackId = (typeof ENVIRONMENT_STACK_IDS)[number];

/** The deployed name of one stack of an environment's stage. */
export function environmentStackName(org: string, envName: string, id: EnvironmentStackId): string {
  return `${org}-${envName}-${id.toLowerCase()}`;
}

/** Every stack the pipeline deploys into an environment's account and region. */
export function environmentStackNames(org: string, envName: string): string[] {
  return ENVIRONMENT_STACK_IDS.map((id) => environmentStackName(org, envName, id));
}

/**
 * The pipeline stack of a branch: `<org>-platform` for the repository's branch,
 * `<org>-platform-<branch>` for another (e.g. develop).
 */
export function pipelineStackName(org: string, branch: string, repositoryBranch: string): string {
  return branch === repositoryBranch ? `${org}-platform` : `${org}-platform-${branch.replace(/[^A-Za-z0-9-]/g, '-')}`;
}

/**
 * Every pipeline stack of every branch, the cross-region support stacks that CodePipeline names after
 * them (`<pipeline stack>-support-<region>`), and the roles CloudFormation names after them.
 */
export function pipelineStackNamePattern(org: string): string {
  return `${org}-platform*`;
}
