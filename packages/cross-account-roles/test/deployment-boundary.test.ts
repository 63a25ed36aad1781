import { App, Stack, Stage, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BootstrapContract, DeploymentBoundary, DeploymentTrust } from '../src';
import { asArray, flat, targetStack, TRUST_PROPS } from './fixtures';
import { evaluate, evaluateWithBoundary } from './policy-evaluator';

// Resolved the way IAM would see them in account 222222222222, eu-west-1.
function concrete(value: any): any {
  return JSON.parse(
    JSON.stringify(flat(value))
      .replace(/\$\{AWS::Partition\}/g, 'aws')
      .replace(/\$\{AWS::AccountId\}/g, '222222222222')
      .replace(/\$\{AWS::Region\}/g, 'eu-west-1'),
  );
}

const stack = targetStack();
const trust = new DeploymentTrust(stack, 'Trust', TRUST_PROPS);
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources;
const boundaryDoc = concrete(
  resources[stack.getLogicalId(trust.boundary.policy.node.defaultChild as any)].Properties.PolicyDocument,
);
const execDoc = concrete(
  resources[stack.getLogicalId(trust.executionPolicy.node.defaultChild as any)].Properties.PolicyDocument,
);
const boundary: any[] = boundaryDoc.Statement;
const exec: any[] = execDoc.Statement;

const ACCOUNT = '222222222222';
const BOUNDARY_ARN = `arn:aws:iam::${ACCOUNT}:policy/groundwork-boundary-hnb659fds-eu-west-1`;
const OTHER_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/something-else`;
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-FunctionRole-ABC`;
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`;
// The role tag that marks a role as the deployment's, in a request that creates or tags one, and on a role.
const CREATED_TAGGED = { 'aws:RequestTag/groundwork:boundary': 'hnb659fds' };
const TAGGED = { 'aws:ResourceTag/groundwork:boundary': 'hnb659fds' };

describe('policy evaluator (test helper) is honest', () => {
  const policy = [
    { Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' },
    {
      Effect: 'Deny',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'a' } },
    },
  ];
  test('allow, explicit deny, implicit deny and absent keys', () => {
    expect(evaluate(policy, { action: 's3:GetObjectTagging', resource: 'arn:aws:s3:::b/k' })).toBe('Allow');
    expect(evaluate(policy, { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' })).toBe('ExplicitDeny');
    expect(
      evaluate(policy, {
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::b/k',
        context: { 'aws:PrincipalTag/team': 'a' },
      }),
    ).toBe('Allow');
    expect(evaluate(policy, { action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' })).toBe('ImplicitDeny');
  });
  test('NotResource: the statement applies to every resource but the listed ones', () => {
    const deny = [{ Effect: 'Deny', Action: 'iam:PassRole', NotResource: 'arn:aws:iam::*:role/aws-service-role/*' }];
    expect(evaluate(deny, { action: 'iam:PassRole', resource: 'arn:aws:iam::1:role/x' })).toBe('ExplicitDeny');
    expect(evaluate(deny, { action: 'iam:PassRole', resource: 'arn:aws:iam::1:role/aws-service-role/y' })).toBe(
      'ImplicitDeny',
    );
  });
  test('refuses what it does not understand', () => {
    expect(() =>
      evaluate(
        [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.4' } } }],
        {
          action: 'x:y',
          resource: 'z',
        },
      ),
    ).toThrow(/unsupported condition operator IpAddress/);
  });
});

describe('the boundary denies each privilege escalation', () => {
  test.each([
    ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/eve`],
    ['iam:CreateAccessKey', `arn:aws:iam::${ACCOUNT}:user/eve`],
    ['iam:CreateLoginProfile', `arn:aws:iam::${ACCOUNT}:user/eve`],
    ['iam:DeleteRolePermissionsBoundary', APP_ROLE],
    ['iam:DeleteUserPermissionsBoundary', `arn:aws:iam::${ACCOUNT}:user/eve`],
    ['iam:CreatePolicyVersion', BOUNDARY_ARN],
    ['iam:DeletePolicy', BOUNDARY_ARN],
    ['iam:SetDefaultPolicyVersion', BOUNDARY_ARN],
    ['iam:DeletePolicyVersion', BOUNDARY_ARN],
    ['organizations:LeaveOrganization', '*'],
    ['cloudtrail:StopLogging', `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org`],
    ['cloudtrail:DeleteTrail', `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org`],
    ['config:StopConfigurationRecorder', '*'],
    ['config:DeleteConfigurationRecorder', '*'],
    ['config:DeleteDeliveryChannel', '*'],
    ['guardduty:DeleteDetector', '*'],
    ['guardduty:DisassociateFromMasterAccount', '*'],
    ['guardduty:DisassociateFromAdministratorAccount', '*'],
    ['securityhub:DisableSecurityHub', '*'],
    ['securityhub:DisassociateFromAdministratorAccount', '*'],
    ['securityhub:DisassociateFromMasterAccount', '*'],
    [
      'config:DeleteAggregationAuthorization',
      `arn:aws:config:eu-west-1:${ACCOUNT}:aggregation-authorization/999999999999/eu-west-1`,
    ],
    ['iam:UpdateLoginProfile', `arn:aws:iam::${ACCOUNT}:user/eve`],
    ['iam:CreateServiceSpecificCredential', `arn:aws:iam::${ACCOUNT}:user/eve`],
    ['iam:UploadSSHPublicKey', `arn:aws:iam::${ACCOUNT}:user/eve`],
    ['iam:UpdateAssumeRolePolicy', `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-eu-west-1`],
    ['iam:AttachRolePolicy', `arn:aws:iam::${ACCOUNT}:role/groundwork-break-glass`],
    ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/groundwork-break-glass`],
    ['iam:UpdateAssumeRolePolicy', `arn:aws:iam::${ACCOUNT}:role/groundwork-break-glass`],
    ['iam:DeleteRole', `arn:aws:iam::${ACCOUNT}:role/groundwork-security-audit`],
    ['iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/groundwork-security-audit`],
  ])('%s on %s, even with the Groundwork boundary in the request', (action, resource) => {
    expect(evaluate(boundary, { action, resource, context: { 'iam:PermissionsBoundary': BOUNDARY_ARN } })).toBe(
      'ExplicitDeny',
    );
  });

  test.each([
    'iam:CreateRole',
    'iam:PutRolePolicy',
    'iam:AttachRolePolicy',
    'iam:PutRolePermissionsBoundary',
    'iam:PutUserPermissionsBoundary',
  ])('%s without a boundary, or with another one, is denied; with this boundary it is not', (action) => {
    const tags = { ...CREATED_TAGGED, ...TAGGED };
    expect(evaluate(boundary, { action, resource: APP_ROLE, context: tags })).toBe('ExplicitDeny');
    expect(
      evaluate(boundary, {
        action,
        resource: APP_ROLE,
        context: { ...tags, 'iam:PermissionsBoundary': OTHER_BOUNDARY },
      }),
    ).toBe('ExplicitDeny');
    expect(
      evaluate(boundary, { action, resource: APP_ROLE, context: { ...tags, 'iam:PermissionsBoundary': BOUNDARY_ARN } }),
    ).not.toBe('ExplicitDeny');
  });

  test.each([
    ['cloudtrail:CreateTrail', `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org`],
    ['cloudtrail:UpdateTrail', `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org`],
    ['cloudtrail:PutEventSelectors', `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org`],
    ['guardduty:UpdateDetector', '*'],
  ])('%s stays allowed: CloudFormation needs it to create and update the security baseline', (action, resource) => {
    expect(evaluate(boundary, { action, resource })).not.toBe('ExplicitDeny');
  });

  test('every listed escalation action appears in a Deny statement (statement-level assertion)', () => {
    const denied = boundary.filter((s) => s.Effect === 'Deny').flatMap((s) => asArray(s.Action));
    expect(denied).toEqual(
      expect.arrayContaining([
        'iam:CreateUser',
        'iam:CreateAccessKey',
        'iam:CreateLoginProfile',
        'iam:DeleteRolePermissionsBoundary',
        'iam:DeleteUserPermissionsBoundary',
        'iam:PutRolePermissionsBoundary',
        'iam:PutUserPermissionsBoundary',
        'iam:CreateRole',
        'iam:PutRolePolicy',
        'iam:AttachRolePolicy',
        'iam:CreatePolicyVersion',
        'iam:DeletePolicy',
        'iam:SetDefaultPolicyVersion',
        'organizations:LeaveOrganization',
        'cloudtrail:StopLogging',
        'cloudtrail:DeleteTrail',
        'config:StopConfigurationRecorder',
        'config:DeleteConfigurationRecorder',
        'config:DeleteDeliveryChannel',
        'guardduty:DeleteDetector',
        'guardduty:DisassociateFrom*',
        'securityhub:DisassociateFrom*',
        'config:DeleteAggregationAuthorization',
      ]),
    );
  });
});

describe('roles under the boundary act only on roles tagged as managed under it', () => {
  // A workload role whose own policy grants all of IAM (an app team's mistake, or an attacker's commit).
  const everything = [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }];
  const workload = (action: string, resource: string, context?: { [k: string]: string }) =>
    evaluateWithBoundary(everything, boundary, { action, resource, context });
  const TAGGED_ACTIONS = [
    'iam:UpdateAssumeRolePolicy',
    'iam:UpdateRole',
    'iam:UpdateRoleDescription',
    'iam:DeleteRole',
    'iam:PassRole',
    'iam:TagRole',
    'iam:UntagRole',
    'iam:PutRolePermissionsBoundary',
    'iam:PutRolePolicy',
    'iam:DeleteRolePolicy',
    'iam:AttachRolePolicy',
    'iam:DetachRolePolicy',
  ];

  test.each(TAGGED_ACTIONS)('%s on an untagged role (an administrator role of the account) is denied', (action) => {
    expect(workload(action, ADMIN_ROLE)).toBe('ExplicitDeny');
  });

  // iam:PermissionsBoundary is the boundary being put on PutRolePermissionsBoundary, and the role's own on the
  // policy writes: this boundary in the request does not open an untagged role.
  test.each([
    'iam:PutRolePermissionsBoundary',
    'iam:PutRolePolicy',
    'iam:DeleteRolePolicy',
    'iam:AttachRolePolicy',
    'iam:DetachRolePolicy',
  ])('%s with this boundary on an untagged role is denied (no lock-out of the account administrators)', (action) => {
    const withThisBoundary = { 'iam:PermissionsBoundary': BOUNDARY_ARN };
    expect(workload(action, ADMIN_ROLE, withThisBoundary)).toBe('ExplicitDeny');
    expect(workload(action, APP_ROLE, { ...withThisBoundary, ...TAGGED })).toBe('Allow');
  });

  test.each(TAGGED_ACTIONS)('%s on a role tagged with another qualifier is denied', (action) => {
    expect(workload(action, APP_ROLE, { 'aws:ResourceTag/groundwork:boundary': 'team1' })).toBe('ExplicitDeny');
  });

  test.each(TAGGED_ACTIONS)(
    '%s on a role tagged with this qualifier (and carrying this boundary) is not denied',
    (action) => {
      const context = { ...TAGGED, 'iam:PermissionsBoundary': BOUNDARY_ARN };
      expect(evaluate(boundary, { action, resource: APP_ROLE, context })).not.toBe('ExplicitDeny');
    },
  );

  test('a service-linked role may be passed: AWS defines its trust and permissions', () => {
    const slr = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`;
    expect(evaluate(boundary, { action: 'iam:PassRole', resource: slr })).not.toBe('ExplicitDeny');
  });
});

describe("roles under the boundary read IAM: AWS Config's recorder, the audit role, the drift detector", () => {
  // Every role of the account carries the boundary. What AWS_ConfigRole and SecurityAudit grant is AWS's and
  // unknown offline, so each role is modelled by an identity policy granting the call itself: the boundary
  // alone decides.
  const granted = (action: string, resource: string, context?: { [k: string]: string }) =>
    evaluateWithBoundary([{ Effect: 'Allow', Action: action, Resource: '*' }], boundary, { action, resource, context });
  const USER = `arn:aws:iam::${ACCOUNT}:user/alice`;
  const POLICY = `arn:aws:iam::${ACCOUNT}:policy/app-policy`;

  test.each([
    // What Config describes to record IAM users, groups, roles and policies, and what its IAM rules read.
    ['iam:GetAccountAuthorizationDetails', '*'],
    ['iam:ListUsers', '*'],
    ['iam:ListRoles', '*'],
    ['iam:ListPolicies', '*'],
    ['iam:ListGroups', '*'],
    ['iam:GetUser', USER],
    ['iam:GetUserPolicy', USER],
    ['iam:ListAttachedUserPolicies', USER],
    ['iam:ListGroupsForUser', USER],
    ['iam:ListAccessKeys', USER],
    ['iam:ListMFADevices', USER],
    ['iam:GetAccessKeyLastUsed', USER],
    ['iam:GetAccountSummary', '*'],
    ['iam:GetAccountPasswordPolicy', '*'],
    ['iam:GenerateCredentialReport', '*'],
    ['iam:GetCredentialReport', '*'],
    ['iam:ListEntitiesForPolicy', POLICY],
    ['iam:GetPolicyVersion', POLICY],
    ['iam:GenerateServiceLastAccessedDetails', ADMIN_ROLE],
    ['iam:GetServiceLastAccessedDetails', '*'],
    // The reads of a role that is not the deployment's (no role tag): reading is not managing.
    ['iam:GetRole', ADMIN_ROLE],
    ['iam:ListAttachedRolePolicies', ADMIN_ROLE],
    ['iam:GetRolePolicy', ADMIN_ROLE],
  ])('%s on %s is allowed', (action, resource) => {
    expect(granted(action, resource)).toBe('Allow');
  });

  test.each([
    ['iam:CreateUser', USER, 'ExplicitDeny'],
    ['iam:CreateAccessKey', USER, 'ExplicitDeny'],
    ['iam:CreateLoginProfile', USER, 'ExplicitDeny'],
    ['iam:PutUserPolicy', USER, 'ExplicitDeny'],
    ['iam:AttachUserPolicy', USER, 'ExplicitDeny'],
    ['iam:UpdateAssumeRolePolicy', ADMIN_ROLE, 'ExplicitDeny'],
    ['iam:PassRole', ADMIN_ROLE, 'ExplicitDeny'],
    ['iam:DeleteRolePermissionsBoundary', ADMIN_ROLE, 'ExplicitDeny'],
    ['iam:CreatePolicyVersion', BOUNDARY_ARN, 'ExplicitDeny'],
    // Not in any Allow of the boundary: the reads grant nothing beyond Get, List and the two reports.
    ['iam:UpdateAccessKey', USER, 'ImplicitDeny'],
    ['iam:DeleteUser', USER, 'ImplicitDeny'],
    ['iam:AddUserToGroup', `arn:aws:iam::${ACCOUNT}:group/admins`, 'ImplicitDeny'],
    ['iam:ResetServiceSpecificCredential', USER, 'ImplicitDeny'],
    ['iam:SetDefaultPolicyVersion', POLICY, 'ImplicitDeny'],
    ['iam:DeleteAccountPasswordPolicy', '*', 'ImplicitDeny'],
    ['iam:UpdateSAMLProvider', `arn:aws:iam::${ACCOUNT}:saml-provider/idp`, 'ImplicitDeny'],
  ])('%s on %s is still denied (%s)', (action, resource, decision) => {
    expect(granted(action, resource)).toBe(decision);
  });

  test("the execution role's own IAM grant works as before: its reads are covered, and it gains none", () => {
    const can = (action: string, resource: string) => evaluateWithBoundary(exec, boundary, { action, resource });
    const managed = exec.find((s) => s.Sid === 'BoundedRoleManagement');
    const reads = asArray<string>(managed.Action).filter((a) => /^iam:(Get|List)/.test(a));
    expect(reads).toEqual(expect.arrayContaining(['iam:GetRole', 'iam:ListRolePolicies', 'iam:GetPolicyVersion']));
    for (const action of reads) {
      expect({ action, decision: can(action, APP_ROLE) }).toEqual({ action, decision: 'Allow' });
    }
    // The execution role is granted reads of roles, policies and instance profiles only, not of users.
    expect(can('iam:ListUsers', '*')).toBe('ImplicitDeny');
    expect(can('iam:GetCredentialReport', '*')).toBe('ImplicitDeny');
  });
});

describe('the execution role under its boundary', () => {
  const can = (action: string, resource: string, context?: { [k: string]: string }) =>
    evaluateWithBoundary(exec, boundary, { action, resource, context });

  test('deploys what the allow list declares', () => {
    expect(can('ec2:CreateVpc', '*')).toBe('Allow');
    expect(can('logs:CreateLogGroup', `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:x`)).toBe('Allow');
    expect(can('cloudtrail:CreateTrail', `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/t`)).toBe('Allow');
  });

  test('creates roles only with the Groundwork boundary and the role tag of its qualifier', () => {
    const bounded = { 'iam:PermissionsBoundary': BOUNDARY_ARN };
    expect(can('iam:CreateRole', APP_ROLE, { ...bounded, ...CREATED_TAGGED })).toBe('Allow');
    expect(can('iam:CreateRole', APP_ROLE, CREATED_TAGGED)).toBe('ExplicitDeny');
    expect(can('iam:CreateRole', APP_ROLE, { 'iam:PermissionsBoundary': OTHER_BOUNDARY, ...CREATED_TAGGED })).toBe(
      'ExplicitDeny',
    );
    expect(can('iam:CreateRole', APP_ROLE, bounded)).toBe('ExplicitDeny');
    expect(can('iam:CreateRole', APP_ROLE, { ...bounded, 'aws:RequestTag/groundwork:boundary': 'team1' })).toBe(
      'ExplicitDeny',
    );
  });

  test('manages the roles it created (tagged), and no other role of the account', () => {
    for (const action of ['iam:UpdateAssumeRolePolicy', 'iam:DeleteRole', 'iam:PassRole', 'iam:TagRole']) {
      expect({ action, decision: can(action, APP_ROLE, TAGGED) }).toEqual({ action, decision: 'Allow' });
      expect({ action, decision: can(action, ADMIN_ROLE) }).toEqual({ action, decision: 'ExplicitDeny' });
    }
  });

  test('cannot use services outside the allow list, nor escalate within it', () => {
    expect(can('dynamodb:CreateTable', '*')).toBe('ImplicitDeny');
    expect(can('iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/eve`)).toBe('ExplicitDeny');
    expect(can('cloudtrail:StopLogging', `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org`)).toBe('ExplicitDeny');
    expect(can('iam:CreatePolicyVersion', BOUNDARY_ARN)).toBe('ExplicitDeny');
    expect(can('sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`)).toBe('ImplicitDeny');
  });

  test("lets the account guardrails' role set the password policy, but neither the execution role nor removal", () => {
    const passwordPolicy = 'iam:UpdateAccountPasswordPolicy';
    expect(evaluate(boundary, { action: passwordPolicy, resource: '*' })).toBe('Allow');
    expect(evaluate(boundary, { action: 'iam:GetAccountPasswordPolicy', resource: '*' })).toBe('Allow');
    expect(evaluate(boundary, { action: 'iam:DeleteAccountPasswordPolicy', resource: '*' })).toBe('ImplicitDeny');
    expect(can(passwordPolicy, '*')).toBe('ImplicitDeny');
  });

  test("roles under the boundary may assume the pipeline's roles and the bootstrap roles, and no other role", () => {
    const pipelineRole = `arn:aws:iam::${TRUST_PROPS.pipelineAccountId}:role/${TRUST_PROPS.trustedRoleNamePatterns![0].replace('*', 'drift-reconcile')}`;
    expect(evaluate(boundary, { action: 'sts:AssumeRole', resource: pipelineRole })).toBe('Allow');
    // A pipeline (in another account) deploys and publishes through each target's bootstrap roles.
    const deployRole = 'arn:aws:iam::333333333333:role/cdk-hnb659fds-deploy-role-333333333333-eu-west-1';
    expect(evaluate(boundary, { action: 'sts:AssumeRole', resource: deployRole })).toBe('Allow');
    expect(evaluate(boundary, { action: 'sts:TagSession', resource: deployRole })).toBe('Allow');
    expect(
      evaluate(boundary, {
        action: 'sts:AssumeRole',
        resource: 'arn:aws:iam::333333333333:role/cdk-other-deploy-role',
      }),
    ).toBe('ImplicitDeny');
    expect(
      evaluate(boundary, {
        action: 'sts:AssumeRole',
        resource: `arn:aws:iam::${TRUST_PROPS.pipelineAccountId}:role/Admin`,
      }),
    ).toBe('ImplicitDeny');
    expect(evaluate(boundary, { action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/x` })).toBe(
      'ImplicitDeny',
    );
  });

  test('runtime services are allowed by the boundary but not granted to the execution role', () => {
    const s = targetStack();
    const t = new DeploymentTrust(s, 'Trust', { ...TRUST_PROPS, runtimeServices: ['dynamodb'] });
    const r = Template.fromStack(s).toJSON().Resources;
    const b = concrete(
      r[s.getLogicalId(t.boundary.policy.node.defaultChild as any)].Properties.PolicyDocument,
    ).Statement;
    const e = concrete(
      r[s.getLogicalId(t.executionPolicy.node.defaultChild as any)].Properties.PolicyDocument,
    ).Statement;
    expect(evaluate(b, { action: 'dynamodb:GetItem', resource: '*' })).toBe('Allow');
    expect(evaluateWithBoundary(e, b, { action: 'dynamodb:GetItem', resource: '*' })).toBe('ImplicitDeny');
  });
});

describe("no role under the boundary may rewrite a bootstrap role's policy", () => {
  const policies = Object.entries(resources).filter(([, r]: [string, any]) => r.Type === 'AWS::IAM::ManagedPolicy');

  test('every policy of the template has a protected name (boundary, execution) or the protected path', () => {
    const named = policies.filter(([, r]: [string, any]) => r.Properties.ManagedPolicyName !== undefined);
    const underPath = policies.filter(
      ([, r]: [string, any]) => r.Properties.Path === BootstrapContract.ROLE_POLICY_PATH,
    );
    expect(named.map(([, r]: [string, any]) => concrete(r.Properties.ManagedPolicyName)).sort()).toEqual([
      'groundwork-boundary-hnb659fds-eu-west-1',
      'groundwork-cfn-exec-hnb659fds-eu-west-1',
    ]);
    // The deploy, publishing and lookup roles' policies, one each.
    const roles = underPath.flatMap(([, r]: [string, any]) => r.Properties.Roles.map((role: any) => role.Ref));
    const roleNames = roles.map((id: string) => concrete(resources[id].Properties.RoleName)).sort();
    expect(roleNames).toEqual(
      ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
        (kind) => `cdk-hnb659fds-${kind}-role-${ACCOUNT}-eu-west-1`,
      ),
    );
    expect(named.length + underPath.length).toBe(policies.length);
  });

  // A workload role granted all of IAM (a custom resource's role in a deployed template): with
  // iam:CreatePolicyVersion on the deploy role's policy it would act with the deploy role's exemptions.
  // CloudFormation generates the name under the path; the path is part of the policy's ARN.
  const everything = [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }];
  const deployRolePolicy = `arn:aws:iam::${ACCOUNT}:policy${BootstrapContract.ROLE_POLICY_PATH}CDKToolkit-DeploymentTrustDeployRolePolicyDB0BBFD5-1A2B3C4D5E6F`;
  test.each(['iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicyVersion', 'iam:DeletePolicy'])(
    "%s on the deploy role's policy is denied",
    (action) => {
      expect(evaluateWithBoundary(everything, boundary, { action, resource: deployRolePolicy })).toBe('ExplicitDeny');
      expect(evaluateWithBoundary(exec, boundary, { action, resource: deployRolePolicy })).toBe('ExplicitDeny');
    },
  );

  test("another policy of the account stays the execution role's to manage; names starting with groundwork are reserved", () => {
    const can = (resource: string) =>
      evaluateWithBoundary(exec, boundary, { action: 'iam:CreatePolicyVersion', resource });
    expect(can(`arn:aws:iam::${ACCOUNT}:policy/app-policy`)).toBe('Allow');
    expect(can(`arn:aws:iam::${ACCOUNT}:policy/teams/groundwork-reader`)).toBe('Allow');
    expect(can(`arn:aws:iam::${ACCOUNT}:policy/groundwork-reader`)).toBe('ExplicitDeny');
  });
});

describe('an account bootstrapped twice (another qualifier): neither boundary reaches the other bootstrap', () => {
  const OTHER = 'team1';
  const otherRole = (kind: string) => `arn:aws:iam::${ACCOUNT}:role/cdk-${OTHER}-${kind}-role-${ACCOUNT}-eu-west-1`;
  const ownRole = (kind: string) => `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-${kind}-role-${ACCOUNT}-eu-west-1`;

  test.each([
    ['iam:UpdateAssumeRolePolicy', otherRole('deploy')],
    ['iam:AttachRolePolicy', otherRole('cfn-exec')],
    ['iam:PutRolePermissionsBoundary', otherRole('cfn-exec')],
    ['iam:PutRolePolicy', otherRole('file-publishing')],
    ['iam:DeleteRole', otherRole('lookup')],
    ['iam:CreatePolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/groundwork-boundary-${OTHER}-eu-west-1`],
    ['iam:SetDefaultPolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/groundwork-cfn-exec-${OTHER}-eu-west-1`],
    ['iam:PassRole', otherRole('deploy')],
    ['iam:PassRole', otherRole('cfn-exec')],
  ])('%s on %s is denied, even with this boundary in the request', (action, resource) => {
    expect(evaluate(boundary, { action, resource, context: { 'iam:PermissionsBoundary': BOUNDARY_ARN } })).toBe(
      'ExplicitDeny',
    );
  });

  test("only this qualifier's deploy role may pass an execution role, and its own policy names only its own", () => {
    const passExec = (principal: string, role: string) =>
      evaluate(boundary, { action: 'iam:PassRole', resource: role, context: { 'aws:PrincipalArn': principal } });
    const passTagged = (principal: string, role: string) =>
      evaluate(boundary, {
        action: 'iam:PassRole',
        resource: role,
        context: { 'aws:PrincipalArn': principal, ...TAGGED },
      });
    // The bootstrap roles carry no role tag: this qualifier's deploy role is exempt from the tag check.
    expect(passExec(ownRole('deploy'), ownRole('cfn-exec'))).toBe('Allow');
    expect(passExec(APP_ROLE, ownRole('cfn-exec'))).toBe('ExplicitDeny');
    expect(passExec(otherRole('deploy'), ownRole('cfn-exec'))).toBe('ExplicitDeny');
    // A role under the boundary may still pass the roles a stack creates (a function's role).
    expect(passTagged(ownRole('cfn-exec'), APP_ROLE)).toBe('Allow');
  });
});

describe('the bootstrap and protected roles are denied by name: a role tag put on one by hand does not open it', () => {
  const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
  const bootstrapRole = (q: string, kind: string) => role(`cdk-${q}-${kind}-${ACCOUNT}-eu-west-1`);
  const DEPLOY_ROLE = bootstrapRole('hnb659fds', 'deploy-role');
  const EXEC_ROLE = bootstrapRole('hnb659fds', 'cfn-exec-role');
  const GUARDED = [
    DEPLOY_ROLE,
    EXEC_ROLE,
    bootstrapRole('hnb659fds', 'lookup-role'),
    bootstrapRole('hnb659fds', 'file-publishing-role'),
    bootstrapRole('hnb659fds', 'image-publishing-role'),
    bootstrapRole('team1', 'deploy-role'),
    role('groundwork-break-glass'),
    role('groundwork-security-audit'),
  ];
  // Every write to a role (Service Authorization Reference, IAM: the actions with the `role` resource type).
  const ROLE_WRITES = [
    'iam:UpdateAssumeRolePolicy',
    'iam:UpdateRole',
    'iam:UpdateRoleDescription',
    'iam:DeleteRole',
    'iam:TagRole',
    'iam:UntagRole',
    'iam:PutRolePolicy',
    'iam:AttachRolePolicy',
    'iam:DetachRolePolicy',
    'iam:DeleteRolePolicy',
    'iam:PutRolePermissionsBoundary',
    'iam:DeleteRolePermissionsBoundary',
  ];
  // The other actions with the `role` resource type: reads, passing, instance profiles, service-linked roles.
  const ROLE_NON_WRITES = [
    'iam:PassRole',
    'iam:CreateRole',
    'iam:GetRole',
    'iam:GetRolePolicy',
    'iam:ListRolePolicies',
    'iam:ListAttachedRolePolicies',
    'iam:ListRoleTags',
    'iam:ListInstanceProfilesForRole',
    'iam:AddRoleToInstanceProfile',
    'iam:RemoveRoleFromInstanceProfile',
    'iam:CreateServiceLinkedRole',
    'iam:DeleteServiceLinkedRole',
    'iam:GetServiceLinkedRoleDeletionStatus',
    'iam:GenerateServiceLastAccessedDetails',
    'iam:GetContextKeysForPrincipalPolicy',
    'iam:SimulatePrincipalPolicy',
    'iam:ListPoliciesGrantingServiceAccess',
  ];
  const tampering = boundary.find((st) => st.Sid === 'DenyProtectedRoleTampering');
  const patterns = asArray<string>(tampering.Action);
  const matchedBy = (pattern: string) =>
    [...ROLE_WRITES, ...ROLE_NON_WRITES].filter(
      (action) =>
        evaluate([{ Effect: 'Allow', Action: pattern, Resource: '*' }], { action, resource: '*' }) === 'Allow',
    );
  // A role that may manage roles: the execution role, or a workload role granted all of IAM.
  const everything = [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }];
  // The tag a hand-run loop put on the bootstrap roles, and this boundary: neither may open them.
  const handTagged = { ...TAGGED, 'iam:PermissionsBoundary': BOUNDARY_ARN };

  test('the statement names the bootstrap roles of every qualifier and the protected roles', () => {
    expect(asArray(tampering.Resource)).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/cdk-*`,
      role('groundwork-break-glass'),
      role('groundwork-security-audit'),
    ]);
    expect(tampering.Condition).toBeUndefined();
  });

  test('each action pattern matches exactly the role writes it is meant for, and never iam:PassRole', () => {
    expect(Object.fromEntries(patterns.map((p) => [p, matchedBy(p)]))).toEqual({
      'iam:UpdateAssumeRolePolicy': ['iam:UpdateAssumeRolePolicy'],
      'iam:UpdateRole*': ['iam:UpdateRole', 'iam:UpdateRoleDescription'],
      'iam:DeleteRole*': ['iam:DeleteRole', 'iam:DeleteRolePolicy', 'iam:DeleteRolePermissionsBoundary'],
      'iam:PutRole*': ['iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary'],
      'iam:*tachRolePolicy': ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      'iam:*agRole': ['iam:TagRole', 'iam:UntagRole'],
    });
    expect(patterns.flatMap(matchedBy).sort()).toEqual([...ROLE_WRITES].sort());
  });

  test.each(ROLE_WRITES.flatMap((action) => GUARDED.map((resource): [string, string] => [action, resource])))(
    '%s on %s is denied, even when the role carries the role tag of this qualifier',
    (action, resource) => {
      // As the execution role (its own policy allows these on role/*), and as this qualifier's deploy role,
      // which the tag check exempts.
      for (const principal of [EXEC_ROLE, DEPLOY_ROLE, APP_ROLE]) {
        const context = { ...handTagged, 'aws:PrincipalArn': principal };
        expect({
          principal,
          decision: evaluateWithBoundary(everything, boundary, { action, resource, context }),
        }).toEqual({ principal, decision: 'ExplicitDeny' });
      }
    },
  );

  test("the execution role's own grant is denied on them too, and still works on the workload roles it created", () => {
    const can = (action: string, resource: string) =>
      evaluateWithBoundary(exec, boundary, {
        action,
        resource,
        context: { ...handTagged, 'aws:PrincipalArn': EXEC_ROLE },
      });
    for (const action of ROLE_WRITES.filter((a) => a !== 'iam:DeleteRolePermissionsBoundary')) {
      expect({ action, decision: can(action, DEPLOY_ROLE) }).toEqual({ action, decision: 'ExplicitDeny' });
      expect({ action, decision: can(action, APP_ROLE) }).toEqual({ action, decision: 'Allow' });
    }
  });

  test('the deploy role still passes the execution role, tagged or not; nobody else passes it', () => {
    const pass = (principal: string, context: { [k: string]: string }) =>
      evaluate(boundary, {
        action: 'iam:PassRole',
        resource: EXEC_ROLE,
        context: { ...context, 'aws:PrincipalArn': principal },
      });
    expect(pass(DEPLOY_ROLE, {})).toBe('Allow');
    expect(pass(DEPLOY_ROLE, TAGGED)).toBe('Allow');
    expect(pass(APP_ROLE, {})).toBe('ExplicitDeny');
  });
});

describe('the break-glass alerts: no role under the boundary may switch them off, break-glass included', () => {
  const RULES = ['groundwork-break-glass-assumed', 'groundwork-break-glass-cloudformation'].map(
    (name) => `arn:aws:events:eu-west-1:${ACCOUNT}:rule/${name}`,
  );
  const ALARM = `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:groundwork-break-glass-assumed`;
  const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:example-dev-access-BreakGlassAlertTopicB4F6D82B-AbCdEf`;
  const SUBSCRIPTION = `${TOPIC}:0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
  const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
  const ALERT_TAG = { 'aws:ResourceTag/groundwork:access': 'break-glass' };
  // Break-glass (PowerUserAccess: every action of these services) and a pipeline custom resource granted them.
  const everything = [{ Effect: 'Allow', Action: ['events:*', 'cloudwatch:*', 'sns:*', 'kms:*'], Resource: '*' }];
  const asRoleUnderBoundary = (action: string, resource: string, context?: { [k: string]: string }) =>
    evaluateWithBoundary(everything, boundary, { action, resource, context });

  const NAMED: Array<[string, string]> = [
    ...[
      'events:DeleteRule',
      'events:DisableRule',
      'events:PutRule',
      'events:PutTargets',
      'events:RemoveTargets',
    ].flatMap((action): Array<[string, string]> => RULES.map((rule) => [action, rule])),
    ['cloudwatch:DeleteAlarms', ALARM],
    ['cloudwatch:DisableAlarmActions', ALARM],
    ['cloudwatch:PutMetricAlarm', ALARM],
    ['cloudwatch:SetAlarmState', ALARM],
  ];
  const ON_TAGGED: Array<[string, string]> = [
    ['sns:SetTopicAttributes', TOPIC],
    ['sns:DeleteTopic', TOPIC],
    ['sns:AddPermission', TOPIC],
    ['sns:RemovePermission', TOPIC],
    ['sns:PutDataProtectionPolicy', TOPIC],
    ['sns:TagResource', TOPIC],
    ['sns:UntagResource', TOPIC],
    // Authorized on the subscription's topic (Service Authorization Reference, Amazon SNS: resource type topic).
    ['sns:Unsubscribe', TOPIC],
    ['sns:SetSubscriptionAttributes', TOPIC],
    ['kms:DisableKey', KEY],
    ['kms:ScheduleKeyDeletion', KEY],
    ['kms:PutKeyPolicy', KEY],
    ['kms:TagResource', KEY],
    ['kms:UntagResource', KEY],
  ];

  test.each(NAMED)('%s on %s is denied, in any region', (action, resource) => {
    expect(asRoleUnderBoundary(action, resource)).toBe('ExplicitDeny');
    expect(asRoleUnderBoundary(action, resource.replace(':eu-west-1:', ':us-east-1:'))).toBe('ExplicitDeny');
  });

  test.each(ON_TAGGED)('%s on the tagged %s is denied', (action, resource) => {
    expect(asRoleUnderBoundary(action, resource, ALERT_TAG)).toBe('ExplicitDeny');
  });

  test('an unsubscription named by its subscription ARN is denied on a tagged topic as well', () => {
    expect(asRoleUnderBoundary('sns:Unsubscribe', SUBSCRIPTION, ALERT_TAG)).toBe('ExplicitDeny');
  });

  test('a role under the boundary cannot publish a forged alert to the tagged topic', () => {
    expect(asRoleUnderBoundary('sns:Publish', TOPIC, ALERT_TAG)).toBe('ExplicitDeny');
  });

  test("the pipeline's own rules, alarms, topics and keys stay manageable, and the rule and alarm readable", () => {
    const own = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/example-dev-operations-DriftSchedule-1A2B`;
    const ownAlarm = `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:example-dev-drift-failed`;
    for (const [action, resource] of [
      ['events:PutRule', own],
      ['events:DeleteRule', own],
      ['cloudwatch:PutMetricAlarm', ownAlarm],
      ['sns:SetTopicAttributes', TOPIC.replace('BreakGlass', 'Drift')],
      ['kms:ScheduleKeyDeletion', KEY],
      // The runbook's check of the alarm, with the break-glass session.
      ['cloudwatch:DescribeAlarms', ALARM],
      ['events:DescribeRule', RULES[0]],
      ['events:ListTargetsByRule', RULES[0]],
    ]) {
      // Whether the boundary allows the service at all is the allow list's business (TRUST_PROPS has no events).
      expect({ action, resource, decision: evaluate(boundary, { action, resource }) }).not.toEqual({
        action,
        resource,
        decision: 'ExplicitDeny',
      });
    }
  });

  test('the statements name the prefixes and the tag of BreakGlassRole', () => {
    expect(boundary.find((st) => st.Sid === 'DenyAlertTampering').Resource).toEqual([
      `arn:aws:events:*:${ACCOUNT}:rule/groundwork-break-glass-*`,
      `arn:aws:cloudwatch:*:${ACCOUNT}:alarm:groundwork-break-glass-*`,
    ]);
    expect(boundary.find((st) => st.Sid === 'DenyTaggedAlertTampering').Condition).toEqual({
      StringEquals: { [`aws:ResourceTag/${DeploymentBoundary.ALERT_TAG_KEY}`]: DeploymentBoundary.ALERT_TAG_VALUE },
    });
  });

  test('protectedAlertNamePrefixes: [] leaves both statements out (an account without a break-glass role)', () => {
    const s2 = targetStack();
    const b = new DeploymentBoundary(s2, 'B', { allowedServices: ['ec2'], protectedAlertNamePrefixes: [] });
    const doc =
      Template.fromStack(s2).toJSON().Resources[s2.getLogicalId(b.policy.node.defaultChild as any)].Properties
        .PolicyDocument;
    expect(doc.Statement.map((st: any) => st.Sid)).not.toEqual(expect.arrayContaining(['DenyAlertTampering']));
    expect(JSON.stringify(doc)).not.toContain('groundwork:access');
  });

  test.each(['', 'gw', 'groundwork-*', 'with space', Token.asString({ Ref: 'Prefix' })])(
    'refuses the prefix %p',
    (prefix) => {
      expect(
        () =>
          new DeploymentBoundary(targetStack(), 'B', {
            allowedServices: ['ec2'],
            protectedAlertNamePrefixes: [prefix],
          }),
      ).toThrow(
        /^Target\/B: protectedAlertNamePrefixes entries must be literal name prefixes of 3 to 60 letters, digits or \._- \(no wildcards, e\.g\. 'groundwork-break-glass-'\), found '/,
      );
    },
  );
});

describe('the size of the boundary policy', () => {
  const boundaryOf = (allowedServices: string[]) => {
    const s = targetStack();
    const b = new DeploymentBoundary(s, 'B', { allowedServices });
    return {
      s,
      statements: concrete(
        Template.fromStack(s).toJSON().Resources[s.getLogicalId(b.policy.node.defaultChild as any)].Properties
          .PolicyDocument,
      ).Statement,
    };
  };

  test("the bootstrap roles' calls are not repeated for a service the boundary allows whole; the decisions are the same", () => {
    const without = boundaryOf(['ec2']).statements;
    const withCfn = boundaryOf(['ec2', 'cloudformation']).statements;
    const actionsOf = (statements: any[]) =>
      asArray(statements.find((st: any) => st.Sid === 'AllowBootstrapRoleActions').Action);
    expect(actionsOf(without)).toEqual(expect.arrayContaining(['cloudformation:CreateChangeSet', 's3:PutObject*']));
    expect(actionsOf(withCfn).filter((a: string) => a.startsWith('cloudformation:'))).toEqual([]);
    for (const action of ['cloudformation:CreateChangeSet', 'cloudformation:DescribeStacks', 's3:PutObject']) {
      expect(evaluate(withCfn, { action, resource: '*' })).toBe(evaluate(without, { action, resource: '*' }));
    }
    expect(JSON.stringify(withCfn).length).toBeLessThan(JSON.stringify(without).length);
  });

  test("the IAM reads come with 'iam' declared, and replace the reads the role management statement listed", () => {
    const withIam = boundaryOf(['ec2', 'iam']).statements;
    const allowed = withIam.filter((st: any) => st.Effect === 'Allow').flatMap((st: any) => asArray<string>(st.Action));
    expect(allowed.filter((a: string) => a.startsWith('iam:Get') || a.startsWith('iam:List'))).toEqual([
      'iam:Get*',
      'iam:List*',
    ]);
    const withoutIam = boundaryOf(['ec2']).statements;
    expect(evaluate(withoutIam, { action: 'iam:ListUsers', resource: '*' })).toBe('ImplicitDeny');
    expect(evaluate(withIam, { action: 'iam:ListUsers', resource: '*' })).toBe('Allow');
  });

  test("a boundary over IAM's 6,144-character limit fails the synth, naming the limit and what to shorten", () => {
    const services = Array.from({ length: 400 }, (_, i) => `service${i}`);
    const { s } = boundaryOf(services.slice(0, 60));
    expect(() => Template.fromStack(s)).not.toThrow();
    const big = targetStack();
    new DeploymentBoundary(big, 'B', { allowedServices: services });
    expect(() => Template.fromStack(big)).toThrow(
      /Target\/B.*the permissions boundary policy would be up to \d+ characters, over IAM's limit of 6144 for a managed policy: declare fewer services in allowedServices \(400\)/s,
    );
  });
});

describe('DeploymentBoundary', () => {
  test('forStage attaches the contract-named boundary to every role of a stage', () => {
    const app = new App();
    const stage = new Stage(app, 'Prod', {
      env: { account: '222222222222', region: 'eu-west-1' },
      permissionsBoundary: DeploymentBoundary.forStage('gw1'),
    });
    const s = new Stack(stage, 'Workload');
    new iam.Role(s, 'FunctionRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const role = Object.values(Template.fromStack(s).findResources('AWS::IAM::Role'))[0] as any;
    expect(flat(role.Properties.PermissionsBoundary)).toBe(
      'arn:${AWS::Partition}:iam::222222222222:policy/groundwork-boundary-gw1-eu-west-1',
    );
  });

  test('validates its own props', () => {
    expect(() => new DeploymentBoundary(targetStack(), 'B', { allowedServices: [] })).toThrow(
      /^Target\/B: allowedServices must list at least one service prefix/,
    );
    expect(
      () => new DeploymentBoundary(targetStack(), 'B', { allowedServices: ['ec2'], runtimeServices: ['s3:*'] }),
    ).toThrow(/runtimeServices entries must be bare IAM service prefixes/);
    expect(
      () => new DeploymentBoundary(targetStack(), 'B', { allowedServices: ['ec2'], assumableRoleArns: ['role/x'] }),
    ).toThrow(
      /^Target\/B: assumableRoleArns must contain IAM role ARNs \(arn:aws:iam::<account>:role\/<name>\), found 'role\/x'/,
    );
    // An ARN would protect no role; '*' would deny every role write to the execution role.
    for (const name of [`arn:aws:iam::${ACCOUNT}:role/break-glass`, '*']) {
      expect(
        () => new DeploymentBoundary(targetStack(), 'B', { allowedServices: ['ec2'], protectedRoleNames: [name] }),
      ).toThrow(
        `Target/B: protectedRoleNames entries must be IAM role names (1-64 letters, digits and +=,.@_-; no wildcards, paths or ARNs), found '${name}'`,
      );
    }
  });
});
