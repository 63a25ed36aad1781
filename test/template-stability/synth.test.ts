import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../scripts/template-stability/check';
import { REPLACING_PROPERTIES } from '../../scripts/template-stability/stateful-resources';
import {
  integApps,
  readAssemblyTemplates,
  synthesizeIntegApps,
  SynthError,
} from '../../scripts/template-stability/synth';

/** How the gate finds and runs a package's integ apps, and what it does when one fails. */

let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-template-synth-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(relative: string, content: string): string {
  const file = path.join(tmp, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

/** Captures what `fn` writes to stdout and stderr. */
function captured(fn: () => number): { status: number; stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((t) => (err.push(String(t)), true));
  try {
    return { status: fn(), stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

test('the integ apps are test/integ.*.ts, without declaration files or other tests', () => {
  for (const f of ['integ.vpc.ts', 'integ.bucket.ts', 'integ.vpc.d.ts', 'integ.ts', 'vpc.test.ts', 'integ.vpc.js']) {
    write(`pkg/test/${f}`, '');
  }
  expect(integApps(path.join(tmp, 'pkg')).map((f) => path.basename(f))).toEqual(['integ.bucket.ts', 'integ.vpc.ts']);
  expect(integApps(path.join(tmp, 'no-tests'))).toEqual([]);
});

test("an assembly's stacks are read with those of its nested assemblies (Stages), keyed by artifact path", () => {
  const manifest = (artifacts: object) => JSON.stringify({ version: '55.0.0', artifacts });
  write(
    'out/manifest.json',
    manifest({
      Top: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Top.template.json' } },
      'assembly-dev': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-dev' } },
      Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
    }),
  );
  write('out/Top.template.json', JSON.stringify({ Resources: { A: { Type: 'AWS::S3::Bucket' } } }));
  write(
    'out/assembly-dev/manifest.json',
    manifest({
      'dev-Data': { type: 'aws:cloudformation:stack', properties: { templateFile: 'dev-Data.template.json' } },
    }),
  );
  write(
    'out/assembly-dev/dev-Data.template.json',
    JSON.stringify({ Resources: { T: { Type: 'AWS::DynamoDB::Table' } } }),
  );

  expect(readAssemblyTemplates(path.join(tmp, 'out'))).toEqual({
    Top: { Resources: { A: { Type: 'AWS::S3::Bucket' } } },
    'assembly-dev/dev-Data': { Resources: { T: { Type: 'AWS::DynamoDB::Table' } } },
  });
});

/** An integ app that writes a valid (empty) cloud assembly, then exits with `code`. */
const exitingApp = (code: number) => `import * as fs from 'fs';
import * as path from 'path';
fs.writeFileSync(path.join(process.env.CDK_OUTDIR!, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts: {} }));
process.exit(${code});
`;

test('an integ app that exits non-zero fails the synthesis, even when it wrote an assembly', () => {
  write('pkg/test/integ.ok.ts', exitingApp(0));
  expect(synthesizeIntegApps(path.join(tmp, 'pkg'))).toEqual({});
  write('pkg/test/integ.partial.ts', exitingApp(3));
  expect(() => synthesizeIntegApps(path.join(tmp, 'pkg'))).toThrow(SynthError);
  expect(() => synthesizeIntegApps(path.join(tmp, 'pkg'))).toThrow(
    /synthesizing test\/integ\.partial\.ts failed \(exit 3\)/,
  );
}, 30_000);

test('the gate exits 1 when an integ app fails to synthesize, and 2 on a usage error', () => {
  write('package.json', JSON.stringify({ name: 'scratch', private: true, workspaces: ['packages/*'] }));
  write('packages/demo/package.json', JSON.stringify({ name: '@groundwork/demo', jsii: {} }));
  write('packages/demo/api-baseline/templates.json', JSON.stringify({ stacks: {} }));
  write('packages/demo/test/integ.demo.ts', exitingApp(3));

  const failed = captured(() => main([path.join(tmp, 'packages/demo'), '--root', tmp]));
  expect(failed.stdout).toContain('FAIL: synthesizing test/integ.demo.ts failed (exit 3)');
  expect(failed.stdout).toContain('template-stability: FAILED for @groundwork/demo.');
  expect(failed.status).toBe(1);

  const usage = captured(() => main([], tmp));
  expect(usage.stderr).toContain('template-stability: give either package folders or --all');
  expect(usage.status).toBe(2);
}, 30_000);

test('--help names every resource type the gate protects', () => {
  const help = captured(() => main(['--help'], tmp));
  expect(help.status).toBe(0);
  const types = Object.keys(REPLACING_PROPERTIES);
  expect(types.length).toBeGreaterThan(10);
  for (const type of types) expect(help.stdout).toContain(type);
});
