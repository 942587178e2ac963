// Builders for test manifests: a valid object by default, overridden field by field.

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  BackendSpec,
  BudgetManifest,
  BudgetSpec,
  MCPServerManifest,
  MCPServerSpec,
  ModelRouteManifest,
  ModelRouteSpec,
  ObjectMeta,
  SecretManifest,
  VirtualKeyManifest,
  VirtualKeySpec,
} from '../../src/index.js';

// Compiled tests live in compiler/dist/test/support; the repository root is four levels up.
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const crdDir = resolve(repoRoot, 'crds');

const API = 'switchyard.dev/v1alpha1';

type Meta = Partial<ObjectMeta> & { name: string };

function meta(m: Meta): ObjectMeta {
  return { namespace: 'default', ...m };
}

export function openaiBackend(overrides: Partial<BackendSpec> = {}): BackendSpec {
  return {
    name: 'openai-main',
    provider: 'openai',
    model: 'gpt-4o-2024-08-06',
    credentials: [{ secretRef: { name: 'openai', key: 'apiKey' } }],
    ...overrides,
  };
}

export function route(m: Meta, spec: Partial<ModelRouteSpec> = {}): ModelRouteManifest {
  return {
    apiVersion: API,
    kind: 'ModelRoute',
    metadata: meta(m),
    spec: { model: m.name, backends: [openaiBackend()], ...spec },
  };
}

export function virtualKey(m: Meta, spec: Partial<VirtualKeySpec> = {}): VirtualKeyManifest {
  return { apiVersion: API, kind: 'VirtualKey', metadata: meta(m), spec: { secretName: `${m.name}-key`, ...spec } };
}

export function budget(m: Meta, spec: Partial<BudgetSpec> = {}): BudgetManifest {
  return { apiVersion: API, kind: 'Budget', metadata: meta(m), spec: { selector: {}, limit: '100', ...spec } };
}

export function mcpServer(m: Meta, spec: Partial<MCPServerSpec> = {}): MCPServerManifest {
  return { apiVersion: API, kind: 'MCPServer', metadata: meta(m), spec: { url: 'https://mcp.example.com/mcp', ...spec } };
}

/** A Secret as the API server serves it: values base64 in data. */
export function secret(m: Meta, entries: Record<string, string>): SecretManifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(m),
    data: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')])),
  };
}

export const DEMO_KEY = 'sk-sy-demo0000000000000000000000000000';

/** A key Secret for virtualKey({name}) with a distinct, valid key. */
export function keySecret(name: string, namespace = 'default', key = `sk-sy-${name}-${namespace}-0123456789abcdef`): SecretManifest {
  return secret({ name: `${name}-key`, namespace }, { key });
}

/** Deep copy with one change, for "same manifest except" cases. */
export function withChange<T>(value: T, change: (copy: T) => void): T {
  const copy = structuredClone(value);
  change(copy);
  return copy;
}
