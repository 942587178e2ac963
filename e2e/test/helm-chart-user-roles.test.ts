// The chart's user roles (switchyard-admin, -editor, -viewer) against a real API server: rendered
// with `helm template`, applied, bound with RoleBindings, and checked by impersonation
// (`kubectl auth can-i --as`, and real requests `--as`). kube-controller-manager runs, so the
// aggregation into the built-in admin, edit and view roles is the real one.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { locateControlPlaneBinaries, startControlPlane, type ControlPlane } from '../src/index.js';
import {
  argsOf,
  CHART_DIR,
  findDoc,
  helmPath,
  type KubeDoc,
  names,
  NAMESPACE,
  podSpecOf,
  RELEASE,
  renderChart,
  REPO_ROOT,
} from './helm-chart-support.js';
import { eventually, jsonPath } from './support/json-path.js';

const binaries = locateControlPlaneBinaries();
const ready = binaries.missing.length === 0 && helmPath() !== undefined;
if (!ready) console.warn(`SKIPPED user-role tests: control-plane binaries or helm not built in ${binaries.binDir}; run \`make e2e-build\``);
const describeWhenBuilt = ready ? describe : describe.skip;

/** Who is bound to what, in which namespace. */
const BINDINGS: Array<{ user: string; role: string; kind: 'ClusterRole'; namespace: string }> = [
  { user: 'alice', role: 'switchyard-editor', kind: 'ClusterRole', namespace: 'team-a' },
  { user: 'vera', role: 'switchyard-viewer', kind: 'ClusterRole', namespace: 'team-a' },
  { user: 'adam', role: 'switchyard-admin', kind: 'ClusterRole', namespace: 'team-a' },
  // The built-in roles, which the chart's roles aggregate into.
  { user: 'eddie', role: 'edit', kind: 'ClusterRole', namespace: 'team-a' },
  { user: 'olga', role: 'admin', kind: 'ClusterRole', namespace: 'team-a' },
  { user: 'victor', role: 'view', kind: 'ClusterRole', namespace: 'team-b' },
];

const KEY_SECRET = `
apiVersion: v1
kind: Secret
metadata: {name: checkout-key, namespace: NS}
stringData: {key: sk-sy-0123456789abcdefghijklmnopqrstuvwxyzAB}
`;

describeWhenBuilt('helm chart user roles, by impersonation against a real API server', () => {
  let plane: ControlPlane;

  /** `kubectl auth can-i <verb> <resource> -n <ns> --as <user>`: true on "yes". */
  const can = async (user: string, verb: string, resource: string, namespace: string, subresource?: string): Promise<boolean> => {
    const args = ['auth', 'can-i', verb, resource, '-n', namespace, '--as', user];
    if (subresource !== undefined) args.push('--subresource', subresource);
    const result = await plane.kubectl(args);
    if (result.code !== 0 && result.code !== 1) throw new Error(`kubectl auth can-i failed: ${result.stderr}`);
    return result.stdout.trim() === 'yes';
  };

  beforeAll(async () => {
    plane = await startControlPlane({ controllerManager: true });
    const crds = await plane.kubectl(['apply', '--server-side', '-f', join(REPO_ROOT, 'crds')]);
    if (crds.code !== 0) throw new Error(crds.stderr);
    const rendered = await plane.helm([
      'template',
      RELEASE,
      CHART_DIR,
      '--namespace',
      NAMESPACE,
      '--show-only',
      'templates/user-roles.yaml',
    ]);
    if (rendered.code !== 0) throw new Error(rendered.stderr);
    const applied = await plane.kubectl(['apply', '-f', '-'], rendered.stdout);
    if (applied.code !== 0) throw new Error(applied.stderr);
    for (const namespace of ['team-a', 'team-b']) {
      const created = await plane.kubectl(['create', 'namespace', namespace]);
      if (created.code !== 0) throw new Error(created.stderr);
      await plane.kubectl(['apply', '-f', '-'], KEY_SECRET.replace('NS', namespace));
    }
    for (const binding of BINDINGS) {
      const result = await plane.kubectl([
        'create',
        'rolebinding',
        `${binding.user}-${binding.role}`,
        `--clusterrole=${binding.role}`,
        `--user=${binding.user}`,
        '-n',
        binding.namespace,
      ]);
      if (result.code !== 0) throw new Error(result.stderr);
    }
    // The aggregation controller fills the built-in roles shortly after the chart's roles exist.
    await eventually('the chart roles aggregated into edit and view', 60_000, async () =>
      (await can('eddie', 'create', 'virtualkeys.switchyard.dev', 'team-a')) &&
      (await can('victor', 'list', 'budgets.switchyard.dev', 'team-b'))
        ? true
        : undefined,
    );
  }, 240_000);

  afterAll(async () => {
    await plane?.stop();
  }, 60_000);

  it('renders three ClusterRoles with the aggregation labels and no wildcard', async () => {
    const roles = JSON.parse(
      (await plane.kubectl(['get', 'clusterroles', '-l', 'app.kubernetes.io/part-of=switchyard', '-o', 'json'])).stdout,
    ) as {
      items: Array<{ metadata: { name: string; labels: Record<string, string> }; rules: Array<{ verbs: string[]; resources: string[] }> }>;
    };
    const byName = new Map(roles.items.map((role) => [role.metadata.name, role]));
    expect(byName.get('switchyard-admin')?.metadata.labels['rbac.authorization.k8s.io/aggregate-to-admin']).toBe('true');
    expect(byName.get('switchyard-editor')?.metadata.labels['rbac.authorization.k8s.io/aggregate-to-edit']).toBe('true');
    expect(byName.get('switchyard-viewer')?.metadata.labels['rbac.authorization.k8s.io/aggregate-to-view']).toBe('true');
    for (const role of roles.items)
      for (const rule of role.rules) {
        expect(rule.verbs).not.toContain('*');
        expect(rule.resources).not.toContain('*');
        expect(rule.resources).not.toContain('secrets');
      }
  });

  it.each([
    // [user, verb, resource, namespace, allowed]
    ['alice', 'create', 'virtualkeys', 'team-a', true],
    ['alice', 'update', 'modelroutes', 'team-a', true],
    ['alice', 'create', 'budgets', 'team-a', true],
    ['alice', 'create', 'mcpservers', 'team-a', true],
    ['alice', 'create', 'guardrailpolicies', 'team-a', true],
    ['alice', 'delete', 'virtualkeys', 'team-a', true],
    ['alice', 'deletecollection', 'virtualkeys', 'team-a', false],
    ['alice', 'get', 'secrets', 'team-a', false],
    ['alice', 'get', 'virtualkeys', 'team-b', false],
    ['alice', 'get', 'secrets', 'team-b', false],
    ['alice', 'create', 'budgets', 'team-b', false],
    ['vera', 'list', 'virtualkeys', 'team-a', true],
    ['vera', 'get', 'budgets', 'team-a', true],
    ['vera', 'create', 'virtualkeys', 'team-a', false],
    ['vera', 'get', 'secrets', 'team-a', false],
    ['adam', 'deletecollection', 'virtualkeys', 'team-a', true],
    ['adam', 'get', 'secrets', 'team-a', false],
    ['adam', 'get', 'modelroutes', 'team-b', false],
    // Aggregated into the built-in roles.
    ['eddie', 'create', 'modelroutes', 'team-a', true],
    ['eddie', 'get', 'secrets', 'team-a', true],
    ['olga', 'deletecollection', 'budgets', 'team-a', true],
    ['victor', 'list', 'virtualkeys', 'team-b', true],
    ['victor', 'create', 'virtualkeys', 'team-b', false],
    ['victor', 'get', 'secrets', 'team-b', false],
  ] as const)('%s %s %s in %s: %s', async (user, verb, resource, namespace, allowed) => {
    expect(await can(user, verb, `${resource}.switchyard.dev`.replace('secrets.switchyard.dev', 'secrets'), namespace)).toBe(allowed);
  });

  it('lets no user role write status (Budget spend is the operator’s)', async () => {
    for (const user of ['alice', 'adam', 'eddie', 'olga']) {
      expect(await can(user, 'patch', 'budgets.switchyard.dev', 'team-a', 'status')).toBe(false);
      expect(await can(user, 'get', 'budgets.switchyard.dev', 'team-a', 'status')).toBe(true);
    }
  });

  it("keeps a namespace editor from reading keys: its own namespace's key Secret, and anything in another namespace", async () => {
    const own = await plane.kubectl(['get', 'secret', 'checkout-key', '-n', 'team-a', '--as', 'alice']);
    expect(own.code).not.toBe(0);
    expect(own.stderr).toMatch(/forbidden/);
    const other = await plane.kubectl(['get', 'virtualkeys', '-n', 'team-b', '--as', 'alice']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/forbidden/);
  });

  it("keeps a namespace editor from creating a Budget over another namespace's keys", async () => {
    // A Budget selects keys of its own namespace only: it has no namespace field to point elsewhere...
    const ownNamespace = await plane.kubectl(
      ['apply', '--as', 'alice', '-f', '-'],
      JSON.stringify({
        apiVersion: 'switchyard.dev/v1alpha1',
        kind: 'Budget',
        metadata: { name: 'everything', namespace: 'team-a' },
        spec: { selector: {}, limit: '10', period: 'Monthly' },
      }),
    );
    expect(ownNamespace.code).toBe(0);
    const crossNamespace = await plane.kubectl(
      ['apply', '--as', 'alice', '-f', '-'],
      JSON.stringify({
        apiVersion: 'switchyard.dev/v1alpha1',
        kind: 'Budget',
        metadata: { name: 'theirs', namespace: 'team-a' },
        spec: {
          selector: { matchLabels: {} },
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-b' } },
          limit: '10',
          period: 'Monthly',
        },
      }),
    );
    expect(crossNamespace.code).not.toBe(0);
    expect(crossNamespace.stderr).toMatch(/unknown field "spec.namespaceSelector"/);
    // ...and creating one in the other namespace is forbidden.
    const inOther = await plane.kubectl(
      ['apply', '--as', 'alice', '-f', '-'],
      JSON.stringify({
        apiVersion: 'switchyard.dev/v1alpha1',
        kind: 'Budget',
        metadata: { name: 'theirs', namespace: 'team-b' },
        spec: { selector: {}, limit: '10', period: 'Monthly' },
      }),
    );
    expect(inOther.code).not.toBe(0);
    expect(inOther.stderr).toMatch(/forbidden/);
  });
});

const describeWithHelm = helmPath() === undefined ? describe.skip : describe;

describeWithHelm('helm chart: callers’ ServiceAccount tokens (gateway.callerTokens)', () => {
  const issuerVolume = (deployment: KubeDoc) =>
    (jsonPath(podSpecOf(deployment), 'volumes') as Array<Record<string, unknown>>).find((volume) => volume.name === 'issuer-discovery');

  it('by default mounts an API-audience token and the cluster CA, points the gateway at them, and binds issuer discovery', async () => {
    const docs = await renderChart();
    const gateway = findDoc(docs, 'Deployment', names.gateway);
    expect(argsOf(gateway)).toEqual(
      expect.arrayContaining([
        '--token-audience=switchyard-gateway',
        '--issuer-token-file=/var/run/secrets/switchyard-issuer/token',
        '--issuer-ca-file=/var/run/secrets/switchyard-issuer/ca.crt',
      ]),
    );
    expect(jsonPath(issuerVolume(gateway), 'projected', 'sources')).toEqual([
      { serviceAccountToken: { expirationSeconds: 3600, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', optional: true, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    ]);
    expect(jsonPath(findDoc(docs, 'ClusterRoleBinding', `${NAMESPACE}-${names.gateway}-issuer-discovery`), 'roleRef', 'name')).toBe(
      'system:service-account-issuer-discovery',
    );
  });

  it('with serviceAccounts false leaves the pod without an API token and the gateway without any binding', async () => {
    const docs = await renderChart([
      '--set',
      'gateway.callerTokens.serviceAccounts=false',
      '--set',
      'rbac.userRoles=false',
      '--set',
      'gateway.callerTokens.audience=llm',
    ]);
    const gateway = findDoc(docs, 'Deployment', names.gateway);
    expect(issuerVolume(gateway)).toBeUndefined();
    expect(argsOf(gateway).filter((arg) => arg.startsWith('--issuer-'))).toEqual([]);
    expect(argsOf(gateway)).toContain('--token-audience=llm');
    expect(docs.filter((doc) => doc.metadata.name.includes('issuer-discovery') || doc.metadata.name.startsWith('switchyard-'))).toEqual([]);
  });

  it('passes an explicit issuer through', async () => {
    const docs = await renderChart(['--set', 'gateway.callerTokens.serviceAccountIssuer=https://oidc.example.com/id/ABC']);
    expect(argsOf(findDoc(docs, 'Deployment', names.gateway))).toContain('--service-account-issuer=https://oidc.example.com/id/ABC');
  });
});
