import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import {
  IngressRule,
  carriesIngressRules,
  ingressRulesOf,
  opensEveryPortOfItsProtocol,
  portRangeOf,
} from '../../private/ingress-rules';

function opensAllPorts(rule: IngressRule): boolean {
  // IpProtocol -1 means every protocol on every port, and any protocol number but tcp/udp/icmp/icmpv6
  // means every port of that protocol, whatever FromPort/ToPort say (EC2 API, IpPermission).
  if (opensEveryPortOfItsProtocol(rule)) {
    return true;
  }
  const range = portRangeOf(rule);
  // Port 0 is reserved, so 1-65535 is as open as 0-65535.
  return range !== undefined && range.from <= 1 && range.to >= 65535;
}

/**
 * Groundwork-NET2: no ingress rule opens every port (IpProtocol -1, another protocol number than
 * tcp/udp/icmp/icmpv6, for which EC2 ignores the port range, or a tcp/udp range 0/1-65535), whatever
 * its source. Each branch of an `Fn::If` in the rule counts, and each value the template states for a
 * parameter the rule references (see ingressRulesOf).
 * @param node the CfnResource to check
 */
export function noAllPortsIngress(node: CfnResource): NagRuleResult {
  if (!carriesIngressRules(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return ingressRulesOf(renderResource(node), node).some(opensAllPorts)
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}
