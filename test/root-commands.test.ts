import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The README's commands with their flags, run as a person runs them: the flags
 * must reach the platform app (nx's run-commands would take `--env` as its own
 * environment-variables option), relative paths resolve where the command runs.
 */
const ROOT = path.resolve(__dirname, '..');

function npmRun(script: string, args: string[], cwd = ROOT) {
  return spawnSync('npm', ['--prefix', ROOT, 'run', script, '--', ...args], {
    cwd,
    encoding: 'utf-8',
    // `npm test` built the app before these tests (repo-test depends on every project's build); a nested
    // nx build here would restore the packages' lib/ from the cache while other projects' tests read them.
    env: { ...process.env, CDK_VALIDATION: 'false', GROUNDWORK_SKIP_BUILD: '1' },
  });
}

test('each platform command builds first unless GROUNDWORK_SKIP_BUILD is set (the root tests set it)', () => {
  // Without the condition, these tests start a nested nx build inside `npm test`, which restores the packages'
  // lib/ from the cache while other projects' tests load them (a CI failure with ENOENT in lib/).
  const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf-8')).tasks;
  for (const name of ['synth', 'validate', 'bootstrap-template']) {
    const [build, run] = tasks[name].steps;
    expect({ name, build }).toEqual({
      name,
      build: {
        exec: 'nx run @groundwork/platform-app:build --output-style=stream-without-prefixes',
        condition: 'node -e "process.exit(process.env.GROUNDWORK_SKIP_BUILD ? 1 : 0)"',
      },
    });
    expect(run.exec).toMatch(/^node apps\/platform\/lib\/[a-z-]+\.js$/);
  }
});

test("npm run bootstrap-template -- --env NAME --out FILE writes that environment's template", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-root-bootstrap-'));
  const result = npmRun('bootstrap-template', ['--env', 'test', '--out', 'test.template.json'], dir);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('cdk bootstrap aws://444444444444/eu-west-1 --template test.template.json');
  const template = JSON.parse(fs.readFileSync(path.join(dir, 'test.template.json'), 'utf-8'));
  expect(Object.keys(template.Resources).length).toBeGreaterThan(5);
}, 120_000);

test("npm run validate -- --config-dir DIR reports that directory's errors and exits 1", () => {
  const invalid = path.join(ROOT, 'apps/platform/test/fixtures/config/invalid/account-eleven-digits');
  const result = npmRun('validate', ['--config-dir', invalid]);
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain('found "33333333333"');
}, 120_000);
