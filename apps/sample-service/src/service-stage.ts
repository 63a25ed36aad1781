import { PermissionsBoundaryAspect } from '@groundwork/cross-account-roles';
import { IngressRuleGuard } from '@groundwork/networking';
import { AspectPriority, Aspects, DefaultStackSynthesizer, Stage, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ServiceEnvironment, ServiceIdentity } from './config';
import { ServiceStack } from './service-stack';

/** Properties of a `ServiceStage`. */
export interface ServiceStageProps {
  readonly service: ServiceIdentity;
  readonly environment: ServiceEnvironment;
  /** CDK bootstrap qualifier of the team's own deployment trust in the environment's account. */
  readonly qualifier: string;
}

/** What the team's pipeline deploys to one environment: the service stack, in that environment's account and region. */
export class ServiceStage extends Stage {
  public readonly serviceStack: ServiceStack;

  constructor(scope: Construct, id: string, props: ServiceStageProps) {
    const { service, environment } = props;
    super(scope, id, {
      env: { account: environment.account, region: environment.region },
    });
    this.serviceStack = new ServiceStack(this, 'Service', {
      stackName: `${service.name}-${environment.name}`,
      description: `${service.description} (${environment.name})`,
      service,
      environment,
      synthesizer: new DefaultStackSynthesizer({ qualifier: props.qualifier }),
    });
    // Aspects of the App do not reach into a Stage: they are added here. A Groundwork-bootstrapped account
    // lets CloudFormation create a role only with the boundary and the role tag of its qualifier.
    Aspects.of(this).add(new PermissionsBoundaryAspect({ qualifier: props.qualifier }));
    Aspects.of(this).add(new IngressRuleGuard(), { priority: AspectPriority.READONLY });
    Tags.of(this).add('Service', service.name);
    Tags.of(this).add('Owner', service.owner);
    Tags.of(this).add('Environment', environment.name);
  }
}
