// The per-user OAuth sign-in in a real headless browser (Debian's chromium driven by
// playwright-core): the browser opens the login link the official MCP SDK client received,
// reads the consent page, continues, logs in at the local authorization server and lands on the
// gateway's callback, which accepts it because the browser kept the `__Host-` cookie; the retried
// call runs as that user. A callback (code and state) from a sign-in someone else completed,
// opened in this browser, is refused. Skipped when chromium is not installed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { chromium, type Browser } from 'playwright-core';
import { API_VERSION, documents, secretObject, testKey } from '../core/core-fixtures.js';
import { startOAuthServer, type OAuthServer } from '../mocks/oauth-authorization-server.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  freePort,
  loginLink,
  signInUpToCallback,
  startProtectedUpstream,
  text,
  type ProtectedUpstream,
} from './per-user-oauth-fixtures.js';

const KEY = testKey('peruserbrowser');

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

const chromiumPath = findChromium();
const describeWithBrowser = chromiumPath === undefined ? describe.skip : describe;
if (chromiumPath === undefined) console.warn('SKIPPED per-user OAuth browser test: chromium is not installed');

describeWithBrowser('per-user OAuth sign-in in a real browser', () => {
  let as: OAuthServer;
  let upstream: ProtectedUpstream;
  let gateway: GatewayProcess;
  let browser: Browser;
  let client: Client;

  beforeAll(async () => {
    const port = await freePort();
    const callback = `http://127.0.0.1:${port}/mcp/oauth/callback`;
    as = await startOAuthServer({ clientId: 'gw-browser', clientSecret: 'gw-browser-secret', redirectUris: [callback] });
    upstream = await startProtectedUpstream(as);
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('oauth-client', { secret: 'gw-browser-secret' }),
          {
            apiVersion: API_VERSION,
            kind: 'MCPServer',
            metadata: { name: 'secure', namespace: 'default' },
            spec: {
              url: upstream.url,
              auth: {
                type: 'oauth2PerUser',
                authorizationURL: as.authorizationURL,
                tokenURL: as.tokenURL,
                clientId: 'gw-browser',
                clientSecretRef: { name: 'oauth-client', key: 'secret' },
              },
            },
          },
          secretObject('agent-key', { key: KEY }),
          {
            apiVersion: API_VERSION,
            kind: 'VirtualKey',
            metadata: { name: 'agent', namespace: 'default' },
            spec: { secretName: 'agent-key', mcp: { allowedTools: ['secure__*'] } },
          },
        ),
      },
      args: ['--port', String(port), '--mcp-oauth-callback-url', callback],
    });
    browser = await chromium.launch({ executablePath: chromiumPath as string, args: ['--no-sandbox'] });
    client = new Client({ name: 'per-user-oauth-browser-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${KEY}` } } }),
    );
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await browser?.close();
    await gateway?.stop();
    await upstream?.close();
    await as?.close();
  });

  it('refuses a callback from a sign-in completed elsewhere, and completes its own sign-in with the consent cookie', async () => {
    // An attacker completes a sign-in with their own account and sends the callback (code and
    // state) to the victim's browser, which never gave consent: refused.
    const victimContext = await browser.newContext();
    try {
      const attackerLink = loginLink(await client.callTool({ name: 'secure__whoami', arguments: {} }));
      const { callbackUrl } = await signInUpToCallback(attackerLink, 'mallory');
      const victim = await victimContext.newPage();
      const refused = await victim.goto(callbackUrl);
      expect(refused?.status()).toBe(400);
      expect(await victim.textContent('body')).toContain('not started in this browser');

      const link = loginLink(await client.callTool({ name: 'secure__whoami', arguments: {} }));
      const page = await victimContext.newPage();
      await page.goto(link);
      expect(await page.textContent('body')).toContain('default/agent');
      await page.getByRole('button', { name: 'Continue to sign in' }).click();
      await page.locator('input[name="username"]').fill('ada');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL('**/mcp/oauth/callback**');
      expect(await page.textContent('h1')).toBe('Signed in');
      expect(text(await client.callTool({ name: 'secure__whoami', arguments: {} }))).toBe('user:ada');
    } finally {
      await victimContext.close();
    }
  }, 60_000);
});
