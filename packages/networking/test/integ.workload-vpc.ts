/**
 * Integration test of WorkloadVpc: a platform stack builds the VPC of environment `integ`,
 * an app-team stack imports it from SSM, and an assertion reads one published parameter back.
 *
 * The committed snapshot (test/integ.workload-vpc.ts.snapshot) is checked by test/integ-snapshot.test.ts
 * and rewritten by `npx ts-node --transpile-only test/update-integ-snapshot.ts`. integ-runner 2.197 cannot
 * read this aws-cdk-lib's cloud assembly (schema 55 > 53); see README "Integration test".
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, AppProps, AspectPriority, Aspects, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IngressRuleGuard, InterfaceEndpointService, NatStrategy, NetworkParameterPaths, WorkloadVpc } from '../src';

export interface IntegApp {
  readonly app: App;
  readonly network: Stack;
  readonly consumer: Stack;
  readonly integ: IntegTest;
}

/** Builds the integ app. Stack traces are off so the committed snapshot holds no local paths. */
export function buildIntegApp(props: AppProps = {}): IntegApp {
  const app = new App({
    stackTraces: false,
    ...props,
    context: { 'aws:cdk:disable-creation-stack-traces': true, ...props.context },
  });
  const environmentName = 'integ';

  const network = new Stack(app, 'GroundworkNetworkingInteg');
  const vpc = new WorkloadVpc(network, 'Network', {
    environmentName,
    cidr: '10.42.0.0/16',
    // SINGLE keeps the deployed test cheap; the strategy does not change anything else under test.
    natStrategy: NatStrategy.SINGLE,
    interfaceEndpoints: [InterfaceEndpointService.SSM],
  });
  // The log group and key are kept on update and delete in production (RETAIN_ON_UPDATE_OR_DELETE). A test
  // run must clean up after itself, and the fixed log group name would make the next run fail if the group
  // were left behind.
  for (const retained of [vpc.flowLogGroup, vpc.flowLogKey]) {
    (retained.node.defaultChild as CfnResource).applyRemovalPolicy(RemovalPolicy.DESTROY);
  }

  const consumer = new Stack(app, 'GroundworkNetworkingIntegConsumer');
  const imported = WorkloadVpc.fromEnvironment(consumer, 'ImportedNetwork', { environmentName, azCount: 2 });
  new ec2.SecurityGroup(consumer, 'AppSecurityGroup', {
    vpc: imported,
    description: 'App-team security group in the imported VPC',
    allowAllOutbound: false,
  });
  // The consumer reads parameters the network stack writes.
  consumer.addStackDependency(network);

  Aspects.of(app).add(new IngressRuleGuard(), { priority: AspectPriority.READONLY });

  const integ = new IntegTest(app, 'WorkloadVpcInteg', {
    testCases: [network, consumer],
    // No credentials are available to CI here; the snapshot is what gets reviewed.
    stackUpdateWorkflow: false,
  });
  integ.assertions
    .awsApiCall('SSM', 'getParameter', { Name: NetworkParameterPaths.vpcId(environmentName) })
    .expect(ExpectedResult.objectLike({ Parameter: { Type: 'String' } }));

  return { app, network, consumer, integ };
}

if (require.main === module) {
  buildIntegApp().app.synth();
}
