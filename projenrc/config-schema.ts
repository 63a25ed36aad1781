import * as path from 'path';
import { Component, JsonFile, Project } from 'projen';
import { renderJsonSchemas } from '../apps/platform/src/config/json-schema';

export interface ConfigJsonSchemaOptions {
  /**
   * The config directory, relative to the project's root; the schema files go
   * into its `schema/` folder.
   * @default 'config' (the platform app's own config when added to that app)
   */
  readonly configDir?: string;
}

/**
 * Writes the JSON Schemas of the platform config files (groundwork.yaml and
 * environments/*.yaml), generated from the zod schema in
 * apps/platform/src/config/schema.ts, the single source of truth. The YAML files
 * point at them with a `# yaml-language-server: $schema=...` line, so editors
 * complete and check fields as they are typed. `npx projen` regenerates them.
 */
export class ConfigJsonSchema extends Component {
  /** The generated files, keyed by path relative to the project root. */
  public readonly files: Record<string, JsonFile> = {};

  constructor(project: Project, options: ConfigJsonSchemaOptions = {}) {
    super(project);
    const configDir = options.configDir ?? 'config';
    for (const [file, schema] of Object.entries(renderJsonSchemas())) {
      const filePath = path.posix.join(configDir, file);
      // Committed so that editors find the schema in a fresh clone before any build.
      this.files[filePath] = new JsonFile(project, filePath, { obj: schema, committed: true, marker: true });
    }
  }
}
