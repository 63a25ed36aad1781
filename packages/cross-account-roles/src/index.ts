export * from './artifact-key-access';
export * from './bootstrap-contract';
export * from './break-glass-role';
export * from './deployment-boundary';
export * from './deployment-trust';
export * from './permissions-boundary-aspect';
export * from './security-audit-role';
export * from './service-allow-list';
