import { CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * cdk-nag acknowledgements for the resources `aws-cdk-lib/pipelines` generates inside a GitOpsPipeline.
 * Each is one finding on one construct, with the reason it is acceptable. They live here (not in the
 * app) because the resources are this construct's internals. The ids embed logical ids the way cdk-nag
 * renders them (`<LogicalId>`, `<AWS::Partition>`).
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

  /** Acknowledges each finding id on the construct at `path` (relative to the scope), if it exists. */
  public acknowledge(path: string, ids: string[], reason: string): void {
    const target = this.find(path);
    if (!target) {
      return;
    }
    for (const id of ids) {
      Validations.of(target).acknowledge({ id, reason });
    }
  }

  public find(path: string): IConstruct | undefined {
    let current: IConstruct | undefined = this.scope;
    for (const part of path.split('/')) {
      current = current?.node.tryFindChild(part);
    }
    return current;
  }
}
