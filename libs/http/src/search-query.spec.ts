import { type ArgumentMetadata } from '@nestjs/common';
import { ValidationError } from './errors';
import { MAX_SEARCH_LIMIT, searchQueryOf } from './search-query';
import { createValidationPipe } from './validation';

// The query of each service's part of the gateway's search. The services' integration tests check
// that their route uses it; the cases are here, once.
describe('searchQueryOf', () => {
  const SearchQuery = searchQueryOf(['contacts', 'customers'] as const);
  const metadata: ArgumentMetadata = { type: 'query', metatype: SearchQuery };
  const pipe = createValidationPipe();
  const parse = (query: Record<string, string>) => pipe.transform(query, metadata) as Promise<Json>;

  type Json = { q: string; types: string[]; limit: number };

  it('takes q trimmed, every kind and the largest limit unless told', async () => {
    expect(await parse({ q: '  ada ' })).toEqual({
      q: 'ada',
      types: ['contacts', 'customers'],
      limit: MAX_SEARCH_LIMIT,
    });
  });

  it('takes the kinds asked, comma-separated, and a limit from 1 to 10', async () => {
    expect(await parse({ q: 'a', types: 'customers', limit: '1' })).toMatchObject({
      types: ['customers'],
      limit: 1,
    });
    expect((await parse({ q: 'a', types: ' contacts , customers' })).types).toEqual([
      'contacts',
      'customers',
    ]);
    expect((await parse({ q: 'x'.repeat(200) })).q).toHaveLength(200);
  });

  it.each([
    ['no q', {}, 'q'],
    ['an empty q', { q: '' }, 'q'],
    ['a blank q', { q: '  ' }, 'q'],
    ['a q over 200 characters', { q: 'x'.repeat(201) }, 'q'],
    ['a kind of another service', { q: 'a', types: 'deals' }, 'types'],
    ['an unknown kind among known ones', { q: 'a', types: 'contacts,leads' }, 'types'],
    ['empty types', { q: 'a', types: '' }, 'types'],
    ['a limit of 0', { q: 'a', limit: '0' }, 'limit'],
    ['a limit over 10', { q: 'a', limit: '11' }, 'limit'],
    ['a limit that is no number', { q: 'a', limit: 'ten' }, 'limit'],
  ])('refuses %s, naming the field', async (_case, query, field) => {
    const error = await parse(query).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(new Set((error as ValidationError).fieldErrors.map((e) => e.field))).toEqual(new Set([field]));
  });
});
