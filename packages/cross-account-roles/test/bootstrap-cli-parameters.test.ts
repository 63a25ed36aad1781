import { BootstrapContract, DeploymentTrust } from '../src';
import { cliBootstrap, cliTemplate, refusals, stackAfter } from './cdk-cli-bootstrap';
import { PIPELINE_ACCOUNT, TRUST_PROPS } from './fixtures';

// What the pinned CDK CLI sends on `cdk bootstrap --template <ours>`, taken from the CLI's own bootstrap code
// (see cdk-cli-bootstrap.ts), checked the way CloudFormation checks parameters before it creates a change set.
// The invocations are the CLI's default, those of docs/runbooks/bootstrap-accounts.md (steps 3 and 8), and
// `--force` over a stack made with the CLI's own template: only the parameters are checked there. Such an update
// still fails on the resources (bootstrap-replacement.test.ts), which is why the runbook's step 7 deletes that
// stack and runs step 3 instead.

// The CLI parameters do not depend on the allow list; a short one keeps this file about them.
const template = JSON.parse(DeploymentTrust.renderBootstrapTemplate({ ...TRUST_PROPS, allowedServices: ['s3'] }));
// Runbook step 3: `cdk bootstrap aws://ACCOUNT/REGION --template FILE --qualifier hnb659fds --termination-protection`
const RUNBOOK = { template, parameters: { qualifier: 'hnb659fds' }, terminationProtection: true };
const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';

describe('cdk bootstrap --template: every value the CLI sends is accepted', () => {
  test('default invocation on a new account: the CLI sends FileAssetsBucketKmsKeyId AWS_MANAGED_KEY, and it is accepted', async () => {
    const result = await cliBootstrap({ template });
    // Guards the harness: the CLI itself chose this value (no key option, no previous stack).
    expect(result.sent).toContainEqual({ ParameterKey: 'FileAssetsBucketKmsKeyId', ParameterValue: 'AWS_MANAGED_KEY' });
    expect(refusals(template, result)).toEqual([]);
    // Whatever the CLI sends, the template keeps its own customer managed key.
    expect(Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::KMS::Key')).toHaveLength(1);
  });

  test.each([
    ['runbook step 3', {}],
    ['runbook step 3 with --no-execute', { noExecute: true }],
  ])('%s on a new account', async (_name, extra) => {
    const result = await cliBootstrap({ ...RUNBOOK, ...extra });
    expect(result.values).toMatchObject({
      Qualifier: 'hnb659fds',
      FileAssetsBucketKmsKeyId: 'AWS_MANAGED_KEY',
      TrustedAccounts: '',
      CloudFormationExecutionPolicies: '',
      PublicAccessBlockConfiguration: 'true',
    });
    expect(refusals(template, result)).toEqual([]);
  });

  test('runbook step 8: re-run over a stack bootstrapped with this template (previous values reused)', async () => {
    const first = await cliBootstrap(RUNBOOK);
    const result = await cliBootstrap({ ...RUNBOOK, existing: stackAfter(first, template) });
    expect(result.sent).toContainEqual({ ParameterKey: 'FileAssetsBucketKmsKeyId', UsePreviousValue: true });
    expect(refusals(template, result)).toEqual([]);
  });

  test('parameters only: --force over a default CLI bootstrap (`cdk bootstrap` with no options) sends accepted values', async () => {
    const cli = await cliTemplate();
    const previous = stackAfter(await cliBootstrap({}), cli);
    expect(previous.parameters.FileAssetsBucketKmsKeyId).toBe('AWS_MANAGED_KEY');
    const result = await cliBootstrap({ ...RUNBOOK, force: true, existing: previous });
    expect(refusals(template, result)).toEqual([]);
  });

  test('parameters only: --force --no-previous-parameters over a default CLI bootstrap sends the Groundwork variant', async () => {
    const previous = stackAfter(await cliBootstrap({}), await cliTemplate());
    const result = await cliBootstrap({ ...RUNBOOK, force: true, noPreviousParameters: true, existing: previous });
    expect(refusals(template, result)).toEqual([]);
    expect(result.values.BootstrapVariant).toBe(BootstrapContract.BOOTSTRAP_VARIANT);
  });

  test('--trust-for-lookup with the pipeline account (allowed by the runbook)', async () => {
    const result = await cliBootstrap({
      ...RUNBOOK,
      parameters: { ...RUNBOOK.parameters, trustedAccountsForLookup: [PIPELINE_ACCOUNT] },
    });
    expect(refusals(template, result)).toEqual([]);
  });
});

describe('cdk bootstrap --template: options that would widen the trust are refused by CloudFormation', () => {
  test.each<[string, object, RegExp]>([
    [
      '--bootstrap-kms-key-id <key>',
      { kmsKeyId: 'arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      /^FileAssetsBucketKmsKeyId: 'arn:aws:kms:.*' is not one of/,
    ],
    ['--bootstrap-bucket-name', { bucketName: 'my-bucket' }, /^FileAssetsBucketName: 'my-bucket' is not one of/],
    ['--custom-permissions-boundary', { customPermissionsBoundary: 'open' }, /^InputPermissionsBoundary: 'open'/],
    [
      '--no-public-access-block-configuration',
      { publicAccessBlockConfiguration: false },
      /^PublicAccessBlockConfiguration: 'false'/,
    ],
    ['--trust-for-lookup <other account>', { trustedAccountsForLookup: ['999999999999'] }, /^rule: --trust-for-lookup/],
    [
      '--trust <other account> --cloudformation-execution-policies AdministratorAccess',
      { trustedAccounts: ['999999999999'], cloudFormationExecutionPolicies: [ADMINISTRATOR_ACCESS] },
      /^rule: --trust may only name the pipeline account/,
    ],
  ])('%s', async (_name, parameters, refusal) => {
    const result = await cliBootstrap({ ...RUNBOOK, parameters: { ...RUNBOOK.parameters, ...parameters } });
    const found = refusals(template, result);
    expect(found.length).toBeGreaterThan(0);
    expect(found).toContainEqual(expect.stringMatching(refusal));
  });

  test('parameters only: --force over a CLI bootstrap made with --trust and AdministratorAccess, the rules refuse the carried-over policies until cleared', async () => {
    const previous = stackAfter(
      await cliBootstrap({
        parameters: { trustedAccounts: [PIPELINE_ACCOUNT], cloudFormationExecutionPolicies: [ADMINISTRATOR_ACCESS] },
      }),
      await cliTemplate(),
    );
    const carried = await cliBootstrap({ ...RUNBOOK, force: true, existing: previous });
    expect(carried.values.CloudFormationExecutionPolicies).toBe(ADMINISTRATOR_ACCESS);
    expect(refusals(template, carried)).toEqual([
      expect.stringMatching(
        /^rule: --cloudformation-execution-policies is not supported.*cannot be updated to this one: delete it and bootstrap again, bootstrap runbook step 7/,
      ),
    ]);
    // `--trust '' --cloudformation-execution-policies ''`: yargs passes [''], which the CLI reads as an empty list.
    const cleared = await cliBootstrap({
      ...RUNBOOK,
      force: true,
      existing: previous,
      parameters: { ...RUNBOOK.parameters, trustedAccounts: [], cloudFormationExecutionPolicies: [] },
    });
    expect(refusals(template, cleared)).toEqual([]);
    // All of these flags at once over that bootstrap: accepted, and the variant is ours.
    const allFlags = await cliBootstrap({
      ...RUNBOOK,
      force: true,
      noPreviousParameters: true,
      existing: previous,
      parameters: { ...RUNBOOK.parameters, trustedAccounts: [], cloudFormationExecutionPolicies: [] },
    });
    expect(refusals(template, allFlags)).toEqual([]);
    expect(allFlags.values.BootstrapVariant).toBe(BootstrapContract.BOOTSTRAP_VARIANT);
  });
});
