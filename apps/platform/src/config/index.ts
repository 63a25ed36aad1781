export * from './errors';
export * from './load';
export * from './name-limits';
export * from './schema';
export * from './regions';
export { checkConfigRules } from './validate';
export { renderJsonSchemas } from './json-schema';
