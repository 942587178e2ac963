// The `realtime` operation: GET /v1/realtime?model=..., a WebSocket relayed between the caller
// and an OpenAI or Azure OpenAI realtime socket. The upgrade request runs the pipeline's stages
// before anything is accepted: authenticate (the Bearer header, or the browser-style
// `openai-insecure-api-key.<key>` subprotocol), authorize the model, admit the session (rate
// limits, concurrency, spent budgets: governance/realtime-session-admission.ts), route and
// connect upstream with fallback (realtime-connect.ts); a refusal is an HTTP answer in the
// OpenAI error format, so the caller's client sees its status. Then events are relayed
// unchanged both ways, with bounded buffers (the faster side is paused), a frame bound, an idle
// deadline, and each `response.done` charged to the budgets; a session that exhausts a Block
// budget gets an `error` event naming it and a close frame. One log line, span and set of
// metrics per session (docs/providers/openai.md, "Realtime").
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { emptyUsage, type CompiledBackend, type CompiledBudget, type Usage } from '@switchyard/compiler';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import { GatewayError } from '../errors/gateway-error.js';
import { reflected } from '../errors/reflected-input.js';
import type { FrontDoorEndpoint } from '../frontdoors/front-door.js';
import { realtimeCostNanos, realtimePricesOf, realtimeUnpriced } from '../governance/cost/realtime-cost.js';
import { budgetExceededError } from '../governance/governance-errors.js';
import type { SessionAdmission } from '../governance/realtime-session-admission.js';
import { realtimeMetricsFor, type RealtimeMetrics, type RealtimeSessionLabels } from '../observe/realtime-metrics.js';
import { planRoutes } from '../table/plan-routes.js';
import type { RequestFeatures } from '../table/request-features.js';
import type { RuntimeKey } from '../table/runtime-table.js';
import type { RealtimeUsage } from '../unified/realtime.js';
import { encodeRealtimeError, realtimeEventType, responseDoneUsage } from '../wire/openai-realtime/index.js';
import { checkKeyActive, identifyKey } from './authenticate.js';
import { authorize } from './authorize.js';
import { startExchange, type Exchange, type ShutdownState } from './exchange.js';
import { observe, requestLabels } from './observe.js';
import { answeredBy, retryObserver, servingTable } from './pipeline.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { connectRealtimeUpstream } from './realtime-connect.js';
import { respondError } from './respond.js';
import { callWithRetries } from './retry.js';

type RealtimeEndpoint = Extract<FrontDoorEndpoint, { operation: 'realtime' }>;

/** The realtime endpoint's bounds (docs/configuration.md, "Realtime sessions"; the --realtime-* flags). */
export interface RealtimeLimits {
  /** Largest WebSocket message either side may send; a larger one closes the session with 1009. */
  maxFrameBytes: number;
  /** Bytes sent but not yet written out, per direction, before the sending side is paused. */
  maxBufferedBytes: number;
  /** Longest wait for the upstream's handshake (TCP, TLS and its 101). */
  connectTimeoutMs: number;
  /** A session with no event either way for this long is closed. */
  idleTimeoutMs: number;
}

export const DEFAULT_REALTIME_LIMITS: Readonly<RealtimeLimits> = {
  // OpenAI accepts up to 15 MiB of audio in one input_audio_buffer.append; base64 and the JSON
  // around it fit in 16 MiB.
  maxFrameBytes: 16 * 1024 * 1024,
  // A second or two of buffered audio deltas at network speed; the paused side holds at most one
  // more frame, so a session's buffers stay under 2 x (this + one frame).
  maxBufferedBytes: 4 * 1024 * 1024,
  connectTimeoutMs: 10_000,
  // Voice sessions pause while a person thinks; OpenAI ends its own sessions after 60 minutes.
  idleTimeoutMs: 5 * 60_000,
};

/** At the end of the shutdown grace, how long a session's peers have to answer its close frames. */
const SHUTDOWN_CLOSE_WAIT_MS = 1_000;
/** How long a shared rate-limit counter keeps a session's concurrency slot if this gateway dies. */
const SESSION_LEASE_MS = 2 * 60 * 60 * 1000;
/** The subprotocol browsers send the key in (they cannot set headers on a WebSocket). */
const KEY_SUBPROTOCOL_PREFIX = 'openai-insecure-api-key.';
/** Browsers ask for the beta protocol by subprotocol; upstream it is the OpenAI-Beta header. */
const BETA_SUBPROTOCOL_PREFIX = 'openai-beta.';
/** Close codes a peer may send (1005, 1006 and 1015 are reserved for reporting). */
const SENDABLE_CLOSE = (code: number): boolean =>
  (code >= 1000 && code <= 1014 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);

export interface RealtimeGateway {
  /** Serves one upgrade request to the realtime endpoint. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, endpoint: RealtimeEndpoint, requestId: string): void;
  /** Sessions relaying now. */
  readonly openSessions: number;
  /** The end of the shutdown grace: every session gets an `error` event and a 1001 close. */
  closeAll(): void;
}

interface Session {
  shutdown(): void;
}

/** Headers for an accepted upgrade's 101, by its request. */
const upgradeHeaders = new WeakMap<IncomingMessage, Record<string, string>>();

export function createRealtimeGateway(
  deps: PipelineDeps,
  limits: RealtimeLimits,
  shutdown: ShutdownState & { draining: boolean },
): RealtimeGateway {
  const sessions = new Set<Session>();
  const metrics = realtimeMetricsFor(deps.metrics.registry);
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
    // OpenAI's browser clients offer `realtime` with their key subprotocol and need it echoed.
    handleProtocols: (protocols) => (protocols.has('realtime') ? 'realtime' : false),
  });
  // The 101 carries what every answer of the gateway does: the request id, the backend, the
  // attempts and the admission's rate-limit headers (set per request in `open`).
  server.on('headers', (headers: string[], req: IncomingMessage) => {
    for (const [name, value] of Object.entries(upgradeHeaders.get(req) ?? {})) headers.push(`${name}: ${value}`);
  });
  return {
    upgrade(req, socket, head, endpoint, requestId) {
      void open({ deps, limits, metrics, server, sessions, shutdown }, req, socket as Socket, head, endpoint, requestId);
    },
    get openSessions() {
      return sessions.size;
    },
    closeAll() {
      for (const session of [...sessions]) session.shutdown();
    },
  };
}

interface Context {
  deps: PipelineDeps;
  limits: RealtimeLimits;
  metrics: RealtimeMetrics;
  server: WebSocketServer;
  sessions: Set<Session>;
  shutdown: ShutdownState & { draining: boolean };
}

async function open(
  context: Context,
  req: IncomingMessage,
  socket: Socket,
  head: Buffer,
  endpoint: RealtimeEndpoint,
  requestId: string,
): Promise<void> {
  const { deps, limits } = context;
  // An HTTP answer on the upgrade's socket, so refusals are rendered like every other endpoint's.
  const res = new ServerResponse(req);
  res.assignSocket(socket);
  res.shouldKeepAlive = false;
  res.once('finish', () => socket.end());
  const exchange = startExchange(req, res, requestId, context.shutdown);
  exchange.stream = true;
  deps.metrics.requestStarted();
  if (deps.tracer !== undefined) exchange.span = deps.tracer.startRequest(exchange, 'realtime');
  let admission: SessionAdmission | undefined;
  let release: (() => void) | undefined;
  try {
    if (context.shutdown.draining)
      throw new GatewayError('no_backend', 'the gateway is shutting down: open the session again (another replica will take it)', {
        code: 'shutting_down',
        retryAfterSeconds: 1,
      });
    const table = servingTable(deps, exchange);
    const callerHeaders = adoptSubprotocols(req);
    // 2. authenticate
    const identified = identifyKey(table, exchange, deps.tokens, (kind, result) => deps.metrics.tokenAuthentication(kind, result));
    const key = (exchange.key = identified instanceof Promise ? await identified : identified);
    checkKeyActive(key, Date.now());
    // 3. authorize
    const model = new URL(req.url ?? '/', 'http://gateway').searchParams.get('model');
    if (model === null || model === '')
      throw new GatewayError('invalid_request', 'GET /v1/realtime needs the model as its `model` query parameter', { param: 'model' });
    exchange.model = reflected(model);
    const route = (exchange.route = authorize(key, model));
    const plan = planRoutes(key, route);
    // 4. admit
    admission = await deps.admission.admitSession?.({ key, route, unpriced: realtimeUnpriced(plan), leaseMs: SESSION_LEASE_MS });
    exchange.admissionHeaders = admission?.headers;
    // 6. route, 7. connect, 8. fall back (only here: a session never moves once events flow)
    const connected = await callWithRetries(
      plan,
      (target) =>
        connectRealtimeUpstream(target, {
          guard: deps.transport.egressGuard,
          connectTimeoutMs: limits.connectTimeoutMs,
          maxFrameBytes: limits.maxFrameBytes,
          callerHeaders,
          clientSignal: exchange.clientGone.signal,
        }),
      {
        clientSignal: exchange.clientGone.signal,
        attempts: exchange.attempts,
        observer: retryObserver(deps, exchange),
        random: deps.random,
        features: sessionFeatures(key),
        affinity: deps.tables.affinity,
        keyFirstByteMs: key.compiled.timeouts?.firstByteMs,
      },
    );
    release = connected.release;
    exchange.routingRule = connected.rule;
    answeredBy(exchange, connected.target);
    exchange.span?.responseModel(connected.target.backend.compiled.model);
    const upstream = connected.result;
    if (exchange.clientGone.signal.aborted) {
      upstream.terminate();
      throw exchange.clientGone.signal.reason;
    }
    // The socket is the WebSocket's from here on.
    res.detachSocket(socket);
    res.removeAllListeners('finish');
    upgradeHeaders.set(req, {
      'x-request-id': exchange.requestId,
      'x-switchyard-backend': connected.target.backend.name,
      'x-switchyard-attempts': String(exchange.attemptCount),
      ...exchange.admissionHeaders,
    });
    const heldAdmission = admission;
    const heldRelease = release;
    context.server.handleUpgrade(req, socket, head, (client) => {
      relay(context, exchange, client, upstream, connected.target.backend.compiled, heldAdmission, heldRelease);
    });
  } catch (error) {
    release?.();
    admission?.close(0);
    respondError(exchange, (gatewayError) => endpoint.frontDoor.encodeError(gatewayError), error);
    if (exchange.status === 0) exchange.status = 499;
    observe(deps, exchange, 'realtime');
  }
}

/**
 * The browser-style subprotocols: a key in `openai-insecure-api-key.<key>` becomes the request's
 * Bearer credential when no Authorization header came (never logged: authenticate reads it and
 * the log names the key by id); `openai-beta.<version>` becomes the OpenAI-Beta header upstream.
 * Returns the caller headers the upstream handshake carries.
 */
function adoptSubprotocols(req: IncomingMessage): Record<string, string> {
  const forwarded: Record<string, string> = {};
  const beta = req.headers['openai-beta'];
  if (typeof beta === 'string') forwarded['openai-beta'] = beta.slice(0, 256);
  const offered = req.headers['sec-websocket-protocol'];
  if (typeof offered !== 'string') return forwarded;
  for (const protocol of offered.split(',')) {
    const name = protocol.trim();
    if (name.startsWith(KEY_SUBPROTOCOL_PREFIX) && req.headers.authorization === undefined)
      req.headers.authorization = `Bearer ${name.slice(KEY_SUBPROTOCOL_PREFIX.length)}`;
    else if (name.startsWith(BETA_SUBPROTOCOL_PREFIX) && forwarded['openai-beta'] === undefined)
      forwarded['openai-beta'] = name.slice(BETA_SUBPROTOCOL_PREFIX.length).replace(/-v(\d+)$/, '=v$1');
  }
  return forwarded;
}

const NO_TAGS: ReadonlySet<string> = new Set();

/** A session has no request body to match rules on: only the key's labels and the `realtime` door. */
function sessionFeatures(key: RuntimeKey): RequestFeatures {
  return {
    tags: NO_TAGS,
    metadata: {},
    promptTokens: 0,
    contextTokens: () => 0,
    maxOutputTokens: undefined,
    outputTokens: () => 0,
    hasTools: false,
    hasImages: false,
    jsonSchema: false,
    reasoning: false,
    frontDoor: 'openai',
    keyLabels: key.compiled.labels,
    conversation: undefined,
  };
}

type Outcome = 'closed' | 'upstream_closed' | 'budget_exceeded' | 'idle' | 'frame_too_large' | 'upstream_error' | 'shutdown';

function relay(
  context: Context,
  exchange: Exchange,
  client: WebSocket,
  upstream: WebSocket,
  backend: CompiledBackend,
  admission: SessionAdmission | undefined,
  release: () => void,
): void {
  const { deps, limits, metrics } = context;
  const labels: RealtimeSessionLabels = requestLabels(exchange);
  const openedAt = performance.now();
  const prices = realtimePricesOf(backend);
  exchange.status = 101;
  metrics.sessionOpened();
  const charges: Promise<void>[] = [];
  let tokens = 0;
  let outcome: Outcome | undefined;
  const session: Session = {
    shutdown: () =>
      end('shutdown', 1001, 'gateway shutting down', {
        type: 'server_error',
        code: 'gateway_shutdown',
        message: 'The gateway is shutting down; open the session again to continue.',
      }),
  };
  context.sessions.add(session);

  // One timer per session, pushed back on every event (refresh() re-arms it without a new timer).
  const idleTimer = setTimeout(
    () =>
      end('idle', 1000, `idle for ${limits.idleTimeoutMs} ms (--realtime-idle-timeout)`, {
        type: 'invalid_request_error',
        code: 'session_idle',
        message: `The session sent and received no event for ${limits.idleTimeoutMs} ms (the gateway's --realtime-idle-timeout) and is closed.`,
      }),
    limits.idleTimeoutMs,
  );
  idleTimer.unref();
  const touch = (): void => {
    idleTimer.refresh();
  };

  // A message over the frame bound: ws closes with 1009 and no reason; the reason is ours.
  withFrameReason(client, `message over the ${limits.maxFrameBytes}-byte limit (--realtime-max-frame-bytes)`);
  withFrameReason(upstream, `upstream message over the ${limits.maxFrameBytes}-byte limit (--realtime-max-frame-bytes)`);

  pipe(client, upstream, limits.maxBufferedBytes, () => {
    touch();
    metrics.eventsRelayed(labels, 'client', 1);
    return outcome === undefined;
  });
  pipe(upstream, client, limits.maxBufferedBytes, (data, isBinary) => {
    touch();
    metrics.eventsRelayed(labels, 'upstream', 1);
    if (exchange.firstEventAt === undefined) exchange.firstEventAt = performance.now();
    if (!isBinary && realtimeEventType(data) === 'response.done') {
      const usage = responseDoneUsage(data.toString('utf8'));
      if (usage !== undefined) charges.push(chargeResponse(usage));
    }
    return outcome === undefined;
  });

  const chargeResponse = async (usage: RealtimeUsage): Promise<void> => {
    tokens += usage.inputTokens + usage.outputTokens;
    const counted: Usage = { ...emptyUsage(), inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
    counted.cachedInputTokens = usage.cachedTextTokens + usage.cachedAudioTokens + usage.cachedImageTokens;
    exchange.usage = addUsage(exchange.usage, counted);
    deps.metrics.usage(labels, counted);
    if (prices === undefined) return;
    const cost = realtimeCostNanos(usage, prices);
    exchange.costNanos = (exchange.costNanos ?? 0n) + cost;
    deps.costs?.costed(labels.route, labels.backend, labels.key, cost);
    const exhausted = await admission?.charge(cost).catch((error: unknown) => {
      deps.logger.warn('realtime session: budget charge failed', { requestId: exchange.requestId, error });
      return undefined;
    });
    if (exhausted !== undefined) budgetSpent(exhausted);
  };

  const budgetSpent = (budget: CompiledBudget): void => {
    const error = budgetExceededError(budget, true, Date.now(), undefined);
    exchange.error = error;
    end('budget_exceeded', 1008, `budget ${budget.id} exhausted`.slice(0, 120), {
      type: 'invalid_request_error',
      code: 'budget_exceeded',
      message: `${error.message} The session is closed.`,
    });
  };

  upstream.resume();

  client.on('close', (code, reason) => end('closed', SENDABLE_CLOSE(code) ? code : 1000, reason.toString('utf8')));
  upstream.on('close', (code, reason) =>
    end(code === 1006 ? 'upstream_error' : 'upstream_closed', SENDABLE_CLOSE(code) ? code : 1011, reason.toString('utf8')),
  );
  client.on('error', (error: Error & { code?: string }) => {
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') end('frame_too_large', 1009, '');
  });
  upstream.on('error', (error: Error & { code?: string }) => {
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
      end('frame_too_large', 1009, `upstream message over the ${limits.maxFrameBytes}-byte limit (--realtime-max-frame-bytes)`);
    else end('upstream_error', 1011, 'upstream connection failed');
  });

  /**
   * Ends the session once: the gateway's own reason goes to the caller as an `error` event
   * first (when there is one), both sockets get a close frame, and once the charges in flight
   * have settled the session is counted, released and logged.
   */
  function end(why: Outcome, code: number, reason: string, error?: { type: string; code: string; message: string }): void {
    if (outcome !== undefined) return;
    outcome = why;
    clearTimeout(idleTimer);
    context.sessions.delete(session);
    if (error !== undefined && client.readyState === WebSocket.OPEN) client.send(encodeRealtimeError(error));
    closeSocket(client, code, reason);
    closeSocket(upstream, why === 'closed' ? code : 1000, why === 'closed' ? reason : '');
    if (why === 'shutdown') {
      // The grace is over: a peer that does not answer the close frame at once is not waited for.
      setTimeout(() => {
        client.terminate();
        upstream.terminate();
      }, SHUTDOWN_CLOSE_WAIT_MS).unref();
    }
    if (why !== 'closed' && why !== 'upstream_closed') exchange.streamFailure = why;
    if (why === 'shutdown') exchange.cut = 'shutdown';
    void Promise.allSettled(charges).then(() => {
      metrics.sessionClosed(labels, why, (performance.now() - openedAt) / 1000);
      admission?.close(tokens);
      release();
      observe(deps, exchange, 'realtime');
    });
  }
}

/** Relays `from`'s messages to `to`, pausing `from` while more than `maxBuffered` bytes wait to be written to `to`. */
function pipe(from: WebSocket, to: WebSocket, maxBuffered: number, forward: (data: Buffer, isBinary: boolean) => boolean): void {
  let pending = 0;
  let paused = false;
  from.on('message', (raw: RawData, isBinary: boolean) => {
    const data = asBuffer(raw);
    if (!forward(data, isBinary) || to.readyState !== WebSocket.OPEN) return;
    pending += data.length;
    to.send(data, { binary: isBinary }, () => {
      pending -= data.length;
      if (paused && pending <= maxBuffered / 2) {
        paused = false;
        from.resume();
      }
    });
    if (!paused && pending > maxBuffered) {
      paused = true;
      from.pause();
    }
  });
}

function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === WebSocket.CLOSED || socket.readyState === WebSocket.CLOSING) return;
  if (socket.readyState === WebSocket.CONNECTING) {
    socket.terminate();
    return;
  }
  socket.close(code, truncateReason(reason));
}

/** A close reason is at most 123 bytes. */
function truncateReason(reason: string): string {
  let cut = reason;
  while (Buffer.byteLength(cut) > 123) cut = cut.slice(0, -1);
  return cut;
}

/**
 * ws closes a socket whose peer sent a message over `maxPayload` with 1009 and an empty reason;
 * the caller should learn which limit it hit, so this socket's closes with 1009 carry `reason`.
 */
function withFrameReason(socket: WebSocket, reason: string): void {
  const close = socket.close.bind(socket);
  socket.close = (code?: number, data?: string | Buffer) =>
    close(code, code === 1009 && (data === undefined || data.length === 0) ? truncateReason(reason) : data);
}

function asBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

function addUsage(total: Usage | undefined, more: Usage): Usage {
  if (total === undefined) return more;
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    cachedInputTokens: total.cachedInputTokens + more.cachedInputTokens,
    cacheWriteTokens: total.cacheWriteTokens + more.cacheWriteTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    reasoningTokens: total.reasoningTokens + more.reasoningTokens,
  };
}
