// The console over its own HTTPS with single sign-on, in a real headless browser against a real
// kube-apiserver: people sign in at a (mock) OpenID Connect provider, the console maps the ID
// token's email and groups to a Kubernetes user and groups with the configured prefix, and RBAC
// bound to those names decides what each sees. A sign-in finished in a browser that did not start
// it is refused (login CSRF), and the session cookie is Secure, HttpOnly and SameSite=Strict.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { readyz, startOperatorProcess, startTestCluster, type OperatorProcess, type TestCluster } from '../support/cluster.js';
import { chromiumPath, describeWithBrowser as withBrowser } from '../support/headless-browser.js';
import { findFreePorts } from '../support/free-ports.js';
import { startMockOidcProvider, type MockOidcProvider } from '../support/mock-oidc-provider.js';
import { makeCertificate, opensslAvailable, servedCertificate, type TestCertificate } from '../support/serving-certificates.js';
import { waitFor } from '../support/wait-for.js';

const describeWithBrowser = withBrowser({ present: opensslAvailable(), name: 'openssl' });

const CLIENT_ID = 'switchyard-console';
const CLIENT_SECRET = 'console-client-secret-0123456789';

const manifests = `
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: chat-a, namespace: team-a}
spec:
  model: chat-a
  backends: [{name: mock-a, provider: mock, model: echo}]
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: chat-b, namespace: team-b}
spec:
  model: chat-b
  backends: [{name: mock-b, provider: mock, model: echo}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: switchyard-sso-reader}
rules:
- apiGroups: [switchyard.dev]
  resources: [modelroutes, virtualkeys, budgets, mcpservers, guardrailpolicies]
  verbs: [get, list, watch]
---
# A group from the identity provider, with the console's "oidc:" prefix, may read team-a.
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team-a-readers, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: switchyard-sso-reader}
subjects:
- {kind: Group, name: "oidc:team-a-readers", apiGroup: rbac.authorization.k8s.io}
---
# A person, by the email claim with the prefix, may read everything.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: sso-admin-reads-all}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: switchyard-sso-reader}
subjects:
- {kind: User, name: "oidc:admin@example.com", apiGroup: rbac.authorization.k8s.io}
`;

describeWithBrowser('console single sign-on over its own HTTPS', () => {
  let cluster: TestCluster;
  let operator: OperatorProcess;
  let provider: MockOidcProvider;
  let browser: Browser;
  let consoleUrl: string;
  let consolePort: number;
  let certificate: TestCertificate;
  let dir: string;
  const pagesSeen: string[] = [];

  async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.on('response', async (response) => {
      if ((response.headers()['content-type'] ?? '').startsWith('text/html')) pagesSeen.push(await response.text().catch(() => ''));
    });
    return { context, page };
  }

  /** Signs in through the provider's login form as `user`; ends on the console's overview. */
  async function signIn(user: string): Promise<{ context: BrowserContext; page: Page }> {
    const { context, page } = await newContext();
    await page.goto(`${consoleUrl}/routes`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await page.waitForURL(`${provider.issuer}/authorize**`);
    await page.getByLabel('User name').fill(user);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${consoleUrl}/`);
    return { context, page };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-sso-'));
    certificate = await makeCertificate(dir, 'console');
    writeFileSync(join(dir, 'client-secret'), `${CLIENT_SECRET}\n`);
    provider = await startMockOidcProvider({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      users: {
        alice: { email: 'alice@example.com', groups: ['team-a-readers'] },
        admin: { email: 'admin@example.com', groups: [] },
      },
    });
    cluster = await startTestCluster();
    await cluster.kubectl(['create', 'namespace', 'team-a']);
    await cluster.kubectl(['create', 'namespace', 'team-b']);
    await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/modelroutes.switchyard.dev']);
    await cluster.apply(manifests);
    const kubeconfigPath = await cluster.operatorKubeconfig();
    const ports = (await findFreePorts(2)) as [number, number];
    consolePort = ports[1];
    consoleUrl = `https://127.0.0.1:${consolePort}`;
    operator = await startOperatorProcess({
      kubeconfigPath,
      listenPort: ports[0],
      replicaId: 'operator-sso',
      args: [
        '--console-listen',
        `127.0.0.1:${consolePort}`,
        '--console-tls-cert-file',
        join(dir, 'console.crt'),
        '--console-tls-key-file',
        join(dir, 'console.key'),
        '--console-oidc-issuer-url',
        provider.issuer,
        '--console-oidc-client-id',
        CLIENT_ID,
        '--console-oidc-client-secret-file',
        join(dir, 'client-secret'),
        '--console-oidc-redirect-url',
        `${consoleUrl}/oidc/callback`,
        '--console-oidc-username-claim',
        'email',
      ],
    });
    await waitFor('operator ready', async () => (await readyz(operator.healthUrl)).status === 200, 30_000);
    browser = await chromium.launch({ executablePath: chromiumPath as string, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await operator?.process.stop();
    await cluster?.stop();
    await provider?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the console over HTTPS with the configured certificate', async () => {
    const served = await servedCertificate(consolePort);
    expect(served.fingerprint256).toBe(certificate.fingerprint256);
  });

  it('signs a person in through the provider and shows what their group may read', async () => {
    const { context, page } = await signIn('alice');
    await expect(page.getByText('oidc:alice@example.com').count()).resolves.toBe(1);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'switchyard-console');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
    // The flow's binding cookie is gone once the sign-in completed.
    expect(cookies.find((c) => c.name === 'switchyard-console-oidc')).toBeUndefined();
    await page.goto(`${consoleUrl}/routes`);
    await expect(page.locator('tr[data-key="ModelRoute/team-a/chat-a"]').count()).resolves.toBe(1);
    await expect(page.locator('tr[data-key="ModelRoute/team-b/chat-b"]').count()).resolves.toBe(0);
    await context.close();
  }, 60_000);

  it('maps the email claim with the prefix to a user bound cluster-wide', async () => {
    const { context, page } = await signIn('admin');
    await page.goto(`${consoleUrl}/routes`);
    await expect(page.locator('tr[data-key="ModelRoute/team-a/chat-a"]').count()).resolves.toBe(1);
    await expect(page.locator('tr[data-key="ModelRoute/team-b/chat-b"]').count()).resolves.toBe(1);
    await context.close();
  }, 60_000);

  it('refuses a sign-in finished in a browser that did not start it', async () => {
    // The attacker starts a flow and sends the provider's link to the victim.
    const attacker = await newContext();
    await attacker.page.goto(`${consoleUrl}/oidc/start`);
    await attacker.page.waitForURL(`${provider.issuer}/authorize**`);
    const link = attacker.page.url();
    const victim = await newContext();
    await victim.page.goto(link);
    await victim.page.getByLabel('User name').fill('admin');
    await victim.page.getByRole('button', { name: 'Log in' }).click();
    await victim.page.waitForURL(`${consoleUrl}/oidc/callback**`);
    await expect(victim.page.getByRole('alert').textContent()).resolves.toContain('started in another browser');
    expect((await victim.context.cookies()).find((c) => c.name === 'switchyard-console')).toBeUndefined();
    // Nor can the attacker finish it afterwards: the state was used up.
    await attacker.page.getByLabel('User name').fill('admin');
    await attacker.page.getByRole('button', { name: 'Log in' }).click();
    await attacker.page.waitForURL(`${consoleUrl}/oidc/callback**`);
    await expect(attacker.page.getByRole('alert').textContent()).resolves.toContain('unknown or older than 10 minutes');
    await attacker.context.close();
    await victim.context.close();
  }, 60_000);

  it('still accepts a pasted token, and never shows the provider tokens', async () => {
    await cluster.kubectl(['create', 'serviceaccount', 'reader', '-n', 'team-b']);
    await cluster.kubectl([
      'create',
      'rolebinding',
      'reader',
      '-n',
      'team-b',
      '--clusterrole=switchyard-sso-reader',
      '--serviceaccount=team-b:reader',
    ]);
    const token = (await cluster.kubectl(['create', 'token', 'reader', '-n', 'team-b'])).trim();
    const { context, page } = await newContext();
    await page.goto(`${consoleUrl}/login`);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${consoleUrl}/`);
    await page.goto(`${consoleUrl}/routes`);
    await expect(page.locator('tr[data-key="ModelRoute/team-b/chat-b"]').count()).resolves.toBe(1);
    await context.close();
    expect(pagesSeen.length).toBeGreaterThan(5);
    for (const html of pagesSeen) {
      expect(html).not.toContain('id_token');
      expect(html).not.toContain(CLIENT_SECRET);
      expect(html).not.toContain(token);
    }
    expect(provider.refusals).toEqual([]);
  }, 60_000);
});
