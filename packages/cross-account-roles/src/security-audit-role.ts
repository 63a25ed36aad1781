import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from './nag-acknowledgements';
import { requireSomeTrust, trustedRolePrincipal } from './trusted-principals';
import { validateAccountId, validateOtherAccount, validateRoleArns, validateRoleNamePatterns } from './validation';

/**
 * Properties of a SecurityAuditRole.
 */
export interface SecurityAuditRoleProps {
  /**
   * The 12-digit id of the security (audit) account.
   *
   * It must differ from the account the role is deployed into (checked when the stack's account is known at
   * synthesis): that account's own principals could otherwise create or change a trusted role and assume this one.
   */
  readonly securityAccountId: string;

  /**
   * Exact ARNs of security-account roles that may assume the audit role.
   *
   * @default [] - at least one of trustedPrincipalArns and trustedRoleNamePatterns must be given
   */
  readonly trustedPrincipalArns?: string[];

  /**
   * Security-account role names or patterns, with their IAM path if they have one, that may assume it: each
   * becomes `arn:<partition>:iam::<securityAccountId>:role/<pattern>` in an `ArnLike aws:PrincipalArn`
   * condition. An IAM Identity Center permission set's roles have the path
   * `aws-reserved/sso.amazonaws.com/<region>/` (no region segment for roles created in us-east-1), so
   * `'aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SecurityAuditor_*'` matches the roles of the
   * `SecurityAuditor` permission set; a pattern without the path never matches them.
   *
   * @default [] - at least one of trustedPrincipalArns and trustedRoleNamePatterns must be given
   */
  readonly trustedRoleNamePatterns?: string[];

  /**
   * Name of the role. The deployment boundary protects the default name from modification
   * (`DeploymentBoundary.DEFAULT_PROTECTED_ROLE_NAMES`); another name is protected only once it is listed in
   * the deployment trust's `protectedRoleNames` too.
   *
   * @default 'groundwork-security-audit'
   */
  readonly roleName?: string;
}

/**
 * A read-only role the security account assumes to audit a target account. It is granted AWS's
 * `SecurityAudit` job-function policy, which reads configuration and metadata but not data (no
 * s3:GetObject, no secrets).
 *
 * A permissions boundary attached to the role caps that policy: under the Groundwork deployment boundary (as
 * the platform's access stack attaches it, with `PermissionsBoundaryAspect`), the role can read only what
 * the boundary allows: the services of the account's allow list, IAM's reads (with 'iam' in it) and the
 * bootstrap roles' own calls. Resources of other services in the account (created outside the pipeline) are
 * then invisible to it. Attach no boundary where the audit must see every service.
 *
 * The trust allows `sts:TagSession` and `sts:SetSourceIdentity` for the trusted roles: their sessions may
 * carry a source identity (role chaining requires the action in this trust policy when they do).
 */
export class SecurityAuditRole extends Construct {
  /** The audit role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SecurityAuditRoleProps) {
    super(scope, id);
    const p = this.node.path;
    validateAccountId(p, 'securityAccountId', props.securityAccountId);
    if (Token.isUnresolved(props.securityAccountId)) {
      throw new Error(`${p}: securityAccountId must be a literal 12-digit account id, found a token`);
    }
    validateOtherAccount(p, 'securityAccountId', props.securityAccountId, Stack.of(this).account);
    const arns = props.trustedPrincipalArns ?? [];
    const patterns = props.trustedRoleNamePatterns ?? [];
    requireSomeTrust(p, arns, patterns);
    validateRoleArns(p, 'trustedPrincipalArns', arns, {
      id: props.securityAccountId,
      label: 'security account',
      prop: 'securityAccountId',
    });
    validateRoleNamePatterns(p, 'trustedRoleNamePatterns', patterns);

    this.role = new iam.Role(this, 'Resource', {
      roleName: props.roleName ?? 'groundwork-security-audit',
      description: 'Groundwork read-only security audit, assumed from the security account',
      assumedBy: trustedRolePrincipal(props.securityAccountId, arns, patterns, { allowSourceIdentity: true }),
      managedPolicies: [
        iam.ManagedPolicy.fromManagedPolicyArn(
          this,
          'SecurityAudit',
          `arn:${Stack.of(this).partition}:iam::aws:policy/SecurityAudit`,
        ),
      ],
      maxSessionDuration: Duration.hours(1),
    });
    acknowledge(
      this.role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/SecurityAudit]',
      'SecurityAudit is the AWS-maintained read-only audit job-function policy; AWS keeps it current as services are added, which a custom copy would not',
    );
  }
}
