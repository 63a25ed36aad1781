import * as codebuild from 'aws-cdk-lib/aws-codebuild';

/**
 * Node.js major version of every CodeBuild project of the pipeline. Without `runtime-versions`,
 * `aws/codebuild/standard:7.0` runs its image default (Node 18), which may change when a version reaches
 * end of life; aws-cdk-lib and jsii 5.9 need Node 20 or later.
 */
export const NODE_RUNTIME_VERSION = '20';

/**
 * The CDK CLI the repository builds and tests with (`awsCdkCli` in projenrc/versions.ts; the apps'
 * `aws-cdk` devDependency). Self-mutation installs it instead of the newest `aws-cdk@2` of the day.
 * test/source-and-toolchain.test.ts fails when the two differ.
 */
export const DEFAULT_CDK_CLI_VERSION = '2.1148.1';

/** The install-phase fragment that pins the Node.js runtime of a buildspec. */
export function nodeRuntimeBuildSpec(): { [key: string]: any } {
  return { phases: { install: { 'runtime-versions': { nodejs: NODE_RUNTIME_VERSION } } } };
}

/** `nodeRuntimeBuildSpec()` as a partial build spec, for `codeBuildDefaults`. */
export function nodeRuntimePartialBuildSpec(): codebuild.BuildSpec {
  return codebuild.BuildSpec.fromObject(nodeRuntimeBuildSpec());
}
