// Where each provider serves files and batches, and how a call is authenticated: OpenAI's
// /v1/files and /v1/batches (Bearer key), Azure OpenAI's resource-level /openai/files and
// /openai/batches (`api-key`, `api-version`), Anthropic's /v1/messages/batches (`x-api-key`).
// The other providers have no batch API the gateway maps (docs/compatibility.md).
import type { ProviderName } from '@switchyard/compiler';
import { UpstreamFailure } from '../errors/upstream-failure.js';
import type { BackendTarget, UpstreamHttpRequest } from '../unified/provider-codec.js';
import { ANTHROPIC_VERSION } from '../wire/anthropic-messages/index.js';
import { trimSlash } from './openai-family-adapter.js';

/** The two batch API shapes: OpenAI's files + batches, and Anthropic's inline message batches. */
export type BatchApiFamily = 'openai' | 'anthropic';

export function batchApiFamily(provider: ProviderName): BatchApiFamily | undefined {
  if (provider === 'openai' || provider === 'azure-openai') return 'openai';
  if (provider === 'anthropic') return 'anthropic';
  return undefined;
}

export type BatchApiCall =
  | { op: 'upload-file'; filename: string; content: string }
  | { op: 'get-file' | 'delete-file' | 'file-content'; id: string }
  | { op: 'create-batch'; body: string }
  | { op: 'get-batch' | 'cancel-batch' | 'batch-results'; id: string };

export function encodeBatchApiCall(target: BackendTarget, call: BatchApiCall): UpstreamHttpRequest {
  const { provider } = target.backend;
  if (provider === 'anthropic') return anthropicCall(target, call);
  if (provider === 'openai' || provider === 'azure-openai') return openAICall(target, call);
  throw new UpstreamFailure('Other', 0, `provider ${provider} has no batch API`);
}

function openAIUrl(target: BackendTarget, path: string): string {
  const { backend } = target;
  if (backend.provider !== 'azure-openai') return `${trimSlash(backend.baseURL)}/${path}`;
  // Azure's files and batches live on the resource, not under a deployment.
  const apiVersion = backend.azure?.apiVersion;
  if (!apiVersion) throw new UpstreamFailure('Other', 0, `azure-openai backend ${backend.name} has no azure.apiVersion`);
  return `${trimSlash(backend.baseURL)}/openai/${path}?api-version=${encodeURIComponent(apiVersion)}`;
}

function openAIAuth(target: BackendTarget): Record<string, string> {
  const apiKey = target.credential?.apiKey;
  const auth: Record<string, string> =
    apiKey === undefined || apiKey === ''
      ? {}
      : target.backend.provider === 'azure-openai'
        ? { 'api-key': apiKey }
        : { authorization: `Bearer ${apiKey}` };
  return { ...target.backend.headers, ...auth };
}

function openAICall(target: BackendTarget, call: BatchApiCall): UpstreamHttpRequest {
  const headers = openAIAuth(target);
  switch (call.op) {
    case 'upload-file': {
      const boundary = `switchyard-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nbatch\r\n`),
        Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${call.filename.replace(/["\r\n\\]/g, '_')}"\r\ncontent-type: application/jsonl\r\n\r\n`,
        ),
        Buffer.from(call.content, 'utf8'),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return {
        url: openAIUrl(target, 'files'),
        method: 'POST',
        headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
      };
    }
    case 'get-file':
      return { url: openAIUrl(target, `files/${encodeURIComponent(call.id)}`), method: 'GET', headers };
    case 'delete-file':
      return { url: openAIUrl(target, `files/${encodeURIComponent(call.id)}`), method: 'DELETE', headers };
    case 'file-content':
      return { url: openAIUrl(target, `files/${encodeURIComponent(call.id)}/content`), method: 'GET', headers };
    case 'create-batch':
      return {
        url: openAIUrl(target, 'batches'),
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: call.body,
      };
    case 'get-batch':
      return { url: openAIUrl(target, `batches/${encodeURIComponent(call.id)}`), method: 'GET', headers };
    case 'cancel-batch':
      return { url: openAIUrl(target, `batches/${encodeURIComponent(call.id)}/cancel`), method: 'POST', headers };
    case 'batch-results':
      throw new UpstreamFailure('Other', 0, 'OpenAI-format batches deliver results in an output file');
  }
}

function anthropicCall(target: BackendTarget, call: BatchApiCall): UpstreamHttpRequest {
  const apiKey = target.credential?.apiKey;
  if (apiKey === undefined || apiKey === '')
    throw new UpstreamFailure(
      'AuthError',
      0,
      `backend ${target.backend.name} has no Anthropic API key (credential ${target.credential?.ref ?? 'missing'})`,
    );
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION, ...target.backend.headers, 'x-api-key': apiKey };
  const base = `${trimSlash(target.backend.baseURL)}/v1/messages/batches`;
  switch (call.op) {
    case 'create-batch':
      return { url: base, method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: call.body };
    case 'get-batch':
      return { url: `${base}/${encodeURIComponent(call.id)}`, method: 'GET', headers };
    case 'cancel-batch':
      return { url: `${base}/${encodeURIComponent(call.id)}/cancel`, method: 'POST', headers };
    case 'batch-results':
      return { url: `${base}/${encodeURIComponent(call.id)}/results`, method: 'GET', headers };
    default:
      // The gateway keeps an Anthropic batch's input file itself: Message Batches take requests inline.
      throw new UpstreamFailure('Other', 0, `anthropic has no ${call.op} call: the gateway keeps the file`);
  }
}
