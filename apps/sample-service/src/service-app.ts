import * as fs from 'fs';
import * as path from 'path';
import { PermissionsBoundaryAspect } from '@groundwork/cross-account-roles';
import { GitOpsPipeline } from '@groundwork/pipeline';
import { App, Aspects, DefaultStackSynthesizer, IPolicyValidationPlugin, Stack, Tags } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { ServiceConfig } from './config';
import { ServiceStage } from './service-stage';

/** What `composeServiceApp` built. */
export interface ServiceApp {
  readonly app: App;
  /** The team's pipeline, in the pipeline account. */
  readonly pipelineStack: Stack;
  readonly pipeline: GitOpsPipeline;
  /** One stage per environment, in config order. */
  readonly stages: ServiceStage[];
  /** The cdk-nag packs registered on the pipeline stack and every stage. */
  readonly packs: IPolicyValidationPlugin[];
}

/** Options of `composeServiceApp`. */
export interface ComposeOptions {
  /**
   * Called with each stage before the pipeline adds it: adding a stage synthesizes it, after which
   * its construct tree is frozen. Tests use it to add resources.
   */
  readonly customizeStage?: (stage: ServiceStage) => void;
}

/**
 * The app: the team's own `GitOpsPipeline` in the pipeline account, deploying one `ServiceStage` per
 * environment in config order (waves run in the order first used). The AwsSolutions and NIST 800-53
 * rev 5 packs are the pipeline's compliance gate: registered on the App and on every stage, they fail
 * synthesis (locally and in the pipeline's synth step) on any unacknowledged finding.
 */
export function composeServiceApp(app: App, config: ServiceConfig, options: ComposeOptions = {}): ServiceApp {
  const { service, pipeline: pl } = config;
  const packs = [new AwsSolutionsChecks(app), new NIST80053R5Checks(app)];

  const pipelineStack = new Stack(app, 'Pipeline', {
    stackName: `${service.name}-pipeline`,
    description: `GitOps pipeline of ${service.name} (${pl.repository})`,
    env: { account: pl.account, region: pl.region },
    terminationProtection: true,
    // The team's own bootstrap (qualifier): the platform's trusts only the platform's pipeline.
    synthesizer: new DefaultStackSynthesizer({ qualifier: pl.qualifier }),
  });
  const pipeline = new GitOpsPipeline(pipelineStack, 'GitOps', {
    pipelineName: service.name,
    repository: pl.repository,
    branch: pl.branch,
    connectionArn: pl.connectionArn,
    notificationEmails: pl.notificationEmails,
    installCommand: pl.installCommand,
    testCommand: pl.testCommand,
    synthCommand: pl.synthCommand,
    primaryOutputDirectory: pl.primaryOutputDirectory,
    complianceGate: packs,
    qualifier: pl.qualifier,
  });

  const stages = config.environments.map((environment) => {
    const stage = new ServiceStage(app, environment.name, { service, environment, qualifier: pl.qualifier });
    options.customizeStage?.(stage);
    pipeline.addEnvironment(stage, { wave: environment.wave, production: environment.production });
    return stage;
  });
  pipeline.buildPipeline();

  // The pipeline account is bootstrapped by Groundwork too: its roles need the boundary as well.
  // Done here rather than with a Stage prop because the pipeline stack is not in a Stage.
  Aspects.of(pipelineStack).add(new PermissionsBoundaryAspect({ qualifier: pl.qualifier }));
  Tags.of(pipelineStack).add('Service', service.name);
  Tags.of(pipelineStack).add('Owner', service.owner);
  Tags.of(pipelineStack).add('Environment', 'pipeline');
  return { app, pipelineStack, pipeline, stages, packs };
}

/**
 * An App writing to `outdir`, with cdk.json's context (feature flags) when not run by the CDK CLI. It never
 * synthesizes on its own: the caller calls `synth()`. (Under the CDK CLI, CDK_OUTDIR would otherwise make the
 * App synthesize again when the process exits, so that an error while composing was followed by a second,
 * unrelated error and its stack trace from the half-built app.)
 */
export function createApp(outdir: string): App {
  return new App({ outdir, context: cdkJsonContext(), autoSynth: false });
}

function cdkJsonContext(): { [key: string]: unknown } {
  // Under `cdk synth` the CLI passes cdk.json's context itself (CDK_CONTEXT_JSON).
  if (process.env.CDK_CONTEXT_JSON) return {};
  const file = path.resolve(__dirname, '..', 'cdk.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf-8')).context ?? {}) : {};
}
