export * from './bucket-encryption-requirement';
export * from './groundwork-checks';
export * from './compliance-report';
