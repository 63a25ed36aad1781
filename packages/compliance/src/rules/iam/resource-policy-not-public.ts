import { CfnResource, Stack } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import {
  alwaysSet,
  flattenToString,
  possibleElements,
  possibleValues,
  renderResource,
} from '../../private/cfn-template';
import { OWNER_ARN_KEYS, OWNER_ID_KEYS, arnFixesOwner, narrowingConditionKeys } from '../../private/conditions';
import { PolicyStatement, isAllow, statementsOf } from '../../private/iam-policy';

/** The resource-based policies the rule reads: resource type -> the property holding the policy document. */
const RESOURCE_POLICY_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::S3::BucketPolicy': 'PolicyDocument',
  'AWS::SNS::TopicPolicy': 'PolicyDocument',
  'AWS::SQS::QueuePolicy': 'PolicyDocument',
  'AWS::KMS::Key': 'KeyPolicy',
  'AWS::KMS::ReplicaKey': 'KeyPolicy',
  'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
  'AWS::ECR::Repository': 'RepositoryPolicyText',
  'AWS::EFS::FileSystem': 'FileSystemPolicy',
  'AWS::Logs::ResourcePolicy': 'PolicyDocument',
  'AWS::Backup::BackupVault': 'AccessPolicy',
  // The S3 family: access points and the policies of the other bucket kinds, which S3 Block Public Access
  // judges with the same "The meaning of public" (property names from aws-cdk-lib's L1 classes).
  'AWS::S3::AccessPoint': 'Policy',
  'AWS::S3::MultiRegionAccessPointPolicy': 'Policy',
  'AWS::S3Express::AccessPoint': 'Policy',
  'AWS::S3Express::BucketPolicy': 'PolicyDocument',
  'AWS::S3ObjectLambda::AccessPointPolicy': 'PolicyDocument',
  'AWS::S3Outposts::AccessPoint': 'Policy',
  'AWS::S3Outposts::BucketPolicy': 'PolicyDocument',
  'AWS::S3Tables::TableBucketPolicy': 'ResourcePolicy',
  'AWS::S3Tables::TablePolicy': 'ResourcePolicy',
  'AWS::S3Vectors::VectorBucketPolicy': 'Policy',
  'AWS::S3Files::FileSystemPolicy': 'Policy',
  // Other services' resource-based policies (property names from aws-cdk-lib's L1 classes).
  'AWS::SNS::TopicInlinePolicy': 'PolicyDocument',
  'AWS::SQS::QueueInlinePolicy': 'PolicyDocument',
  'AWS::Kinesis::ResourcePolicy': 'ResourcePolicy',
  'AWS::OpenSearchService::Domain': 'AccessPolicies',
  'AWS::Elasticsearch::Domain': 'AccessPolicies',
  'AWS::CodeArtifact::Domain': 'PermissionsPolicyDocument',
  'AWS::CodeArtifact::Repository': 'PermissionsPolicyDocument',
  'AWS::ECR::RegistryPolicy': 'PolicyText',
  'AWS::EventSchemas::RegistryPolicy': 'Policy',
  'AWS::CloudTrail::ResourcePolicy': 'ResourcePolicy',
  'AWS::MediaStore::Container': 'Policy',
  'AWS::Events::EventBus': 'Policy',
  // CloudWatch Logs subscription destinations: who may create subscription filters sending logs to it (a JSON string).
  'AWS::Logs::Destination': 'DestinationPolicy',
};

/**
 * Resource types whose policies sit deeper in their properties: the paths to each policy document, `*`
 * standing for every element of a list (a table's policy and its stream's, each replica's in a global table).
 */
const NESTED_POLICY_PATHS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'AWS::DynamoDB::Table': [
    ['ResourcePolicy', 'PolicyDocument'],
    ['StreamSpecification', 'ResourcePolicy', 'PolicyDocument'],
  ],
  // Who may deliver logs to a CloudWatch Logs delivery destination.
  'AWS::Logs::DeliveryDestination': [['DeliveryDestinationPolicy', 'DeliveryDestinationPolicy']],
  'AWS::DynamoDB::GlobalTable': [
    ['Replicas', '*', 'ResourcePolicy', 'PolicyDocument'],
    ['Replicas', '*', 'ReplicaStreamSpecification', 'ResourcePolicy', 'PolicyDocument'],
  ],
};

/**
 * The values at `path` in `value`, through both branches of every `Fn::If` on the way (what some deployment
 * gets); a missing step, or a step through something else than an object or a list, yields none.
 */
function valuesAt(value: unknown, path: readonly string[]): unknown[] {
  if (path.length === 0) {
    return value === undefined ? [] : [value];
  }
  const [step, ...rest] = path;
  if (step === '*') {
    return possibleElements(value).flatMap((element) => valuesAt(element, rest));
  }
  return possibleValues(value)
    .filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v))
    .flatMap((v) => valuesAt(v[step], rest));
}

// Keys that tie a request to a known account, organization, source resource or network: the fixed values
// with which S3 stops calling a policy public ("The meaning of public": aws:SourceIp ranges, aws:SourceArn,
// aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount), and the organization and principal keys
// AWS recommends for resource-based policies (aws:PrincipalOrgID; aws:PrincipalAccount, aws:PrincipalArn,
// aws:SourceOrgID); kms:CallerAccount for key policies. The id and ARN keys are the ones whose values
// narrowingConditionKeys judges as fixed or not, so that a key listed here is always judged that way.
const NARROWING_KEYS = [...OWNER_ID_KEYS, ...OWNER_ARN_KEYS, 'aws:sourceip'];

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
    !narrowingConditionKeys(statement, { fixedValues: true }).some((k) => NARROWING_KEYS.includes(k))
  );
}

/**
 * A principal as text, with the partition's domain and the region that aws-cdk-lib and hand-written templates
 * put in through pseudo parameters (`{"Fn::Join": ["", ["s3.", {"Ref": "AWS::URLSuffix"}]]}`,
 * `events.${AWS::URLSuffix}`, `logs.${AWS::Region}.amazonaws.com`) written out as in the commercial partition.
 */
function principalText(principal: unknown): string {
  return flattenToString(principal)
    .replace(/\$\{AWS::URLSuffix\}/g, 'amazonaws.com')
    .replace(/\$\{AWS::Region\}/g, 'region');
}

/**
 * An AWS service principal (`s3.amazonaws.com`, `elasticloadbalancing.amazonaws.com`, `alexa-appkit.amazon.com`,
 * China's `*.amazonaws.com.cn`, any of them written with `${AWS::URLSuffix}`): a service acting for whichever
 * account owns the resource that calls.
 */
function isServicePrincipal(principal: string): boolean {
  return /^[a-z0-9.-]+\.amazon(aws)?\.com(\.cn)?$/.test(principal);
}

/**
 * Whether a Lambda permission may be for Amazon S3: its principal is `s3.amazonaws.com` in some branch, or its
 * SourceArn is in some branch a bucket ARN (`arn:<partition>:s3:::...`) or the `Arn` of a bucket of the stack
 * (`{"Fn::GetAtt": [<bucket>, "Arn"]}`, which reads as a fixed ARN but holds no account either).
 */
function forS3(node: CfnResource, properties: Record<string, unknown>): boolean {
  return (
    possibleValues(properties.Principal).some((v) => /^s3\.amazonaws\.com(\.cn)?$/.test(principalText(v))) ||
    possibleValues(properties.SourceArn).some(
      (arn) => /^arn:[^:]*:s3:::/i.test(flattenToString(arn)) || isBucketArnOfStack(node, arn),
    )
  );
}

/** Bucket types whose ARN, like `arn:aws:s3:::name`, holds no account. */
const BUCKET_TYPES = ['AWS::S3::Bucket', 'AWS::S3Express::DirectoryBucket'];

/** Whether `value` is `{"Fn::GetAtt": [<logical id>, "Arn"]}` of a bucket in the stack of `node`. */
function isBucketArnOfStack(node: CfnResource, value: unknown): boolean {
  if (value === null || typeof value !== 'object' || !('Fn::GetAtt' in value)) {
    return false;
  }
  const att = (value as { 'Fn::GetAtt': unknown })['Fn::GetAtt'];
  const [logicalId, attribute] = Array.isArray(att) ? att : typeof att === 'string' ? att.split('.') : [];
  if (attribute !== 'Arn' || typeof logicalId !== 'string') {
    return false;
  }
  const stack = Stack.of(node);
  return stack.node
    .findAll()
    .some(
      (c) =>
        c instanceof CfnResource &&
        BUCKET_TYPES.includes(c.cfnResourceType) &&
        Stack.of(c) === stack &&
        stack.resolve(c.logicalId) === logicalId,
    );
}

/**
 * A Lambda permission for `*` is public unless it names the source account or organization, or a source ARN
 * that fixes the source's owner (Lambda compares SourceArn with ArnLike; `arn:aws:s3:::*` fixes nothing).
 * A permission for an AWS service principal without them is public in the same way: any account's resource
 * of that service (a bucket, a rule, a target group in another account) may invoke the function, the
 * confused deputy the Lambda documentation warns of; an Alexa skill's `EventSourceToken` also names the caller.
 * For Amazon S3 a SourceArn is not enough: a bucket ARN holds no account, and "it is possible for an Amazon S3
 * bucket to be deleted by its owner and recreated by another account" (Lambda API reference, AddPermission,
 * SourceAccount), so the permission needs SourceAccount (or, for `*`, PrincipalOrgID).
 */
function publicLambdaPermission(properties: Record<string, unknown>, node: CfnResource): boolean {
  const everyone = everyoneInSomeBranch(properties.Principal);
  const service = possibleValues(properties.Principal).some((v) => isServicePrincipal(principalText(v)));
  if (!everyone && !service) {
    return false;
  }
  const sourceArnFixed =
    !forS3(node, properties) &&
    alwaysSet(properties.SourceArn) &&
    possibleValues(properties.SourceArn).every((arn) => arnFixesOwner('arnlike', flattenToString(arn)));
  // PrincipalOrgID names the accounts of the principal, which a service principal does not belong to.
  const narrowing = everyone ? ['SourceAccount', 'PrincipalOrgID'] : ['SourceAccount', 'EventSourceToken'];
  return !(sourceArnFixed || narrowing.some((name) => alwaysSet(properties[name])));
}

/** Whether the value is `*` in some deployment (either branch of an `Fn::If`). */
function everyoneInSomeBranch(value: unknown): boolean {
  return possibleValues(value).some((v) => flattenToString(v) === '*');
}

/**
 * An EventBridge bus permission (AWS::Events::EventBusPolicy) is public when its `Statement` is, or, in the
 * older form, when its `Principal` is `*` without the `Condition` (whose only key is aws:PrincipalOrgID).
 */
function publicEventBusPermission(properties: Record<string, unknown>): boolean {
  const statements = statementsOf({ Statement: properties.Statement });
  return (
    statements.some(publicStatement) || (everyoneInSomeBranch(properties.Principal) && !alwaysSet(properties.Condition))
  );
}

/** A Lambda layer version permission for `*` is public unless it names an organization (`OrganizationId`). */
function publicLayerPermission(properties: Record<string, unknown>): boolean {
  return everyoneInSomeBranch(properties.Principal) && !alwaysSet(properties.OrganizationId);
}

/** The resource types whose permission is not a policy document, each with its own reading. */
const PERMISSION_RESOURCES: Readonly<
  Record<string, (properties: Record<string, unknown>, node: CfnResource) => boolean>
> = {
  'AWS::Lambda::Permission': publicLambdaPermission,
  'AWS::Lambda::LayerVersionPermission': publicLayerPermission,
  'AWS::Events::EventBusPolicy': publicEventBusPermission,
};

/**
 * Groundwork-IAM6: no resource-based policy lets everyone in. An Allow statement whose principal is `*`
 * (`"*"`, `AWS: "*"` in any `Fn::If` branch, or a `NotPrincipal`) needs a condition on a key that ties the
 * request to an account, organization, source resource or network: aws:SourceArn, aws:SourceAccount,
 * aws:SourceOwner, aws:SourceVpc, aws:SourceVpce, aws:SourceIp (narrower than /0), aws:SourceOrgID,
 * aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn or kms:CallerAccount, under an operator that
 * fails for a caller without the key (as Groundwork-IAM4), with fixed values: an account, organization, VPC
 * or endpoint id without a wildcard or an IAM policy variable (references to template resources and pseudo
 * parameters count as fixed); an ARN (aws:SourceArn, aws:PrincipalArn) without a wildcard, or whose account
 * field is a fixed account id (`arn:aws:sns:*:*:t`, `arn:aws:s3:::*` and `arn:aws:iam::*:role/x` do not
 * count; under StringLike a wildcard before the account field does not count either). aws:SourceIp needs
 * `IpAddress` and a range narrower than /0. Deny statements are not read. A Lambda permission for `*` needs
 * SourceAccount, PrincipalOrgID or a SourceArn judged as above; a Lambda layer version permission for `*`
 * needs OrganizationId; an EventBridge bus permission (AWS::Events::EventBusPolicy) is judged by its
 * `Statement` as above, or in its older form needs the organization `Condition` beside a `*` Principal.
 * A Lambda permission for an AWS service principal (also written with `${AWS::URLSuffix}`) needs the same
 * source (or an Alexa `EventSourceToken`). A Lambda permission for Amazon S3 (principal `s3.amazonaws.com`, or a
 * bucket ARN, or the Arn of a bucket of the stack, as SourceArn) needs SourceAccount (or, for `*`, PrincipalOrgID): a bucket ARN holds no account.
 * Read types: bucket, topic, queue, key, secret, ECR repository, EFS file system, CloudWatch Logs and
 * Backup vault policies, multi-Region replica keys, and the S3 family
 * (access points, Multi-Region Access Point, directory bucket, Object Lambda access point, Outposts,
 * table bucket, table, vector bucket and S3 Files file system policies), SNS and SQS inline policies, Kinesis,
 * OpenSearch and Elasticsearch domains, CodeArtifact domains and repositories, the ECR registry policy,
 * EventBridge event buses and schema registries, CloudTrail, MediaStore containers, DynamoDB tables and streams
 * (global table replicas included), CloudWatch Logs destinations and delivery destinations.
 * @param node the CfnResource to check
 */
export function resourcePolicyNotPublic(node: CfnResource): NagRuleResult {
  const type = node.cfnResourceType;
  const permission = PERMISSION_RESOURCES[type];
  if (permission !== undefined) {
    return permission(renderResource(node).Properties, node)
      ? NagRuleCompliance.NON_COMPLIANT
      : NagRuleCompliance.COMPLIANT;
  }
  const property = RESOURCE_POLICY_PROPERTIES[type];
  const paths = property === undefined ? NESTED_POLICY_PATHS[type] : [[property]];
  if (paths === undefined) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const properties = renderResource(node).Properties;
  const statements = paths.flatMap((path) => valuesAt(properties, path)).flatMap((document) => statementsOf(document));
  return statements.some(publicStatement) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
