import { execFileSync } from 'child_process';

const USAGE = `Usage: ts-node scripts/check-generated/main.ts [PATHSPEC...]

Fails when generated files that are committed (default: packages/*/API.md)
differ from what the build just wrote, new files included: commit them.`;

/** Paths under the pathspecs that git sees as changed or untracked. */
export function staleFiles(pathspecs: string[], cwd = process.cwd()): string[] {
  return execFileSync('git', ['status', '--porcelain', '--', ...pathspecs], { cwd, encoding: 'utf-8' })
    .split('\n')
    .filter((line) => line.trim() !== '');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
  } else {
    const stale = staleFiles(args.length > 0 ? args : ['packages/*/API.md']);
    if (stale.length > 0) {
      process.stderr.write(`generated files are out of date (run npm test and commit them):\n${stale.join('\n')}\n`);
      process.exitCode = 1;
    }
  }
}
