import { inOrganization, type Principal } from '@flow-crm/auth';
import { Outbox } from '@flow-crm/bus';
import { TagDeleted, TagRenamed } from '@flow-crm/contracts';
import { newId, refuseDuplicate } from '@flow-crm/db';
import { ConflictError, NotFoundError } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type CreateTagDto, type UpdateTagDto } from './dto/tag.dto';
import { DEFAULT_TAG_COLOR } from './tag-catalog';
import { Tag } from './tag.entity';

export interface TagResponse {
  id: string;
  name: string;
  color: string;
  createdAt: string;
  updatedAt: string;
}

const toTagResponse = (tag: Tag): TagResponse => ({
  id: tag.id,
  name: tag.name,
  color: tag.color,
  createdAt: tag.createdAt.toISOString(),
  updatedAt: tag.updatedAt.toISOString(),
});

const NAME_TAKEN = 'A tag with this name already exists';

const refusingTakenName = <T>(work: () => Promise<T>): Promise<T> =>
  refuseDuplicate('tags_name_key', () => new ConflictError(NAME_TAKEN), work);

const TAGGED_TABLES = ['contacts', 'customers'] as const;

/**
 * The organization's tag catalog. Renaming or deleting a tag changes every record here in the
 * same transaction, and tells the other services through the outbox.
 */
@Injectable()
export class TagsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async list(principal: Principal): Promise<TagResponse[]> {
    const tags = await this.dataSource
      .getRepository(Tag)
      .createQueryBuilder('tag')
      .where('tag.organizationId = :organizationId', inOrganization(principal))
      .orderBy('lower(tag.name)', 'ASC')
      .getMany();
    return tags.map(toTagResponse);
  }

  async create(principal: Principal, dto: CreateTagDto): Promise<TagResponse> {
    return refusingTakenName(() =>
      this.dataSource.transaction(async (manager) => {
        await this.assertNameFree(manager, principal, dto.name);
        const tag = await manager.save(
          manager.create(Tag, {
            id: newId(),
            organizationId: principal.organizationId,
            name: dto.name,
            color: dto.color ?? DEFAULT_TAG_COLOR,
          }),
        );
        return toTagResponse(tag);
      }),
    );
  }

  async update(principal: Principal, id: string, dto: UpdateTagDto): Promise<TagResponse> {
    return refusingTakenName(() =>
      this.dataSource.transaction(async (manager) => {
        const tag = await this.find(manager, principal, id);
        const previousName = tag.name;
        const renamed = dto.name !== undefined && dto.name !== previousName;
        if (renamed && dto.name!.toLowerCase() !== previousName.toLowerCase())
          await this.assertNameFree(manager, principal, dto.name!);
        if (dto.name !== undefined) tag.name = dto.name;
        if (dto.color !== undefined) tag.color = dto.color;
        const saved = await manager.save(tag);
        if (renamed) {
          for (const table of TAGGED_TABLES)
            await manager.query(
              `UPDATE ${table} SET tags = array_replace(tags, $2, $3) WHERE organization_id = $1 AND tags @> ARRAY[$2]`,
              [tag.organizationId, previousName, saved.name],
            );
          await this.outbox.publish(manager, TagRenamed, {
            organizationId: tag.organizationId,
            aggregateId: tag.id,
            aggregateVersion: saved.version,
            actorId: principal.userId,
            data: { id: tag.id, organizationId: tag.organizationId, previousName, name: saved.name },
          });
        }
        return toTagResponse(saved);
      }),
    );
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const tag = await this.find(manager, principal, id);
      for (const table of TAGGED_TABLES)
        await manager.query(
          `UPDATE ${table} SET tags = array_remove(tags, $2) WHERE organization_id = $1 AND tags @> ARRAY[$2]`,
          [tag.organizationId, tag.name],
        );
      await manager.delete(Tag, { id: tag.id });
      await this.outbox.publish(manager, TagDeleted, {
        organizationId: tag.organizationId,
        aggregateId: tag.id,
        aggregateVersion: tag.version + 1,
        actorId: principal.userId,
        data: { id: tag.id, organizationId: tag.organizationId, name: tag.name },
      });
    });
  }

  private async find(manager: EntityManager, principal: Principal, id: string): Promise<Tag> {
    const tag = await manager.findOne(Tag, {
      where: { id, ...inOrganization(principal) },
      lock: { mode: 'pessimistic_write' },
    });
    if (!tag) throw new NotFoundError('Tag');
    return tag;
  }

  private async assertNameFree(manager: EntityManager, principal: Principal, name: string): Promise<void> {
    const taken = await manager
      .getRepository(Tag)
      .createQueryBuilder('tag')
      .where('tag.organizationId = :organizationId', inOrganization(principal))
      .andWhere('lower(tag.name) = lower(:name)', { name })
      .getExists();
    if (taken) throw new ConflictError(NAME_TAKEN);
  }
}
