import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { configWith, EXAMPLE_CONFIG, VALID_FIXTURE } from './fixtures';
import {
  COMMERCIAL_REGIONS,
  CONFIG_DIR_CONTEXT_KEY,
  DEFAULT_CONFIG_DIR,
  loadPlatformConfig,
  readPlatformConfig,
  renderJsonSchemas,
  resolveConfigDir,
} from '../../src/config';

describe('the shipped example config (apps/platform/config)', () => {
  test('is valid', () => {
    expect(readPlatformConfig(EXAMPLE_CONFIG).issues).toEqual([]);
  });

  test('loads as a PlatformConfig: environments sorted by wave order then name, waves in order', () => {
    const config = loadPlatformConfig(EXAMPLE_CONFIG);

    expect(config.configDir).toBe(EXAMPLE_CONFIG);
    expect(config.environments.map((e) => [e.name, e.wave, e.waveOrder])).toEqual([
      ['dev', 'nonprod', 1],
      ['test', 'nonprod', 1],
      ['prod', 'prod', 2],
    ]);
    expect(config.waves.map((w) => [w.name, w.environments.map((e) => e.name)])).toEqual([
      ['nonprod', ['dev', 'test']],
      ['prod', ['prod']],
    ]);
    expect(config.groundwork.tooling).toEqual({ account: '111111111111', region: 'eu-west-1' });
    expect(config.groundwork.security.account).toBe('222222222222');
  });

  test('uses the fake account ids and non-overlapping CIDRs from the brief', () => {
    const config = loadPlatformConfig(EXAMPLE_CONFIG);

    expect(config.environments.map((e) => [e.name, e.account, e.vpc.cidr])).toEqual([
      ['dev', '333333333333', '10.10.0.0/16'],
      ['test', '444444444444', '10.20.0.0/16'],
      ['prod', '555555555555', '10.30.0.0/16'],
    ]);
    const prod = config.environments.find((e) => e.name === 'prod')!;
    expect(prod.production).toBe(true);
    expect(prod.approvalRequired).toBe(true);
  });

  test('computes AZ names from the region without any lookup, and merges default tags', () => {
    const prod = loadPlatformConfig(EXAMPLE_CONFIG).environments.find((e) => e.name === 'prod')!;

    expect(prod.vpc.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(prod.effectiveTags).toEqual({
      Project: 'groundwork',
      ManagedBy: 'groundwork',
      Owner: 'platform-team',
      Environment: 'prod',
    });
    expect(prod.sourceFile).toBe(path.join(EXAMPLE_CONFIG, 'environments', 'prod.yaml'));
  });

  test('its commented stackSets example is valid once uncommented: an administrator account of its own', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-example-stacksets-'));
    try {
      fs.cpSync(EXAMPLE_CONFIG, dir, { recursive: true });
      const file = path.join(dir, 'groundwork.yaml');
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      const start = lines.indexOf('# stackSets:');
      expect(start).toBeGreaterThan(0);
      let end = start + 1;
      while (lines[end]?.startsWith('#   ')) end++;
      const example = lines.slice(start, end).map((line) => line.slice(2));
      fs.writeFileSync(file, [...lines.slice(0, start), ...example, ...lines.slice(end)].join('\n'));

      const { issues, config } = readPlatformConfig(dir);
      expect(issues).toEqual([]);
      const admin = config!.groundwork.stackSets!.administrator.account;
      const others = [config!.groundwork.tooling.account, ...config!.environments.map((e) => e.account)];
      expect({ admin, inUse: others.includes(admin) }).toEqual({ admin, inUse: false });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each(['groundwork.yaml', 'environments/dev.yaml', 'environments/test.yaml', 'environments/prod.yaml'])(
    '%s starts with a yaml-language-server $schema line pointing at an existing schema file',
    (file) => {
      const first = fs.readFileSync(path.join(EXAMPLE_CONFIG, file), 'utf8').split('\n')[0];
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);

      expect(match).not.toBeNull();
      const schemaFile = path.resolve(path.dirname(path.join(EXAMPLE_CONFIG, file)), match![1]);
      expect(fs.existsSync(schemaFile)).toBe(true);
      const kind = file === 'groundwork.yaml' ? 'groundwork' : 'environment';
      expect(path.basename(schemaFile)).toBe(`${kind}.schema.json`);
    },
  );
});

describe('defaults', () => {
  test('an environment with only the required fields gets every documented default', () => {
    const dir = configWith();
    fs.writeFileSync(
      path.join(dir, 'environments', 'dev.yaml'),
      'name: dev\naccount: "333333333333"\nregion: eu-west-1\nwave: nonprod\nvpc:\n  cidr: 10.10.0.0/16\ntags:\n  Environment: dev\n',
    );

    const loaded = loadPlatformConfig(dir);
    const dev = loaded.environments.find((e) => e.name === 'dev')!;
    expect(loaded.groundwork.pipeline).toEqual({ changeSets: false, deploymentFailures: 1 });

    expect(dev.production).toBe(false);
    expect(dev.approvalRequired).toBe(false);
    expect(dev.vpc).toEqual({
      cidr: '10.10.0.0/16',
      azCount: 2,
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      natStrategy: 'perAz',
      flowLogRetentionDays: 365,
      interfaceEndpoints: [],
    });
    expect(dev.alarms).toEqual({ unauthorizedApiCalls: 5 });
    expect(dev.drift).toEqual({ schedule: 'rate(1 hour)', autoReconcile: false });
    expect(dev.security).toEqual({
      guardDuty: true,
      securityHub: true,
      configRecorder: true,
      configRules: true,
      accessAnalyzer: true,
    });
    expect(dev.deploymentTrust.allowedServices).toContain('cloudformation');
  });

  test('groundwork.yaml defaults: all compliance packs, no required tags, main deploys all, develop deploys dev', () => {
    const dir = configWith({
      'groundwork.yaml': [
        ['compliance:\n  packs: [AwsSolutions, NIST80053R5, Groundwork]\n  requiredTags: [Project, Environment]\n', ''],
        ['branches:\n  main: all\n  develop: [dev]\n', ''],
      ],
    });

    const { groundwork } = loadPlatformConfig(dir);

    expect(groundwork.compliance).toEqual({ packs: ['AwsSolutions', 'NIST80053R5', 'Groundwork'], requiredTags: [] });
    expect(groundwork.branches).toEqual({ main: 'all', develop: ['dev'] });
  });

  test('explicit availability zones are kept as written', () => {
    const dir = configWith({
      'environments/dev.yaml': [['azCount: 2\n', 'azCount: 2\n  availabilityZones: [eu-west-1b, eu-west-1c]\n']],
    });

    const dev = loadPlatformConfig(dir).environments.find((e) => e.name === 'dev')!;

    expect(dev.vpc.availabilityZones).toEqual(['eu-west-1b', 'eu-west-1c']);
  });

  test('a CodeStar Connections ARN (the older service name) is accepted', () => {
    const dir = configWith({ 'groundwork.yaml': [['arn:aws:codeconnections:', 'arn:aws:codestar-connections:']] });

    expect(readPlatformConfig(dir).issues).toEqual([]);
  });
});

describe('resolveConfigDir', () => {
  const base = '/work/somewhere';

  test('defaults to the app config directory', () => {
    expect(resolveConfigDir(undefined, undefined, base)).toBe(DEFAULT_CONFIG_DIR);
    expect(DEFAULT_CONFIG_DIR).toBe(EXAMPLE_CONFIG);
  });

  test('takes the CDK context value (-c configDir=DIR), relative to the base directory', () => {
    expect(CONFIG_DIR_CONTEXT_KEY).toBe('configDir');
    expect(resolveConfigDir(undefined, 'my/config', base)).toBe('/work/somewhere/my/config');
    expect(resolveConfigDir(undefined, '/abs/config', base)).toBe('/abs/config');
  });

  test('the --config-dir value wins over the context value', () => {
    // Parsing it (both forms, a missing value) is cli-args.test.ts's and validate-cli.test.ts's.
    expect(resolveConfigDir('a', 'b', base)).toBe('/work/somewhere/a');
    expect(resolveConfigDir('/abs/c', 'b', base)).toBe('/abs/c');
  });
});

describe('JSON Schemas', () => {
  const schemas = renderJsonSchemas();

  test('describe both files as strict draft-07 objects with the required fields', () => {
    const groundwork = schemas['schema/groundwork.schema.json'];
    const environment = schemas['schema/environment.schema.json'];

    expect(groundwork.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(groundwork.additionalProperties).toBe(false);
    expect(groundwork.required).toEqual(
      expect.arrayContaining(['organization', 'tooling', 'security', 'repository', 'notifications', 'waves']),
    );
    expect(environment.additionalProperties).toBe(false);
    expect(environment.required).toEqual(['name', 'account', 'region', 'wave', 'vpc']);
    expect((environment.properties as any).account.pattern).toBe('^\\d{12}$');
  });

  test('the committed files under config/schema match the zod schema (run `npx projen` after changing it)', () => {
    // Both files, so the loop below cannot pass by checking none.
    expect(Object.keys(schemas).sort()).toEqual(['schema/environment.schema.json', 'schema/groundwork.schema.json']);
    for (const [file, schema] of Object.entries(schemas)) {
      const committed = JSON.parse(fs.readFileSync(path.join(EXAMPLE_CONFIG, file), 'utf8'));
      delete committed['//'];
      expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
    }
  });
});

test('the region list matches the commercial partition in aws-cdk-lib region-info', () => {
  const cdkRegions = RegionInfo.regions
    .filter((r) => r.partition === 'aws')
    .map((r) => r.name)
    .sort();

  expect([...COMMERCIAL_REGIONS].sort()).toEqual(cdkRegions);
});

test('the valid test fixture is valid', () => {
  expect(readPlatformConfig(VALID_FIXTURE).issues).toEqual([]);
});
