// Internal: the action lists shared by the bootstrap roles, the execution policy and the boundary.
// Kept in one place so that the boundary always allows what the bootstrap roles are granted.

/** What the deploy role does with CloudFormation (the CLI's DeployPermissions, CliPermissions and Refactor). */
export const DEPLOY_CLOUDFORMATION_ACTIONS = [
  'cloudformation:CreateChangeSet',
  'cloudformation:DeleteChangeSet',
  'cloudformation:ExecuteChangeSet',
  'cloudformation:CreateStack',
  'cloudformation:UpdateStack',
  'cloudformation:RollbackStack',
  'cloudformation:ContinueUpdateRollback',
  'cloudformation:DeleteStack',
  'cloudformation:UpdateTerminationProtection',
  'cloudformation:CreateStackRefactor',
  'cloudformation:ExecuteStackRefactor',
];

/**
 * What the boundary allows of CloudFormation's reads, in wildcards (the boundary's size is limited). It caps,
 * it grants nothing: the deploy role is granted the narrower lists below.
 */
export const CLOUDFORMATION_READ_ACTIONS = [
  'cloudformation:Describe*',
  'cloudformation:List*',
  'cloudformation:Get*',
  'cloudformation:ValidateTemplate',
  'cloudformation:DetectStackDrift',
  'cloudformation:DetectStackResourceDrift',
];

/**
 * The deploy role's CloudFormation reads that take the `stack` resource type (Service Authorization Reference,
 * AWS CloudFormation), granted on the stacks it may change only: what the CDK CLI (deploy, diff, drift,
 * refactor), CodePipeline's CloudFormation actions, the stage validation step and the drift reconciler read.
 * DescribeEvents also takes the `changeset` resource type, whose ARN names no stack (deployment-trust.ts).
 */
export const CLOUDFORMATION_STACK_READ_ACTIONS = [
  'cloudformation:DescribeStacks',
  'cloudformation:DescribeStackEvents',
  'cloudformation:DescribeStackResource',
  'cloudformation:DescribeStackResources',
  'cloudformation:ListStackResources',
  'cloudformation:GetTemplate',
  'cloudformation:GetTemplateSummary',
  'cloudformation:DescribeChangeSet',
  'cloudformation:DescribeChangeSetHooks',
  'cloudformation:ListChangeSets',
  'cloudformation:DescribeEvents',
  'cloudformation:DetectStackDrift',
  'cloudformation:DetectStackResourceDrift',
  'cloudformation:DescribeStackResourceDrifts',
  'cloudformation:DescribeStackRefactor',
  'cloudformation:ListStackRefactorActions',
  'cloudformation:ListStackRefactors',
];

/**
 * The deploy role's CloudFormation reads that have no resource type in the Service Authorization Reference,
 * so that a policy can grant them on '*' only: listing the account's stacks (names and states), validating a
 * template the caller supplies, and the status of a drift detection the caller started.
 */
export const CLOUDFORMATION_ACCOUNT_READ_ACTIONS = [
  'cloudformation:ListStacks',
  'cloudformation:ValidateTemplate',
  'cloudformation:DescribeStackDriftDetectionStatus',
];

export const STAGING_READ_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*'];
/**
 * What cdk-assets does with the staging bucket when it publishes a file asset: reads the bucket's default
 * encryption (GetBucketEncryption needs s3:GetEncryptionConfiguration, which `s3:GetBucket*` does not
 * match) to send the matching SSE-KMS headers, checks for the object, uploads it (in parts when large).
 * The CDK CLI's own bootstrap template grants its file-publishing role the same.
 */
export const STAGING_WRITE_ACTIONS = [
  ...STAGING_READ_ACTIONS,
  's3:GetEncryptionConfiguration',
  's3:PutObject*',
  's3:DeleteObject*',
  's3:Abort*',
];
export const KMS_DATA_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
];
export const KMS_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];

export const IMAGE_PUBLISHING_ACTIONS = [
  'ecr:PutImage',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:BatchCheckLayerAvailability',
  'ecr:DescribeRepositories',
  'ecr:DescribeImages',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
];

/**
 * The calls the CDK context providers make through the lookup role (VPC, AZs, hosted zones, SSM parameters,
 * security groups, load balancers, KMS aliases, endpoint services, Cloud Control). Replaces ReadOnlyAccess,
 * which would also let the pipeline read every object and secret-adjacent setting in the account.
 */
export const LOOKUP_ACTIONS = [
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeRouteTables',
  'ec2:DescribeVpnGateways',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeImages',
  'ec2:DescribeVpcEndpointServices',
  'ec2:DescribePrefixLists',
  'ec2:DescribeManagedPrefixLists',
  'route53:ListHostedZonesByName',
  'route53:ListHostedZones',
  'route53:GetHostedZone',
  'ssm:GetParameter',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeTags',
  'kms:ListAliases',
  'cloudcontrol:GetResource',
  'cloudcontrol:ListResources',
];

/**
 * The stack reads the CDK CLI makes through the lookup role before it tries the deploy role: `cdk diff` reads the
 * deployed template of a stack and of its nested stacks that way (aws-cdk 2.1148, `Deployments.readCurrentTemplate`
 * and `readCurrentTemplateWithNestedStacks`: DescribeStacks, GetTemplate, ListStackResources). A lookup role that
 * can be assumed but not read the stack fails the diff with AccessDenied instead of falling back.
 */
export const LOOKUP_STACK_READ_ACTIONS = [
  'cloudformation:DescribeStacks',
  'cloudformation:GetTemplate',
  'cloudformation:ListStackResources',
];

/**
 * IAM actions CloudFormation needs to manage workload roles, policies and instance profiles. This is what
 * 'iam' in an allow list means: never `iam:*`, never users, groups or access keys. The writes among them are
 * only allowed with the Groundwork boundary attached (see ROLE_WRITE_ACTIONS_REQUIRING_BOUNDARY). The
 * execution role is granted exactly these, reads included, on roles, policies and instance profiles; the
 * boundary allows their reads through IAM_READ_ACTIONS.
 */
export const BOUNDED_IAM_ACTIONS = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:GetRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:ListRoleTags',
  'iam:PutRolePolicy',
  'iam:GetRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:ListRolePolicies',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:PutRolePermissionsBoundary',
  'iam:PassRole',
  'iam:CreateInstanceProfile',
  'iam:DeleteInstanceProfile',
  'iam:GetInstanceProfile',
  'iam:AddRoleToInstanceProfile',
  'iam:RemoveRoleFromInstanceProfile',
  'iam:TagInstanceProfile',
  'iam:UntagInstanceProfile',
  'iam:ListInstanceProfilesForRole',
  'iam:CreatePolicy',
  'iam:DeletePolicy',
  'iam:GetPolicy',
  'iam:GetPolicyVersion',
  'iam:CreatePolicyVersion',
  'iam:DeletePolicyVersion',
  'iam:ListPolicyVersions',
  'iam:TagPolicy',
  'iam:UntagPolicy',
  'iam:CreateServiceLinkedRole',
  'iam:GetServiceLinkedRoleDeletionStatus',
];

/**
 * IAM reads that every role under the boundary may be granted when 'iam' is declared: AWS Config's recorder
 * (AWS_ConfigRole) describes the account's users, roles, groups and policies with its role's permissions, the
 * audit role (SecurityAudit) and the drift detector read them too, and all of them carry the boundary. Get and
 * List return configuration and metadata (policy documents, the credential report), no secret; the two
 * Generate calls only start building a report that Get returns. The identity policies still decide who gets
 * them. The boundary leaves out the reads of BOUNDED_IAM_ACTIONS, which these cover.
 */
export const IAM_READ_ACTIONS = [
  'iam:Get*',
  'iam:List*',
  'iam:GenerateCredentialReport',
  'iam:GenerateServiceLastAccessedDetails',
];

/**
 * Role writes that are denied unless the role carries (or is being given) the Groundwork boundary. The
 * `iam:PermissionsBoundary` condition key is present on exactly these IAM actions (IAM service authorization
 * reference), so the condition is enforceable for each of them.
 */
export const ROLE_WRITE_ACTIONS_REQUIRING_BOUNDARY = [
  'iam:CreateRole',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:PutUserPermissionsBoundary',
  'iam:PutUserPolicy',
  'iam:AttachUserPolicy',
];

/** Long-term credentials: no IAM users, no access keys, no console passwords anywhere in Groundwork. */
export const LONG_TERM_CREDENTIAL_ACTIONS = [
  'iam:CreateUser',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:CreateServiceSpecificCredential',
  'iam:UploadSSHPublicKey',
];

export const BOUNDARY_REMOVAL_ACTIONS = ['iam:DeleteRolePermissionsBoundary', 'iam:DeleteUserPermissionsBoundary'];

export const POLICY_TAMPERING_ACTIONS = [
  'iam:CreatePolicyVersion',
  'iam:DeletePolicy',
  'iam:DeletePolicyVersion',
  'iam:SetDefaultPolicyVersion',
];

/**
 * Every write to a role: its trust policy, policies, boundary, settings, tags and existence. The boundary denies
 * them twice:
 * - By tag (DenyUntaggedRoleUse): only on roles tagged as managed under it (BootstrapContract.BOUNDARY_TAG_KEY).
 *   Without that, a role under the boundary could rewrite the trust policy of any other role of the account.
 *   The policy and boundary writes carry the `iam:PermissionsBoundary` key (DenyRoleWritesWithoutThisBoundary),
 *   but that does not protect an untagged role: on iam:PutRolePermissionsBoundary the key is the boundary being
 *   put, so a role under the boundary could put it on an administrator role of the account, then detach that
 *   role's policies, and nothing under the boundary could remove it again.
 * - By name, on the bootstrap roles (`cdk-*`) and the protected roles, whatever tags they carry
 *   (DenyProtectedRoleTampering): one `groundwork:boundary` tag put on a bootstrap role by hand would otherwise let
 *   any role under the boundary that may manage roles rewrite the deploy or execution role's trust policy. The
 *   policy writes are denied by name too because this boundary is on those roles, which lets them through
 *   DenyRoleWritesWithoutThisBoundary; removing a boundary is denied everywhere (BOUNDARY_REMOVAL_ACTIONS).
 *
 * Wildcards keep the boundary short (IAM's 6,144 characters). Among the IAM actions that take the `role` resource
 * type (Service Authorization Reference, IAM), each matches exactly the actions in its comment; the denies name
 * role ARNs, so actions on other resource types (users, groups, policies) are not affected.
 * `iam:PassRole` is left out: DenyUntaggedRoleUse adds it (passing an untagged role), and it is not denied by
 * name, since this qualifier's deploy role passes the execution role to CloudFormation. Instance-profile actions
 * are left out: their resource is the instance profile, and using a profile needs iam:PassRole on its role.
 * deployment-boundary.test.ts expands each pattern against the role actions.
 */
export const ROLE_WRITE_ACTIONS = [
  // UpdateAssumeRolePolicy: the trust policy.
  'iam:UpdateAssumeRolePolicy',
  // UpdateRole, UpdateRoleDescription: description and maximum session duration.
  'iam:UpdateRole*',
  // DeleteRole, DeleteRolePolicy, DeleteRolePermissionsBoundary.
  'iam:DeleteRole*',
  // PutRolePolicy, PutRolePermissionsBoundary.
  'iam:PutRole*',
  // AttachRolePolicy, DetachRolePolicy.
  'iam:*tachRolePolicy',
  // TagRole, UntagRole.
  'iam:*agRole',
];

export const LEAVE_ORGANIZATION_ACTIONS = ['organizations:LeaveOrganization'];

/**
 * The account's IAM password policy, which the security baseline's account guardrails set from a role
 * that carries the deployment boundary (a custom resource, or the Config remediation runbook). Deleting
 * the policy (`iam:DeleteAccountPasswordPolicy`) is left out: under the boundary nothing removes it, so
 * the guardrails' `revertOnDelete` cannot either.
 */
export const ACCOUNT_PASSWORD_POLICY_ACTIONS = ['iam:GetAccountPasswordPolicy', 'iam:UpdateAccountPasswordPolicy'];

/**
 * Disabling the account's audit and detection: CloudTrail, Config, GuardDuty, Security Hub.
 *
 * Changing their settings (cloudtrail:UpdateTrail, PutEventSelectors, guardduty:UpdateDetector) stays
 * allowed: CloudFormation calls them to create and update the security baseline the pipeline deploys.
 * Such changes go through Git review and raise the baseline's CloudTrail-configuration alarm.
 */
export const AUDIT_TAMPERING_ACTIONS = [
  'cloudtrail:StopLogging',
  'cloudtrail:DeleteTrail',
  'config:StopConfigurationRecorder',
  'config:DeleteConfigurationRecorder',
  'config:DeleteDeliveryChannel',
  'guardduty:DeleteDetector',
  // Leaving the GuardDuty or Security Hub administrator account: DisassociateFromAdministratorAccount and the older
  // DisassociateFromMasterAccount, which the Security Hub console still calls (its API reference asks policies to
  // name both). One wildcard each, for the boundary's 6,144 characters: no other action of either service starts so.
  'guardduty:DisassociateFrom*',
  'securityhub:DisableSecurityHub',
  'securityhub:DisassociateFrom*',
  // Removing the authorization an aggregator of another account needs to collect this account's Config data.
  'config:DeleteAggregationAuthorization',
];

/**
 * Changes that would silence an alert rule or alarm, each authorized on the rule's or the alarm's ARN: denied by
 * the boundary on the names of the break-glass alerts. Their reads (Describe, List, Get) stay allowed: the
 * break-glass runbook checks the alarm with the break-glass session. `events:Put*` is PutRule and PutTargets on a
 * rule ARN (PutEvents and PutPermission are authorized on an event bus).
 */
export const NAMED_ALERT_TAMPERING_ACTIONS = [
  'events:DeleteRule',
  'events:DisableRule',
  'events:Put*',
  'events:RemoveTargets',
  'cloudwatch:DeleteAlarms',
  'cloudwatch:DisableAlarmActions',
  'cloudwatch:PutMetricAlarm',
  'cloudwatch:SetAlarmState',
];

/**
 * Every action on an alert topic or its key, denied by the boundary on resources carrying the break-glass alert
 * tag: changing the topic's policy, attributes, subscriptions or tags, deleting it, and disabling, deleting,
 * re-policing or re-tagging the key, but also publishing to it (no forged alert) and reading it. Nothing under
 * the boundary needs either: EventBridge and CloudWatch publish with their service principals, which carry no
 * boundary, and an administrator manages the subscriptions. One wildcard per service keeps the boundary short,
 * and covers the actions those services add later.
 */
export const TAGGED_ALERT_ACTIONS = ['kms:*', 'sns:*'];
