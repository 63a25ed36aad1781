import * as fs from 'fs';
import * as path from 'path';
import { DeploymentTrust, DeploymentTrustProps } from '@groundwork/cross-account-roles';
import { optionValue } from './cli-args';
import {
  ConfigError,
  formatIssues,
  invocationDir,
  loadPlatformConfig,
  PlatformConfig,
  resolveConfigDir,
} from './config';

const USAGE = `Usage: node lib/bootstrap-template.js --env NAME [--config-dir DIR] [--out FILE]

Writes the least-privilege bootstrap template for one environment's account:
the CDK bootstrap contract (role names, staging bucket, version parameter)
with roles that trust only the pipeline's roles, an execution policy built
from the environment's deploymentTrust.allowedServices, and a permissions
boundary. Deploy it with:

  cdk bootstrap aws://ACCOUNT/REGION --template FILE

Options:
  --env NAME        environment (a file under config/environments/)
  --config-dir DIR  config directory (default: apps/platform/config)
  --out FILE        where to write (default: apps/platform/cdk.out/bootstrap/<env>.template.json)
  -h, --help        show this help`;

/**
 * Roles in the pipeline account that may use the bootstrap roles: every role
 * of the pipeline stacks (CloudFormation names them `<stack name>-...`), and
 * nothing else in that account.
 */
export function pipelineRoleNamePatterns(config: PlatformConfig): string[] {
  return [`${config.groundwork.organization.name}-platform*`];
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
  };
}

/** The bootstrap template of one environment, exactly as `npm run bootstrap-template` writes it. */
export function renderEnvironmentBootstrapTemplate(config: PlatformConfig, envName: string): string {
  return DeploymentTrust.renderBootstrapTemplate(deploymentTrustProps(config, envName));
}

class UsageError extends Error {}

/** Runs the command; returns the exit code. */
export function runBootstrapTemplate(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const cwd = invocationDir();
  try {
    const envName = optionValue(argv, '--env');
    if (!envName) throw new UsageError('--env NAME is required');
    const config = loadPlatformConfig(resolveConfigDir(argv, undefined, cwd));
    const out = path.resolve(
      cwd,
      optionValue(argv, '--out') ?? path.join(__dirname, '..', 'cdk.out', 'bootstrap', `${envName}.template.json`),
    );
    const template = renderEnvironmentBootstrapTemplate(config, envName);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, template);
    const env = config.environments.find((e) => e.name === envName)!;
    process.stdout.write(
      `wrote ${path.relative(cwd, out)}\nbootstrap with: cdk bootstrap aws://${env.account}/${env.region} --template ${path.relative(cwd, out)}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${formatIssues(error.issues, cwd)}\n`);
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
