import { z } from 'zod';
import { environmentConfigSchema, groundworkConfigSchema } from './schema';

/** File names of the generated JSON Schemas, relative to the config directory. */
export const JSON_SCHEMA_FILES = {
  groundwork: 'schema/groundwork.schema.json',
  environment: 'schema/environment.schema.json',
} as const;

/**
 * JSON Schemas of the config files, generated from the zod schemas, for editor
 * completion and hover (yaml-language-server). Draft-07 because editors support
 * it best. They describe the input: fields with defaults are optional. Checks
 * that JSON Schema cannot express (CIDR ranges, cross-file rules) are only in
 * `npm run validate`.
 *
 * Keys are paths relative to the config directory.
 */
export function renderJsonSchemas(): Record<string, Record<string, unknown>> {
  const render = (schema: z.ZodType, title: string) => ({
    ...z.toJSONSchema(schema, { target: 'draft-07', io: 'input', unrepresentable: 'any' }),
    title,
  });
  return {
    [JSON_SCHEMA_FILES.groundwork]: render(groundworkConfigSchema, 'Groundwork settings'),
    [JSON_SCHEMA_FILES.environment]: render(environmentConfigSchema, 'Groundwork environment'),
  };
}
