// The Anthropic door's endpoints that are not chat, and Anthropic-shaped answers for every other
// path under /anthropic/:
//
//   POST /anthropic/v1/messages/count_tokens   the gateway's estimate (count-anthropic-tokens.ts)
//   GET  /anthropic/v1/models                  the key's models, Anthropic's page shape
//   GET  /anthropic/v1/models/{id}             one of them
//
// They never reach a provider, so they do not go through the chat pipeline. The public handler
// calls `serveAnthropicExtras` for requests its router did not take; it answers (in Anthropic's
// format, errors included) and returns true for any path under /anthropic/ (a 404 for unknown
// ones, e.g. the Batches API or GET on /messages), false for every other path.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, toGatewayError } from '../../errors/gateway-error.js';
import { encodeAnthropicError } from '../../wire/anthropic-messages/index.js';
import { authenticate } from '../../pipeline/authenticate.js';
import { checkDeclaredLength, parseJsonObject, readRequestBody } from '../../pipeline/ingress.js';
import type { RuntimeTable } from '../../table/runtime-table.js';
import type { TableHolder } from '../../table/table-holder.js';
import { anthropicModel, anthropicModelList } from './anthropic-models-list.js';
import { countAnthropicInputTokens } from './count-anthropic-tokens.js';

export const ANTHROPIC_COUNT_TOKENS_PATH = '/anthropic/v1/messages/count_tokens';
export const ANTHROPIC_MODELS_PATH = '/anthropic/v1/models';
const MODEL_PREFIX = `${ANTHROPIC_MODELS_PATH}/`;
export const ANTHROPIC_ROOT = '/anthropic/';

export interface AnthropicExtrasDeps {
  tables: TableHolder;
  maxBodyBytes: number;
}

/** True when the path is under /anthropic/ (and the request has been answered). */
export function serveAnthropicExtras(req: IncomingMessage, res: ServerResponse, deps: AnthropicExtrasDeps, requestId: string): boolean {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  const path = url.pathname;
  if (!path.startsWith(ANTHROPIC_ROOT)) return false;
  const method = req.method ?? 'GET';
  if (path === ANTHROPIC_COUNT_TOKENS_PATH) {
    if (method !== 'POST') sendError(res, new GatewayError('not_found', `unknown path: ${method} ${path} (use POST)`), requestId);
    else void serveAnthropicCountTokens(req, res, deps, requestId);
    return true;
  }
  if (path === ANTHROPIC_MODELS_PATH || (path.startsWith(MODEL_PREFIX) && path.length > MODEL_PREFIX.length)) {
    if (method !== 'GET' && method !== 'HEAD') {
      sendError(res, new GatewayError('not_found', `unknown path: ${method} ${path} (use GET)`), requestId);
      return true;
    }
    const modelId = path === ANTHROPIC_MODELS_PATH ? undefined : safeDecode(path.slice(MODEL_PREFIX.length));
    serveAnthropicModels(req, res, deps.tables, requestId, modelId, url.searchParams);
    return true;
  }
  const hint = path === '/anthropic/v1/messages' ? ' (use POST)' : '';
  sendError(res, new GatewayError('not_found', `unknown path: ${method} ${path}${hint}`, { code: 'unknown_url' }), requestId);
  return true;
}

export async function serveAnthropicCountTokens(req: IncomingMessage, res: ServerResponse, deps: AnthropicExtrasDeps, requestId: string): Promise<void> {
  try {
    const table = servingTable(deps.tables);
    checkDeclaredLength(req, deps.maxBodyBytes);
    // The key is checked before the body is read, as on the chat path.
    const key = authenticate(table, req.headers, Date.now());
    const body = parseJsonObject(await readRequestBody(req, deps.maxBodyBytes));
    sendJson(res, 200, JSON.stringify(countAnthropicInputTokens(key, body)), requestId);
  } catch (error) {
    sendError(res, toGatewayError(error), requestId);
  }
}

/** `modelId` undefined lists the key's models; a string describes one. */
export function serveAnthropicModels(req: IncomingMessage, res: ServerResponse, tables: TableHolder, requestId: string, modelId: string | undefined, query: URLSearchParams): void {
  try {
    const table = servingTable(tables);
    const key = authenticate(table, req.headers, Date.now());
    const body =
      modelId === undefined
        ? anthropicModelList(table, key, { limit: query.get('limit'), after_id: query.get('after_id'), before_id: query.get('before_id') })
        : anthropicModel(table, key, modelId);
    sendJson(res, 200, JSON.stringify(body), requestId);
  } catch (error) {
    sendError(res, toGatewayError(error), requestId);
  }
}

function servingTable(tables: TableHolder): RuntimeTable {
  const table = tables.current;
  if (table === undefined) throw new GatewayError('no_backend', 'the gateway has not loaded a routing table yet', { code: 'not_ready' });
  return table;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function sendJson(res: ServerResponse, status: number, body: string, requestId: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId });
  res.end(body);
}

function sendError(res: ServerResponse, error: GatewayError, requestId: string): void {
  const encoded = encodeAnthropicError(error);
  sendJson(res, encoded.status, encoded.body, requestId, encoded.headers);
}
