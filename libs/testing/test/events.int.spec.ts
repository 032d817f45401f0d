import { type ChannelModel, connect } from 'amqplib';
import { EventCapture, envelope, EventInjector, TestRun } from '../src';

/** Whether the broker has the exchange; checkExchange closes the channel on a 404, hence one per check. */
async function exchangeExists(broker: ChannelModel, name: string): Promise<boolean> {
  const channel = await broker.createChannel();
  channel.on('error', () => undefined);
  try {
    await channel.checkExchange(name);
    await channel.close();
    return true;
  } catch {
    return false;
  }
}

describe('EventInjector and EventCapture', () => {
  it("deliver an envelope through the run's exchange as the outbox relay would, and leave nothing behind", async () => {
    const run = await TestRun.create();
    const broker = await connect(run.infra.rabbitmqUrl);
    let capture: EventCapture | undefined;
    let injector: EventInjector | undefined;
    try {
      capture = await EventCapture.start(run, 'contacts.#');
      injector = await EventInjector.start(run);
      expect(injector.exchange).toBe(`${run.prefix}crm.events`);

      const unbound = envelope('pipeline.deal.created', { id: 'd-1' });
      const event = envelope('contacts.contact.created', { id: 'c-1', name: 'Ann' });
      await injector.publish(unbound);
      await injector.publish(event);

      const [received] = await capture.waitFor((e) => e.id === event.id);
      expect(received).toEqual(event);
      expect(capture.messageIds.get(event.id)).toBe(event.id);
      expect(capture.routingKeys.get(event.id)).toBe('contacts.contact.created');
      expect(capture.byRequest(event.correlationId)).toEqual([event]);
      // Published before `event` on the same channel, so it would have arrived first had it matched.
      expect(capture.matching((e) => e.id === unbound.id)).toEqual([]);
    } finally {
      await capture?.close();
      await injector?.close();
      await run.cleanup();
    }
    try {
      expect(await exchangeExists(broker, `${run.prefix}crm.events`)).toBe(false);
    } finally {
      await broker.close();
    }
  });
});
