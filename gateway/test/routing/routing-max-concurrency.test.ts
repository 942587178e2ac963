// Per-backend maxConcurrency and timeouts through the gateway with the OpenAI SDK and controlled
// upstreams: a full backend's requests wait for a slot (never more in flight than the limit), a
// request spills to another backend with room, a wait longer than the first-byte timeout is a
// 503 backends_saturated naming the limits, and a backend's own firstByte timeout moves a slow
// attempt to the next backend while the route's timeout still governs the others.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { API_VERSION, documents, keyObjects, openAIClient, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { answeredBy, compatibleBackend, countBy, startControlledUpstream, type ControlledUpstream } from './routing-fixtures.js';

const key = testKey('concurrency');

function route(name: string, backends: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: { model: name, backends, retry: { attempts: 2, backoff: { initial: '10ms', max: '20ms' } }, ...extra },
  };
}

describe('per-backend maxConcurrency and timeouts', () => {
  let gateway: GatewayProcess;
  let client: OpenAI;
  let single: ControlledUpstream;
  let left: ControlledUpstream;
  let right: ControlledUpstream;
  let tight: ControlledUpstream;
  let slow: ControlledUpstream;
  let steady: ControlledUpstream;

  beforeAll(async () => {
    [single, left, right, tight, slow, steady] = await Promise.all(
      ['single', 'left', 'right', 'tight', 'slow', 'steady'].map(startControlledUpstream),
    );
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          route('queued', [compatibleBackend('single', single as ControlledUpstream, { maxConcurrency: 1 })]),
          route('spill', [
            compatibleBackend('left', left as ControlledUpstream, { maxConcurrency: 1 }),
            compatibleBackend('right', right as ControlledUpstream, { maxConcurrency: 1, priority: 1 }),
          ]),
          // The queue waits up to the route's first-byte timeout; the backend's own is longer, so
          // the request holding the slot is still in flight when the waiting one gives up.
          route(
            'bounded',
            [compatibleBackend('tight', tight as ControlledUpstream, { maxConcurrency: 1, timeouts: { firstByte: '5s' } })],
            {
              timeouts: { firstByte: '400ms' },
            },
          ),
          route('per-backend', [
            compatibleBackend('slow', slow as ControlledUpstream, { timeouts: { firstByte: '300ms' } }),
            compatibleBackend('steady', steady as ControlledUpstream, { priority: 1 }),
          ]),
        ),
      },
    });
    client = openAIClient(gateway, key);
  });

  beforeEach(() => {
    for (const upstream of [single, left, right, tight, slow, steady]) {
      upstream.delayMs = 0;
      upstream.maxInFlight = 0;
      upstream.authorizations.length = 0;
    }
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([single, left, right, tight, slow, steady].map((upstream) => upstream?.close()));
  });

  const ask = (model: string): Promise<string> => answeredBy(client, { model, messages: [{ role: 'user', content: 'hi' }] });

  it('a full backend queues: four concurrent requests all succeed, never more than one in flight upstream', async () => {
    single.delayMs = 150;
    const answered = await Promise.all([ask('queued'), ask('queued'), ask('queued'), ask('queued')]);
    expect(answered).toEqual(['single', 'single', 'single', 'single']);
    expect(single.authorizations).toHaveLength(4);
    expect(single.maxInFlight).toBe(1);
  });

  it('a request spills to another backend (another tier) while the first is full', async () => {
    left.delayMs = 300;
    right.delayMs = 300;
    const answered = await Promise.all([ask('spill'), ask('spill')]);
    expect(countBy(answered)).toEqual({ left: 1, right: 1 });
    expect(left.maxInFlight).toBe(1);
    expect(right.maxInFlight).toBe(1);
  });

  it('a wait longer than the first-byte timeout is a 503 backends_saturated naming the limit', async () => {
    tight.delayMs = 1500;
    const first = ask('bounded');
    // The first request holds the only slot for 1.5 s; the second may wait 400 ms.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = client.chat.completions.create({ model: 'bounded', messages: [{ role: 'user', content: 'hi' }] });
    await expect(second).rejects.toMatchObject({ status: 503, code: 'backends_saturated' });
    await expect(second).rejects.toThrow(
      'every backend of model `bounded` is at its maxConcurrency: no slot freed within the first-byte timeout (400 ms; maxConcurrency tight: 1)',
    );
    expect(await first).toBe('tight');
    expect(tight.maxInFlight).toBe(1);
    expect(tight.authorizations).toHaveLength(1);
  });

  it("a backend's own firstByte timeout fails its slow attempt over to the next backend", async () => {
    slow.delayMs = 1000;
    steady.delayMs = 600;
    // steady answers after 600 ms: past slow's 300 ms but within the route's default 30 s.
    expect(await ask('per-backend')).toBe('steady');
    expect(slow.authorizations).toHaveLength(1);
  });
});
