import { App, RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketEncryptionRequirement, GroundworkChecks } from '../src';
import { findings } from './fixtures';

/** A stack holding the three classic mistakes: an open security group, an unencrypted bucket, an admin role. */
class BadStack extends Stack {
  constructor(scope: App | Stage, id: string) {
    super(scope, id);
    const vpc = new ec2.Vpc(this, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [] });
    new ec2.SecurityGroup(this, 'OpenSg', { vpc }).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    new s3.Bucket(this, 'PlainBucket');
    new iam.Role(this, 'AdminRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
  }
}

function synthError(app: App): string {
  try {
    app.synth();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected synth to fail');
}

describe('configuration', () => {
  test('runs 17 rules by default, IAM5 and TAG1 only when configured', () => {
    expect(new GroundworkChecks().enabledRuleIds).toEqual([
      'Groundwork-IAM1',
      'Groundwork-IAM2',
      'Groundwork-IAM3',
      'Groundwork-IAM4',
      'Groundwork-IAM6',
      'Groundwork-NET1',
      'Groundwork-NET2',
      'Groundwork-ENC1',
      'Groundwork-ENC2',
      'Groundwork-ENC3',
      'Groundwork-ENC4',
      'Groundwork-ENC5',
      'Groundwork-ENC6',
      'Groundwork-ENC7',
      'Groundwork-ENC8',
      'Groundwork-DATA1',
      'Groundwork-DATA2',
    ]);
    const configured = new GroundworkChecks(undefined, { requiredPermissionsBoundary: 'b', requiredTags: ['owner'] });
    expect(configured.enabledRuleIds.slice(-2)).toEqual(['Groundwork-IAM5', 'Groundwork-TAG1']);
  });

  test('rejects an invalid port, naming the scope, the prop, the expectation and the value', () => {
    const stage = new Stage(new App(), 'Prod');
    expect(() => new GroundworkChecks(stage, { allowedPublicIngressPorts: [443, 70000] })).toThrow(
      'Prod: GroundworkChecks allowedPublicIngressPorts expects integers 0-65535, found 70000',
    );
    expect(() => new GroundworkChecks(undefined, { allowedPublicIngressPorts: [4.5] })).toThrow(/found 4.5/);
    expect(() => new GroundworkChecks(undefined, { allowedPublicIngressPorts: [65536] })).toThrow(/found 65536$/);
    expect(() => new GroundworkChecks(undefined, { allowedPublicIngressPorts: [-1] })).toThrow(/found -1$/);
    expect(new GroundworkChecks(undefined, { allowedPublicIngressPorts: [0, 65535] }).enabledRuleIds).toContain(
      'Groundwork-NET1',
    );
  });

  test('rejects a bucketEncryption outside BucketEncryptionRequirement instead of running the looser check', () => {
    const stage = new Stage(new App(), 'Prod');
    expect(() => new GroundworkChecks(stage, { bucketEncryption: 'KMS_ONLY' as BucketEncryptionRequirement })).toThrow(
      'Prod: GroundworkChecks bucketEncryption expects one of KMS, KMS_OR_S3_MANAGED, found "KMS_ONLY"',
    );
    expect(() => new GroundworkChecks(undefined, { bucketEncryption: 'kms' as BucketEncryptionRequirement })).toThrow(
      /^GroundworkChecks bucketEncryption expects one of KMS, KMS_OR_S3_MANAGED, found "kms"$/,
    );
  });

  test('rejects an empty permissions boundary and an empty tag key', () => {
    expect(() => new GroundworkChecks(new App(), { requiredPermissionsBoundary: ' ' })).toThrow(
      '<app>: GroundworkChecks requiredPermissionsBoundary expects a policy name or ARN fragment, found an empty string',
    );
    expect(() => new GroundworkChecks(undefined, { requiredTags: ['owner', ''] })).toThrow(
      'GroundworkChecks requiredTags expects non-empty tag keys, found ""',
    );
  });

  test('messages carry the explanation and fix by default (verbose), and only the summary when verbose is false', () => {
    const stack = new Stack(new App(), 'Test');
    new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.S3_MANAGED });
    new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
    const verbose = new GroundworkChecks().validateScope(stack).violations;
    expect(verbose.find((v) => v.ruleName === 'Groundwork-IAM3')?.description).toMatch(/Fix: /);
    const terse = new GroundworkChecks(undefined, { verbose: false }).validateScope(stack).violations;
    expect(terse.find((v) => v.ruleName === 'Groundwork-IAM3')?.description).not.toMatch(/Fix: /);
  });
});

describe('as a validation plugin', () => {
  test('app.synth() fails on a bad stack, naming each rule and construct path', () => {
    const app = new App();
    new BadStack(app, 'Workload');
    Validations.of(app).addPlugins(new GroundworkChecks(app));
    const message = synthError(app);
    expect(message).toMatch(/Workload\/OpenSg\/Resource[\s\S]*Groundwork-NET1/);
    expect(message).toMatch(/Workload\/PlainBucket\/Resource[\s\S]*Groundwork-ENC1/);
    expect(message).toMatch(/Workload\/AdminRole\/Resource[\s\S]*Groundwork-IAM3/);
  });

  test('a pack added to the App reaches resources inside a Stage and a Stage nested in a Stage', () => {
    // Stages are separate cloud assemblies, and aspects added to the App do not cross into them.
    // Validation plugins do: aws-cdk-lib runs the App's plugins over the stacks of every nested
    // assembly and hands cdk-nag the root construct, which it walks down through every Stage.
    const app = new App();
    const prod = new Stage(app, 'Prod');
    new BadStack(prod, 'Workload');
    new BadStack(new Stage(prod, 'Inner'), 'Workload');
    Validations.of(app).addPlugins(new GroundworkChecks(app));
    const message = synthError(app);
    expect(message).toMatch(/Prod\/Workload\/OpenSg\/Resource[\s\S]*Groundwork-NET1/);
    expect(message).toMatch(/Prod\/Inner\/Workload\/AdminRole\/Resource[\s\S]*Groundwork-IAM3/);
  });

  test('a pack added to one Stage still checks the whole app (cdk-nag walks from the root construct)', () => {
    // Why the pack is registered once, on the App, and why `production: true` belongs on a pack
    // only when the whole app is production: the scope a pack is added to does not limit it.
    const app = new App();
    const dev = new Stage(app, 'Dev');
    new Stack(dev, 'Empty').templateOptions.description = 'gives the Dev assembly a stack, so its plugins run';
    new BadStack(new Stage(app, 'Prod'), 'Workload');
    Validations.of(dev).addPlugins(new GroundworkChecks(dev));
    expect(synthError(app)).toMatch(/Prod\/Workload\/AdminRole\/Resource[\s\S]*Groundwork-IAM3/);
  });

  test('the same pack registered on the App and on Stages runs once; a second instance reports every finding again', () => {
    // GitOpsPipeline registers the packs it is given on every stage it deploys: giving it the instances
    // registered on the App adds no duplicate; constructing new ones for it would.
    const reportsOfOneFinding = (stageGetsNewInstance: boolean) => {
      const app = new App();
      const pack = new GroundworkChecks(app);
      const prod = new Stage(app, 'Prod');
      new BadStack(prod, 'Workload');
      Validations.of(app).addPlugins(pack);
      Validations.of(prod).addPlugins(stageGetsNewInstance ? new GroundworkChecks(app) : pack);
      return synthError(app).match(/Groundwork::Groundwork-IAM3/g)?.length;
    };
    expect(reportsOfOneFinding(false)).toBe(1);
    expect(reportsOfOneFinding(true)).toBe(2);
  });

  test('a compliant stage synthesizes', () => {
    const app = new App();
    const stack = new Stack(new Stage(app, 'Prod'), 'Data');
    new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.S3_MANAGED });
    Validations.of(app).addPlugins(new GroundworkChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('acknowledgements', () => {
  function twoBuckets() {
    const stack = new Stack(new App(), 'Test');
    // The first bucket fails two rules (ENC1 and DATA1), the second one (ENC1).
    const first = new s3.Bucket(stack, 'First', { removalPolicy: RemovalPolicy.DESTROY });
    new s3.Bucket(stack, 'Second');
    return { stack, first };
  }

  test('without acknowledgement there are three findings', () => {
    const { stack } = twoBuckets();
    expect(findings(stack)).toEqual([
      { ruleId: 'Groundwork-ENC1', path: 'Test/First/Resource' },
      { ruleId: 'Groundwork-ENC1', path: 'Test/Second/Resource' },
      { ruleId: 'Groundwork-DATA1', path: 'Test/First/Resource' },
    ]);
  });

  test('acknowledging one rule on one construct suppresses exactly that finding', () => {
    const { stack, first } = twoBuckets();
    Validations.of(first).acknowledge({ id: 'Groundwork-ENC1', reason: 'Fixture: tests the acknowledgement.' });
    expect(findings(stack)).toEqual([
      { ruleId: 'Groundwork-DATA1', path: 'Test/First/Resource' },
      { ruleId: 'Groundwork-ENC1', path: 'Test/Second/Resource' },
    ]);
  });

  test('a finding-level id acknowledges one missing tag and not the other', () => {
    const stack = new Stack(new App(), 'Test');
    const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.S3_MANAGED });
    Validations.of(bucket).acknowledge({ id: 'Groundwork-TAG1[Tag::cost-centre]', reason: 'Fixture.' });
    expect(findings(stack, { requiredTags: ['owner', 'cost-centre'] })).toEqual([
      { ruleId: 'Groundwork-TAG1[Tag::owner]', path: 'Test/Bucket/Resource' },
    ]);
  });

  test('acknowledging every finding lets synth pass; the acknowledgement inside a Stage is honoured', () => {
    const app = new App();
    const stack = new Stack(new Stage(app, 'Dev'), 'Data');
    const bucket = new s3.Bucket(stack, 'Bucket');
    Validations.of(bucket).acknowledge({ id: 'Groundwork-ENC1', reason: 'Fixture: template states no encryption.' });
    Validations.of(app).addPlugins(new GroundworkChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('rendering', () => {
  test('each resource is rendered once per pass of the pack, however many rules read it', () => {
    const app = new App();
    const stack = new Stack(app, 'Roles', { env: { account: '111111111111', region: 'eu-west-1' } });
    const role = new iam.Role(stack, 'Role', {
      assumedBy: new iam.AccountPrincipal('222222222222'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
    app.synth();
    const cfnRole = role.node.defaultChild as iam.CfnRole;
    const renders = jest.spyOn(cfnRole as any, '_toCloudFormation');
    const pack = new GroundworkChecks(app, {
      requiredTags: ['owner'],
      requiredPermissionsBoundary: 'boundary',
    });
    const violations = pack.validateScope(app).violations.map((v) => v.ruleName);
    // Five rules read the role (IAM3, IAM4, IAM5, TAG1 and the policies of IAM1/IAM2); each finding is still reported.
    expect(violations).toEqual(
      expect.arrayContaining(['Groundwork-IAM3', 'Groundwork-IAM4', 'Groundwork-IAM5', 'Groundwork-TAG1[Tag::owner]']),
    );
    expect(renders).toHaveBeenCalledTimes(1);
    // A second pass renders again: nothing is kept between passes.
    pack.validateScope(app);
    expect(renders).toHaveBeenCalledTimes(2);
  });
});
