// With --redis-url, a conversation started on one gateway replica continues on another through
// previous_response_id (the official SDK, two gateway processes, a real redis-server), still
// scoped to the virtual key; with Redis down a follow-up gets a clear 503, not "not found", and
// the gateway keeps serving everything else.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { keyObjects, manifestsOf, startCountingUpstream, testKey, type CountingUpstream } from '../../cache/cache-fixtures.js';
import { apiRefusal, openAIBackend, openAIClient, routeObject, secretObject } from '../../core/core-fixtures.js';
import { redisServerAvailable, startRedisServer, type RedisServer } from '../../governance/redis-server-process.js';
import { startGateway, type GatewayProcess } from '../../support/gateway-process.js';

const APP_KEY = testKey('responsesreplicaapp');
const OTHER_KEY = testKey('responsesreplicaother');
const MODEL = 'replicated';
const describeWithRedis = redisServerAvailable() ? describe : describe.skip;

/** The upstream's last chat request, as [role, text] pairs. */
function lastUpstreamConversation(upstream: CountingUpstream): Array<[string, string]> {
  const body = upstream.server.requests.at(-1)?.json as { messages: Array<{ role: string; content: string | Array<{ text?: string }> }> };
  return body.messages.map((m) => [m.role, typeof m.content === 'string' ? m.content : m.content.map((p) => p.text ?? '').join('')]);
}

describeWithRedis('responses front door: previous_response_id across replicas sharing Redis', () => {
  let redis: RedisServer;
  let upstream: CountingUpstream;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    upstream = await startCountingUpstream();
    const manifests = {
      'all.yaml': manifestsOf(
        ...keyObjects({ name: 'app', key: APP_KEY }),
        ...keyObjects({ name: 'other', key: OTHER_KEY }),
        secretObject('openai', { apiKey: 'sk-upstream-test' }),
        routeObject({ name: MODEL, backends: [openAIBackend('replicated-backend', upstream.server.url)], retry: { attempts: 1 } }),
      ),
    };
    const args = ['--redis-url', redis.url, '--redis-timeout', '200ms'];
    [a, b] = await Promise.all([startGateway({ manifests, args }), startGateway({ manifests, args })]);
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await upstream?.close();
    await redis?.stop();
  });

  it('a conversation started on one replica continues on the other', async () => {
    const first = await openAIClient(a, APP_KEY).responses.create({ model: MODEL, input: 'My name is Ada.' });
    expect(first.output_text).toMatch(/^answer #\d+ to My name is Ada\.$/);
    const second = await openAIClient(b, APP_KEY).responses.create({
      model: MODEL,
      input: 'What is my name?',
      previous_response_id: first.id,
    });
    expect(second.previous_response_id).toBe(first.id);
    expect(lastUpstreamConversation(upstream)).toEqual([
      ['user', 'My name is Ada.'],
      ['assistant', first.output_text],
      ['user', 'What is my name?'],
    ]);
    // And back: the second turn, stored by B, continues on A with the whole history.
    await openAIClient(a, APP_KEY).responses.create({ model: MODEL, input: 'Thanks.', previous_response_id: second.id });
    expect(lastUpstreamConversation(upstream)).toEqual([
      ['user', 'My name is Ada.'],
      ['assistant', first.output_text],
      ['user', 'What is my name?'],
      ['assistant', second.output_text],
      ['user', 'Thanks.'],
    ]);
  });

  it('a streamed first turn continues on the other replica once its stream has ended', async () => {
    const stream = await openAIClient(a, APP_KEY).responses.create({ model: MODEL, input: 'Stream me a story.', stream: true });
    let id: string | undefined;
    let text = '';
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') id = event.response.id;
    }
    expect(id).toMatch(/^resp_/);
    await openAIClient(b, APP_KEY).responses.create({ model: MODEL, input: 'And then?', previous_response_id: id });
    expect(lastUpstreamConversation(upstream)).toEqual([
      ['user', 'Stream me a story.'],
      ['assistant', text],
      ['user', 'And then?'],
    ]);
  });

  it('another virtual key cannot continue it on either replica: the same error as an unknown id', async () => {
    const first = await openAIClient(a, APP_KEY).responses.create({ model: MODEL, input: 'The launch code is swordfish.' });
    const calls = upstream.calls();
    for (const gateway of [a, b]) {
      const error = await apiRefusal(
        openAIClient(gateway, OTHER_KEY).responses.create({ model: MODEL, input: 'What was the code?', previous_response_id: first.id }),
      );
      expect(error.status).toBe(400);
      expect(error.error).toEqual({
        message: `Previous response with id '${first.id}' not found.`,
        type: 'invalid_request_error',
        code: 'previous_response_not_found',
        param: 'previous_response_id',
      });
    }
    expect(upstream.calls()).toBe(calls);
  });

  it('Redis down: a follow-up gets 503 naming the problem, everything else is still served', async () => {
    const first = await openAIClient(a, APP_KEY).responses.create({ model: MODEL, input: 'Remember this.' });
    await redis.kill();
    try {
      const error = await apiRefusal(
        openAIClient(b, APP_KEY).responses.create({ model: MODEL, input: 'What did I say?', previous_response_id: first.id }),
      );
      expect(error.status).toBe(503);
      expect(error.error).toEqual({
        message: `The response store (Redis) is unreachable, so previous_response_id '${first.id}' cannot be looked up right now; retry shortly.`,
        type: 'api_error',
        code: 'response_store_unavailable',
        param: 'previous_response_id',
      });
      expect(error.headers?.get('retry-after')).toBe('1');

      // A first turn is answered (its conversation cannot be stored, which is logged) and chat completions work.
      const fresh = await openAIClient(b, APP_KEY).responses.create({ model: MODEL, input: 'A new topic.' });
      expect(fresh.status).toBe('completed');
      const chat = await openAIClient(b, APP_KEY).chat.completions.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'still there?' }],
      });
      expect(chat.choices[0]?.message.content).toMatch(/^answer #\d+ to still there\?$/);
      await waitFor(() => b.logs().includes('responses store: a conversation could not be stored in Redis'));
      expect(b.logs()).toContain('responses store: Redis unavailable; previous_response_id requests answer 503');
    } finally {
      await redis.restart();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
