import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ArtifactKeyAccess } from '../src';
import { flat, PIPELINE_ACCOUNT } from './fixtures';

function pipelineKey() {
  const stack = new Stack(new App(), 'Pipeline', { env: { account: PIPELINE_ACCOUNT, region: 'eu-west-1' } });
  return { stack, key: new kms.Key(stack, 'ArtifactKey', { enableKeyRotation: true }) };
}

describe('ArtifactKeyAccess.grantDeployRolesDecrypt', () => {
  test('exactly the targets deploy roles may decrypt, through S3 only', () => {
    const { stack, key } = pipelineKey();
    ArtifactKeyAccess.grantDeployRolesDecrypt(key, [
      { account: '222222222222', region: 'eu-west-1' },
      { account: '444444444444', region: 'eu-central-1', qualifier: 'gw1' },
    ]);
    const keyResource = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0] as any;
    const statement = flat(keyResource.Properties.KeyPolicy.Statement).find(
      (s: any) => s.Sid === 'TargetDeployRolesDecryptArtifacts',
    );
    expect(statement).toEqual({
      Sid: 'TargetDeployRolesDecryptArtifacts',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Resource: '*',
      Principal: {
        AWS: ['arn:${AWS::Partition}:iam::222222222222:root', 'arn:${AWS::Partition}:iam::444444444444:root'],
      },
      Condition: {
        ArnEquals: {
          'aws:PrincipalArn': [
            'arn:${AWS::Partition}:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-west-1',
            'arn:${AWS::Partition}:iam::444444444444:role/cdk-gw1-deploy-role-444444444444-eu-central-1',
          ],
        },
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
      },
    });
  });

  test.each([
    ['no targets', [], /targets must list at least one deployment environment, found none/],
    [
      'bad account',
      [{ account: '22', region: 'eu-west-1' }],
      /targets\[\]\.account must be a 12-digit AWS account id string, found '22'/,
    ],
    ['bad qualifier', [{ account: '222222222222', region: 'eu-west-1', qualifier: 'X' }], /qualifier must match/],
    // The region is part of the deploy role's name, which ArnEquals compares exactly.
    [
      'an upper-case region',
      [{ account: '222222222222', region: 'EU-WEST-1' }],
      /grantDeployRolesDecrypt: targets\[\]\.region must be an AWS region name such as 'us-east-1', found 'EU-WEST-1'/,
    ],
    ['an empty region', [{ account: '222222222222', region: '' }], /targets\[\]\.region .*found ''/],
    ['a region with a space', [{ account: '222222222222', region: 'eu-west-1 ' }], /found 'eu-west-1 '/],
    ['a wildcard region', [{ account: '222222222222', region: '*' }], /found '\*'/],
  ])('rejects %s', (_n, targets, message) => {
    const { key } = pipelineKey();
    expect(() => ArtifactKeyAccess.grantDeployRolesDecrypt(key, targets as any)).toThrow(message);
  });

  test('refuses an imported key whose policy it cannot change', () => {
    const { stack } = pipelineKey();
    const imported = kms.Key.fromKeyArn(stack, 'Imported', `arn:aws:kms:eu-west-1:${PIPELINE_ACCOUNT}:key/abc`);
    expect(() =>
      ArtifactKeyAccess.grantDeployRolesDecrypt(imported, [{ account: '222222222222', region: 'eu-west-1' }]),
    ).toThrow(/cannot be changed here \(imported key\)/);
  });
});
