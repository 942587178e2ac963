// Shared pieces of the Anthropic front door's integration tests: the official Anthropic SDK with
// only its base URL changed (`<gateway>/anthropic`) and a virtual key as its API key, manifest
// builders, and readers for raw SSE answers.

import Anthropic from '@anthropic-ai/sdk';
import { SseDecoder } from '../../../src/wire/sse/sse-decoder.js';
import type { GatewayProcess } from '../../support/gateway-process.js';

const API_VERSION = 'switchyard.dev/v1alpha1';
export const FRONT_DOOR_KEY = 'sk-sy-AnthropicFrontDoor0123456789abcdefXYZ';

export const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

export function documents(...objects: unknown[]): string {
  return `${objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n')}\n`;
}

export function secret(name: string, data: Record<string, string>): unknown {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, stringData: data };
}

/** A VirtualKey (and its Secret) holding FRONT_DOOR_KEY, or another key. */
export function virtualKey(name = 'front-door', key = FRONT_DOOR_KEY, allowedModels?: string[]): unknown[] {
  const spec: Record<string, unknown> = { secretName: `${name}-key` };
  if (allowedModels !== undefined) spec['allowedModels'] = allowedModels;
  return [secret(`${name}-key`, { key }), { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name, namespace: 'default' }, spec }];
}

export function route(model: string, backends: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name: model, namespace: 'default' },
    spec: { model, backends, ...extra },
  };
}

export function anthropicClient(gateway: GatewayProcess, apiKey = FRONT_DOOR_KEY): Anthropic {
  return new Anthropic({ baseURL: `${gateway.url}/anthropic`, apiKey, maxRetries: 0, timeout: 20_000 });
}

export interface RawSseEvent {
  event: string | undefined;
  data: unknown;
}

/** POSTs a body to the gateway's Anthropic door and reads the SSE answer event by event. */
export async function postForEvents(
  gateway: GatewayProcess,
  body: unknown,
  apiKey = FRONT_DOOR_KEY,
): Promise<{ status: number; events: RawSseEvent[] }> {
  const response = await fetch(`${gateway.url}/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
  const decoder = new SseDecoder();
  const events: RawSseEvent[] = [];
  const bytes = new Uint8Array(await response.arrayBuffer());
  for (const event of [...decoder.push(bytes), ...decoder.end()]) {
    events.push({ event: event.event, data: JSON.parse(event.data) as unknown });
  }
  return { status: response.status, events };
}

/** The SSE event names in order, pings left out (their position is not part of the contract). */
export function eventNames(events: RawSseEvent[]): string[] {
  return events.map((e) => e.event ?? '').filter((name) => name !== 'ping');
}

/** Raw POST with the given headers, returning status, headers and parsed JSON. */
export async function postAnthropic(
  gateway: GatewayProcess,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: leave the text
  }
  return { status: response.status, headers: response.headers, json };
}
