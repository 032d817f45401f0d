import { loadConfig, platformConfigSchema } from '@flow-crm/platform';
import { type z } from 'zod';

export const pipelineConfigSchema = platformConfigSchema({ port: 3003, database: 'crm_pipeline' });

export type PipelineConfig = z.infer<typeof pipelineConfigSchema>;

export function loadPipelineConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  return loadConfig(pipelineConfigSchema, env);
}
