// Against a real kube-apiserver, with the operator and a gateway as processes:
// - the configuration audit: each routing-table version logs which objects changed, with their
//   resourceVersion and the field manager kubectl wrote them with, and records an Event on each;
// - a provider Secret updated in place (as the External Secrets Operator does) reaches the gateway
//   without a restart, while a request already under way finishes on the old credential.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { findFreePorts } from '../support/free-ports.js';
import {
  readyz,
  startClusterGateway,
  startOperatorProcess,
  startTestCluster,
  type GatewayProcess,
  type OperatorProcess,
  type TestCluster,
} from '../support/cluster.js';
import { describeWithControlPlane } from '../support/describe-with-control-plane.js';
import { waitFor } from '../support/wait-for.js';

const GATEWAY_SA = 'switchyard-gateway';
const SYSTEM = 'switchyard-system';

interface Change {
  change: string;
  kind: string;
  namespace: string;
  name: string;
  resourceVersion: string;
  fieldManager?: string;
  operation?: string;
}

describeWithControlPlane('configuration audit and Secret rotation against a real API server', () => {
  let cluster: TestCluster;
  let operator: OperatorProcess;
  let gateway: GatewayProcess;
  let upstream: Server;
  let upstreamUrl = '';
  /** Keys the upstream accepts right now, like a provider after a rotation; anything else is a 401. */
  let accepted = new Set<string>();
  let hold: Promise<void> | undefined;
  let arrived: (() => void) | undefined;
  let apiKey = '';

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
        res.setHeader('content-type', 'application/json');
        if (!accepted.has(bearer)) {
          res.statusCode = 401;
          res.end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }));
          return;
        }
        const answer = (): void => {
          res.end(
            JSON.stringify({
              id: 'chatcmpl-1',
              object: 'chat.completion',
              created: 1,
              model: 'gpt-upstream',
              choices: [{ index: 0, message: { role: 'assistant', content: `used ${bearer}` }, finish_reason: 'stop' }],
              usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
            }),
          );
        };
        arrived?.();
        arrived = undefined;
        if (hold !== undefined) void hold.then(answer);
        else answer();
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

    cluster = await startTestCluster();
    const [listenPort] = (await findFreePorts(1)) as [number];
    const operatorKubeconfig = await cluster.operatorKubeconfig();
    const tokenFile = await cluster.tokenFile(GATEWAY_SA, SYSTEM);
    operator = await startOperatorProcess({
      kubeconfigPath: operatorKubeconfig,
      listenPort,
      replicaId: 'audit-operator',
      leaderElectionNamespace: SYSTEM,
      args: ['--gateway-service-account', `${SYSTEM}/${GATEWAY_SA}`],
    });
    gateway = await startClusterGateway({ controlPlaneUrl: operator.listenUrl, tokenFile, name: 'gateway-audit' });
    await waitFor('gateway ready', async () => (await readyz(gateway.url)).status === 200, 60_000);
  }, 240_000);

  afterAll(async () => {
    await gateway?.process.stop();
    await operator?.process.stop();
    await cluster?.stop();
    await new Promise<void>((resolve) => (upstream ? upstream.close(() => resolve()) : resolve()));
  }, 120_000);

  const changeLines = (): Array<{ version: number; changes: Change[] }> =>
    operator.process
      .records()
      .filter((r) => r.msg === 'configuration changed')
      .map((r) => ({ version: r.version as number, changes: r.changes as Change[] }));

  const findChange = (match: (change: Change) => boolean): Change | undefined =>
    changeLines()
      .flatMap((line) => line.changes)
      .find(match);

  const eventsFor = async (kind: string, name: string): Promise<Array<{ reason: string; message: string }>> => {
    const list = await cluster.getJson<{
      items: Array<{ reason: string; message: string; involvedObject: { kind: string; name: string } }>;
    }>(['events', '-n', 'default']);
    return list.items.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name);
  };

  const route = (answerSecret: string): string => `
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: audited, namespace: default}
spec:
  model: audited
  retry: {attempts: 1}
  backends:
  - name: upstream
    provider: openai
    model: gpt-upstream
    baseURL: ${upstreamUrl}/v1
    credentials: [{secretRef: {name: ${answerSecret}, key: apiKey}}]
`;

  const providerSecret = (value: string): string => `
apiVersion: v1
kind: Secret
metadata: {name: provider-openai, namespace: default}
stringData: {apiKey: ${value}}
`;

  it('logs each changed object with its resourceVersion and field manager, and records an Event on it', async () => {
    accepted = new Set(['sk-provider-one']);
    await cluster.kubectl(['apply', '--field-manager=alice', '-f', '-'], providerSecret('sk-provider-one'));
    await cluster.kubectl(['apply', '--field-manager=alice', '-f', '-'], route('provider-openai'));
    await cluster.kubectl(
      ['apply', '--server-side', '--field-manager=bob', '-f', '-'],
      `
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: auditor, namespace: default}
spec: {secretName: auditor-key}
`,
    );
    const routeObject = await cluster.getJson<{ metadata: { resourceVersion: string } }>(['modelroute', 'audited', '-n', 'default']);
    const routeChange = await waitFor('the ModelRoute in a configuration change line', () =>
      findChange((c) => c.kind === 'ModelRoute' && c.name === 'audited'),
    );
    expect(routeChange).toMatchObject({ change: 'created', namespace: 'default', fieldManager: 'alice', operation: 'Update' });
    // The resourceVersion the table was compiled from: the one kubectl wrote (status writes come later).
    expect(Number(routeChange.resourceVersion)).toBeLessThanOrEqual(Number(routeObject.metadata.resourceVersion));
    const keyChange = await waitFor('the VirtualKey in a configuration change line', () =>
      findChange((c) => c.kind === 'VirtualKey' && c.name === 'auditor'),
    );
    expect(keyChange).toMatchObject({ change: 'created', fieldManager: 'bob', operation: 'Apply' });
    const events = await waitFor('a ConfigurationChanged Event on the ModelRoute', async () => {
      const found = (await eventsFor('ModelRoute', 'audited')).filter((e) => e.reason === 'ConfigurationChanged');
      return found.length > 0 ? found : undefined;
    });
    expect(events[0]?.message).toContain('created by alice (Update)');
    expect(events[0]?.message).toMatch(/in routing table version \d+/);

    // An update by another manager is attributed to it.
    await cluster.kubectl([
      'patch',
      'modelroute',
      'audited',
      '-n',
      'default',
      '--type',
      'merge',
      '-p',
      '{"spec":{"retry":{"attempts":2}}}',
      '--field-manager=carol',
    ]);
    const relabelled = await waitFor('the patched ModelRoute', () =>
      findChange((c) => c.kind === 'ModelRoute' && c.name === 'audited' && c.change === 'updated'),
    );
    expect(relabelled.fieldManager).toBe('carol');
    // The credential never appears in the audit lines or Events.
    expect(JSON.stringify(changeLines())).not.toContain('sk-provider-one');
    expect(JSON.stringify(await eventsFor('Secret', 'provider-openai'))).not.toContain('sk-provider-one');
    apiKey = Buffer.from(
      (await cluster.getJson<{ data: { key: string } }>(['secret', 'auditor-key', '-n', 'default'])).data.key,
      'base64',
    ).toString('utf8');
  });

  it('logs a deleted object', async () => {
    await cluster.kubectl(
      ['apply', '-f', '-'],
      `
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: short-lived, namespace: default}
spec:
  model: short-lived
  backends: [{name: m, provider: mock, model: echo}]
`,
    );
    await waitFor('short-lived created', () => findChange((c) => c.name === 'short-lived' && c.change === 'created'));
    await cluster.kubectl(['delete', 'modelroute', 'short-lived', '-n', 'default']);
    await waitFor('short-lived deleted', () => findChange((c) => c.name === 'short-lived' && c.change === 'deleted'));
  });

  it('picks up a Secret updated in place without a restart; a request under way finishes on the old credential', async () => {
    const client = new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 30_000 });
    const ask = async (): Promise<string> =>
      (await client.chat.completions.create({ model: 'audited', messages: [{ role: 'user', content: 'hi' }] })).choices[0]?.message
        .content ?? '';
    await waitFor(
      'the route served with the first credential',
      async () => (await ask().catch(() => '')) === 'used sk-provider-one',
      30_000,
    );

    // A request held by the upstream while the credential rotates.
    let release: () => void = () => {};
    hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const upstreamHasIt = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const inFlight = ask();
    await upstreamHasIt;
    hold = undefined;

    // Rotation as the External Secrets Operator does it: the same Secret, new data, in place.
    accepted = new Set(['sk-provider-one', 'sk-provider-two']);
    await cluster.kubectl(['apply', '--field-manager=external-secrets', '-f', '-'], providerSecret('sk-provider-two'));
    await waitFor('new requests on the new credential', async () => (await ask().catch(() => '')) === 'used sk-provider-two', 30_000, 200);
    // The provider revokes the old key; the gateway has moved on.
    accepted = new Set(['sk-provider-two']);
    expect(await ask()).toBe('used sk-provider-two');

    release();
    expect(await inFlight).toBe('used sk-provider-one');
    // The same gateway process throughout: no restart.
    expect(gateway.process.exitCode()).toBeUndefined();
    const secretChange = await waitFor('the Secret in a configuration change line', () =>
      findChange((c) => c.kind === 'Secret' && c.name === 'provider-openai' && c.change === 'updated'),
    );
    expect(secretChange.fieldManager).toBe('external-secrets');
  });
});
