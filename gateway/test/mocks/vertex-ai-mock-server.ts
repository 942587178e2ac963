// Vertex AI for tests, on 127.0.0.1: Google's OAuth token endpoint and the Vertex model
// endpoints of both publishers.
//
//   const vertex = await startVertexAIMockServer({ publicKey, clientEmail, project: 'p', location: 'us-central1' });
//   vertex.url                     baseURL for a `vertex-ai` backend (the gateway adds /v1/projects/...)
//   vertex.tokenUri                the service-account JSON's token_uri
//   vertex.issuedTokens            every access token issued, in order (count = issuances)
//   vertex.tokenRequests           every token request: {grantType, claims, header, accepted}
//   vertex.setTokenLifetime(s)     expires_in of the next tokens (default 3600)
//   vertex.setTokenReply(r)        answer token requests with {status, body, delayMs} instead (undefined: normal)
//   vertex.calls                   model calls that passed the checks: {publisher, project, location, model, method, alt, token, body}
//   vertex.gemini / vertex.anthropic   the provider mocks behind it: enqueue replies there
//   vertex.enqueuePredict(reply)   a `:predict` answer: {predictions} body or {error}
//   vertex.reset(); await vertex.close();
//
// Token endpoint (POST /token): form-encoded `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`
// and `assertion`, an RS256 JWT whose signature must verify with `publicKey`, with iss = sub =
// clientEmail, aud = tokenUri, scope containing cloud-platform, exp - iat <= 3600 and iat within
// a minute of now. Anything else gets Google's `400 {"error":"invalid_grant", ...}`.
//
// Model endpoints (POST /v1/projects/{p}/locations/{l}/publishers/{google|anthropic}/models/{m}:{method}):
// `Authorization: Bearer` must carry an issued, unexpired token (else 401 UNAUTHENTICATED, as
// Google answers), and the project and location must be the configured ones (else 403
// PERMISSION_DENIED). Google's generateContent / streamGenerateContent are replayed by the
// Gemini mock (its captures, its SSE framing); Anthropic's rawPredict / streamRawPredict must
// carry `anthropic_version: vertex-2023-10-16` and no `model` (else Anthropic's 400), and are
// replayed by the Anthropic mock. `:predict` (text embeddings) answers here: deterministic
// vectors per instance, `statistics.token_count` = the number of words; an Imagen `:predict`
// (instances carrying a `prompt`) answers `parameters.sampleCount` PNG images (default 4, at
// most 4, as Imagen allows) as `{bytesBase64Encoded, mimeType}`.

import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { request as httpRequest, type ServerResponse } from 'node:http';
import { startMockHttpServer, type RecordedRequest } from '../support/mock-http-server.js';
import { ANTHROPIC_MOCK_API_KEY, startAnthropicMockServer, type AnthropicMockServer } from './anthropic-mock-server.js';
import { deterministicEmbedding, startGeminiMockServer, type GeminiMockServer } from './gemini-mock-server.js';

const GEMINI_INNER_KEY = 'vertex-mock-inner-gemini-key';
/** A 1x1 PNG: what every Imagen answer holds. */
const MOCK_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const MODEL_PATH = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/([^/]+)\/models\/([^/:]+):([A-Za-z]+)$/;

export interface VertexMockOptions {
  /** The service account's public key (PEM or KeyObject): assertions must verify with it. */
  publicKey: string | KeyObject;
  clientEmail: string;
  project: string;
  location: string;
}

interface TokenRequestRecord {
  grantType: string | null;
  header: Record<string, unknown> | undefined;
  claims: Record<string, unknown> | undefined;
  accepted: boolean;
  /** Why it was refused, when it was. */
  refusal?: string;
}

interface TokenReplyOverride {
  status: number;
  body: unknown;
  delayMs?: number;
}

interface VertexMockCall {
  publisher: string;
  project: string;
  location: string;
  model: string;
  method: string;
  alt: string | undefined;
  token: string;
  body: unknown;
}

type VertexPredictReply = { predictions: unknown[] } | { error: { code: number; status: string; message: string } };

export interface VertexAIMockServer {
  url: string;
  tokenUri: string;
  issuedTokens: string[];
  tokenRequests: TokenRequestRecord[];
  calls: VertexMockCall[];
  requests: RecordedRequest[];
  gemini: GeminiMockServer;
  anthropic: AnthropicMockServer;
  setTokenLifetime(seconds: number): void;
  /** Delay before each normal token answer (lets concurrent requests pile up on one refresh). */
  setTokenDelay(ms: number): void;
  setTokenReply(reply: TokenReplyOverride | undefined): void;
  enqueuePredict(...replies: VertexPredictReply[]): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startVertexAIMockServer(options: VertexMockOptions): Promise<VertexAIMockServer> {
  const publicKey = typeof options.publicKey === 'string' ? createPublicKey(options.publicKey) : options.publicKey;
  const gemini = await startGeminiMockServer({ apiKey: GEMINI_INNER_KEY });
  const anthropic = await startAnthropicMockServer();
  const issuedTokens: string[] = [];
  const expiry = new Map<string, number>();
  const tokenRequests: TokenRequestRecord[] = [];
  const calls: VertexMockCall[] = [];
  const predictQueue: VertexPredictReply[] = [];
  let lifetimeSeconds = 3600;
  let tokenDelayMs = 0;
  let tokenReply: TokenReplyOverride | undefined;
  let tokenUri = '';

  const server = await startMockHttpServer(async (request, res) => {
    const url = new URL(request.url, 'http://127.0.0.1');
    if (request.method === 'POST' && url.pathname === '/token') {
      if (tokenReply !== undefined) {
        if (tokenReply.delayMs !== undefined) await sleep(tokenReply.delayMs);
        return sendJson(res, tokenReply.status, tokenReply.body);
      }
      const record = checkTokenRequest(request.body.toString('utf8'), publicKey, options.clientEmail, tokenUri);
      tokenRequests.push(record);
      if (!record.accepted) return sendJson(res, 400, { error: 'invalid_grant', error_description: record.refusal });
      if (tokenDelayMs > 0) await sleep(tokenDelayMs);
      const token = `ya29.mock-${issuedTokens.length + 1}-${Math.random().toString(36).slice(2, 10)}`;
      issuedTokens.push(token);
      expiry.set(token, Date.now() + lifetimeSeconds * 1000);
      return sendJson(res, 200, { access_token: token, expires_in: lifetimeSeconds, token_type: 'Bearer' });
    }

    const match = MODEL_PATH.exec(url.pathname);
    if (request.method !== 'POST' || match === null)
      return sendGoogleError(res, 404, 'NOT_FOUND', `The requested URL ${url.pathname} was not found.`);
    const [, project, location, publisher, model, method] = match.map((part) => decodeURIComponent(part)) as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const token = /^Bearer (.+)$/.exec(headerValue(request.headers['authorization']) ?? '')?.[1];
    const expiresAt = token === undefined ? undefined : expiry.get(token);
    if (token === undefined || expiresAt === undefined || expiresAt <= Date.now()) {
      return sendGoogleError(
        res,
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    if (project !== options.project || location !== options.location) {
      return sendGoogleError(
        res,
        403,
        'PERMISSION_DENIED',
        `Permission denied on resource project ${project} (or it may not exist) in location ${location}.`,
      );
    }
    const alt = url.searchParams.get('alt') ?? undefined;
    const call: VertexMockCall = { publisher, project, location, model, method, alt, token, body: request.json };

    if (publisher === 'google' && (method === 'generateContent' || method === 'streamGenerateContent')) {
      calls.push(call);
      return proxy(
        res,
        gemini.url,
        `/v1beta/models/${encodeURIComponent(model)}:${method}${url.search}`,
        { 'x-goog-api-key': GEMINI_INNER_KEY },
        request.body,
      );
    }
    if (publisher === 'google' && method === 'predict') {
      calls.push(call);
      return answerPredict(res, request.json, predictQueue.shift());
    }
    if (publisher === 'anthropic' && (method === 'rawPredict' || method === 'streamRawPredict')) {
      const refusal = checkAnthropicBody(request.json, method === 'streamRawPredict');
      if (refusal !== undefined) return sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: refusal } });
      calls.push(call);
      const { anthropic_version: _version, ...body } = request.json as Record<string, unknown>;
      const forwarded = Buffer.from(JSON.stringify({ model, ...body }));
      return proxy(
        res,
        anthropic.url,
        '/v1/messages',
        { 'x-api-key': ANTHROPIC_MOCK_API_KEY, 'anthropic-version': '2023-06-01' },
        forwarded,
      );
    }
    return sendGoogleError(res, 400, 'INVALID_ARGUMENT', `Method ${method} is not served for publisher ${publisher} by this mock.`);
  });
  tokenUri = `${server.url}/token`;

  return {
    url: server.url,
    tokenUri,
    issuedTokens,
    tokenRequests,
    calls,
    requests: server.requests,
    gemini,
    anthropic,
    setTokenLifetime: (seconds) => {
      lifetimeSeconds = seconds;
    },
    setTokenDelay: (ms) => {
      tokenDelayMs = ms;
    },
    setTokenReply: (reply) => {
      tokenReply = reply;
    },
    enqueuePredict: (...replies) => {
      predictQueue.push(...replies);
    },
    reset: () => {
      calls.length = 0;
      tokenRequests.length = 0;
      predictQueue.length = 0;
      server.requests.length = 0;
      tokenReply = undefined;
      tokenDelayMs = 0;
      gemini.reset();
      anthropic.reset();
    },
    close: async () => {
      await Promise.all([server.close(), gemini.close(), anthropic.close()]);
    },
  };
}

function checkTokenRequest(form: string, publicKey: KeyObject, clientEmail: string, tokenUri: string): TokenRequestRecord {
  const params = new URLSearchParams(form);
  const grantType = params.get('grant_type');
  const record: TokenRequestRecord = { grantType, header: undefined, claims: undefined, accepted: false };
  const refuse = (refusal: string): TokenRequestRecord => ({ ...record, refusal });
  if (grantType !== JWT_BEARER) return refuse(`Invalid grant_type: ${grantType ?? ''}`);
  const parts = (params.get('assertion') ?? '').split('.');
  if (parts.length !== 3) return refuse('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
  record.header = decodeJsonPart(headerPart);
  record.claims = decodeJsonPart(claimsPart);
  if (record.header?.['alg'] !== 'RS256') return refuse('Invalid JWT: alg must be RS256.');
  if (!verify('RSA-SHA256', Buffer.from(`${headerPart}.${claimsPart}`), publicKey, Buffer.from(signaturePart, 'base64url')))
    return refuse('Invalid JWT Signature.');
  const claims = record.claims ?? {};
  if (claims['iss'] !== clientEmail || claims['sub'] !== clientEmail)
    return refuse('Invalid JWT: iss and sub must be the service account.');
  if (claims['aud'] !== tokenUri) return refuse('Invalid JWT: aud must be the token endpoint.');
  if (typeof claims['scope'] !== 'string' || !claims['scope'].split(' ').includes(CLOUD_PLATFORM_SCOPE))
    return refuse('Invalid JWT: scope must include cloud-platform.');
  const iat = claims['iat'];
  const exp = claims['exp'];
  const nowSeconds = Date.now() / 1000;
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= iat || exp - iat > 3600 || Math.abs(iat - nowSeconds) > 60) {
    return refuse(
      'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
    );
  }
  return { ...record, accepted: true };
}

function checkAnthropicBody(body: unknown, streaming: boolean): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The request body is not valid JSON.';
  const fields = body as Record<string, unknown>;
  if (fields['anthropic_version'] !== 'vertex-2023-10-16') return "anthropic_version: Input should be 'vertex-2023-10-16'";
  if ('model' in fields) return 'model: Extra inputs are not permitted';
  if (streaming !== (fields['stream'] === true)) return `stream must be ${String(streaming)} for this method`;
  return undefined;
}

function answerPredict(res: ServerResponse, body: unknown, reply: VertexPredictReply | undefined): void {
  if (reply !== undefined && 'error' in reply) return sendGoogleError(res, reply.error.code, reply.error.status, reply.error.message);
  if (reply !== undefined) return sendJson(res, 200, reply);
  const fields = (body ?? {}) as { instances?: unknown; parameters?: { outputDimensionality?: unknown; sampleCount?: unknown } };
  if (!Array.isArray(fields.instances) || fields.instances.length === 0)
    return sendGoogleError(res, 400, 'INVALID_ARGUMENT', 'instances must be a non-empty list.');
  if (typeof (fields.instances[0] as { prompt?: unknown } | null)?.prompt === 'string') {
    const count = fields.parameters?.sampleCount ?? 4;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 4)
      return sendGoogleError(res, 400, 'INVALID_ARGUMENT', 'Image generation failed: sampleCount must be between 1 and 4.');
    const image = { bytesBase64Encoded: MOCK_PNG_BASE64, mimeType: 'image/png' };
    return sendJson(res, 200, { predictions: Array.from({ length: count }, () => image) });
  }
  const dimensions = typeof fields.parameters?.outputDimensionality === 'number' ? fields.parameters.outputDimensionality : 8;
  const predictions = fields.instances.map((instance) => {
    const content = (instance as { content?: unknown } | null)?.content;
    const text = typeof content === 'string' ? content : '';
    const tokenCount = text.split(/\s+/).filter((w) => w !== '').length;
    return { embeddings: { statistics: { truncated: false, token_count: tokenCount }, values: deterministicEmbedding(text, dimensions) } };
  });
  sendJson(res, 200, { predictions, metadata: { billableCharacterCount: 0 } });
}

/** Forwards to a provider mock and streams its answer back unchanged (status, headers, bytes). */
function proxy(res: ServerResponse, origin: string, path: string, headers: Record<string, string>, body: Buffer): Promise<void> {
  return new Promise((resolveProxy, rejectProxy) => {
    const upstream = httpRequest(
      `${origin}${path}`,
      { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.length) } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => resolveProxy());
        // A provider mock that cuts its stream cuts this one too.
        answer.on('error', () => {
          res.destroy();
          resolveProxy();
        });
        answer.on('aborted', () => res.destroy());
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) {
        res.destroy();
        resolveProxy();
      } else rejectProxy(error);
    });
    upstream.end(body);
  });
}

function decodeJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function sendGoogleError(res: ServerResponse, code: number, status: string, message: string): void {
  sendJson(res, code, { error: { code, message, status } });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
