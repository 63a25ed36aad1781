import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from './nag-acknowledgements';
import { requireSomeTrust, trustedRolePrincipal } from './trusted-principals';
import { validateAccountId, validateRoleArns, validateRoleNamePatterns } from './validation';

/**
 * Properties of a SecurityAuditRole.
 */
export interface SecurityAuditRoleProps {
  /** The 12-digit id of the security (audit) account. */
  readonly securityAccountId: string;

  /**
   * Exact ARNs of security-account roles that may assume the audit role.
   *
   * @default [] - at least one of trustedPrincipalArns and trustedRoleNamePatterns must be given
   */
  readonly trustedPrincipalArns?: string[];

  /**
   * Security-account role names or patterns (e.g. 'AWSReservedSSO_SecurityAuditor_*') that may assume it.
   *
   * @default [] - at least one of trustedPrincipalArns and trustedRoleNamePatterns must be given
   */
  readonly trustedRoleNamePatterns?: string[];

  /**
   * Name of the role.
   *
   * @default 'groundwork-security-audit'
   */
  readonly roleName?: string;
}

/**
 * A read-only role the security account assumes to audit a target account. Its permissions are AWS's
 * `SecurityAudit` job-function policy, which reads configuration and metadata but not data (no
 * s3:GetObject, no secrets).
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
      assumedBy: trustedRolePrincipal(props.securityAccountId, arns, patterns),
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
