import { expectError, expectOk } from '@flow-crm/testing';
import { type Json, usePipeline, word } from './pipeline-app';

describe('deals: the win and loss reasons of an organization', () => {
  const app = usePipeline();

  it('lists the reasons by type, per organization, and refuses a repeat in any case (409)', async () => {
    const admin = app.user('admin');
    const price = `Price too high ${word()}`;
    const created = expectOk(
      await admin.call('POST', '/api/deals/reasons', {
        body: { type: 'lost', reason: price, category: 'Price' },
      }),
      201,
    );
    expect(created).toMatchObject({ type: 'lost', reason: price, category: 'Price' });
    expectOk(
      await admin.call('POST', '/api/deals/reasons', { body: { type: 'won', reason: 'Best fit' } }),
      201,
    );
    expectError(
      await admin.call('POST', '/api/deals/reasons', { body: { type: 'lost', reason: price.toUpperCase() } }),
      409,
    );
    const all: Json[] = expectOk(await admin.call('GET', '/api/deals/reasons'));
    expect(all.map((r) => [r.type, r.reason])).toEqual([
      ['lost', price],
      ['won', 'Best fit'],
    ]);
    const lost: Json[] = expectOk(await admin.call('GET', '/api/deals/reasons?type=lost'));
    expect(lost.map((r) => r.reason)).toEqual([price]);
    expect(expectOk(await app.user('admin').call('GET', '/api/deals/reasons'))).toEqual([]);
  });

  it('lets admins and managers change the list, not sales users; validates the body', async () => {
    const admin = app.user('admin');
    const sales = admin.colleague('sales');
    expectError(
      await sales.call('POST', '/api/deals/reasons', { body: { type: 'lost', reason: 'No' } }),
      403,
    );
    expectError(
      await admin.call('POST', '/api/deals/reasons', { body: { type: 'maybe', reason: 'x' } }),
      422,
    );
    expectError(await admin.call('POST', '/api/deals/reasons', { body: { type: 'lost', reason: ' ' } }), 422);
    const reason = expectOk(
      await admin.call('POST', '/api/deals/reasons', { body: { type: 'lost', reason: 'Timing' } }),
      201,
    );
    expect(expectOk(await sales.call('GET', '/api/deals/reasons'))).toHaveLength(1);
    expectError(await sales.call('DELETE', `/api/deals/reasons/${reason.id}`), 403);
    expectError(await app.user('admin').call('DELETE', `/api/deals/reasons/${reason.id}`), 404);
    expectOk(await admin.call('DELETE', `/api/deals/reasons/${reason.id}`));
    expect(expectOk(await admin.call('GET', '/api/deals/reasons'))).toEqual([]);
  });

  it('keeps the words of a reason on a lost deal when the reason leaves the list', async () => {
    const admin = app.user('admin');
    const reason = expectOk(
      await admin.call('POST', '/api/deals/reasons', {
        body: { type: 'lost', reason: 'Went with a competitor' },
      }),
      201,
    );
    const deal = await admin.createDeal();
    const lost = expectOk(
      await admin.call('PATCH', `/api/deals/${deal.id}/stage`, {
        body: { stage: 'closed_lost', lossReason: reason.reason },
      }),
    );
    expect(lost.lossReason).toBe('Went with a competitor');
    expectOk(await admin.call('DELETE', `/api/deals/reasons/${reason.id}`));
    expect(expectOk(await admin.call('GET', `/api/deals/${deal.id}`)).lossReason).toBe(
      'Went with a competitor',
    );
  });
});
