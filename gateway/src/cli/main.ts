// `switchyard gateway`: load the configuration, serve, reload on change, drain on SIGTERM.
import { buildInfo, errorMessage, exitCommand, exitOnStopSignals, readCommandFlags, type StandaloneResult } from '@switchyard/compiler';
import { MemoryResponseCache } from '../cache/memory-response-cache.js';
import { RedisResponseCache } from '../cache/redis-response-cache.js';
import { defaultBatchServices } from '../pipeline/batches/batch-operation.js';
import { RedisBatchStore } from '../pipeline/batches/redis-batch-store.js';
import { MemorySemanticIndex } from '../cache/semantic/memory-semantic-index.js';
import { RedisSemanticIndex } from '../cache/semantic/redis-semantic-index.js';
import type { ResponseCacheService } from '../cache/response-cache-service.js';
import { startClusterTableSource } from '../control-plane/cluster-table-source.js';
import { DEFAULT_TOKEN_FILE } from '../control-plane/control-plane-client.js';
import { createLogger, setLogFlushDelayMs, type Logger } from '@switchyard/compiler';
import { AuditLog } from '../observe/audit-log.js';
import { GatewayMetrics } from '../observe/metrics.js';
import { TrafficSummary } from '../observe/traffic-summary.js';
import { startTracing, type Tracing } from '../observe/tracing/start-tracing.js';
import { tracingConfigFromEnv } from '../observe/tracing/tracing-config.js';
import { createGovernance, type Governance } from '../governance/create-governance.js';
import { createOpenAIResponsesFrontDoor, InMemoryResponseStore, RedisResponseStore } from '../frontdoors/openai-responses/index.js';
import { createFrontDoorRoutes } from '../server/front-door-routes.js';
import { createProviderRegistry } from '../providers/registry.js';
import { startGatewayServer, type RunningGateway } from '../server/gateway-server.js';
import { createEgressGuard } from '../transport/egress-guard.js';
import { UpstreamTransport } from '../transport/upstream-transport.js';
import { createTokenAuthenticator } from '../governance/identity/create-token-authenticator.js';
import type { TokenAuthenticator } from '../governance/identity/token-authenticator.js';
import { McpSessionSigner } from '../mcp/session-token.js';
import { MemoryOAuthStore, OAuthSealer, RedisOAuthStore, SealedOAuthStore } from '../mcp/oauth-store.js';
import { MCP_OAUTH_MAX_FLOWS, PerUserOAuth } from '../mcp/per-user-oauth.js';
import type { McpEndpointOptions } from '../mcp/mcp-server.js';
import { readFileSync } from 'node:fs';
import { checkClusterFilesExist, GATEWAY_USAGE, parseGatewayFlags, type GatewayFlags } from './gateway-flags.js';
import { loadInitialConfig, watchConfig, type StandaloneConfigSource } from './standalone-config.js';

/** How long shutdown waits for the last spans to reach the collector. */
const TRACING_SHUTDOWN_TIMEOUT_MS = 2_000;

/** A start-up step that cannot go on: exit 1 with this message. */
class StartupFailure extends Error {}

/** Runs `switchyard gateway <args>`; `args` excludes the subcommand. */
export async function main(args: string[]): Promise<void> {
  const flags = readCommandFlags('gateway', GATEWAY_USAGE, () => {
    const parsed = parseGatewayFlags(args);
    checkClusterFilesExist(parsed);
    return parsed;
  });
  if (flags === undefined) return;
  if (flags.config === undefined && flags.controlPlane === undefined) return fail(2, `--config <file|dir> is required\n\n${GATEWAY_USAGE}`);
  try {
    await startGateway(flags);
  } catch (error) {
    if (error instanceof StartupFailure) return fail(1, error.message);
    throw error;
  }
}

async function startGateway(flags: GatewayFlags): Promise<void> {
  setLogFlushDelayMs(flags.logFlushMs);
  const logger = createLogger({ level: flags.log.level, format: flags.log.format, base: { component: 'gateway' } });
  // Start, reload and stop lines are written whatever the log level says: tooling waits for "listening".
  const lifecycleLogger = createLogger({ level: 'info', format: flags.log.format, base: { component: 'gateway' } });
  const metrics = new GatewayMetrics();
  const tracing = await startTracingIfConfigured(logger, lifecycleLogger);
  const governance = await startGovernance(flags, metrics, logger);
  governance.tables.fileCredentials.useLogger(lifecycleLogger);
  const initial = flags.config === undefined ? undefined : await loadStandaloneConfig(flags.config, governance, metrics, lifecycleLogger);
  const cache = createResponseCache(flags, governance, metrics, logger);
  const transport = new UpstreamTransport({
    egressGuard: createEgressGuard(flags.deniedUpstreamCidrs),
    maxResponseBytes: flags.maxResponseBytes,
  });
  const mcp = { ...mcpOptions(flags, lifecycleLogger), ...perUserOAuthOption(flags, transport, governance, logger, lifecycleLogger) };
  const audit = createAuditLog(flags, metrics, logger);
  const tokens = createTokenAuthenticator(
    { ...flags.identity, ownTokenFile: flags.controlPlane === undefined ? undefined : (flags.tokenFile ?? DEFAULT_TOKEN_FILE) },
    transport,
  );
  // Cluster mode only: the operator's console shows what gateways report with their usage.
  const traffic = flags.controlPlane === undefined ? undefined : new TrafficSummary();
  const gateway = await listen(flags, governance, { transport, metrics, logger, tracing, cache, mcp, audit, tokens, traffic });
  // Cluster mode serves at once but stays unready (/readyz 503) until the operator's first table.
  const cluster =
    flags.controlPlane !== undefined
      ? startClusterTableSource({
          url: flags.controlPlane,
          tokenFile: flags.tokenFile,
          caFile: flags.caFile,
          tables: governance.tables,
          metrics,
          logger: lifecycleLogger,
          ledger: governance.ledger,
          traffic,
        })
      : undefined;
  const watcher: StandaloneConfigSource =
    cluster ?? watchConfig(flags.config as string, initial as StandaloneResult, governance.tables, metrics, lifecycleLogger);
  logListening(lifecycleLogger, flags, gateway, governance);

  // A bug in one request must not take the process (and every other request) down.
  process.on('uncaughtException', (error) => logger.error('uncaught exception', { error, stack: error.stack }));
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: reason }));
  installShutdown(
    gateway,
    watcher,
    transport,
    governance,
    cache,
    tracing,
    audit,
    flags.shutdownGraceMs,
    lifecycleLogger,
    () => cluster?.flushUsage() ?? Promise.resolve(),
  );
}

/** Tracing only when an OTLP endpoint is configured; otherwise OpenTelemetry is never loaded. */
async function startTracingIfConfigured(logger: Logger, lifecycleLogger: Logger): Promise<Tracing | undefined> {
  try {
    const tracingConfig = tracingConfigFromEnv(process.env);
    if (tracingConfig === undefined) return undefined;
    const tracing = await startTracing(tracingConfig, logger);
    lifecycleLogger.info('tracing', {
      endpoint: tracingConfig.tracesEndpoint,
      protocol: tracingConfig.protocol,
      serviceName: tracingConfig.serviceName,
    });
    return tracing;
  } catch (error) {
    throw new StartupFailure(`invalid tracing configuration: ${errorMessage(error)}`);
  }
}

async function startGovernance(flags: GatewayFlags, metrics: GatewayMetrics, logger: Logger): Promise<Governance> {
  try {
    return await createGovernance({
      providers: createProviderRegistry(),
      metricsRegistry: metrics.registry,
      logger,
      stateFile: flags.stateFile,
      usageJournal: flags.usageJournal,
      redisUrl: flags.redisUrl,
      redisFailureMode: flags.redisFailureMode,
      redisTimeoutMs: flags.redisTimeoutMs,
      env: process.env,
    });
  } catch (error) {
    throw new StartupFailure(`cannot start governance: ${errorMessage(error)}`);
  }
}

async function loadStandaloneConfig(
  path: string,
  governance: Governance,
  metrics: GatewayMetrics,
  logger: Logger,
): Promise<StandaloneResult> {
  try {
    return await loadInitialConfig(path, governance.tables, metrics, logger);
  } catch (error) {
    throw new StartupFailure(`invalid configuration: ${errorMessage(error)}`);
  }
}

/**
 * The `/mcp` session secret: read once at start (a replica restarted with the same file accepts
 * the sessions the others issued). Without one, a random per-process secret works for a single
 * gateway; replicas behind one Service would then refuse each other's sessions.
 */
function mcpOptions(flags: GatewayFlags, logger: Logger): McpEndpointOptions {
  if (flags.mcpSessionSecretFile === undefined) {
    if (flags.controlPlane !== undefined)
      logger.warn('no --mcp-session-secret-file: /mcp sessions (protocol 2025-11-25) are accepted only by the replica that issued them');
    return { sessions: McpSessionSigner.ephemeral(), maxResultBytes: flags.mcpMaxResultBytes, allowedOrigins: flags.mcpAllowedOrigins };
  }
  let secret: Buffer;
  try {
    secret = readFileSync(flags.mcpSessionSecretFile);
  } catch (error) {
    throw new StartupFailure(`cannot read --mcp-session-secret-file ${flags.mcpSessionSecretFile}: ${errorMessage(error)}`);
  }
  // A Secret mounted from `kubectl create secret --from-file` or an editor may end with a newline.
  const trimmed = Buffer.from(secret.toString('utf8').trimEnd(), 'utf8');
  try {
    return { sessions: new McpSessionSigner(trimmed), maxResultBytes: flags.mcpMaxResultBytes, allowedOrigins: flags.mcpAllowedOrigins };
  } catch (error) {
    throw new StartupFailure(errorMessage(error));
  }
}

/**
 * Per-user OAuth for oauth2PerUser MCPServers, when --mcp-oauth-callback-url is given: tokens and
 * flows sealed with the key file's key (a random one without it), in the shared Redis when the
 * gateway has one and a key every replica shares, else in this process.
 */
function perUserOAuthOption(
  flags: GatewayFlags,
  transport: UpstreamTransport,
  governance: Governance,
  logger: Logger,
  lifecycleLogger: Logger,
): { perUserOAuth?: PerUserOAuth } {
  if (flags.mcpOAuthCallbackUrl === undefined) {
    if (flags.mcpOAuthKeyFile !== undefined)
      lifecycleLogger.warn('--mcp-oauth-key-file without --mcp-oauth-callback-url: oauth2PerUser MCP servers cannot be called');
    return {};
  }
  let sealer: OAuthSealer;
  if (flags.mcpOAuthKeyFile === undefined) {
    sealer = OAuthSealer.ephemeral();
    lifecycleLogger.warn('no --mcp-oauth-key-file: per-user MCP tokens are kept in this process only and lost on restart');
  } else {
    let key: Buffer;
    try {
      key = readFileSync(flags.mcpOAuthKeyFile);
    } catch (error) {
      throw new StartupFailure(`cannot read --mcp-oauth-key-file ${flags.mcpOAuthKeyFile}: ${errorMessage(error)}`);
    }
    try {
      sealer = new OAuthSealer(Buffer.from(key.toString('utf8').trimEnd(), 'utf8'));
    } catch (error) {
      throw new StartupFailure(errorMessage(error));
    }
  }
  // A random key cannot be shared, so without the key file the entries stay in this process.
  const shared = governance.redis !== undefined && flags.mcpOAuthKeyFile !== undefined ? new RedisOAuthStore(governance.redis) : undefined;
  const perUserOAuth = new PerUserOAuth({
    callbackUrl: flags.mcpOAuthCallbackUrl,
    tokens: new SealedOAuthStore(shared ?? new MemoryOAuthStore(flags.mcpOAuthMaxTokens), sealer),
    flows: new SealedOAuthStore(shared ?? new MemoryOAuthStore(MCP_OAUTH_MAX_FLOWS), sealer),
    transport,
    logger,
  });
  return { perUserOAuth };
}

interface ServingParts {
  mcp: McpEndpointOptions;
  transport: UpstreamTransport;
  metrics: GatewayMetrics;
  logger: Logger;
  tracing: Tracing | undefined;
  cache: ResponseCacheService | undefined;
  audit: AuditLog | undefined;
  tokens: TokenAuthenticator;
  traffic: TrafficSummary | undefined;
}

/** The public and admin listeners, with every front door. */
async function listen(flags: GatewayFlags, governance: Governance, parts: ServingParts): Promise<RunningGateway> {
  // Conversations for previous_response_id: in Redis when governance shares one, so any replica continues them.
  const responsesStore =
    governance.redis !== undefined
      ? new RedisResponseStore({ redis: governance.redis, logger: parts.logger })
      : new InMemoryResponseStore();
  try {
    return await startGatewayServer({
      host: flags.host,
      port: flags.port,
      adminPort: flags.adminPort,
      adminHosts: flags.adminHosts,
      limits: flags.limits,
      realtime: flags.realtime,
      frontDoorRoutes: createFrontDoorRoutes({ responses: createOpenAIResponsesFrontDoor({ store: responsesStore }) }),
      deps: {
        tables: governance.tables,
        transport: parts.transport,
        metrics: parts.metrics,
        logger: parts.logger,
        admission: governance.admission,
        costs: governance.costs,
        tracer: parts.tracing?.tracer,
        ...(parts.cache === undefined ? {} : { cache: parts.cache }),
        ...(parts.audit === undefined ? {} : { audit: parts.audit }),
        ...(parts.traffic === undefined ? {} : { traffic: parts.traffic }),
        maxBodyBytes: flags.maxBodyBytes,
        maxAudioUploadBytes: flags.maxAudioUploadBytes,
        tokens: parts.tokens,
        mcp: parts.mcp,
        // Files and batches: the ids the gateway issued, in Redis when governance shares one, so any replica serves them.
        batches: {
          ...defaultBatchServices(),
          ...(governance.redis === undefined ? {} : { store: new RedisBatchStore(governance.redis) }),
          maxFileBytes: flags.maxFileBytes,
          maxBatchLines: flags.maxBatchLines,
        },
        random: Math.random,
      },
    });
  } catch (error) {
    throw new StartupFailure(`cannot listen: ${listenFailure(error, flags)}`);
  }
}

/**
 * Which listener could not bind and the flag that moves it: the public port (--port) or the
 * admin port (--admin-port). Node's listen errors carry the port and address they tried.
 */
function listenFailure(error: unknown, flags: GatewayFlags): string {
  const { code, port, address } = error as { code?: unknown; port?: unknown; address?: unknown };
  if (code !== 'EADDRINUSE' || typeof port !== 'number') return errorMessage(error);
  const where = typeof address === 'string' ? ` on ${address}` : '';
  if (port === flags.port && port === flags.adminPort)
    return `port ${port}${where} is already in use: --port and --admin-port are both ${port}; give them different ports`;
  // The public port binds first and only port 0 lets the system choose, so any other clash is an admin listener's.
  if (port === flags.port)
    return `port ${port}${where} is already in use (EADDRINUSE); stop what holds it or pass --port <n> (0 picks a free port)`;
  return `admin port ${port}${where} is already in use (EADDRINUSE); stop what holds it or pass --admin-port <n> (0 picks a free port)`;
}

function logListening(logger: Logger, flags: GatewayFlags, gateway: RunningGateway, governance: Governance): void {
  const cacheDescription =
    flags.cacheMaxBytes === 0
      ? 'off'
      : flags.redisUrl === undefined
        ? { store: 'memory', maxBytes: flags.cacheMaxBytes, semanticMaxBytes: flags.semanticCacheMaxBytes }
        : { store: 'redis' };
  const build = buildInfo();
  logger.info('listening', {
    version: build.version,
    nodeVersion: build.nodeVersion,
    ...(build.commit === undefined ? {} : { commit: build.commit }),
    host: gateway.host,
    port: gateway.port,
    adminHosts: gateway.adminHosts,
    adminPort: gateway.adminPort,
    governance: governance.describe(),
    responseCache: cacheDescription,
    responsesStore: governance.redis !== undefined ? 'redis' : 'memory',
  });
}

function installShutdown(
  gateway: RunningGateway,
  watcher: StandaloneConfigSource,
  transport: UpstreamTransport,
  governance: Governance,
  cache: ResponseCacheService | undefined,
  tracing: Tracing | undefined,
  audit: AuditLog | undefined,
  graceMs: number,
  logger: Logger,
  flushUsage: () => Promise<void>,
): void {
  exitOnStopSignals({
    logger,
    describe: () => ({ inFlight: gateway.inFlight, graceMs }),
    shutdown: () => {
      watcher.close();
      return (
        gateway
          .close(graceMs)
          .then(() => transport.close())
          // After the drain, every request has settled: cluster mode reports that spend to the operator.
          .then(() => flushUsage())
          // After the drain: every in-flight request has settled, so the state file gets its spend.
          .then(() => governance.close())
          .then(() => cache?.store.close())
          .then(() => cache?.semantic?.close())
          // After the drain every request has its audit record: write them all out (bounded by --audit-flush-timeout).
          .then(() => audit?.close())
          // Last: every request span has ended by now. Bounded, so a dead collector cannot hold the exit.
          .then(() => tracing?.shutdown(TRACING_SHUTDOWN_TIMEOUT_MS))
      );
    },
  });
}

/** In Redis when governance shares one, else in this process; none with --cache-max-bytes 0. */
function createResponseCache(
  flags: GatewayFlags,
  governance: Governance,
  metrics: GatewayMetrics,
  logger: Logger,
): ResponseCacheService | undefined {
  if (flags.cacheMaxBytes === 0) return undefined;
  const nowMs = (): number => governance.clock.nowMs();
  const semanticOn = flags.semanticCacheMaxBytes > 0;
  if (governance.redis !== undefined) {
    const redis = governance.redis;
    const store = new RedisResponseCache({ redis, logger });
    return semanticOn ? { store, semantic: new RedisSemanticIndex({ redis, logger, nowMs }), nowMs } : { store, nowMs };
  }
  const store = new MemoryResponseCache({ maxBytes: flags.cacheMaxBytes, nowMs });
  metrics.observeCacheStore(() => ({ entries: store.size, bytes: store.bytes }));
  return semanticOn
    ? { store, semantic: new MemorySemanticIndex({ maxBytes: flags.semanticCacheMaxBytes, nowMs }), nowMs }
    : { store, nowMs };
}

/** The request audit log, when --audit-log or --audit-otlp asks for one. */
function createAuditLog(flags: GatewayFlags, metrics: GatewayMetrics, logger: Logger): AuditLog | undefined {
  const { file, otlp, bufferRecords, flushTimeoutMs } = flags.audit;
  if (file === undefined && otlp === undefined) return undefined;
  try {
    return new AuditLog({
      ...(file === undefined ? {} : { file }),
      ...(otlp === undefined ? {} : { otlp }),
      bufferRecords,
      flushTimeoutMs,
      registry: metrics.registry,
      logger,
    });
  } catch (error) {
    throw new StartupFailure(`cannot open the audit log: ${errorMessage(error)}`);
  }
}

function fail(code: number, message: string): never {
  return exitCommand('gateway', code, message);
}
