// Hosted tools from an OpenAPI document, through a real gateway process in standalone mode: an
// HTTP API on loopback described by a real OpenAPI 3 document (in a ConfigMap among the
// manifests), the official MCP SDK client on POST /mcp. The tools are listed with their schemas,
// calls become the right HTTP requests (path parameters encoded, query, headers, JSON body,
// the server's bearer token and headers), non-2xx answers and redirects are tool errors, the
// key's allowedTools and the server's toolFilter still apply, the egress guard refuses a denied
// address, answers are bounded, and an invalid document is reported while the last good table
// keeps serving.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { stringify } from 'yaml';
import { API_VERSION, documents, testKey } from '../core/core-fixtures.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';

const KEYS = { full: testKey('oapifull'), narrow: testKey('oapinarrow') };
const API_TOKEN = 'pets-api-token-0123456789abcdef';
const MAX_RESULT_BYTES = 8192;

/** The API the document describes: what reached it, and a 401 for anything without the token. */
interface PetsApi {
  readonly origin: string;
  readonly requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

const PETS: Record<string, { id: string; name: string }> = { 'a b/c': { id: 'a b/c', name: 'Slash' }, rex: { id: 'rex', name: 'Rex' } };

async function startPetsApi(): Promise<PetsApi> {
  const requests: PetsApi['requests'] = [];
  const json = (res: ServerResponse, status: number, value: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.headers.authorization !== `Bearer ${API_TOKEN}`) return json(res, 401, { error: 'unauthorized' });
      const url = new URL(req.url ?? '/', 'http://api');
      if (req.method === 'GET' && url.pathname === '/v1/pets') {
        const limit = Number(url.searchParams.get('limit') ?? '10');
        return json(res, 200, { pets: Object.values(PETS).slice(0, limit), tags: url.searchParams.getAll('tag') });
      }
      if (req.method === 'POST' && url.pathname === '/v1/pets') {
        const pet = JSON.parse(body) as { name: string };
        return json(res, 201, { id: 'new-1', name: pet.name });
      }
      if (req.method === 'GET' && url.pathname === '/v1/moved') {
        res.writeHead(302, { location: '/v1/pets' }).end();
        return;
      }
      if (req.method === 'GET' && url.pathname === '/v1/huge') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(MAX_RESULT_BYTES * 2));
        return;
      }
      const match = /^\/v1\/pets\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && match) {
        const pet = PETS[decodeURIComponent(match[1] as string)];
        return pet ? json(res, 200, pet) : json(res, 404, { error: 'no such pet' });
      }
      json(res, 404, { error: 'no route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The API's OpenAPI 3.0 document (YAML in the ConfigMap). */
const PETS_DOCUMENT = {
  openapi: '3.0.3',
  info: { title: 'Pets', version: '1.0.0' },
  paths: {
    '/pets': {
      get: {
        operationId: 'listPets',
        summary: 'List pets',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer' } },
          { name: 'tag', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
          { name: 'X-Request-Id', in: 'header', schema: { type: 'string' } },
          { name: 'x-team', in: 'header', schema: { type: 'string' } },
        ],
      },
      post: {
        operationId: 'createPet',
        summary: 'Create a pet',
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } } },
      },
    },
    '/pets/{petId}': {
      get: {
        operationId: 'getPet',
        description: 'One pet by id.',
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
      },
      delete: { operationId: 'deletePet', parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }] },
    },
    '/moved': { get: { operationId: 'moved' } },
    '/huge': { get: { operationId: 'huge' } },
  },
  components: {
    schemas: { NewPet: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tag: { type: 'string' } } } },
  },
};

function key(name: string, plaintext: string, allowedTools: string[]): unknown[] {
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-key` }, stringData: { key: plaintext } },
    { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name }, spec: { secretName: `${name}-key`, mcp: { allowedTools } } },
  ];
}

function manifests(api: PetsApi): string {
  const port = new URL(api.origin).port;
  return documents(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pets-api' }, data: { 'openapi.yaml': stringify(PETS_DOCUMENT) } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pets-token' }, stringData: { token: API_TOKEN } },
    {
      apiVersion: API_VERSION,
      kind: 'MCPServer',
      metadata: { name: 'pets' },
      spec: {
        openapi: { configMapRef: { name: 'pets-api', key: 'openapi.yaml' }, baseURL: `${api.origin}/v1` },
        auth: { type: 'bearer', secretRef: { name: 'pets-token', key: 'token' } },
        headers: [{ name: 'X-Team', value: 'platform' }],
        toolFilter: { exclude: ['delete*'] },
        timeouts: { call: '10s' },
      },
    },
    // The same API at an address the egress guard refuses.
    {
      apiVersion: API_VERSION,
      kind: 'MCPServer',
      metadata: { name: 'guarded' },
      spec: { openapi: { inline: JSON.stringify(PETS_DOCUMENT), baseURL: `http://127.0.0.2:${port}/v1`, operations: ['getPet'] } },
    },
    ...key('full', KEYS.full, ['*']),
    ...key('narrow', KEYS.narrow, ['pets__getPet']),
  );
}

async function connect(gateway: GatewayProcess, plaintext: string): Promise<Client> {
  const client = new Client({ name: 'openapi-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${plaintext}` } },
    }),
  );
  return client;
}

function text(result: object): string {
  const [first] = ((result as { content?: unknown }).content ?? []) as Array<{ type: string; text?: string }>;
  return first?.text ?? '';
}

describe('hosted tools from an OpenAPI document', () => {
  let api: PetsApi;
  let gateway: GatewayProcess;
  let full: Client;

  beforeAll(async () => {
    api = await startPetsApi();
    gateway = await startGateway({
      manifests: { 'pets.yaml': manifests(api) },
      args: ['--deny-upstream-cidrs', '127.0.0.2/32', '--mcp-max-result-bytes', String(MAX_RESULT_BYTES)],
    });
    full = await connect(gateway, KEYS.full);
  }, 30_000);

  afterAll(async () => {
    await full?.close();
    await gateway?.stop();
    await api?.close();
  });

  it('lists each selected operation as a tool with its description and input schema; toolFilter still applies', async () => {
    const { tools } = await full.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'guarded__getPet',
      'pets__createPet',
      'pets__getPet',
      'pets__huge',
      'pets__listPets',
      'pets__moved',
    ]);
    const list = tools.find((tool) => tool.name === 'pets__listPets');
    expect(list?.description).toBe('List pets');
    expect(list?.inputSchema).toEqual({
      type: 'object',
      properties: {
        limit: { type: 'integer' },
        tag: { type: 'array', items: { type: 'string' } },
        'X-Request-Id': { type: 'string' },
        'x-team': { type: 'string' },
      },
      additionalProperties: false,
    });
    const create = tools.find((tool) => tool.name === 'pets__createPet');
    expect(create?.inputSchema).toEqual({
      type: 'object',
      properties: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tag: { type: 'string' } } } },
      required: ['body'],
      additionalProperties: false,
    });
    expect(tools.find((tool) => tool.name === 'pets__getPet')?.inputSchema).toMatchObject({ required: ['petId'] });
  });

  it('runs a call as the HTTP request the operation describes, with the credentials, and returns the JSON answer', async () => {
    const before = api.requests.length;
    const result = await full.callTool({ name: 'pets__getPet', arguments: { petId: 'a b/c' } });
    expect(result.isError).toBeFalsy();
    expect(JSON.parse(text(result))).toEqual({ id: 'a b/c', name: 'Slash' });
    expect(result.structuredContent).toEqual({ id: 'a b/c', name: 'Slash' });
    const [request] = api.requests.slice(before);
    // The path parameter is encoded, `/` included: it names one pet, not another path.
    expect(request).toMatchObject({ method: 'GET', url: '/v1/pets/a%20b%2Fc' });
    expect(request?.headers.authorization).toBe(`Bearer ${API_TOKEN}`);
    expect(request?.headers['x-team']).toBe('platform');
  });

  it('sends query parameters (arrays repeated) and header parameters', async () => {
    const before = api.requests.length;
    const result = await full.callTool({
      name: 'pets__listPets',
      arguments: { limit: 1, tag: ['x', 'y'], 'X-Request-Id': 'req-7', 'x-team': 'intruder' },
    });
    expect(result.structuredContent).toEqual({ pets: [{ id: 'a b/c', name: 'Slash' }], tags: ['x', 'y'] });
    const [request] = api.requests.slice(before);
    expect(request?.url).toBe('/v1/pets?limit=1&tag=x&tag=y');
    expect(request?.headers['x-request-id']).toBe('req-7');
    // A header parameter named like one of the server's headers never replaces it.
    expect(request?.headers['x-team']).toBe('platform');
  });

  it('sends the JSON request body', async () => {
    const before = api.requests.length;
    const result = await full.callTool({ name: 'pets__createPet', arguments: { body: { name: 'Tom', tag: 'cat' } } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ id: 'new-1', name: 'Tom' });
    const [request] = api.requests.slice(before);
    expect(request).toMatchObject({ method: 'POST', url: '/v1/pets' });
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ name: 'Tom', tag: 'cat' });
  });

  it('turns a non-2xx answer into a tool error naming the status, and does not follow redirects', async () => {
    const missing = await full.callTool({ name: 'pets__getPet', arguments: { petId: 'nobody' } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toBe('the API answered HTTP 404: {"error":"no such pet"}');

    const before = api.requests.length;
    const moved = await full.callTool({ name: 'pets__moved', arguments: {} });
    expect(moved.isError).toBe(true);
    expect(text(moved)).toContain('HTTP 302 (redirects are not followed)');
    expect(api.requests.slice(before).map((request) => request.url)).toEqual(['/v1/moved']);
  });

  it('refuses arguments that do not fit the operation before calling the API', async () => {
    const before = api.requests.length;
    const missing = await full.callTool({ name: 'pets__getPet', arguments: {} });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain('missing required argument "petId" (path parameter petId)');
    const unknown = await full.callTool({ name: 'pets__getPet', arguments: { petId: 'rex', color: 'red' } });
    expect(text(unknown)).toContain('unknown argument "color"');
    const dots = await full.callTool({ name: 'pets__getPet', arguments: { petId: '..' } });
    expect(text(dots)).toContain('path parameter petId may not be ".."');
    expect(api.requests.length).toBe(before);
  });

  it('bounds the answer by --mcp-max-result-bytes', async () => {
    const result = await full.callTool({ name: 'pets__huge', arguments: {} });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain(`larger than the ${MAX_RESULT_BYTES}-byte limit (--mcp-max-result-bytes)`);
  });

  it("keeps to the key's allowedTools and the server's toolFilter", async () => {
    const narrow = await connect(gateway, KEYS.narrow);
    try {
      expect((await narrow.listTools()).tools.map((tool) => tool.name)).toEqual(['pets__getPet']);
      const before = api.requests.length;
      await expect(narrow.callTool({ name: 'pets__createPet', arguments: { body: { name: 'x' } } })).rejects.toThrow(
        /unknown tool: pets__createPet/,
      );
      // Excluded by toolFilter: not callable even with allowedTools ['*'].
      await expect(full.callTool({ name: 'pets__deletePet', arguments: { petId: 'rex' } })).rejects.toThrow(
        /unknown tool: pets__deletePet/,
      );
      expect(api.requests.length).toBe(before);
    } finally {
      await narrow.close();
    }
  });

  it('refuses a base URL the egress guard denies', async () => {
    const result = await full.callTool({ name: 'guarded__getPet', arguments: { petId: 'rex' } });
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('refused by the egress guard (its address is in --deny-upstream-cidrs)');
  });

  it('reports an invalid document and keeps serving the last good table', async () => {
    const broken = { ...PETS_DOCUMENT, paths: { '/pets/{petId}': { get: { operationId: 'getPet' } } } };
    const fine = manifests(api);
    await gateway.writeManifest(
      'pets.yaml',
      fine.replace(JSON.stringify(JSON.stringify(PETS_DOCUMENT)), JSON.stringify(JSON.stringify(broken))),
    );
    await eventually(
      async () =>
        /configuration change rejected.*MCPServer default\/guarded.*InvalidOpenAPIDocument.*path parameter \{petId\} is not declared/.test(
          gateway.logs(),
        ),
      15_000,
    );
    const result = await full.callTool({ name: 'pets__getPet', arguments: { petId: 'rex' } });
    expect(result.structuredContent).toEqual({ id: 'rex', name: 'Rex' });
  });
});
