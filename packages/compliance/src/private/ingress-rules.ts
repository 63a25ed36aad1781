import { RenderedResource, conditionVariants, possibleElements } from './cfn-template';
import { coversWholeAddressSpace } from './cidr';

/** One ingress rule, inline on a security group or as a standalone AWS::EC2::SecurityGroupIngress. */
export interface IngressRule {
  readonly IpProtocol?: string | number;
  readonly FromPort?: number | string;
  readonly ToPort?: number | string;
  readonly CidrIp?: unknown;
  readonly CidrIpv6?: unknown;
}

/** True for the types that carry ingress rules. */
export function carriesIngressRules(type: string): boolean {
  return type === 'AWS::EC2::SecurityGroup' || type === 'AWS::EC2::SecurityGroupIngress';
}

/** The rule properties whose `Fn::If` branches give a rule different meanings. */
const RULE_KEYS = ['IpProtocol', 'FromPort', 'ToPort', 'CidrIp', 'CidrIpv6'];

/**
 * The ingress rules a security group or security group ingress resource defines, in every form the
 * template's conditions allow: a rule list or a rule behind an `Fn::If` counts in each branch, and a rule
 * whose protocol, ports or CIDR is an `Fn::If` is returned once per combination of branches. A rule that
 * opens a port in one deployment opens it.
 */
export function ingressRulesOf(resource: RenderedResource): IngressRule[] {
  let rules: unknown[] = [];
  if (resource.Type === 'AWS::EC2::SecurityGroup') {
    rules = possibleElements(resource.Properties.SecurityGroupIngress);
  } else if (resource.Type === 'AWS::EC2::SecurityGroupIngress') {
    rules = [resource.Properties];
  }
  return rules
    .filter((r): r is IngressRule => typeof r === 'object' && !Array.isArray(r))
    .flatMap((r) => conditionVariants(r, RULE_KEYS));
}

/**
 * True when the source is the whole address space: any IPv4 or IPv6 CIDR with prefix length 0
 * (`0.0.0.0/0`, `::/0`, `::0/0`). A CIDR given as a reference (e.g. a VPC's `CidrBlock`) is not a
 * literal and is treated as not public.
 */
export function isFromAnywhere(rule: IngressRule): boolean {
  return [rule.CidrIp, rule.CidrIpv6].some((cidr) => typeof cidr === 'string' && /\/0+$/.test(cidr.trim()));
}

/**
 * The rules open to every address: each one from a `/0` block, and the rules of one protocol and port range
 * whose blocks together hold every IPv4 or every IPv6 address (`0.0.0.0/1` and `128.0.0.0/1` in two rules).
 */
export function rulesFromAnywhere(rules: readonly IngressRule[]): IngressRule[] {
  const groups = new Map<string, IngressRule[]>();
  for (const rule of rules) {
    const key = JSON.stringify([protocolOf(rule), String(rule.FromPort), String(rule.ToPort)]);
    groups.set(key, [...(groups.get(key) ?? []), rule]);
  }
  return [...groups.values()].flatMap((group) =>
    coversWholeAddressSpace(group.flatMap((rule) => [rule.CidrIp, rule.CidrIpv6]))
      ? group
      : group.filter(isFromAnywhere),
  );
}

/** The protocol as EC2 normalises it: names lower-cased, numbers as strings ('6' is tcp, '58' icmpv6). */
export function protocolOf(rule: IngressRule): string {
  const protocol = String(rule.IpProtocol ?? '').toLowerCase();
  return ({ '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' } as { [n: string]: string })[protocol] ?? protocol;
}

/** The protocols whose rules EC2 limits to the rule's ports (or ICMP types); see opensEveryPortOfItsProtocol. */
const PORT_SCOPED_PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv6'];

/**
 * True when EC2 ignores the rule's port range: `-1` (every protocol) or any other literal protocol
 * number than tcp, udp, icmp and icmpv6 (e.g. `132`, SCTP). EC2 API reference, IpPermission.IpProtocol:
 * "specifying -1 or a protocol number other than tcp, udp, icmp, or icmpv6 allows traffic on all ports,
 * regardless of any port range you specify". A protocol given as a reference cannot be read and is not
 * counted.
 */
export function opensEveryPortOfItsProtocol(rule: IngressRule): boolean {
  const protocol = protocolOf(rule);
  return /^-?\d+$/.test(protocol) && !PORT_SCOPED_PROTOCOLS.includes(protocol);
}

/** The port range for tcp/udp rules, undefined when ports do not apply or are not literal numbers. */
export function portRangeOf(rule: IngressRule): { from: number; to: number } | undefined {
  const protocol = protocolOf(rule);
  if (protocol !== 'tcp' && protocol !== 'udp') {
    return undefined;
  }
  const from = Number(rule.FromPort);
  const to = Number(rule.ToPort);
  return Number.isInteger(from) && Number.isInteger(to) ? { from, to } : undefined;
}
