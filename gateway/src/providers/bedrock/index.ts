// Amazon Bedrock through the Converse API: `POST {baseURL}/model/{modelId}/converse` and
// `/converse-stream`, embeddings through InvokeModel (`/model/{modelId}/invoke`, a body per
// model family), and rerank through the Agent Runtime's `Rerank` (`POST /rerank` on the
// `bedrock-agent-runtime` host), all signed with SigV4 (service `bedrock`). No AWS SDK: the signer lives in
// common/aws, the bodies and the event-stream codec in wire/.

import { randomUUID } from 'node:crypto';
import type { CompiledBackend } from '@switchyard/compiler';
import { awsUriEncode, signHttpRequest } from '../../common/aws/sigv4-signer.js';
import type { BackendTarget, StreamDecoder, UpstreamHttpRequest } from '../../unified/provider-codec.js';
import type { HttpProviderAdapter } from '../provider-adapter.js';
import {
  decodeBedrockError,
  BedrockStreamDecoder,
  convertFromBedrockConverse,
  type ResponseIdentity,
  convertToBedrockConverse,
} from '../../wire/bedrock-converse/index.js';
import { type EnvironmentVariables, resolveBedrockCredentials, resolveBedrockRegion } from './bedrock-credentials.js';
import { convertToBedrockEmbeddings, decodeBedrockEmbeddings } from '../../wire/bedrock-embeddings/index.js';
import { convertToTitanImageRequest, decodeTitanImageResponse } from '../../wire/images/index.js';
import { bedrockRerankModelArn, convertToBedrockRerankRequest, decodeBedrockRerankResponse } from '../../wire/rerank/index.js';

const BEDROCK_SIGNING_SERVICE = 'bedrock';

interface BedrockAdapterOptions {
  /** Signing clock. */
  now?: () => Date;
  /** Where ambient credentials are read from (`bedrock.useAmbientCredentials`). */
  env?: EnvironmentVariables;
  /** Response ids: Converse does not return one in the body. */
  newResponseId?: () => string;
}

function baseUrlOf(backend: CompiledBackend, region: string): string {
  const base = backend.baseURL || `https://bedrock-runtime.${region}.amazonaws.com`;
  return base.replace(/\/+$/, '');
}

/** The model id goes in one path segment: `:` in `...-v1:0` and `/` in ARNs are percent-encoded. */
function bedrockOperationUrl(backend: CompiledBackend, region: string, operation: 'converse' | 'converse-stream' | 'invoke'): string {
  return `${baseUrlOf(backend, region)}/model/${awsUriEncode(backend.model)}/${operation}`;
}

/**
 * Rerank is an Agent Runtime operation, on its own host: the runtime host of the base URL
 * (`bedrock-runtime.{region}`, the default) becomes `bedrock-agent-runtime.{region}`; any other
 * base URL (a proxy) is used as it is.
 */
function bedrockRerankUrl(backend: CompiledBackend, region: string): string {
  return `${baseUrlOf(backend, region).replace('://bedrock-runtime.', '://bedrock-agent-runtime.')}/rerank`;
}

export function createBedrockAdapter(options: BedrockAdapterOptions = {}): HttpProviderAdapter {
  const now = options.now ?? (() => new Date());
  const env = options.env ?? process.env;
  const newResponseId = options.newResponseId ?? (() => `bedrock-${randomUUID()}`);
  const identity = (target: BackendTarget): ResponseIdentity => ({
    id: newResponseId(),
    model: target.backend.model,
    created: Math.floor(now().getTime() / 1000),
  });

  const signedPost = (
    target: BackendTarget,
    operation: 'converse' | 'converse-stream' | 'invoke' | 'rerank',
    body: string | ((region: string) => string),
    accept: string,
  ): UpstreamHttpRequest => {
    const region = resolveBedrockRegion(target.backend);
    const credentials = resolveBedrockCredentials(target, env);
    const url = operation === 'rerank' ? bedrockRerankUrl(target.backend, region) : bedrockOperationUrl(target.backend, region, operation);
    const headers: Record<string, string> = { 'content-type': 'application/json', accept };
    // Rerank names its model by an ARN in the backend's region, known only here.
    const text = typeof body === 'string' ? body : body(region);
    const signed = signHttpRequest(
      { method: 'POST', url, headers, body: text },
      { credentials, region, service: BEDROCK_SIGNING_SERVICE, date: now() },
    );
    // The signature covers these headers and the body byte for byte: send them unchanged.
    return { url, method: 'POST', headers: { ...headers, ...signed.headers }, body: text };
  };

  return {
    kind: 'http',
    provider: 'bedrock',

    encodeChatRequest(request, target): UpstreamHttpRequest {
      const body = JSON.stringify(convertToBedrockConverse(request, target));
      return signedPost(
        target,
        request.stream ? 'converse-stream' : 'converse',
        body,
        request.stream ? 'application/vnd.amazon.eventstream' : 'application/json',
      );
    },

    decodeChatResponse(body, target) {
      return convertFromBedrockConverse(body, identity(target));
    },

    createStreamDecoder(target): StreamDecoder {
      return new BedrockStreamDecoder(identity(target));
    },

    decodeError: decodeBedrockError,

    encodeEmbeddingsRequest(request, target): UpstreamHttpRequest {
      const body = JSON.stringify(convertToBedrockEmbeddings(request, target.backend.model));
      return signedPost(target, 'invoke', body, 'application/json');
    },

    decodeEmbeddingsResponse(body, target, headers) {
      return decodeBedrockEmbeddings(body, target.backend.model, headers);
    },

    // Images: Titan Image Generator through InvokeModel (wire/images/titan-image.ts says what maps).
    encodeImageRequest(request, target): UpstreamHttpRequest {
      return signedPost(target, 'invoke', JSON.stringify(convertToTitanImageRequest(request, 'bedrock')), 'application/json');
    },

    decodeImageResponse: (body) => decodeTitanImageResponse(body, 'bedrock'),

    encodeRerankRequest(request, target): UpstreamHttpRequest {
      const body = (region: string): string =>
        JSON.stringify(convertToBedrockRerankRequest(request, bedrockRerankModelArn(target.backend.model, region)));
      return signedPost(target, 'rerank', body, 'application/json');
    },

    decodeRerankResponse: (body, request, target) => decodeBedrockRerankResponse(body, request, 'bedrock', target.backend.model),
  };
}

export const bedrockAdapter: HttpProviderAdapter = createBedrockAdapter();
