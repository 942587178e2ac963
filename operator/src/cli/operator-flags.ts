// `switchyard operator` flags, parsed and checked before anything starts. A bad flag is one
// clear line and exit code 2.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { checkProviderUrl, type ConsoleOidcSettings } from '../console/console-oidc.js';
import {
  errorMessage,
  durationFlag,
  FlagError,
  LOG_FLAG_OPTIONS,
  logFlagsUsage,
  logSettings,
  parseFlagValues,
  portFlag,
  type LogSettings,
} from '@switchyard/compiler';

export interface OperatorFlags {
  help: boolean;
  kubeconfig: string | undefined;
  /** Undefined: every namespace. */
  namespaces: string[] | undefined;
  sharedNamespaces: string[];
  listenHost: string;
  listenPort: number;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  gatewayServiceAccounts: string[];
  healthPort: number;
  metricsPort: number | undefined;
  /** /healthz fails once the main event loop made no progress for this long. */
  livenessMaxStallMs: number;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  resyncPeriodMs: number;
  watchInactivityTimeoutMs: number;
  mcpRecheckIntervalMs: number;
  replicaId: string;
  /** Where the web console listens; undefined: no console (the default). */
  consoleListen: { host: string; port: number } | undefined;
  /** HTTPS for the console (any listen address then); undefined: plain HTTP on loopback only. */
  consoleTls: { certFile: string; keyFile: string } | undefined;
  /** Single sign-on for the console; undefined: sign in with a pasted token only. */
  consoleOidc: ConsoleOidcSettings | undefined;
  log: LogSettings;
}

export const OPERATOR_USAGE = `Usage: switchyard operator [options]

Run the Kubernetes control plane: watch ModelRoute, VirtualKey, Budget, MCPServer and the Secrets
they reference, compile routing tables, stream them to gateways, check MCP servers, and write status.

  --kubeconfig <path>                  kubeconfig (default: in-cluster, then $KUBECONFIG, then ~/.kube/config)
  --namespace <ns>                     namespace to watch; repeatable (default: every namespace)
  --shared-namespace <ns>              namespace whose routes every key sees; repeatable
                                       (default: $POD_NAMESPACE when set)
  --listen <host:port>                 table stream for gateways (default 0.0.0.0:8443); plain HTTP
                                       only on a loopback address, TLS otherwise
  --tls-cert-file <path>               serving certificate (PEM) for --listen
  --tls-key-file <path>                its private key (PEM)
  --gateway-service-account <ns/name>  ServiceAccount gateways run as; repeatable. Only these may
                                       receive tables (their tokens, audience switchyard)
  --health-port <n>                    /healthz, /readyz and /metrics (default 8081; 0 picks one)
  --metrics-port <n>                   serve /metrics on its own port instead
  --liveness-max-stall <d>             /healthz fails (503) once the main event loop made no
                                       progress for this long (default 120s; answered from its
                                       own thread, so a long compile does not fail it sooner)
  --leader-election-namespace <ns>     where the Lease lives (default $POD_NAMESPACE, else the
                                       in-cluster namespace, else "default")
  --leader-election-id <name>          the Lease's name (default switchyard-operator)
  --lease-duration <d>                 (default 15s)
  --renew-deadline <d>                 (default 10s)
  --retry-period <d>                   (default 2s)
  --resync-period <d>                  replay every object and recompile (default 10m)
  --watch-inactivity-timeout <d>       restart a silent watch (default 5m)
  --mcp-recheck-interval <d>           connect to every MCPServer again and refresh Ready and its
                                       tools this often (default 60s; also on every change)
  --replica-id <id>                    this replica's identity (default <hostname>-<random>)
  --console-listen <host:port>         serve the read-only web console here (default: off); a
                                       loopback address only, e.g. 127.0.0.1:8090, reached with
                                       kubectl port-forward, unless --console-tls-* are given.
                                       Sign in with a Kubernetes token or single sign-on
  --console-tls-cert-file <path>       serve the console over HTTPS with this certificate (PEM;
  --console-tls-key-file <path>        reloaded when the files change); then any address
  --console-oidc-issuer-url <url>      single sign-on with this OpenID Connect issuer (https,
                                       http on loopback only); needs the two flags below
  --console-oidc-client-id <id>        the console's client id at the issuer
  --console-oidc-redirect-url <url>    the console's /oidc/callback as browsers reach it
  --console-oidc-client-secret-file <path>
                                       the client secret (absent: a public client, PKCE only)
  --console-oidc-username-claim <c>    claim naming the user (default sub)
  --console-oidc-username-prefix <p>   prepended to it (default "oidc:"); with the claim, set it
                                       as the API server maps this issuer, so RBAC means the same
  --console-oidc-groups-claim <c>      claim listing the groups (default groups)
  --console-oidc-groups-prefix <p>     prepended to each group (default "oidc:")
  --console-oidc-scope <s>             scope to request, repeatable (default openid, email, profile)
${logFlagsUsage(38)}
  -h, --help                           this text
`;

function positiveDuration(name: string, text: string | undefined, fallback: string): number {
  return durationFlag(name, text, fallback, { positive: true });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function namespaceList(name: string, values: string[] | undefined): string[] {
  for (const value of values ?? []) {
    if (!DNS_LABEL.test(value)) throw new FlagError(`--${name} "${value}" is not a valid namespace name`);
  }
  return [...new Set(values ?? [])];
}

function parseListen(text: string, name = 'listen'): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([^:[\]]+)):(\d+)$/.exec(text);
  if (!match) throw new FlagError(`--${name} must be host:port (IPv6 as [addr]:port), got "${text}"`);
  return { host: (match[1] ?? match[2]) as string, port: portFlag(name, match[3], 8443) };
}

/** Without its own TLS the console receives users' tokens over plain HTTP, so it binds to loopback only. */
function parseConsoleListen(text: string | undefined, tls: boolean): { host: string; port: number } | undefined {
  if (text === undefined) return undefined;
  const address = parseListen(text, 'console-listen');
  if (!tls && !isLoopbackHost(address.host)) {
    throw new FlagError(
      `--console-listen ${text}: without --console-tls-cert-file and --console-tls-key-file the console takes Kubernetes tokens over plain HTTP, so it binds to a loopback address only (e.g. 127.0.0.1:8090); reach it with kubectl port-forward`,
    );
  }
  return address;
}

function parseConsoleTls(v: { 'console-tls-cert-file'?: string; 'console-tls-key-file'?: string }): OperatorFlags['consoleTls'] {
  const certFile = v['console-tls-cert-file'];
  const keyFile = v['console-tls-key-file'];
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new FlagError('--console-tls-cert-file and --console-tls-key-file go together');
  return certFile === undefined || keyFile === undefined ? undefined : { certFile, keyFile };
}

function parseConsoleOidc(v: Record<string, string | string[] | boolean | undefined>): ConsoleOidcSettings | undefined {
  const text = (name: string): string | undefined => v[`console-oidc-${name}`] as string | undefined;
  const issuerUrl = text('issuer-url');
  if (issuerUrl === undefined) {
    const stray = Object.keys(v).find((name) => name.startsWith('console-oidc-') && v[name] !== undefined);
    if (stray !== undefined) throw new FlagError(`--${stray} needs --console-oidc-issuer-url`);
    return undefined;
  }
  const clientId = text('client-id');
  const redirectUrl = text('redirect-url');
  if (clientId === undefined || clientId === '') throw new FlagError('--console-oidc-issuer-url needs --console-oidc-client-id');
  if (redirectUrl === undefined) throw new FlagError('--console-oidc-issuer-url needs --console-oidc-redirect-url');
  for (const [name, value] of [
    ['console-oidc-issuer-url', issuerUrl],
    ['console-oidc-redirect-url', redirectUrl],
  ] as const) {
    try {
      checkProviderUrl(value, `--${name}`);
    } catch (error) {
      throw new FlagError(errorMessage(error));
    }
  }
  if (new URL(redirectUrl).pathname !== '/oidc/callback')
    throw new FlagError(`--console-oidc-redirect-url must end in /oidc/callback, got "${redirectUrl}"`);
  const scopes = (v['console-oidc-scope'] as string[] | undefined) ?? ['openid', 'email', 'profile'];
  if (!scopes.includes('openid')) throw new FlagError('--console-oidc-scope must include openid');
  return {
    issuerUrl,
    clientId,
    clientSecretFile: text('client-secret-file'),
    redirectUrl,
    usernameClaim: text('username-claim') ?? 'sub',
    usernamePrefix: text('username-prefix') ?? 'oidc:',
    groupsClaim: text('groups-claim') ?? 'groups',
    groupsPrefix: text('groups-prefix') ?? 'oidc:',
    scopes,
  };
}

const IN_CLUSTER_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function defaultNamespace(env: NodeJS.ProcessEnv): string | undefined {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  if (existsSync(IN_CLUSTER_NAMESPACE_FILE)) return readFileSync(IN_CLUSTER_NAMESPACE_FILE, 'utf8').trim() || undefined;
  return undefined;
}

const OPERATOR_FLAG_OPTIONS = {
  kubeconfig: { type: 'string' },
  namespace: { type: 'string', multiple: true },
  'shared-namespace': { type: 'string', multiple: true },
  listen: { type: 'string' },
  'tls-cert-file': { type: 'string' },
  'tls-key-file': { type: 'string' },
  'gateway-service-account': { type: 'string', multiple: true },
  'health-port': { type: 'string' },
  'metrics-port': { type: 'string' },
  'liveness-max-stall': { type: 'string' },
  'leader-election-namespace': { type: 'string' },
  'leader-election-id': { type: 'string' },
  'lease-duration': { type: 'string' },
  'renew-deadline': { type: 'string' },
  'retry-period': { type: 'string' },
  'resync-period': { type: 'string' },
  'watch-inactivity-timeout': { type: 'string' },
  'mcp-recheck-interval': { type: 'string' },
  'replica-id': { type: 'string' },
  'console-listen': { type: 'string' },
  'console-tls-cert-file': { type: 'string' },
  'console-tls-key-file': { type: 'string' },
  'console-oidc-issuer-url': { type: 'string' },
  'console-oidc-client-id': { type: 'string' },
  'console-oidc-redirect-url': { type: 'string' },
  'console-oidc-client-secret-file': { type: 'string' },
  'console-oidc-username-claim': { type: 'string' },
  'console-oidc-username-prefix': { type: 'string' },
  'console-oidc-groups-claim': { type: 'string' },
  'console-oidc-groups-prefix': { type: 'string' },
  'console-oidc-scope': { type: 'string', multiple: true },
  ...LOG_FLAG_OPTIONS,
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseOperatorFlags(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  stdoutIsTerminal: boolean = process.stdout.isTTY === true,
): OperatorFlags {
  const v = parseFlagValues(args, OPERATOR_FLAG_OPTIONS);
  const log = logSettings(v, env, stdoutIsTerminal);
  const listen = parseListen(v.listen ?? '0.0.0.0:8443');
  if ((v['tls-cert-file'] === undefined) !== (v['tls-key-file'] === undefined)) {
    throw new FlagError('--tls-cert-file and --tls-key-file go together');
  }
  const gatewayServiceAccounts = [...new Set(v['gateway-service-account'] ?? [])];
  for (const account of gatewayServiceAccounts) {
    const [ns, name, extra] = account.split('/');
    if (extra !== undefined || !ns || !name || !DNS_LABEL.test(ns) || !DNS_SUBDOMAIN.test(name)) {
      throw new FlagError(`--gateway-service-account must be <namespace>/<name>, got "${account}"`);
    }
  }
  const namespaces = v.namespace === undefined ? undefined : namespaceList('namespace', v.namespace);
  const podNamespace = defaultNamespace(env);
  const sharedNamespaces =
    v['shared-namespace'] !== undefined ? namespaceList('shared-namespace', v['shared-namespace']) : podNamespace ? [podNamespace] : [];
  const leaseDurationMs = positiveDuration('lease-duration', v['lease-duration'], '15s');
  const renewDeadlineMs = positiveDuration('renew-deadline', v['renew-deadline'], '10s');
  const retryPeriodMs = positiveDuration('retry-period', v['retry-period'], '2s');
  if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs)) {
    throw new FlagError('leader election needs --lease-duration > --renew-deadline > --retry-period');
  }
  const leaderElectionNamespace = v['leader-election-namespace'] ?? podNamespace ?? 'default';
  if (!DNS_LABEL.test(leaderElectionNamespace))
    throw new FlagError(`--leader-election-namespace "${leaderElectionNamespace}" is not a valid namespace name`);
  const leaderElectionId = v['leader-election-id'] ?? 'switchyard-operator';
  if (!DNS_SUBDOMAIN.test(leaderElectionId)) throw new FlagError(`--leader-election-id "${leaderElectionId}" is not a valid object name`);
  const replicaId = v['replica-id'] ?? `${hostname()}-${randomBytes(4).toString('hex')}`;
  const consoleTls = parseConsoleTls(v);
  const consoleOidc = parseConsoleOidc(v);
  if ((consoleTls !== undefined || consoleOidc !== undefined) && v['console-listen'] === undefined)
    throw new FlagError('--console-tls-* and --console-oidc-* need --console-listen');
  if (replicaId.length > 128) throw new FlagError('--replica-id is longer than 128 characters');
  return {
    help: v.help === true,
    kubeconfig: v.kubeconfig,
    // The shared namespaces must be watched too, or their routes would be invisible.
    namespaces: namespaces === undefined ? undefined : [...new Set([...namespaces, ...sharedNamespaces])],
    sharedNamespaces,
    listenHost: listen.host,
    listenPort: listen.port,
    tlsCertFile: v['tls-cert-file'],
    tlsKeyFile: v['tls-key-file'],
    gatewayServiceAccounts,
    healthPort: portFlag('health-port', v['health-port'], 8081),
    metricsPort: v['metrics-port'] === undefined ? undefined : portFlag('metrics-port', v['metrics-port'], 0),
    livenessMaxStallMs: positiveDuration('liveness-max-stall', v['liveness-max-stall'], '120s'),
    leaderElectionNamespace,
    leaderElectionId,
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
    resyncPeriodMs: positiveDuration('resync-period', v['resync-period'], '10m'),
    watchInactivityTimeoutMs: positiveDuration('watch-inactivity-timeout', v['watch-inactivity-timeout'], '5m'),
    mcpRecheckIntervalMs: positiveDuration('mcp-recheck-interval', v['mcp-recheck-interval'], '60s'),
    replicaId,
    consoleListen: parseConsoleListen(v['console-listen'], consoleTls !== undefined),
    consoleTls,
    consoleOidc,
    log,
  };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
