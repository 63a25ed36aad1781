import * as fs from 'fs';
import * as path from 'path';
import { configWith } from './fixtures';
import { formatIssue, formatIssues, readPlatformConfig } from '../../src/config';
import { cidrsOverlap, networkOf, parseCidr, withoutLeadingZeros } from '../../src/config/cidr';
import { didYouMean, editDistance } from '../../src/config/did-you-mean';
import { checkScheduleExpression } from '../../src/config/schedule';

function errorsFor(dir: string): string[] {
  return formatIssues(readPlatformConfig(dir).issues, dir).split('\n');
}

describe('did you mean', () => {
  test('edit distance counts insertions, deletions, substitutions and adjacent swaps', () => {
    expect(editDistance('organisation', 'organization')).toBe(1);
    expect(editDistance('dve', 'dev')).toBe(1);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  test('suggests near misses only', () => {
    expect(didYouMean('natStrategey', ['cidr', 'natStrategy', 'azCount'])).toBe('natStrategy');
    expect(didYouMean('PERAZ', ['none', 'single', 'perAz'])).toBe('perAz');
    expect(didYouMean('colour', ['name', 'account', 'region'])).toBeUndefined();
    expect(didYouMean('ab', ['xy'])).toBeUndefined();
  });

  test('an unknown nested key names its parent and lists the known fields', () => {
    const dir = configWith({ 'environments/dev.yaml': [['autoReconcile: true', 'autoReconsile: true']] });

    expect(errorsFor(dir)).toEqual([
      'environments/dev.yaml:14:3: drift.autoReconsile: expected a known field of drift (schedule, autoReconcile), ' +
        'found unknown field "autoReconsile" (did you mean "autoReconcile"?)',
    ]);
  });
});

describe('YAML numbers where strings are expected', () => {
  test.each([
    ['333333333333', 'the number 333333333333 (put it in quotes to make it a string)'],
    ['033333333333', 'the number 033333333333 (YAML reads it as 33333333333; put it in quotes to make it a string)'],
    ['3.3e11', 'the number 3.3e11 (YAML reads it as 330000000000; put it in quotes to make it a string)'],
    ['0x4D9C3FD2C0', 'the number 0x4D9C3FD2C0 (YAML reads it as 333333910208; put it in quotes to make it a string)'],
  ])('an unquoted account id %s is an error, not converted', (written, found) => {
    const dir = configWith({ 'environments/dev.yaml': [['account: "333333333333"', `account: ${written}`]] });

    expect(errorsFor(dir)).toEqual([
      `environments/dev.yaml:2:10: account: expected a 12-digit AWS account id as a quoted string, e.g. "111111111111", found ${found}`,
    ]);
  });
});

describe('CIDR blocks', () => {
  test('parse, normalize and overlap', () => {
    const a = parseCidr('10.0.0.0/16')!;
    const b = parseCidr('10.0.255.0/24')!;
    const c = parseCidr('10.1.0.0/16')!;

    expect(cidrsOverlap(a, b)).toBe(true);
    expect(cidrsOverlap(b, a)).toBe(true);
    expect(cidrsOverlap(a, c)).toBe(false);
    expect(networkOf(parseCidr('10.0.3.7/16')!)).toBe('10.0.0.0/16');
    expect(parseCidr('256.0.0.0/16')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
  });

  test('adjacent blocks do not overlap: the check passes', () => {
    const dir = configWith({ 'environments/prod.yaml': [['10.30.0.0/16', '10.11.0.0/16']] });

    expect(readPlatformConfig(dir).issues).toEqual([]);
  });

  test('an overlap is reported once, on the later file, naming the other environment', () => {
    const dir = configWith({ 'environments/prod.yaml': [['10.30.0.0/16', '10.0.0.0/16']] });
    fs.writeFileSync(
      path.join(dir, 'environments', 'dev.yaml'),
      fs.readFileSync(path.join(dir, 'environments', 'dev.yaml'), 'utf8').replace('10.10.0.0/16', '10.0.0.0/20'),
    );

    expect(errorsFor(dir)).toEqual([
      "environments/prod.yaml:8:9: vpc.cidr: expected a CIDR block that does not overlap another environment's VPC, " +
        'found "10.0.0.0/16", which overlaps environments/dev.yaml (10.0.0.0/20)',
    ]);
  });
});

describe('the VPC CIDR holds the subnet layout', () => {
  // The valid fixture's dev.yaml: vpc.cidr 10.10.0.0/16, azCount 2, natStrategy single, no availabilityZones.
  const vpc = (cidr: string, azCount: string, nat: string) =>
    configWith({
      'environments/dev.yaml': [
        ['cidr: 10.10.0.0/16', `cidr: ${cidr}`],
        ['azCount: 2', azCount],
        ['natStrategy: single', nat],
      ],
    });

  test.each([
    // 3 tiers x 6 AZs = 18 subnets: 5 more bits, /23 -> /28.
    ['10.10.0.0/23', 'azCount: 6', 'natStrategy: perAz'],
    // natStrategy none: 2 tiers x 2 AZs = 4 subnets: /26 -> /28.
    ['10.10.0.0/26', 'azCount: 2', 'natStrategy: none'],
    // 3 tiers x 1 AZ: /26 -> /28.
    ['10.10.0.0/26', 'azCount: 1', 'natStrategy: single'],
  ])('%s with %s and %s fits: no issue', (cidr, azCount, nat) => {
    expect(readPlatformConfig(vpc(cidr, azCount, nat)).issues).toEqual([]);
  });

  test.each([
    [
      '10.10.0.0/24',
      'azCount: 6',
      'natStrategy: perAz',
      'a CIDR prefix of /23 or shorter for 3 subnet tiers x 6 AZs, so that each subnet is at least a /28, the smallest ' +
        'subnet EC2 creates (or fewer AZs), found "10.10.0.0/24", which leaves /29 subnets',
    ],
    [
      '10.10.0.0/27',
      'azCount: 2',
      'natStrategy: none',
      'a CIDR prefix of /26 or shorter for 2 subnet tiers x 2 AZs (natStrategy none: public and isolated), so that ' +
        'each subnet is at least a /28, the smallest subnet EC2 creates (or fewer AZs), found "10.10.0.0/27", which leaves /29 subnets',
    ],
    [
      // The default azCount (2) and natStrategy (perAz): 6 subnets, 3 more bits.
      '10.10.0.0/26',
      '',
      '',
      'a CIDR prefix of /25 or shorter for 3 subnet tiers x 2 AZs, so that each subnet is at least a /28, the smallest ' +
        'subnet EC2 creates (or fewer AZs), found "10.10.0.0/26", which leaves /29 subnets',
    ],
  ])('%s with "%s" and "%s" is too small for its subnets', (cidr, azCount, nat, message) => {
    expect(errorsFor(vpc(cidr, azCount, nat))).toEqual([`environments/dev.yaml:7:9: vpc.cidr: expected ${message}`]);
  });

  test('explicit availabilityZones count as the AZs', () => {
    const dir = configWith({
      'environments/dev.yaml': [
        ['cidr: 10.10.0.0/16', 'cidr: 10.10.0.0/25'],
        ['azCount: 2', 'azCount: 3\n  availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c]'],
      ],
    });

    expect(errorsFor(dir)).toEqual([
      'environments/dev.yaml:7:9: vpc.cidr: expected a CIDR prefix of /24 or shorter for 3 subnet tiers x 3 AZs, so ' +
        'that each subnet is at least a /28, the smallest subnet EC2 creates (or fewer AZs), found "10.10.0.0/25", ' +
        'which leaves /29 subnets',
    ]);
  });
});

describe('schedule expressions', () => {
  test.each([
    'rate(1 hour)',
    'rate(5 minutes)',
    'rate(2 days)',
    'cron(0 6 * * ? *)',
    'cron(0/15 * ? * MON-FRI *)',
    // Forms from the EventBridge User Guide's cron table and examples.
    'cron(15 10 ? * 6L 2002-2005)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 8 1 * ? *)',
    'cron(0/10 * ? * MON-FRI *)',
    'cron(0/5 8-17 ? * MON-FRI *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(0 12 L * ? *)',
    'cron(0 12 3W JAN,JUL ? 2199)',
    'cron(59 23 31 12 ? 1970)',
  ])('%s is valid', (expression) => {
    expect(checkScheduleExpression(expression)).toBeUndefined();
  });

  test.each([
    ['rate(2 hour)', /plural unit/],
    ['rate(0 minutes)', /at least 1/],
    ['cron(0 6 1 * MON *)', /"\?" in day-of-month or day-of-week/],
    ['cron(99 6 * * ? *)', /^a cron expression whose minutes field is 0-59, with , - \* \/, found "99"$/],
    ['cron(0 24 * * ? *)', /hours field is 0-23, .*found "24"$/],
    ['cron(0 6 32 * ? *)', /day-of-month field is 1-31, .*found "32"$/],
    ['cron(0 6 ? 13 MON *)', /month field is 1-12 or JAN-DEC, .*found "13"$/],
    ['cron(0 6 ? * MON-XYZ *)', /day-of-week field is 1-7 or SUN-SAT, .*found "MON-XYZ"$/],
    ['cron(0 6 ? * 8 *)', /day-of-week field .*found "8"$/],
    ['cron(0 6 * * ? 1969)', /year field is 1970-2199, .*found "1969"$/],
    ['cron(0/0 6 * * ? *)', /minutes field .*found "0\/0"$/],
    ['cron(0 ? * * ? *)', /hours field .*found "\?"$/],
    ['cron(0 6 ? * 2#6 *)', /day-of-week field .*found "2#6"$/],
    // EventBridge User Guide: with "#", one expression only in day-of-week ("3#1,6#3" is not valid).
    ['cron(0 9 ? * 3#1,6#3 *)', /day-of-week field holds a single expression when it uses #.*found "3#1,6#3"$/],
    ['cron(0 9 ? * MON,2#1 *)', /single expression when it uses #.*found "MON,2#1"$/],
    ['cron(0 1,,2 * * ? *)', /hours field .*found "1,,2"$/],
    ['hourly', /EventBridge schedule expression/],
  ])('%s is invalid', (expression, problem) => {
    expect(checkScheduleExpression(expression)).toMatch(problem);
  });
});

describe('the repository connection ARN', () => {
  const withRegion = (region: string) =>
    configWith({
      'groundwork.yaml': [['arn:aws:codeconnections:eu-west-1:', `arn:aws:codeconnections:${region}:`]],
    });

  test('a region of the commercial partition is valid', () => {
    expect(readPlatformConfig(withRegion('ap-southeast-7')).issues).toEqual([]);
  });

  test('a region-shaped name that is no region is refused', () => {
    expect(errorsFor(withRegion('zz-nowhere-9'))).toEqual([
      expect.stringMatching(
        /^groundwork\.yaml:\d+:\d+: repository\.connectionArn: expected a connection ARN such as .*found "arn:aws:codeconnections:zz-nowhere-9:/,
      ),
    ]);
  });
});

describe('separation of duties', () => {
  test('the security account as a workload account is an error', () => {
    const dir = configWith({ 'environments/prod.yaml': [['"555555555555"', '"222222222222"']] });

    expect(errorsFor(dir)).toEqual([
      'environments/prod.yaml:2:10: account: expected a workload account, not the tooling or security account, ' +
        'found "222222222222", the security account in groundwork.yaml (separation of duties)',
    ]);
  });

  test('distinct tooling, security and workload accounts pass', () => {
    expect(readPlatformConfig(configWith()).issues).toEqual([]);
  });
});

describe('branches', () => {
  test('a list with a wrong item reports the item, not the whole union', () => {
    const dir = configWith({ 'groundwork.yaml': [['develop: [dev]', 'develop: [dev, 5]']] });

    expect(errorsFor(dir)).toEqual([
      'groundwork.yaml:29:18: branches.develop[1]: expected a lowercase name of letters, digits and hyphens ' +
        'starting with a letter (at most 32 characters), found the number 5 (put it in quotes to make it a string)',
    ]);
  });

  test('neither "all" nor a list', () => {
    const dir = configWith({ 'groundwork.yaml': [['main: all', 'main: everything']] });

    expect(errorsFor(dir)).toEqual([
      'groundwork.yaml:28:9: branches.main: expected "all" or a list of environment names, found "everything"',
    ]);
  });

  test('the default branches map must name existing environments', () => {
    const dir = configWith({ 'groundwork.yaml': [['branches:\n  main: all\n  develop: [dev]\n', '']] });
    fs.rmSync(path.join(dir, 'environments', 'dev.yaml'));
    fs.writeFileSync(
      path.join(dir, 'groundwork.yaml'),
      fs.readFileSync(path.join(dir, 'groundwork.yaml'), 'utf8').replace('nonprod', 'prod-first'),
    );

    expect(errorsFor(dir)).toEqual([
      'groundwork.yaml:1:1: branches: expected an environment defined in environments/ ("prod"); ' +
        'the default branches map deploys "dev", found no environment "dev" (add a branches map)',
    ]);
  });
});

describe('production approval', () => {
  test('an environment named "production" without approval is an error', () => {
    const dir = configWith();
    fs.renameSync(path.join(dir, 'environments', 'prod.yaml'), path.join(dir, 'environments', 'production.yaml'));
    const file = path.join(dir, 'environments', 'production.yaml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace('name: prod', 'name: production')
        .replace('production: true\napprovalRequired: true\n', ''),
    );

    expect(errorsFor(dir)).toEqual([
      'environments/production.yaml:1:7: approvalRequired: expected true for a production environment ' +
        '(named "production"), found no value (defaults to false)',
    ]);
  });
});

describe('formatIssue', () => {
  const issue = { file: '/repo/config/groundwork.yaml', line: 3, column: 5, path: 'a.b', expected: 'x', found: 'y' };

  test('paths inside the working directory are relative, others absolute', () => {
    expect(formatIssue(issue, '/repo')).toBe('config/groundwork.yaml:3:5: a.b: expected x, found y');
    expect(formatIssue(issue, '/elsewhere')).toBe('/repo/config/groundwork.yaml:3:5: a.b: expected x, found y');
  });

  test('string suggestions are quoted, numeric ones are not', () => {
    expect(formatIssue({ ...issue, suggestion: 'z' }, '/repo')).toMatch(/\(did you mean "z"\?\)$/);
    expect(formatIssue({ ...issue, suggestion: 30 }, '/repo')).toMatch(/\(did you mean 30\?\)$/);
  });
});

describe('tag keys AWS accepts', () => {
  const KEY_WORDS =
    'a tag key of 1-127 letters, digits, spaces or _.:/=+-@, not starting with "aws:" in any letter case (AWS ' +
    'reserves the prefix; EC2, which tags the VPC and subnets, takes at most 127 characters)';
  const withTag = (key: string) =>
    configWith({ 'environments/dev.yaml': [['  Environment: dev', `  Environment: dev\n  "${key}": x`]] });

  test.each(['AWS:Owner', 'Aws:owner', 'aWs:x'])(
    '%s: the reserved prefix in another letter case is an error',
    (key) => {
      expect(errorsFor(withTag(key))).toEqual([
        `environments/dev.yaml:19:3: tags[${JSON.stringify(key)}]: expected ${KEY_WORDS}, found the key "${key}"`,
      ]);
    },
  );

  test('a key of 128 characters is an error (EC2 takes 127); 127 pass', () => {
    const long = 'K'.repeat(128);

    expect(errorsFor(withTag(long))).toEqual([
      `environments/dev.yaml:19:3: tags.${long}: expected ${KEY_WORDS}, found the key "${long}"`,
    ]);
    expect(readPlatformConfig(withTag('K'.repeat(127))).issues).toEqual([]);
  });

  test('a key that only contains aws: elsewhere passes', () => {
    expect(readPlatformConfig(withTag('team:aws:owner')).issues).toEqual([]);
  });

  test('compliance.requiredTags names the reserved prefix in any case', () => {
    const dir = configWith({
      'groundwork.yaml': [
        ['requiredTags: [Project, Environment]', 'requiredTags: [Project, Environment, AWS:Team]'],
        ['  Owner: platform-team', '  Owner: platform-team\n  "AWS:Team": x'],
      ],
    });

    expect(errorsFor(dir)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^groundwork\.yaml:\d+:\d+: compliance\.requiredTags\[2\]: expected a tag key of 1-127 /),
        expect.stringMatching(/found "AWS:Team"$/),
      ]),
    );
  });
});

describe('required tags on the stacks of no environment (pipeline, StackSets)', () => {
  const requiring = (tags: string) =>
    ['requiredTags: [Project, Environment]', `requiredTags: [${tags}]`] as [string, string];

  test('a required tag in defaultTags passes; Environment needs no default (each stack sets its own)', () => {
    const dir = configWith({ 'groundwork.yaml': [requiring('Project, Environment, Owner')] });

    expect(readPlatformConfig(dir).issues).toEqual([]);
  });

  test('a required tag only the environments set is reported once, on defaultTags, naming the stacks', () => {
    const dir = configWith({
      'groundwork.yaml': [requiring('Project, Environment, CostCenter')],
      'environments/dev.yaml': [['  Environment: dev', '  Environment: dev\n  CostCenter: "1"']],
      'environments/prod.yaml': [['  Environment: prod', '  Environment: prod\n  CostCenter: "1"']],
    });

    expect(errorsFor(dir)).toEqual([
      'groundwork.yaml:17:3: defaultTags: expected a value for each tag of compliance.requiredTags except Environment ' +
        '(the pipeline stack and the StackSets stack belong to no environment: they are tagged with defaultTags and ' +
        'Environment only), found no "CostCenter" tag',
    ]);
  });

  test('without defaultTags, the error points at the required tag', () => {
    const dir = configWith({
      'groundwork.yaml': [['defaultTags:\n  Project: groundwork\n  Owner: platform-team\n', '']],
      'environments/dev.yaml': [['  Environment: dev', '  Environment: dev\n  Project: p']],
      'environments/prod.yaml': [['  Environment: prod', '  Environment: prod\n  Project: p']],
    });

    expect(errorsFor(dir)).toEqual([
      expect.stringMatching(/^groundwork\.yaml:18:18: defaultTags: .*found no "Project" tag$/),
    ]);
  });

  test('an environment that empties a required tag is reported (Groundwork-TAG1 counts an empty value as missing)', () => {
    const dir = configWith({ 'environments/prod.yaml': [['  Environment: prod', '  Environment: ""']] });

    expect(errorsFor(dir)).toEqual([
      'environments/prod.yaml:15:3: tags: expected tags including "Project", "Environment" (compliance.requiredTags), ' +
        'found an empty "Environment" tag',
    ]);
  });
});

describe('tags per resource', () => {
  const withDefaultTags = (count: number) =>
    configWith({
      'groundwork.yaml': [
        [
          '  Owner: platform-team\n',
          `  Owner: platform-team\n${Array.from({ length: count }, (_, i) => `  Tag${i}: v\n`).join('')}`,
        ],
      ],
    });

  test('46 config tags leave room for the 4 the app adds to subnets: valid', () => {
    // Project, Owner, Environment and 43 more.
    expect(readPlatformConfig(withDefaultTags(43)).issues).toEqual([]);
  });

  test('47 config tags are an error, though under the AWS limit of 50 by themselves', () => {
    expect(errorsFor(withDefaultTags(44))).toEqual([
      expect.stringMatching(
        /^environments\/dev\.yaml:18:3: tags: expected at most 46 tags with defaultTags \(AWS allows 50 per resource, and the app adds up to 4 of its own, on subnets: Name, aws-cdk:subnet-name, aws-cdk:subnet-type, groundwork:environment-tier\), found 47 tags$/,
      ),
      expect.stringMatching(/^environments\/prod\.yaml:15:3: tags: expected at most 46 tags .*, found 47 tags$/),
    ]);
  });
});

describe('tag keys IAM would take for one (IAM compares tag keys without letter case)', () => {
  test('an environment key that differs from a default key only in case is reported on the environment', () => {
    const dir = configWith({
      'environments/dev.yaml': [['tags:\n  Environment: dev\n', 'tags:\n  Environment: dev\n  owner: someone-else\n']],
    });
    expect(errorsFor(dir)).toEqual([
      'environments/dev.yaml:19:3: tags.owner: expected tag keys that differ in more than letter case (IAM compares ' +
        'tag keys without case, and every role of the environment carries these tags: CreateRole refuses both), ' +
        'found "owner" beside "Owner" (defaultTags)',
    ]);
  });

  test('two keys of one map that differ only in case, and a key the app sets on roles, are reported', () => {
    const dir = configWith({
      'groundwork.yaml': [['  Owner: platform-team\n', '  Owner: platform-team\n  OWNER: someone\n']],
      'environments/dev.yaml': [
        ['tags:\n  Environment: dev\n', 'tags:\n  Environment: dev\n  Groundwork:Boundary: x\n'],
      ],
    });
    expect(errorsFor(dir)).toEqual([
      expect.stringMatching(
        /^groundwork\.yaml:19:3: defaultTags\.OWNER: expected tag keys that differ in more than letter case .*found "OWNER" beside "Owner"$/,
      ),
      expect.stringMatching(
        /^environments\/dev\.yaml:19:3: tags\["Groundwork:Boundary"\]: expected a tag key other than "groundwork:boundary", "groundwork:environment-tier" in any letter case \(the app sets them on every role\), found "Groundwork:Boundary"$/,
      ),
    ]);
  });

  test('an environment key in the same case as a default key replaces it: valid', () => {
    const dir = configWith({
      'environments/dev.yaml': [['tags:\n  Environment: dev\n', 'tags:\n  Environment: dev\n  Owner: dev-team\n']],
    });
    expect(readPlatformConfig(dir).issues).toEqual([]);
  });
});

describe('pipeline names derived from organization.name and a branch', () => {
  const org32 = 'acme-platform-engineering-europe';

  test('the longest branch that fits passes, one character more is reported on the branch', () => {
    // 64 = 25 (org) + 10 ("-platform-") + 13 (branch) + 16 ("-drift-reconcile").
    const org = 'acme-platform-engineering';
    const fits = configWith({
      'groundwork.yaml': [
        ['name: example', `name: ${org}`],
        ['  develop: [dev]', '  feature/abcde: [dev]'],
      ],
    });
    const tooLong = configWith({
      'groundwork.yaml': [
        ['name: example', `name: ${org}`],
        ['  develop: [dev]', '  feature/abcdef: [dev]'],
      ],
    });

    expect(readPlatformConfig(fits).issues).toEqual([]);
    expect(errorsFor(tooLong)).toEqual([
      `groundwork.yaml:29:3: branches["feature/abcdef"]: expected a branch name of at most 13 characters with organization.name "${org}" ` +
        `(its pipeline's role "${org}-platform-<branch>-drift-reconcile" must fit IAM's 64-character limit), found "feature/abcdef" (14 characters)`,
    ]);
  });

  test('with the default branches, a 31-character organization name passes and a 32-character one is reported', () => {
    const noBranches: [string, string] = ['branches:\n  main: all\n  develop: [dev]\n', ''];
    const fits = configWith({ 'groundwork.yaml': [['name: example', `name: ${org32.slice(0, 31)}`], noBranches] });
    const tooLong = configWith({ 'groundwork.yaml': [['name: example', `name: ${org32}`], noBranches] });

    expect(readPlatformConfig(fits).issues).toEqual([]);
    expect(errorsFor(tooLong)).toEqual([
      expect.stringMatching(
        /^groundwork\.yaml:2:9: organization\.name: expected an organization name of at most 31 characters while the default branches map builds a pipeline for "develop" .*, found "acme-platform-engineering-europe" \(32 characters\)$/,
      ),
    ]);
  });

  test("the repository branch's pipeline is <org>-platform: any branch name fits", () => {
    const dir = configWith({
      'groundwork.yaml': [
        ['name: example', `name: ${org32}`],
        ['  branch: main', '  branch: release/2026-platform-refresh'],
        ['  main: all\n  develop: [dev]', '  release/2026-platform-refresh: all'],
      ],
    });

    expect(readPlatformConfig(dir).issues).toEqual([]);
  });
});

describe('branches whose pipelines would share a name', () => {
  const branches = (lines: string) =>
    configWith({ 'groundwork.yaml': [['  develop: [dev]', `  develop: [dev]\n${lines}`]] });

  test('branches that differ only in characters a pipeline name cannot hold are an error, on the later one', () => {
    expect(errorsFor(branches('  feature/a: [dev]\n  feature.a: [prod]'))).toEqual([
      'groundwork.yaml:31:3: branches["feature.a"]: expected a branch whose pipeline no other branch shares (pipeline ' +
        'names make every character but letters, digits and hyphens a "-"), found "feature.a", whose pipeline ' +
        '"example-platform-feature-a" is also that of branch "feature/a"',
    ]);
  });

  test('branches that differ only in letter case are an error when both deploy an auto-reconciling environment', () => {
    // dev reconciles drift automatically (the valid fixture).
    expect(errorsFor(branches('  Develop: all'))).toEqual([
      'groundwork.yaml:30:3: branches.Develop: expected a branch whose pipeline no other branch shares (IAM role ' +
        'names ignore letter case, and both branches deploy an auto-reconciling environment, so both pipelines create ' +
        'a role "<pipeline>-drift-reconcile"), found "Develop", whose pipeline "example-platform-Develop" differs from ' +
        'branch "develop"\'s "example-platform-develop" only in letter case',
    ]);
  });

  test('branches that differ only in letter case pass when one deploys no auto-reconciling environment', () => {
    expect(readPlatformConfig(branches('  Develop: [prod]')).issues).toEqual([]);
  });

  test('distinct pipeline names pass', () => {
    expect(readPlatformConfig(branches('  feature/a: [dev]\n  feature/b: [dev]')).issues).toEqual([]);
  });
});

describe("an auto-reconciling environment's drift detector role name", () => {
  const org = 'acme-platform-engineering';

  /** The valid fixture with its dev environment renamed (file, name, tag and branch) and autoReconcile set. */
  function withDevNamed(name: string, autoReconcile: boolean): string {
    const dir = configWith({
      'groundwork.yaml': [
        ['name: example', `name: ${org}`],
        ['  develop: [dev]', `  develop: [${name}]`],
      ],
      'environments/dev.yaml': [
        ['name: dev', `name: ${name}`],
        ['Environment: dev', `Environment: ${name}`],
        ['autoReconcile: true', `autoReconcile: ${autoReconcile}`],
      ],
    });
    fs.renameSync(path.join(dir, 'environments', 'dev.yaml'), path.join(dir, 'environments', `${name}.yaml`));
    return dir;
  }

  test('<org>-<env>-drift-detector must fit 64 characters: 23 fit with a 25-character organization, 24 do not', () => {
    const longest = 'd'.repeat(23);
    expect(`${org}-${longest}-drift-detector`).toHaveLength(64);
    expect(readPlatformConfig(withDevNamed(longest, true)).issues).toEqual([]);
    expect(errorsFor(withDevNamed(`${longest}e`, true))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^environments/${longest}e\\.yaml:1:7: name: expected an environment name of at most 23 characters with ` +
            `organization\\.name "${org}" while drift\\.autoReconcile is on .*, found "${longest}e" \\(24 characters\\)$`,
        ),
      ),
    ]);
  });

  test('without autoReconcile the role keeps a generated name, so the environment name is not limited by it', () => {
    expect(readPlatformConfig(withDevNamed('d'.repeat(24), false)).issues).toEqual([]);
  });
});

describe('environment file names', () => {
  test('a file name that is no environment name is reported on the file, suggesting the name field', () => {
    const dir = configWith({ 'environments/dev.yaml': [['name: dev', 'name: my-env']] });
    fs.renameSync(path.join(dir, 'environments', 'dev.yaml'), path.join(dir, 'environments', 'my_env.yaml'));
    fs.writeFileSync(
      path.join(dir, 'groundwork.yaml'),
      fs.readFileSync(path.join(dir, 'groundwork.yaml'), 'utf8').replace('develop: [dev]', 'develop: [my-env]'),
    );

    expect(errorsFor(dir)).toEqual([
      'environments/my_env.yaml:1:1: (file): expected a lowercase name of letters, digits and hyphens starting with a ' +
        'letter (at most 32 characters) followed by .yaml (the file name is the environment name), found "my_env.yaml" ' +
        '(did you mean "my-env.yaml"?)',
    ]);
  });

  test('dotfiles and a README.md in environments/ are ignored', () => {
    const dir = configWith();
    for (const name of ['.gitkeep', '.DS_Store', '.dev.yaml.swp', 'README.md']) {
      fs.writeFileSync(path.join(dir, 'environments', name), '');
    }

    expect(readPlatformConfig(dir).issues).toEqual([]);
  });

  test('a rename is suggested only when it would not overwrite an existing file', () => {
    const dir = configWith();
    fs.copyFileSync(path.join(dir, 'environments', 'dev.yaml'), path.join(dir, 'environments', 'dev.yml'));
    fs.copyFileSync(path.join(dir, 'environments', 'dev.yaml'), path.join(dir, 'environments', 'dev.yaml.bak'));

    expect(errorsFor(dir)).toEqual([
      'environments/dev.yaml.bak:1:1: (file): expected only environment files <name>.yaml in environments/ ' +
        '(dotfiles and a README.md are ignored), found "dev.yaml.bak"',
      'environments/dev.yml:1:1: (file): expected an environment file ending in .yaml, found "dev.yml"',
    ]);
  });
});

describe('a file whose root is not a mapping', () => {
  test('is one error, with no rule reading it (no missing required tags)', () => {
    const dir = configWith();
    fs.writeFileSync(path.join(dir, 'environments', 'prod.yaml'), '- a\n- b\n');

    expect(errorsFor(dir)).toEqual(['environments/prod.yaml:1:1: (root): expected a mapping, found a list of 2 items']);
  });
});

describe('mapping keys as the config reads them', () => {
  test('a settings file that cannot be read is described in words, not by its error code', () => {
    const dir = configWith();
    fs.rmSync(path.join(dir, 'groundwork.yaml'));
    fs.mkdirSync(path.join(dir, 'groundwork.yaml'));
    expect(errorsFor(dir)).toEqual(['groundwork.yaml:1:1: (file): expected a readable YAML file, found a directory']);
  });

  test('a value reached through an alias is reported as found, at the alias', () => {
    const dir = configWith({
      'groundwork.yaml': [
        [
          '  account: "222222222222"\n',
          '  account: "222222222222"\n  auditorRoles: &roles [ab]\n  breakGlassRoles: *roles\n',
        ],
      ],
    });
    expect(errorsFor(dir)).toEqual([
      expect.stringMatching(/^groundwork\.yaml:8:25: security\.auditorRoles\[0\]: .*found "ab"$/),
      expect.stringMatching(/^groundwork\.yaml:9:20: security\.breakGlassRoles\[0\]: .*found "ab"$/),
    ]);
  });

  test('a key written as an alias is refused, so it cannot overwrite or drop a value unseen', () => {
    const dir = configWith({
      'environments/dev.yaml': [['tags:\n  Environment: dev\n', 'tags:\n  Environment: &e Environment\n  *e : dev\n']],
    });
    expect(errorsFor(dir)).toEqual([
      'environments/dev.yaml:19:3: tags["(key)"]: expected a plain key, written out (not an alias or a collection), found the alias *e',
    ]);
  });

  test("a duplicate key does not hide the file's other problems, nor those across files", () => {
    const dir = configWith({
      'environments/dev.yaml': [
        ['wave: nonprod\n', 'wave: nonprod\nwave: nonprod\n'],
        ['  cidr: 10.10.0.0/16', '  cidr: 10.10.0.1/16'],
      ],
      'environments/prod.yaml': [['  cidr: 10.30.0.0/16', '  cidr: 10.10.0.0/16']],
    });
    const errors = errorsFor(dir);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^environments\/dev\.yaml:5:1: wave: expected each key at most once in a mapping/),
        expect.stringMatching(
          /^environments\/dev\.yaml:8:9: vpc\.cidr: expected a network address with the host bits zero/,
        ),
        expect.stringMatching(/^environments\/prod\.yaml:8:9: vpc\.cidr: .*overlaps/),
      ]),
    );
    expect(errors).toHaveLength(3);
  });

  test.each([
    ['2024: a\n  "2024": b', 'tags["2024"]', '"2024", the same key as 2024 at line 16, column 3'],
    ['"true": a\n  true: b', 'tags.true', 'true, the same key as "true" at line 16, column 3'],
  ])('%j: two keys YAML keeps apart are one key of the config', (keys, field, found) => {
    const dir = configWith({ 'environments/prod.yaml': [['  Environment: prod', `  Environment: prod\n  ${keys}`]] });

    expect(errorsFor(dir)).toEqual([
      `environments/prod.yaml:17:3: ${field}: expected each key at most once in a mapping (keys are compared as text), found ${found}`,
    ]);
  });

  test('__proto__ is rejected wherever it is, not dropped', () => {
    const dir = configWith({
      'groundwork.yaml': [['  Owner: platform-team', '  Owner: platform-team\n  __proto__: x']],
      'environments/prod.yaml': [['vpc:\n', 'vpc:\n  __proto__:\n    cidr: 10.99.0.0/16\n']],
    });

    expect(errorsFor(dir)).toEqual([
      'groundwork.yaml:19:3: defaultTags.__proto__: expected a key other than "__proto__" (a JavaScript object cannot ' +
        'hold it as a key), found the key "__proto__"',
      'environments/prod.yaml:8:3: vpc.__proto__: expected a key other than "__proto__" (a JavaScript object cannot ' +
        'hold it as a key), found the key "__proto__"',
    ]);
  });
});

describe('CIDR leading zeros', () => {
  test('are not an IPv4 CIDR: parseCidr rejects them, and the unpadded form is suggested', () => {
    expect(parseCidr('010.020.0.0/16')).toBeUndefined();
    expect(parseCidr('10.20.0.0/016')).toBeUndefined();
    expect(parseCidr('10.0.0.0/16')).toBeDefined();
    expect(withoutLeadingZeros('010.020.0.0/16')).toBe('10.20.0.0/16');
    expect(withoutLeadingZeros('10.20.0.0/09')).toBe('10.20.0.0/9');
    expect(withoutLeadingZeros('10.20.0.0/16')).toBeUndefined();
    expect(withoutLeadingZeros('0400.0.0.0/16')).toBeUndefined();
  });

  test('in vpc.cidr, an error suggesting the unpadded block', () => {
    const dir = configWith({ 'environments/dev.yaml': [['cidr: 10.10.0.0/16', 'cidr: 10.010.0.0/16']] });

    expect(errorsFor(dir)).toEqual([
      'environments/dev.yaml:7:9: vpc.cidr: expected an IPv4 CIDR block without leading zeros (some tools read 010 ' +
        'as octal 8), found "10.010.0.0/16" (did you mean "10.10.0.0/16"?)',
    ]);
  });
});

describe("the account's IAM recording region", () => {
  // AWS Config records IAM only in the regions it served before February 2022 (config/regions.ts).
  const devIn = (region: string, extra: [string, string][] = []) =>
    configWith({
      'environments/dev.yaml': [
        ['region: eu-west-1', `region: ${region}`],
        // Auto-reconcile works only in the tooling region.
        ['autoReconcile: true', 'autoReconcile: false'],
        ...extra,
      ],
    });

  test("an account whose only environment with a recorder is in a region that cannot record IAM: an error at the file's region", () => {
    const dir = devIn('eu-central-2');
    const issues = readPlatformConfig(dir).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      path: 'region',
      expected: expect.stringMatching(
        /^a region where AWS Config records IAM resources \(af-south-1, .*, us-west-2\) for at least one environment of account 333333333333 with security.configRecorder true: the account's IAM recording and audit trail go there/,
      ),
      found: '"eu-central-2", where AWS Config cannot record IAM',
    });
    expect(path.basename(issues[0].file)).toBe('dev.yaml');
    expect(errorsFor(dir)[0]).toMatch(
      /^environments\/dev.yaml:3:9: region: expected a region where AWS Config records IAM/,
    );
  });

  test('another environment of the account in a region that can record IAM makes it valid', () => {
    const dir = configWith({
      'environments/dev.yaml': [
        ['region: eu-west-1', 'region: eu-central-2'],
        ['autoReconcile: true', 'autoReconcile: false'],
      ],
      'environments/prod.yaml': [['account: "555555555555"', 'account: "333333333333"']],
    });
    expect(readPlatformConfig(dir).issues).toEqual([]);
  });

  test('without a recorder of its own (e.g. AWS Control Tower records IAM), any region', () => {
    const dir = devIn('eu-central-2', [['configRecorder: true', 'configRecorder: false\n  configRules: false']]);
    expect(readPlatformConfig(dir).issues).toEqual([]);
  });
});

describe('security role name patterns', () => {
  const withAuditors = (...patterns: string[]) =>
    configWith({
      'groundwork.yaml': [
        [
          'security:\n  account: "222222222222"\n',
          `security:\n  account: "222222222222"\n  auditorRoles: [${patterns.map((p) => JSON.stringify(p)).join(', ')}]\n`,
        ],
      ],
    });

  test("may include the role's IAM path: IAM Identity Center's permission set roles", () => {
    const identityCenter = 'aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SecurityAuditor_*';
    const result = readPlatformConfig(withAuditors(identityCenter, 'groundwork-security-auditor', 'groundwork-*'));
    expect(result.issues).toEqual([]);
    expect(result.config!.groundwork.security.auditorRoles).toEqual([
      identityCenter,
      'groundwork-security-auditor',
      'groundwork-*',
    ]);
  });

  test.each(['*', 'ab', 'a/b', 'x/*', 'aws-reserved/sso.amazonaws.com/', 'r'.repeat(65)])(
    'refuses %s, naming the field',
    (pattern) => {
      const errors = errorsFor(withAuditors(pattern));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /^groundwork\.yaml:\d+:\d+: security\.auditorRoles\[0\]: expected an IAM role name of at least 3 characters, optionally ending in \*, optionally after its IAM path/,
      );
    },
  );
});

describe('wave names and the pipeline stages they become', () => {
  test('a wave named like an environment that another wave deploys alone is an error, naming the branch', () => {
    // main deploys dev alone in nonprod (its stage takes the name "dev") and prod in the wave "dev".
    const dir = configWith({
      'groundwork.yaml': [
        ['  - name: prod\n    order: 2\n', '  - name: prod\n    order: 2\n  - name: dev\n    order: 3\n'],
      ],
      'environments/prod.yaml': [['wave: prod', 'wave: dev']],
    });
    expect(errorsFor(dir)).toEqual([
      expect.stringMatching(
        /^groundwork\.yaml:\d+:\d+: waves\[2\]\.name: expected a wave name other than "dev": in branch "main"'s pipeline, wave "nonprod" deploys environment "dev" alone, and its pipeline stage takes the environment's name, found "dev"$/,
      ),
    ]);
  });

  test("a wave of one environment may carry that environment's name", () => {
    const dir = configWith({
      'groundwork.yaml': [['  - name: nonprod\n', '  - name: dev\n']],
      'environments/dev.yaml': [['wave: nonprod', 'wave: dev']],
    });
    expect(readPlatformConfig(dir).issues).toEqual([]);
  });
});
