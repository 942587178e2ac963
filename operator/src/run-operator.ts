// Assembles the operator: API client, watches and controller, the table stream listener, leader
// election, health and metrics. Used by the CLI and by tests that run the operator in-process.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TokenReviewAuthenticator } from './auth/token-review-authenticator.js';
import { isLoopbackHost, type OperatorFlags } from './cli/operator-flags.js';
import { KubeClient } from './kube/kube-client.js';
import { LeaseLeaderElection } from './leader/lease-leader-election.js';
import { combineAckSources, ReplicaAckCollector, ReplicaAckReporter } from './leader/replica-ack-reports.js';
import { createLogger, errorMessage, type Logger } from './observe/logger.js';
import { OperatorMetrics } from './observe/operator-metrics.js';
import { EventRecorder } from './reconcile/event-recorder.js';
import { OperatorController } from './reconcile/operator-controller.js';
import { SpendAggregator } from './spend/spend-aggregator.js';
import { answerUsageReports } from './spend/usage-report-endpoint.js';
import { CertificateProblem, isExpired, loadCertificatePair, ServingCertificateReloader, type LoadedCertificate } from './table-server/serving-certificate.js';
import { TableStreamServer } from './table-server/table-stream-server.js';

export interface RunningOperator {
  listenPort: number;
  healthPort: number;
  metricsPort: number;
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
  const logger = deps.logger ?? createLogger({ base: { component: 'operator', replica: flags.replicaId } });
  const tls = await readTls(flags);
  if (!tls && !isLoopbackHost(flags.listenHost)) {
    throw new StartupError(`--listen ${flags.listenHost}:${flags.listenPort} needs --tls-cert-file and --tls-key-file: tables carry provider credentials, so plain HTTP is allowed on loopback only`);
  }
  let client: KubeClient;
  try {
    client = deps.client ?? KubeClient.fromKubeconfig(flags.kubeconfig);
  } catch (error) {
    throw new StartupError(`cannot load the Kubernetes client configuration: ${errorMessage(error)}`);
  }
  if (flags.gatewayServiceAccounts.length === 0) {
    logger.warn('no --gateway-service-account given: every gateway will be refused (403)');
  }

  const metrics = new OperatorMetrics();
  const authenticator = new TokenReviewAuthenticator({ client, allowedServiceAccounts: flags.gatewayServiceAccounts });
  let controller: OperatorController | undefined;
  const tableServer: TableStreamServer = new TableStreamServer({
    authenticate: (header) => authenticator.authenticate(header),
    replicaId: flags.replicaId,
    logger: logger.child({ part: 'table-stream' }),
    ...(deps.keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs: deps.keepaliveIntervalMs } : {}),
    onSessionsChanged: () => {
      metrics.connectedGateways.set(tableServer.sessionCount);
      reporter.changed();
      controller?.onAcknowledgementsChanged();
    },
    onTableSent: () => metrics.tablesSent.inc(),
    onAuthFailure: (status) => metrics.streamAuthFailures.inc({ status: String(status) }),
    onUsageReports: (body) => answerUsageReports(spend, body),
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
    onChanged: () => controller?.onAcknowledgementsChanged(),
  });

  const streamHandler = (req: IncomingMessage, res: ServerResponse): void => {
    if (!tableServer.handle(req, res)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no such endpoint ${req.method} ${req.url}` } }));
    }
  };
  const httpsServer = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, streamHandler) : undefined;
  const streamServer: Server = httpsServer ?? createHttpServer(streamHandler);
  if (tls && isExpired(tls.summary, Date.now())) {
    // Served anyway: refusing to start would not help the gateways, and the renewal is picked up without a restart.
    logger.error('the serving certificate has expired; gateways will refuse it until it is renewed', { certFile: flags.tlsCertFile, serial: tls.summary.serial, notAfter: tls.summary.notAfter.toISOString() });
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
  streamServer.requestTimeout = 0;
  streamServer.headersTimeout = 30_000;
  const listenPort = await listen(streamServer, flags.listenHost, flags.listenPort, '--listen');

  const election = new LeaseLeaderElection({
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
      controller?.onLeadershipChanged(true);
    },
    onStoppedLeading: () => {
      metrics.leader.set(0);
      controller?.onLeadershipChanged(false);
    },
  });
  const events = new EventRecorder({ client, replicaId: flags.replicaId, logger, onDropped: () => metrics.eventsDropped.inc() });
  controller = new OperatorController({
    client,
    namespaces: flags.namespaces,
    sharedNamespaces: flags.sharedNamespaces,
    publisher: tableServer,
    acknowledgements: combineAckSources(tableServer, collector),
    events,
    isLeader: () => election.isLeader,
    onBudgetObserved: (budget) => spend.observeBudget(budget),
    logger: logger.child({ part: 'controller' }),
    metrics,
    watch: { inactivityTimeoutMs: flags.watchInactivityTimeoutMs },
    resyncPeriodMs: flags.resyncPeriodMs,
    ...(deps.compileDebounceMs !== undefined ? { compileDebounceMs: deps.compileDebounceMs } : {}),
  });

  const healthHandler = (withMetrics: boolean) => (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const table = controller?.table;
      if (!controller?.synced) return sendJson(res, 503, { status: 'watches not synced yet' });
      if (!table) return sendJson(res, 503, { status: 'no routing table compiled yet' });
      return sendJson(res, 200, { status: 'ready', tableVersion: table.version, tableHash: table.hash, leader: election.isLeader, gateways: tableServer.sessionCount });
    }
    if (withMetrics && path === '/metrics') {
      metrics.render().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: unknown) => sendJson(res, 500, { error: errorMessage(error) }),
      );
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  };
  const separateMetrics = flags.metricsPort !== undefined && flags.metricsPort !== flags.healthPort;
  const healthServer = createHttpServer(healthHandler(!separateMetrics));
  let healthPort: number;
  let metricsServer: Server | undefined;
  let metricsPort: number;
  try {
    healthPort = await listen(healthServer, '0.0.0.0', flags.healthPort, '--health-port');
    if (separateMetrics) {
      metricsServer = createHttpServer(healthHandler(true));
      metricsPort = await listen(metricsServer, '0.0.0.0', flags.metricsPort as number, '--metrics-port');
    } else {
      metricsPort = healthPort;
    }
  } catch (error) {
    streamServer.close();
    tableServer.close();
    throw error;
  }
  certificateReloader?.start();

  controller.start();
  election.start();
  reporter.start();
  collector.start();
  spend.start();
  const pruneTimer = setInterval(() => {
    if (election.isLeader) collector.pruneStale(client).catch((error: unknown) => logger.warn('could not prune replica reports', { error: errorMessage(error) }));
  }, 60_000);
  pruneTimer.unref();
  logger.info('operator started', {
    listen: `${flags.listenHost}:${listenPort}`,
    tls: Boolean(tls),
    ...(tls ? { certificate: { subject: tls.summary.subject, serial: tls.summary.serial, notAfter: tls.summary.notAfter.toISOString() } } : {}),
    healthPort,
    metricsPort,
    namespaces: flags.namespaces ?? 'all',
    sharedNamespaces: flags.sharedNamespaces,
    gatewayServiceAccounts: flags.gatewayServiceAccounts,
    lease: `${flags.leaderElectionNamespace}/${flags.leaderElectionId}`,
  });

  let closing: Promise<void> | undefined;
  return {
    listenPort,
    healthPort,
    metricsPort,
    controller,
    election,
    tableServer,
    spend,
    metrics,
    close() {
      closing ??= (async () => {
        clearInterval(pruneTimer);
        certificateReloader?.stop();
        streamServer.close();
        tableServer.close();
        streamServer.closeAllConnections?.();
        await spend.stop();
        await Promise.all([election.stop(), reporter.stop(), collector.stop()]);
        await controller?.stop();
        healthServer.close();
        metricsServer?.close();
        client.close();
      })();
      return closing;
    },
  };
}

async function readTls(flags: OperatorFlags): Promise<LoadedCertificate | undefined> {
  if (!flags.tlsCertFile || !flags.tlsKeyFile) return undefined;
  try {
    return await loadCertificatePair(flags.tlsCertFile, flags.tlsKeyFile);
  } catch (error) {
    if (error instanceof CertificateProblem && error.kind !== 'unreadable') throw new StartupError(`unusable TLS certificate or key: ${error.message}`);
    throw new StartupError(`cannot read the TLS certificate or key: ${errorMessage(error)}`);
  }
}

function listen(server: Server, host: string, port: number, flag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new StartupError(`${flag} ${host}:${port}: ${errorMessage(error)}`)));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
