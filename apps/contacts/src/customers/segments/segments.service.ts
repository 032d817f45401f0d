import { inOrganization, type Principal, scopeQuery } from '@flow-crm/auth';
import { applyConditions, applyOrder, newId, orderTerms, readPage } from '@flow-crm/db';
import { ConflictError, NotFoundError, Page, type PaginationQuery, pageWindow } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CUSTOMER_SORTING } from '../customer-sorting';
import { Customer } from '../customer.entity';
import { type CustomerResponse, toCustomerResponse } from '../customer.mapper';
import { assertSomeCriterion, segmentConditions } from './segment-criteria';
import { type CreateSegmentDto } from './segment.dto';
import { Segment } from './segment.entity';

export interface SegmentResponse {
  id: string;
  name: string;
  description: string | null;
  criteria: Segment['criteria'];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

const toSegmentResponse = (segment: Segment): SegmentResponse => ({
  id: segment.id,
  name: segment.name,
  description: segment.description,
  criteria: segment.criteria,
  createdBy: segment.createdBy,
  createdAt: segment.createdAt.toISOString(),
  updatedAt: segment.updatedAt.toISOString(),
});

/** Saved customer segments; members are whoever matches the criteria now, never a stale list. */
@Injectable()
export class SegmentsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(principal: Principal): Promise<SegmentResponse[]> {
    const segments = await this.dataSource.getRepository(Segment).find({
      where: inOrganization(principal),
      order: { name: 'ASC', id: 'ASC' },
    });
    return segments.map(toSegmentResponse);
  }

  async get(principal: Principal, id: string): Promise<SegmentResponse> {
    return toSegmentResponse(await this.find(this.dataSource.manager, principal, id));
  }

  async create(principal: Principal, dto: CreateSegmentDto): Promise<SegmentResponse> {
    assertSomeCriterion(dto.criteria);
    return this.dataSource.transaction(async (manager) => {
      const taken = await manager
        .getRepository(Segment)
        .createQueryBuilder('segment')
        .where('segment.organizationId = :organizationId', inOrganization(principal))
        .andWhere('lower(segment.name) = lower(:name)', { name: dto.name })
        .getExists();
      if (taken) throw new ConflictError('A segment with this name already exists');
      const criteria = Object.fromEntries(
        Object.entries(dto.criteria).filter(([, value]) => value !== undefined && value !== null),
      );
      const segment = await manager.save(
        manager.create(Segment, {
          id: newId(),
          organizationId: principal.organizationId,
          name: dto.name,
          description: dto.description ?? null,
          criteria,
          createdBy: principal.userId,
        }),
      );
      return toSegmentResponse(segment);
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const segment = await this.find(this.dataSource.manager, principal, id);
    await this.dataSource.getRepository(Segment).softRemove(segment);
  }

  /** The customers the caller can see that match the segment today. */
  async members(principal: Principal, id: string, query: PaginationQuery): Promise<Page<CustomerResponse>> {
    const segment = await this.find(this.dataSource.manager, principal, id);
    const builder = this.dataSource.getRepository(Customer).createQueryBuilder('customer');
    applyConditions(builder, segmentConditions(segment.criteria));
    applyOrder(scopeQuery(builder, 'customer', principal), orderTerms('name', CUSTOMER_SORTING));
    const [customers, total] = await readPage(builder, pageWindow(query));
    return Page.of(customers.map(toCustomerResponse), total, query);
  }

  private async find(manager: EntityManager, principal: Principal, id: string): Promise<Segment> {
    const segment = await manager.findOneBy(Segment, { id, ...inOrganization(principal) });
    if (!segment) throw new NotFoundError('Segment');
    return segment;
  }
}
