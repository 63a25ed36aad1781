import { pipelineNameHash } from './pipeline-name-hash';

/** CodeBuild CreateProject: a letter or digit, then letters, digits, '-' and '_'; 2 to 255 characters. */
export const CODEBUILD_PROJECT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/;

const SELF_MUTATION_SUFFIX = '-selfupdate';

/**
 * The name of the self-mutation CodeBuild project of pipeline `pipelineName`.
 *
 * `aws-cdk-lib/pipelines` names it `<pipeline>-selfupdate`, but a pipeline name may hold '.' and '@' and start
 * with '-' or '_' (CodePipeline allows them), which a CodeBuild project name may not: CloudFormation would
 * fail to create the project, and with it the pipeline stack. Such a name has those characters replaced with
 * '-', leading '-' and '_' dropped, and a hash of the whole pipeline name added, so that `a.b` and `a-b`
 * still get different projects. A name CodeBuild accepts is kept as it is (renaming a project replaces it).
 */
export function selfMutationProjectName(pipelineName: string): string {
  const name = `${pipelineName}${SELF_MUTATION_SUFFIX}`;
  if (CODEBUILD_PROJECT_NAME_PATTERN.test(name)) {
    return name;
  }
  const hash = pipelineNameHash(pipelineName);
  const base = pipelineName.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return `${base ? `${base}-` : ''}${hash}${SELF_MUTATION_SUFFIX}`;
}
