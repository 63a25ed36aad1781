import { Aspects, Stack } from 'aws-cdk-lib';
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

  test('rejects a bad qualifier', () => {
    expect(() => new PermissionsBoundaryAspect({ qualifier: 'Nope!' })).toThrow(/qualifier must match/);
  });
});
