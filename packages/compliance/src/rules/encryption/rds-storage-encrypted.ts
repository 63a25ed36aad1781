import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { deployments, isTrue, renderResource } from '../../private/cfn-template';
import { alwaysSetWithParameters } from '../../private/parameters';

// The sources whose encryption an instance inherits. CloudFormation, AWS::RDS::DBInstance StorageEncrypted: "If
// you specify the SourceDBInstanceIdentifier or SourceDbiResourceId property, don't specify this property. The
// value is inherited from the source DB instance"; likewise for SourceDBInstanceAutomatedBackupsArn ("inherited
// from the source DB instance automated backup") and DBSnapshotIdentifier ("inherited from the snapshot").
// SourceDBClusterIdentifier makes the instance a read replica of a Multi-AZ DB cluster, which RDS encrypts as its
// source (RDS API, CreateDBInstanceReadReplica KmsKeyId: "A read replica in the same Amazon Web Services Region is
// always encrypted with the same KMS key as the source DB instance or cluster"; "You can't create an encrypted
// read replica from an unencrypted DB instance or Multi-AZ DB cluster").
const INSTANCE_SOURCES = [
  'SourceDBInstanceIdentifier',
  'SourceDbiResourceId',
  'SourceDBInstanceAutomatedBackupsArn',
  'DBSnapshotIdentifier',
  'SourceDBClusterIdentifier',
];

// The sources of a cluster restored to a point in time: AWS::RDS::DBCluster takes one of the two ("You must
// specify either SourceDBClusterIdentifier or SourceDbClusterResourceId, but not both"), and StorageEncrypted:
// "If you specify the SourceDBClusterIdentifier property, don't specify this property. The value is inherited
// from the source DB cluster". RDS API, RestoreDBClusterToPointInTime KmsKeyId: without a key the restore is
// encrypted only if the source is, and a key with an unencrypted source is rejected.
const CLUSTER_SOURCES = ['SourceDBClusterIdentifier', 'SourceDbClusterResourceId'];

/** The properties ENC6 reads, in every deployment. */
const READ = ['DBClusterIdentifier', 'EngineMode', 'StorageEncrypted', 'KmsKeyId', 'SnapshotIdentifier'];

/**
 * Whether the database takes its encryption from elsewhere, which the template does not show, in this
 * deployment: an instance of an Aurora cluster (the cluster holds the setting), an instance that is a read
 * replica (of an instance or of a Multi-AZ DB cluster) or restored from a snapshot or automated backup, a cluster
 * restored to a point in time of another (`SourceDBClusterIdentifier`: "The value is inherited from the source DB
 * cluster", or the same restore by `SourceDbClusterResourceId`), or a cluster restored from a snapshot
 * without both `StorageEncrypted: true` and a `KmsKeyId` (AWS::RDS::DBCluster StorageEncrypted: with
 * `SnapshotIdentifier`, "If you specify both the StorageEncrypted and SnapshotIdentifier properties without
 * specifying the KmsKeyId property, then the restored DB cluster inherits the encryption settings from the DB
 * snapshot"; with a key, an unencrypted snapshot is restored encrypted). A source counts only when it is set
 * whatever the parameters: CloudFormation creates a new, empty database when `DBSnapshotIdentifier` is `''`.
 */
function inherits(node: CfnResource, type: string, db: { [key: string]: unknown }): boolean {
  const set = (key: string) => alwaysSetWithParameters(node, db[key]);
  if (type === 'AWS::RDS::DBInstance') {
    return set('DBClusterIdentifier') || INSTANCE_SOURCES.some(set);
  }
  if (CLUSTER_SOURCES.some(set)) {
    return true;
  }
  return set('SnapshotIdentifier') && !(isTrue(db.StorageEncrypted) && set('KmsKeyId'));
}

/**
 * Groundwork-ENC6: RDS instances and clusters have `StorageEncrypted: true`, in every deployment the template's
 * conditions allow (see deployments) in which the database does not inherit its encryption (see inherits). An
 * Aurora Serverless v1 cluster (`EngineMode: serverless`) is always encrypted. A database that inherits its
 * encryption in every deployment is not checked: its source is checked where the template defines it, and a
 * snapshot's or another account's encryption is not in the template. A source or cluster identifier behind an
 * `Fn::If` with an `AWS::NoValue` branch, or a parameter whose `Default` or `AllowedValues` is `''`, leaves a
 * standalone database in that deployment, which is checked.
 * @param node the CfnResource to check
 */
export function rdsStorageEncrypted(node: CfnResource): NagRuleResult {
  const type = node.cfnResourceType;
  if (type !== 'AWS::RDS::DBInstance' && type !== 'AWS::RDS::DBCluster') {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const props = renderResource(node).Properties;
  const sources = type === 'AWS::RDS::DBInstance' ? INSTANCE_SOURCES : CLUSTER_SOURCES;
  const read: { [key: string]: unknown } = {};
  for (const key of [...READ, ...sources]) {
    read[key] = props[key];
  }
  // More conditions than deployments reads: judged in one form that inherits nothing and is not encrypted.
  const checked = (deployments(read) ?? [{}]).filter((db: any) => !inherits(node, type, db));
  if (checked.length === 0) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return checked.every(
    (db: any) => isTrue(db.StorageEncrypted) || (type === 'AWS::RDS::DBCluster' && db.EngineMode === 'serverless'),
  )
    ? NagRuleCompliance.COMPLIANT
    : NagRuleCompliance.NON_COMPLIANT;
}
