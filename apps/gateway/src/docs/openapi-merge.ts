/** The parts of an OpenAPI 3 document the merge touches; everything else is carried as it is. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  tags?: { name: string; description?: string }[];
  [key: string]: unknown;
}

const SCHEMA_REF = '#/components/schemas/';
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * One document from every service's: the paths the gateway forwards to the service kept as they
 * are (it forwards them unchanged), and no other (a service's internal routes, such as its part of
 * the gateway's search, are not the public API); every operation tagged with its service, schemas
 * renamed `<service>.<Name>` (and their references rewritten) so that two services' `UserDto`
 * cannot collide. Services that did not answer are named in the description and in
 * `x-unavailable-services`.
 *
 * @param serviceOf the service the gateway forwards a path to, if any.
 */
export function mergeOpenApi(
  documents: Record<string, OpenApiDocument>,
  unavailable: string[],
  serviceOf: (path: string) => string | undefined,
): OpenApiDocument {
  const merged: OpenApiDocument = {
    openapi: '3.0.0',
    info: {
      title: 'Flow CRM API',
      version: '1.0',
      description: unavailable.length
        ? `Every service's API through the gateway. Not included (service unavailable): ${unavailable.join(', ')}.`
        : "Every service's API through the gateway.",
    },
    paths: {},
    components: {
      schemas: {},
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
    tags: [],
    'x-unavailable-services': unavailable,
  };
  for (const [service, document] of Object.entries(documents).sort(([a], [b]) => a.localeCompare(b))) {
    const renamed = renameSchemas(document, service);
    merged.tags!.push({ name: service, description: `${service} service` });
    for (const [path, operations] of Object.entries(renamed.paths ?? {})) {
      if (serviceOf(path) !== service) continue;
      const tagged: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(operations)) {
        // A path item holds operations under method names, and shared fields (parameters, …) beside them.
        tagged[key] =
          HTTP_METHODS.has(key) && typeof value === 'object' && value ? { ...value, tags: [service] } : value;
      }
      merged.paths[path] = tagged;
    }
    Object.assign(merged.components!.schemas!, renamed.components?.schemas ?? {});
  }
  return merged;
}

function renameSchemas(document: OpenApiDocument, service: string): OpenApiDocument {
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      // $ref values, and discriminator mappings, which name schemas the same way
      Object.entries(node).map(([key, value]) =>
        typeof value === 'string' && value.startsWith(SCHEMA_REF)
          ? [key, `${SCHEMA_REF}${service}.${value.slice(SCHEMA_REF.length)}`]
          : [key, rewrite(value)],
      ),
    );
  };
  const schemas = Object.fromEntries(
    Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => [
      `${service}.${name}`,
      rewrite(schema),
    ]),
  );
  return { ...document, paths: rewrite(document.paths) as OpenApiDocument['paths'], components: { schemas } };
}
