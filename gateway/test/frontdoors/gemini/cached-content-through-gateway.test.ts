// Gemini context caches through the gateway: the official @google/genai SDK names a cache with
// `config.cachedContent`; the gateway carries it to a Gemini backend (a `cachedContents/{id}`
// name) or a Gemini model on Vertex AI (a `projects/.../cachedContents/{id}` name), never to a
// backend that cannot read it (OpenAI, Claude on Vertex, the other Google API), and keeps every
// request reading one cache on one backend and credential: the cache lives in one project.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { GoogleGenAI } from '@google/genai';
import { startGeminiMockServer, type GeminiMockServer } from '../../mocks/gemini-mock-server.js';
import { OPENAI_MOCK_API_KEY, startOpenAIMockServer, type OpenAIMockServer } from '../../mocks/openai-mock-server.js';
import { startVertexAIMockServer, type VertexAIMockServer } from '../../mocks/vertex-ai-mock-server.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';
import {
  createTestServiceAccount,
  TEST_CLIENT_EMAIL,
  TEST_LOCATION,
  TEST_PROJECT,
} from '../../providers/vertex-ai/vertex-ai-test-support.js';

const API_VERSION = 'switchyard.dev/v1alpha1';
const VIRTUAL_KEY = 'sk-sy-CachedContent0123456789abcdefghijklmnXYZ';
const KEY_A = 'gemini-project-a-key';
const KEY_B = 'gemini-project-b-key';
const GEMINI_CACHE = 'cachedContents/handbook-2026';
const VERTEX_CACHE = `projects/${TEST_PROJECT}/locations/${TEST_LOCATION}/cachedContents/4242`;
const account = createTestServiceAccount();

// As in the other @google/genai tests: hand the SDK a fetch so it does not look for undici.
const realmFetch: typeof fetch = (input, init) => fetch(input, init);

function documents(...objects: unknown[]): string {
  return `${objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n')}\n`;
}

function secret(name: string, data: Record<string, string>): unknown {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, stringData: data };
}

function route(name: string, backends: unknown[], extra: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: { model: name, backends, retry: { attempts: 1 }, outlierDetection: { consecutiveFailures: 1000, ejectionTime: '1s' }, ...extra },
  };
}

let geminiA: GeminiMockServer;
let geminiB: GeminiMockServer;
let openai: OpenAIMockServer;
let vertex: VertexAIMockServer;
let gateway: GatewayProcess;
let client: GoogleGenAI;

beforeAll(async () => {
  geminiA = await startGeminiMockServer({ apiKey: KEY_A });
  geminiB = await startGeminiMockServer({ apiKey: KEY_B });
  openai = await startOpenAIMockServer();
  vertex = await startVertexAIMockServer({
    publicKey: account.publicKeyPem,
    clientEmail: TEST_CLIENT_EMAIL,
    project: TEST_PROJECT,
    location: TEST_LOCATION,
  });
  const vertexWhere = { baseURL: vertex.url, vertex: { project: TEST_PROJECT, location: TEST_LOCATION } };
  const vertexCredentials = [{ secretRef: { name: 'gcp', key: 'sa.json' } }];
  const openaiBackend = {
    name: 'openai',
    provider: 'openai',
    model: 'gpt-4o-mini',
    baseURL: `${openai.url}/v1`,
    credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
  };
  gateway = await startGateway({
    manifests: {
      'cached-content.yaml': documents(
        secret('gemini', { a: KEY_A, b: KEY_B }),
        secret('openai', { apiKey: OPENAI_MOCK_API_KEY }),
        secret('gcp', { 'sa.json': account.json(vertex.tokenUri) }),
        secret('app-key', { key: VIRTUAL_KEY }),
        { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name: 'app', namespace: 'default' }, spec: { secretName: 'app-key' } },
        // Five equally weighted backends; the route has no affinity of its own.
        route('pooled', [
          {
            name: 'gemini-a',
            provider: 'gemini',
            model: 'gemini-2.5-flash',
            baseURL: geminiA.url,
            credentials: [{ secretRef: { name: 'gemini', key: 'a' } }],
          },
          {
            name: 'gemini-b',
            provider: 'gemini',
            model: 'gemini-2.5-flash',
            baseURL: geminiB.url,
            credentials: [{ secretRef: { name: 'gemini', key: 'b' } }],
          },
          openaiBackend,
          { name: 'vertex-gemini', provider: 'vertex-ai', model: 'gemini-2.5-flash', ...vertexWhere, credentials: vertexCredentials },
          {
            name: 'vertex-claude',
            provider: 'vertex-ai',
            model: 'claude-sonnet-4-5@20250929',
            ...vertexWhere,
            credentials: vertexCredentials,
          },
        ]),
        route('openai-only', [openaiBackend]),
        // Affinity of one second: a context cache is still pinned for an hour.
        route(
          'short-affinity',
          [
            {
              name: 'short-a',
              provider: 'gemini',
              model: 'gemini-2.5-flash',
              baseURL: geminiA.url,
              credentials: [{ secretRef: { name: 'gemini', key: 'a' } }],
            },
            {
              name: 'short-b',
              provider: 'gemini',
              model: 'gemini-2.5-flash',
              baseURL: geminiB.url,
              credentials: [{ secretRef: { name: 'gemini', key: 'b' } }],
            },
          ],
          { affinity: { enabled: true, ttl: '1s' } },
        ),
      ),
    },
  });
  client = new GoogleGenAI({
    apiKey: VIRTUAL_KEY,
    httpOptions: { baseUrl: `${gateway.url}/genai`, retryOptions: { attempts: 1 }, timeout: 20_000, fetch: realmFetch },
  });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([geminiA?.close(), geminiB?.close(), openai?.close(), vertex?.close()]);
});

beforeEach(() => {
  geminiA.reset();
  geminiB.reset();
  openai.reset();
  vertex.reset();
});

describe('Gemini cachedContent through the gateway', () => {
  it('carries a Gemini API cache to one gemini backend and credential, turn after turn', async () => {
    for (let turn = 0; turn < 12; turn++) {
      const response = await client.models.generateContent({
        model: 'pooled',
        contents: `question ${turn}`,
        config: { cachedContent: GEMINI_CACHE },
      });
      expect(response.text).toBeTruthy();
    }
    const counts = [geminiA.calls.length, geminiB.calls.length].sort((x, y) => x - y);
    // All twelve on one Gemini project (a 5-way or even a 2-way random split would scatter them).
    expect(counts).toEqual([0, 12]);
    const calls = [...geminiA.calls, ...geminiB.calls];
    expect(calls.every((call) => (call.body as { cachedContent?: string }).cachedContent === GEMINI_CACHE)).toBe(true);
    expect(openai.requests).toHaveLength(0);
    expect(vertex.calls).toHaveLength(0);
  });

  it('carries a Vertex AI cache only to the Gemini model on Vertex', async () => {
    for (let turn = 0; turn < 4; turn++) {
      await client.models.generateContent({ model: 'pooled', contents: `question ${turn}`, config: { cachedContent: VERTEX_CACHE } });
    }
    expect(vertex.calls.map((call) => [call.publisher, call.model])).toEqual(Array(4).fill(['google', 'gemini-2.5-flash']));
    expect(vertex.calls.every((call) => (call.body as { cachedContent?: string }).cachedContent === VERTEX_CACHE)).toBe(true);
    expect(geminiA.calls.length + geminiB.calls.length + openai.requests.length).toBe(0);
  });

  it('keeps a cache pinned past a shorter route affinity TTL', async () => {
    for (let turn = 0; turn < 8; turn++) {
      // Each turn comes after the route's one-second affinity has run out.
      if (turn > 0) await new Promise((resolve) => setTimeout(resolve, 1_100));
      await client.models.generateContent({
        model: 'short-affinity',
        contents: `question ${turn}`,
        config: { cachedContent: GEMINI_CACHE },
      });
    }
    // Without the hour's pin, each turn would be a fresh 50:50 pick (all eight on one: 1 in 128).
    expect([geminiA.calls.length, geminiB.calls.length].sort((x, y) => x - y)).toEqual([0, 8]);
  }, 30_000);

  it('refuses with a 400 saying why when no backend of the route can read the cache', async () => {
    const error = await client.models
      .generateContent({ model: 'openai-only', contents: 'hello', config: { cachedContent: GEMINI_CACHE } })
      .then(
        () => undefined,
        (e: unknown) => e as { status?: number; message?: string },
      );
    expect(error?.status).toBe(400);
    const message = (JSON.parse(error?.message ?? '{}') as { error?: { message?: string } }).error?.message;
    expect(message).toContain('backend "openai" of model openai-only: the request reads cachedContent');
    expect(message).toContain('readable only by a gemini backend');
    expect(openai.requests).toHaveLength(0);
  });

  it('refuses a cachedContent that names no cache, with a 400 naming the field', async () => {
    // Raw HTTP: the SDK would prefix a bare id with `cachedContents/` itself.
    const response = await fetch(`${gateway.url}/genai/v1beta/models/pooled:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': VIRTUAL_KEY },
      body: JSON.stringify({ cachedContent: 'handbook', contents: [{ role: 'user', parts: [{ text: 'hello' }] }] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain('cachedContent must name a context cache');
  });
});
