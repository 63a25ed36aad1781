import { Aws, PermissionsBoundary, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BootstrapContract, BootstrapRoleKind } from './bootstrap-contract';
import {
  ACCOUNT_PASSWORD_POLICY_ACTIONS,
  AUDIT_TAMPERING_ACTIONS,
  BOUNDARY_REMOVAL_ACTIONS,
  BOUNDED_IAM_ACTIONS,
  CLOUDFORMATION_READ_ACTIONS,
  DEPLOY_CLOUDFORMATION_ACTIONS,
  IMAGE_PUBLISHING_ACTIONS,
  KMS_DATA_ACTIONS,
  LEAVE_ORGANIZATION_ACTIONS,
  LONG_TERM_CREDENTIAL_ACTIONS,
  LOOKUP_ACTIONS,
  POLICY_TAMPERING_ACTIONS,
  PROTECTED_ROLE_WRITE_ACTIONS,
  ROLE_WRITE_ACTIONS_REQUIRING_BOUNDARY,
  STAGING_WRITE_ACTIONS,
} from './iam-actions';
import { acknowledge, acknowledgeWildcards } from './nag-acknowledgements';
import { validateQualifier, validateRoleArnResources, validateServices } from './validation';

/**
 * Properties of a DeploymentBoundary.
 */
export interface DeploymentBoundaryProps {
  /**
   * The bootstrap qualifier; part of the policy name `groundwork-boundary-<qualifier>-<region>`.
   *
   * @default 'hnb659fds'
   */
  readonly qualifier?: string;

  /**
   * IAM service prefixes the deployment may manage (the platform team's per-environment allow list).
   * 'iam' means bounded role management, never `iam:*`.
   */
  readonly allowedServices: string[];

  /**
   * Extra service prefixes that workload roles created by the deployment may call at run time, but that
   * the CloudFormation execution role is not granted (e.g. 'dynamodb' for a function that reads a table
   * owned elsewhere).
   *
   * @default []
   */
  readonly runtimeServices?: string[];

  /**
   * Names of roles in the account that nothing under this boundary may modify, pass or delete (the
   * bootstrap roles `cdk-<qualifier>-*` are always protected).
   *
   * @default ['groundwork-break-glass', 'groundwork-security-audit']
   */
  readonly protectedRoleNames?: string[];

  /**
   * Roles in other accounts (ARNs, IAM wildcards allowed) that roles under this boundary may assume, e.g.
   * the pipeline's drift-reconcile role that a drift detector assumes to restart the pipeline. Assuming a
   * role also needs that role's trust policy to allow it.
   *
   * @default [] - roles under the boundary assume no role
   */
  readonly assumableRoleArns?: string[];
}

/**
 * The permissions boundary every role of a Groundwork target account carries: the bootstrap roles, the
 * CloudFormation execution role and every role that role creates.
 *
 * It allows the declared services, the bootstrap roles' own actions, assuming the CDK bootstrap roles of
 * any account and `assumableRoleArns` and, with 'iam' declared, bounded role management and setting the
 * account password policy (the security baseline's guardrails), and denies privilege escalation:
 * IAM users and access keys, role writes without this boundary, removing or replacing boundaries, changing
 * this policy, touching the bootstrap and security roles, leaving the organization, and disabling CloudTrail,
 * Config, GuardDuty or Security Hub.
 */
export class DeploymentBoundary extends Construct {
  /** Roles that nothing under the boundary may modify, unless configured otherwise. */
  public static readonly DEFAULT_PROTECTED_ROLE_NAMES = ['groundwork-break-glass', 'groundwork-security-audit'];

  /**
   * A core PermissionsBoundary for `new Stage(app, id, { permissionsBoundary })`: CDK then attaches the
   * Groundwork boundary to every role and user in the stage. Needs stacks with a concrete region.
   */
  public static forStage(qualifier?: string): PermissionsBoundary {
    const q = qualifier ?? BootstrapContract.DEFAULT_QUALIFIER;
    return PermissionsBoundary.fromName(BootstrapContract.boundaryPolicyName(q, '${AWS::Region}'));
  }

  /** The boundary managed policy. */
  public readonly policy: iam.ManagedPolicy;
  /** ARN of the boundary, built from its name so that the policy can refer to itself. */
  public readonly policyArn: string;

  constructor(scope: Construct, id: string, props: DeploymentBoundaryProps) {
    super(scope, id);
    const qualifier = props.qualifier ?? BootstrapContract.DEFAULT_QUALIFIER;
    validateQualifier(this.node.path, qualifier);
    validateServices(this.node.path, 'allowedServices', props.allowedServices, false);
    validateServices(this.node.path, 'runtimeServices', props.runtimeServices ?? [], true);
    validateRoleArnResources(this.node.path, 'assumableRoleArns', props.assumableRoleArns ?? []);

    const stack = Stack.of(this);
    const account = Aws.ACCOUNT_ID;
    const region = Aws.REGION;
    const policyName = BootstrapContract.boundaryPolicyName(qualifier, region);
    // The policy's own Ref would be a circular reference inside its document, so the ARN is built from the name.
    this.policyArn = BootstrapContract.boundaryPolicyArn(qualifier, account, region);
    const executionPolicyArn = stack.formatArn({
      service: 'iam',
      region: '',
      resource: 'policy',
      resourceName: BootstrapContract.executionPolicyName(qualifier, region),
    });
    const roleArn = (name: string) =>
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: name });
    const bootstrapRolesArn = roleArn(`cdk-${qualifier}-*`);
    const protectedRoleArns = (props.protectedRoleNames ?? DeploymentBoundary.DEFAULT_PROTECTED_ROLE_NAMES).map(
      roleArn,
    );

    const services = [...new Set([...props.allowedServices, ...(props.runtimeServices ?? [])])].sort();
    const serviceActions = services.filter((s) => s !== 'iam').map((s) => `${s}:*`);

    const statements: iam.PolicyStatement[] = [];
    if (serviceActions.length > 0) {
      // A boundary without an Allow allows nothing; it caps, it does not grant.
      statements.push(
        new iam.PolicyStatement({ sid: 'AllowDeclaredServices', actions: serviceActions, resources: ['*'] }),
      );
    }
    statements.push(
      new iam.PolicyStatement({
        sid: 'AllowBootstrapRoleActions',
        actions: [
          ...new Set([
            ...DEPLOY_CLOUDFORMATION_ACTIONS,
            ...CLOUDFORMATION_READ_ACTIONS,
            ...STAGING_WRITE_ACTIONS,
            ...KMS_DATA_ACTIONS,
            ...IMAGE_PUBLISHING_ACTIONS,
            'ecr:GetAuthorizationToken',
            ...LOOKUP_ACTIONS,
            'ssm:GetParameters',
            'iam:PassRole',
            'sts:GetCallerIdentity',
          ]),
        ],
        resources: ['*'],
      }),
    );
    if (services.includes('iam')) {
      statements.push(
        new iam.PolicyStatement({ sid: 'AllowBoundedRoleManagement', actions: BOUNDED_IAM_ACTIONS, resources: ['*'] }),
        // The account guardrails' role sets the password policy under this boundary (iam-actions.ts).
        new iam.PolicyStatement({
          sid: 'AllowAccountPasswordPolicy',
          actions: ACCOUNT_PASSWORD_POLICY_ACTIONS,
          resources: ['*'],
        }),
      );
    }
    // Roles under the boundary may assume the CDK bootstrap roles of this qualifier in any account (a
    // pipeline's roles deploy and publish through them, and they trust only the pipeline's roles) and the
    // listed roles; their own trust policies still decide who gets in.
    statements.push(
      new iam.PolicyStatement({
        sid: 'AllowAssumingBootstrapAndListedRoles',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [
          stack.formatArn({
            service: 'iam',
            region: '',
            account: '*',
            resource: 'role',
            resourceName: `cdk-${qualifier}-*`,
          }),
          ...(props.assumableRoleArns ?? []),
        ],
      }),
    );
    statements.push(
      new iam.PolicyStatement({
        sid: 'DenyLongTermCredentials',
        effect: iam.Effect.DENY,
        actions: LONG_TERM_CREDENTIAL_ACTIONS,
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DenyBoundaryRemoval',
        effect: iam.Effect.DENY,
        actions: BOUNDARY_REMOVAL_ACTIONS,
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DenyRoleWritesWithoutThisBoundary',
        effect: iam.Effect.DENY,
        actions: ROLE_WRITE_ACTIONS_REQUIRING_BOUNDARY,
        resources: ['*'],
        // StringNotEquals also matches when the key is absent, so a role created without any boundary is denied.
        conditions: { StringNotEquals: { 'iam:PermissionsBoundary': this.policyArn } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyBoundaryPolicyTampering',
        effect: iam.Effect.DENY,
        actions: POLICY_TAMPERING_ACTIONS,
        resources: [this.policyArn, executionPolicyArn],
      }),
      new iam.PolicyStatement({
        sid: 'DenyProtectedRoleTampering',
        effect: iam.Effect.DENY,
        actions: PROTECTED_ROLE_WRITE_ACTIONS,
        resources: [bootstrapRolesArn, ...protectedRoleArns],
      }),
      new iam.PolicyStatement({
        sid: 'DenyPassingSecurityRoles',
        effect: iam.Effect.DENY,
        actions: ['iam:PassRole'],
        resources: [
          ...protectedRoleArns,
          roleArn(BootstrapContract.roleName(BootstrapRoleKind.DEPLOY, qualifier, account, region)),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'DenyLeavingOrganization',
        effect: iam.Effect.DENY,
        actions: LEAVE_ORGANIZATION_ACTIONS,
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'DenyDisablingAudit',
        effect: iam.Effect.DENY,
        actions: AUDIT_TAMPERING_ACTIONS,
        resources: ['*'],
      }),
    );

    // Managed policies are limited to 6,144 characters (IAM quotas); one `<svc>:*` entry costs about
    // 15, so the allow list has room for well over a hundred services next to the fixed statements.
    this.policy = new iam.ManagedPolicy(this, 'Resource', {
      managedPolicyName: policyName,
      description: 'Groundwork permissions boundary: caps deployment roles and denies privilege escalation',
      statements,
    });
    acknowledgeWildcards(
      this.policy,
      "Permissions boundary: it caps, it does not grant; its Allow lists the declared services and the bootstrap roles' actions so that an identity policy cannot exceed them",
    );
    acknowledge(
      this.policy,
      'NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess',
      'Permissions boundary: <svc>:* bounds what identity policies may grant per declared service; it grants nothing by itself',
    );
  }
}
