import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
// The package's own check, internal to it: what the bootstrap template and the StackSets apply.
import { FORBIDDEN_SERVICES, validateServices } from '@groundwork/cross-account-roles/lib/validation';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { configWith } from './fixtures';
import { AccountAccessStack } from '../../src/account-access-stack';
import { formatIssues, loadPlatformConfig, readPlatformConfig } from '../../src/config';
import { formatFieldPath } from '../../src/config/errors';
import { FORBIDDEN_TRUST_SERVICES, tagKeySchema } from '../../src/config/schema';
import {
  accessTrustPolicy,
  driftReconcileTrustPolicy,
  SECURITY_HUB_TAG_KEY,
  STACK_SET_TAG_KEY,
} from '../../src/config/validate';
import { composePlatform } from '../../src/platform';
import { tmpOutdir } from '../helpers';
import { writeSyntheticConfig } from '../scale/synthetic-config';

/*
 * Inputs that passed `npm run validate` and then failed later: in the synth (CloudFormation Validate findings or a
 * construct's error, on construct paths), in `npm run bootstrap-template`, in the deployment, or not at all while
 * meaning something else than written. Each is now a config error naming the file, the field, what was expected
 * and what was found.
 */

function errorsFor(dir: string): string[] {
  return formatIssues(readPlatformConfig(dir).issues, dir).split('\n');
}

describe('YAML the loaded data cannot hold as written', () => {
  test('a !!omap of defaultTags is reported, not loaded as an empty mapping that drops every tag', () => {
    const dir = configWith({
      'groundwork.yaml': [
        [
          'defaultTags:\n  Project: groundwork\n  Owner: platform-team\n',
          'defaultTags: !!omap\n  - Project: groundwork\n  - Owner: platform-team\n',
        ],
        ['requiredTags: [Project, Environment]', 'requiredTags: []'],
      ],
    });

    expect(errorsFor(dir)).toEqual([
      'groundwork.yaml:16:14: (yaml): expected plain YAML values without custom tags, found Unresolved tag: !!omap',
    ]);
  });

  test.each([
    ['!!binary', 'account: !!binary "MzMzMzMzMzMzMzMz"'],
    ['!!timestamp', 'account: !!timestamp 2001-12-14'],
    ['!!set', 'account: !!set {a}'],
    ['!!pairs', 'account: !!pairs [a: b]'],
  ])('%s is reported as a tag, not loaded as a Uint8Array, Date, Set or Map', (tag, line) => {
    const dir = configWith({ 'environments/dev.yaml': [['account: "333333333333"', line]] });

    expect(errorsFor(dir)).toEqual([
      `environments/dev.yaml:2:10: (yaml): expected plain YAML values without custom tags, found Unresolved tag: ${tag}`,
    ]);
  });

  test('the tags of the YAML 1.2 core schema still apply', () => {
    const dir = configWith({ 'environments/dev.yaml': [['account: "333333333333"', 'account: !!str 333333333333']] });

    expect(readPlatformConfig(dir).issues).toEqual([]);
  });

  test('a %YAML 1.1 directive is an error: its author would read `off` as false and 0036 as octal 30', () => {
    const dir = configWith({
      'environments/dev.yaml': [
        ['name: dev', '%YAML 1.1\n---\nname: dev'],
        ['flowLogRetentionDays: 30', 'flowLogRetentionDays: 0036'],
      ],
    });

    expect(errorsFor(dir)).toEqual([
      'environments/dev.yaml:1:1: (yaml): expected YAML 1.2 (the config is read with the YAML 1.2 core schema; ' +
        'remove the %YAML directive), found a %YAML 1.1 directive',
    ]);
  });

  test('a %YAML 1.2 directive is accepted', () => {
    const dir = configWith({ 'environments/dev.yaml': [['name: dev', '%YAML 1.2\n---\nname: dev']] });

    expect(readPlatformConfig(dir).issues).toEqual([]);
  });
});

test('characters that do not show are escaped in what was found', () => {
  const dir = configWith({
    'environments/dev.yaml': [
      ['wave: nonprod', 'wave: "nonprod\u00a0"'],
      ['natStrategy: single', 'natStrategy: single\n  "azCount\u200b": 2'],
    ],
  });

  expect(errorsFor(dir)).toEqual([
    'environments/dev.yaml:4:7: wave: expected a lowercase name of letters, digits and hyphens starting with a ' +
      'letter (at most 32 characters), found "nonprod\\u00A0"',
    'environments/dev.yaml:4:7: wave: expected a wave declared in groundwork.yaml ("nonprod", "prod"), found ' +
      '"nonprod\\u00A0" (did you mean "nonprod"?)',
    'environments/dev.yaml:10:3: vpc["azCount\u200b"]: expected a known field of vpc (cidr, azCount, ' +
      'availabilityZones, natStrategy, flowLogRetentionDays, interfaceEndpoints), found unknown field ' +
      '"azCount\\u200B" (did you mean "azCount"?)',
  ]);
});

test('a key that does not show its characters is escaped in what was found', () => {
  const dir = configWith({ 'environments/dev.yaml': [['Environment: dev', 'Environment: dev\n  "Team\u200b": x']] });

  expect(errorsFor(dir)).toEqual([
    'environments/dev.yaml:19:3: tags["Team\u200b"]: expected a tag key of 1-127 letters, digits, spaces or ' +
      '_.:/=+-@, not starting with "aws:" in any letter case (AWS reserves the prefix; EC2, which tags the VPC and ' +
      'subnets, takes at most 127 characters), found the key "Team\\u200B"',
  ]);
});

describe('deploymentTrust.allowedServices holds what the deployment trust takes', () => {
  test('a service the trust refuses, and an endpoint name, are config errors (the bootstrap template failed on them)', () => {
    const dir = configWith({
      'environments/dev.yaml': [
        [
          'interfaceEndpoints: [ssm, logs]',
          'interfaceEndpoints: [ssm, logs]\ndeploymentTrust:\n  allowedServices: [cloudformation, sts, ecr.api]',
        ],
      ],
    });

    expect(errorsFor(dir)).toEqual([
      'environments/dev.yaml:13:37: deploymentTrust.allowedServices[1]: expected a service other than ' +
        '"organizations", "account", "sts", "sso", "identitystore" (`sts:*` would let the CloudFormation execution ' +
        'role reach beyond the account\'s resources: the deployment trust refuses it), found "sts"',
      'environments/dev.yaml:13:42: deploymentTrust.allowedServices[2]: expected an IAM service prefix such as "ecr" ' +
        'or "cloudformation": letters, digits and hyphens, no "." (the deployment trust allows `<prefix>:*`; ' +
        '"ecr.api" is an endpoint name, its IAM prefix is "ecr"), found "ecr.api" (did you mean "ecr"?)',
    ]);
  });

  test('the schema takes exactly the services @groundwork/cross-account-roles takes', () => {
    expect([...FORBIDDEN_TRUST_SERVICES].sort()).toEqual([...FORBIDDEN_SERVICES].sort());
    const candidates = [
      ...FORBIDDEN_SERVICES,
      'ecr.api',
      'ecr',
      'cloudformation',
      'access-analyzer',
      's3',
      'ec2messages',
      'xray',
    ];
    for (const service of candidates) {
      const dir = configWith({
        'environments/dev.yaml': [
          [
            'interfaceEndpoints: [ssm, logs]',
            `interfaceEndpoints: [ssm, logs]\ndeploymentTrust:\n  allowedServices: [${service}]`,
          ],
        ],
      });
      const packageTakes = (() => {
        try {
          validateServices('Trust', 'allowedServices', [service], false);
          return true;
        } catch {
          return false;
        }
      })();
      expect([service, readPlatformConfig(dir).issues.length === 0]).toEqual([service, packageTakes]);
    }
  });
});

/**
 * aws-cdk-lib's CloudFormation template validation (the engine the synth's gate runs), on a template of the
 * resources that carry every environment tag.
 */
function validationFindings(resources: Record<string, unknown>): string[] {
  const template = new cfv.TemplateContent(JSON.stringify({ Resources: resources }), 'template.json');
  const report = engine().validateTemplate(template, { detailLevel: 'STANDARD', severityLevel: 'WARN' });
  return report.diagnostics.map((d: any) => `${d.ruleId} ${d.propertyPath}: ${d.message}`);
}
const cfv = createRequire(require.resolve('aws-cdk-lib'))('@aws/cloudformation-validate');
let validationEngine: any;
function engine(): any {
  validationEngine ??= new cfv.CompositeEngine({});
  return validationEngine;
}
afterAll(() => validationEngine?.free());

describe('tag values', () => {
  test('an empty value is a config error (CloudFormation takes none on alarms, dashboards and state machines)', () => {
    const dir = configWith({
      'groundwork.yaml': [['Owner: platform-team', 'Owner: platform-team\n  Team: ""']],
      'environments/dev.yaml': [['Environment: dev', 'Environment: dev\n  CostCenter: ""']],
    });

    const expected =
      'expected a tag value of 1-256 characters (CloudFormation takes no empty tag value on the CloudWatch ' +
      'alarms and dashboards and the Step Functions state machine that every stack holds, and every resource ' +
      'carries every tag), found ""';
    expect(errorsFor(dir)).toEqual([
      `groundwork.yaml:19:9: defaultTags.Team: ${expected}`,
      `environments/dev.yaml:19:15: tags.CostCenter: ${expected}`,
    ]);
  });

  test('an empty required tag is reported once, by the required-tag rule', () => {
    const dir = configWith({ 'groundwork.yaml': [['Project: groundwork', 'Project: ""']] });

    expect(errorsFor(dir)).toEqual([
      'groundwork.yaml:17:3: defaultTags: expected a value for each tag of compliance.requiredTags except ' +
        'Environment (the pipeline stack and the StackSets stack belong to no environment: they are tagged with ' +
        'defaultTags and Environment only), found an empty "Project" tag',
    ]);
  });

  test('the validation engine of the synth refuses an empty value on an alarm, and takes a space', () => {
    const alarm = (value: string) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Period: 60,
        Statistic: 'Sum',
        Threshold: 1,
        Tags: [{ Key: 'Team', Value: value }],
      },
    });
    expect(validationFindings({ Empty: alarm('') })).toEqual([
      'F3033 Properties.Tags.0.Value: length 0 is below minimum 1',
    ]);
    expect(validationFindings({ Space: alarm(' ') })).toEqual([]);
  });
});

describe('tag keys while Security Hub is on', () => {
  test("an environment's key the Security Hub hub refuses is reported there, and not with the hub off", () => {
    const edit = (security: string) =>
      configWith({
        'environments/dev.yaml': [
          ['Environment: dev', 'Environment: dev\n  Cost Center: "1234"'],
          ['configRecorder: true', `configRecorder: true${security}`],
        ],
      });

    expect(errorsFor(edit(''))).toEqual([
      'environments/dev.yaml:19:3: tags["Cost Center"]: expected a tag key of ASCII letters, digits and _ . : / = + - ' +
        'only while Security Hub is on (the Security Hub hub carries every tag, and its CloudFormation schema takes ' +
        'no other characters: no spaces, "@" or letters outside ASCII), found "Cost Center", with ' +
        'security.securityHub on by default',
    ]);
    expect(readPlatformConfig(edit('\n  securityHub: false')).issues).toEqual([]);
  });

  test('a key of defaultTags is reported once, on defaultTags, naming the environments with a hub', () => {
    const dir = configWith({
      'groundwork.yaml': [['Owner: platform-team', 'Owner: platform-team\n  team@example: x']],
    });

    expect(errorsFor(dir)).toEqual([
      'groundwork.yaml:19:3: defaultTags["team@example"]: expected a tag key of ASCII letters, digits and _ . : / = + - ' +
        'only while Security Hub is on (the Security Hub hub carries every tag, and its CloudFormation schema takes ' +
        'no other characters: no spaces, "@" or letters outside ASCII), found "team@example", with Security Hub on ' +
        'in environments/dev.yaml, environments/prod.yaml',
    ]);
  });

  test('with stackSets, a key of defaultTags a StackSet refuses is reported, also with every hub off', () => {
    const stackSets =
      'stackSets:\n  administrator:\n    account: "777777777777"\n    region: eu-west-1\n  targets:\n' +
      '    - organizationalUnitId: ou-ab12-cd34ef56\n      regions: [eu-west-1]\n  securityBaseline:\n' +
      '    securityHub: false\nbranches:';
    const dir = configWith({
      'groundwork.yaml': [
        ['Owner: platform-team', 'Owner: platform-team\n  team@example: x\n  Cost Center: "1"'],
        ['branches:', stackSets],
      ],
      'environments/dev.yaml': [['configRecorder: true', 'configRecorder: true\n  securityHub: false']],
      'environments/prod.yaml': [['Environment: prod', 'Environment: prod\nsecurity:\n  securityHub: false']],
    });

    expect(errorsFor(dir)).toEqual([
      'groundwork.yaml:19:3: defaultTags["team@example"]: expected a tag key of ASCII letters, digits, spaces and ' +
        '_ . : / = + - only with stackSets (the StackSets carry defaultTags, and CloudFormation takes no other ' +
        'characters in the tag keys of a StackSet: no "@" or letters outside ASCII), found "team@example", with ' +
        'stackSets in groundwork.yaml',
    ]);
  });

  const keys = [
    'Project',
    'cost-center',
    'a_b.c:d/e=f+g',
    'K8s',
    '123',
    'Cost Center',
    'team@x',
    'Équipe',
    'a\u00a0b',
    'ünit',
    '٣',
  ];

  test('SECURITY_HUB_TAG_KEY takes exactly the config tag keys that the validation engine of the synth takes on a hub', () => {
    for (const key of keys) {
      expect(tagKeySchema.safeParse(key).success).toBe(true);
      const findings = validationFindings({
        Hub: { Type: 'AWS::SecurityHub::Hub', Properties: { Tags: { [key]: 'v' } } },
      });
      expect([key, SECURITY_HUB_TAG_KEY.test(key)]).toEqual([key, findings.length === 0]);
    }
  });

  test('STACK_SET_TAG_KEY takes exactly the config tag keys that the validation engine of the synth takes on a StackSet', () => {
    for (const key of keys) {
      const stackSet = {
        Type: 'AWS::CloudFormation::StackSet',
        Properties: {
          StackSetName: 'x',
          PermissionModel: 'SELF_MANAGED',
          TemplateBody: '{}',
          Tags: [{ Key: key, Value: 'v' }],
        },
      };
      expect([key, STACK_SET_TAG_KEY.test(key)]).toEqual([
        key,
        validationFindings({ StackSet: stackSet }).length === 0,
      ]);
    }
  });
});

describe("each account's home environment is deployed when another of its environments is", () => {
  /** dev and dev2 in one account; dev comes first (same wave, name order), so it is the home. */
  function withSecondRegion(branches: string): string {
    const dir = configWith({
      'groundwork.yaml': [['branches:\n  main: all\n  develop: [dev]\n', `branches:\n${branches}`]],
    });
    const dev = fs.readFileSync(path.join(dir, 'environments', 'dev.yaml'), 'utf8');
    fs.writeFileSync(
      path.join(dir, 'environments', 'dev2.yaml'),
      dev
        .replace('name: dev', 'name: dev2')
        .replace('region: eu-west-1', 'region: eu-west-2')
        .replace('10.10.0.0/16', '10.11.0.0/16')
        .replace('autoReconcile: true', 'autoReconcile: false')
        .replace('Environment: dev', 'Environment: dev2'),
    );
    return dir;
  }

  test('no branch deploying the home, while one deploys another environment of the account, is an error', () => {
    expect(errorsFor(withSecondRegion('  main: [dev2, prod]\n'))).toEqual([
      'groundwork.yaml:27:1: branches: expected a branch that deploys environment "dev" of account 333333333333: ' +
        "its home environment, which holds the account's audit trail with its CIS alarms, AWS Config's recording of " +
        "IAM and the Config rules on IAM, and its first environment, whose drift detector checks the account's " +
        'access stack (chosen in wave order, then name, from every environment of the config), found no branch ' +
        'that deploys it, while branches deploy "dev2" of that account',
    ]);
  });

  test('a home another branch deploys, or an account none of whose environments is deployed, is valid', () => {
    expect(readPlatformConfig(withSecondRegion('  main: [dev2, prod]\n  develop: [dev]\n')).issues).toEqual([]);
    expect(readPlatformConfig(withSecondRegion('  main: [prod]\n')).issues).toEqual([]);
  });

  test('without a recorder, the first environment is still its access stack holder', () => {
    const dir = withSecondRegion('  main: [dev2, prod]\n');
    const file = path.join(dir, 'environments', 'dev.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('configRecorder: true', 'configRecorder: false\n  configRules: false'),
    );

    expect(errorsFor(dir)).toEqual([
      'groundwork.yaml:27:1: branches: expected a branch that deploys environment "dev" of account 333333333333: ' +
        "its first environment, whose drift detector checks the account's access stack (chosen in wave order, then " +
        'name, from every environment of the config), found no branch that deploys it, while branches deploy "dev2" ' +
        'of that account',
    ]);
  });
});

describe("the access stack's role trust policies fit IAM's quota", () => {
  const pattern = (i: number) => `aws-reserved/sso.amazonaws.com/AWSReservedSSO_Auditor${String(i).padStart(2, '0')}_*`;
  const patterns = (n: number) => Array.from({ length: n }, (_, i) => pattern(i));
  const withRoles = (auditors: number, breakGlass: number) =>
    configWith({
      'groundwork.yaml': [
        [
          'security:\n  account: "222222222222"\n',
          `security:\n  account: "222222222222"\n  auditorRoles: [${patterns(auditors).join(', ')}]\n` +
            `  breakGlassRoles: [${patterns(breakGlass).join(', ')}]\n`,
        ],
      ],
    });

  test('the policy the rule measures is the one the access stack deploys', () => {
    const config = loadPlatformConfig(withRoles(3, 2));
    const app = new App();
    const stack = new AccountAccessStack(app, 'Access', {
      environment: config.environments[0],
      groundwork: config.groundwork,
    });
    const roles = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role')) as any[];
    // The commercial partition: every region of the config is in it.
    const resolve = (value: any): any =>
      Array.isArray(value)
        ? value.map(resolve)
        : value && typeof value === 'object'
          ? value.Ref === 'AWS::Partition'
            ? 'aws'
            : value['Fn::Join']
              ? resolve(value['Fn::Join'][1]).join(value['Fn::Join'][0])
              : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]))
          : value;
    const deployed = roles.map((role) => JSON.stringify(resolve(role.Properties.AssumeRolePolicyDocument))).sort();

    expect(deployed).toEqual(
      [
        accessTrustPolicy('222222222222', patterns(3), false),
        accessTrustPolicy('222222222222', patterns(2), true),
      ].sort(),
    );
  });

  test('19 auditor and 18 break-glass patterns of 57 characters fit 2,048 characters; one more of either does not', () => {
    expect(readPlatformConfig(withRoles(19, 18)).issues).toEqual([]);
    expect(errorsFor(withRoles(20, 19))).toEqual([
      `groundwork.yaml:8:17: security.auditorRoles: expected role patterns whose ARNs fit the audit role's trust ` +
        `policy in IAM's 2048 characters (quotas.roleTrustPolicyLength; each pattern is ` +
        '"arn:aws:iam::222222222222:role/<pattern>" in it; fewer or broader patterns, e.g. one ending in *), found ' +
        '20 patterns, a trust policy of 2079 characters',
      `groundwork.yaml:9:20: security.breakGlassRoles: expected role patterns whose ARNs fit the break-glass role's ` +
        `trust policy in IAM's 2048 characters (quotas.roleTrustPolicyLength; each pattern is ` +
        '"arn:aws:iam::222222222222:role/<pattern>" in it; fewer or broader patterns, e.g. one ending in *), found ' +
        '19 patterns, a trust policy of 2085 characters',
    ]);
  });

  test('with quotas.roleTrustPolicyLength raised to 4,096, 42 and 41 patterns fit; one more of either does not', () => {
    const raised = (auditors: number, breakGlass: number) => {
      const dir = withRoles(auditors, breakGlass);
      const file = path.join(dir, 'groundwork.yaml');
      fs.appendFileSync(file, 'quotas:\n  roleTrustPolicyLength: 4096\n');
      return dir;
    };
    expect(readPlatformConfig(raised(42, 41)).issues).toEqual([]);
    expect(errorsFor(raised(43, 42)).map((line) => line.replace(/^(\S+ \S+) .*(found .*)$/, '$1 $2'))).toEqual([
      'groundwork.yaml:8:17: security.auditorRoles: found 43 patterns, a trust policy of 4172 characters',
      'groundwork.yaml:9:20: security.breakGlassRoles: found 42 patterns, a trust policy of 4178 characters',
    ]);
  });
});

/*
 * Without organization.id, each pipeline's drift-reconcile role trusts the drift detectors of the accounts of the
 * auto-reconciling environments it owns, listed: 15 characters per account. The synth failed on the role's
 * construct path past IAM's quota; the config validation now reports it on organization.id.
 */
describe("the drift-reconcile role's trust policy fits IAM's quota", () => {
  /** The example config with `count` environments, each in an account of its own, all auto-reconciling. */
  const reconciling = (count: number, groundworkEdit?: (text: string) => string) => {
    const dir = tmpOutdir('reconcile-trust');
    writeSyntheticConfig(dir, count, { regions: ['eu-west-1'], productionEvery: 1000 });
    const file = path.join(dir, 'groundwork.yaml');
    if (groundworkEdit) fs.writeFileSync(file, groundworkEdit(fs.readFileSync(file, 'utf8')));
    return dir;
  };
  const withQuota = (quota: string) => (text: string) => `${text}quotas:\n  roleTrustPolicyLength: ${quota}\n`;

  test('120 reconciling accounts fit 2,048 characters; 121 are an error on organization.id', () => {
    expect(readPlatformConfig(reconciling(120)).issues).toEqual([]);
    expect(errorsFor(reconciling(121))).toEqual([
      'groundwork.yaml:6:3: organization.id: expected an AWS Organizations id such as "o-a1b2c3d4e5" for the ' +
        `drift-reconcile role of branch "main"'s pipeline: without it, its trust policy lists the account of every ` +
        "auto-reconciling environment the branch owns and must fit IAM's 2048 characters " +
        '(quotas.roleTrustPolicyLength); or fewer auto-reconciling accounts, found none, and a trust policy of ' +
        '2056 characters for 121 accounts',
    ]);
  });

  test('with organization.id, or with quotas.roleTrustPolicyLength raised to 4,096, 121 accounts pass', () => {
    const withId = (text: string) => text.replace(/^organization:\n/m, 'organization:\n  id: o-a1b2c3d4e5\n');
    expect(readPlatformConfig(reconciling(121, withId)).issues).toEqual([]);
    expect(readPlatformConfig(reconciling(121, withQuota('4096'))).issues).toEqual([]);
  });

  test('only the environments a branch owns count: a branch deploying some of them owns none that main deploys', () => {
    // main deploys the first 100, "reconcile" all 121: main owns 100 of them, "reconcile" the other 21.
    const split = (text: string) =>
      text.replace(
        /^branches:\n(?: {2}.*\n)+/m,
        `branches:\n  main: [${Array.from({ length: 100 }, (_, i) => `env${String(i + 1).padStart(4, '0')}`).join(', ')}]\n` +
          '  reconcile: all\n',
      );
    expect(readPlatformConfig(reconciling(121, split)).issues).toEqual([]);
  });

  test('the synth measures the same policy against the same setting: its backstop when the validation is skipped', () => {
    const config = loadPlatformConfig(configWith());
    const accounts = config.environments.filter((e) => e.drift.autoReconcile).map((e) => e.account);
    const size = driftReconcileTrustPolicy(config.groundwork.organization.name, accounts).length;
    const composedPastTheRole = new Error('composed past the drift-reconcile role');
    // Stopped at the first stage: the role is built before the stages, which take the time.
    const compose = (limit: number) => () =>
      composePlatform(
        new App({ outdir: tmpOutdir('reconcile-backstop') }),
        { ...config, groundwork: { ...config.groundwork, quotas: { roleTrustPolicyLength: limit } } },
        {
          complianceGate: [],
          customizeStage: () => {
            throw composedPastTheRole;
          },
        },
      );

    expect(compose(size)).toThrow(composedPastTheRole);
    expect(compose(size - 1)).toThrow(
      `Pipeline/DriftReconcileRole: the trust policy for 1 auto-reconciling accounts is ${size} ` +
        `characters, over IAM's ${size - 1} (groundwork.yaml quotas.roleTrustPolicyLength): set organization.id`,
    );
  });

  test.each([
    ['2047', 'the number 2047'],
    ['4097', 'the number 4097'],
    ['3000.5', 'the number 3000.5'],
    ['"4096"', '"4096"'],
  ])('quotas.roleTrustPolicyLength %s is an error, and no trust policy is measured against it', (value, found) => {
    expect(errorsFor(reconciling(121, withQuota(value)))).toEqual([
      `groundwork.yaml:93:26: quotas.roleTrustPolicyLength: expected a whole number from 2048 to 4096 (IAM's "Role ` +
        `trust policy length" quota: 2048 characters by default, at most 4096 on request), found ${found}`,
    ]);
  });

  // Not the default 2,048 either: the author set a quota, and the error on organization.id would ask to fit a
  // limit they did not mean (only the section's error is reported).
  test.each([
    [
      'a misspelt field',
      'quotas:\n  roleTrustPolicyLenght: 4096\n',
      'groundwork.yaml:93:3: quotas.roleTrustPolicyLenght: expected a known field of quotas (roleTrustPolicyLength), ' +
        'found unknown field "roleTrustPolicyLenght" (did you mean "roleTrustPolicyLength"?)',
    ],
    ['a number', 'quotas: 4096\n', 'groundwork.yaml:92:9: quotas: expected a mapping, found the number 4096'],
  ])('quotas with %s is an error, and no trust policy is measured against the default', (_, quotas, error) => {
    expect(errorsFor(reconciling(121, (text) => `${text}${quotas}`))).toEqual([error]);
  });
});

/*
 * Each branch's pipeline holds 4 stages of its own and a stage per wave, and per environment an action per stack,
 * one to validate or protect it, one per approval and two for a production permissions check. Past CodePipeline's
 * 50 stages or 500 actions the synth failed on the pipeline's construct path.
 */
describe("each branch's pipeline fits CodePipeline's stages and actions", () => {
  /** `count` environments outside the tooling region (none reconciles), none production, `perWave` per wave. */
  const pipelineOf = (count: number, perWave: number) => {
    const dir = tmpOutdir('pipeline-quotas');
    writeSyntheticConfig(dir, count, { regions: ['eu-central-1'], productionEvery: 1000 });
    const wave = (i: number) => `w${String(Math.floor(i / perWave) + 1).padStart(3, '0')}`;
    const waves = [...new Set(Array.from({ length: count }, (_, i) => wave(i)))];
    const groundwork = path.join(dir, 'groundwork.yaml');
    fs.writeFileSync(
      groundwork,
      fs
        .readFileSync(groundwork, 'utf8')
        .replace(
          /^waves:\n(?: {2}.*\n)+/m,
          `waves:\n${waves.map((w, i) => `  - {name: ${w}, order: ${i + 1}}\n`).join('')}`,
        ),
    );
    for (const [i, file] of fs.readdirSync(path.join(dir, 'environments')).sort().entries()) {
      const env = path.join(dir, 'environments', file);
      fs.writeFileSync(env, fs.readFileSync(env, 'utf8').replace(/^wave: .*$/m, `wave: ${wave(i)}`));
    }
    return dir;
  };

  test('124 environments of 4 actions and the 4 of the pipeline fit 500 actions; 125 are an error on the branch', () => {
    expect(readPlatformConfig(pipelineOf(124, 10)).issues).toEqual([]);
    expect(errorsFor(pipelineOf(125, 10))).toEqual([
      "groundwork.yaml:57:3: branches.main: expected a pipeline within CodePipeline's 50 stages and 500 actions for " +
        'branch "main" (fixed quotas): 4 stages of its own and one per wave (more for a wave of over 50 actions); per ' +
        'environment one action per stack (two with pipeline.changeSets), one to validate or protect it, one for an ' +
        "approval, two for a production environment's permissions check. Split the environments over more " +
        'branches (each builds a pipeline of its own), found 504 actions in its pipeline "example-platform", for ' +
        '125 environments in 13 waves',
    ]);
  });

  test('46 waves and the 4 stages of the pipeline fit 50 stages; 47 are an error', () => {
    expect(readPlatformConfig(pipelineOf(46, 1)).issues).toEqual([]);
    expect(errorsFor(pipelineOf(47, 1)).map((line) => line.replace(/: expected .*, found/, ': found'))).toEqual([
      'groundwork.yaml:91:3: branches.main: found 51 stages in its pipeline "example-platform", for 47 environments ' +
        'in 47 waves',
    ]);
  });
});

describe('branch names git refuses', () => {
  test.each([
    ['main/', 'starts or ends with "/" or holds "//"'],
    ['-x', 'starts with "-"'],
    ['release..1', 'holds ".."'],
    ['feature/.hidden', 'has a part starting with "."'],
    ['main.lock', 'has a part ending with ".lock"'],
    ['v1.', 'ends with "."'],
    ['HEAD', 'is "HEAD"'],
  ])('repository.branch %s is an error: the pipeline would wait for a branch that cannot exist', (branch, problem) => {
    const dir = configWith({
      'groundwork.yaml': [
        ['  branch: main\n', `  branch: ${branch}\n`],
        ['branches:\n  main: all\n', `branches:\n  main: all\n  ${JSON.stringify(branch)}: all\n`],
      ],
    });

    // The key's error names the rule it breaks, as the value's does: "HEAD" meets every rule a list of them
    // would give.
    const expected = `a branch name git accepts (this one ${problem})`;
    expect(errorsFor(dir)).toEqual([
      `groundwork.yaml:11:11: repository.branch: expected ${expected}, found ${JSON.stringify(branch)}`,
      `groundwork.yaml:29:3: ${formatFieldPath(['branches', branch])}: expected ${expected}, found the key ${JSON.stringify(branch)}`,
    ]);
  });

  test('a key of characters git refuses is told every rule, and shown with its invisible characters escaped', () => {
    const dir = configWith({
      'groundwork.yaml': [['branches:\n  main: all\n', 'branches:\n  main: all\n  "feature\u00a0x": [dev]\n']],
    });

    expect(errorsFor(dir)).toEqual([
      'groundwork.yaml:29:3: branches["feature\u00a0x"]: expected a git branch name: letters, digits and . _ / -, not ' +
        'starting with "-" or "/", not ending with "/" or ".", without ".." or "//", no part starting with "." or ' +
        'ending with ".lock", not "HEAD" (git refuses those), found the key "feature\\u00A0x"',
    ]);
  });

  test('names git takes pass: slashes, dots and hyphens inside', () => {
    const dir = configWith({
      'groundwork.yaml': [['branches:\n  main: all\n', 'branches:\n  main: all\n  release/v1.2-rc_1: [dev]\n']],
    });

    expect(readPlatformConfig(dir).issues).toEqual([]);
  });
});
