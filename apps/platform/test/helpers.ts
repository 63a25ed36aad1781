import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BootstrapContract } from '@groundwork/cross-account-roles';
import { App, IPolicyValidationContext, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { loadPlatformConfig, PlatformConfig } from '../src/config';

export const EXAMPLE_CONFIG_DIR = path.resolve(__dirname, '..', 'config');

export function exampleConfig(): PlatformConfig {
  return loadPlatformConfig(EXAMPLE_CONFIG_DIR);
}

export function tmpOutdir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `groundwork-${prefix}-`));
}

/** The context CDK hands a validation plugin registered on the app: every stack of the assembly. */
export function validationContextOf(app: App, assembly: cxapi.CloudAssembly): IPolicyValidationContext {
  const stackTemplates = assembly.stacksRecursively.map((s) => ({
    stackConstructPath: s.hierarchicalId,
    templatePath: s.templateFullPath,
    accountId: s.environment.account,
    region: s.environment.region,
  }));
  return { templatePaths: stackTemplates.map((s) => s.templatePath), stackTemplates, appConstruct: app };
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

/** A reference from one part of a CloudFormation template to a resource. */
export interface TemplateReference {
  /** `Resources.<id>` or `Outputs.<id>`, the referencing entry. */
  readonly from: string;
  /** How: Ref, Fn::GetAtt, Fn::Sub or DependsOn. */
  readonly via: string;
  /** The logical id of the resource referenced. */
  readonly to: string;
  /** The referenced resource's condition. */
  readonly condition: string;
}

/**
 * The references in a template that CloudFormation rejects because of conditions: a Ref, Fn::GetAtt,
 * Fn::Sub variable or DependsOn that targets a resource with a condition, from a resource or output
 * that may exist without that condition. A reference is guarded when its resource or output has the
 * same condition, or when it sits in the true branch of an `Fn::If` on that condition (the value
 * CloudFormation never evaluates where the resource does not exist).
 */
export function unguardedConditionalReferences(template: any): TemplateReference[] {
  const resources: Record<string, any> = template.Resources ?? {};
  const conditionOf = (id: string): string | undefined => resources[id]?.Condition;
  const found: TemplateReference[] = [];
  const check = (from: string, via: string, to: string, guards: ReadonlySet<string>) => {
    const condition = conditionOf(to);
    if (condition !== undefined && !guards.has(condition)) found.push({ from, via, to, condition });
  };
  const walk = (from: string, value: unknown, guards: ReadonlySet<string>): void => {
    if (Array.isArray(value)) {
      value.forEach((item) => walk(from, item, guards));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, arg] of Object.entries(value)) {
      if (key === 'Ref' && typeof arg === 'string') {
        check(from, 'Ref', arg, guards);
      } else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(arg) ? arg[0] : String(arg).split('.')[0];
        if (typeof target === 'string') check(from, 'Fn::GetAtt', target, guards);
        else walk(from, arg, guards);
      } else if (key === 'Fn::Sub') {
        const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
        for (const match of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = match[1].split('.')[0];
          if (!(name in (variables ?? {}))) check(from, 'Fn::Sub', name, guards);
        }
        walk(from, variables, guards);
      } else if (key === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string') {
        walk(from, arg[1], new Set([...guards, arg[0]]));
        walk(from, arg[2], guards);
      } else {
        walk(from, arg, guards);
      }
    }
  };
  for (const [id, resource] of Object.entries(resources)) {
    const from = `Resources.${id}`;
    const guards = new Set<string>(resource.Condition ? [resource.Condition] : []);
    walk(from, resource.Properties, guards);
    const dependsOn: string[] = [].concat(resource.DependsOn ?? []);
    for (const target of dependsOn) check(from, 'DependsOn', target, guards);
  }
  for (const [id, output] of Object.entries<any>(template.Outputs ?? {})) {
    walk(`Outputs.${id}`, output, new Set<string>(output.Condition ? [output.Condition] : []));
  }
  return found;
}

/**
 * A template's intrinsics as IAM sees them once deployed in `account` and `region` (default qualifier): joins,
 * pseudo parameters and the ARNs of the template's named roles. Another Ref becomes `unresolved(name)` (by
 * default it stays as it is); other intrinsics stay as they are.
 */
export function intrinsicResolver(
  template: any,
  account: string,
  region: string,
  unresolved: (ref: string) => any = (ref) => ({ Ref: ref }),
): (value: any) => any {
  const refs: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::AccountId': account,
    'AWS::Region': region,
    Qualifier: BootstrapContract.DEFAULT_QUALIFIER,
  };
  const resolve = (value: any): any => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    if ('Fn::Join' in value) return value['Fn::Join'][1].map(resolve).join(value['Fn::Join'][0]);
    if ('Ref' in value) return refs[value.Ref] ?? unresolved(value.Ref);
    if ('Fn::GetAtt' in value) {
      const [id, attribute] = value['Fn::GetAtt'];
      const target = template.Resources[id];
      if (target?.Type === 'AWS::IAM::Role' && attribute === 'Arn' && target.Properties.RoleName) {
        return `arn:aws:iam::${account}:role/${resolve(target.Properties.RoleName)}`;
      }
      return value;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}

/**
 * CloudFormation's name for a role without RoleName, as observed in real deployments (AWS documents no
 * rule): `<stack>-<logical id>-<12 random characters>`; over IAM's 64 characters, the stack name and the
 * logical id are each cut to 25 (13 characters for the random tail and its hyphen, 50 around one more).
 */
export function cloudFormationRoleName(stackName: string, logicalId: string): string {
  const tail = '-ABCDEFGHIJKL';
  const full = `${stackName}-${logicalId}${tail}`;
  return full.length <= 64 ? full : `${stackName.slice(0, 25)}-${logicalId.slice(0, 25)}${tail}`;
}

/**
 * The resource types of the example's synthesized pipeline stack (platform.test.ts checks it), for tests that
 * need a template with its allow list without synthesizing the app (the tooling bootstrap template).
 */
export const PIPELINE_STACK_RESOURCE_TYPES: readonly string[] = [
  'AWS::CodePipeline::Pipeline',
  'AWS::CodeBuild::Project',
  'AWS::CodeStarNotifications::NotificationRule',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::KMS::Key',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::Logs::LogGroup',
  'AWS::Logs::MetricFilter',
  'AWS::Logs::ResourcePolicy',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::Events::Rule',
  'AWS::Lambda::Function',
];
