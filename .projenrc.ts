import { ConfigJsonSchema } from './projenrc/config-schema';
import { GroundworkMonorepo } from './projenrc/monorepo';
import { VERSIONS } from './projenrc/versions';

const root = new GroundworkMonorepo();

// Construct packages, lowest layer first. A package may depend only on
// packages declared above it; none of them knows about the apps.
const networking = root.addConstructPackage({
  name: 'networking',
  description: 'A production-grade, secure-by-default VPC for every Groundwork environment',
  keywords: ['vpc', 'networking'],
});
const securityBaseline = root.addConstructPackage({
  name: 'security-baseline',
  description: 'Audit, detection and guardrails for every Groundwork account',
  keywords: ['cloudtrail', 'config', 'guardduty', 'security-hub'],
});
const crossAccountRoles = root.addConstructPackage({
  name: 'cross-account-roles',
  description: 'Least-privilege deployment trust between the pipeline account and target accounts',
  keywords: ['iam', 'bootstrap', 'cross-account'],
  // Its tests compare the bootstrap contract with the CDK CLI's own template.
  devDeps: [`aws-cdk@${VERSIONS.awsCdkCli}`],
});
const compliance = root.addConstructPackage({
  name: 'compliance',
  description: "Groundwork's own cdk-nag rule pack",
  keywords: ['cdk-nag', 'compliance'],
  peerDeps: [`cdk-nag@^${VERSIONS.cdkNag}`],
});
const pipeline = root.addConstructPackage({
  name: 'pipeline',
  description: 'The shared GitOps pipeline: gates, notifications, rollback and continuous reconciliation',
  keywords: ['codepipeline', 'gitops'],
  dependsOn: [crossAccountRoles],
  // Its tests run the drift state machine's JSONata expressions.
  devDeps: [`jsonata@${VERSIONS.jsonata}`],
});

const platform = root.addEnvironmentApp({
  name: 'platform',
  description: 'The platform app: composes the Groundwork packages for every environment from config',
  uses: [networking, securityBaseline, crossAccountRoles, compliance, pipeline],
  deps: [`cdk-nag@${VERSIONS.cdkNag}`, `zod@${VERSIONS.zod}`, `yaml@${VERSIONS.yaml}`],
  // The main job runs two busy threads (composition and CloudFormation validation): on 2 cores, V8's garbage
  // collector threads on top of them made small configs about a third slower, and a smaller young generation
  // keeps their peak memory in budget (docs/performance.md, "compact validation ... Node.js flags").
  mainNodeFlags: ['--single-threaded-gc', '--max-semi-space-size=4'],
});

// An app team's service, written as it would be in the team's own repository:
// it takes the packages through an ordinary semver range (the workspace links
// them while in development) and deploys through its own pipeline instance.
root.addEnvironmentApp({
  name: 'sample-service',
  description: "An app team's service on Groundwork: imports the environment's VPC, deploys blue/green",
  uses: [networking, crossAccountRoles, pipeline],
  groundworkRange: '^0',
  configCommands: false,
  deps: [`cdk-nag@${VERSIONS.cdkNag}`],
});

// Editors complete and check the YAML config from JSON Schemas generated
// from the app's zod schema (the single source of truth).
new ConfigJsonSchema(platform);

root.synth();
