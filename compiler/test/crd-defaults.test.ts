// The CRD defaults (applied by the API server, and by ajv in standalone mode) and the compiler's
// own fallbacks (CRD_DEFAULTS) must be the same numbers.

import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  compileRoutingTable,
  CRD_DEFAULTS,
  loadCrdSchemas,
  type CrdSchemas,
  type ModelRouteManifest,
  type OpenApiSchema,
  type VirtualKeyManifest,
  type BudgetManifest,
} from '../src/index.js';
import { budget, crdDir, keySecret, route, secret, virtualKey } from './support/manifests.js';

let schemas: CrdSchemas;
beforeAll(() => {
  schemas = loadCrdSchemas(crdDir);
});

function schemaAt(kind: 'ModelRoute' | 'VirtualKey' | 'Budget', path: string[]): OpenApiSchema {
  let node = schemas.schemaOf(kind);
  for (const segment of path) {
    node = segment === '[]' ? (node.items as OpenApiSchema) : (node.properties?.[segment] as OpenApiSchema);
    if (!node) throw new Error(`no schema at ${path.join('.')}`);
  }
  return node;
}

describe('CRD defaults', () => {
  const declared: [string, 'ModelRoute' | 'VirtualKey' | 'Budget', string[], unknown][] = [
    ['backend weight', 'ModelRoute', ['spec', 'backends', '[]', 'weight'], CRD_DEFAULTS.backendWeight],
    ['backend priority', 'ModelRoute', ['spec', 'backends', '[]', 'priority'], CRD_DEFAULTS.backendPriority],
    ['credential weight', 'ModelRoute', ['spec', 'backends', '[]', 'credentials', '[]', 'weight'], CRD_DEFAULTS.credentialWeight],
    ['azure apiVersion', 'ModelRoute', ['spec', 'backends', '[]', 'azure', 'apiVersion'], CRD_DEFAULTS.azureApiVersion],
    [
      'bedrock ambient',
      'ModelRoute',
      ['spec', 'backends', '[]', 'bedrock', 'useAmbientCredentials'],
      CRD_DEFAULTS.bedrockUseAmbientCredentials,
    ],
    ['mock latency', 'ModelRoute', ['spec', 'backends', '[]', 'mock', 'latency'], CRD_DEFAULTS.mockLatency],
    ['mock failure rate', 'ModelRoute', ['spec', 'backends', '[]', 'mock', 'failureRate'], CRD_DEFAULTS.mockFailureRate],
    ['retry attempts', 'ModelRoute', ['spec', 'retry', 'attempts'], CRD_DEFAULTS.retryAttempts],
    ['backoff initial', 'ModelRoute', ['spec', 'retry', 'backoff', 'initial'], CRD_DEFAULTS.retryBackoffInitial],
    ['backoff max', 'ModelRoute', ['spec', 'retry', 'backoff', 'max'], CRD_DEFAULTS.retryBackoffMax],
    ['retry on', 'ModelRoute', ['spec', 'retry', 'on'], CRD_DEFAULTS.retryOn],
    ['connect timeout', 'ModelRoute', ['spec', 'timeouts', 'connect'], CRD_DEFAULTS.timeoutConnect],
    ['first-byte timeout', 'ModelRoute', ['spec', 'timeouts', 'firstByte'], CRD_DEFAULTS.timeoutFirstByte],
    ['total timeout', 'ModelRoute', ['spec', 'timeouts', 'total'], CRD_DEFAULTS.timeoutTotal],
    ['stream idle timeout', 'ModelRoute', ['spec', 'timeouts', 'streamIdle'], CRD_DEFAULTS.timeoutStreamIdle],
    ['consecutive failures', 'ModelRoute', ['spec', 'outlierDetection', 'consecutiveFailures'], CRD_DEFAULTS.outlierConsecutiveFailures],
    ['ejection time', 'ModelRoute', ['spec', 'outlierDetection', 'ejectionTime'], CRD_DEFAULTS.outlierEjectionTime],
    ['defaultMaxTokens', 'ModelRoute', ['spec', 'defaultMaxTokens'], CRD_DEFAULTS.defaultMaxTokens],
    ['key disabled', 'VirtualKey', ['spec', 'disabled'], CRD_DEFAULTS.keyDisabled],
    ['budget period', 'Budget', ['spec', 'period'], CRD_DEFAULTS.budgetPeriod],
    ['budget enforcement', 'Budget', ['spec', 'enforcement'], CRD_DEFAULTS.budgetEnforcement],
  ];
  it.each(declared)('%s: the CRD declares the compiler default', (_name, kind, path, expected) => {
    expect(schemaAt(kind, path).default).toEqual(expected);
  });

  it('applies defaults to a minimal route the way the API server does', () => {
    const result = schemas.validate(route({ name: 'gpt-4o' }, { backends: [{ name: 'm', provider: 'mock', model: 'm', mock: {} }] }));
    const spec = (result.value as ModelRouteManifest).spec;
    expect(spec.backends[0]).toEqual({
      name: 'm',
      provider: 'mock',
      model: 'm',
      priority: 0,
      weight: 1,
      mock: { latency: '0s', failureRate: '0' },
    });
    expect(spec.retry).toEqual({
      attempts: 2,
      backoff: { initial: '250ms', max: '4s' },
      on: ['RateLimited', 'ServerError', 'Timeout', 'ConnectError'],
    });
    expect(spec.timeouts).toEqual({ connect: '5s', firstByte: '30s', total: '300s', streamIdle: '60s' });
    expect(spec.outlierDetection).toEqual({ consecutiveFailures: 5, ejectionTime: '30s' });
    expect(spec.defaultMaxTokens).toBe(4096);
  });

  it('fills only what is missing', () => {
    const result = schemas.validate(route({ name: 'gpt-4o' }, { retry: { attempts: 5 }, timeouts: { total: '10m' } }));
    const spec = (result.value as ModelRouteManifest).spec;
    expect(spec.retry?.attempts).toBe(5);
    expect(spec.retry?.backoff).toEqual({ initial: '250ms', max: '4s' });
    expect(spec.timeouts?.total).toBe('10m');
    expect(spec.backends[0]?.credentials?.[0]?.weight).toBe(1);
  });

  it('defaults keys and budgets', () => {
    expect((schemas.validate(virtualKey({ name: 'k' })).value as VirtualKeyManifest).spec.disabled).toBe(false);
    const b = (schemas.validate(budget({ name: 'b' })).value as BudgetManifest).spec;
    expect([b.period, b.enforcement]).toEqual(['Monthly', 'Block']);
  });

  it('compiles an undefaulted route to the same table as a defaulted one', () => {
    const raw = route({ name: 'gpt-4o' });
    const defaulted = schemas.validate(raw).value as ModelRouteManifest;
    const common = {
      virtualKeys: [virtualKey({ name: 'k' })],
      budgets: [],
      secrets: [secret({ name: 'openai' }, { apiKey: 'sk-x' }), keySecret('k')],
      sharedNamespaces: ['default'],
      version: 1,
    };
    const fromRaw = compileRoutingTable({ ...common, routes: [raw] });
    const fromDefaulted = compileRoutingTable({ ...common, routes: [defaulted] });
    expect(fromRaw.table.hash).toBe(fromDefaulted.table.hash);
    const compiled = fromRaw.table.routes['default/gpt-4o'];
    expect(compiled?.retry).toEqual({
      attempts: 2,
      initialBackoffMs: 250,
      maxBackoffMs: 4000,
      on: ['RateLimited', 'ServerError', 'Timeout', 'ConnectError'],
    });
    expect(compiled?.timeouts).toEqual({ connectMs: 5000, firstByteMs: 30000, totalMs: 300000, streamIdleMs: 60000 });
    expect(compiled?.outlierDetection).toEqual({ consecutiveFailures: 5, ejectionTimeMs: 30000 });
    expect(compiled?.defaultMaxTokens).toBe(4096);
    expect(compiled?.backends[0]).toMatchObject({ priority: 0, weight: 1, baseURL: 'https://api.openai.com/v1' });
  });
});
