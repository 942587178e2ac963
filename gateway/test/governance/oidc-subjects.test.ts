// Callers with a token from any OIDC issuer (VirtualKey spec.subjects kind OIDC), through the
// gateway process and the official OpenAI SDK. The issuer is local: its keys are generated here
// and its discovery document and JWKS are served over HTTPS on loopback (the gateway trusts the
// test certificate through NODE_EXTRA_CA_CERTS), so rotation and refusals can be driven exactly.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { API_VERSION, documents, HELLO, mockBackend, routeObject } from '../core/core-fixtures.js';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

function signingKey(kid: string, alg: 'RS256' | 'ES256'): SigningKey {
  const { privateKey, publicKey } =
    alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } };
}

function jwt(key: SigningKey, claims: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${Buffer.from(JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid, ...header })).toString('base64url')}.${Buffer.from(
    JSON.stringify(claims),
  ).toString('base64url')}`;
  const signature =
    key.alg === 'RS256'
      ? sign('sha256', Buffer.from(input), key.privateKey)
      : sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** A local OIDC issuer: discovery and a JWKS whose keys the test swaps; counts JWKS fetches. */
class LocalIssuer {
  keys: SigningKey[] = [];
  jwksFetches = 0;
  lastJwksFetchAt = 0;
  private constructor(
    private readonly server: Server,
    readonly issuer: string,
  ) {}

  static async start(cert: Buffer, key: Buffer): Promise<LocalIssuer> {
    let self: LocalIssuer | undefined;
    const server = createServer({ cert, key }, (req, res) => {
      const issuer = self as LocalIssuer;
      if (req.url === '/realms/test/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: issuer.issuer, jwks_uri: `${issuer.issuer}/keys` }));
      } else if (req.url === '/realms/test/keys') {
        issuer.jwksFetches += 1;
        issuer.lastJwksFetchAt = Date.now();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: issuer.keys.map((k) => k.jwk) }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new LocalIssuer(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}/realms/test`);
    return self;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function virtualKey(name: string, subject: Record<string, unknown>): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'VirtualKey',
    metadata: { name, namespace: 'default' },
    spec: { subjects: [{ kind: 'OIDC', ...subject }] },
  };
}

function client(gateway: GatewayProcess, token: string): OpenAI {
  return new OpenAI({ apiKey: token, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 15_000 });
}

async function refusal(gateway: GatewayProcess, token: string): Promise<{ status: number; message: string; code: unknown }> {
  try {
    await client(gateway, token).chat.completions.create({ model: 'echo', messages: HELLO });
  } catch (error) {
    if (error instanceof OpenAI.APIError) return { status: error.status ?? 0, message: error.message, code: error.code };
    throw error;
  }
  throw new Error('the request was answered');
}

function requestLines(gateway: GatewayProcess): Array<Record<string, unknown>> {
  return gateway
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => record.msg === 'request');
}

/** The request log line `match` picks, once the gateway has written it (it may follow the answer). */
async function requestLine(gateway: GatewayProcess, match: (record: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  await eventually(async () => {
    found = requestLines(gateway).find(match);
    return found !== undefined;
  });
  return found as Record<string, unknown>;
}

describe('OIDC subjects: tokens from a local issuer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-oidc-'));
  let issuer: LocalIssuer;
  let gateway: GatewayProcess;
  let guarded: GatewayProcess;
  const rsa = signingKey('rsa-1', 'RS256');
  const ec = signingKey('ec-1', 'ES256');
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown>) => ({ iss: issuer.issuer, aud: 'switchyard', iat: now(), exp: now() + 600, ...extra });

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'issuer.key'),
        '-out',
        join(dir, 'issuer.crt'),
      ],
      { stdio: 'ignore' },
    );
    issuer = await LocalIssuer.start(readFileSync(join(dir, 'issuer.crt')), readFileSync(join(dir, 'issuer.key')));
    issuer.keys = [rsa, ec];
    const manifests = {
      'route.yaml': documents(routeObject({ name: 'echo', backends: [mockBackend('mock-a')] })),
      'keys.yaml': documents(
        // People in a group, from one client (azp).
        virtualKey('analysts', { issuer: issuer.issuer, audience: 'switchyard', claims: { azp: 'notebook' }, groups: ['data-team'] }),
        // One machine identity, groups from a custom claim.
        virtualKey('ci', {
          issuer: issuer.issuer,
          audience: 'switchyard',
          claims: { sub: 'ci-bot' },
          groupsClaim: 'roles',
          groups: ['deployer'],
        }),
      ),
    };
    const env = { NODE_EXTRA_CA_CERTS: join(dir, 'issuer.crt') };
    gateway = await startGateway({ manifests, env, args: ['--audit-log', join(dir, 'audit.jsonl')] });
    // The same issuer behind an egress guard that denies loopback: discovery must go through it.
    guarded = await startGateway({ manifests, env, args: ['--deny-upstream-cidrs', '127.0.0.0/8'] });
  });

  afterAll(async () => {
    await gateway?.stop();
    await guarded?.stop();
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers an RS256 token whose claims and groups match, and logs and audits the identity, never the token', async () => {
    const token = jwt(rsa, claims({ sub: 'alice', azp: 'notebook', groups: ['staff', 'data-team'] }));
    const answer = await client(gateway, token).chat.completions.create({ model: 'echo', messages: HELLO });
    expect(answer.choices[0]?.message.content).toBe('Mock reply to: hello');
    const line = await requestLine(gateway, (r) => r.key === 'default/analysts' && r.status === 200);
    expect(line).toMatchObject({ identity: { kind: 'OIDC', subject: 'alice', issuer: issuer.issuer } });
    expect(gateway.logs()).not.toContain(token.split('.')[2]);
    let audit = '';
    await eventually(async () => {
      const text = readFileSync(join(dir, 'audit.jsonl'), { encoding: 'utf8', flag: 'a+' });
      audit = text.split('\n').find((record) => record.includes('"default/analysts"') && record.includes('"status":200')) ?? '';
      return audit !== '';
    });
    expect(JSON.parse(audit)).toMatchObject({ identity: { kind: 'OIDC', name: 'alice', issuer: issuer.issuer }, key: 'default/analysts' });
    expect(audit).not.toContain(token.split('.')[2]);
  });

  it('answers an ES256 token through the key whose subject it matches, groups read from a custom claim', async () => {
    const token = jwt(ec, claims({ sub: 'ci-bot', roles: 'deployer' }));
    await client(gateway, token).chat.completions.create({ model: 'echo', messages: HELLO });
    const line = await requestLine(gateway, (r) => r.key === 'default/ci' && r.status === 200);
    expect(line).toMatchObject({ identity: { kind: 'OIDC', subject: 'ci-bot', issuer: issuer.issuer } });
  });

  it.each([
    [
      'another audience',
      () => jwt(rsa, claims({ sub: 'alice', azp: 'notebook', groups: ['data-team'], aud: 'other' })),
      401,
      /audience matches no OIDC subject/,
    ],
    [
      'an issuer no key trusts',
      () => jwt(rsa, claims({ iss: 'https://elsewhere.example/realms/x', sub: 'alice' })),
      401,
      /is neither the cluster's ServiceAccount issuer nor the issuer of any OIDC subject/,
    ],
    [
      'an expired token',
      () => jwt(rsa, { ...claims({ sub: 'alice', azp: 'notebook', groups: ['data-team'] }), exp: now() - 3600 }),
      401,
      /token expired at/,
    ],
    [
      'a token without exp',
      () => jwt(rsa, { iss: issuer.issuer, aud: 'switchyard', sub: 'alice', azp: 'notebook', groups: ['data-team'] }),
      401,
      /no exp claim/,
    ],
    [
      'a claim that differs',
      () => jwt(rsa, claims({ sub: 'alice', azp: 'other-client', groups: ['data-team'] })),
      403,
      /matches no OIDC subject's claims or groups/,
    ],
    [
      'a caller outside the groups',
      () => jwt(rsa, claims({ sub: 'alice', azp: 'notebook', groups: ['staff'] })),
      403,
      /matches no OIDC subject's claims or groups/,
    ],
    [
      'a signature by another key under a known kid',
      () => jwt({ ...signingKey('rsa-1', 'RS256') }, claims({ sub: 'alice', azp: 'notebook', groups: ['data-team'] })),
      401,
      /signature does not verify/,
    ],
    [
      'alg none',
      () =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims({ sub: 'alice' }))).toString('base64url')}.`,
      401,
      /algorithm "none" is not accepted/,
    ],
  ])('refuses %s', async (_label, make, status, message) => {
    const refused = await refusal(gateway, make());
    expect(refused.status).toBe(status);
    expect(refused.message).toMatch(message);
  });

  it('follows a key rotation: a token with an unknown kid makes it fetch the JWKS again, at most once per interval', async () => {
    // The gateway refetches at most every 10 s per issuer; let that interval pass since its first fetch.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuer.lastJwksFetchAt + 10_500 - Date.now())));
    const before = issuer.jwksFetches;
    const rotated = signingKey('rsa-2', 'RS256');
    issuer.keys = [rotated, ec];
    const token = jwt(rotated, claims({ sub: 'alice', azp: 'notebook', groups: ['data-team'] }));
    const answer = await client(gateway, token).chat.completions.create({ model: 'echo', messages: HELLO });
    expect(answer.choices[0]?.message.content).toBe('Mock reply to: hello');
    expect(issuer.jwksFetches).toBe(before + 1);
    // Invented kids right after: refused without asking the issuer again (10 s between refetches).
    for (let i = 0; i < 5; i += 1) {
      const refused = await refusal(
        gateway,
        jwt(signingKey(`made-up-${i}`, 'RS256'), claims({ sub: 'alice', azp: 'notebook', groups: ['data-team'] })),
      );
      expect(refused.status).toBe(401);
      expect(refused.message).toMatch(/is not among the keys of issuer/);
    }
    expect(issuer.jwksFetches).toBe(before + 1);
    // The retired key no longer verifies.
    // A token never seen before (a verified token is remembered for a minute, whatever key signed it).
    const retired = await refusal(gateway, jwt(rsa, claims({ sub: 'alice', azp: 'notebook', groups: ['data-team'], jti: 'never-seen' })));
    expect(retired.status).toBe(401);
  }, 30_000);

  it('fetches discovery and JWKS through the egress guard: a denied issuer address is a 503 naming the guard', async () => {
    const fetchesBefore = issuer.jwksFetches;
    const refused = await refusal(guarded, jwt(ec, claims({ sub: 'ci-bot', roles: 'deployer' })));
    expect(refused.status).toBe(503);
    expect(refused.code).toBe('issuer_unavailable');
    expect(refused.message).toMatch(/egress guard/);
    expect(issuer.jwksFetches).toBe(fetchesBefore);
  });

  it('still answers the key secret path unchanged beside token callers', async () => {
    const refused = await refusal(gateway, 'sk-sy-not-a-key-0123456789abcdefghijklmnop');
    expect(refused.status).toBe(401);
    expect(refused.message).toMatch(/invalid API key/);
  });

  it('counts token callers by identity kind and result, with no subject in the labels', async () => {
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    // Summed over every series the labels match (a refusal's kind is unknown when the token named no known issuer).
    const count = (labels: string): number =>
      [...metrics.matchAll(new RegExp(`^switchyard_token_authentications_total\\{${labels}\\} (\\d+)$`, 'gm'))].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
    expect(count('kind="OIDC",result="accepted"')).toBeGreaterThanOrEqual(2);
    expect(count('kind="[A-Za-z]+",result="token_expired"')).toBe(1);
    expect(count('kind="[A-Za-z]+",result="invalid_token"')).toBeGreaterThanOrEqual(4);
    expect(metrics).not.toMatch(/switchyard_token_authentications_total\{[^}]*(alice|ci-bot)/);
    // A key's secret is not a token: it is not counted here.
    expect(metrics).not.toMatch(/switchyard_token_authentications_total\{kind="key"/);
  });
});
