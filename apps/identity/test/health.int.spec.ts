import { TestRun } from '@flow-crm/testing';
import { type RunningIdentity, startIdentity } from './identity-app';

describe('identity health and operations endpoints', () => {
  let run: TestRun;
  let identity: RunningIdentity;

  beforeAll(async () => {
    run = await TestRun.create();
    identity = await startIdentity(run);
  });

  afterAll(async () => {
    await identity?.close();
    await run?.cleanup();
  });

  it('reports ready once its database and broker answer', async () => {
    const res = await fetch(`${identity.url}/health/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { details: unknown };
    expect(body.details).toMatchObject({ database: { status: 'up' }, broker: { status: 'up' } });
  });

  it('serves Prometheus metrics without a token', async () => {
    const res = await fetch(`${identity.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('http_request_duration_seconds');
    expect(text).toContain('outbox_backlog');
  });

  it('serves its OpenAPI document for the gateway to merge', async () => {
    const res = await fetch(`${identity.url}/docs-json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toContain('/api/auth/login');
  });

  it('echoes a caller X-Request-Id and generates one otherwise', async () => {
    const echoed = await fetch(`${identity.url}/health/live`, { headers: { 'x-request-id': 'abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    const generated = await fetch(`${identity.url}/health/live`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
