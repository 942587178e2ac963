// `switchyard gateway` flags, parsed and checked before anything starts. A bad flag is one
// clear line and exit code 2.
import { DEFAULT_MAX_BATCH_LINES, DEFAULT_MAX_FILE_BYTES } from '../pipeline/batches/batch-store.js';
import { existsSync } from 'node:fs';
import {
  durationFlag,
  DEFAULT_LOG_FLUSH_MS,
  FlagError,
  MAX_LOG_FLUSH_MS,
  LOG_FLAG_OPTIONS,
  logFlagsUsage,
  logSettings,
  parseFlagValues,
  portFlag,
  rejectUnanchoredFlags,
  type LogSettings,
} from '@switchyard/compiler';
import { DEFAULT_TOKEN_FILE } from '../control-plane/control-plane-client.js';
import { DEFAULT_TOKEN_AUDIENCE } from '../governance/identity/token-authenticator.js';
import { DEFAULT_DENIED_UPSTREAM_CIDRS, parseCidrList } from '../transport/egress-guard.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../transport/upstream-transport.js';
import { DEFAULT_MAX_AUDIO_UPLOAD_BYTES } from '../pipeline/audio-operations.js';
import { DEFAULT_MCP_MAX_RESULT_BYTES } from '../mcp/upstream-client.js';
import { DEFAULT_MCP_ALLOWED_ORIGINS, OriginPolicy } from '../mcp/origin-policy.js';
import { DEFAULT_MCP_SESSION_MAX_AGE_MS, MIN_MCP_SESSION_SECRET_BYTES } from '../mcp/session-token.js';
import { MIN_MCP_OAUTH_KEY_BYTES } from '../mcp/oauth-store.js';
import {
  DEFAULT_MCP_OAUTH_MAX_TOKENS,
  MCP_OAUTH_CALLBACK_PATH,
  MCP_OAUTH_FLOW_TTL_MS,
  MCP_OAUTH_START_PATH,
  MCP_OAUTH_TOKEN_TTL_MS,
  parseOAuthCallbackUrl,
} from '../mcp/per-user-oauth.js';
import { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from '../server/gateway-server.js';
import { DEFAULT_AUDIT_BUFFER_RECORDS, DEFAULT_AUDIT_FLUSH_TIMEOUT_MS } from '../observe/audit-log.js';
import { auditOtlpTarget, type AuditOtlpTarget } from '../observe/audit-otlp-config.js';
import { parseRealtimeFlags, REALTIME_FLAG_OPTIONS, REALTIME_USAGE } from './realtime-flags.js';
import type { RealtimeLimits } from '../pipeline/realtime-operation.js';

const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;
const DEFAULT_SEMANTIC_CACHE_MAX_BYTES = 16 * 1024 * 1024;

export interface GatewayFlags {
  help: boolean;
  config: string | undefined;
  host: string;
  port: number;
  adminPort: number;
  /** Where the admin port listens (one listener per address); loopback unless given. */
  adminHosts: string[];
  /** Client-side deadlines and the connection cap of the listeners. */
  limits: ListenerLimits;
  maxBodyBytes: number;
  maxAudioUploadBytes: number;
  /** Largest upload /v1/files reads (a batch input file, held in memory while it is checked). */
  maxFileBytes: number;
  /** Most requests one batch input file may hold. */
  maxBatchLines: number;
  /** Largest whole (non-streaming) upstream answer read; larger ones fail the attempt (502). */
  maxResponseBytes: number;
  /** File holding the secret that signs `/mcp` session ids (shared by every replica); undefined: a random per-process secret. */
  mcpSessionSecretFile: string | undefined;
  /** Largest upstream MCP answer read; a larger tool result is a tool error. */
  mcpMaxResultBytes: number;
  /** Browser origins that may call /mcp (--mcp-allowed-origins). */
  mcpAllowedOrigins: OriginPolicy;
  /** The public URL of the per-user OAuth callback (--mcp-oauth-callback-url); undefined: oauth2PerUser servers cannot be called. */
  mcpOAuthCallbackUrl: URL | undefined;
  /** File holding the key that encrypts per-user OAuth tokens at rest; undefined: a random per-process key. */
  mcpOAuthKeyFile: string | undefined;
  /** Per-user OAuth token pairs kept in this process without Redis (--mcp-oauth-max-tokens). */
  mcpOAuthMaxTokens: number;
  /** In-memory response cache bound; 0 turns the response cache off (in memory and in Redis). */
  cacheMaxBytes: number;
  /** In-memory semantic index bound (vectors of routes with spec.cache.semantic); 0 turns semantic lookup off. */
  semanticCacheMaxBytes: number;
  stateFile: string | undefined;
  usageJournal: string | undefined;
  redisUrl: string | undefined;
  /** Redis unreachable: `open` admits without rate limits and budget checks, `closed` refuses with 503. */
  redisFailureMode: 'open' | 'closed';
  /** How long one Redis command may take before it counts as unreachable. */
  redisTimeoutMs: number;
  deniedUpstreamCidrs: string[];
  shutdownGraceMs: number;
  /** Bounds of realtime sessions (the --realtime-* flags). */
  realtime: RealtimeLimits;
  /** Cluster mode: the operator's table stream URL (instead of --config). */
  controlPlane: string | undefined;
  /** Projected ServiceAccount token (audience switchyard); re-read on every reconnect. */
  tokenFile: string | undefined;
  /** CA bundle for the operator's TLS certificate. */
  caFile: string | undefined;
  /** Callers' own tokens (VirtualKey spec.subjects). */
  identity: IdentityFlags;
  log: LogSettings;
  /** Longest a log line waits in the output batch (`--log-flush-ms`, $SWITCHYARD_LOG_FLUSH_MS). */
  logFlushMs: number;
  /** The request audit log: `stdout`, a file, and/or OTLP logs; buffer and shutdown flush bounds. */
  audit: {
    file: string | undefined;
    otlp: AuditOtlpTarget | undefined;
    bufferRecords: number;
    flushTimeoutMs: number;
  };
}

interface IdentityFlags {
  /** Audience ServiceAccount tokens must carry. */
  tokenAudience: string;
  /** The cluster's ServiceAccount issuer; undefined: the iss of --token-file's token in cluster mode, else none. */
  serviceAccountIssuer: string | undefined;
  /** CA bundle for the ServiceAccount issuer's discovery and JWKS; undefined: the system roots. */
  issuerCaFile: string | undefined;
  /** Token (API audience) sent to the ServiceAccount issuer; undefined: anonymous. */
  issuerTokenFile: string | undefined;
}

export const GATEWAY_USAGE = `Usage: switchyard gateway --config <file|dir> [options]          (standalone)
       switchyard gateway --control-plane <url> [options]      (cluster)

Serve the LLM gateway from manifests on disk (standalone mode), or from the routing tables the
operator streams (cluster mode).

  --config <file|dir>          ModelRoute, VirtualKey, Budget and Secret manifests (YAML); reloaded on change
  --host <addr>                listen address (default 127.0.0.1)
  --port <n>                   public port (default 8080; 0 picks a free port)
  --admin-port <n>             health, readiness and /metrics (default 9090; 0 picks a free port)
  --admin-host <addr>[,<addr>] where the admin port listens, apart from --host: /metrics names keys and spend
                               (default 127.0.0.1; the chart passes the pod IP and 127.0.0.1)
  --headers-timeout <duration> longest a client may take to send a request's headers, and how long a new
                               connection may stay silent (default ${seconds(DEFAULT_LISTENER_LIMITS.headersTimeoutMs)}); then 408 and closed
  --request-timeout <duration> longest a client may take to send a whole request, body included
                               (default ${seconds(DEFAULT_LISTENER_LIMITS.requestTimeoutMs)}); then 408 and closed. Answers are not bounded by it
  --keep-alive-timeout <duration>
                               how long an idle keep-alive connection is kept (default ${seconds(DEFAULT_LISTENER_LIMITS.keepAliveTimeoutMs)}; above load balancers' 60s)
  --max-connections <n>        open connections on the public port; more are closed at once and counted in
                               switchyard_connections_refused_total (default ${DEFAULT_LISTENER_LIMITS.maxConnections})
  --max-body-bytes <n>         largest request body accepted (default ${DEFAULT_MAX_BODY_BYTES})
  --max-audio-upload-bytes <n> largest audio upload to /v1/audio/transcriptions and /translations (default ${DEFAULT_MAX_AUDIO_UPLOAD_BYTES})
  --max-file-bytes <n>         largest file upload to /v1/files (default ${DEFAULT_MAX_FILE_BYTES}); larger: 413 naming the limit
  --max-batch-lines <n>        most requests in one batch input file (default ${DEFAULT_MAX_BATCH_LINES}); more: 413 naming the limit
  --max-response-bytes <n>     largest non-streamed upstream answer read into memory (default ${DEFAULT_MAX_RESPONSE_BYTES});
                               a larger one fails that backend (502 naming the limit); streams are not bounded by it
  --mcp-session-secret-file <path>
                               secret (at least ${MIN_MCP_SESSION_SECRET_BYTES} bytes) signing /mcp session ids; give every replica the
                               same one so a session started on one continues on any other (env SWITCHYARD_MCP_SESSION_SECRET_FILE;
                               default: a random secret per process, so sessions end with it); sessions last
                               ${DEFAULT_MCP_SESSION_MAX_AGE_MS / 3_600_000}h
  --mcp-max-result-bytes <n>   largest answer read from an upstream MCP server (default ${DEFAULT_MCP_MAX_RESULT_BYTES}); a larger
                               tool result is refused with a tool error naming the limit
  --mcp-allowed-origins <list> browser origins that may call /mcp: a comma list of origins, loopback (localhost, 127.0.0.1
                               and [::1] on any port) or * (default ${DEFAULT_MCP_ALLOWED_ORIGINS}); a request whose Origin header is
                               not allowed gets 403, requests without Origin are not affected
  --mcp-oauth-callback-url <url>
                               public URL of this gateway's per-user OAuth callback, <public origin>${MCP_OAUTH_CALLBACK_PATH}
                               (https; http only on localhost), registered as the redirect URI of every oauth2PerUser
                               MCPServer's client; sign-in links are <public origin>${MCP_OAUTH_START_PATH}. Without it,
                               oauth2PerUser servers cannot be called (env SWITCHYARD_MCP_OAUTH_CALLBACK_URL)
  --mcp-oauth-key-file <path>  key (at least ${MIN_MCP_OAUTH_KEY_BYTES} bytes) encrypting per-user OAuth tokens at rest (AES-256-GCM);
                               give every replica the same one (env SWITCHYARD_MCP_OAUTH_KEY_FILE; default: a random key
                               per process, tokens then kept in this process only, lost on restart)
  --mcp-oauth-max-tokens <n>   per-user token pairs kept in memory without Redis (default ${DEFAULT_MCP_OAUTH_MAX_TOKENS}; the least
                               recently used dropped first); sign-in links last ${MCP_OAUTH_FLOW_TTL_MS / 60_000} minutes, stored tokens ${MCP_OAUTH_TOKEN_TTL_MS / 86_400_000} days
  --cache-max-bytes <n>        in-memory response cache size for routes with spec.cache (default ${DEFAULT_CACHE_MAX_BYTES});
                               0 turns the response cache off; with --redis-url answers are kept in Redis instead
  --semantic-cache-max-bytes <n>
                               in-memory semantic index size for routes with spec.cache.semantic (default
                               ${DEFAULT_SEMANTIC_CACHE_MAX_BYTES}); 0 turns semantic lookup off; with --redis-url vectors are kept in Redis
  --deny-upstream-cidrs <list> comma list of CIDRs upstreams may not resolve to
                               (default: link-local and the cloud metadata addresses, docs/routing.md; "" allows all)
  --shutdown-grace <duration>  how long SIGTERM waits for in-flight requests (default 25s); realtime
                               sessions still open then get an error event and a 1001 close
${REALTIME_USAGE}
  --state-file <path>          budget spend, kept across restarts (JSON, written atomically; standalone mode)
  --redis-url <url>            share rate limits and budgets with every gateway on this Redis
                               (redis://[user:password@]host:port[/db], rediss:// for TLS)
  --redis-failure-mode <mode>  when Redis is unreachable: open (default) admits requests unchecked,
                               closed refuses them with 503
  --redis-timeout <duration>   longest a Redis call may take before it counts as unreachable (default 250ms)
  --control-plane <url>        cluster mode: the operator's table stream (https://...; http:// on loopback)
  --token-file <path>          ServiceAccount token for the operator, audience switchyard
                               (default /var/run/secrets/switchyard/token; re-read on every reconnect)
  --ca-file <path>             CA bundle that signed the operator's certificate
  --token-audience <aud>       audience a caller's ServiceAccount token must carry (VirtualKey spec.subjects;
                               default ${DEFAULT_TOKEN_AUDIENCE})
  --service-account-issuer <url>
                               the cluster's ServiceAccount token issuer (the API server's --service-account-issuer);
                               default: the iss of --token-file's token in cluster mode, none standalone
                               (ServiceAccount tokens are then refused)
  --issuer-ca-file <path>      CA bundle for that issuer's discovery document and JWKS (default: system roots)
  --issuer-token-file <path>   token of API audience sent to that issuer (the API server serves its keys to
                               system:service-account-issuer-discovery); re-read on every fetch; default: none
  --usage-journal <path>       cluster mode: settled spend not yet acknowledged by the operator, kept on
                               disk after every settlement, so a restarted container resends it
                               (put it on a volume that outlives the container: the chart uses an emptyDir)
  --audit-log <path|stdout>    request audit log: one JSON line per request (who, key, route, backend, model,
                               tokens, cost, status, latency, cache and guardrail outcome; never prompt text or keys)
  --audit-otlp                 also export audit records as OTLP logs (JSON) to OTEL_EXPORTER_OTLP_LOGS_ENDPOINT or
                               <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/logs
  --audit-buffer <n>           audit records held per sink while it is behind (default ${DEFAULT_AUDIT_BUFFER_RECORDS}); beyond, records
                               are dropped and counted in switchyard_audit_records_dropped_total
  --audit-flush-timeout <duration>
                               longest shutdown waits, after the drain, for the audit sinks (default ${DEFAULT_AUDIT_FLUSH_TIMEOUT_MS / 1000}s)
${logFlagsUsage(30)}
  --log-flush-ms <ms>          longest a log line waits to be written with others, 0-${MAX_LOG_FLUSH_MS}; 0 writes once per
                               event-loop turn (default $SWITCHYARD_LOG_FLUSH_MS, else ${DEFAULT_LOG_FLUSH_MS})
  -h, --help                   this text
`;

/**
 * Files that are mounted before the container starts in a cluster: missing at start is a
 * configuration error. Kept out of the parser so parsing stays a pure function of the args.
 */
export function checkClusterFilesExist(flags: GatewayFlags): void {
  if (flags.controlPlane === undefined) return;
  const tokenFile = flags.tokenFile ?? DEFAULT_TOKEN_FILE;
  if (!existsSync(tokenFile))
    throw new FlagError(
      `--token-file ${tokenFile} does not exist: mount a projected ServiceAccount token (audience switchyard) there or pass --token-file`,
    );
  if (flags.caFile !== undefined && !existsSync(flags.caFile)) throw new FlagError(`--ca-file ${flags.caFile} does not exist`);
}

const GATEWAY_FLAG_OPTIONS = {
  config: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'admin-port': { type: 'string' },
  'admin-host': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'keep-alive-timeout': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'max-audio-upload-bytes': { type: 'string' },
  'max-file-bytes': { type: 'string' },
  'max-batch-lines': { type: 'string' },
  'max-response-bytes': { type: 'string' },
  'cache-max-bytes': { type: 'string' },
  'semantic-cache-max-bytes': { type: 'string' },
  'mcp-session-secret-file': { type: 'string' },
  'mcp-max-result-bytes': { type: 'string' },
  'mcp-allowed-origins': { type: 'string' },
  'mcp-oauth-callback-url': { type: 'string' },
  'mcp-oauth-key-file': { type: 'string' },
  'mcp-oauth-max-tokens': { type: 'string' },
  'state-file': { type: 'string' },
  'usage-journal': { type: 'string' },
  'redis-url': { type: 'string' },
  'redis-failure-mode': { type: 'string' },
  'redis-timeout': { type: 'string' },
  'deny-upstream-cidrs': { type: 'string' },
  'shutdown-grace': { type: 'string' },
  ...REALTIME_FLAG_OPTIONS,
  'control-plane': { type: 'string' },
  'token-file': { type: 'string' },
  'ca-file': { type: 'string' },
  'audit-log': { type: 'string' },
  'audit-otlp': { type: 'boolean' },
  'audit-buffer': { type: 'string' },
  'audit-flush-timeout': { type: 'string' },
  'token-audience': { type: 'string' },
  'service-account-issuer': { type: 'string' },
  'issuer-ca-file': { type: 'string' },
  'issuer-token-file': { type: 'string' },
  ...LOG_FLAG_OPTIONS,
  'log-flush-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseGatewayFlags(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  stdoutIsTerminal: boolean = process.stdout.isTTY === true,
): GatewayFlags {
  const v = parseFlagValues(args, GATEWAY_FLAG_OPTIONS);
  const log = logSettings(v, env, stdoutIsTerminal);
  const limits = parseListenerLimits(v);
  const maxBodyBytes = positiveBytesFlag('max-body-bytes', v['max-body-bytes'], DEFAULT_MAX_BODY_BYTES);
  const maxAudioUploadBytes = positiveBytesFlag('max-audio-upload-bytes', v['max-audio-upload-bytes'], DEFAULT_MAX_AUDIO_UPLOAD_BYTES);
  const maxFileBytes = positiveBytesFlag('max-file-bytes', v['max-file-bytes'], DEFAULT_MAX_FILE_BYTES);
  const maxBatchLinesText = v['max-batch-lines'];
  if (maxBatchLinesText !== undefined && !/^[1-9]\d*$/.test(maxBatchLinesText))
    throw new FlagError(`--max-batch-lines must be a positive whole number, got "${maxBatchLinesText}"`);
  const maxBatchLines = maxBatchLinesText === undefined ? DEFAULT_MAX_BATCH_LINES : Number(maxBatchLinesText);
  const maxResponseBytes = positiveBytesFlag('max-response-bytes', v['max-response-bytes'], DEFAULT_MAX_RESPONSE_BYTES);
  const mcpMaxResultBytes = positiveBytesFlag('mcp-max-result-bytes', v['mcp-max-result-bytes'], DEFAULT_MCP_MAX_RESULT_BYTES);
  const mcpSessionSecretFile = v['mcp-session-secret-file'] ?? emptyToUndefined(env.SWITCHYARD_MCP_SESSION_SECRET_FILE);
  let mcpAllowedOrigins: OriginPolicy;
  try {
    mcpAllowedOrigins = OriginPolicy.parse(v['mcp-allowed-origins'] ?? DEFAULT_MCP_ALLOWED_ORIGINS);
  } catch (error) {
    throw new FlagError(`--mcp-allowed-origins: ${error instanceof Error ? error.message : String(error)}`);
  }
  const callbackText = v['mcp-oauth-callback-url'] ?? emptyToUndefined(env.SWITCHYARD_MCP_OAUTH_CALLBACK_URL);
  let mcpOAuthCallbackUrl: URL | undefined;
  try {
    mcpOAuthCallbackUrl = callbackText === undefined ? undefined : parseOAuthCallbackUrl(callbackText);
  } catch (error) {
    throw new FlagError(`--mcp-oauth-callback-url ${error instanceof Error ? error.message : String(error)}`);
  }
  const mcpOAuthKeyFile = v['mcp-oauth-key-file'] ?? emptyToUndefined(env.SWITCHYARD_MCP_OAUTH_KEY_FILE);
  const maxTokensText = v['mcp-oauth-max-tokens'];
  const mcpOAuthMaxTokens = maxTokensText === undefined ? DEFAULT_MCP_OAUTH_MAX_TOKENS : Number(maxTokensText);
  if (maxTokensText !== undefined && (!/^\d+$/.test(maxTokensText) || !Number.isSafeInteger(mcpOAuthMaxTokens) || mcpOAuthMaxTokens < 1))
    throw new FlagError(`--mcp-oauth-max-tokens must be a whole number of at least 1, got "${maxTokensText}"`);
  const cacheMaxText = v['cache-max-bytes'];
  const cacheMaxBytes = cacheMaxText === undefined ? DEFAULT_CACHE_MAX_BYTES : Number(cacheMaxText);
  if (cacheMaxText !== undefined && (!/^\d+$/.test(cacheMaxText) || !Number.isSafeInteger(cacheMaxBytes)))
    throw new FlagError(`--cache-max-bytes must be a whole number of bytes (0 turns the cache off), got "${cacheMaxText}"`);
  const semanticMaxText = v['semantic-cache-max-bytes'];
  const semanticCacheMaxBytes = semanticMaxText === undefined ? DEFAULT_SEMANTIC_CACHE_MAX_BYTES : Number(semanticMaxText);
  if (semanticMaxText !== undefined && (!/^\d+$/.test(semanticMaxText) || !Number.isSafeInteger(semanticCacheMaxBytes)))
    throw new FlagError(
      `--semantic-cache-max-bytes must be a whole number of bytes (0 turns semantic lookup off), got "${semanticMaxText}"`,
    );
  let deniedUpstreamCidrs: string[];
  try {
    deniedUpstreamCidrs = parseCidrList(v['deny-upstream-cidrs'] ?? DEFAULT_DENIED_UPSTREAM_CIDRS);
  } catch (error) {
    throw new FlagError(`--deny-upstream-cidrs: ${error instanceof Error ? error.message : String(error)}`);
  }
  const shutdownGraceMs = durationFlag('shutdown-grace', v['shutdown-grace'], '25s');
  const redisFailureMode = v['redis-failure-mode'] ?? 'open';
  if (redisFailureMode !== 'open' && redisFailureMode !== 'closed')
    throw new FlagError(`--redis-failure-mode must be open or closed, got "${redisFailureMode}"`);
  const redisTimeoutMs = durationFlag('redis-timeout', v['redis-timeout'], '250ms');
  if (redisTimeoutMs < 1) throw new FlagError('--redis-timeout must be at least 1ms');
  const redisUrl = v['redis-url'];
  if (redisUrl !== undefined) {
    let parsedRedis: URL | undefined;
    try {
      parsedRedis = new URL(redisUrl);
    } catch {
      parsedRedis = undefined;
    }
    if (parsedRedis === undefined || (parsedRedis.protocol !== 'redis:' && parsedRedis.protocol !== 'rediss:')) {
      throw new FlagError('--redis-url must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379');
    }
  }
  rejectUnanchoredFlags(v, ['redis-failure-mode', 'redis-timeout'], 'redis-url');
  const controlPlane = v['control-plane'];
  if (controlPlane !== undefined) {
    if (v.config !== undefined)
      throw new FlagError(
        '--config and --control-plane are mutually exclusive: a gateway serves manifests from disk or tables from the operator',
      );
    let url: URL;
    try {
      url = new URL(controlPlane);
    } catch {
      throw new FlagError(`--control-plane must be a URL such as https://switchyard-operator:8443, got "${controlPlane}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new FlagError(`--control-plane must be an http(s) URL, got "${controlPlane}"`);
  }
  rejectUnanchoredFlags(v, ['token-file', 'ca-file', 'usage-journal'], 'control-plane');
  const audit = parseAuditFlags(v, env);
  return {
    help: v.help === true,
    config: v.config,
    host: v.host ?? '127.0.0.1',
    port: portFlag('port', v.port, 8080),
    adminPort: portFlag('admin-port', v['admin-port'], 9090),
    adminHosts: parseAdminHosts(v['admin-host']),
    limits,
    maxBodyBytes,
    maxAudioUploadBytes,
    maxFileBytes,
    maxBatchLines,
    maxResponseBytes,
    mcpSessionSecretFile,
    mcpMaxResultBytes,
    mcpAllowedOrigins,
    mcpOAuthCallbackUrl,
    mcpOAuthKeyFile,
    mcpOAuthMaxTokens,
    cacheMaxBytes,
    semanticCacheMaxBytes,
    stateFile: v['state-file'],
    usageJournal: v['usage-journal'],
    redisUrl,
    redisFailureMode,
    redisTimeoutMs,
    deniedUpstreamCidrs,
    shutdownGraceMs,
    realtime: parseRealtimeFlags(v),
    controlPlane,
    tokenFile: v['token-file'],
    caFile: v['ca-file'],
    identity: parseIdentityFlags(v),
    log,
    logFlushMs: logFlushDelay(v['log-flush-ms'], env.SWITCHYARD_LOG_FLUSH_MS),
    audit,
  };
}

/** The flag, else the variable (empty counts as unset), else the default; whole milliseconds in range. */
function logFlushDelay(flagValue: string | undefined, envValue: string | undefined): number {
  const [source, text] = flagValue !== undefined ? ['--log-flush-ms', flagValue] : ['SWITCHYARD_LOG_FLUSH_MS', envValue];
  if (text === undefined || (flagValue === undefined && text === '')) return DEFAULT_LOG_FLUSH_MS;
  const ms = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!(ms <= MAX_LOG_FLUSH_MS))
    throw new FlagError(`${source} must be a whole number of milliseconds from 0 to ${MAX_LOG_FLUSH_MS}; got "${text}"`);
  return ms;
}

function parseAuditFlags(v: Readonly<Record<string, string | boolean | undefined>>, env: NodeJS.ProcessEnv): GatewayFlags['audit'] {
  const file = typeof v['audit-log'] === 'string' ? v['audit-log'] : undefined;
  if (file === '') throw new FlagError('--audit-log must be a file path or stdout');
  let otlp: AuditOtlpTarget | undefined;
  if (v['audit-otlp'] === true) {
    const target = auditOtlpTarget(env);
    if (typeof target === 'string') throw new FlagError(target);
    otlp = target;
  }
  const bufferText = v['audit-buffer'];
  const bufferRecords = typeof bufferText === 'string' ? Number(bufferText) : DEFAULT_AUDIT_BUFFER_RECORDS;
  if (typeof bufferText === 'string' && (!/^\d+$/.test(bufferText) || bufferRecords < 1 || !Number.isSafeInteger(bufferRecords)))
    throw new FlagError(`--audit-buffer must be a positive whole number of records, got "${bufferText}"`);
  const flushText = v['audit-flush-timeout'];
  const flushTimeoutMs = durationFlag(
    'audit-flush-timeout',
    typeof flushText === 'string' ? flushText : undefined,
    `${DEFAULT_AUDIT_FLUSH_TIMEOUT_MS}ms`,
  );
  if (file === undefined && otlp === undefined) {
    for (const name of ['audit-buffer', 'audit-flush-timeout'])
      if (v[name] !== undefined) throw new FlagError(`--${name} needs --audit-log or --audit-otlp`);
  }
  return { file, otlp, bufferRecords, flushTimeoutMs };
}

function parseIdentityFlags(v: Readonly<Record<string, string | boolean | undefined>>): IdentityFlags {
  const text = (name: string): string | undefined => {
    const value = v[name];
    return typeof value === 'string' ? value : undefined;
  };
  const tokenAudience = text('token-audience') ?? DEFAULT_TOKEN_AUDIENCE;
  if (tokenAudience.trim() === '') throw new FlagError('--token-audience must not be empty');
  const serviceAccountIssuer = text('service-account-issuer');
  if (serviceAccountIssuer !== undefined && (!URL.canParse(serviceAccountIssuer) || new URL(serviceAccountIssuer).protocol !== 'https:'))
    throw new FlagError(`--service-account-issuer must be an https:// URL, got "${serviceAccountIssuer}"`);
  return { tokenAudience, serviceAccountIssuer, issuerCaFile: text('issuer-ca-file'), issuerTokenFile: text('issuer-token-file') };
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.length === 0 ? undefined : value;
}

function parseListenerLimits(v: Readonly<Record<string, string | boolean | undefined>>): ListenerLimits {
  const duration = (name: string, fallbackMs: number): number => {
    const text = v[name];
    return durationFlag(name, typeof text === 'string' ? text : undefined, `${fallbackMs}ms`, { positive: true });
  };
  const headersTimeoutMs = duration('headers-timeout', DEFAULT_LISTENER_LIMITS.headersTimeoutMs);
  const requestTimeoutMs = duration('request-timeout', DEFAULT_LISTENER_LIMITS.requestTimeoutMs);
  // node:http refuses the reverse: the headers are part of the request.
  if (headersTimeoutMs > requestTimeoutMs)
    throw new FlagError(`--headers-timeout (${headersTimeoutMs}ms) must not be longer than --request-timeout (${requestTimeoutMs}ms)`);
  const keepAliveTimeoutMs = duration('keep-alive-timeout', DEFAULT_LISTENER_LIMITS.keepAliveTimeoutMs);
  const maxText = v['max-connections'];
  let maxConnections = DEFAULT_LISTENER_LIMITS.maxConnections;
  if (typeof maxText === 'string') {
    maxConnections = Number(maxText);
    if (!/^\d+$/.test(maxText) || maxConnections < 1 || !Number.isSafeInteger(maxConnections))
      throw new FlagError(`--max-connections must be a positive whole number, got "${maxText}"`);
  }
  return { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, maxConnections };
}

function parseAdminHosts(text: string | undefined): string[] {
  if (text === undefined) return ['127.0.0.1'];
  const hosts = text.split(',').map((host) => host.trim());
  if (hosts.some((host) => host === '')) throw new FlagError(`--admin-host must be an address or a comma list of addresses, got "${text}"`);
  return [...new Set(hosts)];
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

function positiveBytesFlag(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || !Number.isSafeInteger(value))
    throw new FlagError(`--${name} must be a positive whole number of bytes, got "${text}"`);
  return value;
}
