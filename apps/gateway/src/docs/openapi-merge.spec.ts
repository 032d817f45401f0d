import { RoutingTable } from '../routing/routing-table';
import { mergeOpenApi, type OpenApiDocument } from './openapi-merge';

/** A service's document as @nestjs/swagger writes it. */
function serviceDocument(
  paths: OpenApiDocument['paths'],
  schemas: Record<string, unknown> = {},
): OpenApiDocument {
  return {
    openapi: '3.0.0',
    info: { title: 'service', version: '1.0' },
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    tags: [{ name: 'users' }],
  };
}

const routing = RoutingTable.load(undefined, {});
const serviceOf = (path: string) => routing.resolve(path)?.service;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const identity = serviceDocument(
  {
    '/api/users': {
      get: {
        tags: ['users'],
        responses: {
          200: { content: { 'application/json': { schema: { type: 'array', items: ref('UserDto') } } } },
        },
      },
      post: {
        tags: ['users'],
        requestBody: { content: { 'application/json': { schema: ref('CreateUserDto') } } },
        responses: { 201: { content: { 'application/json': { schema: ref('UserDto') } } } },
      },
    },
  },
  {
    UserDto: { type: 'object', properties: { preferences: ref('PreferencesDto'), id: { type: 'string' } } },
    PreferencesDto: { type: 'object', properties: { theme: { type: 'string' } } },
    CreateUserDto: {
      allOf: [ref('UserDto'), { type: 'object', properties: { password: { type: 'string' } } }],
    },
  },
);

const contacts = serviceDocument(
  {
    '/api/contacts': {
      get: { responses: { 200: { content: { 'application/json': { schema: ref('ContactDto') } } } } },
    },
  },
  {
    ContactDto: { type: 'object', properties: { owner: ref('UserDto') } },
    UserDto: { type: 'object', properties: { name: { type: 'string' } } },
  },
);

describe('mergeOpenApi', () => {
  it('keeps every path of every service as it is, since the gateway forwards them unchanged', () => {
    const merged = mergeOpenApi({ identity, contacts }, [], serviceOf);
    expect(Object.keys(merged.paths).sort()).toEqual(['/api/contacts', '/api/users']);
    expect(Object.keys(merged.paths['/api/users']!).sort()).toEqual(['get', 'post']);
    expect(merged.openapi).toMatch(/^3\./);
  });

  it('renames schemas <service>.<Name>, so that two services’ UserDto do not collide', () => {
    const { components } = mergeOpenApi({ identity, contacts }, [], serviceOf);
    expect(Object.keys(components!.schemas!).sort()).toEqual([
      'contacts.ContactDto',
      'contacts.UserDto',
      'identity.CreateUserDto',
      'identity.PreferencesDto',
      'identity.UserDto',
    ]);
    expect(components!.schemas!['identity.UserDto']).toEqual({
      type: 'object',
      properties: { preferences: ref('identity.PreferencesDto'), id: { type: 'string' } },
    });
    expect(components!.schemas!['contacts.UserDto']).toEqual({
      type: 'object',
      properties: { name: { type: 'string' } },
    });
  });

  it('rewrites every schema reference, in paths and inside schemas, to the renamed schema', () => {
    const merged = mergeOpenApi({ identity, contacts }, [], serviceOf);
    const json = JSON.stringify(merged);
    const refs = [...json.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const name of refs) expect(merged.components!.schemas).toHaveProperty([name!]);
    expect(merged.components!.schemas!['contacts.ContactDto']).toEqual({
      type: 'object',
      properties: { owner: ref('contacts.UserDto') },
    });
    expect(merged.components!.schemas!['identity.CreateUserDto']).toEqual({
      allOf: [ref('identity.UserDto'), { type: 'object', properties: { password: { type: 'string' } } }],
    });
    expect((merged.paths['/api/users']!.get as { responses: unknown }).responses).toEqual({
      200: { content: { 'application/json': { schema: { type: 'array', items: ref('identity.UserDto') } } } },
    });
  });

  it('leaves references that are not to schemas alone', () => {
    const document = serviceDocument({
      '/api/ai/score': { post: { responses: { 404: { $ref: '#/components/responses/NotFound' } } } },
    });
    const merged = mergeOpenApi({ ai: document }, [], serviceOf);
    expect((merged.paths['/api/ai/score']!.post as { responses: unknown }).responses).toEqual({
      404: { $ref: '#/components/responses/NotFound' },
    });
  });

  it('tags every operation with its service only, and lists one tag per service', () => {
    const merged = mergeOpenApi({ identity, contacts }, [], serviceOf);
    for (const [service, path] of [
      ['identity', '/api/users'],
      ['contacts', '/api/contacts'],
    ] as const) {
      for (const operation of Object.values(merged.paths[path]!)) {
        expect((operation as { tags: string[] }).tags).toEqual([service]);
      }
    }
    expect(merged.tags).toEqual([
      { name: 'contacts', description: 'contacts service' },
      { name: 'identity', description: 'identity service' },
    ]);
  });

  it('secures every operation with the one bearer scheme', () => {
    const merged = mergeOpenApi({ identity }, [], serviceOf);
    expect(merged.components!.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
    expect(merged.security).toEqual([{ bearer: [] }]);
  });

  it('names the services that did not answer in x-unavailable-services and in the description', () => {
    const merged = mergeOpenApi({ identity }, ['contacts', 'pipeline'], serviceOf);
    expect(merged['x-unavailable-services']).toEqual(['contacts', 'pipeline']);
    expect(merged.info.description).toContain('contacts, pipeline');
    expect(merged.tags!.map((tag) => tag.name)).toEqual(['identity']);
  });

  it('has an empty unavailable list when every service answered', () => {
    const merged = mergeOpenApi({ identity, contacts }, [], serviceOf);
    expect(merged['x-unavailable-services']).toEqual([]);
    expect(merged.info.description).not.toMatch(/unavailable/i);
  });

  it('is a valid document when no service answered', () => {
    const merged = mergeOpenApi({}, ['identity'], serviceOf);
    expect(merged.paths).toEqual({});
    expect(merged.components!.schemas).toEqual({});
    expect(merged['x-unavailable-services']).toEqual(['identity']);
  });

  it('publishes only the paths the gateway forwards to the service that documents them', () => {
    const internal = { get: { responses: {} } };
    const merged = mergeOpenApi(
      {
        contacts: serviceDocument({
          '/api/contacts/{id}': internal,
          '/search': internal,
          '/api/deals': internal,
        }),
        pipeline: serviceDocument({ '/api/deals': internal, '/search': internal, '/health/ready': internal }),
      },
      [],
      serviceOf,
    );
    expect(merged.paths).toEqual({
      '/api/contacts/{id}': { get: { responses: {}, tags: ['contacts'] } },
      '/api/deals': { get: { responses: {}, tags: ['pipeline'] } },
    });
  });

  it('does not change the documents it is given', () => {
    const before = JSON.stringify(identity);
    mergeOpenApi({ identity }, [], serviceOf);
    expect(JSON.stringify(identity)).toBe(before);
  });

  it('keeps the path-level fields of a path item (parameters, summary) as they are', () => {
    // OpenAPI 3 path items hold `parameters`, `summary`, `description` and `servers` beside the operations.
    const parameters = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
    const document = serviceDocument({
      '/api/contacts/{id}': {
        summary: 'One contact',
        parameters,
        get: { responses: {} },
      } as unknown as OpenApiDocument['paths'][string],
    });
    const merged = mergeOpenApi({ contacts: document }, [], serviceOf);
    expect(merged.paths['/api/contacts/{id}']).toEqual({
      summary: 'One contact',
      parameters,
      get: { responses: {}, tags: ['contacts'] },
    });
  });
});
