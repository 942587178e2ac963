// The Redis response store against a recording connection: where and for how long an entry is
// written, what it refuses to store, and how a failing Redis shows (503 on lookup, a
// rate-limited, counted warning on write).
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { RedisResponseStore } from '../../../src/frontdoors/openai-responses/redis-response-store.js';
import type { StoredTurn } from '../../../src/frontdoors/openai-responses/response-store.js';
import type { LuaScript, RedisConnection } from '../../../src/redis/redis-connection.js';
import { SharedStoreUnavailableError } from '../../../src/redis/shared-store-unavailable.js';
import type { Logger } from '@switchyard/compiler';

interface Call {
  keys: readonly string[];
  args: ReadonlyArray<string | number>;
}

/** A connection backed by a Map, honouring the store's script by its arguments; `down` makes it fail like an unreachable Redis. */
function recordingRedis() {
  const data = new Map<string, string>();
  const calls: Call[] = [];
  const state = { down: false };
  const connection: RedisConnection = {
    up: false,
    onReady: () => undefined,
    waitReady: () => Promise.resolve(true),
    close: () => Promise.resolve(),
    run(script: LuaScript, keys, args) {
      calls.push({ keys, args });
      if (state.down) return Promise.reject(new SharedStoreUnavailableError(script.name, new Error('connect ECONNREFUSED 127.0.0.1:6379')));
      const key = keys[0] as string;
      if (args[0] === 'set') {
        data.set(key, String(args[1]));
        return Promise.resolve(1);
      }
      return Promise.resolve(data.get(key) ?? null);
    },
  };
  return { connection, data, calls, state };
}

function recordingLogger() {
  const warnings: Array<{ msg: string; fields: Record<string, unknown> | undefined }> = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (msg, fields) => void warnings.push({ msg, fields }),
    error: () => undefined,
    child: () => logger,
  };
  return { logger, warnings };
}

const conversation = (id: string, text = 'hello'): StoredTurn & { messages: StoredTurn['appended'] } => {
  const messages: StoredTurn['appended'] = [{ role: 'user', content: [{ type: 'text', text }] }];
  return { id, previous: undefined, appended: messages, messages };
};

describe('Redis response store', () => {
  it('writes under the hashed scope and the id, with the TTL, and reads it back only under that scope', async () => {
    const redis = recordingRedis();
    const store = new RedisResponseStore({ redis: redis.connection, logger: recordingLogger().logger, ttlMs: 90_000 });
    const put = store.put('default/app', conversation('resp_1'));
    // Issued before put returns: the ordering argument depends on it.
    expect(redis.calls.at(-1)?.args[0]).toBe('set');
    await put;
    const key = `switchyard:responses:${createHash('sha256').update('default/app').digest('hex')}:resp_1`;
    expect(redis.calls.at(-1)).toEqual({ keys: [key], args: ['set', expect.any(String), 90_000] });
    expect((await store.get('default/app', 'resp_1'))?.messages).toEqual(conversation('resp_1').messages);
    expect(await store.get('default/other', 'resp_1')).toBeUndefined();
    expect(await store.get('default/app', 'resp_2')).toBeUndefined();
  });

  it('stores a continuation as the whole conversation, so any replica reads it from one key', async () => {
    const redis = recordingRedis();
    const store = new RedisResponseStore({ redis: redis.connection, logger: recordingLogger().logger });
    await store.put('k', conversation('resp_1', 'first'));
    const first = await store.get('k', 'resp_1');
    const second = conversation('resp_2', 'second');
    await store.put('k', { ...second, previous: first });
    expect((await store.get('k', 'resp_2'))?.messages).toEqual([...conversation('resp_1', 'first').messages, ...second.messages]);
  });

  it('defaults to the in-memory TTL of one hour', async () => {
    const redis = recordingRedis();
    await new RedisResponseStore({ redis: redis.connection, logger: recordingLogger().logger }).put('k', conversation('resp_1'));
    expect(redis.calls.at(-1)?.args[2]).toBe(3_600_000);
  });

  it('does not store an entry above the size limit, and says so once per interval', async () => {
    const redis = recordingRedis();
    const log = recordingLogger();
    const store = new RedisResponseStore({ redis: redis.connection, logger: log.logger, maxEntryBytes: 200 });
    await store.put('k', conversation('resp_big', 'x'.repeat(300)));
    await store.put('k', conversation('resp_big2', 'x'.repeat(300)));
    await store.put('k', conversation('resp_small'));
    expect([...redis.data.keys()].map((key) => key.split(':').at(-1))).toEqual(['resp_small']);
    expect(log.warnings.map((w) => w.msg)).toEqual([
      'responses store: a conversation is too large to store; previous_response_id will not find it',
    ]);
    expect(store.unstoredCount).toBe(2);
  });

  it('Redis unreachable: a lookup rejects with a 503 naming the problem, a write is logged once and counted', async () => {
    const redis = recordingRedis();
    const log = recordingLogger();
    const store = new RedisResponseStore({ redis: redis.connection, logger: log.logger });
    redis.state.down = true;
    const caught = await store.get('k', 'resp_1').catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(GatewayError);
    expect(caught).toMatchObject({ status: 503, code: 'response_store_unavailable', param: 'previous_response_id' });
    expect((caught as Error).message).toMatch(
      /^The response store \(Redis\) is unreachable, so previous_response_id 'resp_1' cannot be looked up/,
    );

    await expect(store.put('k', conversation('resp_1'))).resolves.toBeUndefined();
    await store.put('k', conversation('resp_2'));
    const writeWarnings = log.warnings.filter((w) => w.msg.startsWith('responses store: a conversation could not be stored'));
    expect(writeWarnings).toHaveLength(1);
    expect(writeWarnings[0]?.fields).toMatchObject({ error: expect.stringContaining('ECONNREFUSED'), occurrences: 1 });
    expect(store.unstoredCount).toBe(2);
  });

  it('an entry that is not a stored conversation reads as not found, with a warning', async () => {
    const redis = recordingRedis();
    const log = recordingLogger();
    const store = new RedisResponseStore({ redis: redis.connection, logger: log.logger });
    redis.data.set(`switchyard:responses:${createHash('sha256').update('k').digest('hex')}:resp_1`, '{"v":99}');
    expect(await store.get('k', 'resp_1')).toBeUndefined();
    expect(log.warnings[0]?.fields).toEqual(expect.objectContaining({ problem: 'format version 99, expected 1' }));
  });
});
