import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ArtifactKeyAccess, BreakGlassRole, DeploymentTrust, DeploymentTrustProps, SecurityAuditRole } from '../src';

// Template validation at synth costs ~4 s per stack and is not what these tests are about.
process.env.CDK_VALIDATION = 'false';

export const PIPELINE_ACCOUNT = '111111111111';
export const TARGET_ACCOUNT = '222222222222';
export const SECURITY_ACCOUNT = '333333333333';
export const REGION = 'eu-west-1';

export const TRUST_PROPS: DeploymentTrustProps = {
  pipelineAccountId: PIPELINE_ACCOUNT,
  trustedPrincipalArns: [`arn:aws:iam::${PIPELINE_ACCOUNT}:role/groundwork-pipeline-deploy`],
  trustedRoleNamePatterns: ['groundwork-pipeline-*'],
  allowedServices: ['ec2', 'logs', 's3', 'kms', 'ssm', 'iam', 'cloudtrail', 'lambda'],
};

export function targetStack(id = 'Target'): Stack {
  return new Stack(new App(), id, { env: { account: TARGET_ACCOUNT, region: REGION } });
}

export interface AllConstructs {
  readonly app: App;
  readonly targetStack: Stack;
  readonly pipelineStack: Stack;
  readonly trust: DeploymentTrust;
}

/** Every construct of the package, as an app would compose them. */
export function allConstructs(): AllConstructs {
  const app = new App();
  const target = new Stack(app, 'Target', { env: { account: TARGET_ACCOUNT, region: REGION } });
  const trust = new DeploymentTrust(target, 'Trust', TRUST_PROPS);
  new SecurityAuditRole(target, 'Audit', {
    securityAccountId: SECURITY_ACCOUNT,
    trustedRoleNamePatterns: ['aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SecurityAuditor_*'],
  });
  const emergency = new iam.ManagedPolicy(target, 'EmergencyPolicy', {
    statements: [
      new iam.PolicyStatement({
        actions: ['cloudformation:CancelUpdateStack'],
        resources: ['arn:aws:cloudformation:eu-west-1:222222222222:stack/groundwork-app/1'],
      }),
    ],
  });
  new BreakGlassRole(target, 'BreakGlass', {
    trustedAccountId: SECURITY_ACCOUNT,
    trustedPrincipalArns: [`arn:aws:iam::${SECURITY_ACCOUNT}:role/incident-responder`],
    managedPolicies: [emergency],
    notificationEmails: ['security@groundwork.example'],
  });
  const pipelineStack = new Stack(app, 'Pipeline', { env: { account: PIPELINE_ACCOUNT, region: REGION } });
  const key = new kms.Key(pipelineStack, 'ArtifactKey', { enableKeyRotation: true });
  ArtifactKeyAccess.grantDeployRolesDecrypt(key, [{ account: TARGET_ACCOUNT, region: REGION }]);
  return { app, targetStack: target, pipelineStack, trust };
}

/**
 * Flatten a resolved CloudFormation string expression into readable text:
 * {Fn::Join: ['', ['cdk-', {Ref: 'AWS::AccountId'}]]} -> 'cdk-${AWS::AccountId}'.
 */
export function flat(value: any): any {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(flat);
  if (value && typeof value === 'object') {
    if ('Fn::Join' in value) return value['Fn::Join'][1].map(flat).join(value['Fn::Join'][0]);
    if ('Ref' in value) return `\${${value.Ref}}`;
    if ('Fn::GetAtt' in value) return `\${${value['Fn::GetAtt'].join('.')}}`;
    const out: any = {};
    for (const [k, v] of Object.entries(value)) out[k] = flat(v);
    return out;
  }
  return value;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
