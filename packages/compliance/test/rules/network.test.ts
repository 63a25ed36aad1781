import { Aws, CfnCondition, CfnParameter, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { expectCompliant, expectFindings, newStack, resourcesChecked } from '../fixtures';

function securityGroup(stack: ReturnType<typeof newStack>): ec2.SecurityGroup {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [] });
  return new ec2.SecurityGroup(stack, 'Sg', { vpc });
}

describe('Groundwork-NET1: public ingress only on allowed ports', () => {
  test('passes 443 from anywhere when 443 is allowed', () => {
    const stack = newStack();
    securityGroup(stack).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
    expectCompliant(stack, 'Groundwork-NET1', { allowedPublicIngressPorts: [443] });
  });

  test('passes a private source on any port', () => {
    const stack = newStack();
    securityGroup(stack).addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(22));
    expectCompliant(stack, 'Groundwork-NET1');
  });

  test('fails 443 from anywhere with the default (no public ports)', () => {
    const stack = newStack();
    securityGroup(stack).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
    expectFindings(stack, 'Groundwork-NET1', ['Test/Sg/Resource']);
  });

  test('fails ::/0 on a port that is not allowed, and a range only partly allowed', () => {
    const stack = newStack();
    securityGroup(stack).addIngressRule(ec2.Peer.anyIpv6(), ec2.Port.tcp(22));
    const other = new ec2.SecurityGroup(stack, 'Other', {
      vpc: ec2.Vpc.fromLookup(stack, 'Looked', { isDefault: true }),
    });
    other.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcpRange(80, 443));
    expectFindings(stack, 'Groundwork-NET1', ['Test/Sg/Resource', 'Test/Other/Resource'], {
      allowedPublicIngressPorts: [80, 443],
    });
  });

  test('fails ICMP from anywhere: only tcp/udp ports can be allowed', () => {
    const stack = newStack();
    securityGroup(stack).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.allIcmp());
    expectFindings(stack, 'Groundwork-NET1', ['Test/Sg/Resource'], { allowedPublicIngressPorts: [443] });
  });

  test('fails a standalone AWS::EC2::SecurityGroupIngress from 0.0.0.0/0', () => {
    const stack = newStack();
    new ec2.CfnSecurityGroupIngress(stack, 'Ingress', {
      groupId: 'sg-12345678',
      ipProtocol: 'tcp',
      fromPort: 3389,
      toPort: 3389,
      cidrIp: '0.0.0.0/0',
    });
    expectFindings(stack, 'Groundwork-NET1', ['Test/Ingress'], { allowedPublicIngressPorts: [443] });
  });
});

describe('Groundwork-NET1: rules whose blocks together hold every address are from anywhere', () => {
  test('SSH from 0.0.0.0/1 and 128.0.0.0/1 in two rules is SSH from anywhere', () => {
    const stack = newStack();
    const sg = securityGroup(stack);
    sg.addIngressRule(ec2.Peer.ipv4('0.0.0.0/1'), ec2.Port.tcp(22));
    sg.addIngressRule(ec2.Peer.ipv4('128.0.0.0/1'), ec2.Port.tcp(22));
    expectFindings(stack, 'Groundwork-NET1', ['Test/Sg/Resource'], { allowedPublicIngressPorts: [443] });
  });

  test('the same halves on an allowed port pass, and halves on different ports are not joined', () => {
    const allowed = newStack();
    const sg = securityGroup(allowed);
    sg.addIngressRule(ec2.Peer.ipv4('0.0.0.0/1'), ec2.Port.tcp(443));
    sg.addIngressRule(ec2.Peer.ipv4('128.0.0.0/1'), ec2.Port.tcp(443));
    expectCompliant(allowed, 'Groundwork-NET1', { allowedPublicIngressPorts: [443] });

    const split = newStack();
    const other = securityGroup(split);
    other.addIngressRule(ec2.Peer.ipv4('0.0.0.0/1'), ec2.Port.tcp(22));
    other.addIngressRule(ec2.Peer.ipv4('128.0.0.0/1'), ec2.Port.tcp(23));
    expectCompliant(split, 'Groundwork-NET1');
  });

  test('IPv6 halves too', () => {
    const stack = newStack();
    const sg = securityGroup(stack);
    sg.addIngressRule(ec2.Peer.ipv6('::/1'), ec2.Port.tcp(3389));
    sg.addIngressRule(ec2.Peer.ipv6('8000::/1'), ec2.Port.tcp(3389));
    expectFindings(stack, 'Groundwork-NET1', ['Test/Sg/Resource']);
  });
});

describe('Groundwork-NET2: no all-ports ingress', () => {
  test('passes a single-port rule', () => {
    const stack = newStack();
    securityGroup(stack).addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.tcp(5432));
    expectCompliant(stack, 'Groundwork-NET2');
  });

  test('fails all traffic (IpProtocol -1) even from a private source', () => {
    const stack = newStack();
    securityGroup(stack).addIngressRule(ec2.Peer.ipv4('10.0.0.0/8'), ec2.Port.allTraffic());
    expectFindings(stack, 'Groundwork-NET2', ['Test/Sg/Resource']);
  });

  test('fails a protocol number other than tcp/udp/icmp/icmpv6: EC2 ignores its port range and opens every port', () => {
    const stack = newStack();
    // SCTP (132): the template says port 443, EC2 allows every SCTP port.
    new ec2.CfnSecurityGroupIngress(stack, 'Sctp', {
      groupId: 'sg-12345678',
      ipProtocol: '132',
      fromPort: 443,
      toPort: 443,
      cidrIp: '10.0.0.0/8',
    });
    // Numbers of the port-scoped protocols keep their ports: 6 is tcp, 58 is icmpv6.
    new ec2.CfnSecurityGroupIngress(stack, 'Tcp', {
      groupId: 'sg-12345678',
      ipProtocol: '6',
      fromPort: 443,
      toPort: 443,
      cidrIp: '10.0.0.0/8',
    });
    new ec2.CfnSecurityGroupIngress(stack, 'Icmpv6', {
      groupId: 'sg-12345678',
      ipProtocol: '58',
      fromPort: -1,
      toPort: -1,
      cidrIpv6: 'fd00::/8',
    });
    expectFindings(stack, 'Groundwork-NET2', ['Test/Sctp']);
  });

  test('fails a 0-65535 tcp range on a standalone ingress', () => {
    const stack = newStack();
    new ec2.CfnSecurityGroupIngress(stack, 'Ingress', {
      groupId: 'sg-12345678',
      ipProtocol: 'tcp',
      fromPort: 0,
      toPort: 65535,
      sourceSecurityGroupId: 'sg-87654321',
    });
    expectFindings(stack, 'Groundwork-NET2', ['Test/Ingress']);
  });

  test('fails a 1-65535 range (port 0 is reserved, so it opens every port), not 2-65535 or 1-65534', () => {
    const stack = newStack();
    const rule = (id: string, fromPort: number, toPort: number) =>
      new ec2.CfnSecurityGroupIngress(stack, id, {
        groupId: 'sg-12345678',
        ipProtocol: 'udp',
        fromPort,
        toPort,
        sourceSecurityGroupId: 'sg-87654321',
      });
    rule('AllButZero', 1, 65535);
    rule('FromTwo', 2, 65535);
    rule('ToPenultimate', 1, 65534);
    expectFindings(stack, 'Groundwork-NET2', ['Test/AllButZero']);
    expect(resourcesChecked(stack, 'Groundwork-NET2')).toBe(3);
  });
});

describe('Groundwork-NET1 and NET2 read every branch of an Fn::If in an ingress rule', () => {
  function conditionOf(stack: ReturnType<typeof newStack>): string {
    return new CfnCondition(stack, 'Cond', { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') }).logicalId;
  }

  test('fails a CIDR, a rule or a protocol that is public or all-ports in one branch', () => {
    const stack = newStack();
    const c = conditionOf(stack);
    new ec2.CfnSecurityGroupIngress(stack, 'Cidr', {
      groupId: 'sg-12345678',
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: Fn.conditionIf(c, '0.0.0.0/0', '10.0.0.0/8').toString(),
    });
    const sg = new ec2.CfnSecurityGroup(stack, 'Rule', { groupDescription: 'x', vpcId: 'vpc-12345678' });
    sg.addPropertyOverride('SecurityGroupIngress', [
      Fn.conditionIf(c, { IpProtocol: '-1', CidrIp: '0.0.0.0/0' }, Aws.NO_VALUE),
    ]);
    new ec2.CfnSecurityGroupIngress(stack, 'Protocol', {
      groupId: 'sg-12345678',
      ipProtocol: Fn.conditionIf(c, '-1', 'tcp').toString(),
      fromPort: 5432,
      toPort: 5432,
      cidrIp: '10.0.0.0/8',
    });
    expectFindings(stack, 'Groundwork-NET1', ['Test/Cidr', 'Test/Rule']);
    expectFindings(stack, 'Groundwork-NET2', ['Test/Rule', 'Test/Protocol']);
  });

  test('passes an Fn::If whose every branch is private and port-scoped', () => {
    const stack = newStack();
    const c = conditionOf(stack);
    new ec2.CfnSecurityGroupIngress(stack, 'Ingress', {
      groupId: 'sg-12345678',
      ipProtocol: 'tcp',
      fromPort: 5432,
      toPort: 5432,
      cidrIp: Fn.conditionIf(c, '10.0.0.0/8', '172.16.0.0/12').toString(),
    });
    expectCompliant(stack, 'Groundwork-NET1');
    expectCompliant(stack, 'Groundwork-NET2');
  });
});

describe('Groundwork-NET1: rules add up on the ports they share, whatever their ranges', () => {
  function group(stack: ReturnType<typeof newStack>, id: string, ingress: ec2.CfnSecurityGroup.IngressProperty[]) {
    return new ec2.CfnSecurityGroup(stack, id, {
      groupDescription: id,
      vpcId: 'vpc-12345678',
      securityGroupIngress: ingress,
    });
  }

  test('fails halves of the address space whose port ranges differ but overlap, or that meet through an all-protocols rule', () => {
    const stack = newStack();
    // Port 22 is in both ranges: every address reaches it.
    group(stack, 'Overlap', [
      { ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/1' },
      { ipProtocol: 'tcp', fromPort: 0, toPort: 1024, cidrIp: '128.0.0.0/1' },
    ]);
    // IpProtocol -1 reaches tcp 3389 too.
    group(stack, 'AllProtocols', [
      { ipProtocol: '-1', cidrIp: '0.0.0.0/1' },
      { ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, cidrIp: '128.0.0.0/1' },
    ]);
    group(stack, 'Ipv6', [
      { ipProtocol: 'udp', fromPort: 500, toPort: 4500, cidrIpv6: '::/1' },
      { ipProtocol: 'udp', fromPort: 4500, toPort: 4500, cidrIpv6: '8000::/1' },
    ]);
    expectFindings(stack, 'Groundwork-NET1', ['Test/Overlap', 'Test/AllProtocols', 'Test/Ipv6'], {
      allowedPublicIngressPorts: [443],
    });
  });

  test('only the shared ports are public: they pass when allowed, and ranges that do not meet are not joined', () => {
    const stack = newStack();
    group(stack, 'SharedAllowed', [
      { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '0.0.0.0/1' },
      { ipProtocol: 'tcp', fromPort: 0, toPort: 1024, cidrIp: '128.0.0.0/1' },
    ]);
    group(stack, 'AllProtocolsAllowed', [
      { ipProtocol: '-1', cidrIp: '0.0.0.0/1' },
      { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '128.0.0.0/1' },
    ]);
    group(stack, 'Apart', [
      { ipProtocol: 'tcp', fromPort: 0, toPort: 1023, cidrIp: '0.0.0.0/1' },
      { ipProtocol: 'tcp', fromPort: 1024, toPort: 2048, cidrIp: '128.0.0.0/1' },
    ]);
    group(stack, 'OtherProtocol', [
      { ipProtocol: 'tcp', fromPort: 53, toPort: 53, cidrIp: '0.0.0.0/1' },
      { ipProtocol: 'udp', fromPort: 53, toPort: 53, cidrIp: '128.0.0.0/1' },
    ]);
    expectCompliant(stack, 'Groundwork-NET1', { allowedPublicIngressPorts: [443] });
    expect(resourcesChecked(stack, 'Groundwork-NET1', { allowedPublicIngressPorts: [443] })).toBe(4);
  });
});

describe('Groundwork-NET1 and NET2 read the values a template parameter states', () => {
  function ingress(stack: ReturnType<typeof newStack>, id: string, props: Partial<ec2.CfnSecurityGroupIngressProps>) {
    return new ec2.CfnSecurityGroupIngress(stack, id, {
      groupId: 'sg-12345678',
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: '10.0.0.0/8',
      ...props,
    });
  }

  test("fails a CIDR whose parameter defaults to, or allows, 0.0.0.0/0 (AWS's sample SSHLocation), and a protocol parameter defaulting to -1", () => {
    const stack = newStack();
    const sshLocation = new CfnParameter(stack, 'SSHLocation', { default: '0.0.0.0/0' });
    const allowed = new CfnParameter(stack, 'Allowed', { allowedValues: ['10.0.0.0/8', '0.0.0.0/0'] });
    const protocol = new CfnParameter(stack, 'Protocol', { default: '-1' });
    ingress(stack, 'DefaultOpen', { cidrIp: sshLocation.valueAsString });
    ingress(stack, 'AllowedValue', { cidrIp: allowed.valueAsString });
    ingress(stack, 'AllProtocols', { ipProtocol: protocol.valueAsString });
    expectFindings(stack, 'Groundwork-NET1', ['Test/DefaultOpen', 'Test/AllowedValue']);
    expectFindings(stack, 'Groundwork-NET2', ['Test/AllProtocols']);
  });

  test('passes parameters whose stated values are private; one without Default or AllowedValues, or an SSM parameter, is not read', () => {
    const stack = newStack();
    const privateDefault = new CfnParameter(stack, 'PrivateDefault', { default: '10.0.0.0/8' });
    const privateOnly = new CfnParameter(stack, 'PrivateOnly', { allowedValues: ['10.0.0.0/8', '172.16.0.0/12'] });
    const unstated = new CfnParameter(stack, 'Unstated');
    // The Default of an SSM parameter type names the Systems Manager parameter (here one ending in /0), not the CIDR.
    const ssm = new CfnParameter(stack, 'FromSsm', {
      type: 'AWS::SSM::Parameter::Value<String>',
      default: '/network/ssh-cidrs/0',
    });
    ingress(stack, 'DefaultPrivate', { cidrIp: privateDefault.valueAsString });
    ingress(stack, 'AllowedPrivate', { cidrIp: privateOnly.valueAsString });
    ingress(stack, 'NoStatedValue', { cidrIp: unstated.valueAsString });
    ingress(stack, 'SsmValue', { cidrIp: ssm.valueAsString });
    expectCompliant(stack, 'Groundwork-NET1');
    expectCompliant(stack, 'Groundwork-NET2');
  });
});

describe('Groundwork-NET1: the branches of an Fn::If and the values of a parameter are alternatives', () => {
  function conditionOf(stack: ReturnType<typeof newStack>, id = 'Cond'): string {
    return new CfnCondition(stack, id, { expression: Fn.conditionEquals(Aws.REGION, 'eu-west-1') }).logicalId;
  }
  const ssh = (cidrIp: string) => ({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: cidrIp });

  test('passes halves of the address space that one Fn::If, one parameter or opposite branches of one condition choose between', () => {
    const stack = newStack();
    const c = conditionOf(stack);
    new ec2.CfnSecurityGroupIngress(stack, 'CidrIf', {
      groupId: 'sg-0000000000000000a',
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: Fn.conditionIf(c, '0.0.0.0/1', '128.0.0.0/1').toString(),
    });
    const list = new ec2.CfnSecurityGroup(stack, 'ListIf', { groupDescription: 'x', vpcId: 'vpc-12345678' });
    list.addPropertyOverride('SecurityGroupIngress', Fn.conditionIf(c, [ssh('0.0.0.0/1')], [ssh('128.0.0.0/1')]));
    const half = new CfnParameter(stack, 'Half', { allowedValues: ['0.0.0.0/1', '128.0.0.0/1'] });
    new ec2.CfnSecurityGroupIngress(stack, 'Parameter', {
      groupId: 'sg-0000000000000000b',
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: half.valueAsString,
    });
    const opposite = new ec2.CfnSecurityGroup(stack, 'Opposite', { groupDescription: 'x', vpcId: 'vpc-12345678' });
    opposite.addPropertyOverride('SecurityGroupIngress', [
      ssh(Fn.conditionIf(c, '0.0.0.0/1', '10.0.0.0/8') as any),
      ssh(Fn.conditionIf(c, '10.0.0.0/8', '128.0.0.0/1') as any),
    ]);
    // A resource's own Condition: the ingress exists only where the inline rule is removed.
    const conditional = new ec2.CfnSecurityGroup(stack, 'ResourceCondition', {
      groupDescription: 'x',
      vpcId: 'vpc-12345678',
    });
    conditional.addPropertyOverride('SecurityGroupIngress', [Fn.conditionIf(c, Aws.NO_VALUE, ssh('128.0.0.0/1'))]);
    const onlyWhenC = new ec2.CfnSecurityGroupIngress(stack, 'OnlyWhenC', {
      groupId: conditional.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: '0.0.0.0/1',
    });
    onlyWhenC.cfnOptions.condition = stack.node.findChild('Cond') as CfnCondition;
    expectCompliant(stack, 'Groundwork-NET1');
    expect(resourcesChecked(stack, 'Groundwork-NET1')).toBe(6);
  });

  test('fails halves that the same branch of one condition gives to two rules', () => {
    const stack = newStack();
    const c = conditionOf(stack);
    const sg = new ec2.CfnSecurityGroup(stack, 'SameBranch', { groupDescription: 'x', vpcId: 'vpc-12345678' });
    sg.addPropertyOverride('SecurityGroupIngress', [
      ssh(Fn.conditionIf(c, '0.0.0.0/1', '10.0.0.0/8') as any),
      ssh(Fn.conditionIf(c, '128.0.0.0/1', '10.0.0.0/8') as any),
    ]);
    // Two conditions may both hold: their branches add up.
    const d = conditionOf(stack, 'Other');
    const two = new ec2.CfnSecurityGroup(stack, 'TwoConditions', { groupDescription: 'x', vpcId: 'vpc-12345678' });
    two.addPropertyOverride('SecurityGroupIngress', [
      ssh(Fn.conditionIf(c, '0.0.0.0/1', '10.0.0.0/8') as any),
      ssh(Fn.conditionIf(d, '128.0.0.0/1', '10.0.0.0/8') as any),
    ]);
    expectFindings(stack, 'Groundwork-NET1', ['Test/SameBranch', 'Test/TwoConditions']);
  });
});

describe('Groundwork-NET1: the rules a security group receives in the template add up', () => {
  test('fails an inline rule and a standalone ingress of the same group, reported on both', () => {
    const stack = newStack();
    const sg = new ec2.CfnSecurityGroup(stack, 'Sg', {
      groupDescription: 'x',
      vpcId: 'vpc-12345678',
      securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/1' }],
    });
    new ec2.CfnSecurityGroupIngress(stack, 'ByGroupId', {
      groupId: sg.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: 0,
      toPort: 1024,
      cidrIp: '128.0.0.0/1',
    });
    // Ref of a security group is its id too; this one adds a private rule, which takes no part.
    new ec2.CfnSecurityGroupIngress(stack, 'ByRef', {
      groupId: sg.ref,
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: '10.0.0.0/8',
    });
    // Another group's half is not joined.
    const other = new ec2.CfnSecurityGroup(stack, 'Other', { groupDescription: 'x', vpcId: 'vpc-12345678' });
    new ec2.CfnSecurityGroupIngress(stack, 'OtherHalf', {
      groupId: other.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: '128.0.0.0/1',
    });
    expectFindings(stack, 'Groundwork-NET1', ['Test/Sg', 'Test/ByGroupId']);
    expect(resourcesChecked(stack, 'Groundwork-NET1')).toBe(5);
  });

  test('a change between two validations is seen (each validation renders the template afresh)', () => {
    const stack = newStack();
    const sg = new ec2.CfnSecurityGroup(stack, 'Sg', {
      groupDescription: 'x',
      vpcId: 'vpc-12345678',
      securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/1' }],
    });
    const ingress = new ec2.CfnSecurityGroupIngress(stack, 'Ingress', {
      groupId: sg.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: '10.0.0.0/8',
    });
    expectCompliant(stack, 'Groundwork-NET1');
    ingress.addPropertyOverride('CidrIp', '128.0.0.0/1');
    expectFindings(stack, 'Groundwork-NET1', ['Test/Sg', 'Test/Ingress']);
  });

  // The walk visits constructs in tree order: a resource added since the last validation under a construct that
  // comes first is judged before any resource seen then. Its group's other rules must be read as they are now.
  test('a resource added ahead of the others reads its neighbours as they are now, not as the last validation saw them', () => {
    const stack = newStack();
    const early = new Construct(stack, 'Early');
    const sg = new ec2.CfnSecurityGroup(stack, 'Sg', {
      groupDescription: 'x',
      vpcId: 'vpc-12345678',
      securityGroupIngress: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIp: '0.0.0.0/1' }],
    });
    expectCompliant(stack, 'Groundwork-NET1');
    new ec2.CfnSecurityGroupIngress(early, 'New', {
      groupId: sg.attrGroupId,
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIp: '128.0.0.0/1',
    });
    expectFindings(stack, 'Groundwork-NET1', ['Test/Early/New', 'Test/Sg']);
  });

  test('fails standalone ingress resources of one group: a CDK group without inline rules, an imported group id', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [] });
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, disableInlineRules: true });
    sg.addIngressRule(ec2.Peer.ipv4('0.0.0.0/1'), ec2.Port.tcp(3389));
    sg.addIngressRule(ec2.Peer.ipv4('128.0.0.0/1'), ec2.Port.tcp(3389));
    const imported = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Imported', 'sg-0123456789abcdef0');
    imported.addIngressRule(ec2.Peer.ipv6('::/1'), ec2.Port.udp(161));
    imported.addIngressRule(ec2.Peer.ipv6('8000::/1'), ec2.Port.udp(161));
    expectFindings(stack, 'Groundwork-NET1', [
      'Test/Sg/from 0.0.0.0_1:3389',
      'Test/Sg/from 128.0.0.0_1:3389',
      'Test/Imported/from ::_1:UDP 161',
      'Test/Imported/from 8000::_1:UDP 161',
    ]);
  });
});
