import * as fs from 'fs';
import * as path from 'path';

/**
 * Reads a synthesized cloud assembly with plain JSON, not aws-cdk-lib's
 * cx-api: the base and head of a pull request may have been synthesized by
 * different CDK versions, and the manifest fields read here (artifact type,
 * properties.templateFile/stackName/directoryName/displayName) have been
 * stable across manifest versions.
 */

export const ROOT_ENVIRONMENT = '(root)';

/** A CloudFormation template, loosely typed: only Resources is interpreted. */
export interface CfnTemplate {
  readonly Resources?: { [logicalId: string]: CfnResource };
  readonly [key: string]: unknown;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: { [name: string]: unknown };
  readonly DeletionPolicy?: unknown;
  readonly [key: string]: unknown;
}

export interface AssemblyStack {
  /** Nested assembly (Stage) display name, or '(root)'. */
  readonly environment: string;
  readonly stackName: string;
  readonly artifactId: string;
  readonly awsEnvironment?: string;
  readonly template: CfnTemplate;
  /** Set on a nested stack (stackName `Parent/LogicalId`): the parent's stack name. */
  readonly parentStack?: string;
  /** Logical ids of this template's AWS::CloudFormation::Stack resources whose template was found in the assembly. */
  readonly nestedStacksRead?: readonly string[];
}

/** Thrown for input the user must fix (missing directory, not an assembly, unreadable JSON). */
export class AssemblyError extends Error {}

interface ManifestArtifact {
  readonly type?: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: {
    readonly templateFile?: string;
    readonly stackName?: string;
    readonly directoryName?: string;
    readonly displayName?: string;
  };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf-8');
  } catch (e) {
    throw new AssemblyError(`cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AssemblyError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Every stack in the assembly at `dir`, including those in nested assemblies
 * (one per CDK Stage), recursively, ordered by environment then stack name.
 */
export function readCloudAssembly(dir: string): AssemblyStack[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new AssemblyError(`${dir} does not exist or is not a directory`);
  }
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    throw new AssemblyError(`${dir} is not a cloud assembly: it has no manifest.json (run the synth first)`);
  }
  const stacks: AssemblyStack[] = [];
  readAssemblyInto(dir, ROOT_ENVIRONMENT, stacks, new Set());
  return stacks.sort(
    (a, b) => compareStrings(a.environment, b.environment) || compareStrings(a.stackName, b.stackName),
  );
}

function readAssemblyInto(dir: string, environment: string, into: AssemblyStack[], seen: Set<string>): void {
  const real = fs.realpathSync(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = readJson(manifestFile) as { artifacts?: { [id: string]: ManifestArtifact } };
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new AssemblyError(`${manifestFile} is not a cloud assembly manifest`);
  }
  const artifacts: unknown = manifest.artifacts ?? {};
  if (typeof artifacts !== 'object' || artifacts === null || Array.isArray(artifacts)) {
    throw new AssemblyError(`${manifestFile}: artifacts is ${JSON.stringify(artifacts)}, expected an object`);
  }
  for (const [id, artifact] of Object.entries(artifacts as { [id: string]: ManifestArtifact })) {
    if (typeof artifact !== 'object' || artifact === null || Array.isArray(artifact)) {
      throw new AssemblyError(
        `${manifestFile}: artifact ${id} is ${JSON.stringify(artifact)}, expected an object with a type`,
      );
    }
    if (artifact.type === 'aws:cloudformation:stack') {
      const templateFile = artifact.properties?.templateFile;
      if (!templateFile) {
        throw new AssemblyError(`${manifestFile}: stack artifact ${id} has no properties.templateFile`);
      }
      const template = readJson(path.join(dir, templateFile));
      if (typeof template !== 'object' || template === null) {
        throw new AssemblyError(`${path.join(dir, templateFile)} is not a CloudFormation template`);
      }
      pushWithNestedStacks(dir, into, {
        environment,
        stackName: artifact.properties?.stackName ?? id,
        artifactId: id,
        awsEnvironment: artifact.environment,
        template: template as CfnTemplate,
      });
    } else if (artifact.type === 'cdk:cloud-assembly') {
      const directoryName = artifact.properties?.directoryName;
      if (!directoryName) {
        throw new AssemblyError(`${manifestFile}: nested assembly ${id} has no properties.directoryName`);
      }
      const nestedDir = path.join(dir, directoryName);
      if (!fs.existsSync(path.join(nestedDir, 'manifest.json'))) {
        throw new AssemblyError(
          `${manifestFile}: nested assembly ${id} points to ${nestedDir}, which has no manifest.json`,
        );
      }
      // CDK writes the full Stage path (e.g. 'Prod/Replica') as the display name.
      const name = artifact.properties?.displayName ?? artifact.displayName ?? directoryName;
      readAssemblyInto(nestedDir, name, into, seen);
    }
  }
}

/** Asset file paths by S3 object key, from the `*.assets.json` manifests in `dir` (relative to `dir`). */
function assetFilesByObjectKey(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.assets.json'))) {
    let manifest: { files?: { [id: string]: { source?: { path?: string }; destinations?: object } } };
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf-8'));
    } catch {
      continue;
    }
    for (const file of Object.values(manifest.files ?? {})) {
      const source = file.source?.path;
      if (typeof source !== 'string') continue;
      for (const destination of Object.values(file.destinations ?? {}) as { objectKey?: unknown }[]) {
        if (typeof destination.objectKey === 'string') out.set(destination.objectKey, source);
      }
    }
  }
  return out;
}

/**
 * The file of a nested stack's template in the assembly: CDK writes it next to the parent
 * (`<id>.nested.template.json`) and names it in the resource's `aws:asset:path` metadata when
 * asset metadata is on (the CLI default); else the TemplateURL's object key is looked up in the
 * asset manifests. Undefined when neither finds a file (e.g. a TemplateURL to a hand-uploaded template).
 */
function nestedTemplateFile(dir: string, resource: CfnResource, assets: () => Map<string, string>): string | undefined {
  const metadata = resource.Metadata as { [key: string]: unknown } | undefined;
  const candidates: string[] = [];
  if (typeof metadata?.['aws:asset:path'] === 'string') candidates.push(metadata['aws:asset:path']);
  const url = JSON.stringify(resource.Properties?.TemplateURL ?? '');
  for (const [objectKey, source] of assets()) {
    if (url.includes(objectKey)) candidates.push(source);
  }
  return candidates.map((c) => path.join(dir, c)).find((file) => fs.existsSync(file) && fs.statSync(file).isFile());
}

/**
 * Adds `stack` and, recursively, every nested stack whose template is in the assembly,
 * as stacks named `Parent/LogicalId` in the same environment.
 */
function pushWithNestedStacks(dir: string, into: AssemblyStack[], stack: AssemblyStack, depth = 0): void {
  let assets: Map<string, string> | undefined;
  const assetFiles = () => (assets ??= assetFilesByObjectKey(dir));
  const nested: AssemblyStack[] = [];
  for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
    if (resource?.Type !== 'AWS::CloudFormation::Stack' || depth > 10) continue;
    const file = nestedTemplateFile(dir, resource, assetFiles);
    if (!file) continue;
    const template = readJson(file);
    if (typeof template !== 'object' || template === null) {
      throw new AssemblyError(
        `${file} (nested stack ${logicalId} of ${stack.stackName}) is not a CloudFormation template`,
      );
    }
    nested.push({
      environment: stack.environment,
      stackName: `${stack.stackName}/${logicalId}`,
      artifactId: `${stack.artifactId}/${logicalId}`,
      awsEnvironment: stack.awsEnvironment,
      template: template as CfnTemplate,
      parentStack: stack.stackName,
    });
  }
  const read = nested.map((n) => n.stackName.slice(stack.stackName.length + 1));
  into.push(read.length > 0 ? { ...stack, nestedStacksRead: read } : stack);
  for (const n of nested) pushWithNestedStacks(dir, into, n, depth + 1);
}

/** Locale-independent ordering, so reports are byte-identical on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
