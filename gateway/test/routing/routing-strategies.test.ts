// The load-aware strategies through the gateway with the OpenAI SDK and controlled upstreams:
// least-outstanding keeps traffic off a backend that holds its requests, latency moves traffic
// to the faster backend and back after a slow period ends, cheapest prices each request's
// estimated tokens. Distributions are asserted with counts, never with timings.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { API_VERSION, documents, keyObjects, mockBackend, openAIClient, testKey } from '../core/core-fixtures.js';
import { answeredBy, compatibleBackend, countBy, longText, startControlledUpstream, type ControlledUpstream } from './routing-fixtures.js';

const key = testKey('strategies');

function route(name: string, strategy: string, backends: Array<Record<string, unknown>>): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: { model: name, strategy, backends },
  };
}

function priced(backend: Record<string, unknown>, inputPerMillion: string, outputPerMillion: string): Record<string, unknown> {
  return { ...backend, pricing: { inputPerMillion, outputPerMillion } };
}

describe('routing strategies', () => {
  let gateway: GatewayProcess;
  let client: OpenAI;
  let fastUpstream: ControlledUpstream;
  let slowUpstream: ControlledUpstream;

  beforeAll(async () => {
    slowUpstream = await startControlledUpstream('a');
    fastUpstream = await startControlledUpstream('b');
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          route('least', 'least-outstanding', [mockBackend('slow', { latency: '1500ms' }), mockBackend('fast')]),
          route('quick', 'latency', [compatibleBackend('a', slowUpstream), compatibleBackend('b', fastUpstream)]),
          route('cheap', 'cheapest', [
            priced(mockBackend('dear', { weight: 1_000_000 }), '5', '15'),
            priced(mockBackend('thrifty'), '0.10', '0.40'),
          ]),
          route('tradeoff', 'cheapest', [priced(mockBackend('prompt-cheap'), '1', '10'), priced(mockBackend('output-cheap'), '5', '2')]),
          route('cheap-capable', 'cheapest', [
            priced(mockBackend('dear2'), '5', '15'),
            { ...priced(mockBackend('thrifty2'), '0.10', '0.40'), capabilities: { contextWindow: 1000 } },
          ]),
        ),
      },
    });
    client = openAIClient(gateway, key, { timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await gateway?.stop();
    await slowUpstream?.close();
    await fastUpstream?.close();
  });

  it('least-outstanding: a backend holding its requests gets few of them', async () => {
    // 60 requests started 25 ms apart: the fast backend answers each at once, the slow one holds
    // each for 1.5 s, so it only wins while it has no more in flight than the fast one. Weighted
    // choice would give it about 30 (12 or fewer: probability ~2e-6); least-outstanding gives it a
    // handful, with room for a loaded machine where the fast answers take a while too.
    const pending: Array<Promise<string>> = [];
    for (let i = 0; i < 60; i++) {
      pending.push(answeredBy(client, { model: 'least', messages: [{ role: 'user', content: `q${i}` }] }));
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const counts = countBy(await Promise.all(pending));
    expect((counts['slow'] ?? 0) + (counts['fast'] ?? 0)).toBe(60);
    expect(counts['slow'] ?? 0).toBeLessThanOrEqual(12);
  });

  it('latency: traffic leaves a slow backend and comes back once its slow period is over', async () => {
    slowUpstream.delayMs = 300;
    fastUpstream.delayMs = 150;
    const ask = (i: number): Promise<string> => answeredBy(client, { model: 'quick', messages: [{ role: 'user', content: `t${i}` }] });
    const slowPeriod: string[] = [];
    for (let i = 0; i < 12; i++) slowPeriod.push(await ask(i));
    // Both are measured once (an unmeasured backend is tried first); then the faster one serves.
    expect(countBy(slowPeriod)['a'] ?? 0).toBeLessThanOrEqual(3);

    slowUpstream.delayMs = 0;
    // a's stale estimate decays until it is tried again (a few seconds); generous deadline.
    const deadline = Date.now() + 45_000;
    while ((await ask(100)) !== 'a') if (Date.now() > deadline) throw new Error('backend a was never tried again after its slow period');
    const after: string[] = [];
    for (let i = 0; i < 30; i++) after.push(await ask(200 + i));
    // Weighted choice would give a about 15 of 30.
    expect(countBy(after)['a'] ?? 0).toBeGreaterThanOrEqual(27);
  }, 90_000);

  it('cheapest: every request goes to the cheapest backend, whatever the weights', async () => {
    const answered: string[] = [];
    for (let i = 0; i < 10; i++) answered.push(await answeredBy(client, { model: 'cheap', messages: [{ role: 'user', content: 'hi' }] }));
    expect(countBy(answered)).toEqual({ thrifty: 10 });
  });

  it("cheapest: prices this request's estimated prompt and output tokens", async () => {
    // prompt-cheap: $1 in / $10 out; output-cheap: $5 in / $2 out. Equal weights: a weighted
    // choice would get all ten right with probability 2^-10.
    const longPromptShortAnswer: string[] = [];
    const shortPromptLongAnswer: string[] = [];
    for (let i = 0; i < 5; i++) {
      longPromptShortAnswer.push(
        await answeredBy(client, { model: 'tradeoff', max_tokens: 1, messages: [{ role: 'user', content: longText(5000) }] }),
      );
      shortPromptLongAnswer.push(
        await answeredBy(client, { model: 'tradeoff', max_tokens: 4000, messages: [{ role: 'user', content: 'hi' }] }),
      );
    }
    expect(countBy(longPromptShortAnswer)).toEqual({ 'prompt-cheap': 5 });
    expect(countBy(shortPromptLongAnswer)).toEqual({ 'output-cheap': 5 });
  });

  it('cheapest: only among backends that can serve the request', async () => {
    expect(await answeredBy(client, { model: 'cheap-capable', messages: [{ role: 'user', content: 'hi' }] })).toBe('thrifty2');
    expect(await answeredBy(client, { model: 'cheap-capable', messages: [{ role: 'user', content: longText(6000) }] })).toBe('dear2');
  });
});
