/**
 * Resource types that hold data or identity others depend on, and the properties whose change makes
 * CloudFormation replace the resource (create a new one, delete the old one): the properties marked
 * "Update requires: Replacement" in the CloudFormation resource reference, checked against the
 * `causesReplacement: 'yes'` entries of @aws-cdk/aws-service-spec. A replaced bucket, table or log
 * group starts empty; a replaced key cannot decrypt what the old one encrypted; a replaced VPC or subnet
 * takes every ENI in it down; a replaced trail loses its name and history.
 *
 * The table is explicit on purpose: a reviewer can read what the gate protects. A change to a property not
 * listed here is an in-place update and passes; so does any change to other resource types. A test
 * (test/template-stability/compare.test.ts) fails when the installed service spec marks another property of
 * a listed type as replacing, so the table follows the spec when @aws-cdk/aws-service-spec is updated. The
 * KMS key's immutable properties and LogGroupClass are listed from the CloudFormation reference, which the
 * spec does not mark, and so are a DynamoDB table's LocalSecondaryIndexes: a local secondary index can only be
 * created with its table (AWS::DynamoDB::Table LocalSecondaryIndex reference, "Update requires: Updates are not
 * supported").
 *
 * A second table, IDENTITY_RESOURCES below, protects resources that hold no data but whose identity others
 * depend on: a fixed name, or the one copy an account and region may have.
 */
export const REPLACING_PROPERTIES: { readonly [type: string]: readonly string[] } = {
  'AWS::S3::Bucket': ['BucketName', 'BucketNamePrefix', 'BucketNamespace', 'ObjectLockEnabled'],
  // KeySpec, KeyUsage, MultiRegion and Origin are immutable: CloudFormation fails the update rather than
  // replace a key (AWS::KMS::Key reference), which blocks the deployment just the same.
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'MultiRegion', 'Origin'],
  'AWS::Logs::LogGroup': ['LogGroupName', 'LogGroupClass'],
  'AWS::EC2::VPC': ['CidrBlock', 'Ipv4IpamPoolId', 'Ipv4NetmaskLength'],
  'AWS::EC2::Subnet': [
    'VpcId',
    'CidrBlock',
    'AvailabilityZone',
    'AvailabilityZoneId',
    'Ipv4IpamPoolId',
    'Ipv4NetmaskLength',
    'Ipv6IpamPoolId',
    'Ipv6NetmaskLength',
    'Ipv6Native',
    'OutpostArn',
  ],
  'AWS::CloudTrail::Trail': ['TrailName'],
  'AWS::DynamoDB::Table': ['TableName', 'KeySchema', 'ImportSourceSpecification', 'LocalSecondaryIndexes'],
  'AWS::DynamoDB::GlobalTable': ['TableName', 'KeySchema', 'LocalSecondaryIndexes'],
  'AWS::RDS::DBInstance': [
    'DBInstanceIdentifier',
    'DBName',
    'DBClusterIdentifier',
    'DBSubnetGroupName',
    'KmsKeyId',
    'StorageEncrypted',
    'MasterUsername',
    'CharacterSetName',
    'NcharCharacterSetName',
    'Timezone',
    'Port',
    'SourceRegion',
    'CustomIAMInstanceProfile',
    'BackupTarget',
    'DBSystemId',
  ],
  'AWS::RDS::DBCluster': [
    'DBClusterIdentifier',
    'DatabaseName',
    'DBSubnetGroupName',
    'EngineMode',
    'KmsKeyId',
    'StorageEncrypted',
    'AvailabilityZones',
    'ClusterScalabilityType',
    'DBSystemId',
    'PubliclyAccessible',
    // Restore-only properties: set or changed on an existing cluster, they restore a new one in its place.
    'RestoreToTime',
    'RestoreType',
    'SnapshotIdentifier',
    'SourceDBClusterIdentifier',
    'SourceDbClusterResourceId',
    'SourceRegion',
    'UseLatestRestorableTime',
  ],
  'AWS::SNS::Topic': ['TopicName', 'FifoTopic'],
  'AWS::SQS::Queue': ['QueueName', 'FifoQueue'],
  'AWS::ECR::Repository': ['RepositoryName', 'EncryptionConfiguration'],
  'AWS::EFS::FileSystem': ['Encrypted', 'KmsKeyId', 'PerformanceMode', 'AvailabilityZoneName'],
  'AWS::SecretsManager::Secret': ['Name'],
};

/**
 * Why a resource of the second class is protected:
 * - `named`: others use its fixed name (the SSM parameter paths app teams read, the role names trusted from
 *   another account, a key alias). A new name loses them; a new logical id that keeps the name makes
 *   CloudFormation create the new resource first, which fails because the name already exists.
 * - `singleton`: an account and region may have only one (one GuardDuty detector, one Config configuration
 *   recorder and one delivery channel, one Security Hub, one account-level Access Analyzer analyzer per type).
 *   CloudFormation creates the replacement before it deletes the old one, so the replacement fails because one
 *   already exists.
 */
export type IdentityKind = 'named' | 'singleton';

export interface IdentityRule {
  readonly kind: IdentityKind;
  /**
   * Properties whose change is a finding: the name, and for a role its Path (part of its ARN). Each is marked
   * replacing (causesReplacement 'yes') by @aws-cdk/aws-service-spec, which a test checks.
   */
  readonly properties: readonly string[];
  /**
   * For `named`: the name property. A resource of the type is protected only when its template sets it: a name
   * CloudFormation generates is nobody's contract.
   */
  readonly nameProperty?: string;
}

/** Resources whose identity others depend on: a vanished logical id or a changed listed property is a finding. */
export const IDENTITY_RESOURCES: { readonly [type: string]: IdentityRule } = {
  'AWS::SSM::Parameter': { kind: 'named', nameProperty: 'Name', properties: ['Name'] },
  'AWS::IAM::Role': { kind: 'named', nameProperty: 'RoleName', properties: ['RoleName', 'Path'] },
  'AWS::KMS::Alias': { kind: 'named', nameProperty: 'AliasName', properties: ['AliasName'] },
  'AWS::GuardDuty::Detector': { kind: 'singleton', properties: [] },
  'AWS::Config::ConfigurationRecorder': { kind: 'singleton', properties: ['Name'] },
  'AWS::Config::DeliveryChannel': { kind: 'singleton', properties: ['Name'] },
  'AWS::SecurityHub::Hub': { kind: 'singleton', properties: [] },
  'AWS::AccessAnalyzer::Analyzer': { kind: 'singleton', properties: ['AnalyzerName'] },
};

/** The identity rule that protects this resource, if any (a named type only when the name is set). */
export function identityRule(
  resource: { readonly Type: string; readonly Properties?: { readonly [name: string]: unknown } },
  identities: typeof IDENTITY_RESOURCES = IDENTITY_RESOURCES,
): IdentityRule | undefined {
  if (!Object.prototype.hasOwnProperty.call(identities, resource.Type)) return undefined;
  const rule = identities[resource.Type];
  if (rule.nameProperty !== undefined && resource.Properties?.[rule.nameProperty] === undefined) return undefined;
  return rule;
}

export function isStateful(type: string, table: typeof REPLACING_PROPERTIES = REPLACING_PROPERTIES): boolean {
  return Object.prototype.hasOwnProperty.call(table, type);
}
