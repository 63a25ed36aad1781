/**
 * Every dependency range in the monorepo, in one place. projen writes `"*"`
 * for unversioned dependencies and rewrites them after install, which makes
 * the lock file drift, so every range here is explicit.
 */
export const VERSIONS = {
  awsCdkLib: '2.276.0',
  constructs: '10.8.1',
  awsCdkCli: '2.1148.1',
  cdkNag: '3.0.2',
  integTestsAlpha: '2.245.0-alpha.0',
  integRunner: '2.197.10',
  jsii: '~5.9.0',
  jsiiRosetta: '~5.9.0',
  jsiiPacmak: '1.140.0',
  jsiiDiff: '1.134.0',
  jsiiDocgen: '10.12.6',
  typescript: '~5.9.3',
  typesNode: '^20',
  nx: '24.0.6',
  zod: '4.6.7',
  yaml: '2.9.1',
  // The JSONata version AWS Step Functions documents; tests evaluate the state machines' expressions with it.
  jsonata: '2.0.6',
  projen: '0.103.25',
} as const;

/** npm scope of every published package. */
export const SCOPE = '@groundwork';

/** The git repository the packages are published from. */
export const REPOSITORY = 'https://github.com/groundwork-platform/groundwork.git';
export const AUTHOR = 'Groundwork platform team';
export const AUTHOR_ADDRESS = 'platform@groundwork.example';

/**
 * Compiler options shared by every project (`tsconfig.base.json`). jsii
 * validates the merged options strictly: module node16 or commonjs, and
 * noEmitOnError with strict mode.
 */
export const BASE_COMPILER_OPTIONS = {
  target: 'ES2022',
  lib: ['es2022'],
  module: 'node16',
  strict: true,
  alwaysStrict: true,
  strictNullChecks: true,
  strictPropertyInitialization: true,
  noImplicitAny: true,
  noImplicitReturns: true,
  noImplicitThis: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noFallthroughCasesInSwitch: true,
  declaration: true,
  esModuleInterop: true,
  experimentalDecorators: true,
  inlineSourceMap: true,
  inlineSources: true,
  resolveJsonModule: true,
  skipLibCheck: true,
  noEmitOnError: true,
  stripInternal: false,
} as const;
