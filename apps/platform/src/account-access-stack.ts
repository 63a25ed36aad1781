import {
  BootstrapContract,
  BreakGlassRole,
  PermissionsBoundaryAspect,
  SecurityAuditRole,
} from '@groundwork/cross-account-roles';
import { Aspects, CliCredentialsStackSynthesizer, Duration, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GroundworkConfig, PlatformEnvironment } from './config';
import { PlatformStack } from './platform-stack';
import { accessStackName } from './stack-names';

export interface AccountAccessStackProps {
  readonly environment: PlatformEnvironment;
  readonly groundwork: GroundworkConfig;
}

/**
 * The human ways into an environment account: the security account's
 * read-only audit role and the MFA-only break-glass role, with the
 * break-glass alerts.
 *
 * Deployed once per account by an administrator, with the administrator's own
 * credentials (CliCredentialsStackSynthesizer), right after bootstrapping,
 * never by the pipeline: the deployment boundary forbids the pipeline to
 * create, change or pass these roles, and every role under it (the pipeline's,
 * the workloads', break-glass itself) to switch off the break-glass alert
 * rules, alarm, topic and key, so a compromised pipeline cannot open a way in
 * for itself nor silence the next use of break glass. The alert depends on an
 * enabled CloudTrail trail: until the pipeline's first deployment creates the
 * security stack's trail, only an organization trail makes it work. See
 * docs/runbooks/bootstrap-accounts.md.
 */
export class AccountAccessStack extends PlatformStack {
  public readonly environmentName: string;

  constructor(scope: Construct, id: string, props: AccountAccessStackProps) {
    const env = props.environment;
    super(scope, id, {
      stackName: accessStackName(props.groundwork.organization.name, env.name),
      description: `Groundwork ${env.name}: security audit and break-glass roles (deployed by an administrator)`,
      env: { account: env.account, region: env.region },
      synthesizer: new CliCredentialsStackSynthesizer(),
      terminationProtection: true,
    });
    this.environmentName = env.name;
    const security = props.groundwork.security;
    new SecurityAuditRole(this, 'SecurityAudit', {
      securityAccountId: security.account,
      trustedRoleNamePatterns: security.auditorRoles,
    });
    const breakGlass = new BreakGlassRole(this, 'BreakGlass', {
      trustedAccountId: security.account,
      trustedRoleNamePatterns: security.breakGlassRoles,
      // Enough to repair a broken deployment. It grants no IAM write but service-linked roles; yet a session
      // that updates one of the pipeline's stacks makes CloudFormation act with that stack's service role (the
      // execution role), which manages bounded roles: IAM changes are possible that way, and each such stack
      // change raises the stack-change alert. They belong in Git (docs/runbooks/break-glass.md).
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
      maxMfaAgeSeconds: Duration.hours(1).toSeconds(),
      notificationEmails: props.groundwork.notifications.emails,
    });
    Validations.of(breakGlass.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/PowerUserAccess]',
      reason:
        'Break-glass repairs whatever broke, so it needs broad service access; AWS maintains PowerUserAccess as new ' +
        'services launch; it excludes IAM, Organizations and account management but for service-linked roles, ' +
        'listing roles and reading the organization and account; the deployment boundary caps it to the ' +
        "environment's allowed services; every use needs MFA and raises an alarm.",
    });
    // Deployed after the bootstrap, which creates the boundary: these roles carry it too, but not the role
    // tag that marks the deployment's roles, so that no role under the boundary may change or pass them.
    Aspects.of(this).add(
      new PermissionsBoundaryAspect({ qualifier: BootstrapContract.DEFAULT_QUALIFIER, tagRoles: false }),
    );
    for (const [key, value] of Object.entries(env.effectiveTags)) {
      Tags.of(this).add(key, value);
    }
  }
}
