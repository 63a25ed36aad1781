import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { WorkloadVpc, WorkloadVpcProps } from '../src';

// Template validation costs ~4 s per synth and is not what these tests check.
process.env.CDK_VALIDATION = 'false';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

/**
 * An environment-specific stack that answers `availabilityZones` from config, as the
 * platform app does, so synthesis makes no AZ context lookup.
 */
export class EnvironmentStack extends Stack {
  private readonly configuredAzs: string[];

  constructor(scope: Construct, id: string, azs: string[] = AZS) {
    super(scope, id, { env: { account: ACCOUNT, region: REGION } });
    this.configuredAzs = azs;
  }

  public get availabilityZones(): string[] {
    return this.configuredAzs;
  }
}

export interface Synthesized {
  readonly app: App;
  readonly stack: Stack;
  readonly network: WorkloadVpc;
  readonly template: Template;
}

/** A WorkloadVpc with the given props (environment `dev`, the three AZS) in an environment-specific stack. */
export function synthVpc(props: Partial<WorkloadVpcProps> = {}): Synthesized {
  const app = new App();
  const stack = new EnvironmentStack(app, 'Network');
  const network = new WorkloadVpc(stack, 'Vpc', { environmentName: 'dev', availabilityZones: AZS, ...props });
  return { app, stack, network, template: Template.fromStack(stack) };
}

/** Resources of one type whose `aws-cdk:subnet-type` tag equals `tier`. */
export function subnetIdsOfTier(template: Template, tier: 'Public' | 'Private' | 'Isolated'): string[] {
  const subnets = template.findResources('AWS::EC2::Subnet');
  return Object.entries(subnets)
    .filter(([, subnet]) =>
      (subnet.Properties.Tags as Array<{ Key: string; Value: string }>).some(
        (tag) => tag.Key === 'aws-cdk:subnet-type' && tag.Value === tier,
      ),
    )
    .map(([logicalId]) => logicalId);
}
