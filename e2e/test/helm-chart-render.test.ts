// `helm template` of charts/switchyard, with default values and with every optional feature on,
// and what the rendered objects must say. No cluster needed (lookup finds nothing here).
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  ALL_FEATURES,
  argsOf,
  containersOf,
  findDoc,
  helmPath,
  names,
  NAMESPACE,
  podAnnotationsOf,
  podSpecOf,
  renderChart,
  skipNotice,
  type KubeDoc,
} from './helm-chart-support.js';
import { BUILTIN_KINDS } from '@switchyard/compiler';
import { jsonPath } from './support/json-path.js';

const describeWithHelm = helmPath() ? describe : describe.skip;
if (!helmPath()) skipNotice('helm chart render tests');

const TOKEN_DIR = '/var/run/secrets/switchyard';

function kinds(docs: KubeDoc[]): string[] {
  return docs.map((doc) => `${doc.kind}/${doc.metadata.name}`).sort();
}

function volumeNamed(deployment: KubeDoc, name: string): Record<string, unknown> {
  const volumes = podSpecOf(deployment)['volumes'];
  const found = Array.isArray(volumes) ? (volumes as Record<string, unknown>[]).find((volume) => volume['name'] === name) : undefined;
  if (!found) throw new Error(`${deployment.metadata.name} has no volume ${name}`);
  return found;
}

function decodeSecretField(secret: KubeDoc, key: string): string {
  const value = jsonPath(secret, 'data', key);
  if (typeof value !== 'string') throw new Error(`Secret ${secret.metadata.name} has no data.${key}`);
  return Buffer.from(value, 'base64').toString('utf8');
}

describeWithHelm('helm chart: default values', () => {
  let docs: KubeDoc[];
  let gateway: KubeDoc;
  let operator: KubeDoc;

  beforeAll(async () => {
    docs = await renderChart();
    gateway = findDoc(docs, 'Deployment', names.gateway);
    operator = findDoc(docs, 'Deployment', names.operator);
  }, 60_000);

  it('renders exactly the default objects (no optional ones)', () => {
    expect(kinds(docs)).toEqual(
      [
        `ClusterRole/${NAMESPACE}-${names.operator}`,
        `ClusterRoleBinding/${NAMESPACE}-${names.operator}`,
        // The user roles (helm-chart-user-roles.test.ts) and the gateway's issuer-discovery binding.
        'ClusterRole/switchyard-admin',
        'ClusterRole/switchyard-editor',
        'ClusterRole/switchyard-viewer',
        `ClusterRoleBinding/${NAMESPACE}-${names.gateway}-issuer-discovery`,
        `Deployment/${names.gateway}`,
        `Deployment/${names.operator}`,
        `HorizontalPodAutoscaler/${names.gateway}`,
        `NetworkPolicy/${names.gateway}`,
        `PodDisruptionBudget/${names.gateway}`,
        `PodDisruptionBudget/${names.operator}`,
        `Role/${names.operator}-leader-election`,
        `RoleBinding/${names.operator}-leader-election`,
        `Secret/${names.mcpSessionSecret}`,
        `Secret/${names.tlsSecret}`,
        `Service/${names.gateway}`,
        `Service/${names.gatewayMetrics}`,
        `Service/${names.operator}`,
        `ServiceAccount/${names.gateway}`,
        `ServiceAccount/${names.operator}`,
      ].sort(),
    );
    for (const doc of docs)
      if (doc.kind !== 'ClusterRole' && doc.kind !== 'ClusterRoleBinding') expect(doc.metadata.namespace).toBe(NAMESPACE);
  });

  it.each(['gateway', 'operator'] as const)('runs the %s non-root, read-only, with no privileges and RuntimeDefault seccomp', (which) => {
    const deployment = which === 'gateway' ? gateway : operator;
    const pod = podSpecOf(deployment);
    expect(pod['securityContext']).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    for (const container of containersOf(deployment)) {
      expect(container['securityContext']).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(jsonPath(container, 'resources', 'requests', 'cpu')).toBeDefined();
      expect(jsonPath(container, 'resources', 'requests', 'memory')).toBeDefined();
      expect(jsonPath(container, 'resources', 'limits', 'cpu')).toBeDefined();
      expect(jsonPath(container, 'resources', 'limits', 'memory')).toBeDefined();
      // A read-only root needs a writable /tmp.
      expect(container['volumeMounts']).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    }
    expect(volumeNamed(deployment, 'tmp')['emptyDir']).toBeDefined();
  });

  it('probes the gateway on its real endpoints: /healthz on the admin port, /readyz on the public port', () => {
    const [container] = containersOf(gateway);
    expect(container!['ports']).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ]);
    expect(jsonPath(container, 'startupProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'metrics' });
    expect(jsonPath(container, 'livenessProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'metrics' });
    expect(jsonPath(container, 'readinessProbe', 'httpGet')).toEqual({ path: '/readyz', port: 'http' });
    expect(argsOf(gateway)).toEqual(expect.arrayContaining(['gateway', '--host=0.0.0.0', '--port=8080', '--admin-port=9090']));
  });

  it('binds the admin port to the pod IP (downward API) and loopback, never to every address', () => {
    const [container] = containersOf(gateway);
    expect(argsOf(gateway)).toContain('--admin-host=$(POD_IP),127.0.0.1');
    expect(argsOf(gateway).filter((arg) => arg.startsWith('--admin-host'))).toHaveLength(1);
    expect(container!['env']).toContainEqual({ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
  });

  it('restricts the admin port by default: a gateway NetworkPolicy admits the public port from anywhere, the admin port only from the monitoring namespaces', () => {
    const policy = findDoc(docs, 'NetworkPolicy', names.gateway);
    expect(jsonPath(policy, 'spec', 'podSelector', 'matchLabels')).toEqual(jsonPath(gateway, 'spec', 'selector', 'matchLabels'));
    expect(jsonPath(policy, 'spec', 'policyTypes')).toEqual(['Ingress']);
    expect(jsonPath(policy, 'spec', 'ingress')).toEqual([
      { ports: [{ port: 8080, protocol: 'TCP' }] },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }],
        ports: [{ port: 9090, protocol: 'TCP' }],
      },
    ]);
  });

  it('probes the operator on its health port', () => {
    const [container] = containersOf(operator);
    expect(container!['ports']).toEqual([
      { name: 'stream', containerPort: 8443, protocol: 'TCP' },
      { name: 'health', containerPort: 8081, protocol: 'TCP' },
    ]);
    expect(jsonPath(container, 'startupProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'health' });
    expect(jsonPath(container, 'livenessProbe', 'httpGet')).toEqual({ path: '/healthz', port: 'health' });
    expect(jsonPath(container, 'readinessProbe', 'httpGet')).toEqual({ path: '/readyz', port: 'health' });
  });

  it('drains the gateway: preStop sleep, then SIGTERM with a grace that fits in terminationGracePeriodSeconds', () => {
    const [container] = containersOf(gateway);
    const preStop = Number(jsonPath(container, 'lifecycle', 'preStop', 'sleep', 'seconds'));
    const grace = Number(podSpecOf(gateway)['terminationGracePeriodSeconds']);
    const drainArg = argsOf(gateway).find((arg) => arg.startsWith('--shutdown-grace='));
    expect(preStop).toBeGreaterThan(0);
    expect(drainArg).toBe('--shutdown-grace=50s');
    expect(grace).toBeGreaterThan(preStop + 50);
  });

  it("gives the gateway no Kubernetes API access but the issuer's discovery document and JWKS: no token automounted, one binding", () => {
    expect(podSpecOf(gateway)['automountServiceAccountToken']).toBe(false);
    expect(podSpecOf(gateway)['serviceAccountName']).toBe(names.gateway);
    expect(findDoc(docs, 'ServiceAccount', names.gateway)['automountServiceAccountToken']).toBe(false);
    const bindings = docs.filter((doc) => doc.kind === 'RoleBinding' || doc.kind === 'ClusterRoleBinding');
    expect(bindings.length).toBeGreaterThan(0);
    for (const binding of bindings) {
      const subjects = jsonPath(binding, 'subjects');
      if (binding.metadata.name === `${NAMESPACE}-${names.gateway}-issuer-discovery`) {
        // Callers' ServiceAccount tokens are checked against the API server's published keys.
        expect(subjects).toEqual([{ kind: 'ServiceAccount', name: names.gateway, namespace: NAMESPACE }]);
        expect(jsonPath(binding, 'roleRef')).toEqual({
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'system:service-account-issuer-discovery',
        });
      } else {
        expect(subjects).toEqual([{ kind: 'ServiceAccount', name: names.operator, namespace: NAMESPACE }]);
      }
    }
  });

  it('mounts a projected token with audience switchyard (1 h), the CA and the MCP session key, and points the gateway at them', () => {
    const volume = volumeNamed(gateway, 'switchyard-credentials');
    expect(jsonPath(volume, 'projected', 'sources')).toEqual([
      { serviceAccountToken: { audience: 'switchyard', expirationSeconds: 3600, path: 'token' } },
      { secret: { name: names.tlsSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { secret: { name: names.mcpSessionSecret, items: [{ key: 'secret', path: 'mcp-session-secret' }] } },
    ]);
    // 48 random characters, generated once (lookup keeps them on upgrade): over the gateway's 32-byte minimum.
    expect(decodeSecretField(findDoc(docs, 'Secret', names.mcpSessionSecret), 'secret')).toMatch(/^[A-Za-z0-9]{48}$/);
    expect(containersOf(gateway)[0]!['volumeMounts']).toContainEqual({
      name: 'switchyard-credentials',
      mountPath: TOKEN_DIR,
      readOnly: true,
    });
    expect(argsOf(gateway)).toEqual(
      expect.arrayContaining([
        `--control-plane=https://${names.operator}.${NAMESPACE}.svc:8443`,
        `--token-file=${TOKEN_DIR}/token`,
        `--ca-file=${TOKEN_DIR}/ca.crt`,
        `--mcp-session-secret-file=${TOKEN_DIR}/mcp-session-secret`,
      ]),
    );
  });

  it('generates a CA and an operator certificate for the Service DNS names, signed by that CA', () => {
    const secret = findDoc(docs, 'Secret', names.tlsSecret);
    expect(secret['type']).toBe('kubernetes.io/tls');
    const ca = new X509Certificate(decodeSecretField(secret, 'ca.crt'));
    const cert = new X509Certificate(decodeSecretField(secret, 'tls.crt'));
    expect(ca.ca).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    for (const host of [
      names.operator,
      `${names.operator}.${NAMESPACE}`,
      `${names.operator}.${NAMESPACE}.svc`,
      `${names.operator}.${NAMESPACE}.svc.cluster.local`,
    ]) {
      expect(cert.checkHost(host)).toBe(host);
    }
    expect(decodeSecretField(secret, 'tls.key')).toMatch(/-----BEGIN (RSA )?PRIVATE KEY-----/);
    // The operator serves with it.
    expect(argsOf(operator)).toEqual(
      expect.arrayContaining(['--tls-cert-file=/etc/switchyard/tls/tls.crt', '--tls-key-file=/etc/switchyard/tls/tls.key']),
    );
    expect(jsonPath(volumeNamed(operator, 'tls'), 'secret', 'secretName')).toBe(names.tlsSecret);
  });

  it('tells the operator who the gateways are, which namespaces are shared, and how to elect a leader', () => {
    expect(jsonPath(operator, 'spec', 'replicas')).toBe(2);
    const args = argsOf(operator);
    expect(args[0]).toBe('operator');
    expect(args).toEqual(
      expect.arrayContaining([
        '--listen=0.0.0.0:8443',
        '--health-port=8081',
        `--gateway-service-account=${NAMESPACE}/${names.gateway}`,
        `--shared-namespace=${NAMESPACE}`,
        `--leader-election-namespace=${NAMESPACE}`,
        `--leader-election-id=${names.operator}`,
        '--replica-id=$(POD_NAME)',
      ]),
    );
    expect(args.some((arg) => arg.startsWith('--namespace='))).toBe(false);
    expect(containersOf(operator)[0]!['env']).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  });

  it('grants the operator only listed verbs, never a wildcard', () => {
    // The user roles (switchyard-admin, -editor, -viewer) are people's, tested in helm-chart-user-roles.test.ts.
    const roles = docs.filter((doc) => (doc.kind === 'Role' || doc.kind === 'ClusterRole') && !doc.metadata.name.startsWith('switchyard-'));
    for (const role of roles) {
      const rules = jsonPath(role, 'rules');
      expect(Array.isArray(rules)).toBe(true);
      for (const rule of rules as Record<string, unknown>[]) {
        for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs']) {
          const values = rule[field];
          if (values === undefined) continue;
          expect(values).not.toContain('*');
          for (const value of values as string[]) expect(value).not.toMatch(/\*/);
        }
        // Deleting is allowed only for the operator's own Leases (stale replica reports).
        if (!(role.kind === 'Role' && role.metadata.name === `${names.operator}-leader-election`))
          expect(rule['verbs']).not.toEqual(expect.arrayContaining(['delete']));
        expect(rule['verbs']).not.toEqual(expect.arrayContaining(['deletecollection']));
        expect(rule['verbs']).not.toEqual(expect.arrayContaining(['escalate']));
        expect(rule['verbs']).not.toEqual(expect.arrayContaining(['impersonate']));
      }
    }
    const clusterRules = jsonPath(findDoc(docs, 'ClusterRole', `${NAMESPACE}-${names.operator}`), 'rules');
    expect(clusterRules).toContainEqual({ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] });
    const plurals = BUILTIN_KINDS.all().map((kind) => kind.names.plural);
    expect(clusterRules).toContainEqual({ apiGroups: ['switchyard.dev'], resources: plurals, verbs: ['get', 'list', 'watch'] });
    const leaseRole = findDoc(docs, 'Role', `${names.operator}-leader-election`);
    expect(leaseRole.metadata.namespace).toBe(NAMESPACE);
    expect(jsonPath(leaseRole, 'rules')).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'] },
    ]);
    // Leases are granted nowhere else.
    for (const role of roles) {
      if (role === leaseRole) continue;
      for (const rule of jsonPath(role, 'rules') as Record<string, unknown>[]) expect(rule['resources']).not.toContain('leases');
    }
  });

  it('exposes the gateway on port 80 (-> 8080) only, its admin port on a separate headless metrics Service; the operator stream on 8443', () => {
    expect(jsonPath(findDoc(docs, 'Service', names.gateway), 'spec', 'ports')).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
    ]);
    const metricsService = findDoc(docs, 'Service', names.gatewayMetrics);
    expect(jsonPath(metricsService, 'spec', 'ports')).toEqual([
      { name: 'metrics', port: 9090, targetPort: 'metrics', protocol: 'TCP', appProtocol: 'http' },
    ]);
    expect(jsonPath(metricsService, 'spec', 'clusterIP')).toBe('None');
    expect(jsonPath(metricsService, 'spec', 'selector')).toEqual(jsonPath(gateway, 'spec', 'selector', 'matchLabels'));
    expect(jsonPath(findDoc(docs, 'Service', names.operator), 'spec', 'ports')).toEqual([
      { name: 'stream', port: 8443, targetPort: 'stream', protocol: 'TCP', appProtocol: 'https' },
    ]);
    expect(jsonPath(findDoc(docs, 'Service', names.gateway), 'spec', 'selector')).toEqual(
      jsonPath(gateway, 'spec', 'selector', 'matchLabels'),
    );
  });

  it('autoscales the gateway (the Deployment leaves replicas to the HPA), keeps one up through disruptions, spreads it', () => {
    const hpa = findDoc(docs, 'HorizontalPodAutoscaler', names.gateway);
    expect(jsonPath(hpa, 'spec', 'scaleTargetRef')).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: names.gateway });
    expect(jsonPath(hpa, 'spec', 'minReplicas')).toBe(2);
    expect(jsonPath(gateway, 'spec', 'replicas')).toBeUndefined();
    expect(jsonPath(findDoc(docs, 'PodDisruptionBudget', names.gateway), 'spec', 'minAvailable')).toBe(1);
    const selector = jsonPath(gateway, 'spec', 'selector', 'matchLabels');
    const spread = podSpecOf(gateway)['topologySpreadConstraints'] as Record<string, unknown>[];
    expect(spread.map((constraint) => constraint['topologyKey'])).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    for (const constraint of spread) expect(jsonPath(constraint, 'labelSelector', 'matchLabels')).toEqual(selector);
  });

  it('rolls both Deployments when the TLS material changes, through one checksum both share', async () => {
    const tls = podAnnotationsOf(gateway)['checksum/tls'];
    expect(tls).toMatch(/^[0-9a-f]{64}$/);
    expect(podAnnotationsOf(operator)['checksum/tls']).toBe(tls);
    // Without a cluster to look the Secret up in, each render generates a new CA: a new checksum.
    const again = await renderChart();
    expect(podAnnotationsOf(findDoc(again, 'Deployment', names.gateway))['checksum/tls']).not.toBe(tls);
  });
});

describeWithHelm('helm chart: every optional feature on', () => {
  let docs: KubeDoc[];
  let gateway: KubeDoc;

  beforeAll(async () => {
    docs = await renderChart(ALL_FEATURES);
    gateway = findDoc(docs, 'Deployment', names.gateway);
  }, 60_000);

  it('restricts the gateway admin port to the monitoring namespaces and the operator stream to gateway pods', () => {
    const gatewayPolicy = findDoc(docs, 'NetworkPolicy', names.gateway);
    expect(jsonPath(gatewayPolicy, 'spec', 'podSelector', 'matchLabels')).toEqual(jsonPath(gateway, 'spec', 'selector', 'matchLabels'));
    expect(jsonPath(gatewayPolicy, 'spec', 'ingress')).toEqual([
      { ports: [{ port: 8080, protocol: 'TCP' }] },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }],
        ports: [{ port: 9090, protocol: 'TCP' }],
      },
    ]);
    const operatorPolicy = findDoc(docs, 'NetworkPolicy', names.operator);
    expect(jsonPath(operatorPolicy, 'spec', 'ingress')).toEqual([
      {
        from: [{ podSelector: { matchLabels: jsonPath(gateway, 'spec', 'selector', 'matchLabels') } }],
        ports: [{ port: 8443, protocol: 'TCP' }],
      },
    ]);
  });

  it('renders a ServiceMonitor for the metrics Service (and only it) with the labels Prometheus selects by', () => {
    const monitor = findDoc(docs, 'ServiceMonitor', names.gateway);
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.labels?.['release']).toBe('prometheus');
    expect(jsonPath(monitor, 'spec', 'endpoints')).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }]);
    const selector = jsonPath(monitor, 'spec', 'selector', 'matchLabels') as Record<string, string>;
    expect(selector).toEqual({
      ...(jsonPath(gateway, 'spec', 'selector', 'matchLabels') as Record<string, string>),
      'switchyard.dev/service': 'metrics',
    });
    const selects = (service: KubeDoc): boolean =>
      Object.entries(selector).every(([label, value]) => service.metadata.labels?.[label] === value);
    expect(selects(findDoc(docs, 'Service', names.gatewayMetrics))).toBe(true);
    expect(selects(findDoc(docs, 'Service', names.gateway))).toBe(false);
  });

  it('keeps the Redis URL (and its password) in a Secret, passed to --redis-url through an env var', () => {
    const secret = findDoc(docs, 'Secret', names.redisSecret);
    expect(decodeSecretField(secret, 'url')).toBe('redis://:s3cret@redis.cache.svc:6379/0');
    expect(argsOf(gateway)).toContain('--redis-url=$(SWITCHYARD_REDIS_URL)');
    expect(containersOf(gateway)[0]!['env']).toContainEqual({
      name: 'SWITCHYARD_REDIS_URL',
      valueFrom: { secretKeyRef: { name: names.redisSecret, key: 'url' } },
    });
    expect(JSON.stringify(gateway)).not.toContain('s3cret');
  });

  it('passes gateway limits through exactly (no float formatting) and adds the memory target', () => {
    expect(argsOf(gateway)).toEqual(expect.arrayContaining(['--max-body-bytes=1048576', '--deny-upstream-cidrs=169.254.0.0/16']));
    const metrics = jsonPath(findDoc(docs, 'HorizontalPodAutoscaler', names.gateway), 'spec', 'metrics') as unknown[];
    expect(metrics.map((metric) => jsonPath(metric, 'resource', 'name'))).toEqual(['cpu', 'memory']);
  });

  it('with watched namespaces, grants Secrets and resources per namespace instead of cluster-wide', () => {
    const clusterRules = jsonPath(findDoc(docs, 'ClusterRole', `${NAMESPACE}-${names.operator}`), 'rules');
    expect(clusterRules).toEqual([{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }]);
    const namespaced = docs
      .filter((doc) => doc.kind === 'Role' && doc.metadata.name === names.operator)
      .map((doc) => doc.metadata.namespace);
    expect(namespaced.sort()).toEqual(['shared-models', 'team-a', 'team-b']);
    const bindings = docs
      .filter((doc) => doc.kind === 'RoleBinding' && doc.metadata.name === names.operator)
      .map((doc) => doc.metadata.namespace);
    expect(bindings.sort()).toEqual(['shared-models', 'team-a', 'team-b']);
    const args = argsOf(findDoc(docs, 'Deployment', names.operator));
    expect(args.filter((arg) => arg.startsWith('--namespace=')).sort()).toEqual([
      '--namespace=shared-models',
      '--namespace=team-a',
      '--namespace=team-b',
    ]);
    expect(args.filter((arg) => arg.startsWith('--shared-namespace='))).toEqual(['--shared-namespace=shared-models']);
  });
});

describeWithHelm('helm chart: values that change what renders', () => {
  it('rolls gateways when the Redis URL changes, and only then', async () => {
    const checksum = async (url: string) =>
      podAnnotationsOf(findDoc(await renderChart(['--set', `redis.url=${url}`]), 'Deployment', names.gateway))['checksum/redis'];
    const first = await checksum('redis://redis-a:6379/0');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await checksum('redis://redis-a:6379/0')).toBe(first);
    expect(await checksum('redis://redis-b:6379/0')).not.toBe(first);
  }, 60_000);

  it('uses an existing MCP session Secret and key instead of generating one', async () => {
    const docs = await renderChart(['--set', 'mcp.sessionSecret.existingSecret=mcp-keys', '--set', 'mcp.sessionSecret.key=session']);
    expect(docs.filter((doc) => doc.kind === 'Secret').map((doc) => doc.metadata.name)).toEqual([names.tlsSecret]);
    const sources = jsonPath(volumeNamed(findDoc(docs, 'Deployment', names.gateway), 'switchyard-credentials'), 'projected', 'sources');
    expect(sources).toContainEqual({ secret: { name: 'mcp-keys', items: [{ key: 'session', path: 'mcp-session-secret' }] } });
  });

  it('uses an existing TLS Secret instead of generating one', async () => {
    const docs = await renderChart(['--set', 'tls.existingSecret=operator-cert']);
    expect(docs.filter((doc) => doc.kind === 'Secret').map((doc) => doc.metadata.name)).toEqual([names.mcpSessionSecret]);
    expect(jsonPath(volumeNamed(findDoc(docs, 'Deployment', names.operator), 'tls'), 'secret', 'secretName')).toBe('operator-cert');
    const sources = jsonPath(volumeNamed(findDoc(docs, 'Deployment', names.gateway), 'switchyard-credentials'), 'projected', 'sources');
    expect(sources).toContainEqual({ secret: { name: 'operator-cert', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
  });

  it('gives the gateway its memory tuning by default and drops it when set empty', async () => {
    const defaults = containersOf(findDoc(await renderChart([]), 'Deployment', names.gateway))[0]!['env'];
    expect(defaults).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-semi-space-size=8' });
    expect(defaults).toContainEqual({ name: 'MALLOC_ARENA_MAX', value: '2' });
    const untuned = containersOf(
      findDoc(await renderChart(['--set', 'gateway.nodeOptions=', '--set', 'gateway.mallocArenaMax=0']), 'Deployment', names.gateway),
    )[0]!['env'] as { name: string }[] | undefined;
    expect((untuned ?? []).map((entry) => entry.name)).not.toEqual(expect.arrayContaining(['NODE_OPTIONS']));
    expect((untuned ?? []).map((entry) => entry.name)).not.toEqual(expect.arrayContaining(['MALLOC_ARENA_MAX']));
  });

  it('gives the operator a heap limit inside its memory limit by default, follows a changed one, and drops it when set empty', async () => {
    const operatorEnv = async (args: string[]) =>
      (containersOf(findDoc(await renderChart(args), 'Deployment', names.operator))[0]!['env'] ?? []) as { name: string; value?: string }[];
    // V8 would take about half of the 512Mi limit as heap: too little from about 30,000 keys on.
    expect(await operatorEnv([])).toContainEqual({ name: 'NODE_OPTIONS', value: '--max-old-space-size=384' });
    expect(await operatorEnv(['--set', 'operator.nodeOptions=--max-old-space-size=1536'])).toContainEqual({
      name: 'NODE_OPTIONS',
      value: '--max-old-space-size=1536',
    });
    expect((await operatorEnv(['--set', 'operator.nodeOptions='])).map((entry) => entry.name)).not.toContain('NODE_OPTIONS');
  });

  it('reads the Redis URL from an existing Secret', async () => {
    const docs = await renderChart(['--set', 'redis.existingSecret.name=cache-credentials', '--set', 'redis.existingSecret.key=redisUrl']);
    expect(docs.filter((doc) => doc.kind === 'Secret').map((doc) => doc.metadata.name)).toEqual([names.mcpSessionSecret, names.tlsSecret]);
    expect(containersOf(findDoc(docs, 'Deployment', names.gateway))[0]!['env']).toContainEqual({
      name: 'SWITCHYARD_REDIS_URL',
      valueFrom: { secretKeyRef: { name: 'cache-credentials', key: 'redisUrl' } },
    });
  });

  it('sets fixed replicas and no HPA when autoscaling is off; maxUnavailable overrides the PDB default', async () => {
    const docs = await renderChart([
      '--set',
      'gateway.autoscaling.enabled=false',
      '--set',
      'gateway.replicas=3',
      '--set',
      'gateway.podDisruptionBudget.maxUnavailable=1',
    ]);
    expect(docs.some((doc) => doc.kind === 'HorizontalPodAutoscaler')).toBe(false);
    expect(jsonPath(findDoc(docs, 'Deployment', names.gateway), 'spec', 'replicas')).toBe(3);
    expect(jsonPath(findDoc(docs, 'PodDisruptionBudget', names.gateway), 'spec')).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: jsonPath(findDoc(docs, 'Deployment', names.gateway), 'spec', 'selector', 'matchLabels') },
    });
  });

  it('gives custom topology spread constraints the gateway selector when they have none', async () => {
    const docs = await renderChart([
      '--set',
      'gateway.topologySpreadConstraints[0].maxSkew=2',
      '--set',
      'gateway.topologySpreadConstraints[0].topologyKey=kubernetes.io/hostname',
      '--set',
      'gateway.topologySpreadConstraints[0].whenUnsatisfiable=DoNotSchedule',
    ]);
    const gateway = findDoc(docs, 'Deployment', names.gateway);
    expect(podSpecOf(gateway)['topologySpreadConstraints']).toEqual([
      {
        maxSkew: 2,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: jsonPath(gateway, 'spec', 'selector', 'matchLabels') },
      },
    ]);
  });

  it('sizes terminationGracePeriodSeconds from the drain settings', async () => {
    const docs = await renderChart(['--set', 'gateway.shutdown.preStopSleepSeconds=10', '--set', 'gateway.shutdown.drainSeconds=290']);
    const gateway = findDoc(docs, 'Deployment', names.gateway);
    expect(podSpecOf(gateway)['terminationGracePeriodSeconds']).toBe(310);
    expect(argsOf(gateway)).toContain('--shutdown-grace=290s');
    expect(jsonPath(containersOf(gateway)[0], 'lifecycle', 'preStop', 'sleep', 'seconds')).toBe(10);
  });

  it.each([
    [['--set', 'gateway.typo=1'], /Additional property typo is not allowed/],
    [['--set', 'image.pullPolicy=Sometimes'], /pullPolicy must be one of/],
    [['--set', 'gateway.tokenExpirationSeconds=60'], /tokenExpirationSeconds/],
    [['--set', 'gateway.service.type=ExternalName'], /service\.type must be one of/],
    [['--set', 'redis.url=http://not-redis'], /redis\.url/],
    [['--set', 'operator.sharedNamespaces={Bad_NS}'], /sharedNamespaces/],
    [
      ['--set', 'gateway.autoscaling.minReplicas=5', '--set', 'gateway.autoscaling.maxReplicas=3'],
      /minReplicas \(5\) is above maxReplicas \(3\)/,
    ],
  ])('rejects bad values %j', async (args, message) => {
    await expect(renderChart(args)).rejects.toThrow(message);
  });
});

describeWithHelm('helm chart: the gateway NetworkPolicy switches', () => {
  it('renders no NetworkPolicy with both switches off, and only the gateway one with networkPolicy.enabled off', async () => {
    const off = await renderChart(['--set', 'networkPolicy.gateway.enabled=false']);
    expect(off.filter((doc) => doc.kind === 'NetworkPolicy')).toEqual([]);
    const gatewayOnly = await renderChart([]);
    expect(gatewayOnly.filter((doc) => doc.kind === 'NetworkPolicy').map((doc) => doc.metadata.name)).toEqual([names.gateway]);
  }, 60_000);

  it('follows the monitoring selectors and the admin port value', async () => {
    const docs = await renderChart([
      '--set',
      'gateway.adminPort=9191',
      '--set',
      'networkPolicy.monitoringNamespaceSelector.matchLabels.team=observability',
      '--set',
      'gateway.adminHost=10.1.2.3',
    ]);
    const ingress = jsonPath(findDoc(docs, 'NetworkPolicy', names.gateway), 'spec', 'ingress') as unknown[];
    expect(ingress[1]).toEqual({
      from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring', team: 'observability' } }, podSelector: {} },
      ],
      ports: [{ port: 9191, protocol: 'TCP' }],
    });
    expect(argsOf(findDoc(docs, 'Deployment', names.gateway))).toContain('--admin-host=10.1.2.3');
  }, 60_000);
});
