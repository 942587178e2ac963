// `GET /genai/v1beta/models` and `GET /genai/v1beta/models/{model}` in Google's shape, showing
// only the names (route models and aliases) the calling key may use, as `models/<name>`.
//
// Pages: `pageSize` (default 50, at most 1000, as Google) and `pageToken`, an opaque cursor (the
// last name of the previous page) that stays valid across table reloads. The gateway cannot tell
// a chat route from an embeddings route, so every model lists every method the front door serves.

import { GatewayError, invalidRequest } from '../../errors/gateway-error.js';
import { reflected } from '../../errors/reflected-input.js';
import type { FrontDoorContext, ModelCatalog, ModelEntry, ModelListCodec } from '../../unified/front-door-codec.js';
import { modelResourceName, publicModelName } from './gemini-model-names.js';
import type { GeminiListModelsResponse, GeminiModel } from './gemini-wire-types.js';

/** What the list needs from a virtual key's models. */
export interface GeminiModelCatalog<Route> {
  readonly models: ReadonlyMap<string, Route>;
  mayUse(route: Route): boolean;
}

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const SUPPORTED_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents'];

export function listGeminiModels<Route>(catalog: GeminiModelCatalog<Route>, query: URLSearchParams | undefined): GeminiListModelsResponse {
  const pageSize = readPageSize(query?.get('pageSize') ?? null);
  const after = readPageToken(query?.get('pageToken') ?? null);
  const names = usableNames(catalog)
    .filter((name) => after === undefined || name > after)
    .sort();
  const page = names.slice(0, pageSize);
  const body: GeminiListModelsResponse = { models: page.map(describeModel) };
  const last = page[page.length - 1];
  if (names.length > pageSize && last !== undefined) body.nextPageToken = Buffer.from(last, 'utf8').toString('base64url');
  return body;
}

/** `name` may be given as `models/<name>`; a name the key may not use is a 404, as for an unknown one. */
export function getGeminiModel<Route>(catalog: GeminiModelCatalog<Route>, name: string): GeminiModel {
  const model = publicModelName(name);
  const route = catalog.models.get(model);
  if (route === undefined || !catalog.mayUse(route)) {
    throw new GatewayError('not_found', `models/${reflected(model)} is not found for API version v1beta, or the API key may not use it.`, {
      code: 'model_not_found',
      param: 'model',
    });
  }
  return describeModel(model);
}

function usableNames<Route>(catalog: GeminiModelCatalog<Route>): string[] {
  const names: string[] = [];
  for (const [name, route] of catalog.models) if (catalog.mayUse(route)) names.push(name);
  return names;
}

function describeModel(name: string): GeminiModel {
  return {
    name: modelResourceName(name),
    baseModelId: name,
    version: 'switchyard',
    displayName: name,
    description: `Switchyard model route ${name}`,
    supportedGenerationMethods: SUPPORTED_METHODS,
  };
}

function readPageSize(value: string | null): number {
  if (value === null || value === '') return DEFAULT_PAGE_SIZE;
  if (!/^\d+$/.test(value)) throw invalidRequest(`pageSize must be a non-negative integer, got ${JSON.stringify(value)}`, 'pageSize');
  const size = Number(value);
  return size === 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
}

function readPageToken(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  const decoded = /^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
  if (decoded === '' || Buffer.from(decoded, 'utf8').toString('base64url') !== value) {
    throw invalidRequest('pageToken is not a token this gateway issued', 'pageToken');
  }
  return decoded;
}

const everyListedModel = (): boolean => true;

function catalogView(catalog: ModelCatalog): GeminiModelCatalog<ModelEntry> {
  return { models: catalog.byId, mayUse: everyListedModel };
}

export const geminiModelListCodec: ModelListCodec = {
  encodeModelList(catalog: ModelCatalog, context: FrontDoorContext): string {
    return JSON.stringify(listGeminiModels(catalogView(catalog), context.query));
  },
  encodeModel(catalog: ModelCatalog, context: FrontDoorContext): string {
    return JSON.stringify(getGeminiModel(catalogView(catalog), context.pathModel ?? ''));
  },
};
