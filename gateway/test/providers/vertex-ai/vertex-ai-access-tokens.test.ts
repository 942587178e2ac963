// The access-token life of a vertex-ai backend, through the gateway process: refreshed ahead
// of expiry, shared by concurrent requests, and every way of failing to get one classified
// (a broken key file, a refused assertion, an unavailable or unreachable token endpoint, a
// token fetch slower than the first-byte deadline) without a secret in any message.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import { startVertexAIMockServer, type VertexAIMockServer } from '../../mocks/vertex-ai-mock-server.js';
import { documents, secret, vertexRoute, virtualKey } from './vertex-ai-manifests.js';
import { createTestServiceAccount, TEST_CLIENT_EMAIL, TEST_LOCATION, TEST_PROJECT } from './vertex-ai-test-support.js';

const VIRTUAL_KEY = 'sk-sy-VertexTokens0123456789abcdefghijXYZ';
const account = createTestServiceAccount();
// Same email, another key pair: the mock's signature check refuses its assertions.
const impostor = createTestServiceAccount();
const BROKEN_KEY_MARKER = 'MIIBrokenKeyMaterialThatMustNeverBeEchoed';

let vertex: VertexAIMockServer;
let gateway: GatewayProcess;
let client: OpenAI;

/** Each route gets its own key file (another key id), so its token cache starts empty. */
function keyFile(id: string, overrides: Record<string, unknown> = {}): string {
  return account.json(vertex.tokenUri, { private_key_id: id, ...overrides });
}

function tokenRequests(): number {
  return vertex.requests.filter((r) => r.url === '/token').length;
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function withTimeouts(route: unknown, timeouts: Record<string, string>): unknown {
  const typed = route as { spec: Record<string, unknown> };
  return { ...typed, spec: { ...typed.spec, timeouts } };
}

async function failureOf(model: string): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }] }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

beforeAll(async () => {
  vertex = await startVertexAIMockServer({
    publicKey: account.publicKeyPem,
    clientEmail: TEST_CLIENT_EMAIL,
    project: TEST_PROJECT,
    location: TEST_LOCATION,
  });
  const where = (name: string) => ({ baseURL: vertex.url, project: TEST_PROJECT, location: TEST_LOCATION, secret: name });
  const manifests = documents(
    secret('gcp-short', { 'sa.json': keyFile('short-lived') }),
    secret('gcp-shared', { 'sa.json': keyFile('shared') }),
    secret('gcp-slow', { 'sa.json': keyFile('slow') }),
    secret('gcp-unavailable', { 'sa.json': keyFile('unavailable') }),
    secret('gcp-unreachable', { 'sa.json': keyFile('unreachable', { token_uri: 'http://127.0.0.1:9/token' }) }),
    secret('gcp-impostor', { 'sa.json': impostor.json(vertex.tokenUri) }),
    secret('gcp-broken', {
      'sa.json': JSON.stringify({
        type: 'service_account',
        client_email: TEST_CLIENT_EMAIL,
        private_key: `-----BEGIN PRIVATE KEY-----\n${BROKEN_KEY_MARKER}\n-----END PRIVATE KEY-----\n`,
        token_uri: vertex.tokenUri,
      }),
    }),
    secret('gcp-incomplete', {
      'sa.json': JSON.stringify({ type: 'service_account', private_key: account.privateKeyPem, token_uri: vertex.tokenUri }),
    }),
    ...virtualKey('app', VIRTUAL_KEY),
    vertexRoute('short-lived', 'gemini-2.5-flash', where('gcp-short')),
    vertexRoute('shared', 'claude-sonnet-4-5@20250929', where('gcp-shared')),
    withTimeouts(vertexRoute('slow', 'gemini-2.5-flash', where('gcp-slow')), { firstByte: '400ms' }),
    vertexRoute('unavailable', 'gemini-2.5-flash', where('gcp-unavailable')),
    vertexRoute('unreachable', 'gemini-2.5-flash', where('gcp-unreachable')),
    vertexRoute('impostor', 'gemini-2.5-flash', where('gcp-impostor')),
    vertexRoute('broken', 'gemini-2.5-flash', where('gcp-broken')),
    vertexRoute('incomplete', 'gemini-2.5-flash', where('gcp-incomplete')),
  );
  gateway = await startGateway({ manifests: { 'vertex.yaml': manifests } });
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: VIRTUAL_KEY, maxRetries: 0, timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await vertex?.close();
});

beforeEach(() => vertex.reset());

describe('vertex-ai access tokens', () => {
  it('reuses a token, then refreshes it when it is about to expire', async () => {
    // 302 s: inside the 5-minute refresh margin two seconds after issue.
    vertex.setTokenLifetime(302);
    await client.chat.completions.create({ model: 'short-lived', messages: [{ role: 'user', content: 'one' }] });
    await client.chat.completions.create({ model: 'short-lived', messages: [{ role: 'user', content: 'two' }] });
    expect(vertex.issuedTokens).toHaveLength(1);
    expect(vertex.calls.map((c) => c.token)).toEqual([vertex.issuedTokens[0], vertex.issuedTokens[0]]);

    await new Promise((resolve) => setTimeout(resolve, 2_300));
    // Still valid for minutes: this request keeps the current token while the refresh runs.
    await client.chat.completions.create({ model: 'short-lived', messages: [{ role: 'user', content: 'three' }] });
    await waitFor(() => vertex.issuedTokens.length === 2);
    await client.chat.completions.create({ model: 'short-lived', messages: [{ role: 'user', content: 'four' }] });
    expect(vertex.calls[3]!.token).toBe(vertex.issuedTokens[1]);
    expect(vertex.tokenRequests.every((r) => r.accepted)).toBe(true);
    vertex.setTokenLifetime(3600);
  });

  it('concurrent requests on a cold cache share one token fetch', async () => {
    vertex.setTokenDelay(300);
    const before = vertex.issuedTokens.length;
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        client.chat.completions.create({ model: 'shared', messages: [{ role: 'user', content: `hi ${i}` }] }),
      ),
    );
    expect(answers.every((a) => a.choices[0]!.finish_reason === 'stop')).toBe(true);
    expect(vertex.issuedTokens.length - before).toBe(1);
    expect(new Set(vertex.calls.map((c) => c.token))).toEqual(new Set([vertex.issuedTokens[before]]));
  });

  it('a key file whose private_key does not parse: 502 naming the backend and the problem, nothing secret, no token request', async () => {
    const error = await failureOf('broken');
    expect(error.status).toBe(502);
    expect(error.message).toContain('backend broken-backend');
    expect(error.message).toContain('private_key that is not a PEM private key');
    expect(error.message).toContain('default/gcp-broken/sa.json');
    expect(error.message).not.toContain(BROKEN_KEY_MARKER);
    expect(error.message).not.toContain('PRIVATE KEY');
    expect(tokenRequests()).toBe(0);
    expect(gateway.logs()).not.toContain(BROKEN_KEY_MARKER);
  });

  it('a key file without client_email: 502 naming the missing field, not retried', async () => {
    const error = await failureOf('incomplete');
    expect(error.status).toBe(502);
    expect(error.message).toContain('has no client_email');
    expect(error.message).toContain('AuthError');
    expect(error.headers?.get('x-switchyard-attempts')).toBe('1');
    expect(error.message).not.toContain(account.privateKeyPem.slice(60, 100));
  });

  it("the token endpoint refusing the assertion: 502 AuthError with Google's description, not retried", async () => {
    const error = await failureOf('impostor');
    expect(error.status).toBe(502);
    expect(error.message).toContain('backend impostor-backend');
    expect(error.message).toContain('invalid_grant: Invalid JWT Signature.');
    expect(error.message).toContain('AuthError');
    expect(error.headers?.get('x-switchyard-attempts')).toBe('1');
    expect(vertex.tokenRequests).toHaveLength(1);
    expect(vertex.tokenRequests[0]!.accepted).toBe(false);
    expect(vertex.calls).toHaveLength(0);
  });

  it('the token endpoint answering 503: ServerError, retried by the route policy', async () => {
    vertex.setTokenReply({ status: 503, body: { error: 'temporarily_unavailable', error_description: 'Try again later.' } });
    const error = await failureOf('unavailable');
    expect(error.status).toBe(502);
    expect(error.message).toContain('ServerError');
    expect(error.message).toContain('temporarily_unavailable');
    expect(error.headers?.get('x-switchyard-attempts')).toBe('2');
    expect(tokenRequests()).toBe(2);
    expect(vertex.calls).toHaveLength(0);
  });

  it('the token endpoint unreachable: ConnectError, retried', async () => {
    const error = await failureOf('unreachable');
    expect(error.status).toBe(502);
    expect(error.message).toContain('ConnectError');
    expect(error.message).toContain('token endpoint');
    expect(error.headers?.get('x-switchyard-attempts')).toBe('2');
  });

  it('the token fetch counts inside the first-byte deadline: a slow token endpoint times the attempt out', async () => {
    vertex.setTokenDelay(1_500);
    const started = Date.now();
    const error = await failureOf('slow');
    expect(error.status).toBe(504);
    expect(error.message).toContain('firstByte timeout after 400 ms');
    // One attempt (Timeout is not in this route's retry.on) ending at 400 ms, not when the token arrives at 1.5 s.
    expect(Date.now() - started).toBeLessThan(1_400);
    expect(vertex.calls).toHaveLength(0);
  });

  it('a token fetch recovers once the endpoint does: the next request gets a token', async () => {
    vertex.setTokenReply({ status: 503, body: { error: 'temporarily_unavailable' } });
    await failureOf('unavailable');
    vertex.setTokenReply(undefined);
    const answer = await client.chat.completions.create({ model: 'unavailable', messages: [{ role: 'user', content: 'hello' }] });
    expect(answer.choices[0]!.message.content).toContain('strawberry');
  });
});
