import { StackComplianceReport } from '@groundwork/compliance';
import { App } from 'aws-cdk-lib';
import { tmpOutdir } from './helpers';
import { CompliancePackReport, writeComplianceReport } from '../src/compliance';

/** A stack report with `violations` open and `acknowledged` acknowledged findings. */
function stackReport(
  stackPath: string,
  stackName: string,
  violations: number,
  acknowledged: number,
): StackComplianceReport {
  const finding = (i: number) => ({
    pack: 'Groundwork',
    ruleId: 'Groundwork-IAM5',
    resourcePath: `${stackPath}/Role${i}/Resource`,
    message: 'm',
    severity: 'error',
  });
  return {
    stackPath,
    stackName,
    stagePath: '',
    stageName: '',
    rules: [],
    violations: Array.from({ length: violations }, (_, i) => finding(i)),
    acknowledgedFindings: Array.from({ length: acknowledged }, (_, i) => finding(i)),
    acknowledgements: [],
  };
}

describe('writeComplianceReport counts', () => {
  test("a StackSet member's findings and acknowledged findings count towards the stack that deploys it", () => {
    const report: CompliancePackReport = {
      packs: ['Groundwork'],
      stacks: [
        stackReport('Pipeline', 'example-platform', 0, 4),
        stackReport('OrganizationStackSets', 'example-organization-stacksets', 0, 1),
      ],
      stackSetMembers: [
        stackReport('OrganizationStackSets/example-security-baseline', 'example-security-baseline', 0, 5),
      ],
    };
    const { counts } = writeComplianceReport(new App(), [], tmpOutdir('compliance-counts'), report);
    expect(counts).toEqual({
      'example-platform': { findings: 0, acknowledged: 4 },
      'example-organization-stacksets': { findings: 0, acknowledged: 6 },
    });
  });

  test('a member counts towards the stack whose path it is under, not one whose path only starts the same', () => {
    const report: CompliancePackReport = {
      packs: ['Groundwork'],
      stacks: [
        // Listed first, and its path is the start of the member's path, but the member is not under it.
        stackReport('Organization', 'example-organization', 0, 0),
        stackReport('OrganizationStackSets', 'example-organization-stacksets', 0, 1),
      ],
      stackSetMembers: [
        stackReport('OrganizationStackSets/example-security-baseline', 'example-security-baseline', 2, 5),
      ],
    };
    const { counts } = writeComplianceReport(new App(), [], tmpOutdir('compliance-counts'), report);
    expect(counts).toEqual({
      'example-organization': { findings: 0, acknowledged: 0 },
      'example-organization-stacksets': { findings: 2, acknowledged: 6 },
    });
  });
});
