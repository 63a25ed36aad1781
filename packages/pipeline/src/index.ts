export * from './gitops-pipeline';
export * from './pipeline-notifications';
export * from './deployment-monitoring';
export * from './blue-green-service';
export * from './drift-detector';
export * from './drift-reconciler';
