import * as path from 'path';
import { checkTouchFile, parseArgs } from '../scripts/bench/build';

/**
 * `npm run bench:build` checks its arguments before the cold step, which removes the apps' TypeScript
 * build state and rebuilds the workspace for minutes: a wrong `--touch` must stop it then, not fail (or
 * measure nothing) at the affected step afterwards.
 */
describe('bench:build --touch', () => {
  test('a source file of a project is accepted, relative to the repository root', () => {
    expect(parseArgs(['--touch', 'packages/networking/src/index.ts'])).toMatchObject({
      touch: path.join('packages', 'networking', 'src', 'index.ts'),
      steps: ['cold', 'cached', 'affected'],
    });
  });

  test('a directory is a usage error naming it, before any step runs', () => {
    expect(() => parseArgs(['--touch', 'packages/networking'])).toThrow(
      '--touch: expected a source file of one of the projects (packages/compliance, packages/cross-account-roles, ' +
        'packages/networking, packages/pipeline, packages/security-baseline, apps/platform, apps/sample-service), ' +
        "found 'packages/networking', a directory",
    );
  });

  test('a file no project holds is a usage error: nx affected would build nothing', () => {
    expect(() => parseArgs(['--touch', 'README.md'])).toThrow(/found 'README\.md', which no project holds$/);
    expect(() => parseArgs(['--touch', 'scripts/bench/build.ts'])).toThrow(/which no project holds$/);
  });

  test('a missing file is a usage error naming it', () => {
    expect(() => parseArgs(['--touch', 'packages/networking/src/nope.ts'])).toThrow(
      /found 'packages\/networking\/src\/nope\.ts', which does not exist$/,
    );
  });

  test('--touch is checked only when the affected step runs', () => {
    expect(parseArgs(['--steps', 'cold', '--touch', 'README.md'])).toMatchObject({ steps: ['cold'] });
  });

  test('a project folder is matched as a whole name, not as a prefix', () => {
    const root = path.resolve(__dirname, '..');
    expect(() => checkTouchFile('packages/networking/src/index.ts', root, ['packages/network'])).toThrow(
      /which no project holds$/,
    );
  });
});
