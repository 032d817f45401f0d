import { loadConfig, platformConfigSchema } from '@flow-crm/platform';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

export const pipelineConfigSchema = platformConfigSchema({ port: 3003, database: 'crm_pipeline' }).extend({
  /** The gateway allows 10 MB on the import route; the service checks the same by itself. */
  IMPORT_MAX_BYTES: positiveInt.default(10 * 1024 * 1024),
  IMPORT_MAX_ROWS: positiveInt.default(50_000),
});

export type PipelineConfig = z.infer<typeof pipelineConfigSchema>;

export const PIPELINE_CONFIG = Symbol('PIPELINE_CONFIG');

export function loadPipelineConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  return loadConfig(pipelineConfigSchema, env);
}
