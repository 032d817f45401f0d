import { DEFAULT_BUS_OPTIONS, Topology } from './bus.options';

describe('Topology', () => {
  const topology = new Topology({ service: 'contacts', prefix: 't.ab12.', retryDelaysMs: [1_000, 5_000] });

  it('names the shared exchanges with the prefix only', () => {
    expect(topology.exchange).toBe('t.ab12.crm.events');
    expect(topology.deadLetterExchange).toBe('t.ab12.crm.dead-letters');
  });

  it("names the service's queue, dead-letter queue and one retry queue per delay", () => {
    expect(topology.queue).toBe('t.ab12.contacts.events');
    expect(topology.deadLetterQueue).toBe('t.ab12.contacts.events.dead');
    expect(topology.retryQueues).toEqual([
      { name: 't.ab12.contacts.events.retry.1000ms', delayMs: 1_000 },
      { name: 't.ab12.contacts.events.retry.5000ms', delayMs: 5_000 },
    ]);
    expect(topology.retryQueue(30_000)).toBe('t.ab12.contacts.events.retry.30000ms');
  });

  it('uses the bare names of ARCHITECTURE.md without a prefix', () => {
    const production = new Topology({
      service: 'pipeline',
      prefix: DEFAULT_BUS_OPTIONS.prefix,
      retryDelaysMs: [],
    });
    expect(production.exchange).toBe('crm.events');
    expect(production.queue).toBe('pipeline.events');
    expect(production.deadLetterQueue).toBe('pipeline.events.dead');
    expect(production.retryQueues).toEqual([]);
  });

  it('keeps the services of one prefix apart and the runs of one service apart', () => {
    const other = new Topology({ service: 'pipeline', prefix: 't.ab12.', retryDelaysMs: [1_000] });
    const otherRun = new Topology({ service: 'contacts', prefix: 't.cd34.', retryDelaysMs: [1_000] });
    expect(other.exchange).toBe(topology.exchange);
    expect(other.queue).not.toBe(topology.queue);
    expect(otherRun.exchange).not.toBe(topology.exchange);
    expect(otherRun.retryQueue(1_000)).not.toBe(topology.retryQueue(1_000));
  });
});
