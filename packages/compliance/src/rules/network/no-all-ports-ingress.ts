import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import { IngressRule, carriesIngressRules, ingressRulesOf, portRangeOf, protocolOf } from '../../private/ingress-rules';

function opensAllPorts(rule: IngressRule): boolean {
  // IpProtocol -1 means every protocol on every port (EC2 API, AuthorizeSecurityGroupIngress).
  if (protocolOf(rule) === '-1') {
    return true;
  }
  const range = portRangeOf(rule);
  // Port 0 is reserved, so 1-65535 is as open as 0-65535.
  return range !== undefined && range.from <= 1 && range.to >= 65535;
}

/**
 * Groundwork-NET2: no ingress rule opens every port (IpProtocol -1, or a tcp/udp range
 * 0/1-65535), whatever its source.
 * @param node the CfnResource to check
 */
export function noAllPortsIngress(node: CfnResource): NagRuleResult {
  if (!carriesIngressRules(node.cfnResourceType)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return ingressRulesOf(renderResource(node)).some(opensAllPorts)
    ? NagRuleCompliance.NON_COMPLIANT
    : NagRuleCompliance.COMPLIANT;
}
