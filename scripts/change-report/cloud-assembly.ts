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
      into.push({
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

/** Locale-independent ordering, so reports are byte-identical on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
