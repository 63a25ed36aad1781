import * as path from 'path';
import { awscdk, javascript, typescript } from 'projen';
import { ConstructPackage } from './construct-package';
import { SCOPE, VERSIONS } from './versions';
import { configureWorkspaceMember, jestTempDirHooks } from './workspace-member';

export interface EnvironmentAppOptions {
  /** Folder name under `apps/`, e.g. `platform`. */
  readonly name: string;
  readonly description: string;
  /** Construct packages the app composes (linked from the workspace). */
  readonly uses: ConstructPackage[];
  readonly deps?: string[];
  readonly devDeps?: string[];
  /**
   * Range for the Groundwork packages in `uses`. The platform app follows the
   * workspace's development version; an app team's service uses the range it
   * would use from npm (the workspace links it while `0.0.0` satisfies it).
   * @default '^0.0.0'
   */
  readonly groundworkRange?: string;
  /**
   * Node.js flags of the main job (`node FLAGS lib/main.js`), wherever it runs:
   * cdk.json's `app`, the nx `synth` target (`npm run synth`, the pipeline's
   * synth step) and the `synth:main` task.
   * @default []
   */
  readonly mainNodeFlags?: string[];
  /**
   * The app reads the platform config: adds the `validate` and
   * `bootstrap-template` commands.
   * @default true
   */
  readonly configCommands?: boolean;
}

/**
 * A private CDK app under `apps/<name>`: declarative config in, stacks out.
 *
 * The app runs as compiled JavaScript (`node lib/main.js`), never through
 * ts-node, so a synth does not type-check the whole program every time.
 */
export class EnvironmentApp extends awscdk.AwsCdkTypeScriptApp {
  constructor(parent: typescript.TypeScriptProject, options: EnvironmentAppOptions) {
    const mainJob = ['node', ...(options.mainNodeFlags ?? []), 'lib/main.js'].join(' ');
    super({
      parent,
      outdir: path.join('apps', options.name),
      name: `${SCOPE}/${options.name}-app`,
      packageName: `${SCOPE}/${options.name}-app`,
      description: options.description,
      license: 'Apache-2.0',
      defaultReleaseBranch: 'main',
      cdkVersion: VERSIONS.awsCdkLib,
      cdkCliVersion: VERSIONS.awsCdkCli,
      constructsVersion: VERSIONS.constructs,
      typescriptVersion: VERSIONS.typescript,
      projenVersion: VERSIONS.projen,
      packageManager: javascript.NodePackageManager.NPM,
      app: mainJob,
      // `cdk synth` compiles first, then runs the compiled app.
      buildCommand: 'npx projen compile',
      requireApproval: awscdk.ApprovalLevel.BROADENING,
      context: {
        // CloudFormation template validation findings fail the synth instead of warning.
        '@aws-cdk/core:validateAgainstDefaultRules': true,
        // Error annotations (e.g. the ingress guard's) fail the synth like any other finding.
        '@aws-cdk/core:annotationsInValidationReport': true,
        // No creation stack trace per resource in the cloud assembly: the pipeline deploys through
        // CloudFormation actions, which never show one, and capturing and writing them took about 5 % of
        // the main job at 20 environments and half of the metadata files' bytes (docs/performance.md).
        // `cdk synth --debug` (CDK_DEBUG=true) brings them back.
        'aws:cdk:disable-creation-stack-traces': true,
      },
      deps: [
        ...options.uses.map((p) => `${p.package.packageName}@${options.groundworkRange ?? '^0.0.0'}`),
        ...(options.deps ?? []),
      ],
      devDeps: [`ts-node@10.9.2`, ...(options.devDeps ?? [])],
      tsconfig: {
        extends: javascript.TypescriptConfigExtends.fromPaths(['../../tsconfig.base.json']),
        compilerOptions: {},
      },
      jestOptions: {
        jestVersion: '^30',
        updateSnapshot: javascript.UpdateSnapshot.NEVER,
        jestConfig: { testMatch: ['<rootDir>/test/**/*.test.ts'], ...jestTempDirHooks(2) },
      },
      prettier: true,
      prettierOptions: { settings: { singleQuote: true, printWidth: 120 } },
      eslint: true,
      eslintOptions: { dirs: ['src'], devdirs: ['test'], commandOptions: { fix: false } },
      sampleCode: false,
      depsUpgrade: false,
      buildWorkflow: false,
      pullRequestTemplate: false,
      release: false,
      github: false,
    });
    this.package.addField('private', true);
    // Added unversioned by the CDK app type (for Lambda bundling): pin it.
    this.addDevDeps('esbuild@^0.28.2');

    // ts-jest compiles each test file on its own, without type-checking it (the test task type-checks the
    // tests as a whole first, see workspace-member.ts): measured on the platform's main-errors test, 34 s
    // with per-file type-checking, 6.4 s without (cold jest cache). The construct packages' jsii projects
    // set the same option.
    this.tryFindObjectFile('test/tsconfig.json')?.addOverride('compilerOptions.isolatedModules', true);

    // projen's app defaults (typeRoots pointing at the member's own
    // node_modules, and nodenext resolution) break in a hoisted workspace.
    for (const file of ['tsconfig.json', 'tsconfig.dev.json']) {
      const tsconfig = this.tryFindObjectFile(file);
      tsconfig?.addDeletionOverride('compilerOptions.typeRoots');
      tsconfig?.addDeletionOverride('compilerOptions.moduleResolution');
      tsconfig?.addDeletionOverride('compilerOptions.module');
    }

    // The CDK app type compiles nothing (it runs through ts-node) and synthesizes
    // after every compile; compile to lib/ instead, and synthesize on demand.
    this.compileTask.reset('tsc --build');
    this.postCompileTask.reset();

    const configCommands = options.configCommands ?? true;
    configureWorkspaceMember(this, {
      build: { task: 'compile', dependsOn: ['^build'], outputs: ['{projectRoot}/lib'] },
      test: { task: 'test', dependsOn: ['build'], outputs: ['{projectRoot}/coverage', '{projectRoot}/test-reports'] },
      synth: { command: mainJob, dependsOn: ['build'], outputs: ['{projectRoot}/cdk.out'], cache: false },
      ...(configCommands
        ? {
            validate: { command: 'node lib/validate.js', dependsOn: ['build'], cache: false },
            'bootstrap-template': { command: 'node lib/bootstrap-template.js', dependsOn: ['build'], cache: false },
          }
        : {}),
    });

    // The main job: validate the config, synthesize every stage, run the
    // checks and print the summary (see src/main.ts).
    this.addTask('synth:main', {
      description: 'Synthesize all stages into cdk.out, run the compliance checks, print the summary',
      exec: mainJob,
      receiveArgs: true,
    });
    if (configCommands) {
      this.addTask('validate', {
        description: 'Validate the config only (no synthesis)',
        exec: 'node lib/validate.js',
        receiveArgs: true,
      });
    }
  }
}
