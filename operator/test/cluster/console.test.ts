// The operator's web console in a real headless browser (Debian's chromium driven by
// playwright-core) against a real kube-apiserver: the operator runs with the RBAC it ships with
// and --console-listen; objects are applied with kubectl; users sign in with ServiceAccount tokens
// from `kubectl create token`. Checks: sign-in keeps only an HttpOnly, SameSite=Strict session
// cookie; each view shows the applied objects and their status; a viewer bound to one namespace
// sees only that namespace; no page ever contains a key; a spend change reaches an open page
// without a reload; the traffic the gateway reports (per-route totals, latency, cost, backend
// health, recent requests by the keys' namespaces, never prompt text) shows and updates in place;
// the console refuses writes and cross-origin sign-ins.
// CONSOLE_SCREENSHOTS=1 saves a PNG of each view into docs/console/ (docs/console.md shows them).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
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
import { chromiumPath, describeWithBrowser as withBrowser } from '../support/headless-browser.js';
import { findFreePorts } from '../support/free-ports.js';
import { repoRoot } from '../support/repo-paths.js';
import { waitFor } from '../support/wait-for.js';

type Obj = Record<string, any>;

const GATEWAY_SA = 'switchyard-gateway';
const SYSTEM = 'switchyard-system';
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === '1';

const describeWithBrowser = withBrowser();

const manifests = `
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: chat-a, namespace: team-a}
spec:
  model: chat-a
  strategy: least-outstanding
  backends:
  - name: mock-a
    provider: mock
    model: echo
    mock: {response: "${'abcd'.repeat(100)}"}
    pricing: {inputPerMillion: "10", outputPerMillion: "10"}
  # Priced the same: either backend may answer, and every answer must cost something.
  - name: mock-a2
    provider: mock
    model: echo2
    mock: {response: "${'wxyz'.repeat(100)}"}
    pricing: {inputPerMillion: "10", outputPerMillion: "10"}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: key-a, namespace: team-a, labels: {team: a}}
spec:
  secretName: key-a
  allowedModels: ["chat-*"]
  rateLimit: {requestsPerMinute: 600, tokensPerMinute: 100000}
---
apiVersion: switchyard.dev/v1alpha1
kind: Budget
metadata: {name: budget-a, namespace: team-a}
spec:
  selector: {matchLabels: {team: a}}
  limit: "0.01"
  period: Monthly
  enforcement: Warn
---
apiVersion: switchyard.dev/v1alpha1
kind: MCPServer
metadata: {name: tools-a, namespace: team-a}
spec:
  url: http://127.0.0.1:1/mcp
---
apiVersion: switchyard.dev/v1alpha1
kind: GuardrailPolicy
metadata: {name: pii-a, namespace: team-a}
spec:
  selector: {matchLabels: {team: a}}
  checks:
  - {name: cards, type: pii, entities: [credit_card], "on": input, action: block}
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: chat-b, namespace: team-b}
spec:
  model: chat-b
  backends:
  - {name: mock-b, provider: mock, model: echo}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: key-b, namespace: team-b}
spec: {secretName: key-b}
`;

/** Read access to the Switchyard kinds: a ClusterRole bound cluster-wide to one user, in team-a only to another. */
const rbac = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: switchyard-console-reader}
rules:
- apiGroups: [switchyard.dev]
  resources: [modelroutes, virtualkeys, budgets, mcpservers, guardrailpolicies]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: console-admin-reads-all}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: switchyard-console-reader}
subjects:
- {kind: ServiceAccount, name: console-admin, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewer-a-reads-team-a, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: switchyard-console-reader}
subjects:
- {kind: ServiceAccount, name: viewer-a, namespace: team-a}
`;

describeWithBrowser('the web console in a headless browser against a live control plane', () => {
  let cluster: TestCluster;
  let operator: OperatorProcess;
  let gateway: GatewayProcess;
  let browser: Browser;
  let consoleUrl: string;
  const tokens: Record<string, string> = {};
  const keys: Record<string, string> = {};
  /** Every HTML page the browser received, to search for secrets afterwards. */
  const pagesSeen: string[] = [];

  const get = (kind: string, name: string, namespace: string) => cluster.getJson<Obj>([kind, name, '-n', namespace]);

  async function signIn(token: string, colorScheme: 'light' | 'dark' = 'light'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('response', async (response) => {
      if ((response.headers()['content-type'] ?? '').startsWith('text/html')) pagesSeen.push(await response.text().catch(() => ''));
    });
    await page.goto(`${consoleUrl}/routes`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${consoleUrl}/`);
    return { context, page };
  }

  /** Opens a view; with a name, CONSOLE_SCREENSHOTS=1 saves it as docs/console/<name>.png. */
  async function view(page: Page, path: string, name?: string): Promise<string> {
    await page.goto(`${consoleUrl}${path}`);
    const html = await page.content();
    pagesSeen.push(html);
    if (SCREENSHOTS && name !== undefined) {
      mkdirSync(join(repoRoot, 'docs', 'console'), { recursive: true });
      await page.screenshot({ path: join(repoRoot, 'docs', 'console', `${name}.png`), fullPage: true });
    }
    return html;
  }

  /** A table row's cells, joined by " | ". */
  const rowText = async (page: Page, key: string) => (await page.locator(`tr[data-key="${key}"] td`).allTextContents()).join(' | ');

  beforeAll(async () => {
    cluster = await startTestCluster();
    await cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/guardrailpolicies.switchyard.dev']);
    await cluster.kubectl(['create', 'namespace', 'team-a']);
    await cluster.kubectl(['create', 'namespace', 'team-b']);
    const kubeconfigPath = await cluster.operatorKubeconfig();
    const tokenFile = await cluster.tokenFile(GATEWAY_SA, SYSTEM);
    const [listenPort, consolePort] = (await findFreePorts(2)) as [number, number];
    operator = await startOperatorProcess({
      kubeconfigPath,
      listenPort,
      replicaId: 'operator-console',
      leaderElectionNamespace: SYSTEM,
      args: ['--gateway-service-account', `${SYSTEM}/${GATEWAY_SA}`, '--console-listen', `127.0.0.1:${consolePort}`],
    });
    consoleUrl = `http://127.0.0.1:${consolePort}`;
    await waitFor('operator ready', async () => (await readyz(operator.healthUrl)).status === 200, 30_000);
    gateway = await startClusterGateway({ controlPlaneUrl: operator.listenUrl, tokenFile, name: 'gateway-console' });
    await waitFor('gateway ready', async () => (await readyz(gateway.url)).status === 200, 30_000);

    await cluster.apply(rbac);
    await cluster.kubectl(['create', 'serviceaccount', 'console-admin', '-n', 'default']);
    await cluster.kubectl(['create', 'serviceaccount', 'viewer-a', '-n', 'team-a']);
    await cluster.kubectl(['create', 'serviceaccount', 'nobody', '-n', 'team-b']);
    // Default audience: the API server's own, as a person's `kubectl create token` gives.
    tokens.admin = (await cluster.kubectl(['create', 'token', 'console-admin', '-n', 'default'])).trim();
    tokens.viewerA = (await cluster.kubectl(['create', 'token', 'viewer-a', '-n', 'team-a'])).trim();
    tokens.nobody = (await cluster.kubectl(['create', 'token', 'nobody', '-n', 'team-b'])).trim();

    await cluster.apply(manifests);
    for (const [namespace, name] of [
      ['team-a', 'key-a'],
      ['team-b', 'key-b'],
    ] as const) {
      const secret = await waitFor(`the generated key Secret ${namespace}/${name}`, async () => {
        const list = await cluster.getJson<{ items: Array<{ metadata: { name: string }; data?: { key?: string } }> }>([
          'secrets',
          '-n',
          namespace,
        ]);
        return list.items.find((s) => s.metadata.name === name && s.data?.key !== undefined);
      });
      keys[name] = Buffer.from(secret.data?.key ?? '', 'base64').toString('utf8');
    }
    await waitFor(
      'routes and keys Programmed',
      async () => {
        for (const [kind, name, namespace] of [
          ['modelroute', 'chat-a', 'team-a'],
          ['modelroute', 'chat-b', 'team-b'],
          ['virtualkey', 'key-a', 'team-a'],
          ['guardrailpolicy', 'pii-a', 'team-a'],
          // The gateway charges only budgets in the table it holds when the request arrives.
          ['budget', 'budget-a', 'team-a'],
        ] as const) {
          if (conditionOf(await get(kind, name, namespace), 'Programmed')?.status !== 'True') return false;
        }
        // The spend path has taken the Budget up (it writes spent "0" first); usage reported earlier would not count.
        if ((await get('budget', 'budget-a', 'team-a')).status?.spent === undefined) return false;
        return conditionOf(await get('mcpserver', 'tools-a', 'team-a'), 'Ready')?.status === 'False';
      },
      60_000,
      250,
    );
    // Two priced answers, so the budget shows spend.
    const client = new OpenAI({ apiKey: keys['key-a'], baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 10_000 });
    for (let i = 0; i < 2; i++) await client.chat.completions.create({ model: 'chat-a', messages: [{ role: 'user', content: 'hi' }] });
    await waitFor(
      'budget-a spend written',
      async () => Number((await get('budget', 'budget-a', 'team-a')).status?.spent ?? 0) > 0,
      30_000,
      250,
    ).catch((error: unknown) => {
      console.error(`operator log:\n${operator.process.logs().slice(-6000)}\ngateway log:\n${gateway.process.logs().slice(-4000)}`);
      throw error;
    });

    browser = await chromium.launch({ executablePath: chromiumPath as string, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.process.stop();
    await operator?.process.stop();
    await cluster?.stop();
  });

  it('signs in with a token into an HttpOnly, SameSite=Strict session cookie, never the token', async () => {
    const { context, page } = await signIn(tokens.admin as string);
    const cookies = await context.cookies();
    expect(cookies).toHaveLength(1);
    const [cookie] = cookies;
    expect(cookie).toMatchObject({ name: 'switchyard-console', httpOnly: true, sameSite: 'Strict' });
    expect(cookie?.value).not.toContain(tokens.admin);
    expect(page.url()).not.toContain(tokens.admin);
    await expect(page.getByText('system:serviceaccount:default:console-admin').count()).resolves.toBe(1);
    // Sign out ends the session.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${consoleUrl}/login`);
    await page.goto(`${consoleUrl}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  }, 60_000);

  it('refuses a token the API server does not accept', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${consoleUrl}/login`);
    await page.getByLabel('Token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('did not accept this token');
    expect(await context.cookies()).toHaveLength(0);
    await context.close();
  }, 30_000);

  it('shows every view with the objects applied and their status', async () => {
    const { context, page } = await signIn(tokens.admin as string);

    const overview = await view(page, '/', 'overview');
    const version = (await get('modelroute', 'chat-a', 'team-a')).metadata.generation;
    expect(version).toBe(1);
    const readyzBody = (await readyz(operator.healthUrl)).body;
    await expect(page.locator('[data-live="table:version"]').textContent()).resolves.toBe(String(readyzBody.tableVersion));
    await expect(page.locator('[data-live="gateways"]').textContent()).resolves.toBe('1');
    await expect(page.locator('[data-live="programmed:ModelRoute"]').textContent()).resolves.toBe('2/2');
    // The unreachable MCP server is listed with its condition and message.
    expect(overview).toContain('team-a/tools-a');
    expect(overview).toContain('Ready=False');

    await view(page, '/routes');
    const routeA = await rowText(page, 'ModelRoute/team-a/chat-a');
    expect(routeA).toContain('mock-a (mock / echo)');
    expect(routeA).toContain('mock-a2');
    expect(routeA).toContain('least-outstanding');
    expect(routeA).toMatch(/True \| True \| True$/);
    await expect(rowText(page, 'ModelRoute/team-b/chat-b')).resolves.toContain('weighted');

    await view(page, '/keys');
    const keyA = await rowText(page, 'VirtualKey/team-a/key-a');
    const hint = (await get('virtualkey', 'key-a', 'team-a')).status.keyHint as string;
    expect(hint.length).toBeGreaterThan(4);
    expect(keyA).toContain(hint);
    expect(keyA).toContain('chat-*');
    expect(keyA).toContain('600 req/min');

    // Spend may still be landing: what the page shows lies between status.spent before and after it rendered.
    const spentBefore = Number((await get('budget', 'budget-a', 'team-a')).status.spent);
    await view(page, '/budgets', 'budgets');
    const spentAfter = Number((await get('budget', 'budget-a', 'team-a')).status.spent);
    const card = page.locator('section[data-key="Budget/team-a/budget-a"]');
    const shown = Number(((await card.locator('[data-live="Budget/team-a/budget-a:spent"]').textContent()) ?? '').replace('$', ''));
    expect(spentBefore).toBeGreaterThan(0);
    expect(shown).toBeGreaterThan(spentBefore - 0.0001);
    expect(shown).toBeLessThan(spentAfter + 0.0001);
    await expect(card.locator('meter').getAttribute('max')).resolves.toBe('0.01');
    await expect(card.locator('svg.burn').count()).resolves.toBe(1);
    await expect(card.textContent()).resolves.toContain('Monthly');

    await view(page, '/mcp-servers', 'mcp-servers');
    await expect(rowText(page, 'MCPServer/team-a/tools-a')).resolves.toMatch(/False/);

    await view(page, '/guardrail-policies', 'guardrail-policies');
    await expect(page.locator('[data-live="GuardrailPolicy/team-a/pii-a:checks"]').textContent()).resolves.toBe('1');
    await expect(page.locator('[data-live="GuardrailPolicy/team-a/pii-a:keys"]').textContent()).resolves.toBe('1');
    await context.close();

    if (SCREENSHOTS) {
      const dark = await signIn(tokens.admin as string, 'dark');
      await view(dark.page, '/budgets', 'budgets-dark');
      await dark.context.close();
    }
  }, 90_000);

  it("shows a viewer bound to team-a only team-a's objects", async () => {
    const { context, page } = await signIn(tokens.viewerA as string);
    await view(page, '/routes', 'routes-viewer-a');
    await expect(page.locator('tr[data-key="ModelRoute/team-a/chat-a"]').count()).resolves.toBe(1);
    await expect(page.locator('tr[data-key="ModelRoute/team-b/chat-b"]').count()).resolves.toBe(0);
    expect(await page.content()).not.toContain('chat-b');
    await view(page, '/keys');
    expect(await page.content()).not.toContain('key-b');
    await view(page, '/');
    await expect(page.locator('[data-live="programmed:ModelRoute"]').textContent()).resolves.toBe('1/1');
    // The JSON endpoint answers by the same rules.
    const live = await page.evaluate(async () => (await fetch('/api/live?view=routes')).json());
    expect(JSON.stringify(live)).toContain('team-a/chat-a');
    expect(JSON.stringify(live)).not.toContain('team-b');
    await context.close();

    // A user with no binding sees nothing at all.
    const nobody = await signIn(tokens.nobody as string);
    await view(nobody.page, '/routes');
    await expect(nobody.page.locator('tbody tr').count()).resolves.toBe(0);
    await expect(nobody.page.getByText('No modelroutes you may list.').count()).resolves.toBe(1);
    await nobody.context.close();
  }, 60_000);

  it('shows the traffic gateways report: totals, latency, cost and health per route, recent requests by namespace', async () => {
    const clientA = new OpenAI({ apiKey: keys['key-a'], baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 10_000 });
    const clientB = new OpenAI({ apiKey: keys['key-b'], baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 10_000 });
    const prompt = 'quokka-prompt-that-no-page-may-show';
    const answeredB = await clientB.chat.completions
      .create({ model: 'chat-b', messages: [{ role: 'user', content: prompt }] })
      .withResponse();
    const requestIdB = answeredB.response.headers.get('x-request-id') as string;
    expect(requestIdB).toBeTruthy();
    // A refused request shows too, with its status and error code (key-a may not use team-b's model).
    await expect(clientA.chat.completions.create({ model: 'chat-b', messages: [{ role: 'user', content: prompt }] })).rejects.toMatchObject(
      {
        status: 404,
      },
    );

    const { context, page } = await signIn(tokens.admin as string);
    await view(page, '/routes');
    type Live = { live: Record<string, [string, string?]> };
    const liveOf = async (name: string): Promise<Live['live']> =>
      ((await page.evaluate(async (v) => (await fetch(`/api/live?view=${v}`)).json(), name)) as Live).live;
    const routeA = await waitFor(
      'chat-a traffic reported',
      async () => {
        const live = await liveOf('routes');
        return Number(live['ModelRoute/team-a/chat-a:requests']?.[0]) >= 2 && Number(live['ModelRoute/team-b/chat-b:requests']?.[0]) >= 1
          ? live
          : undefined;
      },
      30_000,
      250,
    );
    expect(routeA['ModelRoute/team-a/chat-a:errors']?.[0]).toBe('0 / 0');
    expect(routeA['ModelRoute/team-a/chat-a:latency']?.[0]).toMatch(/^≤ \d+ m?s \/ ≤ \d+ m?s$/);
    expect(Number(routeA['ModelRoute/team-a/chat-a:cost']?.[0]?.replace('$', ''))).toBeGreaterThan(0);
    // Both backends are healthy on the one gateway; their requests add up to the route's.
    const backendA = routeA['ModelRoute/team-a/chat-a:backend:mock-a'];
    const backendA2 = routeA['ModelRoute/team-a/chat-a:backend:mock-a2'];
    expect(backendA?.[0]).toMatch(/^healthy/);
    expect(backendA?.[1]).toBe('ok');
    const served = [backendA, backendA2].map((b) => Number(/(\d+) requests/.exec(b?.[0] ?? '')?.[1] ?? 0));
    expect(served[0] + served[1]).toBe(Number(routeA['ModelRoute/team-a/chat-a:requests']?.[0]));
    await view(page, '/routes', 'routes');

    // Each key's usage: key-a made two answered requests and one refused.
    const keysLive = await waitFor(
      'key usage reported',
      async () => {
        const live = await liveOf('keys');
        return Number(live['VirtualKey/team-a/key-a:refused']?.[0]) >= 1 ? live : undefined;
      },
      30_000,
      250,
    );
    expect(Number(keysLive['VirtualKey/team-a/key-a:requests']?.[0])).toBeGreaterThanOrEqual(3);
    expect(keysLive['VirtualKey/team-a/key-a:tokens']?.[0]).toMatch(/^[1-9]\d* \/ [1-9]\d*$/);
    expect(Number(keysLive['VirtualKey/team-b/key-b:requests']?.[0])).toBe(1);
    await view(page, '/keys', 'keys');

    const requests = await view(page, '/requests', 'requests');
    expect(requests).toContain(requestIdB);
    expect(requests).toContain('team-b/key-b');
    expect(requests).toContain('team-a/key-a');
    expect(requests).not.toContain(prompt);
    const refused = (await liveOf('requests')) as Live['live'];
    const refusedRow = Object.keys(refused).find((k) => k.endsWith(':status') && refused[k]?.[0] === '404');
    expect(refusedRow).toBeDefined();
    expect(refused[(refusedRow as string).replace(':status', ':key')]?.[0]).toBe('team-a/key-a');
    expect(refused[(refusedRow as string).replace(':status', ':error')]?.[0]).toBe('model_not_found');

    // A new request appears on the open page in place, without a reload.
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const answeredA = await clientA.chat.completions
      .create({ model: 'chat-a', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const requestIdA = answeredA.response.headers.get('x-request-id') as string;
    await waitFor(
      'the new request on the open page',
      async () => (await page.locator('[data-live="recent:0:requestId"]').textContent()) === requestIdA,
      30_000,
      250,
    );
    await expect(page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).resolves.toBe(true);
    await context.close();

    // A viewer of team-a sees team-a's requests only.
    const viewer = await signIn(tokens.viewerA as string);
    const viewerRequests = await view(viewer.page, '/requests', 'requests-viewer-a');
    expect(viewerRequests).toContain('team-a/key-a');
    expect(viewerRequests).not.toContain('team-b/key-b');
    expect(viewerRequests).not.toContain(requestIdB);
    await viewer.context.close();
  }, 90_000);

  it('updates a number on an open page when status changes, without reloading', async () => {
    const { context, page } = await signIn(tokens.admin as string);
    await view(page, '/guardrail-policies');
    await page.evaluate(() => {
      (globalThis as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const checks = page.locator('[data-live="GuardrailPolicy/team-a/pii-a:checks"]');
    expect(await checks.textContent()).toBe('1');
    // A second check: the operator recompiles and writes status.checkCount 2.
    await cluster.apply(`
apiVersion: switchyard.dev/v1alpha1
kind: GuardrailPolicy
metadata: {name: pii-a, namespace: team-a}
spec:
  selector: {matchLabels: {team: a}}
  checks:
  - {name: cards, type: pii, entities: [credit_card], "on": input, action: block}
  - {name: words, type: denylist, phrases: ["project falcon"], "on": output, action: block}
`);
    await waitFor(
      'status.checkCount 2',
      async () => (await get('guardrailpolicy', 'pii-a', 'team-a')).status?.checkCount === 2,
      30_000,
      250,
    );
    await waitFor(
      'the open page to show 2 checks',
      async () => {
        const text = await checks.textContent();
        if (text === '2') return true;
        throw new Error(`still ${text}; refresh status "${await page.locator('#refresh-status').textContent()}"`);
      },
      30_000,
      250,
    );
    await expect(page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).resolves.toBe(true);
    await context.close();
  }, 60_000);

  it('never puts a key or a token in any page', () => {
    expect(pagesSeen.length).toBeGreaterThan(10);
    for (const html of pagesSeen) {
      for (const key of Object.values(keys)) expect(html).not.toContain(key);
      for (const token of Object.values(tokens)) expect(html).not.toContain(token);
    }
  });

  it('is read-only: refuses writes, cross-origin sign-ins, and unauthenticated API calls', async () => {
    const put = await fetch(`${consoleUrl}/routes`, { method: 'PUT' });
    expect(put.status).toBe(405);
    const body = new URLSearchParams({ token: tokens.admin as string });
    const crossSite = await fetch(`${consoleUrl}/login`, {
      method: 'POST',
      body,
      headers: { origin: 'https://evil.example' },
      redirect: 'manual',
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie')).toBeNull();
    const noOrigin = await fetch(`${consoleUrl}/login`, { method: 'POST', body, redirect: 'manual' });
    expect(noOrigin.status).toBe(403);
    const anonymous = await fetch(`${consoleUrl}/api/live?view=routes`);
    expect(anonymous.status).toBe(401);
    // Scripts may send the token as a bearer header instead of signing in.
    const bearer = await fetch(`${consoleUrl}/api/live?view=keys`, { headers: { authorization: `Bearer ${tokens.viewerA}` } });
    expect(bearer.status).toBe(200);
    const live = (await bearer.json()) as { live: Record<string, unknown> };
    expect(Object.keys(live.live)).toContain('VirtualKey/team-a/key-a:hint');
    expect(existsSync(join(repoRoot, 'docs', 'console.md'))).toBe(true);
  });
});
