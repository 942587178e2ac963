// /v1/images/generations and /v1/images/edits, routed like embeddings: authorized against the
// key's models, admitted on the image catalog's price of n images (governance/cost/image-cost.ts),
// retried and fallen back, never cached, and charged what the answer cost: images answered at
// their per-image price, or GPT Image tokens as OpenAI reports them. Guardrails do not check
// images (their checks read text; an image prompt is text, but an edit's images are not, and a
// check that saw half a request would be worse than a documented gap: docs/guardrails.md).

import { emptyUsage } from '@switchyard/compiler';
import { invalidRequest } from '../errors/gateway-error.js';
import type { FrontDoorEndpoint } from '../frontdoors/front-door.js';
import { imageCostNanos, imagePriceOf } from '../governance/cost/image-cost.js';
import type { UnifiedImageRequest } from '../unified/images.js';
import { callImages, type ImageCallResult } from './call-upstream.js';
import type { Exchange } from './exchange.js';
import { parseRequestBody, readRequestBody } from './ingress.js';
import type { OperationPlan } from './operations.js';
import { respondJson } from './respond.js';

type ImagesEndpoint = Extract<FrontDoorEndpoint, { operation: 'images' }>;

/** Reads the body (bounded by --max-body-bytes, the upload limit of an edit too) and decodes it. */
async function ingestImages(exchange: Exchange, endpoint: ImagesEndpoint, maxBodyBytes: number): Promise<UnifiedImageRequest> {
  const { req } = exchange;
  if (endpoint.images === 'generate')
    return endpoint.frontDoor.decodeImageGenerationRequest(parseRequestBody(await readRequestBody(req, maxBodyBytes)));
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType))
    throw invalidRequest("an image edit must be sent as multipart/form-data (the 'image' files and the fields as parts)", 'content-type');
  const body = await readRequestBody(req, maxBodyBytes);
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw invalidRequest('the request body is not valid multipart/form-data', 'content-type');
  }
  return endpoint.frontDoor.decodeImageEditRequest(form);
}

export const imagesOperation: OperationPlan<ImagesEndpoint, UnifiedImageRequest, ImageCallResult> = {
  name: 'images',
  traced: 'image_generation',
  readsBody: true,
  ingest: (exchange, endpoint, _context, maxBodyBytes) => ingestImages(exchange, endpoint, maxBodyBytes),
  streams: () => false,
  checked: () => undefined,
  admits: true,
  cache: undefined,
  call: callImages,
  answerHere() {
    throw new Error('this operation is answered upstream');
  },
  record(exchange, answer) {
    const request = exchange.request as UnifiedImageRequest;
    const { response } = answer;
    const usage = response.usage;
    exchange.usage = { ...emptyUsage(), inputTokens: usage?.inputTokens ?? 0, outputTokens: usage?.outputTokens ?? 0 };
    exchange.images = response.data.length;
    const entry = imagePriceOf(answer.backend);
    // The image catalog prices images; a backend's token `pricing` does not (it would charge a
    // per-image model's answer, which reports no tokens, as free), so without a catalog entry
    // the answer carries no cost, as for any unpriced backend.
    exchange.pricing = undefined;
    const cost = entry === undefined ? undefined : imageCostNanos(entry, request, response.data.length, usage);
    if (cost !== undefined) exchange.costNanos = cost;
    exchange.span?.responseModel(answer.backend.model);
  },
  whole: () => undefined,
  respond: (exchange, endpoint, answer) => respondJson(exchange, endpoint.frontDoor.encodeImageResponse(answer.response)),
};
