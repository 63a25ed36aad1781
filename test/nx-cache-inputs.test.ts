import * as fs from 'fs';
import * as path from 'path';

/**
 * nx replays a cached result when none of a target's inputs changed: a file a gate reads but that is not among
 * its inputs lets an edit replay an old pass. The template gate synthesizes each package's integ apps
 * (test/integ.*.ts), which the `production` named input leaves out.
 */
const ROOT = path.resolve(__dirname, '..');
const nx = JSON.parse(fs.readFileSync(path.join(ROOT, 'nx.json'), 'utf-8'));

/** An nx file-set pattern for one project as a RegExp over its project-relative paths (`*` within a name). */
function projectPattern(input: string): RegExp | undefined {
  if (typeof input !== 'string' || !input.startsWith('{projectRoot}/')) return undefined;
  const glob = input.slice('{projectRoot}/'.length);
  const source = glob
    .split('**/')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('(?:.*/)?');
  return new RegExp(`^${source}$`);
}

test("every package's integ apps are inputs of its compat target", () => {
  const patterns = (nx.targetDefaults.compat.inputs as unknown[])
    .map((input) => projectPattern(input as string))
    .filter((p): p is RegExp => p !== undefined);
  const integApps = fs
    .readdirSync(path.join(ROOT, 'packages'))
    .flatMap((pkg) => {
      const testDir = path.join(ROOT, 'packages', pkg, 'test');
      return fs.existsSync(testDir) ? fs.readdirSync(testDir).filter((f) => /^integ\..*\.ts$/.test(f)) : [];
    })
    .map((file) => `test/${file}`);
  expect(integApps.length).toBeGreaterThan(0);
  expect(integApps.filter((file) => !patterns.some((p) => p.test(file)))).toEqual([]);
});
