// Callers authenticate with their own ServiceAccount tokens (VirtualKey spec.subjects), against a
// real kube-apiserver: tokens come from the TokenRequest API (`kubectl create token`), the
// gateway fetches the API server's OIDC discovery document and JWKS itself (with a token of API
// audience, as the chart mounts it), and the operator resolves the bound ServiceAccount's uid.
// The official OpenAI SDK is the client. One control plane for the file; steps build on each other.
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { findFreePorts } from '../support/free-ports.js';
import {
  conditionOf,
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
const AUDIENCE = 'switchyard-gateway';

const manifests = `
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: checkout, namespace: team-a}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: intruder, namespace: team-a}
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: chat, namespace: team-a}
spec:
  model: gpt-test
  backends:
  - name: mock
    provider: mock
    model: echo
    mock: {response: "hello from the mock"}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: checkout, namespace: team-a}
spec:
  subjects:
  - {kind: ServiceAccount, namespace: team-a, name: checkout}
`;

function client(gateway: GatewayProcess, token: string): OpenAI {
  return new OpenAI({ apiKey: token, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 15_000 });
}

async function chat(gateway: GatewayProcess, token: string): Promise<string> {
  const answer = await client(gateway, token).chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] });
  return answer.choices[0]?.message.content ?? '';
}

/** The SDK's error for a refused request, with its status and message. */
async function refusal(gateway: GatewayProcess, token: string): Promise<{ status: number; message: string; code: unknown }> {
  try {
    await chat(gateway, token);
  } catch (error) {
    if (error instanceof OpenAI.APIError) return { status: error.status ?? 0, message: error.message, code: error.code };
    throw error;
  }
  throw new Error('the request was answered');
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describeWithControlPlane('callers with their own ServiceAccount tokens, against a real API server', () => {
  let cluster: TestCluster;
  let operator: OperatorProcess;
  let gateway: GatewayProcess;

  const token = async (name: string, audience = AUDIENCE): Promise<string> =>
    (await cluster.kubectl(['create', 'token', name, '-n', 'team-a', '--audience', audience, '--duration', '1h'])).trim();

  beforeAll(async () => {
    cluster = await startTestCluster();
    const [listenPort] = (await findFreePorts(1)) as [number];
    const operatorKubeconfig = await cluster.operatorKubeconfig();
    const tokenFile = await cluster.tokenFile(GATEWAY_SA, SYSTEM);
    // What the chart mounts beside it: a token of the API server's own audience, which the API
    // server accepts for its discovery document and JWKS (system:service-account-issuer-discovery).
    const issuerTokenFile = join(cluster.tempDir, 'issuer-token');
    await writeFile(issuerTokenFile, (await cluster.kubectl(['create', 'token', GATEWAY_SA, '-n', SYSTEM, '--duration', '1h'])).trim());
    operator = await startOperatorProcess({
      kubeconfigPath: operatorKubeconfig,
      listenPort,
      replicaId: 'operator-identity',
      leaderElectionNamespace: SYSTEM,
      args: ['--gateway-service-account', `${SYSTEM}/${GATEWAY_SA}`],
    });
    gateway = await startClusterGateway({
      controlPlaneUrl: operator.listenUrl,
      tokenFile,
      name: 'gateway-identity',
      args: ['--issuer-ca-file', cluster.plane.caFile, '--issuer-token-file', issuerTokenFile],
    });
    await cluster.apply(manifests);
    // Both: the key and the route are watched separately, so a table may hold the key before the route.
    await waitFor(
      'the VirtualKey and the ModelRoute programmed',
      async () => {
        const key = await cluster.getJson(['virtualkey', 'checkout', '-n', 'team-a']);
        const route = await cluster.getJson(['modelroute', 'chat', '-n', 'team-a']);
        return (
          conditionOf(key, 'Programmed')?.status === 'True' &&
          conditionOf(route, 'Programmed')?.status === 'True' &&
          (await readyz(gateway.url)).status === 200
        );
      },
      60_000,
    );
  }, 240_000);

  afterAll(async () => {
    await gateway?.process.stop();
    await operator?.process.stop();
    await cluster?.stop();
  }, 120_000);

  it('answers a pod whose TokenRequest token the VirtualKey binds, with no key Secret at all', async () => {
    expect(await chat(gateway, await token('checkout'))).toBe('hello from the mock');
    const secrets = await cluster.getJson<{ items: unknown[] }>(['secrets', '-n', 'team-a']);
    expect(secrets.items).toEqual([]);
    // The log line names the caller (kind and subject) and the key, never the token.
    const line = await gateway.process.waitForRecord((r) => r.msg === 'request' && r.status === 200);
    expect(line.identity).toEqual({ kind: 'ServiceAccount', subject: 'team-a/checkout' });
    expect(line.key).toBe('team-a/checkout');
    expect(JSON.stringify(gateway.process.records())).not.toContain('eyJ');
  });

  it('refuses a token for another audience (401)', async () => {
    const refused = await refusal(gateway, await token('checkout', 'some-other-service'));
    expect(refused.status).toBe(401);
    expect(refused.message).toContain(`token audience is not ${AUDIENCE}`);
  });

  it('refuses an expired token signed by the cluster issuer (401)', async () => {
    // A genuine token, re-signed with the API server's own signing key with its expiry in the past:
    // TokenRequest refuses lifetimes under 10 minutes, so waiting for a real one is not an option.
    const genuine = await token('checkout');
    const [header, payload] = genuine.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    const expired = { ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 };
    const signingInput = `${header}.${base64url(expired)}`;
    const key = createPrivateKey(readFileSync(join(cluster.plane.stateDir, 'pki', 'service-account.key'), 'utf8'));
    const forged = `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`;
    const refused = await refusal(gateway, forged);
    expect(refused.status).toBe(401);
    expect(refused.code).toBe('token_expired');
    expect(refused.message).toContain('token expired at');
    // The same claims with a valid expiry are accepted: the refusal was the expiry, not the signature.
    const fresh = { ...claims, iat: now - 60, nbf: now - 60, exp: now + 600 };
    const freshInput = `${header}.${base64url(fresh)}`;
    expect(await chat(gateway, `${freshInput}.${sign('sha256', Buffer.from(freshInput), key).toString('base64url')}`)).toBe(
      'hello from the mock',
    );
  });

  it('refuses a token with a bad signature (401)', async () => {
    const genuine = await token('checkout');
    const [header, payload] = genuine.split('.') as [string, string];
    const refused = await refusal(gateway, `${header}.${payload}.${Buffer.alloc(256, 7).toString('base64url')}`);
    expect(refused.status).toBe(401);
    expect(refused.message).toContain('signature does not verify');
  });

  it('refuses a ServiceAccount no VirtualKey binds (403), naming it', async () => {
    const refused = await refusal(gateway, await token('intruder'));
    expect(refused.status).toBe(403);
    expect(refused.message).toContain('ServiceAccount team-a/intruder is not bound by any VirtualKey');
    const line = await gateway.process.waitForRecord((r) => r.msg === 'request' && r.status === 403);
    expect(line.identity).toEqual({ kind: 'ServiceAccount', subject: 'team-a/intruder' });
  });

  it("refuses a deleted ServiceAccount's token, and keeps refusing it once a new one has the same name (401)", async () => {
    const old = await token('checkout');
    expect(await chat(gateway, old)).toBe('hello from the mock');
    await cluster.kubectl(['delete', 'serviceaccount', 'checkout', '-n', 'team-a']);
    const deleted = await waitFor('the deleted ServiceAccount refused', async () => {
      const refused = await refusal(gateway, old).catch(() => undefined);
      return refused?.status === 401 ? refused : undefined;
    });
    expect(deleted.code).toBe('service_account_deleted');
    expect(deleted.message).toContain('ServiceAccount team-a/checkout, which does not exist');
    const key = await cluster.getJson(['virtualkey', 'checkout', '-n', 'team-a']);
    expect(conditionOf(key, 'ResolvedRefs')).toMatchObject({ status: 'False', reason: 'ServiceAccountNotFound' });

    // Recreated with the same name: a new uid. The old token (the old uid) stays refused, a new one works.
    await cluster.kubectl(['create', 'serviceaccount', 'checkout', '-n', 'team-a']);
    const renewed = await token('checkout');
    await waitFor(
      'the recreated ServiceAccount served',
      async () => (await chat(gateway, renewed).catch(() => '')) === 'hello from the mock',
    );
    const stale = await refusal(gateway, old);
    expect(stale.status).toBe(401);
    expect(stale.message).toContain('deleted or recreated');
  });
});
