import { Annotations, CfnResource, IAspect, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { conditionVariants, possibleElements } from './private/cfn-conditions';

/** Metadata type recording a deliberate public-port opening; it is kept in the cloud assembly as an audit trail. */
const ALLOW_PUBLIC_PORT = 'groundwork:ingress-rule-guard:allow-public-port';
/** Metadata type recording a deliberate all-ports ingress rule. */
const ALLOW_ALL_PORTS = 'groundwork:ingress-rule-guard:allow-all-ports';

/**
 * Remote administration ports: SSH (22) and RDP (3389). A source known only at deploy time may be
 * `0.0.0.0/0`, and these are the ports that cdk-nag's `AwsSolutions-EC23` and
 * `NIST.800.53.R5-EC2RestrictedSSH`/`EC2RestrictedCommonPorts` treat as never to be public.
 */
const ADMINISTRATION_PORTS = [22, 3389];

const SECURITY_GROUP = 'AWS::EC2::SecurityGroup';
const SECURITY_GROUP_INGRESS = 'AWS::EC2::SecurityGroupIngress';
/** The properties of an ingress rule that the guard reads; an `Fn::If` in any of them is judged branch by branch. */
const RULE_KEYS = ['IpProtocol', 'FromPort', 'ToPort', 'CidrIp', 'CidrIpv6', 'SourcePrefixListId'];

/**
 * Properties of an `IngressRuleGuard`.
 */
export interface IngressRuleGuardProps {
  /**
   * Ports that may be open to the internet (an IPv4 CIDR shorter than /8 such as `0.0.0.0/0`, an IPv6 CIDR
   * shorter than /7 such as `::/0`), and so to CIDRs known only at deploy time, anywhere in the scope,
   * e.g. `[443]` for an app of internet-facing load balancers.
   * Prefer the per-construct `IngressRuleGuard.allowPublicIngress`, which records why.
   *
   * @default - none
   */
  readonly allowedPublicPorts?: number[];
}

/**
 * One ingress rule of a security group, as CloudFormation will receive it.
 */
export interface SecurityGroupIngressRule {
  /**
   * `IpProtocol`: `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` for all.
   * `ingressRulesOf` gives a numeric `IpProtocol` (e.g. `-1` set by a property override) in its string form.
   */
  readonly ipProtocol: string;
  /**
   * `FromPort` (for ICMP, the type).
   * @default - not set
   */
  readonly fromPort?: number;
  /**
   * `ToPort` (for ICMP, the code).
   * @default - not set
   */
  readonly toPort?: number;
  /**
   * `CidrIp`.
   * @default - not set
   */
  readonly cidrIp?: string;
  /**
   * `CidrIpv6`.
   * @default - not set
   */
  readonly cidrIpv6?: string;
  /**
   * `SourcePrefixListId`: a managed prefix list, whose entries are CIDRs that can change after deployment,
   * the internet included. Held to the rules of a source known only at deploy time.
   * @default - not set
   */
  readonly sourcePrefixListId?: string;
  /**
   * True when a port, the protocol or the source is only known at deploy time (a token), so it cannot be
   * verified at synthesis. `hasUnresolvedPorts` and `hasUnresolvedSource` say which.
   * @default false
   */
  readonly hasUnresolvedValues?: boolean;
  /**
   * True when `IpProtocol`, `FromPort` or `ToPort` is only known at deploy time. Such a rule is not
   * reported as all-ports, since its ports cannot be read.
   * @default - `hasUnresolvedValues`, unless `hasUnresolvedSource` is set
   */
  readonly hasUnresolvedPorts?: boolean;
  /**
   * True when `CidrIp` or `CidrIpv6` is only known at deploy time. Such a source could be the internet,
   * so the rule may not cover a remote administration port (22, 3389) unless that port is an allowed public port.
   * @default false
   */
  readonly hasUnresolvedSource?: boolean;
}

/**
 * A synth-time check of security group ingress rules, applied as an Aspect.
 *
 * It reports an error on every `AWS::EC2::SecurityGroup` (inline `SecurityGroupIngress`) and
 * `AWS::EC2::SecurityGroupIngress` in its scope that:
 * - admits the internet other than on a single allowed TCP/UDP port: `0.0.0.0/0`, `::/0`, or any IPv4 CIDR
 *   shorter than /8 (`0.0.0.0/1`) or IPv6 CIDR shorter than /7 (`::/1`), wider than every private range,
 * - admits all protocols or all TCP/UDP ports (a range from port 0 or 1 to 65535), from any source (a source
 *   known only at deploy time included), or
 * - admits a CIDR known only at deploy time (a token, which could be `0.0.0.0/0`) or a managed prefix list
 *   (whose entries can be changed to `0.0.0.0/0` after deployment) on a remote administration port (SSH 22,
 *   RDP 3389) that is not an allowed public port.
 *
 * Allow a rule on purpose with `IngressRuleGuard.allowPublicIngress(securityGroup, port, reason)`
 * or `IngressRuleGuard.allowAllPortsIngress(securityGroup, reason)`, or app-wide with `allowedPublicPorts`.
 *
 * @example
 * Aspects.of(app).add(new IngressRuleGuard(), { priority: AspectPriority.READONLY });
 */
export class IngressRuleGuard implements IAspect {
  /**
   * Records that `scope` (a security group, or any construct above the rule's resource)
   * may admit the internet on `port`, and so also a CIDR known only at deploy time.
   * The reason is kept in the cloud assembly metadata.
   */
  public static allowPublicIngress(scope: IConstruct, port: number, reason: string): void {
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`${scope.node.path}: IngressRuleGuard.allowPublicIngress 'port' must be 0-65535, found ${port}`);
    }
    assertReason(scope, 'allowPublicIngress', reason);
    scope.node.addMetadata(ALLOW_PUBLIC_PORT, { port, reason });
  }

  /**
   * Records that `scope` may hold ingress rules covering all ports or protocols, e.g. a
   * cluster security group admitting itself. Internet sources (`0.0.0.0/0`, an IPv4 CIDR shorter than /8,
   * an IPv6 CIDR shorter than /7) stay forbidden, and so do CIDRs known only at deploy time, since all
   * ports include the remote administration ports 22 and 3389.
   */
  public static allowAllPortsIngress(scope: IConstruct, reason: string): void {
    assertReason(scope, 'allowAllPortsIngress', reason);
    scope.node.addMetadata(ALLOW_ALL_PORTS, { reason });
  }

  /**
   * Checks one rule. Returns why it is rejected, or undefined when it is acceptable.
   *
   * @param rule the ingress rule
   * @param allowedPublicPorts ports that may be open to internet sources (`/0`, IPv4 shorter than /8, IPv6 shorter than /7) for this rule
   * @param allowAllPorts whether an all-ports or all-protocols rule was allowed on purpose
   */
  public static checkRule(
    rule: SecurityGroupIngressRule,
    allowedPublicPorts: number[],
    allowAllPorts: boolean,
  ): string | undefined {
    const unresolvedSource = rule.hasUnresolvedSource === true;
    // A token port reads as undefined, which would look like "all ports": only the ports' own
    // tokens excuse a rule from the all-ports check, never a token source.
    const unresolvedPorts = rule.hasUnresolvedPorts ?? (rule.hasUnresolvedValues === true && !unresolvedSource);
    const protocol = protocolKind(rule);
    // TCP and UDP port 0 is reserved, so 1-65535 admits every usable port, as 0-65535 does.
    const allPorts =
      protocol === 'all' ||
      (protocol === 'ports' &&
        (rule.fromPort === undefined ||
          rule.toPort === undefined ||
          rule.fromPort === -1 ||
          (rule.fromPort <= 1 && rule.toPort >= 65535)));
    if (allPorts && !unresolvedPorts && !allowAllPorts) {
      return `ingress rule ${describeRule(rule)} admits all ${protocol === 'all' ? 'protocols' : 'ports'}`;
    }
    const singlePort =
      protocol === 'ports' && !unresolvedPorts && rule.fromPort !== undefined && rule.fromPort === rule.toPort
        ? rule.fromPort
        : undefined;

    const source = [rule.cidrIp, rule.cidrIpv6].find((cidr) => cidr !== undefined && isInternetWide(cidr));
    if (source === undefined) {
      return unresolvedSource || rule.sourcePrefixListId !== undefined
        ? checkUnknownSource(rule, unresolvedPorts, singlePort, allowedPublicPorts)
        : undefined;
    }
    if (singlePort !== undefined) {
      return allowedPublicPorts.includes(singlePort)
        ? undefined
        : `ingress rule ${describeRule(rule)} admits the internet (${describeInternetSource(source)}) on port ${singlePort}, which is not an allowed public port`;
    }
    return `ingress rule ${describeRule(rule)} admits the internet (${describeInternetSource(source)}) on ${
      unresolvedPorts ? 'ports unknown at synthesis' : 'more than a single TCP/UDP port'
    }`;
  }

  /**
   * The ingress rules of a security group (inline) or of a standalone ingress resource,
   * resolved as they will be synthesized (property overrides included). Empty for other resources.
   *
   * A condition (`Fn::If`) gives the rules of every branch, since either may be deployed: around the
   * inline list, around one of its entries, or around a rule's protocol, ports or source (one rule per
   * combination of branches). An `AWS::NoValue` branch adds no rule, or leaves the value unset.
   */
  public static ingressRulesOf(resource: CfnResource): SecurityGroupIngressRule[] {
    if (resource.cfnResourceType !== SECURITY_GROUP && resource.cfnResourceType !== SECURITY_GROUP_INGRESS) {
      return [];
    }
    const properties = renderedProperties(resource);
    const rulesOf = (entry: unknown): SecurityGroupIngressRule[] =>
      entry !== null && typeof entry === 'object' && !Array.isArray(entry)
        ? conditionVariants(entry as { [key: string]: unknown }, RULE_KEYS).map(toRule)
        : // Not an object (a string token, say): nothing can be read, so it is taken as all protocols, as before.
          [toRule({})];
    if (resource.cfnResourceType === SECURITY_GROUP_INGRESS) {
      return rulesOf(properties);
    }
    return possibleElements(properties.SecurityGroupIngress).flatMap(rulesOf);
  }

  private readonly allowedPublicPorts: number[];

  constructor(props: IngressRuleGuardProps = {}) {
    this.allowedPublicPorts = props.allowedPublicPorts ?? [];
    for (const port of this.allowedPublicPorts) {
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new Error(`IngressRuleGuard: 'allowedPublicPorts' entries must be ports 0-65535, found ${port}`);
      }
    }
  }

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) {
      return;
    }
    const rules = IngressRuleGuard.ingressRulesOf(node);
    if (rules.length === 0) {
      return;
    }
    const allowedPorts = [...this.allowedPublicPorts, ...allowancesOf(node, ALLOW_PUBLIC_PORT).map((d) => d.port)];
    const allowAllPorts = allowancesOf(node, ALLOW_ALL_PORTS).length > 0;
    for (const rule of rules) {
      const problem = IngressRuleGuard.checkRule(rule, allowedPorts, allowAllPorts);
      if (problem) {
        Annotations.of(node).addError(
          `${node.node.path} (${node.cfnResourceType}): ${problem}. Remove the rule or narrow its source, or allow it on purpose: ` +
            `IngressRuleGuard.allowPublicIngress(<securityGroup>, <port>, '<reason>') for one public port, ` +
            `IngressRuleGuard.allowAllPortsIngress(<securityGroup>, '<reason>') for an all-ports rule from a non-public source, ` +
            `or new IngressRuleGuard({ allowedPublicPorts: [<port>] }) app-wide.`,
        );
      }
    }
  }
}

/**
 * Prefix lengths below which one CIDR counts as the internet, not only `/0`: `0.0.0.0/1` plus `128.0.0.0/1`
 * (or `::/1` plus `8000::/1`) admit every address without a `/0` rule.
 *
 * - IPv4 `/8`: the largest private range, `10.0.0.0/8` (RFC 1918), is a /8, and so is the largest block IANA
 *   allocates (its IPv4 address space registry is kept in /8 units). A shorter prefix spans several /8s, so
 *   other organisations' public addresses, whatever its base address.
 * - IPv6 `/7`: the largest private range, unique local `fc00::/7` (RFC 4193), is a /7. A /6 or shorter is at
 *   least 1/64 of the address space, and any one inside `2000::/3` (global unicast) holds public allocations.
 *
 * The check is per rule: many rules of /8 or longer that together cover the internet are not added up.
 */
const INTERNET_WIDE_BELOW = { ipv4: 8, ipv6: 7 };

/** Whether one CIDR is wide enough to count as the internet (see `INTERNET_WIDE_BELOW`). */
function isInternetWide(cidr: string): boolean {
  const match = /\/(\d{1,3})$/.exec(cidr);
  if (!match) {
    return false;
  }
  const prefixLength = Number(match[1]);
  return prefixLength < (cidr.includes(':') ? INTERNET_WIDE_BELOW.ipv6 : INTERNET_WIDE_BELOW.ipv4);
}

/** `0.0.0.0/0` as is; a wider-than-private CIDR with the threshold that makes it the internet. */
function describeInternetSource(cidr: string): string {
  if (/\/0+$/.test(cidr)) {
    return cidr;
  }
  return cidr.includes(':')
    ? `${cidr}, wider than /${INTERNET_WIDE_BELOW.ipv6}, the largest private IPv6 range`
    : `${cidr}, wider than /${INTERNET_WIDE_BELOW.ipv4}, the largest private IPv4 range`;
}

/**
 * A CIDR source known only at deploy time may turn out to be `0.0.0.0/0` (e.g. a parameter's default),
 * and a managed prefix list may be given that entry after deployment, so both are held to the public rules
 * on the remote administration ports; on other ports they are trusted, since a deploy-time VPC CIDR (IPAM,
 * `fromEnvironment`) and a prefix list of partner or AWS service ranges are the common cases there.
 */
function checkUnknownSource(
  rule: SecurityGroupIngressRule,
  unresolvedPorts: boolean,
  singlePort: number | undefined,
  allowedPublicPorts: number[],
): string | undefined {
  const problem =
    rule.sourcePrefixListId !== undefined && !rule.hasUnresolvedSource
      ? `ingress rule ${describeRule(rule)} admits a managed prefix list, whose entries could be changed to the internet after deployment,`
      : `ingress rule ${describeRule(rule)} admits a source known only at deploy time, which could be the internet,`;
  if (singlePort !== undefined) {
    return ADMINISTRATION_PORTS.includes(singlePort) && !allowedPublicPorts.includes(singlePort)
      ? `${problem} on remote administration port ${singlePort}`
      : undefined;
  }
  if (unresolvedPorts) {
    return `${problem} on ports unknown at synthesis, which may include a remote administration port (${ADMINISTRATION_PORTS.join(', ')})`;
  }
  const covered = ADMINISTRATION_PORTS.filter((port) => coversPort(rule, port));
  if (covered.length === 0) {
    return undefined;
  }
  const ports =
    rule.fromPort === undefined || rule.toPort === undefined || rule.fromPort === -1
      ? 'all ports'
      : `ports ${rule.fromPort}-${rule.toPort}`;
  return `${problem} on ${ports}, which include remote administration port${covered.length > 1 ? 's' : ''} ${covered.join(', ')}`;
}

/**
 * What a rule's `IpProtocol` makes of its ports: `all` protocols (`-1`), so every port; `ports` for
 * TCP and UDP (by name or number), whose `FromPort`/`ToPort` are a port range; `other` (ICMP...),
 * whose `FromPort`/`ToPort` are not ports (for ICMP, a type and code).
 */
function protocolKind(rule: SecurityGroupIngressRule): 'all' | 'ports' | 'other' {
  const protocol = String(rule.ipProtocol).toLowerCase();
  if (protocol === '-1' || protocol === 'all') {
    return 'all';
  }
  return ['tcp', 'udp', '6', '17'].includes(protocol) ? 'ports' : 'other';
}

/** Whether a rule with resolved ports admits TCP/UDP traffic to `port`. */
function coversPort(rule: SecurityGroupIngressRule, port: number): boolean {
  const protocol = protocolKind(rule);
  if (protocol === 'all') {
    return true;
  }
  if (protocol === 'other') {
    return false;
  }
  if (rule.fromPort === undefined || rule.toPort === undefined || rule.fromPort === -1) {
    return true;
  }
  return rule.fromPort <= port && port <= rule.toPort;
}

function assertReason(scope: IConstruct, method: string, reason: string): void {
  if (typeof reason !== 'string' || reason.trim().length === 0) {
    throw new Error(`${scope.node.path}: IngressRuleGuard.${method} needs a non-empty 'reason', found '${reason}'`);
  }
}

/** Allowance metadata recorded on `node` or any of its ancestors. */
function allowancesOf(node: IConstruct, type: string): Array<{ port: number; reason: string }> {
  return node.node.scopes.flatMap((scope) =>
    scope.node.metadata.filter((entry) => entry.type === type).map((entry) => entry.data),
  );
}

function renderedProperties(resource: CfnResource): { [key: string]: any } {
  // `_toCloudFormation` is what synthesis emits, so overrides (addPropertyOverride) are checked too.
  const rendered = Stack.of(resource).resolve(
    (
      resource as unknown as { _toCloudFormation(): { Resources: { [id: string]: { Properties?: object } } } }
    )._toCloudFormation(),
  );
  const [body] = Object.values(rendered.Resources ?? {}) as Array<{ Properties?: { [key: string]: any } }>;
  return body?.Properties ?? {};
}

function toRule(properties: { [key: string]: any }): SecurityGroupIngressRule {
  // Which part of the rule was a token: the protocol and ports, or the source.
  const unresolved = { ports: false, source: false };
  const num = (value: unknown): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
    if (Number.isNaN(parsed)) {
      unresolved.ports = true;
      return undefined;
    }
    return parsed;
  };
  const str = (value: unknown, part: 'ports' | 'source'): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || Token.isUnresolved(value)) {
      unresolved[part] = true;
      return undefined;
    }
    return value;
  };
  // CloudFormation also takes a number for `IpProtocol` (`-1`, `6`), e.g. from `addPropertyOverride('IpProtocol', -1)`
  // or an unquoted YAML value; only an intrinsic (an object once resolved) or a token string is unknown at synthesis.
  const protocol = (value: unknown): string | undefined =>
    typeof value === 'number' && Number.isFinite(value) ? String(value) : str(value, 'ports');
  const rule = {
    ipProtocol: protocol(properties.IpProtocol) ?? '-1',
    fromPort: num(properties.FromPort),
    toPort: num(properties.ToPort),
    cidrIp: str(properties.CidrIp, 'source'),
    cidrIpv6: str(properties.CidrIpv6, 'source'),
    // A prefix list's id (a token, such as an imported or created list's, still names a prefix list).
    ...(properties.SourcePrefixListId !== undefined
      ? {
          sourcePrefixListId:
            typeof properties.SourcePrefixListId === 'string' && !Token.isUnresolved(properties.SourcePrefixListId)
              ? properties.SourcePrefixListId
              : '(known at deploy time)',
        }
      : {}),
  };
  if (!unresolved.ports && !unresolved.source) {
    return rule;
  }
  return {
    ...rule,
    hasUnresolvedValues: true,
    ...(unresolved.ports ? { hasUnresolvedPorts: true } : {}),
    ...(unresolved.source ? { hasUnresolvedSource: true } : {}),
  };
}

function describeRule(rule: SecurityGroupIngressRule): string {
  const ports = rule.hasUnresolvedPorts
    ? 'ports unknown at synthesis'
    : rule.fromPort === undefined && rule.toPort === undefined
      ? 'all ports'
      : rule.fromPort === rule.toPort
        ? `port ${rule.fromPort}`
        : `ports ${rule.fromPort}-${rule.toPort}`;
  const source =
    rule.cidrIp ??
    rule.cidrIpv6 ??
    (rule.sourcePrefixListId !== undefined
      ? `prefix list ${rule.sourcePrefixListId}`
      : rule.hasUnresolvedSource
        ? 'a source known only at deploy time'
        : 'a non-CIDR source');
  return `'${rule.ipProtocol} ${ports} from ${source}'`;
}
