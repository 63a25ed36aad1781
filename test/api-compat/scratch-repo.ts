import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Helpers for the gates' end-to-end tests: a throw-away git repository shaped like this monorepo. */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A git repository in a temporary folder, with this repository's node_modules linked in. */
export class ScratchRepo {
  public readonly root: string;

  constructor(prefix: string) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(this.root, 'node_modules'), 'dir');
    // A workspace root, as in the monorepo: npx (which the bump uses for commit-and-tag-version) then
    // finds the linked node_modules instead of asking the registry.
    this.write('package.json', JSON.stringify({ name: 'scratch', private: true, workspaces: ['packages/*'] }));
    this.write(
      '.gitignore',
      ['node_modules', 'lib', 'dist', '.jsii', 'tsconfig.json', 'tsconfig.tsbuildinfo', ''].join('\n'),
    );
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'gate-test@groundwork.example');
    this.git('config', 'user.name', 'gate test');
    this.git('config', 'commit.gpgsign', 'false');
    this.git('config', 'tag.gpgsign', 'false');
  }

  public path(relative: string): string {
    return path.join(this.root, relative);
  }

  public write(relative: string, content: string): void {
    fs.mkdirSync(path.dirname(this.path(relative)), { recursive: true });
    fs.writeFileSync(this.path(relative), content);
  }

  public git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.root, encoding: 'utf-8' }).trim();
  }

  /** Commits every change with `message` (which may have a body and footers). */
  public commit(message: string): void {
    this.git('add', '-A');
    execFileSync('git', ['commit', '-q', '-F', '-'], { cwd: this.root, input: message });
  }

  /** Rewrites the last commit's message, as an author does before merging. */
  public reword(message: string): void {
    execFileSync('git', ['commit', '-q', '--amend', '-F', '-'], { cwd: this.root, input: message });
  }

  public remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export interface ScriptRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one of the gates as the lead's tasks do: ts-node from the repository root. */
export function runGate(gate: 'api-compat' | 'template-stability', args: readonly string[]): ScriptRun {
  const run = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'scripts', gate, 'check.ts'), ...args],
    { cwd: REPO_ROOT, encoding: 'utf-8' },
  );
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/**
 * projen's `bump`, `bump:releasable-commits` and `unbump` tasks as the monorepo generates them for
 * networking, re-pointed at another package's tag prefix: the exact release configuration under test.
 */
export function releaseTasksFor(packageName: string): string {
  const tasks = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'packages/networking/.projen/tasks.json'), 'utf-8'));
  const picked = Object.fromEntries(['bump', 'bump:releasable-commits', 'unbump'].map((t) => [t, tasks.tasks[t]]));
  return JSON.stringify({ tasks: picked }, undefined, 2).split('@groundwork/networking@').join(`${packageName}@`);
}

/** Runs a projen task in `cwd` with this repository's projen (no npx lookup). */
export function projenTask(cwd: string, task: string): string {
  return execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'projen'), [task], {
    cwd,
    encoding: 'utf-8',
    stdio: 'pipe',
  });
}
