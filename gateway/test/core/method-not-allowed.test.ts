// Every path a front door declares answers the methods it does not serve with a 405, an `Allow`
// header listing the ones it does, and an error body in that front door's shape naming the method
// and the path; paths no front door declares stay 404. The table is built from the declarations
// themselves (an exact path, or a parameterized path's declared example), so an endpoint added
// later is covered without editing this test; requests go to the real gateway over HTTP.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FrontDoorEndpoint } from '../../src/frontdoors/front-door.js';
import { createFrontDoorRoutes } from '../../src/server/front-door-routes.js';
import type { CallerFormat } from '../../src/unified/front-door-codec.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { documents, keyObjects, mockBackend, routeObject, testKey } from './core-fixtures.js';

const key = testKey('methods');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const endpoints: FrontDoorEndpoint[] = createFrontDoorRoutes().flatMap((door) => door.endpoints);

function concretePath(endpoint: FrontDoorEndpoint): string {
  return typeof endpoint.path === 'string' ? endpoint.path : endpoint.path.example;
}

/** Whether `endpoint` is declared for `path`, read from the declaration (not from the router under test). */
function serves(endpoint: FrontDoorEndpoint, path: string): boolean {
  const declared = endpoint.path;
  if (typeof declared === 'string') return declared === path;
  return path.startsWith(declared.prefix) && declared.match(path.slice(declared.prefix.length)) !== undefined;
}

/** The LLM front doors' formats, and `mcp`: JSON-RPC errors (`/mcp`). */
type ErrorFormat = CallerFormat | 'mcp';

interface Row {
  path: string;
  method: string;
  allowed: string[];
  format: ErrorFormat;
}

/** One row per declared path and method it is not declared for. */
function rows(): Row[] {
  const byPath = new Map<string, FrontDoorEndpoint[]>();
  for (const endpoint of endpoints) {
    const path = concretePath(endpoint);
    if (!byPath.has(path))
      byPath.set(
        path,
        endpoints.filter((candidate) => serves(candidate, path)),
      );
  }
  const table: Row[] = [];
  for (const [path, served] of byPath) {
    const declared = new Set<string>(served.map((endpoint) => endpoint.method));
    const allowed = METHODS.filter((method) => declared.has(method)).flatMap((method) => (method === 'GET' ? ['GET', 'HEAD'] : [method]));
    const door = served[0]?.frontDoor;
    const format: ErrorFormat = door === undefined ? 'openai' : 'format' in door ? door.format : 'mcp';
    for (const method of METHODS) if (!declared.has(method)) table.push({ path, method, allowed, format });
  }
  return table;
}

/** The message of an error body in `format`'s shape; fails when the body is not in that shape. */
function messageIn(format: ErrorFormat, body: unknown): string {
  switch (format) {
    case 'mcp':
      expect(body).toEqual({ jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.any(String) } });
      break;
    case 'openai':
    case 'openai-responses':
      expect(body).toEqual({
        error: { message: expect.any(String), type: 'invalid_request_error', code: 'method_not_allowed', param: null },
      });
      break;
    case 'anthropic':
      expect(body).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.any(String) } });
      break;
    case 'gemini':
      expect(body).toMatchObject({ error: { code: 405, status: 'UNIMPLEMENTED', message: expect.any(String) } });
      break;
  }
  return (body as { error: { message: string } }).error.message;
}

describe('wrong method on a declared path', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await startGateway({
      manifests: { 'all.yaml': documents(...keyObjects({ name: 'k', key }), routeObject({ name: 'echo', backends: [mockBackend('m')] })) },
    });
  });
  afterAll(async () => gateway?.stop());

  const table = rows();

  it('covers every front door and both kinds of path', () => {
    expect(new Set(table.map((row) => row.format))).toEqual(new Set(['openai', 'openai-responses', 'anthropic', 'gemini', 'mcp']));
    expect(table.some((row) => row.path === '/v1/chat/completions' && row.method === 'GET')).toBe(true);
    expect(endpoints.some((endpoint) => typeof endpoint.path !== 'string')).toBe(true);
    // Each example must reach its own endpoint, or the table above would test the wrong path.
    for (const endpoint of endpoints) expect(serves(endpoint, concretePath(endpoint))).toBe(true);
  });

  it.each(table.map((row) => [row.method, row.path, row] as const))('%s %s: 405 with Allow', async (method, path, row) => {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(method === 'GET' ? {} : { body: '{}' }),
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(row.allowed.join(', '));
    const message = messageIn(row.format, await response.json());
    expect(message).toContain(`${method} ${path}`);
    for (const allowed of row.allowed) expect(message).toContain(allowed);
  });

  it('answers HEAD on a POST-only path with 405 and Allow', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'HEAD' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it.each([
    ['GET', '/v1/chat/completion'],
    ['POST', '/v1/nothing-here'],
    ['GET', '/anthropic/v1/messages/batches'],
    ['DELETE', '/genai/v1beta/models/echo:predict'],
    ['PUT', '/genai/v2/models'],
  ])('%s %s: an unknown path stays 404', async (method, path) => {
    const response = await fetch(`${gateway.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(404);
    expect(response.headers.get('allow')).toBeNull();
    await response.arrayBuffer();
  });
});
