import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { AuditLogLockMode, SecurityBaseline } from '../src';

/**
 * Every part on, with the props a real account would set: global resources recorded here,
 * Object Lock, an email subscription. Exported so test/integ-snapshot.test.ts can pin the template
 * (integ-runner 2.197 cannot read this aws-cdk-lib's cloud assembly, see README).
 */
export function buildIntegApp(): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'SecurityBaselineInteg');
  new SecurityBaseline(stack, 'Baseline', {
    auditTrail: { objectLockMode: AuditLogLockMode.GOVERNANCE, objectLockDays: 30, cloudWatchLogsRetentionDays: 400 },
    configRecorder: { recordGlobalResources: true },
    securityAlarms: { emailAddresses: ['security-alerts@example.com'] },
  });
  new IntegTest(app, 'SecurityBaselineTest', {
    testCases: [stack],
    // Config recorder, GuardDuty detector and Security Hub are one per account and region.
    regions: ['eu-west-1'],
    stackUpdateWorkflow: false,
  });
  return { app, stack };
}

if (require.main === module) {
  buildIntegApp().app.synth();
}
