// Shared by the helm-*.test.ts files: where the chart and helm are, and `helm template` parsed
// into objects. Tests skip (with a line saying why) when helm is not built yet.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { locateControlPlaneBinaries } from '../src/index.js';
import { runCommand, type CommandResult } from '../src/run-command.js';
import { jsonPath } from './support/json-path.js';

/** The repository root (this file runs from e2e/dist/test/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CHART_DIR = join(REPO_ROOT, 'charts', 'switchyard');
export const RELEASE = 'sy';
export const NAMESPACE = 'ai';

export interface KubeDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Every optional feature switched on, as `--set` arguments. */
export const ALL_FEATURES = [
  '--set',
  'networkPolicy.enabled=true',
  '--set',
  'serviceMonitor.enabled=true',
  '--set',
  'serviceMonitor.labels.release=prometheus',
  '--set',
  'redis.url=redis://:s3cret@redis.cache.svc:6379/0',
  '--set',
  'gateway.maxBodyBytes=1048576',
  '--set',
  'gateway.maxResponseBytes=8388608',
  '--set',
  'gateway.maxAudioUploadBytes=4194304',
  '--set',
  'gateway.listener.headersTimeout=5s',
  '--set',
  'gateway.listener.requestTimeout=2m',
  '--set',
  'gateway.listener.keepAliveTimeout=75s',
  '--set',
  'gateway.listener.maxConnections=2000',
  '--set',
  'gateway.denyUpstreamCidrs=169.254.0.0/16',
  '--set',
  'gateway.autoscaling.targetMemoryUtilizationPercentage=80',
  '--set',
  'operator.watchNamespaces={team-a,team-b}',
  '--set',
  'operator.sharedNamespaces={shared-models}',
];

export function helmPath(): string | undefined {
  const candidate = join(locateControlPlaneBinaries().binDir, 'helm');
  try {
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    return undefined;
  }
}

export async function helm(args: string[], env?: NodeJS.ProcessEnv): Promise<CommandResult> {
  const binary = helmPath();
  if (binary === undefined) throw new Error('helm is not built; run `make e2e-build`');
  return runCommand(binary, args, { env: env ?? helmEnv(), timeoutMs: 120_000 });
}

/** helm with its caches in a throwaway place, so tests never touch the user's helm config. */
function helmEnv(): NodeJS.ProcessEnv {
  const home = join(REPO_ROOT, 'e2e', 'dist', '.helm-home');
  return {
    ...process.env,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

/** `helm template` of the chart; throws with helm's message when rendering fails. */
export async function renderChart(extraArgs: string[] = [], env?: NodeJS.ProcessEnv): Promise<KubeDoc[]> {
  const result = await helm(['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...extraArgs], env);
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}): ${result.stderr}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): KubeDoc[] {
  const docs: KubeDoc[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`rendered YAML does not parse: ${document.errors[0]!.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (typeof jsonPath(value, 'kind') !== 'string' || typeof jsonPath(value, 'metadata', 'name') !== 'string') {
      throw new Error(`rendered document without kind or metadata.name: ${JSON.stringify(value).slice(0, 200)}`);
    }
    docs.push(value as KubeDoc);
  }
  return docs;
}

export function findDoc(docs: KubeDoc[], kind: string, name: string): KubeDoc {
  const found = docs.find((doc) => doc.kind === kind && doc.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among: ${docs.map((doc) => `${doc.kind}/${doc.metadata.name}`).join(', ')}`);
  return found;
}

export const names = {
  operator: `${RELEASE}-switchyard-operator`,
  gateway: `${RELEASE}-switchyard-gateway`,
  gatewayMetrics: `${RELEASE}-switchyard-gateway-metrics`,
  tlsSecret: `${RELEASE}-switchyard-operator-tls`,
  mcpSessionSecret: `${RELEASE}-switchyard-mcp-session`,
  redisSecret: `${RELEASE}-switchyard-redis`,
};

/** The containers of a Deployment's pod template. */
export function containersOf(deployment: KubeDoc): Record<string, unknown>[] {
  const containers = jsonPath(deployment, 'spec', 'template', 'spec', 'containers');
  if (!Array.isArray(containers)) throw new Error(`${deployment.metadata.name} has no containers`);
  return containers as Record<string, unknown>[];
}

export function podSpecOf(deployment: KubeDoc): Record<string, unknown> {
  const spec = jsonPath(deployment, 'spec', 'template', 'spec');
  if (spec === null || typeof spec !== 'object') throw new Error(`${deployment.metadata.name} has no pod spec`);
  return spec as Record<string, unknown>;
}

export function argsOf(deployment: KubeDoc): string[] {
  const args = containersOf(deployment)[0]?.['args'];
  return Array.isArray(args) ? args.map(String) : [];
}

export function podAnnotationsOf(deployment: KubeDoc): Record<string, string> {
  const annotations = jsonPath(deployment, 'spec', 'template', 'metadata', 'annotations');
  return annotations !== null && typeof annotations === 'object' ? (annotations as Record<string, string>) : {};
}

export function skipNotice(what: string): void {
  console.warn(`SKIPPED ${what}: helm not built in ${locateControlPlaneBinaries().binDir}; run \`make e2e-build\` first`);
}
