export * from './gitops-pipeline';
export * from './pipeline-notifications';
export * from './deployment-monitoring';
