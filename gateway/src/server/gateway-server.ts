// The two listeners (public and admin) and their graceful shutdown: stop accepting, let
// in-flight requests (streams included) finish within the grace period, then close the rest.
// Both listeners bound how long a client may take to send a request, and the public one how
// many connections it holds open (docs/configuration.md, "Gateway limits and listeners").
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { GatewayMetrics } from '../observe/metrics.js';
import type { PipelineDeps } from '../pipeline/pipeline-deps.js';
import { createAdminHandler } from './admin-handler.js';
import type { FrontDoorDeclaration } from '../frontdoors/front-door.js';
import { createFrontDoorRoutes } from './front-door-routes.js';
import { createFrontDoorRouter } from './front-door-router.js';
import type { Lifecycle } from './health-endpoints.js';
import { createPublicHandler } from './public-handler.js';
import { createRealtimeGateway, DEFAULT_REALTIME_LIMITS, type RealtimeLimits } from '../pipeline/realtime-operation.js';
import { createUpgradeHandler } from './realtime-upgrade.js';

/** How long clients may take and how many connections they may hold (the --*-timeout and --max-connections flags). */
export interface ListenerLimits {
  /** Longest wait for a request's complete headers, from its first byte (a new connection: from its opening). */
  headersTimeoutMs: number;
  /** Longest wait for a whole request, headers and body; a request past it is answered 408. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept for the client's next request. */
  keepAliveTimeoutMs: number;
  /** Open connections on the public port; one more is closed as soon as it is accepted (and counted). */
  maxConnections: number;
}

export const DEFAULT_LISTENER_LIMITS: Readonly<ListenerLimits> = {
  // A client sends its headers in one write; 10 s leaves room for a slow network, and is what
  // a connection that sends nothing at all may hold a slot for.
  headersTimeoutMs: 10_000,
  // A 32 MiB body (--max-body-bytes) arrives in 60 s at 4.5 Mbit/s; LLM requests are mostly far
  // smaller. Only receiving the request is bounded: answers and streams run as long as routes allow.
  requestTimeoutMs: 60_000,
  // Longer than the idle timeout of common load balancers (60 s), so they close first and
  // never send a request on a connection the gateway is closing.
  keepAliveTimeoutMs: 65_000,
  // An idle keep-alive connection costs a file descriptor and about 16 KB of memory (5,000 of
  // them added 79 MB of RSS), so the cap holds that to ~160 MB, well inside the chart's 1 GiB
  // limit, while leaving room for thousands of concurrent streams (each needs its own HTTP/1.1
  // connection); behind a load balancer that pools connections a pod sees far fewer.
  maxConnections: 10_000,
};

export interface GatewayServerOptions {
  host: string;
  port: number;
  /**
   * Addresses of the admin listener (health, readiness, /metrics, which names keys and spend),
   * one listener each on the same port; default `host`. Kept apart from `host` so metrics need
   * not be reachable wherever the API is.
   */
  adminHosts?: readonly string[];
  adminPort: number;
  /** Default DEFAULT_LISTENER_LIMITS. */
  limits?: Partial<ListenerLimits>;
  deps: PipelineDeps;
  /** Default: createFrontDoorRoutes(), whose Responses front door keeps conversations in memory. */
  frontDoorRoutes?: readonly FrontDoorDeclaration[];
  /** Bounds of realtime sessions (the --realtime-* flags); default DEFAULT_REALTIME_LIMITS. */
  realtime?: Partial<RealtimeLimits>;
}

export interface RunningGateway {
  host: string;
  port: number;
  /** The admin listener's addresses, in the order given. */
  adminHosts: readonly string[];
  adminPort: number;
  /** Requests being served on the public port. */
  readonly inFlight: number;
  /** Stops accepting, drains for up to `graceMs`, then closes everything. */
  close(graceMs: number): Promise<void>;
}

export async function startGatewayServer(options: GatewayServerOptions): Promise<RunningGateway> {
  const limits: ListenerLimits = { ...DEFAULT_LISTENER_LIMITS, ...options.limits };
  const { metrics } = options.deps;
  const lifecycle: Lifecycle = { draining: false };
  const router = createFrontDoorRouter(options.frontDoorRoutes ?? createFrontDoorRoutes());
  const handlePublic = createPublicHandler(options.deps, router, lifecycle);
  let inFlight = 0;
  const onRequestDone = (): void => {
    inFlight -= 1;
  };
  const timeouts = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // node:http looks for late requests on this period (30 s by default, which let a 60 s
    // deadline run to 73 s); a tenth of the shorter deadline, at most a second, keeps the
    // deadlines close to what is configured for the cost of a walk over the unfinished requests.
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 10))),
  };
  const publicServer = createServer(
    { ...timeouts, keepAliveTimeout: limits.keepAliveTimeoutMs, noDelay: true },
    (req: IncomingMessage, res: ServerResponse) => {
      inFlight += 1;
      // 'close' fires once per response; `on` skips the wrapper `once` allocates.
      res.on('close', onRequestDone);
      handlePublic(req, res);
    },
  );
  publicServer.maxConnections = limits.maxConnections;
  // GET /v1/realtime: upgraded sockets leave node:http, so the realtime gateway drains them itself.
  const realtime = createRealtimeGateway(options.deps, { ...DEFAULT_REALTIME_LIMITS, ...options.realtime }, lifecycle);
  publicServer.on('upgrade', createUpgradeHandler(router, realtime));
  // node:http closes a connection over maxConnections as soon as it is accepted, and says so here.
  publicServer.on('drop', () => metrics.connectionRefused());
  let openConnections = 0;
  const onConnectionClosed = (): void => {
    openConnections -= 1;
  };
  publicServer.on('connection', (socket: Socket) => {
    openConnections += 1;
    socket.on('close', onConnectionClosed);
  });
  metrics.observeConnections(() => openConnections);
  const adminHosts = options.adminHosts !== undefined && options.adminHosts.length > 0 ? options.adminHosts : [options.host];
  const handleAdmin = createAdminHandler(options.deps.tables, metrics, lifecycle);
  const adminServers = adminHosts.map(() => createServer({ ...timeouts, noDelay: true }, handleAdmin));
  for (const server of [publicServer, ...adminServers])
    server.on('clientError', (error: Error, socket: Socket) => answerClientError(error, socket, limits, metrics));
  const port = await listen(publicServer, options.host, options.port);
  let adminPort = options.adminPort;
  const listening: Server[] = [publicServer];
  try {
    for (const [index, server] of adminServers.entries()) {
      // Port 0 picks a free port on the first address; the others then take the same one.
      adminPort = await listen(server, adminHosts[index] as string, adminPort);
      listening.push(server);
    }
  } catch (error) {
    for (const server of listening) server.close();
    throw error;
  }

  return {
    host: options.host,
    port,
    adminHosts,
    adminPort,
    get inFlight() {
      return inFlight;
    },
    async close(graceMs) {
      lifecycle.draining = true;
      const publicClosed = new Promise<void>((resolveClose) => publicServer.close(() => resolveClose()));
      const deadline = Date.now() + graceMs;
      while ((inFlight > 0 || realtime.openSessions > 0) && Date.now() < deadline) {
        // Connections that just finished a response are idle now; close them so clients reconnect elsewhere.
        publicServer.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 25));
      }
      // Requests still running are cut by the gateway, not closed by their callers (logged and settled as such).
      lifecycle.cutting = true;
      realtime.closeAll();
      publicServer.closeAllConnections();
      await publicClosed;
      await Promise.all(
        adminServers.map((server) => {
          const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
          server.closeAllConnections();
          return closed;
        }),
      );
    },
  };
}

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n';
const HEADERS_TOO_LARGE = 'HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n';

/**
 * What node:http reports about a connection before or outside a request handler: a request
 * that is not received in time (408, naming the limit), headers too large (431), anything else
 * that does not parse (400). Nothing is written once a response has begun on the connection
 * (bytes of ours would corrupt it); the connection is closed either way, and the server goes on.
 */
function answerClientError(error: Error, socket: Socket, limits: ListenerLimits, metrics: GatewayMetrics): void {
  const code = (error as NodeJS.ErrnoException).code;
  // node:http's own marker of the response in progress on this connection (set while a handler answers).
  const response = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
  let answer = BAD_REQUEST;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    // A response object exists only once the headers were parsed: then it was the body that was late.
    const phase = response === undefined ? 'headers' : 'body';
    metrics.clientTimedOut(phase);
    answer = requestTimeoutAnswer(phase, limits);
  } else if (code === 'HPE_HEADER_OVERFLOW') {
    answer = HEADERS_TOO_LARGE;
  }
  if (socket.writable && (response === undefined || !response.headersSent)) socket.end(answer);
  else socket.destroy();
}

function requestTimeoutAnswer(phase: 'headers' | 'body', limits: ListenerLimits): string {
  const message =
    phase === 'headers'
      ? `request headers were not received within the ${limits.headersTimeoutMs} ms limit (--headers-timeout)`
      : `request was not received within the ${limits.requestTimeoutMs} ms limit (--request-timeout)`;
  const body = JSON.stringify({ error: { message, type: 'request_timeout', code: 'request_timeout', param: null } });
  return `HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolveListen, rejectListen) => {
    const onError = (error: Error): void => rejectListen(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolveListen((server.address() as AddressInfo).port);
    });
  });
}
