export * from './account-guardrails';
export * from './audit-trail';
export * from './config-compliance';
export * from './security-alarms';
export * from './security-baseline';
export * from './threat-detection';
