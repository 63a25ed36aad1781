import { App, Stack } from 'aws-cdk-lib';

// Template validation at synth costs ~4 s per stack and is not what these tests check.
process.env.CDK_VALIDATION = 'false';

export const ENV = { account: '111122223333', region: 'eu-west-1' };

export function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: ENV });
}
