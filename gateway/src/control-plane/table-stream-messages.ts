// The gateway's side of the control-plane protocol: checks what the operator sends (the paths,
// header names and message shapes both ends share: @switchyard/compiler's table-stream-protocol).
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import {
  isRecord,
  TABLE_ENCODING,
  type HelloMessage,
  type RoutingTable,
  type TableChanges,
  type TableDeltaMessage,
} from '@switchyard/compiler';
import type { SpendSnapshot, SpendSnapshotEntry } from '../governance/budget/budget-ledger.js';
import { entryInterner } from '../table/table-interning.js';
import { gunzipTableJson, TableJsonError } from './table-json-reader.js';

const gunzipAsync = promisify(gunzip);

class TableMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableMessageError';
  }
}

export function parseHello(data: string): HelloMessage {
  const value = parseJson(data, 'hello');
  if (typeof value.session !== 'string' || value.session === '') throw new TableMessageError('hello without a session');
  return { session: value.session, replica: typeof value.replica === 'string' ? value.replica : '' };
}

/** A decoded `table` event: the table and, from an operator that sends deltas, its entry digest. */
export interface DecodedTable {
  table: RoutingTable;
  digest: string | undefined;
}

/** A decoded `delta` event: what it applies to, what it yields, and the changes. */
export interface DecodedDelta {
  message: Omit<TableDeltaMessage, 'changes' | 'data' | 'size'>;
  changes: TableChanges;
}

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/**
 * Decodes a `table` event into the RoutingTable it carries, checking what can be checked cheaply.
 * Entries equal to those of `current` (the table the gateway holds) are that table's objects.
 */
export async function decodeTableMessage(data: string, current?: RoutingTable): Promise<DecodedTable> {
  const message = parseJson(data, 'table');
  if (message.encoding !== TABLE_ENCODING) throw new TableMessageError(`unsupported table encoding ${JSON.stringify(message.encoding)}`);
  if (typeof message.version !== 'number' || typeof message.hash !== 'string' || typeof message.data !== 'string') {
    throw new TableMessageError('table message without version, hash or data');
  }
  // Decoded entry by entry as it is gunzipped: neither the whole JSON nor one string of it is ever held.
  let decoded: { table: Record<string, unknown>; bytes: number };
  try {
    decoded = await gunzipTableJson(Buffer.from(message.data, 'base64'), entryInterner(current));
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof TableJsonError) throw new TableMessageError('routing table message is not JSON');
    throw new TableMessageError(`table data does not decompress: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof message.size === 'number' && decoded.bytes !== message.size) {
    throw new TableMessageError(`table is ${decoded.bytes} bytes, the message says ${message.size}`);
  }
  const table = decoded.table as unknown as RoutingTable;
  if (table.version !== message.version || table.hash !== message.hash)
    throw new TableMessageError('table version or hash differ from the message');
  if (
    typeof table.routes !== 'object' ||
    table.routes === null ||
    !Array.isArray(table.keys) ||
    !Array.isArray(table.budgets) ||
    typeof table.modelsByNamespace !== 'object'
  ) {
    throw new TableMessageError('routing table without routes, keys, budgets or modelsByNamespace');
  }
  const digest = typeof message.digest === 'string' && HEX_DIGEST.test(message.digest) ? message.digest : undefined;
  return { table, digest };
}

/** Decodes a `delta` event; the changes are checked when applied (common/table-delta.ts). */
export async function decodeDeltaMessage(data: string): Promise<DecodedDelta> {
  const m = parseJson(data, 'delta');
  if (
    typeof m.baseVersion !== 'number' ||
    typeof m.version !== 'number' ||
    typeof m.baseHash !== 'string' ||
    typeof m.hash !== 'string' ||
    typeof m.compiledAt !== 'string' ||
    typeof m.baseDigest !== 'string' ||
    typeof m.digest !== 'string' ||
    !HEX_DIGEST.test(m.baseDigest) ||
    !HEX_DIGEST.test(m.digest)
  ) {
    throw new TableMessageError('delta message without base and resulting version, hash and digest');
  }
  let changes: unknown;
  if (m.encoding === 'json') {
    changes = m.changes;
  } else if (m.encoding === TABLE_ENCODING && typeof m.data === 'string') {
    let json: Buffer;
    try {
      json = await gunzipAsync(Buffer.from(m.data, 'base64'));
    } catch (error) {
      throw new TableMessageError(`delta data does not decompress: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof m.size === 'number' && json.length !== m.size)
      throw new TableMessageError(`delta is ${json.length} bytes, the message says ${m.size}`);
    changes = parseJson(json.toString('utf8'), 'delta changes');
  } else {
    throw new TableMessageError(`unsupported delta encoding ${JSON.stringify(m.encoding)}`);
  }
  if (!isRecord(changes) || !isRecord(changes.collections)) throw new TableMessageError('delta without collections');
  for (const part of Object.values(changes.collections)) {
    if (!isRecord(part)) throw new TableMessageError('delta collection changes are not an object');
    if (part.upsert !== undefined && !isRecord(part.upsert)) throw new TableMessageError('delta upsert is not an object');
    if (part.remove !== undefined && !(Array.isArray(part.remove) && part.remove.every((id) => typeof id === 'string')))
      throw new TableMessageError('delta remove is not a list of ids');
  }
  if (changes.absent !== undefined && !Array.isArray(changes.absent)) throw new TableMessageError('delta absent is not a list');
  return {
    message: {
      baseVersion: m.baseVersion,
      baseHash: m.baseHash,
      baseDigest: m.baseDigest,
      version: m.version,
      hash: m.hash,
      digest: m.digest,
      compiledAt: m.compiledAt,
      encoding: m.encoding,
    },
    changes: changes as unknown as TableChanges,
  };
}

/** A spend snapshot (a `spend` event, or the `snapshot` of a usage-report answer), checked field by field. */
export function parseSpendSnapshot(value: unknown): SpendSnapshot {
  if (!isRecord(value)) throw new TableMessageError('spend snapshot is not a JSON object');
  const v = value;
  if (!Array.isArray(v.budgets)) throw new TableMessageError('spend snapshot without budgets');
  const budgets: SpendSnapshotEntry[] = [];
  for (const item of v.budgets as unknown[]) {
    if (!item || typeof item !== 'object') throw new TableMessageError('spend snapshot budget is not an object');
    const b = item as Record<string, unknown>;
    if (
      typeof b.budgetId !== 'string' ||
      typeof b.periodStart !== 'string' ||
      typeof b.spentNanos !== 'string' ||
      !/^\d+$/.test(b.spentNanos)
    ) {
      throw new TableMessageError('spend snapshot budget needs budgetId, periodStart and a decimal spentNanos');
    }
    budgets.push({ budgetId: b.budgetId, periodStart: b.periodStart, spentNanos: b.spentNanos });
  }
  const appliedReports: Record<string, number> = {};
  if (v.appliedReports !== undefined) {
    if (!isRecord(v.appliedReports)) throw new TableMessageError('spend snapshot appliedReports is not an object');
    for (const [bootId, seq] of Object.entries(v.appliedReports)) {
      if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)
        throw new TableMessageError(`spend snapshot appliedReports.${bootId} is not a sequence number`);
      appliedReports[bootId] = seq;
    }
  }
  return { budgets, appliedReports };
}

export function parseSpendEvent(data: string): SpendSnapshot {
  return parseSpendSnapshot(parseJson(data, 'spend'));
}

function parseJson(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TableMessageError(`${what} message is not JSON`);
  }
  if (!isRecord(value)) throw new TableMessageError(`${what} message is not a JSON object`);
  return value;
}
