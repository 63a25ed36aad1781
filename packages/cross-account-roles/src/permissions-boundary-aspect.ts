import { Annotations, CfnResource, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { BootstrapContract } from './bootstrap-contract';
import { validateQualifier } from './validation';

/**
 * Properties of a PermissionsBoundaryAspect.
 */
export interface PermissionsBoundaryAspectProps {
  /**
   * The bootstrap qualifier of the target environment.
   *
   * @default 'hnb659fds'
   */
  readonly qualifier?: string;

  /**
   * Whether to tag each role as managed under the boundary (`BootstrapContract.BOUNDARY_TAG_KEY`). The roles a
   * deployment creates need the tag: the boundary denies creating a role without it. Roles an administrator
   * deploys outside the pipeline, such as break-glass and audit roles, must not carry it: roles under the
   * boundary may change, delete or pass only tagged roles.
   *
   * @default true
   */
  readonly tagRoles?: boolean;
}

/**
 * Attaches the Groundwork deployment boundary to every IAM role of the scope it is added to, tags the role as
 * managed under that boundary (`BootstrapContract.BOUNDARY_TAG_KEY`, value the qualifier; see `tagRoles`), and
 * reports an error for any IAM user or access key (Groundwork has none), and for any role that already has
 * another boundary.
 *
 * The boundary denies creating a role without both, so an app that forgets this aspect fails at deploy time;
 * the aspect makes it pass at synth time instead. Works with environment-agnostic stacks (unlike
 * `PermissionsBoundary.fromName` placeholders) because the ARN uses the stack's pseudo parameters.
 */
export class PermissionsBoundaryAspect implements IAspect {
  private readonly qualifier: string;
  private readonly tagRoles: boolean;

  constructor(props: PermissionsBoundaryAspectProps = {}) {
    this.qualifier = props.qualifier ?? BootstrapContract.DEFAULT_QUALIFIER;
    this.tagRoles = props.tagRoles ?? true;
    validateQualifier('PermissionsBoundaryAspect', this.qualifier);
  }

  public visit(node: IConstruct): void {
    if (node instanceof iam.CfnUser || node instanceof iam.CfnAccessKey) {
      Annotations.of(node).addError(
        `${node.node.path}: Groundwork allows no IAM users or access keys; use roles with temporary credentials`,
      );
      return;
    }
    // Custom resource providers (e.g. the VPC's default-security-group cleaner) declare their role as a
    // plain CfnResource of type AWS::IAM::Role, which is not a CfnRole: set the properties directly.
    if (!(node instanceof iam.CfnRole)) {
      if (node instanceof CfnResource && node.cfnResourceType === 'AWS::IAM::Role') {
        node.addPropertyOverride('PermissionsBoundary', this.boundaryArn(node));
        if (!this.tagRoles) return;
        const declared = (node as unknown as { _cfnProperties?: { Tags?: unknown[] } })._cfnProperties?.Tags ?? [];
        node.addPropertyOverride('Tags', [
          ...declared,
          { Key: BootstrapContract.BOUNDARY_TAG_KEY, Value: this.qualifier },
        ]);
      }
      return;
    }
    // Above any Tags.of(...) priority: the tag is what the boundary reads, not a label.
    if (this.tagRoles) node.tags.setTag(BootstrapContract.BOUNDARY_TAG_KEY, this.qualifier, TAG_PRIORITY);
    const current = node.permissionsBoundary;
    if (current === undefined) {
      node.permissionsBoundary = this.boundaryArn(node);
      return;
    }
    // A token (another ManagedPolicy's Ref, an imported policy's ARN) is resolved and searched for the name.
    const rendered = Token.isUnresolved(current) ? JSON.stringify(Stack.of(node).resolve(current)) : current;
    if (!rendered.includes(`:policy/${BootstrapContract.boundaryPolicyName(this.qualifier, '')}`)) {
      Annotations.of(node).addError(
        `${node.node.path}: role has permissions boundary '${rendered}', expected the Groundwork boundary ` +
          `'${BootstrapContract.boundaryPolicyName(this.qualifier, '<region>')}' for qualifier '${this.qualifier}'`,
      );
    }
  }

  private boundaryArn(node: IConstruct): string {
    const stack = Stack.of(node);
    return BootstrapContract.boundaryPolicyArn(this.qualifier, stack.account, stack.region, stack.partition);
  }
}

/** TagManager priority of the boundary tag; `Tags.of(scope).add` uses 100 unless told otherwise. */
const TAG_PRIORITY = 1000;
