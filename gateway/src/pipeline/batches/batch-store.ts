// Where the gateway keeps what it knows about the files and batches it issued ids for: which
// virtual key owns each, which route, backend and credential hold it upstream, and the
// upstream's own id. Callers only ever see the gateway's random ids (`file-sy…`, `batch_sy…`),
// so an id says nothing about the upstream account, a made-up id finds nothing (404), and every
// later call about an object goes to the backend and credential that hold it (sticky routing).
// With --redis-url the records live in Redis, so every replica finds them; without, in this
// process (one replica). The same store makes a batch's charge happen once (`claimCharge`).
import { randomBytes } from 'node:crypto';
import type { ProviderName } from '@switchyard/compiler';

/** How long the gateway remembers a file or batch: OpenAI keeps batch files 30 days by default. */
export const BATCH_RECORD_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** Where an object lives upstream: the route and backend it was routed to, and the credential (by its reference, never its value). */
export interface StickyTarget {
  routeId: string;
  /** The route's public model name (what the caller's lines name). */
  model: string;
  backend: string;
  provider: ProviderName;
  /** `CompiledCredential.ref` of the credential that created it; undefined for a backend without credentials. */
  credentialRef: string | undefined;
}

export interface StoredFile extends StickyTarget {
  id: string;
  keyId: string;
  /** `input` (uploaded by the caller), `output` or `errors` (a batch's results and failed lines, fetched through the gateway). */
  role: 'input' | 'output' | 'errors';
  purpose: string;
  filename: string;
  bytes: number;
  createdAt: number;
  /** The upstream's file id (OpenAI, Azure); undefined for files the gateway keeps itself. */
  upstreamId: string | undefined;
  /** An input file for Anthropic, kept here: Message Batches take their requests inline. */
  content?: string;
  /** An output file's batch. */
  batchId?: string;
  /** Requests in an input file, and the budget estimate made from them at upload. */
  requests: number;
  promptTokens: number;
  maxOutputTokens: number;
}

export interface StoredBatch extends StickyTarget {
  id: string;
  keyId: string;
  upstreamId: string;
  inputFileId: string;
  completionWindow: string;
  metadata: Record<string, string> | undefined;
  createdAt: number;
  /** The budget reservation held from submission until the results are fetched (governance's handle). */
  hold: string | undefined;
}

/** Largest upload /v1/files accepts by default (--max-file-bytes): the whole file is read and checked before it is sent on. */
export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;
/** Most requests one batch input file may hold by default (--max-batch-lines); OpenAI's own limit is 50,000. */
export const DEFAULT_MAX_BATCH_LINES = 50_000;

/** What the files and batches operations are given: the store, and the upload limits. */
export interface BatchServices {
  store: BatchStore;
  /** Largest upload /v1/files accepts, in bytes. */
  maxFileBytes: number;
  /** Most requests one batch input file may hold. */
  maxBatchLines: number;
}

export type StoredKind = 'file' | 'batch';
type Stored<K extends StoredKind> = K extends 'file' ? StoredFile : StoredBatch;

export interface BatchStore {
  put<K extends StoredKind>(kind: K, record: Stored<K>): Promise<void>;
  get<K extends StoredKind>(kind: K, id: string): Promise<Stored<K> | undefined>;
  remove(kind: StoredKind, id: string, keyId: string): Promise<void>;
  /** The key's ids, newest first, after `after` (exclusive) when given; at most `limit`. */
  list(kind: StoredKind, keyId: string, limit: number, after: string | undefined): Promise<string[]>;
  /** True for exactly one caller per batch, on any replica: that one charges the batch's results. */
  claimCharge(batchId: string): Promise<boolean>;
}

/** A fresh public id: 24 random bytes, so ids cannot be guessed or enumerated. */
export function newPublicId(kind: StoredKind): string {
  const random = randomBytes(24).toString('base64url');
  return kind === 'file' ? `file-sy${random}` : `batch_sy${random}`;
}

/** One replica's store: records in memory, expired by age when read. */
export class InMemoryBatchStore implements BatchStore {
  private readonly records = new Map<string, { value: StoredFile | StoredBatch; expiresAt: number }>();
  private readonly indexes = new Map<string, Array<{ id: string; at: number }>>();
  private readonly charged = new Set<string>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  async put<K extends StoredKind>(kind: K, record: Stored<K>): Promise<void> {
    const key = `${kind}:${record.id}`;
    const existed = this.records.has(key);
    this.records.set(key, { value: record, expiresAt: this.nowMs() + BATCH_RECORD_TTL_MS });
    if (existed) return;
    const index = this.indexes.get(`${kind}:${record.keyId}`) ?? [];
    index.push({ id: record.id, at: record.createdAt });
    this.indexes.set(`${kind}:${record.keyId}`, index);
  }

  async get<K extends StoredKind>(kind: K, id: string): Promise<Stored<K> | undefined> {
    const entry = this.records.get(`${kind}:${id}`);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.nowMs()) {
      this.records.delete(`${kind}:${id}`);
      return undefined;
    }
    return entry.value as Stored<K>;
  }

  async remove(kind: StoredKind, id: string, keyId: string): Promise<void> {
    this.records.delete(`${kind}:${id}`);
    const index = this.indexes.get(`${kind}:${keyId}`);
    if (index !== undefined)
      this.indexes.set(
        `${kind}:${keyId}`,
        index.filter((entry) => entry.id !== id),
      );
  }

  async list(kind: StoredKind, keyId: string, limit: number, after: string | undefined): Promise<string[]> {
    const index = [...(this.indexes.get(`${kind}:${keyId}`) ?? [])].reverse();
    const start = after === undefined ? 0 : index.findIndex((entry) => entry.id === after) + 1;
    const ids: string[] = [];
    for (const entry of index.slice(start)) {
      if (ids.length >= limit) break;
      if ((await this.get(kind, entry.id)) !== undefined) ids.push(entry.id);
    }
    return ids;
  }

  async claimCharge(batchId: string): Promise<boolean> {
    if (this.charged.has(batchId)) return false;
    this.charged.add(batchId);
    return true;
  }
}
