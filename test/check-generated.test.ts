import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { staleFiles } from '../scripts/check-generated/main';

/** The CI check that committed generated files (API.md) match what the build wrote. */
test('reports modified and new generated files, and nothing when they are committed', () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-generated-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf-8' });
  git('init', '-q');
  git('config', 'user.email', 'check@groundwork.example');
  git('config', 'user.name', 'check');
  fs.mkdirSync(path.join(repo, 'packages/a'), { recursive: true });
  fs.mkdirSync(path.join(repo, 'packages/b'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'packages/a/API.md'), '# a\n');
  git('add', '.');
  git('commit', '-q', '-m', 'chore: api docs');

  expect(staleFiles(['packages/*/API.md'], repo)).toEqual([]);

  fs.writeFileSync(path.join(repo, 'packages/a/API.md'), '# a, changed\n');
  fs.writeFileSync(path.join(repo, 'packages/b/API.md'), '# b\n');
  fs.writeFileSync(path.join(repo, 'packages/b/other.md'), 'not generated\n');
  expect(staleFiles(['packages/*/API.md'], repo).sort()).toEqual([' M packages/a/API.md', '?? packages/b/API.md']);
  fs.rmSync(repo, { recursive: true, force: true });
});
