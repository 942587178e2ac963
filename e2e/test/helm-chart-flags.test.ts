// The command lines the chart renders must be ones the programs accept: each Deployment's args
// (with the kubelet's $(VAR) expansion applied) go through the gateway's and the operator's own
// flag parsers. Catches a renamed or removed flag before a pod crash-loops on it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  ALL_FEATURES,
  argsOf,
  containersOf,
  findDoc,
  helmPath,
  names,
  NAMESPACE,
  REPO_ROOT,
  renderChart,
  skipNotice,
  type KubeDoc,
} from './helm-chart-support.js';
import { jsonPath } from './support/json-path.js';

const GATEWAY_FLAGS = join(REPO_ROOT, 'gateway', 'dist', 'src', 'cli', 'gateway-flags.js');
const OPERATOR_FLAGS = join(REPO_ROOT, 'operator', 'dist', 'src', 'cli', 'operator-flags.js');

const ready = helmPath() !== undefined && existsSync(GATEWAY_FLAGS) && existsSync(OPERATOR_FLAGS);
const describeWhenReady = ready ? describe : describe.skip;
if (!helmPath()) skipNotice('chart flag tests');
else if (!ready) console.warn('SKIPPED chart flag tests: gateway or operator flag parser not built (run `make build`)');

type FlagParser = (args: string[], env?: NodeJS.ProcessEnv) => unknown;

async function loadParser(file: string, name: string): Promise<FlagParser> {
  const module: unknown = await import(pathToFileURL(file).href);
  const parser = jsonPath(module, name);
  if (typeof parser !== 'function') throw new Error(`${file} does not export ${name}`);
  return parser as FlagParser;
}

/** What the kubelet does to args: $(VAR) becomes the container's env value. */
function expandLikeKubelet(args: string[], env: Record<string, string>): string[] {
  return args.map((arg) =>
    arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (_whole, name: string) => {
      const value = env[name];
      if (value === undefined) throw new Error(`arg ${arg} refers to $(${name}), which the container does not define`);
      return value;
    }),
  );
}

/** The env names a container defines (values stand in for what the kubelet would resolve). */
function containerEnv(deployment: KubeDoc, sample: Record<string, string>): Record<string, string> {
  const env = containersOf(deployment)[0]?.['env'];
  const out: Record<string, string> = {};
  for (const entry of Array.isArray(env) ? env : []) {
    const name = String(jsonPath(entry, 'name'));
    out[name] = sample[name] ?? `value-of-${name}`;
  }
  return out;
}

describeWhenReady('chart command lines against the programs’ flag parsers', () => {
  let parseGatewayFlags: FlagParser;
  let parseOperatorFlags: FlagParser;

  beforeAll(async () => {
    parseGatewayFlags = await loadParser(GATEWAY_FLAGS, 'parseGatewayFlags');
    parseOperatorFlags = await loadParser(OPERATOR_FLAGS, 'parseOperatorFlags');
  });

  it.each([
    ['default values', [] as string[]],
    ['every optional feature on', ALL_FEATURES],
  ])(
    'the gateway accepts its args with %s',
    async (_label, values) => {
      const gateway = findDoc(await renderChart(values), 'Deployment', names.gateway);
      const env = containerEnv(gateway, { SWITCHYARD_REDIS_URL: 'redis://redis.cache.svc:6379/0', POD_IP: '10.42.0.7' });
      const [command, ...args] = expandLikeKubelet(argsOf(gateway), env);
      expect(command).toBe('gateway');
      const flags = parseGatewayFlags(args);
      expect(flags).toMatchObject({
        host: '0.0.0.0',
        port: 8080,
        adminPort: 9090,
        adminHosts: ['10.42.0.7', '127.0.0.1'],
        shutdownGraceMs: 50_000,
      });
      if (values.length > 0)
        expect(flags).toMatchObject({
          redisUrl: 'redis://redis.cache.svc:6379/0',
          maxBodyBytes: 1_048_576,
          maxResponseBytes: 8_388_608,
          maxAudioUploadBytes: 4_194_304,
          limits: { headersTimeoutMs: 5_000, requestTimeoutMs: 120_000, keepAliveTimeoutMs: 75_000, maxConnections: 2_000 },
        });
    },
    60_000,
  );

  it.each([
    ['default values', [] as string[]],
    ['every optional feature on', ALL_FEATURES],
  ])(
    'the operator accepts its args with %s',
    async (_label, values) => {
      const operator = findDoc(await renderChart(values), 'Deployment', names.operator);
      const podName = `${names.operator}-7d9f8b6c5-abcde`;
      const env = containerEnv(operator, { POD_NAME: podName, POD_NAMESPACE: NAMESPACE });
      const [command, ...args] = expandLikeKubelet(argsOf(operator), env);
      expect(command).toBe('operator');
      const flags = parseOperatorFlags(args, env);
      expect(flags).toMatchObject({
        listenHost: '0.0.0.0',
        listenPort: 8443,
        healthPort: 8081,
        tlsCertFile: '/etc/switchyard/tls/tls.crt',
        tlsKeyFile: '/etc/switchyard/tls/tls.key',
        gatewayServiceAccounts: [`${NAMESPACE}/${names.gateway}`],
        leaderElectionNamespace: NAMESPACE,
        leaderElectionId: names.operator,
        replicaId: podName,
      });
      if (values.length === 0) {
        expect(flags).toMatchObject({ namespaces: undefined, sharedNamespaces: [NAMESPACE] });
      } else {
        expect(flags).toMatchObject({ sharedNamespaces: ['shared-models'] });
        expect([...(jsonPath(flags, 'namespaces') as string[])].sort()).toEqual(['shared-models', 'team-a', 'team-b']);
      }
    },
    60_000,
  );
});
