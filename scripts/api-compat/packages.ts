import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Where each package keeps what was last released, refreshed by the release after publishing. */
export const BASELINE_DIR = 'api-baseline';

export interface PackageInfo {
  /** Absolute path of the package folder. */
  readonly dir: string;
  /** npm name, e.g. `@groundwork/networking`. */
  readonly name: string;
  /** Path relative to the repository root, for messages. */
  readonly display: string;
}

/**
 * The repository root of `dir`: its git top-level, or, where git is unavailable (a CodePipeline source
 * artifact is a zip without .git), the nearest folder at or above `dir` whose package.json declares
 * `workspaces` (the npm workspace root, which holds the hoisted node_modules jsii-diff needs).
 * Never `dir` itself by default: a package folder taken for the root fails later, far from the cause.
 */
export function repositoryRoot(dir: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd: dir,
      encoding: 'utf-8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    const root = workspaceRoot(dir);
    if (root === undefined) {
      throw new UsageError(
        `cannot find the repository root of ${path.resolve(dir)}: not in a git work tree, and no package.json ` +
          'with "workspaces" at or above it; pass --root',
      );
    }
    return root;
  }
}

/** The nearest folder at or above `dir` whose package.json has a `workspaces` field. */
export function workspaceRoot(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    const manifest = path.join(current, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, 'utf-8')).workspaces !== undefined) return current;
      } catch {
        // An unreadable package.json is not a workspace root; keep walking up.
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

export function readPackage(dir: string, root: string): PackageInfo {
  const manifest = path.join(dir, 'package.json');
  if (!fs.existsSync(manifest)) throw new UsageError(`${dir} is not a package folder: it has no package.json`);
  const name: string = JSON.parse(fs.readFileSync(manifest, 'utf-8')).name;
  return { dir: path.resolve(dir), name, display: path.relative(root, path.resolve(dir)) || '.' };
}

/** Every jsii package under `<root>/packages`, in name order. */
export function allPackages(root: string): PackageInfo[] {
  const packagesDir = path.join(root, 'packages');
  if (!fs.existsSync(packagesDir)) throw new UsageError(`${packagesDir} does not exist`);
  return fs
    .readdirSync(packagesDir)
    .sort()
    .map((entry) => path.join(packagesDir, entry))
    .filter((dir) => {
      const manifest = path.join(dir, 'package.json');
      return fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf-8')).jsii !== undefined;
    })
    .map((dir) => readPackage(dir, root));
}

/** Input the user must fix; the CLIs exit 2 on it. */
export class UsageError extends Error {}

export interface CliArgs {
  readonly all: boolean;
  readonly updateBaseline: boolean;
  readonly help: boolean;
  readonly root?: string;
  readonly packageDirs: readonly string[];
}

export function parseArgs(argv: readonly string[]): CliArgs {
  let all = false;
  let updateBaseline = false;
  let help = false;
  let root: string | undefined;
  const packageDirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--all') {
      all = true;
    } else if (arg === '--update-baseline') {
      updateBaseline = true;
    } else if (arg === '--help' || arg === '-h') {
      help = true;
    } else if (arg === '--root') {
      root = argv[++i];
      if (!root) throw new UsageError('--root needs a directory');
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      packageDirs.push(arg);
    }
  }
  if (!help && all === packageDirs.length > 0) {
    throw new UsageError('give either package folders or --all');
  }
  return { all, updateBaseline, help, root, packageDirs };
}

/** The packages named on the command line, or all of them. */
export function selectPackages(args: CliArgs, cwd: string): { root: string; packages: PackageInfo[] } {
  if (args.all) {
    const root = path.resolve(args.root ?? repositoryRoot(cwd));
    return { root, packages: allPackages(root) };
  }
  const dirs = args.packageDirs.map((d) => path.resolve(cwd, d));
  const root = path.resolve(args.root ?? repositoryRoot(dirs[0]));
  return { root, packages: dirs.map((d) => readPackage(d, root)) };
}
