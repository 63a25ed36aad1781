import { Aspects, Aws, CfnResource, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sam from 'aws-cdk-lib/aws-sam';
import { PermissionsBoundaryAspect } from '../src';
import { flat, targetStack } from './fixtures';

function withAspect(build: (stack: Stack) => void, qualifier?: string) {
  const stack = targetStack('App');
  build(stack);
  Aspects.of(stack).add(new PermissionsBoundaryAspect({ qualifier }));
  return stack;
}

describe('PermissionsBoundaryAspect', () => {
  test('attaches the Groundwork boundary to every role', () => {
    const stack = withAspect((s) => {
      new iam.Role(s, 'A', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      new iam.Role(s, 'B', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    }, 'gw1');
    const roles = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role')) as any[];
    expect(roles).toHaveLength(2);
    for (const role of roles) {
      expect(flat(role.Properties.PermissionsBoundary)).toBe(
        'arn:${AWS::Partition}:iam::222222222222:policy/groundwork-boundary-gw1-eu-west-1',
      );
    }
  });

  test('attaches the boundary to custom-resource provider roles, which are not CfnRoles', () => {
    const stack = withAspect((s) => {
      // A VPC with restrictDefaultSecurityGroup adds a Custom::VpcRestrictDefaultSG provider whose role is a
      // plain CfnResource of type AWS::IAM::Role.
      new ec2.Vpc(s, 'Vpc', { restrictDefaultSecurityGroup: true, natGateways: 0 });
    });
    const roles = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Role')) as [string, any][];
    const providerRoles = roles.filter(([id]) => id.startsWith('CustomVpcRestrictDefaultSG'));
    expect(providerRoles).toHaveLength(1);
    expect(flat(providerRoles[0][1].Properties.PermissionsBoundary)).toBe(
      'arn:${AWS::Partition}:iam::222222222222:policy/groundwork-boundary-hnb659fds-eu-west-1',
    );
  });

  test('reports IAM users and access keys as errors', () => {
    const stack = withAspect((s) => {
      const user = new iam.User(s, 'Human');
      new iam.AccessKey(s, 'Key', { user });
    });
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('no IAM users or access keys'));
    expect(errors).toHaveLength(2);
  });

  test('reports a role that carries another boundary', () => {
    const stack = withAspect((s) => {
      new iam.Role(s, 'Other', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyArn(s, 'Pb', 'arn:aws:iam::222222222222:policy/other'),
      });
    });
    expect(
      Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('expected the Groundwork boundary')),
    ).toHaveLength(1);
  });

  test('tags every role, provider roles included, as managed under its qualifier, over any Tags.of value', () => {
    const stack = withAspect((s) => {
      new iam.Role(s, 'A', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      new ec2.Vpc(s, 'Vpc', { restrictDefaultSecurityGroup: true, natGateways: 0 });
      Tags.of(s).add('groundwork:boundary', 'someone-else');
      Tags.of(s).add('team', 'platform');
    }, 'gw1');
    const roles = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Role')) as [string, any][];
    expect(roles.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^A[0-9A-F]{8}$/),
      expect.stringMatching(/^CustomVpcRestrictDefaultSG/),
    ]);
    for (const [id, role] of roles) {
      const tags = role.Properties.Tags as { Key: string; Value: string }[];
      expect({ id, tag: tags.find((t) => t.Key === 'groundwork:boundary')?.Value }).toEqual({ id, tag: 'gw1' });
    }
    const cfnRoleTags = roles.find(([id]) => id.startsWith('A'))![1].Properties.Tags;
    expect(cfnRoleTags).toContainEqual({ Key: 'team', Value: 'platform' });
  });

  test('tagRoles: false attaches the boundary without the tag, for roles deployed outside the pipeline', () => {
    const stack = targetStack('Access');
    new iam.Role(stack, 'BreakGlass', { assumedBy: new iam.AccountPrincipal('333333333333') });
    new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: true, natGateways: 0 });
    Aspects.of(stack).add(new PermissionsBoundaryAspect({ tagRoles: false }));
    const roles = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role')) as any[];
    expect(roles).toHaveLength(2);
    for (const role of roles) {
      expect(flat(role.Properties.PermissionsBoundary)).toContain('groundwork-boundary-hnb659fds-');
      expect(JSON.stringify(role.Properties.Tags ?? [])).not.toContain('groundwork:boundary');
    }
  });

  test('keeps the tags a provider role declares', () => {
    const stack = withAspect((s) => {
      new CfnResource(s, 'ProviderRole', {
        type: 'AWS::IAM::Role',
        properties: { AssumeRolePolicyDocument: {}, Tags: [{ Key: 'owner', Value: 'x' }] },
      });
    });
    expect(Template.fromStack(stack).findResources('AWS::IAM::Role').ProviderRole.Properties.Tags).toEqual([
      { Key: 'owner', Value: 'x' },
      { Key: 'groundwork:boundary', Value: 'hnb659fds' },
    ]);
  });

  test.each([
    [
      'another managed policy of the stack',
      (s: Stack) =>
        new iam.ManagedPolicy(s, 'OtherBoundary', {
          statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })],
        }),
    ],
    [
      'an imported policy of another name',
      (s: Stack) => iam.ManagedPolicy.fromManagedPolicyName(s, 'Imported', 'admin-boundary'),
    ],
    [
      'the Groundwork boundary of another qualifier',
      (s: Stack) => iam.ManagedPolicy.fromManagedPolicyName(s, 'Imported', `groundwork-boundary-other-${s.region}`),
    ],
  ])('reports a role whose boundary is a token naming %s', (_what, boundary) => {
    const stack = withAspect((s) => {
      new iam.Role(s, 'Other', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        permissionsBoundary: boundary(s),
      });
    });
    expect(
      Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('expected the Groundwork boundary')),
    ).toHaveLength(1);
  });

  test('accepts the Groundwork boundary given as a token, as DeploymentBoundary.forStage and imports give it', () => {
    const stack = withAspect((s) => {
      new iam.Role(s, 'Mine', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        permissionsBoundary: iam.ManagedPolicy.fromManagedPolicyName(
          s,
          'Pb',
          `groundwork-boundary-hnb659fds-${Aws.REGION}`,
        ),
      });
    });
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  describe('AWS SAM functions and state machines, whose roles the SAM transform creates', () => {
    const code = { codeUri: 's3://bucket/key.zip', handler: 'index.handler', runtime: 'nodejs20.x' };
    // The target stack's account and region are known: the boundary's ARN names them.
    const boundary = 'arn:${AWS::Partition}:iam::222222222222:policy/groundwork-boundary-hnb659fds-eu-west-1';
    const errors = (stack: Stack) =>
      Annotations.fromStack(stack)
        .findError('*', Match.anyValue())
        .map((e) => e.entry.data as string);

    test('without a Role, the boundary and the boundary tag go on the resource, which SAM gives the role it creates', () => {
      const stack = withAspect((s) => {
        const fn = new sam.CfnFunction(s, 'Fn', { ...code, tags: { team: 'orders' } });
        fn.overrideLogicalId('Fn');
        new sam.CfnStateMachine(s, 'Sm', { definitionUri: 's3://bucket/sm.json' }).overrideLogicalId('Sm');
      });
      const template = Template.fromStack(stack);
      for (const id of ['Fn', 'Sm']) {
        const props = template.toJSON().Resources[id].Properties;
        expect(flat(props.PermissionsBoundary)).toEqual(boundary);
        expect(props.Tags).toMatchObject({ 'groundwork:boundary': 'hnb659fds' });
      }
      expect(template.toJSON().Resources.Fn.Properties.Tags.team).toBe('orders');
      expect(errors(stack)).toEqual([]);
    });

    test('with a Role of its own, the resource is left alone (the role itself gets the aspect)', () => {
      const stack = withAspect((s) => {
        new sam.CfnFunction(s, 'Fn', { ...code, role: 'arn:aws:iam::222222222222:role/fn' }).overrideLogicalId('Fn');
      });
      const props = Template.fromStack(stack).toJSON().Resources.Fn.Properties;
      expect(props.PermissionsBoundary).toBeUndefined();
      expect(props.Tags ?? {}).not.toHaveProperty('groundwork:boundary');
    });

    test('another boundary on a role-less SAM function is an error, as on a role', () => {
      const stack = withAspect((s) => {
        new sam.CfnFunction(s, 'Fn', { ...code, permissionsBoundary: 'arn:aws:iam::222222222222:policy/other' });
      });
      expect(errors(stack)).toEqual([
        expect.stringMatching(
          /App\/Fn: SAM function \(boundary of the role the SAM transform creates\) has permissions boundary 'arn:aws:iam::222222222222:policy\/other', expected the Groundwork boundary/,
        ),
      ]);
    });

    test("aws-cdk-lib's state machine permissionsBoundaries, a property SAM rejects, is an error", () => {
      const stack = withAspect((s) => {
        new sam.CfnStateMachine(s, 'Sm', {
          definitionUri: 's3://bucket/sm.json',
          permissionsBoundaries: 'arn:aws:iam::222222222222:policy/groundwork-boundary-hnb659fds-eu-west-1',
        });
      });
      expect(errors(stack)).toEqual([
        expect.stringMatching(
          /^App\/Sm: PermissionsBoundaries \(aws-cdk-lib's CfnStateMachine.permissionsBoundaries\) is not a property of AWS::Serverless::StateMachine, and the SAM transform rejects it/,
        ),
      ]);
    });

    test('settings for which the transform creates an untagged role are errors naming the way out', () => {
      const stack = withAspect((s) => {
        // aws-cdk-lib's SAM types predate ScheduleV2 events: they are written as overrides.
        new sam.CfnFunction(s, 'Fn', {
          ...code,
          autoPublishAlias: 'live',
          deploymentPreference: { type: 'AllAtOnce' },
          events: { Queue: { type: 'SQS', properties: { queue: 'arn:aws:sqs:eu-west-1:222222222222:q' } } },
        }).addPropertyOverride('Events.Nightly', {
          Type: 'ScheduleV2',
          Properties: { ScheduleExpression: 'rate(1 day)' },
        });
        new sam.CfnStateMachine(s, 'Sm', {
          definitionUri: 's3://bucket/sm.json',
          events: {
            Rule: { type: 'EventBridgeRule', properties: { pattern: { source: ['acme'] } } },
            Tick: { type: 'Schedule', properties: { schedule: 'rate(1 hour)' } },
          },
        });
      });
      const without =
        "without the 'groundwork:boundary' tag that the Groundwork boundary requires of every role it creates, " +
        'so the deployment would fail: ';
      expect(errors(stack).sort()).toEqual([
        `App/Fn: DeploymentPreference without a Role makes the SAM transform create CodeDeploy's service role ${without}give DeploymentPreference.Role`,
        `App/Fn: event 'Nightly' (Type ScheduleV2) makes the SAM transform create a role ${without}give the event's RoleArn`,
        expect.stringMatching(
          /^App\/Sm: event 'Rule' \(Type EventBridgeRule\) makes the SAM transform create a role without .*: this event type takes no role of its own/,
        ),
        `App/Sm: event 'Tick' (Type Schedule) makes the SAM transform create a role ${without}give the event's RoleArn`,
      ]);
    });

    test('the same settings with their roles given, and events that create no role, pass', () => {
      const stack = withAspect((s) => {
        new sam.CfnFunction(s, 'Fn', {
          ...code,
          autoPublishAlias: 'live',
          deploymentPreference: { type: 'AllAtOnce', role: 'arn:aws:iam::222222222222:role/cd' },
          events: { Hourly: { type: 'Schedule', properties: { schedule: 'rate(1 hour)' } } },
        }).addPropertyOverride('Events.Nightly', {
          Type: 'ScheduleV2',
          Properties: { ScheduleExpression: 'rate(1 day)', RoleArn: 'arn:aws:iam::222222222222:role/s' },
        });
        const sm = new sam.CfnStateMachine(s, 'Sm', { definitionUri: 's3://bucket/sm.json' });
        sm.addPropertyOverride('Events.Tick', {
          Type: 'Schedule',
          Properties: { Schedule: 'rate(1 hour)', RoleArn: 'arn:aws:iam::222222222222:role/e' },
        });
      });
      expect(errors(stack)).toEqual([]);
    });
  });

  test('rejects a bad qualifier', () => {
    expect(() => new PermissionsBoundaryAspect({ qualifier: 'Nope!' })).toThrow(/qualifier must match/);
  });
});
