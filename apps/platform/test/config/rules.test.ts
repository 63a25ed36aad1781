import * as fs from 'fs';
import * as path from 'path';
import { configWith } from './fixtures';
import { formatIssue, formatIssues, readPlatformConfig } from '../../src/config';
import { cidrsOverlap, networkOf, parseCidr } from '../../src/config/cidr';
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

describe('schedule expressions', () => {
  test.each(['rate(1 hour)', 'rate(5 minutes)', 'rate(2 days)', 'cron(0 6 * * ? *)', 'cron(0/15 * ? * MON-FRI *)'])(
    '%s is valid',
    (expression) => {
      expect(checkScheduleExpression(expression)).toBeUndefined();
    },
  );

  test.each([
    ['rate(2 hour)', /plural unit/],
    ['rate(0 minutes)', /at least 1/],
    ['cron(0 6 1 * MON *)', /"\?" in day-of-month or day-of-week/],
    ['hourly', /EventBridge schedule expression/],
  ])('%s is invalid', (expression, problem) => {
    expect(checkScheduleExpression(expression)).toMatch(problem);
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
