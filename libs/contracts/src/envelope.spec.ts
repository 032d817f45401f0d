import { eventEnvelopeSchema } from './envelope';
import { eventRegistry, identityEvents } from './index';

const valid = {
  id: '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b',
  type: 'pipeline.deal.stage_changed',
  version: 1,
  occurredAt: '2024-11-21T10:15:00Z',
  source: 'pipeline',
  organizationId: '5b1e4c0e-8f5a-4d8e-9a53-0b6f2c7d1e90',
  actorId: '7d2f8a1c-3b4e-4f5a-9c6d-e7f8a9b0c1d2',
  correlationId: 'req-7f3a',
  causationId: '0190a1b2-c3d4-7e5f-8a6b-000000000000',
  aggregateId: '0c9d3e2a-4b5c-4d6e-8f70-a1b2c3d4e5f6',
  aggregateVersion: 0,
  data: { anything: ['goes', 1] },
};

describe('eventEnvelopeSchema', () => {
  it('accepts an envelope with every field of ARCHITECTURE.md', () => {
    expect(eventEnvelopeSchema.parse(valid)).toEqual(valid);
  });

  it('leaves the data to the schema of the event', () => {
    expect(eventEnvelopeSchema.safeParse({ ...valid, data: null }).success).toBe(true);
  });

  it('drops fields it does not know, so that adding an optional field stays compatible', () => {
    expect(eventEnvelopeSchema.parse({ ...valid, traceparent: '00-abc' })).not.toHaveProperty('traceparent');
  });

  it.each([
    ['pipeline.deal.stage_changed', true],
    ['identity.password_reset.requested', true],
    ['pipeline.deal', false],
    ['pipeline.deal.stage.changed', false],
    ['Pipeline.deal.created', false],
    ['pipeline.deal.created2', false],
    ['pipeline-x.deal.created', false],
  ])('judges the type %s valid: %s', (type, ok) => {
    expect(eventEnvelopeSchema.safeParse({ ...valid, type }).success).toBe(ok);
  });

  it.each([
    'id',
    'type',
    'version',
    'occurredAt',
    'source',
    'organizationId',
    'correlationId',
    'aggregateId',
    'aggregateVersion',
  ])('requires %s', (field) => {
    const { [field]: _dropped, ...rest } = valid as Record<string, unknown>;
    expect(eventEnvelopeSchema.safeParse(rest).success).toBe(false);
  });

  it('requires actorId and causationId to be present, null when there is none', () => {
    const { actorId: _actor, ...withoutActor } = valid;
    const { causationId: _cause, ...withoutCause } = valid;
    expect(eventEnvelopeSchema.safeParse(withoutActor).success).toBe(false);
    expect(eventEnvelopeSchema.safeParse(withoutCause).success).toBe(false);
    expect(eventEnvelopeSchema.safeParse({ ...valid, actorId: null, causationId: null }).success).toBe(true);
  });
});

describe('eventRegistry', () => {
  it('holds every identity event under a name of the form <service>.<aggregate>.<verb>', () => {
    for (const definition of identityEvents) {
      expect(eventRegistry.has(definition.type, definition.version)).toBe(true);
      expect(eventEnvelopeSchema.shape.type.safeParse(definition.type).success).toBe(true);
    }
  });
});
