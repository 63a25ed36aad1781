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
 * spec does not mark.
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
  'AWS::DynamoDB::Table': ['TableName', 'KeySchema', 'ImportSourceSpecification'],
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

export function isStateful(type: string, table: typeof REPLACING_PROPERTIES = REPLACING_PROPERTIES): boolean {
  return Object.prototype.hasOwnProperty.call(table, type);
}
