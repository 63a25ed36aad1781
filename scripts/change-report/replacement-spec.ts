import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { Replacement } from './types';

/**
 * Which property updates replace a resource, and which resource types hold
 * data, from the CloudFormation resource specification that the CDK itself
 * uses: `@aws-cdk/aws-service-spec` (Apache-2.0, installed with
 * @aws-cdk/integ-runner and bundled in the aws-cdk CLI as db.json.gz). The
 * database is read as JSON, not through its loader, so no extra dependency
 * is needed and the script keeps working when the package's API moves.
 */

/**
 * Types whose replacement or deletion loses data or identity that others
 * depend on (bucket contents, key material, log history, a VPC's addresses,
 * an audit trail, queued messages, topic subscriptions, images).
 * The spec's own `isStateful` flag adds more (e.g. Secrets Manager, Cognito).
 */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::EFS::FileSystem',
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::CloudTrail::Trail',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::ECR::Repository',
]);

/**
 * Properties the spec marks as in-place but CloudFormation cannot change at
 * all: the update fails rather than replace the resource (AWS::KMS::Key
 * reference, KeySpec/KeyUsage/MultiRegion/Origin; a table's local secondary
 * indexes, which "can only be created when its parent table is created", each
 * of their properties "Updates are not supported"). A reviewer must treat them
 * like replacements: the change needs a new key or table and a migration.
 */
const IMMUTABLE_PROPERTIES: { readonly [type: string]: readonly string[] } = {
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'MultiRegion', 'Origin'],
  'AWS::DynamoDB::Table': ['LocalSecondaryIndexes'],
  'AWS::DynamoDB::GlobalTable': ['LocalSecondaryIndexes'],
};

function immutable(type: string, propertyPath: readonly (string | number)[]): boolean {
  return typeof propertyPath[0] === 'string' && (IMMUTABLE_PROPERTIES[type] ?? []).includes(propertyPath[0]);
}

/**
 * Used only when no service spec is found: replacement-forcing properties of
 * the stateful types, copied from the spec (causesReplacement 'yes').
 */
const FALLBACK_REPLACING_PROPERTIES: { readonly [type: string]: readonly string[] } = {
  'AWS::S3::Bucket': ['BucketName', 'ObjectLockEnabled'],
  'AWS::KMS::Key': [],
  'AWS::Logs::LogGroup': ['LogGroupName'],
  'AWS::DynamoDB::Table': ['TableName', 'KeySchema', 'ImportSourceSpecification'],
  'AWS::RDS::DBInstance': [
    'DBInstanceIdentifier',
    'DBName',
    'DBSubnetGroupName',
    'KmsKeyId',
    'StorageEncrypted',
    'MasterUsername',
    'Port',
    'DBClusterIdentifier',
  ],
  'AWS::RDS::DBCluster': ['DBClusterIdentifier', 'DatabaseName', 'KmsKeyId', 'StorageEncrypted', 'MasterUsername'],
  'AWS::EFS::FileSystem': ['Encrypted', 'KmsKeyId', 'PerformanceMode', 'AvailabilityZoneName'],
  'AWS::EC2::VPC': ['CidrBlock', 'Ipv4IpamPoolId', 'Ipv4NetmaskLength'],
  'AWS::EC2::Subnet': ['VpcId', 'CidrBlock', 'AvailabilityZone', 'AvailabilityZoneId'],
  'AWS::CloudTrail::Trail': ['TrailName'],
  'AWS::SQS::Queue': ['QueueName', 'FifoQueue'],
  'AWS::SNS::Topic': ['TopicName', 'FifoTopic'],
  'AWS::ECR::Repository': ['RepositoryName', 'EncryptionConfiguration'],
};

interface SpecPropertyType {
  readonly type: string;
  readonly reference?: { readonly $ref: string };
  readonly element?: SpecPropertyType;
  readonly types?: SpecPropertyType[];
}

interface SpecProperty {
  readonly type: SpecPropertyType;
  readonly causesReplacement?: 'yes' | 'maybe' | 'no';
}

export interface SpecEntity {
  readonly $id: string;
  readonly cloudFormationType?: string;
  readonly isStateful?: boolean;
  readonly properties?: { readonly [name: string]: SpecProperty };
}

export interface SpecDatabase {
  readonly schema: {
    readonly resource: { readonly entities: { readonly [key: string]: SpecEntity } };
    readonly typeDefinition: { readonly entities: { readonly [key: string]: SpecEntity } };
  };
}

const RANK: { readonly [r in Replacement]: number } = { none: 0, conditional: 1, always: 2 };

export function strongerReplacement(a: Replacement, b: Replacement): Replacement {
  return RANK[a] >= RANK[b] ? a : b;
}

function toReplacement(value: string | undefined): Replacement {
  return value === 'yes' ? 'always' : value === 'maybe' ? 'conditional' : 'none';
}

export interface ReplacementSpec {
  /** Where the data came from, for the report. */
  readonly source: string;
  isStateful(type: string): boolean;
  /**
   * How an update at `propertyPath` (segments under Properties, e.g.
   * ['KeySchema', 0, 'AttributeName']) is applied.
   */
  replacementFor(type: string, propertyPath: readonly (string | number)[]): Replacement;
}

/** The built-in table: stateful types and their replacing properties only. */
export function fallbackReplacementSpec(): ReplacementSpec {
  return {
    source: 'built-in table of stateful types (no @aws-cdk/aws-service-spec found)',
    isStateful: (type) => STATEFUL_TYPES.has(type),
    replacementFor: (type, propertyPath) => {
      const replacing = FALLBACK_REPLACING_PROPERTIES[type] ?? [];
      const replaces = typeof propertyPath[0] === 'string' && replacing.includes(propertyPath[0]);
      return replaces || immutable(type, propertyPath) ? 'always' : 'none';
    },
  };
}

/** The spec database at `file` (db.json.gz), parsed. */
export function readSpecDatabase(file: string): SpecDatabase {
  return JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf-8')) as SpecDatabase;
}

/** The spec's resource types by CloudFormation type name (`AWS::S3::Bucket`). */
export function specResourcesByType(db: SpecDatabase): Map<string, SpecEntity> {
  const resources = new Map<string, SpecEntity>();
  for (const entity of Object.values(db.schema.resource.entities)) {
    if (entity.cloudFormationType) resources.set(entity.cloudFormationType, entity);
  }
  return resources;
}

/** Reads the spec database at `file` (db.json.gz). */
export function loadReplacementSpec(file: string): ReplacementSpec {
  const db = readSpecDatabase(file);
  const resources = specResourcesByType(db);
  const typeDefinitions = new Map<string, SpecEntity>();
  for (const entity of Object.values(db.schema.typeDefinition.entities)) typeDefinitions.set(entity.$id, entity);

  // Walks the path through nested property types; the strongest behaviour
  // along the way wins (a change anywhere inside a replacing property replaces).
  function walk(properties: SpecEntity['properties'], segments: readonly (string | number)[]): Replacement {
    const [name, ...rest] = segments;
    const property = typeof name === 'string' ? properties?.[name] : undefined;
    if (!property) return 'none';
    const here = toReplacement(property.causesReplacement);
    if (here === 'always' || rest.length === 0) return here;
    return strongerReplacement(here, walkType(property.type, rest));
  }

  function walkType(type: SpecPropertyType, segments: readonly (string | number)[]): Replacement {
    switch (type.type) {
      case 'ref':
        return walk(typeDefinitions.get(type.reference?.$ref ?? '')?.properties, segments);
      case 'array':
      case 'map':
        // The next segment is the index or key; the element's properties follow.
        return type.element && segments.length > 1 ? walkType(type.element, segments.slice(1)) : 'none';
      case 'union':
        return (type.types ?? []).map((t) => walkType(t, segments)).reduce(strongerReplacement, 'none');
      default:
        return 'none';
    }
  }

  return {
    source: describeSpecFile(file),
    isStateful: (type) => STATEFUL_TYPES.has(type) || resources.get(type)?.isStateful === true,
    replacementFor: (type, propertyPath) =>
      immutable(type, propertyPath) ? 'always' : walk(resources.get(type)?.properties, propertyPath),
  };
}

/** `name@version` of the package holding the file, so the report does not depend on the machine's paths. */
function describeSpecFile(file: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(file), 'package.json'), 'utf-8'));
    return `${pkg.name}@${pkg.version} (${path.basename(file)})`;
  } catch {
    return path.basename(file);
  }
}

/** The db.json.gz files to try, nearest first: the service spec package, then the CDK CLI's copy. */
export function candidateSpecFiles(startDirs: readonly string[]): string[] {
  const candidates: string[] = [];
  for (const start of startDirs) {
    let dir = path.resolve(start);
    for (;;) {
      candidates.push(path.join(dir, 'node_modules', '@aws-cdk', 'aws-service-spec', 'db.json.gz'));
      candidates.push(path.join(dir, 'node_modules', 'aws-cdk', 'db.json.gz'));
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return candidates;
}

/**
 * The service spec if one is installed (GROUNDWORK_SERVICE_SPEC overrides the
 * search), else the built-in table.
 */
export function findReplacementSpec(startDirs: readonly string[] = [process.cwd(), __dirname]): ReplacementSpec {
  const override = process.env.GROUNDWORK_SERVICE_SPEC;
  const files = override ? [override] : candidateSpecFiles(startDirs);
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    try {
      return loadReplacementSpec(file);
    } catch {
      // A truncated or different-format file: try the next one, then the table.
    }
  }
  return fallbackReplacementSpec();
}
