// The chart's per-user OAuth values (docs/mcp.md, "Per-user OAuth"): nothing is rendered until
// mcp.oauth.callbackURL is set; then the gateway gets --mcp-oauth-callback-url and
// --mcp-oauth-key-file, the key comes from a generated Secret (or an existing one) mounted beside
// the session secret, and a callback URL of another shape is refused by the values schema.
import { describe, expect, it } from '@jest/globals';
import { argsOf, findDoc, helm, helmPath, names, podSpecOf, RELEASE, renderChart, skipNotice, CHART_DIR } from './helm-chart-support.js';
import { jsonPath } from './support/json-path.js';

const describeWithHelm = helmPath() ? describe : describe.skip;
if (!helmPath()) skipNotice('helm chart per-user OAuth tests');

const CALLBACK = 'https://llm.example.com/mcp/oauth/callback';
const KEY_SECRET = `${RELEASE}-switchyard-mcp-oauth-key`;

function credentialSources(docs: Awaited<ReturnType<typeof renderChart>>): unknown[] {
  const volumes = podSpecOf(findDoc(docs, 'Deployment', names.gateway))['volumes'] as Array<Record<string, unknown>>;
  const credentials = volumes.find((volume) => volume['name'] === 'switchyard-credentials');
  return jsonPath(credentials, 'projected', 'sources') as unknown[];
}

describeWithHelm('helm chart: per-user OAuth for MCP servers', () => {
  it('renders nothing for it by default', async () => {
    const docs = await renderChart();
    expect(argsOf(findDoc(docs, 'Deployment', names.gateway)).filter((arg) => arg.startsWith('--mcp-oauth'))).toEqual([]);
    expect(docs.some((doc) => doc.metadata.name === KEY_SECRET)).toBe(false);
  });

  it('passes the callback URL and a generated key when mcp.oauth.callbackURL is set', async () => {
    const docs = await renderChart(['--set', `mcp.oauth.callbackURL=${CALLBACK}`]);
    const args = argsOf(findDoc(docs, 'Deployment', names.gateway));
    expect(args).toContain(`--mcp-oauth-callback-url=${CALLBACK}`);
    expect(args).toContain('--mcp-oauth-key-file=/var/run/secrets/switchyard/mcp-oauth-key');
    expect(credentialSources(docs)).toContainEqual({ secret: { name: KEY_SECRET, items: [{ key: 'key', path: 'mcp-oauth-key' }] } });
    const key = Buffer.from(jsonPath(findDoc(docs, 'Secret', KEY_SECRET), 'data', 'key') as string, 'base64').toString('utf8');
    expect(key).toMatch(/^[A-Za-z0-9]{48}$/);
  });

  it('mounts an existing key Secret instead of generating one', async () => {
    const docs = await renderChart([
      '--set',
      `mcp.oauth.callbackURL=${CALLBACK}`,
      '--set',
      'mcp.oauth.keySecret.existingSecret=oauth-keys',
      '--set',
      'mcp.oauth.keySecret.key=tokens',
    ]);
    expect(credentialSources(docs)).toContainEqual({ secret: { name: 'oauth-keys', items: [{ key: 'tokens', path: 'mcp-oauth-key' }] } });
    expect(docs.some((doc) => doc.metadata.name === KEY_SECRET)).toBe(false);
  });

  it('refuses a callback URL that is not <origin>/mcp/oauth/callback', async () => {
    const result = await helm(['template', RELEASE, CHART_DIR, '--set', 'mcp.oauth.callbackURL=https://llm.example.com/callback']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('mcp.oauth.callbackURL');
  });
});
