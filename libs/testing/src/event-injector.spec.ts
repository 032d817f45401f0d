import { eventEnvelopeSchema } from '@flow-crm/contracts';
import { envelope } from './event-injector';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('envelope()', () => {
  it('builds an envelope the contracts accept as it is', () => {
    const event = envelope('contacts.contact.created', { id: 'c-1', tags: ['a'] });
    expect(eventEnvelopeSchema.parse(event)).toEqual(event);
  });

  it('fills every field with a fresh, plausible value', () => {
    const before = Date.now();
    const event = envelope('pipeline.deal.stage_changed', null);
    expect(event).toEqual({
      id: expect.stringMatching(UUID),
      type: 'pipeline.deal.stage_changed',
      version: 1,
      occurredAt: expect.any(String),
      source: 'pipeline',
      organizationId: expect.stringMatching(UUID),
      actorId: expect.stringMatching(UUID),
      correlationId: expect.any(String),
      causationId: null,
      aggregateId: expect.stringMatching(UUID),
      aggregateVersion: 1,
      data: null,
    });
    expect(Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(event.occurredAt)).toBeLessThanOrEqual(Date.now());
  });

  it('gives every envelope ids of its own', () => {
    const [a, b] = [envelope('identity.user.created', {}), envelope('identity.user.created', {})];
    for (const field of ['id', 'organizationId', 'actorId', 'correlationId', 'aggregateId'] as const) {
      expect(a[field]).not.toBe(b[field]);
    }
  });

  it('takes any field from the overrides, and stays valid', () => {
    const overrides = {
      id: '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b',
      version: 2,
      occurredAt: '2024-11-21T10:15:00Z',
      source: 'acceptance',
      organizationId: '5b1e4c0e-8f5a-4d8e-9a53-0b6f2c7d1e90',
      actorId: null,
      correlationId: 'req-7f3a',
      causationId: '0190a1b2-c3d4-7e5f-8a6b-000000000000',
      aggregateId: '0c9d3e2a-4b5c-4d6e-8f70-a1b2c3d4e5f6',
      aggregateVersion: 7,
    };
    const event = envelope('identity.team.deleted', { id: 'x' }, overrides);
    expect(event).toEqual({ ...overrides, type: 'identity.team.deleted', data: { id: 'x' } });
    expect(eventEnvelopeSchema.safeParse(event).success).toBe(true);
  });

  it('lets the schema catch a type that breaks the naming rule', () => {
    expect(eventEnvelopeSchema.safeParse(envelope('NotAnEvent', {})).success).toBe(false);
  });
});
