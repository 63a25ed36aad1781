import { CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { mutableStatements } from './bounded-assume-role';

const IAM5 = 'AwsSolutions-IAM5[';

/**
 * cdk-nag acknowledgements for the resources `aws-cdk-lib/pipelines` generates inside a GitOpsPipeline.
 * Each is one finding on one construct, with the reason it is acceptable. They live here (not in the
 * app) because the resources are this construct's internals. The ids embed logical ids the way cdk-nag
 * renders them (`<LogicalId>`, `<AWS::Partition>`).
 *
 * An `AwsSolutions-IAM5[...]` acknowledgement is recorded only when the policy really has that wildcard
 * (docs/compliance.md: an acknowledgement that suppresses nothing is stale): a list shared by several
 * policies would otherwise pre-authorise, on a policy without it, a wildcard grant added later.
 */
export class NagAcknowledger {
  private readonly stack: Stack;
  constructor(private readonly scope: IConstruct) {
    this.stack = Stack.of(scope);
  }

  /** `<LogicalId>` as cdk-nag renders a Ref/GetAtt in a finding id. */
  public ref(element: IConstruct | undefined): string {
    if (!element) {
      return '<missing>';
    }
    const cfn = (element instanceof CfnElement ? element : element.node.defaultChild) as CfnElement;
    return `<${this.stack.resolve(cfn.logicalId)}>`;
  }

  private env(): { region: string; account: string } {
    return {
      region: Token.isUnresolved(this.stack.region) ? '<AWS::Region>' : this.stack.region,
      account: Token.isUnresolved(this.stack.account) ? '<AWS::AccountId>' : this.stack.account,
    };
  }

  /** The two findings of every CodeBuild project role: its own log group and report groups. */
  public codeBuildFindings(project: IConstruct): string[] {
    const { region, account } = this.env();
    const id = this.ref(project);
    return [
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:/aws/codebuild/${id}:*]`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:${region}:${account}:report-group/${id}-*]`,
    ];
  }

  /**
   * Acknowledges each finding id on the construct at `path` (relative to the scope), if it exists. On a
   * policy, an AwsSolutions-IAM5 id is skipped unless the policy's Allow statements have that wildcard now:
   * call it once the statements are final.
   */
  public acknowledge(path: string, ids: string[], reason: string): void {
    const target = this.find(path);
    if (!target) {
      return;
    }
    const present = this.wildcardFindings(target);
    for (const id of ids) {
      if (present && id.startsWith(IAM5) && !present.has(id)) {
        continue;
      }
      Validations.of(target).acknowledge({ id, reason });
    }
  }

  /** The finding id cdk-nag gives a wildcard resource (`AwsSolutions-IAM5[Resource::...]`). */
  public resourceFinding(resource: string): string {
    return `${IAM5}Resource::${flatten(this.stack.resolve(resource))}]`;
  }

  /**
   * The AwsSolutions-IAM5 findings of the policy at `target` (an iam.Policy or its CfnPolicy), as cdk-nag
   * spells them; undefined when `target` is not such a policy. Reads the statements without resolving the
   * document (which would freeze it).
   */
  private wildcardFindings(target: IConstruct): Set<string> | undefined {
    const policy = target instanceof iam.Policy ? target : target.node.scope;
    if (!(policy instanceof iam.Policy)) {
      return undefined;
    }
    const ids = new Set<string>();
    for (const statement of mutableStatements(policy.document, policy)) {
      const json = this.stack.resolve(statement.toStatementJson());
      if (json.Effect !== 'Allow') {
        continue;
      }
      for (const action of asArray(json.Action)) {
        if (String(action).includes('*')) ids.add(`${IAM5}Action::${action}]`);
      }
      for (const resource of asArray(json.Resource)) {
        const flat = flatten(resource);
        if (flat.includes('*')) ids.add(`${IAM5}Resource::${flat}]`);
      }
    }
    return ids;
  }

  public find(path: string): IConstruct | undefined {
    let current: IConstruct | undefined = this.scope;
    for (const part of path.split('/')) {
      current = current?.node.tryFindChild(part);
    }
    return current;
  }
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** cdk-nag's flattenCfnReference, so that acknowledgement ids match finding ids. */
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
