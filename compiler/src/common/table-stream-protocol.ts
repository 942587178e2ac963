// The control-plane protocol between the operator and its gateways, defined once for both ends
// (operator/src/table-server/ serves it, gateway/src/control-plane/ consumes it; docs/operator.md
// has the full description).
//
//   GET  /v1/table-stream   Authorization: Bearer <ServiceAccount token, audience switchyard>
//                           x-switchyard-gateway: <gateway id, e.g. pod name>
//                           x-switchyard-table-deltas: 1   (optional: this gateway applies deltas)
//        200 text/event-stream, one long-lived response:
//          event: hello   data: {"session": "...", "replica": "..."}
//          event: table   id: <version>  data: {"version", "hash", "encoding": "gzip+base64", "size", "data", "digest"}
//          event: delta   id: <version>  data: {"baseVersion", "baseHash", "baseDigest", "version", "hash", "digest",
//                                               "compiledAt", "encoding": "json" | "gzip+base64", "changes" | "size"+"data"}
//                         (only to a gateway that sent the deltas header, and only after a table)
//          : keepalive    (a comment every 15 s, so either side can spot a dead connection)
//   POST /v1/acks          same Authorization; body {"session", "version", "hash", "applied", "error"?}
//        204 recorded; 404 unknown session (the stream is gone; the gateway reconnects)
//   POST /v1/usage-reports same Authorization; body {"reports": [{bootId, seq, createdAt, entries}]}
//        200 {"accepted": n, "snapshot": <spend snapshot or null>} on every replica, leader or
//        follower (each writes Budget status idempotently; see spend/spend-aggregator.ts)
//   event: spend  data: {"budgets": [{budgetId, periodStart, spentNanos}], "appliedReports": {bootId: seq}}
//        pushed by every replica to its own gateways after a flush that wrote spend or saw
//        another replica's write; never bumps the table version
//
// The table event carries the whole RoutingTable as gzip-compressed JSON in base64, built once
// per version and written unchanged to every gateway. A delta event carries only the entries
// that changed since the version it names as its base (common/table-delta.ts); a gateway whose
// table is not that base, or whose result's entry digest differs, reconnects for a full table.

import type { TableChanges } from './table-delta.js';

export const TABLE_STREAM_PATH = '/v1/table-stream';
export const ACK_PATH = '/v1/acks';
export const USAGE_REPORTS_PATH = '/v1/usage-reports';
export const GATEWAY_ID_HEADER = 'x-switchyard-gateway';
export const TABLE_ENCODING = 'gzip+base64';
/** Sent by a gateway that applies `delta` events; an operator that does not know it ignores it. */
export const TABLE_DELTAS_HEADER = 'x-switchyard-table-deltas';

export interface HelloMessage {
  session: string;
  replica: string;
}

export interface TableMessage {
  version: number;
  hash: string;
  encoding: typeof TABLE_ENCODING;
  /** Bytes of the uncompressed JSON. */
  size: number;
  data: string;
  /** The table's entry digest (common/table-delta.ts): the base the next delta is checked against. */
  digest?: string;
}

/** The changes from one table version to the next; `changes` inline, or gzip-compressed in `data`. */
export interface TableDeltaMessage {
  baseVersion: number;
  baseHash: string;
  baseDigest: string;
  version: number;
  hash: string;
  digest: string;
  compiledAt: string;
  encoding: 'json' | typeof TABLE_ENCODING;
  changes?: TableChanges;
  /** Bytes of the uncompressed changes JSON (gzip encoding). */
  size?: number;
  data?: string;
}

export interface AckMessage {
  session: string;
  version: number;
  hash: string;
  /** False when the gateway could not load the table (it keeps serving its previous one). */
  applied: boolean;
  error?: string;
}

/** Checks an acknowledgement body field by field; a string is what is wrong with it. */
export function parseAckMessage(value: unknown): AckMessage | string {
  if (!value || typeof value !== 'object') return 'body must be a JSON object';
  const v = value as Record<string, unknown>;
  if (typeof v.session !== 'string' || v.session === '') return 'session must be a non-empty string';
  if (typeof v.version !== 'number' || !Number.isSafeInteger(v.version)) return 'version must be an integer';
  if (typeof v.hash !== 'string' || !/^[0-9a-f]{64}$/.test(v.hash)) return 'hash must be a hex SHA-256';
  if (typeof v.applied !== 'boolean') return 'applied must be a boolean';
  if (v.error !== undefined && typeof v.error !== 'string') return 'error must be a string';
  const ack: AckMessage = { session: v.session, version: v.version, hash: v.hash, applied: v.applied };
  if (typeof v.error === 'string') ack.error = v.error.slice(0, 1000);
  return ack;
}
