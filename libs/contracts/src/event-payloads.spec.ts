import { randomUUID } from 'node:crypto';
import { eventRegistry } from './index';
import { DealCreated, DealStageChanged, LeadConverted } from './pipeline.events';
import { ContactDeleted, ContactMerged, TagDeleted, TagRenamed } from './contacts.events';

const deal = () => ({
  id: randomUUID(),
  organizationId: randomUUID(),
  ownerId: randomUUID(),
  title: 'Renewal',
  contactId: randomUUID(),
  customerId: null,
  company: 'Acme',
  value: 12500.5,
  currency: 'EUR',
  pipelineId: randomUUID(),
  stage: 'proposal',
  probability: 50,
  isWon: false,
  isLost: false,
});

const contact = () => ({
  id: randomUUID(),
  organizationId: randomUUID(),
  ownerId: randomUUID(),
  name: 'Ada',
  email: 'ada@example.com',
  company: null,
  customerId: null,
});

describe('pipeline and contacts event payloads', () => {
  it('are all in the registry, so consumers can parse them', () => {
    for (const type of [
      'pipeline.deal.created',
      'pipeline.deal.updated',
      'pipeline.deal.stage_changed',
      'pipeline.deal.deleted',
      'pipeline.deal.activity_logged',
      'pipeline.lead.created',
      'pipeline.lead.updated',
      'pipeline.lead.assigned',
      'pipeline.lead.status_changed',
      'pipeline.lead.deleted',
      'pipeline.lead.converted',
      'contacts.contact.created',
      'contacts.contact.updated',
      'contacts.contact.deleted',
      'contacts.contact.merged',
      'contacts.customer.created',
      'contacts.customer.updated',
      'contacts.customer.deleted',
      'contacts.communication.logged',
      'contacts.tag.deleted',
    ]) {
      expect(eventRegistry.has(type, 1)).toBe(true);
    }
  });

  it('accept a deal snapshot with money in cents and refuse a negative or sub-cent value', () => {
    expect(() => eventRegistry.validateData(DealCreated.type, 1, deal())).not.toThrow();
    expect(() => eventRegistry.validateData(DealCreated.type, 1, { ...deal(), value: -1 })).toThrow();
    expect(() => eventRegistry.validateData(DealCreated.type, 1, { ...deal(), value: 10.001 })).toThrow();
    expect(() => eventRegistry.validateData(DealCreated.type, 1, { ...deal(), currency: 'EURO' })).toThrow();
  });

  it('require both stages on a stage change', () => {
    expect(() => eventRegistry.validateData(DealStageChanged.type, 1, deal())).toThrow();
    expect(() =>
      eventRegistry.validateData(DealStageChanged.type, 1, {
        ...deal(),
        fromStage: 'proposal',
        toStage: 'closed_won',
      }),
    ).not.toThrow();
  });

  it('carry every id a lead conversion creates; the customer and the deal are optional', () => {
    const conversion = {
      leadId: randomUUID(),
      organizationId: randomUUID(),
      ownerId: randomUUID(),
      contact: { id: randomUUID(), name: 'Lin', email: null, phone: null, company: 'Initech', title: null },
      customer: { id: randomUUID(), name: 'Initech' },
      dealId: randomUUID(),
    };
    expect(() => eventRegistry.validateData(LeadConverted.type, 1, conversion)).not.toThrow();
    expect(() =>
      eventRegistry.validateData(LeadConverted.type, 1, { ...conversion, customer: null, dealId: null }),
    ).not.toThrow();
    expect(() =>
      eventRegistry.validateData(LeadConverted.type, 1, {
        ...conversion,
        contact: { ...conversion.contact, name: '' },
      }),
    ).toThrow();
  });

  it('keep the last snapshot of a deleted contact and the target of a merge', () => {
    expect(() => eventRegistry.validateData(ContactDeleted.type, 1, contact())).not.toThrow();
    const target = contact();
    expect(() =>
      eventRegistry.validateData(ContactMerged.type, 1, {
        organizationId: target.organizationId,
        targetId: target.id,
        sourceId: randomUUID(),
        target,
      }),
    ).not.toThrow();
    expect(() =>
      eventRegistry.validateData(TagDeleted.type, 1, { id: randomUUID(), organizationId: randomUUID() }),
    ).toThrow();
    const renamed = { id: randomUUID(), organizationId: randomUUID(), previousName: 'vip', name: 'VIP' };
    expect(() => eventRegistry.validateData(TagRenamed.type, 1, renamed)).not.toThrow();
    expect(() =>
      eventRegistry.validateData(TagRenamed.type, 1, { ...renamed, previousName: undefined }),
    ).toThrow();
  });
});
