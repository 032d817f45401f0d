import { expectOk } from '@flow-crm/testing';
import { useContacts } from './contacts-app';

describe('contacts harness', () => {
  const app = useContacts();

  it('serves a contact to its creator', async () => {
    const admin = app.user('admin');
    const contact = await admin.createContact({ name: 'Smoke Test' });
    const got = expectOk(await admin.call('GET', `/api/contacts/${contact.id}`));
    expect(got.name).toBe('Smoke Test');
    await app.events.waitFor((e) => e.type === 'contacts.contact.created' && e.aggregateId === contact.id);
  });
});
