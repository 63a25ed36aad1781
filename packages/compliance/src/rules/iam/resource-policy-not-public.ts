import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { alwaysSet, flattenToString, possibleElements, renderResource } from '../../private/cfn-template';
import { narrowingConditionKeys } from '../../private/conditions';
import { PolicyStatement, isAllow, statementsOf } from '../../private/iam-policy';

/** The resource-based policies the rule reads: resource type -> the property holding the policy document. */
const RESOURCE_POLICY_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
  'AWS::ECR::Repository': 'RepositoryPolicyText',
  'AWS::EFS::FileSystem': 'FileSystemPolicy',
  'AWS::Logs::ResourcePolicy': 'PolicyDocument',
  'AWS::Backup::BackupVault': 'AccessPolicy',
};

// Keys that tie a request to a known account, organization, source resource or network: the fixed values
// with which S3 stops calling a policy public ("The meaning of public": aws:SourceIp ranges, aws:SourceArn,
// aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount), and the organization and principal keys
// AWS recommends for resource-based policies (aws:PrincipalOrgID; aws:PrincipalAccount, aws:PrincipalArn,
// aws:SourceOrgID); kms:CallerAccount for key policies.
const NARROWING_KEYS = [
  'aws:sourceip',
  'aws:sourcearn',
  'aws:sourcevpc',
  'aws:sourcevpce',
  'aws:sourceowner',
  'aws:sourceaccount',
  'aws:sourceorgid',
  'aws:principalorgid',
  'aws:principalaccount',
  'aws:principalarn',
  'kms:calleraccount',
];

/** Whether the Allow statement admits every principal: `"*"`, `AWS: "*"` (in some deployment), or `NotPrincipal`. */
function admitsEveryone(statement: PolicyStatement): boolean {
  if ((statement as { NotPrincipal?: unknown }).NotPrincipal !== undefined) {
    // Allow with NotPrincipal grants everyone but the listed principals.
    return true;
  }
  const principal = statement.Principal;
  if (flattenToString(principal) === '*') {
    return true;
  }
  if (principal !== null && typeof principal === 'object' && 'AWS' in principal) {
    return possibleElements((principal as { AWS: unknown }).AWS).some((p) => flattenToString(p) === '*');
  }
  return false;
}

function publicStatement(statement: PolicyStatement): boolean {
  return (
    isAllow(statement) &&
    admitsEveryone(statement) &&
    !narrowingConditionKeys(statement).some((k) => NARROWING_KEYS.includes(k))
  );
}

/** A Lambda permission for `*` is public unless it names the source account, source ARN or organization. */
function publicLambdaPermission(properties: Record<string, unknown>): boolean {
  if (flattenToString(properties.Principal) !== '*') {
    return false;
  }
  return !['SourceAccount', 'SourceArn', 'PrincipalOrgID'].some((name) => alwaysSet(properties[name]));
}

/**
 * Groundwork-IAM6: no resource-based policy lets everyone in. An Allow statement whose principal is `*`
 * (`"*"`, `AWS: "*"` in any `Fn::If` branch, or a `NotPrincipal`) needs a condition on a key that ties the
 * request to an account, organization, source resource or network: aws:SourceArn, aws:SourceAccount,
 * aws:SourceOwner, aws:SourceVpc, aws:SourceVpce, aws:SourceIp (narrower than /0), aws:SourceOrgID,
 * aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn or kms:CallerAccount, under an operator that
 * fails for a caller without the key and with a value that is not only wildcards (as Groundwork-IAM4).
 * Deny statements are not read. A Lambda permission for `*` needs SourceAccount, SourceArn or PrincipalOrgID.
 * @param node the CfnResource to check
 */
export function resourcePolicyNotPublic(node: CfnResource): NagRuleResult {
  const type = node.cfnResourceType;
  if (type === 'AWS::Lambda::Permission') {
    return publicLambdaPermission(renderResource(node).Properties)
      ? NagRuleCompliance.NON_COMPLIANT
      : NagRuleCompliance.COMPLIANT;
  }
  const property = RESOURCE_POLICY_PROPERTIES[type];
  if (property === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const statements = statementsOf(renderResource(node).Properties[property]);
  return statements.some(publicStatement) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
