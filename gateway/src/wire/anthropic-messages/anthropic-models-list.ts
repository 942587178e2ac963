// GET /anthropic/v1/models and /anthropic/v1/models/{id} in Anthropic's shapes: the model names
// (and aliases) the calling key may use, as `ModelInfo` objects in a cursor page
// (`{data, has_more, first_id, last_id}`, paged by `limit`, `after_id`, `before_id`).
//
// The gateway knows public model names, not Claude model metadata: `display_name` is the name,
// `created_at` the time the serving routing table was compiled, and the capability and limit
// fields Anthropic reports for its own models are null ("unknown"), which its SDK types allow.

import { GatewayError } from '../../errors/gateway-error.js';
import { reflected } from '../../errors/reflected-input.js';
import type { FrontDoorContext, ModelCatalog, ModelListCodec } from '../../unified/front-door-codec.js';
import { fieldError } from './anthropic-request-fields.js';

interface AnthropicModelInfo {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
  capabilities: null;
  deprecated_at: null;
  lifecycle: 'active';
  line: null;
  max_input_tokens: null;
  max_tokens: null;
  retires_at: null;
}

interface AnthropicModelListPage {
  data: AnthropicModelInfo[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

interface AnthropicModelListQuery {
  limit?: string | null;
  after_id?: string | null;
  before_id?: string | null;
}

const DEFAULT_MODEL_PAGE_SIZE = 20;
const MAX_MODEL_PAGE_SIZE = 1000;

function modelInfo(catalog: ModelCatalog, id: string): AnthropicModelInfo {
  return {
    type: 'model',
    id,
    display_name: id,
    created_at: new Date(catalog.createdAtSeconds * 1000).toISOString(),
    capabilities: null,
    deprecated_at: null,
    lifecycle: 'active',
    line: null,
    max_input_tokens: null,
    max_tokens: null,
    retires_at: null,
  };
}

function pageLimit(value: string | null | undefined): number {
  if (value === undefined || value === null || value === '') return DEFAULT_MODEL_PAGE_SIZE;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MODEL_PAGE_SIZE) {
    throw fieldError('limit', `Input should be an integer between 1 and ${MAX_MODEL_PAGE_SIZE}`);
  }
  return limit;
}

function cursorIndex(ids: readonly string[], id: string, param: 'after_id' | 'before_id'): number {
  const index = ids.indexOf(id);
  if (index < 0) throw fieldError(param, `no model with id '${id}' is visible to this key`);
  return index;
}

/** One page of the key's models, in name order. Throws GatewayError on a bad query. */
function anthropicModelList(catalog: ModelCatalog, query: AnthropicModelListQuery = {}): AnthropicModelListPage {
  const ids = catalog.models.map((model) => model.id);
  const limit = pageLimit(query.limit);
  let start: number;
  let end: number;
  if (query.before_id) {
    end = cursorIndex(ids, query.before_id, 'before_id');
    start = Math.max(0, end - limit);
  } else {
    start = query.after_id ? cursorIndex(ids, query.after_id, 'after_id') + 1 : 0;
    end = Math.min(ids.length, start + limit);
  }
  const page = ids.slice(start, end);
  return {
    data: page.map((id) => modelInfo(catalog, id)),
    // Paging backwards, "more" lies before the page; forwards, after it.
    has_more: query.before_id ? start > 0 : end < ids.length,
    first_id: page[0] ?? null,
    last_id: page[page.length - 1] ?? null,
  };
}

/** One model the key may use, or 404 in the same words as a request naming an unknown model. */
function anthropicModel(catalog: ModelCatalog, id: string): AnthropicModelInfo {
  if (!catalog.byId.has(id)) {
    throw new GatewayError('not_found', `The model \`${reflected(id)}\` does not exist or you do not have access to it.`, {
      code: 'model_not_found',
      param: 'model',
    });
  }
  return modelInfo(catalog, id);
}

export const anthropicModelListCodec: ModelListCodec = {
  encodeModelList(catalog: ModelCatalog, context: FrontDoorContext): string {
    const query = context.query;
    return JSON.stringify(
      anthropicModelList(catalog, { limit: query?.get('limit'), after_id: query?.get('after_id'), before_id: query?.get('before_id') }),
    );
  },
  encodeModel(catalog: ModelCatalog, context: FrontDoorContext): string {
    return JSON.stringify(anthropicModel(catalog, context.pathModel ?? ''));
  },
};
