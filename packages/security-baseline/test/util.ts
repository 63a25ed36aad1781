import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';

// Template validation at synth costs ~4 s per stack and is not what these tests check.
process.env.CDK_VALIDATION = 'false';

export const ENV = { account: '111122223333', region: 'eu-west-1' };

export function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: ENV });
}

export function synth(build: (stack: Stack) => Construct | void): Template {
  const stack = newStack();
  build(stack);
  return Template.fromStack(stack);
}
