import * as path from 'path';
import { WorkloadVpc } from '@groundwork/networking';
import { GitOpsPipeline } from '@groundwork/pipeline';
import { z } from 'zod';
import { cidrsOverlap, hasHostBits, parseCidr } from './cidr';
import { didYouMean } from './did-you-mean';
import { ConfigIssue, formatFieldPath } from './errors';
import {
  branchNameLimitReason,
  DRIFT_RECONCILE_ROLE_SUFFIX,
  driftDetectorRoleName,
  IAM_ROLE_NAME_MAX_LENGTH,
  maxAutoReconcileEnvironmentNameLength,
  maxBranchNameLength,
} from './name-limits';
import { canRecordIam, defaultGlobalResourcesRegion, GLOBAL_IAM_RECORDING_REGIONS } from './regions';
import {
  accountIdSchema,
  BRANCH_NAME,
  DEFAULT_BRANCHES,
  environmentNameSchema,
  NAME_WORDS,
  organizationNameSchema,
  quotasSchema,
  regionSchema,
  tagKeySchema,
} from './schema';
import { fileIssue, issueAt, locate, quoted, YamlFile } from './yaml-file';
import { NAT_STRATEGIES } from '../nat-strategies';
import { driftDetectorRoleNamePattern, ENVIRONMENT_STACK_IDS, pipelineStackName } from '../stack-names';

/*
 * Rules that need more than one field or more than one file. Each rule is a
 * pure function from the parsed files to issues. Rules read the raw data and
 * use only values that are valid on their own, so they still run (and report)
 * when another field of the same file has a schema error: all problems are
 * reported at once.
 */

/** groundwork.yaml as read: its file and its raw data (undefined when unparseable). */
export interface GroundworkSource {
  readonly yaml: YamlFile;
  readonly raw: unknown;
}

/** One environments/<name>.yaml as read. */
export interface EnvironmentSource {
  readonly yaml: YamlFile;
  /** File name without extension: the name the environment must have. */
  readonly fileName: string;
  readonly raw: unknown;
}

export interface ConfigSources {
  readonly groundwork?: GroundworkSource;
  /** Environment files that parsed as YAML. */
  readonly environments: readonly EnvironmentSource[];
  /**
   * Names of every environment file found, parseable or not (without extension).
   * References to these are not reported, so one broken file yields one error,
   * not a cascade. Defaults to the names of `environments`.
   */
  readonly environmentFileNames?: readonly string[];
}

/** Production environments need a human in the loop before deploying. */
export const PRODUCTION_NAMES = ['prod', 'production'];

/** AWS allows at most 50 user tags per resource (tags whose key starts with `aws:` do not count). */
export const MAX_TAGS_PER_RESOURCE = 50;

/**
 * The tags the app adds itself to the resource that gets the most of them, so config tags leave room
 * for them: a production environment's subnets carry `Name`, `aws-cdk:subnet-name` and
 * `aws-cdk:subnet-type` (aws-cdk-lib's Vpc) and `groundwork:environment-tier` (compliance.ts). Other
 * resources get fewer: roles `groundwork:boundary` (the deployment boundary) and the tier, NAT
 * gateways and route tables `Name` and the tier, the pipeline `SECURITY_CHECK`.
 */
export const APP_TAG_KEYS = ['Name', 'aws-cdk:subnet-name', 'aws-cdk:subnet-type', 'groundwork:environment-tier'];

/** Tags an environment may have, defaultTags included: 46. */
export const MAX_CONFIG_TAGS = MAX_TAGS_PER_RESOURCE - APP_TAG_KEYS.length;

/** The tag that names a stack's environment; stacks of no environment get their own value (tooling, organization). */
export const ENVIRONMENT_TAG = 'Environment';

/** Runs every cross-field and cross-file rule. */
export function checkConfigRules(sources: ConfigSources): ConfigIssue[] {
  const fileNames = sources.environmentFileNames ?? sources.environments.map((e) => e.fileName);
  // A file whose root is not a mapping is reported once, by the schema; no rule reads it.
  const groundwork = sources.groundwork && isMapping(sources.groundwork.raw) ? sources.groundwork : undefined;
  const environments = sources.environments.filter((env) => isMapping(env.raw));
  const issues: ConfigIssue[] = [];
  for (const env of environments) {
    issues.push(
      ...checkEnvironmentName(env),
      ...checkProductionApproval(env),
      ...checkAvailabilityZones(env),
      ...checkSubnetLayout(env),
      ...checkConfigRulesNeedRecorder(env),
      ...checkUniqueItems(env.yaml, env.raw, ['vpc', 'interfaceEndpoints']),
      ...checkUniqueItems(env.yaml, env.raw, ['vpc', 'availabilityZones']),
      ...checkUniqueItems(env.yaml, env.raw, ['deploymentTrust', 'allowedServices']),
    );
  }
  issues.push(...checkUniqueEnvironmentNames(environments), ...checkUniqueAccountRegions(environments));
  issues.push(...checkGlobalResourcesRecording(environments));
  issues.push(...checkCidrOverlap(environments));
  if (groundwork) {
    issues.push(
      ...checkUniqueItems(groundwork.yaml, groundwork.raw, ['notifications', 'emails']),
      ...checkUniqueItems(groundwork.yaml, groundwork.raw, ['compliance', 'packs']),
      ...checkUniqueItems(groundwork.yaml, groundwork.raw, ['compliance', 'requiredTags']),
      ...checkWaves(groundwork),
      ...checkEnvironmentWaves(groundwork, environments),
      ...checkWaveStageNames(groundwork, environments),
      ...checkBranches(groundwork, environments, fileNames),
      ...checkPipelineNameLengths(groundwork),
      ...checkPipelineNameCollisions(groundwork, environments),
      ...checkPipelineQuotas(groundwork, environments),
      ...checkSeparationOfDuties(groundwork, environments),
      ...checkAutoReconcileRegions(groundwork, environments),
      ...checkDriftDetectorRoleNames(groundwork, environments),
      ...checkRequiredTagsInDefaults(groundwork),
      ...checkTags(groundwork, environments),
      ...checkEmptyTagValues(groundwork, environments),
      ...checkRestrictedTagKeys(groundwork, environments),
      ...checkAccountHomesDeployed(groundwork, environments),
      ...checkAccessTrustPolicyLengths(groundwork),
      ...checkDriftReconcileTrustPolicyLengths(groundwork, environments),
      ...checkStackSets(groundwork, environments),
    );
  }
  return issues;
}

/**
 * The `name` field must equal the file name, so a file's name says what it deploys; so the file
 * name must be a valid environment name.
 */
export function checkEnvironmentName(env: EnvironmentSource): ConfigIssue[] {
  const name = validAt(env.raw, ['name'], environmentNameSchema);
  if (!environmentNameSchema.safeParse(env.fileName).success) {
    return [
      fileIssue(
        env.yaml.file,
        `${NAME_WORDS} followed by .yaml (the file name is the environment name)`,
        `"${path.basename(env.yaml.file)}"`,
        name === undefined ? undefined : `${name}.yaml`,
      ),
    ];
  }
  if (name === undefined || name === env.fileName) return [];
  return [
    issueAt(env.yaml, ['name'], `"${env.fileName}" (the file name without .yaml)`, {
      suggestion: env.fileName,
    }),
  ];
}

/** An environment named prod/production or marked `production: true` must require manual approval. */
export function checkProductionApproval(env: EnvironmentSource): ConfigIssue[] {
  const name = validAt(env.raw, ['name'], environmentNameSchema);
  const markedProduction = get(env.raw, ['production']) === true;
  const namedProduction = name !== undefined && PRODUCTION_NAMES.includes(name);
  if (!markedProduction && !namedProduction) return [];
  const approval = get(env.raw, ['approvalRequired']);
  if (approval === true) return [];
  const reason = markedProduction ? 'production: true' : `named "${name}"`;
  const present = locate(env.yaml, ['approvalRequired']).exists;
  return [
    issueAt(env.yaml, ['approvalRequired'], `true for a production environment (${reason})`, {
      locateAt: present ? undefined : markedProduction ? ['production'] : ['name'],
      found: present ? undefined : 'no value (defaults to false)',
    }),
  ];
}

/** Explicit AZs must belong to the environment's region and match `vpc.azCount`. */
export function checkAvailabilityZones(env: EnvironmentSource): ConfigIssue[] {
  const zones = get(env.raw, ['vpc', 'availabilityZones']);
  const region = validAt(env.raw, ['region'], regionSchema);
  if (!Array.isArray(zones) || region === undefined) return [];
  const issues: ConfigIssue[] = [];
  const zonePattern = new RegExp(`^${region}[a-z]$`);
  zones.forEach((zone, index) => {
    if (typeof zone === 'string' && !zonePattern.test(zone)) {
      issues.push(
        issueAt(env.yaml, ['vpc', 'availabilityZones', index], `an availability zone of ${region}, e.g. "${region}a"`),
      );
    }
  });
  const rawCount = get(env.raw, ['vpc', 'azCount']);
  const azCount = rawCount === undefined ? 2 : rawCount;
  if (typeof azCount === 'number' && Number.isInteger(azCount) && zones.length !== azCount) {
    const source = rawCount === undefined ? 'the default vpc.azCount' : 'vpc.azCount';
    issues.push(
      issueAt(env.yaml, ['vpc', 'availabilityZones'], `${azCount} availability zones (${source})`, {
        found: `${zones.length} ${zones.length === 1 ? 'zone' : 'zones'}`,
      }),
    );
  }
  return issues;
}

/** EC2's subnet (and VPC) netmask limit: a subnet is at most a /28. */
const SMALLEST_SUBNET_PREFIX = WorkloadVpc.SMALLEST_SUBNET_PREFIX_LENGTH;

/**
 * The VPC is big enough for its subnets. @groundwork/networking's WorkloadVpc carves one subnet per
 * tier and AZ, all the same size, from the VPC CIDR, and EC2 creates no subnet smaller than a /28: a
 * /24 with 6 AZs and 3 tiers would need /29 subnets. The synth fails on it, naming a construct path,
 * not the field; `WorkloadVpc.subnetPrefixLength` says so before the synth.
 */
export function checkSubnetLayout(env: EnvironmentSource): ConfigIssue[] {
  const text = get(env.raw, ['vpc', 'cidr']);
  const block = typeof text === 'string' ? parseCidr(text) : undefined;
  // A CIDR the schema rejects (syntax, range, host bits) is the schema's to report.
  if (!block || block.prefix < 16 || block.prefix > SMALLEST_SUBNET_PREFIX || hasHostBits(block)) return [];
  const zones = get(env.raw, ['vpc', 'availabilityZones']);
  const rawCount = get(env.raw, ['vpc', 'azCount']);
  const azCount = Array.isArray(zones) ? zones.length : rawCount === undefined ? 2 : rawCount;
  if (typeof azCount !== 'number' || !Number.isInteger(azCount) || azCount < 1 || azCount > 6) return [];
  const nat = get(env.raw, ['vpc', 'natStrategy']) ?? 'perAz';
  if (nat !== 'none' && nat !== 'single' && nat !== 'perAz') return [];
  const subnetPrefix = WorkloadVpc.subnetPrefixLength(block.prefix, NAT_STRATEGIES[nat], azCount);
  if (subnetPrefix <= SMALLEST_SUBNET_PREFIX) return [];
  const subnetBits = subnetPrefix - block.prefix;
  const tiers = nat === 'none' ? 2 : 3;
  const layout = `${tiers} subnet tiers x ${azCount} ${azCount === 1 ? 'AZ' : 'AZs'}${
    nat === 'none' ? ' (natStrategy none: public and isolated)' : ''
  }`;
  return [
    issueAt(
      env.yaml,
      ['vpc', 'cidr'],
      `a CIDR prefix of /${SMALLEST_SUBNET_PREFIX - subnetBits} or shorter for ${layout}, so that each subnet is at ` +
        `least a /${SMALLEST_SUBNET_PREFIX}, the smallest subnet EC2 creates (or fewer AZs)`,
      { found: `"${block.text}", which leaves /${subnetPrefix} subnets` },
    ),
  ];
}

/** AWS Config rules evaluate what the configuration recorder records: rules without the recorder do nothing. */
export function checkConfigRulesNeedRecorder(env: EnvironmentSource): ConfigIssue[] {
  if (get(env.raw, ['security', 'configRecorder']) !== false) return [];
  const rules = get(env.raw, ['security', 'configRules']);
  if (rules === false) return [];
  const present = rules !== undefined;
  return [
    issueAt(
      env.yaml,
      ['security', 'configRules'],
      'false when security.configRecorder is false (rules need the recorder)',
      {
        locateAt: present ? undefined : ['security', 'configRecorder'],
        found: present ? undefined : 'no value (defaults to true)',
      },
    ),
  ];
}

/** A list of plain values must not repeat a value (a repeat is always a copy-paste slip). */
export function checkUniqueItems(yaml: YamlFile, raw: unknown, listPath: readonly PropertyKey[]): ConfigIssue[] {
  const list = get(raw, listPath);
  if (!Array.isArray(list)) return [];
  const issues: ConfigIssue[] = [];
  const firstIndex = new Map<unknown, number>();
  list.forEach((item, index) => {
    if (typeof item === 'object' && item !== null) return;
    const first = firstIndex.get(item);
    if (first === undefined) {
      firstIndex.set(item, index);
    } else {
      issues.push(
        issueAt(yaml, [...listPath, index], `each value once in ${formatFieldPath(listPath)}`, {
          found: `${JSON.stringify(item)} again (also at ${formatFieldPath([...listPath, first])})`,
        }),
      );
    }
  });
  return issues;
}

/** Wave names and orders are unique, so the deployment order is unambiguous. */
export function checkWaves(groundwork: GroundworkSource): ConfigIssue[] {
  const waves = get(groundwork.raw, ['waves']);
  if (!Array.isArray(waves)) return [];
  const issues: ConfigIssue[] = [];
  const seenNames = new Map<string, number>();
  const seenOrders = new Map<number, number>();
  waves.forEach((wave, index) => {
    const name = get(wave, ['name']);
    const order = get(wave, ['order']);
    if (typeof name === 'string') {
      const first = seenNames.get(name);
      if (first !== undefined) {
        issues.push(
          issueAt(groundwork.yaml, ['waves', index, 'name'], 'a wave name no other wave uses', {
            found: `"${name}" again (also waves[${first}])`,
          }),
        );
      } else {
        seenNames.set(name, index);
      }
    }
    if (typeof order === 'number') {
      const first = seenOrders.get(order);
      if (first !== undefined) {
        issues.push(
          issueAt(groundwork.yaml, ['waves', index, 'order'], 'an order no other wave uses', {
            found: `${order} again (also waves[${first}])`,
          }),
        );
      } else {
        seenOrders.set(order, index);
      }
    }
  });
  return issues;
}

/**
 * Each wave is a CodePipeline stage, and a wave that deploys one environment is named after that environment
 * (aws-cdk-lib/pipelines). So a wave may not be named like an environment that another wave deploys alone in
 * the same branch's pipeline: the pipeline would need that stage name twice, and the synth would stop without
 * naming the config. Which environments a wave holds depends on the branch, so each branch is checked.
 */
export function checkWaveStageNames(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const waves = get(groundwork.raw, ['waves']);
  const branches = declaredBranches(groundwork);
  if (!Array.isArray(waves) || branches === undefined) return [];
  const names = environmentNames(environments);
  const issues: ConfigIssue[] = [];
  const reported = new Set<number>();
  for (const [branch, targets] of Object.entries(branches)) {
    const deployed = names
      .map((name, i) => ({ name, wave: get(environments[i].raw, ['wave']) }))
      .filter(({ name }) => branchDeploys(targets, name));
    const members = (wave: string) => deployed.filter((env) => env.wave === wave).map((env) => env.name);
    waves.forEach((wave, index) => {
      const name = get(wave, ['name']);
      if (typeof name !== 'string' || reported.has(index) || members(name).length === 0) return;
      const other = waves
        .map((w) => get(w, ['name']))
        .find(
          (w): w is string => typeof w === 'string' && w !== name && members(w).length === 1 && members(w)[0] === name,
        );
      if (other === undefined) return;
      reported.add(index);
      issues.push(
        issueAt(
          groundwork.yaml,
          ['waves', index, 'name'],
          `a wave name other than "${name}": in branch "${branch}"'s pipeline, wave "${other}" deploys environment "${name}" alone, and its pipeline stage takes the environment's name`,
          { found: `"${name}"` },
        ),
      );
    });
  }
  return issues;
}

/** Every environment's wave is declared in groundwork.yaml. */
export function checkEnvironmentWaves(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const waves = get(groundwork.raw, ['waves']);
  if (!Array.isArray(waves)) return [];
  const declared = waves.map((w) => get(w, ['name'])).filter((n): n is string => typeof n === 'string');
  // An empty waves list is already reported on groundwork.yaml.
  if (declared.length === 0) return [];
  const issues: ConfigIssue[] = [];
  for (const env of environments) {
    const wave = get(env.raw, ['wave']);
    if (typeof wave !== 'string' || declared.includes(wave)) continue;
    issues.push(
      issueAt(env.yaml, ['wave'], `a wave declared in groundwork.yaml (${quoteList(declared)})`, {
        suggestion: didYouMean(wave, declared),
      }),
    );
  }
  return issues;
}

/** Branches deploy existing environments, and the pipeline's own branch is one of them. */
export function checkBranches(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
  environmentFileNames: readonly string[] = environments.map((e) => e.fileName),
): ConfigIssue[] {
  // With no environment files at all, that is the one error to report.
  if (environmentFileNames.length === 0) return [];
  const names = [...new Set([...environmentNames(environments), ...environmentFileNames])].sort();
  const explicit = get(groundwork.raw, ['branches']);
  const branches = declaredBranches(groundwork);
  if (branches === undefined) return [];
  const issues: ConfigIssue[] = [];
  for (const [branch, targets] of Object.entries(branches)) {
    if (!Array.isArray(targets)) continue;
    targets.forEach((target, index) => {
      if (typeof target !== 'string' || names.includes(target)) return;
      const expected = `an environment defined in environments/ (${quoteList(names)})`;
      if (explicit === undefined) {
        issues.push(
          issueAt(groundwork.yaml, ['branches'], `${expected}; the default branches map deploys "${target}"`, {
            found: `no environment "${target}" (add a branches map)`,
          }),
        );
      } else {
        issues.push(
          issueAt(groundwork.yaml, ['branches', branch, index], expected, {
            suggestion: didYouMean(target, names),
          }),
        );
      }
    });
  }
  const pipelineBranch = get(groundwork.raw, ['repository', 'branch']);
  const keys = Object.keys(branches);
  if (typeof pipelineBranch === 'string' && !keys.includes(pipelineBranch)) {
    issues.push(
      issueAt(groundwork.yaml, ['repository', 'branch'], `a branch listed in branches (${quoteList(keys)})`, {
        suggestion: didYouMean(pipelineBranch, keys),
      }),
    );
  }
  return issues;
}

/** Environment names are unique (two files can still collide, e.g. through their `name` fields). */
export function checkUniqueEnvironmentNames(environments: readonly EnvironmentSource[]): ConfigIssue[] {
  return duplicates(
    environments,
    (env) => validAt(env.raw, ['name'], environmentNameSchema),
    (env, first, name) =>
      issueAt(env.yaml, ['name'], 'a name no other environment uses', {
        found: `"${name}", also used by ${relativeName(first)}`,
      }),
  );
}

/** Two environments in one account and region would deploy over each other. */
export function checkUniqueAccountRegions(environments: readonly EnvironmentSource[]): ConfigIssue[] {
  return duplicates(
    environments,
    (env) => {
      const account = validAt(env.raw, ['account'], accountIdSchema);
      const region = validAt(env.raw, ['region'], regionSchema);
      return account !== undefined && region !== undefined ? `${account}/${region}` : undefined;
    },
    (env, first, key) =>
      issueAt(env.yaml, ['account'], 'an account and region pair no other environment uses', {
        found: `"${key.split('/')[0]}" in ${key.split('/')[1]}, also used by ${relativeName(first)}`,
      }),
  );
}

/**
 * AWS Config records IAM resources only in the regions it served before February 2022
 * (GLOBAL_IAM_RECORDING_REGIONS). Each account records them, and holds its multi-region audit trail,
 * in its first environment with a Config recorder in such a region (platform.ts): an account whose
 * environments with a recorder are all in later regions would record IAM nowhere. Reported once per
 * account, on the region of its first such file.
 */
export function checkGlobalResourcesRecording(environments: readonly EnvironmentSource[]): ConfigIssue[] {
  const byAccount = new Map<string, { env: EnvironmentSource; region: string }[]>();
  const unreadable = new Set<string>();
  for (const env of environments) {
    const account = validAt(env.raw, ['account'], accountIdSchema);
    if (account === undefined || get(env.raw, ['security', 'configRecorder']) === false) continue;
    const region = validAt(env.raw, ['region'], regionSchema);
    // A misspelt region may be the one meant: the schema reports it, and this rule stays quiet.
    if (region === undefined) unreadable.add(account);
    else byAccount.set(account, [...(byAccount.get(account) ?? []), { env, region }]);
  }
  const issues: ConfigIssue[] = [];
  for (const [account, entries] of byAccount) {
    if (unreadable.has(account) || entries.some((e) => canRecordIam(e.region))) continue;
    const [first, ...others] = entries;
    const also = others.map((o) => `${relativeName(o.env)} in ${o.region}`);
    issues.push(
      issueAt(
        first.env.yaml,
        ['region'],
        `a region where AWS Config records IAM resources (${GLOBAL_IAM_RECORDING_REGIONS.join(', ')}) for at least ` +
          `one environment of account ${account} with security.configRecorder true: the account's IAM recording and ` +
          'audit trail go there (AWS Config records IAM only in the regions it served before February 2022)',
        {
          found: `"${first.region}", where AWS Config cannot record IAM${
            also.length > 0 ? `, and no other environment of the account can (${also.join(', ')})` : ''
          }`,
        },
      ),
    );
  }
  return issues;
}

/** VPC ranges must not overlap, so environments can be connected later (peering, Transit Gateway). */
export function checkCidrOverlap(environments: readonly EnvironmentSource[]): ConfigIssue[] {
  const blocks = environments.map((env) => {
    const text = get(env.raw, ['vpc', 'cidr']);
    const block = typeof text === 'string' ? parseCidr(text) : undefined;
    return block && block.prefix >= 16 && block.prefix <= 28 ? block : undefined;
  });
  const issues: ConfigIssue[] = [];
  environments.forEach((env, j) => {
    const block = blocks[j];
    if (!block) return;
    for (let i = 0; i < j; i++) {
      const other = blocks[i];
      if (other && cidrsOverlap(other, block)) {
        issues.push(
          issueAt(env.yaml, ['vpc', 'cidr'], "a CIDR block that does not overlap another environment's VPC", {
            found: `"${block.text}", which overlaps ${relativeName(environments[i])} (${other.text})`,
          }),
        );
        break;
      }
    }
  });
  return issues;
}

/**
 * Separation of duties: the tooling (pipeline) account only deploys, the
 * security account only audits, and workloads live elsewhere. An account in
 * two roles lets one compromise reach both.
 */
export function checkSeparationOfDuties(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const tooling = validAt(groundwork.raw, ['tooling', 'account'], accountIdSchema);
  const security = validAt(groundwork.raw, ['security', 'account'], accountIdSchema);
  const issues: ConfigIssue[] = [];
  if (tooling !== undefined && tooling === security) {
    issues.push(
      issueAt(groundwork.yaml, ['security', 'account'], 'a security account other than the tooling account', {
        found: `"${security}", the tooling account (separation of duties)`,
      }),
    );
  }
  for (const env of environments) {
    const account = validAt(env.raw, ['account'], accountIdSchema);
    if (account === undefined) continue;
    const role = account === tooling ? 'tooling' : account === security ? 'security' : undefined;
    if (role) {
      issues.push(
        issueAt(env.yaml, ['account'], 'a workload account, not the tooling or security account', {
          found: `"${account}", the ${role} account in groundwork.yaml (separation of duties)`,
        }),
      );
    }
  }
  return issues;
}

/**
 * Auto-reconcile starts the tooling account's drift reconciler from the environment's drift detector,
 * through the reconcile role; Step Functions calls CodeBuild only in its own region with an assumed
 * role (DriftDetector), so an environment outside the tooling region can detect and alert, not reconcile.
 */
export function checkAutoReconcileRegions(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const toolingRegion = validAt(groundwork.raw, ['tooling', 'region'], regionSchema);
  if (toolingRegion === undefined) return [];
  return environments.flatMap((env) => {
    const region = validAt(env.raw, ['region'], regionSchema);
    if (get(env.raw, ['drift', 'autoReconcile']) !== true || region === undefined || region === toolingRegion) {
      return [];
    }
    return [
      issueAt(
        env.yaml,
        ['drift', 'autoReconcile'],
        `false in a region other than the tooling region ${toolingRegion} (the drift detector can start the ` +
          'reconciler only in its own region; drift is still detected and alerted)',
        { found: `true in ${region}` },
      ),
    ];
  });
}

/**
 * An auto-reconciling environment names its drift detector's role `<org>-<env>-drift-detector`
 * (name-limits.ts), which must fit IAM's 64 characters. Reported on the environment's name.
 */
export function checkDriftDetectorRoleNames(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const org = validAt(groundwork.raw, ['organization', 'name'], organizationNameSchema);
  if (org === undefined) return [];
  const max = maxAutoReconcileEnvironmentNameLength(org);
  return environments.flatMap((env) => {
    const name = validAt(env.raw, ['name'], environmentNameSchema);
    if (get(env.raw, ['drift', 'autoReconcile']) !== true || name === undefined || name.length <= max) {
      return [];
    }
    return [
      issueAt(
        env.yaml,
        ['name'],
        `an environment name of at most ${max} characters with organization.name "${org}" while ` +
          `drift.autoReconcile is on (its drift detector's role "${driftDetectorRoleName(org, name)}" ` +
          `must fit IAM's ${IAM_ROLE_NAME_MAX_LENGTH}-character limit; or turn drift.autoReconcile off)`,
        { found: `"${name}" (${name.length} characters)` },
      ),
    ];
  });
}

/**
 * The stackSets section: CloudFormation's "a count or a percentage, not both"
 * (StackSetOperationPreferences), settings that only mean something together,
 * no organizational unit or region listed twice, the global-resources region in
 * every target, and an administrator account the pipeline does not deploy to.
 */
export function checkStackSets(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const section = get(groundwork.raw, ['stackSets']);
  if (section === undefined || section === null || typeof section !== 'object') return [];
  const at = (...keys: PropertyKey[]) => ['stackSets', ...keys];
  const issues: ConfigIssue[] = [];
  for (const [count, percentage] of [
    ['failureToleranceCount', 'failureTolerancePercentage'],
    ['maxConcurrentCount', 'maxConcurrentPercentage'],
  ]) {
    const prefs = ['operationPreferences'];
    if (get(section, [...prefs, count]) !== undefined && get(section, [...prefs, percentage]) !== undefined) {
      issues.push(
        issueAt(
          groundwork.yaml,
          at(...prefs, percentage),
          `${count} or ${percentage}, not both (CloudFormation StackSet operation preferences)`,
          { found: `both (${count}: ${JSON.stringify(get(section, [...prefs, count]))})` },
        ),
      );
    }
  }
  if (get(section, ['retainStacksOnAccountRemoval']) === true && get(section, ['autoDeployment']) === false) {
    issues.push(
      issueAt(
        groundwork.yaml,
        at('retainStacksOnAccountRemoval'),
        'false or unset when autoDeployment is false (only automatic deployment removes stacks from accounts)',
      ),
    );
  }
  if (get(section, ['parts', 'securityBaseline']) === false && get(section, ['parts', 'deploymentTrust']) === false) {
    issues.push(
      issueAt(groundwork.yaml, at('parts'), 'at least one part (securityBaseline or deploymentTrust) switched on', {
        found: 'both false',
      }),
    );
  }
  const targets = get(section, ['targets']);
  const regions = new Set<string>();
  if (Array.isArray(targets)) {
    const firstIndex = new Map<string, number>();
    targets.forEach((_target, index) => {
      issues.push(...checkUniqueItems(groundwork.yaml, groundwork.raw, at('targets', index, 'regions')));
      const targetRegions = get(targets, [index, 'regions']);
      if (Array.isArray(targetRegions)) targetRegions.forEach((r) => typeof r === 'string' && regions.add(r));
      const ou = get(targets, [index, 'organizationalUnitId']);
      if (typeof ou !== 'string') return;
      const first = firstIndex.get(ou);
      if (first === undefined) {
        firstIndex.set(ou, index);
      } else {
        issues.push(
          issueAt(groundwork.yaml, at('targets', index, 'organizationalUnitId'), 'each organizational unit once', {
            found: `"${ou}" again (also at stackSets.targets[${first}])`,
          }),
        );
      }
    });
  }
  const globalRegion = validAt(section, ['globalResourcesRegion'], regionSchema);
  // Only with the security baseline's own recorder does the global-resources region record IAM.
  const recordsIam =
    get(section, ['parts', 'securityBaseline']) !== false &&
    get(section, ['securityBaseline', 'configRecorder']) !== false;
  if (recordsIam && globalRegion !== undefined && !canRecordIam(globalRegion)) {
    issues.push(
      issueAt(
        groundwork.yaml,
        at('globalResourcesRegion'),
        `a region where AWS Config records IAM resources (${GLOBAL_IAM_RECORDING_REGIONS.join(', ')}): AWS Config ` +
          'records IAM only in the regions it served before February 2022',
        { found: `"${globalRegion}", where it cannot (no account of the units would have its IAM recorded)` },
      ),
    );
  }
  const firstTargetRegions = get(targets, [0, 'regions']);
  if (
    recordsIam &&
    get(section, ['globalResourcesRegion']) === undefined &&
    Array.isArray(firstTargetRegions) &&
    firstTargetRegions.length > 0 &&
    firstTargetRegions.every((r) => regionSchema.safeParse(r).success) &&
    !firstTargetRegions.some(canRecordIam)
  ) {
    issues.push(
      issueAt(
        groundwork.yaml,
        at('targets', 0, 'regions'),
        "a region where AWS Config records IAM resources among the first target's regions (the default " +
          `global-resources region), or stackSets.globalResourcesRegion set to one (${GLOBAL_IAM_RECORDING_REGIONS.join(', ')})`,
        { found: `the regions ${quoteList(firstTargetRegions as string[])}, where AWS Config cannot record IAM` },
      ),
    );
  }
  if (globalRegion !== undefined && regions.size > 0 && !regions.has(globalRegion)) {
    issues.push(
      issueAt(groundwork.yaml, at('globalResourcesRegion'), `one of the target regions (${quoteList([...regions])})`, {
        found: `"${globalRegion}", where no StackSet deploys (no account would get the audit trail or record IAM)`,
      }),
    );
  } else if (
    Array.isArray(targets) &&
    // An invalid globalResourcesRegion is the schema's to report.
    (globalRegion !== undefined || get(section, ['globalResourcesRegion']) === undefined)
  ) {
    issues.push(...checkGlobalRegionInEveryTarget(groundwork, targets, globalRegion));
  }
  issues.push(...checkStackSetsAdministrator(groundwork, environments));
  return issues;
}

/**
 * The security baseline's audit trail (multi-region, so one per account) and AWS Config's recording
 * of IAM live in one region: the explicit `globalResourcesRegion`, or the first region of the first
 * target where AWS Config records IAM (defaultGlobalResourcesRegion). A target without that region
 * would leave its accounts with neither.
 */
function checkGlobalRegionInEveryTarget(
  groundwork: GroundworkSource,
  targets: readonly unknown[],
  explicit: string | undefined,
): ConfigIssue[] {
  const firstRegions = get(targets, [0, 'regions']);
  const firstRegion =
    Array.isArray(firstRegions) && firstRegions.every((r) => regionSchema.safeParse(r).success)
      ? defaultGlobalResourcesRegion(firstRegions as string[])
      : undefined;
  const globalRegion = explicit ?? firstRegion;
  if (globalRegion === undefined) return [];
  const source =
    explicit !== undefined
      ? 'stackSets.globalResourcesRegion'
      : 'by default the first region of the first target where AWS Config records IAM, as stackSets.globalResourcesRegion is not set';
  const issues: ConfigIssue[] = [];
  targets.forEach((_target, index) => {
    const regions = get(targets, [index, 'regions']);
    if (!Array.isArray(regions) || regions.length === 0 || regions.includes(globalRegion)) return;
    // A misspelt region may be the one meant: the schema reports it, and this rule stays quiet.
    if (!regions.every((r) => regionSchema.safeParse(r).success)) return;
    const written = regions as string[];
    issues.push(
      issueAt(
        groundwork.yaml,
        ['stackSets', 'targets', index, 'regions'],
        `"${globalRegion}" among the regions, the global-resources region (${source}): the one region of each ` +
          "account with the audit trail and AWS Config's recording of IAM resources",
        { found: `the regions ${quoteList(written)}` },
      ),
    );
  });
  return issues;
}

/**
 * The StackSets administrator holds the StackSets, which deploy as administrator into every account of
 * the units, and their template asset: it must be an account the pipeline cannot deploy to. In the
 * tooling account or an environment account the pipeline's bootstrap roles could update the StackSets
 * stack, or write the security baseline's template object, and so reach every account of the units.
 */
function checkStackSetsAdministrator(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const admin = validAt(groundwork.raw, ['stackSets', 'administrator', 'account'], accountIdSchema);
  if (admin === undefined) return [];
  const uses: string[] = [];
  if (admin === validAt(groundwork.raw, ['tooling', 'account'], accountIdSchema)) uses.push('the tooling account');
  for (const env of environments) {
    if (validAt(env.raw, ['account'], accountIdSchema) === admin) uses.push(`the account of ${relativeName(env)}`);
  }
  if (uses.length === 0) return [];
  return [
    issueAt(
      groundwork.yaml,
      ['stackSets', 'administrator', 'account'],
      'an account the pipeline does not deploy to, not the tooling account or an environment account (the ' +
        "pipeline's roles there could change the StackSets or their template, and so every account of the units)",
      { found: `"${admin}", ${uses.join(' and ')}` },
    ),
  ];
}

/**
 * The stacks that belong to no environment carry the required tags too: the pipeline stack
 * (platform.ts) and the StackSets stack with its StackSets' stacks (organization-stack-sets-stack.ts)
 * are tagged with defaultTags and their own Environment (tooling, organization), nothing else. So
 * every required tag but Environment needs a value in defaultTags, or Groundwork-TAG1 fails the synth
 * on every resource of those stacks.
 */
export function checkRequiredTagsInDefaults(groundwork: GroundworkSource): ConfigIssue[] {
  const required = requiredTags(groundwork).filter((tag) => tag !== ENVIRONMENT_TAG);
  const defaults = plainMap(get(groundwork.raw, ['defaultTags']));
  const { absent, empty } = missingTags(required, defaults);
  if (absent.length + empty.length === 0) return [];
  const hasDefaults = locate(groundwork.yaml, ['defaultTags']).exists;
  const rawRequired = get(groundwork.raw, ['compliance', 'requiredTags']) as unknown[];
  const firstMissing = rawRequired.indexOf([...absent, ...empty][0]);
  return [
    issueAt(
      groundwork.yaml,
      ['defaultTags'],
      `a value for each tag of compliance.requiredTags except ${ENVIRONMENT_TAG} (the pipeline stack and the ` +
        `StackSets stack belong to no environment: they are tagged with defaultTags and ${ENVIRONMENT_TAG} only)`,
      {
        locateAt: hasDefaults ? ['defaultTags'] : ['compliance', 'requiredTags', firstMissing],
        found: describeMissingTags(absent, empty, ''),
      },
    ),
  ];
}

/**
 * Tag keys the app puts on IAM roles itself: the deployment boundary's tag (cross-account-roles'
 * BootstrapContract.BOUNDARY_TAG_KEY) and the environment tier (compliance.ts).
 */
export const APP_ROLE_TAG_KEYS = ['groundwork:boundary', 'groundwork:environment-tier'];

/**
 * Tag keys that IAM would take for the same key: IAM compares tag keys without letter case ("Tag keys are
 * case insensitive"), and every role of an environment carries its tags, so `Owner` beside `owner`, or a
 * key the app sets on roles itself in any case, fails CreateRole at deploy time. Each pair is reported on
 * the later key: in defaultTags, or in the environment's tags (an environment key that repeats a default
 * key in the same case replaces it, on purpose).
 */
function caseCollisions(
  file: YamlFile,
  field: 'defaultTags' | 'tags',
  keys: readonly string[],
  earlier: ReadonlyMap<string, string>,
  earlierWhere: string,
): ConfigIssue[] {
  const seen = new Map(earlier);
  const issues: ConfigIssue[] = [];
  for (const key of keys) {
    const lower = key.toLowerCase();
    const appKey = APP_ROLE_TAG_KEYS.find((k) => k === lower);
    const other = seen.get(lower);
    if (appKey !== undefined || (other !== undefined && other !== key)) {
      issues.push(
        issueAt(
          file,
          [field, key],
          appKey !== undefined
            ? `a tag key other than ${quoteList(APP_ROLE_TAG_KEYS)} in any letter case (the app sets them on every role)`
            : `tag keys that differ in more than letter case (IAM compares tag keys without case, and every role ` +
                `of the environment carries these tags: CreateRole refuses both)`,
          {
            at: 'key',
            found: appKey !== undefined ? `"${key}"` : `"${key}" beside "${other}"${earlierWhere}`,
          },
        ),
      );
    }
    if (!seen.has(lower) || earlier.get(lower) === key) seen.set(lower, key);
  }
  return issues;
}

/** Every environment carries the required tags (from defaultTags or its own), within the AWS tag limit. */
export function checkTags(groundwork: GroundworkSource, environments: readonly EnvironmentSource[]): ConfigIssue[] {
  const required = requiredTags(groundwork);
  const defaults = plainMap(get(groundwork.raw, ['defaultTags']));
  // A tag missing from defaultTags is reported there once (checkRequiredTagsInDefaults), not again per environment.
  const missingInDefaults = missingTags(
    required.filter((tag) => tag !== ENVIRONMENT_TAG),
    defaults,
  );
  const reported = new Set([...missingInDefaults.absent, ...missingInDefaults.empty]);
  const issues: ConfigIssue[] = [];
  // defaultTags' own collisions, reported there once; then each environment's keys against them.
  const defaultKeys = new Map<string, string>();
  issues.push(...caseCollisions(groundwork.yaml, 'defaultTags', Object.keys(defaults), new Map(), ''));
  for (const key of Object.keys(defaults)) {
    if (!defaultKeys.has(key.toLowerCase())) defaultKeys.set(key.toLowerCase(), key);
  }
  for (const env of environments) {
    const own = plainMap(get(env.raw, ['tags']));
    issues.push(...caseCollisions(env.yaml, 'tags', Object.keys(own), defaultKeys, ' (defaultTags)'));
    const keys = new Set([...Object.keys(defaults), ...Object.keys(own)]);
    const hasTags = locate(env.yaml, ['tags']).exists;
    const toCheck = required.filter((tag) => !reported.has(tag));
    const { absent, empty } = missingTags(toCheck, { ...defaults, ...own });
    if (absent.length + empty.length > 0) {
      issues.push(
        issueAt(env.yaml, ['tags'], `tags including ${quoteList(required)} (compliance.requiredTags)`, {
          locateAt: hasTags ? ['tags'] : [],
          found: describeMissingTags(absent, empty, ' here or in defaultTags'),
        }),
      );
    }
    if (keys.size > MAX_CONFIG_TAGS) {
      issues.push(
        issueAt(
          env.yaml,
          ['tags'],
          `at most ${MAX_CONFIG_TAGS} tags with defaultTags (AWS allows ${MAX_TAGS_PER_RESOURCE} per resource, and ` +
            `the app adds up to ${APP_TAG_KEYS.length} of its own, on subnets: ${APP_TAG_KEYS.join(', ')})`,
          { locateAt: hasTags ? ['tags'] : [], found: `${keys.size} tags` },
        ),
      );
    }
  }
  return issues;
}

/**
 * No tag value is empty. Every stack of the platform holds CloudWatch alarms (and the security dashboard, the
 * drift detector's Step Functions state machine), which carry every tag, and CloudFormation takes their tag
 * values with at least 1 character (AWS::CloudWatch::Alarm Tag, Value: "Minimum: 1", CloudFormation Template
 * Reference; likewise AWS::CloudWatch::Dashboard and AWS::StepFunctions::StateMachine): the synth fails on each
 * of them (CloudFormation Validate F3033), naming construct paths, not the tag. A required tag that is empty is
 * reported by the required-tag rules already (Groundwork-TAG1 counts it as missing), so not again here.
 */
export function checkEmptyTagValues(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const required = new Set(requiredTags(groundwork));
  const expected =
    'a tag value of 1-256 characters (CloudFormation takes no empty tag value on the CloudWatch alarms and ' +
    'dashboards and the Step Functions state machine that every stack holds, and every resource carries every tag)';
  const empties = (file: YamlFile, field: 'defaultTags' | 'tags', tags: Record<string, unknown>) =>
    Object.entries(tags)
      .filter(([key, value]) => value === '' && !required.has(key))
      .map(([key]) => issueAt(file, [field, key], expected));
  return [
    ...empties(groundwork.yaml, 'defaultTags', plainMap(get(groundwork.raw, ['defaultTags']))),
    ...environments.flatMap((env) => empties(env.yaml, 'tags', plainMap(get(env.raw, ['tags'])))),
  ];
}

/**
 * The tag keys the Security Hub hub takes: its CloudFormation resource schema (AWS::SecurityHub::Hub,
 * aws-cloudformation-resource-providers-securityhub) allows keys matching `^(?!aws:)[a-zA-Z+-=._:/]+$`, where
 * `+-=` is the range from "+" to "=" (digits among them). Of the characters a config tag key may hold, that
 * leaves ASCII letters, digits and `_ . : / = + -`: no spaces, "@" or letters outside ASCII.
 */
export const SECURITY_HUB_TAG_KEY = /^[A-Za-z0-9_.:/=+-]+$/;

/**
 * The tag keys a StackSet takes: AWS::CloudFormation::StackSet's resource schema allows keys matching
 * `^(?!aws:.*)[a-zA-Z0-9\s\:\_\.\/\=\+\-]+$` (as aws-cdk-lib's CloudFormation template validation reports it,
 * F3031): of a config tag key's characters, no "@" and no letters or digits outside ASCII.
 */
export const STACK_SET_TAG_KEY = /^[A-Za-z0-9\s:_./=+-]+$/;

/**
 * Tag keys that a resource carrying every tag refuses, though AWS takes them on most others: the synth fails on
 * its construct path (CloudFormation Validate F3002, F3031), naming neither the tag nor the file. With Security
 * Hub on (security.securityHub, on by default) the environment's Security stack holds the hub, which carries
 * every tag of the environment; the StackSets' security baseline holds one too, tagged with defaultTags; and with
 * stackSets, the StackSets themselves carry defaultTags. An environment's own key is reported there; a key of
 * defaultTags once, on defaultTags, naming what refuses it.
 */
export function checkRestrictedTagKeys(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const valid = (key: string) => tagKeySchema.safeParse(key).success;
  const hubWords =
    'a tag key of ASCII letters, digits and _ . : / = + - only while Security Hub is on (the Security Hub hub ' +
    'carries every tag, and its CloudFormation schema takes no other characters: no spaces, "@" or letters ' +
    'outside ASCII)';
  const hubOn = (env: EnvironmentSource) => get(env.raw, ['security', 'securityHub']) !== false;
  const issues: ConfigIssue[] = [];
  for (const env of environments.filter(hubOn)) {
    const explicit = get(env.raw, ['security', 'securityHub']) === true;
    for (const key of Object.keys(plainMap(get(env.raw, ['tags'])))) {
      if (!valid(key) || SECURITY_HUB_TAG_KEY.test(key)) continue;
      issues.push(
        issueAt(env.yaml, ['tags', key], hubWords, {
          at: 'key',
          found: `${quoted(key)}, with security.securityHub ${explicit ? 'true' : 'on by default'}`,
        }),
      );
    }
  }
  const hubs = environments.filter(hubOn).map(relativeName);
  const stackSets = get(groundwork.raw, ['stackSets']);
  const withStackSets = isMapping(stackSets);
  if (
    withStackSets &&
    get(stackSets, ['parts', 'securityBaseline']) !== false &&
    get(stackSets, ['securityBaseline', 'securityHub']) !== false
  ) {
    hubs.push('the stackSets security baseline');
  }
  const hubsWhere = hubs.length > 3 ? `${hubs.slice(0, 3).join(', ')} and ${hubs.length - 3} more` : hubs.join(', ');
  for (const key of Object.keys(plainMap(get(groundwork.raw, ['defaultTags'])))) {
    if (!valid(key)) continue;
    if (hubs.length > 0 && !SECURITY_HUB_TAG_KEY.test(key)) {
      issues.push(
        issueAt(groundwork.yaml, ['defaultTags', key], hubWords, {
          at: 'key',
          found: `${quoted(key)}, with Security Hub on in ${hubsWhere}`,
        }),
      );
    } else if (withStackSets && !STACK_SET_TAG_KEY.test(key)) {
      issues.push(
        issueAt(
          groundwork.yaml,
          ['defaultTags', key],
          'a tag key of ASCII letters, digits, spaces and _ . : / = + - only with stackSets (the StackSets carry ' +
            'defaultTags, and CloudFormation takes no other characters in the tag keys of a StackSet: no "@" or ' +
            'letters outside ASCII)',
          { at: 'key', found: `${quoted(key)}, with stackSets in groundwork.yaml` },
        ),
      );
    }
  }
  return issues;
}

/**
 * The length a role trust policy may have, in characters without white space: groundwork.yaml
 * `quotas.roleTrustPolicyLength`, or IAM's default quota (2,048) without it. Undefined when the `quotas` section is
 * there but invalid, the field or the section itself (a misspelt field, `quotas: 4096`): the schema reports it, and
 * a rule measuring against a limit the author did not mean, the default included, would report policies that fit
 * the quota they have.
 */
function roleTrustPolicyLimit(groundwork: GroundworkSource): number | undefined {
  return validAt(groundwork.raw, ['quotas'], quotasSchema)?.roleTrustPolicyLength;
}

/** The MFA age the break-glass role's trust requires (account-access-stack.ts: one hour). */
const BREAK_GLASS_MAX_MFA_AGE_SECONDS = 3600;

/**
 * The trust policy an access stack's role gets (@groundwork/cross-account-roles `trustedRolePrincipal`, as
 * AccountAccessStack builds SecurityAuditRole and BreakGlassRole): one statement that trusts the security
 * account's roles matching the patterns, the break-glass one with its MFA conditions. As IAM counts it, without
 * white space; a test compares it with the synthesized access stack.
 */
export function accessTrustPolicy(securityAccount: string, patterns: readonly string[], breakGlass: boolean): string {
  const arns = patterns.map((p) => JSON.stringify(`arn:aws:iam::${securityAccount}:role/${p}`)).join(',');
  const mfa = breakGlass
    ? '"Bool":{"aws:MultiFactorAuthPresent":"true"},' +
      `"NumericLessThan":{"aws:MultiFactorAuthAge":"${BREAK_GLASS_MAX_MFA_AGE_SECONDS}"},`
    : '';
  return (
    '{"Statement":[{"Action":["sts:AssumeRole","sts:SetSourceIdentity","sts:TagSession"],' +
    `"Condition":{"Null":{"sts:ExternalId":"true"},${mfa}"ArnLike":{"aws:PrincipalArn":[${arns}]}},` +
    `"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${securityAccount}:root"}}],"Version":"2012-10-17"}`
  );
}

/**
 * Every environment account's audit and break-glass roles trust the security account's roles by the patterns of
 * security.auditorRoles and security.breakGlassRoles, each pattern a role ARN in the trust policy. IAM refuses a
 * trust policy over its quota, 2,048 characters by default ("Role trust policy length", IAM and AWS STS quotas;
 * quotas.roleTrustPolicyLength): validation and synth passed, and the administrator's deployment of the access
 * stack failed. About 18 patterns of 60 characters fill 2,048.
 */
export function checkAccessTrustPolicyLengths(groundwork: GroundworkSource): ConfigIssue[] {
  const account = validAt(groundwork.raw, ['security', 'account'], accountIdSchema);
  const limit = roleTrustPolicyLimit(groundwork);
  if (account === undefined || limit === undefined) return [];
  const issues: ConfigIssue[] = [];
  for (const [field, breakGlass, defaults] of [
    ['auditorRoles', false, ['groundwork-security-auditor']],
    ['breakGlassRoles', true, ['groundwork-break-glass-operator']],
  ] as const) {
    const raw = get(groundwork.raw, ['security', field]);
    const patterns = raw === undefined ? [...defaults] : raw;
    if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string')) continue;
    const length = accessTrustPolicy(account, patterns, breakGlass).length;
    if (length <= limit) continue;
    const role = breakGlass ? 'break-glass' : 'audit';
    issues.push(
      issueAt(
        groundwork.yaml,
        ['security', field],
        `role patterns whose ARNs fit the ${role} role's trust policy in IAM's ${limit} characters ` +
          `(quotas.roleTrustPolicyLength; each pattern is "arn:aws:iam::${account}:role/<pattern>" in it; fewer ` +
          'or broader patterns, e.g. one ending in *)',
        { found: `${patterns.length} patterns, a trust policy of ${length} characters` },
      ),
    );
  }
  return issues;
}

/**
 * The trust policy of a pipeline's drift-reconcile role (platform.ts `driftReconcileRole`) without
 * organization.id, as IAM counts it: without white space, in the partition `aws` (every region of the config is
 * in the commercial partition). One statement that trusts the drift detector roles `<org>-*-drift-detector` of
 * the given accounts, about 15 characters per account (with organization.id, of the organization: one size at
 * any number of accounts). A test compares it with the synthesized role.
 */
export function driftReconcileTrustPolicy(organizationName: string, accounts: readonly string[]): string {
  return JSON.stringify({
    Statement: [
      {
        Action: 'sts:AssumeRole',
        Condition: {
          ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::*:role/${driftDetectorRoleNamePattern(organizationName)}` },
          StringEquals: { 'aws:PrincipalAccount': [...new Set(accounts)].sort() },
        },
        Effect: 'Allow',
        Principal: { AWS: '*' },
      },
    ],
    Version: '2012-10-17',
  });
}

/**
 * Each branch's pipeline builds a drift-reconcile role for the auto-reconciling environments it owns (platform.ts
 * `owningBranch`: the repository branch when it deploys the environment, else the first branch of `branches` that
 * does). Without organization.id its trust policy lists their accounts, and IAM refuses a trust policy over its
 * quota (quotas.roleTrustPolicyLength; 2,048 characters hold about 120 accounts): the synth failed on the role's
 * construct path. Reported on organization.id, once per branch whose role is over; with the id the policy has one
 * size at any number of accounts.
 */
export function checkDriftReconcileTrustPolicyLengths(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const org = validAt(groundwork.raw, ['organization', 'name'], organizationNameSchema);
  const limit = roleTrustPolicyLimit(groundwork);
  const branches = declaredBranches(groundwork);
  // An organization id, valid or not (the schema reports an invalid one), leaves nothing to count.
  if (org === undefined || limit === undefined || branches === undefined) return [];
  if (get(groundwork.raw, ['organization', 'id']) !== undefined) return [];
  const reconciling = environments
    .filter((env) => get(env.raw, ['drift', 'autoReconcile']) === true)
    .map((env) => ({
      name: validAt(env.raw, ['name'], environmentNameSchema),
      account: validAt(env.raw, ['account'], accountIdSchema),
    }));
  // An environment without a valid name or account would be miscounted: the schema reports it first.
  if (reconciling.some((env) => env.name === undefined || env.account === undefined)) return [];
  const repositoryBranch = get(groundwork.raw, ['repository', 'branch']);
  const ownerOf = (name: string) =>
    typeof repositoryBranch === 'string' &&
    Object.prototype.hasOwnProperty.call(branches, repositoryBranch) &&
    branchDeploys(branches[repositoryBranch], name)
      ? repositoryBranch
      : Object.keys(branches).find((branch) => branchDeploys(branches[branch], name));
  const accountsByBranch = new Map<string, string[]>();
  for (const env of reconciling) {
    const owner = ownerOf(env.name!);
    if (owner !== undefined) accountsByBranch.set(owner, [...(accountsByBranch.get(owner) ?? []), env.account!]);
  }
  const issues: ConfigIssue[] = [];
  for (const [branch, accounts] of accountsByBranch) {
    const length = driftReconcileTrustPolicy(org, accounts).length;
    if (length <= limit) continue;
    const count = new Set(accounts).size;
    issues.push(
      issueAt(
        groundwork.yaml,
        ['organization', 'id'],
        `an AWS Organizations id such as "o-a1b2c3d4e5" for the drift-reconcile role of branch "${branch}"'s ` +
          'pipeline: without it, its trust policy lists the account of every auto-reconciling environment the ' +
          `branch owns and must fit IAM's ${limit} characters (quotas.roleTrustPolicyLength); or fewer ` +
          'auto-reconciling accounts',
        { found: `none, and a trust policy of ${length} characters for ${count} accounts` },
      ),
    );
  }
  return issues;
}

/**
 * Each account's home environment (platform.ts `accountHomes`: its first environment, in wave order then name,
 * with security.configRecorder on in a region where AWS Config records IAM) holds what is global to the account:
 * the audit trail with its CIS alarms, AWS Config's recording of IAM and the Config rules on IAM; its first
 * environment (`accountAccessHolders`) has the drift detector that checks the account's access stack. Both are
 * chosen from every environment of the config, so that every branch makes the same choice. When no branch
 * deploys that environment while a branch deploys another one of the account, the account runs without them,
 * and nothing says so. Reported on `branches`, once per account and environment.
 */
export function checkAccountHomesDeployed(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const branches = get(groundwork.raw, ['branches']);
  // The default map deploys every environment (main: all); another value is the schema's to report.
  if (!isMapping(branches)) return [];
  const waves = get(groundwork.raw, ['waves']);
  const waveOrder = new Map<unknown, unknown>(
    (Array.isArray(waves) ? waves : []).map((w) => [get(w, ['name']), get(w, ['order'])]),
  );
  const deployedBy = (name: string) => Object.keys(branches).filter((b) => branchDeploys(branches[b], name));
  interface Entry {
    readonly name: string;
    readonly order: number;
    readonly region: string;
    readonly recorder: boolean;
  }
  const byAccount = new Map<string, Entry[]>();
  const unreadable = new Set<string>();
  for (const env of environments) {
    const account = validAt(env.raw, ['account'], accountIdSchema);
    if (account === undefined) continue;
    const name = validAt(env.raw, ['name'], environmentNameSchema);
    const region = validAt(env.raw, ['region'], regionSchema);
    const order = waveOrder.get(get(env.raw, ['wave']));
    // The order of the account's environments is unknown: the schema or another rule reports why.
    if (name === undefined || region === undefined || typeof order !== 'number') {
      unreadable.add(account);
      continue;
    }
    const recorder = get(env.raw, ['security', 'configRecorder']) !== false;
    byAccount.set(account, [...(byAccount.get(account) ?? []), { name, order, region, recorder }]);
  }
  const issues: ConfigIssue[] = [];
  for (const [account, entries] of byAccount) {
    if (unreadable.has(account)) continue;
    const ordered = [...entries].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
    const deployed = ordered.filter((e) => deployedBy(e.name).length > 0).map((e) => e.name);
    if (deployed.length === 0) continue;
    const home =
      ordered.find((e) => e.recorder && canRecordIam(e.region)) ??
      (ordered.some((e) => e.recorder) ? undefined : ordered[0]);
    const roles = new Map<string, string[]>();
    if (home) {
      roles.set(home.name, [
        "its home environment, which holds the account's audit trail with its CIS alarms, AWS Config's recording " +
          'of IAM and the Config rules on IAM',
      ]);
    }
    const first = ordered[0];
    roles.set(first.name, [
      ...(roles.get(first.name) ?? []),
      "its first environment, whose drift detector checks the account's access stack",
    ]);
    for (const [name, what] of roles) {
      if (deployed.includes(name)) continue;
      issues.push(
        issueAt(
          groundwork.yaml,
          ['branches'],
          `a branch that deploys environment "${name}" of account ${account}: ${what.join(', and ')} ` +
            '(chosen in wave order, then name, from every environment of the config)',
          {
            at: 'key',
            found: `no branch that deploys it, while branches deploy ${quoteList(deployed)} of that account`,
          },
        ),
      );
    }
  }
  return issues;
}

/**
 * Every branch's pipeline names fit AWS's limits (name-limits.ts): a branch other than the
 * repository branch names its pipeline `<org>-platform-<branch>`, and its drift-reconcile role
 * `<org>-platform-<branch>-drift-reconcile` has at most 64 characters. Reported on the branch, or on
 * organization.name when the branches come from the default map (develop).
 */
export function checkPipelineNameLengths(groundwork: GroundworkSource): ConfigIssue[] {
  const org = validAt(groundwork.raw, ['organization', 'name'], organizationNameSchema);
  if (org === undefined) return [];
  const explicit = get(groundwork.raw, ['branches']);
  const branches = explicit === undefined ? DEFAULT_BRANCHES : explicit;
  if (!isMapping(branches)) return [];
  const repositoryBranch = get(groundwork.raw, ['repository', 'branch']);
  const max = maxBranchNameLength(org);
  const issues: ConfigIssue[] = [];
  for (const branch of Object.keys(branches)) {
    if (branch === repositoryBranch || branch.length <= max) continue;
    if (explicit === undefined) {
      const maxOrg = org.length - (branch.length - max);
      issues.push(
        issueAt(
          groundwork.yaml,
          ['organization', 'name'],
          `an organization name of at most ${maxOrg} characters while the default branches map builds a pipeline ` +
            `for "${branch}" (${branchNameLimitReason(org)}; or add a branches map)`,
          { found: `"${org}" (${org.length} characters)` },
        ),
      );
    } else {
      issues.push(
        issueAt(
          groundwork.yaml,
          ['branches', branch],
          `a branch name of at most ${max} characters with organization.name "${org}" (${branchNameLimitReason(org)})`,
          { at: 'key', found: `"${branch}" (${branch.length} characters)` },
        ),
      );
    }
  }
  return issues;
}

/**
 * Each branch builds its own pipeline stack, `<org>-platform-<branch>` with every character other than a letter,
 * digit or hyphen made a hyphen (stack-names.ts). Two branches that differ only in those characters
 * (`feature/a`, `feature.a`) would deploy the same stack, with the same named resources, over each other. Two
 * that differ only in letter case (`Feature`, `feature`) get two stacks, but when both deploy an auto-reconciling
 * environment both create the drift-reconcile role `<pipeline>-drift-reconcile`, and IAM role names are unique
 * without regard to case (CreateRole): the second pipeline fails to deploy. Reported on the later branch.
 */
export function checkPipelineNameCollisions(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const org = validAt(groundwork.raw, ['organization', 'name'], organizationNameSchema);
  const branches = get(groundwork.raw, ['branches']);
  // The default map (main, develop) cannot collide; an invalid organization name is the schema's to report.
  if (org === undefined || !isMapping(branches)) return [];
  const repositoryBranch = get(groundwork.raw, ['repository', 'branch']);
  const reconciling = new Set(
    environments
      .filter((env) => get(env.raw, ['drift', 'autoReconcile']) === true)
      .map((env) => get(env.raw, ['name'])),
  );
  const reconciles = (branch: string) => [...reconciling].some((name) => branchDeploys(branches[branch], name));
  const exact = new Map<string, string>();
  const anyCase = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  const report = (branch: string, why: string, found: string) =>
    issues.push(
      issueAt(groundwork.yaml, ['branches', branch], `a branch whose pipeline no other branch shares (${why})`, {
        at: 'key',
        found: `"${branch}", ${found}`,
      }),
    );
  const pipelineOf = (branch: string) =>
    pipelineStackName(org, branch, typeof repositoryBranch === 'string' ? repositoryBranch : '');
  for (const branch of Object.keys(branches)) {
    // A key that is no branch name is the schema's to report.
    if (!BRANCH_NAME.test(branch)) continue;
    const name = pipelineOf(branch);
    const same = exact.get(name);
    if (same !== undefined) {
      report(
        branch,
        'pipeline names make every character but letters, digits and hyphens a "-"',
        `whose pipeline "${name}" is also that of branch "${same}"`,
      );
      continue;
    }
    exact.set(name, branch);
    if (!reconciles(branch)) continue;
    const sameButCase = anyCase.get(name.toLowerCase());
    if (sameButCase !== undefined) {
      report(
        branch,
        'IAM role names ignore letter case, and both branches deploy an auto-reconciling environment, so both ' +
          `pipelines create a role "<pipeline>${DRIFT_RECONCILE_ROLE_SUFFIX}"`,
        `whose pipeline "${name}" differs from branch "${sameButCase}"'s "${pipelineOf(sameButCase)}" only in letter case`,
      );
      continue;
    }
    anyCase.set(name.toLowerCase(), branch);
  }
  return issues;
}

/**
 * CodePipeline's quotas on the pipeline's shape, as @groundwork/pipeline's GitOpsPipeline applies them at synth
 * (the same constants): 50 actions per stage, 50 stages and 500 actions per pipeline.
 */
export const MAX_ACTIONS_PER_STAGE = GitOpsPipeline.MAX_ACTIONS_PER_STAGE;
export const MAX_STAGES_PER_PIPELINE = GitOpsPipeline.MAX_STAGES_PER_PIPELINE;
export const MAX_ACTIONS_PER_PIPELINE = GitOpsPipeline.MAX_ACTIONS_PER_PIPELINE;

/**
 * The stages aws-cdk-lib/pipelines puts before the waves, one action each: Source, Build, UpdatePipeline and Assets
 * (the environments' stacks hold Lambda code, file assets, which GitOpsPipeline publishes in one action per asset
 * type).
 */
export const PIPELINE_OWN_STAGES = 4;

/** What the pipeline's layout needs to know of an environment. */
export interface PipelineEnvironment {
  readonly wave: string;
  readonly production: boolean;
  readonly approvalRequired: boolean;
}

/**
 * The CodePipeline actions that deploy one environment (GitOpsPipeline.addEnvironment): one per stack of its stage,
 * two with pipeline.changeSets (Prepare, Deploy); after them one action that validates the environment or, for
 * production, turns on termination protection; before them a manual approval when required, and for production
 * the permissions-broadening check (two actions).
 */
export function environmentActions(env: PipelineEnvironment, changeSets: boolean): number {
  const stacks = ENVIRONMENT_STACK_IDS.length * (changeSets ? 2 : 1);
  return stacks + 1 + (env.approvalRequired ? 1 : 0) + (env.production ? 2 : 0);
}

/**
 * The stages and actions of a branch's pipeline, for its environments in deployment order (wave order, then
 * name): its own stages, then each wave (in order of first appearance) in stages of at most 50 actions, a new
 * stage started where the next environment would pass 50 (GitOpsPipeline.addWaves). A test compares it with
 * synthesized pipelines.
 */
export function pipelineSize(
  environments: readonly PipelineEnvironment[],
  changeSets: boolean,
): { stages: number; actions: number } {
  let stages = PIPELINE_OWN_STAGES;
  let actions = PIPELINE_OWN_STAGES;
  const waves = [...new Set(environments.map((env) => env.wave))];
  for (const wave of waves) {
    let inStage = 0;
    for (const env of environments.filter((e) => e.wave === wave)) {
      const size = environmentActions(env, changeSets);
      if (inStage === 0 || inStage + size > MAX_ACTIONS_PER_STAGE) {
        stages += 1;
        inStage = 0;
      }
      inStage += size;
      actions += size;
    }
  }
  return { stages, actions };
}

/**
 * Each branch's pipeline fits CodePipeline's fixed quotas of stages and actions per pipeline (pipelineSize). The synth
 * failed on the pipeline's construct path (GitOpsPipeline), naming no field. Reported on the branch in `branches`,
 * or on `waves` when `branches` is the default map.
 */
export function checkPipelineQuotas(
  groundwork: GroundworkSource,
  environments: readonly EnvironmentSource[],
): ConfigIssue[] {
  const branches = declaredBranches(groundwork);
  const waves = get(groundwork.raw, ['waves']);
  const changeSets = get(groundwork.raw, ['pipeline', 'changeSets']) ?? false;
  if (branches === undefined || !Array.isArray(waves) || typeof changeSets !== 'boolean') return [];
  const order = new Map<unknown, unknown>(waves.map((w) => [get(w, ['name']), get(w, ['order'])]));
  const flag = (value: unknown) => (value === undefined ? false : value);
  const deployed = environments.map((env) => ({
    name: validAt(env.raw, ['name'], environmentNameSchema),
    wave: get(env.raw, ['wave']),
    order: order.get(get(env.raw, ['wave'])),
    production: flag(get(env.raw, ['production'])),
    approvalRequired: flag(get(env.raw, ['approvalRequired'])),
  }));
  // The layout needs every environment's place and kind: what is missing or invalid is another rule's to report.
  const readable = deployed.every(
    (env) =>
      env.name !== undefined &&
      typeof env.wave === 'string' &&
      typeof env.order === 'number' &&
      typeof env.production === 'boolean' &&
      typeof env.approvalRequired === 'boolean',
  );
  if (!readable) return [];
  const ordered = (deployed as Array<PipelineEnvironment & { name: string; order: number }>).sort(
    (a, b) => a.order - b.order || a.name.localeCompare(b.name),
  );
  const org = validAt(groundwork.raw, ['organization', 'name'], organizationNameSchema);
  const repositoryBranch = get(groundwork.raw, ['repository', 'branch']);
  const explicit = isMapping(get(groundwork.raw, ['branches']));
  const issues: ConfigIssue[] = [];
  for (const [branch, targets] of Object.entries(branches)) {
    const ofBranch = ordered.filter((env) => branchDeploys(targets, env.name));
    if (ofBranch.length === 0) continue;
    const { stages, actions } = pipelineSize(ofBranch, changeSets);
    if (stages <= MAX_STAGES_PER_PIPELINE && actions <= MAX_ACTIONS_PER_PIPELINE) continue;
    const over = [
      stages > MAX_STAGES_PER_PIPELINE ? `${stages} stages` : undefined,
      actions > MAX_ACTIONS_PER_PIPELINE ? `${actions} actions` : undefined,
    ].filter((part) => part !== undefined);
    const waveCount = new Set(ofBranch.map((env) => env.wave)).size;
    const pipeline =
      org !== undefined && typeof repositoryBranch === 'string'
        ? ` "${pipelineStackName(org, branch, repositoryBranch)}"`
        : '';
    issues.push(
      issueAt(
        groundwork.yaml,
        explicit ? ['branches', branch] : ['waves'],
        `a pipeline within CodePipeline's ${MAX_STAGES_PER_PIPELINE} stages and ${MAX_ACTIONS_PER_PIPELINE} actions ` +
          `for branch "${branch}" (fixed quotas): ${PIPELINE_OWN_STAGES} stages of its own and one per wave (more for ` +
          `a wave of over ${MAX_ACTIONS_PER_STAGE} actions); per environment one action per stack (two with ` +
          'pipeline.changeSets), one to validate or protect it, one for an approval, two for a production ' +
          `environment's permissions check. ${stages > MAX_STAGES_PER_PIPELINE ? 'Merge waves, or split' : 'Split'} ` +
          'the environments over more branches (each builds a pipeline of its own)' +
          (actions > MAX_ACTIONS_PER_PIPELINE && changeSets ? ', or set pipeline.changeSets to false' : ''),
        {
          at: 'key',
          found: `${over.join(' and ')} in its pipeline${pipeline}, for ${ofBranch.length} environments in ${waveCount} waves`,
        },
      ),
    );
  }
  return issues;
}

function requiredTags(groundwork: GroundworkSource): string[] {
  const raw = get(groundwork.raw, ['compliance', 'requiredTags']);
  return Array.isArray(raw) ? raw.filter((t): t is string => typeof t === 'string') : [];
}

/** Required tags without a value (Groundwork-TAG1 counts an empty value as missing). */
function missingTags(required: readonly string[], tags: Record<string, unknown>) {
  const has = (tag: string) => Object.prototype.hasOwnProperty.call(tags, tag);
  return {
    absent: required.filter((tag) => !has(tag)),
    empty: required.filter((tag) => has(tag) && tags[tag] === ''),
  };
}

function describeMissingTags(absent: readonly string[], empty: readonly string[], where: string): string {
  const parts: string[] = [];
  if (absent.length > 0) parts.push(`no ${quoteList(absent)} ${absent.length === 1 ? 'tag' : 'tags'}${where}`);
  if (empty.length > 0) parts.push(`an empty ${quoteList(empty)} ${empty.length === 1 ? 'tag' : 'tags'}`);
  return parts.join(' and ');
}

function environmentNames(environments: readonly EnvironmentSource[]): string[] {
  return environments.map((env) => validAt(env.raw, ['name'], environmentNameSchema) ?? env.fileName);
}

function duplicates(
  environments: readonly EnvironmentSource[],
  keyOf: (env: EnvironmentSource) => string | undefined,
  report: (env: EnvironmentSource, first: EnvironmentSource, key: string) => ConfigIssue,
): ConfigIssue[] {
  const seen = new Map<string, EnvironmentSource>();
  const issues: ConfigIssue[] = [];
  for (const env of environments) {
    const key = keyOf(env);
    if (key === undefined) continue;
    const first = seen.get(key);
    if (first) issues.push(report(env, first, key));
    else seen.set(key, env);
  }
  return issues;
}

function relativeName(env: EnvironmentSource): string {
  return `environments/${path.basename(env.yaml.file)}`;
}

function quoteList(values: readonly string[]): string {
  return values.length === 0 ? 'none declared' : values.map((v) => `"${v}"`).join(', ');
}

/** groundwork.yaml's `branches` as written, or the default map when there is none; undefined when it is no map. */
function declaredBranches(groundwork: GroundworkSource): Record<string, unknown> | undefined {
  const explicit = get(groundwork.raw, ['branches']);
  const branches = explicit === undefined ? DEFAULT_BRANCHES : explicit;
  return isMapping(branches) ? branches : undefined;
}

/** Whether a branch's targets (`all`, or a list of environment names, as written) deploy the environment. */
function branchDeploys(targets: unknown, environment: unknown): boolean {
  return targets === 'all' || (Array.isArray(targets) && targets.includes(environment));
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function plainMap(value: unknown): Record<string, unknown> {
  return isMapping(value) ? value : {};
}

/** The value at a path in raw data, or undefined. */
function get(raw: unknown, keys: readonly PropertyKey[]): unknown {
  let current = raw;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The value at a path if it passes `schema` on its own, else undefined. */
function validAt<T extends z.ZodType>(raw: unknown, keys: readonly PropertyKey[], schema: T): z.output<T> | undefined {
  const result = schema.safeParse(get(raw, keys));
  return result.success ? result.data : undefined;
}
