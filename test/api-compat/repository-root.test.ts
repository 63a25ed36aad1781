import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from './scratch-repo';
import { allPackages, repositoryRoot, selectPackages, UsageError } from '../../scripts/api-compat/packages';

/**
 * Where git is unavailable (CodePipeline's source artifact is a zip without .git), the gate must still
 * find the workspace root, whose node_modules jsii-diff loads the baseline's dependencies from. Taking
 * the package folder for the root made every package's gate fail with "Cannot find module 'aws-cdk-lib'".
 */
describe('repositoryRoot', () => {
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'api-compat-root-'));
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function write(relative: string, content: object): void {
    fs.mkdirSync(path.dirname(path.join(tmp, relative)), { recursive: true });
    fs.writeFileSync(path.join(tmp, relative), JSON.stringify(content));
  }

  /** A copy of the monorepo's layout, without .git. */
  function workspace(): string {
    write('package.json', { name: 'groundwork', private: true, workspaces: ['packages/*', 'apps/*'] });
    write('packages/networking/package.json', { name: '@groundwork/networking', jsii: {} });
    write('packages/networking/src/package.json', { name: 'not-a-workspace-root' });
    return path.join(tmp, 'packages', 'networking');
  }

  test('is the git top-level inside a work tree', () => {
    expect(fs.realpathSync(repositoryRoot(path.join(REPO_ROOT, 'scripts', 'api-compat')))).toBe(
      fs.realpathSync(REPO_ROOT),
    );
  });

  test('without git, is the nearest folder above whose package.json has workspaces, not the package', () => {
    const pkg = workspace();
    expect(repositoryRoot(pkg)).toBe(tmp);
    expect(repositoryRoot(path.join(pkg, 'src'))).toBe(tmp);
    const { root, packages } = selectPackages(
      { all: false, updateBaseline: false, help: false, packageDirs: [pkg] },
      tmp,
    );
    expect(root).toBe(tmp);
    expect(packages.map((p) => p.display)).toEqual([path.join('packages', 'networking')]);
  });

  test('--all selects the jsii packages under packages/, not the other workspace packages', () => {
    workspace();
    write('packages/tools/package.json', { name: '@groundwork/tools' });
    fs.mkdirSync(path.join(tmp, 'packages', 'notes'));
    expect(allPackages(tmp).map((p) => p.name)).toEqual(['@groundwork/networking']);
    const { packages } = selectPackages(
      { all: true, updateBaseline: false, help: false, packageDirs: [], root: tmp },
      tmp,
    );
    expect(packages.map((p) => p.display)).toEqual([path.join('packages', 'networking')]);
  });

  test('without git and without a workspace root, is an error naming --root, not the package folder', () => {
    write('lonely/package.json', { name: 'lonely' });
    expect(() => repositoryRoot(path.join(tmp, 'lonely'))).toThrow(UsageError);
    expect(() => repositoryRoot(path.join(tmp, 'lonely'))).toThrow(/not in a git work tree.*pass --root/);
  });
});
