/**
 * Integration app of the target-account side of the deployment trust: the least-privilege bootstrap
 * (DeploymentTrust) in one stack, and the security audit and break-glass roles in another, as the platform
 * app deploys them (bootstrap first, then the access stack, whose roles carry the bootstrap's boundary).
 *
 * It is the app the template stability gate (scripts/template-stability) synthesizes and compares with
 * api-baseline/templates.json: the staging bucket, its key, its access-log bucket, the container asset
 * repository and the break-glass alert key and topic. The construct id `DeploymentTrust` at the root of its
 * stack is the one `DeploymentTrust.renderBootstrapTemplate` uses, so the logical ids checked here are those
 * of the template `cdk bootstrap --template` deploys. The accounts are placeholders: the app is
 * synthesized, not deployed (`stackUpdateWorkflow: false`).
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, AppProps, Aspects, CliCredentialsStackSynthesizer, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  BootstrapContract,
  BreakGlassRole,
  DeploymentTrust,
  DeploymentTrustProps,
  PermissionsBoundaryAspect,
  SecurityAuditRole,
} from '../src';

export const INTEG_PIPELINE_ACCOUNT = '111111111111';
export const INTEG_SECURITY_ACCOUNT = '333333333333';
export const INTEG_TARGET_ENV = { account: '222222222222', region: 'eu-west-1' };

/** The props of the bootstrap, shared with tests that render the same bootstrap as a template. */
export const INTEG_TRUST_PROPS: DeploymentTrustProps = {
  pipelineAccountId: INTEG_PIPELINE_ACCOUNT,
  trustedRoleNamePatterns: ['groundwork-pipeline-*'],
  allowedServices: ['ec2', 'logs', 's3', 'kms', 'ssm', 'iam', 'lambda'],
};

export interface IntegApp {
  readonly app: App;
  readonly bootstrap: Stack;
  readonly access: Stack;
  readonly trust: DeploymentTrust;
  readonly breakGlass: BreakGlassRole;
  readonly integ: IntegTest;
}

/** Builds the integ app. Stack traces are off so synthesized metadata holds no local paths. */
export function buildIntegApp(props: AppProps = {}): IntegApp {
  const app = new App({
    stackTraces: false,
    ...props,
    context: { 'aws:cdk:disable-creation-stack-traces': true, ...props.context },
  });

  const bootstrap = new Stack(app, 'GroundworkDeploymentTrustInteg', {
    env: INTEG_TARGET_ENV,
    // As in renderBootstrapTemplate: the bootstrap cannot depend on a bootstrap (no version rule).
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
  });
  const trust = new DeploymentTrust(bootstrap, 'DeploymentTrust', INTEG_TRUST_PROPS);

  const access = new Stack(app, 'GroundworkAccountAccessInteg', {
    env: INTEG_TARGET_ENV,
    // Deployed by an administrator, as apps/platform's access stack: no bootstrap role is needed.
    synthesizer: new CliCredentialsStackSynthesizer(),
  });
  new SecurityAuditRole(access, 'SecurityAudit', {
    securityAccountId: INTEG_SECURITY_ACCOUNT,
    trustedRoleNamePatterns: ['aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SecurityAuditor_*'],
  });
  // A stand-in for the grant chosen per environment (the package ships none): one action on one stack.
  const emergency = new iam.ManagedPolicy(access, 'EmergencyPolicy', {
    statements: [
      new iam.PolicyStatement({
        actions: ['cloudformation:CancelUpdateStack'],
        resources: [`arn:aws:cloudformation:eu-west-1:${INTEG_TARGET_ENV.account}:stack/groundwork-integ-app/1`],
      }),
    ],
  });
  const breakGlass = new BreakGlassRole(access, 'BreakGlass', {
    trustedAccountId: INTEG_SECURITY_ACCOUNT,
    trustedPrincipalArns: [`arn:aws:iam::${INTEG_SECURITY_ACCOUNT}:role/incident-responder`],
    managedPolicies: [emergency],
    notificationEmails: ['security@example.com'],
  });
  // The access roles are created after the bootstrap and carry its boundary.
  Aspects.of(access).add(new PermissionsBoundaryAspect({ qualifier: BootstrapContract.DEFAULT_QUALIFIER }));
  access.addStackDependency(bootstrap, 'the roles carry the boundary the bootstrap creates');

  const integ = new IntegTest(app, 'DeploymentTrustInteg', {
    testCases: [bootstrap, access],
    // No credentials are available to CI here; the synthesized templates are what gets checked.
    stackUpdateWorkflow: false,
  });
  return { app, bootstrap, access, trust, breakGlass, integ };
}

if (require.main === module) {
  buildIntegApp().app.synth();
}
