// The batch store in Redis (--redis-url): every replica finds every file and batch record, and
// a batch's charge is claimed once across all of them (SET NX). Records are JSON strings under
// `switchyard:batches:<kind>:<id>` with the record TTL; each key's ids are a sorted set by
// creation time under `switchyard:batches:index:<kind>:<key id>` for the list endpoints. An
// unreachable Redis answers 503 (`batch_store_unavailable`): the object may well exist.
import { GatewayError } from '../../errors/gateway-error.js';
import { luaScript, type RedisConnection } from '../../redis/redis-connection.js';
import { SharedStoreUnavailableError } from '../../redis/shared-store-unavailable.js';
import { BATCH_RECORD_TTL_MS, type BatchStore, type StoredBatch, type StoredFile, type StoredKind } from './batch-store.js';

const PREFIX = 'switchyard:batches:';

// KEYS: record, index. ARGV: value, ttl ms, score, id
const PUT = luaScript(
  'batches-put',
  `local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if existed == 0 then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4]) end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1`,
);
const GET = luaScript('batches-get', `return redis.call('GET', KEYS[1])`);
// KEYS: record, index. ARGV: id
const REMOVE = luaScript('batches-remove', `redis.call('DEL', KEYS[1]) redis.call('ZREM', KEYS[2], ARGV[1]) return 1`);
// KEYS: index, record prefix is ARGV[3]. ARGV: limit, after ('' for none), record key prefix
const LIST = luaScript(
  'batches-list',
  `local start = 0
if ARGV[2] ~= '' then
  local rank = redis.call('ZREVRANK', KEYS[1], ARGV[2])
  if rank then start = rank + 1 end
end
local ids = redis.call('ZREVRANGE', KEYS[1], start, -1)
local out = {}
for _, id in ipairs(ids) do
  if #out >= tonumber(ARGV[1]) then break end
  if redis.call('EXISTS', ARGV[3] .. id) == 1 then out[#out + 1] = id else redis.call('ZREM', KEYS[1], id) end
end
return out`,
);
// KEYS: marker. ARGV: ttl ms
const CLAIM = luaScript('batches-claim-charge', `if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 end return 0`);

function unavailable(error: unknown): unknown {
  if (!(error instanceof SharedStoreUnavailableError)) return error;
  return new GatewayError('no_backend', 'the files and batches store (Redis) is unreachable; try again', {
    code: 'batch_store_unavailable',
    cause: error,
  });
}

export class RedisBatchStore implements BatchStore {
  constructor(private readonly redis: RedisConnection) {}

  private async run(script: Parameters<RedisConnection['run']>[0], keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await this.redis.run(script, keys, args);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async put(kind: StoredKind, record: StoredFile | StoredBatch): Promise<void> {
    await this.run(
      PUT,
      [`${PREFIX}${kind}:${record.id}`, `${PREFIX}index:${kind}:${record.keyId}`],
      [JSON.stringify(record), BATCH_RECORD_TTL_MS, record.createdAt, record.id],
    );
  }

  async get<K extends StoredKind>(kind: K, id: string): Promise<(K extends 'file' ? StoredFile : StoredBatch) | undefined> {
    const value = await this.run(GET, [`${PREFIX}${kind}:${id}`], []);
    if (typeof value !== 'string') return undefined;
    return JSON.parse(value) as K extends 'file' ? StoredFile : StoredBatch;
  }

  async remove(kind: StoredKind, id: string, keyId: string): Promise<void> {
    await this.run(REMOVE, [`${PREFIX}${kind}:${id}`, `${PREFIX}index:${kind}:${keyId}`], [id]);
  }

  async list(kind: StoredKind, keyId: string, limit: number, after: string | undefined): Promise<string[]> {
    const ids = await this.run(LIST, [`${PREFIX}index:${kind}:${keyId}`], [limit, after ?? '', `${PREFIX}${kind}:`]);
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  }

  async claimCharge(batchId: string): Promise<boolean> {
    return Number(await this.run(CLAIM, [`${PREFIX}charged:${batchId}`], [BATCH_RECORD_TTL_MS])) === 1;
  }
}
