import { Metrics } from './metrics';

/**
 * The value of the sample of `name` whose labels are exactly `labels`, read from the Prometheus
 * text format (label order does not matter); undefined when there is no such sample.
 */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)\{(.*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const have = match[2]!
      .split(/,(?=\w+=")/)
      .sort()
      .join(',');
    if (have === wanted) return Number(match[3]);
  }
  return undefined;
}

describe('Metrics', () => {
  it('lets two instances with the same service name live side by side', () => {
    expect(() => [new Metrics('a'), new Metrics('a')]).not.toThrow();
  });

  it('keeps the values of each instance in its own registry', async () => {
    const first = new Metrics('a');
    const second = new Metrics('a');
    first.eventsPublished.inc({ type: 'pipeline.deal.created' }, 3);
    second.eventsPublished.inc({ type: 'pipeline.deal.created' });

    const labels = { type: 'pipeline.deal.created', service: 'a' };
    expect(sample(await first.registry.metrics(), 'events_published_total', labels)).toBe(3);
    expect(sample(await second.registry.metrics(), 'events_published_total', labels)).toBe(1);
    expect(first.registry).not.toBe(second.registry);
  });

  it('labels every series with the service', async () => {
    const metrics = new Metrics('contacts');
    metrics.httpDuration.observe({ method: 'GET', route: '/api/contacts', status: '200' }, 0.02);
    const text = await metrics.registry.metrics();
    const labels = { method: 'GET', route: '/api/contacts', status: '200', service: 'contacts' };
    expect(sample(text, 'http_request_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'process_cpu_user_seconds_total', { service: 'contacts' })).toBeGreaterThanOrEqual(0);
  });

  it('exposes the HTTP, event and outbox metrics and the process defaults', async () => {
    const text = await new Metrics('a').registry.metrics();
    for (const name of [
      'http_request_duration_seconds',
      'events_published_total',
      'events_consumed_total',
      'events_failed_total',
      'outbox_backlog',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('reads the outbox backlog from its source at scrape time', async () => {
    const metrics = new Metrics('a');
    let backlog = 4;
    const source = jest.fn(async () => backlog);
    metrics.measureOutboxBacklog(source);
    expect(source).not.toHaveBeenCalled();

    expect(sample(await metrics.registry.metrics(), 'outbox_backlog', { service: 'a' })).toBe(4);
    backlog = 0;
    expect(sample(await metrics.registry.metrics(), 'outbox_backlog', { service: 'a' })).toBe(0);
    expect(source).toHaveBeenCalledTimes(2);
  });

  it('reports the backlog as NaN when its source fails, and the scrape still succeeds', async () => {
    const metrics = new Metrics('a');
    metrics.measureOutboxBacklog(() => Promise.reject(new Error('database down')));
    const text = await metrics.registry.metrics();
    expect(sample(text, 'outbox_backlog', { service: 'a' })).toBeNaN();
    expect(text).toContain('events_published_total');
  });

  it('reports a backlog of 0 until a source is set', async () => {
    expect(sample(await new Metrics('a').registry.metrics(), 'outbox_backlog', { service: 'a' })).toBe(0);
  });

  it('reads the backlog of each instance from its own source', async () => {
    const first = new Metrics('a');
    const second = new Metrics('b');
    first.measureOutboxBacklog(async () => 11);
    second.measureOutboxBacklog(async () => 22);
    expect(sample(await first.registry.metrics(), 'outbox_backlog', { service: 'a' })).toBe(11);
    expect(sample(await second.registry.metrics(), 'outbox_backlog', { service: 'b' })).toBe(22);
  });
});
