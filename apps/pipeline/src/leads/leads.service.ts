import { findVisibleOrFail, isManagerial, type Principal, scopeQuery } from '@flow-crm/auth';
import { aggregateEvent, Outbox } from '@flow-crm/bus';
import {
  LEAD_STATUSES,
  LeadAssigned,
  LeadConverted,
  LeadCreated,
  LeadDeleted,
  type LeadStatus,
  LeadStatusChanged,
  LeadUpdated,
} from '@flow-crm/contracts';
import {
  applyConditions,
  applyOrder,
  generationsTable,
  insertNew,
  KeptTotals,
  newId,
  updateLoaded,
} from '@flow-crm/db';
import { ConflictError, normalizeTags, Page, pageWindow } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { DealsService } from '../deals/deals.service';
import { CustomerReplicas } from '../replicas/customer-replicas';
import { UserReplicas } from '../replicas/user-replicas';
import {
  type AssignLeadDto,
  type BulkAssignDto,
  type ConvertLeadDto,
  type CreateLeadDto,
  type LeadStatusDto,
  type UpdateLeadDto,
} from './dto/lead.dto';
import { type ListLeadsQuery } from './dto/list-leads.query';
import { nextLeadNumber } from './lead-number';
import { criteriaConditions, type LeadCriteria, type LeadSort, sortTerms } from './lead-query';
import { Lead } from './lead.entity';
import { newLead, WRITABLE_LEAD_FIELDS } from './new-lead';
import { type LeadResponse, leadSnapshot, toLeadResponse } from './lead.mapper';

export interface Conversion {
  lead: LeadResponse;
  contactId: string;
  customerId: string | null;
  dealId: string | null;
}

/** Leads: numbered per organization, qualified, assigned, converted. Every change has its event. */
@Injectable()
export class LeadsService {
  private readonly totals = new KeptTotals(generationsTable('leads'));

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly users: UserReplicas,
    private readonly customers: CustomerReplicas,
    private readonly deals: DealsService,
  ) {}

  async list(principal: Principal, query: ListLeadsQuery): Promise<Page<LeadResponse>> {
    const [leads, total] = await this.totals.readPage(
      this.query(principal, query),
      principal.organizationId,
      pageWindow(query),
    );
    return Page.of(leads.map(toLeadResponse), total, query);
  }

  /** The first leads a search finds, in the list's default order: the page alone, without its total. */
  async search(principal: Principal, search: string, limit: number): Promise<LeadResponse[]> {
    const leads = await this.query(principal, { search }).limit(limit).getMany();
    return leads.map(toLeadResponse);
  }

  /** The leads a list query selects, scoped to the caller, in the list's order (the export streams it). */
  query(principal: Principal, criteria: LeadCriteria & { sort?: LeadSort }) {
    const builder = this.dataSource.getRepository(Lead).createQueryBuilder('lead');
    applyConditions(builder, criteriaConditions(criteria));
    return applyOrder(scopeQuery(builder, 'lead', principal), sortTerms(criteria.sort));
  }

  /** How many of the caller's leads are in each status, every status included. */
  async stats(principal: Principal): Promise<{ total: number; byStatus: Record<LeadStatus, number> }> {
    const rows: { status: LeadStatus; count: string }[] = await scopeQuery(
      this.dataSource.getRepository(Lead).createQueryBuilder('lead'),
      'lead',
      principal,
    )
      .select('lead.status', 'status')
      .addSelect('count(*)', 'count')
      .groupBy('lead.status')
      .getRawMany();
    const byStatus = Object.fromEntries(LEAD_STATUSES.map((status) => [status, 0])) as Record<
      LeadStatus,
      number
    >;
    for (const row of rows) byStatus[row.status] = Number(row.count);
    return { total: Object.values(byStatus).reduce((sum, n) => sum + n, 0), byStatus };
  }

  async create(principal: Principal, dto: CreateLeadDto): Promise<LeadResponse> {
    return this.dataSource.transaction(async (manager) => {
      const lead = await this.insert(manager, principal, dto);
      return toLeadResponse(lead);
    });
  }

  private async insert(manager: EntityManager, principal: Principal, dto: CreateLeadDto): Promise<Lead> {
    const lead = newLead(
      principal.organizationId,
      await this.users.ownerFor(manager, principal, dto.ownerId),
      await nextLeadNumber(manager, principal.organizationId),
      dto,
    );
    const saved = await insertNew(manager, Lead, lead);
    await this.outbox.publish(
      manager,
      LeadCreated,
      aggregateEvent(saved, principal.userId, leadSnapshot(saved)),
    );
    return saved;
  }

  async get(principal: Principal, id: string): Promise<LeadResponse> {
    return toLeadResponse(await findVisibleOrFail(this.dataSource.manager, Lead, principal, id, 'Lead'));
  }

  async update(principal: Principal, id: string, dto: UpdateLeadDto): Promise<LeadResponse> {
    return this.dataSource.transaction(async (manager) => {
      const lead = await this.locked(manager, principal, id);
      if (dto.name !== undefined) lead.name = dto.name;
      if (dto.score !== undefined) lead.score = dto.score;
      if (dto.tags !== undefined) lead.tags = normalizeTags(dto.tags);
      for (const field of WRITABLE_LEAD_FIELDS)
        if (dto[field] !== undefined)
          (lead as unknown as Record<string, unknown>)[field] = dto[field] ?? null;
      const previousOwner = lead.ownerId;
      if (dto.ownerId !== undefined && isManagerial(principal))
        lead.ownerId = await this.users.ownerFor(manager, principal, dto.ownerId);
      const saved = await updateLoaded(manager, Lead, lead);
      await this.outbox.publish(
        manager,
        LeadUpdated,
        aggregateEvent(saved, principal.userId, leadSnapshot(saved)),
      );
      if (saved.ownerId !== previousOwner)
        await this.outbox.publish(
          manager,
          LeadAssigned,
          aggregateEvent(saved, principal.userId, { ...leadSnapshot(saved), previousOwnerId: previousOwner }),
        );
      return toLeadResponse(saved);
    });
  }

  async changeStatus(principal: Principal, id: string, dto: LeadStatusDto): Promise<LeadResponse> {
    return this.dataSource.transaction(async (manager) => {
      const lead = await this.locked(manager, principal, id);
      if (lead.status === 'converted') throw new ConflictError('The lead is converted');
      const fromStatus = lead.status;
      if (fromStatus === dto.status) return toLeadResponse(lead);
      lead.status = dto.status;
      const saved = await updateLoaded(manager, Lead, lead);
      await this.outbox.publish(
        manager,
        LeadStatusChanged,
        aggregateEvent(saved, principal.userId, {
          ...leadSnapshot(saved),
          fromStatus,
          toStatus: saved.status,
        }),
      );
      return toLeadResponse(saved);
    });
  }

  async assign(principal: Principal, id: string, dto: AssignLeadDto): Promise<LeadResponse> {
    return this.dataSource.transaction(async (manager) => {
      await this.users.assertActiveMember(manager, principal.organizationId, dto.ownerId);
      const lead = await this.locked(manager, principal, id);
      await this.reassign(manager, principal, [lead], dto.ownerId);
      return toLeadResponse(lead);
    });
  }

  /** Assigns every listed lead of the organization; ids of other organizations are skipped. */
  async bulkAssign(principal: Principal, dto: BulkAssignDto): Promise<{ updated: number }> {
    return this.dataSource.transaction(async (manager) => {
      await this.users.assertActiveMember(manager, principal.organizationId, dto.ownerId);
      const leads = await manager.find(Lead, {
        where: {
          id: In([...new Set(dto.leadIds.map((id) => id.toLowerCase()))]),
          organizationId: principal.organizationId,
        },
        order: { id: 'ASC' },
        lock: { mode: 'pessimistic_write' },
      });
      await this.reassign(manager, principal, leads, dto.ownerId);
      return { updated: leads.length };
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const lead = await this.locked(manager, principal, id);
      lead.deletedAt = new Date();
      const saved = await updateLoaded(manager, Lead, lead);
      await this.outbox.publish(
        manager,
        LeadDeleted,
        aggregateEvent(saved, principal.userId, leadSnapshot(saved)),
      );
    });
  }

  /**
   * The conversion saga's first step, in one transaction: the ids of the contact, the customer
   * (when the lead names a company) and the deal are chosen here; the lead is marked converted,
   * the deal created pointing at the coming contact, and `pipeline.lead.converted` recorded. The
   * caller has every id at once; contacts creates the contact and the customer from the event.
   */
  async convert(principal: Principal, id: string, dto: ConvertLeadDto): Promise<Conversion> {
    return this.dataSource.transaction(async (manager) => {
      const lead = await this.locked(manager, principal, id);
      if (lead.status === 'converted') throw new ConflictError('The lead is already converted');
      const contactId = newId();
      // The account of that name when contacts has one (as contacts will pick it), else a new one.
      const customerId = lead.company
        ? ((await this.customers.idByName(manager, lead.organizationId, lead.company)) ?? newId())
        : null;
      const deal =
        dto.createDeal === false
          ? null
          : await this.deals.openForConvertedLead(manager, principal, {
              title: dto.dealTitle ?? (lead.company ? `${lead.company} — ${lead.name}` : lead.name),
              value: dto.dealValue ?? lead.estimatedValue ?? 0,
              pipelineId: dto.pipelineId,
              ownerId: lead.ownerId,
              contact: { id: contactId, name: lead.name },
              customerId,
              company: lead.company,
            });
      const fromStatus = lead.status;
      Object.assign(lead, {
        status: 'converted',
        convertedAt: new Date(),
        convertedContactId: contactId,
        convertedCustomerId: customerId,
        convertedDealId: deal?.id ?? null,
      });
      const saved = await updateLoaded(manager, Lead, lead);
      await this.outbox.publish(
        manager,
        LeadStatusChanged,
        aggregateEvent(saved, principal.userId, {
          ...leadSnapshot(saved),
          fromStatus,
          toStatus: saved.status,
        }),
      );
      await this.outbox.publish(
        manager,
        LeadConverted,
        aggregateEvent(saved, principal.userId, {
          leadId: saved.id,
          organizationId: saved.organizationId,
          ownerId: saved.ownerId,
          contact: {
            id: contactId,
            name: saved.name,
            email: saved.email,
            phone: saved.phone,
            company: saved.company,
            title: saved.title,
          },
          customer: customerId ? { id: customerId, name: saved.company! } : null,
          dealId: deal?.id ?? null,
        }),
      );
      return { lead: toLeadResponse(saved), contactId, customerId, dealId: deal?.id ?? null };
    });
  }

  private locked(manager: EntityManager, principal: Principal, id: string): Promise<Lead> {
    return findVisibleOrFail(manager, Lead, principal, id, 'Lead', { lock: true });
  }

  /**
   * Gives locked leads to `ownerId` in one statement, with a `pipeline.lead.assigned` event for each
   * lead whose owner changes; the leads are updated in place.
   */
  private async reassign(
    manager: EntityManager,
    principal: Principal,
    leads: Lead[],
    ownerId: string,
  ): Promise<void> {
    const moving = leads.filter((lead) => lead.ownerId !== ownerId);
    if (moving.length === 0) return;
    const result = await manager
      .createQueryBuilder()
      .update(Lead)
      .set({ ownerId, version: () => 'version + 1', updatedAt: () => 'now()' })
      .whereInIds(moving.map((lead) => lead.id))
      .returning('id, version, updated_at')
      .execute();
    const written = new Map(
      (result.raw as { id: string; version: number; updated_at: Date }[]).map((row) => [row.id, row]),
    );
    const events = moving.map((lead) => {
      const previousOwnerId = lead.ownerId;
      const row = written.get(lead.id)!;
      Object.assign(lead, { ownerId, version: row.version, updatedAt: row.updated_at });
      return aggregateEvent(lead, principal.userId, { ...leadSnapshot(lead), previousOwnerId });
    });
    await this.outbox.publishMany(manager, LeadAssigned, events);
  }
}
