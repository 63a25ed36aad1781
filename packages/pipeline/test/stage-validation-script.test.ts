process.env.CDK_VALIDATION = 'false';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, CfnCondition, CfnOutput, Fn, Stack, Stage } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { STAGE_VALIDATION_SCRIPT } from '../src/private/stage-validation-step';

/**
 * The post-deployment script as CodeBuild runs it (`sh`, with jq), against a stage's real cloud assembly
 * and a stand-in `aws` command that records its calls and keeps each stack's termination protection in a
 * file. Nothing here calls AWS.
 */
const FAKE_AWS = `#!/bin/sh
echo "$AWS_ACCESS_KEY_ID|$*" >> "$FAKE_STATE/calls"
stack=""; prev=""
for arg in "$@"; do [ "$prev" = "--stack-name" ] && stack="$arg"; prev="$arg"; done
case "$1 $2" in
  "sts get-caller-identity")
    echo 111111111111;;
  "sts assume-role")
    echo '{"AccessKeyId":"DEPLOYROLE","SecretAccessKey":"s","SessionToken":"t"}';;
  "cloudformation update-termination-protection")
    [ -e "$FAKE_STATE/refuse-update" ] && exit 254
    touch "$FAKE_STATE/protected-$stack"; echo '{}';;
  "cloudformation describe-stacks")
    protected=false; [ -e "$FAKE_STATE/protected-$stack" ] && protected=true
    status=UPDATE_COMPLETE; [ -e "$FAKE_STATE/status-$stack" ] && status=$(cat "$FAKE_STATE/status-$stack")
    echo "{\\"Stacks\\":[{\\"StackName\\":\\"$stack\\",\\"StackStatus\\":\\"$status\\",\\"EnableTerminationProtection\\":$protected,\\"Outputs\\":[{\\"OutputKey\\":\\"QueueUrl\\",\\"OutputValue\\":\\"u\\"}]}]}";;
  *) echo "unexpected aws $*" >&2; exit 2;;
esac
`;

const ACCOUNT = '222222222222';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  /** `<access key>|<aws arguments>` per call. */
  readonly calls: string[];
}

describe('the stage validation script', () => {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'stage-validation-')) });
  const stage = new Stage(app, 'prod', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const stacks = ['Network', 'Scratch'].map((name) => {
    const stack = new Stack(stage, name, { stackName: `example-prod-${name.toLowerCase()}` });
    const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
    new CfnOutput(stack, 'QueueUrl', { value: queue.queueUrl });
    return stack;
  });
  const [network, scratch] = stacks;
  app.synth();
  const assemblyDir = path.relative(app.outdir, stage.outdir);

  function run(env: { [name: string]: string }, setup: (state: string) => void = () => {}, cwd = app.outdir): Run {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-validation-run-'));
    const bin = path.join(work, 'bin');
    const state = path.join(work, 'state');
    fs.mkdirSync(bin);
    fs.mkdirSync(state);
    fs.writeFileSync(path.join(bin, 'aws'), FAKE_AWS, { mode: 0o755 });
    setup(state);
    const result = spawnSync('sh', ['-c', STAGE_VALIDATION_SCRIPT], {
      cwd,
      encoding: 'utf-8',
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        FAKE_STATE: state,
        QUALIFIER: 'hnb659fds',
        PARTITION: 'aws',
        STAGE_ASSEMBLY: assemblyDir,
        ...env,
      },
    });
    const callsFile = path.join(state, 'calls');
    const calls = fs.existsSync(callsFile) ? fs.readFileSync(callsFile, 'utf-8').trim().split('\n') : [];
    fs.rmSync(work, { recursive: true, force: true });
    return { status: result.status, stdout: result.stdout + result.stderr, calls };
  }

  test('protection only: turns it on for the named stacks, as the deploy role, and checks it', () => {
    const result = run({ VALIDATE: 'false', PROTECT_STACKS: network.artifactId });
    expect(result.stdout).toContain('OK example-prod-network termination protection on');
    expect(result.status).toBe(0);
    expect(result.calls).toEqual([
      `|sts assume-role --role-arn arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-eu-west-1 --role-session-name groundwork-validation --query Credentials --output json`,
      'DEPLOYROLE|cloudformation update-termination-protection --region eu-west-1 --stack-name example-prod-network --enable-termination-protection',
      'DEPLOYROLE|cloudformation describe-stacks --region eu-west-1 --stack-name example-prod-network --output json',
    ]);
    // The unprotected stack is left alone, and neither status nor outputs are checked.
    expect(result.stdout).not.toContain('example-prod-scratch');
    expect(result.stdout).not.toContain('UPDATE_COMPLETE');
  });

  test('fails when protection cannot be turned on, or is still off afterwards', () => {
    const refused = run({ VALIDATE: 'false', PROTECT_STACKS: network.artifactId }, (state) =>
      fs.writeFileSync(path.join(state, 'refuse-update'), ''),
    );
    expect(refused.stdout).toContain('FAIL cannot turn on termination protection of example-prod-network');
    expect(refused.stdout).toContain('FAIL example-prod-network termination protection is off');
    expect(refused.status).not.toBe(0);
  });

  test('fails on a protected stack id that the stage does not have', () => {
    const result = run({ VALIDATE: 'false', PROTECT_STACKS: 'prodNoSuchStack' });
    expect(result.stdout).toContain('FAIL stack prodNoSuchStack is not in');
    expect(result.status).not.toBe(0);
  });

  test('validation with protection: every stack validated, only the named one protected', () => {
    const result = run({ PROTECT_STACKS: network.artifactId });
    expect(result.status).toBe(0);
    for (const name of ['example-prod-network', 'example-prod-scratch']) {
      expect(result.stdout).toContain(`OK ${name} UPDATE_COMPLETE`);
      expect(result.stdout).toContain(`OK ${name} output QueueUrl`);
    }
    expect(result.calls.filter((c) => c.includes('update-termination-protection'))).toEqual([
      expect.stringContaining('--stack-name example-prod-network'),
    ]);
  });

  // A run that changes nothing leaves a stack whose last update or import rolled back in that stable state:
  // the stage rollback's own run of the last good revision, or a revert, must still validate.
  test.each(['UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE', 'CREATE_COMPLETE'])(
    'accepts a stack in the stable state %s',
    (status) => {
      const result = run({}, (state) => fs.writeFileSync(path.join(state, `status-${network.stackName}`), status));
      expect(result.stdout).toContain(`OK ${network.stackName} ${status}`);
      expect(result.status).toBe(0);
    },
  );

  test.each([
    'UPDATE_ROLLBACK_FAILED',
    'ROLLBACK_COMPLETE',
    'UPDATE_IN_PROGRESS',
    'CREATE_FAILED',
    'IMPORT_ROLLBACK_FAILED',
  ])('fails a stack in %s, which is not stable or not usable', (status) => {
    const result = run({}, (state) => fs.writeFileSync(path.join(state, `status-${network.stackName}`), status));
    expect(result.stdout).toContain(`FAIL ${network.stackName} is ${status}`);
    expect(result.stdout).toContain(`OK ${scratch.stackName} UPDATE_COMPLETE`);
    expect(result.status).not.toBe(0);
  });

  test('an environment-agnostic stack is looked up in the pipeline account and region, where CDK Pipelines deploys it', () => {
    const agnosticApp = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'stage-validation-agnostic-')) });
    const agnostic = new Stage(agnosticApp, 'dev');
    const stack = new Stack(agnostic, 'Api', { stackName: 'example-dev-api' });
    new CfnOutput(stack, 'QueueUrl', { value: new sqs.Queue(stack, 'Queue', { enforceSSL: true }).queueUrl });
    agnosticApp.synth();
    const result = run(
      { STAGE_ASSEMBLY: path.relative(agnosticApp.outdir, agnostic.outdir), AWS_REGION: 'eu-central-1' },
      () => {},
      agnosticApp.outdir,
    );
    expect(result.stdout).toContain('OK example-dev-api UPDATE_COMPLETE');
    expect(result.status).toBe(0);
    expect(result.calls).toEqual([
      expect.stringMatching(/^\|sts get-caller-identity/),
      expect.stringContaining(
        '|sts assume-role --role-arn arn:aws:iam::111111111111:role/cdk-hnb659fds-deploy-role-111111111111-eu-central-1',
      ),
      expect.stringMatching(
        /^DEPLOYROLE\|cloudformation describe-stacks --region eu-central-1 --stack-name example-dev-api/,
      ),
    ]);
    fs.rmSync(agnosticApp.outdir, { recursive: true, force: true });
  });

  // CloudFormation creates an output with a Condition only when the condition is true, so describe-stacks
  // lacks it in the other case; the template alone cannot tell which. Only unconditional outputs are checked.
  test('checks every output without a Condition, and skips the outputs with one', () => {
    const outputsApp = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'stage-validation-outputs-')) });
    const outputsStage = new Stage(outputsApp, 'dev', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const api = new Stack(outputsStage, 'Api', { stackName: 'example-dev-api' });
    const queue = new sqs.Queue(api, 'Queue', { enforceSSL: true });
    new CfnOutput(api, 'QueueUrl', { value: queue.queueUrl });
    const inUsEast1 = new CfnCondition(api, 'InUsEast1', { expression: Fn.conditionEquals(Aws.REGION, 'us-east-1') });
    new CfnOutput(api, 'GlobalEndpoint', { value: queue.queueArn, condition: inUsEast1 });
    const other = new Stack(outputsStage, 'Other', { stackName: 'example-dev-other' });
    new sqs.Queue(other, 'Queue', { enforceSSL: true });
    new CfnOutput(other, 'NotDeployed', { value: 'x' });
    outputsApp.synth();
    const result = run(
      { STAGE_ASSEMBLY: path.relative(outputsApp.outdir, outputsStage.outdir) },
      () => {},
      outputsApp.outdir,
    );
    // The stand-in returns QueueUrl only, as CloudFormation would in eu-west-1.
    expect(result.stdout).toContain('OK example-dev-api output QueueUrl');
    expect(result.stdout).not.toContain('GlobalEndpoint missing');
    expect(result.stdout).toContain('SKIP example-dev-api output GlobalEndpoint has a Condition: not checked');
    // An output without a Condition is still required.
    expect(result.stdout).toContain('FAIL example-dev-other output NotDeployed missing');
    expect(result.status).not.toBe(0);
    fs.rmSync(outputsApp.outdir, { recursive: true, force: true });
  });

  test('validation alone, as before: no protection call', () => {
    const result = run({});
    expect(result.status).toBe(0);
    expect(result.calls.filter((c) => c.includes('update-termination-protection'))).toEqual([]);
    expect(result.calls.filter((c) => c.includes('describe-stacks'))).toHaveLength(2);
    expect(result.stdout).toContain(`OK ${scratch.stackName} UPDATE_COMPLETE`);
  });
});
