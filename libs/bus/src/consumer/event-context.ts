import { type EventEnvelope } from '@flow-crm/contracts';
import { BaseRpcContext } from '@nestjs/microservices';
import { type EntityManager } from 'typeorm';

/**
 * What an event handler gets besides the event (`@Ctx() ctx: EventContext`): the transaction in
 * which the event was recorded in the inbox. Every effect of the handler, including events it
 * publishes through the outbox, must go through `ctx.manager` so that it commits together with
 * the inbox row: a redelivered event then finds its id recorded and has no second effect.
 */
export class EventContext extends BaseRpcContext<[EventEnvelope, EntityManager]> {
  get event(): EventEnvelope {
    return this.args[0];
  }

  get manager(): EntityManager {
    return this.args[1];
  }
}
