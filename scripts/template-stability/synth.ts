import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { StackTemplates, Template } from './compare';

/** A package's example apps: the integ tests at `test/integ.*.ts`, each a CDK app when run directly. */
export function integApps(packageDir: string): string[] {
  const testDir = path.join(packageDir, 'test');
  if (!fs.existsSync(testDir)) return [];
  return fs
    .readdirSync(testDir)
    .filter((f) => /^integ\..+\.ts$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => path.join(testDir, f));
}

interface ManifestArtifact {
  readonly type?: string;
  readonly properties?: { readonly templateFile?: string; readonly directoryName?: string };
}

/** Every stack template in a cloud assembly, nested assemblies (Stages) included, keyed by artifact id. */
export function readAssemblyTemplates(dir: string, prefix = ''): { [artifactId: string]: Template } {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8')) as {
    artifacts?: { [id: string]: ManifestArtifact };
  };
  const out: { [artifactId: string]: Template } = {};
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      out[prefix + id] = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf-8'));
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      Object.assign(out, readAssemblyTemplates(path.join(dir, artifact.properties.directoryName), `${prefix}${id}/`));
    }
  }
  return out;
}

export class SynthError extends Error {}

/**
 * Runs each integ app of the package (`ts-node test/integ.<name>.ts`, which synthesizes because it is
 * the main module) into a temporary cloud assembly, and returns its templates keyed by
 * `integ.<name>/<stack artifact id>`. The package's in-repo dependencies must be built (their lib/).
 */
export function synthesizeIntegApps(packageDir: string): StackTemplates {
  const templates: { [stack: string]: Template } = {};
  const tsNode = require.resolve('ts-node/register/transpile-only', { paths: [packageDir, __dirname] });
  for (const app of integApps(packageDir)) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'groundwork-template-stability-'));
    try {
      const run = spawnSync(process.execPath, ['-r', tsNode, app], {
        cwd: packageDir,
        encoding: 'utf-8',
        env: {
          ...process.env,
          // aws-cdk-lib's App writes to CDK_OUTDIR when no outdir is given (what the cdk CLI sets too).
          CDK_OUTDIR: outdir,
          // Template validation costs ~4 s per synth and is not what this check is about.
          CDK_VALIDATION: 'false',
          // The app runs as CommonJS whatever the package's tsconfig says (node16 needs a `type` in package.json).
          TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: 'commonjs', moduleResolution: 'node10' }),
        },
      });
      if (run.status !== 0 || !fs.existsSync(path.join(outdir, 'manifest.json'))) {
        throw new SynthError(
          `synthesizing ${path.relative(packageDir, app)} failed (exit ${run.status}):\n${run.stderr || run.stdout}`,
        );
      }
      const name = path.basename(app, '.ts');
      for (const [artifactId, template] of Object.entries(readAssemblyTemplates(outdir))) {
        templates[`${name}/${artifactId}`] = template;
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }
  return templates;
}
