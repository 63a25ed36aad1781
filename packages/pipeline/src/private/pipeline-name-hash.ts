import { createHash } from 'crypto';

/**
 * 8 hex characters of the SHA-256 of a pipeline name. A name derived from the pipeline name (a rule, a
 * project, a log group) that had characters replaced or cut ends in it, so that two pipeline names that differ
 * only in those characters still get different derived names.
 */
export function pipelineNameHash(pipelineName: string): string {
  return createHash('sha256').update(pipelineName).digest('hex').slice(0, 8);
}
