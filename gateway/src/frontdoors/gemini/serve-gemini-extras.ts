// The Gemini door's endpoints that do not go through the chat pipeline, and Google-shaped answers
// for every other path under /genai/:
//
//   POST /genai/{v1beta,v1}/models/{model}:countTokens   the gateway's estimate (gemini-count-tokens.ts)
//   GET  /genai/{v1beta,v1}/models                       the key's models, Google's list shape
//   GET  /genai/{v1beta,v1}/models/{model}               one of them
//
// The public handler calls `serveGeminiExtras` for requests its router did not take; it answers
// (in Google's format, errors included) and returns true for any path under /genai/, false for
// every other path. A key in `?key=` is accepted here as on the chat routes.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, toGatewayError } from '../../errors/gateway-error.js';
import { encodeGoogleError } from '../../wire/gemini/index.js';
import { authenticate } from '../../pipeline/authenticate.js';
import { authorize } from '../../pipeline/authorize.js';
import { checkDeclaredLength, parseJsonObject, readRequestBody } from '../../pipeline/ingress.js';
import { sendJson } from '../../server/send-json.js';
import type { RuntimeTable } from '../../table/runtime-table.js';
import type { TableHolder } from '../../table/table-holder.js';
import { countGeminiTokens } from './gemini-front-door.js';
import { GEMINI_PATH_PREFIXES } from './gemini-front-door-routes.js';
import { parseGeminiModelPath } from './gemini-model-path.js';
import { getGeminiModel, listGeminiModels } from './gemini-models-list.js';
import { adoptGoogleQueryKey } from './google-query-key.js';

export const GEMINI_ROOT = '/genai/';

export interface GeminiExtrasDeps {
  tables: TableHolder;
  maxBodyBytes: number;
}

/** True when the path is under /genai/ (and the request has been answered). */
export function serveGeminiExtras(req: IncomingMessage, res: ServerResponse, deps: GeminiExtrasDeps, requestId: string): boolean {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  const path = url.pathname;
  if (!path.startsWith(GEMINI_ROOT)) return false;
  const method = req.method ?? 'GET';
  const reading = method === 'GET' || method === 'HEAD';
  adoptGoogleQueryKey(req.headers, url.searchParams);

  for (const prefix of GEMINI_PATH_PREFIXES) {
    const collection = prefix.slice(0, -1);
    if (path === collection) {
      if (!reading) return wrongMethod(res, method, path, 'GET', requestId);
      serveModels(req, res, deps.tables, requestId, undefined, url.searchParams);
      return true;
    }
    if (!path.startsWith(prefix) || path.length === prefix.length) continue;
    const rest = path.slice(prefix.length);
    if (!rest.includes(':')) {
      if (!reading) return wrongMethod(res, method, path, 'GET', requestId);
      serveModels(req, res, deps.tables, requestId, safeDecode(rest), url.searchParams);
      return true;
    }
    const parsed = parseGeminiModelPath(rest);
    if (parsed?.method === 'countTokens') {
      if (method !== 'POST') return wrongMethod(res, method, path, 'POST', requestId);
      void serveCountTokens(req, res, deps, requestId, parsed.model, url.searchParams);
      return true;
    }
    // generateContent & co. reach here only with a method other than POST (the router took the POSTs).
    if (parsed !== undefined) return wrongMethod(res, method, path, 'POST', requestId);
    sendError(res, new GatewayError('not_found', `unknown method in ${path}: the gateway serves generateContent, streamGenerateContent, countTokens, embedContent and batchEmbedContents`, { code: 'unknown_url' }), requestId);
    return true;
  }
  sendError(res, new GatewayError('not_found', `unknown path: ${method} ${path}`, { code: 'unknown_url' }), requestId);
  return true;
}

async function serveCountTokens(req: IncomingMessage, res: ServerResponse, deps: GeminiExtrasDeps, requestId: string, model: string, query: URLSearchParams): Promise<void> {
  try {
    const table = servingTable(deps.tables);
    checkDeclaredLength(req, deps.maxBodyBytes);
    // The key is checked before the body is read, as on the chat path.
    authorize(authenticate(table, req.headers, Date.now()), model);
    const body = parseJsonObject(await readRequestBody(req, deps.maxBodyBytes));
    const { responseBody } = countGeminiTokens(body, { requestId, pathModel: model, query });
    sendJson(res, 200, responseBody, { 'x-request-id': requestId });
  } catch (error) {
    sendError(res, toGatewayError(error), requestId);
  }
}

function serveModels(req: IncomingMessage, res: ServerResponse, tables: TableHolder, requestId: string, model: string | undefined, query: URLSearchParams): void {
  try {
    const table = servingTable(tables);
    const key = authenticate(table, req.headers, Date.now());
    const body = model === undefined ? listGeminiModels(key, query) : getGeminiModel(key, model);
    sendJson(res, 200, JSON.stringify(body), { 'x-request-id': requestId });
  } catch (error) {
    sendError(res, toGatewayError(error), requestId);
  }
}

function wrongMethod(res: ServerResponse, method: string, path: string, allowed: string, requestId: string): true {
  sendError(res, new GatewayError('not_found', `unknown path: ${method} ${path} (use ${allowed})`, { code: 'unknown_url' }), requestId);
  return true;
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

function sendError(res: ServerResponse, error: GatewayError, requestId: string): void {
  if (res.headersSent) return;
  const encoded = encodeGoogleError(error);
  sendJson(res, encoded.status, encoded.body, { ...encoded.headers, 'x-request-id': requestId });
}
