import * as fs from 'fs';
import * as path from 'path';
import { BootstrapContract } from '@groundwork/cross-account-roles';
import { configWith } from './fixtures';
import { formatIssues, loadPlatformConfig, readPlatformConfig, RESERVED_POLICY_NAME_PREFIX } from '../../src/config';
import { canRecordIam, defaultGlobalResourcesRegion } from '../../src/config/regions';

/*
 * Edges of the config rules (validate.ts) and the schema (schema.ts) that the invalid corpus and
 * rules.test.ts did not pin: each test here failed against a one-line change of the source that
 * lets a config AWS rejects through, or rejects one it accepts (a mutation audit).
 */
function errorsFor(dir: string): string[] {
  return formatIssues(readPlatformConfig(dir).issues, dir).split('\n');
}

/** The valid fixture's groundwork.yaml with a stackSets section after the branches map. */
function withStackSets(section: string, edits: [string, string][] = []): string {
  return configWith({
    'groundwork.yaml': [['  develop: [dev]\n', `  develop: [dev]\nstackSets:\n${section}`], ...edits],
  });
}

const STACK_SETS = [
  '  administrator:',
  '    account: "444444444444"',
  '    region: eu-west-1',
  '  targets:',
  '    - organizationalUnitId: ou-ab12-cd34ef56',
  '      regions: [eu-west-1]',
  '',
].join('\n');

describe('lists that must not repeat a value', () => {
  test.each([
    [
      'environments/dev.yaml',
      'interfaceEndpoints: [ssm, logs]',
      'interfaceEndpoints: [ssm, logs, ssm]',
      'environments/dev.yaml:11:35: vpc.interfaceEndpoints[2]: expected each value once in vpc.interfaceEndpoints, ' +
        'found "ssm" again (also at vpc.interfaceEndpoints[0])',
    ],
    [
      'environments/dev.yaml',
      'tags:',
      'deploymentTrust:\n  allowedServices: [s3, iam, s3]\ntags:',
      'environments/dev.yaml:18:30: deploymentTrust.allowedServices[2]: expected each value once in ' +
        'deploymentTrust.allowedServices, found "s3" again (also at deploymentTrust.allowedServices[0])',
    ],
    [
      'groundwork.yaml',
      'packs: [AwsSolutions, NIST80053R5, Groundwork]',
      'packs: [AwsSolutions, NIST80053R5, AwsSolutions]',
      'groundwork.yaml:20:38: compliance.packs[2]: expected each value once in compliance.packs, found ' +
        '"AwsSolutions" again (also at compliance.packs[0])',
    ],
  ])('%s: %s with a repeat is reported on the repeat', (file, from, to, error) => {
    expect(errorsFor(configWith({ [file]: [[from, to]] }))).toEqual([error]);
  });
});

describe('availability zones against the default azCount', () => {
  test('explicit zones without vpc.azCount must number 2, the default', () => {
    const dir = configWith({
      'environments/dev.yaml': [['  azCount: 2\n', '  availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c]\n']],
    });

    expect(errorsFor(dir)).toEqual([
      'environments/dev.yaml:8:22: vpc.availabilityZones: expected 2 availability zones (the default vpc.azCount), ' +
        'found 3 zones',
    ]);
  });

  test('two explicit zones without vpc.azCount pass', () => {
    const dir = configWith({
      'environments/dev.yaml': [['  azCount: 2\n', '  availabilityZones: [eu-west-1a, eu-west-1b]\n']],
    });

    expect(readPlatformConfig(dir).issues).toEqual([]);
  });
});

describe('VPC overlaps among more than two environments', () => {
  test('a third environment overlapping the first (not the one before it) is reported', () => {
    const dir = configWith();
    // Files are read in name order: dev, prod, qa. qa overlaps dev only.
    fs.writeFileSync(
      path.join(dir, 'environments', 'qa.yaml'),
      [
        'name: qa',
        'account: "444444444444"',
        'region: eu-west-1',
        'wave: nonprod',
        'vpc:',
        '  cidr: 10.10.16.0/20',
        'tags:',
        '  Environment: qa',
        '',
      ].join('\n'),
    );

    expect(errorsFor(dir)).toEqual([
      "environments/qa.yaml:6:9: vpc.cidr: expected a CIDR block that does not overlap another environment's VPC, " +
        'found "10.10.16.0/20", which overlaps environments/dev.yaml (10.10.0.0/16)',
    ]);
  });

  test('a /28 VPC overlapping another is reported for both problems: too small for subnets, and the overlap', () => {
    const dir = configWith({ 'environments/prod.yaml': [['cidr: 10.30.0.0/16', 'cidr: 10.10.0.0/28']] });

    expect(errorsFor(dir)).toEqual([
      expect.stringMatching(
        /^environments\/prod\.yaml:8:9: vpc\.cidr: expected a CIDR prefix of \/\d+ or shorter for 3 subnet tiers x 3 AZs, /,
      ),
      "environments/prod.yaml:8:9: vpc.cidr: expected a CIDR block that does not overlap another environment's VPC, " +
        'found "10.10.0.0/28", which overlaps environments/dev.yaml (10.10.0.0/16)',
    ]);
  });
});

describe('branches that differ only in letter case', () => {
  test('a branch deploying an auto-reconciling environment among others collides with one deploying it alone', () => {
    // dev reconciles drift automatically, prod does not: "Develop" deploys dev, so it creates the role too.
    const dir = configWith({ 'groundwork.yaml': [['  develop: [dev]', '  develop: [dev]\n  Develop: [prod, dev]']] });

    expect(errorsFor(dir)).toEqual([
      expect.stringMatching(
        /^groundwork\.yaml:30:3: branches\.Develop: expected a branch whose pipeline no other branch shares \(IAM role names ignore letter case, .*found "Develop", whose pipeline "example-platform-Develop" differs from branch "develop"'s "example-platform-develop" only in letter case$/,
      ),
    ]);
  });
});

describe('stackSets', () => {
  test('the administrator may not be the tooling account', () => {
    const dir = withStackSets(STACK_SETS.replace('"444444444444"', '"111111111111"'));

    expect(errorsFor(dir)).toEqual([
      expect.stringMatching(
        /^groundwork\.yaml:32:14: stackSets\.administrator\.account: expected an account the pipeline does not deploy to, .*found "111111111111", the tooling account$/,
      ),
    ]);
  });

  test('an administrator account of its own passes', () => {
    expect(readPlatformConfig(withStackSets(STACK_SETS)).issues).toEqual([]);
  });

  test('without the security baseline part, the global-resources region need not record IAM', () => {
    const section =
      STACK_SETS.replace('regions: [eu-west-1]', 'regions: [eu-central-2]') +
      '  globalResourcesRegion: eu-central-2\n  parts:\n    securityBaseline: false\n';

    expect(readPlatformConfig(withStackSets(section)).issues).toEqual([]);
  });

  test('with it, a global-resources region where AWS Config cannot record IAM is an error', () => {
    const section =
      STACK_SETS.replace('regions: [eu-west-1]', 'regions: [eu-central-2]') + '  globalResourcesRegion: eu-central-2\n';

    expect(errorsFor(withStackSets(section))).toEqual([
      expect.stringMatching(
        /^groundwork\.yaml:\d+:\d+: stackSets\.globalResourcesRegion: expected a region where AWS Config records IAM resources .*found "eu-central-2", where it cannot/,
      ),
    ]);
  });

  test('the default global-resources region is the first region of the first target where AWS Config records IAM', () => {
    expect(defaultGlobalResourcesRegion(['eu-central-2', 'eu-west-1'])).toBe('eu-west-1');
    // Where none can, the first (the validation then reports it when the recorder is on).
    expect(defaultGlobalResourcesRegion(['eu-central-2', 'eu-south-2'])).toBe('eu-central-2');
    const first = STACK_SETS.replace('regions: [eu-west-1]', 'regions: [eu-central-2, eu-west-1]');
    const second = (regions: string) =>
      `${first}    - organizationalUnitId: ou-ab12-ef56gh78\n      regions: [${regions}]\n`;

    expect(readPlatformConfig(withStackSets(second('eu-west-1'))).issues).toEqual([]);
    expect(errorsFor(withStackSets(second('eu-central-2')))).toEqual([
      expect.stringMatching(
        /^groundwork\.yaml:\d+:\d+: stackSets\.targets\[1\]\.regions: expected "eu-west-1" among the regions, the global-resources region \(by default .*found the regions "eu-central-2"$/,
      ),
    ]);
  });

  test.each([
    [
      'maxConcurrentPercentage: 0',
      'stackSets.operationPreferences.maxConcurrentPercentage',
      'a whole number from 1 to 100',
      'found the number 0',
    ],
    [
      'failureTolerancePercentage: 101',
      'stackSets.operationPreferences.failureTolerancePercentage',
      'a whole number from 0 to 100',
      'found the number 101',
    ],
  ])(
    'operationPreferences %s is rejected (CloudFormation StackSetOperationPreferences)',
    (line, field, expected, found) => {
      const errors = errorsFor(withStackSets(`${STACK_SETS}  operationPreferences:\n    ${line}\n`));

      expect(errors).toEqual([
        expect.stringMatching(
          new RegExp(`^groundwork\\.yaml:\\d+:\\d+: ${field.replace(/\./g, '\\.')}: expected ${expected}, ${found}$`),
        ),
      ]);
    },
  );

  test.each(['ou-ab12-cd34ef56/extra', 'xou-ab12-cd34ef56', 'ou-ab12-cd34ef56 '])(
    'an organizational unit id with anything around it, %j, is rejected',
    (ou) => {
      const errors = errorsFor(withStackSets(STACK_SETS.replace('ou-ab12-cd34ef56', JSON.stringify(ou))));

      expect(errors).toEqual([
        expect.stringMatching(
          /^groundwork\.yaml:\d+:\d+: stackSets\.targets\[0\]\.organizationalUnitId: expected an organizational unit id such as "ou-ab12-cd34ef56", found /,
        ),
      ]);
    },
  );
});

describe('schema limits at their boundaries', () => {
  /** A config with organization `name` and the repository branch only, so no branch pipeline name limits it. */
  const only = (name: string) =>
    configWith({
      'groundwork.yaml': [
        ['name: example', `name: ${name}`],
        ['  develop: [dev]\n', ''],
      ],
    });

  test('organization.name: 32 characters pass, 33 are rejected', () => {
    const org32 = `a${'b'.repeat(31)}`;

    expect(loadPlatformConfig(only(org32)).groundwork.organization.name).toBe(org32);
    expect(errorsFor(only(`${org32}c`))).toEqual([
      `groundwork.yaml:2:9: organization.name: expected a lowercase name of 2-32 letters, digits and hyphens starting ` +
        `with a letter, not with "groundwork" (the deployment boundary reserves policy names starting with it, and ` +
        `CloudFormation names a stack's policies after the stack), found "${org32}c"`,
    ]);
  });

  test('organization.name: a name starting with the reserved policy name prefix is rejected', () => {
    // The boundary's prefix, kept in the config module without importing the package.
    expect(RESERVED_POLICY_NAME_PREFIX).toBe(BootstrapContract.POLICY_NAME_PREFIX);
    for (const name of ['groundwork', 'groundworks', 'groundwork-labs']) {
      expect(errorsFor(only(name))).toEqual([
        expect.stringMatching(/^groundwork\.yaml:2:9: organization\.name: expected .*not with "groundwork".*, found "/),
      ]);
    }
    expect(loadPlatformConfig(only('my-groundwork')).groundwork.organization.name).toBe('my-groundwork');
  });

  test('an environment name: 32 characters pass, 33 are rejected', () => {
    const named = (name: string) => {
      const dir = configWith({
        'groundwork.yaml': [['  develop: [dev]', `  develop: [${name}]`]],
        'environments/dev.yaml': [
          ['name: dev', `name: ${name}`],
          ['Environment: dev', `Environment: ${name}`],
          ['autoReconcile: true', 'autoReconcile: false'],
        ],
      });
      fs.renameSync(path.join(dir, 'environments', 'dev.yaml'), path.join(dir, 'environments', `${name}.yaml`));
      return dir;
    };
    const env32 = `d${'e'.repeat(31)}`;

    expect(readPlatformConfig(named(env32)).issues).toEqual([]);
    const errors = errorsFor(named(`${env32}f`));
    expect(errors).toContain(
      `environments/${env32}f.yaml:1:1: (file): expected a lowercase name of letters, digits and hyphens starting ` +
        `with a letter (at most 32 characters) followed by .yaml (the file name is the environment name), found ` +
        `"${env32}f.yaml"`,
    );
  });

  test('a tag value: 256 characters pass, 257 are rejected (AWS tag value limit)', () => {
    const withValue = (value: string) =>
      configWith({ 'environments/dev.yaml': [['  Environment: dev', `  Environment: dev\n  Note: ${value}`]] });

    expect(readPlatformConfig(withValue('v'.repeat(256))).issues).toEqual([]);
    expect(errorsFor(withValue('v'.repeat(257)))).toEqual([
      expect.stringMatching(
        /^environments\/dev\.yaml:19:9: tags\.Note: expected a string of at most 256 characters, found "v+\.\.\."$/,
      ),
    ]);
  });

  test('alarms.unauthorizedApiCalls: 0 is rejected, 1 passes', () => {
    const calls = (n: number) =>
      configWith({ 'environments/prod.yaml': [['unauthorizedApiCalls: 5', `unauthorizedApiCalls: ${n}`]] });

    expect(loadPlatformConfig(calls(1)).environments.find((e) => e.name === 'prod')!.alarms.unauthorizedApiCalls).toBe(
      1,
    );
    expect(errorsFor(calls(0))).toEqual([
      'environments/prod.yaml:13:25: alarms.unauthorizedApiCalls: expected a whole number of at least 1, found the number 0',
    ]);
  });

  test('repository.owner: 39 characters pass, 40 are rejected (the longest GitHub user or organization name)', () => {
    const owner = (name: string) => configWith({ 'groundwork.yaml': [['owner: example-org', `owner: ${name}`]] });
    const owner39 = `o${'w'.repeat(38)}`;

    expect(loadPlatformConfig(owner(owner39)).groundwork.repository.owner).toBe(owner39);
    expect(errorsFor(owner(`${owner39}n`))).toEqual([
      `groundwork.yaml:9:10: repository.owner: expected a GitHub owner name (letters, digits, hyphens; at most 39 ` +
        `characters), found "${owner39}n"`,
    ]);
  });

  test.each(['"3333333333333"', '"x333333333333"'])(
    'an account id of more than 12 digits, %s, is rejected',
    (account) => {
      const errors = errorsFor(
        configWith({ 'environments/dev.yaml': [['account: "333333333333"', `account: ${account}`]] }),
      );

      expect(errors).toEqual([
        `environments/dev.yaml:2:10: account: expected a 12-digit AWS account id as a quoted string, e.g. "111111111111", found ${account}`,
      ]);
    },
  );
});

test('AWS Config records IAM in the regions launched before February 2022 only: Jakarta (December 2021) yes, UAE (2022) no', () => {
  expect([canRecordIam('ap-southeast-3'), canRecordIam('me-central-1'), canRecordIam('eu-west-1')]).toEqual([
    true,
    false,
    true,
  ]);
});
