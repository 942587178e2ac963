// Budget reservations and spend in Lua, atomic across every gateway sharing Redis. All budget
// keys share one hash tag so a request's budgets are checked and reserved in one script.
//   account  HASH  spent, reserved (nano-dollars, integer strings), r:<reservation id> -> amount
//   leases   ZSET  reservation id -> lease expiry (ms); expired leases are reclaimed
// Stored amounts change only through HINCRBY (exact 64-bit integers, up to $9.2 billion; "-0" is
// not an integer to Redis, so zero amounts are skipped);
// the room check compares as Lua doubles, exact up to 2^53 nano-dollars ($9,007,199) per budget.
import { luaScript } from '../../redis/redis-connection.js';

const RECLAIM = `
local function reclaim(account, leases, now)
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
  for _, holder in ipairs(expired) do
    local amount = redis.call('HGET', account, 'r:' .. holder)
    if amount then
      redis.call('HDEL', account, 'r:' .. holder)
      if amount ~= '0' then redis.call('HINCRBY', account, 'reserved', '-' .. amount) end
    end
  end
  if #expired > 0 then redis.call('ZREMRANGEBYSCORE', leases, '-inf', now) end
end
`;

// KEYS: account_1, leases_1, ..., account_n, leases_n
// ARGV: now, lease expiry, reservation id, estimate, then per budget: limit, block (1/0), expire-at (0 = never)
export const RESERVE_BUDGETS = luaScript(
  'budget_reserve',
  `${RECLAIM}
local now = tonumber(ARGV[1])
local leaseExpiry = ARGV[2]
local id = ARGV[3]
local estimate = ARGV[4]
local n = #KEYS / 2
local warnings = {}
for i = 1, n do
  local account = KEYS[2 * i - 1]
  reclaim(account, KEYS[2 * i], now)
  local values = redis.call('HMGET', account, 'spent', 'reserved')
  local spent = tonumber(values[1] or '0')
  local reserved = tonumber(values[2] or '0')
  local limit = tonumber(ARGV[4 + 3 * i - 2])
  if spent + reserved + tonumber(estimate) > limit then
    if ARGV[4 + 3 * i - 1] == '1' then
      local spentOut = 0
      if spent >= limit then spentOut = 1 end
      return { 0, i, spentOut }
    end
    warnings[#warnings + 1] = i
  end
end
for i = 1, n do
  local account = KEYS[2 * i - 1]
  local leases = KEYS[2 * i]
  redis.call('HINCRBY', account, 'reserved', estimate)
  redis.call('HSET', account, 'r:' .. id, estimate)
  redis.call('ZADD', leases, leaseExpiry, id)
  local expireAt = tonumber(ARGV[4 + 3 * i])
  if expireAt > 0 then
    redis.call('PEXPIREAT', account, expireAt)
    redis.call('PEXPIREAT', leases, expireAt)
  end
end
local reply = { 1 }
for _, index in ipairs(warnings) do reply[#reply + 1] = index end
return reply
`,
);

// KEYS: account_1, leases_1, ..., account_n, leases_n (the reserved period), then current account_1..n
// ARGV: reservation id, cost (0 releases only), then per budget the current account's expire-at
// Replies {} when the reservation is gone (already settled: a resend), else the current spent values.
export const SETTLE_BUDGETS = luaScript(
  'budget_settle',
  `
local id = ARGV[1]
local cost = ARGV[2]
local n = #KEYS / 3
local found = false
for i = 1, n do
  local account = KEYS[2 * i - 1]
  local amount = redis.call('HGET', account, 'r:' .. id)
  if amount then
    found = true
    redis.call('HDEL', account, 'r:' .. id)
    if amount ~= '0' then redis.call('HINCRBY', account, 'reserved', '-' .. amount) end
    redis.call('ZREM', KEYS[2 * i], id)
  end
end
if not found then return {} end
local spent = {}
for i = 1, n do
  local current = KEYS[2 * n + i]
  if cost ~= '0' then
    spent[i] = redis.call('HINCRBY', current, 'spent', cost)
    local expireAt = tonumber(ARGV[2 + i])
    if expireAt > 0 then redis.call('PEXPIREAT', current, expireAt) end
  else
    spent[i] = tonumber(redis.call('HGET', current, 'spent') or '0')
  end
end
for i = 1, n do spent[i] = tostring(spent[i]) end
return spent
`,
);

// Spend without a reservation (admitted while Redis was unreachable). KEYS: marker, account_1..n
// ARGV: cost, then per account expire-at. The marker makes a resend charge nothing twice.
export const CHARGE_BUDGETS = luaScript(
  'budget_charge',
  `
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', 86400000) then return {} end
local spent = {}
for i = 2, #KEYS do
  spent[#spent + 1] = tostring(redis.call('HINCRBY', KEYS[i], 'spent', ARGV[1]))
  local expireAt = tonumber(ARGV[i])
  if expireAt > 0 then redis.call('PEXPIREAT', KEYS[i], expireAt) end
end
return spent
`,
);

// Raises spent to at least ARGV[1] (state file at start, operator snapshots). KEYS: account
// ARGV: spent, expire-at. Compares the decimal strings exactly (no leading zeros: longer is larger).
export const RAISE_SPENT = luaScript(
  'budget_raise_spent',
  `
local current = redis.call('HGET', KEYS[1], 'spent') or '0'
local wanted = ARGV[1]
if #wanted > #current or (#wanted == #current and wanted > current) then
  redis.call('HSET', KEYS[1], 'spent', wanted)
  current = wanted
end
local expireAt = tonumber(ARGV[2])
if expireAt > 0 then redis.call('PEXPIREAT', KEYS[1], expireAt) end
return current
`,
);

// KEYS: account. Replies {spent, reserved}.
export const READ_ACCOUNT = luaScript(
  'budget_read',
  `
local values = redis.call('HMGET', KEYS[1], 'spent', 'reserved')
return { values[1] or '0', values[2] or '0' }
`,
);

// Settles a held reservation (a batch's, by its handle) exactly once, from any gateway: the
// marker makes a second settlement a no-op; the reservation is released where it is still held
// (a lease that ran out was already reclaimed) and the cost charged either way.
// KEYS: marker, account_1, leases_1, ..., account_n, leases_n, then the n current-period accounts
// ARGV: reservation id, cost, marker ttl ms, then per budget: expire-at (0 = never)
export const SETTLE_HELD = luaScript(
  'budget_settle_held',
  `
local id = ARGV[1]
local cost = ARGV[2]
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[3]) then return {} end
local n = (#KEYS - 1) / 3
for i = 1, n do
  local account = KEYS[2 * i]
  local amount = redis.call('HGET', account, 'r:' .. id)
  if amount then
    redis.call('HDEL', account, 'r:' .. id)
    if amount ~= '0' then redis.call('HINCRBY', account, 'reserved', '-' .. amount) end
    redis.call('ZREM', KEYS[2 * i + 1], id)
  end
end
local spent = {}
for i = 1, n do
  local current = KEYS[1 + 2 * n + i]
  if cost ~= '0' then
    spent[i] = tostring(redis.call('HINCRBY', current, 'spent', cost))
    local expireAt = tonumber(ARGV[3 + i])
    if expireAt > 0 then redis.call('PEXPIREAT', current, expireAt) end
  else
    spent[i] = redis.call('HGET', current, 'spent') or '0'
  end
end
return spent
`,
);
