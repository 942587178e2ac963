// Checks one upstream MCP server the way the gateway will use it: the official TypeScript SDK
// client over the server's transport, with its headers and credentials, the handshake within
// timeouts.connect and each tools/list page within timeouts.call. The result feeds the
// MCPServer's Ready condition and its status tool fields.
//
// Messages end up in status and Events, which namespace users read: they name the failure (HTTP
// status, connection error code, JSON-RPC error) and never carry an upstream's response body or a
// credential.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SseError, SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { type CompiledMCPServer, globMatches } from '@switchyard/compiler';

/** Why a server is not Ready; each is the condition's reason. */
type ProbeFailureReason = 'Unreachable' | 'Unauthorized' | 'Timeout' | 'HTTPError' | 'ProtocolError';

export type ProbeResult =
  | { ok: true; toolCount: number; tools: string[]; protocolVersion: string }
  | { ok: false; reason: ProbeFailureReason; message: string };

/** At most this many tool names go into status (the CRD's maxItems). */
export const STATUS_TOOL_LIMIT = 100;
/** tools/list pages read before giving up on a server that never stops paginating. */
const MAX_TOOL_PAGES = 100;

export interface ProbeOptions {
  /** For tests: what the transports and the token request use. */
  fetch?: typeof fetch;
}

class ProbeTimeout extends Error {}

class ProbeFailure extends Error {
  constructor(
    readonly reason: ProbeFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/** Runs `work` with a deadline; `onTimeout` tears down what `work` holds open. */
async function withDeadline<T>(ms: number, what: string, work: Promise<T>, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new ProbeTimeout(`${what} took longer than ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The client-credentials grant (RFC 6749 section 4.4), client authenticated with HTTP Basic. */
async function clientCredentialsToken(
  auth: Extract<CompiledMCPServer['auth'], { type: 'oauth2ClientCredentials' }>,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (auth.scopes.length > 0) body.set('scope', auth.scopes.join(' '));
  const basic = Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64');
  const response = await fetchImpl(auth.tokenURL, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
    signal,
  });
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    throw new ProbeFailure('Unauthorized', `the token endpoint refused the client credentials (HTTP ${response.status})`);
  }
  if (!response.ok) throw new ProbeFailure('HTTPError', `the token endpoint answered HTTP ${response.status}`);
  const token = ((await response.json()) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string' || token === '')
    throw new ProbeFailure('ProtocolError', 'the token endpoint answered without an access_token');
  return token;
}

function transportFor(server: CompiledMCPServer, headers: Record<string, string>, fetchImpl: typeof fetch | undefined): Transport {
  const url = new URL(server.url as string);
  const requestInit: RequestInit = { headers };
  if (server.transport === 'sse') {
    return new SSEClientTransport(url, { requestInit, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  }
  return new StreamableHTTPClientTransport(url, { requestInit, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
}

/** `fetch failed` hides the reason in its cause chain (ECONNREFUSED, ENOTFOUND, certificate errors). */
function connectionCode(error: unknown): string | undefined {
  for (let cause: unknown = error, depth = 0; cause && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function classify(error: unknown): { reason: ProbeFailureReason; message: string } {
  if (error instanceof ProbeFailure) return { reason: error.reason, message: error.message };
  if (error instanceof ProbeTimeout) return { reason: 'Timeout', message: error.message };
  const status =
    error instanceof StreamableHTTPError || error instanceof SseError
      ? error.code
      : /\(HTTP (\d{3})\)/.exec(error instanceof Error ? error.message : '')?.[1];
  const httpStatus = status === undefined ? undefined : Number(status);
  if (httpStatus === 401 || httpStatus === 403) return { reason: 'Unauthorized', message: `the server answered HTTP ${httpStatus}` };
  if (httpStatus !== undefined && httpStatus >= 100) return { reason: 'HTTPError', message: `the server answered HTTP ${httpStatus}` };
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) return { reason: 'Timeout', message: 'the server did not answer in time' };
    return { reason: 'ProtocolError', message: `JSON-RPC error ${error.code}: ${error.message.slice(0, 300)}` };
  }
  const code = connectionCode(error);
  if (code !== undefined) return { reason: 'Unreachable', message: `cannot connect (${code})` };
  const message = error instanceof Error ? error.message : String(error);
  if (/fetch failed|ECONNREFUSED|ENOTFOUND|socket/i.test(message)) return { reason: 'Unreachable', message: 'cannot connect' };
  // SDK parse errors and the like: the class name and the first line say what happened, briefly.
  return { reason: 'ProtocolError', message: (message.split('\n')[0] ?? '').slice(0, 300) };
}

function offered(server: CompiledMCPServer, tool: string): boolean {
  return (
    server.toolFilter.include.some((glob) => globMatches(glob, tool)) && !server.toolFilter.exclude.some((glob) => globMatches(glob, tool))
  );
}

/** Connects, lists every tool page, and closes again. Never throws. */
export async function probeMCPServer(server: CompiledMCPServer, options: ProbeOptions = {}): Promise<ProbeResult> {
  if (!server.url) return { ok: false, reason: 'ProtocolError', message: 'no url: only servers reached over HTTP can be checked' };
  const abort = new AbortController();
  const fetchImpl = options.fetch;
  let client: Client | undefined;
  let transport: Transport | undefined;
  try {
    const headers = { ...server.headers };
    if (server.auth.type === 'bearer') headers['authorization'] = `Bearer ${server.auth.token}`;
    if (server.auth.type === 'oauth2ClientCredentials') {
      const token = await withDeadline(
        server.timeouts.connectMs,
        'the token request',
        clientCredentialsToken(server.auth, fetchImpl ?? fetch, abort.signal),
        () => abort.abort(),
      );
      headers['authorization'] = `Bearer ${token}`;
    }
    transport = transportFor(server, headers, fetchImpl);
    // The SDK keeps the negotiated version to itself; the transport is told it after initialize.
    let protocolVersion = '';
    const setProtocolVersion = transport.setProtocolVersion?.bind(transport);
    (transport as Transport).setProtocolVersion = (version: string) => {
      protocolVersion = version;
      setProtocolVersion?.(version);
    };
    const connecting = new Client({ name: 'switchyard-operator', version: '0.1.0' });
    client = connecting;
    // The deadline covers the transport's start too (the SSE transport opens its stream there),
    // which the SDK's own request timeout does not.
    await withDeadline(
      server.timeouts.connectMs,
      'connecting and initializing',
      connecting.connect(transport as Transport, { timeout: server.timeouts.connectMs }),
      () => void connecting.close(),
    );
    const names: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const listed = await withDeadline(
        server.timeouts.callMs,
        'tools/list',
        connecting.listTools(cursor === undefined ? {} : { cursor }, { timeout: server.timeouts.callMs }),
        () => void connecting.close(),
      );
      for (const tool of listed.tools) if (offered(server, tool.name)) names.push(`${server.prefix}__${tool.name}`);
      cursor = listed.nextCursor;
      if (!cursor) break;
    }
    names.sort();
    return { ok: true, toolCount: names.length, tools: names.slice(0, STATUS_TOOL_LIMIT), protocolVersion };
  } catch (error) {
    return { ok: false, ...classify(error) };
  } finally {
    // A stateful server keeps a session per initialize: end ours, or a check every minute piles them up.
    if (transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined) {
      const ending = transport;
      await withDeadline(server.timeouts.callMs, 'ending the session', ending.terminateSession(), () => undefined).catch(() => undefined);
    }
    abort.abort();
    await client?.close().catch(() => undefined);
  }
}
