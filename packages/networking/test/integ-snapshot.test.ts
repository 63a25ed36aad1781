import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildIntegApp } from './integ.workload-vpc';
import { SNAPSHOT_DIR, synthesizeSnapshot } from './update-integ-snapshot';
import './fixtures';

// Stand-in for `integ-runner` snapshot mode, which cannot load this aws-cdk-lib's cloud assembly
// (schema 55; integ-runner 2.197 reads up to 53). Update with: npx ts-node --transpile-only test/update-integ-snapshot.ts
describe('integ.workload-vpc', () => {
  const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'networking-integ-'));
  afterAll(() => fs.rmSync(fresh, { recursive: true, force: true }));

  test('the synthesized integ app matches the committed snapshot, file by file', () => {
    synthesizeSnapshot(fresh);
    const committed = fs.readdirSync(SNAPSHOT_DIR).sort();
    expect(fs.readdirSync(fresh).sort()).toEqual(committed);
    expect(committed).toEqual(expect.arrayContaining(['integ.json', 'GroundworkNetworkingInteg.template.json']));
    for (const file of committed) {
      const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf-8'));
      expect({ file, content: read(fresh) }).toEqual({ file, content: read(SNAPSHOT_DIR) });
    }
  });

  test('the integ app deploys the VPC and a consumer that imports it from SSM', () => {
    const { network, consumer } = buildIntegApp({
      outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'networking-integ-')),
    });
    Template.fromStack(network).hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/groundwork/integ/network/vpc-id',
    });
    const parameters = Object.values(Template.fromStack(consumer).toJSON().Parameters).map((p: any) => p.Default);
    expect(parameters).toContain('/groundwork/integ/network/vpc-id');
    expect(consumer.dependencies).toContain(network);
  });
});
