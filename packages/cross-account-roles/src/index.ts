export * from './bootstrap-contract';
export * from './deployment-boundary';
export * from './deployment-trust';
