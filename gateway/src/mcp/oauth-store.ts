// Where per-user OAuth state lives (docs/mcp.md, "Per-user OAuth"): the users' tokens, the login
// tickets and the pending authorization flows. Every value is sealed with AES-256-GCM before it is
// stored, with the entry's own name as additional data, so a sealed value copied under another
// identity's or server's name does not open, and a store read by someone without the key file
// yields nothing usable. With --redis-url the entries are in the shared Redis (any replica serves
// the next call, a flow started on one replica finishes on another); otherwise in this process,
// bounded in number, the oldest dropped first.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { luaScript, type RedisConnection } from '../redis/redis-connection.js';

/** Shortest key file accepted (--mcp-oauth-key-file). */
export const MIN_MCP_OAUTH_KEY_BYTES = 32;

/** Encrypts and decrypts store entries; the AES key is derived from the key file's bytes. */
export class OAuthSealer {
  private readonly key: Buffer;

  constructor(secret: Buffer) {
    if (secret.length < MIN_MCP_OAUTH_KEY_BYTES)
      throw new Error(`the MCP OAuth token key must be at least ${MIN_MCP_OAUTH_KEY_BYTES} bytes (--mcp-oauth-key-file)`);
    // Derived rather than used as is, so a key file of any length (at least 32 bytes) gives a 256-bit key.
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'switchyard mcp oauth store v1', 32));
  }

  /** A random per-process key: sealed entries then open only in this process. */
  static ephemeral(): OAuthSealer {
    return new OAuthSealer(randomBytes(MIN_MCP_OAUTH_KEY_BYTES));
  }

  seal(name: string, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${iv.toString('base64url')}.${sealed.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  }

  /** The plaintext, or undefined when the value was not sealed under `name` with this key. */
  open(name: string, value: string): string | undefined {
    const [version, iv, sealed, tag] = value.split('.');
    if (version !== 'v1' || iv === undefined || sealed === undefined || tag === undefined) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(name, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** A key-value store with expiry; `take` reads and deletes in one step (single-use tickets). */
export interface OAuthKeyValueStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string, ttlMs: number): Promise<void>;
  take(name: string): Promise<string | undefined>;
  delete(name: string): Promise<void>;
}

/** In this process: at most `maxEntries`, the least recently used dropped first. */
export class MemoryOAuthStore implements OAuthKeyValueStore {
  private readonly entries = new Map<string, { value: string; expiresAtMs: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get(name: string): Promise<string | undefined> {
    const entry = this.live(name);
    if (entry === undefined) return Promise.resolve(undefined);
    this.entries.delete(name);
    this.entries.set(name, entry);
    return Promise.resolve(entry.value);
  }

  set(name: string, value: string, ttlMs: number): Promise<void> {
    this.entries.delete(name);
    this.entries.set(name, { value, expiresAtMs: this.nowMs() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return Promise.resolve();
  }

  take(name: string): Promise<string | undefined> {
    const entry = this.live(name);
    this.entries.delete(name);
    return Promise.resolve(entry?.value);
  }

  delete(name: string): Promise<void> {
    this.entries.delete(name);
    return Promise.resolve();
  }

  private live(name: string): { value: string; expiresAtMs: number } | undefined {
    const entry = this.entries.get(name);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.nowMs()) {
      this.entries.delete(name);
      return undefined;
    }
    return entry;
  }
}

const GET = luaScript('mcp-oauth-get', "return redis.call('GET', KEYS[1])");
const SET = luaScript('mcp-oauth-set', "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1");
const TAKE = luaScript('mcp-oauth-take', "local v = redis.call('GET', KEYS[1]) if v then redis.call('DEL', KEYS[1]) end return v");
const DELETE = luaScript('mcp-oauth-delete', "redis.call('DEL', KEYS[1]) return 1");

/** In the gateway's shared Redis, under `switchyard:mcp-oauth:`; Redis expires the entries. */
export class RedisOAuthStore implements OAuthKeyValueStore {
  constructor(private readonly redis: RedisConnection) {}

  async get(name: string): Promise<string | undefined> {
    const value = await this.redis.run(GET, [this.key(name)], []);
    return typeof value === 'string' ? value : undefined;
  }

  async set(name: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.run(SET, [this.key(name)], [value, Math.max(1, Math.ceil(ttlMs))]);
  }

  async take(name: string): Promise<string | undefined> {
    const value = await this.redis.run(TAKE, [this.key(name)], []);
    return typeof value === 'string' ? value : undefined;
  }

  async delete(name: string): Promise<void> {
    await this.redis.run(DELETE, [this.key(name)], []);
  }

  private key(name: string): string {
    return `switchyard:mcp-oauth:${name}`;
  }
}

/** Sealed entries over a store: what is written is encrypted under its name, what is read is opened (or ignored). */
export class SealedOAuthStore {
  constructor(
    private readonly store: OAuthKeyValueStore,
    private readonly sealer: OAuthSealer,
  ) {}

  async get<T>(name: string): Promise<T | undefined> {
    return this.opened<T>(name, await this.store.get(name));
  }

  async take<T>(name: string): Promise<T | undefined> {
    return this.opened<T>(name, await this.store.take(name));
  }

  set(name: string, value: unknown, ttlMs: number): Promise<void> {
    return this.store.set(name, this.sealer.seal(name, JSON.stringify(value)), ttlMs);
  }

  delete(name: string): Promise<void> {
    return this.store.delete(name);
  }

  private opened<T>(name: string, sealed: string | undefined): T | undefined {
    if (sealed === undefined) return undefined;
    const text = this.sealer.open(name, sealed);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }
}
