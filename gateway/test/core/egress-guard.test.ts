// Upstreams that resolve to denied ranges are refused at connect time: link-local (cloud
// metadata) by default, any list via --deny-upstream-cidrs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../mocks/openai-mock-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, errorOf, HELLO, keyObjects, openAIBackend, postJson, routeObject, secretObject, testKey } from './core-fixtures.js';

const key = testKey('egress');

function manifests(upstreamUrl: string): Record<string, string> {
  return {
    'all.yaml': documents(
      ...keyObjects({ name: 'k', key }),
      secretObject('openai', { apiKey: OPENAI_MOCK_API_KEY }),
      routeObject({
        name: 'metadata',
        retry: { attempts: 1 },
        backends: [{ ...openAIBackend('metadata-service', 'http://169.254.169.254'), baseURL: 'http://169.254.169.254/v1' }],
      }),
      routeObject({ name: 'loopback', retry: { attempts: 1 }, backends: [openAIBackend('loopback-upstream', upstreamUrl)] }),
      routeObject({
        name: 'loopback-by-name',
        retry: { attempts: 1 },
        backends: [openAIBackend('named-upstream', upstreamUrl.replace('127.0.0.1', 'localhost'))],
      }),
    ),
  };
}

describe('egress guard', () => {
  let upstream: OpenAIMockServer;
  let defaults: GatewayProcess;
  let strict: GatewayProcess;

  beforeAll(async () => {
    upstream = await startOpenAIMockServer();
    [defaults, strict] = await Promise.all([
      startGateway({ manifests: manifests(upstream.url) }),
      startGateway({ manifests: manifests(upstream.url), args: ['--deny-upstream-cidrs', '127.0.0.0/8,::1/128'] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([defaults?.stop(), strict?.stop()]);
    await upstream?.close();
  });

  it('refuses a link-local upstream by default without connecting', async () => {
    const started = Date.now();
    const response = await postJson(defaults, '/v1/chat/completions', key, { model: 'metadata', messages: HELLO });
    expect(response.status).toBe(502);
    expect(errorOf(response.json).message).toContain('169.254.169.254');
    expect(errorOf(response.json).message).toContain('--deny-upstream-cidrs');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('allows loopback by default', async () => {
    expect((await postJson(defaults, '/v1/chat/completions', key, { model: 'loopback', messages: HELLO })).status).toBe(200);
  });

  it('refuses whatever --deny-upstream-cidrs lists, by address and by resolved name', async () => {
    const before = upstream.requests.length;
    const direct = await postJson(strict, '/v1/chat/completions', key, { model: 'loopback', messages: HELLO });
    expect(direct.status).toBe(502);
    expect(errorOf(direct.json).message).toMatch(/127\.0\.0\.1, which --deny-upstream-cidrs refuses/);
    const named = await postJson(strict, '/v1/chat/completions', key, { model: 'loopback-by-name', messages: HELLO });
    expect(named.status).toBe(502);
    expect(errorOf(named.json).message).toMatch(/localhost resolves to/);
    expect(upstream.requests.length).toBe(before);
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
