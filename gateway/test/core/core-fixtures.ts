// Manifest builders and clients for the gateway core tests. Manifests are written as JSON
// documents (JSON is YAML) so a test states its objects as plain data.
import OpenAI from 'openai';
import type { GatewayProcess } from '../support/gateway-process.js';

export const API_VERSION = 'switchyard.dev/v1alpha1';

/** Virtual keys look like `sk-sy-` + 32+ base62 characters. */
export function testKey(label: string): string {
  const body = `${label.replace(/[^A-Za-z0-9]/g, '')}0123456789abcdefghijklmnopqrstuvwxyzABCDEF`;
  return `sk-sy-${body.slice(0, 40)}`;
}

export function documents(...objects: unknown[]): string {
  return `${objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n')}\n`;
}

export interface KeySpec {
  name: string;
  key: string;
  namespace?: string;
  allowedModels?: string[];
  disabled?: boolean;
  expiresAt?: string;
  labels?: Record<string, string>;
}

/** A VirtualKey and the Secret holding its key. */
export function keyObjects(spec: KeySpec): unknown[] {
  const namespace = spec.namespace ?? 'default';
  const vkSpec: Record<string, unknown> = { secretName: `${spec.name}-key` };
  if (spec.allowedModels !== undefined) vkSpec.allowedModels = spec.allowedModels;
  if (spec.disabled !== undefined) vkSpec.disabled = spec.disabled;
  if (spec.expiresAt !== undefined) vkSpec.expiresAt = spec.expiresAt;
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${spec.name}-key`, namespace }, stringData: { key: spec.key } },
    { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name: spec.name, namespace, labels: spec.labels ?? {} }, spec: vkSpec },
  ];
}

export interface RouteSpec {
  name: string;
  model?: string;
  namespace?: string;
  aliases?: string[];
  backends: Array<Record<string, unknown>>;
  retry?: Record<string, unknown>;
  timeouts?: Record<string, string>;
  outlierDetection?: Record<string, unknown>;
  fallbackModels?: string[];
}

export function routeObject(spec: RouteSpec): unknown {
  const routeSpec: Record<string, unknown> = { model: spec.model ?? spec.name, backends: spec.backends };
  if (spec.aliases !== undefined) routeSpec.aliases = spec.aliases;
  if (spec.retry !== undefined) routeSpec.retry = spec.retry;
  if (spec.timeouts !== undefined) routeSpec.timeouts = spec.timeouts;
  if (spec.outlierDetection !== undefined) routeSpec.outlierDetection = spec.outlierDetection;
  if (spec.fallbackModels !== undefined) routeSpec.fallbackModels = spec.fallbackModels;
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name: spec.name, namespace: spec.namespace ?? 'default' },
    spec: routeSpec,
  };
}

export function mockBackend(
  name: string,
  options: { latency?: string; failureRate?: string; response?: string; weight?: number; priority?: number } = {},
): Record<string, unknown> {
  const mock: Record<string, unknown> = {};
  if (options.latency !== undefined) mock.latency = options.latency;
  if (options.failureRate !== undefined) mock.failureRate = options.failureRate;
  if (options.response !== undefined) mock.response = options.response;
  const backend: Record<string, unknown> = { name, provider: 'mock', model: `${name}-model`, mock };
  if (options.weight !== undefined) backend.weight = options.weight;
  if (options.priority !== undefined) backend.priority = options.priority;
  return backend;
}

/** An `openai` backend pointed at a mock OpenAI server, reading its key from the `openai` Secret. */
export function openAIBackend(
  name: string,
  mockUrl: string,
  options: { weight?: number; priority?: number; model?: string; secret?: string } = {},
): Record<string, unknown> {
  const backend: Record<string, unknown> = {
    name,
    provider: 'openai',
    model: options.model ?? 'gpt-upstream',
    baseURL: `${mockUrl}/v1`,
    credentials: [{ secretRef: { name: options.secret ?? 'openai', key: 'apiKey' } }],
  };
  if (options.weight !== undefined) backend.weight = options.weight;
  if (options.priority !== undefined) backend.priority = options.priority;
  return backend;
}

export function secretObject(name: string, data: Record<string, string>, namespace = 'default'): unknown {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: data };
}

export function openAIClient(gateway: GatewayProcess, key: string, options: { timeoutMs?: number } = {}): OpenAI {
  return new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0, timeout: options.timeoutMs ?? 20_000 });
}

/** The OpenAI SDK's error for a request the gateway refused; anything else fails the test. */
export async function apiRefusal(request: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const caught = await request.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(caught instanceof OpenAI.APIError)) throw new Error(`expected an API error, got ${String(caught)}`);
  return caught;
}

/** A raw POST to the gateway, for what the SDK would not send. */
export async function postJson(
  gateway: GatewayProcess,
  path: string,
  key: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const all: Record<string, string> = { 'content-type': 'application/json', ...headers };
  if (key !== undefined) all.authorization = `Bearer ${key}`;
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: all,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, json };
}

export const HELLO = [{ role: 'user' as const, content: 'hello' }];

/** The `error` object of an OpenAI-shaped error body. */
export function errorOf(json: unknown): { message: string; type: string; code: string | null; param: string | null } {
  return (json as { error: { message: string; type: string; code: string | null; param: string | null } }).error;
}
