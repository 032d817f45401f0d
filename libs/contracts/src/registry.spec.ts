import { z } from 'zod';
import { defineEvent, EventRegistry, InvalidEventError, UnknownEventError } from './registry';

const DealCreated = defineEvent(
  'test.deal.created',
  1,
  z.object({ title: z.string().min(1), amount: z.number() }),
);
const DealCreatedV2 = defineEvent(
  'test.deal.created',
  2,
  z.object({
    title: z.string().min(1),
    amount: z.object({ value: z.number(), currency: z.string().length(3) }),
  }),
);
const DealClosed = defineEvent('test.deal.closed', 1, z.object({ won: z.boolean() }));

const registry = new EventRegistry([DealCreated, DealCreatedV2, DealClosed]);

function envelope(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b',
    type: 'test.deal.created',
    version: 1,
    occurredAt: '2024-11-21T10:15:00.000Z',
    source: 'pipeline',
    organizationId: '5b1e4c0e-8f5a-4d8e-9a53-0b6f2c7d1e90',
    actorId: null,
    correlationId: 'req-7f3a',
    causationId: null,
    aggregateId: '0c9d3e2a-4b5c-4d6e-8f70-a1b2c3d4e5f6',
    aggregateVersion: 3,
    data: { title: 'Renewal', amount: 1200.5 },
    ...overrides,
  };
}

describe('EventRegistry', () => {
  describe('validateData', () => {
    it('accepts data that matches the schema of the version and returns it parsed', () => {
      expect(
        registry.validateData('test.deal.created', 1, { title: 'Renewal', amount: 10, extra: true }),
      ).toEqual({
        title: 'Renewal',
        amount: 10,
      });
      expect(
        registry.validateData('test.deal.created', 2, {
          title: 'Renewal',
          amount: { value: 10, currency: 'EUR' },
        }),
      ).toEqual({ title: 'Renewal', amount: { value: 10, currency: 'EUR' } });
    });

    it('refuses a version it does not know', () => {
      expect(() => registry.validateData('test.deal.created', 3, { title: 'x', amount: 1 })).toThrow(
        UnknownEventError,
      );
      expect(() => registry.validateData('test.deal.created', 3, { title: 'x', amount: 1 })).toThrow(
        'unknown event test.deal.created v3',
      );
    });

    it('refuses a type it does not know', () => {
      expect(() => registry.validateData('test.deal.reopened', 1, {})).toThrow(UnknownEventError);
    });

    it('refuses data that does not match, naming the fields at fault', () => {
      let error: unknown;
      try {
        registry.validateData('test.deal.created', 1, { title: '', amount: 'lots' });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(InvalidEventError);
      expect((error as InvalidEventError).type).toBe('test.deal.created');
      expect((error as InvalidEventError).issues).toHaveLength(2);
      expect((error as InvalidEventError).issues.join('\n')).toMatch(/^title: /m);
      expect((error as InvalidEventError).issues.join('\n')).toMatch(/^amount: /m);
    });

    it('validates against the schema of the version given, not another one', () => {
      expect(() => registry.validateData('test.deal.created', 2, { title: 'Renewal', amount: 10 })).toThrow(
        InvalidEventError,
      );
    });
  });

  describe('parse', () => {
    it('accepts a valid envelope and returns it with its data parsed', () => {
      const parsed = registry.parse(envelope({ data: { title: 'Renewal', amount: 1200.5, ignored: 1 } }));
      expect(parsed).toEqual(envelope());
    });

    it('accepts every version it knows of a type', () => {
      const v2 = envelope({ version: 2, data: { title: 'Renewal', amount: { value: 1, currency: 'USD' } } });
      expect(registry.parse(v2).version).toBe(2);
    });

    it('refuses an envelope of an unknown version', () => {
      expect(() => registry.parse(envelope({ version: 7 }))).toThrow(UnknownEventError);
    });

    it('refuses an envelope whose data does not match its version', () => {
      expect(() => registry.parse(envelope({ data: { title: 'Renewal' } }))).toThrow(InvalidEventError);
    });

    it.each([
      ['a missing id', { id: undefined }],
      ['an id that is not a uuid', { id: '42' }],
      ['a type that is not <service>.<aggregate>.<verb>', { type: 'DealCreated' }],
      ['a version of 0', { version: 0 }],
      ['a fractional version', { version: 1.5 }],
      ['an occurredAt that is not ISO 8601', { occurredAt: 'yesterday' }],
      ['an empty source', { source: '' }],
      ['an organizationId that is not a uuid', { organizationId: 'acme' }],
      ['an actorId that is not a uuid', { actorId: 'bob' }],
      ['a missing correlationId', { correlationId: undefined }],
      ['a negative aggregateVersion', { aggregateVersion: -1 }],
      ['an aggregateId that is not a uuid', { aggregateId: 'deal-1' }],
    ])('refuses an envelope with %s', (_what, overrides) => {
      expect(() => registry.parse(envelope(overrides))).toThrow(InvalidEventError);
    });

    it('names the type of an invalid envelope when it has one', () => {
      expect(() => registry.parse(envelope({ id: 'nope' }))).toThrow(
        /^invalid event test\.deal\.created: id: /,
      );
    });

    it('refuses what is not an envelope at all', () => {
      expect(() => registry.parse(null)).toThrow(InvalidEventError);
      expect(() => registry.parse('test.deal.created')).toThrow(/^invalid event \?: /);
      expect(() => registry.parse([envelope()])).toThrow(InvalidEventError);
    });

    it('accepts occurredAt with a UTC offset and a null causation', () => {
      expect(() =>
        registry.parse(envelope({ occurredAt: '2024-11-21T11:15:00+01:00', causationId: null })),
      ).not.toThrow();
    });
  });

  it('refuses to be built with the same type and version twice', () => {
    expect(
      () => new EventRegistry([DealCreated, DealClosed, defineEvent('test.deal.created', 1, z.object({}))]),
    ).toThrow('event test.deal.created@1 is defined twice');
  });

  it('knows each (type, version) it was built with and lists each type once', () => {
    expect(registry.has('test.deal.created', 1)).toBe(true);
    expect(registry.has('test.deal.created', 2)).toBe(true);
    expect(registry.has('test.deal.closed', 2)).toBe(false);
    expect(registry.types()).toEqual(['test.deal.created', 'test.deal.closed']);
  });
});
