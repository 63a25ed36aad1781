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

/** A stack in `region` of the test account, or an environment-agnostic one (region unknown at synthesis). */
export function stackIn(region?: string): Stack {
  return new Stack(new App(), 'Test', region === undefined ? {} : { env: { account: ENV.account, region } });
}

/**
 * Whether the template's condition `name` holds in `region`: evaluates Fn::Equals, Fn::Or, Fn::And,
 * Fn::Not and Condition references over Ref AWS::Region, as CloudFormation does at deployment.
 */
export function conditionHolds(template: any, name: string, region: string): boolean {
  const value = (v: any): any => (v && typeof v === 'object' && v.Ref === 'AWS::Region' ? region : v);
  const evaluate = (expression: any): boolean => {
    const [fn, args] = Object.entries(expression)[0] as [string, any];
    switch (fn) {
      case 'Fn::Equals':
        return value(args[0]) === value(args[1]);
      case 'Fn::Or':
        return args.some(evaluate);
      case 'Fn::And':
        return args.every(evaluate);
      case 'Fn::Not':
        return !evaluate(args[0]);
      case 'Condition':
        return evaluate(template.Conditions[args]);
      default:
        throw new Error(`unsupported condition function ${fn}`);
    }
  };
  const condition = template.Conditions?.[name];
  if (!condition) throw new Error(`no condition ${name}`);
  return evaluate(condition);
}
