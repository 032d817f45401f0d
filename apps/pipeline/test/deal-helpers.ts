// What the deals tests share: dates as the API writes them, list calls, pipelines and contacts
// set up through the API and the replicas.
import { eventually, expectOk } from '@flow-crm/testing';
import { announceContact, type Json, type PipelineCaller, type PipelineFixture, word } from './pipeline-app';

export const DAY_MS = 86_400_000;

/** The UTC calendar day `offset` days from now, as the API writes dates. */
export const utcDay = (offset = 0) => new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10);

/** `YYYY-MM` of the UTC month `offset` months from now. */
export const utcMonth = (offset = 0) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
};

export const ids = (deals: Json[]) => deals.map((deal) => deal.id);
export const sorted = (values: string[]) => [...values].sort();

/** GET /api/deals with `query`: the page's deals. */
export const listDeals = async (caller: PipelineCaller, query = ''): Promise<Json[]> =>
  expectOk(await caller.call('GET', `/api/deals${query ? `?${query}` : ''}`));

/** GET /api/deals with `query`: the whole answer, its meta included. */
export const listDealsPage = async (caller: PipelineCaller, query: string) => {
  const res = await caller.call('GET', `/api/deals?${query}`);
  expectOk(res);
  return res.body as {
    data: Json[];
    meta: { total: number; page: number; limit: number; totalPages: number };
  };
};

export const defaultPipeline = async (caller: PipelineCaller): Promise<Json> =>
  expectOk(await caller.call('GET', '/api/pipelines')).find((pipeline: Json) => pipeline.isDefault);

/** A new pipeline of four stages: discovery (20), trial (60), signed (won), dropped (lost). */
export const customPipeline = async (caller: PipelineCaller): Promise<Json> =>
  expectOk(
    await caller.call('POST', '/api/pipelines', {
      body: {
        name: `Custom ${word()}`,
        stages: [
          { key: 'discovery', name: 'Discovery', probability: 20 },
          { key: 'trial', name: 'Trial', probability: 60 },
          { key: 'signed', name: 'Signed', probability: 100, isWon: true },
          { key: 'dropped', name: 'Dropped', probability: 0, isLost: true },
        ],
      },
    }),
    201,
  );

/** A contact announced by contacts, once pipeline's replica holds it. */
export async function knownContact(
  app: PipelineFixture,
  caller: PipelineCaller,
  fields: Parameters<typeof announceContact>[2] = {},
): Promise<{ id: string; name: string }> {
  const contact = await announceContact(app, caller, fields);
  await eventually(async () => {
    const { rows } = await app.db.query('SELECT 1 FROM contact_replicas WHERE id = $1', [contact.id]);
    expect(rows).toHaveLength(1);
  });
  return contact;
}
