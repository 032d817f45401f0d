import { CustomerCreated, CustomerDeleted } from '@flow-crm/contracts';
import { envelope, eventually, expectOk } from '@flow-crm/testing';
import { randomUUID } from 'node:crypto';
import { type PipelineCaller, type PipelineFixture, usePipeline, word } from './pipeline-app';

/** A customer as contacts announces it (created, or deleted with a later version). */
async function announceCustomer(
  app: PipelineFixture,
  caller: PipelineCaller,
  name: string,
  options: { id?: string; deleted?: boolean; version?: number } = {},
): Promise<string> {
  const id = options.id ?? randomUUID();
  await app.inject.publish(
    envelope(
      (options.deleted ? CustomerDeleted : CustomerCreated).type,
      {
        id,
        organizationId: caller.organizationId,
        ownerId: caller.userId,
        name,
        type: 'customer',
        industry: null,
        parentId: null,
      },
      { organizationId: caller.organizationId, aggregateId: id, aggregateVersion: options.version ?? 1 },
    ),
  );
  return id;
}

describe('conversion: the account of the lead company', () => {
  const app = usePipeline();
  const replicated = (id: string) =>
    eventually(async () => {
      const { rows } = await app.db.query('SELECT deleted FROM customer_replicas WHERE id = $1', [id]);
      expect(rows).toHaveLength(1);
      return rows[0];
    });

  it('is the existing customer of that name (any case) when contacts has one', async () => {
    const admin = app.user('admin');
    const company = `Acme ${word()}`;
    const existing = await announceCustomer(app, admin, company);
    await replicated(existing);
    const lead = await admin.createLead({ company: company.toUpperCase() });
    const out = expectOk(await admin.call('POST', `/api/leads/${lead.id}/convert`, { body: {} }));
    expect(out.customerId).toBe(existing);
    const [event] = await app.events.waitFor(
      (e) => e.type === 'pipeline.lead.converted' && e.data.leadId === lead.id,
    );
    expect(event!.data.customer).toEqual({ id: existing, name: company.toUpperCase() });
  });

  it("is a new one when the name's customer is deleted or belongs to another organization", async () => {
    const admin = app.user('admin');
    const company = `Gone ${word()}`;
    const deleted = await announceCustomer(app, admin, company);
    await replicated(deleted);
    await announceCustomer(app, admin, company, { id: deleted, deleted: true, version: 2 });
    await eventually(async () => expect((await replicated(deleted)).deleted).toBe(true));
    const elsewhere = await announceCustomer(app, app.user('admin'), `Elsewhere ${word()}`);
    await replicated(elsewhere);

    const lead = await admin.createLead({ company });
    const out = expectOk(await admin.call('POST', `/api/leads/${lead.id}/convert`, { body: {} }));
    expect(out.customerId).not.toBe(deleted);
    expect(out.customerId).not.toBe(elsewhere);
    expect(out.customerId).toEqual(expect.any(String));
  });
});
