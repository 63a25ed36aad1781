import { z } from 'zod';
import { hasHostBits, networkOf, parseCidr, withoutLeadingZeros } from './cidr';
import { COMMERCIAL_REGIONS } from './regions';
import { checkScheduleExpression } from './schedule';

/*
 * The single source of truth for Groundwork's config files. The loader parses
 * with these schemas, the JSON Schema files under config/schema/ are generated
 * from them (projenrc/config-schema.ts), and the TypeScript types below are
 * inferred from them.
 *
 * The schemas check each file on its own; checks that need more than one field
 * or more than one file (overlapping CIDRs, waves, separation of duties, ...)
 * live in validate.ts.
 */

/**
 * What a field expects, in words, for error messages ("expected <this>, found ...").
 * Kept apart from `.describe()`, which feeds editor hovers through the JSON Schema.
 */
export const expectations = z.registry<{ expected: string }>();

function expecting<T extends z.ZodType>(schema: T, expected: string): T {
  expectations.add(schema as z.ZodType, { expected });
  return schema;
}

/** Custom issues raised by our refinements carry an optional suggestion for "did you mean". */
export interface SuggestionParams {
  readonly suggestion?: string;
}

// ---------------------------------------------------------------------------
// Scalars

export const accountIdSchema = expecting(
  z
    .string()
    .regex(/^\d{12}$/)
    .describe('AWS account id: exactly 12 digits, quoted so YAML keeps it a string (e.g. "111111111111")'),
  'a 12-digit AWS account id as a quoted string, e.g. "111111111111"',
);

export const regionSchema = expecting(
  z.enum(COMMERCIAL_REGIONS).describe('AWS region of the commercial partition, e.g. eu-west-1'),
  'a commercial AWS region such as "eu-west-1"',
);

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
/** What an environment or wave name must be, in words. */
export const NAME_WORDS =
  'a lowercase name of letters, digits and hyphens starting with a letter (at most 32 characters)';

/** A lowercase name (environment, wave); a factory so each use keeps its own description. */
function nameSchema(description: string) {
  return expecting(z.string().regex(NAME_PATTERN).describe(description), NAME_WORDS);
}

export const environmentNameSchema = nameSchema('Environment name: lowercase letters, digits and hyphens');

/**
 * EC2 (CreateTags, and so the VPC and subnets, which carry every environment tag) accepts tag keys of at most
 * 127 characters, one fewer than most services (EC2 API Reference, Tag).
 */
export const MAX_TAG_KEY_LENGTH = 127;

export const tagKeySchema = expecting(
  z
    .string()
    .min(1)
    .max(MAX_TAG_KEY_LENGTH)
    // AWS reserves the prefix in any letter case ("aws:, AWS:, or any upper or lowercase combination").
    .regex(/^(?![aA][wW][sS]:)[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u)
    .describe(
      `Tag key (1-${MAX_TAG_KEY_LENGTH} characters: EC2 takes ${MAX_TAG_KEY_LENGTH}; not starting with "aws:" in any letter case)`,
    ),
  `a tag key of 1-${MAX_TAG_KEY_LENGTH} letters, digits, spaces or _.:/=+-@, not starting with "aws:" in any letter ` +
    `case (AWS reserves the prefix; EC2, which tags the VPC and subnets, takes at most ${MAX_TAG_KEY_LENGTH} characters)`,
);
const tagValueSchema = expecting(
  z
    .string()
    .max(256)
    .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u)
    .describe('Tag value (AWS: 0-256 characters)'),
  'a tag value as a string of at most 256 letters, digits, spaces or _.:/=+-@',
);
const tagsSchema = z.record(tagKeySchema, tagValueSchema);

const roleNamePatternSchema = expecting(
  z
    .string()
    // An IAM role name (1-64 of [\w+=,.@-]), optionally ending in * after 3 literal characters, optionally after
    // the role's path: segments of the same characters, the first of at least 3; a * may start the name after
    // a path. IAM Identity Center's roles are aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<set>_<id>.
    .regex(/^(?:[\w+=,.@-]{3,}\/(?:[\w+=,.@-]+\/)*\*?)?[\w+=,.@-]{3,64}\*?$/)
    .describe(
      'IAM role name in the security account, optionally ending in *, optionally after its path (e.g. "groundwork-security-auditor", "aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SecurityAuditor_*")',
    ),
  'an IAM role name of at least 3 characters, optionally ending in *, optionally after its IAM path (e.g. aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SecurityAuditor_*)',
);

/**
 * Services no deployment trust may allow: `<svc>:*` for any of them would let the execution role leave the
 * account's deployment job (@groundwork/cross-account-roles `FORBIDDEN_SERVICES`, internal to that package and
 * compared with it by a test; not imported here, the schema loads without aws-cdk-lib).
 */
export const FORBIDDEN_TRUST_SERVICES = ['organizations', 'account', 'sts', 'sso', 'identitystore'] as const;

/** An IAM service prefix as the deployment trust takes it (cross-account-roles `validateServices`). */
const IAM_SERVICE_PREFIX = /^[a-z0-9][a-z0-9-]*$/;

const serviceNameSchema = expecting(
  z
    .string()
    .regex(/^[a-z][a-z0-9.-]*$/)
    // The pattern above is the JSON Schema's (editor hints); the deployment trust takes less. Both are checked
    // here, so `npm run validate` says so instead of the bootstrap template (or, under stackSets, the synth)
    // failing on a construct path.
    .superRefine((value, ctx) => {
      if (!/^[a-z][a-z0-9.-]*$/.test(value)) return;
      if (!IAM_SERVICE_PREFIX.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message:
            'an IAM service prefix such as "ecr" or "cloudformation": letters, digits and hyphens, no "." (the ' +
            'deployment trust allows `<prefix>:*`; "ecr.api" is an endpoint name, its IAM prefix is "ecr")',
          params: { suggestion: value.split('.')[0] } satisfies SuggestionParams,
        });
      } else if ((FORBIDDEN_TRUST_SERVICES as readonly string[]).includes(value)) {
        ctx.addIssue({
          code: 'custom',
          message:
            `a service other than ${FORBIDDEN_TRUST_SERVICES.map((v) => `"${v}"`).join(', ')} (\`${value}:*\` would ` +
            "let the CloudFormation execution role reach beyond the account's resources: the deployment trust refuses it)",
        });
      }
    })
    .describe('IAM service prefix the deployment trust allows as <prefix>:*, e.g. ssm, ecr, cloudformation'),
  'an IAM service prefix such as "ssm" or "cloudformation" (lowercase letters, digits and hyphens)',
);

/** `deploymentTrust` of an environment or of the StackSets: the services the deploy role may manage `where`. */
function deploymentTrustSchema(where: string) {
  return z
    .strictObject({
      allowedServices: z
        .array(serviceNameSchema)
        .min(1)
        .default(() => [...DEFAULT_ALLOWED_SERVICES])
        .describe(`Services the pipeline deployment role may manage ${where}`),
    })
    .prefault({});
}

export const cidrSchema = expecting(
  z
    .string()
    .describe('IPv4 CIDR block of the VPC, prefix /16 to /28')
    .superRefine((value, ctx) => {
      const block = parseCidr(value);
      const unpadded = block ? undefined : withoutLeadingZeros(value);
      if (unpadded) {
        // inet_aton and others read 010 as octal 8: the same text would name different ranges.
        ctx.addIssue({
          code: 'custom',
          message: 'an IPv4 CIDR block without leading zeros (some tools read 010 as octal 8)',
          params: { suggestion: unpadded } satisfies SuggestionParams,
        });
      } else if (!block) {
        ctx.addIssue({ code: 'custom', message: 'an IPv4 CIDR block such as "10.0.0.0/16"' });
      } else if (block.prefix < 16 || block.prefix > 28) {
        // EC2 CreateVpc accepts netmasks from /16 to /28 only.
        ctx.addIssue({ code: 'custom', message: 'a CIDR prefix between /16 and /28 (the VPC size limits)' });
      } else if (hasHostBits(block)) {
        ctx.addIssue({
          code: 'custom',
          message: 'a network address with the host bits zero',
          params: { suggestion: networkOf(block) } satisfies SuggestionParams,
        });
      }
    }),
  'an IPv4 CIDR block such as "10.0.0.0/16"',
);

export const scheduleSchema = expecting(
  z
    .string()
    .describe('EventBridge schedule expression, "rate(...)" or "cron(...)"')
    .superRefine((value, ctx) => {
      const problem = checkScheduleExpression(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  'an EventBridge schedule expression such as "rate(1 hour)"',
);

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const logRetentionSchema = expecting(
  z.literal(LOG_RETENTION_DAYS).describe('Flow log retention in days, one of the values CloudWatch Logs accepts'),
  `a CloudWatch Logs retention in days (${LOG_RETENTION_DAYS.join(', ')})`,
);

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// The connection's region is a region of the commercial partition, as every region of the config is.
const REGION_PART = `(?:${COMMERCIAL_REGIONS.join('|')})`;

export const connectionArnSchema = expecting(
  z
    .string()
    .regex(new RegExp(`^arn:aws:(?:codeconnections|codestar-connections):${REGION_PART}:\\d{12}:connection/${UUID}$`))
    .describe('ARN of the CodeConnections (or older CodeStar Connections) connection to GitHub'),
  'a connection ARN such as "arn:aws:codeconnections:eu-west-1:111111111111:connection/<uuid>"',
);

const slackChannelArnSchema = expecting(
  z
    .string()
    .regex(/^arn:aws:chatbot::\d{12}:chat-configuration\/slack-channel\/[A-Za-z0-9_-]{1,128}$/)
    .describe('ARN of an AWS Chatbot Slack channel configuration'),
  'a Chatbot Slack channel ARN such as "arn:aws:chatbot::111111111111:chat-configuration/slack-channel/platform"',
);

const emailSchema = expecting(z.email().describe('Email address for notifications'), 'an email address');

// ---------------------------------------------------------------------------
// groundwork.yaml

/** Compliance packs the synth runs: the two cdk-nag packs and Groundwork's own. */
export const COMPLIANCE_PACKS = ['AwsSolutions', 'NIST80053R5', 'Groundwork'] as const;

const waveSchema = z
  .strictObject({
    name: nameSchema('Deployment wave name'),
    order: expecting(
      z.int().min(1).describe('Deployment order: lower waves deploy first'),
      'a whole number of at least 1',
    ),
  })
  .describe('A deployment wave: environments in the same wave deploy in parallel');

const branchTargetsSchema = expecting(
  z
    .union([z.literal('all'), z.array(environmentNameSchema).min(1)])
    .describe('"all", or the list of environment names this branch deploys'),
  '"all" or a list of environment names',
);

/** What a branch name may hold (its characters; git adds rules of its own). */
export const BRANCH_NAME = /^[A-Za-z0-9._/-]+$/;

/**
 * Why git refuses a branch name made of BRANCH_NAME's characters (git-check-ref-format, with `--branch`), or
 * undefined. A pipeline for such a branch would wait for pushes to a branch that cannot exist; a name starting
 * with "-" would also reach the pipeline's synth command as an option (`npm run synth -- --branch -x`).
 */
export function gitBranchNameProblem(name: string): string | undefined {
  if (name.startsWith('-')) return 'starts with "-"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'starts or ends with "/" or holds "//"';
  if (name.includes('..')) return 'holds ".."';
  if (name.endsWith('.')) return 'ends with "."';
  if (name.split('/').some((part) => part.startsWith('.'))) return 'has a part starting with "."';
  if (name.split('/').some((part) => part.endsWith('.lock'))) return 'has a part ending with ".lock"';
  if (name === 'HEAD') return 'is "HEAD"';
  return undefined;
}

// Every rule of gitBranchNameProblem, so that a name refused for its characters learns the others too.
const GIT_BRANCH_WORDS =
  'a git branch name: letters, digits and . _ / -, not starting with "-" or "/", not ending with "/" or ".", ' +
  'without ".." or "//", no part starting with "." or ending with ".lock", not "HEAD" (git refuses those)';

function branchNameSchema(description: string) {
  return expecting(
    z
      .string()
      .regex(BRANCH_NAME)
      // git's own rules, beyond the characters (not in the JSON Schema, which editors use for hints only).
      .superRefine((value, ctx) => {
        if (!BRANCH_NAME.test(value)) return;
        const problem = gitBranchNameProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: `a branch name git accepts (this one ${problem})` });
      })
      .describe(description),
    GIT_BRANCH_WORDS,
  );
}

// ---------------------------------------------------------------------------
// stackSets (optional): baseline every account of organizational units

/** AWS Organizations id patterns (OrganizationalUnitId and Root Id of the Organizations API). */
const ORGANIZATIONAL_UNIT_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;

/** Why a StackSet may not target the organization root, in words (the error for a root id). */
export const ROOT_TARGET_WORDS =
  'an organizational unit id such as "ou-ab12-cd34ef56", not the organization root (the root holds every account, ' +
  'the tooling, security, StackSets administrator and environment accounts too, which must stay out of the targeted ' +
  'units: target the workload units)';

const organizationalUnitIdSchema = expecting(
  z
    .string()
    // A root id is well-formed but not allowed: say why, instead of "does not match".
    .superRefine((value, ctx) => {
      if (ROOT_ID.test(value)) ctx.addIssue({ code: 'custom', message: ROOT_TARGET_WORDS, continue: false });
    })
    .regex(ORGANIZATIONAL_UNIT_ID)
    .describe('Organizational unit id, e.g. "ou-ab12-cd34ef56" (not the organization root "r-...")'),
  'an organizational unit id such as "ou-ab12-cd34ef56"',
);

const stackSetTargetSchema = z
  .strictObject({
    organizationalUnitId: organizationalUnitIdSchema,
    regions: z.array(regionSchema).min(1).describe('Regions to deploy to in every account of the unit'),
  })
  .describe('An organizational unit (with its child units) and the regions its accounts are baselined in');

const percentageSchema = (description: string, min: 0 | 1) =>
  expecting(z.int().min(min).max(100).describe(description), `a whole number from ${min} to 100`);

export const REGION_CONCURRENCY = ['SEQUENTIAL', 'PARALLEL'] as const;
export const CONCURRENCY_MODES = ['STRICT_FAILURE_TOLERANCE', 'SOFT_FAILURE_TOLERANCE'] as const;

const operationPreferencesSchema = z
  .strictObject({
    failureToleranceCount: expecting(
      z
        .int()
        .min(0)
        .optional()
        .describe('Accounts per region that may fail before CloudFormation stops the operation in that region'),
      'a whole number of at least 0',
    ),
    failureTolerancePercentage: percentageSchema(
      'Failure tolerance as a percentage of the accounts per region',
      0,
    ).optional(),
    maxConcurrentCount: expecting(
      z
        .int()
        .min(1)
        .optional()
        .describe(
          'Upper limit of accounts deployed at once per region; under STRICT_FAILURE_TOLERANCE the concurrency starts ' +
            'at the lower of this and the failure tolerance + 1',
        ),
      'a whole number of at least 1',
    ),
    maxConcurrentPercentage: percentageSchema(
      'Upper limit of accounts deployed at once, as a percentage of the accounts per region; under ' +
        'STRICT_FAILURE_TOLERANCE the concurrency starts at the lower of this and the failure tolerance + 1',
      1,
    ).optional(),
    regionConcurrency: z
      .enum(REGION_CONCURRENCY)
      .default('SEQUENTIAL')
      .describe('SEQUENTIAL: one region at a time; PARALLEL: every region at once'),
    concurrencyMode: z
      .enum(CONCURRENCY_MODES)
      .default('STRICT_FAILURE_TOLERANCE')
      .describe(
        'STRICT_FAILURE_TOLERANCE: the concurrency starts at the lower of the maximum concurrency and the failure ' +
          'tolerance + 1, and drops as accounts fail; SOFT_FAILURE_TOLERANCE: the maximum concurrency, whatever fails ' +
          '(CloudFormation StackSet ConcurrencyMode)',
      ),
  })
  .describe('How CloudFormation rolls a StackSet change out; give a count or a percentage, not both');

const stackSetsSchema = z
  .strictObject({
    administrator: z
      .strictObject({
        account: accountIdSchema,
        region: regionSchema,
        callAs: z
          .enum(['SELF', 'DELEGATED_ADMIN'])
          .default('DELEGATED_ADMIN')
          .describe('SELF in the management account; DELEGATED_ADMIN in a delegated StackSets administrator'),
      })
      .describe('The account and region that own the StackSets (the management account or a delegated administrator)'),
    targets: z.array(stackSetTargetSchema).min(1).describe('Organizational units to baseline, with their regions'),
    autoDeployment: z
      .boolean()
      .default(true)
      .describe('Deploy to accounts that join a target unit, and remove from accounts that leave'),
    retainStacksOnAccountRemoval: z
      .boolean()
      .default(false)
      .describe('Keep the stacks (and the baseline) in an account that leaves a target unit'),
    operationPreferences: operationPreferencesSchema.prefault({}),
    parts: z
      .strictObject({
        securityBaseline: z.boolean().default(true).describe('Deploy the security baseline'),
        deploymentTrust: z
          .boolean()
          .default(true)
          .describe('Deploy the least-privilege deployment trust (CDK bootstrap)'),
      })
      .prefault({})
      .describe('Which parts of the account baseline to deploy, one StackSet each'),
    securityBaseline: z
      .strictObject({
        guardDuty: z
          .boolean()
          .default(true)
          .describe('Create a GuardDuty detector; false where a delegated administrator already enables GuardDuty'),
        securityHub: z
          .boolean()
          .default(true)
          .describe('Enable Security Hub; false where a delegated administrator already enables it'),
        configRecorder: z
          .boolean()
          .default(true)
          .describe(
            'Create the AWS Config recorder; false where one already exists in every account and region of the units ' +
              '(e.g. AWS Control Tower): the Config rules and the guardrail remediations need a recorder',
          ),
        accessAnalyzer: z
          .boolean()
          .default(true)
          .describe(
            'Create an account-level IAM Access Analyzer in every account and region; false where the accounts ' +
              'already have one (AWS allows one account analyzer per account and region)',
          ),
      })
      .prefault({})
      .describe('Services of the security baseline part that may already be enabled by other means'),
    globalResourcesRegion: regionSchema
      .optional()
      .describe(
        'The one region, among the regions of every target, that holds the audit trail (multi-region) and its alarms, ' +
          'where AWS Config records IAM (global) resources, and the Config rules on IAM resources: a region AWS Config served before February 2022 ' +
          '(the only ones where it records IAM); default: the first such region of the first target',
      ),
    deploymentTrust: deploymentTrustSchema('in every account of the units'),
  })
  .describe('Baseline every account of organizational units through service-managed CloudFormation StackSets');

/**
 * The deployment boundary protects every customer managed policy whose name starts with this
 * (@groundwork/cross-account-roles BootstrapContract.POLICY_NAME_PREFIX; not imported here, the config loads
 * without aws-cdk-lib). CloudFormation names a policy it generates after its stack, `<org>-<env>-network-...`:
 * an organization name starting with it would make those policies unchangeable to the pipeline.
 */
export const RESERVED_POLICY_NAME_PREFIX = 'groundwork';

export const organizationNameSchema = expecting(
  z
    .string()
    .regex(new RegExp(`^(?!${RESERVED_POLICY_NAME_PREFIX})[a-z][a-z0-9-]{1,31}$`))
    .describe('Short organization name, used as a prefix in resource names'),
  'a lowercase name of 2-32 letters, digits and hyphens starting with a letter, not with "groundwork" (the ' +
    "deployment boundary reserves policy names starting with it, and CloudFormation names a stack's policies " +
    'after the stack)',
);

export const DEFAULT_BRANCHES: Record<string, 'all' | string[]> = { main: 'all', develop: ['dev'] };

/**
 * IAM's "Role trust policy length" quota (IAM and AWS STS quotas, IAM object quotas): 2,048 characters by
 * default, adjustable per account up to 4,096 (requests up to that are approved automatically). IAM counts
 * the policy without white space.
 */
export const DEFAULT_ROLE_TRUST_POLICY_LENGTH = 2048;
export const MAX_ROLE_TRUST_POLICY_LENGTH = 4096;

export const roleTrustPolicyLengthSchema = expecting(
  z
    .int()
    .min(DEFAULT_ROLE_TRUST_POLICY_LENGTH)
    .max(MAX_ROLE_TRUST_POLICY_LENGTH)
    .default(DEFAULT_ROLE_TRUST_POLICY_LENGTH)
    .describe(
      'IAM "Role trust policy length" quota in characters, as raised in the tooling account and every environment ' +
        "account (the lowest of them): the trust policies that grow with the config (the access stacks' audit and " +
        'break-glass roles, the drift-reconcile role) are checked against it',
    ),
  `a whole number from ${DEFAULT_ROLE_TRUST_POLICY_LENGTH} to ${MAX_ROLE_TRUST_POLICY_LENGTH} (IAM's "Role trust ` +
    `policy length" quota: ${DEFAULT_ROLE_TRUST_POLICY_LENGTH} characters by default, at most ` +
    `${MAX_ROLE_TRUST_POLICY_LENGTH} on request)`,
);

/** groundwork.yaml `quotas`: the config rules that measure against a quota read the section through it. */
export const quotasSchema = z
  .strictObject({
    roleTrustPolicyLength: roleTrustPolicyLengthSchema,
  })
  .prefault({})
  .describe('Adjustable AWS quotas raised above their defaults in the accounts of the platform');

export const groundworkConfigSchema = z
  .strictObject({
    organization: z.strictObject({
      name: organizationNameSchema,
      id: expecting(
        z
          .string()
          // AWS Organizations OrganizationId pattern.
          .regex(/^o-[a-z0-9]{10,32}$/)
          .optional()
          .describe(
            'AWS Organizations id ("o-..."): when set, cross-account permissions are scoped to the organization ' +
              'instead of listing every account, so they do not grow with the number of environments',
          ),
        'an AWS Organizations id such as "o-a1b2c3d4e5"',
      ),
    }),
    tooling: z
      .strictObject({
        account: accountIdSchema,
        region: regionSchema,
      })
      .describe('The tooling account and region: where the pipeline runs'),
    security: z
      .strictObject({
        account: accountIdSchema,
        auditorRoles: z
          .array(roleNamePatternSchema)
          .min(1)
          .default(() => ['groundwork-security-auditor'])
          .describe('Roles in the security account that may assume the read-only audit role in every environment'),
        breakGlassRoles: z
          .array(roleNamePatternSchema)
          .min(1)
          .default(() => ['groundwork-break-glass-operator'])
          .describe('Roles in the security account that may assume the break-glass role (with MFA)'),
      })
      .describe(
        'The security account: its auditor and break-glass roles may assume the audit and break-glass roles of every ' +
          'environment. No logs or findings are sent to it: each environment account keeps its own',
      ),
    repository: z
      .strictObject({
        owner: expecting(
          z
            .string()
            .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/)
            .describe('GitHub owner (user or organization)'),
          'a GitHub owner name (letters, digits, hyphens; at most 39 characters)',
        ),
        name: expecting(
          z
            .string()
            .regex(/^[A-Za-z0-9._-]{1,100}$/)
            .describe('GitHub repository name'),
          'a GitHub repository name (letters, digits, ".", "_", "-"; at most 100 characters)',
        ),
        branch: branchNameSchema('The branch the pipeline follows'),
        connectionArn: connectionArnSchema,
      })
      .describe('The GitHub repository that holds the desired state'),
    notifications: z
      .strictObject({
        emails: z.array(emailSchema).min(1).describe('Who gets pipeline, alarm and drift notifications'),
        slackChannelConfigurationArn: slackChannelArnSchema.optional(),
      })
      .describe('Where notifications go'),
    defaultTags: tagsSchema.default(() => ({})).describe('Tags applied to every environment'),
    compliance: z
      .strictObject({
        packs: z
          .array(z.enum(COMPLIANCE_PACKS))
          .min(1)
          .default(() => [...COMPLIANCE_PACKS])
          .describe('Compliance packs the synth runs'),
        requiredTags: z
          .array(tagKeySchema)
          .default(() => [])
          .describe('Tag keys every environment must carry (from defaultTags or its own tags)'),
      })
      .prefault({}),
    pipeline: z
      .strictObject({
        changeSets: z
          .boolean()
          .default(false)
          .describe(
            'Deploy each stack through a change set (two pipeline actions per stack, Prepare then Deploy) ' +
              'instead of one CREATE_UPDATE action; approvals run before either',
          ),
        deploymentFailures: expecting(
          z
            .int()
            .min(1)
            .default(1)
            .describe('Failed stage executions of the pipeline within 5 minutes that raise its failure alarm'),
          'a whole number of at least 1',
        ),
      })
      .prefault({})
      .describe('How the pipeline deploys'),
    quotas: quotasSchema,
    waves: z.array(waveSchema).min(1).describe('Deployment waves, in order'),
    branches: z
      .record(branchNameSchema('Git branch name'), branchTargetsSchema)
      .default(() => ({ ...DEFAULT_BRANCHES }))
      .describe('Which environments each branch deploys'),
    stackSets: stackSetsSchema.optional(),
  })
  .describe('Groundwork organization-wide settings (groundwork.yaml)');

// ---------------------------------------------------------------------------
// environments/<name>.yaml

export const NAT_STRATEGIES = ['none', 'single', 'perAz'] as const;

/** Interface VPC endpoints the networking package offers, by AWS service name. */
export const INTERFACE_ENDPOINTS = [
  'sts',
  'ssm',
  'ssmmessages',
  'ec2messages',
  'kms',
  'logs',
  'ecr.api',
  'ecr.dkr',
] as const;

const interfaceEndpointSchema = expecting(
  z.enum(INTERFACE_ENDPOINTS).describe('Interface VPC endpoint, by AWS service name'),
  `an interface endpoint service name (${INTERFACE_ENDPOINTS.join(', ')})`,
);

/**
 * Services the stacks of every Groundwork environment create (checked at synth: deployment-trust-check.ts),
 * plus xray, which the drift detector's traced state machine calls at run time under the boundary.
 */
export const DEFAULT_ALLOWED_SERVICES = [
  'access-analyzer',
  'cloudformation',
  'cloudtrail',
  'cloudwatch',
  'config',
  'ec2',
  'events',
  'guardduty',
  'iam',
  'kms',
  'lambda',
  'logs',
  's3',
  'securityhub',
  'sns',
  'ssm',
  'states',
  'xray',
];

export const environmentConfigSchema = z
  .strictObject({
    name: nameSchema('Environment name; must equal the file name without .yaml'),
    account: accountIdSchema,
    region: regionSchema,
    wave: nameSchema('Name of a wave declared in groundwork.yaml'),
    production: z.boolean().default(false).describe('Marks a production environment (requires approval)'),
    approvalRequired: z.boolean().default(false).describe('Require a manual approval before deploying'),
    vpc: z.strictObject({
      cidr: cidrSchema,
      azCount: expecting(
        z.int().min(1).max(6).default(2).describe('Number of availability zones (1-6)'),
        'a whole number from 1 to 6',
      ),
      availabilityZones: expecting(
        z
          .array(
            expecting(
              z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d[a-z]$/),
              'an availability zone name such as "eu-west-1a"',
            ),
          )
          .min(1)
          .max(6)
          .optional()
          .describe('Explicit AZ names; default: region + a, b, c, ...'),
        'a list of 1-6 availability zone names such as "eu-west-1a"',
      ),
      natStrategy: z
        .enum(NAT_STRATEGIES)
        .default('perAz')
        .describe('none: no NAT; single: one NAT gateway; perAz: one per AZ'),
      flowLogRetentionDays: logRetentionSchema.default(365),
      interfaceEndpoints: z
        .array(interfaceEndpointSchema)
        .default(() => [])
        .describe('Interface VPC endpoints to create, by service name (e.g. ssm, logs)'),
    }),
    alarms: z
      .strictObject({
        unauthorizedApiCalls: expecting(
          z.int().min(1).default(5).describe('Unauthorized API calls per alarm period before alarming'),
          'a whole number of at least 1',
        ),
      })
      .prefault({}),
    drift: z
      .strictObject({
        schedule: scheduleSchema.default('rate(1 hour)'),
        autoReconcile: z
          .boolean()
          .default(false)
          .describe(
            'Revert drifted stacks to the last deployed template (drift-aware change sets) when drift is found',
          ),
      })
      .prefault({}),
    tags: tagsSchema.default(() => ({})).describe('Tags for this environment, on top of defaultTags'),
    security: z
      .strictObject({
        guardDuty: z.boolean().default(true),
        securityHub: z.boolean().default(true),
        configRecorder: z.boolean().default(true).describe('AWS Config configuration recorder'),
        configRules: z.boolean().default(true).describe('AWS Config managed rules (need the recorder)'),
        accessAnalyzer: z
          .boolean()
          .default(true)
          .describe(
            'Account-level IAM Access Analyzer in this region; false where the account already has one here ' +
              '(AWS allows one account analyzer per account and region)',
          ),
      })
      .prefault({}),
    deploymentTrust: deploymentTrustSchema('in this account'),
  })
  .describe('One Groundwork environment (environments/<name>.yaml)');

// ---------------------------------------------------------------------------
// Types

/** groundwork.yaml after parsing (defaults applied). */
export type GroundworkConfig = z.output<typeof groundworkConfigSchema>;
/** groundwork.yaml as written (optional fields may be absent). */
export type GroundworkConfigInput = z.input<typeof groundworkConfigSchema>;
/** One environments/<name>.yaml after parsing (defaults applied). */
export type EnvironmentConfig = z.output<typeof environmentConfigSchema>;
/** One environments/<name>.yaml as written. */
export type EnvironmentConfigInput = z.input<typeof environmentConfigSchema>;
export type NatStrategy = (typeof NAT_STRATEGIES)[number];
export type InterfaceEndpointName = (typeof INTERFACE_ENDPOINTS)[number];
export type CompliancePack = (typeof COMPLIANCE_PACKS)[number];
/** The stackSets section after parsing (defaults applied). */
export type StackSetsConfig = NonNullable<GroundworkConfig['stackSets']>;

/** An environment ready for composition: validated, with computed values filled in. */
export interface PlatformEnvironment extends EnvironmentConfig {
  readonly vpc: EnvironmentConfig['vpc'] & {
    /** The explicit list from the file, or region + a, b, c... for azCount zones. */
    readonly availabilityZones: string[];
  };
  /** defaultTags from groundwork.yaml overlaid with this environment's tags. */
  readonly effectiveTags: Record<string, string>;
  /** The `order` of this environment's wave. */
  readonly waveOrder: number;
  /** Absolute path of the file the environment came from. */
  readonly sourceFile: string;
}

/** A deployment wave with the environments it deploys, in name order. */
export interface PlatformWave {
  readonly name: string;
  readonly order: number;
  readonly environments: PlatformEnvironment[];
}

/** The whole validated config: what the platform app composes. */
export interface PlatformConfig {
  /** Absolute path of the config directory. */
  readonly configDir: string;
  readonly groundwork: GroundworkConfig;
  /** Every environment, sorted by wave order, then name. */
  readonly environments: PlatformEnvironment[];
  /** Declared waves sorted by order, including waves no environment uses. */
  readonly waves: PlatformWave[];
}
