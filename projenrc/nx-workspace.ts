import { Component, JsonFile, Project } from 'projen';

/**
 * `nx.json`: task graph, cache and inputs for every workspace member.
 *
 * The targets themselves are declared in each member's package.json (see
 * workspace-member.ts); this file holds what is common to all of them.
 */
export class NxWorkspace extends Component {
  constructor(project: Project) {
    super(project);

    // Everything that can change a member's build output. Tests, docs and
    // lint config are left out of `production` so that a test-only change
    // keeps dependants' builds cached.
    const production = [
      'default',
      '!{projectRoot}/test/**/*',
      '!{projectRoot}/.eslintrc.json',
      '!{projectRoot}/.prettierrc.json',
      '!{projectRoot}/.prettierignore',
    ];

    new JsonFile(project, 'nx.json', {
      obj: {
        $schema: './node_modules/nx/schemas/nx-schema.json',
        // nx 24 otherwise keeps its cache under the home folder, keyed by repo.
        cacheDirectory: '.nx/cache',
        neverConnectToCloud: true,
        useDaemonProcess: false,
        parallel: 2,
        namedInputs: {
          default: ['{projectRoot}/**/*', 'sharedGlobals'],
          sharedGlobals: ['{workspaceRoot}/tsconfig.base.json', '{workspaceRoot}/package-lock.json'],
          production,
        },
        targetDefaults: {
          build: {
            dependsOn: ['^build'],
            inputs: ['production', '^production'],
            cache: true,
          },
          test: {
            // Tests run against the built dependencies; every file of the
            // project (tests included) is an input, so a test change re-runs them.
            dependsOn: ['build', '^build'],
            inputs: ['default', '^production', '{workspaceRoot}/scripts/jest/**/*'],
            cache: true,
          },
          docgen: { inputs: ['production', '^production', '{workspaceRoot}/scripts/docgen/**/*'], cache: true },
          package: { inputs: ['production', '^production'], cache: true },
          'pacmak-check': { inputs: ['production', '^production'], cache: true },
          // The gates read commit messages (breaking-change markers) since the
          // package's last tag: the commit is an input besides the files. The
          // template gate synthesizes the integ apps, which `production` leaves out.
          compat: {
            inputs: [
              'production',
              '^production',
              '{projectRoot}/test/integ.*.ts',
              '{workspaceRoot}/scripts/api-compat/**/*',
              '{workspaceRoot}/scripts/template-stability/**/*',
              { runtime: 'git rev-parse HEAD' },
            ],
            cache: true,
          },
          synth: { dependsOn: ['build'], cache: false },
          release: { cache: false },
        },
      },
    });

    project.gitignore.exclude('/.nx/');
  }
}
