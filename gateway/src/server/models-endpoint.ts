// GET /v1/models and /v1/models/{id} in OpenAI's list format, showing only the model names
// (and aliases) the calling key may use. A key's list is rendered once per routing table.
import type { ServerResponse, IncomingMessage } from 'node:http';
import { GatewayError, toGatewayError } from '../errors/gateway-error.js';
import type { ChatFrontDoor } from '../frontdoors/front-door.js';
import { authenticate } from '../pipeline/authenticate.js';
import type { RuntimeKey, RuntimeRoute, RuntimeTable } from '../table/runtime-table.js';
import type { TableHolder } from '../table/table-holder.js';
import { sendGatewayError, sendJson } from './send-json.js';

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

const listBodies = new WeakMap<RuntimeKey, string>();

function modelObject(table: RuntimeTable, id: string, route: RuntimeRoute): ModelObject {
  return { id, object: 'model', created: table.compiledAtSeconds, owned_by: route.compiled.namespace };
}

function listBody(table: RuntimeTable, key: RuntimeKey): string {
  let body = listBodies.get(key);
  if (body === undefined) {
    const data: ModelObject[] = [];
    for (const [name, route] of key.models) if (key.mayUse(route)) data.push(modelObject(table, name, route));
    data.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    body = JSON.stringify({ object: 'list', data });
    listBodies.set(key, body);
  }
  return body;
}

/** `modelId` undefined lists; a string describes one model. */
export function serveModels(req: IncomingMessage, res: ServerResponse, tables: TableHolder, encodeError: ChatFrontDoor['encodeError'], requestId: string, modelId: string | undefined): void {
  try {
    const table = tables.current;
    if (table === undefined) throw new GatewayError('no_backend', 'the gateway has not loaded a routing table yet', { code: 'not_ready' });
    const key = authenticate(table, req.headers, Date.now());
    if (modelId === undefined) return sendJson(res, 200, listBody(table, key), { 'x-request-id': requestId });
    const route = key.models.get(modelId);
    if (route === undefined || !key.mayUse(route)) {
      throw new GatewayError('not_found', `The model \`${modelId}\` does not exist or you do not have access to it.`, { code: 'model_not_found', param: 'model' });
    }
    sendJson(res, 200, JSON.stringify(modelObject(table, modelId, route)), { 'x-request-id': requestId });
  } catch (error) {
    sendGatewayError(res, encodeError, toGatewayError(error), requestId);
  }
}
