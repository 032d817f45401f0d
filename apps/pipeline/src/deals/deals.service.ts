import { findVisibleOrFail, isManagerial, type Principal, scopeQuery } from '@flow-crm/auth';
import { aggregateEvent, Outbox } from '@flow-crm/bus';
import {
  DealActivityLogged,
  DealCreated,
  DealDeleted,
  DealStageChanged,
  DealUpdated,
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
import { normalizeTags, Page, pageWindow, ValidationError } from '@flow-crm/http';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type Pipeline } from '../pipelines/pipeline.entity';
import { PipelinesService } from '../pipelines/pipelines.service';
import { ContactReplicas } from '../replicas/contact-replicas';
import { UserReplicas } from '../replicas/user-replicas';
import { DealActivity } from './deal-activity.entity';
import { criteriaConditions, type DealCriteria, sortTerms } from './deal-query';
import { type DealInsight, dealInsights, type DealSignals, dealSignals } from './deal-signals';
import { Deal } from './deal.entity';
import {
  type ActivityResponse,
  type DealResponse,
  dealSnapshot,
  type StageChangeResponse,
  toActivityResponse,
  toDealResponse,
  toStageChangeResponse,
} from './deal.mapper';
import { type ActivityDto, type CreateDealDto, type UpdateDealDto, type MoveDealDto } from './dto/deal.dto';
import { type ListDealsQuery } from './dto/list-deals.query';
import {
  type DealSums,
  type Forecast,
  forecast,
  stageStatistics,
  type StageStatistics,
  utcMonth,
} from './forecast';
import { StageChange } from './stage-change.entity';
import { enterStage } from './stage-rules';

const RECENT_ACTIVITIES = 50;
/** A board column shows the most valuable deals; the list pages through the rest of a stage. */
const BOARD_DEALS_PER_STAGE = 20;

export interface DealDetail extends DealResponse {
  activities: ActivityResponse[];
  stageHistory: StageChangeResponse[];
  insights: DealInsight[];
  signals: DealSignals;
}

export interface Board {
  pipelineId: string;
  stages: {
    key: string;
    name: string;
    probability: number;
    count: number;
    totalValue: number;
    deals: DealResponse[];
  }[];
}

/** What a new deal holds unless told otherwise, and its new id. */
function newDealDefaults() {
  return {
    id: newId(),
    currency: 'USD',
    confidence: 'medium' as const,
    priority: 'medium' as const,
    contactId: null,
    contactName: null,
    customerId: null,
    company: null,
    expectedCloseDate: null,
    description: null,
    competitorMentioned: null,
    lastActivityAt: null,
    tags: [] as string[],
  };
}

/** Deals: every change commits with its event (outbox). */
@Injectable()
export class DealsService {
  /** Totals of deal lists, kept per generation (the triggers of the deals table keep it). */
  private readonly totals = new KeptTotals(generationsTable('deals'));

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly pipelines: PipelinesService,
    private readonly contacts: ContactReplicas,
    private readonly users: UserReplicas,
  ) {}

  async list(principal: Principal, query: ListDealsQuery): Promise<Page<DealResponse>> {
    const builder = this.query(principal, query);
    const [deals, total] = await this.totals.readPage(builder, principal.organizationId, pageWindow(query));
    return Page.of(deals.map(toDealResponse), total, query);
  }

  /** The first deals a search finds, in the list's default order: the page alone, without its total. */
  async search(principal: Principal, search: string, limit: number): Promise<DealResponse[]> {
    const deals = await this.query(principal, { search }).limit(limit).getMany();
    return deals.map(toDealResponse);
  }

  /** The deals a list query selects, scoped to the caller, in the list's order. */
  query(principal: Principal, criteria: DealCriteria & { sort?: ListDealsQuery['sort'] }) {
    const builder = this.dataSource.getRepository(Deal).createQueryBuilder('deal');
    applyConditions(builder, criteriaConditions(criteria, new Date()));
    return applyOrder(scopeQuery(builder, 'deal', principal), sortTerms(criteria.sort));
  }

  async create(principal: Principal, dto: CreateDealDto): Promise<DealResponse> {
    return this.dataSource.transaction(async (manager) => {
      const pipeline = await this.pipelines.forDeal(manager, principal.organizationId, dto.pipelineId);
      const stage = stageOf(pipeline, dto.stage ?? pipeline.stages[0]!.key);
      const defaults = newDealDefaults();
      const deal = manager.create(Deal, {
        ...defaults,
        organizationId: principal.organizationId,
        ownerId: await this.users.ownerFor(manager, principal, dto.ownerId),
        pipelineId: pipeline.id,
        title: dto.title,
        value: dto.value ?? 0,
        currency: dto.currency ?? defaults.currency,
        confidence: dto.confidence ?? defaults.confidence,
        priority: dto.priority ?? defaults.priority,
        customerId: dto.customerId ?? null,
        company: dto.company ?? null,
        expectedCloseDate: dto.expectedCloseDate ?? null,
        description: dto.description ?? null,
        competitorMentioned: dto.competitorMentioned ?? null,
        tags: normalizeTags(dto.tags ?? []),
        ...enterStage(stage, dto, null),
      });
      if (dto.contactId) await this.linkContact(manager, deal, dto.contactId, dto);
      return toDealResponse(await this.open(manager, principal, deal));
    });
  }

  /**
   * The deal of a converted lead, in the conversion's transaction: its contact does not exist yet
   * (contacts creates it from the conversion event), so it is linked by the ids the saga chose.
   */
  async openForConvertedLead(
    manager: EntityManager,
    principal: Principal,
    deal: {
      title: string;
      value: number;
      pipelineId?: string;
      ownerId: string;
      contact: { id: string; name: string };
      customerId: string | null;
      company: string | null;
    },
  ): Promise<Deal> {
    const pipeline = await this.pipelines.forDeal(manager, principal.organizationId, deal.pipelineId);
    const created = manager.create(Deal, {
      ...newDealDefaults(),
      organizationId: principal.organizationId,
      ownerId: deal.ownerId,
      pipelineId: pipeline.id,
      title: deal.title,
      value: deal.value,
      contactId: deal.contact.id,
      contactName: deal.contact.name,
      customerId: deal.customerId,
      company: deal.company,
      ...enterStage(pipeline.stages[0]!, {}, null),
    });
    return this.open(manager, principal, created);
  }

  async get(principal: Principal, id: string): Promise<DealDetail> {
    const manager = this.dataSource.manager;
    const deal = await findVisibleOrFail(manager, Deal, principal, id, 'Deal');
    const [activities, history] = await Promise.all([
      manager.find(DealActivity, {
        where: { dealId: deal.id },
        order: { occurredAt: 'DESC', id: 'DESC' },
        take: RECENT_ACTIVITIES,
      }),
      manager.find(StageChange, { where: { dealId: deal.id }, order: { changedAt: 'ASC', id: 'ASC' } }),
    ]);
    const now = new Date();
    return {
      ...toDealResponse(deal),
      activities: activities.map(toActivityResponse),
      stageHistory: history.map(toStageChangeResponse),
      insights: dealInsights(deal, now),
      signals: dealSignals(deal, now),
    };
  }

  /** A partial update; a new stage or pipeline moves the deal as PATCH /stage does. */
  async update(principal: Principal, id: string, dto: UpdateDealDto): Promise<DealResponse> {
    return this.dataSource.transaction(async (manager) => {
      const deal = await findVisibleOrFail(manager, Deal, principal, id, 'Deal', { lock: true });
      const from = { pipelineId: deal.pipelineId, stage: deal.stage };
      const pipelineChanged =
        dto.pipelineId !== undefined && dto.pipelineId !== null && dto.pipelineId !== deal.pipelineId;
      const stageFields =
        dto.closedDate !== undefined || dto.lossReason !== undefined || dto.probability !== undefined;
      // Only a change of stage, pipeline or close needs the stages (and their lock).
      if (pipelineChanged || dto.stage !== undefined || stageFields) {
        const pipeline = await this.pipelines.forDeal(
          manager,
          principal.organizationId,
          pipelineChanged ? dto.pipelineId! : deal.pipelineId,
        );
        const stageKey = dto.stage ?? (pipelineChanged ? pipeline.stages[0]!.key : deal.stage);
        const moved = stageKey !== deal.stage || pipelineChanged;
        if (moved || stageFields) {
          const stage = stageOf(pipeline, stageKey);
          Object.assign(
            deal,
            enterStage(
              stage,
              { ...dto, probability: dto.probability ?? (moved ? undefined : deal.probability) },
              deal.status === 'open' ? null : deal,
            ),
          );
          deal.pipelineId = pipeline.id;
        }
      }
      if (dto.ownerId !== undefined && isManagerial(principal))
        deal.ownerId = await this.users.ownerFor(manager, principal, dto.ownerId);
      for (const field of ['title', 'value', 'currency', 'confidence', 'priority'] as const)
        if (dto[field] !== undefined) (deal as unknown as Record<string, unknown>)[field] = dto[field];
      for (const field of [
        'customerId',
        'company',
        'expectedCloseDate',
        'description',
        'competitorMentioned',
      ] as const)
        if (dto[field] !== undefined) deal[field] = dto[field] ?? null;
      if (dto.tags !== undefined) deal.tags = normalizeTags(dto.tags);
      if (dto.contactId !== undefined && dto.contactId !== deal.contactId) {
        if (dto.contactId === null) {
          deal.contactId = null;
          deal.contactName = null;
        } else await this.linkContact(manager, deal, dto.contactId, dto);
      }
      const saved = await updateLoaded(manager, Deal, deal);
      await this.published(manager, saved, from, principal);
      return toDealResponse(saved);
    });
  }

  async move(principal: Principal, id: string, dto: MoveDealDto): Promise<DealResponse> {
    return this.dataSource.transaction(async (manager) => {
      const deal = await findVisibleOrFail(manager, Deal, principal, id, 'Deal', { lock: true });
      const pipeline = await this.pipelines.forDeal(manager, principal.organizationId, deal.pipelineId);
      const from = { pipelineId: deal.pipelineId, stage: deal.stage };
      Object.assign(
        deal,
        enterStage(stageOf(pipeline, dto.stage), dto, deal.status === 'open' ? null : deal),
      );
      const saved = await updateLoaded(manager, Deal, deal);
      await this.published(manager, saved, from, principal);
      return toDealResponse(saved);
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const deal = await findVisibleOrFail(manager, Deal, principal, id, 'Deal', { lock: true });
      deal.deletedAt = new Date();
      const saved = await updateLoaded(manager, Deal, deal);
      await this.outbox.publish(
        manager,
        DealDeleted,
        aggregateEvent(saved, principal.userId, dealSnapshot(saved)),
      );
    });
  }

  async logActivity(principal: Principal, id: string, dto: ActivityDto): Promise<ActivityResponse> {
    return this.dataSource.transaction(async (manager) => {
      const deal = await findVisibleOrFail(manager, Deal, principal, id, 'Deal', { lock: true });
      const occurredAt = dto.occurredAt ? new Date(dto.occurredAt) : new Date();
      if (Number.isNaN(occurredAt.getTime()))
        throw ValidationError.of('occurredAt', 'occurredAt must be a date-time');
      const activity = await insertNew(
        manager,
        DealActivity,
        manager.create(DealActivity, {
          id: newId(),
          organizationId: deal.organizationId,
          dealId: deal.id,
          userId: principal.userId,
          type: dto.type,
          occurredAt,
          description: dto.description,
          outcome: dto.outcome ?? null,
          nextStep: dto.nextStep ?? null,
        }),
      );
      // The latest activity, whatever order they are logged in.
      if (!deal.lastActivityAt || deal.lastActivityAt < occurredAt) {
        deal.lastActivityAt = occurredAt;
        await updateLoaded(manager, Deal, deal);
      }
      await this.outbox.publish(manager, DealActivityLogged, {
        ...aggregateEvent(deal, principal.userId, null),
        data: {
          id: activity.id,
          dealId: deal.id,
          organizationId: deal.organizationId,
          userId: principal.userId,
          contactId: deal.contactId,
          type: activity.type,
          occurredAt: activity.occurredAt.toISOString(),
          description: activity.description,
          outcome: activity.outcome,
          nextStep: activity.nextStep,
        },
      });
      return toActivityResponse(activity);
    });
  }

  /**
   * Over the caller's open deals (a sales user's own). Aggregates over thousands of deals are kept
   * until the organization's deals change (KeptTotals.kept), as the board and stage statistics.
   */
  async forecast(principal: Principal): Promise<Forecast> {
    const now = new Date();
    return this.totals.kept(
      this.dataSource.manager,
      principal.organizationId,
      ['forecast', scopeOf(principal), utcMonth(now)],
      async () =>
        forecast(
          await this.sums(principal, "to_char(deal.expected_close_date, 'YYYY-MM')", "deal.status = 'open'"),
          now,
        ),
    );
  }

  async stageStats(principal: Principal, pipelineId?: string): Promise<StageStatistics[]> {
    return this.stageStatsOf(principal, await this.pipelineFor(principal, pipelineId));
  }

  private stageStatsOf(principal: Principal, pipeline: Pipeline): Promise<StageStatistics[]> {
    return this.totals.kept(
      this.dataSource.manager,
      principal.organizationId,
      ['stage-stats', pipeline.id, pipeline.version, scopeOf(principal)],
      async () =>
        stageStatistics(
          pipeline.stages,
          await this.sums(principal, 'deal.stage', 'deal.pipeline_id = :pipelineId', {
            pipelineId: pipeline.id,
          }),
        ),
    );
  }

  /** The pipeline's stages with their deals (the most valuable first, at most 20 per stage). */
  async board(principal: Principal, pipelineId?: string): Promise<Board> {
    const pipeline = await this.pipelineFor(principal, pipelineId);
    return this.totals.kept(
      this.dataSource.manager,
      principal.organizationId,
      ['board', pipeline.id, pipeline.version, scopeOf(principal)],
      () => this.boardOf(principal, pipeline),
    );
  }

  private async boardOf(principal: Principal, pipeline: Pipeline): Promise<Board> {
    const stats = await this.stageStatsOf(principal, pipeline);
    const deals = await Promise.all(
      pipeline.stages.map((stage) =>
        this.query(principal, { pipelineId: pipeline.id, stage: stage.key, sort: '-value' })
          .take(BOARD_DEALS_PER_STAGE)
          .getMany(),
      ),
    );
    return {
      pipelineId: pipeline.id,
      stages: pipeline.stages.map((stage, index) => ({
        key: stage.key,
        name: stage.name,
        probability: stage.probability,
        count: stats[index]!.count,
        totalValue: stats[index]!.totalValue,
        deals: deals[index]!.map(toDealResponse),
      })),
    };
  }

  /** A merged contact's deals point at the contact it was merged into (events tell the others). */
  async moveContactDeals(
    manager: EntityManager,
    organizationId: string,
    sourceId: string,
    target: { id: string; name: string },
  ): Promise<void> {
    const deals = await manager.find(Deal, {
      where: { organizationId, contactId: sourceId },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
      withDeleted: true,
    });
    for (const deal of deals) {
      deal.contactId = target.id;
      deal.contactName = target.name;
      const saved = await updateLoaded(manager, Deal, deal);
      if (!saved.deletedAt)
        await this.outbox.publish(manager, DealUpdated, aggregateEvent(saved, null, dealSnapshot(saved)));
    }
  }

  private async sums(
    principal: Principal,
    key: string,
    condition: string,
    params: Record<string, unknown> = {},
  ): Promise<DealSums[]> {
    const rows: { key: string | null; count: string; value: string; weighted: string }[] = await scopeQuery(
      this.dataSource.getRepository(Deal).createQueryBuilder('deal').where(condition, params),
      'deal',
      principal,
    )
      .select(key, 'key')
      .addSelect('count(*)', 'count')
      .addSelect('coalesce(sum(deal.value), 0)', 'value')
      .addSelect('coalesce(sum(deal.value * deal.probability / 100.0), 0)', 'weighted')
      .groupBy(key)
      .getRawMany();
    return rows.map((row) => ({
      key: row.key,
      count: Number(row.count),
      value: Number(row.value),
      weightedValue: Number(row.weighted),
    }));
  }

  private async pipelineFor(principal: Principal, pipelineId?: string): Promise<Pipeline> {
    return pipelineId ? this.pipelines.get(principal, pipelineId) : this.pipelines.getDefault(principal);
  }

  private async linkContact(
    manager: EntityManager,
    deal: Deal,
    contactId: string,
    dto: { customerId?: string | null; company?: string | null },
  ): Promise<void> {
    const contact = await this.contacts.live(manager, deal.organizationId, contactId);
    if (!contact) throw ValidationError.of('contactId', 'no such contact in this organization');
    deal.contactId = contact.id;
    deal.contactName = contact.name;
    if (dto.customerId === undefined && !deal.customerId) deal.customerId = contact.customerId;
    if (dto.company === undefined && !deal.company) deal.company = contact.company;
  }

  /** A new deal: inserted with its first stage history row and its event. */
  private async open(manager: EntityManager, principal: Principal, deal: Deal): Promise<Deal> {
    const saved = await insertNew(manager, Deal, deal);
    await this.recordStageChange(manager, saved, null, principal);
    await this.outbox.publish(
      manager,
      DealCreated,
      aggregateEvent(saved, principal.userId, dealSnapshot(saved)),
    );
    return saved;
  }

  private async recordStageChange(
    manager: EntityManager,
    deal: Deal,
    fromStage: string | null,
    principal: Principal,
  ): Promise<void> {
    await manager.insert(StageChange, {
      id: newId(),
      organizationId: deal.organizationId,
      dealId: deal.id,
      fromStage,
      toStage: deal.stage,
      changedAt: deal.updatedAt,
      changedBy: principal.userId,
    });
  }

  /** `stage_changed` (with a history entry) when the deal moved, else `updated`. */
  private async published(
    manager: EntityManager,
    deal: Deal,
    from: { pipelineId: string; stage: string },
    principal: Principal,
  ): Promise<void> {
    const fromStage = from.stage;
    if (deal.stage === from.stage && deal.pipelineId === from.pipelineId) {
      await this.outbox.publish(
        manager,
        DealUpdated,
        aggregateEvent(deal, principal.userId, dealSnapshot(deal)),
      );
      return;
    }
    await this.recordStageChange(manager, deal, fromStage, principal);
    await this.outbox.publish(
      manager,
      DealStageChanged,
      aggregateEvent(deal, principal.userId, { ...dealSnapshot(deal), fromStage, toStage: deal.stage }),
    );
  }
}

/** Whose deals an aggregate covers: the organization's, or a sales user's own. */
function scopeOf(principal: Principal): string {
  return isManagerial(principal) ? 'organization' : `owner:${principal.userId}`;
}

function stageOf(pipeline: Pipeline, key: string) {
  const stage = pipeline.stage(key);
  if (!stage)
    throw ValidationError.of('stage', `stage must be one of ${pipeline.stages.map((s) => s.key).join(', ')}`);
  return stage;
}
