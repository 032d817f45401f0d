import { eventually, expectOk } from '@flow-crm/testing';
import { announceContact, usePipeline } from './pipeline-app';

describe('pipeline harness', () => {
  const app = usePipeline();

  it('serves a deal to its creator, in the default pipeline, named after its contact', async () => {
    const admin = app.user('admin');
    const contact = await announceContact(app, admin, { name: 'Smoke Contact' });
    const deal = await eventually(async () =>
      admin.createDeal({ title: 'Smoke Test', contactId: contact.id }),
    );
    const got = expectOk(await admin.call('GET', `/api/deals/${deal.id}`));
    expect(got).toMatchObject({
      title: 'Smoke Test',
      stage: 'prospect',
      probability: 10,
      contactName: 'Smoke Contact',
    });
    await app.events.waitFor((e) => e.type === 'pipeline.deal.created' && e.aggregateId === deal.id);
  });
});
