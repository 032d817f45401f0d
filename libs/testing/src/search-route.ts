import { expectError, expectOk, fieldsOf } from './contract';
import { type Caller, type Json, type ServiceFixture, type StartedApp } from './service-fixture';

/**
 * The tests every service's part of the gateway's search (`GET /search`) shares, whatever its
 * kinds: its query (every case of which is in libs/http's search-query.spec.ts) used for these
 * `kinds`, refused in the contract's error shape; its place in the service's OpenAPI document; its
 * token. `foreignKind` is a kind another service searches. Registers them in the calling describe.
 */
export function searchRouteContract(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fixture: ServiceFixture<any, Caller, StartedApp>,
  kinds: readonly string[],
  foreignKind: string,
): void {
  let admin: Caller;
  beforeAll(() => {
    admin = fixture.user('admin');
  });

  it('takes a q of 200 characters', async () => {
    const found = expectOk(await admin.call('GET', `/search?q=${'x'.repeat(200)}`));
    expect(found).toEqual(Object.fromEntries(kinds.map((kind) => [kind, []])));
  });

  it.each([
    ['a blank q', 'q=%20%20', 'q'],
    ['a kind of another service', `q=a&types=${foreignKind}`, 'types'],
    ['an unknown kind among known ones', `q=a&types=${kinds[0]},${foreignKind}`, 'types'],
    ['a limit over 10', 'q=a&limit=11', 'limit'],
  ])('refuses %s in the contract’s error shape', async (_case, query, field) => {
    expect(fieldsOf(expectError(await admin.call('GET', `/search?${query}`), 422))).toEqual([field]);
  });

  it('is in the service’s OpenAPI document, with its parameters and the bearer scheme', async () => {
    const document = (await (await fetch(`${fixture.url}/docs-json`)).json()) as Json;
    const operation = document.paths['/search'].get;
    expect(operation.parameters.map((parameter: Json) => parameter.name).sort()).toEqual([
      'limit',
      'q',
      'types',
    ]);
    expect(operation.security).toEqual([{ bearer: [] }]);
  });

  it('requires a token', async () => {
    expectError(await fixture.call('GET', '/search?q=a'), 401);
  });
}
