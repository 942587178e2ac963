// Stage 3, authorize: resolve the requested model among the routes the key's namespace sees,
// then check the key's allow-list (globs match the route's name and its aliases).
import { GatewayError } from '../errors/gateway-error.js';
import { reflected } from '../errors/reflected-input.js';
import type { RuntimeKey, RuntimeRoute } from '../table/runtime-table.js';

export function authorize(key: RuntimeKey, model: string): RuntimeRoute {
  const route = key.models.get(model);
  if (route === undefined) {
    throw new GatewayError('not_found', `The model \`${reflected(model)}\` does not exist or you do not have access to it.`, {
      code: 'model_not_found',
      param: 'model',
    });
  }
  if (!key.mayUse(route)) {
    throw new GatewayError('permission', `API key ${key.id} is not allowed to use model \`${reflected(model)}\``, {
      code: 'model_not_allowed',
      param: 'model',
    });
  }
  if (route.backendSelectorUnmatched === true) {
    // Data residency: the key may use the model, but no backend of it may serve this key.
    const required = Object.entries(key.compiled.backendSelector?.matchLabels ?? {})
      .map(([label, value]) => `${label}=${value}`)
      .join(',');
    throw new GatewayError(
      'permission',
      `API key ${key.id} requires backends labelled ${required} (its VirtualKey's spec.backendSelector); model \`${reflected(model)}\` (route ${route.id}) has none`,
      { code: 'backend_selector_unmatched', param: 'model' },
    );
  }
  return route;
}
