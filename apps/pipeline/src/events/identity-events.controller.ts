import { type EventContext } from '@flow-crm/bus';
import {
  type EventEnvelope,
  type EventData,
  OrganizationCreated,
  UserCreated,
  UserDeactivated,
  UserRepublished,
  type UserSnapshot,
  UserUpdated,
} from '@flow-crm/contracts';
import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Organizations } from '../organizations/organizations';
import { UserReplicas } from '../replicas/user-replicas';

/** What pipeline does with identity's events; each runs in the transaction of its inbox row. */
@Controller()
export class IdentityEventsController {
  constructor(
    private readonly organizations: Organizations,
    private readonly users: UserReplicas,
  ) {}

  @EventPattern(OrganizationCreated.type)
  async organizationCreated(
    @Payload() event: EventEnvelope<EventData<typeof OrganizationCreated>>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.organizations.announced(ctx.manager, event.data.id);
  }

  @EventPattern(UserCreated.type)
  async userCreated(@Payload() event: EventEnvelope<UserSnapshot>, @Ctx() ctx: EventContext): Promise<void> {
    await this.users.apply(ctx.manager, event.data, event.aggregateVersion);
  }

  @EventPattern(UserUpdated.type)
  async userUpdated(@Payload() event: EventEnvelope<UserSnapshot>, @Ctx() ctx: EventContext): Promise<void> {
    await this.users.apply(ctx.manager, event.data, event.aggregateVersion);
  }

  @EventPattern(UserDeactivated.type)
  async userDeactivated(
    @Payload() event: EventEnvelope<UserSnapshot>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.users.apply(ctx.manager, event.data, event.aggregateVersion);
  }

  @EventPattern(UserRepublished.type)
  async userRepublished(
    @Payload() event: EventEnvelope<UserSnapshot>,
    @Ctx() ctx: EventContext,
  ): Promise<void> {
    await this.users.apply(ctx.manager, event.data, event.aggregateVersion);
  }
}
