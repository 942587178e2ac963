// `:embedContent` and `:batchEmbedContents` bodies -> UnifiedEmbeddingsRequest.
//
//  - a content's text parts are one input (joined by newlines); other parts are refused, since
//    the unified request embeds text only
//  - outputDimensionality -> dimensions, taskType -> taskType (Gemini backends receive it; other
//    providers have no task types and ignore it)
//  - a batch shares one unified request, so every entry must name the path's model and use the
//    same taskType and outputDimensionality (400 naming the entry otherwise)
//  - `title` (a RETRIEVAL_DOCUMENT hint) has no unified place and is dropped

import { invalidRequest } from '../../errors/gateway-error.js';
import type { GeminiEmbeddingsMethod } from './gemini-embeddings.js';
import type { JsonRecord } from '@switchyard/compiler';
import type { UnifiedEmbeddingsRequest } from '../../unified/chat-request.js';
import type { FrontDoorContext } from '../../unified/front-door-codec.js';
import { optionalNumber, optionalString, requireArray, requireRecord } from '../request-fields/index.js';
import { decodeGeminiPart } from './decode-gemini-part.js';
import { publicModelName } from './gemini-model-names.js';

const TASK_TYPES = [
  'TASK_TYPE_UNSPECIFIED',
  'RETRIEVAL_QUERY',
  'RETRIEVAL_DOCUMENT',
  'SEMANTIC_SIMILARITY',
  'CLASSIFICATION',
  'CLUSTERING',
  'QUESTION_ANSWERING',
  'FACT_VERIFICATION',
  'CODE_RETRIEVAL_QUERY',
] as const;

interface EmbedEntry {
  text: string;
  taskType: string | undefined;
  dimensions: number | undefined;
}

export function decodeGeminiEmbeddingsRequest(
  body: unknown,
  context: FrontDoorContext,
  method: GeminiEmbeddingsMethod,
): UnifiedEmbeddingsRequest {
  const b = requireRecord(body, 'body');
  const pathModel = context.pathModel === undefined ? undefined : publicModelName(context.pathModel);
  if (method === 'embedContent') {
    const model = pathModel ?? requireModel(b.model, 'model');
    return toUnified(model, [decodeEntry(b, '')]);
  }
  if (b.requests === undefined || b.requests === null) throw invalidRequest('requests is required', 'requests');
  const items = requireArray(b.requests, 'requests');
  if (items.length === 0) throw invalidRequest('requests must not be empty', 'requests');
  let model = pathModel;
  const entries = items.map((item, i) => {
    const path = `requests[${i}]`;
    const entry = requireRecord(item, path);
    if (entry.model !== undefined && entry.model !== null) {
      const named = requireModel(entry.model, `${path}.model`);
      if (model !== undefined && named !== model) {
        throw invalidRequest(
          `${path}.model is models/${named} but the request is for models/${model}; every entry of a batch must name the model in the path`,
          `${path}.model`,
        );
      }
      model ??= named;
    }
    return decodeEntry(entry, `${path}.`);
  });
  if (model === undefined) throw invalidRequest('the model is missing: call /genai/v1beta/models/{model}:batchEmbedContents', 'model');
  const first = entries[0] as EmbedEntry;
  entries.forEach((entry, i) => {
    if (entry.taskType !== first.taskType) {
      throw invalidRequest(
        `requests[${i}].taskType differs from requests[0].taskType; one batch embeds with one task type`,
        `requests[${i}].taskType`,
      );
    }
    if (entry.dimensions !== first.dimensions) {
      throw invalidRequest(
        `requests[${i}].outputDimensionality differs from requests[0].outputDimensionality; one batch has one dimensionality`,
        `requests[${i}].outputDimensionality`,
      );
    }
  });
  return toUnified(model, entries);
}

function toUnified(model: string, entries: EmbedEntry[]): UnifiedEmbeddingsRequest {
  const request: UnifiedEmbeddingsRequest = { model, input: entries.map((entry) => entry.text) };
  const first = entries[0];
  if (first?.taskType !== undefined) request.taskType = first.taskType;
  if (first?.dimensions !== undefined) request.dimensions = first.dimensions;
  return request;
}

function decodeEntry(entry: JsonRecord, prefix: string): EmbedEntry {
  if (entry.content === undefined || entry.content === null) throw invalidRequest(`${prefix}content is required`, `${prefix}content`);
  const content = requireRecord(entry.content, `${prefix}content`);
  const parts = requireArray(content.parts, `${prefix}content.parts`);
  const texts = parts.map((part, j) => {
    const path = `${prefix}content.parts[${j}]`;
    const decoded = decodeGeminiPart(part, path);
    if (decoded.kind !== 'content' || decoded.part.type !== 'text')
      throw invalidRequest(`${path}: only text can be embedded through the gateway`, path);
    return decoded.part.text;
  });
  const text = texts.join('\n');
  if (text === '') throw invalidRequest(`${prefix}content.parts must hold some text to embed`, `${prefix}content.parts`);
  const taskType = optionalString(entry.taskType, `${prefix}taskType`);
  if (taskType !== undefined && !(TASK_TYPES as readonly string[]).includes(taskType)) {
    throw invalidRequest(`${prefix}taskType must be one of ${TASK_TYPES.join(', ')}, got ${JSON.stringify(taskType)}`, `${prefix}taskType`);
  }
  const dimensions = optionalNumber(entry.outputDimensionality, `${prefix}outputDimensionality`, { integer: true, min: 1 });
  return { text, taskType: taskType === 'TASK_TYPE_UNSPECIFIED' ? undefined : taskType, dimensions };
}

function requireModel(value: unknown, field: string): string {
  const name = optionalString(value, field);
  const model = name === undefined ? '' : publicModelName(name);
  if (model === '') throw invalidRequest(`${field} must name a model (models/<name>)`, field);
  return model;
}
