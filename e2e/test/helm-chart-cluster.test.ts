// charts/switchyard against a real kube-apiserver (+ kube-controller-manager): every rendered
// object accepted by server-side dry-run, helm install / upgrade / uninstall, the generated CA
// kept across upgrades, and the documented CRD upgrade procedure. No pods run here (no kubelet).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { locateControlPlaneBinaries, startControlPlane, type ControlPlane } from '../src/index.js';
import {
  ALL_FEATURES,
  CHART_DIR,
  findDoc,
  names,
  NAMESPACE,
  parseManifests,
  podAnnotationsOf,
  RELEASE,
  type KubeDoc,
} from './helm-chart-support.js';
import { eventually, jsonItems, jsonPath } from './support/json-path.js';

const binaries = locateControlPlaneBinaries();
const describeWhenBuilt = binaries.missing.length === 0 ? describe : describe.skip;
if (binaries.missing.length > 0) {
  console.warn(`SKIPPED helm cluster tests: ${binaries.missing.join(', ')} not built in ${binaries.binDir}; run \`make e2e-build\` first`);
}

const CRD_NAMES = ['budgets.switchyard.dev', 'modelroutes.switchyard.dev', 'virtualkeys.switchyard.dev'];

/**
 * The Prometheus Operator's ServiceMonitor CRD, cut down to the fields the chart sets, with
 * their real names and types: server-side validation then rejects a misspelt or mistyped field.
 */
const SERVICE_MONITOR_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com',
    scope: 'Namespaced',
    names: { kind: 'ServiceMonitor', listKind: 'ServiceMonitorList', plural: 'servicemonitors', singular: 'servicemonitor' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['selector', 'endpoints'],
                properties: {
                  selector: { type: 'object', properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } } },
                  namespaceSelector: { type: 'object', properties: { matchNames: { type: 'array', items: { type: 'string' } } } },
                  endpoints: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        port: { type: 'string' },
                        path: { type: 'string' },
                        interval: {
                          type: 'string',
                          pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
                        },
                        scrapeTimeout: {
                          type: 'string',
                          pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

describeWhenBuilt('helm chart on a real API server', () => {
  let plane: ControlPlane;

  async function kubectlOk(args: string[], input?: string): Promise<string> {
    const result = await plane.kubectl(args, input);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  }

  async function helmOk(args: string[]): Promise<string> {
    const result = await plane.helm(args);
    if (result.code !== 0) throw new Error(`helm ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
    return result.stdout;
  }

  async function getJson(args: string[]): Promise<unknown> {
    return JSON.parse(await kubectlOk([...args, '-o', 'json'])) as unknown;
  }

  async function installedCa(): Promise<string> {
    const ca = jsonPath(await getJson(['get', 'secret', names.tlsSecret, '-n', NAMESPACE]), 'data', 'ca.crt');
    if (typeof ca !== 'string') throw new Error(`Secret ${names.tlsSecret} has no ca.crt`);
    return ca;
  }

  async function gatewayTemplateAnnotations(): Promise<Record<string, string>> {
    const deployment = await getJson(['get', 'deployment', names.gateway, '-n', NAMESPACE]);
    return (jsonPath(deployment, 'spec', 'template', 'metadata', 'annotations') ?? {}) as Record<string, string>;
  }

  beforeAll(async () => {
    plane = await startControlPlane({ controllerManager: true });
    await kubectlOk(['apply', '-f', '-'], JSON.stringify(SERVICE_MONITOR_CRD));
    await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/servicemonitors.monitoring.coreos.com']);
    for (const namespace of [NAMESPACE, 'team-a', 'team-b', 'shared-models']) await kubectlOk(['create', 'namespace', namespace]);
  }, 300_000);

  afterAll(async () => {
    await plane?.stop();
  }, 60_000);

  it.each([
    ['default values', [] as string[]],
    ['every optional feature on', ALL_FEATURES],
  ])(
    'the API server accepts every object rendered with %s (kubectl apply --dry-run=server)',
    async (_label, args) => {
      const rendered = await helmOk(['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...args]);
      const docs = parseManifests(rendered);
      const applied = await plane.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], rendered);
      if (applied.code !== 0) throw new Error(`server-side dry-run rejected the chart:\n${applied.stderr}`);
      const lines = applied.stdout.trim().split('\n');
      expect(lines).toHaveLength(docs.length);
      for (const line of lines) expect(line).toMatch(/ (created|configured|unchanged) \(server dry run\)$/);
    },
    120_000,
  );

  it('helm install creates the release, installs the CRDs from the chart and prints how to start', async () => {
    const output = await helmOk(['install', RELEASE, CHART_DIR, '--namespace', NAMESPACE]);
    expect(output).toContain('STATUS: deployed');
    // NOTES.txt: a first ModelRoute (mock provider), a VirtualKey, reading its key, calling the Service.
    expect(output).toContain('provider: mock');
    expect(output).toContain('kind: VirtualKey');
    expect(output).toContain(`kubectl get secret -n ${NAMESPACE} first-key -o jsonpath='{.data.key}' | base64 -d`);
    expect(output).toContain(`curl http://${names.gateway}.${NAMESPACE}.svc/v1/chat/completions`);
    for (const crd of CRD_NAMES) await kubectlOk(['get', 'crd', crd]);
    const deployments = jsonItems(await getJson(['get', 'deployments', '-n', NAMESPACE, '-l', `app.kubernetes.io/instance=${RELEASE}`]));
    expect(deployments.map((item) => jsonPath(item, 'metadata', 'name')).sort()).toEqual([names.gateway, names.operator]);
    // kube-controller-manager turns them into ReplicaSets and Pods (Pending: no kubelet here).
    await eventually('operator pods', 60_000, async () => {
      const pods = jsonItems(await getJson(['get', 'pods', '-n', NAMESPACE, '-l', 'app.kubernetes.io/component=operator']));
      return pods.length === 2 ? pods : undefined;
    });
  }, 120_000);

  it('RBAC: the operator can do what it needs and nothing more; the gateway can do nothing', async () => {
    const canI = async (account: string, args: string[]) => {
      const result = await plane.kubectl(['auth', 'can-i', ...args, '--as', `system:serviceaccount:${NAMESPACE}:${account}`]);
      return result.stdout.trim();
    };
    const operatorMay: string[][] = [
      ['watch', 'modelroutes.switchyard.dev', '--all-namespaces'],
      ['list', 'secrets', '--all-namespaces'],
      ['create', 'secrets', '-n', 'team-a'],
      ['patch', 'budgets.switchyard.dev', '--subresource=status', '-n', 'team-a'],
      ['create', 'events', '-n', 'team-a'],
      ['create', 'tokenreviews.authentication.k8s.io'],
      ['update', 'leases.coordination.k8s.io', '-n', NAMESPACE],
      // OpenAPI documents of MCPServers (spec.openapi.configMapRef), read like Secrets.
      ['list', 'configmaps', '-n', 'team-a'],
    ];
    for (const args of operatorMay) expect([args.join(' '), await canI(names.operator, args)]).toEqual([args.join(' '), 'yes']);
    const operatorMayNot: string[][] = [
      ['delete', 'secrets', '-n', 'team-a'],
      ['update', 'secrets', '-n', 'team-a'],
      ['update', 'modelroutes.switchyard.dev', '-n', 'team-a'],
      ['create', 'leases.coordination.k8s.io', '-n', 'team-a'],
      ['create', 'pods', '-n', NAMESPACE],
      ['update', 'configmaps', '-n', 'team-a'],
    ];
    for (const args of operatorMayNot) expect([args.join(' '), await canI(names.operator, args)]).toEqual([args.join(' '), 'no']);
    const gatewayMayNot: string[][] = [
      ['get', 'secrets', '-n', NAMESPACE],
      ['list', 'modelroutes.switchyard.dev', '-n', NAMESPACE],
      ['create', 'tokenreviews.authentication.k8s.io'],
      ['get', 'leases.coordination.k8s.io', '-n', NAMESPACE],
    ];
    for (const args of gatewayMayNot) expect([args.join(' '), await canI(names.gateway, args)]).toEqual([args.join(' '), 'no']);
  }, 60_000);

  it('the examples apply against the CRDs the chart installed', async () => {
    const examples = ['mock-gpt.yaml', 'demo-key.yaml'].map((file) =>
      readFileSync(join(CHART_DIR, '..', '..', 'examples', 'cluster', file), 'utf8'),
    );
    for (const example of examples) await kubectlOk(['apply', '-n', NAMESPACE, '-f', '-'], example);
    const routes = jsonItems(await getJson(['get', 'modelroutes', '-n', NAMESPACE]));
    expect(routes.map((item) => jsonPath(item, 'metadata', 'name'))).toEqual(['mock-gpt']);
  }, 60_000);

  it('keeps the generated CA across helm template --dry-run=server and helm upgrade (lookup), and only rolls pods for what changed', async () => {
    const ca = await installedCa();
    expect(new X509Certificate(Buffer.from(ca, 'base64').toString('utf8')).ca).toBe(true);
    const before = await gatewayTemplateAnnotations();

    // helm template with cluster access sees the Secret and renders the same CA.
    const rendered = parseManifests(await helmOk(['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--dry-run=server']));
    expect(jsonPath(findDoc(rendered, 'Secret', names.tlsSecret), 'data', 'ca.crt')).toBe(ca);
    expect(podAnnotationsOf(findDoc(rendered, 'Deployment', names.gateway))['checksum/tls']).toBe(before['checksum/tls']);

    // An upgrade with the same values changes nothing in the pod template: no roll.
    const generation = jsonPath(await getJson(['get', 'deployment', names.gateway, '-n', NAMESPACE]), 'metadata', 'generation');
    await helmOk(['upgrade', RELEASE, CHART_DIR, '--namespace', NAMESPACE]);
    expect(await installedCa()).toBe(ca);
    expect(jsonPath(await getJson(['get', 'deployment', names.gateway, '-n', NAMESPACE]), 'metadata', 'generation')).toBe(generation);

    // A changed value rolls the gateways (new checksum) and still keeps the CA.
    await helmOk(['upgrade', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--set', 'redis.url=redis://redis.cache.svc:6379/0']);
    expect(await installedCa()).toBe(ca);
    const after = await gatewayTemplateAnnotations();
    expect(after['checksum/tls']).toBe(before['checksum/tls']);
    expect(after['checksum/redis']).not.toBe(before['checksum/redis']);
    expect(jsonPath(await getJson(['get', 'deployment', names.gateway, '-n', NAMESPACE]), 'metadata', 'generation')).not.toBe(generation);
  }, 180_000);

  it('helm upgrade leaves CRDs alone; the documented procedures upgrade them', async () => {
    const chartCrd = parse(readFileSync(join(CHART_DIR, 'crds', 'switchyard.dev_modelroutes.yaml'), 'utf8')) as KubeDoc;
    const columns = jsonPath(chartCrd, 'spec', 'versions', 0, 'additionalPrinterColumns') as unknown[];
    expect(columns.length).toBeGreaterThan(1);
    const columnCount = async () =>
      (
        jsonPath(
          await getJson(['get', 'crd', 'modelroutes.switchyard.dev']),
          'spec',
          'versions',
          0,
          'additionalPrinterColumns',
        ) as unknown[]
      ).length;
    // Pretend the cluster has an older ModelRoute CRD: one printer column fewer.
    const installOlderCrd = async () => {
      const older = structuredClone(chartCrd);
      (jsonPath(older, 'spec', 'versions', 0) as Record<string, unknown>)['additionalPrinterColumns'] = columns.slice(0, -1);
      await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', '-'], JSON.stringify(older));
      expect(await columnCount()).toBe(columns.length - 1);
    };
    const expectAllApplied = (output: string) => {
      for (const crd of CRD_NAMES) expect(output).toContain(`customresourcedefinition.apiextensions.k8s.io/${crd} serverside-applied`);
    };

    await installOlderCrd();
    await helmOk(['upgrade', RELEASE, CHART_DIR, '--namespace', NAMESPACE, '--reuse-values']);
    expect(await columnCount()).toBe(columns.length - 1);

    // docs/install.md, "Upgrading CRDs": the chart's crds/ directory (a checkout or `helm pull --untar`) ...
    expectAllApplied(await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', join(CHART_DIR, 'crds')]));
    expect(await columnCount()).toBe(columns.length);

    // ... or straight from the chart. Helm 3 concatenates crds/ files without separators, so this
    // applies every CRD only because each file starts with `---`.
    await installOlderCrd();
    expectAllApplied(
      await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', '-'], await helmOk(['show', 'crds', CHART_DIR])),
    );
    expect(await columnCount()).toBe(columns.length);
  }, 120_000);

  it('helm uninstall removes everything it created and keeps the CRDs and the resources in them', async () => {
    await helmOk(['uninstall', RELEASE, '--namespace', NAMESPACE, '--wait']);
    const selector = `app.kubernetes.io/instance=${RELEASE}`;
    const namespaced = 'deployments,services,secrets,serviceaccounts,roles,rolebindings,poddisruptionbudgets,horizontalpodautoscalers';
    expect((await kubectlOk(['get', namespaced, '-n', NAMESPACE, '-l', selector, '-o', 'name'])).trim()).toBe('');
    expect((await kubectlOk(['get', 'clusterroles,clusterrolebindings', '-l', selector, '-o', 'name'])).trim()).toBe('');
    // The garbage collector removes what the Deployments made.
    await eventually('ReplicaSets and Pods garbage-collected', 90_000, async () => {
      const left = (await kubectlOk(['get', 'replicasets,pods', '-n', NAMESPACE, '-l', selector, '-o', 'name'])).trim();
      return left === '' ? true : undefined;
    });
    for (const crd of CRD_NAMES) await kubectlOk(['get', 'crd', crd]);
    expect(jsonItems(await getJson(['get', 'modelroutes', '-n', NAMESPACE])).map((item) => jsonPath(item, 'metadata', 'name'))).toEqual([
      'mock-gpt',
    ]);
  }, 180_000);
});
