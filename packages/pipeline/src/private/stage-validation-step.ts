import * as path from 'path';
import { Stack, Stage } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as cp from 'aws-cdk-lib/aws-codepipeline';
import * as cpa from 'aws-cdk-lib/aws-codepipeline-actions';
import * as pipelines from 'aws-cdk-lib/pipelines';

/**
 * The script run after a stage deploys. It reads the stage's own nested cloud assembly (which the action
 * receives as input), so the stacks it looks at are exactly those that were just deployed. For each stack
 * it assumes the target account's `cdk-<qualifier>-deploy-role-<account>-<region>` (proving the
 * cross-account trust works as intended; an environment-agnostic stack is in the pipeline's own account
 * and region, where CDK Pipelines deploys it), then:
 *
 * - for each stack whose artifact id is in `PROTECT_STACKS` (the stacks that declare
 *   `terminationProtection`): turns termination protection on (CodePipeline's CloudFormation actions
 *   ignore it, aws/aws-cdk#17871; the deploy role may call `cloudformation:UpdateTerminationProtection`
 *   on the stage's stacks) and checks `EnableTerminationProtection` in `describe-stacks`;
 * - unless `VALIDATE` is `false`: checks the stack is in a stable state (`CREATE_COMPLETE`, `UPDATE_COMPLETE`,
 *   or, kept from an earlier run whose update or import rolled back, `UPDATE_ROLLBACK_COMPLETE`,
 *   `IMPORT_COMPLETE`, `IMPORT_ROLLBACK_COMPLETE`; the stage's deploy actions have already succeeded, so this
 *   run changed nothing there) and every output declared in the template without a `Condition` is present. An
 *   output with a `Condition` is reported and not checked: CloudFormation creates it only when the condition
 *   is true, and the template alone does not tell whether it is.
 *
 * Nothing here runs at synth time: these are CodeBuild commands.
 */
export const STAGE_VALIDATION_SCRIPT = [
  'set -eu',
  'manifest="$STAGE_ASSEMBLY/manifest.json"',
  'validate="${VALIDATE:-true}"',
  'protect=" ${PROTECT_STACKS:-} "',
  'failures=0',
  'for id in ${PROTECT_STACKS:-}; do',
  '  jq -e --arg id "$id" \'.artifacts[$id].type == "aws:cloudformation:stack"\' "$manifest" > /dev/null || { echo "FAIL stack $id is not in $manifest"; failures=$((failures+1)); }',
  'done',
  'for id in $(jq -r \'.artifacts | to_entries[] | select(.value.type == "aws:cloudformation:stack") | .key\' "$manifest"); do',
  '  case "$protect" in *" $id "*) protected=true;; *) protected=false;; esac',
  '  if [ "$validate" != true ] && [ "$protected" != true ]; then continue; fi',
  '  environment=$(jq -r --arg id "$id" \'.artifacts[$id].environment\' "$manifest")',
  '  account=$(echo "$environment" | cut -d/ -f3); region=$(echo "$environment" | cut -d/ -f4)',
  // An environment-agnostic stack (aws://unknown-account/unknown-region) is deployed by CDK Pipelines to the
  // pipeline's own account and region: where this project runs.
  '  if [ "$account" = unknown-account ]; then account=$(aws sts get-caller-identity --query Account --output text) || { echo "FAIL cannot read the pipeline account for $id"; failures=$((failures+1)); continue; }; fi',
  '  if [ "$region" = unknown-region ]; then region="${AWS_REGION:-$AWS_DEFAULT_REGION}"; fi',
  '  stack=$(jq -r --arg id "$id" \'.artifacts[$id].properties.stackName // $id\' "$manifest")',
  '  template="$STAGE_ASSEMBLY/$(jq -r --arg id "$id" \'.artifacts[$id].properties.templateFile\' "$manifest")"',
  '  role="arn:$PARTITION:iam::$account:role/cdk-$QUALIFIER-deploy-role-$account-$region"',
  '  creds=$(aws sts assume-role --role-arn "$role" --role-session-name groundwork-validation --query Credentials --output json) || { echo "FAIL cannot assume $role"; failures=$((failures+1)); continue; }',
  '  export AWS_ACCESS_KEY_ID=$(echo "$creds" | jq -r .AccessKeyId) AWS_SECRET_ACCESS_KEY=$(echo "$creds" | jq -r .SecretAccessKey) AWS_SESSION_TOKEN=$(echo "$creds" | jq -r .SessionToken)',
  '  if [ "$protected" = true ]; then',
  '    aws cloudformation update-termination-protection --region "$region" --stack-name "$stack" --enable-termination-protection > /dev/null || { echo "FAIL cannot turn on termination protection of $stack"; failures=$((failures+1)); }',
  '  fi',
  '  description=$(aws cloudformation describe-stacks --region "$region" --stack-name "$stack" --output json) || { echo "FAIL stack $stack not found in $account/$region"; failures=$((failures+1)); unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN; continue; }',
  '  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN',
  '  if [ "$protected" = true ]; then',
  '    if [ "$(echo "$description" | jq -r \'.Stacks[0].EnableTerminationProtection\')" = true ]; then echo "OK $stack termination protection on"; else echo "FAIL $stack termination protection is off"; failures=$((failures+1)); fi',
  '  fi',
  '  if [ "$validate" != true ]; then continue; fi',
  '  status=$(echo "$description" | jq -r \'.Stacks[0].StackStatus\')',
  // The stable states (CloudFormation RollbackStack: "a last known stable state"): a stack whose last update
  // failed and rolled back, or whose import did, keeps that status through the runs that do not change it,
  // such as the stage rollback's own run of the last good revision.
  '  case "$status" in CREATE_COMPLETE|UPDATE_COMPLETE|UPDATE_ROLLBACK_COMPLETE|IMPORT_COMPLETE|IMPORT_ROLLBACK_COMPLETE) echo "OK $stack $status";; *) echo "FAIL $stack is $status"; failures=$((failures+1));; esac',
  // CloudFormation creates an output with a Condition only when the condition is true (in one region, or one
  // environment): describe-stacks then lacks it, and the template alone cannot tell a false condition from a
  // missing output. Only the outputs without a Condition are required.
  '  for key in $(jq -r \'(.Outputs // {}) | to_entries[] | select(.value.Condition != null) | .key\' "$template"); do echo "SKIP $stack output $key has a Condition: not checked"; done',
  '  for key in $(jq -r \'(.Outputs // {}) | to_entries[] | select(.value.Condition == null) | .key\' "$template"); do',
  '    if echo "$description" | jq -e --arg key "$key" \'.Stacks[0].Outputs // [] | map(.OutputKey) | index($key)\' > /dev/null; then echo "OK $stack output $key"; else echo "FAIL $stack output $key missing"; failures=$((failures+1)); fi',
  '  done',
  'done',
  'test "$failures" -eq 0',
].join('\n');

export interface StageValidationStepProps {
  readonly stage: Stage;
  /** Returns the one validation project shared by every stage (created on first use). */
  readonly project: () => codebuild.IProject;
  /** Check stack states and outputs. @default true */
  readonly validate?: boolean;
  /** Artifact ids of the stage's stacks whose termination protection the step turns on. @default - none */
  readonly protectStacks?: string[];
}

/**
 * The artifact ids of the stacks `aws-cdk-lib/pipelines` deploys for `stage` (its own, not nested stacks
 * nor those of stages inside it) that declare `terminationProtection`, in construct order.
 */
export function terminationProtectedStacks(stage: Stage): string[] {
  return stage.node
    .findAll()
    .filter((c): c is Stack => Stack.isStack(c) && !c.nested && Stage.of(c) === stage && c.terminationProtection)
    .map((stack) => stack.artifactId);
}

/**
 * A post-deployment step that runs the shared validation project against one stage: it validates the
 * stage, turns on the termination protection of the stacks that declare it, or both.
 *
 * Why not a `CodeBuildStep` per stage with `envFromCfnOutputs`: every `CodeBuildStep` creates its own
 * CodeBuild project, role and policy (3 resources) and one more `codebuild:StartBuild` resource in the
 * pipeline role's policy. At 100 environments that is 300 resources (CloudFormation quota: 500 per
 * stack) and about 9 KB of policy (IAM quota: 10,240 bytes). One shared project driven by an
 * environment variable keeps both constant.
 */
export class StageValidationStep extends pipelines.Step implements pipelines.ICodePipelineActionFactory {
  constructor(
    id: string,
    private readonly props: StageValidationStepProps,
  ) {
    super(id);
  }

  public produceAction(
    stage: cp.IStage,
    options: pipelines.ProduceActionOptions,
  ): pipelines.CodePipelineActionFactoryResult {
    const root = this.props.stage.node.root as Stage;
    const assemblyDir = path.relative(root.outdir, this.props.stage.outdir).split(path.sep).join('/');
    const protect = this.props.protectStacks ?? [];
    stage.addAction(
      new cpa.CodeBuildAction({
        actionName: options.actionName,
        runOrder: options.runOrder,
        project: this.props.project(),
        input: options.artifacts.toCodePipeline(options.pipeline.cloudAssemblyFileSet),
        environmentVariables: {
          STAGE_ASSEMBLY: { value: assemblyDir },
          ...(this.props.validate === false ? { VALIDATE: { value: 'false' } } : {}),
          ...(protect.length > 0 ? { PROTECT_STACKS: { value: protect.join(' ') } } : {}),
        },
      }),
    );
    return { runOrdersConsumed: 1 };
  }
}
