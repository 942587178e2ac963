// Single sign-on for the console with the organisation's OpenID Connect provider: the
// authorization-code flow with PKCE (S256), a `state` bound to a cookie in the browser that began
// the flow (so a callback carried into another browser is refused: no login CSRF), and a `nonce`
// bound to the ID token. The ID token is checked offline (signature against the issuer's JWKS,
// issuer, audience, expiry, nonce) and mapped to a Kubernetes user and groups with the same
// claims and prefixes the API server uses for that issuer, so the RBAC that governs `kubectl get`
// governs the console too. The console keeps the identity, never the provider's tokens.
import {
  createHash,
  createPublicKey,
  randomBytes,
  timingSafeEqual,
  verify as verifySignature,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { errorMessage } from '@switchyard/compiler';
import type { UserIdentity } from '../auth/user-access-review.js';

export interface ConsoleOidcSettings {
  issuerUrl: string;
  clientId: string;
  /** Absent: a public client (PKCE only). */
  clientSecretFile: string | undefined;
  /** The console's /oidc/callback as the browser reaches it, registered with the provider. */
  redirectUrl: string;
  usernameClaim: string;
  usernamePrefix: string;
  groupsClaim: string;
  groupsPrefix: string;
  scopes: string[];
}

export type OidcOutcome = { ok: true; user: UserIdentity; expiresAtMs: number } | { ok: false; status: 400 | 401 | 502; reason: string };

interface PendingFlow {
  binding: string;
  nonce: string;
  verifier: string;
  expiresAt: number;
}

interface Discovery {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  fetchedAt: number;
}

/** A sign-in must come back from the provider within this time. */
const FLOW_TTL_MS = 10 * 60_000;
/** Sign-ins under way at once; the oldest is dropped past this. */
const MAX_PENDING_FLOWS = 1_000;
/** Every call to the provider (discovery, keys, token) has this deadline. */
const PROVIDER_TIMEOUT_MS = 10_000;
/** Largest answer read from the provider. */
const MAX_PROVIDER_ANSWER_BYTES = 1024 * 1024;
const DISCOVERY_TTL_MS = 60 * 60_000;
/** An unknown key id refetches the JWKS at most this often. */
const JWKS_REFETCH_MS = 30_000;
/** Clock skew tolerated on exp, iat and nbf. */
const CLOCK_SKEW_S = 60;
const ALGORITHMS: Record<string, { hash: string; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  ES256: { hash: 'sha256', dsaEncoding: 'ieee-p1363' },
  ES384: { hash: 'sha384', dsaEncoding: 'ieee-p1363' },
};

export class ConsoleOidc {
  private readonly pending = new Map<string, PendingFlow>();
  private discovery: Discovery | undefined;
  private keys = new Map<string, KeyObject>();
  private keysFetchedAt = 0;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(
    readonly settings: ConsoleOidcSettings,
    options: { now?: () => number; fetch?: typeof fetch } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Begins a sign-in: where to send the browser, and the value of the cookie that binds the flow to it. */
  async begin(): Promise<{ location: string; binding: string }> {
    const discovery = await this.discover();
    const now = this.now();
    for (const [state, flow] of this.pending) if (flow.expiresAt <= now) this.pending.delete(state);
    while (this.pending.size >= MAX_PENDING_FLOWS) this.pending.delete(this.pending.keys().next().value as string);
    const state = token();
    const flow: PendingFlow = { binding: token(), nonce: token(), verifier: token(), expiresAt: now + FLOW_TTL_MS };
    this.pending.set(state, flow);
    const url = new URL(discovery.authorizationEndpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.settings.clientId);
    url.searchParams.set('redirect_uri', this.settings.redirectUrl);
    url.searchParams.set('scope', this.settings.scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('nonce', flow.nonce);
    url.searchParams.set('code_challenge', createHash('sha256').update(flow.verifier).digest('base64url'));
    url.searchParams.set('code_challenge_method', 'S256');
    return { location: url.toString(), binding: flow.binding };
  }

  /** Ends a sign-in from the provider's redirect: the browser's binding cookie must match the flow's. */
  async complete(query: URLSearchParams, binding: string | undefined): Promise<OidcOutcome> {
    const error = query.get('error');
    if (error !== null) {
      const description = query.get('error_description');
      return {
        ok: false,
        status: 401,
        reason: `the identity provider refused the sign-in: ${clip(error)}${description ? ` (${clip(description)})` : ''}`,
      };
    }
    const state = query.get('state') ?? '';
    const code = query.get('code') ?? '';
    const flow = this.pending.get(state);
    if (flow === undefined || flow.expiresAt <= this.now())
      return { ok: false, status: 400, reason: 'this sign-in is unknown or older than 10 minutes; start again' };
    // Single use, whatever happens next.
    this.pending.delete(state);
    if (binding === undefined || !sameText(binding, flow.binding))
      return { ok: false, status: 400, reason: 'this sign-in was started in another browser; start again here' };
    if (code === '') return { ok: false, status: 400, reason: 'the identity provider sent no authorization code' };
    try {
      const idToken = await this.exchange(code, flow.verifier);
      return await this.identityOf(idToken, flow.nonce);
    } catch (caught) {
      return { ok: false, status: 502, reason: `cannot complete the sign-in with ${this.settings.issuerUrl}: ${errorMessage(caught)}` };
    }
  }

  private async exchange(code: string, verifier: string): Promise<string> {
    const discovery = await this.discover();
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.settings.redirectUrl,
      code_verifier: verifier,
      client_id: this.settings.clientId,
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (this.settings.clientSecretFile !== undefined) {
      const secret = (await readFile(this.settings.clientSecretFile, 'utf8')).trim();
      // client_secret_basic: both parts form-encoded, as RFC 6749 section 2.3.1 asks.
      const user = encodeURIComponent(this.settings.clientId);
      headers.authorization = `Basic ${Buffer.from(`${user}:${encodeURIComponent(secret)}`).toString('base64')}`;
    }
    const answer = await this.call(discovery.tokenEndpoint, { method: 'POST', headers, body: form.toString() });
    const idToken = (answer as { id_token?: unknown }).id_token;
    if (typeof idToken !== 'string' || idToken === '') throw new Error('the token endpoint answered without an id_token');
    return idToken;
  }

  private async identityOf(idToken: string, nonce: string): Promise<OidcOutcome> {
    const parts = idToken.split('.');
    if (parts.length !== 3) return { ok: false, status: 401, reason: 'the ID token is not a signed JWT' };
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = decodeJson(headerPart) as { alg?: unknown; kid?: unknown } | undefined;
    const claims = decodeJson(payloadPart) as Record<string, unknown> | undefined;
    if (header === undefined || claims === undefined) return { ok: false, status: 401, reason: 'the ID token is not valid JSON' };
    const algorithm = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
    if (algorithm === undefined)
      return { ok: false, status: 401, reason: `the ID token's algorithm ${JSON.stringify(header.alg)} is not accepted` };
    const key = await this.keyFor(typeof header.kid === 'string' ? header.kid : undefined);
    if (key === undefined) return { ok: false, status: 401, reason: "the ID token's signing key is not in the issuer's JWKS" };
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    const valid = verifySignature(
      algorithm.hash,
      signed,
      algorithm.dsaEncoding ? { key, dsaEncoding: algorithm.dsaEncoding } : key,
      signature,
    );
    if (!valid) return { ok: false, status: 401, reason: "the ID token's signature does not verify" };
    const nowS = Math.floor(this.now() / 1000);
    if (claims.iss !== this.settings.issuerUrl) return { ok: false, status: 401, reason: 'the ID token was issued by another issuer' };
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(this.settings.clientId)) return { ok: false, status: 401, reason: 'the ID token is for another client' };
    if (audiences.length > 1 && claims.azp !== undefined && claims.azp !== this.settings.clientId)
      return { ok: false, status: 401, reason: 'the ID token was issued to another party (azp)' };
    if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_S <= nowS)
      return { ok: false, status: 401, reason: 'the ID token has expired' };
    if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_S > nowS)
      return { ok: false, status: 401, reason: 'the ID token is not valid yet' };
    if (typeof claims.nonce !== 'string' || !sameText(claims.nonce, nonce))
      return { ok: false, status: 401, reason: "the ID token's nonce does not match this sign-in" };
    const username = claims[this.settings.usernameClaim];
    if (typeof username !== 'string' || username === '')
      return { ok: false, status: 401, reason: `the ID token has no "${this.settings.usernameClaim}" claim to name the user` };
    // As the API server does: an email claim counts only when the provider verified the address.
    if (this.settings.usernameClaim === 'email' && claims.email_verified === false)
      return { ok: false, status: 401, reason: 'the ID token says the email address is not verified' };
    const rawGroups = claims[this.settings.groupsClaim];
    const groups = (Array.isArray(rawGroups) ? rawGroups : typeof rawGroups === 'string' ? [rawGroups] : []).filter(
      (g): g is string => typeof g === 'string' && g !== '',
    );
    return {
      ok: true,
      user: {
        username: `${this.settings.usernamePrefix}${username}`,
        uid: undefined,
        groups: groups.map((g) => `${this.settings.groupsPrefix}${g}`),
        extra: {},
      },
      expiresAtMs: claims.exp * 1000,
    };
  }

  private async discover(): Promise<Discovery> {
    if (this.discovery !== undefined && this.now() - this.discovery.fetchedAt < DISCOVERY_TTL_MS) return this.discovery;
    const url = `${this.settings.issuerUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const document = (await this.call(url, { method: 'GET', headers: { accept: 'application/json' } })) as Record<string, unknown>;
    if (document.issuer !== this.settings.issuerUrl)
      throw new Error(`the discovery document names issuer ${JSON.stringify(document.issuer)}, not ${this.settings.issuerUrl}`);
    const endpoints = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;
    for (const name of endpoints) {
      if (typeof document[name] !== 'string') throw new Error(`the discovery document has no ${name}`);
      checkProviderUrl(document[name] as string, name);
    }
    this.discovery = {
      authorizationEndpoint: document.authorization_endpoint as string,
      tokenEndpoint: document.token_endpoint as string,
      jwksUri: document.jwks_uri as string,
      fetchedAt: this.now(),
    };
    return this.discovery;
  }

  private async keyFor(kid: string | undefined): Promise<KeyObject | undefined> {
    const find = (): KeyObject | undefined =>
      kid === undefined && this.keys.size === 1 ? [...this.keys.values()][0] : this.keys.get(kid ?? '');
    const found = find();
    if (found !== undefined || this.now() - this.keysFetchedAt < JWKS_REFETCH_MS) return found;
    const discovery = await this.discover();
    const jwks = (await this.call(discovery.jwksUri, { method: 'GET', headers: { accept: 'application/json' } })) as { keys?: unknown };
    const keys = new Map<string, KeyObject>();
    for (const jwk of Array.isArray(jwks.keys) ? (jwks.keys as JsonWebKey[]) : []) {
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      try {
        keys.set(typeof jwk.kid === 'string' ? jwk.kid : '', createPublicKey({ key: jwk, format: 'jwk' }));
      } catch {
        // A key of a type this console cannot use; the others still count.
      }
    }
    this.keys = keys;
    this.keysFetchedAt = this.now();
    return find();
  }

  private async call(url: string, init: RequestInit): Promise<unknown> {
    const response = await this.fetchImpl(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
    const text = await readBounded(response, MAX_PROVIDER_ANSWER_BYTES);
    if (!response.ok) throw new Error(`${new URL(url).pathname} answered HTTP ${response.status}: ${clip(text)}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${new URL(url).pathname} did not answer JSON`);
    }
  }
}

/** The provider's URLs must be HTTPS, except on loopback (a provider on the same machine, in tests and on laptops). */
export function checkProviderUrl(text: string, what: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${what} "${text}" is not a URL`);
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new Error(`${what} "${text}" must be https (http only on loopback)`);
}

async function readBounded(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`the identity provider's answer is larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function token(): string {
  return randomBytes(32).toString('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

function decodeJson(part: string): unknown {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
