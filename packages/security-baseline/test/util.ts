import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

// Template validation at synth costs ~4 s per stack and is not what these tests check.
process.env.CDK_VALIDATION = 'false';

export const ENV = { account: '111122223333', region: 'eu-west-1' };

export function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: ENV });
}

/** Unacknowledged AwsSolutions and NIST 800-53 rev 5 findings under `scope`, as `rule path`. */
export function findings(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath ?? r.resourceLogicalId}`),
      ),
  );
}
