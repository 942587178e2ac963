// GET /v1/models and /v1/models/{id} in OpenAI's list format: the model names (and aliases) the
// calling key may use. A catalog's list is rendered once (the pipeline keeps one catalog per key
// and routing table).
import { GatewayError } from '../../errors/gateway-error.js';
import { reflected } from '../../errors/reflected-input.js';
import type { FrontDoorContext, ModelCatalog, ModelEntry, ModelListCodec } from '../../unified/front-door-codec.js';

interface OpenAIModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

const listBodies = new WeakMap<ModelCatalog, string>();

function modelObject(catalog: ModelCatalog, model: ModelEntry): OpenAIModelObject {
  return { id: model.id, object: 'model', created: catalog.createdAtSeconds, owned_by: model.owner };
}

export const openAIModelListCodec: ModelListCodec = {
  encodeModelList(catalog: ModelCatalog): string {
    let body = listBodies.get(catalog);
    if (body === undefined) {
      body = JSON.stringify({ object: 'list', data: catalog.models.map((model) => modelObject(catalog, model)) });
      listBodies.set(catalog, body);
    }
    return body;
  },

  encodeModel(catalog: ModelCatalog, context: FrontDoorContext): string {
    const id = context.pathModel ?? '';
    const model = catalog.byId.get(id);
    if (model === undefined) {
      throw new GatewayError('not_found', `The model \`${reflected(id)}\` does not exist or you do not have access to it.`, {
        code: 'model_not_found',
        param: 'model',
      });
    }
    return JSON.stringify(modelObject(catalog, model));
  },
};
