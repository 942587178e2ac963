import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/errors/gateway-error.js';
import { getGeminiModel, listGeminiModels, type GeminiModelCatalog } from '../../../src/wire/gemini/gemini-models-list.js';

interface Route {
  id: string;
  allowed: boolean;
}

function catalog(entries: Array<[string, boolean]>): GeminiModelCatalog<Route> {
  return { models: new Map(entries.map(([name, allowed]) => [name, { id: name, allowed }])), mayUse: (route) => route.allowed };
}

const keyCatalog = catalog([
  ['gpt-4o', true],
  ['claude', true],
  ['secret-model', false],
  ['gemini-flash', true],
  ['team/embedder', true],
]);

function names(query: string): { names: string[]; next: string | undefined } {
  const body = listGeminiModels(keyCatalog, new URLSearchParams(query));
  return { names: body.models.map((m) => m.name), next: body.nextPageToken };
}

describe('Gemini front door: GET /genai/v1beta/models', () => {
  it('lists the names the key may use, sorted, as models/<name>', () => {
    expect(names('')).toEqual({
      names: ['models/claude', 'models/gemini-flash', 'models/gpt-4o', 'models/team/embedder'],
      next: undefined,
    });
  });

  it("describes each model in Google's shape", () => {
    expect(listGeminiModels(keyCatalog, undefined).models[0]).toEqual({
      name: 'models/claude',
      baseModelId: 'claude',
      version: 'switchyard',
      displayName: 'claude',
      description: 'Switchyard model route claude',
      supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents'],
    });
  });

  it('pages with pageSize and pageToken', () => {
    const first = names('pageSize=3');
    expect(first.names).toEqual(['models/claude', 'models/gemini-flash', 'models/gpt-4o']);
    expect(first.next).toEqual(expect.any(String));
    const second = names(`pageSize=3&pageToken=${first.next ?? ''}`);
    expect(second).toEqual({ names: ['models/team/embedder'], next: undefined });
  });

  it('pageSize 0 means the default', () => {
    expect(names('pageSize=0').names).toHaveLength(4);
  });

  it.each([
    ['a negative pageSize', 'pageSize=-1', 'pageSize'],
    ['a pageSize that is not a number', 'pageSize=ten', 'pageSize'],
    ['a pageToken the gateway did not issue', 'pageToken=!!', 'pageToken'],
  ])('%s is a 400 naming it', (_name, query, param) => {
    let caught: unknown;
    try {
      listGeminiModels(keyCatalog, new URLSearchParams(query));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).param).toBe(param);
  });
});

describe('Gemini front door: GET /genai/v1beta/models/{model}', () => {
  it.each([['claude'], ['models/claude']])('describes %s', (name) => {
    expect(getGeminiModel(keyCatalog, name)).toMatchObject({ name: 'models/claude', displayName: 'claude' });
  });

  it.each([['no-such-model'], ['secret-model']])('%s is 404, whether unknown or not allowed', (name) => {
    let caught: unknown;
    try {
      getGeminiModel(keyCatalog, name);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).status).toBe(404);
  });
});
