import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  BreakGlassRole,
  BreakGlassRoleProps,
  DeploymentBoundary,
  SecurityAuditRole,
  SecurityAuditRoleProps,
} from '../src';
import { fixtureEvent, matchesPattern, resolvePath } from './event-pattern';
import { asArray, flat, SECURITY_ACCOUNT, TARGET_ACCOUNT, targetStack } from './fixtures';
import { evaluate } from './policy-evaluator';
import { DEPLOY_CLOUDFORMATION_ACTIONS } from '../src/iam-actions';

const RESPONDER = `arn:aws:iam::${SECURITY_ACCOUNT}:role/incident-responder`;
// The example pattern of the docs for the roles of an IAM Identity Center permission set.
const SSO_AUDITOR = 'aws-reserved/sso.amazonaws.com/*AWSReservedSSO_SecurityAuditor_*';
const TRUST_ACTIONS = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'];

// Resolved the way IAM and EventBridge see them in the target account, eu-west-1.
function concrete(value: any, replacements: { [token: string]: string } = {}): any {
  let text = JSON.stringify(flat(value))
    .replace(/\$\{AWS::Partition\}/g, 'aws')
    .replace(/\$\{AWS::AccountId\}/g, TARGET_ACCOUNT)
    .replace(/\$\{AWS::Region\}/g, 'eu-west-1');
  for (const [token, replacement] of Object.entries(replacements)) text = text.split(token).join(replacement);
  return JSON.parse(text);
}

/** The statements of a resource policy that apply to a service principal (the evaluator ignores Principal). */
function forService(statements: any[], service: string): any[] {
  return statements.filter(
    (s) => s.Principal === '*' || s.Principal?.AWS === '*' || asArray(s.Principal?.Service).includes(service),
  );
}

function audit(props: Partial<SecurityAuditRoleProps> = {}) {
  const stack = targetStack();
  new SecurityAuditRole(stack, 'Audit', {
    securityAccountId: SECURITY_ACCOUNT,
    trustedRoleNamePatterns: [SSO_AUDITOR],
    ...props,
  });
  return Template.fromStack(stack);
}

function breakGlass(props: Partial<BreakGlassRoleProps> = {}) {
  const stack = targetStack();
  const policy = iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess');
  const glass = new BreakGlassRole(stack, 'BreakGlass', {
    trustedAccountId: SECURITY_ACCOUNT,
    trustedPrincipalArns: [RESPONDER],
    managedPolicies: [policy],
    notificationEmails: ['security@groundwork.example'],
    ...props,
  });
  return { stack, glass, template: Template.fromStack(stack) };
}

describe('SecurityAuditRole', () => {
  test('read-only SecurityAudit policy, trusted by the security account only with a PrincipalArn condition', () => {
    const role = Object.values(audit().findResources('AWS::IAM::Role'))[0] as any;
    expect(flat(role.Properties.RoleName)).toBe('groundwork-security-audit');
    expect(flat(role.Properties.ManagedPolicyArns)).toEqual(['arn:${AWS::Partition}:iam::aws:policy/SecurityAudit']);
    expect(flat(role.Properties.AssumeRolePolicyDocument.Statement)).toEqual([
      {
        Action: TRUST_ACTIONS,
        Effect: 'Allow',
        Principal: { AWS: `arn:\${AWS::Partition}:iam::${SECURITY_ACCOUNT}:root` },
        Condition: {
          Null: { 'sts:ExternalId': 'true' },
          ArnLike: {
            'aws:PrincipalArn': [`arn:\${AWS::Partition}:iam::${SECURITY_ACCOUNT}:role/${SSO_AUDITOR}`],
          },
        },
      },
    ]);
    expect(role.Properties.MaxSessionDuration).toBe(3600);
  });

  describe('the documented Identity Center pattern matches the permission set roles (IAM Identity Center user guide)', () => {
    // A trust policy has no Resource; the evaluator needs one.
    const trust = (patterns: string[]) =>
      concrete(
        (Object.values(audit({ trustedRoleNamePatterns: patterns }).findResources('AWS::IAM::Role'))[0] as any)
          .Properties.AssumeRolePolicyDocument.Statement,
      ).map((statement: any) => ({ ...statement, Resource: '*' }));
    // aws:PrincipalArn of a permission set's role: its path has a region segment, except for roles created in
    // us-east-1 ("Referencing permission sets in resource policies").
    const inRegion = `arn:aws:iam::${SECURITY_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_SecurityAuditor_0123456789abcdef`;
    const inUsEast1 = `arn:aws:iam::${SECURITY_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_SecurityAuditor_0123456789abcdef`;
    const assume = (statements: any[], principalArn: string, action = 'sts:AssumeRole') =>
      evaluate(statements, { action, resource: '*', context: { 'aws:PrincipalArn': principalArn } });

    test.each([
      ['with the region segment', inRegion],
      ['without it (us-east-1)', inUsEast1],
    ])('%s', (_name, principalArn) => {
      expect(assume(trust([SSO_AUDITOR]), principalArn)).toBe('Allow');
      // The pattern without the path, which the docs gave before, matches neither.
      expect(assume(trust(['AWSReservedSSO_SecurityAuditor_*']), principalArn)).toBe('ImplicitDeny');
    });

    test('another permission set, or a role of another account, does not match', () => {
      const statements = trust([SSO_AUDITOR]);
      expect(assume(statements, inRegion.replace('SecurityAuditor', 'AdministratorAccess'))).toBe('ImplicitDeny');
      expect(assume(statements, inRegion.replace(SECURITY_ACCOUNT, '444444444444'))).toBe('ImplicitDeny');
    });

    test('a session that carries a source identity may assume it: sts:SetSourceIdentity on the same terms', () => {
      const statements = trust([SSO_AUDITOR]);
      expect(assume(statements, inRegion, 'sts:SetSourceIdentity')).toBe('Allow');
      expect(assume(statements, `arn:aws:iam::${SECURITY_ACCOUNT}:role/other`, 'sts:SetSourceIdentity')).toBe(
        'ImplicitDeny',
      );
    });
  });

  test.each<[string, Partial<SecurityAuditRoleProps>, RegExp]>([
    [
      'bad account',
      { securityAccountId: '3333' },
      /^Target\/Audit: securityAccountId must be a 12-digit AWS account id string, found '3333'/,
    ],
    ['no trust', { trustedRoleNamePatterns: [] }, /trustedPrincipalArns or trustedRoleNamePatterns must name/],
    [
      'role in another account',
      { trustedPrincipalArns: ['arn:aws:iam::111111111111:role/x'] },
      /^Target\/Audit: trustedPrincipalArns must name roles in the security account 333333333333 \(securityAccountId\), found 'arn:aws:iam::111111111111:role\/x'$/,
    ],
    [
      // Its roles matching the pattern could be created by the account's own pipeline, and assume the audit role.
      'the account it is deployed into as the security account',
      { securityAccountId: TARGET_ACCOUNT },
      /^Target\/Audit: securityAccountId must be an account other than the one the role is deployed into, found '222222222222', the stack's own account/,
    ],
  ])('rejects %s', (_n, props, message) => {
    expect(() => audit(props)).toThrow(message);
  });
});

describe('BreakGlassRole', () => {
  test('requires MFA no older than an hour, from the named role only; sessions last an hour at most', () => {
    const { template } = breakGlass();
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0] as any;
    expect(flat(role.Properties.RoleName)).toBe('groundwork-break-glass');
    expect(flat(role.Properties.AssumeRolePolicyDocument.Statement)).toEqual([
      {
        Action: TRUST_ACTIONS,
        Effect: 'Allow',
        Principal: { AWS: RESPONDER },
        Condition: {
          Null: { 'sts:ExternalId': 'true' },
          Bool: { 'aws:MultiFactorAuthPresent': 'true' },
          NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
        },
      },
    ]);
    expect(role.Properties.MaxSessionDuration).toBe(3600);
  });

  test('AssumeRole of this role (CloudTrail event) goes to a KMS-encrypted topic, and raises an alarm', () => {
    const { template, stack, glass } = breakGlass();
    const roleId = stack.getLogicalId(glass.role.node.defaultChild as any);
    const topicId = stack.getLogicalId(glass.alertTopic.node.defaultChild as any);
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: 'groundwork-break-glass-assumed',
      // AssumeRole is a read-only management event: ENABLED alone may not deliver it.
      State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      EventPattern: {
        source: ['aws.sts'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['sts.amazonaws.com'],
          eventName: ['AssumeRole'],
          requestParameters: { roleArn: [{ 'Fn::GetAtt': [roleId, 'Arn'] }] },
        },
      },
      Targets: [
        {
          Arn: { Ref: topicId },
          InputTransformer: {
            InputPathsMap: {
              'detail-requestParameters-roleArn': '$.detail.requestParameters.roleArn',
              'detail-userIdentity-principalId': '$.detail.userIdentity.principalId',
              'detail-userIdentity-accountId': '$.detail.userIdentity.accountId',
              'detail-sourceIPAddress': '$.detail.sourceIPAddress',
              'detail-requestParameters-roleSessionName': '$.detail.requestParameters.roleSessionName',
              'detail-requestParameters-sourceIdentity': '$.detail.requestParameters.sourceIdentity',
              time: '$.time',
            },
            InputTemplate: Match.stringLikeRegexp('by principal <detail-userIdentity-principalId> of account'),
          },
        },
      ],
    });
    const topic = template.toJSON().Resources[topicId];
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/AlertKey/), 'Arn'] });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'security@groundwork.example',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'groundwork-break-glass-assumed',
      Namespace: 'AWS/Events',
      MetricName: 'TriggeredRules',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: stack.getLogicalId(glass.assumeRule.node.defaultChild as any) } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  describe('the alerts name the caller with the fields CloudTrail writes (fixtures in test/fixtures/events)', () => {
    const { template, stack, glass } = breakGlass();
    const resources = template.toJSON().Resources;
    const ROLE_ARN = `arn:aws:iam::${TARGET_ACCOUNT}:role/groundwork-break-glass`;
    const ruleOf = (rule: any) =>
      concrete(resources[stack.getLogicalId(rule.node.defaultChild as any)].Properties, {
        [`\${${stack.getLogicalId(glass.role.node.defaultChild as any)}.Arn}`]: ROLE_ARN,
      });
    const assume = ruleOf(glass.assumeRule);
    const stackChange = ruleOf(glass.stackChangeRule);
    // The role account's copy of a cross-account AssumeRole, as in the IAM User Guide: no userIdentity.arn.
    const assumed = fixtureEvent('assume-role-role-account');
    const update = fixtureEvent('cloudformation-update-by-break-glass');
    const refused = fixtureEvent('cloudformation-change-set-refused');
    const pathsOf = (rule: any): string[] => Object.values(rule.Targets[0].InputTransformer.InputPathsMap);
    const unresolved = (event: any, paths: string[]) => paths.filter((p) => resolvePath(event, p) === undefined);

    test('the AssumeRole rule matches the event, and every path of its message resolves in it', () => {
      expect(matchesPattern(assume.EventPattern, assumed)).toBe(true);
      expect(pathsOf(assume)).toHaveLength(7);
      expect(unresolved(assumed, pathsOf(assume))).toEqual([]);
      // The ARN the message used to read: CloudTrail does not write it in the role's account.
      expect(resolvePath(assumed, '$.detail.userIdentity.arn')).toBeUndefined();
    });

    test('only the source identity is optional: every other path resolves in an AssumeRole without one', () => {
      const { sourceIdentity: _unset, ...requestParameters } = assumed.detail.requestParameters;
      const withoutSource = { ...assumed, detail: { ...assumed.detail, requestParameters } };
      expect(unresolved(withoutSource, pathsOf(assume))).toEqual(['$.detail.requestParameters.sourceIdentity']);
      expect(assume.Targets[0].InputTransformer.InputTemplate).toContain('(empty when the caller set none)');
    });

    test('the AssumeRole rule ignores another role, and calls other than AssumeRole', () => {
      const other = structuredClone(assumed);
      other.detail.requestParameters.roleArn = `arn:aws:iam::${TARGET_ACCOUNT}:role/other`;
      expect(matchesPattern(assume.EventPattern, other)).toBe(false);
      expect(
        matchesPattern(assume.EventPattern, {
          ...assumed,
          detail: { ...assumed.detail, eventName: 'GetCallerIdentity' },
        }),
      ).toBe(false);
    });

    test('the stack-change rule, named, matches the CloudFormation writes of a break-glass session, allowed or refused', () => {
      expect(stackChange.Name).toBe('groundwork-break-glass-cloudformation');
      // Writes are not read-only management events: ENABLED receives them.
      expect(stackChange.State).toBe('ENABLED');
      expect(stackChange.EventPattern.detail.eventName).toEqual(
        expect.arrayContaining(['CreateChangeSet', 'ExecuteChangeSet', 'UpdateStack', 'CreateStack', 'DeleteStack']),
      );
      expect(matchesPattern(stackChange.EventPattern, update)).toBe(true);
      expect(matchesPattern(stackChange.EventPattern, refused)).toBe(true);
      const message = stackChange.Targets[0].InputTransformer.InputTemplate as string;
      expect(message).toContain('on stack <detail-requestParameters-stackName>');
      expect(message).toContain('called cloudformation:<detail-eventName>');
    });

    test('every path of the stack-change message resolves in one of the fixtures; the stack and caller in each', () => {
      const paths = pathsOf(stackChange);
      expect(
        paths.filter((p) => resolvePath(update, p) === undefined && resolvePath(refused, p) === undefined),
      ).toEqual(
        // A stack set name only in stack set calls.
        ['$.detail.requestParameters.stackSetName'],
      );
      for (const event of [update, refused]) {
        expect(
          unresolved(event, [
            '$.detail.eventName',
            '$.detail.requestParameters.stackName',
            '$.detail.userIdentity.principalId',
          ]),
        ).toEqual([]);
      }
    });

    test('the stack-change rule ignores other sessions, and reads', () => {
      const administrator = structuredClone(update);
      administrator.detail.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::${TARGET_ACCOUNT}:role/Admin`;
      expect(matchesPattern(stackChange.EventPattern, administrator)).toBe(false);
      expect(
        matchesPattern(stackChange.EventPattern, {
          ...update,
          detail: { ...update.detail, eventName: 'DescribeStacks' },
        }),
      ).toBe(false);
    });
  });

  test('the alert topic and key carry the tag by which the deployment boundary protects them', () => {
    const { template, stack, glass } = breakGlass();
    const resources = template.toJSON().Resources;
    const tag = { Key: DeploymentBoundary.ALERT_TAG_KEY, Value: DeploymentBoundary.ALERT_TAG_VALUE };
    expect(tag).toEqual({ Key: 'groundwork:access', Value: 'break-glass' });
    for (const resource of [glass.alertTopic, glass.alertTopic.masterKey!]) {
      expect(resources[stack.getLogicalId(resource.node.defaultChild as any)].Properties.Tags).toContainEqual(tag);
    }
  });

  describe('both the rule and the alarm can deliver to the encrypted topic', () => {
    const { template, stack, glass } = breakGlass();
    const resources = template.toJSON().Resources;
    const topic = `\${${stack.getLogicalId(glass.alertTopic.node.defaultChild as any)}}`;
    const alarm = `\${${stack.getLogicalId(glass.assumeAlarm.node.defaultChild as any)}.Arn}`;
    const rule = `\${${stack.getLogicalId(glass.assumeRule.node.defaultChild as any)}.Arn}`;
    const stackChangeRule = `\${${stack.getLogicalId(glass.stackChangeRule.node.defaultChild as any)}.Arn}`;
    const [topicPolicy] = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as any[];
    const topicStatements: any[] = flat(topicPolicy.Properties.PolicyDocument.Statement);
    const keyStatements: any[] = flat(
      resources[stack.getLogicalId(glass.alertTopic.masterKey!.node.defaultChild as any)].Properties.KeyPolicy
        .Statement,
    );
    const publish = (service: string, context: { [k: string]: string }) =>
      evaluate(forService(topicStatements, service), {
        action: 'sns:Publish',
        resource: topic,
        context: { 'aws:SecureTransport': 'true', ...context },
      });
    const useKey = (service: string, action: string, context: { [k: string]: string } = {}) =>
      evaluate(forService(keyStatements, service), { action, resource: '*', context });

    test("the topic policy (which replaces SNS's default) lets this alarm publish, and no other alarm", () => {
      expect(flat(topicPolicy.Properties.Topics)).toEqual([topic]);
      const fromAlarm = { 'aws:SourceArn': alarm, 'aws:SourceAccount': TARGET_ACCOUNT };
      expect(publish('cloudwatch.amazonaws.com', fromAlarm)).toBe('Allow');
      const otherAlarm = `arn:aws:cloudwatch:eu-west-1:${TARGET_ACCOUNT}:alarm:other`;
      expect(publish('cloudwatch.amazonaws.com', { ...fromAlarm, 'aws:SourceArn': otherAlarm })).toBe('ImplicitDeny');
      expect(publish('cloudwatch.amazonaws.com', { ...fromAlarm, 'aws:SourceAccount': '444444444444' })).toBe(
        'ImplicitDeny',
      );
      expect(publish('cloudwatch.amazonaws.com', {})).toBe('ImplicitDeny');
      // Still over TLS only, from the alarm as from everyone.
      expect(publish('cloudwatch.amazonaws.com', { ...fromAlarm, 'aws:SecureTransport': 'false' })).toBe(
        'ExplicitDeny',
      );
      // The rule's target still publishes.
      expect(publish('events.amazonaws.com', { 'aws:SourceArn': rule })).toBe('Allow');
    });

    test('the topic policy lets these EventBridge rules publish, and no other rule', () => {
      const otherRule = `arn:aws:events:eu-west-1:${TARGET_ACCOUNT}:rule/other`;
      expect(publish('events.amazonaws.com', { 'aws:SourceArn': rule })).toBe('Allow');
      expect(publish('events.amazonaws.com', { 'aws:SourceArn': stackChangeRule })).toBe('Allow');
      expect(publish('events.amazonaws.com', { 'aws:SourceArn': otherRule })).toBe('ImplicitDeny');
      expect(publish('events.amazonaws.com', {})).toBe('ImplicitDeny');
    });

    test.each(['kms:GenerateDataKey', 'kms:Decrypt'])(
      "the key lets CloudWatch (this account's alarms) and EventBridge use it for the topic: %s",
      (action) => {
        expect(useKey('cloudwatch.amazonaws.com', action, { 'aws:SourceAccount': TARGET_ACCOUNT })).toBe('Allow');
        expect(useKey('cloudwatch.amazonaws.com', action, { 'aws:SourceAccount': '444444444444' })).toBe(
          'ImplicitDeny',
        );
        // EventBridge's request to an encrypted topic carries no aws:SourceAccount or aws:SourceArn.
        expect(useKey('events.amazonaws.com', action)).toBe('Allow');
      },
    );

    test('no key grant to EventBridge is conditioned on aws:SourceAccount, aws:SourceArn or aws:SourceOrgID', () => {
      const conditioned = keyStatements
        .filter((s) => asArray(s.Principal?.Service).includes('events.amazonaws.com'))
        .flatMap((s) => Object.values(s.Condition ?? {}).flatMap((entries: any) => Object.keys(entries)))
        .filter((key) => /^aws:Source(Account|Arn|OrgID)$/i.test(key));
      expect(conditioned).toEqual([]);
    });
  });

  test.each<[string, Partial<BreakGlassRoleProps>, RegExp]>([
    ['bad account', { trustedAccountId: 'x' }, /^Target\/BreakGlass: trustedAccountId must be a 12-digit/],
    ['no trust', { trustedPrincipalArns: [] }, /trustedPrincipalArns or trustedRoleNamePatterns must name/],
    [
      'role in another account',
      { trustedPrincipalArns: ['arn:aws:iam::111111111111:role/responder'] },
      /^Target\/BreakGlass: trustedPrincipalArns must name roles in the trusted account 333333333333 \(trustedAccountId\), found 'arn:aws:iam::111111111111:role\/responder'$/,
    ],
    [
      'the account it is deployed into as the trusted account',
      {
        trustedAccountId: TARGET_ACCOUNT,
        trustedPrincipalArns: [`arn:aws:iam::${TARGET_ACCOUNT}:role/incident-responder`],
      },
      /^Target\/BreakGlass: trustedAccountId must be an account other than the one the role is deployed into, found '222222222222', the stack's own account/,
    ],
    [
      'no permissions',
      { managedPolicies: [] },
      /managedPolicies must list what the role may do in an emergency, found an empty list/,
    ],
    [
      'MFA age too long',
      { maxMfaAgeSeconds: 7200 },
      /maxMfaAgeSeconds must be an integer between 60 and 3600, found 7200/,
    ],
    [
      'a role name the alert rules cannot be named after',
      { roleName: 'break-glass@acme' },
      /^Target\/BreakGlass: roleName must be 1-49 letters, digits or \._- \(the alert rules and alarm are named '<roleName>-assumed' and '<roleName>-cloudformation'\), found 'break-glass@acme'$/,
    ],
    [
      'a role name of 50 characters (its stack-change rule name would be 65, over EventBridge 64)',
      { roleName: 'r'.repeat(50) },
      /^Target\/BreakGlass: roleName must be 1-49 letters, digits or \._- .* found 'r{50}'$/,
    ],
  ])('rejects %s', (_n, props, message) => {
    expect(() => breakGlass(props)).toThrow(message);
  });

  test('an environment-agnostic stack (its account a token) may trust any account', () => {
    const stack = new Stack(new App(), 'Agnostic');
    expect(() => {
      new SecurityAuditRole(stack, 'Audit', {
        securityAccountId: TARGET_ACCOUNT,
        trustedRoleNamePatterns: [SSO_AUDITOR],
      });
      new BreakGlassRole(stack, 'BreakGlass', {
        trustedAccountId: TARGET_ACCOUNT,
        trustedRoleNamePatterns: ['incident-responder'],
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('PowerUserAccess')],
      });
    }).not.toThrow();
  });

  test('a role name of 49 characters names its rules within EventBridge 64 characters', () => {
    const { template } = breakGlass({ roleName: 'r'.repeat(49) });
    const names = Object.values(template.findResources('AWS::Events::Rule')).map((r: any) => r.Properties.Name);
    expect(names.map((n: string) => n.length).sort()).toEqual([57, 64]);
  });

  test('the stack-change rule reports every CloudFormation write the deploy role is granted, and more', () => {
    const { template } = breakGlass();
    const rule = Object.values(template.findResources('AWS::Events::Rule')).find(
      (r: any) => r.Properties.Name === 'groundwork-break-glass-cloudformation',
    ) as any;
    const reported: string[] = rule.Properties.EventPattern.detail.eventName;
    // A break-glass session can make each of these calls on a stack that the pipeline deploys.
    const deployCalls = DEPLOY_CLOUDFORMATION_ACTIONS.map((a) => a.replace(/^cloudformation:/, ''));
    expect(deployCalls).toHaveLength(11);
    expect(deployCalls.filter((call) => !reported.includes(call))).toEqual([]);
    // Stack sets, stack policies and cancelled updates are changes too, which the deploy role is not granted.
    expect(reported).toEqual(
      expect.arrayContaining(['CancelUpdateStack', 'SetStackPolicy', 'CreateStackSet', 'DeleteStackInstances']),
    );
  });
});
