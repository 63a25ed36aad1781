/**
 * `npm run diagram`: Mermaid diagrams of the synthesized platform, written to
 * docs/generated/ and committed, so that a pull request shows a new pipeline
 * stage or a new trust edge in its diff.
 *
 *   ts-node scripts/diagram/main.ts [--assembly DIR] [--config-dir DIR] [--out DIR] [--check]
 *
 * --assembly    the cloud assembly (default apps/platform/cdk.out, written by `npm run synth`)
 * --config-dir  the config it was synthesized from (default apps/platform/config): names the
 *               accounts and gives the environments whose bootstrap templates hold the deploy roles
 * --out         where to write (default docs/generated)
 * --check       write nothing; exit 1 if the files in --out differ from what would be written
 *
 * An unknown option, a missing value or a repeated option is a usage error (exit 2).
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderEnvironmentBootstrapTemplate } from '@groundwork/platform-app/lib/bootstrap-template';
import { parseArguments, ParsedArguments, UsageError } from '@groundwork/platform-app/lib/cli-args';
import { loadPlatformConfig } from '@groundwork/platform-app/lib/config';
import { pipelinesOf, renderPipelines } from './pipeline-diagram';
import { AccountNames, assemblySources, renderTrustGraph, TemplateSource, trustEdges } from './trust-graph';
// The platform app's compiled code (`npm run diagram` builds it first, as does the test's nx target).
import { AssemblyError, readCloudAssembly } from '../change-report/cloud-assembly';

const ROOT = path.resolve(__dirname, '..', '..');

export interface DiagramOptions {
  readonly assemblyDir: string;
  readonly configDir: string;
}

/** The generated files, by file name. */
export function renderDiagrams(options: DiagramOptions): Map<string, string> {
  const stacks = readCloudAssembly(options.assemblyDir);
  const { accounts, bootstrapSources } = platformContext(options.configDir);
  return new Map([
    ['pipeline.md', renderPipelines(pipelinesOf(stacks), accounts)],
    ['trust-graph.md', renderTrustGraph(trustEdges([...assemblySources(stacks), ...bootstrapSources]), accounts)],
  ]);
}

/**
 * From the config: account names, and each environment's bootstrap template
 * (rendered by the platform app exactly as `npm run bootstrap-template` does):
 * the pipeline's deploy roles live there, not in the cloud assembly.
 */
function platformContext(configDir: string): { accounts: AccountNames; bootstrapSources: TemplateSource[] } {
  const config = loadPlatformConfig(configDir);
  const accounts = new Map<string, string>();
  accounts.set(config.groundwork.tooling.account, 'tooling');
  accounts.set(config.groundwork.security.account, 'security');
  const bootstrapSources: TemplateSource[] = [];
  for (const env of config.environments) {
    accounts.set(env.account, accounts.has(env.account) ? `${accounts.get(env.account)}+${env.name}` : env.name);
    bootstrapSources.push({
      name: `bootstrap template (${env.name})`,
      account: env.account,
      region: env.region,
      template: JSON.parse(renderEnvironmentBootstrapTemplate(config, env.name)),
    });
  }
  return { accounts, bootstrapSources };
}

export function main(argv: readonly string[]): number {
  let args: ParsedArguments;
  try {
    args = parseArguments(argv, { values: ['--assembly', '--config-dir', '--out'], flags: ['--check'] });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`diagram: ${error.message}\n`);
    return 2;
  }
  const option = (name: string, fallback: string): string => {
    const value = args.values.get(name);
    return value === undefined ? fallback : path.resolve(process.env.INIT_CWD ?? process.cwd(), value);
  };
  // Rendering a bootstrap template synthesizes a stack; its CloudFormation
  // validation warnings (unused CLI-contract parameters) are not this report's business.
  process.env.CDK_VALIDATION = 'false';
  const outDir = option('--out', path.join(ROOT, 'docs', 'generated'));
  let files: Map<string, string>;
  try {
    files = renderDiagrams({
      assemblyDir: option('--assembly', path.join(ROOT, 'apps', 'platform', 'cdk.out')),
      configDir: option('--config-dir', path.join(ROOT, 'apps', 'platform', 'config')),
    });
  } catch (error) {
    if (error instanceof AssemblyError || (error as Error).name === 'ConfigError') {
      process.stderr.write(`diagram: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
  if (args.flags.has('--check')) {
    const stale = [...files].filter(([name, text]) => {
      const file = path.join(outDir, name);
      return !fs.existsSync(file) || fs.readFileSync(file, 'utf-8') !== text;
    });
    for (const [name] of stale) {
      process.stderr.write(`diagram: ${path.join(outDir, name)} is stale: run npm run diagram\n`);
    }
    return stale.length ? 1 : 0;
  }
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, text] of files) {
    fs.writeFileSync(path.join(outDir, name), text);
    process.stdout.write(`wrote ${path.relative(process.cwd(), path.join(outDir, name))}\n`);
  }
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
