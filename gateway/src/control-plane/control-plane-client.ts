// Cluster mode's table source: a long-lived stream from the operator. The gateway dials, proves
// who it is with its projected ServiceAccount token (re-read on every connect: the kubelet
// rotates it), applies each table it receives through the same swap path standalone mode uses,
// and acknowledges what it applied. When the operator is away the gateway keeps serving its
// last table and redials with exponential backoff and jitter; a stream that goes silent past
// the inactivity timeout (the operator sends a keepalive every 15 s) counts as dead.
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RoutingTable } from '@switchyard/compiler';
import type { Logger } from '../observe/logger.js';
import { SseDecoder } from '../wire/sse/index.js';
import type { SpendSnapshot } from '../governance/budget/budget-ledger.js';
import { ACK_PATH, GATEWAY_ID_HEADER, TABLE_STREAM_PATH, decodeTableMessage, parseHello, parseSpendEvent } from './table-stream-messages.js';

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
}

export interface ControlPlaneStatus {
  connected: boolean;
  session?: string;
  replica?: string;
  appliedVersion?: number;
  appliedHash?: string;
  lastError?: string;
  connects: number;
  tablesApplied: number;
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
  const base = new URL(options.url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`--control-plane must be an http(s) URL, got ${options.url}`);
  const basePath = base.pathname.replace(/\/+$/, '');
  const logger = options.logger;
  const random = options.random ?? Math.random;
  const initialMs = options.backoffInitialMs ?? 500;
  const maxMs = options.backoffMaxMs ?? 30_000;
  const inactivityMs = options.inactivityTimeoutMs ?? 45_000;

  const state: ControlPlaneStatus = { connected: false, connects: 0, tablesApplied: 0 };
  let closed = false;
  let activeRequest: ClientRequest | undefined;
  let wake: (() => void) | undefined;
  let resolveFirst: () => void = () => {};
  const first = new Promise<void>((resolve) => (resolveFirst = resolve));

  const loop = (async () => {
    let failures = 0;
    while (!closed) {
      let gotTable = false;
      try {
        const credentials = await readCredentials();
        gotTable = await streamOnce(credentials);
        if (!closed) logger.warn('control plane stream ended; reconnecting');
      } catch (error) {
        if (closed) break;
        state.lastError = error instanceof Error ? error.message : String(error);
        const level = error instanceof HttpStatusError && (error.statusCode === 401 || error.statusCode === 403) ? 'error' : 'warn';
        logger[level]('control plane connection failed', { url: options.url, error: state.lastError, servingVersion: state.appliedVersion });
      } finally {
        state.connected = false;
        activeRequest = undefined;
      }
      if (closed) break;
      // A session that delivered a table was healthy: start the backoff over.
      failures = gotTable ? 0 : failures + 1;
      const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(failures, 20));
      const delay = Math.round(ceiling / 2 + random() * (ceiling / 2));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  })();

  async function readCredentials(): Promise<Credentials> {
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

  function send(path: string, method: string, credentials: Credentials, body?: string): ClientRequest {
    const url = new URL(basePath + path, base);
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${credentials.token}`,
      [GATEWAY_ID_HEADER]: options.gatewayId,
      accept: method === 'GET' ? 'text/event-stream' : 'application/json',
    };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    return url.protocol === 'https:' ? httpsRequest(url, { method, headers, ...(credentials.ca ? { ca: credentials.ca } : {}) }) : httpRequest(url, { method, headers });
  }

  /** One connection; resolves when it ends cleanly, true if it delivered a table. */
  function streamOnce(credentials: Credentials): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let gotTable = false;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      let session: string | undefined;
      // Tables apply one at a time, in order; a newer one waiting replaces an older one.
      let applying = false;
      let waiting: string | undefined;
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        if (error) reject(error);
        else resolve(gotTable);
      };
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => finish(new Error(`no data from the control plane for ${inactivityMs} ms`)), inactivityMs);
      };

      const applyNext = async (): Promise<void> => {
        if (applying) return;
        applying = true;
        while (waiting !== undefined && !settled) {
          const data = waiting;
          waiting = undefined;
          let table: RoutingTable;
          try {
            table = await decodeTableMessage(data);
          } catch (error) {
            logger.error('undecodable routing table from the control plane; still serving the last one', { error: (error as Error).message });
            continue;
          }
          let applied = true;
          let failure: string | undefined;
          if (table.hash !== options.currentHash?.()) {
            try {
              options.onTable(table);
            } catch (error) {
              applied = false;
              failure = error instanceof Error ? error.message : String(error);
            }
          }
          if (applied) {
            gotTable = true;
            state.appliedVersion = table.version;
            state.appliedHash = table.hash;
            state.tablesApplied += 1;
            logger.info('routing table applied from the control plane', { version: table.version, hash: table.hash, routes: Object.keys(table.routes).length, keys: table.keys.length });
            resolveFirst();
          } else {
            logger.error('routing table from the control plane rejected; still serving the last one', { version: table.version, error: failure, servingVersion: state.appliedVersion });
          }
          if (session) void acknowledge(credentials, session, table, applied, failure);
        }
        applying = false;
      };

      const req = send(TABLE_STREAM_PATH, 'GET', credentials);
      activeRequest = req;
      req.on('error', (error) => finish(error));
      req.on('response', (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => finish(new HttpStatusError(res.statusCode ?? 0, `control plane answered ${res.statusCode}: ${describeErrorBody(Buffer.concat(chunks).toString('utf8'))}`)));
          res.on('error', (error) => finish(error));
          return;
        }
        state.connected = true;
        state.connects += 1;
        delete state.lastError;
        arm();
        const decoder = new SseDecoder();
        res.on('data', (chunk: Buffer) => {
          arm();
          for (const event of decoder.push(chunk)) {
            if (event.event === 'hello') {
              try {
                const hello = parseHello(event.data);
                session = hello.session;
                state.session = hello.session;
                state.replica = hello.replica;
                logger.info('connected to the control plane', { url: options.url, session: hello.session, replica: hello.replica });
              } catch (error) {
                finish(error as Error);
                return;
              }
            } else if (event.event === 'table') {
              waiting = event.data;
              void applyNext();
            } else if (event.event === 'spend' && options.onSpendSnapshot) {
              try {
                options.onSpendSnapshot(parseSpendEvent(event.data));
              } catch (error) {
                logger.warn('spend snapshot from the control plane ignored', { error: (error as Error).message });
              }
            }
          }
        });
        res.on('end', () => finish());
        res.on('error', (error) => finish(error));
        res.on('close', () => finish());
      });
      req.end();
    });
  }

  async function acknowledge(credentials: Credentials, session: string, table: RoutingTable, applied: boolean, error: string | undefined): Promise<void> {
    const body = JSON.stringify({ session, version: table.version, hash: table.hash, applied, ...(error ? { error } : {}) });
    for (let attempt = 1; attempt <= 3 && !closed; attempt++) {
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const req = send(ACK_PATH, 'POST', credentials, body);
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
          logger.warn('acknowledgement refused', { status, version: table.version });
          return;
        }
        throw new Error(`status ${status}`);
      } catch (err) {
        if (attempt === 3) logger.warn('could not acknowledge the routing table', { version: table.version, error: (err as Error).message });
        else await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }

  return {
    status: () => ({ ...state }),
    firstTable: () => first,
    async close() {
      closed = true;
      activeRequest?.destroy();
      wake?.();
      await loop;
    },
  };
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
