import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { AccountGuardrails, GuardrailEnforcement, SecurityBaseline } from '../src';
import { findings, newStack, stackIn } from './util';
import {
  GUARDRAIL_ENV,
  GUARDRAIL_HANDLER_CODE,
  GUARDRAIL_RESOURCE_TYPES,
  GUARDRAIL_RESPONSE_MARGIN_MS,
  GUARDRAIL_RETRY_DELAYS_MS,
} from '../src/private/guardrail-handler';

const TYPES = Object.values(GUARDRAIL_RESOURCE_TYPES);

function customResources(template: Template): [string, any][] {
  return Object.entries(template.toJSON().Resources as { [id: string]: any }).filter(([, r]) => TYPES.includes(r.Type));
}

function functionOf(template: Template): any {
  const functions = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  return functions[0];
}

function settingsOf(template: Template): any {
  return JSON.parse(functionOf(template).Properties.Environment.Variables[GUARDRAIL_ENV.settings]);
}

function acknowledgedIds(scope: IConstruct): string[] {
  return scope.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.keys(m.data));
}

describe('AccountGuardrails', () => {
  test('defaults: S3 Block Public Access, EBS default encryption, password policy; nothing undone on delete', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails');
    const template = Template.fromStack(stack);
    expect(
      customResources(template)
        .map(([, r]) => r.Type)
        .sort(),
    ).toEqual([...TYPES].sort());
    // The settings live in the function, fixed at synthesis.
    expect(settingsOf(template)).toEqual({
      s3: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      ebs: true,
      password: {
        MinimumPasswordLength: 14,
        RequireSymbols: true,
        RequireNumbers: true,
        RequireUppercaseCharacters: true,
        RequireLowercaseCharacters: true,
        AllowUsersToChangePassword: true,
        MaxPasswordAge: 90,
        PasswordReusePrevention: 24,
      },
    });
    expect(functionOf(template).Properties.Environment.Variables).toMatchObject({
      [GUARDRAIL_ENV.revert]: 'false',
      [GUARDRAIL_ENV.stackId]: { Ref: 'AWS::StackId' },
      [GUARDRAIL_ENV.accountId]: '111122223333',
    });
    // Each resource carries a copy of its settings, so that a change updates it (the function applies it again).
    const settings = settingsOf(template);
    for (const [setting, type] of Object.entries(GUARDRAIL_RESOURCE_TYPES)) {
      template.hasResourceProperties(type, { Settings: settings[setting] });
    }
  });

  test('the function: inline code, which is the tested handler (no asset), a current Node.js runtime', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails');
    const template = Template.fromStack(stack);
    const fn = functionOf(template);
    expect(fn.Properties.Code).toEqual({ ZipFile: GUARDRAIL_HANDLER_CODE });
    expect(fn.Properties.Handler).toBe('index.handler');
    expect(fn.Properties.Runtime).toMatch(/^nodejs(2[2-9]|[3-9][0-9])\.x$/);
    // The function answers at its deadline, its timeout less the response margin (test/guardrail-handler.test.ts
    // runs it with this timeout); the retries of a denied call take at most half of the timeout with the margin.
    expect(fn.Properties.Timeout).toBe(60);
    const retrying = GUARDRAIL_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0);
    expect(retrying + GUARDRAIL_RESPONSE_MARGIN_MS).toBeLessThanOrEqual((fn.Properties.Timeout * 1000) / 2);
    // CloudFormation zips inline code into a file of at most 4 MB (AWS::Lambda::Function Code.ZipFile).
    expect(Buffer.byteLength(GUARDRAIL_HANDLER_CODE)).toBeLessThan(4 * 1024 * 1024);
    const app = stack.node.root as App;
    expect(app.synth().getStackArtifact(stack.artifactId).assets).toEqual([]);
    // Every resource is served by this function, and waits for the permissions of its own setting.
    const fnId = Object.keys(template.findResources('AWS::Lambda::Function'))[0];
    for (const [, resource] of customResources(template)) {
      expect(resource.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
      expect(resource.DependsOn).toHaveLength(1);
      expect(template.toJSON().Resources[resource.DependsOn[0]].Type).toBe('AWS::IAM::ManagedPolicy');
    }
  });

  test('least privilege: one policy per setting with its exact action, logs to its own log group only', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).map(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    const logGroupId = Object.keys(template.findResources('AWS::Logs::LogGroup'))[0];
    expect(policies).toEqual(
      expect.arrayContaining([
        [{ Effect: 'Allow', Action: 's3:PutAccountPublicAccessBlock', Resource: '*' }],
        [{ Effect: 'Allow', Action: 'ec2:EnableEbsEncryptionByDefault', Resource: '*' }],
        [{ Effect: 'Allow', Action: 'iam:UpdateAccountPasswordPolicy', Resource: '*' }],
        [
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
          },
        ],
      ]),
    );
    expect(policies).toHaveLength(4);
    // The setting policies are attached by the policy, so each outlives its resource on deletion.
    const roleId = Object.keys(template.findResources('AWS::IAM::Role'))[0];
    for (const [, resource] of customResources(template)) {
      const policy = template.toJSON().Resources[resource.DependsOn[0]];
      expect(policy.Properties.Roles).toEqual([{ Ref: roleId }]);
    }
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 365,
      KmsKeyId: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logGroupId } } });
  });

  test('each acknowledgement is on one resource, for one finding; zero unacknowledged findings', () => {
    const stack = newStack();
    const guardrails = new AccountGuardrails(stack, 'Guardrails', { revertOnDelete: true });
    expect(acknowledgedIds(guardrails.node.findChild('Handler'))).toEqual([
      'Annotation::NIST.800.53.R5-LambdaConcurrency',
      'Annotation::NIST.800.53.R5-LambdaDLQ',
      'Annotation::NIST.800.53.R5-LambdaInsideVPC',
    ]);
    for (const id of ['S3BlockPublicAccess', 'EbsEncryptionByDefault', 'PasswordPolicy']) {
      expect(acknowledgedIds(guardrails.node.findChild(`${id}Permissions`))).toEqual([
        'Annotation::AwsSolutions-IAM5[Resource::*]',
      ]);
    }
    expect(acknowledgedIds(guardrails.node.findChild('HandlerPolicy'))).toEqual([]);
    expect(findings(stack)).toEqual([]);
    const agnostic = stackIn(undefined);
    new AccountGuardrails(agnostic, 'Guardrails');
    expect(findings(agnostic)).toEqual([]);
  });

  test('two guardrails in one stack: two functions, each owning only its own resources', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails', { enableEbsEncryptionByDefault: false });
    new AccountGuardrails(stack, 'More', { enableS3BlockPublicAccess: false, enablePasswordPolicy: false });
    const template = Template.fromStack(stack);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(2);
    const owners = functions.map((f) => f.Properties.Environment.Variables[GUARDRAIL_ENV.owner]);
    expect(new Set(owners).size).toBe(2);
    expect(
      functions.map((f) => Object.keys(JSON.parse(f.Properties.Environment.Variables[GUARDRAIL_ENV.settings]))),
    ).toEqual([['s3', 'password'], ['ebs']]);
    expect(findings(stack)).toEqual([]);
  });

  test('revertOnDelete adds the undo permissions, the deletion check, and a warning about ordinary updates', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails', { revertOnDelete: true });
    const template = Template.fromStack(stack);
    expect(functionOf(template).Properties.Environment.Variables[GUARDRAIL_ENV.revert]).toBe('true');
    const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: ['ec2:EnableEbsEncryptionByDefault', 'ec2:DisableEbsEncryptionByDefault'],
          Resource: '*',
        },
        {
          Effect: 'Allow',
          Action: ['iam:UpdateAccountPasswordPolicy', 'iam:DeleteAccountPasswordPolicy'],
          Resource: '*',
        },
        // The check before a revert reads this stack only.
        { Effect: 'Allow', Action: 'cloudformation:DescribeStackResource', Resource: { Ref: 'AWS::StackId' } },
      ]),
    );
    Annotations.fromStack(stack).hasWarning(
      '/Test/Guardrails',
      Match.stringLikeRegexp(
        'revertOnDelete is true: the settings are reverted .* whenever CloudFormation deletes a guardrail custom resource, also in ordinary updates: a setting switched off, this construct moved or renamed, a switch to CONFIG_REMEDIATION',
      ),
    );
  });

  test('without revertOnDelete: no undo permission, no deletion check, no warning', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails', { revertOnDelete: false });
    const template = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(template).not.toMatch(/Disable|DeleteAccount|cloudformation:/);
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  test('password policy options; 0 turns off expiry and reuse prevention', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails', {
      enableS3BlockPublicAccess: false,
      enableEbsEncryptionByDefault: false,
      passwordPolicy: { minimumLength: 20, maxAgeDays: 0, reusePrevention: 0, requireAllCharacterTypes: false },
    });
    const template = Template.fromStack(stack);
    expect(customResources(template).map(([, r]) => r.Type)).toEqual([GUARDRAIL_RESOURCE_TYPES.password]);
    expect(settingsOf(template)).toEqual({
      password: {
        MinimumPasswordLength: 20,
        RequireSymbols: false,
        RequireNumbers: false,
        RequireUppercaseCharacters: false,
        RequireLowercaseCharacters: false,
        AllowUsersToChangePassword: true,
      },
    });
  });

  test('all off creates nothing: no function, no resource', () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails', {
      enableS3BlockPublicAccess: false,
      enableEbsEncryptionByDefault: false,
      enablePasswordPolicy: false,
    });
    expect(Object.keys(Template.fromStack(stack).toJSON().Resources ?? {})).toEqual([]);
  });

  // JavaScript or YAML config: "false" is a non-empty string, which would turn the revert on.
  test.each(['revertOnDelete', 'enableS3BlockPublicAccess', 'enableEbsEncryptionByDefault', 'enablePasswordPolicy'])(
    'a non-boolean %s is an error naming the path, the prop, what was expected and found',
    (prop) => {
      for (const enforcement of Object.values(GuardrailEnforcement)) {
        expect(() => new AccountGuardrails(newStack(), 'Guardrails', { enforcement, [prop]: 'false' as any })).toThrow(
          `Test/Guardrails: invalid ${prop}: expected true, false or unset (a boolean), found "false"`,
        );
      }
      expect(() => new AccountGuardrails(newStack(), 'Guardrails', { [prop]: 0 as any })).toThrow(
        `Test/Guardrails: invalid ${prop}: expected true, false or unset (a boolean), found 0`,
      );
      expect(
        () => new SecurityBaseline(newStack(), 'Baseline', { accountGuardrails: { [prop]: 'true' as any } }),
      ).toThrow(
        `Test/Baseline/AccountGuardrails: invalid ${prop}: expected true, false or unset (a boolean), found "true"`,
      );
    },
  );

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
