// Cluster mode's table source: a long-lived stream from the operator. The gateway dials, proves
// who it is with its projected ServiceAccount token (re-read on every connect: the kubelet
// rotates it), applies each table it receives through the same swap path standalone mode uses,
// and acknowledges what it applied. When the operator is away the gateway keeps serving its
// last table and redials with exponential backoff and jitter; a stream that goes silent past
// the inactivity timeout (the operator sends a keepalive every 15 s) counts as dead.
// The gateway announces deltas: after a full table the operator may send only what changed. A
// delta whose base is not the table this stream last delivered, or whose result does not match
// the operator's entry digest, is not applied: the gateway reconnects at once for a full table.
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  ACK_PATH,
  GATEWAY_ID_HEADER,
  TABLE_DELTAS_HEADER,
  TABLE_STREAM_PATH,
  applyTableChanges,
  type AckMessage,
  type RoutingTable,
} from '@switchyard/compiler';
import type { Logger } from '@switchyard/compiler';
import { SseDecoder, type ServerSentEvent } from '../wire/sse/index.js';
import type { SpendSnapshot } from '../governance/budget/budget-ledger.js';
import { decodeDeltaMessage, decodeTableMessage, parseHello, parseSpendEvent } from './table-stream-messages.js';

/** The largest table-stream event accepted: 256 Mi characters of compressed table (a 10,000-key table is a few MB). */
const MAX_TABLE_EVENT_CHARS = 256 * 1024 * 1024;

export const DEFAULT_TOKEN_FILE = '/var/run/secrets/switchyard/token';

export interface ControlPlaneClientOptions {
  /** Base URL of the operator's table stream, e.g. https://switchyard-operator.ai.svc:8443 */
  url: string;
  tokenFile: string;
  /** PEM bundle to verify the operator's certificate (https only); default: the system roots. */
  caFile?: string;
  /** Names this gateway in the operator's logs and metrics (the pod name in a cluster). */
  gatewayId: string;
  logger: Logger;
  /** Swaps the table in; throws (keeping the current table) when it cannot be loaded. */
  onTable(table: RoutingTable): void;
  /** A spend snapshot pushed by the operator replica this stream is connected to (cluster spend path). */
  onSpendSnapshot?(snapshot: SpendSnapshot): void;
  /** Hash of the table being served, so an identical table is acknowledged without a reload. */
  currentHash?(): string | undefined;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** No byte for this long and the stream is considered dead. Default 45 s. */
  inactivityTimeoutMs?: number;
  random?: () => number;
  /** Announce delta support on the stream (default true; false behaves as a gateway before deltas). */
  deltas?: boolean;
  /** A delta was not applied and a full table is being fetched; `reason` is gap, digest-mismatch or undecodable. */
  onResync?(reason: ResyncReason): void;
}

export type ResyncReason = 'gap' | 'digest-mismatch' | 'undecodable';

export interface ControlPlaneStatus {
  connected: boolean;
  session?: string;
  replica?: string;
  appliedVersion?: number;
  appliedHash?: string;
  lastError?: string;
  connects: number;
  tablesApplied: number;
  /** Of tablesApplied, how many came as deltas. */
  deltasApplied: number;
  /** Full tables fetched again because a delta did not apply. */
  resyncs: number;
}

export interface ControlPlaneConnection {
  status(): ControlPlaneStatus;
  /** Resolves when the first table has been applied. */
  firstTable(): Promise<void>;
  close(): Promise<void>;
}

class HttpStatusError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

interface Credentials {
  token: string;
  ca: Buffer | undefined;
}

export function connectToControlPlane(options: ControlPlaneClientOptions): ControlPlaneConnection {
  const client = new ControlPlaneClient(options);
  return {
    status: () => ({ ...client.state }),
    firstTable: () => client.firstTable,
    close: () => client.close(),
  };
}

/** Where requests to the operator go, and who is asking. */
interface OperatorEndpoint {
  base: URL;
  basePath: string;
  gatewayId: string;
}

/** One table-stream connection: the request and what it has delivered so far. */
interface OpenStream {
  readonly credentials: Credentials;
  request: ClientRequest | undefined;
  /** From the operator's `hello`; acknowledgements name it. */
  session: string | undefined;
  gotTable: boolean;
  settled: boolean;
  inactivityTimer: NodeJS.Timeout | undefined;
  // Tables and deltas apply one at a time, in order; a full table waiting replaces everything
  // before it (a delta needs each one before it, so deltas queue).
  applying: boolean;
  waiting: Array<{ kind: 'table' | 'delta'; data: string }>;
  /** Ends the connection: resolves the stream's promise (or rejects it with `error`) once. */
  finish(error?: Error): void;
}

class ControlPlaneClient {
  readonly state: ControlPlaneStatus = { connected: false, connects: 0, tablesApplied: 0, deltasApplied: 0, resyncs: 0 };
  readonly firstTable: Promise<void>;
  private readonly endpoint: OperatorEndpoint;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly inactivityMs: number;
  private closed = false;
  private activeRequest: ClientRequest | undefined;
  private wake: (() => void) | undefined;
  private resolveFirst: () => void = () => {};
  /**
   * The last table the stream delivered (applied or refused by onTable) with its entry digest:
   * the base the next delta must name. Undefined until a full table with a digest arrives.
   */
  private base: { table: RoutingTable; digest: string } | undefined;
  /**
   * The last table the stream delivered, kept after a resync drops `base`: a full table's
   * entries equal to this one's are decoded as this one's objects (table-interning.ts).
   */
  private last: RoutingTable | undefined;
  /** Set by a resync: the next dial goes out at once, not after a backoff. */
  private redialNow = false;
  private readonly loop: Promise<void>;

  constructor(private readonly options: ControlPlaneClientOptions) {
    const base = new URL(options.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new Error(`--control-plane must be an http(s) URL, got ${options.url}`);
    this.endpoint = { base, basePath: base.pathname.replace(/\/+$/, ''), gatewayId: options.gatewayId };
    this.logger = options.logger;
    this.random = options.random ?? Math.random;
    this.backoffInitialMs = options.backoffInitialMs ?? 500;
    this.backoffMaxMs = options.backoffMaxMs ?? 30_000;
    this.inactivityMs = options.inactivityTimeoutMs ?? 45_000;
    this.firstTable = new Promise<void>((resolve) => (this.resolveFirst = resolve));
    this.loop = this.redialUntilClosed();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.activeRequest?.destroy();
    this.wake?.();
    await this.loop;
  }

  private async redialUntilClosed(): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      const gotTable = await this.connectOnce();
      if (this.closed) break;
      // A session that delivered a table was healthy: start the backoff over.
      failures = gotTable ? 0 : failures + 1;
      if (this.redialNow) {
        this.redialNow = false;
        continue;
      }
      await this.waitBeforeRedial(redialDelayMs(failures, this.backoffInitialMs, this.backoffMaxMs, this.random));
    }
  }

  /** One connection, from reading the credentials to the end of its stream; true if it delivered a table. */
  private async connectOnce(): Promise<boolean> {
    try {
      const gotTable = await this.streamOnce(await readCredentials(this.options));
      if (!this.closed) this.logger.warn('control plane stream ended; reconnecting');
      return gotTable;
    } catch (error) {
      if (!this.closed) this.logConnectionFailure(error);
      return false;
    } finally {
      this.state.connected = false;
      this.activeRequest = undefined;
    }
  }

  private logConnectionFailure(error: unknown): void {
    this.state.lastError = error instanceof Error ? error.message : String(error);
    const level = error instanceof HttpStatusError && (error.statusCode === 401 || error.statusCode === 403) ? 'error' : 'warn';
    this.logger[level]('control plane connection failed', {
      url: this.options.url,
      error: this.state.lastError,
      servingVersion: this.state.appliedVersion,
    });
  }

  private async waitBeforeRedial(delayMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  /** One connection; resolves when it ends cleanly, true if it delivered a table. */
  private streamOnce(credentials: Credentials): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const stream: OpenStream = {
        credentials,
        request: undefined,
        session: undefined,
        gotTable: false,
        settled: false,
        inactivityTimer: undefined,
        applying: false,
        waiting: [],
        finish: (error) => {
          if (stream.settled) return;
          stream.settled = true;
          clearTimeout(stream.inactivityTimer);
          stream.request?.destroy();
          if (error) reject(error);
          else resolve(stream.gotTable);
        },
      };
      const req = openRequest(this.endpoint, TABLE_STREAM_PATH, 'GET', credentials, undefined, this.options.deltas !== false);
      stream.request = req;
      this.activeRequest = req;
      req.on('error', (error) => stream.finish(error));
      req.on('response', (res: IncomingMessage) => this.readStream(stream, res));
      req.end();
    });
  }

  private readStream(stream: OpenStream, res: IncomingMessage): void {
    if (res.statusCode !== 200) {
      failWithErrorBody(stream, res);
      return;
    }
    this.state.connected = true;
    this.state.connects += 1;
    delete this.state.lastError;
    this.armInactivityTimer(stream);
    // One table event holds the whole routing table (gzip-compressed, base64), far larger than
    // any provider event, so it gets its own bound; past it the stream ends and is redialled
    // (logged as the connection's error) instead of growing a buffer without end.
    const decoder = new SseDecoder({ maxEventChars: MAX_TABLE_EVENT_CHARS });
    res.on('data', (chunk: Buffer) => {
      this.armInactivityTimer(stream);
      let events: ServerSentEvent[];
      try {
        events = decoder.push(chunk);
      } catch (error) {
        stream.finish(error as Error);
        return;
      }
      for (const event of events) {
        if (!this.handleStreamEvent(stream, event)) return;
      }
    });
    res.on('end', () => stream.finish());
    res.on('error', (error) => stream.finish(error));
    res.on('close', () => stream.finish());
  }

  /** A stream that stays silent past the inactivity timeout counts as dead. */
  private armInactivityTimer(stream: OpenStream): void {
    clearTimeout(stream.inactivityTimer);
    stream.inactivityTimer = setTimeout(
      () => stream.finish(new Error(`no data from the control plane for ${this.inactivityMs} ms`)),
      this.inactivityMs,
    );
  }

  /** False when the event ended the stream. */
  private handleStreamEvent(stream: OpenStream, event: ServerSentEvent): boolean {
    if (event.event === 'hello') {
      try {
        const hello = parseHello(event.data);
        stream.session = hello.session;
        this.state.session = hello.session;
        this.state.replica = hello.replica;
        this.logger.info('connected to the control plane', { url: this.options.url, session: hello.session, replica: hello.replica });
      } catch (error) {
        stream.finish(error as Error);
        return false;
      }
    } else if (event.event === 'table') {
      stream.waiting = [{ kind: 'table', data: event.data }];
      void this.applyWaitingTables(stream);
    } else if (event.event === 'delta' && this.options.deltas !== false) {
      stream.waiting.push({ kind: 'delta', data: event.data });
      void this.applyWaitingTables(stream);
    } else if (event.event === 'spend' && this.options.onSpendSnapshot) {
      try {
        this.options.onSpendSnapshot(parseSpendEvent(event.data));
      } catch (error) {
        this.logger.warn('spend snapshot from the control plane ignored', { error: (error as Error).message });
      }
    }
    return true;
  }

  private async applyWaitingTables(stream: OpenStream): Promise<void> {
    if (stream.applying) return;
    stream.applying = true;
    for (let next = stream.waiting.shift(); next !== undefined && !stream.settled; next = stream.waiting.shift()) {
      let table: RoutingTable;
      if (next.kind === 'table') {
        try {
          const decoded = await decodeTableMessage(next.data, this.last);
          table = decoded.table;
          this.base = decoded.digest === undefined ? undefined : { table, digest: decoded.digest };
        } catch (error) {
          this.base = undefined;
          this.logger.error('undecodable routing table from the control plane; still serving the last one', {
            error: (error as Error).message,
          });
          continue;
        }
      } else {
        const applied = await this.applyDelta(stream, next.data);
        if (applied === undefined) break;
        table = applied;
      }
      this.last = table;
      const failure = this.applyTable(table);
      if (failure === undefined) {
        stream.gotTable = true;
        if (next.kind === 'delta') this.state.deltasApplied += 1;
      }
      if (stream.session) {
        const ack: AckMessage = {
          session: stream.session,
          version: table.version,
          hash: table.hash,
          applied: failure === undefined,
          ...(failure ? { error: failure } : {}),
        };
        void acknowledgeTable(this.endpoint, stream.credentials, ack, this.logger, () => this.closed);
      }
    }
    stream.applying = false;
  }

  /** The table a delta yields from the base, verified; undefined when the stream was ended for a resync. */
  private async applyDelta(stream: OpenStream, data: string): Promise<RoutingTable | undefined> {
    let delta: Awaited<ReturnType<typeof decodeDeltaMessage>>;
    try {
      delta = await decodeDeltaMessage(data);
    } catch (error) {
      return this.resync(stream, 'undecodable', { error: (error as Error).message });
    }
    const { message } = delta;
    const base = this.base;
    if (!base || base.table.version !== message.baseVersion || base.table.hash !== message.baseHash || base.digest !== message.baseDigest) {
      return this.resync(stream, 'gap', {
        baseVersion: message.baseVersion,
        holdingVersion: base?.table.version,
        version: message.version,
      });
    }
    let result: { table: RoutingTable; digest: string };
    try {
      result = applyTableChanges(base.table, base.digest, delta.changes, {
        version: message.version,
        hash: message.hash,
        compiledAt: message.compiledAt,
      });
    } catch (error) {
      return this.resync(stream, 'undecodable', { version: message.version, error: (error as Error).message });
    }
    if (result.digest !== message.digest) {
      return this.resync(stream, 'digest-mismatch', { version: message.version, expected: message.digest, computed: result.digest });
    }
    this.base = { table: result.table, digest: result.digest };
    return result.table;
  }

  /** Drops the delta chain and ends the stream; the redial comes at once and starts with a full table. */
  private resync(stream: OpenStream, reason: ResyncReason, details: Record<string, unknown>): undefined {
    this.base = undefined;
    this.state.resyncs += 1;
    this.options.onResync?.(reason);
    this.logger.warn('routing table delta not applied; reconnecting for a full table', {
      reason,
      ...details,
      servingVersion: this.state.appliedVersion,
    });
    this.redialNow = true;
    stream.waiting = [];
    stream.finish();
    return undefined;
  }

  /** Swaps the table in (unless it is the one being served); returns why it could not be, or undefined. */
  private applyTable(table: RoutingTable): string | undefined {
    if (table.hash !== this.options.currentHash?.()) {
      try {
        this.options.onTable(table);
      } catch (error) {
        const failure = error instanceof Error ? error.message : String(error);
        this.logger.error('routing table from the control plane rejected; still serving the last one', {
          version: table.version,
          error: failure,
          servingVersion: this.state.appliedVersion,
        });
        return failure;
      }
    }
    this.state.appliedVersion = table.version;
    this.state.appliedHash = table.hash;
    this.state.tablesApplied += 1;
    this.logger.info('routing table applied from the control plane', {
      version: table.version,
      hash: table.hash,
      routes: Object.keys(table.routes).length,
      keys: table.keys.length,
    });
    this.resolveFirst();
    return undefined;
  }
}

/** Exponential backoff with jitter: half the ceiling plus a random part of the other half. */
function redialDelayMs(failures: number, initialMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 20));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Read on every connect: the kubelet rotates the token. */
async function readCredentials(options: ControlPlaneClientOptions): Promise<Credentials> {
  let token: string;
  try {
    token = (await readFile(options.tokenFile, 'utf8')).trim();
  } catch (error) {
    throw new Error(`cannot read --token-file ${options.tokenFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (token === '') throw new Error(`--token-file ${options.tokenFile} is empty`);
  let ca: Buffer | undefined;
  if (options.caFile) {
    try {
      ca = await readFile(options.caFile);
    } catch (error) {
      throw new Error(`cannot read --ca-file ${options.caFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return { token, ca };
}

function openRequest(
  endpoint: OperatorEndpoint,
  path: string,
  method: string,
  credentials: Credentials,
  body?: string,
  deltas = false,
): ClientRequest {
  const url = new URL(endpoint.basePath + path, endpoint.base);
  const headers: Record<string, string | number> = {
    authorization: `Bearer ${credentials.token}`,
    [GATEWAY_ID_HEADER]: endpoint.gatewayId,
    accept: method === 'GET' ? 'text/event-stream' : 'application/json',
  };
  if (deltas) headers[TABLE_DELTAS_HEADER] = '1';
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(body);
  }
  return url.protocol === 'https:'
    ? httpsRequest(url, { method, headers, ...(credentials.ca ? { ca: credentials.ca } : {}) })
    : httpRequest(url, { method, headers });
}

/** A refused stream: ends it with the status and what the operator said. */
function failWithErrorBody(stream: OpenStream, res: IncomingMessage): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () =>
    stream.finish(
      new HttpStatusError(
        res.statusCode ?? 0,
        `control plane answered ${res.statusCode}: ${describeErrorBody(Buffer.concat(chunks).toString('utf8'))}`,
      ),
    ),
  );
  res.on('error', (error) => stream.finish(error));
}

/** Tells the operator what became of a table; three tries, then a warning (the next stream acknowledges again). */
async function acknowledgeTable(
  endpoint: OperatorEndpoint,
  credentials: Credentials,
  ack: AckMessage,
  logger: Logger,
  closed: () => boolean,
): Promise<void> {
  const body = JSON.stringify(ack);
  for (let attempt = 1; attempt <= 3 && !closed(); attempt++) {
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = openRequest(endpoint, ACK_PATH, 'POST', credentials, body);
        req.setTimeout(10_000, () => req.destroy(new Error('acknowledgement timed out')));
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
      if (status === 204) return;
      // 404: the session is gone (operator restarted); the next stream acknowledges again.
      if (status === 404 || status === 401 || status === 403) {
        logger.warn('acknowledgement refused', { status, version: ack.version });
        return;
      }
      throw new Error(`status ${status}`);
    } catch (err) {
      if (attempt === 3) logger.warn('could not acknowledge the routing table', { version: ack.version, error: (err as Error).message });
      else await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

function describeErrorBody(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message.slice(0, 300);
  } catch {
    // not JSON
  }
  return text.slice(0, 300) || '(no body)';
}
