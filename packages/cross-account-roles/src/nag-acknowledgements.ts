import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

// Internal: cdk-nag acknowledgements written with CDK's own Validations API (no runtime dependency on
// cdk-nag). Each acknowledgement names one finding on one resource, with the reason for that policy.

/** Acknowledge one finding on one construct. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Acknowledge AwsSolutions-IAM5 for each wildcard action and each wildcard resource in the Allow statements
 * of this policy, one finding id each, as cdk-nag spells them (`Action::s3:GetObject*`,
 * `Resource::<Bucket.Arn>/*`). Call it after the policy's statements are final: a wildcard added later is
 * not acknowledged and shows up as a finding.
 */
export function acknowledgeWildcards(policy: iam.ManagedPolicy, reason: string): void {
  const document = Stack.of(policy).resolve(policy.document);
  const ids = new Set<string>();
  for (const statement of document?.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of asArray(statement.Action)) {
      if (String(action).includes('*')) ids.add(`AwsSolutions-IAM5[Action::${action}]`);
    }
    for (const resource of asArray(statement.Resource)) {
      const flat = flatten(resource);
      if (flat.includes('*')) ids.add(`AwsSolutions-IAM5[Resource::${flat}]`);
    }
  }
  for (const id of ids) acknowledge(policy, id, reason);
}

function asArray(value: any): any[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

// Mirrors cdk-nag's flattenCfnReference so that the acknowledgement ids match the finding ids.
function flatten(node: any): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\${/g, '<').replace(/}/g, '>');
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return items.map(flatten).join(delimiter);
  }
  if (node['Fn::Sub']) return flatten(node['Fn::Sub']);
  if (node['Fn::GetAtt']) return `<${flatten(node['Fn::GetAtt'][0])}.${flatten(node['Fn::GetAtt'][1])}>`;
  if (node['Fn::ImportValue']) return flatten(node['Fn::ImportValue']);
  if (node.Ref) return `<${flatten(node.Ref)}>`;
  return JSON.stringify(node);
}
