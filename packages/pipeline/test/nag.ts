import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** The packs the pipeline package is checked with. */
const PACK_PREFIXES = ['AwsSolutions-', 'NIST.800.53.R5-'];

/** Every acknowledgement recorded on `scope` and the constructs below it. */
function acknowledgementsOf(scope: IConstruct): Array<{ construct: IConstruct; id: string }> {
  return scope.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && m.data)
        .flatMap((m) => Object.keys(m.data).map((id) => ({ construct, id: id.replace(/^annotation::/i, '') }))),
    );
}

/**
 * cdk-nag acknowledgements under `scope` that suppress no finding of the AwsSolutions and NIST 800-53 rev 5
 * packs, as `<construct path> <rule id>` (docs/compliance.md: an acknowledgement that suppresses nothing is
 * stale and must go: it would silently accept a future finding). Acknowledgements of other packs
 * (CloudFormation-Validate, Groundwork) are not judged here.
 *
 * cdk-nag asks `isAcknowledged(resource, id)` for every finding it produces, walking from the resource up;
 * the wrapper records the pairs, and an acknowledgement counts as used when one of those resources is at or
 * below its construct. An id acknowledged twice on one construct is reported too (`... (repeated)`): the
 * compliance report credits the first and counts the second as suppressing nothing.
 */
export function staleAcknowledgements(scope: IConstruct): string[] {
  const asked: Array<{ node: IConstruct; id: string }> = [];
  for (const pack of [new AwsSolutionsChecks(), new NIST80053R5Checks()] as NagPack[]) {
    const internal = pack as unknown as { isAcknowledged: (node: IConstruct, id: string) => boolean };
    const original = internal.isAcknowledged.bind(pack);
    internal.isAcknowledged = (node, id) => {
      asked.push({ node, id });
      return original(node, id);
    };
    pack.validateScope(scope);
  }
  const isAtOrBelow = (node: IConstruct, ancestor: IConstruct) => {
    for (let c: IConstruct | undefined = node; c; c = c.node.scope) if (c === ancestor) return true;
    return false;
  };
  const acknowledgements = acknowledgementsOf(scope).filter(({ id }) =>
    PACK_PREFIXES.some((prefix) => id.startsWith(prefix)),
  );
  const unused = acknowledgements
    .filter(({ construct, id }) => !asked.some((a) => a.id === id && isAtOrBelow(a.node, construct)))
    .map(({ construct, id }) => `${construct.node.path} ${id}`);
  // The same id twice on one construct: cdk-nag stops at the first, the second suppresses nothing.
  const seen = new Set<string>();
  const repeated = acknowledgements
    .map(({ construct, id }) => `${construct.node.path} ${id}`)
    .filter((key) => (seen.has(key) ? true : (seen.add(key), false)))
    .map((key) => `${key} (repeated)`);
  return [...unused, ...repeated];
}

/** Findings of the AwsSolutions and NIST 800-53 rev 5 packs under `scope`, as `<rule id> <construct path>`. */
export function nagFindings(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(), new NIST80053R5Checks()].flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((v) => v.violatingResources.map((r: any) => `${v.ruleName} ${r.constructPath}`)),
  );
}
