import { RenderedResource, asArray } from './cfn-template';

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

/** The ingress rules a security group or security group ingress resource defines. */
export function ingressRulesOf(resource: RenderedResource): IngressRule[] {
  if (resource.Type === 'AWS::EC2::SecurityGroup') {
    return asArray<IngressRule>(resource.Properties.SecurityGroupIngress);
  }
  if (resource.Type === 'AWS::EC2::SecurityGroupIngress') {
    return [resource.Properties as IngressRule];
  }
  return [];
}

/**
 * True when the source is the whole address space: any IPv4 or IPv6 CIDR with prefix length 0
 * (`0.0.0.0/0`, `::/0`, `::0/0`). A CIDR given as a reference (e.g. a VPC's `CidrBlock`) is not a
 * literal and is treated as not public.
 */
export function isFromAnywhere(rule: IngressRule): boolean {
  return [rule.CidrIp, rule.CidrIpv6].some((cidr) => typeof cidr === 'string' && /\/0+$/.test(cidr.trim()));
}

/** The protocol as EC2 normalises it: names lower-cased, numbers as strings ('6' is tcp). */
export function protocolOf(rule: IngressRule): string {
  const protocol = String(rule.IpProtocol ?? '').toLowerCase();
  return { '6': 'tcp', '17': 'udp' }[protocol] ?? protocol;
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
