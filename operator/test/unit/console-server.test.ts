// The console's sessions and refusals, over HTTP against the real handler with a scripted access
// review (the browser test in test/cluster/console.test.ts covers the same against a real API server).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { UserIdentity, UserVerdict } from '../../src/auth/user-access-review.js';
import { ConsoleServer } from '../../src/console/console-server.js';
import type { CrObject } from '../../src/reconcile/kind-watches.js';

const alice: UserIdentity = { username: 'alice', uid: undefined, groups: [], extra: {} };
let now = Date.UTC(2026, 0, 1);
/** Tokens the scripted API server accepts, with their expiry. */
const accepted = new Map<string, number | undefined>([
  ['good-token', undefined],
  ['short-token', now + 60_000],
]);

const route = (namespace: string, name: string): CrObject => ({
  apiVersion: 'switchyard.dev/v1alpha1',
  kind: 'ModelRoute',
  metadata: { name, namespace },
  spec: { model: name, backends: [] },
});

describe('ConsoleServer', () => {
  let server: Server;
  let url: string;
  const origin = () => url;

  beforeAll(async () => {
    const handler = new ConsoleServer({
      access: {
        authenticate: async (token: string): Promise<UserVerdict> =>
          accepted.has(token)
            ? { ok: true, user: alice, expiresAtMs: accepted.get(token) }
            : { ok: false, status: 401, reason: 'the API server did not accept this token' },
        mayList: async (_user, _group, _resource, namespace) => namespace === 'team-a',
      },
      data: {
        objectsOf: (kind) => (kind === 'ModelRoute' ? [route('team-a', 'chat-a'), route('team-b', 'chat-b')] : []),
        resourceOf: () => ({ group: 'switchyard.dev', plural: 'modelroutes' }),
        tableVersion: () => 7,
        gatewaysConnected: () => 2,
        synced: () => true,
      },
      now: () => now,
    });
    server = createServer((req, res) => handler.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => {
    server.close();
  });

  const login = (token: string, headers: Record<string, string> = { origin: origin() }) =>
    fetch(`${url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ token }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      redirect: 'manual',
    });
  const sessionCookie = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] as string;

  it('signs in into a session cookie and shows only the namespaces RBAC allows', async () => {
    const res = await login('good-token');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^switchyard-console=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=28800; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain('good-token');
    const page = await fetch(`${url}/routes`, { headers: { cookie: sessionCookie(res) } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('chat-a');
    expect(html).not.toContain('chat-b');
  });

  it('marks the cookie Secure behind HTTPS and then wants an https Origin', async () => {
    const host = new URL(url).host;
    expect((await login('good-token', { origin: `http://${host}`, 'x-forwarded-proto': 'https' })).status).toBe(403);
    const res = await login('good-token', { origin: `https://${host}`, 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('ends a session when its token expires', async () => {
    const res = await login('short-token');
    expect(res.headers.get('set-cookie')).toContain('Max-Age=60;');
    const cookie = sessionCookie(res);
    expect((await fetch(`${url}/api/live?view=routes`, { headers: { cookie } })).status).toBe(200);
    now += 61_000;
    expect((await fetch(`${url}/api/live?view=routes`, { headers: { cookie } })).status).toBe(401);
    const page = await fetch(`${url}/routes`, { headers: { cookie }, redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
  });

  it('refuses writes, oversized sign-in forms and cross-site posts', async () => {
    const put = await fetch(`${url}/routes`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD');
    expect((await login('good-token', { origin: 'https://evil.example' })).status).toBe(403);
    expect((await login('x'.repeat(70_000))).status).toBe(413);
    expect((await login('bad-token')).status).toBe(401);
    const logoutCrossSite = await fetch(`${url}/logout`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(logoutCrossSite.status).toBe(403);
  });
});
