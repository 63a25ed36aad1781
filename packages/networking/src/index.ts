export * from './network-parameter-paths';
export * from './workload-vpc';
export * from './ingress-rule-guard';
