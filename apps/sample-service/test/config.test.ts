import { TrafficShifting } from '@groundwork/pipeline';
import { rawSampleConfig, sampleConfig, tempDir, writeConfig } from './fixtures';
import { ConfigError, DEFAULT_CONFIG_FILE, formatIssue, loadServiceConfig } from '../src/config';
import { composeServiceApp, createApp } from '../src/service-app';

/** The single message line of the issue on `field`, or a failure listing every issue. */
function issueFor(content: unknown, field: string): string {
  const file = writeConfig(content);
  let error: unknown;
  try {
    loadServiceConfig(file);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const lines = (error as ConfigError).message.split('\n');
  const line = lines.find((l) => l.startsWith(`${file}: ${field}: `));
  if (!line) throw new Error(`no issue on ${field}; issues:\n${lines.join('\n')}`);
  return line;
}

test('the committed config is valid and typed', () => {
  const config = loadServiceConfig(DEFAULT_CONFIG_FILE);
  expect(config.service.name).toBe('orders-api');
  expect(config.environments.map((e) => e.name)).toEqual(['dev', 'test', 'prod']);
  expect(config.environments.map((e) => e.platformEnvironment)).toEqual(['dev', 'test', 'prod']);
  expect(config.environments[2]).toMatchObject({
    production: true,
    trafficShifting: TrafficShifting.CANARY_10_PERCENT_15_MINUTES,
    azCount: 3,
  });
});

test('a missing field names the file, the field, what was expected and what was found', () => {
  const raw = rawSampleConfig();
  delete raw.environments[1].region;
  const line = issueFor(raw, 'environments[1].region');
  expect(line).toContain('expected an AWS region such as eu-west-1, found nothing (the field is missing)');
});

test('an account id given as a number is rejected', () => {
  const raw = rawSampleConfig();
  raw.environments[0].account = 333333333333;
  expect(issueFor(raw, 'environments[0].account')).toContain(
    'expected a 12-digit AWS account id as a string, found number 333333333333',
  );
});

test('an unknown traffic shifting lists the allowed ones', () => {
  const raw = rawSampleConfig();
  raw.environments[2].trafficShifting = 'CANARY_50_PERCENT';
  const line = issueFor(raw, 'environments[2].trafficShifting');
  expect(line).toContain("found 'CANARY_50_PERCENT'");
  expect(line).toContain('CANARY_10_PERCENT_5_MINUTES');
});

test('a log retention CloudWatch does not offer is rejected', () => {
  const raw = rawSampleConfig();
  raw.environments[0].logRetentionDays = 31;
  const line = issueFor(raw, 'environments[0].logRetentionDays');
  expect(line).toMatch(/expected one of .*30, 60.*3653\), found 31$/);
  // Never retained forever: the list offers only what the field accepts.
  expect(line).not.toContain('9999');
});

test('alarm thresholds must be positive integers', () => {
  const raw = rawSampleConfig();
  raw.environments[0].alarms.errorsPerMinute = 0;
  expect(issueFor(raw, 'environments[0].alarms.errorsPerMinute')).toContain(
    'expected an integer from 1 to 100000, found number 0',
  );
});

test("a p99 latency threshold the function's timeout makes unreachable is rejected", () => {
  const raw = rawSampleConfig();
  // The function times out at 10 s: Lambda's Duration never exceeds it, so this alarm could never fire.
  raw.environments[2].alarms.p99LatencyMs = 10000;
  expect(issueFor(raw, 'environments[2].alarms.p99LatencyMs')).toContain(
    "expected an integer from 1 to 9999 (less than the function's timeout of 10000 ms",
  );
  raw.environments[2].alarms.p99LatencyMs = 9999;
  expect(() => loadServiceConfig(writeConfig(raw))).not.toThrow();
});

test('a reserved concurrency Lambda would refuse (less than 100 left unreserved of the default 1,000) is rejected', () => {
  const raw = rawSampleConfig();
  raw.environments[2].reservedConcurrency = 901;
  expect(issueFor(raw, 'environments[2].reservedConcurrency')).toContain(
    "expected an integer from 1 to 900 (Lambda keeps 100 of the account's concurrency unreserved",
  );
  raw.environments[2].reservedConcurrency = 900;
  expect(() => loadServiceConfig(writeConfig(raw))).not.toThrow();
});

test('environments in one account and region may not reserve more than 900 together', () => {
  const raw = rawSampleConfig();
  raw.environments[1].account = raw.environments[0].account;
  raw.environments[0].reservedConcurrency = 500;
  raw.environments[1].reservedConcurrency = 500;
  expect(issueFor(raw, 'environments[1].reservedConcurrency')).toContain(
    "expected at most 900 reserved by all the environments in account 333333333333 and region eu-west-1 together (Lambda keeps 100 of the account's concurrency unreserved), found 1000 in total (dev: 500, test: 500)",
  );
  // Another region of the same account has its own concurrency.
  raw.environments[1].region = 'eu-central-1';
  expect(() => loadServiceConfig(writeConfig(raw))).not.toThrow();
  raw.environments[1].region = raw.environments[0].region;
  raw.environments[1].reservedConcurrency = 400;
  expect(() => loadServiceConfig(writeConfig(raw))).not.toThrow();
});

test.each(['Build', 'Source', 'UpdatePipeline', 'Assets'])(
  "a wave named like the pipeline's own stage %s is rejected",
  (wave) => {
    const raw = rawSampleConfig();
    raw.environments[0].wave = wave;
    raw.environments[1].wave = wave;
    expect(issueFor(raw, 'environments[0].wave')).toContain(
      `expected a wave name other than the pipeline's own stages (Source, Build, UpdatePipeline, Assets), found '${wave}'`,
    );
  },
);

test('a wave named like an environment that another wave deploys alone is rejected', () => {
  const raw = rawSampleConfig();
  // dev alone in 'solo' is the pipeline stage 'dev'; test and prod in a wave 'dev' would be a second one.
  raw.environments[0].wave = 'solo';
  raw.environments[1].wave = 'dev';
  raw.environments[2].wave = 'dev';
  expect(issueFor(raw, 'environments[2].wave')).toContain(
    "expected a wave name other than 'dev': wave 'solo' deploys environment 'dev' alone, and its pipeline stage takes that name, found 'dev'",
  );
  // A wave of one environment named like that environment is that same stage.
  raw.environments[0].wave = 'dev';
  raw.environments[1].wave = 'later';
  raw.environments[2].wave = 'later';
  expect(() => loadServiceConfig(writeConfig(raw))).not.toThrow();
});

/** The committed config with a fourth environment (a second production account), for layouts of two waves of two. */
function fourEnvironments(): any {
  const raw = rawSampleConfig();
  raw.environments.push({ ...raw.environments[2], name: 'prod-us', account: '666666666666', region: 'us-east-1' });
  return raw;
}

/** Every issue on `field`, or [] when the config loads. */
function issuesOn(content: unknown, field: string): string[] {
  const file = writeConfig(content);
  try {
    loadServiceConfig(file);
    return [];
  } catch (e) {
    return (e as ConfigError).issues.filter((i) => i.field === field).map(formatIssue);
  }
}

describe("a wave named like another stage's parts (<stage>.<digits>) is rejected", () => {
  const parts =
    "and a CodePipeline stage of more than 50 actions (CodePipeline's limit per stage) is split into stages";

  test.each([
    ['after', ['nonprod', 'nonprod', 'nonprod.1'], 2],
    ['before', ['nonprod.1', 'nonprod', 'nonprod'], 0],
  ])("'nonprod.1' beside a wave 'nonprod', named %s it", (_order, waves, at) => {
    const raw = rawSampleConfig();
    waves.forEach((wave, i) => (raw.environments[i].wave = wave));
    const line = issueFor(raw, `environments[${at}].wave`);
    const members = waves[0] === 'nonprod' ? 'dev, test' : 'test, prod';
    expect(line).toContain(
      `expected a wave name other than 'nonprod' followed by .<digits>: 'nonprod' is the wave of ${members}, ${parts} 'nonprod.1', 'nonprod.2', ..., found 'nonprod.1'`,
    );
  });

  test("a wave 'dev.1' beside a wave that deploys environment 'dev' alone (its stage is 'dev')", () => {
    const raw = rawSampleConfig();
    raw.environments[0].wave = 'first';
    raw.environments[1].wave = 'dev.1';
    raw.environments[2].wave = 'dev.1';
    // Once per pair, on the first environment of the wave.
    expect(issuesOn(raw, 'environments[1].wave')).toEqual([
      expect.stringContaining(
        `expected a wave name other than 'dev' followed by .<digits>: wave 'first' deploys environment 'dev' alone, as the stage 'dev', ${parts} 'dev.1', 'dev.2', ..., found 'dev.1'`,
      ),
    ]);
    expect(issuesOn(raw, 'environments[2].wave')).toEqual([]);
  });

  test("the parts of a part ('nonprod.1.2') and of the pipeline's own stages ('Assets.1')", () => {
    const raw = fourEnvironments();
    ['nonprod', 'nonprod', 'nonprod.1.2', 'nonprod.1.2'].forEach((wave, i) => (raw.environments[i].wave = wave));
    expect(issueFor(raw, 'environments[2].wave')).toContain(
      "expected a wave name other than 'nonprod' followed by .<digits>: 'nonprod' is the wave of dev, test,",
    );
    raw.environments[2].wave = 'Assets.1';
    raw.environments[3].wave = 'Assets.1';
    expect(issueFor(raw, 'environments[2].wave')).toContain(
      `expected a wave name other than 'Assets' followed by .<digits>: 'Assets' is one of the pipeline's own stages, ${parts} 'Assets.1', 'Assets.2', ..., found 'Assets.1'`,
    );
  });

  test.each([
    ['siblings', ['x.1', 'x.1', 'x.2', 'x.2']],
    ['not digits after the dot', ['nonprod', 'nonprod', 'nonprod.eu', 'nonprod.eu']],
    ['no dot', ['nonprod', 'nonprod', 'nonprod1', 'nonprod1']],
    ['a hyphen', ['nonprod', 'nonprod', 'nonprod-1', 'nonprod-1']],
    ['dot and underscore', ['non.prod', 'non.prod', 'non_prod', 'non_prod']],
    ['dot and at sign', ['non.prod', 'non.prod', 'non@prod', 'non@prod']],
  ])('names that take no part of another stage are accepted: %s', (_name, waves) => {
    const raw = fourEnvironments();
    waves.forEach((wave, i) => (raw.environments[i].wave = wave));
    expect(() => loadServiceConfig(writeConfig(raw))).not.toThrow();
  });
});

test.each([
  ['nonprod', 'nonprod', 'nonprod.1', 'nonprod.1'],
  ['first', 'dev.1', 'dev.1', 'last'],
  ['non.prod', 'non.prod', 'non_prod', 'non_prod'],
  ['x.1', 'x.1', 'x.2', 'x.2'],
])('validation refuses the waves %s, %s, %s, %s exactly when the pipeline would at synthesis', (...waves) => {
  const raw = fourEnvironments();
  waves.forEach((wave, i) => (raw.environments[i].wave = wave));
  const refusedByValidation = (() => {
    try {
      loadServiceConfig(writeConfig(raw));
      return false;
    } catch (e) {
      return e instanceof ConfigError;
    }
  })();
  // The committed config, validated, then given these waves: what the pipeline does without validation.
  const config: any = JSON.parse(JSON.stringify(sampleConfig()));
  config.environments.push(raw.environments[3]);
  waves.forEach((wave, i) => (config.environments[i].wave = wave));
  let pipelineError: string | undefined;
  try {
    composeServiceApp(createApp(tempDir('waves')), config);
  } catch (e) {
    pipelineError = (e as Error).message;
  }
  expect(refusedByValidation).toBe(pipelineError !== undefined);
  if (pipelineError !== undefined) {
    // What the pipeline says names a construct path, not the config file or field: hence the validation.
    expect(pipelineError).toMatch(/^Pipeline\/GitOps: wave '(nonprod|dev)\.1' needs the CodePipeline stage name/);
  }
});

test('a pipeline that notifies nobody is rejected', () => {
  const raw = rawSampleConfig();
  raw.pipeline.notificationEmails = [];
  expect(issueFor(raw, 'pipeline.notificationEmails')).toContain(
    'expected at least one email address (pipeline failures and pending approvals are mailed only to these), found an empty list',
  );
});

test('an azCount outside what WorkloadVpc supports is rejected', () => {
  const raw = rawSampleConfig();
  raw.environments[0].azCount = 7;
  expect(issueFor(raw, 'environments[0].azCount')).toContain('expected an integer from 1 to 6, found number 7');
});

test('a platform environment that cannot be an SSM path segment is rejected', () => {
  const raw = rawSampleConfig();
  raw.environments[0].platformEnvironment = 'dev/other';
  expect(issueFor(raw, 'environments[0].platformEnvironment')).toContain("found 'dev/other'");
});

test('a misspelt field is reported, not ignored', () => {
  const raw = rawSampleConfig();
  raw.environments[0].reservedConcurency = 5;
  expect(issueFor(raw, 'environments[0].reservedConcurency')).toContain("found the unknown field 'reservedConcurency'");
});

test('two environments with one name are rejected', () => {
  const raw = rawSampleConfig();
  raw.environments[1].name = 'dev';
  expect(issueFor(raw, 'environments[1].name')).toContain("found 'dev', also environments[0]");
});

test('a connection that is not a CodeConnections ARN is rejected', () => {
  const raw = rawSampleConfig();
  raw.pipeline.connectionArn = 'ghp_token';
  expect(issueFor(raw, 'pipeline.connectionArn')).toContain("found 'ghp_token'");
});

test.each([
  ['missing', undefined, 'found nothing (the field is missing)'],
  ['too long', 'ordersapi123', "found 'ordersapi123'"],
  ['upper case', 'Orders', "found 'Orders'"],
])('a bootstrap qualifier that cdk bootstrap would refuse is rejected: %s', (_name, qualifier, found) => {
  const raw = rawSampleConfig();
  raw.pipeline.qualifier = qualifier;
  const line = issueFor(raw, 'pipeline.qualifier');
  expect(line).toContain('expected 1 to 10 lower-case letters or digits');
  expect(line).toContain(found);
});

test("the platform's own qualifier is rejected: its trust admits only the platform's pipeline", () => {
  const raw = rawSampleConfig();
  raw.pipeline.qualifier = 'hnb659fds';
  expect(issueFor(raw, 'pipeline.qualifier')).toMatch(
    /expected a qualifier of the team's own trust: the platform's bootstrap .* uses the CDK default 'hnb659fds'.*, found 'hnb659fds'$/,
  );
});

test('a description longer than Lambda accepts for the function is rejected', () => {
  const raw = rawSampleConfig();
  raw.service.description = 'x'.repeat(257);
  expect(issueFor(raw, 'service.description')).toContain(
    "expected at most 256 characters (it is the Lambda function's description), found 257 characters",
  );
  raw.service.description = 'x'.repeat(256);
  expect(() => loadServiceConfig(writeConfig(raw))).not.toThrow();
});

test.each([
  ['service.alarmEmails', "every environment's alarm topic", 'dev/Service/AlarmTopic'],
  ['pipeline.notificationEmails', "the pipeline's notification topic", 'Pipeline/GitOps/Notifications/Topic'],
])('a duplicate address in %s is rejected, whatever its case', (field, topic, constructPath) => {
  const [section, key] = field.split('.');
  const withEmails = (emails: string[]): any => {
    const raw = rawSampleConfig();
    raw[section][key] = emails;
    return raw;
  };
  const escaped = field.replace('.', '\\.');
  const twice = withEmails(['oncall@example.com', 'lead@example.com', 'oncall@example.com']);
  expect(issueFor(twice, `${field}[2]`)).toMatch(
    new RegExp(
      `expected an address not already in the list \\(each is a subscription of ${topic}; compared without regard to case, as mailboxes are in practice\\), found 'oncall@example\\.com', also ${escaped}\\[0\\] 'oncall@example\\.com'$`,
    ),
  );
  // Without the validation, aws-cdk-lib refuses the second subscription naming a construct path, not the config.
  const config: any = JSON.parse(JSON.stringify(sampleConfig()));
  config[section][key] = twice[section][key];
  expect(() => composeServiceApp(createApp(tempDir('emails')), config)).toThrow(
    `A subscription with id "oncall@example.com" already exists under the scope ${constructPath}`,
  );
  // One mailbox in practice, though aws-cdk-lib would subscribe it twice.
  const cased = withEmails(['oncall@example.com', 'lead@example.com', 'OnCall@Example.COM']);
  expect(issueFor(cased, `${field}[2]`)).toMatch(
    new RegExp(`found 'OnCall@Example\\.COM', also ${escaped}\\[0\\] 'oncall@example\\.com'$`),
  );
  expect(() => loadServiceConfig(writeConfig(withEmails(['oncall@example.com', 'oncall@example.org'])))).not.toThrow();
});

test('an alarm topic without a subscriber is rejected', () => {
  const raw = rawSampleConfig();
  raw.service.alarmEmails = [];
  expect(issueFor(raw, 'service.alarmEmails')).toContain(
    'expected at least one email address (the alarm topic notifies only these), found an empty list',
  );
});

test('an empty environment list is rejected', () => {
  const raw = rawSampleConfig();
  raw.environments = [];
  expect(issueFor(raw, 'environments')).toContain('expected at least one environment, found an empty list');
});

test('every problem is reported at once', () => {
  const raw = rawSampleConfig();
  raw.service.name = 'Orders API';
  raw.pipeline.repository = 'orders-api';
  raw.environments[0].production = 'no';
  const file = writeConfig(raw);
  expect(() => loadServiceConfig(file)).toThrow(
    expect.objectContaining({
      issues: [
        expect.objectContaining({ field: 'service.name' }),
        expect.objectContaining({ field: 'pipeline.repository' }),
        expect.objectContaining({ field: 'environments[0].production', found: "'no'" }),
      ],
    }),
  );
});

test('invalid JSON and a missing file name the file', () => {
  const file = writeConfig('{ "service": ');
  expect(() => loadServiceConfig(file)).toThrow(new RegExp(`^${file}: \\(file\\): expected valid JSON, found `));
  expect(() => loadServiceConfig('/nonexistent/service.json')).toThrow(
    /^\/nonexistent\/service.json: \(file\): expected a readable file, found ENOENT/,
  );
});

test.each<[string, (raw: any) => void, string, string]>([
  [
    'an 11-digit account id',
    (raw) => (raw.environments[0].account = '33333333333'),
    'environments[0].account',
    "found '33333333333'",
  ],
  [
    'an availability zone instead of a region',
    (raw) => (raw.pipeline.region = 'eu-west-1a'),
    'pipeline.region',
    "found 'eu-west-1a'",
  ],
  [
    'an alarm address without a domain',
    (raw) => (raw.service.alarmEmails = ['oncall']),
    'service.alarmEmails[0]',
    "expected an email address, found 'oncall'",
  ],
  [
    'a notification address without a domain',
    (raw) => (raw.pipeline.notificationEmails = ['team']),
    'pipeline.notificationEmails[0]',
    "expected an email address, found 'team'",
  ],
  [
    'a fractional reserved concurrency',
    (raw) => (raw.environments[1].reservedConcurrency = 2.5),
    'environments[1].reservedConcurrency',
    'expected an integer from 1 to 900',
  ],
  [
    'a reserved concurrency of 0 (Lambda would throttle every call)',
    (raw) => (raw.environments[1].reservedConcurrency = 0),
    'environments[1].reservedConcurrency',
    'found number 0',
  ],
  ['an empty branch', (raw) => (raw.pipeline.branch = ''), 'pipeline.branch', "expected a non-empty string, found ''"],
])('%s is rejected', (_name, mutate, field, found) => {
  const raw = rawSampleConfig();
  mutate(raw);
  expect(issueFor(raw, field)).toContain(found);
});

test('a $comment at the top and a CodeStar connections ARN (the older service name) are accepted', () => {
  const raw = rawSampleConfig();
  raw.$comment = 'reviewed by the orders team';
  raw.pipeline.connectionArn =
    'arn:aws:codestar-connections:eu-west-1:111111111111:connection/00000000-0000-4000-8000-000000000001';
  expect(loadServiceConfig(writeConfig(raw)).pipeline.connectionArn).toMatch(/^arn:aws:codestar-connections:/);
});

test("an owner IAM would refuse as a role's tag value is a config error, not a deploy failure", () => {
  const raw = rawSampleConfig();
  // Every resource, the roles included, is tagged Owner=<owner>; IAM allows only letters, digits, spaces and _.:/=+-@.
  raw.service.owner = 'Orders team (EU), on-call #4';
  expect(issueFor(raw, 'service.owner')).toContain(
    "expected at most 256 letters, digits, spaces or _ . : / = + - @ (the Owner tag of every resource: IAM refuses a role tag with other characters), found 'Orders team (EU), on-call #4'",
  );
  raw.service.owner = 'x'.repeat(257);
  expect(issueFor(raw, 'service.owner')).toContain('expected at most 256 letters');
  raw.service.owner = 'Équipe commandes: orders@example.com';
  expect(() => loadServiceConfig(writeConfig(raw))).not.toThrow();
});

test.each(['pipeline', 'pipeline-eu'])(
  "an environment named like the pipeline's stack and roles (%s) is rejected",
  (name) => {
    const raw = rawSampleConfig();
    raw.environments[0].name = name;
    expect(issueFor(raw, 'environments[0].name')).toContain(
      `expected a name not starting with 'pipeline' (its stack would be named orders-api-${name}, like the pipeline's stack orders-api-pipeline, and its roles would match the deployment trust's 'orders-api-pipeline*'), found '${name}'`,
    );
  },
);
