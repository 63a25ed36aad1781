import * as fs from 'fs';
import * as path from 'path';

interface Manifest {
  readonly artifacts?: {
    [id: string]: {
      readonly type?: string;
      readonly properties?: { readonly templateFile?: string; readonly directoryName?: string };
    };
  };
}

/** Stacks and resources of a written cloud assembly, nested assemblies (Stages) included. */
export function countAssembly(dir: string): { stacks: number; resources: number } {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8')) as Manifest;
  let stacks = 0;
  let resources = 0;
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    const props = artifact.properties ?? {};
    if (artifact.type === 'aws:cloudformation:stack' && props.templateFile) {
      const template = JSON.parse(fs.readFileSync(path.join(dir, props.templateFile), 'utf-8'));
      stacks += 1;
      resources += Object.keys(template.Resources ?? {}).length;
    } else if (artifact.type === 'cdk:cloud-assembly' && props.directoryName) {
      const nested = countAssembly(path.join(dir, props.directoryName));
      stacks += nested.stacks;
      resources += nested.resources;
    }
  }
  return { stacks, resources };
}
