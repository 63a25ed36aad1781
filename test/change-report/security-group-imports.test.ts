import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Fn, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { compareAssemblies } from '../../scripts/change-report/change-report';
import { AssemblyStack, CfnTemplate, readCloudAssembly } from '../../scripts/change-report/cloud-assembly';
import { findReplacementSpec } from '../../scripts/change-report/replacement-spec';

/**
 * A security group source given by Fn::ImportValue of an export that a stack of the same cloud
 * assembly defines, in the same account and Region, is read as the exported value: judged as if
 * the template gave it in place. Any other import still cannot be evaluated.
 */

process.env.CDK_VALIDATION = 'false';

const spec = findReplacementSpec();
const TARGET = 'aws://111111111111/eu-west-1';

function stack(stackName: string, template: CfnTemplate, awsEnvironment = TARGET): AssemblyStack {
  return { environment: 'Dev', stackName, artifactId: stackName, awsEnvironment, template };
}

/** `dev-edge`, with a VPC and the given Outputs. */
function exporter(outputs: object, awsEnvironment = TARGET): AssemblyStack {
  return stack(
    'dev-edge',
    { Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16' } } }, Outputs: outputs },
    awsEnvironment,
  );
}

const exported = (value: unknown, name: unknown = { 'Fn::Sub': '${AWS::StackName}-Cidr' }) => ({
  Cidr: { Value: value, Export: { Name: name } },
});

/** `dev-app`, a group with one HTTPS rule from `cidr` (none when undefined). */
function group(cidr?: unknown, awsEnvironment = TARGET): AssemblyStack {
  const ingress = cidr === undefined ? [] : [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: cidr }];
  return stack(
    'dev-app',
    {
      Resources: {
        Web: {
          Type: 'AWS::EC2::SecurityGroup',
          Properties: { GroupDescription: 'web', SecurityGroupIngress: ingress },
        },
      },
    },
    awsEnvironment,
  );
}

function ingressFindings(base: AssemblyStack[], head: AssemblyStack[]): string[] {
  return compareAssemblies(base, head, spec, { baseLabel: 'b', headLabel: 'h' })
    .security.filter((f) => f.kind === 'security-group-ingress-opened')
    .map((f) => `${f.stack} ${f.logicalId}: ${f.detail}`);
}

/** A new rule importing `name`, with `exporters` in both assemblies. */
function newImport(exporters: AssemblyStack[], name: unknown = 'dev-edge-Cidr', awsEnvironment = TARGET): string[] {
  return ingressFindings(
    [...exporters, group(undefined, awsEnvironment)],
    [...exporters, group({ 'Fn::ImportValue': name }, awsEnvironment)],
  );
}

const CANNOT =
  'dev-app Web: ingress source cannot be evaluated: Properties.SecurityGroupIngress[0].CidrIp is ' +
  '${Import:dev-edge-Cidr}, in tcp, port 443, from ${Import:dev-edge-Cidr}; check by hand that it is not the ' +
  'internet or a wide public range';

describe('an import of an export of the assembly is judged as the exported value', () => {
  test('an exported 0.0.0.0/0 is ingress open to the internet, naming the export and its stack', () => {
    expect(newImport([exporter(exported('0.0.0.0/0'))])).toEqual([
      'dev-app Web: ingress open to the internet: tcp, port 443, from 0.0.0.0/0 ' +
        '(given as ${Import:dev-edge-Cidr}, export dev-edge-Cidr of stack dev-edge)',
    ]);
  });

  test('export names given by Fn::Join and Fn::Sub of pseudo parameters are read on both sides', () => {
    const name = { 'Fn::Join': ['-', [{ Ref: 'AWS::AccountId' }, { Ref: 'AWS::Region' }, 'cidr']] };
    expect(
      newImport([exporter(exported('0.0.0.0/1', name))], { 'Fn::Sub': '${AWS::AccountId}-${AWS::Region}-cidr' }),
    ).toEqual([
      'dev-app Web: ingress open to a wide public range: tcp, port 443, from 0.0.0.0/1 ' +
        '(given as ${Import:${AWS::AccountId}-${AWS::Region}-cidr}, export 111111111111-eu-west-1-cidr of stack dev-edge)',
    ]);
  });

  test.each([
    ["the exporting stack's own VPC range", exported({ 'Fn::GetAtt': ['Vpc', 'CidrBlock'] })],
    ['a private literal range', exported('10.0.0.0/16')],
  ])('%s is no finding', (_, outputs) => {
    expect(newImport([exporter(outputs)])).toEqual([]);
  });

  // CloudFormation refuses to change an export another stack imports, and a hand-written import adds no
  // dependency: a new rule importing an export the change alters may deploy with either value.
  test('an export whose value the change alters, widened or narrowed, cannot be evaluated', () => {
    for (const [before, after] of [
      ['10.0.0.0/16', '0.0.0.0/0'],
      ['0.0.0.0/0', '10.1.0.0/16'],
    ]) {
      expect(
        ingressFindings(
          [exporter(exported(before)), group()],
          [exporter(exported(after)), group({ 'Fn::ImportValue': 'dev-edge-Cidr' })],
        ),
      ).toEqual([CANNOT]);
    }
  });

  test('the base reads the base assembly: a rule that already allowed the exported range covers the same literal', () => {
    // The head's export differs: read in the head assembly, the base rule would allow only 10.0.0.0/16.
    expect(
      ingressFindings(
        [exporter(exported('0.0.0.0/0')), group({ 'Fn::ImportValue': 'dev-edge-Cidr' })],
        [exporter(exported('10.0.0.0/16')), group('0.0.0.0/0')],
      ),
    ).toEqual([]);
  });
});

describe('a list exported joined and imported with Fn::Split', () => {
  /** A new rule from element `index` of the list `dev-edge-Cidr` exports joined by `,`. */
  const selected = (elements: unknown, index: number, delimiter = ',') => {
    const edge = exporter(exported({ 'Fn::Join': [',', elements] }));
    const cidr = { 'Fn::Select': [index, { 'Fn::Split': [delimiter, { 'Fn::ImportValue': 'dev-edge-Cidr' }] }] };
    return { cidr, findings: ingressFindings([edge, group()], [edge, group(cidr)]) };
  };
  const vpcRange = { 'Fn::GetAtt': ['Vpc', 'CidrBlock'] };
  const cannot = (cidr: unknown) => {
    const source = JSON.stringify(cidr);
    return (
      `dev-app Web: ingress source cannot be evaluated: Properties.SecurityGroupIngress[0].CidrIp is ${source}, ` +
      `in tcp, port 443, from ${source}; check by hand that it is not the internet or a wide public range`
    );
  };

  test("is read element by element: the exporting stack's VPC range is no finding", () => {
    expect(selected(['192.168.0.0/16', vpcRange], 1).findings).toEqual([]);
  });

  test('a string element that holds the delimiter is several elements, as Fn::Split cuts it', () => {
    // "10.0.0.0/8,0.0.0.0/0,<VPC range>" split at "," is ["10.0.0.0/8", "0.0.0.0/0", <VPC range>].
    const { cidr, findings } = selected(['10.0.0.0/8,0.0.0.0/0', vpcRange], 1);
    expect(findings).toEqual([
      'dev-app Web: ingress open to the internet: tcp, port 443, from 0.0.0.0/0 ' +
        `(given as ${JSON.stringify(cidr)}, export dev-edge-Cidr of stack dev-edge)`,
    ]);
  });

  test.each([
    [
      'an element after one that is not known (a parameter may hold the delimiter)',
      [{ Ref: 'Edge' }, vpcRange],
      1,
      ',',
    ],
    ['a list split at another delimiter than it was joined with', [vpcRange], 0, '|'],
  ])('cannot be evaluated: %s', (_, elements, index, delimiter) => {
    const { cidr, findings } = selected(elements, index, delimiter);
    expect(findings).toEqual([cannot(cidr)]);
  });
});

describe('an import that does not resolve to an export of the assembly still cannot be evaluated', () => {
  test.each([
    ['an export of another Region', [exporter(exported('10.0.0.0/16'), 'aws://111111111111/us-east-1')], TARGET],
    ['an export name not in the assembly', [exporter(exported('10.0.0.0/16', 'other-Cidr'))], TARGET],
    [
      'environment-agnostic stacks (they may deploy to any account and Region)',
      [exporter(exported('10.0.0.0/16'), 'aws://unknown-account/unknown-region')],
      'aws://unknown-account/unknown-region',
    ],
    [
      'a name two stacks export (CloudFormation creates only one)',
      [
        exporter(exported('10.0.0.0/16')),
        { ...exporter(exported('0.0.0.0/0', 'dev-edge-Cidr')), stackName: 'dev-edge2', artifactId: 'dev-edge2' },
      ],
      TARGET,
    ],
    [
      'an export name given by a parameter',
      [exporter(exported('10.0.0.0/16', { 'Fn::Sub': '${Prefix}-Cidr' }))],
      TARGET,
    ],
    ['an exported value given by a parameter', [exporter(exported({ Ref: 'EdgeCidr' }))], TARGET],
  ])('%s', (_, exporters, awsEnvironment) => {
    expect(newImport(exporters, 'dev-edge-Cidr', awsEnvironment)).toEqual([CANNOT]);
  });
});

describe('read from a CDK assembly', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'change-report-imports-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** A VPC in one stack; in the head, a group of another stack accepts HTTPS from the VPC's IPv4 and first IPv6 block. */
  function synth(outdir: string, head: boolean): string {
    const app = new App({ outdir });
    const stage = new Stage(app, 'Dev', { env: { account: '111111111111', region: 'eu-west-1' } });
    const network = new Stack(stage, 'Network', { stackName: 'dev-network' });
    const vpc = new ec2.Vpc(network, 'Vpc', {
      maxAzs: 1,
      natGateways: 0,
      ipProtocol: ec2.IpProtocol.DUAL_STACK,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
    });
    const web = new ec2.SecurityGroup(new Stack(stage, 'App', { stackName: 'dev-app' }), 'Web', { vpc });
    if (head) {
      // CDK exports the IPv4 block as is, and the IPv6 list joined with `||` (imported with Fn::Split).
      web.addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(443));
      web.addIngressRule(ec2.Peer.ipv6(Fn.select(0, vpc.vpcIpv6CidrBlocks)), ec2.Port.tcp(443));
    }
    app.synth();
    return outdir;
  }

  test("Peer.ipv4(vpc.vpcCidrBlock) and an IPv6 block of another stack's VPC are that VPC's range: no finding", () => {
    const base = readCloudAssembly(synth(path.join(tmp, 'base'), false));
    const head = readCloudAssembly(synth(path.join(tmp, 'head'), true));
    const report = compareAssemblies(base, head, spec, { baseLabel: 'b', headLabel: 'h' });
    expect(report.security.map((f) => `${f.kind} ${f.stack}`)).toEqual([
      // The imports themselves are still reported: the network stack's exports cannot change while imported.
      'stack-import-added dev-app',
      'stack-import-added dev-app',
    ]);
  });
});
