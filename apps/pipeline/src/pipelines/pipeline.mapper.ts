import { type Pipeline } from './pipeline.entity';
import { type Stage } from './stages';

export interface PipelineResponse {
  id: string;
  organizationId: string;
  name: string;
  isDefault: boolean;
  stages: (Stage & { position: number })[];
  createdAt: string;
  updatedAt: string;
}

export function toPipelineResponse(pipeline: Pipeline): PipelineResponse {
  return {
    id: pipeline.id,
    organizationId: pipeline.organizationId,
    name: pipeline.name,
    isDefault: pipeline.isDefault,
    stages: pipeline.stages.map((stage, position) => ({ ...stage, position })),
    createdAt: pipeline.createdAt.toISOString(),
    updatedAt: pipeline.updatedAt.toISOString(),
  };
}
