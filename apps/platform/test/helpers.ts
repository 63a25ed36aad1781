import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { loadPlatformConfig, PlatformConfig } from '../src/config';

export const EXAMPLE_CONFIG_DIR = path.resolve(__dirname, '..', 'config');

export function exampleConfig(): PlatformConfig {
  return loadPlatformConfig(EXAMPLE_CONFIG_DIR);
}

export function tmpOutdir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `groundwork-${prefix}-`));
}

/** Every stack artifact of an assembly, nested stages included. */
export function allStackArtifacts(assembly: cxapi.CloudAssembly): cxapi.CloudFormationStackArtifact[] {
  return [...assembly.stacks, ...assembly.nestedAssemblies.flatMap((n) => allStackArtifacts(n.nestedAssembly))];
}

/** The synthesized template of a stack, read from the assembly (after aspects). */
export function templateOf(assembly: cxapi.CloudAssembly, stack: Stack): any {
  return allStackArtifacts(assembly).find(
    (a) => a.hierarchicalId === stack.node.path || a.stackName === stack.stackName,
  )!.template;
}

export function resourcesOfType(template: any, type: string): Array<[string, any]> {
  return Object.entries(template.Resources ?? {}).filter(([, r]: [string, any]) => r.Type === type) as Array<
    [string, any]
  >;
}

/** Runs `action` with the environment variable `name` set to `value` (unset if undefined), then restores it. */
export function withEnv<T>(name: string, value: string | undefined, action: () => T): T {
  const before = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return action();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

/** Whether `name` matches an IAM name pattern, `*` standing for any run of characters (as in ArnLike). */
export function globMatches(pattern: string, name: string): boolean {
  const parts = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`).test(name);
}
