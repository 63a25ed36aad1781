import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { IngressRule, carriesIngressRules, portRangeOf } from '../../private/ingress-rules';
import { takesPartInPublicIngress } from '../../private/security-group-ingress';

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
 * Groundwork-NET1: ingress from 0.0.0.0/0 or ::/0 only on allowed tcp/udp ports. The rules one security group
 * receives in the template are judged together: its inline rules and the AWS::EC2::SecurityGroupIngress
 * resources pointing at it. Rules whose blocks together hold every address (`0.0.0.0/1` and `128.0.0.0/1`)
 * count as from anywhere on the ports they share; the branches of one `Fn::If` and the values of one parameter
 * are alternatives, each judged in its own deployment (see takesPartInPublicIngress). The finding goes to each
 * resource that holds a rule taking part.
 * @param allowedPorts ports that may be open to the internet (every port of a range must be allowed)
 */
export function publicIngressOnAllowedPorts(allowedPorts: number[]): (node: CfnResource) => NagRuleResult {
  const allowed = new Set(allowedPorts);
  // One function per configured rule: a group's verdict is kept per function (see takesPartInPublicIngress).
  const isAllowed = (traffic: IngressRule) => onlyAllowedPorts(traffic, allowed);
  return (node: CfnResource): NagRuleResult => {
    if (!carriesIngressRules(node.cfnResourceType)) {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return takesPartInPublicIngress(node, isAllowed) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  };
}
