import { Aspects, Aws, CfnResource, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
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

  test('rejects a bad qualifier', () => {
    expect(() => new PermissionsBoundaryAspect({ qualifier: 'Nope!' })).toThrow(/qualifier must match/);
  });
});
