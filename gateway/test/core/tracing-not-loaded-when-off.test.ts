// Without an OTLP endpoint the gateway never loads the OpenTelemetry SDK (it costs resident
// memory the benchmark counts). A module-resolution hook in the gateway process reports every
// @opentelemetry module it resolves and who asked for it; with tracing on the same hook sees the
// SDK, so the check can fail. One exception predates tracing: prom-client's default CPU metric
// requires @opentelemetry/api (a few small modules) for exemplars, so the API alone may appear,
// asked for by prom-client or by the API itself, never by the gateway's code.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startOtlpCollector, type OtlpCollector } from '../mocks/otlp-collector.js';
import { startGateway } from '../support/gateway-process.js';
import { documents, HELLO, keyObjects, mockBackend, postJson, routeObject, testKey } from './core-fixtures.js';

const key = testKey('tracingoff');
const MARKER = 'opentelemetry-module-resolved';
const HOOK = `import { registerHooks } from 'node:module';
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (resolved.url.includes('/@opentelemetry/')) process.stderr.write('${MARKER} ' + resolved.url + ' from ' + (context.parentURL ?? '') + '\\n');
    return resolved;
  },
});
`;
const manifests = { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'm', backends: [mockBackend('b')] })) };
// OTEL variables from the environment running the tests must not leak into the "off" case.
const CLEARED = { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' };

describe('OpenTelemetry is not loaded when tracing is off', () => {
  let hookDir: string;
  let nodeOptions: string;
  let collector: OtlpCollector;

  beforeAll(async () => {
    hookDir = await mkdtemp(join(tmpdir(), 'switchyard-otel-hook-'));
    const hookFile = join(hookDir, 'report-otel-modules.mjs');
    await writeFile(hookFile, HOOK);
    nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(hookFile).href}`.trim();
    collector = await startOtlpCollector();
  });
  afterAll(async () => {
    await collector?.close();
    await rm(hookDir, { recursive: true, force: true });
  });

  it('no OTEL variables: a served request resolves no @opentelemetry module', async () => {
    const gateway = await startGateway({ manifests, env: { ...CLEARED, NODE_OPTIONS: nodeOptions } });
    try {
      const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'm', messages: HELLO });
      expect(response.status).toBe(200);
    } finally {
      await gateway.stop();
    }
    expect(gateway.logs()).toContain('"msg":"listening"');
    const resolved = resolvedOtelModules(gateway.logs());
    const unexpected = resolved.filter(
      ({ url, parent }) =>
        !url.includes('/@opentelemetry/api/') ||
        !(parent.includes('/node_modules/prom-client/') || parent.includes('/@opentelemetry/api/')),
    );
    expect(unexpected).toEqual([]);
  }, 60_000);

  it('control: with an endpoint set, the same hook sees the SDK load', async () => {
    const gateway = await startGateway({ manifests, env: { NODE_OPTIONS: nodeOptions, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url } });
    try {
      const response = await postJson(gateway, '/v1/chat/completions', key, { model: 'm', messages: HELLO });
      expect(response.status).toBe(200);
    } finally {
      await gateway.stop();
    }
    const resolved = resolvedOtelModules(gateway.logs());
    expect(resolved.some(({ url }) => url.includes('/@opentelemetry/sdk-node/'))).toBe(true);
    expect(resolved.some(({ url }) => url.includes('/@opentelemetry/exporter-trace-otlp-proto/'))).toBe(true);
  }, 60_000);
});

function resolvedOtelModules(logs: string): Array<{ url: string; parent: string }> {
  const found: Array<{ url: string; parent: string }> = [];
  for (const line of logs.split('\n')) {
    const match = new RegExp(`^${MARKER} (\\S+) from (\\S*)$`).exec(line);
    if (match !== null) found.push({ url: match[1] as string, parent: match[2] as string });
  }
  return found;
}
