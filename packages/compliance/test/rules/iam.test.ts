import { App, Aws, CfnCondition, CfnParameter, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as codeartifact from 'aws-cdk-lib/aws-codeartifact';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as elbv2Targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as elasticsearch from 'aws-cdk-lib/aws-elasticsearch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as mediastore from 'aws-cdk-lib/aws-mediastore';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CfnBucketPolicy } from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as s3express from 'aws-cdk-lib/aws-s3express';
import * as s3files from 'aws-cdk-lib/aws-s3files';
import * as s3objectlambda from 'aws-cdk-lib/aws-s3objectlambda';
import * as s3outposts from 'aws-cdk-lib/aws-s3outposts';
import * as s3tables from 'aws-cdk-lib/aws-s3tables';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import * as sam from 'aws-cdk-lib/aws-sam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { CfnResourcePolicy } from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CfnTopicPolicy } from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CfnQueuePolicy } from 'aws-cdk-lib/aws-sqs';
import { ComplianceReport, GroundworkChecks } from '../../src';
import { OTHER_ACCOUNT, expectCompliant, expectFindings, newStack, resourcesChecked } from '../fixtures';

function roleWithStatement(stack: Stack, statement: iam.PolicyStatement): iam.Role {
  return new iam.Role(stack, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    inlinePolicies: { Inline: new iam.PolicyDocument({ statements: [statement] }) },
  });
}

/** An organization id, and the condition that narrows a `*` principal to its accounts. */
const ORGANIZATION_ID = 'o-a1b2c3d4e5';
const IN_ORGANIZATION = { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION_ID } };

/** One Allow statement of a resource-based policy, with a condition when given. */
function allow(principal: unknown, action: string | string[], resource: unknown, condition?: object) {
  return {
    Effect: 'Allow',
    Principal: principal,
    Action: action,
    Resource: resource,
    ...(condition ? { Condition: condition } : {}),
  };
}

/** A policy document of the given statements. */
function policyOf(...statements: unknown[]) {
  return { Version: '2012-10-17', Statement: statements };
}

/** A trust policy for L1 roles. */
const TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** An L1 managed policy with one statement written as IAM reads it (the L2 rejects some of these forms). */
function managedPolicy(stack: Stack, id: string, statement: { [key: string]: unknown }): iam.CfnManagedPolicy {
  return new iam.CfnManagedPolicy(stack, id, {
    policyDocument: { Version: '2012-10-17', Statement: [statement] },
  });
}

describe('Groundwork-IAM1: no "*" action on "*" resource', () => {
  test('passes a scoped statement', () => {
    const stack = newStack();
    new iam.Policy(stack, 'Policy', {
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] })],
    }).attachToRole(new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }));
    expectCompliant(stack, 'Groundwork-IAM1');
  });

  test('fails "*" on "*" in an AWS::IAM::Policy', () => {
    const stack = newStack();
    new iam.Policy(stack, 'Policy', {
      statements: [new iam.PolicyStatement({ actions: ['*'], resources: ['*'] })],
    }).attachToRole(new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }));
    expectFindings(stack, 'Groundwork-IAM1', ['Test/Policy/Resource']);
  });

  test('fails "*:*" on "*" in a managed policy and in a role inline policy', () => {
    const stack = newStack();
    // The L2 PolicyStatement rejects '*:*'; IAM accepts it, so an L1 or an included template can carry it.
    new iam.CfnManagedPolicy(stack, 'Managed', {
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*:*', Resource: '*' }] },
    });
    roleWithStatement(stack, new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }));
    expectFindings(stack, 'Groundwork-IAM1', ['Test/Managed', 'Test/Role/Resource']);
  });

  test('ignores a Deny statement', () => {
    const stack = newStack();
    roleWithStatement(stack, new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['*'], resources: ['*'] }));
    expectCompliant(stack, 'Groundwork-IAM1');
  });

  test('fails Allow with NotAction on "*": everything but the listed actions, on every resource', () => {
    const stack = newStack();
    managedPolicy(stack, 'NotAction', { Effect: 'Allow', NotAction: 'organizations:*', Resource: '*' });
    roleWithStatement(
      stack,
      new iam.PolicyStatement({ notActions: ['iam:*', 'organizations:*', 'account:*'], resources: ['*'] }),
    );
    expectFindings(stack, 'Groundwork-IAM1', ['Test/NotAction', 'Test/Role/Resource']);
  });

  test('fails "*" with NotResource, and NotAction with NotResource: every resource but the listed ones', () => {
    const stack = newStack();
    managedPolicy(stack, 'NotResource', { Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::audit/*' });
    managedPolicy(stack, 'Both', {
      Effect: 'Allow',
      NotAction: 'iam:*',
      NotResource: ['arn:aws:s3:::audit', 'arn:aws:s3:::audit/*'],
    });
    expectFindings(stack, 'Groundwork-IAM1', ['Test/NotResource', 'Test/Both']);
  });

  test.each(['arn:*', 'arn:aws:*', 'arn:${AWS::Partition}:*:*:*:*', '*:*'])(
    'fails "*" on a resource pattern that matches every ARN: %s',
    (resource) => {
      const stack = newStack();
      managedPolicy(stack, 'Managed', { Effect: 'Allow', Action: '*', Resource: resource });
      expectFindings(stack, 'Groundwork-IAM1', ['Test/Managed']);
    },
  );

  test('passes NotAction on specific resources, a service wildcard on "*", and "*" on one service\'s ARNs', () => {
    const stack = newStack();
    managedPolicy(stack, 'Managed', { Effect: 'Allow', NotAction: 's3:DeleteObject', Resource: 'arn:aws:s3:::b/*' });
    roleWithStatement(stack, new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    managedPolicy(stack, 'AllOfS3', { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::*' });
    managedPolicy(stack, 'DenyNotAction', { Effect: 'Deny', NotAction: 's3:GetObject', Resource: '*' });
    // NotAction "*" and NotResource "*" leave nothing to allow.
    managedPolicy(stack, 'NothingLeft', { Effect: 'Allow', NotAction: '*', Resource: '*' });
    managedPolicy(stack, 'NoResourceLeft', { Effect: 'Allow', Action: '*', NotResource: '*' });
    expectCompliant(stack, 'Groundwork-IAM1');
  });
});

describe('Groundwork-IAM1 and IAM2 read every branch of an Fn::If in a policy', () => {
  const ALL = { Effect: 'Allow', Action: '*', Resource: '*' };
  const SCOPED = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
  const doc = (...statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });

  function conditionOf(stack: Stack): string {
    return new CfnCondition(stack, 'Cond', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') }).logicalId;
  }

  test('fails "*" on "*" when a statement, its Action, an Action entry, its Resource, the document or the policy list is an Fn::If', () => {
    const stack = newStack();
    const c = conditionOf(stack);
    new iam.CfnPolicy(stack, 'Statement', {
      policyName: 'p',
      roles: ['r'],
      policyDocument: doc(Fn.conditionIf(c, ALL, Aws.NO_VALUE)),
    });
    new iam.CfnManagedPolicy(stack, 'Action', {
      policyDocument: doc({ Effect: 'Allow', Action: Fn.conditionIf(c, '*', 's3:GetObject'), Resource: '*' }),
    });
    new iam.CfnManagedPolicy(stack, 'Entry', {
      policyDocument: doc({
        Effect: 'Allow',
        Action: ['s3:GetObject', Fn.conditionIf(c, '*', Aws.NO_VALUE)],
        Resource: '*',
      }),
    });
    new iam.CfnManagedPolicy(stack, 'Resource', {
      policyDocument: doc({ Effect: 'Allow', Action: '*', Resource: Fn.conditionIf(c, 'arn:aws:s3:::b', '*') }),
    });
    new iam.CfnManagedPolicy(stack, 'Document', { policyDocument: Fn.conditionIf(c, doc(SCOPED), doc(ALL)) });
    const role = new iam.CfnRole(stack, 'Policies', { assumeRolePolicyDocument: TRUST });
    // An escape hatch on an L1 or L2 role: the whole inline policy list under a condition.
    role.addPropertyOverride(
      'Policies',
      Fn.conditionIf(c, [{ PolicyName: 'p', PolicyDocument: doc(ALL) }], Aws.NO_VALUE),
    );
    const paths = ['Test/Statement', 'Test/Action', 'Test/Entry', 'Test/Resource', 'Test/Document', 'Test/Policies'];
    expectFindings(stack, 'Groundwork-IAM1', paths);
    expectFindings(stack, 'Groundwork-IAM2', paths);
  });

  test('passes an Fn::If whose every branch is scoped', () => {
    const stack = newStack();
    const c = conditionOf(stack);
    new iam.CfnManagedPolicy(stack, 'Scoped', {
      policyDocument: doc(
        Fn.conditionIf(c, SCOPED, Aws.NO_VALUE),
        { Effect: 'Allow', Action: Fn.conditionIf(c, 's3:PutObject', 's3:GetObject'), Resource: 'arn:aws:s3:::b/*' },
        { Effect: Fn.conditionIf(c, 'Deny', 'Deny'), Action: '*', Resource: '*' },
      ),
    });
    expectCompliant(stack, 'Groundwork-IAM1');
    expectCompliant(stack, 'Groundwork-IAM2');
  });
});

describe('Groundwork-IAM2: no "iam:*"', () => {
  test('passes specific IAM actions', () => {
    const stack = newStack();
    roleWithStatement(
      stack,
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: ['arn:aws:iam::111111111111:role/app'] }),
    );
    expectCompliant(stack, 'Groundwork-IAM2');
  });

  test('fails "iam:*" (any case) even on a specific resource', () => {
    const stack = newStack();
    roleWithStatement(
      stack,
      new iam.PolicyStatement({ actions: ['IAM:*'], resources: ['arn:aws:iam::111111111111:role/app'] }),
    );
    expectFindings(stack, 'Groundwork-IAM2', ['Test/Role/Resource']);
  });

  test('fails "*" on the account\'s IAM resources: it grants all of iam:*', () => {
    const stack = newStack();
    managedPolicy(stack, 'Managed', { Effect: 'Allow', Action: '*', Resource: 'arn:aws:iam::111111111111:*' });
    expectFindings(stack, 'Groundwork-IAM2', ['Test/Managed']);
  });

  test.each(['*', '*:*', 'iam:*', 'Iam:**', 'i*', 'iam:?*', '*:?*', '*a*'])(
    'fails the action pattern %s, which matches every IAM action',
    (action) => {
      const stack = newStack();
      managedPolicy(stack, 'Managed', { Effect: 'Allow', Action: action, Resource: '*' });
      expectFindings(stack, 'Groundwork-IAM2', ['Test/Managed']);
    },
  );

  test('fails Allow with a NotAction that does not exclude IAM', () => {
    const stack = newStack();
    managedPolicy(stack, 'Managed', { Effect: 'Allow', NotAction: 'organizations:*', Resource: '*' });
    managedPolicy(stack, 'MostOfIam', { Effect: 'Allow', NotAction: ['iam:CreateUser'], Resource: '*' });
    expectFindings(stack, 'Groundwork-IAM2', ['Test/Managed', 'Test/MostOfIam']);
  });

  test('fails "*" with NotResource and on a resource it cannot read (it may be an IAM resource)', () => {
    const stack = newStack();
    managedPolicy(stack, 'NotResource', { Effect: 'Allow', Action: '*', NotResource: 'arn:aws:s3:::audit' });
    const role = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    managedPolicy(stack, 'Reference', { Effect: 'Allow', Action: '*', Resource: role.roleArn });
    expectFindings(stack, 'Groundwork-IAM2', ['Test/NotResource', 'Test/Reference']);
  });

  test('fails "*" with a NotResource listing one IAM role (the other IAM resources stay), not with NotResource "*"', () => {
    const stack = newStack();
    // A NotResource is read the same way whatever the rule asks of a Resource: only one matching every
    // resource leaves nothing, so excluding an IAM ARN still leaves the rest of IAM.
    managedPolicy(stack, 'AllButOneRole', {
      Effect: 'Allow',
      Action: '*',
      NotResource: 'arn:aws:iam::111111111111:role/admin',
    });
    managedPolicy(stack, 'NothingLeft', { Effect: 'Allow', Action: '*', NotResource: '*' });
    expectFindings(stack, 'Groundwork-IAM2', ['Test/AllButOneRole']);
  });

  test('passes partial IAM wildcards, NotAction excluding IAM, and "*" on another service\'s ARNs', () => {
    const stack = newStack();
    managedPolicy(stack, 'ReadIam', { Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', 'i*:Get*'], Resource: '*' });
    managedPolicy(stack, 'NotIam', { Effect: 'Allow', NotAction: ['IAM:*', 'organizations:*'], Resource: '*' });
    managedPolicy(stack, 'Bucket', {
      Effect: 'Allow',
      Action: '*',
      Resource: ['arn:aws:s3:::b', 'arn:${AWS::Partition}:s3:::b/*'],
    });
    managedPolicy(stack, 'Deny', { Effect: 'Deny', Action: '*', Resource: '*' });
    expectCompliant(stack, 'Groundwork-IAM2');
  });

  test('fails a role attaching the AWS managed IAMFullAccess policy (iam:* on *), rendered through Fn::Join', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('IAMFullAccess')],
    });
    expectFindings(stack, 'Groundwork-IAM2', ['Test/Role/Resource']);
  });

  test('fails IAMFullAccess on a user and a group in other partitions, literal or through Fn::Sub', () => {
    const stack = newStack();
    new iam.CfnUser(stack, 'GovUser', { managedPolicyArns: ['arn:aws-us-gov:iam::aws:policy/IAMFullAccess'] });
    new iam.CfnGroup(stack, 'Group', {
      managedPolicyArns: [Fn.sub('arn:${AWS::Partition}:iam::aws:policy/IAMFullAccess')],
    });
    expectFindings(stack, 'Groundwork-IAM2', ['Test/GovUser', 'Test/Group']);
  });

  test('fails IAMFullAccess in either branch of an Fn::If, on an element or on the whole list', () => {
    const stack = newStack();
    const condition = new CfnCondition(stack, 'Full', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    const full = 'arn:aws:iam::aws:policy/IAMFullAccess';
    new iam.CfnRole(stack, 'Element', {
      assumeRolePolicyDocument: TRUST,
      managedPolicyArns: [Fn.conditionIf(condition.logicalId, full, Aws.NO_VALUE).toString()],
    });
    new iam.CfnRole(stack, 'List', {
      assumeRolePolicyDocument: TRUST,
      managedPolicyArns: Fn.conditionIf(condition.logicalId, ['arn:aws:iam::aws:policy/ReadOnlyAccess'], [full]) as any,
    });
    expectFindings(stack, 'Groundwork-IAM2', ['Test/Element', 'Test/List']);
  });

  test('passes other AWS managed IAM policies and a customer managed policy that happens to be named IAMFullAccess', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('IAMReadOnlyAccess'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('IAMUserChangePassword'),
      ],
    });
    // The rule reads a customer managed policy's statements where it is defined, not its name.
    new iam.CfnUser(stack, 'User', { managedPolicyArns: ['arn:aws:iam::111111111111:policy/IAMFullAccess'] });
    expectCompliant(stack, 'Groundwork-IAM2');
  });
});

describe('Groundwork-IAM3: no AdministratorAccess', () => {
  test('passes another AWS managed policy, including a look-alike name', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess-Amplify'),
      ],
    });
    expectCompliant(stack, 'Groundwork-IAM3');
  });

  test('fails AdministratorAccess rendered through Fn::Join with the partition', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
    expectFindings(stack, 'Groundwork-IAM3', ['Test/Role/Resource']);
  });

  test('fails a literal AdministratorAccess ARN on an L1 group', () => {
    const stack = newStack();
    new iam.CfnGroup(stack, 'Admins', { managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    expectFindings(stack, 'Groundwork-IAM3', ['Test/Admins']);
  });

  test('fails AdministratorAccess in one branch of an Fn::If', () => {
    const stack = newStack();
    const condition = new CfnCondition(stack, 'Admin', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: TRUST,
      managedPolicyArns: [
        Fn.conditionIf(condition.logicalId, 'arn:aws:iam::aws:policy/AdministratorAccess', Aws.NO_VALUE).toString(),
      ],
    });
    expectFindings(stack, 'Groundwork-IAM3', ['Test/Role']);
  });
});

describe('Groundwork-IAM1, IAM2 and IAM3 read the Policies of AWS SAM functions and state machines', () => {
  // The SAM transform turns each Policies entry into a policy of the execution role it creates: an inline
  // document, an AWS managed policy by name or ARN, or a SAM policy template.
  function samFunction(stack: Stack, id: string, policies: sam.CfnFunctionProps['policies']): sam.CfnFunction {
    return new sam.CfnFunction(stack, id, {
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      inlineCode: 'exports.handler = async () => {};',
      policies,
    });
  }
  // The L1 takes the document's keys in camelCase and renders them as IAM writes them.
  const everything = { version: '2012-10-17', statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

  test('fails AdministratorAccess by name or ARN (IAM3), IAMFullAccess (IAM2), and an inline "*" on "*" (IAM1 and IAM2)', () => {
    const stack = newStack();
    samFunction(stack, 'ByName', ['AdministratorAccess']);
    samFunction(stack, 'ByArn', 'arn:aws:iam::aws:policy/AdministratorAccess');
    samFunction(stack, 'Iam', ['IAMFullAccess']);
    samFunction(stack, 'Inline', everything);
    new sam.CfnStateMachine(stack, 'Machine', {
      definition: { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } },
      policies: [everything],
    });
    expectFindings(stack, 'Groundwork-IAM3', ['Test/ByName', 'Test/ByArn']);
    expectFindings(stack, 'Groundwork-IAM2', ['Test/Iam', 'Test/Inline', 'Test/Machine']);
    expectFindings(stack, 'Groundwork-IAM1', ['Test/Inline', 'Test/Machine']);
  });

  test('passes a SAM policy template, another managed policy, a look-alike name and a scoped document', () => {
    const stack = newStack();
    samFunction(stack, 'Fn', [
      { s3ReadPolicy: { bucketName: 'reports' } },
      'AWSLambdaBasicExecutionRole',
      'AdministratorAccess-Amplify',
      { statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }] },
    ]);
    for (const rule of ['Groundwork-IAM1', 'Groundwork-IAM2', 'Groundwork-IAM3']) {
      expectCompliant(stack, rule);
    }
  });
});

describe('Groundwork-IAM4: cross-account trust is narrowed', () => {
  test('passes a specific role ARN in another account', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.ArnPrincipal(`arn:aws:iam::${OTHER_ACCOUNT}:role/deployer`),
    });
    expectCompliant(stack, 'Groundwork-IAM4');
  });

  test('passes another account root with an sts:ExternalId condition', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', { assumedBy: new iam.AccountPrincipal(OTHER_ACCOUNT), externalIds: ['gw-123'] });
    expectCompliant(stack, 'Groundwork-IAM4');
  });

  test('passes this account root (same account is not cross-account)', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    expectCompliant(stack, 'Groundwork-IAM4');
  });

  test('passes "*" narrowed with aws:PrincipalOrgID', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.AnyPrincipal().withConditions({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }),
    });
    expectCompliant(stack, 'Groundwork-IAM4');
  });

  test('passes a role ARN from this template (Fn::GetAtt)', () => {
    const stack = newStack();
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new iam.Role(stack, 'Role', { assumedBy: new iam.ArnPrincipal(caller.roleArn) });
    expectCompliant(stack, 'Groundwork-IAM4');
  });

  test('reads each branch of an Fn::If principal: passes two narrow branches, fails one that trusts another account root', () => {
    const stack = newStack();
    const c = new CfnCondition(stack, 'Cond', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') }).logicalId;
    const trust = (aws: unknown) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole' }],
    });
    new iam.CfnRole(stack, 'Narrow', {
      assumeRolePolicyDocument: trust(
        Fn.conditionIf(c, `arn:aws:iam::${OTHER_ACCOUNT}:role/deployer`, `arn:aws:iam::${Aws.ACCOUNT_ID}:root`),
      ),
    });
    new iam.CfnRole(stack, 'Wide', {
      assumeRolePolicyDocument: trust([
        `arn:aws:iam::${OTHER_ACCOUNT}:role/deployer`,
        Fn.conditionIf(c, `arn:aws:iam::${OTHER_ACCOUNT}:root`, Aws.NO_VALUE),
      ]),
    });
    expectFindings(stack, 'Groundwork-IAM4', ['Test/Wide']);
  });

  test('fails a condition on a narrowing key that does not name the caller: negated, IfExists, Null, ForAllValues, a wildcard value, MFA false', () => {
    const stack = newStack();
    const conditions: Array<[string, { [operator: string]: { [key: string]: unknown } }]> = [
      // Everyone outside the organization.
      ['NotOrg', { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }],
      // A caller that sends no external id passes.
      ['IfExists', { StringEqualsIfExists: { 'sts:ExternalId': 'gw-123' } }],
      // Only says that no external id is sent.
      ['Null', { Null: { 'sts:ExternalId': 'true' } }],
      // True for a caller without the key.
      ['ForAll', { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123' } }],
      ['AnyArn', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:*' } }],
      ['AnyOrg', { StringLike: { 'aws:PrincipalOrgID': 'o-*' } }],
      ['NoMfa', { Bool: { 'aws:MultiFactorAuthPresent': 'false' } }],
    ];
    for (const [id, condition] of conditions) {
      new iam.Role(stack, id, { assumedBy: new iam.AccountPrincipal(OTHER_ACCOUNT).withConditions(condition) });
    }
    expectFindings(
      stack,
      'Groundwork-IAM4',
      conditions.map(([id]) => `Test/${id}/Resource`),
    );
  });

  test('passes matching conditions that name the caller, also with ForAnyValue: and beside a Null check', () => {
    const stack = newStack();
    new iam.Role(stack, 'Arn', {
      assumedBy: new iam.AccountPrincipal(OTHER_ACCOUNT).withConditions({
        Null: { 'sts:ExternalId': 'true' },
        ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${OTHER_ACCOUNT}:role/auditor-*` },
      }),
    });
    new iam.Role(stack, 'Org', {
      assumedBy: new iam.AnyPrincipal().withConditions({
        'ForAnyValue:StringEquals': { 'aws:PrincipalOrgID': 'o-abc123' },
      }),
    });
    new iam.Role(stack, 'Mfa', {
      assumedBy: new iam.AccountPrincipal(OTHER_ACCOUNT).withConditions({
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      }),
    });
    expectCompliant(stack, 'Groundwork-IAM4');
  });

  test('fails a principal it cannot read (an import) without a condition', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', { assumedBy: new iam.ArnPrincipal(Fn.importValue('shared-deployer-arn')) });
    expectFindings(stack, 'Groundwork-IAM4', ['Test/Role/Resource']);
  });

  test('fails Principal "*" (the string form) on an L1 role', () => {
    const stack = newStack();
    new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' }] },
    });
    expectFindings(stack, 'Groundwork-IAM4', ['Test/Role']);
  });

  test('fails another account root without a condition', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', { assumedBy: new iam.AccountPrincipal(OTHER_ACCOUNT) });
    expectFindings(stack, 'Groundwork-IAM4', ['Test/Role/Resource']);
  });

  test('fails "*" narrowed only by MFA or only by an external id (neither names the caller\'s account)', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.AnyPrincipal().withConditions({ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
    });
    new iam.Role(stack, 'ExternalId', {
      assumedBy: new iam.AnyPrincipal().withConditions({ StringEquals: { 'sts:ExternalId': 'gw-123' } }),
    });
    expectFindings(stack, 'Groundwork-IAM4', ['Test/Role/Resource', 'Test/ExternalId/Resource']);
  });

  test('fails "*" narrowed by a role name in any account or by an organization pattern (anyone can create the role)', () => {
    const stack = newStack();
    new iam.Role(stack, 'AnyAccount', {
      assumedBy: new iam.AnyPrincipal().withConditions({
        ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/deployer' },
      }),
    });
    new iam.Role(stack, 'OrgPattern', {
      assumedBy: new iam.AnyPrincipal().withConditions({ StringLike: { 'aws:PrincipalOrgID': 'o-abc*' } }),
    });
    // The same role name pattern behind an account principal names roles of that account: it narrows.
    new iam.Role(stack, 'OneAccount', {
      assumedBy: new iam.AccountPrincipal(OTHER_ACCOUNT).withConditions({
        ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/deployer' },
      }),
    });
    new iam.Role(stack, 'FixedAccount', {
      assumedBy: new iam.AnyPrincipal().withConditions({
        ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${OTHER_ACCOUNT}:role/deployer-*` },
      }),
    });
    // A role name pattern in any account beside fixed principal accounts (as the platform's drift reconcile
    // role trusts its drift detectors): roles of that name in those accounts.
    new iam.Role(stack, 'NamedAccounts', {
      assumedBy: new iam.AnyPrincipal().withConditions({
        ArnLike: { 'aws:PrincipalArn': Fn.join('', ['arn:', Aws.PARTITION, ':iam::*:role/example-*-drift-detector']) },
        StringEquals: { 'aws:PrincipalAccount': [OTHER_ACCOUNT, '333333333333'] },
      }),
    });
    // Fixed principal accounts alone admit every principal of those accounts, as their root would.
    new iam.Role(stack, 'AccountsOnly', {
      assumedBy: new iam.AnyPrincipal().withConditions({
        StringEquals: { 'aws:PrincipalAccount': [OTHER_ACCOUNT, '333333333333'] },
      }),
    });
    expectFindings(stack, 'Groundwork-IAM4', [
      'Test/AnyAccount/Resource',
      'Test/OrgPattern/Resource',
      'Test/AccountsOnly/Resource',
    ]);
  });

  test('fails a bare account id in an environment-agnostic stack (its account is unknown)', () => {
    const stack = newStack({});
    new iam.CfnRole(stack, 'Role', {
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: OTHER_ACCOUNT } }],
      },
    });
    expectFindings(stack, 'Groundwork-IAM4', ['Test/Role']);
  });
});

describe('Groundwork-IAM4: a web identity trust names its callers', () => {
  const GITHUB = 'token.actions.githubusercontent.com';

  /** An IAM OIDC provider for GitHub Actions in this stack (its ARN is a reference in the trust). */
  function githubProvider(stack: Stack): iam.OidcProviderNative {
    return new iam.OidcProviderNative(stack, 'GitHub', {
      url: `https://${GITHUB}`,
      clientIds: ['sts.amazonaws.com'],
      thumbprints: ['6938fd4d98bab03faadb97b34396831e3780aea1'],
    });
  }

  test('fails an OIDC trust without a subject condition: every repository on GitHub may assume the role', () => {
    const stack = newStack();
    const provider = `arn:aws:iam::${stack.account}:oidc-provider/${GITHUB}`;
    const role = (id: string, conditions: Record<string, unknown>) =>
      new iam.Role(stack, id, { assumedBy: new iam.WebIdentityPrincipal(provider, conditions) });
    role('AudienceOnly', { StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' } });
    role('OneRepository', {
      StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' },
      StringLike: { [`${GITHUB}:sub`]: 'repo:example-org/infrastructure:*' },
    });
    role('EveryRepository', { StringLike: { [`${GITHUB}:sub`]: 'repo:*' } });
    role('OnlyWildcards', { StringLike: { [`${GITHUB}:sub`]: '*' } });
    // A negated operator holds for every other subject.
    role('Negated', { StringNotEquals: { [`${GITHUB}:sub`]: 'repo:attacker/x:ref:refs/heads/main' } });
    // Another provider's subject names no GitHub caller.
    role('OtherProvidersSubject', { StringLike: { 'gitlab.com:sub': 'project_path:example-org/*' } });
    expectFindings(stack, 'Groundwork-IAM4', [
      'Test/AudienceOnly/Resource',
      'Test/EveryRepository/Resource',
      'Test/OnlyWildcards/Resource',
      'Test/Negated/Resource',
      'Test/OtherProvidersSubject/Resource',
    ]);
  });

  test('reads a provider given as a reference: a subject condition of any provider counts', () => {
    const stack = newStack();
    const provider = githubProvider(stack);
    new iam.Role(stack, 'NoSubject', {
      assumedBy: new iam.OpenIdConnectPrincipal(provider, {
        StringEquals: { [`${GITHUB}:aud`]: 'sts.amazonaws.com' },
      }),
    });
    new iam.Role(stack, 'Subject', {
      assumedBy: new iam.OpenIdConnectPrincipal(provider, {
        StringEquals: { [`${GITHUB}:sub`]: 'repo:example-org/infrastructure:environment:prod' },
      }),
    });
    // GitHub's own key is judged as GitHub's subject, whatever the provider's ARN.
    new iam.Role(stack, 'EveryRepositoryOfTheOwner', {
      assumedBy: new iam.OpenIdConnectPrincipal(provider, {
        StringLike: { [`${GITHUB}:sub`]: 'repo:example-org/*' },
      }),
    });
    expectFindings(stack, 'Groundwork-IAM4', ['Test/NoSubject/Resource', 'Test/EveryRepositoryOfTheOwner/Resource']);
  });

  test('an Amazon Cognito trust names its identity pool', () => {
    const stack = newStack();
    const cognito = (id: string, conditions?: Record<string, unknown>) =>
      new iam.Role(stack, id, {
        assumedBy: new iam.WebIdentityPrincipal('cognito-identity.amazonaws.com', conditions),
      });
    const pool = 'eu-west-1:12345678-abcd-abcd-abcd-123456789012';
    const signedIn = { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } };
    cognito('AnyIdentityPool', signedIn);
    cognito('OneIdentityPool', { StringEquals: { 'cognito-identity.amazonaws.com:aud': pool }, ...signedIn });
    // Every identity pool of the region.
    cognito('EveryPoolOfTheRegion', {
      StringLike: { 'cognito-identity.amazonaws.com:aud': 'eu-west-1:*' },
      ...signedIn,
    });
    // Guests and signed-in users alike: AWS asks for amr beside aud on every role that trusts identity pools.
    cognito('AnyAuthenticationType', { StringEquals: { 'cognito-identity.amazonaws.com:aud': pool } });
    cognito('AuthenticationTypeWildcard', {
      StringEquals: { 'cognito-identity.amazonaws.com:aud': pool },
      'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': '*' },
    });
    expectFindings(stack, 'Groundwork-IAM4', [
      'Test/AnyIdentityPool/Resource',
      'Test/EveryPoolOfTheRegion/Resource',
      'Test/AnyAuthenticationType/Resource',
      'Test/AuthenticationTypeWildcard/Resource',
    ]);
  });

  test('a Google, Facebook or Login with Amazon trust names its app', () => {
    const stack = newStack();
    const trust = (id: string, federated: string | string[], condition?: Record<string, unknown>) =>
      new iam.CfnRole(stack, id, {
        assumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: federated },
              Action: 'sts:AssumeRoleWithWebIdentity',
              ...(condition ? { Condition: condition } : {}),
            },
          ],
        },
      });
    const GOOGLE = 'accounts.google.com';
    const FACEBOOK = 'graph.facebook.com';
    const AMAZON = 'www.amazon.com';
    const googleApp = '123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com';
    trust('GoogleApp', GOOGLE, { StringEquals: { [`${GOOGLE}:aud`]: googleApp, [`${GOOGLE}:sub`]: '1098765' } });
    trust('FacebookApp', FACEBOOK, { StringEquals: { [`${FACEBOOK}:app_id`]: '358770994578462' } });
    trust('AmazonApp', AMAZON, { 'ForAnyValue:StringEquals': { [`${AMAZON}:app_id`]: 'amzn1.application.abc123' } });
    // Any user signed in through any app of the provider.
    trust('GoogleNoCondition', GOOGLE);
    // One user, through whichever app: a token the user gave another app is replayed.
    trust('FacebookUserOnly', FACEBOOK, { StringEquals: { [`${FACEBOOK}:id`]: '10203040' } });
    // The token's own audience, which a Google service account chooses when it asks for a token.
    trust('GoogleOriginalAudienceOnly', GOOGLE, { StringEquals: { [`${GOOGLE}:oaud`]: googleApp } });
    // Every Google client id; every Login with Amazon app.
    trust('GoogleAnyApp', GOOGLE, { StringLike: { [`${GOOGLE}:aud`]: '*.apps.googleusercontent.com' } });
    trust('AmazonAnyApp', AMAZON, { StringLike: { [`${AMAZON}:app_id`]: 'amzn1.application.*' } });
    trust('AmazonNegated', AMAZON, { StringNotEquals: { [`${AMAZON}:app_id`]: 'amzn1.application.abc123' } });
    // Each provider of the statement names its own app.
    trust('OneOfTwoProviders', [GOOGLE, FACEBOOK], { StringEquals: { [`${GOOGLE}:aud`]: googleApp } });
    expectFindings(stack, 'Groundwork-IAM4', [
      'Test/GoogleNoCondition',
      'Test/FacebookUserOnly',
      'Test/GoogleOriginalAudienceOnly',
      'Test/GoogleAnyApp',
      'Test/AmazonAnyApp',
      'Test/AmazonNegated',
      'Test/OneOfTwoProviders',
    ]);
    expect(resourcesChecked(stack, 'Groundwork-IAM4')).toBe(10);
  });

  test('a GitHub subject names one repository: its owner and name without a wildcard', () => {
    const stack = newStack();
    const provider = `arn:aws:iam::${stack.account}:oidc-provider/${GITHUB}`;
    const role = (id: string, sub: string | string[], issuer = GITHUB, providerArn = provider) =>
      new iam.Role(stack, id, {
        assumedBy: new iam.WebIdentityPrincipal(providerArn, { StringLike: { [`${issuer}:sub`]: sub } }),
      });
    // One repository: what follows its name (a branch, an environment, any of them) may have wildcards.
    role('OneBranch', 'repo:example-org/infrastructure:ref:refs/heads/main');
    role('AnyRefOfOneRepository', 'repo:example-org/infrastructure:*');
    role('TwoRepositories', ['repo:example-org/infrastructure:environment:prod', 'repo:example-org/app:pull_request']);
    role('NoSuffix', 'repo:example-org/infrastructure');
    // Parameters CloudFormation resolves count as fixed text, and one may hold the whole `<owner>/<repository>`.
    const owner = new CfnParameter(stack, 'Owner');
    const repository = new CfnParameter(stack, 'Repository');
    role(
      'Parameters',
      Fn.sub('repo:${Owner}/${Repository}:*', { Owner: owner.valueAsString, Repository: repository.valueAsString }),
    );
    role('WholeRepositoryParameter', `repo:${repository.valueAsString}:*`);
    // Every repository that runs a job in an environment named prod.
    role('AnyRepositoryEnvironment', '*:environment:prod');
    // Every owner whose name starts with example, and each of its repositories.
    role('OwnerPrefix', 'repo:example*');
    role('EveryRepositoryOfTheOwner', 'repo:example-org/*');
    role('RepositoryPrefix', 'repo:example-org/infra*:*');
    role('AnyOwner', 'repo:*/infrastructure:*');
    role('OwnerWithOneWildcard', 'repo:example-or?/infrastructure:*');
    role('PolicyVariable', 'repo:${aws:username}/infrastructure:*');
    // One value that names no repository is enough to admit every repository it matches.
    role('OneOfTwoTooWide', ['repo:example-org/infrastructure:*', 'repo:example-org/*']);
    // A custom subject template is not read.
    role('CustomSubject', 'repository_owner_id:123456:repository_id:7890123:environment:prod');
    // An enterprise's own issuer is GitHub's too.
    const enterprise = `${GITHUB}/example-enterprise`;
    const enterpriseProvider = `arn:aws:iam::${stack.account}:oidc-provider/${enterprise}`;
    role('EnterpriseOneRepository', 'repo:example-org/infrastructure:*', enterprise, enterpriseProvider);
    role('EnterpriseEveryRepository', 'repo:example-org/*', enterprise, enterpriseProvider);
    expectFindings(stack, 'Groundwork-IAM4', [
      'Test/AnyRepositoryEnvironment/Resource',
      'Test/OwnerPrefix/Resource',
      'Test/EveryRepositoryOfTheOwner/Resource',
      'Test/RepositoryPrefix/Resource',
      'Test/AnyOwner/Resource',
      'Test/OwnerWithOneWildcard/Resource',
      'Test/PolicyVariable/Resource',
      'Test/OneOfTwoTooWide/Resource',
      'Test/CustomSubject/Resource',
      'Test/EnterpriseEveryRepository/Resource',
    ]);
    expect(resourcesChecked(stack, 'Groundwork-IAM4')).toBe(17);
  });

  test("aws-cdk-lib's EKS ServiceAccount hides its subject in a CfnJson: the finding stays, one acknowledgement clears it", () => {
    const stack = newStack();
    const issuer = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
      clusterName: 'example',
      openIdConnectProvider: eks.OpenIdConnectProvider.fromOpenIdConnectProviderArn(
        stack,
        'Provider',
        `arn:aws:iam::${stack.account}:oidc-provider/${issuer}`,
      ),
      kubectlRoleArn: `arn:aws:iam::${stack.account}:role/kubectl`,
    });
    const acknowledged = new eks.ServiceAccount(stack, 'Acknowledged', { cluster, name: 'app', namespace: 'default' });
    new eks.ServiceAccount(stack, 'NotAcknowledged', { cluster, name: 'worker', namespace: 'default' });
    // The trust's StringEquals block is {"Fn::GetAtt": [<CfnJson>, "Value"]}: its keys exist only at deploy time.
    const trust = stack.resolve((acknowledged.role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument);
    expect(Object.values(trust.Statement[0].Condition.StringEquals)).toEqual([
      [expect.stringMatching(/^AcknowledgedConditionJson/), 'Value'],
    ]);
    // The documented acknowledgement: on the service account's role, for IAM4 only, with the reason.
    Validations.of(acknowledged.role).acknowledge({
      id: 'Groundwork-IAM4',
      reason:
        'eks.ServiceAccount trust: StringEquals on <issuer>:sub = system:serviceaccount:default:app and :aud = sts.amazonaws.com, written in a CfnJson the rule cannot read.',
    });
    expectFindings(stack, 'Groundwork-IAM4', ['Test/NotAcknowledged/Role/Resource']);
    const [report] = ComplianceReport.collect(stack, [new GroundworkChecks()]);
    expect(report.acknowledgedFindings.map((f) => [f.ruleId, f.resourcePath])).toEqual([
      ['Groundwork-IAM4', 'Test/Acknowledged/Role/Resource'],
    ]);
  });

  test('judges each Fn::If branch of the subject, and only web identity trusts', () => {
    const stack = newStack();
    const condition = new CfnCondition(stack, 'C', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    const provider = `arn:aws:iam::${stack.account}:oidc-provider/${GITHUB}`;
    new iam.Role(stack, 'WildcardInOneBranch', {
      assumedBy: new iam.WebIdentityPrincipal(provider, {
        StringLike: {
          [`${GITHUB}:sub`]: Fn.conditionIf(condition.logicalId, 'repo:*', 'repo:example-org/infrastructure:*'),
        },
      }),
    });
    // A SAML provider is not judged by this rule (its assertions come from the organization's own IdP). Given
    // as a reference, only the action (sts:AssumeRoleWithSAML) tells it from an OIDC provider.
    const idp = new iam.SamlProvider(stack, 'Idp', { metadataDocument: iam.SamlMetadataDocument.fromXml('<md/>') });
    new iam.Role(stack, 'Saml', {
      assumedBy: new iam.SamlPrincipal(idp, { StringEquals: { 'SAML:aud': 'https://signin.aws.amazon.com/saml' } }),
    });
    expectFindings(stack, 'Groundwork-IAM4', ['Test/WildcardInOneBranch/Resource']);
    expect(resourcesChecked(stack, 'Groundwork-IAM4')).toBe(2);
  });
});

describe('Groundwork-IAM5: roles carry the permissions boundary', () => {
  const props = { requiredPermissionsBoundary: 'groundwork-boundary' };

  test('is not run when requiredPermissionsBoundary is unset', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    expectFindings(stack, 'Groundwork-IAM5', []);
  });

  test('passes a boundary applied with PermissionsBoundary.of() (a raw override written by an aspect)', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    iam.PermissionsBoundary.of(stack).apply(
      iam.ManagedPolicy.fromManagedPolicyName(stack, 'Boundary', 'groundwork-boundary'),
    );
    // The aspect that writes the boundary runs during synthesis, as in a real `cdk synth`.
    (stack.node.root as App).synth();
    expectCompliant(stack, 'Groundwork-IAM5', props);
  });

  test('passes a boundary policy defined in the same stack, matched by its name', () => {
    const stack = newStack();
    const boundary = new iam.ManagedPolicy(stack, 'Boundary', {
      managedPolicyName: 'groundwork-boundary',
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] })],
    });
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      permissionsBoundary: boundary,
    });
    expectCompliant(stack, 'Groundwork-IAM5', props);
  });

  test('fails a role without a boundary, and a role with another boundary', () => {
    const stack = newStack();
    new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    new iam.Role(stack, 'Other', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyName(stack, 'Wrong', 'some-other-boundary'),
    });
    expectFindings(stack, 'Groundwork-IAM5', ['Test/Role/Resource', 'Test/Other/Resource'], props);
  });

  test('fails a boundary policy defined in the same stack under another name', () => {
    const stack = newStack();
    const boundary = new iam.ManagedPolicy(stack, 'Boundary', {
      managedPolicyName: 'team-boundary',
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] })],
    });
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      permissionsBoundary: boundary,
    });
    expectFindings(stack, 'Groundwork-IAM5', ['Test/Role/Resource'], props);
  });
});

describe('Groundwork-IAM6: no resource-based policy lets everyone in', () => {
  /** An L1 bucket policy with one statement, written as IAM reads it. */
  function bucketPolicy(stack: Stack, id: string, statement: { [key: string]: unknown }): void {
    new CfnBucketPolicy(stack, id, {
      bucket: 'example-bucket',
      policyDocument: { Version: '2012-10-17', Statement: [statement] },
    });
  }
  const READ = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::example-bucket/*' };

  test('passes what CDK writes: SSL-only Deny for "*", service principals with aws:SourceArn, account principals', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true });
    bucket.grantRead(new iam.AccountPrincipal(OTHER_ACCOUNT));
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
    topic.grantPublish(new iam.ServicePrincipal('events.amazonaws.com'));
    new kms.Key(stack, 'Key', { enableKeyRotation: true });
    expectCompliant(stack, 'Groundwork-IAM6');
    // The bucket policy, the topic policy and the key were read.
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(3);
  });

  test.each<[string, { [key: string]: unknown }]>([
    ['Principal "*"', { ...READ, Principal: '*' }],
    ['AWS: "*"', { ...READ, Principal: { AWS: '*' } }],
    ['"*" among other principals', { ...READ, Principal: { AWS: [`arn:aws:iam::${OTHER_ACCOUNT}:root`, '*'] } }],
    [
      'NotPrincipal (everyone but the listed)',
      { ...READ, NotPrincipal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` } },
    ],
    [
      'a negated condition (everyone outside the organization)',
      { ...READ, Principal: '*', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } } },
    ],
    [
      'an IfExists condition (a caller without the key passes)',
      { ...READ, Principal: '*', Condition: { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } } },
    ],
    ['a wildcard value', { ...READ, Principal: '*', Condition: { StringLike: { 'aws:SourceAccount': '*' } } }],
    ['any organization', { ...READ, Principal: '*', Condition: { StringLike: { 'aws:PrincipalOrgID': 'o-*' } } }],
    ['every address', { ...READ, Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } }],
    [
      'a condition that does not name the caller (TLS only)',
      { ...READ, Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
    ],
    [
      'aws:SourceIp under a string operator (IAM does not compare addresses so)',
      { ...READ, Principal: '*', Condition: { StringEquals: { 'aws:SourceIp': '203.0.113.0/24' } } },
    ],
  ])('fails %s', (_name, statement) => {
    const stack = newStack();
    bucketPolicy(stack, 'Policy', statement);
    expectFindings(stack, 'Groundwork-IAM6', ['Test/Policy']);
  });

  test.each<[string, { [key: string]: unknown }]>([
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } }],
    ['aws:SourceVpce', { StringEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } }],
    ['aws:SourceAccount', { StringEquals: { 'aws:SourceAccount': OTHER_ACCOUNT } }],
    ['aws:SourceArn', { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:eu-west-1:111111111111:trail/*' } }],
    ['aws:PrincipalAccount', { StringEquals: { 'aws:PrincipalAccount': OTHER_ACCOUNT } }],
    ['aws:SourceIp under IpAddress', { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24'] } }],
    ['aws:SourceOwner', { StringEquals: { 'aws:SourceOwner': OTHER_ACCOUNT } }],
    ['aws:SourceVpc', { StringEquals: { 'aws:SourceVpc': 'vpc-0123456789abcdef0' } }],
    ['aws:SourceOrgID', { StringEquals: { 'aws:SourceOrgID': 'o-abc123def4' } }],
    ['aws:PrincipalArn', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${OTHER_ACCOUNT}:role/reader-*` } }],
    ['kms:CallerAccount', { StringEquals: { 'kms:CallerAccount': OTHER_ACCOUNT } }],
    ['a key written in another case', { StringEquals: { 'AWS:SOURCEACCOUNT': OTHER_ACCOUNT } }],
  ])('passes "*" narrowed by %s', (_name, condition) => {
    const stack = newStack();
    bucketPolicy(stack, 'Policy', { ...READ, Principal: '*', Condition: condition });
    expectCompliant(stack, 'Groundwork-IAM6');
  });

  // A fixed value ties the caller to one owner; S3 does not count "values that contain a wildcard or an IAM
  // policy variable" as fixed ("The meaning of public"), and an ARN pattern without a fixed account matches
  // resources anyone can create.
  test.each<[string, { [key: string]: unknown }]>([
    ['any bucket (an S3 ARN has no account)', { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::*' } }],
    ['buckets by a name prefix anyone can register', { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::example-*' } }],
    ['a topic name in any account', { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:topic' } }],
    ['a function name in any account', { ArnEquals: { 'aws:SourceArn': 'arn:aws:lambda:us-east-1:*:function:x' } }],
    ['an account with a "?"', { ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:12345678901?:rule/x' } }],
    ['an ARN pattern without an account field', { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*' } }],
    [
      'a bucket ARN reference followed by "*" (other bucket names match)',
      { ArnLike: { 'aws:SourceArn': Fn.join('', [Fn.importValue('SharedBucketArn'), '*']) } },
    ],
    [
      'StringLike with a "*" before the account (it may span colons)',
      { StringLike: { 'aws:SourceArn': `arn:aws:lambda:*:${OTHER_ACCOUNT}:*` } },
    ],
    [
      'one open value among fixed ones',
      { ArnLike: { 'aws:SourceArn': [`arn:aws:sns:eu-west-1:${OTHER_ACCOUNT}:t`, 'arn:aws:sns:*:*:t'] } },
    ],
    ['a role name in any account', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/reader' } }],
    ['source accounts by pattern', { StringLike: { 'aws:SourceAccount': '22222222222?' } }],
    ['source owners by pattern', { StringLike: { 'aws:SourceOwner': '2222*' } }],
    ['principal accounts by pattern', { StringLike: { 'aws:PrincipalAccount': '2*' } }],
    ['kms:CallerAccount by pattern', { StringLike: { 'kms:CallerAccount': '2*' } }],
    ['organizations by pattern', { StringLike: { 'aws:PrincipalOrgID': 'o-abc*' } }],
    ["any VPC (S3's own public example)", { StringLike: { 'aws:SourceVpc': 'vpc-*' } }],
    ['any VPC endpoint', { StringLike: { 'aws:SourceVpce': 'vpce-*' } }],
    ['an IAM policy variable', { StringEquals: { 'aws:SourceAccount': '${aws:PrincipalAccount}' } }],
    [
      'an IAM policy variable escaped in Fn::Sub, in the account field',
      { ArnLike: { 'aws:SourceArn': Fn.sub('arn:${AWS::Partition}:sns:*:${!aws:PrincipalAccount}:*') } },
    ],
    [
      'a role name pattern in any account, as the platform writes it, without aws:PrincipalAccount',
      {
        ArnLike: {
          'aws:PrincipalArn': Fn.join('', ['arn:', Aws.PARTITION, ':iam::*:role/cdk-hnb659fds-deploy-role-*']),
        },
      },
    ],
  ])('fails "*" "narrowed" by %s', (_name, condition) => {
    const stack = newStack();
    bucketPolicy(stack, 'Policy', { ...READ, Principal: '*', Condition: condition });
    expectFindings(stack, 'Groundwork-IAM6', ['Test/Policy']);
  });

  test.each<[string, (stack: Stack) => { [key: string]: unknown }]>([
    [
      'a literal bucket ARN (a fixed value to S3)',
      () => ({ ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::example-bucket' } }),
    ],
    [
      'a fixed account with wildcards elsewhere (ArnLike compares each component)',
      () => ({ ArnLike: { 'aws:SourceArn': `arn:aws:lambda:*:${OTHER_ACCOUNT}:function:*` } }),
    ],
    [
      'StringLike with the account before any wildcard',
      () => ({ StringLike: { 'aws:SourceArn': `arn:aws:sns:eu-west-1:${OTHER_ACCOUNT}:*` } }),
    ],
    [
      'an ARN built with Fn::Join from the partition and this account',
      () => ({ ArnLike: { 'aws:SourceArn': Fn.join('', ['arn:', Aws.PARTITION, ':sns:*:', Aws.ACCOUNT_ID, ':*']) } }),
    ],
    [
      'an ARN built with Fn::Sub',
      () => ({
        ArnLike: { 'aws:SourceArn': Fn.sub('arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*') },
      }),
    ],
    [
      'the ARN of a resource in the template (Ref)',
      (stack) => ({ ArnEquals: { 'aws:SourceArn': new sns.Topic(stack, 'Source').topicArn } }),
    ],
    [
      'the ARN of a resource in the template (GetAtt)',
      (stack) => ({ ArnEquals: { 'aws:SourceArn': new s3.Bucket(stack, 'Source').bucketArn } }),
    ],
    ['an imported ARN', () => ({ ArnEquals: { 'aws:SourceArn': Fn.importValue('SharedTopicArn') } })],
    [
      'the objects of a bucket in the template',
      (stack) => ({ ArnLike: { 'aws:SourceArn': new s3.Bucket(stack, 'Source').arnForObjects('*') } }),
    ],
    [
      'a parameter',
      (stack) => ({ StringEquals: { 'aws:SourceAccount': new CfnParameter(stack, 'SourceAccount').valueAsString } }),
    ],
    ['this account', () => ({ StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } })],
    [
      'a role name pattern in any account together with fixed principal accounts (as the platform writes it)',
      () => ({
        ArnLike: {
          'aws:PrincipalArn': Fn.join('', ['arn:', Aws.PARTITION, ':iam::*:role/cdk-hnb659fds-deploy-role-*']),
        },
        StringEquals: { 'aws:PrincipalAccount': [OTHER_ACCOUNT, '333333333333'] },
      }),
    ],
  ])('passes "*" narrowed by %s', (_name, condition) => {
    const stack = newStack();
    bucketPolicy(stack, 'Policy', { ...READ, Principal: '*', Condition: condition(stack) });
    expectCompliant(stack, 'Groundwork-IAM6');
  });

  test('reads the policies of S3 access points and of the other S3 bucket kinds', () => {
    const stack = newStack();
    const open = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }],
    };
    new s3.CfnAccessPoint(stack, 'AccessPoint', { bucket: 'example-bucket', policy: open });
    new s3.CfnMultiRegionAccessPointPolicy(stack, 'MultiRegion', { mrapName: 'mrap', policy: open });
    new s3express.CfnAccessPoint(stack, 'ExpressAccessPoint', { bucket: 'b--euw1-az1--x-s3', policy: open });
    new s3express.CfnBucketPolicy(stack, 'ExpressBucket', { bucket: 'b--euw1-az1--x-s3', policyDocument: open });
    new s3objectlambda.CfnAccessPointPolicy(stack, 'ObjectLambda', {
      objectLambdaAccessPoint: 'olap',
      policyDocument: open,
    });
    new s3outposts.CfnAccessPoint(stack, 'OutpostsAccessPoint', {
      bucket: 'arn:aws:s3-outposts:eu-west-1:111111111111:outpost/op-1/bucket/b',
      name: 'ap',
      vpcConfiguration: { vpcId: 'vpc-0123456789abcdef0' },
      policy: open,
    });
    new s3outposts.CfnBucketPolicy(stack, 'OutpostsBucket', {
      bucket: 'arn:aws:s3-outposts:eu-west-1:111111111111:outpost/op-1/bucket/b',
      policyDocument: open,
    });
    new s3tables.CfnTableBucketPolicy(stack, 'TableBucket', {
      tableBucketArn: 'arn:aws:s3tables:eu-west-1:111111111111:bucket/t',
      resourcePolicy: open,
    });
    // CloudFormation takes this one as an object or a JSON string.
    new s3tables.CfnTablePolicy(stack, 'Table', {
      tableArn: 'arn:aws:s3tables:eu-west-1:111111111111:bucket/t/table/x',
      resourcePolicy: JSON.stringify(open),
    });
    new s3vectors.CfnVectorBucketPolicy(stack, 'VectorBucket', { vectorBucketName: 'v', policy: open });
    new s3files.CfnFileSystemPolicy(stack, 'Files', { fileSystemId: 'fs-0123456789abcdef0', policy: open });
    // A closed access point policy is read and passes.
    new s3.CfnAccessPoint(stack, 'ClosedAccessPoint', {
      bucket: 'example-bucket',
      policy: {
        ...open,
        Statement: [{ ...open.Statement[0], Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` } }],
      },
    });
    expectFindings(stack, 'Groundwork-IAM6', [
      'Test/AccessPoint',
      'Test/MultiRegion',
      'Test/ExpressAccessPoint',
      'Test/ExpressBucket',
      'Test/ObjectLambda',
      'Test/OutpostsAccessPoint',
      'Test/OutpostsBucket',
      'Test/TableBucket',
      'Test/Table',
      'Test/VectorBucket',
      'Test/Files',
    ]);
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(12);
  });

  test("reads the other services' resource policies: inline topic and queue policies, streams, domains, registries", () => {
    const stack = newStack();
    const open = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: '*', Resource: '*' }],
    };
    new sns.CfnTopicInlinePolicy(stack, 'TopicInline', {
      topicArn: 'arn:aws:sns:eu-west-1:111111111111:t',
      policyDocument: open,
    });
    new sqs.CfnQueueInlinePolicy(stack, 'QueueInline', { queue: 'https://sqs/q', policyDocument: open });
    new kinesis.CfnResourcePolicy(stack, 'Stream', {
      resourceArn: 'arn:aws:kinesis:eu-west-1:111111111111:stream/s',
      resourcePolicy: open,
    });
    new opensearch.CfnDomain(stack, 'OpenSearch', { accessPolicies: open });
    new elasticsearch.CfnDomain(stack, 'Elasticsearch', { accessPolicies: open });
    new codeartifact.CfnDomain(stack, 'ArtifactDomain', { domainName: 'd', permissionsPolicyDocument: open });
    new codeartifact.CfnRepository(stack, 'ArtifactRepository', {
      repositoryName: 'r',
      domainName: 'd',
      permissionsPolicyDocument: open,
    });
    new ecr.CfnRegistryPolicy(stack, 'Registry', { policyText: open });
    new eventschemas.CfnRegistryPolicy(stack, 'Schemas', { registryName: 'r', policy: open });
    new cloudtrail.CfnResourcePolicy(stack, 'TrailPolicy', {
      resourceArn: 'arn:aws:cloudtrail:eu-west-1:111111111111:channel/c',
      resourcePolicy: open,
    });
    // MediaStore takes the policy as a JSON string.
    new mediastore.CfnContainer(stack, 'Container', { containerName: 'c', policy: JSON.stringify(open) });
    // The same domain policy limited to the organization's network range passes.
    new opensearch.CfnDomain(stack, 'ClosedDomain', {
      accessPolicies: {
        ...open,
        Statement: [{ ...open.Statement[0], Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }],
      },
    });
    expectFindings(stack, 'Groundwork-IAM6', [
      'Test/TopicInline',
      'Test/QueueInline',
      'Test/Stream',
      'Test/OpenSearch',
      'Test/Elasticsearch',
      'Test/ArtifactDomain',
      'Test/ArtifactRepository',
      'Test/Registry',
      'Test/Schemas',
      'Test/TrailPolicy',
      'Test/Container',
    ]);
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(12);
  });

  test('reads DynamoDB table and stream policies, and those of every global table replica, through Fn::If', () => {
    const stack = newStack();
    const policy = (principal: unknown) => ({
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: principal, Action: 'dynamodb:GetItem', Resource: '*' }],
      },
    });
    const keySchema = [{ attributeName: 'pk', keyType: 'HASH' }];
    const attributeDefinitions = [{ attributeName: 'pk', attributeType: 'S' }];
    const other = { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` };
    new dynamodb.CfnTable(stack, 'Table', { keySchema, attributeDefinitions, resourcePolicy: policy('*') });
    new dynamodb.CfnTable(stack, 'TableStream', {
      keySchema,
      attributeDefinitions,
      resourcePolicy: policy(other),
      streamSpecification: { streamViewType: 'NEW_IMAGE', resourcePolicy: policy({ AWS: '*' }) },
    });
    new dynamodb.CfnTable(stack, 'ClosedTable', { keySchema, attributeDefinitions, resourcePolicy: policy(other) });
    const condition = new CfnCondition(stack, 'Public', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    const replica = (region: string, principal: unknown) => ({ region, resourcePolicy: policy(principal) });
    // Inside an Fn::If the L1 does not rename properties: the branch is written as CloudFormation reads it.
    const rawReplica = (region: string, principal: unknown) => ({
      Region: region,
      ResourcePolicy: { PolicyDocument: policy(principal).policyDocument },
    });
    new dynamodb.CfnGlobalTable(stack, 'Global', {
      keySchema,
      attributeDefinitions,
      replicas: [
        replica('eu-west-1', other),
        Fn.conditionIf(condition.logicalId, rawReplica('us-east-1', '*'), Aws.NO_VALUE) as any,
      ],
    });
    new dynamodb.CfnGlobalTable(stack, 'GlobalStream', {
      keySchema,
      attributeDefinitions,
      streamSpecification: { streamViewType: 'NEW_IMAGE' },
      replicas: [{ region: 'eu-west-1', replicaStreamSpecification: { resourcePolicy: policy('*') } }],
    });
    new dynamodb.CfnGlobalTable(stack, 'ClosedGlobal', {
      keySchema,
      attributeDefinitions,
      replicas: [replica('eu-west-1', other)],
    });
    // The whole replica list chosen by a condition: one branch opens it.
    new dynamodb.CfnGlobalTable(stack, 'GlobalListIf', {
      keySchema,
      attributeDefinitions,
      replicas: Fn.conditionIf(
        condition.logicalId,
        [rawReplica('eu-west-1', '*')],
        [rawReplica('eu-west-1', other)],
      ) as any,
    });
    expectFindings(stack, 'Groundwork-IAM6', [
      'Test/Table',
      'Test/TableStream',
      'Test/Global',
      'Test/GlobalStream',
      'Test/GlobalListIf',
    ]);
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(7);
  });

  test('reads each resource type through its own policy property', () => {
    const stack = newStack();
    const open = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
    };
    new CfnTopicPolicy(stack, 'Topic', { topics: ['arn:aws:sns:eu-west-1:111111111111:t'], policyDocument: open });
    new CfnQueuePolicy(stack, 'Queue', { queues: ['https://sqs/q'], policyDocument: open });
    new kms.CfnKey(stack, 'Key', { keyPolicy: open, enableKeyRotation: true });
    new kms.CfnReplicaKey(stack, 'ReplicaKey', {
      keyPolicy: open,
      primaryKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    });
    new CfnResourcePolicy(stack, 'Secret', { secretId: 's', resourcePolicy: open });
    new ecr.CfnRepository(stack, 'Repository', { repositoryPolicyText: open });
    new efs.CfnFileSystem(stack, 'FileSystem', { fileSystemPolicy: open, encrypted: true });
    // CloudFormation takes this one as a JSON string.
    new logs.CfnResourcePolicy(stack, 'Logs', { policyName: 'p', policyDocument: JSON.stringify(open) });
    new backup.CfnBackupVault(stack, 'Vault', { backupVaultName: 'v', accessPolicy: open });
    expectFindings(stack, 'Groundwork-IAM6', [
      'Test/Topic',
      'Test/Queue',
      'Test/Key',
      'Test/ReplicaKey',
      'Test/Secret',
      'Test/Repository',
      'Test/FileSystem',
      'Test/Logs',
      'Test/Vault',
    ]);
  });

  test('an "*" principal in one Fn::If branch counts', () => {
    const stack = newStack();
    const open = new CfnCondition(stack, 'Open', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    bucketPolicy(stack, 'Policy', {
      ...READ,
      Principal: { AWS: Fn.conditionIf(open.logicalId, '*', `arn:aws:iam::${OTHER_ACCOUNT}:root`) },
    });
    expectFindings(stack, 'Groundwork-IAM6', ['Test/Policy']);
  });

  test('a Lambda permission for "*" needs a source account, source ARN or organization', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    });
    fn.addPermission('Public', {
      principal: new iam.AnyPrincipal(),
      action: 'lambda:InvokeFunctionUrl',
      functionUrlAuthType: lambda.FunctionUrlAuthType.NONE,
    });
    fn.addPermission('Account', { principal: new iam.AnyPrincipal(), sourceAccount: OTHER_ACCOUNT });
    fn.addPermission('SourceArn', {
      principal: new iam.AnyPrincipal(),
      sourceArn: `arn:aws:events:eu-west-1:${OTHER_ACCOUNT}:rule/example`,
    });
    // A bucket ARN holds no account: S3 sources need SourceAccount too (see the S3 test below).
    fn.addPermission('BucketArn', { principal: new iam.AnyPrincipal(), sourceArn: 'arn:aws:s3:::example-bucket' });
    // Lambda compares SourceArn with ArnLike: any bucket is no source.
    fn.addPermission('AnyBucket', { principal: new iam.AnyPrincipal(), sourceArn: 'arn:aws:s3:::*' });
    fn.addPermission('Organization', { principal: new iam.AnyPrincipal(), organizationId: ORGANIZATION_ID });
    expectFindings(stack, 'Groundwork-IAM6', ['Test/Fn/Public', 'Test/Fn/BucketArn', 'Test/Fn/AnyBucket']);
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(6);
  });

  test('a Lambda permission for an AWS service needs the source account or a source ARN (confused deputy)', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    });
    const s3Service = new iam.ServicePrincipal('s3.amazonaws.com');
    // Any account's bucket may send its notifications to the function.
    fn.addPermission('AnyBucketOwner', { principal: s3Service });
    fn.addPermission('SourceAccount', { principal: s3Service, sourceAccount: stack.account });
    fn.addPermission('OneBucket', {
      principal: s3Service,
      sourceArn: 'arn:aws:s3:::example-bucket',
      sourceAccount: stack.account,
    });
    fn.addPermission('AnyBucket', { principal: s3Service, sourceArn: 'arn:aws:s3:::*' });
    // Another service's source ARN names its account.
    fn.addPermission('OneRule', {
      principal: new iam.ServicePrincipal('events.amazonaws.com'),
      sourceArn: `arn:aws:events:eu-west-1:${stack.account}:rule/example`,
    });
    // The organization of a service principal: there is none, so it names no source.
    fn.addPermission('Organization', { principal: s3Service, organizationId: ORGANIZATION_ID });
    // An Alexa skill's id, which the caller must present.
    fn.addPermission('AlexaSkill', {
      principal: new iam.ServicePrincipal('alexa-appkit.amazon.com'),
      eventSourceToken: 'amzn1.ask.skill.0000',
    });
    fn.addPermission('AlexaAnySkill', { principal: new iam.ServicePrincipal('alexa-appkit.amazon.com') });
    fn.addPermission('ChinaService', { principal: new iam.ServicePrincipal('sns.amazonaws.com.cn') });
    // An account is not a service: a cross-account grant, which this rule does not judge.
    fn.addPermission('OtherAccount', { principal: new iam.AccountPrincipal(OTHER_ACCOUNT) });
    expectFindings(stack, 'Groundwork-IAM6', [
      'Test/Fn/AnyBucketOwner',
      'Test/Fn/AnyBucket',
      'Test/Fn/Organization',
      'Test/Fn/AlexaAnySkill',
      'Test/Fn/ChinaService',
    ]);
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(10);
  });

  test('a Lambda permission for Amazon S3 needs SourceAccount: a bucket ARN holds no account', () => {
    const stack = newStack();
    const permission = (id: string, props: Partial<lambda.CfnPermissionProps>) =>
      new lambda.CfnPermission(stack, id, {
        action: 'lambda:InvokeFunction',
        functionName: 'f',
        principal: '',
        ...props,
      });
    const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.S3_MANAGED });
    // "It is possible for an Amazon S3 bucket to be deleted by its owner and recreated by another account"
    // (Lambda API reference, AddPermission, SourceAccount).
    permission('BucketArnOnly', { principal: 's3.amazonaws.com', sourceArn: 'arn:aws:s3:::example-bucket' });
    permission('BucketOfTheStackOnly', { principal: 's3.amazonaws.com', sourceArn: bucket.bucketArn });
    permission('EveryoneFromABucket', { principal: '*', sourceArn: 'arn:aws:s3:::example-bucket' });
    // The bucket's Arn attribute reads as a fixed ARN, but it is a bucket ARN all the same.
    permission('EveryoneFromTheStacksBucket', { principal: '*', sourceArn: bucket.bucketArn });
    permission('EveryoneFromTheStacksBucketAndAccount', {
      principal: '*',
      sourceArn: bucket.bucketArn,
      sourceAccount: Aws.ACCOUNT_ID,
    });
    // Another resource's Arn keeps counting as a fixed source (the queue adds its policy to the count).
    const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
    permission('EveryoneFromTheStacksQueue', { principal: '*', sourceArn: queue.queueArn });
    permission('BucketArnAndAccount', {
      principal: 's3.amazonaws.com',
      sourceArn: bucket.bucketArn,
      sourceAccount: Aws.ACCOUNT_ID,
    });
    // aws-cdk-lib's S3 notification sets both.
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    });
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fn));
    expectFindings(stack, 'Groundwork-IAM6', [
      'Test/BucketArnOnly',
      'Test/BucketOfTheStackOnly',
      'Test/EveryoneFromABucket',
      'Test/EveryoneFromTheStacksBucket',
    ]);
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(9);
  });

  test('a service principal written with AWS::URLSuffix (or AWS::Region) is a service principal', () => {
    const stack = newStack();
    const permission = (id: string, principal: string, sourceAccount?: string) =>
      new lambda.CfnPermission(stack, id, {
        action: 'lambda:InvokeFunction',
        functionName: 'f',
        principal,
        sourceAccount,
      });
    permission('JoinedS3', Fn.join('', ['s3.', Aws.URL_SUFFIX]));
    permission('SubEvents', Fn.sub('events.${AWS::URLSuffix}'));
    permission('RegionalLogs', Fn.join('', ['logs.', Aws.REGION, '.', Aws.URL_SUFFIX]));
    permission('JoinedS3WithAccount', Fn.join('', ['s3.', Aws.URL_SUFFIX]), Aws.ACCOUNT_ID);
    expectFindings(stack, 'Groundwork-IAM6', ['Test/JoinedS3', 'Test/SubEvents', 'Test/RegionalLogs']);
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(4);
  });

  test("aws-cdk-lib's load balancer LambdaTarget writes a permission without a source; the documented override fixes it", () => {
    const stack = newStack();
    const fn = (id: string) =>
      new lambda.Function(stack, id, {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => 1;'),
      });
    const target = (id: string, f: lambda.Function) =>
      new elbv2.ApplicationTargetGroup(stack, id, { targets: [new elbv2Targets.LambdaTarget(f)] });
    const asIs = fn('AsIs');
    target('AsIsTargets', asIs);
    const fixed = fn('Fixed');
    target('FixedTargets', fixed);
    // The recipe of docs/compliance.md: the permission is the function's CfnPermission child.
    for (const child of fixed.node.children) {
      if (child instanceof lambda.CfnPermission) {
        child.addPropertyOverride('SourceAccount', Aws.ACCOUNT_ID);
      }
    }
    const invokePermission = asIs.node.children.find((c) => c instanceof lambda.CfnPermission)!;
    expectFindings(stack, 'Groundwork-IAM6', [invokePermission.node.path]);
  });

  test("aws-cdk-lib's RotationSchedule with a rotation Lambda writes a permission without a source; the documented override fixes it", () => {
    const stack = newStack();
    const fn = (id: string) =>
      new lambda.Function(stack, id, {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => 1;'),
      });
    const asIs = fn('AsIs');
    new secretsmanager.Secret(stack, 'AsIsSecret').addRotationSchedule('Rotation', { rotationLambda: asIs });
    const fixed = fn('Fixed');
    new secretsmanager.Secret(stack, 'FixedSecret').addRotationSchedule('Rotation', { rotationLambda: fixed });
    // The recipe of docs/compliance.md: the permission is the function's CfnPermission child for that principal
    // (grantInvoke to secretsmanager.amazonaws.com).
    for (const child of fixed.node.children) {
      if (child instanceof lambda.CfnPermission && child.principal === 'secretsmanager.amazonaws.com') {
        child.addPropertyOverride('SourceAccount', Aws.ACCOUNT_ID);
      }
    }
    const invokePermission = asIs.node.children.find((c) => c instanceof lambda.CfnPermission)!;
    expect(stack.resolve((invokePermission as lambda.CfnPermission).principal)).toBe('secretsmanager.amazonaws.com');
    expectFindings(stack, 'Groundwork-IAM6', [invokePermission.node.path]);
    // Two permissions and the Deny DeleteSecret policies the schedule puts on each secret.
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(4);
  });

  test('a service principal in one Fn::If branch of a Lambda permission needs a source too', () => {
    const stack = newStack();
    const condition = new CfnCondition(stack, 'C', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    const permission = (id: string, sourceAccount?: string) =>
      new lambda.CfnPermission(stack, id, {
        action: 'lambda:InvokeFunction',
        functionName: 'f',
        principal: Fn.conditionIf(condition.logicalId, 'events.amazonaws.com', OTHER_ACCOUNT).toString(),
        sourceAccount,
      });
    permission('ServiceInOneBranch');
    permission('WithSourceAccount', stack.account);
    expectFindings(stack, 'Groundwork-IAM6', ['Test/ServiceInOneBranch']);
  });

  test('a Lambda layer version permission for "*" needs an organization', () => {
    const stack = newStack();
    const layer = (id: string, principal: string, organizationId?: string) =>
      new lambda.CfnLayerVersionPermission(stack, id, {
        action: 'lambda:GetLayerVersion',
        layerVersionArn: `arn:aws:lambda:eu-west-1:${stack.account}:layer:shared:1`,
        principal,
        organizationId,
      });
    layer('Everyone', '*');
    layer('Organization', '*', ORGANIZATION_ID);
    layer('OtherAccount', OTHER_ACCOUNT);
    const open = new CfnCondition(stack, 'Open', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    layer('EveryoneInOneBranch', Fn.conditionIf(open.logicalId, '*', OTHER_ACCOUNT).toString());
    expectFindings(stack, 'Groundwork-IAM6', ['Test/Everyone', 'Test/EveryoneInOneBranch']);
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(4);
  });

  test('reads CloudWatch Logs destination and delivery destination policies', () => {
    const stack = newStack();
    const policy = (principal: unknown, condition?: object) =>
      policyOf(allow(principal, ['logs:PutSubscriptionFilter', 'logs:CreateDelivery'], '*', condition));
    const destination = (id: string, document: object) =>
      new logs.CfnDestination(stack, id, {
        destinationName: id,
        roleArn: `arn:aws:iam::${stack.account}:role/logs-to-kinesis`,
        targetArn: `arn:aws:kinesis:eu-west-1:${stack.account}:stream/logs`,
        // CloudFormation takes this one as a JSON string.
        destinationPolicy: JSON.stringify(document),
      });
    destination('OpenDestination', policy({ AWS: '*' }));
    destination('OrganizationDestination', policy({ AWS: '*' }, IN_ORGANIZATION));
    destination('AccountDestination', policy({ AWS: OTHER_ACCOUNT }));
    const delivery = (id: string, document: object) =>
      new logs.CfnDeliveryDestination(stack, id, {
        name: id,
        destinationResourceArn: `arn:aws:s3:::${id.toLowerCase()}-logs`,
        deliveryDestinationPolicy: { deliveryDestinationName: id, deliveryDestinationPolicy: document },
      });
    delivery('OpenDelivery', policy('*'));
    delivery('OrganizationDelivery', policy('*', IN_ORGANIZATION));
    expectFindings(stack, 'Groundwork-IAM6', ['Test/OpenDestination', 'Test/OpenDelivery']);
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(5);
  });

  test("reads an event bus's policy and each EventBridge bus permission, in both of its forms", () => {
    const stack = newStack();
    const putEvents = (principal: unknown, condition?: object) => ({
      Sid: 'put',
      ...allow(principal, 'events:PutEvents', `arn:aws:events:eu-west-1:${stack.account}:event-bus/b`, condition),
    });
    new events.CfnEventBus(stack, 'OpenBus', { name: 'open', policy: policyOf(putEvents('*')) });
    new events.CfnEventBus(stack, 'OrganizationBus', {
      name: 'org',
      policy: policyOf(putEvents('*', IN_ORGANIZATION)),
    });
    new events.CfnEventBus(stack, 'NoPolicyBus', { name: 'none' });
    new events.CfnEventBusPolicy(stack, 'OpenStatement', { statementId: 'a', statement: putEvents({ AWS: '*' }) });
    const open = new CfnCondition(stack, 'Open', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') });
    new events.CfnEventBusPolicy(stack, 'OpenInOneBranch', {
      statementId: 'b',
      statement: Fn.conditionIf(open.logicalId, putEvents('*'), putEvents('*', IN_ORGANIZATION)),
    });
    new events.CfnEventBusPolicy(stack, 'OrganizationStatement', {
      statementId: 'c',
      statement: putEvents('*', IN_ORGANIZATION),
    });
    new events.CfnEventBusPolicy(stack, 'AccountStatement', {
      statementId: 'd',
      statement: putEvents({ AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }),
    });
    // The older form: Action, Principal and an optional organization Condition.
    new events.CfnEventBusPolicy(stack, 'OpenLegacy', { statementId: 'e', action: 'events:PutEvents', principal: '*' });
    new events.CfnEventBusPolicy(stack, 'OrganizationLegacy', {
      statementId: 'f',
      action: 'events:PutEvents',
      principal: '*',
      condition: { type: 'StringEquals', key: 'aws:PrincipalOrgID', value: ORGANIZATION_ID },
    });
    new events.CfnEventBusPolicy(stack, 'AccountLegacy', {
      statementId: 'g',
      action: 'events:PutEvents',
      principal: OTHER_ACCOUNT,
    });
    expectFindings(stack, 'Groundwork-IAM6', [
      'Test/OpenBus',
      'Test/OpenStatement',
      'Test/OpenInOneBranch',
      'Test/OpenLegacy',
    ]);
    expect(resourcesChecked(stack, 'Groundwork-IAM6')).toBe(10);
  });
});

describe('intrinsics the IAM rules read: JSON text built by Fn::Join or Fn::Sub, Fn::If in condition values, Fn::Sub variables', () => {
  const openStatement = (resource: string) =>
    new iam.PolicyStatement({
      principals: [new iam.AnyPrincipal()],
      actions: ['logs:PutLogEvents'],
      resources: [resource],
    });

  test('IAM6 reads a string-typed policy with a reference inside, as aws-cdk-lib L2s write it (Fn::Join)', () => {
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'Logs');
    new logs.ResourcePolicy(stack, 'OpenWithReference', { policyStatements: [openStatement(logGroup.logGroupArn)] });
    new logs.ResourcePolicy(stack, 'ServiceWithReference', {
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
    const rendered = stack.resolve(
      (stack.node.findChild('OpenWithReference').node.defaultChild as any)._toCloudFormation(),
    );
    expect(Object.values<any>(rendered.Resources)[0].Properties.PolicyDocument).toHaveProperty('Fn::Join');
    expectFindings(stack, 'Groundwork-IAM6', ['Test/OpenWithReference/ResourcePolicy']);
  });

  test('IAM6 reads policies built with Fn::Sub (a log destination, a MediaStore container)', () => {
    const stack = newStack();
    const policy = (principal: unknown) =>
      Fn.sub(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: principal,
              Action: 'logs:PutSubscriptionFilter',
              Resource: 'arn:aws:logs:${AWS::Region}:${AWS::AccountId}:destination:d',
            },
          ],
        }),
      );
    const destination = (id: string, principal: unknown) =>
      new logs.CfnDestination(stack, id, {
        destinationName: id,
        roleArn: 'arn:aws:iam::111111111111:role/r',
        targetArn: 'arn:aws:kinesis:eu-west-1:111111111111:stream/s',
        destinationPolicy: policy(principal),
      });
    destination('OpenDestination', { AWS: '*' });
    destination('PartnerDestination', { AWS: OTHER_ACCOUNT });
    new mediastore.CfnContainer(stack, 'OpenContainer', {
      containerName: 'c',
      policy: Fn.join('', [
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"mediastore:GetObject","Resource":"arn:aws:mediastore:eu-west-1:',
        Aws.ACCOUNT_ID,
        ':container/c/*"}]}',
      ]),
    });
    expectFindings(stack, 'Groundwork-IAM6', ['Test/OpenDestination', 'Test/OpenContainer']);
  });

  test('a string policy the rules still cannot read as JSON is judged as the widest policy, not skipped', () => {
    const stack = newStack();
    // A reference outside a JSON string: the text is not JSON until CloudFormation fills it in.
    new logs.CfnResourcePolicy(stack, 'Unreadable', {
      policyName: 'p',
      policyDocument: Fn.join('', ['{"Version":"2012-10-17","Statement":', Fn.importValue('statements'), '}']),
    });
    expectFindings(stack, 'Groundwork-IAM6', ['Test/Unreadable']);
  });

  test('IAM6 and IAM4 judge a condition value behind Fn::If in each branch', () => {
    const stack = newStack();
    const condition = new CfnCondition(stack, 'C', { expression: Fn.conditionEquals('a', 'b') });
    const bucketPolicy = (id: string, conditionBlock: object) =>
      new CfnBucketPolicy(stack, id, {
        bucket: 'b',
        policyDocument: policyOf(allow('*', 's3:GetObject', 'arn:aws:s3:::b/*', conditionBlock)),
      });
    bucketPolicy('WildcardBranch', {
      StringLike: { 'aws:SourceAccount': Fn.conditionIf(condition.logicalId, '111111111111', '*') },
    });
    bucketPolicy('RemovedInOneBranch', {
      StringEquals: { 'aws:PrincipalOrgID': Fn.conditionIf(condition.logicalId, ORGANIZATION_ID, Aws.NO_VALUE) },
    });
    bucketPolicy('FixedInBothBranches', {
      StringEquals: { 'aws:SourceAccount': Fn.conditionIf(condition.logicalId, '111111111111', OTHER_ACCOUNT) },
    });
    expectFindings(stack, 'Groundwork-IAM6', ['Test/WildcardBranch', 'Test/RemovedInOneBranch']);

    const trust = (id: string, arn: unknown) =>
      new iam.CfnRole(stack, id, {
        assumeRolePolicyDocument: policyOf({
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'sts:AssumeRole',
          Condition: { StringLike: { 'aws:PrincipalArn': arn } },
        }),
      });
    trust(
      'TrustWildcardBranch',
      Fn.conditionIf(condition.logicalId, `arn:aws:iam::${OTHER_ACCOUNT}:role/deployer`, '*'),
    );
    trust(
      'TrustNamedInBothBranches',
      Fn.conditionIf(
        condition.logicalId,
        `arn:aws:iam::${OTHER_ACCOUNT}:role/deployer`,
        `arn:aws:iam::${OTHER_ACCOUNT}:role/reader`,
      ),
    );
    expectFindings(stack, 'Groundwork-IAM4', ['Test/TrustWildcardBranch']);
  });

  test('IAM6: a Lambda permission whose principal is * in one Fn::If branch is public', () => {
    const stack = newStack();
    const condition = new CfnCondition(stack, 'C', { expression: Fn.conditionEquals('a', 'b') });
    new lambda.CfnPermission(stack, 'StarInOneBranch', {
      action: 'lambda:InvokeFunction',
      functionName: 'f',
      principal: Fn.conditionIf(condition.logicalId, '*', OTHER_ACCOUNT).toString(),
    });
    new lambda.CfnPermission(stack, 'AccountsInBothBranches', {
      action: 'lambda:InvokeFunction',
      functionName: 'f',
      principal: Fn.conditionIf(condition.logicalId, '111111111111', OTHER_ACCOUNT).toString(),
    });
    expectFindings(stack, 'Groundwork-IAM6', ['Test/StarInOneBranch']);
  });

  test('IAM1 to IAM3 read Fn::Sub with a variable map, the variables substituted', () => {
    const stack = newStack();
    new iam.CfnRole(stack, 'AdminThroughVariable', {
      assumeRolePolicyDocument: TRUST,
      managedPolicyArns: [Fn.sub('arn:${AWS::Partition}:iam::aws:policy/${Name}', { Name: 'AdministratorAccess' })],
    });
    new iam.CfnRole(stack, 'ReadOnlyThroughVariable', {
      assumeRolePolicyDocument: TRUST,
      managedPolicyArns: [Fn.sub('arn:${AWS::Partition}:iam::aws:policy/${Name}', { Name: 'ReadOnlyAccess' })],
    });
    managedPolicy(stack, 'StarThroughVariables', {
      Effect: 'Allow',
      Action: Fn.sub('${A}', { A: '*' }),
      Resource: Fn.sub('${R}', { R: '*' }),
    });
    // `${!Literal}` is literal text, never a variable.
    managedPolicy(stack, 'EscapedVariable', {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: Fn.sub('arn:aws:s3:::b/${!A}', { A: '*' }),
    });
    expectFindings(stack, 'Groundwork-IAM3', ['Test/AdminThroughVariable']);
    expectFindings(stack, 'Groundwork-IAM1', ['Test/StarThroughVariables']);
    expectFindings(stack, 'Groundwork-IAM2', ['Test/StarThroughVariables']);
  });

  test('IAM6: aws:SourceIp ranges that together hold every address do not narrow', () => {
    const stack = newStack();
    const bucketPolicy = (id: string, ranges: string[]) =>
      new CfnBucketPolicy(stack, id, {
        bucket: 'b',
        policyDocument: policyOf(
          allow('*', 's3:GetObject', 'arn:aws:s3:::b/*', { IpAddress: { 'aws:SourceIp': ranges } }),
        ),
      });
    bucketPolicy('IPv4Halves', ['0.0.0.0/1', '128.0.0.0/1']);
    bucketPolicy('IPv6Halves', ['192.0.2.0/24', '::/1', '8000::/1']);
    bucketPolicy('OfficeRanges', ['192.0.2.0/24', '198.51.100.0/24', '2001:db8::/32']);
    expectFindings(stack, 'Groundwork-IAM6', ['Test/IPv4Halves', 'Test/IPv6Halves']);
  });

  test('IAM4: an aws:PrincipalArn that covers every role or user of the trusted account names no caller', () => {
    const stack = newStack();
    const trustOther = (id: string, arn: string) =>
      new iam.CfnRole(stack, id, {
        assumeRolePolicyDocument: policyOf({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
          Action: 'sts:AssumeRole',
          Condition: { ArnLike: { 'aws:PrincipalArn': arn } },
        }),
      });
    trustOther('WholeAccount', `arn:aws:iam::${OTHER_ACCOUNT}:*`);
    trustOther('EveryRole', `arn:aws:iam::${OTHER_ACCOUNT}:role/*`);
    trustOther('EveryUserAnywhere', 'arn:aws:iam::*:user/*');
    trustOther('NamedRoles', `arn:aws:iam::${OTHER_ACCOUNT}:role/deploy-*`);
    new iam.CfnRole(stack, 'AnyoneFromWholeAccount', {
      assumeRolePolicyDocument: policyOf({
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${OTHER_ACCOUNT}:*` } },
      }),
    });
    expectFindings(stack, 'Groundwork-IAM4', [
      'Test/WholeAccount',
      'Test/EveryRole',
      'Test/EveryUserAnywhere',
      'Test/AnyoneFromWholeAccount',
    ]);
  });
});
