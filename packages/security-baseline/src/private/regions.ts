import { Aws, CfnCondition, CfnResource, Fn, ICfnConditionExpression, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The regions of the commercial partition where AWS Config was available before February 2022. Only
 * there can AWS Config record the global IAM resource types (AWS::IAM::User, Group, Role, Policy):
 * "These resource types cannot be recorded in Regions supported by AWS Config after February 2022"
 * (AWS Config Developer Guide, "Recording AWS Resources | Global Resources",
 * https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html#select-resources-all,
 * and the "Managed Rules and Global IAM Resource Types" note on every IAM rule page).
 *
 * The list is every commercial region launched before February 2022 (Jakarta, ap-southeast-3, in
 * December 2021 being the last); AWS Config launches with each region. The regions launched since
 * (UAE, Hyderabad, Zurich, Spain, Melbourne, Tel Aviv, Calgary, Malaysia, Thailand, Mexico, Taipei,
 * New Zealand) are exactly the ones the rule page of iam-user-no-policies-check lists as not
 * offering that rule. A region missing here (a new one) is treated as one that cannot record IAM.
 */
export const GLOBAL_IAM_RECORDING_REGIONS: readonly string[] = [
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'me-south-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
];

/** Where an AWS Config managed rule exists: everywhere but `except`, or only in `only`. */
export interface RuleAvailability {
  /** The rule exists in these regions only. */
  readonly only?: readonly string[];
  /** The rule exists everywhere but in these regions. */
  readonly except?: readonly string[];
  /** Why, in words, for annotations and errors. */
  readonly reason: string;
  /** Id of the region condition shared by the rules with this availability; default: one per rule. */
  readonly conditionId?: string;
}

const IAM_RULE: RuleAvailability = {
  only: GLOBAL_IAM_RECORDING_REGIONS,
  reason: 'it reports on IAM resources, which AWS Config records only in regions it served before February 2022',
  conditionId: 'GlobalIamRecordingRegion',
};
const NOT_OFFERED = 'AWS Config does not offer it there';

/**
 * Where the AWS Config managed rules this package creates exist, by rule name, from each rule's page in
 * the AWS Config Developer Guide (https://docs.aws.amazon.com/config/latest/developerguide/<rule name>.html,
 * "AWS Region: All supported AWS regions except ..."), commercial regions only. A rule not listed here
 * exists in every region where AWS Config does. AWS rejects a rule where it does not exist
 * (InvalidParameterValueException "The sourceIdentifier ... is invalid"), which fails the stack.
 *
 * The IAM rules (their pages list varying subsets of the regions launched after February 2022, e.g.
 * iam-user-no-policies-check all twelve, root-account-mfa-enabled four, iam-password-policy three) are
 * created only where AWS Config records IAM: their pages also say to deploy them to "one of the
 * supported Regions to avoid unnecessary evaluations".
 */
export const RULE_AVAILABILITY: { readonly [rule: string]: RuleAvailability } = {
  'root-account-mfa-enabled': IAM_RULE,
  'iam-root-access-key-check': IAM_RULE,
  'mfa-enabled-for-iam-console-access': IAM_RULE,
  'iam-password-policy': IAM_RULE,
  'access-keys-rotated': IAM_RULE,
  'iam-user-no-policies-check': IAM_RULE,
  // Mexico (Central), Asia Pacific (Taipei).
  'encrypted-volumes': { except: ['mx-central-1', 'ap-east-2'], reason: NOT_OFFERED },
  // Asia Pacific (New Zealand), Europe (Milan), Asia Pacific (Taipei).
  'kms-cmk-not-scheduled-for-deletion': { except: ['ap-southeast-6', 'eu-south-1', 'ap-east-2'], reason: NOT_OFFERED },
  // Middle East (UAE), Asia Pacific (Hyderabad), Asia Pacific (Melbourne), Israel (Tel Aviv), Europe (Spain).
  'cloudformation-stack-drift-detection-check': {
    except: ['me-central-1', 'ap-south-2', 'ap-southeast-4', 'il-central-1', 'eu-south-2'],
    reason: NOT_OFFERED,
  },
  // Asia Pacific (New Zealand), Asia Pacific (Thailand), Mexico (Central), Asia Pacific (Taipei).
  'guardduty-enabled-centralized': {
    except: ['ap-southeast-6', 'ap-southeast-7', 'mx-central-1', 'ap-east-2'],
    reason: NOT_OFFERED,
  },
  // Asia Pacific (Thailand), Mexico (Central), Asia Pacific (Taipei).
  'rds-storage-encrypted': { except: ['ap-southeast-7', 'mx-central-1', 'ap-east-2'], reason: NOT_OFFERED },
};

/** Whether a rule reports on IAM, which is global to an account (it shares the IAM rules' availability). */
export function isAccountIamRule(rule: string): boolean {
  return RULE_AVAILABILITY[rule] === IAM_RULE;
}

/** Whether the rule exists in `region` (a resolved region name). */
export function ruleAvailableIn(rule: string, region: string): boolean {
  const availability = RULE_AVAILABILITY[rule];
  if (!availability) return true;
  if (availability.only) return availability.only.includes(region);
  return !(availability.except ?? []).includes(region);
}

/** The stack's region when it is known at synthesis, else undefined (an environment-agnostic stack, a StackSet). */
export function resolvedRegion(scope: IConstruct): string | undefined {
  const region = Stack.of(scope).region;
  return Token.isUnresolved(region) ? undefined : region;
}

/** True in any of `regions`; Fn::Or takes 2 to 10 conditions, so longer lists are nested. */
function regionIsOneOf(regions: readonly string[]): ICfnConditionExpression {
  let conditions: ICfnConditionExpression[] = regions.map((region) => Fn.conditionEquals(Aws.REGION, region));
  while (conditions.length > 1) {
    const groups: ICfnConditionExpression[] = [];
    for (let i = 0; i < conditions.length; i += 10) {
      const group = conditions.slice(i, i + 10);
      groups.push(group.length === 1 ? group[0] : Fn.conditionOr(...group));
    }
    conditions = groups;
  }
  return conditions[0];
}

/**
 * For a stack whose region is unknown at synthesis: the CfnCondition that is true where `rule`
 * exists, one per rule (the IAM rules share one) in the stack of `scope`, shared by every construct
 * that creates the rule, or undefined for a rule that exists everywhere.
 */
export function ruleAvailableCondition(scope: IConstruct, rule: string): CfnCondition | undefined {
  const availability = RULE_AVAILABILITY[rule];
  if (!availability) return undefined;
  const stack = Stack.of(scope);
  const id =
    availability.conditionId ??
    `ConfigRule${rule
      .split('-')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('')}Available`;
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof CfnCondition) return existing;
  if (existing) {
    throw new Error(`${existing.node.path}: expected the region condition of ${rule}, found another construct`);
  }
  const expression = availability.only
    ? regionIsOneOf(availability.only)
    : Fn.conditionNot(regionIsOneOf(availability.except ?? []));
  return new CfnCondition(stack, id, { expression });
}

/** Deploys every CloudFormation resource under `construct` only where `condition` holds. */
export function deployOnlyWhere(construct: IConstruct, condition: CfnCondition): void {
  for (const child of construct.node.findAll()) {
    if (CfnResource.isCfnResource(child)) child.cfnOptions.condition = condition;
  }
}
