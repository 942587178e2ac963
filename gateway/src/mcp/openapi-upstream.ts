// Hosted tools: an MCPServer with `spec.openapi` has no MCP server behind it. The compiler turned
// the OpenAPI document's selected operations into tools (names, input schemas, request recipes);
// this client answers `tools/list` from them and runs a `tools/call` as one HTTP request to the
// API, through the same transport as every other upstream: the egress guard, the server's
// timeouts, no redirects followed, the answer read under --mcp-max-result-bytes. The server's
// headers and credentials go with every call, and since the document's `servers` are ignored,
// nothing in the document can send them anywhere but `baseURL`.
import type { CompiledMCPServer, CompiledOpenAPI, CompiledOpenAPIOperation } from '@switchyard/compiler';
import { isRecord } from '@switchyard/compiler';
import type { UpstreamTransport } from '../transport/upstream-transport.js';
import type { UpstreamHttpRequest } from '../unified/provider-codec.js';
import { JSON_RPC_ERRORS, toolErrorResult, type JsonRpcOutcome } from '../wire/mcp/index.js';
import { UpstreamCredentials, type UserTokenSource } from './client-credentials.js';
import {
  asCallTimeout,
  callDeadline,
  describeTransportError,
  tooLargeError,
  type McpUpstream,
  type UpstreamClientOptions,
} from './upstream-client.js';
import { McpUpstreamError } from './upstream-errors.js';

/** What `protocolVersion` reports for hosted tools: there is no MCP upstream to negotiate with. */
const OPENAPI_PROTOCOL = 'openapi';

type Body = Awaited<ReturnType<UpstreamTransport['send']>>['body'];

export class OpenApiUpstream implements McpUpstream {
  readonly protocolVersion = OPENAPI_PROTOCOL;
  private readonly openapi: CompiledOpenAPI;
  private readonly operations: Map<string, CompiledOpenAPIOperation>;
  private readonly credentials: UpstreamCredentials;

  constructor(
    private readonly server: CompiledMCPServer,
    private readonly options: UpstreamClientOptions,
    user?: UserTokenSource,
  ) {
    if (server.openapi === undefined) throw new Error(`MCPServer ${server.id} has no openapi document`);
    this.openapi = server.openapi;
    this.operations = new Map(server.openapi.operations.map((operation) => [operation.name, operation]));
    this.credentials = new UpstreamCredentials(server, options.transport, options.nowMs ?? Date.now, user);
  }

  async request(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<JsonRpcOutcome> {
    switch (method) {
      case 'tools/list':
        return {
          result: {
            tools: this.openapi.operations.map((operation) => ({
              name: operation.name,
              ...(operation.description === undefined ? {} : { description: operation.description }),
              inputSchema: operation.inputSchema,
            })),
          },
        };
      case 'tools/call':
        return this.call(params, signal);
      case 'ping':
        return { result: {} };
      default:
        // No prompts or resources: the aggregation treats "method not found" as having none.
        return { error: { code: JSON_RPC_ERRORS.methodNotFound, message: `${method} is not offered by hosted tools` } };
    }
  }

  private async call(params: Record<string, unknown>, signal: AbortSignal | undefined): Promise<JsonRpcOutcome> {
    const name = typeof params.name === 'string' ? params.name : '';
    const operation = this.operations.get(name);
    if (operation === undefined) return { error: { code: JSON_RPC_ERRORS.invalidParams, message: `unknown tool: ${name.slice(0, 256)}` } };
    const args = params.arguments === undefined ? {} : params.arguments;
    if (!isRecord(args)) return { result: toolErrorResult('invalid arguments: must be an object') };
    const built = buildRequest(this.openapi.baseURL, operation, args);
    if (typeof built === 'string') return { result: toolErrorResult(`invalid arguments: ${built}`) };

    const { deadline, combined } = callDeadline(this.server, signal);
    try {
      let answer = await this.send(built, combined);
      const { type } = this.server.auth;
      if (
        ((answer.status === 401 || answer.status === 403) && type === 'oauth2ClientCredentials') ||
        (answer.status === 401 && type === 'oauth2PerUser')
      ) {
        // A refused client-credentials token may have been revoked early: a new one, once. The
        // API refused the call, so it did not run and may be sent again. A user's refused token
        // is dropped, so the second attempt asks that user to sign in again instead.
        this.credentials.refused();
        answer = await this.send(built, combined);
      }
      return { result: toolResult(answer) };
    } catch (error) {
      throw asCallTimeout(this.server, deadline, error);
    }
  }

  private async send(built: BuiltRequest, signal: AbortSignal): Promise<{ status: number; contentType: string; text: string }> {
    // Names compared case-insensitively, in this order: a default Accept, the operation's header
    // parameters (from the caller), then the server's own headers and credential, which win.
    const headers: Record<string, string> = { accept: 'application/json, */*;q=0.8', ...built.headers };
    for (const [name, value] of Object.entries(await this.credentials.headers())) headers[name.toLowerCase()] = value;
    if (built.body !== undefined) headers['content-type'] = built.mediaType;
    let response: Awaited<ReturnType<UpstreamTransport['send']>>;
    try {
      response = await this.options.transport.send(
        { url: built.url, method: built.method, headers, ...(built.body === undefined ? {} : { body: built.body }) },
        { connectMs: this.server.timeouts.connectMs, bodyIdleMs: this.server.timeouts.callMs },
        signal,
      );
    } catch (error) {
      throw new McpUpstreamError(`cannot reach the API: ${describeTransportError(error)}`, 'unreachable', { cause: error });
    }
    const contentType = headerValue(response.headers['content-type']) ?? '';
    const text = await readBounded(response.body, this.options.maxResultBytes);
    return { status: response.status, contentType, text };
  }
}

interface BuiltRequest {
  url: string;
  method: UpstreamHttpRequest['method'];
  headers: Record<string, string>;
  body?: string;
  mediaType: string;
}

/** The HTTP request for one call, or what is wrong with the arguments. */
function buildRequest(baseURL: string, operation: CompiledOpenAPIOperation, args: Record<string, unknown>): BuiltRequest | string {
  const known = new Set(operation.parameters.map((parameter) => parameter.property));
  if (operation.body !== undefined) known.add('body');
  const unknown = Object.keys(args).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    const expected = [...known].join(', ') || 'none';
    return `unknown argument ${unknown.map((key) => JSON.stringify(key.slice(0, 64))).join(', ')} (expected: ${expected})`;
  }
  let path = operation.path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  for (const parameter of operation.parameters) {
    const value = args[parameter.property];
    if (value === undefined || value === null) {
      if (parameter.required) return `missing required argument "${parameter.property}" (${parameter.in} parameter ${parameter.name})`;
      continue;
    }
    if (parameter.in === 'path') {
      // Every character outside the unreserved set is escaped (`/` included), so a value never
      // changes which path is called; `.` and `..` would be dot segments even escaped (URLs
      // resolve `%2E%2E` too), so they are refused.
      const text = scalarText(value);
      if (text === '.' || text === '..') return `path parameter ${parameter.name} may not be "${text}"`;
      path = path.split(`{${parameter.name}}`).join(encodeURIComponent(text));
    } else if (parameter.in === 'query') {
      // Arrays repeat the name (OpenAPI's default `form` style, exploded).
      for (const item of Array.isArray(value) ? value : [value]) query.append(parameter.name, scalarText(item));
    } else {
      const text = Array.isArray(value) ? value.map(scalarText).join(',') : scalarText(value);
      if (/[\r\n\0]/.test(text)) return `header parameter ${parameter.name} may not contain line breaks`;
      headers[parameter.name.toLowerCase()] = text;
    }
  }
  let body: string | undefined;
  if (operation.body !== undefined) {
    if (args.body !== undefined) body = JSON.stringify(args.body);
    else if (operation.body.required) return 'missing required argument "body" (the JSON request body)';
  }
  const search = query.toString();
  const url = `${baseURL.replace(/\/+$/, '')}${path}${search === '' ? '' : `?${search}`}`;
  const built: BuiltRequest = {
    url,
    method: operation.method as UpstreamHttpRequest['method'],
    headers,
    mediaType: operation.body?.mediaType ?? 'application/json',
  };
  if (body !== undefined) built.body = body;
  return built;
}

/** A parameter value as text: strings as they are, other scalars as JSON, objects as JSON. */
function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isJsonType(contentType: string): boolean {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** The API's answer as a tool result: the body as text, a JSON object also as structuredContent, non-2xx as an error. */
function toolResult(answer: { status: number; contentType: string; text: string }): Record<string, unknown> {
  const { status, text } = answer;
  if (status < 200 || status >= 300) {
    const note = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
    return toolErrorResult(text === '' ? `the API answered HTTP ${status}${note}` : `the API answered HTTP ${status}${note}: ${text}`);
  }
  const result: Record<string, unknown> = { content: [{ type: 'text', text }] };
  if (isJsonType(answer.contentType)) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isRecord(parsed)) result.structuredContent = parsed;
    } catch {
      // Not JSON after all: the text alone.
    }
  }
  return result;
}

/** The whole body as text, refusing past `limit` bytes. */
async function readBounded(body: Body, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limit) {
      body.destroy();
      throw tooLargeError(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
