// Serves routing tables to gateways. Gateways acknowledge what they applied; the operator derives
// Programmed from those acknowledgements. A gateway that announces deltas (TABLE_DELTAS_HEADER)
// gets, after its first full table, only the entries that changed since the table it was last
// sent; every other gateway keeps getting full tables. The delta of each version is built when it
// is published (it is small); the full table event (JSON, gzip, base64: seconds of CPU at 100,000
// keys) only when a session needs it, once per version, and the same bytes go to every gateway.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import {
  ACK_PATH,
  GATEWAY_ID_HEADER,
  USAGE_REPORTS_PATH,
  TABLE_DELTAS_HEADER,
  TABLE_ENCODING,
  TABLE_STREAM_PATH,
  diffTables,
  indexTable,
  parseAckMessage,
  routingTableJson,
  type HelloMessage,
  type RoutingTable,
  type TableDeltaMessage,
  type TableIndex,
  type TableMessage,
} from '@switchyard/compiler';
import type { AuthVerdict } from '../auth/token-review-authenticator.js';
import { errorMessage, silentLogger, type Logger } from '../observe/logger.js';

export interface PublishedTable {
  version: number;
  hash: string;
  table: RoutingTable;
  /** The entry digest of the table (common/table-delta.ts). */
  digest: string;
  /**
   * The complete `table` SSE event, shared by every session: built the first time it is read
   * (a session that needs the whole table), then kept with this version.
   */
  readonly frame: Buffer;
  /** The table's JSON and gzip sizes, once `frame` was built. */
  readonly encoded: { jsonBytes: number; gzipBytes: number } | undefined;
  /** The delta from the table published before, unless it would not be smaller than the table. */
  readonly delta: { baseHash: string; frame: Buffer } | undefined;
}

/** Changes JSON up to this size goes inline; a larger one is gzip-compressed. */
const INLINE_DELTA_BYTES = 8 * 1024;

/**
 * A delta that changes this share of the table's entries or more is not sent: those gateways get
 * the whole table, which is then no larger (the full frame is not built to compare sizes).
 */
const DELTA_MAX_CHANGED_SHARE = 0.5;

/** A published version; its full `table` event is built on first use. */
class PublishedVersion implements PublishedTable {
  readonly version: number;
  readonly hash: string;
  private built: { frame: Buffer; jsonBytes: number; gzipBytes: number } | undefined;

  constructor(
    readonly table: RoutingTable,
    readonly digest: string,
    readonly delta: { baseHash: string; frame: Buffer } | undefined,
    private readonly onEncoded: ((bytes: { jsonBytes: number; gzipBytes: number }) => void) | undefined,
  ) {
    this.version = table.version;
    this.hash = table.hash;
  }

  get frame(): Buffer {
    if (this.built === undefined) {
      const json = Buffer.from(routingTableJson(this.table), 'utf8');
      const gzip = gzipSync(json, { level: 6 });
      const message: TableMessage = {
        version: this.table.version,
        hash: this.table.hash,
        encoding: TABLE_ENCODING,
        size: json.length,
        data: gzip.toString('base64'),
        digest: this.digest,
      };
      const frame = Buffer.from(`event: table\nid: ${this.table.version}\ndata: ${JSON.stringify(message)}\n\n`, 'utf8');
      this.built = { frame, jsonBytes: json.length, gzipBytes: gzip.length };
      this.onEncoded?.({ jsonBytes: json.length, gzipBytes: gzip.length });
    }
    return this.built.frame;
  }

  get encoded(): { jsonBytes: number; gzipBytes: number } | undefined {
    return this.built === undefined ? undefined : { jsonBytes: this.built.jsonBytes, gzipBytes: this.built.gzipBytes };
  }
}

interface GatewaySession {
  id: string;
  gatewayId: string;
  serviceAccount: string;
  remoteAddress: string;
  connectedAt: Date;
  /** Announced TABLE_DELTAS_HEADER: may be sent deltas. */
  deltas: boolean;
  sentHash?: string;
  ackedVersion?: number;
  ackedHash?: string;
  lastError?: string;
}

interface LiveSession extends GatewaySession {
  res: ServerResponse;
  /** The newest frame waiting for the socket to drain; older unsent tables are dropped. */
  pending?: PublishedTable;
}

export interface TableStreamServerOptions {
  authenticate(authorization: string | undefined): Promise<AuthVerdict>;
  replicaId: string;
  logger?: Logger;
  keepaliveIntervalMs?: number;
  /** Connect, disconnect and acknowledgement: anything that may change Programmed. */
  onSessionsChanged?(): void;
  onTableSent?(): void;
  /** A version's full table event was built (its JSON and gzip sizes): at most once per version. */
  onTableEncoded?(bytes: { jsonBytes: number; gzipBytes: number }): void;
  onAuthFailure?(status: number): void;
  /** POST /v1/usage-reports from an authenticated gateway (the spend path); absent: 404. */
  onUsageReports?(body: unknown): { status: number; body: unknown };
}

const MAX_ACK_BODY_BYTES = 16 * 1024;
const MAX_USAGE_BODY_BYTES = 4 * 1024 * 1024;

export class TableStreamServer {
  private readonly sessions = new Map<string, LiveSession>();
  private published: PublishedTable | undefined;
  /** The entry hashes of the published table: only they are kept to diff the next one against. */
  private publishedIndex: TableIndex | undefined;
  private spendFrame: Buffer | undefined;
  private readonly logger: Logger;
  private readonly keepalive: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: TableStreamServerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.keepalive = setInterval(() => this.sendKeepalive(), options.keepaliveIntervalMs ?? 15_000);
    this.keepalive.unref();
  }

  get latest(): PublishedTable | undefined {
    return this.published;
  }

  /**
   * Publishes a table to every session: a delta to those that hold the previous one and take
   * deltas, the whole table (built now, once, if not yet) to the others. `index` is the table's
   * index as the compiler made it (CompileResult.index); without it the table is indexed here,
   * reusing the hashes of entries shared with the previous published table.
   */
  publish(table: RoutingTable, index?: TableIndex): PublishedTable {
    const previous = this.published;
    const previousIndex = this.publishedIndex;
    index ??= indexTable(table, previous && previousIndex ? { table: previous.table, index: previousIndex } : undefined);
    const delta =
      previous && previousIndex && previous.hash !== table.hash ? encodeDelta(previous, previousIndex, table, index) : undefined;
    const published = new PublishedVersion(
      table,
      index.digest,
      delta === undefined ? undefined : { baseHash: previous?.hash ?? '', frame: delta },
      this.options.onTableEncoded,
    );
    // The previous version (and its frame, if one was built) is dropped here, except by a session
    // still waiting to write it.
    this.published = published;
    this.publishedIndex = index;
    for (const session of this.sessions.values()) this.sendTable(session, published);
    return published;
  }

  /** Sends a spend snapshot to every session (and to later ones on connect); the table version is untouched. */
  publishSpendSnapshot(snapshot: unknown): void {
    const frame = Buffer.from(`event: spend\ndata: ${JSON.stringify(snapshot)}\n\n`, 'utf8');
    this.spendFrame = frame;
    for (const session of this.sessions.values()) {
      if (!session.res.writableNeedDrain) session.res.write(frame);
    }
  }

  sessionList(): GatewaySession[] {
    return [...this.sessions.values()].map(({ res: _res, pending: _pending, ...info }) => info);
  }

  /** What the acknowledgement tracker needs: who is connected and what they acknowledged. */
  snapshot(): { gateways: number; pending: number; hashes: string[] } {
    const hashes = new Set<string>();
    let pending = 0;
    for (const session of this.sessions.values()) {
      if (session.ackedHash === undefined) pending += 1;
      else hashes.add(session.ackedHash);
    }
    return { gateways: this.sessions.size, pending, hashes: [...hashes] };
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Handles the protocol's two endpoints; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0];
    if (path === TABLE_STREAM_PATH) {
      if (req.method !== 'GET') sendError(res, 405, 'use GET');
      else void this.openStream(req, res).catch((error: unknown) => this.failRequest(res, error));
      return true;
    }
    if (path === ACK_PATH) {
      if (req.method !== 'POST') sendError(res, 405, 'use POST');
      else void this.receiveAck(req, res).catch((error: unknown) => this.failRequest(res, error));
      return true;
    }
    if (path === USAGE_REPORTS_PATH && this.options.onUsageReports) {
      if (req.method !== 'POST') sendError(res, 405, 'use POST');
      else void this.receiveUsageReports(req, res).catch((error: unknown) => this.failRequest(res, error));
      return true;
    }
    return false;
  }

  /** Ends every stream (shutdown); gateways reconnect to another replica. */
  close(): void {
    this.closed = true;
    clearInterval(this.keepalive);
    for (const session of this.sessions.values()) session.res.end();
    this.sessions.clear();
  }

  private async openStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = await this.options.authenticate(req.headers.authorization);
    if (!verdict.ok) return this.reject(req, res, verdict);
    if (this.closed) return sendError(res, 503, 'shutting down');
    const rawId = req.headers[GATEWAY_ID_HEADER];
    const gatewayId = (typeof rawId === 'string' && /^[\w.:@/-]{1,253}$/.test(rawId) ? rawId : undefined) ?? 'unknown';
    const session: LiveSession = {
      id: randomUUID(),
      gatewayId,
      serviceAccount: verdict.serviceAccount,
      remoteAddress: req.socket.remoteAddress ?? '',
      connectedAt: new Date(),
      deltas: req.headers[TABLE_DELTAS_HEADER] === '1',
      res,
    };
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    res.socket?.setKeepAlive(true, 30_000);
    const hello: HelloMessage = { session: session.id, replica: this.options.replicaId };
    res.write(`event: hello\ndata: ${JSON.stringify(hello)}\n\n`);
    this.sessions.set(session.id, session);
    res.on('drain', () => this.flushPending(session));
    res.on('close', () => {
      if (this.sessions.delete(session.id)) {
        this.logger.info('gateway disconnected', { session: session.id, gateway: session.gatewayId, ackedVersion: session.ackedVersion });
        this.options.onSessionsChanged?.();
      }
    });
    this.logger.info('gateway connected', {
      session: session.id,
      gateway: gatewayId,
      serviceAccount: verdict.serviceAccount,
      remote: session.remoteAddress,
      deltas: session.deltas,
    });
    if (this.published) this.sendTable(session, this.published);
    if (this.spendFrame) res.write(this.spendFrame);
    this.options.onSessionsChanged?.();
  }

  private async receiveAck(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = await this.options.authenticate(req.headers.authorization);
    if (!verdict.ok) return this.reject(req, res, verdict);
    const body = await readBody(req, MAX_ACK_BODY_BYTES);
    if (body === undefined) return sendError(res, 413, `acknowledgement larger than ${MAX_ACK_BODY_BYTES} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return sendError(res, 400, 'body is not JSON');
    }
    const ack = parseAckMessage(parsed);
    if (typeof ack === 'string') return sendError(res, 400, ack);
    const session = this.sessions.get(ack.session);
    if (!session) return sendError(res, 404, 'unknown session; reconnect the table stream');
    if (session.serviceAccount !== verdict.serviceAccount) return sendError(res, 403, 'the session belongs to another ServiceAccount');
    if (ack.applied) {
      session.ackedVersion = ack.version;
      session.ackedHash = ack.hash;
      delete session.lastError;
      this.logger.debug('gateway acknowledged table', { session: session.id, gateway: session.gatewayId, version: ack.version });
    } else {
      session.lastError = ack.error ?? 'not applied';
      this.logger.warn('gateway could not apply table', {
        session: session.id,
        gateway: session.gatewayId,
        version: ack.version,
        error: session.lastError,
      });
    }
    res.writeHead(204).end();
    this.options.onSessionsChanged?.();
  }

  private async receiveUsageReports(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = await this.options.authenticate(req.headers.authorization);
    if (!verdict.ok) return this.reject(req, res, verdict);
    const body = await readBody(req, MAX_USAGE_BODY_BYTES);
    if (body === undefined) return sendError(res, 413, `usage reports larger than ${MAX_USAGE_BODY_BYTES} bytes`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return sendError(res, 400, 'body is not JSON');
    }
    const answer = this.options.onUsageReports?.(parsed) ?? { status: 404, body: { error: { message: 'no spend path' } } };
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  }

  private reject(req: IncomingMessage, res: ServerResponse, verdict: Extract<AuthVerdict, { ok: false }>): void {
    this.options.onAuthFailure?.(verdict.status);
    this.logger.warn('table stream request rejected', {
      status: verdict.status,
      reason: verdict.reason,
      remote: req.socket.remoteAddress,
      path: req.url,
    });
    if (verdict.status === 401) res.setHeader('www-authenticate', 'Bearer realm="switchyard"');
    sendError(res, verdict.status, verdict.status === 503 ? 'cannot verify tokens right now; retry' : verdict.reason);
  }

  private sendTable(session: LiveSession, table: PublishedTable): void {
    if (session.sentHash === table.hash && session.pending === undefined) return;
    // A delta only follows the very table it was computed from, written in full to the socket; a
    // session behind a slow socket gets the newest whole table when it drains.
    const useDelta =
      session.deltas && table.delta !== undefined && session.sentHash === table.delta.baseHash && session.pending === undefined;
    session.sentHash = table.hash;
    if (session.res.writableNeedDrain) {
      // The whole table is built when the socket drains, if still needed then.
      session.pending = table;
      return;
    }
    session.res.write(useDelta && table.delta ? table.delta.frame : table.frame);
    this.options.onTableSent?.();
  }

  private flushPending(session: LiveSession): void {
    const table = session.pending;
    if (!table) return;
    delete session.pending;
    session.res.write(table.frame);
    this.options.onTableSent?.();
  }

  private sendKeepalive(): void {
    for (const session of this.sessions.values()) {
      if (!session.res.writableNeedDrain) session.res.write(': keepalive\n\n');
    }
  }

  private failRequest(res: ServerResponse, error: unknown): void {
    this.logger.error('table stream request failed', { error: errorMessage(error) });
    if (!res.headersSent) sendError(res, 500, 'internal error');
    else res.destroy();
  }
}

/**
 * The `delta` event from `previous` to `table`, built once and shared by every delta session;
 * undefined when it changes too much of the table to be worth sending (DELTA_MAX_CHANGED_SHARE).
 */
function encodeDelta(previous: PublishedTable, previousIndex: TableIndex, table: RoutingTable, index: TableIndex): Buffer | undefined {
  const changes = diffTables(previousIndex, index, table);
  let changed = 0;
  for (const part of Object.values(changes.collections)) changed += Object.keys(part.upsert ?? {}).length + (part.remove?.length ?? 0);
  let entries = 0;
  for (const hashes of index.entries.values()) entries += hashes.size;
  if (changed >= Math.max(1, entries * DELTA_MAX_CHANGED_SHARE)) return undefined;
  // Entries as the full table's JSON has them (routingTableJson: JSON.stringify, the compiler's
  // member order): a gateway ends up with the same value, member order included, either way.
  const changesJson = JSON.stringify(changes);
  const message: TableDeltaMessage = {
    baseVersion: previous.version,
    baseHash: previous.hash,
    baseDigest: previousIndex.digest,
    version: table.version,
    hash: table.hash,
    digest: index.digest,
    compiledAt: table.compiledAt,
    encoding: 'json',
  };
  let data: string;
  if (Buffer.byteLength(changesJson) <= INLINE_DELTA_BYTES) {
    data = `${JSON.stringify(message).slice(0, -1)},"changes":${changesJson}}`;
  } else {
    const raw = Buffer.from(changesJson, 'utf8');
    message.encoding = TABLE_ENCODING;
    message.size = raw.length;
    message.data = gzipSync(raw, { level: 6 }).toString('base64');
    data = JSON.stringify(message);
  }
  return Buffer.from(`event: delta\nid: ${table.version}\ndata: ${data}\n\n`, 'utf8');
}

function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.end();
  const body = JSON.stringify({ error: { message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
