import { Component, github } from 'projen';
import { GroundworkMonorepo } from './monorepo';

const NODE_VERSION = '20';

/** Steps every job starts with: the repository, Node.js and the one root install. */
export function setupSteps(): github.workflows.JobStep[] {
  return [
    { name: 'Checkout', uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } },
    { name: 'Set up Node.js', uses: 'actions/setup-node@v4', with: { 'node-version': NODE_VERSION, cache: 'npm' } },
    // The same nx cache folder the local runs use; keyed by the lock file.
    {
      name: 'Restore nx cache',
      uses: 'actions/cache@v4',
      with: {
        path: '.nx/cache',
        key: "nx-${{ hashFiles('package-lock.json') }}-${{ github.sha }}",
        'restore-keys': "nx-${{ hashFiles('package-lock.json') }}-",
      },
    },
    { name: 'Install', run: 'npm ci' },
  ];
}

/**
 * The build workflow: on every pull request and every push to main or
 * develop, the README's commands (install, test, the main job), with
 * read-only permissions; on pull requests also the infrastructure change
 * report (job summary and artifact). Replaces projen's default build workflow, which runs a mutable
 * `npm install` and pushes "self-mutation" commits.
 */
export class CiWorkflows extends Component {
  constructor(project: GroundworkMonorepo) {
    super(project);
    const gh = github.GitHub.of(project)!;
    const build = new github.GithubWorkflow(gh, 'build');
    build.on({ pullRequest: {}, push: { branches: ['main', 'develop'] }, workflowDispatch: {} });
    build.addJobs({
      build: {
        name: 'test and synth',
        runsOn: ['ubuntu-latest'],
        permissions: { contents: github.workflows.JobPermission.READ },
        env: { CI: 'true' },
        steps: [
          ...setupSteps(),
          { name: 'Test', run: 'npm test' },
          { name: 'Synthesize every environment and the pipeline', run: 'npm run synth' },
          // Generated files must match their sources: projen and docgen output is committed. `git diff`
          // sees tracked files only; `git status --porcelain` also fails on a generated file never committed.
          {
            name: 'Check generated files are up to date',
            run: 'npx projen && git diff --exit-code && test -z "$(git status --porcelain)"',
          },
          {
            name: 'Upload the cloud assembly and compliance report',
            uses: 'actions/upload-artifact@v4',
            with: { name: 'cloud-assembly', path: 'apps/platform/cdk.out' },
          },
          // What the pull request changes in AWS, computed offline: synthesize
          // the base branch too and compare the two assemblies.
          {
            name: 'Synthesize the base branch',
            if: "github.event_name == 'pull_request'",
            run: [
              'git worktree add .base "${{ github.event.pull_request.base.sha }}"',
              'cd .base && npm ci && npm run synth',
            ].join('\n'),
          },
          {
            name: 'Infrastructure change report',
            if: "github.event_name == 'pull_request'",
            // The script itself, not the `change-report` npm task: the task is defined in projenrc/monorepo.ts
            // and package.json, which the security owners do not co-own, so a pull request could otherwise
            // point the task at something else and still pass review of the gate's own files (.github/CODEOWNERS).
            run: [
              'npx ts-node --transpile-only scripts/change-report/main.ts --base .base/apps/platform/cdk.out --head apps/platform/cdk.out --out-dir change-report',
              'cat change-report/change-report.md >> "$GITHUB_STEP_SUMMARY"',
            ].join('\n'),
          },
          {
            name: 'Upload the change report',
            if: "github.event_name == 'pull_request'",
            uses: 'actions/upload-artifact@v4',
            with: { name: 'change-report', path: 'change-report' },
          },
        ],
      },
    });
  }
}
