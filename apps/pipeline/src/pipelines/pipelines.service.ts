import { inOrganization, type Principal } from '@flow-crm/auth';
import { newId, refuseDuplicate } from '@flow-crm/db';
import { ConflictError, NotFoundError, ValidationError } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type CreatePipelineDto, type StageDto, type UpdatePipelineDto } from './dto/pipeline.dto';
import { Pipeline } from './pipeline.entity';
import { DEFAULT_PIPELINE_NAME, DEFAULT_STAGES, type Stage, stageProblems } from './stages';

const NAME_KEY = 'pipelines_name';
/** Pipelines and their stages; every organization has the contract's default one. */
@Injectable()
export class PipelinesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Creates the organization's default pipeline unless it has one; run when pipeline meets the
   * organization (see Organizations), so every request finds it.
   */
  async createDefault(manager: EntityManager, organizationId: string): Promise<void> {
    // A custom pipeline may have taken the default's name first: the default then says what it is.
    await manager.query(
      `INSERT INTO pipelines (id, organization_id, name, is_default, stages, version)
       SELECT $1, $2,
              CASE WHEN EXISTS (SELECT 1 FROM pipelines WHERE organization_id = $2 AND lower(name) = lower($3))
                   THEN $3 || ' (default)' ELSE $3 END,
              true, $4, 1
       ON CONFLICT (organization_id) WHERE is_default DO NOTHING`,
      [newId(), organizationId, DEFAULT_PIPELINE_NAME, JSON.stringify(DEFAULT_STAGES)],
    );
  }

  async list(principal: Principal): Promise<Pipeline[]> {
    return this.dataSource.manager.find(Pipeline, {
      where: inOrganization(principal),
      order: { isDefault: 'DESC', createdAt: 'ASC', id: 'ASC' },
    });
  }

  async get(principal: Principal, id: string): Promise<Pipeline> {
    return this.find(this.dataSource.manager, principal.organizationId, id);
  }

  async getDefault(principal: Principal): Promise<Pipeline> {
    return this.dataSource.manager.findOneOrFail(Pipeline, {
      where: { organizationId: principal.organizationId, isDefault: true },
    });
  }

  async create(principal: Principal, dto: CreatePipelineDto): Promise<Pipeline> {
    const stages = checkedStages(dto.stages);
    return nameFree(() =>
      this.dataSource.manager.save(
        this.dataSource.manager.create(Pipeline, {
          id: newId(),
          organizationId: principal.organizationId,
          name: dto.name,
          isDefault: false,
          stages,
        }),
      ),
    );
  }

  /** Stages sent replace the old ones; a stage that still holds deals cannot go (409). */
  async update(principal: Principal, id: string, dto: UpdatePipelineDto): Promise<Pipeline> {
    return nameFree(() =>
      this.dataSource.transaction(async (manager) => {
        // No deal enters a stage between the check below and the commit (see forDeal).
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          stagesLock(principal.organizationId),
        ]);
        const pipeline = await this.find(manager, principal.organizationId, id, 'pessimistic_write');
        if (dto.name !== undefined) pipeline.name = dto.name;
        if (dto.stages !== undefined) {
          const stages = checkedStages(dto.stages);
          // A stage that holds deals may change its name and probability, not go away nor change
          // its kind (open, won, lost): its deals' status and closed dates follow the kind.
          const next = new Map(stages.map((stage) => [stage.key, stage]));
          const changing = pipeline.stages
            .filter((stage) => {
              const after = next.get(stage.key);
              return !after || after.isWon !== stage.isWon || after.isLost !== stage.isLost;
            })
            .map((stage) => stage.key);
          if (changing.length > 0) {
            const holding: { stage: string }[] = await manager.query(
              `SELECT DISTINCT stage FROM deals
               WHERE pipeline_id = $1 AND deleted_at IS NULL AND stage = ANY($2::text[]) ORDER BY stage`,
              [pipeline.id, changing],
            );
            if (holding.length > 0)
              throw new ConflictError(
                'A stage that holds deals cannot be removed or change between open, won and lost; move its deals first',
                { stages: holding.map((row) => row.stage) },
              );
          }
          pipeline.stages = stages;
        }
        return manager.save(pipeline);
      }),
    );
  }

  /**
   * The pipeline a deal is written into: the given one, else the organization's default. Its
   * stages cannot change until the deal is committed: deal writes hold the organization's stages
   * lock shared, a change of stages holds it alone. (An advisory lock, not FOR SHARE on the
   * pipeline row: many concurrent share-lockers of one row cost PostgreSQL a multixact each.)
   * An unknown id is a field error of the deal (422), not a missing resource.
   */
  async forDeal(manager: EntityManager, organizationId: string, pipelineId?: string): Promise<Pipeline> {
    await manager.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [stagesLock(organizationId)]);
    const pipeline = await manager.findOneBy(
      Pipeline,
      pipelineId ? { id: pipelineId, organizationId } : { organizationId, isDefault: true },
    );
    if (!pipeline) throw ValidationError.of('pipelineId', 'no such pipeline in this organization');
    return pipeline;
  }

  private async find(
    manager: EntityManager,
    organizationId: string,
    id: string,
    lock?: 'pessimistic_write',
  ): Promise<Pipeline> {
    const pipeline = await manager.findOne(Pipeline, {
      where: { id, organizationId },
      ...(lock ? { lock: { mode: lock } } : {}),
    });
    if (!pipeline) throw new NotFoundError('Pipeline');
    return pipeline;
  }
}

/** The advisory lock key of an organization's pipeline stages. */
const stagesLock = (organizationId: string) => `pipeline-stages:${organizationId}`;

function checkedStages(stages: readonly StageDto[]): Stage[] {
  const result = stages.map((stage) => ({
    key: stage.key,
    name: stage.name,
    probability: stage.probability,
    isWon: stage.isWon ?? false,
    isLost: stage.isLost ?? false,
  }));
  const problems = stageProblems(result);
  if (problems.length > 0) throw new ValidationError(problems);
  return result;
}

function nameFree<T>(write: () => Promise<T>): Promise<T> {
  return refuseDuplicate(NAME_KEY, () => new ConflictError('A pipeline with this name exists'), write);
}
