import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { renderResource } from '../../private/cfn-template';
import {
  IngressRule,
  carriesIngressRules,
  ingressRulesOf,
  portRangeOf,
  rulesFromAnywhere,
} from '../../private/ingress-rules';

function onlyAllowedPorts(rule: IngressRule, allowed: ReadonlySet<number>): boolean {
  const range = portRangeOf(rule);
  if (!range || range.from > range.to) {
    // All protocols (-1), ICMP or a port range that is not literal: not a port the config allows.
    return false;
  }
  for (let port = range.from; port <= range.to; port++) {
    if (!allowed.has(port)) {
      return false;
    }
  }
  return true;
}

/**
 * Groundwork-NET1: ingress from 0.0.0.0/0 or ::/0 only on allowed tcp/udp ports. Rules whose blocks together
 * hold every address (`0.0.0.0/1` and `128.0.0.0/1`) count as from anywhere on the ports they share, and a CIDR
 * given as a template parameter counts with the values the template states for it (see ingressRulesOf).
 * @param allowedPorts ports that may be open to the internet (every port of a range must be allowed)
 */
export function publicIngressOnAllowedPorts(allowedPorts: number[]): (node: CfnResource) => NagRuleResult {
  const allowed = new Set(allowedPorts);
  return (node: CfnResource): NagRuleResult => {
    if (!carriesIngressRules(node.cfnResourceType)) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const open = rulesFromAnywhere(ingressRulesOf(renderResource(node), node)).some(
      (rule) => !onlyAllowedPorts(rule, allowed),
    );
    return open ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  };
}
