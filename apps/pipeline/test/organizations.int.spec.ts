import {
  ContactRepublished,
  type ContactSnapshot,
  ContactUpdated,
  CustomerRepublished,
  type EventEnvelope,
  OrganizationCreated,
  UserRepublished,
} from '@flow-crm/contracts';
import { envelope, eventually, expectError, expectOk } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type PipelineCaller, usePipeline, word } from './pipeline-app';

// pipeline meeting organizations: one identity announced streams its records in events; one met
// first in a request is older than pipeline's database, and its users, contacts and customers
// are asked for again and arrive as `*.republished` snapshots.
describe('organizations pipeline meets', () => {
  const app = usePipeline();

  const requestsFor = (organizationId: string) =>
    app.events.matching(
      (e) => e.type === 'pipeline.replicas.requested' && e.organizationId === organizationId,
    );

  /** A fresh organization's first request publishes its request: once it arrived, so had every earlier one. */
  async function barrier(): Promise<void> {
    const other = app.user('admin');
    expectOk(await other.call('GET', '/api/pipelines'));
    await app.events.waitFor(
      (e) => e.type === 'pipeline.replicas.requested' && e.organizationId === other.organizationId,
    );
  }

  const snapshotEvent = <T extends { id: string; organizationId: string }>(
    type: string,
    data: T,
    version: number,
  ) =>
    envelope(type, data, {
      organizationId: data.organizationId,
      aggregateId: data.id,
      aggregateVersion: version,
    });

  function contact(caller: PipelineCaller, name: string): ContactSnapshot {
    return {
      id: randomUUID(),
      organizationId: caller.organizationId,
      ownerId: caller.userId,
      name,
      email: null,
      company: null,
      customerId: null,
    };
  }

  async function publish(...events: EventEnvelope[]): Promise<void> {
    for (const event of events) await app.inject.publish(event);
  }

  describe('met first in a request', () => {
    it('gets the default pipeline and asks once for the users, contacts and customers', async () => {
      const admin = app.user('admin');
      const [pipeline] = expectOk(await admin.call('GET', '/api/pipelines'));
      expect(pipeline).toMatchObject({ isDefault: true, name: 'Sales pipeline' });

      const [request] = await app.events.waitFor(
        (e) => e.type === 'pipeline.replicas.requested' && e.organizationId === admin.organizationId,
      );
      expect(request).toMatchObject({
        source: 'pipeline',
        aggregateId: admin.organizationId,
        actorId: null,
        data: {
          organizationId: admin.organizationId,
          aggregates: ['identity.user', 'contacts.contact', 'contacts.customer'],
        },
      });
      expectOk(await admin.call('GET', '/api/deals'));
      await barrier();
      expect(requestsFor(admin.organizationId)).toHaveLength(1);
    });

    it('asks once however many of its first requests arrive together', async () => {
      const admin = app.user('admin');
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          i % 2
            ? admin.call('GET', '/api/deals')
            : admin.call('POST', '/api/deals', { body: { title: 'T', value: 1 } }),
        ),
      );
      for (const answer of answers) expect(answer.status).toBeLessThan(300);
      await barrier();
      expect(requestsFor(admin.organizationId)).toHaveLength(1);
      const { rows } = await app.db.query(
        'SELECT count(*)::int AS n FROM pipelines WHERE organization_id = $1 AND is_default',
        [admin.organizationId],
      );
      expect(rows[0].n).toBe(1);
    });

    it('asks for those that had a default pipeline before pipeline kept track of organizations', async () => {
      const admin = app.user('admin');
      // As the database held it before the organizations table: a default pipeline, nothing else.
      await app.db.query(
        `INSERT INTO pipelines (id, organization_id, name, is_default, stages, version)
         SELECT $1, $2, name, true, stages, 1 FROM pipelines WHERE is_default LIMIT 1`,
        [randomUUID(), admin.organizationId],
      );
      const pipelines = expectOk(await admin.call('GET', '/api/pipelines'));
      expect(pipelines).toHaveLength(1);
      await app.events.waitFor(
        (e) => e.type === 'pipeline.replicas.requested' && e.organizationId === admin.organizationId,
      );
    });
  });

  describe('announced by identity', () => {
    it('gets the default pipeline and asks for nothing: its events come anyway', async () => {
      const organizationId = randomUUID();
      await publish(
        envelope(
          OrganizationCreated.type,
          { id: organizationId, name: `Org ${word()}`, createdAt: new Date().toISOString() },
          { organizationId, aggregateId: organizationId },
        ),
      );
      await eventually(async () => {
        const { rows } = await app.db.query(
          'SELECT name FROM pipelines WHERE organization_id = $1 AND is_default',
          [organizationId],
        );
        expect(rows).toEqual([{ name: 'Sales pipeline' }]);
      });
      const admin = app.user('admin', organizationId);
      expect(expectOk(await admin.call('GET', '/api/pipelines'))).toHaveLength(1);
      await barrier();
      expect(requestsFor(organizationId)).toEqual([]);
    });
  });

  describe('republished snapshots', () => {
    it('make a user identity sent again assignable', async () => {
      const admin = app.user('admin');
      const sales = admin.colleague('sales');
      const lead = await admin.createLead();
      const assign = () =>
        admin.call('PATCH', `/api/leads/${lead.id}/assign`, { body: { ownerId: sales.userId } });
      expectError(await assign(), 422);
      await publish(
        snapshotEvent(
          UserRepublished.type,
          {
            id: sales.userId,
            organizationId: admin.organizationId,
            email: `${word()}@example.com`,
            name: 'Sam Sales',
            role: 'sales',
            isActive: true,
            avatarUrl: null,
          },
          4,
        ),
      );
      expect(await eventually(async () => expectOk(await assign()))).toMatchObject({ ownerId: sales.userId });
    });

    it('make a contact contacts sent again linkable, named on its deals', async () => {
      const admin = app.user('admin');
      const known = contact(admin, `Ada ${word()}`);
      expectError(
        await admin.call('POST', '/api/deals', { body: { title: 'D', value: 1, contactId: known.id } }),
        422,
      );
      await publish(snapshotEvent(ContactRepublished.type, known, 3));
      const deal = await eventually(async () =>
        expectOk(
          await admin.call('POST', '/api/deals', { body: { title: 'D', value: 1, contactId: known.id } }),
          201,
        ),
      );
      expect(deal.contactName).toBe(known.name);
    });

    it('never take a replica back to an older version', async () => {
      const admin = app.user('admin');
      const renamed = contact(admin, `New ${word()}`);
      await publish(snapshotEvent(ContactUpdated.type, renamed, 5));
      const deal = await eventually(async () =>
        expectOk(
          await admin.call('POST', '/api/deals', { body: { title: 'D', value: 1, contactId: renamed.id } }),
          201,
        ),
      );
      // Sent before the rename was committed, delivered after it.
      await publish(snapshotEvent(ContactRepublished.type, { ...renamed, name: 'Old name' }, 4));
      await barrier();
      await eventually(async () => {
        const { rows } = await app.db.query('SELECT aggregate_version FROM contact_replicas WHERE id = $1', [
          renamed.id,
        ]);
        expect(rows[0].aggregate_version).toBe(5);
      });
      expect(expectOk(await admin.call('GET', `/api/deals/${deal.id}`)).contactName).toBe(renamed.name);
    });

    it('give a converted lead the existing account of its company', async () => {
      const admin = app.user('admin');
      const customer = {
        id: randomUUID(),
        organizationId: admin.organizationId,
        ownerId: admin.userId,
        name: `Initech ${word()}`,
        type: 'customer' as const,
        industry: null,
        parentId: null,
      };
      await publish(snapshotEvent(CustomerRepublished.type, customer, 2));
      await eventually(async () => {
        const { rows } = await app.db.query('SELECT name FROM customer_replicas WHERE id = $1', [
          customer.id,
        ]);
        expect(rows).toEqual([{ name: customer.name }]);
      });
      const lead = await admin.createLead({ company: customer.name });
      const out = expectOk(await admin.call('POST', `/api/leads/${lead.id}/convert`, { body: {} }));
      expect(out.customerId).toBe(customer.id);
    });
  });
});
