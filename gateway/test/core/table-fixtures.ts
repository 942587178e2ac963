// Hand-built routing tables for tests of the table layer (no compiler involved).
import { hash } from 'node:crypto';
import type { CompiledBackend, CompiledRoute, CompiledVirtualKey, RoutingTable } from '@switchyard/compiler';

export function compiledBackend(name: string, extra: Partial<CompiledBackend> = {}): CompiledBackend {
  return {
    name,
    provider: 'mock',
    model: `${name}-model`,
    baseURL: '',
    credentials: [],
    priority: 0,
    weight: 1,
    mock: { latencyMs: 0, failureRate: 0 },
    ...extra,
  };
}

export function compiledRoute(name: string, backends: CompiledBackend[], extra: Partial<CompiledRoute> = {}): CompiledRoute {
  return {
    id: `default/${name}`,
    namespace: 'default',
    name,
    generation: 1,
    model: name,
    aliases: [],
    backends,
    retry: { attempts: 2, initialBackoffMs: 10, maxBackoffMs: 100, on: ['RateLimited', 'ServerError', 'Timeout', 'ConnectError'] },
    timeouts: { connectMs: 1000, firstByteMs: 1000, totalMs: 5000, streamIdleMs: 1000 },
    outlierDetection: { consecutiveFailures: 2, ejectionTimeMs: 60_000 },
    fallbackModels: [],
    defaultMaxTokens: 4096,
    ...extra,
  };
}

export function compiledKey(name: string, plaintext: string, extra: Partial<CompiledVirtualKey> = {}): CompiledVirtualKey {
  return {
    id: `default/${name}`,
    namespace: 'default',
    name,
    generation: 1,
    digest: hash('sha256', plaintext, 'hex'),
    keyHint: 'sk-sy-...',
    disabled: false,
    labels: {},
    budgetIds: [],
    ...extra,
  };
}

export function routingTable(routes: CompiledRoute[], keys: CompiledVirtualKey[] = [], version = 1): RoutingTable {
  const models: Record<string, string> = {};
  for (const route of routes) for (const name of [route.model, ...route.aliases]) models[name] = route.id;
  return {
    version,
    hash: `hash-${version}`,
    compiledAt: '2026-01-01T00:00:00Z',
    routes: Object.fromEntries(routes.map((r) => [r.id, r])),
    modelsByNamespace: { default: models },
    keys,
    budgets: [],
  };
}
