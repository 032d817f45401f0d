import { type EventContext } from '@flow-crm/bus';
import {
  DealCreated,
  DealDeleted,
  type DealSnapshot,
  DealStageChanged,
  DealUpdated,
  type EventData,
  type EventEnvelope,
  type LeadConversion,
  LeadConverted,
  PipelineReplicasRequested,
} from '@flow-crm/contracts';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DealTotals } from '../deals/deal-totals';
import { LeadConversions } from './lead-conversions';
import { ReplicaRequests } from './replica-requests';

/** What contacts does with pipeline's events; each runs in the transaction of its inbox row. */
@Controller()
export class PipelineEventsController {
  constructor(
    private readonly totals: DealTotals,
    private readonly conversions: LeadConversions,
    private readonly replicaRequests: ReplicaRequests,
  ) {}

  @EventPattern(DealCreated.type)
  async dealCreated(@Payload() event: EventEnvelope<DealSnapshot>, @Ctx() ctx: EventContext): Promise<void> {
    await this.totals.apply(ctx.manager, event.data, event.aggregateVersion, false);
  }

  @EventPattern(DealUpdated.type)
  async dealUpdated(@Payload() event: EventEnvelope<DealSnapshot>, @Ctx() ctx: EventContext): Promise<void> {
    await this.totals.apply(ctx.manager, event.data, event.aggregateVersion, false);
  }

  @EventPattern(DealStageChanged.type)
  async dealStageChanged(
    @Payload() event: EventEnvelope<DealSnapshot>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.totals.apply(ctx.manager, event.data, event.aggregateVersion, false);
  }

  @EventPattern(DealDeleted.type)
  async dealDeleted(@Payload() event: EventEnvelope<DealSnapshot>, @Ctx() ctx: EventContext): Promise<void> {
    await this.totals.apply(ctx.manager, event.data, event.aggregateVersion, true);
  }

  @EventPattern(LeadConverted.type)
  async leadConverted(
    @Payload() event: EventEnvelope<LeadConversion>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.conversions.apply(ctx.manager, event);
  }

  @EventPattern(PipelineReplicasRequested.type)
  async replicasRequested(
    @Payload() event: EventEnvelope<EventData<typeof PipelineReplicasRequested>>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.replicaRequests.answer(ctx.manager, event);
  }
}
