// The health port, served from a worker thread so that liveness is not answered by the thread
// it judges. The operator's compile is synchronous: at 100,000 keys a first compile on a slow
// node can hold the main event loop for tens of seconds, and a /healthz answered there times out
// (the chart's probe allows 3 s per try, 3 tries 10 s apart), so the kubelet restarts the
// operator, which compiles again from the start: a restart loop. Here /healthz means "the main
// event loop made progress within the last N seconds": the main thread writes a heartbeat (a
// monotonic timestamp) into shared memory every second; the worker reads it. Every other path
// (/readyz, /metrics) is still answered by the main thread, through the worker, so readiness is
// what it was: not ready while the main thread cannot answer.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface HealthAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface HealthServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** /healthz answers 503 once the main event loop made no progress for longer than this. */
  maxStallMs: number;
  /** How often the main thread writes its heartbeat. Default 1 s. */
  heartbeatMs?: number;
  /** Answers every path but /healthz, on the main thread (so blocked while it is). */
  handle(path: string): Promise<HealthAnswer>;
  /** Names the flag in a listen error. */
  flag: string;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

interface WorkerConfig {
  beat: BigInt64Array;
  host: string;
  port: number;
  maxStallMs: number;
}

type FromWorker =
  | { type: 'listening'; port: number }
  | { type: 'listen-error'; message: string }
  | { type: 'request'; id: number; path: string };

type ToWorker = { type: 'answer'; id: number; answer: HealthAnswer };

const now = (): bigint => process.hrtime.bigint();

/**
 * Requests handed to the main thread and not yet answered. While the main thread is blocked they
 * wait (each until its prober gives up); past this many, further ones get 503 at once rather
 * than queueing without bound.
 */
const MAX_PENDING_REQUESTS = 256;

export function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const beat = new BigInt64Array(new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT));
  Atomics.store(beat, 0, now());
  const heartbeat = setInterval(() => Atomics.store(beat, 0, now()), options.heartbeatMs ?? 1_000);
  heartbeat.unref();
  const config: WorkerConfig = { beat, host: options.host, port: options.port, maxStallMs: options.maxStallMs };
  const worker = new Worker(new URL(import.meta.url), { workerData: { switchyardHealthServer: config } });
  // The operator's other servers keep the process alive; close() ends the worker.
  worker.unref();
  return new Promise<HealthServer>((resolve, reject) => {
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      await worker.terminate();
    };
    worker.on('error', (error) => {
      void close();
      reject(error);
    });
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'listening':
          resolve({ port: message.port, close });
          return;
        case 'listen-error':
          void close();
          reject(new Error(`${options.flag} ${options.port}: ${message.message}`));
          return;
        case 'request':
          options.handle(message.path).then(
            (answer) => {
              if (!closed) worker.postMessage({ type: 'answer', id: message.id, answer } satisfies ToWorker);
            },
            (error: unknown) => {
              const answer = json(500, { error: error instanceof Error ? error.message : String(error) });
              if (!closed) worker.postMessage({ type: 'answer', id: message.id, answer } satisfies ToWorker);
            },
          );
          return;
      }
    });
  });
}

export function json(status: number, body: unknown): HealthAnswer {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

/** /healthz from the heartbeat: 200 while the main thread's last beat is at most maxStallMs old. */
function liveness(config: WorkerConfig): HealthAnswer {
  const stalledMs = Number((now() - Atomics.load(config.beat, 0)) / 1_000_000n);
  if (stalledMs <= config.maxStallMs) return json(200, { status: 'ok' });
  return json(503, {
    status: 'event loop stalled',
    stalledSeconds: Math.floor(stalledMs / 1000),
    limitSeconds: config.maxStallMs / 1000,
    limit: '--liveness-max-stall',
  });
}

function runWorker(config: WorkerConfig): void {
  const port = parentPort;
  if (port === null) return;
  const pending = new Map<number, ServerResponse>();
  let nextId = 0;
  port.on('message', (message: ToWorker) => {
    const res = pending.get(message.id);
    if (res === undefined) return;
    pending.delete(message.id);
    send(res, message.answer);
  });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/healthz') return send(res, liveness(config));
    if (pending.size >= MAX_PENDING_REQUESTS) {
      return send(res, json(503, { error: `${MAX_PENDING_REQUESTS} requests are already waiting for the operator's main thread` }));
    }
    const id = ++nextId;
    pending.set(id, res);
    // A prober that gave up (the main thread is busy) leaves no answer waiting here.
    res.once('close', () => pending.delete(id));
    port.postMessage({ type: 'request', id, path } satisfies FromWorker);
  });
  server.once('error', (error) => port.postMessage({ type: 'listen-error', message: error.message } satisfies FromWorker));
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : config.port;
    port.postMessage({ type: 'listening', port: bound } satisfies FromWorker);
  });
}

function send(res: ServerResponse, answer: HealthAnswer): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
}

const config = isMainThread ? undefined : (workerData as { switchyardHealthServer?: WorkerConfig } | null)?.switchyardHealthServer;
if (config !== undefined) runWorker(config);
