process.env.CDK_VALIDATION = 'false';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { DriftReconciler, DriftReconcilerEnvironment, DriftReconcilerProps } from '../src';
import { encodeProgram, gzip, reconcileScript } from '../src/private/drift-reconcile-script';

/*
 * The reconciler at scale: CodeBuild's 25,600-character inline buildspec and IAM's 6,144-character managed
 * policy, with as many reconciling environments as a pipeline holds and names as long as the platform's
 * configuration allows (32 characters).
 */

const PIPELINE_ENV = { account: '111111111111', region: 'eu-west-1' };
const BUILDSPEC_LIMIT = 25600;
const MANAGED_POLICY_LIMIT = 6144;
const ORG = 'acmeorganization';

/** A seeded generator (Park-Miller; the products stay exact in doubles): the same "random" names on every run. */
function generator(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

/** `length` characters that compress badly (letters and digits at random), starting with a letter. */
function randomName(random: () => number, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let name = 'e';
  while (name.length < length) name += alphabet[Math.floor(random() * alphabet.length)];
  return name;
}

/** `count` environments as the platform makes them: `<org>-<name>-<network|security|operations>`. */
function environments(count: number, nameLength: number, seed = 1): DriftReconcilerEnvironment[] {
  const random = generator(seed);
  const regions = ['eu-west-1', 'us-east-1', 'ap-southeast-2', 'eu-central-1'];
  return Array.from({ length: count }, (_, i) => {
    const name = randomName(random, nameLength);
    return {
      name,
      account: String(100000000000 + Math.floor(random() * 899999999999)),
      region: regions[i % regions.length],
      stackNames: ['network', 'security', 'operations'].map((s) => `${ORG}-${name}-${s}`),
    };
  });
}

function make(props: DriftReconcilerProps) {
  const app = new App();
  const stack = new Stack(app, 'Pipeline', { stackName: `${ORG}-platform`, env: PIPELINE_ENV });
  const reconciler = new DriftReconciler(stack, 'DriftReconciler', props);
  return { app, stack, reconciler };
}

function buildSpecOf(template: Template): string {
  return Object.values(template.findResources('AWS::CodeBuild::Project'))[0].Properties.Source.BuildSpec as string;
}

describe('DriftReconciler buildspec size', () => {
  test('100 reconciling environments with 32-character names fit well under CodeBuild’s 25,600 characters', () => {
    const envs = environments(100, 32);
    const { stack } = make({ environments: envs });
    const spec = buildSpecOf(Template.fromStack(stack));
    // Base64 of the plain program was about 51,500 characters here.
    expect(spec.length).toBeLessThan(BUILDSPEC_LIMIT * 0.6);
    // And the program is all there: the allow-list decoded from the buildspec is the one given.
    const encoded = /echo '([A-Za-z0-9+/=]+)' \| base64 -d \| gunzip > reconcile\.js/.exec(
      JSON.parse(spec).phases.build.commands[1],
    )![1];
    const program = zlib.gunzipSync(Buffer.from(encoded, 'base64')).toString('utf-8');
    expect(program).toBe(reconcileScript(envs, 'hnb659fds'));
  });

  test('twice a pipeline’s worth of reconciling environments (250, 32-character names) still fits', () => {
    // A pipeline holds at most 500 actions (CodePipeline's quota, which GitOpsPipeline enforces; Service Quotas
    // lists it as not adjustable), and a platform environment takes at least 4: about 125 environments. 250 is
    // twice that.
    const { stack } = make({ environments: environments(250, 32) });
    expect(buildSpecOf(Template.fromStack(stack)).length).toBeLessThan(BUILDSPEC_LIMIT);
  });

  test('synthesis fails, naming the environment count, when the buildspec would pass 25,600 characters', () => {
    // Stack names that share nothing compress badly: 30 environments of 10 such stacks are enough.
    const random = generator(8);
    const envs = environments(30, 63, 7).map((e) => ({
      ...e,
      stackNames: Array.from({ length: 10 }, () => `S${randomName(random, 120)}`),
    }));
    const { app } = make({ environments: envs });
    expect(() => app.synth()).toThrow(
      /the drift reconciler's inline buildspec is \d+ characters, over CodeBuild's limit of 25600: its program carries the allow-list of 30 reconciling environments \(300 stacks\)\. Reconcile fewer environments/,
    );
  });

  test('the build’s own command writes the program back with base64 and gunzip', () => {
    if (process.platform !== 'linux') return; // base64 -d and gunzip as on the CodeBuild image
    const envs = environments(3, 32);
    const { stack } = make({ environments: envs });
    const write: string = JSON.parse(buildSpecOf(Template.fromStack(stack))).phases.build.commands[1];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-'));
    execFileSync('sh', ['-c', write.split('/tmp/groundwork-reconcile').join(dir)]);
    expect(fs.readFileSync(path.join(dir, 'reconcile.js'), 'utf-8')).toBe(reconcileScript(envs, 'hnb659fds'));
  });
});

describe('the program’s gzip encoder', () => {
  test('depends on nothing but its input: the same bytes on every machine and Node.js version', () => {
    // node:zlib would give other bytes with another zlib build; these are pinned.
    expect(encodeProgram('drift drift drift drift reconcile reconcile')).toBe(
      gzip(Buffer.from('drift drift drift drift reconcile reconcile')).toString('base64'),
    );
    expect(gzip(Buffer.from('drift drift drift drift reconcile reconcile')).toString('hex')).toBe(PINNED_HEX);
    const program = reconcileScript(environments(20, 32), 'hnb659fds');
    expect(encodeProgram(program)).toBe(encodeProgram(program));
  });

  test.each([
    ['nothing', Buffer.alloc(0)],
    ['one byte', Buffer.from('x')],
    ['one byte repeated 100,000 times (longest matches, one distance code)', Buffer.alloc(100000, 0x61)],
    ['80,000 random bytes (no matches, every literal, past the 32 KiB window)', randomBytes(80000, 3)],
    ['text with matches far apart', Buffer.from(randomName(generator(5), 40000).repeat(3))],
    ['UTF-8 beyond ASCII', Buffer.from('dérive « réconciliée » ✓ '.repeat(50))],
  ])('gunzip gives back %s', (_what, data) => {
    expect(zlib.gunzipSync(gzip(data)).equals(data)).toBe(true);
  });

  test('gunzip gives back 500 random inputs of varied sizes and alphabets', () => {
    const random = generator(11);
    for (let i = 0; i < 500; i++) {
      const length = Math.floor(random() * (i % 25 === 0 ? 40000 : 2000));
      const alphabet = 1 + Math.floor(random() * 255);
      const data = Buffer.alloc(length);
      for (let k = 0; k < length; k++) {
        data[k] = k > 8 && random() < 0.4 ? data[k - 1 - Math.floor(random() * 8)] : Math.floor(random() * alphabet);
      }
      expect(zlib.gunzipSync(gzip(data)).equals(data)).toBe(true);
    }
  });
});

describe('DriftReconciler.startBuildPolicies', () => {
  /** The project's ARN as long as it can be here (partition aws-us-gov), for sizes as IAM counts them. */
  const LONGEST_ARN = `arn:aws-us-gov:codebuild:eu-west-1:111111111111:project/${ORG}-platform-drift-reconciler`;

  /**
   * The documents of the managed policies whose logical ids start with `prefix` (not the project role's own
   * overflow policy, which aws-cdk-lib splits off its deploy-role grants), with `arn` in place of the project's
   * Fn::GetAtt.
   */
  function policyDocuments(template: Template, prefix: string, arn = LONGEST_ARN): { [id: string]: any } {
    const projectId = Object.keys(template.findResources('AWS::CodeBuild::Project'))[0];
    const getAtt = JSON.stringify({ 'Fn::GetAtt': [projectId, 'Arn'] });
    return Object.fromEntries(
      Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))
        .filter(([id]) => id.startsWith(prefix))
        .map(([id, r]) => [
          id,
          JSON.parse(JSON.stringify(r.Properties.PolicyDocument).split(getAtt).join(JSON.stringify(arn))),
        ]),
    );
  }

  const allowedNames = (statement: any): string[] =>
    statement.Condition['ForAnyValue:StringEquals'][
      'codebuild:environment.environmentVariables/GROUNDWORK_RECONCILE_ENVIRONMENT.value'
    ];

  test('few environments: one policy, with the statements of startBuildStatements', () => {
    const { stack, reconciler } = make({ environments: environments(3, 8) });
    const policies = reconciler.startBuildPolicies(stack, 'DriftReconcilePolicy');
    expect(policies).toHaveLength(1);
    const template = Template.fromStack(stack);
    const [[id, policy]] = Object.entries(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(id).toMatch(/^DriftReconcilePolicy[0-9A-F]{8}$/);
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      stack.resolve(
        DriftReconciler.startBuildStatements(reconciler.projectArn, reconciler.environmentNames).map((s) => s.toJSON()),
      ),
    );
    expect(policy.Properties.Description).toBe(
      `Start ${ORG}-platform-drift-reconciler for the environments it reconciles, and nothing else`,
    );
  });

  test('100 environments with 32-character names: every policy within 6,144 characters, together exactly the listed environments', () => {
    const envs = environments(100, 32);
    const { stack, reconciler } = make({ environments: envs });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    // In one policy, as startBuildStatements gives them, they would not fit.
    const single = JSON.stringify(
      stack.resolve(
        new iam.PolicyDocument({
          statements: DriftReconciler.startBuildStatements(LONGEST_ARN, reconciler.environmentNames),
        }),
      ),
    );
    expect(single.length).toBeGreaterThan(MANAGED_POLICY_LIMIT);

    const policies = reconciler.startBuildPolicies(stack, 'DriftReconcilePolicy', { roles: [role] });
    expect(policies.length).toBeGreaterThan(1);
    const template = Template.fromStack(stack);
    const documents = policyDocuments(template, 'DriftReconcilePolicy');
    expect(Object.keys(documents)).toHaveLength(policies.length);
    for (const document of Object.values(documents)) {
      expect(JSON.stringify(document).length).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
    }
    const statements = Object.values(documents).flatMap((d) => d.Statement);
    const allows = statements.filter((s) => s.Effect === 'Allow');
    // Every Allow has the same shape as the single one: StartBuild on the project, only the two variables.
    for (const allow of allows) {
      expect(allow).toMatchObject({ Action: 'codebuild:StartBuild', Resource: LONGEST_ARN });
      expect(allow.Condition['ForAllValues:StringEquals']).toEqual({
        'codebuild:environment.environmentVariables.name': [
          'GROUNDWORK_RECONCILE_ENVIRONMENT',
          'GROUNDWORK_RECONCILE_STACKS',
        ],
      });
    }
    // Together they name each environment once, and no other.
    expect(allows.flatMap(allowedNames).sort()).toEqual(envs.map((e) => e.name).sort());
    // Each override Deny once, in some policy the role also has.
    const denied = statements.filter((s) => s.Effect === 'Deny').map((s) => Object.keys(s.Condition.Null)[0]);
    expect(denied.sort()).toEqual(
      stack
        .resolve(DriftReconciler.startBuildStatements('arn', ['x']).map((s) => s.toJSON()))
        .filter((s: any) => s.Effect === 'Deny')
        .map((s: any) => Object.keys(s.Condition.Null)[0])
        .sort(),
    );
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))) {
      if (!id.startsWith('DriftReconcilePolicy')) continue;
      expect(policy.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^Caller/) }]);
      expect(policy.Properties.Description).toMatch(/ \(\d of \d\)$/);
    }
  });

  test('the longest project ARN (150-character name, environment-agnostic stack): each policy within 6,144', () => {
    // Environment-agnostic: the region and account count at their longest. The Denies alone then take about
    // 6,100 characters: the first policy holds them, the names go to the next ones.
    const stack = new Stack(new App(), 'Pipeline', { stackName: `${ORG}-platform` });
    const reconciler = new DriftReconciler(stack, 'DriftReconciler', {
      environments: environments(100, 32),
      projectName: 'p'.repeat(150),
    });
    reconciler.startBuildPolicies(stack, 'Start');
    const documents = Object.values(
      policyDocuments(
        Template.fromStack(stack),
        'Start',
        `arn:aws-us-gov:codebuild:ap-southeast-5:111111111111:project/${'p'.repeat(150)}`,
      ),
    );
    expect(documents).toHaveLength(2);
    const denies = DriftReconciler.startBuildStatements('arn', ['x']).length - 1;
    expect(documents[0].Statement.map((s: any) => s.Effect)).toEqual(Array(denies).fill('Deny'));
    expect(documents[1].Statement.map((s: any) => s.Effect)).toEqual(['Allow']);
    for (const document of documents) expect(JSON.stringify(document).length).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
  });

  test('cdk-nag AwsSolutions and NIST 800-53 rev 5: no finding on the policies', () => {
    const { stack, reconciler } = make({ environments: environments(100, 32) });
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    const policies = reconciler.startBuildPolicies(stack, 'DriftReconcilePolicy', { roles: [role] });
    const paths = policies.map((p) => p.node.path);
    const findings = [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) =>
      pack
        .validateScope(stack)
        .violations.filter((v: any) =>
          v.violatingResources.some((r: any) => paths.some((p) => r.constructPath?.startsWith(p))),
        )
        .map((v: any) => v.ruleName),
    );
    expect(findings).toEqual([]);
  });

  test('only some environments, when given', () => {
    const envs = environments(5, 8);
    const { stack, reconciler } = make({ environments: envs });
    reconciler.startBuildPolicies(stack, 'P', { environmentNames: [envs[1].name], description: 'Start one' });
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'));
    expect(allowedNames(policy.Properties.PolicyDocument.Statement[0])).toEqual([envs[1].name]);
    expect(policy.Properties.Description).toBe('Start one');
  });

  test('synthesis fails when a policy passes 6,144 characters (statements added to it)', () => {
    const { app, stack, reconciler } = make({ environments: environments(2, 8) });
    const [policy] = reconciler.startBuildPolicies(stack, 'P');
    policy.addStatements(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: Array.from({ length: 120 }, (_, i) => `arn:aws:s3:::bucket-${i}-with-a-long-name/*`),
      }),
    );
    expect(() => app.synth()).toThrow(
      /the drift reconcile StartBuild policy is up to \d+ characters without whitespace, over IAM's limit of 6144 for a managed policy/,
    );
  });

  test.each([
    [['unknown'], /environmentNames must be environments this reconciler accepts .* found 'unknown'/],
    [[], /environmentNames must name at least one environment, found none/],
  ])('rejects environmentNames %j', (names, message) => {
    const { stack, reconciler } = make({ environments: environments(2, 8) });
    expect(() => reconciler.startBuildPolicies(stack, 'P', { environmentNames: names })).toThrow(message);
  });
});

function randomBytes(length: number, seed: number): Buffer {
  const random = generator(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

/** gzip of 'drift drift drift drift reconcile reconcile', as this encoder wrote it when it was added. */
const PINNED_HEX = '1f8b08000000000000ff65c6410a00000404c0aff81bd496a8cdff73747099c68818f9d2b54b917e5bc84c184f2b000000';
