import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoutingTable } from './routing-table';

/** A routing table file with two services, `overrides` merged over it. */
function tableFile(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    services: {
      ai: { port: 3009, prefixes: ['/api/ai'] },
      chat: { port: 3010, prefixes: ['/api/ai/chat'] },
    },
    publicRoutes: ['POST /api/ai/public'],
    loginRoute: 'POST /api/ai/login',
    largeBodyRoutes: ['POST /api/ai/import'],
    ...overrides,
  };
}

describe('RoutingTable', () => {
  let dir: string;
  let files = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'routes-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes `content` (JSON unless a string) to a fresh file and loads it. */
  const load = (content: unknown, env: NodeJS.ProcessEnv = {}) => {
    const path = join(dir, `routes-${(files += 1)}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return RoutingTable.load(path, env);
  };

  describe('the bundled table', () => {
    const table = RoutingTable.load(undefined, {});

    it.each([
      ['/api/auth/login', 'identity'],
      ['/api/users', 'identity'],
      ['/api/teams/3f1c/members', 'identity'],
      ['/api/contacts/import', 'contacts'],
      ['/api/customers', 'contacts'],
      ['/api/deals/1/activities', 'pipeline'],
      ['/api/notifications', 'messaging'],
      ['/api/tasks/1', 'calendar'],
      ['/api/price-books', 'quoting'],
      ['/api/workflows', 'campaigns'],
      ['/api/support/tickets', 'support'],
      ['/api/ai/score', 'ai'],
    ])('routes %s to %s', (path, service) => {
      expect(table.resolve(path)?.service).toBe(service);
    });

    it.each(['/api', '/api/', '/api/authx', '/api/contactsimport', '/health/ready', '/API/auth/login'])(
      'routes no service for %s',
      (path) => {
        expect(table.resolve(path)).toBeUndefined();
      },
    );

    it('finds a service by its name, and none for a name it does not have', () => {
      expect(table.named('pipeline')).toBe(table.resolve('/api/deals'));
      expect(table.named('nowhere')).toBeUndefined();
    });

    it('sends each service to its default local port when no URLs are configured', () => {
      expect(table.services.find((s) => s.service === 'identity')?.upstreams).toEqual([
        'http://127.0.0.1:3001',
      ]);
      expect(table.services.find((s) => s.service === 'ai')?.upstreams).toEqual(['http://127.0.0.1:3009']);
    });

    it('lets the contract public routes through without a token, and only them', () => {
      for (const route of [
        'POST /api/auth/register',
        'POST /api/auth/login',
        'POST /api/auth/refresh',
        'POST /api/auth/2fa/verify',
        'POST /api/auth/forgot-password',
        'POST /api/auth/reset-password',
        'GET /api/auth/jwks.json',
      ]) {
        const [method, path] = route.split(' ');
        expect([route, table.isPublic(method!, path!)]).toEqual([route, true]);
      }
      expect(table.isPublic('GET', '/api/auth/me')).toBe(false);
      expect(table.isPublic('GET', '/api/auth/login')).toBe(false);
      expect(table.isPublic('POST', '/api/auth/login/')).toBe(false);
      expect(table.isPublic('POST', '/api/auth/register/extra')).toBe(false);
      expect(table.isPublic('POST', '/api/auth/jwks.json')).toBe(false);
      expect(table.isPublic('POST', '/api/users')).toBe(false);
    });

    it('matches the login route by method and exact path', () => {
      expect(table.loginRoute).toBe('POST /api/auth/login');
      expect(table.isLogin('POST', '/api/auth/login')).toBe(true);
      expect(table.isLogin('GET', '/api/auth/login')).toBe(false);
      expect(table.isLogin('POST', '/api/auth/register')).toBe(false);
      expect(table.isLogin('POST', '/api/auth/login/2fa')).toBe(false);
    });

    it('allows large bodies only on the import routes', () => {
      expect(table.isLargeBody('POST', '/api/contacts/import')).toBe(true);
      expect(table.isLargeBody('POST', '/api/leads/import')).toBe(true);
      expect(table.isLargeBody('PUT', '/api/contacts/import')).toBe(false);
      expect(table.isLargeBody('POST', '/api/contacts')).toBe(false);
      expect(table.isLargeBody('POST', '/api/contacts/import/more')).toBe(false);
    });
  });

  describe('prefixes', () => {
    it('lets the longest prefix win, whatever the order of the file', () => {
      for (const services of [
        { ai: { port: 1, prefixes: ['/api/ai'] }, chat: { port: 2, prefixes: ['/api/ai/chat'] } },
        { chat: { port: 2, prefixes: ['/api/ai/chat'] }, ai: { port: 1, prefixes: ['/api/ai'] } },
      ]) {
        const table = load(tableFile({ services }));
        expect(table.resolve('/api/ai/chat')?.service).toBe('chat');
        expect(table.resolve('/api/ai/chat/threads/1')?.service).toBe('chat');
        expect(table.resolve('/api/ai/chatter')?.service).toBe('ai');
        expect(table.resolve('/api/ai')?.service).toBe('ai');
        expect(table.resolve('/api/ai/score')?.service).toBe('ai');
      }
    });

    it('refuses a prefix routed to two services', () => {
      const services = {
        ai: { port: 1, prefixes: ['/api/ai', '/api/shared'] },
        chat: { port: 2, prefixes: ['/api/shared'] },
      };
      expect(() => load(tableFile({ services }))).toThrow('prefix /api/shared is routed to two services');
    });

    it('refuses a prefix listed twice by one service', () => {
      const services = { ai: { port: 1, prefixes: ['/api/ai', '/api/ai'] } };
      expect(() => load(tableFile({ services }))).toThrow(/prefix \/api\/ai is routed to two services/);
    });
  });

  describe('upstream URLs', () => {
    it('takes the instances of service x from X_URLS, trimmed and without trailing slashes', () => {
      const table = load(tableFile(), { AI_URLS: ' http://10.0.0.1:3009/ , https://ai.internal//,, ' });
      expect(table.services.find((s) => s.service === 'ai')?.upstreams).toEqual([
        'http://10.0.0.1:3009',
        'https://ai.internal',
      ]);
      expect(table.services.find((s) => s.service === 'chat')?.upstreams).toEqual(['http://127.0.0.1:3010']);
    });

    it('reads PRICE_BOOKS_URLS for a service named price-books', () => {
      const services = { 'price-books': { port: 3011, prefixes: ['/api/price-books'] } };
      const table = load(tableFile({ services }), { PRICE_BOOKS_URLS: 'http://books:1' });
      expect(table.resolve('/api/price-books/1')?.upstreams).toEqual(['http://books:1']);
    });

    it('refuses an upstream that is not http(s)', () => {
      expect(() => load(tableFile(), { AI_URLS: 'ftp://10.0.0.1' })).toThrow(
        'ai: upstream ftp://10.0.0.1 is not http(s)',
      );
    });

    it('refuses an upstream that is not a URL', () => {
      expect(() => load(tableFile(), { AI_URLS: 'not a url' })).toThrow(/Invalid URL/);
    });
  });

  describe('invalid files', () => {
    it.each([
      [
        'a prefix outside /api',
        tableFile({ services: { ai: { port: 1, prefixes: ['/ai'] } } }),
        /services\.ai\.prefixes\.0/,
      ],
      [
        'a prefix with a trailing slash',
        tableFile({ services: { ai: { port: 1, prefixes: ['/api/ai/'] } } }),
        /prefixes/,
      ],
      ['a service without prefixes', tableFile({ services: { ai: { port: 1, prefixes: [] } } }), /prefixes/],
      [
        'a service without a port',
        tableFile({ services: { ai: { prefixes: ['/api/ai'] } } }),
        /services\.ai\.port/,
      ],
      [
        'an upper-case service name',
        tableFile({ services: { AI: { port: 1, prefixes: ['/api/ai'] } } }),
        /services/,
      ],
      [
        'a route without a method',
        tableFile({ publicRoutes: ['/api/ai/public'] }),
        /a route is "METHOD \/path"/,
      ],
      ['an unknown method', tableFile({ publicRoutes: ['FETCH /api/ai/public'] }), /publicRoutes\.0/],
      ['no login route', tableFile({ loginRoute: undefined }), /loginRoute/],
      ['no large body routes', tableFile({ largeBodyRoutes: undefined }), /largeBodyRoutes/],
    ])('refuses %s, naming the file and the problem', (_what, content, problem) => {
      expect(() => load(content)).toThrow(/^invalid routing table .*routes-\d+\.json: /);
      expect(() => load(content)).toThrow(problem);
    });

    it('refuses a file that is not JSON', () => {
      expect(() => load('{"services": ')).toThrow(SyntaxError);
    });

    it('refuses a file that does not exist', () => {
      expect(() => RoutingTable.load(join(dir, 'missing.json'), {})).toThrow(/ENOENT/);
    });
  });
});
