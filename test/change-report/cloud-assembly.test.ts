import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BASE_TEMPLATE, writeAssembly } from './scenario';
import { AssemblyError, readCloudAssembly } from '../../scripts/change-report/cloud-assembly';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'change-report-assembly-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('reads root stacks and nested assemblies, keyed by environment and stack name, in order', () => {
  writeAssembly(tmp, {
    '(root)': { pipeline: { Resources: {} } },
    Prod: { 'prod-network': BASE_TEMPLATE, 'prod-audit': { Resources: {} } },
    Dev: { 'dev-network': { Resources: {} } },
  });
  expect(readCloudAssembly(tmp).map((s) => `${s.environment}|${s.stackName}|${s.awsEnvironment}`)).toEqual([
    '(root)|pipeline|aws://111111111111/eu-west-1',
    'Dev|dev-network|aws://111111111111/eu-west-1',
    'Prod|prod-audit|aws://111111111111/eu-west-1',
    'Prod|prod-network|aws://111111111111/eu-west-1',
  ]);
  expect(readCloudAssembly(tmp).find((s) => s.stackName === 'prod-network')?.template).toEqual(BASE_TEMPLATE);
});

test('follows nested assemblies inside nested assemblies, using the display name as the environment', () => {
  writeAssembly(tmp, { Outer: { outer: { Resources: {} } } });
  const outerDir = path.join(tmp, 'assembly-Outer');
  writeAssembly(path.join(outerDir, 'inner-dir'), { '(root)': { inner: { Resources: {} } } });
  const outerManifest = JSON.parse(fs.readFileSync(path.join(outerDir, 'manifest.json'), 'utf-8'));
  outerManifest.artifacts.inner = {
    type: 'cdk:cloud-assembly',
    properties: { directoryName: 'inner-dir', displayName: 'Outer/Inner' },
  };
  fs.writeFileSync(path.join(outerDir, 'manifest.json'), JSON.stringify(outerManifest));
  expect(readCloudAssembly(tmp).map((s) => `${s.environment}|${s.stackName}`)).toEqual([
    'Outer|outer',
    'Outer/Inner|inner',
  ]);
});

test('a stack without properties.stackName is named by its artifact id; other artifact types are ignored', () => {
  fs.writeFileSync(path.join(tmp, 'A.template.json'), '{"Resources":{}}');
  fs.writeFileSync(
    path.join(tmp, 'manifest.json'),
    JSON.stringify({
      version: '30.0.0',
      artifacts: {
        A: { type: 'aws:cloudformation:stack', properties: { templateFile: 'A.template.json' } },
        Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
        'A.assets': { type: 'cdk:asset-manifest', properties: { file: 'A.assets.json' } },
      },
    }),
  );
  expect(readCloudAssembly(tmp).map((s) => [s.environment, s.stackName])).toEqual([['(root)', 'A']]);
});

test.each([
  ['a missing directory', (dir: string) => path.join(dir, 'nope'), /does not exist or is not a directory/],
  ['a directory without manifest.json', (dir: string) => dir, /is not a cloud assembly: it has no manifest\.json/],
  [
    'a manifest that is not JSON',
    (dir: string) => {
      fs.writeFileSync(path.join(dir, 'manifest.json'), '{ nope');
      return dir;
    },
    /manifest\.json is not valid JSON/,
  ],
  [
    'a missing template',
    (dir: string) => {
      fs.writeFileSync(
        path.join(dir, 'manifest.json'),
        JSON.stringify({
          artifacts: { A: { type: 'aws:cloudformation:stack', properties: { templateFile: 'A.json' } } },
        }),
      );
      return dir;
    },
    /cannot read .*A\.json/,
  ],
  [
    'a nested assembly without its directory',
    (dir: string) => {
      fs.writeFileSync(
        path.join(dir, 'manifest.json'),
        JSON.stringify({ artifacts: { n: { type: 'cdk:cloud-assembly', properties: { directoryName: 'gone' } } } }),
      );
      return dir;
    },
    /nested assembly n points to .*gone, which has no manifest\.json/,
  ],
  [
    'an artifact that is null',
    (dir: string) => {
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ artifacts: { X: null } }));
      return dir;
    },
    /manifest\.json: artifact X is null, expected an object with a type/,
  ],
  [
    'artifacts that are not an object',
    (dir: string) => {
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ artifacts: ['X'] }));
      return dir;
    },
    /manifest\.json: artifacts is \["X"\], expected an object/,
  ],
])('rejects %s with an AssemblyError', (_, prepare, message) => {
  const dir = prepare(tmp);
  expect(() => readCloudAssembly(dir)).toThrow(AssemblyError);
  expect(() => readCloudAssembly(dir)).toThrow(message);
});
