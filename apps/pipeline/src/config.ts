import { importLimitsSchema, loadConfig, platformConfigSchema } from '@flow-crm/platform';
import { z } from 'zod';

export const pipelineConfigSchema = platformConfigSchema({ port: 3003, database: 'crm_pipeline' }).extend(
  importLimitsSchema.shape,
);

export type PipelineConfig = z.infer<typeof pipelineConfigSchema>;

export const PIPELINE_CONFIG = Symbol('PIPELINE_CONFIG');

export function loadPipelineConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  return loadConfig(pipelineConfigSchema, env);
}
