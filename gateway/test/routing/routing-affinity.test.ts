// Prompt-cache affinity through the gateway with the OpenAI SDK: the turns of one conversation
// (named by prompt_cache_key, the session header, `user`, or the stable prefix of the prompt)
// stay on one backend and credential; an ejected backend breaks the affinity and the
// conversation sticks to the backend that took over; a backend's affinityTTL outlasts the route's.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type OpenAI from 'openai';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { API_VERSION, documents, keyObjects, mockBackend, openAIClient, secretObject, testKey } from '../core/core-fixtures.js';
import { answeredBy, compatibleBackend, countBy, startControlledUpstream, type ControlledUpstream } from './routing-fixtures.js';

const key = testKey('affinity');
const TURNS = 6;

function route(name: string, spec: Record<string, unknown>): unknown {
  return { apiVersion: API_VERSION, kind: 'ModelRoute', metadata: { name, namespace: 'default' }, spec: { model: name, ...spec } };
}

const THREE = [mockBackend('m1'), mockBackend('m2'), mockBackend('m3')];

describe('prompt-cache affinity', () => {
  let gateway: GatewayProcess;
  let client: OpenAI;
  let x: ControlledUpstream;
  let y: ControlledUpstream;

  beforeAll(async () => {
    x = await startControlledUpstream('x');
    y = await startControlledUpstream('y');
    const credentials = ['c1', 'c2', 'c3'].map((name) => ({ secretRef: { name, key: 'apiKey' } }));
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          ...keyObjects({ name: 'k', key }),
          ...['c1', 'c2', 'c3'].map((name) => secretObject(name, { apiKey: `sk-upstream-${name}-0123456789` })),
          route('sticky', { affinity: { enabled: true, ttl: '5m' }, backends: THREE }),
          route('loose', { backends: THREE }),
          route('pair', {
            affinity: { enabled: true },
            retry: { attempts: 2, backoff: { initial: '1ms', max: '2ms' } },
            outlierDetection: { consecutiveFailures: 1, ejectionTime: '10m' },
            backends: [compatibleBackend('x', x, { credentials }), compatibleBackend('y', y, { credentials })],
          }),
          // x serves first (tier 0); y takes over while x is ejected (for 500ms). The route keeps a
          // conversation for 1s; on 'long', y keeps it for an hour (its prompt cache lives longer).
          ...['short', 'long'].map((name) =>
            route(name, {
              affinity: { enabled: true, ttl: '1s' },
              retry: { attempts: 2, backoff: { initial: '1ms', max: '2ms' } },
              outlierDetection: { consecutiveFailures: 1, ejectionTime: '500ms' },
              backends: [
                compatibleBackend('x', x),
                compatibleBackend('y', y, { priority: 1, ...(name === 'long' ? { affinityTTL: '1h' } : {}) }),
              ],
            }),
          ),
        ),
      },
    });
    client = openAIClient(gateway, key);
  });
  afterAll(async () => {
    await gateway?.stop();
    await x?.close();
    await y?.close();
  });

  async function conversation(turn: (i: number) => Promise<string>): Promise<Record<string, number>> {
    const answered: string[] = [];
    for (let i = 0; i < TURNS; i++) answered.push(await turn(i));
    return countBy(answered);
  }

  it('keeps each session on one backend while sessions spread over all of them', async () => {
    const used = new Set<string>();
    for (let s = 0; s < 12; s++) {
      const counts = await conversation((i) =>
        answeredBy(client, { model: 'sticky', messages: [{ role: 'user', content: `turn ${i}` }] }, { 'x-switchyard-session': `s${s}` }),
      );
      expect(Object.values(counts)).toEqual([TURNS]);
      for (const name of Object.keys(counts)) used.add(name);
    }
    // 12 sessions on one backend of three by chance: 3^-11.
    expect(used.size).toBeGreaterThan(1);
  });

  it('without affinity the same session spreads', async () => {
    const answered: string[] = [];
    for (let i = 0; i < 30; i++)
      answered.push(
        await answeredBy(client, { model: 'loose', messages: [{ role: 'user', content: 'x' }] }, { 'x-switchyard-session': 's' }),
      );
    expect(Object.keys(countBy(answered)).length).toBeGreaterThan(1);
  });

  it.each([
    ['prompt_cache_key', (i: number) => ({ prompt_cache_key: 'conv-42', messages: [{ role: 'user' as const, content: `q${i}` }] })],
    ['user', (i: number) => ({ user: 'end-user-7', messages: [{ role: 'user' as const, content: `q${i}` }] })],
    [
      'the stable prefix (system prompt and first user message)',
      (i: number) => ({
        messages: [
          { role: 'system' as const, content: 'You are a careful assistant.' },
          { role: 'user' as const, content: 'Tell me about tides.' },
          ...Array.from({ length: i }, (_, j) => [
            { role: 'assistant' as const, content: `answer ${j}` },
            { role: 'user' as const, content: `follow-up ${j}` },
          ]).flat(),
        ],
      }),
    ],
  ])('identifies a conversation by %s', async (_name, body) => {
    // Several conversations, so one landing on a single backend by chance cannot pass the test.
    for (let c = 0; c < 4; c++) {
      const counts = await conversation((i) => {
        const turn = body(i) as Record<string, unknown>;
        const messages = (turn.messages as Array<{ role: string; content: string }>).map((m) => ({ ...m, content: `${m.content} #${c}` }));
        const keyed: Record<string, unknown> = { ...turn, messages };
        if (typeof turn.prompt_cache_key === 'string') keyed.prompt_cache_key = `${turn.prompt_cache_key}-${c}`;
        if (typeof turn.user === 'string') keyed.user = `${turn.user}-${c}`;
        return answeredBy(client, { model: 'sticky', ...(keyed as Omit<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, 'model'>) });
      });
      expect(Object.values(counts)).toEqual([TURNS]);
    }
  });

  it('keeps the credential too, and an ejected backend breaks the affinity', async () => {
    const ask = (i: number): Promise<string> =>
      answeredBy(client, { model: 'pair', messages: [{ role: 'user', content: `p${i}` }] }, { 'x-switchyard-session': 'eject-me' });
    const first = await conversation(ask);
    expect(Object.values(first)).toEqual([TURNS]);
    const stuck = Object.keys(first)[0] === 'x' ? x : y;
    const other = stuck === x ? y : x;
    const otherName = stuck === x ? 'y' : 'x';
    expect(new Set(stuck.authorizations).size).toBe(1);
    expect(other.authorizations).toHaveLength(0);

    // The sticky backend fails once: it is ejected (consecutiveFailures 1), the retry goes to the other.
    stuck.status = 500;
    expect(await ask(100)).toBe(otherName);
    stuck.status = 200;
    const after = await conversation((i) => ask(200 + i));
    expect(after).toEqual({ [otherName]: TURNS });
    // The new backend keeps one credential for the conversation as well.
    expect(new Set(other.authorizations).size).toBe(1);
  });

  it("keeps a conversation on a backend for the backend's affinityTTL, past the route's ttl", async () => {
    for (const upstream of [x, y]) {
      upstream.status = 200;
      upstream.authorizations.length = 0;
    }
    const ask = (model: string, session: string): Promise<string> =>
      answeredBy(client, { model, messages: [{ role: 'user', content: 'q' }] }, { 'x-switchyard-session': session });
    // x fails once: ejected on both routes, the retries land on y, which becomes each conversation's backend.
    x.status = 500;
    expect(await ask('short', 'ttl-short')).toBe('y');
    expect(await ask('long', 'ttl-long')).toBe('y');
    x.status = 200;
    // Past the ejection (500ms) and the route's ttl (1s).
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await ask('short', 'ttl-short')).toBe('x');
    expect(await ask('long', 'ttl-long')).toBe('y');
  });
});
