// The first cross-service flows, end to end: identity, contacts, pipeline and the gateway as their
// own processes on this run's databases and bus prefix, driven through the gateway only.
import {
  eventually,
  expectOk,
  freePort,
  httpCall,
  type HttpAnswer,
  launchApp,
  type LaunchedApp,
  strongPassword,
  TestRun,
  uniqueEmail,
} from '@flow-crm/testing';
import { connect } from 'amqplib';
import { Client } from 'pg';
import { type Json, word } from './pipeline-app';

const PATIENCE = 15_000;

describe('the pipeline and contacts through the gateway', () => {
  let run: TestRun;
  let identity: LaunchedApp;
  let contacts: LaunchedApp;
  let pipeline: LaunchedApp;
  let gateway: LaunchedApp;
  let contactsPort: number;
  let pipelinePort: number;
  let token: string;

  const serviceEnv = (app: string): Record<string, string> => ({
    DATABASE_URL: run.infra.postgresUrl,
    DATABASE_NAME: run.database(app),
    RABBITMQ_URL: run.infra.rabbitmqUrl,
    BUS_PREFIX: run.prefix,
    BUS_RETRY_DELAYS_MS: '200,400',
    OUTBOX_POLL_MS: '100',
    LOG_LEVEL: 'error',
    // identity reads its own keys; the others verify against its JWKS.
    ...(identity ? { JWKS_URL: `${identity.url}/api/auth/jwks.json` } : {}),
  });
  const startContacts = () => launchApp({ app: 'contacts', port: contactsPort, env: serviceEnv('contacts') });
  const startPipeline = () => launchApp({ app: 'pipeline', port: pipelinePort, env: serviceEnv('pipeline') });
  const api = (method: string, path: string, body?: unknown, as = token): Promise<HttpAnswer> =>
    httpCall(gateway.url, method, path, { token: as, ...(body !== undefined ? { body } : {}) });
  const register = async (name: string): Promise<string> =>
    expectOk(
      await httpCall(gateway.url, 'POST', '/api/auth/register', {
        body: {
          email: uniqueEmail('flow'),
          password: strongPassword(),
          name,
          organizationName: `${name} Org`,
        },
      }),
      201,
    ).token;

  beforeAll(async () => {
    run = await TestRun.create();
    for (const app of ['identity', 'contacts', 'pipeline']) run.trackService(app, [200, 400]);
    identity = await launchApp({
      app: 'identity',
      env: { ...serviceEnv('identity'), ARGON2_MEMORY_KIB: '8192' },
    });
    contactsPort = await freePort();
    contacts = await startContacts();
    pipelinePort = await freePort();
    pipeline = await startPipeline();
    gateway = await launchApp({
      app: 'gateway',
      env: {
        LOG_LEVEL: 'error',
        JWKS_URL: `${identity.url}/api/auth/jwks.json`,
        IDENTITY_URLS: identity.url,
        CONTACTS_URLS: contacts.url,
        PIPELINE_URLS: pipeline.url,
        UPSTREAM_TIMEOUT_MS: '2000',
      },
    });
    token = await register('Flow Admin');
  }, 120_000);

  afterAll(async () => {
    for (const app of [gateway, pipeline, contacts, identity]) await app?.stop();
    await run?.cleanup();
  });

  it('lead → convert → contact in contacts → deal named after it → closed_lost updates the contact totals', async () => {
    const w = word();
    const lead = expectOk(
      await api('POST', '/api/leads', {
        name: `Flow ${w}`,
        email: `flow-${w}@example.com`,
        company: `Flow Co ${w}`,
      }),
      201,
    );
    const out = expectOk(
      await api('POST', `/api/leads/${lead.id}/convert`, {
        createDeal: true,
        dealTitle: `Flow deal ${w}`,
        dealValue: 4200,
      }),
    );
    const contact: Json = await eventually(
      async () => expectOk(await api('GET', `/api/contacts/${out.contactId}`)),
      PATIENCE,
    );
    expect(contact).toMatchObject({
      name: `Flow ${w}`,
      email: `flow-${w}@example.com`,
      customerId: out.customerId,
    });
    expect(expectOk(await api('GET', `/api/customers/${out.customerId}`)).name).toBe(`Flow Co ${w}`);
    const deal = expectOk(await api('GET', `/api/deals/${out.dealId}`));
    expect(deal).toMatchObject({ contactId: out.contactId, contactName: `Flow ${w}`, value: 4200 });
    await eventually(async () => {
      expect(expectOk(await api('GET', `/api/contacts/${out.contactId}`))).toMatchObject({
        totalDealsCount: 1,
        totalDealsValue: 4200,
      });
    }, PATIENCE);

    // A rename in contacts reaches the deal; a lost deal leaves the contact's totals.
    expectOk(await api('PATCH', `/api/contacts/${out.contactId}`, { name: `Flow Renamed ${w}` }));
    await eventually(async () => {
      expect(expectOk(await api('GET', `/api/deals/${out.dealId}`)).contactName).toBe(`Flow Renamed ${w}`);
    }, PATIENCE);
    expectOk(
      await api('PATCH', `/api/deals/${out.dealId}/stage`, { stage: 'closed_lost', lossReason: 'Budget' }),
    );
    await eventually(async () => {
      expect(expectOk(await api('GET', `/api/contacts/${out.contactId}`))).toMatchObject({
        totalDealsCount: 0,
        totalDealsValue: 0,
      });
    }, PATIENCE);
  });

  it('converts while contacts is down, reports it degraded, and loses nothing once it is back', async () => {
    const w = word();
    const lead = expectOk(
      await api('POST', '/api/leads', { name: `Offline ${w}`, company: `Offline Co ${w}` }),
      201,
    );
    await contacts.stop();
    try {
      const out = expectOk(await api('POST', `/api/leads/${lead.id}/convert`, { createDeal: true }));
      expect(expectOk(await api('GET', `/api/deals/${out.dealId}`)).contactId).toBe(out.contactId);

      const search = await api('GET', `/api/search?q=${w}`);
      expect(search.status).toBe(200);
      expect(search.body.meta.degraded).toEqual(['contacts']);
      expect(search.body.data.contacts).toEqual([]);
      expect(search.body.data.customers).toEqual([]);
      expect(search.body.data.leads.map((found: Json) => found.id)).toEqual([lead.id]);
      expect(search.body.data.deals.map((found: Json) => found.id)).toEqual([out.dealId]);

      const summary = await api('GET', '/api/dashboard/summary');
      expect(summary.status).toBe(200);
      expect(summary.body.meta.degraded).toEqual(['contacts']);
      expect(summary.body.data.contacts).toBeNull();
      expect(summary.body.data.deals.forecast.totalPipeline).toEqual(expect.any(Number));
      expect(summary.body.data.leads.byStatus.converted).toBeGreaterThanOrEqual(1);

      contacts = await startContacts();
      const contact = await eventually(
        async () => expectOk(await api('GET', `/api/contacts/${out.contactId}`)),
        PATIENCE,
      );
      expect(contact).toMatchObject({ name: `Offline ${w}`, customerId: out.customerId });
      await eventually(async () => {
        const again = await api('GET', `/api/search?q=${w}`);
        expect(again.body.meta.degraded).toEqual([]);
        expect(again.body.data.contacts.map((found: Json) => found.id)).toEqual([out.contactId]);
      }, PATIENCE);
    } finally {
      if (contacts.process.exitCode !== null || contacts.process.signalCode !== null)
        contacts = await startContacts();
    }
  });

  it('fills the replicas of an organization older than pipeline’s database and queue', async () => {
    // pipeline deployed after identity and contacts had data: its database and queue are new, and
    // the organization's events went by before they existed.
    await pipeline.stop();
    await forgetPipeline();
    let admin: string;
    let salesId: string;
    let contact: Json;
    try {
      admin = await register('Early Admin');
      salesId = expectOk(
        await api(
          'POST',
          '/api/users',
          { email: uniqueEmail('early'), name: 'Early Sales', role: 'sales', password: strongPassword() },
          admin,
        ),
        201,
      ).id;
      contact = expectOk(await api('POST', '/api/contacts', { name: `Early ${word()}` }, admin), 201);
    } finally {
      pipeline = await startPipeline();
    }

    // The first request meets the organization; identity and contacts send its records again.
    const lead = expectOk(await api('POST', '/api/leads', { name: `Early lead ${word()}` }, admin), 201);
    const assigned = await eventually(
      async () => expectOk(await api('PATCH', `/api/leads/${lead.id}/assign`, { ownerId: salesId }, admin)),
      PATIENCE,
    );
    expect(assigned.ownerId).toBe(salesId);
    const deal = await eventually(
      async () =>
        expectOk(
          await api('POST', '/api/deals', { title: 'Early deal', value: 10, contactId: contact.id }, admin),
          201,
        ),
      PATIENCE,
    );
    expect(deal.contactName).toBe(contact.name);
  });

  /** Drops pipeline's database and queue, as if it had never run. */
  async function forgetPipeline(): Promise<void> {
    const db = new Client({ connectionString: run.infra.postgresUrl });
    await db.connect();
    try {
      await db.query(`DROP DATABASE "${run.database('pipeline')}" WITH (FORCE)`);
    } finally {
      await db.end();
    }
    const broker = await connect(run.infra.rabbitmqUrl);
    try {
      const channel = await broker.createChannel();
      await channel.deleteQueue(`${run.prefix}pipeline.events`);
    } finally {
      await broker.close();
    }
  }
});
