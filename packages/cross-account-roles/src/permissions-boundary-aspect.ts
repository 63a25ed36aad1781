import { Annotations, CfnResource, IAspect, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { BootstrapContract } from './bootstrap-contract';
import { isObject } from './private/sam-services';
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
    if (node instanceof CfnResource && SAM_ROLE_OWNERS.includes(node.cfnResourceType)) {
      this.visitSamResource(node);
      return;
    }
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
    this.checkBoundary(node, 'role', current);
  }

  /**
   * An AWS SAM function or state machine without a `Role`: the SAM transform creates its role, with the
   * resource's `PermissionsBoundary` and `Tags`, so both are set on the resource. The roles the transform
   * creates with the boundary but without the tag, or with neither, cannot be deployed under the boundary:
   * each is an error that names the property that avoids it.
   */
  private visitSamResource(node: CfnResource): void {
    const stack = Stack.of(node);
    // The rendered properties, overrides included (aws-cdk-lib's SAM L1s predate some SAM properties, such as
    // ScheduleV2 events, which are written as overrides); `_toCloudFormation` is aws-cdk-lib internal.
    const rendered = Object.values(stack.resolve((node as any)._toCloudFormation()).Resources ?? {})[0] as any;
    const props: { [key: string]: any } = rendered?.Properties ?? {};
    const what = node.cfnResourceType === 'AWS::Serverless::Function' ? 'function' : 'state machine';
    for (const { problem, fix } of samRolesWithoutTag(node.cfnResourceType, props)) {
      Annotations.of(node).addError(
        `${node.node.path}: ${problem} without the '${BootstrapContract.BOUNDARY_TAG_KEY}' tag that the ` +
          `Groundwork boundary requires of every role it creates, so the deployment would fail: ${fix}`,
      );
    }
    if (props.PermissionsBoundaries !== undefined) {
      // aws-cdk-lib's CfnStateMachine names the property after an old specification; the transform rejects
      // properties it does not define ("property PermissionsBoundaries not defined for resource of type ...").
      Annotations.of(node).addError(
        `${node.node.path}: PermissionsBoundaries (aws-cdk-lib's CfnStateMachine.permissionsBoundaries) is not a ` +
          'property of AWS::Serverless::StateMachine, and the SAM transform rejects it: leave it unset ' +
          '(this aspect sets PermissionsBoundary, the SAM property, to the Groundwork boundary)',
      );
    }
    if (props.Role !== undefined) return;
    if (props.PermissionsBoundary !== undefined) {
      this.checkBoundary(
        node,
        `SAM ${what} (boundary of the role the SAM transform creates)`,
        props.PermissionsBoundary,
      );
    } else {
      node.addPropertyOverride('PermissionsBoundary', this.boundaryArn(node));
    }
    // SAM's Tags are a map, and the transform puts them on the role it creates.
    if (this.tagRoles) node.addPropertyOverride(`Tags.${BootstrapContract.BOUNDARY_TAG_KEY}`, this.qualifier);
  }

  private checkBoundary(node: IConstruct, what: string, current: unknown): void {
    const rendered =
      typeof current === 'string' && !Token.isUnresolved(current)
        ? current
        : JSON.stringify(Stack.of(node).resolve(current));
    if (!rendered.includes(`:policy/${BootstrapContract.boundaryPolicyName(this.qualifier, '')}`)) {
      Annotations.of(node).addError(
        `${node.node.path}: ${what} has permissions boundary '${rendered}', expected the Groundwork boundary ` +
          `'${BootstrapContract.boundaryPolicyName(this.qualifier, '<region>')}' for qualifier '${this.qualifier}'`,
      );
    }
  }

  private boundaryArn(node: IConstruct): string {
    const stack = Stack.of(node);
    return BootstrapContract.boundaryPolicyArn(this.qualifier, stack.account, stack.region, stack.partition);
  }
}

/** The AWS SAM types whose role the SAM transform creates when they are given none. */
const SAM_ROLE_OWNERS = ['AWS::Serverless::Function', 'AWS::Serverless::StateMachine'];

/**
 * The roles the SAM transform creates for a function's or state machine's settings without the resource's
 * tags (AWS SAM translator: CodeDeploy's service role, EventBridge Scheduler's role, and a state machine's
 * event roles), each with the way to avoid it.
 */
function samRolesWithoutTag(type: string, props: { [key: string]: any }): Array<{ problem: string; fix: string }> {
  const problems: Array<{ problem: string; fix: string }> = [];
  const preference = props.DeploymentPreference;
  if (
    type === 'AWS::Serverless::Function' &&
    isObject(preference) &&
    preference.Enabled !== false &&
    preference.Role === undefined
  ) {
    problems.push({
      problem: "DeploymentPreference without a Role makes the SAM transform create CodeDeploy's service role",
      fix: 'give DeploymentPreference.Role',
    });
  }
  const events = isObject(props.Events) ? props.Events : {};
  for (const [name, event] of Object.entries(events)) {
    const eventType = isObject(event) ? event.Type : undefined;
    const eventProps = isObject(event) && isObject(event.Properties) ? event.Properties : {};
    const takesRoleArn =
      eventType === 'ScheduleV2' || (type === 'AWS::Serverless::StateMachine' && eventType === 'Schedule');
    const makesRole = eventType === 'ScheduleV2' || type === 'AWS::Serverless::StateMachine';
    if (!makesRole || (takesRoleArn && eventProps.RoleArn !== undefined)) continue;
    problems.push({
      problem: `event '${name}' (Type ${eventType}) makes the SAM transform create a role`,
      fix: takesRoleArn
        ? "give the event's RoleArn"
        : 'this event type takes no role of its own: start executions with an aws-events Rule and an ' +
          'aws-events-targets SfnStateMachine target instead',
    });
  }
  return problems;
}

/** TagManager priority of the boundary tag; `Tags.of(scope).add` uses 100 unless told otherwise. */
const TAG_PRIORITY = 1000;
