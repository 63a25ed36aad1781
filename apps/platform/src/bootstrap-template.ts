import * as fs from 'fs';
import * as path from 'path';
import {
  BootstrapContract,
  DeploymentTrust,
  DeploymentTrustProps,
  ServiceAllowList,
} from '@groundwork/cross-account-roles';
import { Errors } from 'aws-cdk-lib';
import { stringify } from 'yaml';
import { checkOutputPath, parseArguments, UsageError } from './cli-args';
import {
  ConfigError,
  displayPath,
  formatIssues,
  invocationDir,
  loadPlatformConfig,
  PlatformConfig,
  resolveConfigDir,
} from './config';
import {
  environmentStackNames,
  pipelineRoleNamePattern,
  pipelineStackName,
  pipelineStackNamePattern,
} from './stack-names';

const USAGE = `Usage: node lib/bootstrap-template.js (--env NAME | --tooling [--assembly DIR]) [--config-dir DIR] [--out FILE]

Writes the least-privilege bootstrap template for one environment's account,
or for the tooling account that runs the pipeline: the CDK bootstrap contract
(role names, staging bucket, version parameter) with roles that trust only the
pipeline's roles, an execution policy built from the allowed services, and a
permissions boundary. Create its change set with (then review and execute it:
docs/runbooks/bootstrap-accounts.md, step 3):

  cdk bootstrap aws://ACCOUNT/REGION --template FILE --qualifier hnb659fds \
    --termination-protection --no-execute

Refuses (exit 1, nothing written) a template that cdk bootstrap could not deploy:
over 51,200 bytes in the YAML the CDK CLI sends as its TemplateBody, or a role
policy over IAM's 6,144 characters (the tooling template beyond 11 regions).

Options:
  --env NAME        environment (a file under config/environments/); its deploymentTrust.allowedServices
  --tooling         the tooling account; the services are those of the synthesized pipeline stack
                    of the repository branch (run npm run synth, without --branch, first)
  --assembly DIR    with --tooling: the cloud assembly to read (default: apps/platform/cdk.out)
  --config-dir DIR  config directory (default: apps/platform/config)
  --out FILE        where to write (default: apps/platform/cdk.out/bootstrap/<env or tooling>.template.json)
  -h, --help        show this help`;

/** The pipeline stack's id in the app, so its template is `<id>.template.json` in the cloud assembly. */
export const PIPELINE_STACK_ID = 'Pipeline';

/**
 * Roles in the pipeline account that may use the bootstrap roles: every role
 * of the pipeline stacks (CloudFormation names them after the stack, keeping
 * at least its first 25 characters), and nothing else in that account.
 */
export function pipelineRoleNamePatterns(config: PlatformConfig): string[] {
  return [pipelineRoleNamePattern(config.groundwork.organization.name)];
}

/** The DeploymentTrust settings for one environment, from config. */
export function deploymentTrustProps(config: PlatformConfig, envName: string): DeploymentTrustProps {
  const env = config.environments.find((e) => e.name === envName);
  if (!env) {
    const known = config.environments.map((e) => e.name).join(', ');
    throw new UsageError(`--env: no environment "${envName}" (known: ${known})`);
  }
  return {
    pipelineAccountId: config.groundwork.tooling.account,
    targetAccountId: env.account,
    trustedRoleNamePatterns: pipelineRoleNamePatterns(config),
    allowedServices: env.deploymentTrust.allowedServices,
    // The pipeline changes the stage's stacks only: not the access stack, not another team's stacks.
    deployableStackNames: environmentStackNames(config.groundwork.organization.name, env.name),
  };
}

/**
 * The DeploymentTrust settings for the tooling account, whose bootstrap roles the pipeline's
 * self-mutation deploys through: the services its synthesized template creates, and the repository
 * connection its source action uses (a resource created outside the stack).
 */
export function toolingDeploymentTrustProps(config: PlatformConfig, pipelineTemplate: unknown): DeploymentTrustProps {
  return {
    pipelineAccountId: config.groundwork.tooling.account,
    trustedRoleNamePatterns: pipelineRoleNamePatterns(config),
    allowedServices: ServiceAllowList.fromTemplates([pipelineTemplate]),
    // The connection's service under both names (renamed to CodeConnections in 2024): the source action
    // uses the connection at run time, and the execution role passes it to CodePipeline (below).
    runtimeServices: ['codeconnections', 'codestar-connections'],
    // Self-mutation deploys the pipeline stacks and their cross-region support stacks only.
    deployableStackNames: [pipelineStackNamePattern(config.groundwork.organization.name)],
    deployableStackRegions: pipelineStackRegions(config),
    // Creating or updating the pipeline passes the connection of its source action.
    passableConnectionArns: [config.groundwork.repository.connectionArn],
    // No access stack, so no break-glass alerts, in the tooling account (access stacks go to environment
    // accounts only): the boundary keeps those characters for the pipeline's allow list.
    protectedAlertNamePrefixes: [],
  };
}

/**
 * The regions of the tooling account that self-mutation deploys to: the pipeline's own, and each
 * environment's, where CodePipeline keeps a support stack (`<pipeline stack>-support-<region>`, its artifact
 * bucket there). Those stacks are deployed with the tooling region's bootstrap roles, and a stack ARN names
 * its region. Listed rather than '*', so that the template shows where the pipeline reaches: an environment
 * in a new region means rendering and deploying this template again before the merge.
 */
export function pipelineStackRegions(config: PlatformConfig): string[] {
  return [...new Set([config.groundwork.tooling.region, ...config.environments.map((e) => e.region)])];
}

/**
 * The largest template body `cdk bootstrap` can deploy: CloudFormation takes a `TemplateBody` of up to 51,200
 * bytes, and the CDK CLI (2.1148.1, `makeBodyParameter`, `LARGE_TEMPLATE_SIZE_KB` = 50) stages a larger
 * template in the bootstrap bucket instead. It deploys the bootstrap stack itself without a bucket to stage in
 * (`NoBootstrapStackEnvironmentResources`), new stack or update, so a larger bootstrap template stops it with "BootstrapStackRequired: Trying to perform an operation that requires a bootstrap stack;
 * you should not see this error, this is a bug in the CDK CLI".
 */
export const BOOTSTRAP_TEMPLATE_BODY_MAX_BYTES = 50 * 1024;

/**
 * The size, in bytes, of the body `cdk bootstrap --template FILE` sends to CloudFormation: the CLI reads the
 * file and sends it again as YAML (toolkit-lib `serialize`: YAML 1.1, no line wrapping), whatever the file's
 * format, so the size of the JSON file written here says nothing about it.
 */
export function bootstrapTemplateBodyBytes(template: string): number {
  return Buffer.byteLength(stringify(JSON.parse(template), { schema: 'yaml-1.1', lineWidth: 0 }), 'utf-8');
}

/** A bootstrap template that could not be rendered, or that `cdk bootstrap` could not deploy. */
export class BootstrapTemplateError extends Error {}

/** A rendered bootstrap template that `cdk bootstrap` could not send (see above). */
export class BootstrapTemplateTooLargeError extends BootstrapTemplateError {}

/**
 * DeploymentTrust's template for `props`; a BootstrapTemplateError naming `target` when DeploymentTrust refuses
 * them (e.g. a deploy role policy over IAM's size limit, with the environments in too many regions).
 */
function renderChecked(props: DeploymentTrustProps, target: string): string {
  try {
    return DeploymentTrust.renderBootstrapTemplate(props);
  } catch (error) {
    if (!Errors.isConstructError(error) && !Errors.isValidationError(error)) throw error;
    throw new BootstrapTemplateError(
      `${target}: ${error.message.replace(/^Validation failed with the following errors:\s*/, '').trim()}. Nothing was written`,
    );
  }
}

/** The template, or an error naming the target when `cdk bootstrap` could not send it (see above). */
export function checkBootstrapTemplateBody(template: string, target: string, hint: string): string {
  const size = bootstrapTemplateBodyBytes(template);
  if (size > BOOTSTRAP_TEMPLATE_BODY_MAX_BYTES) {
    throw new BootstrapTemplateTooLargeError(
      `${target}: expected a bootstrap template that cdk bootstrap can send as its body, at most ` +
        `${BOOTSTRAP_TEMPLATE_BODY_MAX_BYTES} bytes as the CDK CLI serializes it (YAML), found ${size} bytes: ` +
        `cdk bootstrap would stop with "BootstrapStackRequired" (a larger body must be staged in S3, which the ` +
        `CLI never does for a bootstrap stack). ${hint}. Nothing was written`,
    );
  }
  return template;
}

/**
 * The tooling account's bootstrap template, exactly as `npm run bootstrap-template -- --tooling` writes it;
 * a BootstrapTemplateError when DeploymentTrust refuses the props or `cdk bootstrap` could not send it.
 */
export function renderToolingBootstrapTemplate(config: PlatformConfig, pipelineTemplate: unknown): string {
  const props = toolingDeploymentTrustProps(config, pipelineTemplate);
  const target = "the tooling account's bootstrap template";
  return checkBootstrapTemplateBody(
    renderChecked(props, target),
    target,
    `Its deploy role names the pipeline stacks in each of the ${props.deployableStackRegions?.length ?? 1} ` +
      "regions it deploys to (the tooling region and every environment's, each adding about 780 bytes): " +
      'fewer distinct environment regions make it smaller',
  );
}

/**
 * The bootstrap template of one environment, exactly as `npm run bootstrap-template` writes it; a
 * BootstrapTemplateError when DeploymentTrust refuses the props or `cdk bootstrap` could not send it.
 */
export function renderEnvironmentBootstrapTemplate(config: PlatformConfig, envName: string): string {
  const target = `the bootstrap template of environment "${envName}"`;
  return checkBootstrapTemplateBody(
    renderChecked(deploymentTrustProps(config, envName), target),
    target,
    'Fewer deploymentTrust.allowedServices make it smaller',
  );
}

/** The synthesized pipeline template; an error naming the file when it is no CloudFormation template. */
function readPipelineTemplate(file: string, cwd: string): unknown {
  const expected = `expected the synthesized pipeline stack's CloudFormation template (run npm run synth again)`;
  let template: unknown;
  try {
    template = JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch (error) {
    throw new Error(`${displayPath(file, cwd)}: ${expected}, found invalid JSON: ${(error as Error).message}`);
  }
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    const found = template === null ? 'null' : Array.isArray(template) ? 'a JSON list' : `a JSON ${typeof template}`;
    throw new Error(`${displayPath(file, cwd)}: ${expected}, found ${found}`);
  }
  return template;
}

/**
 * The tooling account has one bootstrap, through which every branch's pipeline deploys: it is rendered from the
 * repository branch's pipeline, which deploys every environment that branch lists. An assembly of another branch
 * (`npm run synth -- --branch develop`) may create fewer services (no production wave: no approval function), and
 * a bootstrap rendered from it would make the repository branch's self-mutation fail.
 */
function checkRepositoryBranchPipeline(config: PlatformConfig, template: unknown, file: string, cwd: string): void {
  const gw = config.groundwork;
  const expected = pipelineStackName(gw.organization.name, gw.repository.branch, gw.repository.branch);
  const resources = Object.values((template as { Resources?: Record<string, unknown> }).Resources ?? {});
  const names = resources
    .filter(
      (r): r is { Type: string; Properties?: { Name?: unknown } } =>
        (r as { Type?: unknown })?.Type === 'AWS::CodePipeline::Pipeline',
    )
    .map((r) => r.Properties?.Name)
    .filter((name): name is string => typeof name === 'string');
  const other = names.find((name) => name !== expected);
  if (other !== undefined) {
    throw new UsageError(
      `--tooling renders the tooling account's bootstrap from the pipeline of the repository branch ` +
        `(${gw.repository.branch}: pipeline ${expected}), and ${displayPath(file, cwd)} holds pipeline ${other} ` +
        '(a synth with --branch): run npm run synth without --branch first',
    );
  }
}

/** Runs the command; returns the exit code. */
export function runBootstrapTemplate(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const cwd = invocationDir();
  try {
    const args = parseArguments(argv, {
      values: ['--env', '--config-dir', '--out', '--assembly'],
      flags: ['--tooling'],
    });
    const envName = args.values.get('--env');
    const tooling = args.flags.has('--tooling');
    if (!envName && !tooling) throw new UsageError('--env NAME or --tooling is required');
    if (envName && tooling) throw new UsageError('--env and --tooling exclude each other');
    if (envName && args.values.has('--assembly')) {
      throw new UsageError('--assembly applies to --tooling only, found it with --env');
    }
    const out = path.resolve(
      cwd,
      args.values.get('--out') ??
        path.join(__dirname, '..', 'cdk.out', 'bootstrap', `${envName ?? 'tooling'}.template.json`),
    );
    checkOutputPath(args.values.has('--out') ? '--out' : 'the default --out', out, 'file', cwd);
    const config = loadPlatformConfig(resolveConfigDir(args.values.get('--config-dir'), undefined, cwd));
    let template: string;
    let target: { account: string; region: string };
    if (envName) {
      template = renderEnvironmentBootstrapTemplate(config, envName);
      target = config.environments.find((e) => e.name === envName)!;
    } else {
      const assembly = path.resolve(cwd, args.values.get('--assembly') ?? path.join(__dirname, '..', 'cdk.out'));
      const file = path.join(assembly, `${PIPELINE_STACK_ID}.template.json`);
      if (!fs.existsSync(file)) {
        throw new UsageError(
          `--tooling reads the synthesized pipeline stack, and ${path.relative(cwd, file)} does not exist: run npm run synth first`,
        );
      }
      const pipelineTemplate = readPipelineTemplate(file, cwd);
      checkRepositoryBranchPipeline(config, pipelineTemplate, file, cwd);
      template = renderToolingBootstrapTemplate(config, pipelineTemplate);
      target = config.groundwork.tooling;
    }
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, template);
    process.stdout.write(
      `wrote ${path.relative(cwd, out)}\n` +
        `create the change set with: cdk bootstrap aws://${target.account}/${target.region} --template ${path.relative(cwd, out)} ` +
        `--qualifier ${BootstrapContract.DEFAULT_QUALIFIER} --termination-protection --no-execute\n` +
        'then review and execute it: docs/runbooks/bootstrap-accounts.md, step 3\n',
    );
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      const count = error.issues.length;
      process.stderr.write(
        `${formatIssues(error.issues, cwd)}\n\n${count} config ${count === 1 ? 'error' : 'errors'}: nothing was written\n`,
      );
      return 1;
    }
    if (error instanceof BootstrapTemplateError) {
      process.stderr.write(`bootstrap-template: ${error.message}\n`);
      return 1;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`bootstrap-template: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  try {
    process.exitCode = runBootstrapTemplate(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bootstrap-template: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
