import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { BreakGlassRole, BreakGlassRoleProps, SecurityAuditRole, SecurityAuditRoleProps } from '../src';
import { asArray, flat, SECURITY_ACCOUNT, TARGET_ACCOUNT, targetStack } from './fixtures';
import { evaluate } from './policy-evaluator';

const RESPONDER = `arn:aws:iam::${SECURITY_ACCOUNT}:role/incident-responder`;

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
    trustedRoleNamePatterns: ['AWSReservedSSO_SecurityAuditor_*'],
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
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Effect: 'Allow',
        Principal: { AWS: `arn:\${AWS::Partition}:iam::${SECURITY_ACCOUNT}:root` },
        Condition: {
          Null: { 'sts:ExternalId': 'true' },
          ArnLike: {
            'aws:PrincipalArn': [
              `arn:\${AWS::Partition}:iam::${SECURITY_ACCOUNT}:role/AWSReservedSSO_SecurityAuditor_*`,
            ],
          },
        },
      },
    ]);
    expect(role.Properties.MaxSessionDuration).toBe(3600);
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
  ])('rejects %s', (_n, props, message) => {
    expect(() => audit(props)).toThrow(message);
  });
});

describe('BreakGlassRole', () => {
  test('requires MFA no older than an hour, from the named role only', () => {
    const { template } = breakGlass();
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0] as any;
    expect(flat(role.Properties.RoleName)).toBe('groundwork-break-glass');
    expect(flat(role.Properties.AssumeRolePolicyDocument.Statement)).toEqual([
      {
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Effect: 'Allow',
        Principal: { AWS: RESPONDER },
        Condition: {
          Null: { 'sts:ExternalId': 'true' },
          Bool: { 'aws:MultiFactorAuthPresent': 'true' },
          NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
        },
      },
    ]);
  });

  test('AssumeRole of this role (CloudTrail event) goes to a KMS-encrypted topic, and raises an alarm', () => {
    const { template, stack, glass } = breakGlass();
    const roleId = stack.getLogicalId(glass.role.node.defaultChild as any);
    const topicId = stack.getLogicalId(glass.alertTopic.node.defaultChild as any);
    template.hasResourceProperties('AWS::Events::Rule', {
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
              'detail-userIdentity-arn': '$.detail.userIdentity.arn',
            },
            InputTemplate: Match.stringLikeRegexp(
              'Break-glass role <detail-requestParameters-roleArn> assumed by <detail-userIdentity-arn> at <time>',
            ),
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
      Namespace: 'AWS/Events',
      MetricName: 'TriggeredRules',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  describe('both the rule and the alarm can deliver to the encrypted topic', () => {
    const { template, stack, glass } = breakGlass();
    const resources = template.toJSON().Resources;
    const topic = `\${${stack.getLogicalId(glass.alertTopic.node.defaultChild as any)}}`;
    const alarm = `\${${stack.getLogicalId(glass.assumeAlarm.node.defaultChild as any)}.Arn}`;
    const rule = `\${${stack.getLogicalId(glass.assumeRule.node.defaultChild as any)}.Arn}`;
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

    test('the topic policy lets this EventBridge rule publish, and no other rule', () => {
      const otherRule = `arn:aws:events:eu-west-1:${TARGET_ACCOUNT}:rule/other`;
      expect(publish('events.amazonaws.com', { 'aws:SourceArn': rule })).toBe('Allow');
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
      'no permissions',
      { managedPolicies: [] },
      /managedPolicies must list what the role may do in an emergency, found an empty list/,
    ],
    [
      'MFA age too long',
      { maxMfaAgeSeconds: 7200 },
      /maxMfaAgeSeconds must be an integer between 60 and 3600, found 7200/,
    ],
  ])('rejects %s', (_n, props, message) => {
    expect(() => breakGlass(props)).toThrow(message);
  });
});
