import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { allConstructs } from './fixtures';

describe('cdk-nag', () => {
  test.each([
    ['AwsSolutions', (app: any) => new AwsSolutionsChecks(app)],
    ['NIST 800-53 rev 5', (app: any) => new NIST80053R5Checks(app)],
  ])('%s: no unacknowledged findings on any construct of the package', (_name, pack) => {
    const { app } = allConstructs();
    const report = pack(app).validateScope(app);
    const findings = report.violations.flatMap((v: any) =>
      v.violatingResources.map((r: any) => `${v.ruleName} ${r.constructPath ?? JSON.stringify(r).slice(0, 300)}`),
    );
    expect(findings).toEqual([]);
  });
});
