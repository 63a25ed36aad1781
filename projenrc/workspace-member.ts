import { typescript } from 'projen';
import { NodePackage } from 'projen/lib/javascript';
import { BASE_COMPILER_OPTIONS, VERSIONS } from './versions';

/**
 * Settings shared by every workspace member (construct packages and apps).
 *
 * - The member never runs its own `npm install`: the root installs once for the
 *   whole workspace. A member has no node_modules of its own, so projen would
 *   otherwise install on every synth, before the root package.json is written,
 *   and leave the root lock file stale.
 * - Its tsconfig files extend the shared `tsconfig.base.json`.
 * - Its nx targets are declared explicitly in its package.json (`nx` field), so
 *   `nx run-many -t build` means "compile" everywhere, while projen's own locked
 *   `build` task (compile + test + package) stays available for humans.
 */
export function configureWorkspaceMember(
  project: typescript.TypeScriptProject,
  nxTargets: Record<string, NxTarget>,
): void {
  disableOwnInstall(project.package);

  // Tests and lint: run by the nx `test` target, never updating snapshots
  // silently (a stale snapshot must fail, then be updated on purpose).
  project.package.addField('nx', {
    includedScripts: [],
    targets: Object.fromEntries(
      Object.entries(nxTargets).map(([name, target]) => [
        name,
        {
          command: target.command ?? `npx projen ${target.task}`,
          options: { cwd: '{projectRoot}' },
          ...(target.dependsOn ? { dependsOn: target.dependsOn } : {}),
          ...(target.outputs ? { outputs: target.outputs } : {}),
          ...(target.inputs ? { inputs: target.inputs } : {}),
          ...(target.cache === false ? { cache: false } : {}),
        },
      ]),
    ),
  });

  // ts-jest compiles each test file on its own (isolatedModules) and so checks no types: the tests are
  // type-checked as a whole first, as the sources are by their compile.
  project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');

  pinToolingDeps(project);
  dropOptionsInheritedFromBase(project);
  // jsii 5.9 prints an end-of-life banner for node 20 on every run.
  project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');
}

/**
 * The jest hooks of every test run in the workspace: they give the run its own temporary
 * directory and remove it afterwards (aws-cdk-lib leaves a `cdk.out*` directory in os.tmpdir()
 * for every App synthesized without an outdir). Relative to the workspace root.
 */
const JEST_TEMP_DIR = {
  globalSetup: 'scripts/jest/temp-dir-setup.js',
  globalTeardown: 'scripts/jest/temp-dir-teardown.js',
};

/** The jest configuration entries naming those hooks, from a project `levels` below the root. */
export function jestTempDirHooks(levels: number): { globalSetup: string; globalTeardown: string } {
  const root = ['<rootDir>', ...Array<string>(levels).fill('..')].join('/');
  return {
    globalSetup: `${root}/${JEST_TEMP_DIR.globalSetup}`,
    globalTeardown: `${root}/${JEST_TEMP_DIR.globalTeardown}`,
  };
}

export interface NxTarget {
  /** The projen task the target runs. */
  readonly task?: string;
  /** A command run directly instead of a projen task (forwards CLI arguments as given). */
  readonly command?: string;
  readonly dependsOn?: string[];
  readonly outputs?: string[];
  readonly inputs?: string[];
  readonly cache?: boolean;
}

/** Turns off the member's own dependency install (see above). */
export function disableOwnInstall(pkg: NodePackage): void {
  // `installDependencies` is the single hook projen calls after synth for
  // both the "package.json changed" and the "deps resolved" triggers.
  const hooks = pkg as unknown as { installDependencies: () => void; logInstallTrigger: () => void };
  hooks.installDependencies = () => {};
  hooks.logInstallTrigger = () => {};
}

/**
 * projen adds some tools unversioned (written as `"*"`, then rewritten after
 * an install): pin them so that the lock file never drifts.
 */
export function pinToolingDeps(project: typescript.TypeScriptProject): void {
  project.addDevDeps(
    `@types/node@${VERSIONS.typesNode}`,
    'eslint-import-resolver-typescript@^4',
    'eslint-plugin-import@^2',
    'eslint-config-prettier@^10',
    'eslint-plugin-prettier@^5',
    'prettier@^3.10.1',
  );
  if (project.deps.tryGetDependency('jsii-pacmak')) {
    project.addDevDeps(`jsii-pacmak@${VERSIONS.jsiiPacmak}`, `jsii-diff@${VERSIONS.jsiiDiff}`);
  }
}

/**
 * projen writes its full default compiler options into every tsconfig; drop
 * the ones equal to `tsconfig.base.json`, so that the base is where they are
 * read and changed.
 */
export function dropOptionsInheritedFromBase(project: typescript.TypeScriptProject): void {
  for (const config of [project.tsconfig, project.tsconfigDev]) {
    if (!config) continue;
    const file = config.file;
    for (const [key, value] of Object.entries(BASE_COMPILER_OPTIONS)) {
      const own = (config.compilerOptions as Record<string, unknown> | undefined)?.[key];
      if (JSON.stringify(own) === JSON.stringify(value)) {
        file.addDeletionOverride(`compilerOptions.${key}`);
      }
    }
  }
}
