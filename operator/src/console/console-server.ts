// The operator's read-only web console (`--console-listen`). Pages are rendered from the
// operator's watch caches; who may see what is decided per request by the signed-in user's
// Kubernetes identity (TokenReview) and RBAC (SubjectAccessReview `list` per namespace), so the
// console never shows more than `kubectl get` would.
//
// Sessions: the login form posts a token; the server keeps it in memory under a random session
// id and the browser holds only that id, in an HttpOnly, SameSite=Strict cookie (Secure when the
// request arrived over HTTPS through a proxy). The token never appears in a URL or a page. The
// console changes nothing, so every page is GET; the only POSTs are sign-in and sign-out, and
// those must carry an Origin naming this console (cross-site form posts are refused).
import { randomBytes } from 'node:crypto';
import { errorMessage } from '@switchyard/compiler';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserAccessReview, UserIdentity } from '../auth/user-access-review.js';
import { CONSOLE_CSS, CONSOLE_JS } from './console-assets.js';
import { escapeHtml, renderView, VIEWS, type ConsoleSource, type ViewName } from './console-views.js';
import type { CrObject } from '../reconcile/kind-watches.js';
import type { TrafficSource } from './console-views.js';
import type { ConsoleOidc } from './console-oidc.js';

/** The longest a session lasts, whatever the token's own expiry. */
const SESSION_MAX_AGE_MS = 8 * 3_600_000;
/** Sessions kept in memory; the oldest is dropped past this. */
const MAX_SESSIONS = 1_000;
/** The login form's largest body (a token is a few KiB at most). */
const MAX_LOGIN_BODY_BYTES = 64 * 1024;
const COOKIE = 'switchyard-console';
/** Binds a single sign-on under way to the browser that began it; SameSite=Lax, so the provider's redirect carries it. */
const OIDC_COOKIE = 'switchyard-console-oidc';
const REFRESH_MS = 5_000;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it, browsers send `Origin: null` on form posts and sign-in could not be
  // told apart from a cross-site post. same-origin keeps URLs from leaving the console.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
};

interface ConsoleData {
  objectsOf(kind: string): Iterable<CrObject>;
  /** The API group and plural of a kind, for the access review. */
  resourceOf(kind: string): { group: string; plural: string };
  tableVersion(): number | undefined;
  gatewaysConnected(): number;
  synced(): boolean;
  /** What gateways report of their traffic (routes, backend health, recent requests). */
  traffic?: TrafficSource;
}

export interface ConsoleServerOptions {
  access: Pick<UserAccessReview, 'authenticate' | 'mayList'>;
  data: ConsoleData;
  /** Single sign-on with the chart's OIDC settings (--console-oidc-*); absent: tokens only. */
  oidc?: Pick<ConsoleOidc, 'begin' | 'complete' | 'settings'>;
  now?: () => number;
}

/** A session holds the pasted token (reviewed again as its cache expires) or the identity single sign-on established. */
type Session = { token: string; user?: undefined; expiresAt: number } | { token?: undefined; user: UserIdentity; expiresAt: number };

export class ConsoleServer {
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;

  constructor(private readonly options: ConsoleServerOptions) {
    this.now = options.now ?? Date.now;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.route(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error');
      else res.destroy();
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'POST' && (path === '/login' || path === '/logout')) {
      if (!sameOrigin(req))
        return send(res, 403, 'text/plain; charset=utf-8', 'cross-origin form posts are refused (Origin must name this console)');
      return path === '/login' ? this.login(req, res) : this.logout(req, res);
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('allow', path === '/login' ? 'GET, HEAD, POST' : 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', `the console is read-only: ${method} is not allowed`);
    }
    if (path === '/console.css') return send(res, 200, 'text/css; charset=utf-8', CONSOLE_CSS, false);
    if (path === '/console.js') return send(res, 200, 'text/javascript; charset=utf-8', CONSOLE_JS, false);
    if (path === '/favicon.ico') return send(res, 204, 'text/plain; charset=utf-8', '', false);
    if (path === '/login') return send(res, 200, 'text/html; charset=utf-8', this.loginPage(undefined));
    if (path === '/oidc/start' || path === '/oidc/callback') {
      if (this.options.oidc === undefined)
        return send(res, 404, 'text/html; charset=utf-8', this.loginPage('single sign-on is not configured'));
      return path === '/oidc/start' ? this.oidcStart(req, res) : this.oidcCallback(req, res, url.searchParams);
    }

    const view = viewAt(path);
    const isApi = path === '/api/live';
    if (!view && !isApi) return send(res, 404, 'text/html; charset=utf-8', page('Not found', undefined, '<p>No such page.</p>'));
    const user = await this.userOf(req);
    if (!user.ok) {
      if (isApi) return send(res, user.status, 'application/json', JSON.stringify({ error: user.reason }));
      if (user.status === 503) return send(res, 503, 'text/html; charset=utf-8', this.loginPage(user.reason));
      res.setHeader('location', '/login');
      return send(res, 303, 'text/plain; charset=utf-8', 'sign in at /login');
    }
    if (isApi) {
      const name = url.searchParams.get('view') ?? '';
      if (!(name in VIEWS)) return send(res, 404, 'application/json', JSON.stringify({ error: `no view "${name}"` }));
      const rendered = await renderView(name as ViewName, this.sourceFor(user.user));
      return send(res, 200, 'application/json', JSON.stringify({ signature: rendered.signature, live: rendered.live }));
    }
    const name = view as ViewName;
    const rendered = await renderView(name, this.sourceFor(user.user));
    const body = `<h1>${escapeHtml(rendered.title)}</h1>\n${rendered.html}\n<p id="refresh-status" role="status"></p>`;
    return send(
      res,
      200,
      'text/html; charset=utf-8',
      page(rendered.title, { view: name, user: user.user.username, signature: rendered.signature }, body),
    );
  }

  /** A ConsoleSource whose `visible` asks RBAC: every namespace at once first, else namespace by namespace. */
  private sourceFor(user: UserIdentity): ConsoleSource {
    const { data, access } = this.options;
    // A request without a namespace (a refused caller's, with no key) shows only to users who may list everywhere.
    const namespacesVisible = async (kind: string, namespaces: string[]): Promise<Set<string>> => {
      const { group, plural } = data.resourceOf(kind);
      if (await access.mayList(user, group, plural, '')) return new Set(namespaces);
      const allowed = new Set<string>();
      await Promise.all(
        [...new Set(namespaces)].map(async (namespace) => {
          if (namespace !== '' && (await access.mayList(user, group, plural, namespace))) allowed.add(namespace);
        }),
      );
      return allowed;
    };
    return {
      visible: async (kind) => {
        const objects = [...data.objectsOf(kind)];
        const allowed = await namespacesVisible(
          kind,
          objects.map((o) => o.metadata.namespace ?? ''),
        );
        return objects.filter((o) => allowed.has(o.metadata.namespace ?? ''));
      },
      namespacesVisible,
      ...(data.traffic === undefined ? {} : { traffic: data.traffic }),
      tableVersion: data.tableVersion(),
      gatewaysConnected: data.gatewaysConnected(),
      synced: data.synced(),
      now: this.now(),
    };
  }

  /** The caller's identity from `Authorization: Bearer` (scripts) or the session cookie (browsers). */
  private async userOf(req: IncomingMessage): Promise<{ ok: true; user: UserIdentity } | { ok: false; status: 401 | 503; reason: string }> {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    let token = bearer;
    if (token === undefined) {
      const id = cookieOf(req, COOKIE);
      const session = id === undefined ? undefined : this.sessions.get(id);
      if (session === undefined || id === undefined) return { ok: false, status: 401, reason: 'not signed in' };
      if (session.expiresAt <= this.now()) {
        this.sessions.delete(id);
        return { ok: false, status: 401, reason: 'the session expired' };
      }
      if (session.user !== undefined) return { ok: true, user: session.user };
      token = session.token;
    }
    const verdict = await this.options.access.authenticate(token);
    return verdict.ok ? { ok: true, user: verdict.user } : verdict;
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, MAX_LOGIN_BODY_BYTES);
    if (body === undefined)
      return send(res, 413, 'text/html; charset=utf-8', this.loginPage(`the sign-in form is larger than ${MAX_LOGIN_BODY_BYTES} bytes`));
    const token = new URLSearchParams(body).get('token')?.trim() ?? '';
    if (token === '' || /\s/.test(token))
      return send(res, 400, 'text/html; charset=utf-8', this.loginPage('paste one token, without spaces'));
    const verdict = await this.options.access.authenticate(token);
    if (!verdict.ok) return send(res, verdict.status, 'text/html; charset=utf-8', this.loginPage(verdict.reason));
    const cookieHeader = this.openSession(req, { token, expiresAt: this.sessionEnd(verdict.expiresAtMs) });
    res.setHeader('set-cookie', cookieHeader);
    res.setHeader('location', '/');
    send(res, 303, 'text/plain; charset=utf-8', 'signed in');
  }

  private sessionEnd(credentialExpiresAtMs: number | undefined): number {
    return Math.min(this.now() + SESSION_MAX_AGE_MS, credentialExpiresAtMs ?? Number.POSITIVE_INFINITY);
  }

  /** Stores a session under a new random id; returns its cookie. */
  private openSession(req: IncomingMessage, session: Session): string {
    const now = this.now();
    for (const [id, old] of this.sessions) if (old.expiresAt <= now) this.sessions.delete(id);
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, session);
    return cookie(req, id, Math.max(1, Math.floor((session.expiresAt - now) / 1000)));
  }

  /** Sends the browser to the identity provider, with a cookie that binds the flow to this browser. */
  private async oidcStart(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const oidc = this.options.oidc as NonNullable<ConsoleServerOptions['oidc']>;
    let started: { location: string; binding: string };
    try {
      started = await oidc.begin();
    } catch (error) {
      return send(res, 502, 'text/html; charset=utf-8', this.loginPage(`cannot reach the identity provider: ${errorMessage(error)}`));
    }
    res.setHeader('set-cookie', oidcCookie(req, started.binding, 600));
    res.setHeader('location', started.location);
    send(res, 303, 'text/plain; charset=utf-8', 'continue at the identity provider');
  }

  private async oidcCallback(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const oidc = this.options.oidc as NonNullable<ConsoleServerOptions['oidc']>;
    const outcome = await oidc.complete(query, cookieOf(req, OIDC_COOKIE));
    const clearBinding = oidcCookie(req, '', 0);
    if (!outcome.ok) {
      res.setHeader('set-cookie', clearBinding);
      return send(res, outcome.status, 'text/html; charset=utf-8', this.loginPage(outcome.reason));
    }
    const session = this.openSession(req, { user: outcome.user, expiresAt: this.sessionEnd(outcome.expiresAtMs) });
    res.setHeader('set-cookie', [clearBinding, session]);
    // A page, not a redirect: the provider's redirect is a cross-site navigation, and a browser
    // would not send the SameSite=Strict session cookie on a redirect that continues it.
    send(
      res,
      200,
      'text/html; charset=utf-8',
      page(
        'Signed in',
        undefined,
        `<meta http-equiv="refresh" content="0;url=/">\n<h1>Signed in</h1>\n<p>Signed in as <strong>${escapeHtml(outcome.user.username)}</strong>. <a href="/">Continue to the console</a>.</p>`,
      ),
    );
  }

  private loginPage(error: string | undefined): string {
    return loginPage(error, this.options.oidc?.settings.issuerUrl);
  }

  private async logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBody(req, MAX_LOGIN_BODY_BYTES);
    const id = cookieOf(req, COOKIE);
    if (id !== undefined) this.sessions.delete(id);
    res.setHeader('set-cookie', cookie(req, '', 0));
    res.setHeader('location', '/login');
    send(res, 303, 'text/plain; charset=utf-8', 'signed out');
  }
}

function viewAt(path: string): ViewName | undefined {
  for (const [name, view] of Object.entries(VIEWS)) if (view.path === path) return name as ViewName;
  return undefined;
}

function isHttps(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true || req.headers['x-forwarded-proto'] === 'https';
}

/** The form's Origin must be this console's own (scheme and Host), as a browser sends it. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!origin || !host) return false;
  return origin === `${isHttps(req) ? 'https' : 'http'}://${host}`;
}

function cookie(req: IncomingMessage, value: string, maxAgeSeconds: number): string {
  return `${COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${isHttps(req) ? '; Secure' : ''}`;
}

function oidcCookie(req: IncomingMessage, value: string, maxAgeSeconds: number): string {
  return `${OIDC_COOKIE}=${value}; Path=/oidc/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${isHttps(req) ? '; Secure' : ''}`;
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=') || undefined;
  }
  return undefined;
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string, noStore = true): void {
  const headers: Record<string, string | number> = { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) };
  if (!noStore) headers['cache-control'] = 'private, max-age=300';
  res.writeHead(status, headers).end(res.req.method === 'HEAD' ? undefined : body);
}

function page(title: string, context: { view: ViewName; user: string; signature: string } | undefined, body: string): string {
  const nav = context
    ? `<nav aria-label="Views"><ul>${Object.entries(VIEWS)
        .map(
          ([name, view]) =>
            `<li><a href="${view.path}"${name === context.view ? ' aria-current="page"' : ''}>${escapeHtml(view.label)}</a></li>`,
        )
        .join('')}</ul></nav>
<div class="who"><span>Signed in as <strong>${escapeHtml(context.user)}</strong></span><form method="post" action="/logout"><button type="submit">Sign out</button></form></div>`
    : '';
  const mainAttributes = context
    ? ` data-view="${context.view}" data-signature="${escapeHtml(context.signature)}" data-refresh-ms="${REFRESH_MS}"`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Switchyard console</title>
<link rel="stylesheet" href="/console.css">
<script src="/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><span class="brand">Switchyard</span>${nav}</header>
<main id="main"${mainAttributes}>
${body}
</main>
</body>
</html>
`;
}

function loginPage(error: string | undefined, issuer: string | undefined): string {
  const sso = issuer
    ? `<p><a class="button" href="/oidc/start">Sign in with single sign-on</a> <span class="muted">(${escapeHtml(issuer)})</span></p>
<p>Or paste a token:</p>`
    : '';
  return page(
    'Sign in',
    undefined,
    `<h1>Sign in</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
${sso}
<p>Paste a Kubernetes token the API server accepts. You see only what your RBAC lets you list; the console changes nothing.</p>
<p>For a ServiceAccount: <code>kubectl create token &lt;name&gt; -n &lt;namespace&gt;</code>.</p>
<form class="login" method="post" action="/login">
<label for="token">Token</label>
<input type="password" id="token" name="token" autocomplete="off" required autofocus>
<button type="submit">Sign in</button>
</form>`,
  );
}
