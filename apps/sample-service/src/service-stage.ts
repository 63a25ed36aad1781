import { IngressRuleGuard } from '@groundwork/networking';
import { AspectPriority, Aspects, PermissionsBoundary, Stage, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ServiceEnvironment, ServiceIdentity } from './config';
import { ServiceStack } from './service-stack';

/**
 * Name of the permissions boundary that a Groundwork-bootstrapped account requires on every role
 * (`groundwork-boundary-<qualifier>-<region>`, created by `@groundwork/cross-account-roles`): the
 * CloudFormation execution role may create a role only with it attached.
 */
export const GROUNDWORK_BOUNDARY_NAME = 'groundwork-boundary-${Qualifier}-${AWS::Region}';

/** Properties of a `ServiceStage`. */
export interface ServiceStageProps {
  readonly service: ServiceIdentity;
  readonly environment: ServiceEnvironment;
}

/** What the team's pipeline deploys to one environment: the service stack, in that environment's account and region. */
export class ServiceStage extends Stage {
  public readonly serviceStack: ServiceStack;

  constructor(scope: Construct, id: string, props: ServiceStageProps) {
    const { service, environment } = props;
    super(scope, id, {
      env: { account: environment.account, region: environment.region },
      permissionsBoundary: PermissionsBoundary.fromName(GROUNDWORK_BOUNDARY_NAME),
    });
    this.serviceStack = new ServiceStack(this, 'Service', {
      stackName: `${service.name}-${environment.name}`,
      description: `${service.description} (${environment.name})`,
      service,
      environment,
    });
    // Aspects of the App do not reach into a Stage: the guard is added here.
    Aspects.of(this).add(new IngressRuleGuard(), { priority: AspectPriority.READONLY });
    Tags.of(this).add('Service', service.name);
    Tags.of(this).add('Owner', service.owner);
    Tags.of(this).add('Environment', environment.name);
  }
}
