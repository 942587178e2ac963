// The Images API on the OpenAI family: OpenAI's `/images/generations` (JSON) and `/images/edits`
// (multipart), and Azure OpenAI's same bodies on deployment URLs. What maps is everything: the
// caller speaks this API. `url` answers are OpenAI's and Azure's own (DALL-E; GPT Image models
// answer base64 only and the upstream says so if asked for a URL).

import type { ProviderName } from '@switchyard/compiler';
import type { UnifiedImageRequest } from '../unified/images.js';
import type { BackendTarget, UpstreamHttpRequest } from '../unified/provider-codec.js';
import { convertToOpenAIImageEdit, convertToOpenAIImageGeneration, decodeOpenAIImageResponse } from '../wire/images/index.js';
import type { HttpProviderAdapter } from './provider-adapter.js';

export type OpenAIImageOperation = 'images/generations' | 'images/edits';

interface OpenAIImageEndpoint {
  imagesURL(target: BackendTarget, operation: OpenAIImageOperation): string;
  /** JSON headers with the credential (content-type is replaced for a multipart edit). */
  headers(target: BackendTarget): Record<string, string>;
  modelInBody: boolean;
}

export function attachOpenAIImages(adapter: HttpProviderAdapter, provider: ProviderName, endpoint: OpenAIImageEndpoint): void {
  adapter.encodeImageRequest = (request: UnifiedImageRequest, target: BackendTarget): UpstreamHttpRequest => {
    const model = endpoint.modelInBody ? target.backend.model : undefined;
    if (request.operation === 'generate')
      return {
        url: endpoint.imagesURL(target, 'images/generations'),
        method: 'POST',
        headers: endpoint.headers(target),
        body: JSON.stringify(convertToOpenAIImageGeneration(request, model)),
      };
    const multipart = convertToOpenAIImageEdit(request, model);
    return {
      url: endpoint.imagesURL(target, 'images/edits'),
      method: 'POST',
      headers: { ...endpoint.headers(target), 'content-type': multipart.contentType },
      body: multipart.body,
    };
  };
  adapter.decodeImageResponse = (body) => decodeOpenAIImageResponse(body, provider);
}
