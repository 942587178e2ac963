// The rate-limit model of rate-limiter.ts in Lua, run atomically by Redis so every gateway
// sharing it sees one window per key. Keys of one VirtualKey share a hash tag ({...}), so the
// scripts also run on Redis Cluster.
//   KEYS[1] requests  ZSET  member admission id, score admission time (ms)
//   KEYS[2] tokens    HASH  field 1 s slot end (ms), value settled tokens
//   KEYS[3] inflight  ZSET  member admission id, score lease expiry (ms)
//   KEYS[4] held      HASH  field admission id, value held tokens; field "_sum" their total
// Times come from the gateways (ARGV), which keep NTP time; the test clock moves them together.
import { luaScript } from '../../redis/redis-connection.js';

export const ACQUIRE_RATE = luaScript(
  'rate_limit_acquire',
  `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local rpm = tonumber(ARGV[3])
local tpm = tonumber(ARGV[4])
local conc = tonumber(ARGV[5])
local tokens = tonumber(ARGV[6])
local id = ARGV[7]
local lease = tonumber(ARGV[8])
local cutoff = now - window

-- Reclaim what crashed holders never settled.
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, holder in ipairs(expired) do
  local held = redis.call('HGET', KEYS[4], holder)
  if held then
    redis.call('HDEL', KEYS[4], holder)
    redis.call('HINCRBY', KEYS[4], '_sum', 0 - tonumber(held))
  end
end
if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)

local settled = 0
local newestSlot = -1
local slots = {}
local fields = redis.call('HGETALL', KEYS[2])
for i = 1, #fields, 2 do
  local slotEnd = tonumber(fields[i])
  if slotEnd <= cutoff then
    redis.call('HDEL', KEYS[2], fields[i])
  else
    local amount = tonumber(fields[i + 1])
    settled = settled + amount
    slots[#slots + 1] = { slotEnd, amount }
    if slotEnd > newestSlot then newestSlot = slotEnd end
  end
end

local count = redis.call('ZCARD', KEYS[1])
local inflight = redis.call('ZCARD', KEYS[3])
local held = tonumber(redis.call('HGET', KEYS[4], '_sum') or '0')
local refused = ''
local limit = 0
local retry = 0
if conc >= 0 and inflight >= conc then
  refused = 'concurrency'; limit = conc; retry = 1000
elseif rpm >= 0 and count >= rpm then
  local freeing = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
  refused = 'requests'; limit = rpm; retry = tonumber(freeing[2]) + window - now
elseif tpm >= 0 and tokens > tpm then
  refused = 'tokens_exceed_limit'; limit = tpm; retry = window
elseif tpm >= 0 and settled + held + tokens > tpm then
  refused = 'tokens'; limit = tpm; retry = 1000
  local excess = settled + held + tokens - tpm
  table.sort(slots, function(a, b) return a[1] < b[1] end)
  local freed = 0
  for _, slot in ipairs(slots) do
    freed = freed + slot[2]
    if freed >= excess then retry = slot[1] + window - now; break end
  end
end

if refused == '' then
  redis.call('ZADD', KEYS[1], now, id)
  redis.call('ZADD', KEYS[3], lease, id)
  redis.call('HSET', KEYS[4], id, tokens)
  redis.call('HINCRBY', KEYS[4], '_sum', tokens)
  count = count + 1
  held = held + tokens
end
redis.call('PEXPIRE', KEYS[1], window + 1000)
local keep = math.max(lease - now, window) + 1000
redis.call('PEXPIRE', KEYS[3], keep)
redis.call('PEXPIRE', KEYS[4], keep)

local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local newestRequest = -1
if #newest == 2 then newestRequest = tonumber(newest[2]) end
return { refused, limit, retry, count, settled + held, newestRequest, newestSlot }
`,
);

// ARGV: id, actual tokens (-1 when none), slot end for them, window, cancel (1 undoes the admission)
export const SETTLE_RATE = luaScript(
  'rate_limit_settle',
  `
local id = ARGV[1]
local actual = tonumber(ARGV[2])
local slotEnd = ARGV[3]
local window = tonumber(ARGV[4])
local cancel = ARGV[5] == '1'
-- Only the holder's first settle counts: a retried settle finds nothing to release.
if redis.call('ZREM', KEYS[3], id) == 0 then return 0 end
local held = redis.call('HGET', KEYS[4], id)
if held then
  redis.call('HDEL', KEYS[4], id)
  redis.call('HINCRBY', KEYS[4], '_sum', 0 - tonumber(held))
end
if cancel then
  redis.call('ZREM', KEYS[1], id)
elseif actual > 0 then
  redis.call('HINCRBY', KEYS[2], slotEnd, actual)
  redis.call('PEXPIRE', KEYS[2], window + 2000)
end
return 1
`,
);
