// What the standalone gateway says on reload, read from its log as a person would: a manifest
// that looks like a route but is not read gets a warning naming it (at reload as at start), notes
// are logged on reload too, undoing a rejected change says the configuration is valid again, and
// the table version counts the tables actually served.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GatewayStartError, startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, mockBackend, openAIBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('messages');
const ROUTES = documents(routeObject({ name: 'steady', backends: [mockBackend('steady-backend', { response: 'one' })] }));

type LogRecord = Record<string, unknown> & { msg?: string; level?: string };

function records(text: string): LogRecord[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord);
}

async function waitForRecord(gateway: GatewayProcess, from: number, match: (record: LogRecord) => boolean): Promise<LogRecord> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const found = records(gateway.logs().slice(from)).find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no matching log line within 10 s; logs since:\n${gateway.logs().slice(from)}`);
}

async function servedTableVersion(gateway: GatewayProcess): Promise<string | undefined> {
  const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  return /switchyard_routing_table_info\{version="(\d+)"/.exec(text)?.[1];
}

describe('standalone reload messages', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: {
        'keys.yaml': documents(...keyObjects({ name: 'k', key })),
        'routes.yaml': ROUTES,
        // Read at start: the warning must be there before any reload.
        'early.yaml': documents({ apiVersion: 'switchyard.io/v1alpha1', kind: 'ModelRoute', metadata: { name: 'early' }, spec: {} }),
      },
    });
  });
  afterAll(async () => gateway?.stop());

  it('warns at start about a route under another API group, naming it and the apiVersion it needs', async () => {
    const warning = await waitForRecord(gateway, 0, (r) => r.msg === 'configuration warning');
    expect(warning.level).toBe('warn');
    expect(warning.warning).toBe(
      `${gateway.configDir}/early.yaml (document 1): ignored ModelRoute default/early with apiVersion switchyard.io/v1alpha1: ` +
        'group switchyard.io is not switchyard.dev; a ModelRoute needs apiVersion: switchyard.dev/v1alpha1',
    );
  });

  it('warns on reload about a look-alike manifest and logs notes, though the table is unchanged', async () => {
    const from = gateway.logs().length;
    await gateway.writeManifest(
      'local.yaml',
      documents(
        { apiVersion: 'switchyard.io/v1alpha1', kind: 'ModelRoute', metadata: { name: 'local', namespace: 'team-a' }, spec: {} },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } },
      ),
    );
    const unchanged = await waitForRecord(gateway, from, (r) => r.msg === 'configuration changed; the routing table served is unchanged');
    expect(unchanged.version).toBe(1);
    const logged = records(gateway.logs().slice(from));
    const warnings = logged.filter((r) => r.msg === 'configuration warning').map((r) => r.warning);
    expect(warnings).toContain(
      `${gateway.configDir}/local.yaml (document 1): ignored ModelRoute team-a/local with apiVersion switchyard.io/v1alpha1: ` +
        'group switchyard.io is not switchyard.dev; a ModelRoute needs apiVersion: switchyard.dev/v1alpha1',
    );
    expect(logged.filter((r) => r.msg === 'configuration note').map((r) => r.note)).toContain(
      `${gateway.configDir}/local.yaml (document 2): ignored apps/v1 Deployment default/web (not a Switchyard resource or Secret)`,
    );
    expect(await servedTableVersion(gateway)).toBe('1');
  });

  it('says the configuration is valid again when a rejected change is undone, and numbers tables without gaps', async () => {
    let from = gateway.logs().length;
    await gateway.writeManifest(
      'routes.yaml',
      documents(routeObject({ name: 'steady', backends: [{ ...mockBackend('steady-backend'), mock: { failureRate: 0.5 } }] })),
    );
    const rejected = await waitForRecord(gateway, from, (r) => r.msg?.startsWith('configuration change rejected') === true);
    expect(rejected.reason).toContain('spec.backends[0].mock.failureRate: must be an integer or a string (quote it: "0.5")');

    from = gateway.logs().length;
    await gateway.writeManifest('routes.yaml', ROUTES);
    const valid = await waitForRecord(gateway, from, (r) => r.msg === 'configuration valid again; the routing table served is unchanged');
    expect(valid.level).toBe('info');
    expect(valid.version).toBe(1);
    // The recovery is the last thing said, not the rejection.
    const since = records(gateway.logs().slice(from));
    expect(since[since.length - 1]?.msg).toBe('configuration valid again; the routing table served is unchanged');

    // Three content changes so far, none of which changed the table: the next table is version 2.
    from = gateway.logs().length;
    await gateway.writeManifest(
      'routes.yaml',
      documents(routeObject({ name: 'steady', backends: [mockBackend('steady-backend', { response: 'two' })] })),
    );
    const reloaded = await waitForRecord(gateway, from, (r) => r.msg === 'routing table reloaded');
    expect(reloaded.version).toBe(2);
    expect(await servedTableVersion(gateway)).toBe('2');
    const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'steady', messages: HELLO });
    expect(response.status).toBe(200);
  });
});

describe('standalone start with a missing credential Secret', () => {
  it('fails naming the Secret and the key it was needed for', async () => {
    const error = await startGateway({
      manifests: {
        'local.yaml': documents(
          routeObject({ name: 'local', backends: [openAIBackend('local', 'http://127.0.0.1:9', { secret: 'local-secret' })] }),
        ),
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayStartError);
    expect((error as GatewayStartError).output).toContain(
      'ModelRoute default/local: Accepted=False (NoBackends): no backend left: every backend is missing its credentials; ' +
        'backend local: Secret default/local-secret not found (needed for key "apiKey")',
    );
  });
});
