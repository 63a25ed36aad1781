import { ArnFormat, Aws, PermissionsBoundary, Stack } from 'aws-cdk-lib';
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
  IAM_READ_ACTIONS,
  IMAGE_PUBLISHING_ACTIONS,
  KMS_DATA_ACTIONS,
  LEAVE_ORGANIZATION_ACTIONS,
  LONG_TERM_CREDENTIAL_ACTIONS,
  LOOKUP_ACTIONS,
  NAMED_ALERT_TAMPERING_ACTIONS,
  POLICY_TAMPERING_ACTIONS,
  ROLE_WRITE_ACTIONS_REQUIRING_BOUNDARY,
  STAGING_WRITE_ACTIONS,
  TAGGED_ALERT_ACTIONS,
  ROLE_WRITE_ACTIONS,
} from './iam-actions';
import { acknowledge, acknowledgeWildcards } from './nag-acknowledgements';
import { validateManagedPolicySize } from './private/policy-size';
import {
  validateAlertNamePrefixes,
  validateQualifier,
  validateRoleArnResources,
  validateRoleNames,
  validateServices,
} from './validation';

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

  /**
   * Name prefixes of the break-glass alerts that nothing under this boundary may switch off, the break-glass
   * role included: EventBridge rules (`events:DeleteRule`, `DisableRule`, `Put*`, `RemoveTargets`) and
   * CloudWatch alarms (`cloudwatch:DeleteAlarms`, `DisableAlarmActions`, `PutMetricAlarm`, `SetAlarmState`)
   * whose names start with one of them, in every region of the account; their reads stay allowed.
   * `BreakGlassRole` names its rules and alarm `<role name>-...`. With at least one prefix, the boundary also
   * denies every SNS and KMS action on a topic or key that carries the tag `DeploymentBoundary.ALERT_TAG_KEY`
   * = `DeploymentBoundary.ALERT_TAG_VALUE`, which `BreakGlassRole` sets on its alert topic and key (changing
   * the topic's policy, attributes or subscriptions, deleting it, disabling or deleting the key, changing
   * their tags, and publishing a forged alert).
   *
   * Literal prefixes of 3 to 60 letters, digits or `._-`. `[]` leaves both statements out (about 600 of the
   * policy's 6,144 characters): for an account with no break-glass role, such as the pipeline's.
   *
   * @default DeploymentBoundary.DEFAULT_PROTECTED_ALERT_NAME_PREFIXES
   */
  readonly protectedAlertNamePrefixes?: string[];
}

/**
 * The permissions boundary every role of a Groundwork target account carries: the bootstrap roles, the
 * CloudFormation execution role and every role that role creates.
 *
 * It allows the declared services, the bootstrap roles' own actions, assuming the CDK bootstrap roles of
 * any account and `assumableRoleArns` and, with 'iam' declared, reading IAM (`iam:Get*`, `iam:List*`, the
 * credential and last-accessed reports: AWS Config's recorder and the audit role carry this boundary too),
 * bounded role management and setting the account password policy (the security baseline's guardrails),
 * and denies privilege escalation:
 * IAM users and access keys, role writes without this boundary, removing or replacing boundaries, changing
 * this policy, touching the bootstrap and security roles, leaving the organization, disabling CloudTrail,
 * Config, GuardDuty or Security Hub, and switching off the break-glass alerts (`protectedAlertNamePrefixes`).
 */
export class DeploymentBoundary extends Construct {
  /** Roles that nothing under the boundary may modify, unless configured otherwise. */
  public static readonly DEFAULT_PROTECTED_ROLE_NAMES = ['groundwork-break-glass', 'groundwork-security-audit'];

  /** The names of the default break-glass role's alert rules and alarm start with this (`BreakGlassRole`). */
  public static readonly DEFAULT_PROTECTED_ALERT_NAME_PREFIXES = ['groundwork-break-glass-'];

  /** Key of the tag that marks a break-glass alert topic or key as protected by the boundary. */
  public static readonly ALERT_TAG_KEY = 'groundwork:access';

  /** Value of the tag that marks a break-glass alert topic or key as protected by the boundary. */
  public static readonly ALERT_TAG_VALUE = 'break-glass';

  /**
   * A core PermissionsBoundary for `new Stage(app, id, { permissionsBoundary })`: CDK then attaches the
   * Groundwork boundary to every role and user in the stage. Needs stacks with a concrete region.
   *
   * @deprecated The boundary also requires the role tag `groundwork:boundary=<qualifier>`
   * (`BootstrapContract.BOUNDARY_TAG_KEY`) on every role, which a core PermissionsBoundary cannot set: use
   * `Aspects.of(stage).add(new PermissionsBoundaryAspect({ qualifier }))`, which sets both.
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
    validateRoleNames(this.node.path, 'protectedRoleNames', props.protectedRoleNames ?? []);
    const alertPrefixes = props.protectedAlertNamePrefixes ?? DeploymentBoundary.DEFAULT_PROTECTED_ALERT_NAME_PREFIXES;
    validateAlertNamePrefixes(this.node.path, 'protectedAlertNamePrefixes', alertPrefixes);

    const stack = Stack.of(this);
    const account = Aws.ACCOUNT_ID;
    const region = Aws.REGION;
    const policyName = BootstrapContract.boundaryPolicyName(qualifier, region);
    const tagKey = BootstrapContract.BOUNDARY_TAG_KEY;
    // The policy's own Ref would be a circular reference inside its document, so the ARN is built from the name.
    this.policyArn = BootstrapContract.boundaryPolicyArn(qualifier, account, region);
    const roleArn = (name: string) =>
      stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: name });
    const policyArn = (name: string) =>
      stack.formatArn({ service: 'iam', region: '', resource: 'policy', resourceName: name });
    // The bootstrap roles and policies of every qualifier, this one's included: in an account bootstrapped
    // twice (another team's qualifier), roles under one boundary must not change or use the other's. Role
    // names starting with `cdk-` are the bootstrap contract's; one pattern each keeps the boundary within
    // IAM's 6,144-character limit for managed policies.
    const bootstrapRolesArn = roleArn('cdk-*');
    // One pattern for the boundaries, the execution policies and the deploy, publishing and lookup roles'
    // policies of every qualifier (IAM's `*` spans the `/` of ROLE_POLICY_PATH), for IAM's size limit again.
    const bootstrapPolicyArns = [policyArn(`${BootstrapContract.POLICY_NAME_PREFIX}*`)];
    const deployRoleArn = roleArn(BootstrapContract.roleName(BootstrapRoleKind.DEPLOY, qualifier, account, region));
    const protectedRoleArns = (props.protectedRoleNames ?? DeploymentBoundary.DEFAULT_PROTECTED_ROLE_NAMES).map(
      roleArn,
    );

    // Service-linked roles are exempt from the tag checks: AWS defines their trust and permissions, and nobody
    // can change them.
    const serviceLinkedRoles = stack.formatArn({
      service: 'iam',
      region: '',
      account: '*',
      resource: 'role',
      resourceName: 'aws-service-role/*',
    });
    const services = [...new Set([...props.allowedServices, ...(props.runtimeServices ?? [])])].sort();
    const serviceActions = services.filter((s) => s !== 'iam').map((s) => `${s}:*`);

    const statements: iam.PolicyStatement[] = [];
    if (serviceActions.length > 0) {
      // A boundary without an Allow allows nothing; it caps, it does not grant.
      statements.push(
        new iam.PolicyStatement({ sid: 'AllowDeclaredServices', actions: serviceActions, resources: ['*'] }),
      );
    }
    // The bootstrap roles' own calls, except those of a service the first statement allows whole: the
    // same permissions in fewer characters (IAM limits a managed policy to 6,144).
    const bootstrapRoleActions = [
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
    ].filter((action) => !serviceActions.includes(`${action.split(':')[0]}:*`));
    statements.push(
      new iam.PolicyStatement({ sid: 'AllowBootstrapRoleActions', actions: bootstrapRoleActions, resources: ['*'] }),
    );
    if (services.includes('iam')) {
      // Every role of the account carries this boundary, AWS Config's recorder and the audit role included:
      // without IAM reads, Config records no IAM user, role or policy and its IAM rules cannot evaluate
      // (iam-actions.ts). The specific reads of the other two statements are covered by these wildcards and
      // left out, so that the boundary does not grow.
      const isRead = (action: string) => IAM_READ_ACTIONS.some((pattern) => actionMatches(pattern, action));
      statements.push(
        new iam.PolicyStatement({ sid: 'AllowIamReads', actions: IAM_READ_ACTIONS, resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'AllowBoundedRoleManagement',
          actions: BOUNDED_IAM_ACTIONS.filter((action) => !isRead(action)),
          resources: ['*'],
        }),
        // The account guardrails' role sets the password policy under this boundary (iam-actions.ts).
        new iam.PolicyStatement({
          sid: 'AllowAccountPasswordPolicy',
          actions: ACCOUNT_PASSWORD_POLICY_ACTIONS.filter((action) => !isRead(action)),
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
      // Which roles are the deployment's: those tagged with this qualifier when they were created. Moving
      // one of them to another qualifier (TagRole) stays possible; it gives nobody more than that role had.
      new iam.PolicyStatement({
        sid: 'DenyUntaggedRoleCreation',
        effect: iam.Effect.DENY,
        actions: ['iam:CreateRole'],
        resources: ['*'],
        conditions: { StringNotEquals: { [`aws:RequestTag/${tagKey}`]: qualifier } },
      }),
      new iam.PolicyStatement({
        sid: 'DenyUntaggedRoleUse',
        effect: iam.Effect.DENY,
        actions: [...ROLE_WRITE_ACTIONS, 'iam:PassRole'],
        notResources: [serviceLinkedRoles],
        // This qualifier's deploy role is the one exception: the bootstrap roles carry no tag, and it passes
        // the execution role to CloudFormation. The exemption covers all of these actions (one condition
        // block, for IAM's size limit), so the deploy role's own policy must allow no IAM action but that
        // PassRole (deployment-trust.test.ts checks it), and nobody under the boundary may change that policy
        // (its name is under DenyBoundaryPolicyTampering, the role's writes under DenyProtectedRoleTampering).
        // Everyone else is denied passing any qualifier's execution role, since none is tagged.
        conditions: {
          StringNotEquals: { [`aws:ResourceTag/${tagKey}`]: qualifier, 'aws:PrincipalArn': deployRoleArn },
        },
      }),
      new iam.PolicyStatement({
        sid: 'DenyBoundaryPolicyTampering',
        effect: iam.Effect.DENY,
        actions: POLICY_TAMPERING_ACTIONS,
        resources: bootstrapPolicyArns,
      }),
      // By name, not by tag: a tag put on a bootstrap or protected role (by hand) must not open its trust policy,
      // policies, tags or deletion to the roles under the boundary. Passing them stays with DenyUntaggedRoleUse:
      // this qualifier's deploy role passes the execution role (iam-actions.ts).
      new iam.PolicyStatement({
        sid: 'DenyProtectedRoleTampering',
        effect: iam.Effect.DENY,
        actions: ROLE_WRITE_ACTIONS,
        resources: [bootstrapRolesArn, ...protectedRoleArns],
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
    if (alertPrefixes.length > 0) {
      // The break-glass alert is deployed by an administrator (the access stack), outside the pipeline: no role
      // under the boundary (a pipeline template's custom resource, a workload role, break-glass itself) may
      // switch it off before or while the role is used. Rules and alarms by name (their writes); the topic and
      // key, whose names are generated (a new name would replace them), by tag (every action, tagging included).
      const anyRegion = (service: string, resource: string, sep: ArnFormat) =>
        alertPrefixes.map((prefix) =>
          stack.formatArn({ service, region: '*', resource, resourceName: `${prefix}*`, arnFormat: sep }),
        );
      statements.push(
        new iam.PolicyStatement({
          sid: 'DenyAlertTampering',
          effect: iam.Effect.DENY,
          actions: NAMED_ALERT_TAMPERING_ACTIONS,
          resources: [
            ...anyRegion('events', 'rule', ArnFormat.SLASH_RESOURCE_NAME),
            ...anyRegion('cloudwatch', 'alarm', ArnFormat.COLON_RESOURCE_NAME),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'DenyTaggedAlertTampering',
          effect: iam.Effect.DENY,
          actions: TAGGED_ALERT_ACTIONS,
          resources: ['*'],
          conditions: {
            StringEquals: {
              [`aws:ResourceTag/${DeploymentBoundary.ALERT_TAG_KEY}`]: DeploymentBoundary.ALERT_TAG_VALUE,
            },
          },
        }),
      );
    }

    // Managed policies are limited to 6,144 characters (IAM quotas). The fixed statements take most of
    // it; each `<svc>:*` entry costs its prefix and about 5 more (the validation below checks the total).
    this.policy = new iam.ManagedPolicy(this, 'Resource', {
      managedPolicyName: policyName,
      description: 'Groundwork permissions boundary: caps deployment roles and denies privilege escalation',
      statements,
    });
    // IAM refuses a larger one when the bootstrap is deployed: say so at synth.
    validateManagedPolicySize(
      this.policy,
      'the permissions boundary policy',
      () =>
        `declare fewer services in allowedServices (${props.allowedServices.length}) and runtimeServices ` +
        `(${(props.runtimeServices ?? []).length}), or fewer assumableRoleArns and protectedRoleNames; in an ` +
        'account without a break-glass role, protectedAlertNamePrefixes: [] leaves out the denies that protect its alerts',
    );
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

/** Whether an IAM action pattern (`iam:Get*`) matches an action; IAM compares actions case-insensitively. */
function actionMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(action);
}
