// Upstreams that resolve to denied ranges are refused at connect time: link-local and the cloud
// metadata addresses by default, any list via --deny-upstream-cidrs. Unspecified addresses count
// as the loopback they reach, and callers are told only that the backend was refused: the
// address goes to the request's log line.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, errorOf, HELLO, keyObjects, openAIBackend, postJson, routeObject, secretObject, testKey } from './core-fixtures.js';

const key = testKey('egress');

function manifests(upstreamUrl: string): Record<string, string> {
  const port = new URL(upstreamUrl).port;
  return {
    'all.yaml': documents(
      ...keyObjects({ name: 'k', key }),
      secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
      routeObject({
        name: 'metadata',
        retry: { attempts: 1 },
        backends: [{ ...openAIBackend('metadata-service', 'http://169.254.169.254'), baseURL: 'http://169.254.169.254/v1' }],
      }),
      routeObject({
        name: 'alibaba-metadata',
        retry: { attempts: 1 },
        backends: [openAIBackend('alibaba-metadata-service', 'http://100.100.100.200')],
      }),
      routeObject({ name: 'loopback', retry: { attempts: 1 }, backends: [openAIBackend('loopback-upstream', upstreamUrl)] }),
      routeObject({
        name: 'loopback-by-name',
        retry: { attempts: 1 },
        backends: [openAIBackend('named-upstream', upstreamUrl.replace('127.0.0.1', 'localhost'))],
      }),
      routeObject({
        name: 'unspecified',
        retry: { attempts: 1 },
        backends: [openAIBackend('unspecified-upstream', `http://0.0.0.0:${port}`)],
      }),
      routeObject({ name: 'zero', retry: { attempts: 1 }, backends: [openAIBackend('zero-upstream', `http://0:${port}`)] }),
      routeObject({
        name: 'mapped',
        retry: { attempts: 1 },
        backends: [openAIBackend('mapped-upstream', `http://[::ffff:127.0.0.1]:${port}`)],
      }),
    ),
  };
}

/** The `failedAttempts` of the request log line with this model, once it is written. */
async function failedAttemptsLogged(gateway: GatewayProcess, model: string): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    for (const line of gateway.logs().split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === 'request' && entry.model === model && Array.isArray(entry.failedAttempts))
        return entry.failedAttempts as Record<string, unknown>[];
    }
    if (Date.now() > deadline) throw new Error(`no request log line for ${model}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('egress guard', () => {
  let upstream: OpenAIMockServer;
  let defaults: GatewayProcess;
  let strict: GatewayProcess;

  beforeAll(async () => {
    upstream = await startOpenAIMockServer();
    [defaults, strict] = await Promise.all([
      startGateway({ manifests: manifests(upstream.url) }),
      startGateway({ manifests: manifests(upstream.url), args: ['--deny-upstream-cidrs', '127.0.0.0/8'] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([defaults?.stop(), strict?.stop()]);
    await upstream?.close();
  });

  it('refuses link-local and cloud metadata upstreams by default without connecting, naming no address to the caller', async () => {
    for (const [model, address] of [
      ['metadata', '169.254.169.254'],
      ['alibaba-metadata', '100.100.100.200'],
    ] as const) {
      const started = Date.now();
      const response = await postJson(defaults, '/v1/chat/completions', key, { model, messages: HELLO });
      expect(response.status).toBe(502);
      expect(errorOf(response.json).message).toContain('refused by the egress guard');
      expect(errorOf(response.json).message).toContain('--deny-upstream-cidrs');
      expect(JSON.stringify(response.json)).not.toContain(address);
      expect(Date.now() - started).toBeLessThan(2_000);
      const [attempt] = await failedAttemptsLogged(defaults, model);
      expect(attempt?.logDetail).toContain(address);
    }
  });

  it('allows loopback by default', async () => {
    expect((await postJson(defaults, '/v1/chat/completions', key, { model: 'loopback', messages: HELLO })).status).toBe(200);
    expect((await postJson(defaults, '/v1/chat/completions', key, { model: 'unspecified', messages: HELLO })).status).toBe(200);
  });

  it('refuses whatever --deny-upstream-cidrs lists, by address and by resolved name', async () => {
    const before = upstream.requests.length;
    const direct = await postJson(strict, '/v1/chat/completions', key, { model: 'loopback', messages: HELLO });
    expect(direct.status).toBe(502);
    expect(errorOf(direct.json).message).toContain('refused by the egress guard');
    expect(JSON.stringify(direct.json)).not.toContain('127.0.0.1');
    const named = await postJson(strict, '/v1/chat/completions', key, { model: 'loopback-by-name', messages: HELLO });
    expect(named.status).toBe(502);
    expect(errorOf(named.json).message).toContain('refused by the egress guard');
    expect(JSON.stringify(named.json)).not.toMatch(/127\.0\.0\.1|::1/);
    const [attempt] = await failedAttemptsLogged(strict, 'loopback-by-name');
    expect(attempt?.logDetail).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
    expect(upstream.requests.length).toBe(before);
  });

  it('treats 0.0.0.0, 0 and IPv4-mapped loopback as the loopback they reach', async () => {
    const before = upstream.requests.length;
    for (const model of ['unspecified', 'zero', 'mapped']) {
      const response = await postJson(strict, '/v1/chat/completions', key, { model, messages: HELLO });
      expect(response.status).toBe(502);
      expect(errorOf(response.json).message).toContain('refused by the egress guard');
      expect(JSON.stringify(response.json)).not.toMatch(/0\.0\.0\.0|127\.0\.0\.1|::ffff/);
    }
    expect(upstream.requests.length).toBe(before);
    const [attempt] = await failedAttemptsLogged(strict, 'unspecified');
    expect(attempt?.logDetail).toContain('0.0.0.0');
  });

  it('lets --deny-upstream-cidrs lift the default', async () => {
    const open = await startGateway({ manifests: manifests(upstream.url), args: ['--deny-upstream-cidrs', ''] });
    try {
      const response = await postJson(open, '/v1/chat/completions', key, { model: 'metadata', messages: HELLO });
      // Now a connection is attempted: it fails or times out, but not because of the guard.
      expect(errorOf(response.json).message).not.toContain('--deny-upstream-cidrs');
    } finally {
      await open.stop();
    }
  });
});
