import { type MessageProperties } from 'amqplib';
import { ATTEMPT_HEADER, ERROR_HEADER, republished } from './event-consumer';

function properties(overrides: Partial<MessageProperties> = {}): MessageProperties {
  return {
    contentType: 'application/json',
    contentEncoding: undefined,
    headers: {},
    deliveryMode: 2,
    priority: undefined,
    correlationId: undefined,
    replyTo: undefined,
    expiration: undefined,
    messageId: '0190a1b2-0000-7000-8000-000000000001',
    timestamp: 1_732_000_000,
    type: 'pipeline.deal.stage_changed',
    userId: undefined,
    appId: 'pipeline',
    clusterId: undefined,
    ...overrides,
  };
}

describe('republished', () => {
  it('keeps what identifies the event: messageId, type, content type, timestamp and producer', () => {
    const republishedProperties = republished(properties(), {});
    expect(republishedProperties).toMatchObject({
      persistent: true,
      messageId: '0190a1b2-0000-7000-8000-000000000001',
      type: 'pipeline.deal.stage_changed',
      contentType: 'application/json',
      timestamp: 1_732_000_000,
      appId: 'pipeline',
    });
  });

  it("drops the broker's dead-lettering history so that it does not grow with every retry", () => {
    const headers = republished(
      properties({
        headers: {
          'x-death': [
            {
              queue: 'contacts.events.retry.1000ms',
              reason: 'expired',
              count: 1,
              time: { '!': 'timestamp', value: 1_732_000_001 },
              exchange: '',
              'routing-keys': ['contacts.events.retry.1000ms'],
            },
          ],
          'x-first-death-exchange': '',
          'x-first-death-queue': 'contacts.events.retry.1000ms',
          'x-first-death-reason': 'expired',
          'x-last-death-exchange': '',
          'x-last-death-queue': 'contacts.events.retry.1000ms',
          'x-last-death-reason': 'expired',
        },
      }),
      { [ATTEMPT_HEADER]: 2 },
    ).headers;
    expect(headers).toEqual({ [ATTEMPT_HEADER]: 2 });
  });

  it('keeps the other headers and lets the new ones replace those of an earlier try', () => {
    const headers = republished(
      properties({
        headers: { 'x-tenant-hint': 'acme', [ATTEMPT_HEADER]: 2, [ERROR_HEADER]: 'first failure' },
      }),
      { [ATTEMPT_HEADER]: 3, [ERROR_HEADER]: 'second failure' },
    ).headers;
    expect(headers).toEqual({
      'x-tenant-hint': 'acme',
      [ATTEMPT_HEADER]: 3,
      [ERROR_HEADER]: 'second failure',
    });
  });

  it('copes with a message that had no headers at all', () => {
    expect(republished(properties({ headers: undefined }), { [ATTEMPT_HEADER]: 2 }).headers).toEqual({
      [ATTEMPT_HEADER]: 2,
    });
  });

  it("does not carry a per-message expiration, so that only the retry queue's delay applies", () => {
    expect(republished(properties({ expiration: '50' }), {})).not.toHaveProperty('expiration');
  });

  it('leaves the headers of the original message untouched', () => {
    const original = properties({ headers: { 'x-death': [], [ATTEMPT_HEADER]: 1 } });
    republished(original, { [ATTEMPT_HEADER]: 2 });
    expect(original.headers).toEqual({ 'x-death': [], [ATTEMPT_HEADER]: 1 });
  });
});
