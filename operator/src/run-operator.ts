// Assembles the operator: API client, watches and controller, the table stream listener, leader
// election, health and metrics. Used by the CLI and by tests that run the operator in-process.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { json, startHealthServer, type HealthAnswer, type HealthServer } from './observe/health-server.js';
import type { AddressInfo } from 'node:net';
import { BUILTIN_KINDS, buildInfo } from '@switchyard/compiler';
import { TokenReviewAuthenticator } from './auth/token-review-authenticator.js';
import { UserAccessReview } from './auth/user-access-review.js';
import { isLoopbackHost, type OperatorFlags } from './cli/operator-flags.js';
import { KubeClient } from './kube/kube-client.js';
import { LeaseLeaderElection } from './leader/lease-leader-election.js';
import { combineAckSources, ReplicaAckCollector, ReplicaAckReporter } from './leader/replica-ack-reports.js';
import { createLogger, errorMessage, type Logger } from './observe/logger.js';
import { OperatorMetrics } from './observe/operator-metrics.js';
import { ConsoleServer } from './console/console-server.js';
import { GatewayTrafficStore } from './console/gateway-traffic.js';
import { ConsoleOidc } from './console/console-oidc.js';
import { EventRecorder } from './reconcile/event-recorder.js';
import { MCPReadiness } from './mcp/mcp-readiness.js';
import { probeMCPServer } from './mcp/probe-mcp-server.js';
import { OperatorController } from './reconcile/operator-controller.js';
import { SpendAggregator } from './spend/spend-aggregator.js';
import { answerUsageReports } from './spend/usage-report-endpoint.js';
import {
  CertificateProblem,
  isExpired,
  loadCertificatePair,
  ServingCertificateReloader,
  type LoadedCertificate,
} from './table-server/serving-certificate.js';
import { TableStreamServer } from './table-server/table-stream-server.js';

export interface RunningOperator {
  listenPort: number;
  healthPort: number;
  metricsPort: number;
  /** Where the web console listens; undefined without --console-listen. */
  consolePort: number | undefined;
  controller: OperatorController;
  election: LeaseLeaderElection;
  tableServer: TableStreamServer;
  spend: SpendAggregator;
  metrics: OperatorMetrics;
  /** Stops serving, releases the lease when leading, stops the watches. */
  close(): Promise<void>;
}

export interface StartOperatorDeps {
  logger?: Logger;
  client?: KubeClient;
  /** Compile debounce and resync tuning for tests. */
  compileDebounceMs?: number;
  keepaliveIntervalMs?: number;
  /** How often Budget spend may be written (default 2 s). */
  spendFlushIntervalMs?: number;
  /** Serving certificate reload tuning for tests (defaults: 30 s content check, directory watch on). */
  certificateReload?: { pollIntervalMs?: number; watch?: boolean; settleMs?: number };
}

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export async function startOperator(flags: OperatorFlags, deps: StartOperatorDeps = {}): Promise<RunningOperator> {
  const logger =
    deps.logger ??
    createLogger({ level: flags.log.level, format: flags.log.format, base: { component: 'operator', replica: flags.replicaId } });
  const tls = await readTls(flags);
  if (!tls && !isLoopbackHost(flags.listenHost)) {
    throw new StartupError(
      `--listen ${flags.listenHost}:${flags.listenPort} needs --tls-cert-file and --tls-key-file: tables carry provider credentials, so plain HTTP is allowed on loopback only`,
    );
  }
  const client = kubeClientFor(flags, deps);
  if (flags.gatewayServiceAccounts.length === 0) {
    logger.warn('no --gateway-service-account given: every gateway will be refused (403)');
  }

  const metrics = new OperatorMetrics();
  // The controller is created last but called back by parts created before it.
  const late: { controller?: OperatorController } = {};
  const gateways = createGatewaySide(flags, deps, { client, logger, metrics, late });
  const stream = await listenForGateways(flags, deps, { tls, tableServer: gateways.tableServer, logger, metrics });
  const election = createLeaderElection(flags, { client, logger, metrics, late });
  const controller = createController(flags, deps, { client, logger, metrics, gateways, election });
  late.controller = controller;

  let health: HealthServers;
  try {
    health = await serveHealthAndMetrics(flags, { controller, election, tableServer: gateways.tableServer, metrics });
  } catch (error) {
    stream.server.close();
    gateways.tableServer.close();
    throw error;
  }
  let consoleServer: Server | undefined;
  let consoleCertificates: ServingCertificateReloader | undefined;
  let consolePort: number | undefined;
  if (flags.consoleListen) {
    try {
      const consoleParts = await createConsole(flags, {
        client,
        controller,
        tableServer: gateways.tableServer,
        traffic: gateways.traffic,
        logger,
      });
      consoleServer = consoleParts.server;
      consoleCertificates = consoleParts.certificateReloader;
      consolePort = await listen(consoleServer, flags.consoleListen.host, flags.consoleListen.port, '--console-listen');
    } catch (error) {
      stream.server.close();
      gateways.tableServer.close();
      void health.healthServer.close();
      health.metricsServer?.close();
      throw error;
    }
  }
  stream.certificateReloader?.start();
  consoleCertificates?.start();
  const pruneTimer = startBackgroundWork({ controller, election, gateways, client, logger });
  const build = buildInfo();
  logger.info('operator started', {
    version: build.version,
    nodeVersion: build.nodeVersion,
    ...(build.commit === undefined ? {} : { commit: build.commit }),
    listen: `${flags.listenHost}:${stream.port}`,
    tls: Boolean(tls),
    ...(tls
      ? { certificate: { subject: tls.summary.subject, serial: tls.summary.serial, notAfter: tls.summary.notAfter.toISOString() } }
      : {}),
    healthPort: health.healthPort,
    metricsPort: health.metricsPort,
    ...(flags.consoleListen ? { console: `${flags.consoleListen.host}:${String(consolePort)}` } : {}),
    namespaces: flags.namespaces ?? 'all',
    sharedNamespaces: flags.sharedNamespaces,
    gatewayServiceAccounts: flags.gatewayServiceAccounts,
    lease: `${flags.leaderElectionNamespace}/${flags.leaderElectionId}`,
  });

  let closing: Promise<void> | undefined;
  return {
    listenPort: stream.port,
    healthPort: health.healthPort,
    metricsPort: health.metricsPort,
    consolePort,
    controller,
    election,
    tableServer: gateways.tableServer,
    spend: gateways.spend,
    metrics,
    close() {
      closing ??= (async () => {
        clearInterval(pruneTimer);
        stream.certificateReloader?.stop();
        consoleCertificates?.stop();
        stream.server.close();
        gateways.tableServer.close();
        stream.server.closeAllConnections?.();
        await gateways.spend.stop();
        await Promise.all([election.stop(), gateways.reporter.stop(), gateways.collector.stop()]);
        await controller.stop();
        await health.healthServer.close();
        health.metricsServer?.close();
        consoleServer?.close();
        consoleServer?.closeAllConnections();
        client.close();
      })();
      return closing;
    },
  };
}

interface Shared {
  client: KubeClient;
  logger: Logger;
  metrics: OperatorMetrics;
}

interface LateController {
  late: { controller?: OperatorController };
}

function kubeClientFor(flags: OperatorFlags, deps: StartOperatorDeps): KubeClient {
  try {
    return deps.client ?? KubeClient.fromKubeconfig(flags.kubeconfig);
  } catch (error) {
    throw new StartupError(`cannot load the Kubernetes client configuration: ${errorMessage(error)}`);
  }
}

/** What faces the gateways: the table stream, the spend aggregator and the acknowledgement reports. */
interface GatewaySide {
  tableServer: TableStreamServer;
  spend: SpendAggregator;
  reporter: ReplicaAckReporter;
  collector: ReplicaAckCollector;
  /** What gateways report of their traffic; kept only when the console is on. */
  traffic: GatewayTrafficStore | undefined;
}

function createGatewaySide(
  flags: OperatorFlags,
  deps: StartOperatorDeps,
  { client, logger, metrics, late }: Shared & LateController,
): GatewaySide {
  const authenticator = new TokenReviewAuthenticator({ client, allowedServiceAccounts: flags.gatewayServiceAccounts });
  const traffic = flags.consoleListen ? new GatewayTrafficStore() : undefined;
  const tableServer: TableStreamServer = new TableStreamServer({
    authenticate: (header) => authenticator.authenticate(header),
    replicaId: flags.replicaId,
    logger: logger.child({ part: 'table-stream' }),
    ...(deps.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: deps.keepaliveIntervalMs } : {}),
    onSessionsChanged: () => {
      metrics.connectedGateways.set(tableServer.sessionCount);
      reporter.changed();
      late.controller?.onAcknowledgementsChanged();
    },
    onTableSent: () => metrics.tablesSent.inc(),
    onTableEncoded: ({ jsonBytes, gzipBytes }) => {
      metrics.tableBytes.set({ encoding: 'json' }, jsonBytes);
      metrics.tableBytes.set({ encoding: 'gzip' }, gzipBytes);
    },
    onAuthFailure: (status) => metrics.streamAuthFailures.inc({ status: String(status) }),
    onUsageReports: (body) => answerUsageReports(spend, body, traffic),
  });
  // Every replica applies its gateways' usage reports and pushes them snapshots; see spend/spend-aggregator.ts.
  const spend: SpendAggregator = new SpendAggregator({
    client,
    budgets: () => tableServer.latest?.table.budgets ?? [],
    onSnapshot: (snapshot) => tableServer.publishSpendSnapshot(snapshot),
    logger: logger.child({ part: 'spend' }),
    ...(deps.spendFlushIntervalMs !== undefined ? { flushIntervalMs: deps.spendFlushIntervalMs } : {}),
  });

  // Gateways may sit on any replica; each replica reports its gateways' acknowledgements so the
  // leader can judge Programmed for all of them.
  const reporter = new ReplicaAckReporter({
    client,
    namespace: flags.leaderElectionNamespace,
    group: flags.leaderElectionId,
    replicaId: flags.replicaId,
    source: tableServer,
    logger: logger.child({ part: 'replica-report' }),
  });
  const collector = new ReplicaAckCollector({
    client,
    namespace: flags.leaderElectionNamespace,
    group: flags.leaderElectionId,
    replicaId: flags.replicaId,
    logger: logger.child({ part: 'replica-reports' }),
    onChanged: () => late.controller?.onAcknowledgementsChanged(),
  });
  return { tableServer, spend, reporter, collector, traffic };
}

interface GatewayListener {
  server: Server;
  port: number;
  certificateReloader: ServingCertificateReloader | undefined;
}

/** The table stream's HTTP(S) server, listening, with the serving certificate reloaded on rotation. */
async function listenForGateways(
  flags: OperatorFlags,
  deps: StartOperatorDeps,
  {
    tls,
    tableServer,
    logger,
    metrics,
  }: { tls: LoadedCertificate | undefined; tableServer: TableStreamServer; logger: Logger; metrics: OperatorMetrics },
): Promise<GatewayListener> {
  const streamHandler = (req: IncomingMessage, res: ServerResponse): void => {
    if (!tableServer.handle(req, res)) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `no such endpoint ${req.method} ${req.url}` } }));
    }
  };
  const httpsServer = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, streamHandler) : undefined;
  const server: Server = httpsServer ?? createHttpServer(streamHandler);
  if (tls && isExpired(tls.summary, Date.now())) {
    // Served anyway: refusing to start would not help the gateways, and the renewal is picked up without a restart.
    logger.error('the serving certificate has expired; gateways will refuse it until it is renewed', {
      certFile: flags.tlsCertFile,
      serial: tls.summary.serial,
      notAfter: tls.summary.notAfter.toISOString(),
    });
  }
  // A rotated Secret reaches new handshakes without a restart; open streams keep their session.
  const certificateReloader =
    tls && httpsServer && flags.tlsCertFile && flags.tlsKeyFile
      ? new ServingCertificateReloader({
          certFile: flags.tlsCertFile,
          keyFile: flags.tlsKeyFile,
          initial: tls,
          apply: (pair) => httpsServer.setSecureContext(pair),
          logger: logger.child({ part: 'serving-certificate' }),
          metrics,
          ...deps.certificateReload,
        })
      : undefined;
  // Streams are long-lived: no request timeout, but headers must arrive promptly.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  const port = await listen(server, flags.listenHost, flags.listenPort, '--listen');
  return { server, port, certificateReloader };
}

function createLeaderElection(flags: OperatorFlags, { client, logger, metrics, late }: Shared & LateController): LeaseLeaderElection {
  return new LeaseLeaderElection({
    client,
    namespace: flags.leaderElectionNamespace,
    name: flags.leaderElectionId,
    identity: flags.replicaId,
    leaseDurationMs: flags.leaseDurationMs,
    renewDeadlineMs: flags.renewDeadlineMs,
    retryPeriodMs: flags.retryPeriodMs,
    logger: logger.child({ part: 'leader-election' }),
    onStartedLeading: () => {
      metrics.leader.set(1);
      late.controller?.onLeadershipChanged(true);
    },
    onStoppedLeading: () => {
      metrics.leader.set(0);
      late.controller?.onLeadershipChanged(false);
    },
  });
}

function createController(
  flags: OperatorFlags,
  deps: StartOperatorDeps,
  { client, logger, metrics, gateways, election }: Shared & { gateways: GatewaySide; election: LeaseLeaderElection },
): OperatorController {
  const events = new EventRecorder({ client, replicaId: flags.replicaId, logger, onDropped: () => metrics.eventsDropped.inc() });
  return new OperatorController({
    client,
    namespaces: flags.namespaces,
    sharedNamespaces: flags.sharedNamespaces,
    publisher: gateways.tableServer,
    acknowledgements: combineAckSources(gateways.tableServer, gateways.collector),
    events,
    isLeader: () => election.isLeader,
    onBudgetObserved: (budget) => gateways.spend.observeBudget(budget),
    logger: logger.child({ part: 'controller' }),
    metrics,
    watch: { inactivityTimeoutMs: flags.watchInactivityTimeoutMs },
    resyncPeriodMs: flags.resyncPeriodMs,
    statusContributors: (enqueue) => [
      new MCPReadiness({
        probe: (server) => probeMCPServer(server),
        onChanged: enqueue,
        isLeader: () => election.isLeader,
        recheckMs: flags.mcpRecheckIntervalMs,
        logger: logger.child({ part: 'mcp-readiness' }),
      }),
    ],
    ...(deps.compileDebounceMs !== undefined ? { compileDebounceMs: deps.compileDebounceMs } : {}),
  });
}

interface HealthServers {
  /** The health port's server (its own thread: see observe/health-server.ts). */
  healthServer: HealthServer;
  healthPort: number;
  /** Present when metrics have their own port. */
  metricsServer: Server | undefined;
  metricsPort: number;
}

/** /healthz, /readyz and /metrics (on the health port unless --metrics-port names another). */
async function serveHealthAndMetrics(
  flags: OperatorFlags,
  {
    controller,
    election,
    tableServer,
    metrics,
  }: { controller: OperatorController; election: LeaseLeaderElection; tableServer: TableStreamServer; metrics: OperatorMetrics },
): Promise<HealthServers> {
  // Everything but /healthz, answered on this (the main) thread.
  const answer = async (path: string, withMetrics: boolean): Promise<HealthAnswer> => {
    if (path === '/readyz') {
      const table = controller.table;
      if (!controller.synced) return json(503, { status: 'watches not synced yet' });
      if (!table) return json(503, { status: 'no routing table compiled yet' });
      return json(200, {
        status: 'ready',
        tableVersion: table.version,
        tableHash: table.hash,
        leader: election.isLeader,
        gateways: tableServer.sessionCount,
      });
    }
    if (withMetrics && path === '/metrics') {
      return { status: 200, contentType: metrics.registry.contentType, body: await metrics.render() };
    }
    return json(404, { error: 'not found' });
  };
  const separateMetrics = flags.metricsPort !== undefined && flags.metricsPort !== flags.healthPort;
  let healthServer: HealthServer;
  try {
    healthServer = await startHealthServer({
      host: '0.0.0.0',
      port: flags.healthPort,
      maxStallMs: flags.livenessMaxStallMs,
      handle: (path) => answer(path, !separateMetrics),
      flag: '--health-port',
    });
  } catch (error) {
    throw new StartupError(errorMessage(error));
  }
  const healthPort = healthServer.port;
  if (!separateMetrics) return { healthServer, healthPort, metricsServer: undefined, metricsPort: healthPort };
  const metricsServer = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const reply = (a: HealthAnswer) => res.writeHead(a.status, { 'content-type': a.contentType }).end(a.body);
    answer(path, true).then(reply, (error: unknown) => reply(json(500, { error: errorMessage(error) })));
  });
  let metricsPort: number;
  try {
    metricsPort = await listen(metricsServer, '0.0.0.0', flags.metricsPort as number, '--metrics-port');
  } catch (error) {
    await healthServer.close();
    throw error;
  }
  return { healthServer, healthPort, metricsServer, metricsPort };
}

/** The read-only web console over the controller's caches (see console/console-server.ts). */
/** The console's server: HTTPS with its own certificate (reloaded on rotation) when configured, else loopback HTTP. */
async function createConsole(
  flags: OperatorFlags,
  {
    client,
    controller,
    tableServer,
    traffic,
    logger,
  }: {
    client: KubeClient;
    controller: OperatorController;
    tableServer: TableStreamServer;
    traffic: GatewayTrafficStore | undefined;
    logger: Logger;
  },
): Promise<{ server: Server; certificateReloader: ServingCertificateReloader | undefined }> {
  const handler = new ConsoleServer({
    access: new UserAccessReview({ client }),
    ...(flags.consoleOidc === undefined ? {} : { oidc: new ConsoleOidc(flags.consoleOidc) }),
    data: {
      objectsOf: (kind) => controller.objectsOf(kind),
      resourceOf: (kind) => {
        const { group, plural } = BUILTIN_KINDS.get(kind).names;
        return { group, plural };
      },
      tableVersion: () => controller.table?.version,
      gatewaysConnected: () => tableServer.sessionCount,
      synced: () => controller.synced,
      ...(traffic === undefined ? {} : { traffic }),
    },
  });
  const serve = (req: IncomingMessage, res: ServerResponse): void => handler.handle(req, res);
  let tls: LoadedCertificate | undefined;
  if (flags.consoleTls !== undefined) {
    try {
      tls = await loadCertificatePair(flags.consoleTls.certFile, flags.consoleTls.keyFile);
    } catch (error) {
      throw new StartupError(`unusable console TLS certificate or key: ${errorMessage(error)}`);
    }
  }
  const httpsServer = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, serve) : undefined;
  const server: Server = httpsServer ?? createHttpServer(serve);
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  const certificateReloader =
    tls && httpsServer && flags.consoleTls
      ? new ServingCertificateReloader({
          certFile: flags.consoleTls.certFile,
          keyFile: flags.consoleTls.keyFile,
          initial: tls,
          apply: (pair) => httpsServer.setSecureContext(pair),
          logger: logger.child({ part: 'console-certificate' }),
        })
      : undefined;
  return { server, certificateReloader };
}

/** Starts the watches, the election, the reports and the spend loop; returns the prune timer. */
function startBackgroundWork({
  controller,
  election,
  gateways,
  client,
  logger,
}: {
  controller: OperatorController;
  election: LeaseLeaderElection;
  gateways: GatewaySide;
  client: KubeClient;
  logger: Logger;
}): NodeJS.Timeout {
  controller.start();
  election.start();
  gateways.reporter.start();
  gateways.collector.start();
  gateways.spend.start();
  const pruneTimer = setInterval(() => {
    if (election.isLeader)
      gateways.collector
        .pruneStale(client)
        .catch((error: unknown) => logger.warn('could not prune replica reports', { error: errorMessage(error) }));
  }, 60_000);
  pruneTimer.unref();
  return pruneTimer;
}

async function readTls(flags: OperatorFlags): Promise<LoadedCertificate | undefined> {
  if (!flags.tlsCertFile || !flags.tlsKeyFile) return undefined;
  try {
    return await loadCertificatePair(flags.tlsCertFile, flags.tlsKeyFile);
  } catch (error) {
    if (error instanceof CertificateProblem && error.kind !== 'unreadable')
      throw new StartupError(`unusable TLS certificate or key: ${error.message}`);
    throw new StartupError(`cannot read the TLS certificate or key: ${errorMessage(error)}`);
  }
}

function listen(server: Server, host: string, port: number, flag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new StartupError(`${flag} ${host}:${port}: ${errorMessage(error)}`)));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}
