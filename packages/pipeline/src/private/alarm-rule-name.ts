import { pipelineNameHash } from './pipeline-name-hash';

/** CodePipeline: a rule name has 1 to 100 characters. */
const RULE_NAME_MAX_LENGTH = 100;

/**
 * The name of the `index`th alarm rule of a stage's gate, `<stage>-alarm-<index>`. A stage name too long for
 * that is cut and ends in a hash of the whole name, so that the rules of one gate, and of stages whose names
 * differ only past the cut (the parts of a split wave), keep distinct names.
 */
export function alarmRuleName(stageName: string, index: number): string {
  const suffix = `-alarm-${index}`;
  if (stageName.length + suffix.length <= RULE_NAME_MAX_LENGTH) {
    return `${stageName}${suffix}`;
  }
  const hash = `-${pipelineNameHash(stageName)}`;
  return `${stageName.slice(0, RULE_NAME_MAX_LENGTH - suffix.length - hash.length)}${hash}${suffix}`;
}
