// MCPServer spec.openapi (hosted tools): OpenAPI 3 documents from a ConfigMap or inline compiled
// into the operations the gateway offers as tools, with their input schemas; every document that
// cannot be served refused with the problem named; the CRD's one-of rules; standalone mode
// reading ConfigMaps from the manifests.

import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import {
  compileStandaloneFiles,
  ConfigError,
  type ConfigMapManifest,
  type MCPServerSpec,
  OPENAPI_MAX_DOCUMENT_BYTES,
  OPENAPI_MAX_OPERATIONS,
  OPENAPI_MAX_SCHEMA_NODES,
} from '../src/index.js';
import { compile, conditionOf } from './support/compile.js';
import { mcpServer } from './support/manifests.js';

const BASE = 'https://pets.example.com/v1';

/** A small but real OpenAPI 3.0 document: path, query and header parameters, a JSON body, $refs, nullable. */
function petstore(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Pets', version: '1' },
    servers: [{ url: 'https://elsewhere.example.com' }],
    paths: {
      '/pets': {
        get: {
          operationId: 'listPets',
          summary: 'List pets',
          description: 'Newest first.',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 100 }, description: 'How many' },
            { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
            { name: 'Authorization', in: 'header', schema: { type: 'string' } },
            { name: 'session', in: 'cookie', schema: { type: 'string' } },
          ],
        },
        post: {
          operationId: 'createPet',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewPet' } } } },
        },
      },
      '/pets/{petId}': {
        parameters: [{ $ref: '#/components/parameters/PetId' }],
        get: { summary: 'One pet' },
        delete: { operationId: 'deletePet', parameters: [{ name: 'petId', in: 'query', schema: { type: 'boolean' } }] },
      },
    },
    components: {
      parameters: { PetId: { name: 'petId', in: 'path', required: true, schema: { type: 'string' } } },
      schemas: {
        NewPet: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, tag: { type: 'string', nullable: true }, owner: { $ref: '#/components/schemas/Person' } },
        },
        Person: { type: 'object', properties: { name: { type: 'string' }, friend: { $ref: '#/components/schemas/Person' } } },
      },
    },
  };
}

function configMap(name: string, entries: Record<string, string>, namespace = 'default'): ConfigMapManifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: entries };
}

function compileOpenAPI(openapi: Record<string, unknown>, configMaps: ConfigMapManifest[] = [], extra: Partial<MCPServerSpec> = {}) {
  const spec = { url: undefined, openapi: { baseURL: BASE, ...openapi }, ...extra } as unknown as Partial<MCPServerSpec>;
  const result = compile({ objects: [mcpServer({ name: 'pets' }, spec)], configMaps });
  return {
    server: result.table.mcpServers?.['default/pets'],
    accepted: conditionOf(result.diagnostics, 'MCPServer', 'default/pets', 'Accepted'),
    refs: conditionOf(result.diagnostics, 'MCPServer', 'default/pets', 'ResolvedRefs'),
  };
}

function inline(document: unknown): { inline: string } {
  return { inline: JSON.stringify(document) };
}

describe('MCPServer spec.openapi', () => {
  it('compiles a YAML document from a ConfigMap into tools: names, descriptions, input schemas and request recipes', () => {
    const { server, accepted, refs } = compileOpenAPI({ configMapRef: { name: 'pets-api', key: 'openapi.yaml' } }, [
      configMap('pets-api', { 'openapi.yaml': stringify(petstore()) }),
    ]);
    expect(refs).toMatchObject({ status: 'True' });
    expect(accepted?.message).toBe(`offers 4 operations of the OpenAPI 3.0.3 document as pets__<tool>, called at ${BASE}`);
    expect(server?.transport).toBe('openapi');
    expect(server?.url).toBeUndefined();
    expect(server?.openapi).toMatchObject({ baseURL: BASE, source: 'ConfigMap default/pets-api key openapi.yaml', version: '3.0.3' });
    const operations = server?.openapi?.operations ?? [];
    // Sorted by name; the operation without an operationId is named from its method and path.
    expect(operations.map((operation) => operation.name)).toEqual(['createPet', 'deletePet', 'get_pets_petId', 'listPets']);

    const list = operations.find((operation) => operation.name === 'listPets');
    expect(list).toEqual({
      name: 'listPets',
      description: 'List pets\n\nNewest first.',
      method: 'GET',
      path: '/pets',
      // Authorization is the gateway's (auth), cookies are not sent: neither becomes an argument.
      parameters: [
        { property: 'limit', name: 'limit', in: 'query', required: false },
        { property: 'X-Trace', name: 'X-Trace', in: 'header', required: false },
      ],
      inputSchema: {
        type: 'object',
        properties: { limit: { type: 'integer', maximum: 100, description: 'How many' }, 'X-Trace': { type: 'string' } },
        additionalProperties: false,
      },
    });

    const create = operations.find((operation) => operation.name === 'createPet');
    expect(create?.body).toEqual({ required: true, mediaType: 'application/json' });
    const body = (create?.inputSchema.properties as Record<string, Record<string, unknown>> | undefined)?.body;
    expect(create?.inputSchema.required).toEqual(['body']);
    // $refs resolved, OpenAPI 3.0 nullable as a JSON Schema null type, a recursive reference cut.
    expect(body).toMatchObject({
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string' },
        tag: { type: ['string', 'null'] },
        owner: {
          type: 'object',
          properties: { friend: { description: '#/components/schemas/Person (a recursive reference; not expanded)' } },
        },
      },
    });

    // A path parameter from the path item and a query parameter of the same name: each named by its location.
    const remove = operations.find((operation) => operation.name === 'deletePet');
    expect(remove?.parameters).toEqual([
      { property: 'path_petId', name: 'petId', in: 'path', required: true },
      { property: 'query_petId', name: 'petId', in: 'query', required: false },
    ]);
    expect(remove?.inputSchema.required).toEqual(['path_petId']);
    expect(operations.find((operation) => operation.name === 'get_pets_petId')).toMatchObject({
      description: 'One pet',
      method: 'GET',
      path: '/pets/{petId}',
      parameters: [{ property: 'petId', in: 'path', required: true }],
    });
  });

  it('compiles an inline JSON document of OpenAPI 3.1 the same way, and selects operations by glob', () => {
    const document = { ...petstore(), openapi: '3.1.0' };
    const { server } = compileOpenAPI({ ...inline(document), operations: ['*Pets', 'create*'] });
    expect(server?.openapi?.source).toBe('inline');
    expect(server?.openapi?.version).toBe('3.1.0');
    expect(server?.openapi?.operations.map((operation) => operation.name)).toEqual(['createPet', 'listPets']);
  });

  it('leaves out operations it cannot call, saying which and why', () => {
    const document = petstore();
    (document.paths as Record<string, unknown>)['/upload'] = {
      post: { operationId: 'upload', requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object' } } } } },
    };
    const { server, accepted } = compileOpenAPI(inline(document));
    expect(server?.openapi?.operations.map((operation) => operation.name)).not.toContain('upload');
    expect(accepted?.message).toContain('left out: upload: its request body is not JSON (multipart/form-data)');
  });

  it.each([
    ['a missing ConfigMap', [], 'ConfigMapNotFound', 'ConfigMap default/pets-api not found'],
    [
      'a missing entry',
      [configMap('pets-api', { other: '{}' })],
      'ConfigMapKeyNotFound',
      'ConfigMap default/pets-api has no entry "openapi.yaml"',
    ],
  ])('reports %s as an unresolved reference', (_case, configMaps, reason, message) => {
    const { server, accepted, refs } = compileOpenAPI({ configMapRef: { name: 'pets-api', key: 'openapi.yaml' } }, configMaps);
    expect(server).toBeUndefined();
    expect(refs).toMatchObject({ status: 'False', reason });
    expect(refs?.message).toContain(message);
    expect(accepted).toMatchObject({ status: 'False', reason: 'UnresolvedRefs' });
  });

  const withPaths = (paths: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...petstore(), paths, ...extra });
  const manyOperations = Object.fromEntries(
    Array.from({ length: OPENAPI_MAX_OPERATIONS + 1 }, (_, index) => [`/op${index}`, { get: { operationId: `op${index}` } }]),
  );
  // Each level refers to the next twice: 2^40 nodes once expanded, from a document of a few KB.
  const fanOut = Object.fromEntries(
    Array.from({ length: 40 }, (_, index) => [
      `S${index}`,
      {
        type: 'object',
        properties: { a: { $ref: `#/components/schemas/S${index + 1}` }, b: { $ref: `#/components/schemas/S${index + 1}` } },
      },
    ]),
  );

  it.each<[string, string, string]>([
    ['text that is neither JSON nor YAML', '{"openapi": "3.0.0", paths: [', 'not valid JSON or YAML'],
    ['a Swagger 2.0 document', JSON.stringify({ swagger: '2.0', paths: {} }), 'Swagger 2.0 documents are not supported'],
    ['another version', JSON.stringify({ openapi: '4.0.0', paths: {} }), 'field openapi: must name version 3.0.x or 3.1.x'],
    ['no paths', JSON.stringify({ openapi: '3.1.0', info: {} }), 'field paths: must be an object'],
    [
      'an external $ref',
      JSON.stringify(withPaths({ '/a': { get: { operationId: 'a', parameters: [{ $ref: 'https://example.com/p.yaml#/P' }] } } })),
      '$ref "https://example.com/p.yaml#/P" points outside the document; only local references (#/components/...) are supported, nothing is fetched',
    ],
    [
      'a $ref to nothing',
      JSON.stringify(withPaths({ '/a': { get: { operationId: 'a', parameters: [{ $ref: '#/components/parameters/Nope' }] } } })),
      '$ref "#/components/parameters/Nope" points to nothing in the document',
    ],
    [
      'an undeclared path parameter',
      JSON.stringify(withPaths({ '/a/{id}': { get: { operationId: 'a' } } })),
      'paths./a/{id}.get: path parameter {id} is not declared in parameters',
    ],
    [
      'a header parameter that is no header name',
      JSON.stringify(withPaths({ '/a': { get: { operationId: 'a', parameters: [{ name: 'X Bad', in: 'header' }] } } })),
      'paths./a.get.parameters[0].name: "X Bad" is not a valid HTTP header name',
    ],
    [
      'two operations with one tool name',
      JSON.stringify(withPaths({ '/a-b': { get: {} }, '/a_b': { get: {} } })),
      'both become the tool "get_a_b"',
    ],
    [
      'more operations than allowed',
      JSON.stringify(withPaths(manyOperations)),
      `selects ${OPENAPI_MAX_OPERATIONS + 1} operations, more than the ${OPENAPI_MAX_OPERATIONS} one MCPServer may offer`,
    ],
    [
      'schemas that expand without bound',
      JSON.stringify(
        withPaths(
          {
            '/a': {
              post: { operationId: 'a', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/S0' } } } } },
            },
          },
          { components: { schemas: { ...fanOut, S40: { type: 'string' } } } },
        ),
      ),
      `expand to more than ${OPENAPI_MAX_SCHEMA_NODES} schema nodes`,
    ],
    [
      'a document over the size limit',
      `{"openapi": "3.0.0", "x": "${'a'.repeat(OPENAPI_MAX_DOCUMENT_BYTES)}"}`,
      `more than the ${OPENAPI_MAX_DOCUMENT_BYTES}-byte limit`,
    ],
  ])('refuses %s, naming the problem', (_case, text, message) => {
    const { server, accepted } = compileOpenAPI({ inline: text });
    expect(server).toBeUndefined();
    expect(accepted).toMatchObject({ status: 'False', reason: 'InvalidOpenAPIDocument' });
    expect(accepted?.message).toContain('OpenAPI document (inline): ');
    expect(accepted?.message).toContain(message);
  });

  it('compiles an unchanged document once per server, and a changed one again', () => {
    const first = compileOpenAPI(inline(petstore())).server?.openapi?.operations;
    const again = compileOpenAPI(inline(petstore())).server?.openapi?.operations;
    expect(again).toBe(first);
    const changed = compileOpenAPI(inline({ ...petstore(), openapi: '3.0.4' })).server?.openapi?.operations;
    expect(changed).not.toBe(first);
    expect(changed).toEqual(first);
  });

  it('refuses operations globs that select nothing', () => {
    const { accepted } = compileOpenAPI({ ...inline(petstore()), operations: ['nothing*'] });
    expect(accepted).toMatchObject({ status: 'False', reason: 'InvalidOpenAPIDocument' });
    expect(accepted?.message).toContain("spec.openapi.operations selects none of the document's 4 operations");
  });
});

describe('standalone mode', () => {
  const files = (...documents: string[]) => [{ path: 'pets.yaml', text: documents.join('\n---\n') }];
  const server = (openapi: string, extra = '') => `apiVersion: switchyard.dev/v1alpha1
kind: MCPServer
metadata: {name: pets}
spec:
${extra}  openapi:
${openapi}`;
  const fromConfigMap = '    configMapRef: {name: pets-api, key: openapi.json}\n    baseURL: https://pets.example.com/v1';
  const petsConfigMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: pets-api}
data:
  openapi.json: '${JSON.stringify(petstore())}'`;

  function loadError(...documents: string[]): string {
    try {
      compileStandaloneFiles(files(...documents), { env: {} });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('the manifests loaded');
  }

  it('reads the document from a ConfigMap among the manifests', () => {
    const result = compileStandaloneFiles(files(server(fromConfigMap), petsConfigMap), { env: {} });
    expect(result.table.mcpServers?.['default/pets']?.openapi?.operations).toHaveLength(4);
  });

  it('refuses a missing ConfigMap and an invalid document with the file, the object and the problem', () => {
    expect(loadError(server(fromConfigMap))).toMatch(/pets\.yaml.*MCPServer default\/pets.*ConfigMap default\/pets-api not found/);
    const broken = server(
      `    inline: '${JSON.stringify({ openapi: '3.0.0', paths: { '/a/{id}': { get: {} } } })}'\n    baseURL: https://pets.example.com`,
    );
    expect(loadError(broken)).toMatch(/MCPServer default\/pets.*InvalidOpenAPIDocument.*path parameter \{id\} is not declared/);
  });

  it.each([
    ['both configMapRef and inline', server(`${fromConfigMap}\n    inline: '{}'`), 'openapi needs exactly one of configMapRef and inline'],
    [
      'neither configMapRef nor inline',
      server('    baseURL: https://pets.example.com'),
      'openapi needs exactly one of configMapRef and inline',
    ],
    [
      'url beside openapi',
      server(fromConfigMap, '  url: https://mcp.example.com/mcp\n'),
      'exactly one of url, openapi and command must be set',
    ],
  ])('applies the CRD rules: %s', (_case, manifest, message) => {
    expect(loadError(manifest, petsConfigMap)).toContain(message);
  });
});
