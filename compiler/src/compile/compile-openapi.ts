// An OpenAPI 3.0 / 3.1 document (JSON or YAML text) -> the operations an MCPServer offers as
// hosted tools. Done here, once per compile, rather than in every gateway: a document that cannot
// be served is refused with the problem named (standalone mode and the operator's status say the
// same thing), and gateways receive finished input schemas and request recipes in the table.
//
// Everything from the document is bounded: its size, the operations selected, how deep `$ref`s
// are followed and how large the schemas grow once they are expanded (a small document with
// references that fan out could otherwise expand exponentially). Only references inside the
// document are followed; the compiler never fetches anything.

import { createHash } from 'node:crypto';
import { parse, YAMLParseError } from 'yaml';
import { isRecord } from '../common/json-narrowing.js';
import type { CompiledOpenAPIOperation, CompiledOpenAPIParameter } from '../table-types.js';
import { globMatches } from '../values/glob.js';

/** Largest document read, in bytes (a ConfigMap holds at most 1 MiB anyway). */
export const OPENAPI_MAX_DOCUMENT_BYTES = 1024 * 1024;
/** Most operations one MCPServer may offer. */
export const OPENAPI_MAX_OPERATIONS = 256;
/** `$ref`s followed inside one another before the rest is left unexpanded. */
export const OPENAPI_MAX_REF_DEPTH = 32;
/** Schema nodes (objects and arrays) the input schemas of one document may expand to, in total. */
export const OPENAPI_MAX_SCHEMA_NODES = 100_000;

// TRACE is left out: it echoes the request, credentials included, and no API needs it as a tool.
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
/** MCP tool names: at most 128 of these characters. */
const TOOL_NAME_LIMIT = 128;
/** Header parameters the gateway never takes from a caller: OpenAPI says to ignore the first three, the rest are the transport's. */
const IGNORED_HEADER_PARAMETERS = new Set([
  'accept',
  'content-type',
  'authorization',
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
]);

/** An HTTP header field name (RFC 9110 token). */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export class OpenAPIDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpenAPIDocumentError';
  }
}

export interface OpenAPICompilation {
  version: string;
  operations: CompiledOpenAPIOperation[];
  /** Selected operations that cannot be called through the gateway, one line each (why). */
  skipped: string[];
}

type Json = unknown;
type JsonObject = Record<string, Json>;

/**
 * The last compilation per MCPServer, so a table recompiled for an unrelated change does not parse
 * every document again. One entry per server (what its table entry holds anyway), at most this many
 * servers; the oldest is forgotten first.
 */
const CACHE_SERVERS = 1024;
const cache = new Map<string, { key: string; result: OpenAPICompilation | OpenAPIDocumentError }>();

/**
 * Parses and compiles; throws OpenAPIDocumentError naming the problem. `server` (its id) keys the
 * cache: the same document and selection for the same server reuse the last result (the compiled
 * operations are never modified, so tables may share them).
 */
export function compileOpenAPIDocument(text: string, selection: readonly string[], server?: string): OpenAPICompilation {
  const key = `${createHash('sha256').update(text).digest('hex')}\0${JSON.stringify(selection)}`;
  const cached = server === undefined ? undefined : cache.get(server);
  let result: OpenAPICompilation | OpenAPIDocumentError;
  if (cached !== undefined && cached.key === key) {
    result = cached.result;
  } else {
    try {
      result = compileUncached(text, selection);
    } catch (error) {
      if (!(error instanceof OpenAPIDocumentError)) throw error;
      result = error;
    }
    if (server !== undefined) {
      cache.delete(server);
      if (cache.size >= CACHE_SERVERS) cache.delete(cache.keys().next().value as string);
      cache.set(server, { key, result });
    }
  }
  if (result instanceof OpenAPIDocumentError) throw result;
  return result;
}

function compileUncached(text: string, selection: readonly string[]): OpenAPICompilation {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > OPENAPI_MAX_DOCUMENT_BYTES) {
    throw new OpenAPIDocumentError(`the document is ${bytes} bytes, more than the ${OPENAPI_MAX_DOCUMENT_BYTES}-byte limit`);
  }
  const document = parseDocument(text);
  const version = document.openapi;
  if (typeof version !== 'string' || !/^3\.[01]\.\d+/.test(version)) {
    if (document.swagger !== undefined) throw new OpenAPIDocumentError('Swagger 2.0 documents are not supported; convert it to OpenAPI 3');
    throw new OpenAPIDocumentError(`field openapi: must name version 3.0.x or 3.1.x, got ${JSON.stringify(version ?? null).slice(0, 40)}`);
  }
  const paths = document.paths;
  if (!isRecord(paths)) throw new OpenAPIDocumentError('field paths: must be an object of paths (the document has no operations)');

  const resolver = new RefResolver(document);
  const all: Array<{ name: string; where: string; build: () => CompiledOpenAPIOperation | string }> = [];
  for (const [path, rawItem] of Object.entries(paths)) {
    const itemWhere = `paths.${path}`;
    if (!path.startsWith('/')) throw new OpenAPIDocumentError(`${itemWhere}: a path must start with '/'`);
    const item = resolver.object(rawItem, itemWhere);
    const shared = parameterList(item.parameters, `${itemWhere}.parameters`);
    for (const method of METHODS) {
      const rawOperation = item[method];
      if (rawOperation === undefined) continue;
      const where = `${itemWhere}.${method}`;
      if (!isRecord(rawOperation)) throw new OpenAPIDocumentError(`${where}: must be an object`);
      const name = toolName(rawOperation.operationId, method, path, where);
      all.push({ name, where, build: () => compileOperation(resolver, rawOperation, { name, method, path, where, shared }) });
    }
  }
  const selected = all.filter((operation) => selection.some((glob) => globMatches(glob, operation.name)));
  if (selected.length === 0) {
    throw new OpenAPIDocumentError(
      all.length === 0
        ? 'the document has no operations'
        : `spec.openapi.operations selects none of the document's ${all.length} operations`,
    );
  }
  if (selected.length > OPENAPI_MAX_OPERATIONS) {
    throw new OpenAPIDocumentError(
      `spec.openapi.operations selects ${selected.length} operations, more than the ${OPENAPI_MAX_OPERATIONS} one MCPServer may offer; select fewer`,
    );
  }
  const byName = new Map<string, string>();
  for (const operation of selected) {
    const earlier = byName.get(operation.name);
    if (earlier !== undefined) {
      throw new OpenAPIDocumentError(
        `${earlier} and ${operation.where} both become the tool "${operation.name}"; give them distinct operationIds`,
      );
    }
    byName.set(operation.name, operation.where);
  }
  const operations: CompiledOpenAPIOperation[] = [];
  const skipped: string[] = [];
  for (const operation of selected) {
    const built = operation.build();
    if (typeof built === 'string') skipped.push(`${operation.name}: ${built}`);
    else operations.push(built);
  }
  if (operations.length === 0) throw new OpenAPIDocumentError(`no selected operation can be called: ${skipped.join('; ')}`);
  operations.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { version, operations, skipped };
}

function parseDocument(text: string): JsonObject {
  let value: Json;
  try {
    // YAML 1.2 reads JSON as well; aliases are bounded (the library's default guard, made explicit).
    value = parse(text, { maxAliasCount: 100, prettyErrors: false });
  } catch (error) {
    const message = error instanceof YAMLParseError || error instanceof Error ? error.message : String(error);
    throw new OpenAPIDocumentError(`not valid JSON or YAML: ${(message.split('\n')[0] ?? '').slice(0, 200)}`);
  }
  if (!isRecord(value)) throw new OpenAPIDocumentError('the document must be a JSON or YAML object');
  return value;
}

/**
 * The tool name: the operationId with characters MCP names may not hold replaced by `_`, or for an
 * operation without one `<method>_<path>` (`get /pets/{petId}` -> `get_pets_petId`).
 */
function toolName(operationId: Json, method: string, path: string, where: string): string {
  if (operationId !== undefined && typeof operationId !== 'string')
    throw new OpenAPIDocumentError(`${where}.operationId: must be a string`);
  const raw = operationId ? operationId.replace(/[^A-Za-z0-9_.-]/g, '_') : `${method}_${path.replace(/[^A-Za-z0-9]+/g, '_')}`;
  const name = (operationId ? raw : raw.replace(/_+/g, '_').replace(/_$/, '')).slice(0, TOOL_NAME_LIMIT);
  if (name.length === 0) throw new OpenAPIDocumentError(`${where}.operationId: must not be empty`);
  return name;
}

function parameterList(value: Json, where: string): Json[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new OpenAPIDocumentError(`${where}: must be a list`);
  return value;
}

interface OperationContext {
  name: string;
  method: string;
  path: string;
  where: string;
  /** The path item's parameters (the operation's own override them by name and location). */
  shared: Json[];
}

/** One operation, or why it cannot be called through the gateway. */
function compileOperation(resolver: RefResolver, operation: JsonObject, context: OperationContext): CompiledOpenAPIOperation | string {
  const { where } = context;
  const declared = new Map<string, { parameter: JsonObject; where: string }>();
  const addAll = (list: Json[], listWhere: string): void => {
    list.forEach((raw, index) => {
      const parameterWhere = `${listWhere}[${index}]`;
      const parameter = resolver.object(raw, parameterWhere);
      if (typeof parameter.name !== 'string' || parameter.name === '' || parameter.name === '__proto__') {
        throw new OpenAPIDocumentError(`${parameterWhere}.name: must be a non-empty string`);
      }
      if (!['path', 'query', 'header', 'cookie'].includes(parameter.in as string)) {
        throw new OpenAPIDocumentError(`${parameterWhere}.in: must be path, query, header or cookie`);
      }
      const location = parameter.in as string;
      // Header names are case-insensitive; the others are not.
      const key = `${location}:${location === 'header' ? parameter.name.toLowerCase() : parameter.name}`;
      declared.set(key, { parameter, where: parameterWhere });
    });
  };
  addAll(context.shared, `paths.${context.path}.parameters`);
  addAll(parameterList(operation.parameters, `${where}.parameters`), `${where}.parameters`);

  const kept: Array<{ parameter: JsonObject; where: string; in: 'path' | 'query' | 'header' }> = [];
  for (const { parameter, where: parameterWhere } of declared.values()) {
    const location = parameter.in as string;
    if (location === 'cookie') {
      if (parameter.required === true)
        return `its required cookie parameter ${String(parameter.name)} cannot be sent (cookies are not supported)`;
      continue;
    }
    if (location === 'header' && IGNORED_HEADER_PARAMETERS.has((parameter.name as string).toLowerCase())) continue;
    if (location === 'header' && !HEADER_NAME.test(parameter.name as string)) {
      throw new OpenAPIDocumentError(
        `${parameterWhere}.name: "${(parameter.name as string).slice(0, 64)}" is not a valid HTTP header name`,
      );
    }
    kept.push({ parameter, where: parameterWhere, in: location as 'path' | 'query' | 'header' });
  }
  for (const match of context.path.matchAll(/\{([^}]*)\}/g)) {
    const name = match[1] as string;
    if (!kept.some((entry) => entry.in === 'path' && entry.parameter.name === name)) {
      throw new OpenAPIDocumentError(`${where}: path parameter {${name}} is not declared in parameters`);
    }
  }

  const body = requestBody(resolver, operation.requestBody, `${where}.requestBody`);
  if (typeof body === 'string') return body;

  // Property names: the parameter's own name, unless two parameters (or one and the body) share it.
  const counts = new Map<string, number>();
  for (const entry of kept) counts.set(entry.parameter.name as string, (counts.get(entry.parameter.name as string) ?? 0) + 1);
  if (body !== undefined) counts.set('body', (counts.get('body') ?? 0) + 1);
  const properties: JsonObject = {};
  const required: string[] = [];
  const parameters: CompiledOpenAPIParameter[] = [];
  for (const entry of kept) {
    const name = entry.parameter.name as string;
    const property = (counts.get(name) ?? 0) > 1 ? `${entry.in}_${name}` : name;
    if (properties[property] !== undefined || (property === 'body' && body !== undefined)) {
      throw new OpenAPIDocumentError(`${entry.where}: its input property "${property}" clashes with another parameter; rename one of them`);
    }
    const isRequired = entry.in === 'path' || entry.parameter.required === true;
    properties[property] = parameterSchema(resolver, entry.parameter, entry.where);
    if (isRequired) required.push(property);
    parameters.push({ property, name, in: entry.in, required: isRequired });
  }
  if (body !== undefined) {
    properties.body = body.schema;
    if (body.required) required.push('body');
  }
  const inputSchema: JsonObject = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) inputSchema.required = required;

  const compiled: CompiledOpenAPIOperation = {
    name: context.name,
    method: context.method.toUpperCase(),
    path: context.path,
    parameters,
    inputSchema,
  };
  const description = describe(operation);
  if (description !== undefined) compiled.description = description;
  if (body !== undefined) compiled.body = { required: body.required, mediaType: body.mediaType };
  return compiled;
}

function describe(operation: JsonObject): string | undefined {
  const summary = typeof operation.summary === 'string' ? operation.summary.trim() : '';
  const description = typeof operation.description === 'string' ? operation.description.trim() : '';
  const text = summary && description && summary !== description ? `${summary}\n\n${description}` : summary || description;
  return text === '' ? undefined : text;
}

function parameterSchema(resolver: RefResolver, parameter: JsonObject, where: string): JsonObject {
  let schema: Json = parameter.schema;
  if (schema === undefined && isRecord(parameter.content)) {
    // `content` instead of `schema`: one media type, whose schema describes the value.
    const first = Object.values(parameter.content)[0];
    schema = isRecord(first) ? first.schema : undefined;
  }
  const expanded = schema === undefined ? {} : resolver.schema(schema, `${where}.schema`);
  const result: JsonObject = isRecord(expanded) ? { ...expanded } : {};
  if (typeof parameter.description === 'string' && parameter.description.trim() !== '') result.description = parameter.description.trim();
  return result;
}

function isJsonMediaType(mediaType: string): boolean {
  const type = (mediaType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** The JSON body the operation takes, nothing, or why it cannot be sent. */
function requestBody(
  resolver: RefResolver,
  raw: Json,
  where: string,
): { schema: JsonObject; required: boolean; mediaType: string } | string | undefined {
  if (raw === undefined) return undefined;
  const body = resolver.object(raw, where);
  const required = body.required === true;
  const content = isRecord(body.content) ? body.content : {};
  const mediaType = Object.keys(content).find(isJsonMediaType);
  if (mediaType === undefined) {
    if (required) return `its request body is not JSON (${Object.keys(content).join(', ') || 'no content'}), which the gateway cannot send`;
    return undefined;
  }
  const media = content[mediaType];
  const schemaSource = isRecord(media) ? media.schema : undefined;
  const expanded = schemaSource === undefined ? {} : resolver.schema(schemaSource, `${where}.content.${mediaType}.schema`);
  const schema: JsonObject = isRecord(expanded) ? { ...expanded } : {};
  if (typeof body.description === 'string' && body.description.trim() !== '' && schema.description === undefined) {
    schema.description = body.description.trim();
  }
  return { schema, required, mediaType };
}

/** Follows `$ref`s inside the document: objects (parameters, bodies, path items) and whole schemas. */
class RefResolver {
  private nodes = 0;

  constructor(private readonly document: JsonObject) {}

  /** `value`, or what its `$ref` chain points to, as an object. */
  object(value: Json, where: string): JsonObject {
    let current = value;
    let currentWhere = where;
    for (let hops = 0; isRecord(current) && typeof current.$ref === 'string'; hops++) {
      if (hops >= OPENAPI_MAX_REF_DEPTH) {
        throw new OpenAPIDocumentError(`${where}: more than ${OPENAPI_MAX_REF_DEPTH} $refs in a chain`);
      }
      currentWhere = current.$ref;
      current = this.target(current.$ref, where);
    }
    if (!isRecord(current)) throw new OpenAPIDocumentError(`${currentWhere}: must be an object`);
    return current;
  }

  /**
   * A schema with its `$ref`s replaced by what they point to. A reference to a schema already
   * being expanded (a recursive type) or nested deeper than OPENAPI_MAX_REF_DEPTH is left as an
   * open schema (`{}`, any value) with a note, so recursive types stay usable.
   */
  schema(value: Json, where: string): Json {
    return this.expand(value, where, []);
  }

  private expand(value: Json, where: string, stack: string[]): Json {
    if (Array.isArray(value)) {
      this.count();
      return value.map((item, index) => this.expand(item, `${where}[${index}]`, stack));
    }
    if (!isRecord(value)) return value;
    this.count();
    if (typeof value.$ref === 'string') {
      const ref = value.$ref;
      const { $ref: _ref, ...siblings } = value;
      if (stack.includes(ref) || stack.length >= OPENAPI_MAX_REF_DEPTH) {
        const why = stack.includes(ref) ? 'a recursive reference' : `nested more than ${OPENAPI_MAX_REF_DEPTH} references deep`;
        return { description: `${ref} (${why}; not expanded)` };
      }
      const target = this.expand(this.target(ref, where), ref, [...stack, ref]);
      const extra = this.expand(siblings, where, stack);
      // OpenAPI 3.1 lets a $ref carry keywords (a description) beside it; they add to the target.
      return isRecord(target) && isRecord(extra) ? { ...target, ...extra } : target;
    }
    const copy: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      // Assigning `__proto__` would replace the copy's prototype instead of adding a keyword.
      if (key !== '__proto__') copy[key] = this.expand(child, `${where}.${key}`, stack);
    }
    // OpenAPI 3.0's `nullable` is not JSON Schema; callers' validators understand a null type.
    if (copy.nullable === true && typeof copy.type === 'string') {
      copy.type = [copy.type, 'null'];
    }
    delete copy.nullable;
    return copy;
  }

  private count(): void {
    this.nodes++;
    if (this.nodes > OPENAPI_MAX_SCHEMA_NODES) {
      throw new OpenAPIDocumentError(
        `the selected operations' schemas expand to more than ${OPENAPI_MAX_SCHEMA_NODES} schema nodes once $refs are resolved; select fewer operations`,
      );
    }
  }

  private target(ref: string, where: string): Json {
    if (!ref.startsWith('#')) {
      throw new OpenAPIDocumentError(
        `${where}: $ref "${ref.slice(0, 200)}" points outside the document; only local references (#/components/...) are supported, nothing is fetched`,
      );
    }
    let current: Json = this.document;
    const pointer = ref.slice(1);
    if (pointer !== '' && !pointer.startsWith('/'))
      throw new OpenAPIDocumentError(`${where}: $ref "${ref.slice(0, 200)}" is not a JSON pointer`);
    for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
      let segment: string;
      try {
        segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      } catch {
        segment = raw;
      }
      current = Array.isArray(current)
        ? current[Number(segment)]
        : isRecord(current) && Object.hasOwn(current, segment)
          ? current[segment]
          : undefined;
      if (current === undefined) throw new OpenAPIDocumentError(`${where}: $ref "${ref.slice(0, 200)}" points to nothing in the document`);
    }
    return current;
  }
}
