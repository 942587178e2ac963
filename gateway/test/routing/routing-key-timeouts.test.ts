// Per-key timeouts (VirtualKey spec.timeouts) through the gateway with the OpenAI SDK and a
// controlled upstream: the key's values replace the backend's and the route's of the same name
// for its requests only. A batch key that sets a long firstByte waits for a slow answer the
// route's short timeout cuts off for everyone else; an interactive key with a short firstByte
// fails over to the next tier where the route's own timeout would have waited.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { API_VERSION, documents, openAIClient, testKey } from '../core/core-fixtures.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { answeredBy, compatibleBackend, startControlledUpstream, type ControlledUpstream } from './routing-fixtures.js';

const batchKey = testKey('batchtimeouts');
const interactiveKey = testKey('interactivetimeouts');
const plainKey = testKey('plaintimeouts');

function key(name: string, plaintext: string, timeouts?: Record<string, string>): unknown[] {
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-key`, namespace: 'default' }, stringData: { key: plaintext } },
    {
      apiVersion: API_VERSION,
      kind: 'VirtualKey',
      metadata: { name, namespace: 'default' },
      spec: { secretName: `${name}-key`, ...(timeouts === undefined ? {} : { timeouts }) },
    },
  ];
}

function route(name: string, backends: Array<Record<string, unknown>>, timeouts: Record<string, string>): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: { model: name, backends, timeouts, retry: { attempts: 2, backoff: { initial: '10ms', max: '20ms' } } },
  };
}

describe('per-key timeouts (VirtualKey spec.timeouts)', () => {
  let gateway: GatewayProcess;
  let slow: ControlledUpstream;
  let primary: ControlledUpstream;
  let standby: ControlledUpstream;

  beforeAll(async () => {
    [slow, primary, standby] = await Promise.all(['slow', 'primary', 'standby'].map(startControlledUpstream));
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...key('batch', batchKey, { firstByte: '10s', total: '20s' }),
          ...key('interactive', interactiveKey, { firstByte: '250ms' }),
          ...key('plain', plainKey),
          // One backend whose own firstByte (400ms) replaces the route's: the batch key outlasts both.
          route('single', [compatibleBackend('slow', slow, { timeouts: { firstByte: '400ms' } })], { firstByte: '300ms' }),
          route('tiers', [compatibleBackend('primary', primary), compatibleBackend('standby', standby, { priority: 1 })], {
            firstByte: '5s',
          }),
        ),
      },
    });
  });

  beforeEach(() => {
    for (const upstream of [slow, primary, standby]) upstream.delayMs = 0;
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([slow, primary, standby].map((upstream) => upstream?.close()));
  });

  const ask = (plaintext: string, model: string): Promise<string> =>
    answeredBy(openAIClient(gateway, plaintext).withOptions({ maxRetries: 0 }), { model, messages: [{ role: 'user', content: 'hi' }] });

  it("a key without timeouts is cut off by the backend's firstByte; the batch key's own waits for the answer", async () => {
    slow.delayMs = 1200;
    const refused = await ask(plainKey, 'single').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect(await ask(batchKey, 'single')).toBe('slow');
  });

  it("the interactive key's short firstByte moves a slow attempt to the next tier; other keys wait on the route's", async () => {
    primary.delayMs = 1000;
    expect(await ask(interactiveKey, 'tiers')).toBe('standby');
    expect(await ask(plainKey, 'tiers')).toBe('primary');
  });
});
