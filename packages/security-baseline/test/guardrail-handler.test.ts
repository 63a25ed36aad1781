import * as vm from 'vm';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountGuardrails } from '../src';
import { newStack } from './util';
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
  /** The fake clock's time (ms since the invocation started) at each SDK call. */
  readonly callTimes: number[];
  /** The abortSignal given to each SDK call. */
  readonly abortSignals: (AbortSignal | undefined)[];
  /** Every response PUT: URL, headers and parsed body. */
  readonly responses: { url: string; headers: any; body: any }[];
  /** Every response PUT's body as sent. */
  readonly sent: string[];
  /** Every line the function logged. */
  readonly logs: string[];
  /** The fake clock: ms since the invocation started. */
  readonly clock: { now: number };
  /** Runs, in time order, the timers still set when the handler returned (as while the response is sent, or later). */
  readonly runLeftoverTimers: () => Promise<void>;
}

/** The Lambda timeout AccountGuardrails sets (checked in account-guardrails.test.ts). */
const FUNCTION_TIMEOUT_MS = 60_000;

function harness(
  options: {
    revert?: boolean;
    settings?: object;
    /** What DescribeStackResource returns (StackResourceDetail), or an error to throw. */
    describe?: object | Error;
    /** HTTP status of the response PUT. */
    responseStatus?: number;
    /** An SDK command that fails, with its error: every time, or only its first `times` calls. */
    failing?: { command: string; error: Error; times?: number };
    /** An SDK command that never answers. */
    hanging?: string;
    /** An SDK command that answers only after `ms` (and ignores its abortSignal). */
    slow?: { command: string; ms: number };
    /** The function's Lambda timeout. */
    timeoutMs?: number;
    /** The function's whole environment, instead of one built from the options above. */
    env?: { [name: string]: string };
    /** The deployed code, instead of GUARDRAIL_HANDLER_CODE. */
    code?: string;
  } = {},
): Harness {
  const calls: Call[] = [];
  const callTimes: number[] = [];
  const abortSignals: (AbortSignal | undefined)[] = [];
  const responses: { url: string; headers: any; body: any }[] = [];
  const sent: string[] = [];
  const logs: string[] = [];
  // A fake clock: the code's timers and the Lambda context's remaining time. Time moves only when the
  // code waits on nothing but timers, to the earliest one: no real waiting.
  const clock = { now: 0 };
  let timers: { id: number; due: number; fn: () => void }[] = [];
  let nextTimer = 1;
  const context = { getRemainingTimeInMillis: () => (options.timeoutMs ?? FUNCTION_TIMEOUT_MS) - clock.now };
  let failures = 0;
  const fakeModule = (client: string, commands: string[]) => {
    const m: any = {
      [client]: class {
        async send(command: { name: string; input: any }, sendOptions?: { abortSignal?: AbortSignal }) {
          calls.push({ command: command.name, input: command.input });
          callTimes.push(clock.now);
          abortSignals.push(sendOptions?.abortSignal);
          if (options.hanging === command.name) return new Promise(() => {});
          if (options.slow?.command === command.name) {
            const ms = options.slow.ms;
            await new Promise((resolve) =>
              timers.push({ id: nextTimer++, due: clock.now + ms, fn: () => resolve(undefined) }),
            );
          }
          if (options.failing?.command === command.name && failures < (options.failing.times ?? Infinity)) {
            failures++;
            throw options.failing.error;
          }
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
            sent.push(data);
            responses.push({ url, headers: requestOptions.headers, body: JSON.parse(data) });
            callback(res);
            end();
          },
        };
      },
    },
  };
  const module = { exports: {} as any };
  vm.runInNewContext(options.code ?? GUARDRAIL_HANDLER_CODE, {
    module,
    exports: module.exports,
    require: (name: string) => {
      if (!(name in modules)) throw new Error(`unexpected require ${name}`);
      return modules[name];
    },
    process: {
      env: options.env ?? {
        [GUARDRAIL_ENV.settings]: JSON.stringify(options.settings ?? SETTINGS),
        [GUARDRAIL_ENV.revert]: String(options.revert ?? false),
        [GUARDRAIL_ENV.stackId]: STACK_ID,
        [GUARDRAIL_ENV.accountId]: '111122223333',
        [GUARDRAIL_ENV.owner]: OWNER,
      },
    },
    console: { log: (line: string) => logs.push(line) },
    Buffer,
    AbortController,
    setTimeout: (fn: () => void, ms: number) => {
      const id = nextTimer++;
      timers.push({ id, due: clock.now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout: (id: number) => {
      timers = timers.filter((t) => t.id !== id);
    },
  });
  const handler = async (event: any) => {
    const invocation: Promise<any> = module.exports.handler(event, context);
    let settled = false;
    invocation.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      // Every fake call answers in microtasks: after a macrotask, the code waits on timers or is done.
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return invocation;
      timers.sort((a, b) => a.due - b.due);
      const next = timers.shift();
      if (next === undefined) throw new Error('the handler waits on something that never answers, and on no timer');
      clock.now = next.due;
      next.fn();
    }
  };
  const runLeftoverTimers = async () => {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      timers.sort((a, b) => a.due - b.due);
      const next = timers.shift();
      if (next === undefined) return;
      clock.now = next.due;
      next.fn();
    }
  };
  return { handler, calls, callTimes, abortSignals, responses, sent, logs, clock, runLeftoverTimers };
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
    expect(h.responses[0].body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: `${physicalId('s3')}-create-failed`,
    });
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

  test('the response body stays within the 4,096 bytes CloudFormation accepts, a long reason cut short', async () => {
    // Control characters take 6 bytes each in JSON: 1,000 of them alone would be 6,000 bytes.
    const message = '\u0007'.repeat(3000);
    const deleting = {
      LogicalResourceId: 'Guardrailss3',
      ResourceType: GUARDRAIL_RESOURCE_TYPES.s3,
      PhysicalResourceId: physicalId('s3'),
      ResourceStatus: 'DELETE_IN_PROGRESS',
    };
    for (const [command, event] of [
      ['PutPublicAccessBlockCommand', cfnEvent('Create', 's3')],
      ['DeletePublicAccessBlockCommand', cfnEvent('Delete', 's3')],
    ] as const) {
      const h = harness({ revert: true, describe: deleting, failing: { command, error: new Error(message) } });
      const result = await h.handler(event);
      expect(result.Status).toBe('FAILED');
      const bytes = Buffer.byteLength(h.sent[0]);
      expect(bytes).toBeLessThanOrEqual(4096);
      expect(h.responses[0].headers['content-length']).toBe(bytes);
      // Cut, not dropped: as much of the reason as fits.
      expect(bytes).toBeGreaterThan(4096 - 6);
      expect(h.responses[0].body.Reason.length).toBeGreaterThan(500);
      expect(message.startsWith(h.responses[0].body.Reason)).toBe(true);
      expect(result.Reason).toBe(h.responses[0].body.Reason);
    }
  });

  test("a failed Update keeps the resource's physical id; a successful one takes the function's", async () => {
    let h = harness({ failing: { command: 'EnableEbsEncryptionByDefaultCommand', error: new Error('Throttling') } });
    await h.handler(cfnEvent('Update', 'ebs', { PhysicalResourceId: 'ebs-encryption-by-default-old' }));
    expect(h.responses[0].body).toMatchObject({
      Status: 'FAILED',
      PhysicalResourceId: 'ebs-encryption-by-default-old',
    });
    // A resource left over from a failed creation (rollback disabled) becomes the function's when it applies.
    h = harness();
    await h.handler(cfnEvent('Update', 'ebs', { PhysicalResourceId: `${physicalId('ebs')}-create-failed` }));
    expect(h.responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: physicalId('ebs') });
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

const REFUSED_S3 =
  "refused to revert s3: could not confirm that CloudFormation is deleting Guardrailss3 (details in the function's log)";

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
      // The caller learns nothing of the stack (type, physical id, status); the function's log has it.
      expect(result).toEqual({ Status: 'FAILED', Reason: REFUSED_S3 });
      expect(h.calls.map((c) => c.command)).toEqual(['DescribeStackResourceCommand']);
      expect(h.responses[0].body).toMatchObject({ Status: 'FAILED', Reason: REFUSED_S3 });
      expect(h.logs.map((l) => JSON.parse(l))).toContainEqual({
        refusedRevert: 'Guardrailss3',
        found: {
          resourceType: GUARDRAIL_RESOURCE_TYPES.s3,
          physicalResourceId: physicalId('s3'),
          resourceStatus: status,
        },
      });
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
    // An event naming another function's resource: not this function's to revert.
    h = harness({ revert: true, describe: deleting('s3') });
    const result = await h.handler(
      cfnEvent('Delete', 's3', { PhysicalResourceId: 's3-account-public-access-block-x' }),
    );
    expect(result).toEqual({
      Status: 'SUCCESS',
      Reason: `nothing to revert: s3-account-public-access-block-x is not ${physicalId('s3')}, so it never applied s3`,
    });
    expect(h.calls).toEqual([]);
  });

  // CloudFormation deletes a resource whose creation failed with the FAILED response's physical id
  // (aws-cdk#5525), and one whose creation it cancelled with an id it generates
  // (cloudformation-coverage-roadmap#1814). The setting may have been on before (by hand, by another stack).
  test('the rollback of a failed Create reverts nothing, even while CloudFormation deletes the resource', async () => {
    const failing = harness({
      revert: true,
      failing: { command: 'PutPublicAccessBlockCommand', error: new Error('AccessDenied') },
    });
    await failing.handler(cfnEvent('Create', 's3'));
    const failedId = failing.responses[0].body.PhysicalResourceId;
    expect(failedId).not.toBe(physicalId('s3'));

    const h = harness({ revert: true, describe: { ...deleting('s3'), PhysicalResourceId: failedId } });
    const result = await h.handler(cfnEvent('Delete', 's3', { PhysicalResourceId: failedId }));
    expect(result.Status).toBe('SUCCESS');
    expect(result.Reason).toMatch(/^nothing to revert: /);
    expect(h.calls).toEqual([]);
    expect(h.responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: failedId });
  });

  test('the rollback of a cancelled Create (an id CloudFormation generated) reverts nothing and succeeds', async () => {
    for (const revert of [true, false]) {
      const generated = 'Test-Guardrailspassword-1ABCDEF2GHIJ3';
      const h = harness({ revert, describe: { ...deleting('password'), PhysicalResourceId: generated } });
      const result = await h.handler(cfnEvent('Delete', 'password', { PhysicalResourceId: generated }));
      expect(result.Status).toBe('SUCCESS');
      expect(h.calls).toEqual([]);
      expect(h.responses[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: generated });
    }
  });

  test.each([
    ['password', 'DeleteAccountPasswordPolicyCommand', 'NoSuchEntityException'],
    ['s3', 'DeletePublicAccessBlockCommand', 'NoSuchPublicAccessBlockConfiguration'],
  ] as const)(
    'a %s setting already reverted (by hand, by another stack, by a retried event) counts as reverted',
    async (type, command, name) => {
      const absent = Object.assign(new Error('The account policy cannot be found.'), { name });
      const h = harness({ revert: true, describe: deleting(type), failing: { command, error: absent } });
      const result = await h.handler(cfnEvent('Delete', type));
      expect(result).toEqual({ Status: 'SUCCESS', Reason: `reverted ${type} (it was already absent)` });
      expect(h.calls.map((c) => c.command)).toEqual(['DescribeStackResourceCommand', command]);
    },
  );

  test('any other revert error, or the other setting\'s "absent" error, still fails the deletion', async () => {
    // (A denied revert fails too, after its retries: see below.)
    for (const name of ['ServiceFailure', 'NoSuchPublicAccessBlockConfiguration']) {
      const error = Object.assign(new Error(`${name}: no`), { name });
      const h = harness({
        revert: true,
        describe: deleting('password'),
        failing: { command: 'DeleteAccountPasswordPolicyCommand', error },
      });
      expect(await h.handler(cfnEvent('Delete', 'password'))).toEqual({ Status: 'FAILED', Reason: `${name}: no` });
    }
  });

  test('the check failing (no permission, no such resource) refuses too, with the same answer', async () => {
    const message = 'Resource Guardrailss3 does not exist for stack Test';
    const h = harness({ revert: true, describe: Object.assign(new Error(message), { name: 'ValidationError' }) });
    const result = await h.handler(cfnEvent('Delete', 's3'));
    // Not CloudFormation's message: it would tell a direct caller which logical ids the stack has.
    expect(result).toEqual({ Status: 'FAILED', Reason: REFUSED_S3 });
    expect(h.calls.map((c) => c.command)).toEqual(['DescribeStackResourceCommand']);
    expect(h.logs.map((l) => JSON.parse(l))).toContainEqual({ refusedRevert: 'Guardrailss3', checkFailed: message });
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

/** An SDK error as AWS SDK for JavaScript v3 throws it: `name` is the service's error code. */
function sdkError(name: string, message = `${name}: not allowed`): Error {
  return Object.assign(new Error(message), { name });
}

describe('a call denied right after its policy was attached is retried, briefly', () => {
  // IAM is eventually consistent: the setting's policy, attached just before its resource is created,
  // may not authorize the function's first call yet.
  test.each([
    ['s3', 'PutPublicAccessBlockCommand', 'AccessDenied'],
    ['ebs', 'EnableEbsEncryptionByDefaultCommand', 'UnauthorizedOperation'],
    ['password', 'UpdateAccountPasswordPolicyCommand', 'AccessDenied'],
  ] as const)('%s: denied twice (%s, %s), applied on the third attempt', async (type, command, name) => {
    const h = harness({ failing: { command, error: sdkError(name), times: 2 } });
    const result = await h.handler(cfnEvent('Create', type));
    expect(result).toEqual({ Status: 'SUCCESS', Reason: `applied ${type}` });
    expect(h.calls).toEqual([APPLY_CALLS[type], APPLY_CALLS[type], APPLY_CALLS[type]]);
    // Backing off: 1 s, then 2 s.
    expect(h.callTimes).toEqual([0, 1000, 3000]);
    expect(h.responses.map((r) => r.body.Status)).toEqual(['SUCCESS']);
  });

  test('the check before a revert is retried too', async () => {
    const h = harness({
      revert: true,
      describe: {
        LogicalResourceId: 'Guardrailss3',
        ResourceType: GUARDRAIL_RESOURCE_TYPES.s3,
        PhysicalResourceId: physicalId('s3'),
        ResourceStatus: 'DELETE_IN_PROGRESS',
      },
      failing: { command: 'DescribeStackResourceCommand', error: sdkError('AccessDenied'), times: 1 },
    });
    expect(await h.handler(cfnEvent('Delete', 's3'))).toEqual({ Status: 'SUCCESS', Reason: 'reverted s3' });
    expect(h.calls.map((c) => c.command)).toEqual([
      'DescribeStackResourceCommand',
      'DescribeStackResourceCommand',
      'DeletePublicAccessBlockCommand',
    ]);
  });

  test("still denied after 5 attempts (15 s): FAILED with the service's message", async () => {
    const h = harness({ failing: { command: 'PutPublicAccessBlockCommand', error: sdkError('AccessDenied') } });
    const result = await h.handler(cfnEvent('Create', 's3'));
    expect(h.callTimes).toEqual([0, 1000, 3000, 7000, 15000]);
    expect(result).toEqual({
      Status: 'FAILED',
      Reason: 'AccessDenied: not allowed (denied 5 times in 15 s)',
    });
    expect(h.responses[0].body).toMatchObject({ Status: 'FAILED', Reason: result.Reason });
  });

  test('any other error fails at once', async () => {
    for (const name of ['ValidationError', 'InvalidInput', 'ServiceFailure', 'Error']) {
      const h = harness({ failing: { command: 'UpdateAccountPasswordPolicyCommand', error: sdkError(name) } });
      expect(await h.handler(cfnEvent('Create', 'password'))).toEqual({
        Status: 'FAILED',
        Reason: `${name}: not allowed`,
      });
      expect(h.callTimes).toEqual([0]);
    }
  });

  test('no retry whose wait would pass the deadline: a function with less time gives up sooner', async () => {
    // 15 s of Lambda time leaves 5 s before the deadline: waits of 1 s and 2 s fit, the next (4 s) does not.
    const h = harness({
      timeoutMs: 15_000,
      failing: { command: 'PutPublicAccessBlockCommand', error: sdkError('AccessDenied') },
    });
    const result = await h.handler(cfnEvent('Create', 's3'));
    expect(h.callTimes).toEqual([0, 1000, 3000]);
    expect(result).toEqual({ Status: 'FAILED', Reason: 'AccessDenied: not allowed (denied 3 times in 3 s)' });
    expect(h.clock.now).toBe(3000);
  });
});

describe('an SDK call that never answers', () => {
  test.each([
    ['Create', 'PutPublicAccessBlockCommand', {}],
    ['Delete', 'DescribeStackResourceCommand', { revert: true }],
  ] as const)(
    '%s: FAILED 10 s before the Lambda timeout (%s hangs), not at the custom resource timeout',
    async (requestType, command, options) => {
      const h = harness({ ...options, hanging: command });
      const result = await h.handler(cfnEvent(requestType, 's3'));
      const reason = `${command} did not answer within 50 s: answered FAILED 10 s before the function's 60 s Lambda timeout`;
      expect(result).toEqual({ Status: 'FAILED', Reason: reason });
      expect(h.responses).toHaveLength(1);
      expect(h.responses[0].body).toMatchObject({ Status: 'FAILED', Reason: reason });
      expect(h.clock.now).toBe(FUNCTION_TIMEOUT_MS - 10_000);
    },
  );

  test('a check that answers after the deadline reverts nothing: the call in flight is aborted, none starts', async () => {
    // FAILED is answered at 50 s; DescribeStackResource answers (DELETE_IN_PROGRESS) at 55 s, during the
    // response PUT or in a later invocation of a reused environment: CloudFormation has DELETE_FAILED by then.
    const h = harness({
      revert: true,
      describe: {
        LogicalResourceId: 'Guardrailss3',
        ResourceType: GUARDRAIL_RESOURCE_TYPES.s3,
        PhysicalResourceId: physicalId('s3'),
        ResourceStatus: 'DELETE_IN_PROGRESS',
      },
      slow: { command: 'DescribeStackResourceCommand', ms: 55_000 },
    });
    const result = await h.handler(cfnEvent('Delete', 's3'));
    expect(result.Status).toBe('FAILED');
    expect(h.abortSignals.map((signal) => signal?.aborted)).toEqual([true]);
    await h.runLeftoverTimers();
    expect(h.clock.now).toBe(55_000);
    expect(h.calls.map((c) => c.command)).toEqual(['DescribeStackResourceCommand']);
    expect(h.responses.map((r) => r.body.Status)).toEqual(['FAILED']);
  });
});

describe('as AccountGuardrails deploys it', () => {
  // The code and environment from the synthesized template, with CloudFormation's values for its references:
  // the construct's settings, account and owner must be what the handler reads.
  test('each custom resource applies its setting, answers the physical id a later revert checks, and reverts', async () => {
    const stack = newStack();
    new AccountGuardrails(stack, 'Guardrails', {
      revertOnDelete: true,
      passwordPolicy: { minimumLength: 16, maxAgeDays: 0 },
    });
    const template = Template.fromStack(stack).toJSON();
    const fn = Object.values(template.Resources as { [id: string]: any }).find(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    const env: { [name: string]: string } = {};
    for (const [name, value] of Object.entries(fn.Properties.Environment.Variables as { [name: string]: any })) {
      env[name] = typeof value === 'string' ? value : value.Ref === 'AWS::StackId' ? STACK_ID : String(value);
    }
    const resources = Object.entries(template.Resources as { [id: string]: any }).filter(([, r]) =>
      Object.values(GUARDRAIL_RESOURCE_TYPES).includes(r.Type),
    );
    expect(resources).toHaveLength(3);
    const expected: { [type: string]: Call } = {
      [GUARDRAIL_RESOURCE_TYPES.s3]: APPLY_CALLS.s3,
      [GUARDRAIL_RESOURCE_TYPES.ebs]: APPLY_CALLS.ebs,
      [GUARDRAIL_RESOURCE_TYPES.password]: {
        command: 'UpdateAccountPasswordPolicyCommand',
        input: { ...SETTINGS.password, MinimumPasswordLength: 16, MaxPasswordAge: undefined },
      },
    };
    for (const [logicalId, resource] of resources) {
      const event = {
        RequestType: 'Create',
        ResponseURL: RESPONSE_URL,
        StackId: STACK_ID,
        RequestId: 'req-1',
        ResourceType: resource.Type,
        LogicalResourceId: logicalId,
        ResourceProperties: resource.Properties,
      };
      const created = harness({ env, code: fn.Properties.Code.ZipFile });
      expect(await created.handler(event)).toMatchObject({ Status: 'SUCCESS' });
      expect(JSON.parse(JSON.stringify(created.calls))).toEqual([JSON.parse(JSON.stringify(expected[resource.Type]))]);
      const id = created.responses[0].body.PhysicalResourceId;

      const deleted = harness({
        env,
        code: fn.Properties.Code.ZipFile,
        describe: {
          LogicalResourceId: logicalId,
          ResourceType: resource.Type,
          PhysicalResourceId: id,
          ResourceStatus: 'DELETE_IN_PROGRESS',
        },
      });
      const result = await deleted.handler({ ...event, RequestType: 'Delete', PhysicalResourceId: id });
      expect(result.Reason).toMatch(/^reverted /);
      expect(deleted.calls[0].input).toEqual({ StackName: STACK_ID, LogicalResourceId: logicalId });
    }
  });
});
