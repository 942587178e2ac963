// The two listeners (public and admin) and their graceful shutdown: stop accepting, let
// in-flight requests (streams included) finish within the grace period, then close the rest.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PipelineDeps } from '../pipeline/pipeline-deps.js';
import { createAdminHandler } from './admin-handler.js';
import type { FrontDoorDeclaration } from '../frontdoors/front-door.js';
import { createFrontDoorRoutes } from './front-door-routes.js';
import { createFrontDoorRouter } from './front-door-router.js';
import type { Lifecycle } from './health-endpoints.js';
import { createPublicHandler } from './public-handler.js';

export interface GatewayServerOptions {
  host: string;
  port: number;
  adminPort: number;
  deps: PipelineDeps;
  /** Default: createFrontDoorRoutes(), whose Responses front door keeps conversations in memory. */
  frontDoorRoutes?: readonly FrontDoorDeclaration[];
}

export interface RunningGateway {
  host: string;
  port: number;
  adminPort: number;
  /** Requests being served on the public port. */
  readonly inFlight: number;
  /** Stops accepting, drains for up to `graceMs`, then closes everything. */
  close(graceMs: number): Promise<void>;
}

// Longer than the idle timeout of common load balancers (60 s), so they close first and
// never send a request on a connection the gateway is closing.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export async function startGatewayServer(options: GatewayServerOptions): Promise<RunningGateway> {
  const lifecycle: Lifecycle = { draining: false };
  const router = createFrontDoorRouter(options.frontDoorRoutes ?? createFrontDoorRoutes());
  const handlePublic = createPublicHandler(options.deps, router, lifecycle);
  let inFlight = 0;
  const onRequestDone = (): void => {
    inFlight -= 1;
  };
  const publicServer = createServer(
    { keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, headersTimeout: KEEP_ALIVE_TIMEOUT_MS + 1_000, noDelay: true },
    (req: IncomingMessage, res: ServerResponse) => {
      inFlight += 1;
      // 'close' fires once per response; `on` skips the wrapper `once` allocates.
      res.on('close', onRequestDone);
      handlePublic(req, res);
    },
  );
  const adminServer = createServer({ noDelay: true }, createAdminHandler(options.deps.tables, options.deps.metrics, lifecycle));
  // A client that sends garbage gets a 400 from node:http and the server keeps going.
  for (const server of [publicServer, adminServer]) {
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    });
  }
  const port = await listen(publicServer, options.host, options.port);
  let adminPort: number;
  try {
    adminPort = await listen(adminServer, options.host, options.adminPort);
  } catch (error) {
    publicServer.close();
    throw error;
  }

  return {
    host: options.host,
    port,
    adminPort,
    get inFlight() {
      return inFlight;
    },
    async close(graceMs) {
      lifecycle.draining = true;
      const publicClosed = new Promise<void>((resolveClose) => publicServer.close(() => resolveClose()));
      const deadline = Date.now() + graceMs;
      while (inFlight > 0 && Date.now() < deadline) {
        // Connections that just finished a response are idle now; close them so clients reconnect elsewhere.
        publicServer.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 25));
      }
      // Requests still running are cut by the gateway, not closed by their callers (logged and settled as such).
      lifecycle.cutting = true;
      publicServer.closeAllConnections();
      await publicClosed;
      const adminClosed = new Promise<void>((resolveClose) => adminServer.close(() => resolveClose()));
      adminServer.closeAllConnections();
      await adminClosed;
    },
  };
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
