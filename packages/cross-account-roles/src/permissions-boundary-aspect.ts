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
}

/**
 * Attaches the Groundwork deployment boundary to every IAM role of the scope it is added to, and reports an
 * error for any IAM user or access key (Groundwork has none).
 *
 * The boundary denies creating a role without it, so an app that forgets this aspect fails at deploy time;
 * the aspect makes it pass at synth time instead. Works with environment-agnostic stacks (unlike
 * `PermissionsBoundary.fromName` placeholders) because the ARN uses the stack's pseudo parameters.
 */
export class PermissionsBoundaryAspect implements IAspect {
  private readonly qualifier: string;

  constructor(props: PermissionsBoundaryAspectProps = {}) {
    this.qualifier = props.qualifier ?? BootstrapContract.DEFAULT_QUALIFIER;
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
    // plain CfnResource of type AWS::IAM::Role, which is not a CfnRole: set the property directly.
    if (!(node instanceof iam.CfnRole)) {
      if (node instanceof CfnResource && node.cfnResourceType === 'AWS::IAM::Role') {
        node.addPropertyOverride('PermissionsBoundary', this.boundaryArn(node));
      }
      return;
    }
    const wanted = this.boundaryArn(node);
    const current = node.permissionsBoundary;
    if (current === undefined) {
      node.permissionsBoundary = wanted;
    } else if (
      !Token.isUnresolved(current) &&
      !current.includes(`:policy/${BootstrapContract.boundaryPolicyName(this.qualifier, '')}`)
    ) {
      Annotations.of(node).addError(
        `${node.node.path}: role has permissions boundary '${current}', expected the Groundwork boundary for qualifier '${this.qualifier}'`,
      );
    }
  }

  private boundaryArn(node: IConstruct): string {
    const stack = Stack.of(node);
    return BootstrapContract.boundaryPolicyArn(this.qualifier, stack.account, stack.region, stack.partition);
  }
}
