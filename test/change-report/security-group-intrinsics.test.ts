import { compareTemplates } from '../../scripts/change-report/change-report';
import type { CfnResource } from '../../scripts/change-report/cloud-assembly';
import { findReplacementSpec } from '../../scripts/change-report/replacement-spec';
import {
  ResourceChange,
  securityGroupEgressRule,
  securityGroupIngressRule,
  SecurityRule,
} from '../../scripts/change-report/security-rules';

/**
 * Security group rules whose source is not a literal: Fn::If (on the source, a whole rule or the
 * whole list) is read branch by branch; a Ref, an import or an attribute cannot be read, and is
 * reported as such so a reviewer looks at it.
 */

const spec = findReplacementSpec();

function modified(type: string, before: object, after: object): ResourceChange {
  return {
    logicalId: 'R',
    type,
    before: { Type: type, Properties: before as CfnResource['Properties'] },
    after: { Type: type, Properties: after as CfnResource['Properties'] },
  };
}

function run(rule: SecurityRule, change: ResourceChange): string[] {
  return rule(change, spec).map((f) => `${f.kind}: ${f.detail}`);
}

const ifOpen = (whenTrue: unknown, whenFalse: unknown) => ({ 'Fn::If': ['Open', whenTrue, whenFalse] });
const noValue = { Ref: 'AWS::NoValue' };
const ssh = (source: object) => ({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, ...source });
const sg = (SecurityGroupIngress: unknown) => ({ GroupDescription: 'g', SecurityGroupIngress });

describe('securityGroupIngressRule: Fn::If branches are each a possible rule', () => {
  test.each([
    [
      'a CidrIp behind Fn::If',
      sg([]),
      sg([ssh({ CidrIp: ifOpen('0.0.0.0/0', '10.0.0.0/8') })]),
      ['ingress open to the internet: tcp, port 22, from 0.0.0.0/0 (when condition Open is true)'],
    ],
    [
      'a whole rule behind Fn::If',
      sg([ssh({ CidrIp: '10.0.0.0/8' })]),
      sg([ssh({ CidrIp: '10.0.0.0/8' }), ifOpen(ssh({ CidrIpv6: '::/0' }), noValue)]),
      ['ingress open to the internet: tcp, port 22, from ::/0 (when condition Open is true)'],
    ],
    [
      'the whole SecurityGroupIngress list behind Fn::If',
      sg([ssh({ CidrIp: '10.0.0.0/8' })]),
      sg(ifOpen([ssh({ CidrIp: '10.0.0.0/8' })], [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }])),
      ['ingress open to the internet: all traffic, all ports, from 0.0.0.0/0 (when condition Open is false)'],
    ],
    [
      'the branches of an Fn::If swapped (open when it was closed)',
      sg([ssh({ CidrIp: ifOpen('10.0.0.0/8', '0.0.0.0/0') })]),
      sg([ssh({ CidrIp: ifOpen('0.0.0.0/0', '10.0.0.0/8') })]),
      ['ingress open to the internet: tcp, port 22, from 0.0.0.0/0 (when condition Open is true)'],
    ],
    [
      'nested Fn::If, naming every condition on the way',
      sg([]),
      sg([ssh({ CidrIp: ifOpen({ 'Fn::If': ['Wide', '0.0.0.0/2', '10.0.0.0/8'] }, '10.0.0.0/8') })]),
      [
        'ingress open to a wide public range: tcp, port 22, from 0.0.0.0/2 (when condition Open is true and condition Wide is true)',
      ],
    ],
    [
      'ports behind Fn::If',
      sg([ssh({ CidrIp: '10.0.0.0/16' })]),
      sg([{ IpProtocol: 'tcp', FromPort: ifOpen(0, 22), ToPort: 22, CidrIp: '10.0.0.0/16' }]),
      [
        'ingress widened from tcp, port 22, from 10.0.0.0/16 to tcp, ports 0-22, from 10.0.0.0/16 (when condition Open is true)',
      ],
    ],
  ])('reports %s', (_, before, after, expected) => {
    expect(run(securityGroupIngressRule, modified('AWS::EC2::SecurityGroup', before, after))).toEqual(
      expected.map((e) => `security-group-ingress-opened: ${e}`),
    );
  });

  test('a rule that was open only under a condition and now always is reported', () => {
    expect(
      run(
        securityGroupIngressRule,
        modified(
          'AWS::EC2::SecurityGroup',
          sg([ssh({ CidrIp: ifOpen('0.0.0.0/0', '10.0.0.0/8') })]),
          sg([ssh({ CidrIp: '0.0.0.0/0' })]),
        ),
      ),
    ).toEqual(['security-group-ingress-opened: ingress open to the internet: tcp, port 22, from 0.0.0.0/0']);
  });

  test.each([
    ['both branches private', sg([]), sg([ssh({ CidrIp: ifOpen('10.0.0.0/8', '192.168.0.0/16') })])],
    [
      'an Fn::If rule unchanged but for its description',
      sg([ifOpen(ssh({ CidrIp: '0.0.0.0/0' }), noValue)]),
      sg([ifOpen({ ...ssh({ CidrIp: '0.0.0.0/0' }), Description: 'ssh' }, noValue)]),
    ],
    [
      'an unconditional rule made conditional',
      sg([ssh({ CidrIp: '0.0.0.0/0' })]),
      sg([ifOpen(ssh({ CidrIp: '0.0.0.0/0' }), noValue)]),
    ],
    [
      'a list behind Fn::If that only drops a rule',
      sg([ssh({ CidrIp: '10.0.0.0/8' })]),
      sg(ifOpen([ssh({ CidrIp: '10.0.0.0/8' })], noValue)),
    ],
  ])('stays quiet for %s', (_, before, after) => {
    expect(run(securityGroupIngressRule, modified('AWS::EC2::SecurityGroup', before, after))).toEqual([]);
  });
});

describe('securityGroupIngressRule: a source that cannot be evaluated', () => {
  test('a new CidrIp given as a Ref to a parameter is reported, naming the property', () => {
    expect(
      run(
        securityGroupIngressRule,
        modified('AWS::EC2::SecurityGroup', sg([]), sg([ssh({ CidrIp: { Ref: 'AllowedCidr' } })])),
      ),
    ).toEqual([
      'security-group-ingress-opened: ingress source cannot be evaluated: ' +
        'Properties.SecurityGroupIngress[0].CidrIp is ${AllowedCidr}, in tcp, port 22, from ${AllowedCidr}; ' +
        'check by hand that it is not the internet or a wide public range',
    ]);
  });

  test('a branch of an Fn::If that cannot be evaluated names its branch and condition', () => {
    expect(
      run(
        securityGroupIngressRule,
        modified(
          'AWS::EC2::SecurityGroup',
          sg([]),
          sg([ssh({ CidrIpv6: ifOpen({ 'Fn::ImportValue': 'Edge-Cidr6' }, 'fd00::/8') })]),
        ),
      ),
    ).toEqual([
      'security-group-ingress-opened: ingress source cannot be evaluated: ' +
        'Properties.SecurityGroupIngress[0].CidrIpv6["Fn::If"][1] is ${Import:Edge-Cidr6}' +
        ', in tcp, port 22, from ${Import:Edge-Cidr6} (when condition Open is true); ' +
        'check by hand that it is not the internet or a wide public range',
    ]);
  });

  test('a rule entry that is no object (a Ref, an Fn::FindInMap) is reported as a rule that cannot be evaluated', () => {
    expect(
      run(
        securityGroupIngressRule,
        modified('AWS::EC2::SecurityGroup', sg([]), sg([{ 'Fn::FindInMap': ['Rules', 'ssh', 'rule'] }])),
      ),
    ).toEqual([
      'security-group-ingress-opened: ingress rule cannot be evaluated: Properties.SecurityGroupIngress[0] is ' +
        '{"Fn::FindInMap":["Rules","ssh","rule"]}; check by hand what it allows',
    ]);
  });

  test('a standalone SecurityGroupIngress from a parameter is a finding on that resource, through the report', () => {
    const template = (cidr: unknown) => ({
      Parameters: { AllowedCidr: { Type: 'String' } },
      Resources: {
        Ssh: {
          Type: 'AWS::EC2::SecurityGroupIngress',
          Properties: { GroupId: 'sg-1', ...ssh({ CidrIp: cidr }) },
        },
      },
    });
    const { findings } = compareTemplates('Dev', 'app', template('10.0.0.0/8'), template({ Ref: 'AllowedCidr' }), spec);
    expect(findings.map((f) => `${f.kind} ${f.logicalId} ${f.type}: ${f.detail}`)).toEqual([
      'security-group-ingress-opened Ssh AWS::EC2::SecurityGroupIngress: ingress source cannot be evaluated: ' +
        'Properties.CidrIp is ${AllowedCidr}, in tcp, port 22, from ${AllowedCidr}; ' +
        'check by hand that it is not the internet or a wide public range',
    ]);
  });

  test.each([
    [
      'the same parameter source, unchanged but for a description',
      sg([ssh({ CidrIp: { Ref: 'AllowedCidr' } })]),
      sg([{ ...ssh({ CidrIp: { Ref: 'AllowedCidr' } }), Description: 'ssh' }]),
    ],
    [
      'a source group given by reference (no address range)',
      sg([]),
      sg([ssh({ SourceSecurityGroupId: { Ref: 'BastionGroup' } })]),
    ],
    [
      'a token source already covered by 0.0.0.0/0',
      sg([ssh({ CidrIp: '0.0.0.0/0' })]),
      sg([ssh({ CidrIp: { Ref: 'P' } })]),
    ],
    ['a literal CIDR built with Fn::Join', sg([]), sg([ssh({ CidrIp: { 'Fn::Join': ['', ['10.0.0.0', '/8']] } })])],
  ])('stays quiet for %s', (_, before, after) => {
    expect(run(securityGroupIngressRule, modified('AWS::EC2::SecurityGroup', before, after))).toEqual([]);
  });
});

describe('securityGroupIngressRule: Fn::Select of a literal index in a literal list', () => {
  const select = (index: unknown, list: unknown) => ({ 'Fn::Select': [index, list] });
  const cannot = (source: string) =>
    'security-group-ingress-opened: ingress source cannot be evaluated: Properties.SecurityGroupIngress[0].CidrIp ' +
    `is ${source}, in tcp, port 22, from ${source}; check by hand that it is not the internet or a wide public range`;

  test.each([
    [
      'a literal list',
      select(1, ['10.0.0.0/8', '0.0.0.0/0']),
      'ingress open to the internet: tcp, port 22, from 0.0.0.0/0 (given as {"Fn::Select":[1,["10.0.0.0/8","0.0.0.0/0"]]})',
    ],
    [
      'Fn::Split of a literal string, the index a string as in the Fn::Select reference',
      select('0', { 'Fn::Split': [',', '0.0.0.0/1,10.0.0.0/8'] }),
      'ingress open to a wide public range: tcp, port 22, from 0.0.0.0/1 ' +
        '(given as {"Fn::Select":["0",{"Fn::Split":[",","0.0.0.0/1,10.0.0.0/8"]}]})',
    ],
  ])('is judged as the element it selects: %s', (_, cidr, expected) => {
    expect(
      run(securityGroupIngressRule, modified('AWS::EC2::SecurityGroup', sg([]), sg([ssh({ CidrIp: cidr })]))),
    ).toEqual([`security-group-ingress-opened: ${expected}`]);
  });

  test('a private element selected is no finding', () => {
    const cidr = select(0, { 'Fn::Split': [',', '10.0.0.0/8,0.0.0.0/0'] });
    expect(
      run(securityGroupIngressRule, modified('AWS::EC2::SecurityGroup', sg([]), sg([ssh({ CidrIp: cidr })]))),
    ).toEqual([]);
  });

  test.each([
    ['an index out of range (a stack error, no value)', select(2, ['10.0.0.0/8', '192.168.0.0/16'])],
    ['an index given by a parameter', select({ Ref: 'Which' }, ['10.0.0.0/8', '0.0.0.0/0'])],
  ])('still cannot be evaluated with %s', (_, cidr) => {
    expect(
      run(securityGroupIngressRule, modified('AWS::EC2::SecurityGroup', sg([]), sg([ssh({ CidrIp: cidr })]))),
    ).toEqual([cannot(JSON.stringify(cidr))]);
  });
});

describe('securityGroupIngressRule: the range of a VPC or subnet of the same template', () => {
  // What CDK synthesizes for an InterfaceVpcEndpoint (open: true by default) and Peer.ipv4(vpc.vpcCidrBlock).
  const template = (peer: object, peerType = 'AWS::EC2::VPC') => ({
    Resources: {
      Vpc8378EB38: { Type: peerType, Properties: { CidrBlock: '10.0.0.0/16' } },
      EndpointSecurityGroup: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'endpoint',
          VpcId: { Ref: 'Vpc8378EB38' },
          SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, ...peer }],
        },
      },
    },
  });
  const findings = (head: ReturnType<typeof template>) =>
    compareTemplates('Dev', 'app', { Resources: {} }, head, spec).findings.map((f) => `${f.logicalId}: ${f.detail}`);

  test.each([
    ['a VPC CidrBlock', { CidrIp: { 'Fn::GetAtt': ['Vpc8378EB38', 'CidrBlock'] } }, 'AWS::EC2::VPC'],
    [
      'a VPC CidrBlock, GetAtt in its string form',
      { CidrIp: { 'Fn::GetAtt': 'Vpc8378EB38.CidrBlock' } },
      'AWS::EC2::VPC',
    ],
    [
      "a VPC's first IPv6 block",
      { CidrIpv6: { 'Fn::Select': [0, { 'Fn::GetAtt': ['Vpc8378EB38', 'Ipv6CidrBlocks'] }] } },
      'AWS::EC2::VPC',
    ],
    ['a subnet CidrBlock', { CidrIp: { 'Fn::GetAtt': ['Vpc8378EB38', 'CidrBlock'] } }, 'AWS::EC2::Subnet'],
  ])('a new rule from %s is no finding: it is never the internet or a wide public range', (_, peer, type) => {
    expect(findings(template(peer, type))).toEqual([]);
  });

  test('the same attribute of another kind of resource (a custom resource may return 0.0.0.0/0) is still reported', () => {
    expect(findings(template({ CidrIp: { 'Fn::GetAtt': ['Vpc8378EB38', 'CidrBlock'] } }, 'Custom::Lookup'))).toEqual([
      'EndpointSecurityGroup: ingress source cannot be evaluated: Properties.SecurityGroupIngress[0].CidrIp is ' +
        '${Vpc8378EB38.CidrBlock}, in tcp, port 443, from ${Vpc8378EB38.CidrBlock}; check by hand that it is not ' +
        'the internet or a wide public range',
    ]);
  });
});

describe('securityGroupEgressRule: Fn::If and sources that cannot be evaluated', () => {
  const closed = { CidrIp: '255.255.255.255/32', FromPort: 252, IpProtocol: 'icmp', ToPort: 86 };
  const egress = (SecurityGroupEgress: unknown) => ({ GroupDescription: 'g', SecurityGroupEgress });
  const note = ' (no SecurityGroupEgress rules left: the group may fall back to the EC2 default, all outbound traffic)';

  test('an egress list behind Fn::If that is empty in one branch falls back to the EC2 default there', () => {
    expect(
      run(
        securityGroupEgressRule,
        modified('AWS::EC2::SecurityGroup', egress([closed]), egress(ifOpen(noValue, [closed]))),
      ),
    ).toEqual([
      `security-group-egress-opened: egress open to the internet: all traffic, all ports, to 0.0.0.0/0 (when condition Open is true)${note}`,
      `security-group-egress-opened: egress open to the internet: all traffic, all ports, to ::/0 (when condition Open is true)${note}`,
    ]);
  });

  test('every entry left out by its Fn::If is an empty list too', () => {
    expect(
      run(
        securityGroupEgressRule,
        modified('AWS::EC2::SecurityGroup', egress([closed]), egress([ifOpen(closed, noValue)])),
      ),
    ).toEqual([
      `security-group-egress-opened: egress open to the internet: all traffic, all ports, to 0.0.0.0/0 (when condition Open is false)${note}`,
      `security-group-egress-opened: egress open to the internet: all traffic, all ports, to ::/0 (when condition Open is false)${note}`,
    ]);
  });

  test('a destination behind Fn::If, and one from a parameter', () => {
    expect(
      run(
        securityGroupEgressRule,
        modified(
          'AWS::EC2::SecurityGroup',
          egress([closed]),
          egress([
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: ifOpen('0.0.0.0/0', '10.0.0.0/8') },
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: { Ref: 'Proxy' } },
          ]),
        ),
      ),
    ).toEqual([
      'security-group-egress-opened: egress open to the internet: tcp, port 443, to 0.0.0.0/0 (when condition Open is true)',
      'security-group-egress-opened: egress destination cannot be evaluated: Properties.SecurityGroupEgress[1].CidrIp ' +
        'is ${Proxy}, in tcp, port 443, to ${Proxy}; check by hand that it is not the internet or a wide public range',
    ]);
  });
});
