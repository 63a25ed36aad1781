import { CfnResource } from 'aws-cdk-lib';
import { RenderedResource, conditionVariants, possibleElements } from './cfn-template';
import { cidrInterval, coversWholeAddressSpace, intervalsCoverWholeSpace } from './cidr';
import { parameterVariants } from './parameters';

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
export const RULE_KEYS = ['IpProtocol', 'FromPort', 'ToPort', 'CidrIp', 'CidrIpv6'];

/**
 * The ingress rules a security group or security group ingress resource defines, in every form the
 * template's conditions and parameters allow: a rule list or a rule behind an `Fn::If` counts in each branch,
 * a rule whose protocol, ports or CIDR is an `Fn::If` is returned once per combination of branches, and one
 * whose protocol, ports or CIDR is a `Ref` to a parameter once per value the template states for it (its
 * `AllowedValues`, or its `Default`: AWS's own sample templates default `SSHLocation` to `0.0.0.0/0`). A rule
 * that opens a port in one deployment opens it.
 * @param resource the rendered resource
 * @param node the resource, whose stack holds the parameters
 */
export function ingressRulesOf(resource: RenderedResource, node: CfnResource): IngressRule[] {
  let rules: unknown[] = [];
  if (resource.Type === 'AWS::EC2::SecurityGroup') {
    rules = possibleElements(resource.Properties.SecurityGroupIngress);
  } else if (resource.Type === 'AWS::EC2::SecurityGroupIngress') {
    rules = [resource.Properties];
  }
  return rules
    .filter((r): r is IngressRule => typeof r === 'object' && !Array.isArray(r))
    .flatMap((r) => conditionVariants(r, RULE_KEYS))
    .flatMap((r) => parameterVariants(node, r, RULE_KEYS));
}

/**
 * True when the source is the whole address space: any IPv4 or IPv6 CIDR with prefix length 0
 * (`0.0.0.0/0`, `::/0`, `::0/0`). A CIDR given as a reference (e.g. a VPC's `CidrBlock`) is not a
 * literal and is treated as not public.
 */
export function isFromAnywhere(rule: IngressRule): boolean {
  return [rule.CidrIp, rule.CidrIpv6].some((cidr) => typeof cidr === 'string' && /\/0+$/.test(cidr.trim()));
}

/** A rule that stands for ingress from every address: what NET1 judges by its protocol and ports. */
function fromAnywhere(protocol: string, fromPort?: number | string, toPort?: number | string): IngressRule {
  return { IpProtocol: protocol, FromPort: fromPort, ToPort: toPort, CidrIp: '0.0.0.0/0' };
}

/** Whether the CIDR blocks of the rules together hold every IPv4 or every IPv6 address. */
function togetherFromAnywhere(rules: readonly IngressRule[]): boolean {
  return coversWholeAddressSpace(rules.flatMap((rule) => [rule.CidrIp, rule.CidrIpv6]));
}

/**
 * The rules that take part in making the rules' blocks hold every address: each one that belongs to some set of
 * them that holds every IPv4 (or IPv6) address and in which every block is needed. Two CIDR blocks are nested or
 * disjoint, so a block is in such a set exactly when it and the blocks disjoint from it hold every address: a
 * `10.0.0.0/8` rule beside `0.0.0.0/1` and `128.0.0.0/1` (or beside `0.0.0.0/0`) takes no part.
 */
function takingPart(rules: readonly IngressRule[]): IngressRule[] {
  const blocks = rules.flatMap((rule) =>
    [rule.CidrIp, rule.CidrIpv6].flatMap((cidr) => {
      const interval = cidrInterval(cidr);
      return interval ? [{ rule, interval }] : [];
    }),
  );
  const part = blocks.filter(({ interval }) => {
    const disjoint = blocks.filter(
      (other) =>
        other.interval.family === interval.family &&
        (other.interval.end < interval.start || other.interval.start > interval.end),
    );
    return intervalsCoverWholeSpace([interval, ...disjoint.map((other) => other.interval)]);
  });
  return [...new Set(part.map((block) => block.rule))];
}

/** Traffic open to every address, and the rules that open it. */
export interface PublicIngress {
  /** The traffic, as NET1 judges it by protocol and ports: the rule itself when it is from a `/0` block. */
  readonly traffic: IngressRule;
  /**
   * The rules that take part: the `/0` rule, or each rule needed in some set of the rules that reach the traffic
   * and hold every address together (see takingPart).
   */
  readonly rules: readonly IngressRule[];
}

/**
 * The ingress open to every address, with the rules that open it: each rule from a `/0` block, and wherever
 * several rules reach the same traffic and their blocks together hold every IPv4 or every IPv6 address
 * (`0.0.0.0/1` and `128.0.0.0/1`), that traffic as one rule from `0.0.0.0/0`. Rules need not have the same port
 * range to add up: `0.0.0.0/1` on tcp 22 and `128.0.0.0/1` on tcp 0-1024 open port 22 to everyone (and only
 * port 22). A rule of every protocol (`-1`) reaches every port of every protocol, one of a protocol whose ports
 * EC2 ignores (see opensEveryPortOfItsProtocol) every port of that protocol. Rules whose ports cannot be read
 * (ICMP types and codes, references) add up only with rules of the same protocol and ports. The rules are
 * taken as applying together: alternatives (the branches of an `Fn::If`) are judged apart by the caller.
 */
export function rulesFromAnywhere(rules: readonly IngressRule[]): PublicIngress[] {
  const exposed: PublicIngress[] = rules.filter(isFromAnywhere).map((rule) => ({ traffic: rule, rules: [rule] }));
  const everyProtocol = rules.filter((rule) => protocolOf(rule) === '-1');
  if (togetherFromAnywhere(everyProtocol)) {
    exposed.push({ traffic: fromAnywhere('-1'), rules: takingPart(everyProtocol) });
  }
  const others = new Map<string, IngressRule[]>();
  const portRanges = new Map<string, { rule: IngressRule; from: number; to: number }[]>();
  for (const rule of rules) {
    const protocol = protocolOf(rule);
    const range = portRangeOf(rule);
    if (protocol === '-1') {
      continue;
    } else if (range && range.from <= range.to) {
      portRanges.set(protocol, [...(portRanges.get(protocol) ?? []), { rule, ...range }]);
    } else {
      // Every port of the protocol when EC2 ignores the range; otherwise the exact ports (or ICMP type and code).
      const key = JSON.stringify(
        opensEveryPortOfItsProtocol(rule) ? [protocol] : [protocol, String(rule.FromPort), String(rule.ToPort)],
      );
      others.set(key, [...(others.get(key) ?? []), rule]);
    }
  }
  for (const group of others.values()) {
    const reaching = [...group, ...everyProtocol];
    if (togetherFromAnywhere(reaching)) {
      // Never a tcp/udp range NET1 could allow (a protocol without ports, a reference, FromPort above ToPort).
      exposed.push({ traffic: group[0], rules: takingPart(reaching) });
    }
  }
  // tcp and udp: between two consecutive range boundaries the same rules reach every port, so each such
  // stretch of ports is judged once.
  for (const [protocol, ranges] of portRanges) {
    const boundaries = [...new Set(ranges.flatMap((r) => [r.from, r.to + 1]))].sort((a, b) => a - b);
    for (let i = 0; i < boundaries.length - 1; i++) {
      const port = boundaries[i];
      const reaching = [...ranges.filter((r) => r.from <= port && port <= r.to).map((r) => r.rule), ...everyProtocol];
      if (reaching.length > everyProtocol.length && togetherFromAnywhere(reaching)) {
        exposed.push({ traffic: fromAnywhere(protocol, port, boundaries[i + 1] - 1), rules: takingPart(reaching) });
      }
    }
  }
  return exposed;
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
