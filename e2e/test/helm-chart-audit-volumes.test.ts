// The chart's values for the request audit log (gateway.audit) and for mounting vault volumes
// that backends read file credentials from (gateway.extraVolumes, gateway.extraVolumeMounts):
// rendered with helm, the gateway's own flag parser accepts the args they add, and the Pod
// carries the volume and the mount.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { argsOf, containersOf, findDoc, helmPath, names, podSpecOf, REPO_ROOT, renderChart, skipNotice } from './helm-chart-support.js';
import { jsonPath } from './support/json-path.js';

const GATEWAY_FLAGS = join(REPO_ROOT, 'gateway', 'dist', 'src', 'cli', 'gateway-flags.js');
const ready = helmPath() !== undefined && existsSync(GATEWAY_FLAGS);
const describeWhenReady = ready ? describe : describe.skip;
if (!helmPath()) skipNotice('chart audit and volume tests');

const VAULT_VALUES = [
  '--set',
  'gateway.audit.log=stdout',
  '--set',
  'gateway.audit.otlp=true',
  '--set',
  'gateway.audit.buffer=2000',
  '--set',
  'gateway.audit.flushTimeout=3s',
  '--set-json',
  'gateway.extraEnv=[{"name":"OTEL_EXPORTER_OTLP_ENDPOINT","value":"http://otel-collector.observability:4318"}]',
  '--set-json',
  'gateway.extraVolumes=[{"name":"vault-openai","csi":{"driver":"secrets-store.csi.k8s.io","readOnly":true,"volumeAttributes":{"secretProviderClass":"openai-key"}}}]',
  '--set-json',
  'gateway.extraVolumeMounts=[{"name":"vault-openai","mountPath":"/vault/openai","readOnly":true}]',
];

describeWhenReady('chart values for the audit log and vault volumes', () => {
  it('adds no audit flag and no extra volume by default', async () => {
    const gateway = findDoc(await renderChart(), 'Deployment', names.gateway);
    expect(argsOf(gateway).filter((arg) => arg.startsWith('--audit'))).toEqual([]);
    // The chart's own volumes only (issuer-discovery: callerTokens.serviceAccounts is on by default).
    expect((podSpecOf(gateway).volumes as Array<{ name: string }>).map((v) => v.name)).toEqual([
      'switchyard-credentials',
      'tmp',
      'issuer-discovery',
    ]);
  }, 60_000);

  it('renders the audit flags the gateway accepts, and mounts the CSI volume', async () => {
    const gateway = findDoc(await renderChart(VAULT_VALUES), 'Deployment', names.gateway);
    const args = argsOf(gateway);
    expect(args).toEqual(expect.arrayContaining(['--audit-log=stdout', '--audit-otlp', '--audit-buffer=2000', '--audit-flush-timeout=3s']));
    const module: unknown = await import(pathToFileURL(GATEWAY_FLAGS).href);
    const parse = jsonPath(module, 'parseGatewayFlags') as (args: string[], env?: NodeJS.ProcessEnv) => unknown;
    const flags = parse(
      args.slice(1).map((arg) => arg.replace('$(POD_IP)', '10.42.0.7')),
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318' },
    );
    expect(jsonPath(flags, 'audit')).toEqual({
      file: 'stdout',
      otlp: { endpoint: 'http://otel-collector.observability:4318/v1/logs', headers: {}, serviceName: 'switchyard-gateway' },
      bufferRecords: 2000,
      flushTimeoutMs: 3000,
    });
    expect(podSpecOf(gateway).volumes).toEqual(
      expect.arrayContaining([
        {
          name: 'vault-openai',
          csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'openai-key' } },
        },
      ]),
    );
    expect(containersOf(gateway)[0]?.volumeMounts).toEqual(
      expect.arrayContaining([{ name: 'vault-openai', mountPath: '/vault/openai', readOnly: true }]),
    );
  }, 60_000);
});
