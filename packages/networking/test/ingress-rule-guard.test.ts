import { App, AspectPriority, Aspects, Aws, CfnCondition, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IngressRuleGuard, IngressRuleGuardProps, InterfaceEndpointService, WorkloadVpc } from '../src';
import { AZS, EnvironmentStack } from './fixtures';

describe('IngressRuleGuard.checkRule (pure)', () => {
  const tcp = (port: number, cidrIp = '0.0.0.0/0') => ({ ipProtocol: 'tcp', fromPort: port, toPort: port, cidrIp });

  test.each([
    [
      'open SSH',
      tcp(22),
      [],
      /'tcp port 22 from 0\.0\.0\.0\/0' admits the internet \(0\.0\.0\.0\/0\) on port 22, which is not an allowed public port/,
    ],
    [
      'SSH from ::/0',
      { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: '::/0' },
      [],
      /admits the internet \(::\/0\)/,
    ],
    [
      'public port range, even of allowed ports',
      { ipProtocol: 'tcp', fromPort: 80, toPort: 443, cidrIp: '0.0.0.0/0' },
      [80, 443],
      /on more than a single TCP\/UDP port/,
    ],
    [
      'public ICMP',
      { ipProtocol: 'icmp', fromPort: 8, toPort: 0, cidrIp: '0.0.0.0/0' },
      [],
      /on more than a single TCP\/UDP port/,
    ],
    ['all protocols from a private range', { ipProtocol: '-1', cidrIp: '10.0.0.0/8' }, [], /admits all protocols/],
    [
      'all TCP ports from a private range',
      { ipProtocol: 'tcp', fromPort: 0, toPort: 65535, cidrIp: '10.0.0.0/8' },
      [],
      /admits all ports/,
    ],
    [
      'all TCP ports from port 1 (port 0 is reserved, so 1-65535 is every port)',
      { ipProtocol: 'tcp', fromPort: 1, toPort: 65535, cidrIp: '10.0.0.0/8' },
      [],
      /'tcp ports 1-65535 from 10\.0\.0\.0\/8' admits all ports/,
    ],
    [
      'all UDP ports from port 1',
      { ipProtocol: 'udp', fromPort: 1, toPort: 65535, cidrIp: '10.0.0.0/8' },
      [],
      /admits all ports/,
    ],
    [
      'SSH from 0.0.0.0/1 (with 128.0.0.0/1, the whole IPv4 internet without a /0)',
      tcp(22, '0.0.0.0/1'),
      [],
      /'tcp port 22 from 0\.0\.0\.0\/1' admits the internet \(0\.0\.0\.0\/1, wider than \/8, the largest private IPv4 range\) on port 22/,
    ],
    ['SSH from 128.0.0.0/1', tcp(22, '128.0.0.0/1'), [], /admits the internet \(128\.0\.0\.0\/1, wider than \/8/],
    ['RDP from 0.0.0.0/7, one bit wider than a /8', tcp(3389, '0.0.0.0/7'), [], /admits the internet \(0\.0\.0\.0\/7/],
    [
      'SSH from ::/1 (with 8000::/1, the whole IPv6 internet without a /0)',
      { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: '::/1' },
      [],
      /admits the internet \(::\/1, wider than \/7, the largest private IPv6 range\) on port 22/,
    ],
    [
      'SSH from 8000::/1',
      { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: '8000::/1' },
      [],
      /\(8000::\/1, wider than \/7/,
    ],
    [
      'SSH from 2000::/6, one bit wider than a /7 (global unicast)',
      { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: '2000::/6' },
      [],
      /admits the internet \(2000::\/6/,
    ],
    [
      'a port range covering SSH from 0.0.0.0/1, even when 22 is allowed',
      { ipProtocol: 'tcp', fromPort: 20, toPort: 23, cidrIp: '0.0.0.0/1' },
      [22],
      /admits the internet \(0\.0\.0\.0\/1.*on more than a single TCP\/UDP port/,
    ],
    [
      'public ports unknown at synth',
      { ipProtocol: 'tcp', cidrIp: '0.0.0.0/0', hasUnresolvedValues: true },
      [443],
      /ports unknown at synthesis/,
    ],
  ])('rejects %s', (_name, rule, allowed, message) => {
    expect(IngressRuleGuard.checkRule(rule, allowed as number[], false)).toMatch(message);
  });

  test.each([
    ['an allowed public 443', tcp(443), [443], false],
    ['SSH from a private range', tcp(22, '10.0.0.0/8'), [], false],
    ['SSH from a /8, the widest IPv4 prefix that is not the internet', tcp(22, '11.0.0.0/8'), [], false],
    [
      'SSH from fc00::/7 (unique local, the widest IPv6 prefix that is not the internet)',
      { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: 'fc00::/7' },
      [],
      false,
    ],
    ['an allowed public 443 from 0.0.0.0/1', tcp(443, '0.0.0.0/1'), [443], false],
    ['a source security group (no CIDR)', { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432 }, [], false],
    ['all protocols from a private range, allowed on purpose', { ipProtocol: '-1', cidrIp: '10.0.0.0/8' }, [], true],
    [
      'the ephemeral ports from a private range (not all ports)',
      { ipProtocol: 'tcp', fromPort: 1024, toPort: 65535, cidrIp: '10.0.0.0/8' },
      [],
      false,
    ],
  ])('accepts %s', (_name, rule, allowed, allowAllPorts) => {
    expect(IngressRuleGuard.checkRule(rule, allowed as number[], allowAllPorts as boolean)).toBeUndefined();
  });

  describe('a source known only at deploy time (a token) could be the internet', () => {
    const unknownSource = { hasUnresolvedValues: true, hasUnresolvedSource: true };

    test.each([
      ['all protocols', { ipProtocol: '-1', ...unknownSource }, /admits all protocols/],
      ['all TCP ports', { ipProtocol: 'tcp', fromPort: 0, toPort: 65535, ...unknownSource }, /admits all ports/],
      [
        'SSH',
        { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ...unknownSource },
        /'tcp port 22 from a source known only at deploy time' admits a source known only at deploy time, which could be the internet, on remote administration port 22/,
      ],
      [
        'RDP',
        { ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, ...unknownSource },
        /on remote administration port 3389/,
      ],
      [
        'a port range covering SSH',
        { ipProtocol: 'tcp', fromPort: 20, toPort: 1024, ...unknownSource },
        /on ports 20-1024, which include remote administration port 22/,
      ],
      [
        'ports unknown at synthesis',
        { ipProtocol: 'tcp', hasUnresolvedPorts: true, ...unknownSource },
        /on ports unknown at synthesis, which may include a remote administration port/,
      ],
    ])('rejects %s from it', (_name, rule, message) => {
      expect(IngressRuleGuard.checkRule(rule, [], false)).toMatch(message);
    });

    test('a prefix list id is held to the same rules, and named in the message', () => {
      const rdp = { ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, sourcePrefixListId: 'pl-0123456789abcdef0' };
      expect(IngressRuleGuard.checkRule(rdp, [], false)).toBe(
        "ingress rule 'tcp port 3389 from prefix list pl-0123456789abcdef0' admits a managed prefix list, whose " +
          'entries could be changed to the internet after deployment, on remote administration port 3389',
      );
      expect(IngressRuleGuard.checkRule(rdp, [3389], false)).toBeUndefined();
      expect(IngressRuleGuard.checkRule({ ...rdp, fromPort: 443, toPort: 443 }, [], false)).toBeUndefined();
    });

    test('rejects all protocols from it even when all-ports is allowed, since they include SSH and RDP', () => {
      expect(IngressRuleGuard.checkRule({ ipProtocol: '-1', ...unknownSource }, [], true)).toMatch(
        /on all ports, which include remote administration ports 22, 3389/,
      );
    });

    test.each([
      ['HTTPS (e.g. the VPC CIDR allocated by IPAM)', { ipProtocol: 'tcp', fromPort: 443, toPort: 443 }, []],
      ['a port range without an administration port', { ipProtocol: 'tcp', fromPort: 8080, toPort: 8090 }, []],
      ['ICMP', { ipProtocol: 'icmp', fromPort: 8, toPort: -1 }, []],
      ['SSH when 22 is an allowed public port', { ipProtocol: 'tcp', fromPort: 22, toPort: 22 }, [22]],
    ])('accepts %s from it', (_name, rule, allowed) => {
      expect(IngressRuleGuard.checkRule({ ...rule, ...unknownSource }, allowed, false)).toBeUndefined();
    });
  });

  test('skips the all-ports check only when the protocol or ports are unknown, not the source', () => {
    expect(
      IngressRuleGuard.checkRule({ ipProtocol: 'tcp', cidrIp: '10.0.0.0/8', hasUnresolvedPorts: true }, [], false),
    ).toBeUndefined();
    // A rule built by hand with only `hasUnresolvedValues` reads as before: its ports are unknown.
    expect(
      IngressRuleGuard.checkRule({ ipProtocol: 'tcp', cidrIp: '10.0.0.0/8', hasUnresolvedValues: true }, [], false),
    ).toBeUndefined();
  });

  test('all protocols from the internet stay rejected even when all-ports is allowed', () => {
    expect(IngressRuleGuard.checkRule({ ipProtocol: '-1', cidrIp: '0.0.0.0/0' }, [443], true)).toMatch(
      /admits the internet/,
    );
  });

  test('reads the protocol by name or number, in any case, alike in the all-ports and the administration-port checks', () => {
    const unknownSource = { hasUnresolvedValues: true, hasUnresolvedSource: true };
    // `all` is `-1`, and 6 and 17 are TCP and UDP: spellings the L2 does not write, but an L1 or an override may.
    expect(IngressRuleGuard.checkRule({ ipProtocol: 'ALL', cidrIp: '10.0.0.0/8' }, [], false)).toMatch(
      /admits all protocols/,
    );
    expect(
      IngressRuleGuard.checkRule({ ipProtocol: '6', fromPort: 0, toPort: 65535, cidrIp: '10.0.0.0/8' }, [], false),
    ).toMatch(/admits all ports/);
    expect(IngressRuleGuard.checkRule({ ipProtocol: 'all', ...unknownSource }, [], true)).toMatch(
      /on all ports, which include remote administration ports 22, 3389/,
    );
    expect(
      IngressRuleGuard.checkRule({ ipProtocol: '17', fromPort: 3000, toPort: 4000, ...unknownSource }, [], false),
    ).toMatch(/on ports 3000-4000, which include remote administration port 3389/);
  });
});

describe('IngressRuleGuard.ingressRulesOf', () => {
  test('reads inline rules of a security group, with property overrides', () => {
    const stack = new Stack();
    const group = new ec2.SecurityGroup(stack, 'Group', { vpc: new ec2.Vpc(stack, 'Vpc'), allowAllOutbound: false });
    group.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(5432));
    const cfn = group.node.defaultChild as ec2.CfnSecurityGroup;
    cfn.addPropertyOverride('SecurityGroupIngress.0.CidrIp', '0.0.0.0/0');
    expect(IngressRuleGuard.ingressRulesOf(cfn)).toEqual([
      { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIp: '0.0.0.0/0', cidrIpv6: undefined },
    ]);
  });

  test('reads a standalone ingress resource and flags deploy-time values', () => {
    const stack = new Stack();
    const ingress = new ec2.CfnSecurityGroupIngress(stack, 'Ingress', {
      groupId: 'sg-1',
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: new ec2.Vpc(stack, 'Vpc').vpcCidrBlock,
    });
    expect(IngressRuleGuard.ingressRulesOf(ingress)).toEqual([
      {
        ipProtocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        cidrIp: undefined,
        cidrIpv6: undefined,
        hasUnresolvedValues: true,
        hasUnresolvedSource: true,
      },
    ]);
  });

  test('tells deploy-time ports apart from a deploy-time source', () => {
    const stack = new Stack();
    const port = new CfnParameter(stack, 'Port', { type: 'Number' }).valueAsNumber;
    const ingress = new ec2.CfnSecurityGroupIngress(stack, 'Ingress', {
      groupId: 'sg-1',
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      cidrIp: '10.0.0.0/8',
    });
    expect(IngressRuleGuard.ingressRulesOf(ingress)).toEqual([
      {
        ipProtocol: 'tcp',
        fromPort: undefined,
        toPort: undefined,
        cidrIp: '10.0.0.0/8',
        cidrIpv6: undefined,
        hasUnresolvedValues: true,
        hasUnresolvedPorts: true,
      },
    ]);
  });

  test('reads a numeric IpProtocol set by a property override (CloudFormation accepts -1 as a number)', () => {
    const stack = new Stack();
    const ingress = new ec2.CfnSecurityGroupIngress(stack, 'Ingress', {
      groupId: 'sg-1',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIp: '10.0.0.0/8',
    });
    ingress.addPropertyOverride('IpProtocol', -1);
    const rules = IngressRuleGuard.ingressRulesOf(ingress);
    expect(rules).toEqual([
      { ipProtocol: '-1', fromPort: 443, toPort: 443, cidrIp: '10.0.0.0/8', cidrIpv6: undefined },
    ]);
    expect(IngressRuleGuard.checkRule(rules[0], [], false)).toMatch(/admits all protocols/);
  });

  test('reads a numeric IpProtocol in an inline rule too', () => {
    const stack = new Stack();
    const group = new ec2.SecurityGroup(stack, 'Group', { vpc: new ec2.Vpc(stack, 'Vpc'), allowAllOutbound: false });
    group.addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(5432));
    (group.node.defaultChild as ec2.CfnSecurityGroup).addPropertyOverride('SecurityGroupIngress.0.IpProtocol', 6);
    expect(IngressRuleGuard.ingressRulesOf(group.node.defaultChild as ec2.CfnSecurityGroup)).toEqual([
      { ipProtocol: '6', fromPort: 5432, toPort: 5432, cidrIp: '10.0.0.0/8', cidrIpv6: undefined },
    ]);
  });

  test('a protocol that is a real token (a parameter) stays unknown at synthesis', () => {
    const stack = new Stack();
    const ingress = new ec2.CfnSecurityGroupIngress(stack, 'Ingress', {
      groupId: 'sg-1',
      ipProtocol: new CfnParameter(stack, 'Protocol').valueAsString,
      fromPort: 443,
      toPort: 443,
      cidrIp: '10.0.0.0/8',
    });
    expect(IngressRuleGuard.ingressRulesOf(ingress)).toEqual([
      {
        ipProtocol: '-1',
        fromPort: 443,
        toPort: 443,
        cidrIp: '10.0.0.0/8',
        cidrIpv6: undefined,
        hasUnresolvedValues: true,
        hasUnresolvedPorts: true,
      },
    ]);
  });

  describe('an Fn::If gives the rules of every branch, since either may deploy', () => {
    const ssh = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' };
    const https = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/8' };
    const sshRule = { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/0' };
    const httpsRule = { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '10.0.0.0/8' };
    const groupIn = (stack: Stack) =>
      new ec2.CfnSecurityGroup(stack, 'Group', { groupDescription: 'g', vpcId: 'vpc-1' });

    test('around the whole inline list, set by a property override', () => {
      const stack = new Stack();
      const group = groupIn(stack);
      group.addPropertyOverride('SecurityGroupIngress', { 'Fn::If': ['Open', [ssh], [https]] });
      expect(IngressRuleGuard.ingressRulesOf(group)).toEqual([sshRule, httpsRule]);
    });

    test('around the whole inline list, set by the property, with AWS::NoValue and nested Fn::If branches', () => {
      const stack = new Stack();
      const group = new ec2.CfnSecurityGroup(stack, 'Group', {
        groupDescription: 'g',
        vpcId: 'vpc-1',
        securityGroupIngress: Fn.conditionIf('Open', [ssh], Fn.conditionIf('Internal', [https], Aws.NO_VALUE)),
      });
      expect(IngressRuleGuard.ingressRulesOf(group)).toEqual([sshRule, httpsRule]);
    });

    test('around one entry of the list', () => {
      const stack = new Stack();
      const group = groupIn(stack);
      group.addPropertyOverride('SecurityGroupIngress', [{ 'Fn::If': ['Open', ssh, { Ref: 'AWS::NoValue' }] }, https]);
      expect(IngressRuleGuard.ingressRulesOf(group)).toEqual([sshRule, httpsRule]);
    });

    test('around a value of a rule: one rule per branch, a token branch staying unknown at synthesis', () => {
      const stack = new Stack();
      const ingress = new ec2.CfnSecurityGroupIngress(stack, 'Ingress', {
        groupId: 'sg-1',
        ipProtocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
        cidrIp: Fn.conditionIf('Open', '0.0.0.0/0', new CfnParameter(stack, 'Source').valueAsString).toString(),
      });
      expect(IngressRuleGuard.ingressRulesOf(ingress)).toEqual([
        { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, cidrIp: '0.0.0.0/0' },
        { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, hasUnresolvedValues: true, hasUnresolvedSource: true },
      ]);
    });
  });

  test('ignores other resources', () => {
    const stack = new Stack();
    const bucket = new s3.CfnBucket(stack, 'Bucket');
    expect(IngressRuleGuard.ingressRulesOf(bucket)).toEqual([]);
  });
});

describe('IngressRuleGuard as an Aspect', () => {
  function guarded(build: (stack: Stack, vpc: ec2.IVpc) => void, props?: IngressRuleGuardProps) {
    const app = new App();
    const stack = new Stack(app, 'App');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-1',
      availabilityZones: ['a'],
      vpcCidrBlock: '10.0.0.0/16',
    });
    build(stack, vpc);
    Aspects.of(app).add(new IngressRuleGuard(props), { priority: AspectPriority.READONLY });
    return Annotations.fromStack(stack);
  }
  const group = (stack: Stack, vpc: ec2.IVpc, id = 'Bastion') =>
    new ec2.SecurityGroup(stack, id, { vpc, allowAllOutbound: false, description: id });

  test('fails a stack with open SSH, naming the path, the rule and how to allow it', () => {
    const annotations = guarded((stack, vpc) => group(stack, vpc).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22)));
    const errors = annotations.findError('*', Match.anyValue());
    expect(errors).toHaveLength(1);
    expect(errors[0].id).toBe('/App/Bastion/Resource');
    const message = String(errors[0].entry.data);
    expect(message).toContain('App/Bastion/Resource (AWS::EC2::SecurityGroup)');
    expect(message).toContain("'tcp port 22 from 0.0.0.0/0'");
    expect(message).toContain('IngressRuleGuard.allowPublicIngress(');
    expect(message).toContain('allowedPublicPorts');
  });

  test('passes a 443 rule allowed app-wide', () => {
    const annotations = guarded(
      (stack, vpc) => group(stack, vpc, 'Alb').addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443)),
      { allowedPublicPorts: [443] },
    );
    annotations.hasNoError('*', Match.anyValue());
  });

  test('passes a 443 rule allowed on its security group, and records the reason in the assembly', () => {
    const app = new App();
    const stack = new Stack(app, 'App');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['a'] });
    const alb = group(stack, vpc, 'Alb');
    alb.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
    alb.addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.tcp(443));
    IngressRuleGuard.allowPublicIngress(alb, 443, 'Internet-facing load balancer of the storefront');
    Aspects.of(app).add(new IngressRuleGuard());
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
    const recorded = app
      .synth()
      .getStackByName('App')
      .findMetadataByType('groundwork:ingress-rule-guard:allow-public-port');
    expect(recorded).toEqual([
      expect.objectContaining({
        path: '/App/Alb',
        data: { port: 443, reason: 'Internet-facing load balancer of the storefront' },
      }),
    ]);
  });

  test('an allowance for 443 does not open 22 on the same group', () => {
    const annotations = guarded((stack, vpc) => {
      const alb = group(stack, vpc, 'Alb');
      alb.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
      alb.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
      IngressRuleGuard.allowPublicIngress(alb, 443, 'Internet-facing load balancer');
    });
    const errors = annotations.findError('*', Match.anyValue());
    expect(errors).toHaveLength(1);
    expect(String(errors[0].entry.data)).toContain('port 22');
  });

  test('fails a standalone AWS::EC2::SecurityGroupIngress open to ::/0', () => {
    const annotations = guarded((stack) => {
      new ec2.CfnSecurityGroupIngress(stack, 'OpenRdp', {
        groupId: 'sg-12345678',
        ipProtocol: 'tcp',
        fromPort: 3389,
        toPort: 3389,
        cidrIpv6: '::/0',
      });
    });
    annotations.hasError(
      '/App/OpenRdp',
      Match.stringLikeRegexp('AWS::EC2::SecurityGroupIngress.*admits the internet \\(::/0\\)'),
    );
  });

  test('fails SSH split into two /1 halves of the internet, IPv4 and IPv6, but passes SSH from 10.0.0.0/8', () => {
    const annotations = guarded((stack, vpc) => {
      const bastion = group(stack, vpc);
      bastion.addIngressRule(ec2.Peer.ipv4('0.0.0.0/1'), ec2.Port.tcp(22));
      bastion.addIngressRule(ec2.Peer.ipv4('128.0.0.0/1'), ec2.Port.tcp(22));
      bastion.addIngressRule(ec2.Peer.ipv6('::/1'), ec2.Port.tcp(22));
      bastion.addIngressRule(ec2.Peer.ipv6('8000::/1'), ec2.Port.tcp(22));
      group(stack, vpc, 'Admin').addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(22));
    });
    const errors = annotations.findError('*', Match.anyValue());
    expect(errors.map((error) => error.id)).toEqual(Array(4).fill('/App/Bastion/Resource'));
    const messages = errors.map((error) => String(error.entry.data));
    for (const cidr of ['0.0.0.0/1', '128.0.0.0/1', '::/1', '8000::/1']) {
      expect(messages.filter((message) => message.includes(`admits the internet (${cidr},`))).toHaveLength(1);
    }
  });

  test('fails an all-traffic rule from another security group unless allowed on purpose', () => {
    const build = (allow: boolean) => (stack: Stack, vpc: ec2.IVpc) => {
      const nodes = group(stack, vpc, 'Nodes');
      nodes.connections.allowInternally(ec2.Port.allTraffic());
      if (allow) {
        IngressRuleGuard.allowAllPortsIngress(nodes, 'Cluster nodes talk to each other on dynamic ports');
      }
    };
    guarded(build(false)).hasError('*', Match.stringLikeRegexp('admits all protocols'));
    guarded(build(true)).hasNoError('*', Match.anyValue());
  });

  test('fails an all-traffic rule from a deploy-time CIDR (a VPC CIDR attribute)', () => {
    const app = new App();
    const stack = new Stack(app, 'App');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [] });
    group(stack, vpc, 'Nodes').addIngressRule(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.allTraffic());
    Aspects.of(app).add(new IngressRuleGuard(), { priority: AspectPriority.READONLY });
    const errors = Annotations.fromStack(stack).findError('*', Match.anyValue());
    expect(errors.map((e) => e.id)).toEqual(['/App/Nodes/Resource']);
    expect(String(errors[0].entry.data)).toContain(
      "'-1 all ports from a source known only at deploy time' admits all protocols",
    );
  });

  test('fails a rule whose protocol an override turns into the number -1 (all protocols)', () => {
    guarded((stack) => {
      const ingress = new ec2.CfnSecurityGroupIngress(stack, 'Overridden', {
        groupId: 'sg-12345678',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrIp: '10.0.0.0/8',
      });
      ingress.addPropertyOverride('IpProtocol', -1);
    }).hasError('/App/Overridden', Match.stringLikeRegexp("'-1 port 443 from 10\\.0\\.0\\.0/8' admits all protocols"));
  });

  describe('judges every branch of an Fn::If (README: the guard reads the rendered properties)', () => {
    const condition = (stack: Stack, id: string) =>
      new CfnCondition(stack, id, {
        expression: Fn.conditionEquals(new CfnParameter(stack, `${id}Flag`).valueAsString, 'yes'),
      });

    test('fails an inline list behind Fn::If when one branch opens SSH to the internet', () => {
      guarded((stack) => {
        condition(stack, 'Open');
        new ec2.CfnSecurityGroup(stack, 'Group', {
          groupDescription: 'g',
          vpcId: 'vpc-1',
          securityGroupIngress: Fn.conditionIf(
            'Open',
            [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' }],
            [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/8' }],
          ),
        });
      }).hasError(
        '/App/Group',
        Match.stringLikeRegexp(
          "'tcp port 22 from 0\\.0\\.0\\.0/0' admits the internet \\(0\\.0\\.0\\.0/0\\) on port 22",
        ),
      );
    });

    test('fails an override that sets the inline list to Fn::If of all traffic from the internet or AWS::NoValue', () => {
      guarded((stack, vpc) => {
        condition(stack, 'Always');
        const cfn = group(stack, vpc).node.defaultChild as ec2.CfnSecurityGroup;
        cfn.addPropertyOverride('SecurityGroupIngress', {
          'Fn::If': ['Always', [{ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }], { Ref: 'AWS::NoValue' }],
        });
      }).hasError(
        '/App/Bastion/Resource',
        Match.stringLikeRegexp("'-1 all ports from 0\\.0\\.0\\.0/0' admits all protocols"),
      );
    });

    test('fails a rule whose source is Fn::If with a 0.0.0.0/0 branch, on a port that is not an administration port', () => {
      guarded((stack) => {
        condition(stack, 'Open');
        new ec2.CfnSecurityGroupIngress(stack, 'Rule', {
          groupId: 'sg-12345678',
          ipProtocol: 'tcp',
          fromPort: 5432,
          toPort: 5432,
          cidrIp: Fn.conditionIf('Open', '0.0.0.0/0', '10.0.0.0/8').toString(),
        });
      }).hasError(
        '/App/Rule',
        Match.stringLikeRegexp(
          'admits the internet \\(0\\.0\\.0\\.0/0\\) on port 5432, which is not an allowed public port',
        ),
      );
    });

    test('passes an Fn::If whose every branch is acceptable', () => {
      guarded(
        (stack) => {
          condition(stack, 'Open');
          new ec2.CfnSecurityGroup(stack, 'Group', {
            groupDescription: 'g',
            vpcId: 'vpc-1',
            securityGroupIngress: Fn.conditionIf(
              'Open',
              [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }],
              Aws.NO_VALUE,
            ),
          });
        },
        { allowedPublicPorts: [443] },
      ).hasNoError('*', Match.anyValue());
    });
  });

  test('fails a TCP 1-65535 rule from a private range, as all ports', () => {
    guarded((stack, vpc) =>
      group(stack, vpc, 'Nodes').addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcpRange(1, 65535)),
    ).hasError(
      '/App/Nodes/Resource',
      Match.stringLikeRegexp("'tcp ports 1-65535 from 10\\.0\\.0\\.0/8' admits all ports"),
    );
  });

  test('fails SSH from a CIDR parameter (its default could be 0.0.0.0/0), unless 22 is allowed on purpose', () => {
    const build = (allow: boolean) => (stack: Stack, vpc: ec2.IVpc) => {
      const source = new CfnParameter(stack, 'AdminCidr', { default: '0.0.0.0/0' }).valueAsString;
      const bastion = group(stack, vpc);
      bastion.addIngressRule(ec2.Peer.ipv4(source), ec2.Port.tcp(22));
      if (allow) {
        IngressRuleGuard.allowPublicIngress(bastion, 22, 'Bastion reached from the admin network given at deploy time');
      }
    };
    guarded(build(false)).hasError(
      '/App/Bastion/Resource',
      Match.stringLikeRegexp(
        'source known only at deploy time, which could be the internet, on remote administration port 22',
      ),
    );
    guarded(build(true)).hasNoError('*', Match.anyValue());
  });

  test('fails SSH from a managed prefix list (its entries can change after deployment), unless 22 is allowed', () => {
    const build = (allow: boolean, port: number) => (stack: Stack, vpc: ec2.IVpc) => {
      const offices = new ec2.PrefixList(stack, 'Offices', { entries: [{ cidr: '198.51.100.0/24' }] });
      const bastion = group(stack, vpc);
      bastion.addIngressRule(ec2.Peer.prefixList(offices.prefixListId), ec2.Port.tcp(port));
      if (allow) IngressRuleGuard.allowPublicIngress(bastion, 22, 'Bastion reached from the office prefix list');
    };
    // A prefix list created in the stack is a token peer: the rule is a standalone AWS::EC2::SecurityGroupIngress.
    guarded(build(false, 22)).hasError(
      '*',
      Match.stringLikeRegexp(
        "'tcp port 22 from prefix list \\(known at deploy time\\)' admits a managed prefix list, whose entries could be changed to the internet after deployment, on remote administration port 22",
      ),
    );
    guarded(build(true, 22)).hasNoError('*', Match.anyValue());
    // Other ports from a prefix list are trusted, as from a deploy-time CIDR.
    guarded(build(false, 443)).hasNoError('*', Match.anyValue());
  });

  test('passes HTTPS from a deploy-time CIDR: only administration ports need a known source', () => {
    guarded((stack, vpc) => {
      const source = new CfnParameter(stack, 'ClientCidr').valueAsString;
      group(stack, vpc, 'Api').addIngressRule(ec2.Peer.ipv4(source), ec2.Port.tcp(443));
    }).hasNoError('*', Match.anyValue());
  });

  test('a WorkloadVpc with IPAM (its endpoint rule has a deploy-time source) passes the guard', () => {
    const app = new App();
    const stack = new EnvironmentStack(app, 'Network');
    new WorkloadVpc(stack, 'Vpc', {
      environmentName: 'dev',
      availabilityZones: AZS,
      ipamPoolId: 'ipam-pool-0123456789abcdef0',
      ipamNetmaskLength: 20,
    });
    Aspects.of(app).add(new IngressRuleGuard(), { priority: AspectPriority.READONLY });
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });

  test('the WorkloadVpc itself passes the guard', () => {
    const app = new App();
    const stack = new EnvironmentStack(app, 'Network');
    new WorkloadVpc(stack, 'Vpc', {
      environmentName: 'dev',
      availabilityZones: AZS,
      interfaceEndpoints: [InterfaceEndpointService.SSM, InterfaceEndpointService.STS],
    });
    Aspects.of(app).add(new IngressRuleGuard(), { priority: AspectPriority.READONLY });
    Annotations.fromStack(stack).hasNoError('*', Match.anyValue());
  });

  test('rejects allowances without a reason and bad ports', () => {
    const stack = new Stack();
    expect(() => IngressRuleGuard.allowPublicIngress(stack, 443, ' ')).toThrow(/needs a non-empty 'reason'/);
    expect(() => IngressRuleGuard.allowPublicIngress(stack, 70000, 'x')).toThrow(/'port' must be 0-65535, found 70000/);
    expect(() => IngressRuleGuard.allowAllPortsIngress(stack, '')).toThrow(/needs a non-empty 'reason'/);
    expect(() => new IngressRuleGuard({ allowedPublicPorts: [-1] })).toThrow(
      /'allowedPublicPorts' entries must be ports/,
    );
  });
});
