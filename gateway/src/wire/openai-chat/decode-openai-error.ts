// Non-2xx answers and in-stream error events from OpenAI-format upstreams -> UpstreamFailure.
// Bodies vary across the family: OpenAI/Azure/Groq `{"error": {...}}`, Mistral and vLLM a
// top-level `{"message", "type", "code"}` (Mistral's 422 with a `detail` list as the message),
// Ollama `{"error": "text"}`, FastAPI servers `{"detail": ...}`, and plain text from proxies.

import type { ProviderName } from '@switchyard/compiler';
import { isRecord, optionalString, tryParseJson, type JsonRecord } from '@switchyard/compiler';
import { redactSecrets } from '@switchyard/compiler';
import type { UpstreamHeaders } from '../../unified/provider-codec.js';
import { failureKindForStatus, retryAfterMsFromHeaders, UpstreamFailure, type UpstreamFailureKind } from '../../errors/upstream-failure.js';

interface OpenAIErrorFields {
  message: string;
  type: string | undefined;
  code: string | undefined;
  param: string | undefined;
}

const MAX_MESSAGE_LENGTH = 1000;

function readOpenAIErrorBody(bodyText: string): OpenAIErrorFields {
  let parsed = tryParseJson(bodyText);
  if (Array.isArray(parsed)) parsed = parsed[0];
  if (!isRecord(parsed)) {
    const text = bodyText.trim();
    return { message: truncate(text === '' ? 'no error body' : text), type: undefined, code: undefined, param: undefined };
  }
  if (typeof parsed.error === 'string') return { message: truncate(parsed.error), type: undefined, code: undefined, param: undefined };
  const source: JsonRecord = isRecord(parsed.error) ? parsed.error : parsed;
  const message = messageText(source.message) ?? messageText(parsed.detail) ?? truncate(bodyText);
  return { message, type: optionalString(source.type), code: codeText(source.code), param: optionalString(source.param) };
}

export function decodeOpenAIError(status: number, headers: UpstreamHeaders, bodyText: string, provider: ProviderName): UpstreamFailure {
  const fields = readOpenAIErrorBody(bodyText);
  let kind = failureKindForStatus(status);
  // Out of credit is not a rate limit: waiting will not help, another credential or backend will.
  if (status === 429 && (fields.code === 'insufficient_quota' || fields.type === 'insufficient_quota')) kind = 'AuthError';
  const options: { retryAfterMs?: number; param?: string } = {};
  const retryAfterMs = retryAfterMsFromHeaders(headers);
  if (retryAfterMs !== undefined && kind !== 'AuthError') options.retryAfterMs = retryAfterMs;
  if (fields.param !== undefined) options.param = fields.param;
  return new UpstreamFailure(kind, status, describe(provider, fields), options);
}

/** An `{"error": ...}` payload that arrived inside a 200 stream. */
export function failureFromStreamError(error: unknown, provider: ProviderName): UpstreamFailure {
  const fields = readOpenAIErrorBody(JSON.stringify({ error }));
  const options: { param?: string } = {};
  if (fields.param !== undefined) options.param = fields.param;
  return new UpstreamFailure(kindForStreamError(fields), 0, describe(provider, fields), options);
}

function kindForStreamError(fields: OpenAIErrorFields): UpstreamFailureKind {
  const label = `${fields.type ?? ''} ${fields.code ?? ''}`;
  if (/insufficient_quota/.test(label)) return 'AuthError';
  if (/rate_limit|too_many_requests|429/.test(label)) return 'RateLimited';
  if (/invalid_request|bad_request|context_length|content_filter/.test(label)) return 'BadRequest';
  if (/timeout/.test(label)) return 'Timeout';
  return 'ServerError';
}

function describe(provider: ProviderName, fields: OpenAIErrorFields): string {
  const code = fields.code ?? fields.type;
  return redactSecrets(code ? `${provider}: ${fields.message} (${code})` : `${provider}: ${fields.message}`);
}

function messageText(value: unknown): string | undefined {
  if (typeof value === 'string') return truncate(value);
  if (Array.isArray(value)) {
    // FastAPI/pydantic validation detail: [{loc: [...], msg}]
    const parts = value.map((item) =>
      isRecord(item) && typeof item.msg === 'string'
        ? `${Array.isArray(item.loc) ? `${item.loc.join('.')}: ` : ''}${item.msg}`
        : JSON.stringify(item),
    );
    return truncate(parts.join('; '));
  }
  if (isRecord(value)) return messageText(value.detail) ?? truncate(JSON.stringify(value));
  return undefined;
}

function codeText(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}...` : text;
}
