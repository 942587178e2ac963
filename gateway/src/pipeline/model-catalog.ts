// The models a key may use (route names and aliases that pass its allow-list), as the model-list
// operations hand them to a front door. Built once per key: a routing table's keys are rebuilt
// with it, so a catalog never outlives the table it was read from.
import type { ModelCatalog, ModelEntry } from '../unified/front-door-codec.js';
import type { RuntimeKey, RuntimeTable } from '../table/runtime-table.js';

const catalogs = new WeakMap<RuntimeKey, ModelCatalog>();

export function modelCatalog(table: RuntimeTable, key: RuntimeKey): ModelCatalog {
  let catalog = catalogs.get(key);
  if (catalog === undefined) {
    const models: ModelEntry[] = [];
    for (const [id, route] of key.models) if (key.mayUse(route)) models.push({ id, owner: route.compiled.namespace });
    models.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    catalog = { models, byId: new Map(models.map((model) => [model.id, model])), createdAtSeconds: table.compiledAtSeconds };
    catalogs.set(key, catalog);
  }
  return catalog;
}
