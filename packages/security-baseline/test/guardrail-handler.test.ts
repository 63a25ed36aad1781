import * as vm from 'vm';
import {
  GUARDRAIL_ENV,
  GUARDRAIL_HANDLER_CODE,
  GUARDRAIL_PHYSICAL_ID_PREFIXES,
  GUARDRAIL_RESOURCE_TYPES,
} from '../src/private/guardrail-handler';

// Runs the exact code that AccountGuardrails deploys inline, with fake AWS SDK clients and a fake `https`:
// no AWS call and no network.

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/Test/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';
const OWNER = 'c8aabbccdd';
const SETTINGS = {
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
};

interface Call {
  readonly command: string;
  readonly input: any;
}

interface Harness {
  readonly handler: (event: any) => Promise<{ Status: string; Reason: string }>;
  /** Every SDK call, in order. */
  readonly calls: Call[];
  /** Every response PUT: URL, headers and parsed body. */
  readonly responses: { url: string; headers: any; body: any }[];
}

function harness(
  options: {
    revert?: boolean;
    settings?: object;
    /** What DescribeStackResource returns (StackResourceDetail), or an error to throw. */
    describe?: object | Error;
    /** HTTP status of the response PUT. */
    responseStatus?: number;
    /** An SDK command that fails, with its error. */
    failing?: { command: string; error: Error };
  } = {},
): Harness {
  const calls: Call[] = [];
  const responses: { url: string; headers: any; body: any }[] = [];
  const fakeModule = (client: string, commands: string[]) => {
    const m: any = {
      [client]: class {
        async send(command: { name: string; input: any }) {
          calls.push({ command: command.name, input: command.input });
          if (options.failing?.command === command.name) throw options.failing.error;
          if (command.name === 'DescribeStackResourceCommand') {
            if (options.describe instanceof Error) throw options.describe;
            return { StackResourceDetail: options.describe };
          }
          return {};
        }
      },
    };
    for (const name of commands) {
      m[name] = class {
        readonly name = name;
        constructor(readonly input: any) {}
      };
    }
    return m;
  };
  const modules: { [name: string]: any } = {
    '@aws-sdk/client-s3-control': fakeModule('S3ControlClient', [
      'PutPublicAccessBlockCommand',
      'DeletePublicAccessBlockCommand',
    ]),
    '@aws-sdk/client-ec2': fakeModule('EC2Client', [
      'EnableEbsEncryptionByDefaultCommand',
      'DisableEbsEncryptionByDefaultCommand',
    ]),
    '@aws-sdk/client-iam': fakeModule('IAMClient', [
      'UpdateAccountPasswordPolicyCommand',
      'DeleteAccountPasswordPolicyCommand',
    ]),
    '@aws-sdk/client-cloudformation': fakeModule('CloudFormationClient', ['DescribeStackResourceCommand']),
    https: {
      request: (url: string, requestOptions: any, callback: (res: any) => void) => {
        let end: () => void = () => {};
        const res = {
          statusCode: options.responseStatus ?? 200,
          resume: () => {},
          on: (event: string, listener: () => void) => {
            if (event === 'end') end = listener;
          },
        };
        return {
          on: () => {},
          end: (data: string) => {
            expect(requestOptions.method).toBe('PUT');
            responses.push({ url, headers: requestOptions.headers, body: JSON.parse(data) });
            callback(res);
            end();
          },
        };
      },
    },
  };
  const module = { exports: {} as any };
  vm.runInNewContext(GUARDRAIL_HANDLER_CODE, {
    module,
    exports: module.exports,
    require: (name: string) => {
      if (!(name in modules)) throw new Error(`unexpected require ${name}`);
      return modules[name];
    },
    process: {
      env: {
        [GUARDRAIL_ENV.settings]: JSON.stringify(options.settings ?? SETTINGS),
        [GUARDRAIL_ENV.revert]: String(options.revert ?? false),
        [GUARDRAIL_ENV.stackId]: STACK_ID,
        [GUARDRAIL_ENV.accountId]: '111122223333',
        [GUARDRAIL_ENV.owner]: OWNER,
      },
    },
    console: { log: () => {} },
    Buffer,
  });
  return { handler: module.exports.handler, calls, responses };
}

const RESPONSE_URL = 'https://cloudformation-custom-resource-response-euwest1.s3-eu-west-1.amazonaws.com/x?sig=1';

function cfnEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  type: keyof typeof GUARDRAIL_RESOURCE_TYPES,
  extra = {},
) {
  return {
    RequestType: requestType,
    ResponseURL: RESPONSE_URL,
    StackId: STACK_ID,
    RequestId: 'req-1',
    ResourceType: GUARDRAIL_RESOURCE_TYPES[type],
    LogicalResourceId: `Guardrails${type}`,
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: physicalId(type) }),
    ResourceProperties: {},
    ...extra,
  };
}

function physicalId(type: keyof typeof GUARDRAIL_PHYSICAL_ID_PREFIXES): string {
  return `${GUARDRAIL_PHYSICAL_ID_PREFIXES[type]}-${OWNER}`;
}

/** What a direct caller would put in the event to open the account. */
const HOSTILE_PROPERTIES = {
  ResourceProperties: {
    Settings: {
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    },
    PublicAccessBlockConfiguration: { BlockPublicAcls: false },
    MinimumPasswordLength: 6,
    RequireSymbols: false,
    Create: JSON.stringify({ service: 'S3Control', action: 'deletePublicAccessBlock' }),
  },
  OldResourceProperties: { Settings: {} },
};

const APPLY_CALLS: { [type in keyof typeof GUARDRAIL_RESOURCE_TYPES]: Call } = {
  s3: {
    command: 'PutPublicAccessBlockCommand',
    input: { AccountId: '111122223333', PublicAccessBlockConfiguration: SETTINGS.s3 },
  },
  ebs: { command: 'EnableEbsEncryptionByDefaultCommand', input: {} },
  password: { command: 'UpdateAccountPasswordPolicyCommand', input: SETTINGS.password },
};

describe('the guardrail function applies only its own settings', () => {
  test.each(['Create', 'Update'] as const)(
    '%s: the configured settings, whatever the event carries; SUCCESS with a fixed physical id',
    async (requestType) => {
      for (const type of ['s3', 'ebs', 'password'] as const) {
        const h = harness();
        const result = await h.handler(cfnEvent(requestType, type, HOSTILE_PROPERTIES));
        expect(result.Status).toBe('SUCCESS');
        expect(h.calls).toEqual([APPLY_CALLS[type]]);
        expect(h.responses).toEqual([
          {
            url: RESPONSE_URL,
            // The pre-signed URL is signed without a content type.
            headers: expect.objectContaining({ 'content-type': '' }),
            body: {
              Status: 'SUCCESS',
              Reason: `applied ${type}`,
              PhysicalResourceId: physicalId(type),
              StackId: STACK_ID,
              RequestId: 'req-1',
              LogicalResourceId: `Guardrails${type}`,
            },
          },
        ]);
      }
    },
  );

  test("the settings are the environment's: another password policy there is applied as it is", async () => {
    const password = { ...SETTINGS.password, MinimumPasswordLength: 20 };
    const h = harness({ settings: { password } });
    await h.handler(cfnEvent('Update', 'password', HOSTILE_PROPERTIES));
    expect(h.calls).toEqual([{ command: 'UpdateAccountPasswordPolicyCommand', input: password }]);
  });

  test('a setting that is not enabled in the function is not applied: FAILED', async () => {
    const h = harness({ settings: { ebs: true } });
    const result = await h.handler(cfnEvent('Create', 's3'));
    expect(h.calls).toEqual([]);
    expect(result).toEqual({ Status: 'FAILED', Reason: 's3 is not enabled in this function' });
    expect(h.responses[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: physicalId('s3') });
  });

  test('an unknown resource type or another stack: FAILED, nothing called', async () => {
    for (const extra of [{ ResourceType: 'Custom::AWS' }, { ResourceType: 'constructor' }]) {
      const h = harness();
      expect((await h.handler(cfnEvent('Create', 's3', extra))).Reason).toBe(
        `unknown resource type ${extra.ResourceType}`,
      );
      expect(h.calls).toEqual([]);
    }
    const h = harness({ revert: true });
    const other = STACK_ID.replace('stack/Test/', 'stack/Other/');
    const result = await h.handler(cfnEvent('Delete', 's3', { StackId: other }));
    expect(result).toEqual({ Status: 'FAILED', Reason: `not an event of this function's stack: ${other}` });
    expect(h.calls).toEqual([]);
    expect(h.responses[0].body).toMatchObject({ Status: 'FAILED', StackId: other });
  });

  test('an SDK error is reported as FAILED with its message, and the response is still sent', async () => {
    const h = harness({
      failing: { command: 'UpdateAccountPasswordPolicyCommand', error: new Error('AccessDenied: not allowed') },
    });
    const result = await h.handler(cfnEvent('Create', 'password'));
    expect(result).toEqual({ Status: 'FAILED', Reason: 'AccessDenied: not allowed' });
    expect(h.responses).toHaveLength(1);
    expect(h.responses[0].body).toMatchObject({ Status: 'FAILED', Reason: 'AccessDenied: not allowed' });
  });

  test('a response PUT that is refused makes the invocation fail, so that Lambda retries it', async () => {
    const h = harness({ responseStatus: 403 });
    await expect(h.handler(cfnEvent('Create', 'ebs'))).rejects.toThrow('response PUT: HTTP 403');
  });

  test('no response to a URL that is not https', async () => {
    const h = harness();
    await h.handler(cfnEvent('Create', 'ebs', { ResponseURL: 'http://169.254.169.254/latest' }));
    expect(h.calls).toHaveLength(1);
    expect(h.responses).toEqual([]);
  });
});

describe('Delete', () => {
  const deleting = (type: keyof typeof GUARDRAIL_RESOURCE_TYPES, status = 'DELETE_IN_PROGRESS') => ({
    LogicalResourceId: `Guardrails${type}`,
    ResourceType: GUARDRAIL_RESOURCE_TYPES[type],
    PhysicalResourceId: physicalId(type),
    ResourceStatus: status,
  });

  test('without revertOnDelete: the setting stays, no call, SUCCESS', async () => {
    const h = harness({ revert: false });
    const result = await h.handler(cfnEvent('Delete', 's3'));
    expect(result).toEqual({ Status: 'SUCCESS', Reason: 'left s3 in place (revertOnDelete is off)' });
    expect(h.calls).toEqual([]);
    expect(h.responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId('s3') });
  });

  test.each([
    ['s3', 'DeletePublicAccessBlockCommand', { AccountId: '111122223333' }],
    ['ebs', 'DisableEbsEncryptionByDefaultCommand', {}],
    ['password', 'DeleteAccountPasswordPolicyCommand', {}],
  ] as const)(
    'with revertOnDelete, while CloudFormation deletes the resource: %s is reverted after the check',
    async (type, command, input) => {
      const h = harness({ revert: true, describe: deleting(type) });
      const result = await h.handler(cfnEvent('Delete', type));
      expect(result).toEqual({ Status: 'SUCCESS', Reason: `reverted ${type}` });
      expect(h.calls).toEqual([
        {
          command: 'DescribeStackResourceCommand',
          input: { StackName: STACK_ID, LogicalResourceId: `Guardrails${type}` },
        },
        { command, input },
      ]);
      expect(h.responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId(type) });
    },
  );

  test.each(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_IN_PROGRESS', 'DELETE_COMPLETE'])(
    'refused when the stack says %s: a direct invocation cannot revert',
    async (status) => {
      const h = harness({ revert: true, describe: deleting('s3', status) });
      const result = await h.handler(cfnEvent('Delete', 's3'));
      expect(result.Status).toBe('FAILED');
      expect(result.Reason).toBe(
        `refused to revert: CloudFormation is not deleting Guardrailss3 (found ${GUARDRAIL_RESOURCE_TYPES.s3}, ${physicalId('s3')}, ${status})`,
      );
      expect(h.calls.map((c) => c.command)).toEqual(['DescribeStackResourceCommand']);
      expect(h.responses[0].body).toMatchObject({ Status: 'FAILED' });
    },
  );

  test("refused when the logical id being deleted is another resource, or another function's", async () => {
    // Another resource of the stack that is being deleted, named in a crafted event.
    const other = { ...deleting('s3'), ResourceType: 'AWS::SNS::Topic', PhysicalResourceId: 'arn:aws:sns:x' };
    let h = harness({ revert: true, describe: other });
    expect((await h.handler(cfnEvent('Delete', 's3'))).Status).toBe('FAILED');
    expect(h.calls.map((c) => c.command)).toEqual(['DescribeStackResourceCommand']);
    // The same setting of another AccountGuardrails (another owner) in the stack.
    h = harness({
      revert: true,
      describe: { ...deleting('s3'), PhysicalResourceId: 's3-account-public-access-block-x' },
    });
    expect((await h.handler(cfnEvent('Delete', 's3'))).Status).toBe('FAILED');
    h = harness({ revert: true, describe: deleting('s3') });
    const result = await h.handler(
      cfnEvent('Delete', 's3', { PhysicalResourceId: 's3-account-public-access-block-x' }),
    );
    expect(result).toEqual({
      Status: 'FAILED',
      Reason: `refused to revert: s3-account-public-access-block-x is not ${physicalId('s3')}`,
    });
    expect(h.calls).toEqual([]);
  });

  test('the check failing (no permission, no such resource) refuses too', async () => {
    const h = harness({ revert: true, describe: new Error('Resource Guardrailss3 does not exist for stack Test') });
    const result = await h.handler(cfnEvent('Delete', 's3'));
    expect(result).toEqual({ Status: 'FAILED', Reason: 'Resource Guardrailss3 does not exist for stack Test' });
    expect(h.calls.map((c) => c.command)).toEqual(['DescribeStackResourceCommand']);
  });

  test('a setting no longer enabled (switched off) is still reverted on its deletion', async () => {
    const h = harness({ revert: true, settings: { ebs: true }, describe: deleting('password') });
    expect((await h.handler(cfnEvent('Delete', 'password'))).Status).toBe('SUCCESS');
    expect(h.calls.map((c) => c.command)).toEqual([
      'DescribeStackResourceCommand',
      'DeleteAccountPasswordPolicyCommand',
    ]);
  });
});
