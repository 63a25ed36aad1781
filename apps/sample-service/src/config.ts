import * as fs from 'fs';
import * as path from 'path';
import { GitOpsPipeline, TrafficShifting } from '@groundwork/pipeline';
import * as logs from 'aws-cdk-lib/aws-logs';

/** The service's config file, next to `src/` and `lib/` (config/service.json). */
export const DEFAULT_CONFIG_FILE = path.resolve(__dirname, '..', 'config', 'service.json');

/** Who owns the service and what it is called; the name prefixes every stack and the pipeline. */
export interface ServiceIdentity {
  readonly name: string;
  readonly owner: string;
  /** Also the Lambda function's description: at most 256 characters. */
  readonly description: string;
  /**
   * Who receives the service's alarms (the same alarms roll deployments back): at least one address. Each
   * address receives an SNS confirmation email and gets no alarm until it confirms.
   */
  readonly alarmEmails: string[];
}

/** The team's own instance of the shared pipeline. */
export interface ServicePipelineConfig {
  readonly account: string;
  readonly region: string;
  /** GitHub `owner/name` of the team's repository. */
  readonly repository: string;
  readonly branch: string;
  readonly connectionArn: string;
  readonly notificationEmails: string[];
  readonly installCommand: string;
  readonly testCommand: string;
  readonly synthCommand: string;
  /** Where `synthCommand` writes the cloud assembly, relative to the repository root. */
  readonly primaryOutputDirectory: string;
  /**
   * CDK bootstrap qualifier of the team's own deployment trust, in the pipeline account and in every
   * environment account: role names, staging bucket, boundary and role tag all carry it.
   */
  readonly qualifier: string;
}

/** Thresholds of the alarms that roll a deployment back. */
export interface ServiceAlarms {
  /** Errors in one minute of the version being deployed that fail the deployment. */
  readonly errorsPerMinute: number;
  /**
   * p99 duration, in milliseconds, of the version being deployed that fails the deployment when exceeded three
   * minutes in a row. Less than the function's timeout (`FUNCTION_TIMEOUT_SECONDS`): Lambda's `Duration` never
   * exceeds the timeout, so a higher threshold is one the alarm can never cross.
   */
  readonly p99LatencyMs: number;
}

/** One environment the service deploys to. */
export interface ServiceEnvironment {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** The Groundwork environment whose VPC the service runs in (its SSM parameters' `<env>`). */
  readonly platformEnvironment: string;
  /** AZ count of that environment's VPC (subnet lists are read with Fn::Select, which needs it at synthesis). */
  readonly azCount: number;
  readonly wave: string;
  readonly production: boolean;
  readonly trafficShifting: TrafficShifting;
  /** Reserved concurrency of the function: 1 to 900 (Lambda keeps 100 of the account's concurrency unreserved). */
  readonly reservedConcurrency: number;
  readonly logRetentionDays: logs.RetentionDays;
  readonly alarms: ServiceAlarms;
}

/** The validated contents of config/service.json. */
export interface ServiceConfig {
  readonly service: ServiceIdentity;
  readonly pipeline: ServicePipelineConfig;
  readonly environments: ServiceEnvironment[];
}

/** One problem in the config file. */
export interface ConfigIssue {
  readonly file: string;
  /** JSON path of the field, e.g. `environments[1].account`. */
  readonly field: string;
  readonly expected: string;
  readonly found: string;
}

/** Thrown when the config file is unreadable or invalid; lists every problem found, not only the first. */
export class ConfigError extends Error {
  constructor(public readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'ConfigError';
  }
}

/** `file: field: expected X, found Y`. */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}: ${issue.field}: expected ${issue.expected}, found ${issue.found}`;
}

/** Reads and validates the config file; throws a ConfigError naming the file, every bad field, what was expected and found. */
export function loadServiceConfig(file: string = DEFAULT_CONFIG_FILE): ServiceConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf-8');
  } catch (error) {
    throw new ConfigError([{ file, field: '(file)', expected: 'a readable file', found: (error as Error).message }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ file, field: '(file)', expected: 'valid JSON', found: (error as Error).message }]);
  }
  return parseServiceConfig(raw, file);
}

/**
 * Timeout of the service's function, in seconds. Lambda's `Duration` metric never exceeds it, so the p99 latency
 * threshold (`alarms.p99LatencyMs`) must be below it or the alarm can never fire.
 */
export const FUNCTION_TIMEOUT_SECONDS = 10;

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
// SSM parameter path segment, as NetworkParameterPaths accepts it.
const PLATFORM_ENV = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
// Becomes a Stage id and part of stack names: CloudFormation stack names allow letters, digits and hyphens.
const ENV_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const SERVICE_NAME = /^[a-z][a-z0-9-]{1,39}$/;
// A CodePipeline stage name.
const WAVE = /^[A-Za-z0-9.@_-]{1,100}$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
// The Owner tag's value on every resource: IAM refuses a role whose tag value has other characters or is longer.
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
// The pipeline's stack is `<service>-pipeline` and the team's deployment trust admits the roles named
// `<service>-pipeline*`: an environment's stack (and so its roles' names) must not start that way.
const RESERVED_ENV_PREFIX = 'pipeline';
// `cdk bootstrap --qualifier`: 1 to 10 lower-case letters and digits.
const QUALIFIER = /^[a-z0-9]{1,10}$/;
// The qualifier of the platform's own bootstrap of the same accounts (the CDK default).
const PLATFORM_QUALIFIER = 'hnb659fds';
// Lambda's limit on a function's description.
const MAX_DESCRIPTION = 256;
// The default Lambda concurrency quota (1,000) less the 100 that Lambda keeps unreserved.
const MAX_RESERVED_CONCURRENCY = 900;
// Without INFINITE (9999): a log group without retention fails the NIST 800-53 checks, and the field's range ends at 3653.
const RETENTION_DAYS = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number' && v <= 3653);

const TRAFFIC_SHIFTING = Object.values(TrafficShifting) as string[];

/** Validates already-parsed JSON; `file` is only used in messages. */
export function parseServiceConfig(raw: unknown, file: string): ServiceConfig {
  const r = new Reader(file);
  const root = r.object(raw, '', ['service', 'pipeline', 'environments', '$comment']);
  const svc = r.object(root.service, 'service', ['name', 'owner', 'description', 'alarmEmails']);
  const pl = r.object(root.pipeline, 'pipeline', [
    'account',
    'region',
    'repository',
    'branch',
    'connectionArn',
    'notificationEmails',
    'installCommand',
    'testCommand',
    'synthCommand',
    'primaryOutputDirectory',
    'qualifier',
  ]);
  const service: ServiceIdentity = {
    name: r.string(
      svc.name,
      'service.name',
      SERVICE_NAME,
      '2-40 lower-case letters, digits or -, starting with a letter',
    ),
    owner: r.string(
      svc.owner,
      'service.owner',
      TAG_VALUE,
      'at most 256 letters, digits, spaces or _ . : / = + - @ (the Owner tag of every resource: IAM refuses a role tag with other characters)',
    ),
    description: r.string(svc.description, 'service.description'),
    alarmEmails: r
      .array(svc.alarmEmails, 'service.alarmEmails')
      .map((email, i) => r.string(email, `service.alarmEmails[${i}]`, EMAIL, 'an email address')),
  };
  // Each address is an email subscription of every environment's alarm topic (service-stack.ts).
  checkUniqueEmails(r, service.alarmEmails, 'service.alarmEmails', "every environment's alarm topic");
  const pipeline: ServicePipelineConfig = {
    account: r.string(pl.account, 'pipeline.account', ACCOUNT, 'a 12-digit AWS account id as a string'),
    region: r.string(pl.region, 'pipeline.region', REGION, 'an AWS region such as eu-west-1'),
    repository: r.string(pl.repository, 'pipeline.repository', REPOSITORY, "a GitHub repository as 'owner/name'"),
    branch: r.string(pl.branch, 'pipeline.branch'),
    connectionArn: r.string(
      pl.connectionArn,
      'pipeline.connectionArn',
      CONNECTION_ARN,
      'a CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>)',
    ),
    notificationEmails: r
      .array(pl.notificationEmails, 'pipeline.notificationEmails')
      .map((email, i) => r.string(email, `pipeline.notificationEmails[${i}]`, EMAIL, 'an email address')),
    installCommand: r.string(pl.installCommand, 'pipeline.installCommand'),
    testCommand: r.string(pl.testCommand, 'pipeline.testCommand'),
    synthCommand: r.string(pl.synthCommand, 'pipeline.synthCommand'),
    primaryOutputDirectory: r.string(pl.primaryOutputDirectory, 'pipeline.primaryOutputDirectory'),
    qualifier: r.string(pl.qualifier, 'pipeline.qualifier', QUALIFIER, '1 to 10 lower-case letters or digits'),
  };
  // Each address is an email subscription of the pipeline's notification topic (GitOpsPipeline's notificationEmails).
  checkUniqueEmails(r, pipeline.notificationEmails, 'pipeline.notificationEmails', "the pipeline's notification topic");
  if (service.description.length > MAX_DESCRIPTION) {
    // It is the function's description too, which Lambda limits to 256 characters.
    r.issue(
      'service.description',
      `at most ${MAX_DESCRIPTION} characters (it is the Lambda function's description)`,
      `${service.description.length} characters`,
    );
  }
  if (Array.isArray(svc.alarmEmails) && svc.alarmEmails.length === 0) {
    // The alarm topic's only subscribers: without one, an alarm rolls a deployment back and nobody is told.
    r.issue('service.alarmEmails', 'at least one email address (the alarm topic notifies only these)', 'an empty list');
  }
  if (Array.isArray(pl.notificationEmails) && pl.notificationEmails.length === 0) {
    // The pipeline's only way to say that a run failed or that production waits for an approval.
    r.issue(
      'pipeline.notificationEmails',
      'at least one email address (pipeline failures and pending approvals are mailed only to these)',
      'an empty list',
    );
  }
  if (pipeline.qualifier === PLATFORM_QUALIFIER) {
    r.issue(
      'pipeline.qualifier',
      `a qualifier of the team's own trust: the platform's bootstrap in the same accounts uses the CDK default '${PLATFORM_QUALIFIER}' and trusts only the platform's pipeline`,
      `'${pipeline.qualifier}'`,
    );
  }
  const list = r.array(root.environments, 'environments');
  if (Array.isArray(root.environments) && list.length === 0) {
    r.issue('environments', 'at least one environment', 'an empty list');
  }
  const environments = list.map((item, i) => parseEnvironment(r, item, `environments[${i}]`));
  const seen = new Map<string, number>();
  environments.forEach((env, i) => {
    const first = seen.get(env.name);
    if (first !== undefined) {
      r.issue(
        `environments[${i}].name`,
        `a name not used by another environment`,
        `'${env.name}', also environments[${first}]`,
      );
    }
    seen.set(env.name, i);
    if (env.name.startsWith(RESERVED_ENV_PREFIX)) {
      r.issue(
        `environments[${i}].name`,
        `a name not starting with '${RESERVED_ENV_PREFIX}' (its stack would be named ${service.name}-${env.name}, like the pipeline's stack ${service.name}-pipeline, and its roles would match the deployment trust's '${service.name}-pipeline*')`,
        `'${env.name}'`,
      );
    }
  });
  checkWaveNames(r, environments);
  checkReservedConcurrency(r, environments);
  if (r.issues.length > 0) {
    throw new ConfigError(r.issues);
  }
  return { service, pipeline, environments };
}

function parseEnvironment(r: Reader, raw: unknown, at: string): ServiceEnvironment {
  const e = r.object(raw, at, [
    'name',
    'account',
    'region',
    'platformEnvironment',
    'azCount',
    'wave',
    'production',
    'trafficShifting',
    'reservedConcurrency',
    'logRetentionDays',
    'alarms',
  ]);
  const alarms = r.object(e.alarms, `${at}.alarms`, ['errorsPerMinute', 'p99LatencyMs']);
  const retention = r.integer(e.logRetentionDays, `${at}.logRetentionDays`, 1, 3653);
  if (typeof e.logRetentionDays === 'number' && !RETENTION_DAYS.includes(retention)) {
    r.issue(
      `${at}.logRetentionDays`,
      `one of the CloudWatch Logs retention periods (${RETENTION_DAYS.join(', ')})`,
      `${retention}`,
    );
  }
  const shifting = r.string(e.trafficShifting, `${at}.trafficShifting`);
  if (typeof e.trafficShifting === 'string' && !TRAFFIC_SHIFTING.includes(shifting)) {
    r.issue(`${at}.trafficShifting`, `one of ${TRAFFIC_SHIFTING.join(', ')}`, `'${shifting}'`);
  }
  return {
    name: r.string(e.name, `${at}.name`, ENV_NAME, '1-20 lower-case letters, digits or -, starting with a letter'),
    account: r.string(e.account, `${at}.account`, ACCOUNT, 'a 12-digit AWS account id as a string'),
    region: r.string(e.region, `${at}.region`, REGION, 'an AWS region such as eu-west-1'),
    platformEnvironment: r.string(
      e.platformEnvironment,
      `${at}.platformEnvironment`,
      PLATFORM_ENV,
      'the name of a Groundwork environment (1-63 of a-z, A-Z, 0-9, _ . -)',
    ),
    // WorkloadVpc spans 1 to 6 AZs.
    azCount: r.integer(e.azCount, `${at}.azCount`, 1, 6),
    wave: r.string(e.wave, `${at}.wave`, WAVE, 'a CodePipeline stage name (1-100 of A-Z a-z 0-9 . @ _ -)'),
    production: r.boolean(e.production, `${at}.production`),
    trafficShifting: shifting as TrafficShifting,
    // Lambda refuses a reservation that leaves less than 100 of the account's concurrency unreserved: with the
    // default quota of 1,000, at most 900 for all the account's functions together.
    reservedConcurrency: r.integer(
      e.reservedConcurrency,
      `${at}.reservedConcurrency`,
      1,
      MAX_RESERVED_CONCURRENCY,
      "(Lambda keeps 100 of the account's concurrency unreserved: 900 is the most with the default quota of 1,000, less what other functions in the account reserve)",
    ),
    logRetentionDays: retention as logs.RetentionDays,
    alarms: {
      errorsPerMinute: r.integer(alarms.errorsPerMinute, `${at}.alarms.errorsPerMinute`, 1, 100000),
      // Lambda's Duration metric stops at the function's timeout: a threshold at or above it never breaches.
      p99LatencyMs: r.integer(
        alarms.p99LatencyMs,
        `${at}.alarms.p99LatencyMs`,
        1,
        FUNCTION_TIMEOUT_SECONDS * 1000 - 1,
        `(less than the function's timeout of ${FUNCTION_TIMEOUT_SECONDS * 1000} ms: Lambda's Duration never exceeds it, so the alarm could never fire)`,
      ),
    },
  };
}

/**
 * Each address of the list becomes an SNS email subscription of `topic`, whose construct id is the address:
 * aws-cdk-lib refuses a second one only at synthesis ("A subscription with id ... already exists under the
 * scope ..."), naming a construct path instead of the config. Compared case-insensitively: the domain is
 * case-insensitive (RFC 5321, section 2.4) and mail providers treat the local part so too, so `A@example.com`
 * beside `a@example.com` passes aws-cdk-lib but subscribes one mailbox twice: two confirmation requests, then
 * every notification twice.
 */
function checkUniqueEmails(r: Reader, emails: string[], at: string, topic: string): void {
  const first = new Map<string, number>();
  emails.forEach((email, i) => {
    // '' is a missing or non-string entry, already reported.
    if (email === '') return;
    const key = email.toLowerCase();
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, i);
      return;
    }
    r.issue(
      `${at}[${i}]`,
      `an address not already in the list (each is a subscription of ${topic}; compared without regard to case, as mailboxes are in practice)`,
      `'${email}', also ${at}[${earlier}] '${emails[earlier]}'`,
    );
  });
}

/**
 * Each wave becomes a CodePipeline stage, and a wave of one environment takes that environment's name (as
 * GitOpsPipeline lays them out): a wave named like one of the pipeline's own stages, or like an environment
 * another wave deploys alone, would be a second stage of that name, which the pipeline refuses without naming
 * the config.
 *
 * Stage names are otherwise used as they are (construct ids, CodePipeline stage names; logical ids and
 * variable namespaces carry a hash of the construct path), so `non.prod`, `non_prod`, `non-prod` and `non@prod`
 * stay apart. The one transformation is the split of a stage of more than 50 actions (CodePipeline's quota per
 * stage, docs.aws.amazon.com/codepipeline/latest/userguide/limits.html; GitOpsPipeline's MAX_ACTIONS_PER_STAGE)
 * into stages `<stage>.1`, `<stage>.2`, ... (GitOpsPipeline's addWaves for a wave, aws-cdk-lib/pipelines for an
 * environment or one of the pipeline's own stages): a wave `<name>.<digits>` beside a stage `<name>` takes a
 * part's name. GitOpsPipeline refuses that at synthesis (checkStageNames), naming a construct path, for a wave's
 * name and for the environment a wave deploys alone, and, once wave `x` is split into `x.1`, ..., for a wave
 * `x.1.1` too. Refused here whatever the split, since it changes as environments and assets are added; so are
 * the parts of the pipeline's own stages (`Assets.1`), which would be a second stage of that name.
 */
function checkWaveNames(r: Reader, environments: ServiceEnvironment[]): void {
  const members = new Map<string, number[]>();
  environments.forEach((env, i) => members.set(env.wave, [...(members.get(env.wave) ?? []), i]));
  // The stage name each wave takes when it deploys one environment alone.
  const soloStages = new Map(
    [...members].filter(([, indexes]) => indexes.length === 1).map(([wave, [i]]) => [environments[i].name, wave]),
  );
  environments.forEach((env, i) => {
    const alone = soloStages.get(env.wave);
    if (GitOpsPipeline.RESERVED_STAGE_NAMES.includes(env.wave)) {
      r.issue(
        `environments[${i}].wave`,
        `a wave name other than the pipeline's own stages (${GitOpsPipeline.RESERVED_STAGE_NAMES.join(', ')})`,
        `'${env.wave}'`,
      );
    } else if (alone !== undefined && alone !== env.wave) {
      r.issue(
        `environments[${i}].wave`,
        `a wave name other than '${env.wave}': wave '${alone}' deploys environment '${env.wave}' alone, and its pipeline stage takes that name`,
        `'${env.wave}'`,
      );
    }
  });
  // '' is a missing or invalid wave, already reported: it is nobody's stage.
  const named = [...members].filter(([wave]) => wave !== '');
  for (const [wave, [firstIndex]] of named) {
    const taken = (stage: string, owner: string): void =>
      r.issue(
        `environments[${firstIndex}].wave`,
        `a wave name other than '${stage}' followed by .<digits>: ${owner}, and a CodePipeline stage of more than 50 actions (CodePipeline's limit per stage) is split into stages '${stage}.1', '${stage}.2', ...`,
        `'${wave}'`,
      );
    const own = GitOpsPipeline.RESERVED_STAGE_NAMES.find((stage) => isSplitPartName(wave, stage));
    if (own !== undefined) {
      taken(own, `'${own}' is one of the pipeline's own stages`);
    }
    for (const [other, indexes] of named) {
      if (other === wave) continue;
      if (isSplitPartName(wave, other)) {
        taken(other, `'${other}' is the wave of ${indexes.map((i) => environments[i].name).join(', ')}`);
      }
      const solo = indexes.length === 1 ? environments[indexes[0]].name : undefined;
      if (solo !== undefined && solo !== other && isSplitPartName(wave, solo)) {
        taken(solo, `wave '${other}' deploys environment '${solo}' alone, as the stage '${solo}'`);
      }
    }
  }
}

/** Whether `name` is `stage` followed by one or more `.<digits>`: a part's name of the stage, or of one of its parts. */
function isSplitPartName(name: string, stage: string): boolean {
  if (!name.startsWith(`${stage}.`)) return false;
  return /^(\.\d+)+$/.test(name.slice(stage.length));
}

/**
 * Lambda keeps 100 of an account's concurrency in a region unreserved: the environments that share an account
 * and region share the 900 that the default quota of 1,000 leaves. Lambda would refuse the later one's
 * function during its deployment, after the earlier ones had changed.
 */
function checkReservedConcurrency(r: Reader, environments: ServiceEnvironment[]): void {
  const byPlace = new Map<string, number[]>();
  environments.forEach((env, i) => {
    const place = `${env.account}/${env.region}`;
    byPlace.set(place, [...(byPlace.get(place) ?? []), i]);
  });
  for (const indexes of byPlace.values()) {
    const total = indexes.reduce((sum, i) => sum + environments[i].reservedConcurrency, 0);
    if (indexes.length > 1 && total > MAX_RESERVED_CONCURRENCY) {
      const last = indexes[indexes.length - 1];
      const env = environments[last];
      r.issue(
        `environments[${last}].reservedConcurrency`,
        `at most ${MAX_RESERVED_CONCURRENCY} reserved by all the environments in account ${env.account} and region ${env.region} together (Lambda keeps 100 of the account's concurrency unreserved)`,
        `${total} in total (${indexes.map((i) => `${environments[i].name}: ${environments[i].reservedConcurrency}`).join(', ')})`,
      );
    }
  }
}

/** Reads fields, records an issue for each bad one and returns a placeholder so that reading goes on. */
class Reader {
  public readonly issues: ConfigIssue[] = [];

  constructor(private readonly file: string) {}

  public issue(field: string, expected: string, found: string): void {
    this.issues.push({ file: this.file, field: field || '(root)', expected, found });
  }

  public object(value: unknown, at: string, keys: string[]): { [key: string]: unknown } {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.issue(at, 'an object', describe(value));
      return {};
    }
    for (const key of Object.keys(value)) {
      if (!keys.includes(key)) {
        // A misspelt optional field would otherwise be ignored silently.
        this.issue(at ? `${at}.${key}` : key, `only the fields ${keys.join(', ')}`, `the unknown field '${key}'`);
      }
    }
    return value as { [key: string]: unknown };
  }

  public array(value: unknown, at: string): unknown[] {
    if (!Array.isArray(value)) {
      this.issue(at, 'a list', describe(value));
      return [];
    }
    return value;
  }

  public string(value: unknown, at: string, pattern?: RegExp, expected?: string): string {
    if (typeof value !== 'string' || value.length === 0) {
      this.issue(at, expected ?? 'a non-empty string', describe(value));
      return '';
    }
    if (pattern && !pattern.test(value)) {
      this.issue(at, expected ?? `a string matching ${pattern}`, describe(value));
    }
    return value;
  }

  public integer(value: unknown, at: string, min: number, max: number, why?: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.issue(at, `an integer from ${min} to ${max}${why ? ` ${why}` : ''}`, describe(value));
      return min;
    }
    return value;
  }

  public boolean(value: unknown, at: string): boolean {
    if (typeof value !== 'boolean') {
      this.issue(at, 'true or false', describe(value));
      return false;
    }
    return value;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
