import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { AccountGuardrails } from '../src';
import { ENV, newStack } from './util';

function policyActions(template: Template): string[][] {
  return Object.values(template.findResources('AWS::IAM::Policy')).map((p) =>
    p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()),
  );
}

describe('AccountGuardrails', () => {
  test('defaults: S3 Block Public Access, EBS default encryption, password policy; nothing undone on delete', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails');
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::AWS', 3);
    // The SDK of the Lambda runtime: installing the latest one would need npm (network) at every deployment.
    for (const resource of Object.values(template.findResources('Custom::AWS'))) {
      expect(resource.Properties.InstallLatestAwsSdk).toBe(false);
    }
    template.hasResourceProperties('Custom::AWS', {
      Create: Match.serializedJson(
        Match.objectLike({
          service: 'S3Control',
          action: 'putPublicAccessBlock',
          parameters: {
            AccountId: '111122223333',
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              IgnorePublicAcls: true,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
          },
        }),
      ),
      Delete: Match.absent(),
    });
    template.hasResourceProperties('Custom::AWS', {
      Create: Match.serializedJson(Match.objectLike({ service: 'EC2', action: 'enableEbsEncryptionByDefault' })),
      Update: Match.serializedJson(Match.objectLike({ service: 'EC2', action: 'enableEbsEncryptionByDefault' })),
      Delete: Match.absent(),
    });
    template.hasResourceProperties('Custom::AWS', {
      Create: Match.serializedJson(
        Match.objectLike({
          service: 'IAM',
          action: 'updateAccountPasswordPolicy',
          parameters: {
            MinimumPasswordLength: 14,
            RequireSymbols: true,
            RequireNumbers: true,
            RequireUppercaseCharacters: true,
            RequireLowercaseCharacters: true,
            AllowUsersToChangePassword: true,
            MaxPasswordAge: 90,
            PasswordReusePrevention: 24,
          },
        }),
      ),
      Delete: Match.absent(),
    });
  });

  test('least privilege: exact actions, no wildcard actions', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails');
    const actions = policyActions(Template.fromStack(stack));
    expect(actions.sort()).toEqual(
      [
        ['ec2:EnableEbsEncryptionByDefault'],
        ['iam:UpdateAccountPasswordPolicy'],
        ['s3:PutAccountPublicAccessBlock'],
      ].sort(),
    );
  });

  test('provider Lambda is the only function and runs a current Node.js runtime', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: Match.stringLikeRegexp('^nodejs(2[2-9]|[3-9][0-9])\\.x$'),
    });
  });

  test('the shared provider is acknowledged once per finding, however many guardrails use it', () => {
    const stack = newStack();
    // Three calls here, and another guardrails construct in the same stack: one provider singleton.
    new AccountGuardrails(stack, 'Guardrails');
    new AccountGuardrails(stack, 'More', { enableS3BlockPublicAccess: false, enablePasswordPolicy: false });
    const provider = stack.node.findAll().find((c) => c.node.id.startsWith('AWS679f53fac002430cb0da5b7982bd2287'))!;
    const acknowledgedIds = (scope: IConstruct) =>
      scope.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.keys(m.data));
    expect(acknowledgedIds(provider.node.findChild('ServiceRole'))).toEqual([
      'Annotation::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    ]);
    expect(acknowledgedIds(provider.node.findChild('Resource'))).toEqual([
      'Annotation::NIST.800.53.R5-LambdaConcurrency',
      'Annotation::NIST.800.53.R5-LambdaDLQ',
      'Annotation::NIST.800.53.R5-LambdaInsideVPC',
    ]);
    // A second stack gets its own provider, acknowledged too.
    const other = new Stack(stack.node.root as App, 'Other', { env: ENV });
    new AccountGuardrails(other, 'Guardrails');
    const otherProvider = other.node
      .findAll()
      .find((c) => c.node.id.startsWith('AWS679f53fac002430cb0da5b7982bd2287'))!;
    expect(acknowledgedIds(otherProvider.node.findChild('Resource'))).toHaveLength(3);
  });

  test('revertOnDelete adds the undo calls and their permissions', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails', { revertOnDelete: true });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::AWS', {
      Delete: Match.serializedJson(Match.objectLike({ service: 'EC2', action: 'disableEbsEncryptionByDefault' })),
    });
    template.hasResourceProperties('Custom::AWS', {
      Delete: Match.serializedJson(Match.objectLike({ service: 'IAM', action: 'deleteAccountPasswordPolicy' })),
    });
    template.hasResourceProperties('Custom::AWS', {
      Delete: Match.serializedJson(Match.objectLike({ service: 'S3Control', action: 'deletePublicAccessBlock' })),
    });
    expect(policyActions(template).flat()).toEqual(
      expect.arrayContaining(['ec2:DisableEbsEncryptionByDefault', 'iam:DeleteAccountPasswordPolicy']),
    );
  });

  test('password policy options; 0 turns off expiry and reuse prevention', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails', {
      enableS3BlockPublicAccess: false,
      enableEbsEncryptionByDefault: false,
      passwordPolicy: { minimumLength: 20, maxAgeDays: 0, reusePrevention: 0, requireAllCharacterTypes: false },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('Custom::AWS', 1);
    template.hasResourceProperties('Custom::AWS', {
      Create: Match.serializedJson({
        service: 'IAM',
        action: 'updateAccountPasswordPolicy',
        physicalResourceId: Match.anyValue(),
        parameters: {
          MinimumPasswordLength: 20,
          RequireSymbols: false,
          RequireNumbers: false,
          RequireUppercaseCharacters: false,
          RequireLowercaseCharacters: false,
          AllowUsersToChangePassword: true,
        },
      }),
    });
  });

  test('all off creates nothing', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails', {
      enableS3BlockPublicAccess: false,
      enableEbsEncryptionByDefault: false,
      enablePasswordPolicy: false,
    });
    Template.fromStack(stack).resourceCountIs('Custom::AWS', 0);
  });

  test('rejects out-of-range password policy values', () => {
    expect(() => new AccountGuardrails(newStack(), 'Guardrails', { passwordPolicy: { minimumLength: 5 } })).toThrow(
      /Test\/Guardrails: invalid passwordPolicy.minimumLength: expected an integer from 6 to 128, found 5/,
    );
    expect(() => new AccountGuardrails(newStack(), 'Guardrails', { passwordPolicy: { maxAgeDays: 2000 } })).toThrow(
      /invalid passwordPolicy.maxAgeDays: expected an integer from 0 to 1095, found 2000/,
    );
    expect(() => new AccountGuardrails(newStack(), 'Guardrails', { passwordPolicy: { reusePrevention: 25 } })).toThrow(
      /invalid passwordPolicy.reusePrevention: expected an integer from 0 to 24, found 25/,
    );
    expect(
      () =>
        new AccountGuardrails(newStack(), 'Guardrails', {
          enablePasswordPolicy: false,
          passwordPolicy: { minimumLength: 20 },
        }),
    ).toThrow(/Test\/Guardrails: invalid passwordPolicy: expected unset when enablePasswordPolicy is false/);
  });
});
