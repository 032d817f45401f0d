import { aggregateEvent, type EventContext, Outbox } from '@flow-crm/bus';
import {
  type EventData,
  type EventEnvelope,
  PipelineReplicasRequested,
  UserRepublished,
} from '@flow-crm/contracts';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { User } from '../users/user.entity';
import { toUserSnapshot } from '../users/user.mapper';

type ReplicasRequest = EventEnvelope<EventData<typeof PipelineReplicasRequested>>;

/**
 * Another service met an organization older than its database: identity sends the
 * organization's users again (inactive ones too, so that the replica knows they cannot be
 * assigned), in the transaction of the request's inbox row.
 */
@Controller()
export class ReplicaRequestsController {
  constructor(private readonly outbox: Outbox) {}

  @EventPattern(PipelineReplicasRequested.type)
  async replicasRequested(@Payload() event: ReplicasRequest, @Ctx() ctx: EventContext): Promise<void> {
    const { organizationId, aggregates } = event.data;
    if (!aggregates.includes('identity.user')) return;
    const users = await ctx.manager.find(User, { where: { organizationId }, order: { id: 'ASC' } });
    await this.outbox.publishMany(
      ctx.manager,
      UserRepublished,
      users.map((user) => aggregateEvent(user, null, toUserSnapshot(user))),
    );
  }
}
