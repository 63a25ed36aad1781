/**
 * The shape of `change-report.json`. Consumers (the PR job summary, dashboards,
 * other tools) read this file, so it is versioned by `schemaVersion`: add
 * optional fields freely, bump the version for anything else.
 *
 * Version 2: kinds template-logic-changed, stack-left-deployed and
 * stateful-retention-removed; StackChange.templateChanges, movedFrom, movedTo;
 * SecurityFinding.awsEnvironment. A stack that moved to another account or
 * region appears twice in `stacks` (removed there, added here), so environment
 * plus stack name is no longer unique; a removed stack gives one
 * stack-left-deployed finding instead of per-resource findings.
 *
 * Version 3: kinds security-group-egress-opened, stack-import-added and
 * nested-stack-not-diffed; resource-policy-broadened covers more resource
 * types; a nested stack whose template is in the assembly appears in `stacks`
 * as its own entry (stack `Parent/LogicalId`, StackChange.parentStack set),
 * and its findings carry that stack name. Added later in version 3 (optional):
 * StackChange.parentParameterChanges; a nested stack whose parent passes it
 * other parameter values is `modified`, even with its template unchanged.
 */

/** What a security finding is about. Each kind is one review question. */
export type SecurityFindingKind =
  /**
   * An identity policy (IAM Policy, ManagedPolicy, Role/User/Group inline policy) grants more than before,
   * a Deny is removed, a policy applies to another role, user or group, a permissions boundary is
   * removed or changed, or a user joins a group.
   */
  | 'iam-permissions-broadened'
  /** A role's trust policy lets more principals assume it, or under fewer conditions. */
  | 'iam-trust-widened'
  /**
   * A resource policy grants more than before (S3 bucket and access point, KMS key, SNS topic, SQS
   * queue, ECR repository, public repository and registry, Secrets Manager secret, CloudWatch Logs
   * resource policy, destination and log group, EventBridge event bus, API Gateway REST API,
   * OpenSearch domain, CodeArtifact domain and repository, Backup vault, EFS file system, DynamoDB
   * table, Kinesis stream, Glue catalog, VPC endpoint), or a standalone policy resource (a bucket,
   * topic, queue, ... policy) that denied something is removed; a Lambda permission for any
   * principal; a Lambda function URL with AuthType NONE; a Lambda layer version shared with any principal.
   */
  | 'resource-policy-broadened'
  /**
   * A security group accepts traffic from the internet, or from more ports or addresses than before
   * (each Fn::If branch read as a possible rule), or from a new source the report cannot evaluate
   * (a CIDR given by a Ref, an attribute, or an import of an export that is not in the assembly).
   * An import of an export of the assembly (same account and Region) and an Fn::Select of a literal
   * index in a literal list are read, and judged as the value they give.
   */
  | 'security-group-ingress-opened'
  /**
   * An existing security group sends traffic to the internet, or to more ports or addresses than
   * before (all its egress rules removed counts as the EC2 default, all outbound traffic); a
   * standalone SecurityGroupEgress to the internet or a wide public range.
   */
  | 'security-group-egress-opened'
  /** Encryption at rest removed or turned off, or key rotation turned off. */
  | 'encryption-disabled'
  /**
   * Access logging, audit logging or flow logs removed or turned off; a detection service
   * (GuardDuty, Security Hub, Config, Access Analyzer) removed.
   */
  | 'logging-disabled'
  /** S3 Block Public Access settings removed or turned off; a public canned ACL on a bucket. */
  | 'public-access-opened'
  /** A stateful resource moves to a new logical id: CloudFormation creates a new one and deletes the old. */
  | 'stateful-replaced-logical-id'
  /** A stateful resource's change touches a property whose update requires replacement. */
  | 'stateful-replaced-property'
  /**
   * A stateful resource's DeletionPolicy or UpdateReplacePolicy goes from Retain (or Snapshot, on a
   * type that supports it) to Delete, or to Snapshot on a type that does not.
   */
  | 'stateful-retention-removed'
  /**
   * A stateful resource is removed without a Retain deletion policy, or a Snapshot one on a type that
   * supports it: its data is deleted.
   */
  | 'stateful-deleted'
  /**
   * A Parameter default, Condition, Mapping or Transform that a resource uses changed, a
   * resource's Condition attribute changed, or (on a nested stack) a parameter value its parent passes changed. The report does not evaluate them, so the rules
   * above may have missed what the change does to those resources: review them by hand.
   */
  | 'template-logic-changed'
  /**
   * A stack is no longer in the assembly (or moved to another account or region). CDK Pipelines
   * does not delete it: the deployed stack and all its resources stay, no longer updated, until
   * someone deletes the stack by hand.
   */
  | 'stack-left-deployed'
  /**
   * The stack starts importing an export of another stack (Fn::ImportValue): the exporting stack must
   * be deployed first, and CloudFormation refuses to change or delete that export while it is imported.
   */
  | 'stack-import-added'
  /**
   * A nested stack (AWS::CloudFormation::Stack) was added or its template changed, and its template
   * is not in the assembly: what changes inside it is not reported.
   */
  | 'nested-stack-not-diffed';

export interface SecurityFinding {
  readonly kind: SecurityFindingKind;
  /** Nested assembly (Stage) display name, or '(root)'. */
  readonly environment: string;
  /** The stack name CloudFormation sees. */
  readonly stack: string;
  /** `aws://account/region` of the stack, when the manifest gives one. */
  readonly awsEnvironment?: string;
  /**
   * The resource's logical id; for template-logic-changed, the section and name
   * (e.g. `Conditions.IsProd`); for stack-left-deployed, `(stack)`.
   */
  readonly logicalId: string;
  /** CloudFormation resource type, e.g. AWS::IAM::Role; `Template` or `Stack` for the two kinds above. */
  readonly type: string;
  /** One line for a reviewer: what changed and why it matters. */
  readonly detail: string;
}

/** How CloudFormation will apply an update, from the resource specification. */
export type Replacement = 'none' | 'conditional' | 'always';

export interface PropertyChange {
  /** JSON path inside the resource, e.g. `Properties.PolicyDocument.Statement[0].Action`. */
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: unknown;
  readonly after?: unknown;
  /** Whether updating this property replaces the resource ('none' when the spec does not say). */
  readonly replacement: Replacement;
}

export interface ResourceSummary {
  readonly logicalId: string;
  readonly type: string;
}

export interface ResourceModification {
  readonly logicalId: string;
  readonly type: string;
  /** The strongest replacement behaviour among the changed properties. */
  readonly replacement: Replacement;
  readonly changes: PropertyChange[];
}

/** A resource whose logical id changed: removed under one id and added under another. */
export interface ResourceRename {
  readonly fromLogicalId: string;
  readonly toLogicalId: string;
  readonly type: string;
  /** True when the properties are identical (a pure move); false when they changed too. */
  readonly identicalProperties: boolean;
  readonly stateful: boolean;
  /** Differences between the old and the new resource (empty when identical). */
  readonly changes: PropertyChange[];
}

export type StackStatus = 'added' | 'removed' | 'modified' | 'unchanged';

export interface StackChange {
  readonly environment: string;
  readonly stack: string;
  /** `aws://account/region` from the manifest, when the stack has one. */
  readonly awsEnvironment?: string;
  readonly status: StackStatus;
  readonly added: ResourceSummary[];
  readonly removed: ResourceSummary[];
  readonly modified: ResourceModification[];
  readonly renamed: ResourceRename[];
  /**
   * Changes outside Resources and Metadata: Parameters, Conditions, Mappings,
   * Rules, Transform, Outputs, e.g. path `Conditions.IsProd`. Replacement is always 'none'.
   */
  readonly templateChanges: PropertyChange[];
  /**
   * Set on the `added` entry of a stack whose account or region changed: the old
   * `aws://account/region`. The same stack then has a `removed` entry there, with `movedTo`.
   */
  readonly movedFrom?: string;
  /** Set on the `removed` entry of a stack whose account or region changed: the new one. */
  readonly movedTo?: string;
  /**
   * Set on a nested stack's entry: the stack name of its parent. `stack` is then
   * `Parent/LogicalId`, the parent's stack name and the AWS::CloudFormation::Stack logical id
   * (CloudFormation names the nested stack itself `Parent-LogicalId-<random>`).
   */
  readonly parentStack?: string;
  /**
   * Set on a nested stack's entry when the values its parent passes it (the parent's
   * AWS::CloudFormation::Stack resource's `Parameters`) changed: one entry per parameter, path
   * `Parameters.Name`, or one entry `Parameters` when they are given whole by an intrinsic
   * (Fn::If). Replacement is always 'none'. The stack is then `modified`, even when its template is not.
   */
  readonly parentParameterChanges?: PropertyChange[];
}

export interface ChangeSummary {
  readonly stacks: number;
  readonly stacksAdded: number;
  readonly stacksRemoved: number;
  readonly stacksModified: number;
  readonly resourcesAdded: number;
  readonly resourcesRemoved: number;
  readonly resourcesModified: number;
  readonly resourcesRenamed: number;
  readonly securityFindings: number;
}

export interface ChangeReport {
  readonly schemaVersion: 3;
  /** The base and head cloud assembly directories as given on the command line. */
  readonly base: string;
  readonly head: string;
  /** Where replacement behaviour came from: the service spec file, or the built-in fallback table. */
  readonly replacementSource: string;
  readonly summary: ChangeSummary;
  /** Security-relevant changes, ordered by kind, environment, stack, logical id. */
  readonly security: SecurityFinding[];
  /** Every stack present in base or head, ordered by environment then stack. */
  readonly stacks: StackChange[];
}
