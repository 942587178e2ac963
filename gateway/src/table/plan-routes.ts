// Which routes a request may try: its own, then each fallback model the key may also use. Read
// by the pipeline's retry stage and by governance's cost estimate, so it lives with the table.
import type { RuntimeKey, RuntimeRoute } from './runtime-table.js';

/**
 * The route the caller named, then its `fallbackModels` that resolve for this key and pass its
 * allow-list; a fallback with no backend matching the key's `backendSelector` is left out.
 */
export function planRoutes(key: RuntimeKey, primary: RuntimeRoute): RuntimeRoute[] {
  const fallbacks = primary.compiled.fallbackModels;
  if (fallbacks.length === 0) return [primary];
  const plan = [primary];
  for (const model of fallbacks) {
    const route = usableRoute(key, model);
    if (route !== undefined && !plan.includes(route)) plan.push(route);
  }
  return plan;
}

/**
 * The route `model` names for `key` when the key may use it: it sees the model, its allow-list
 * admits it, and the route has a backend the key's `backendSelector` accepts. What a fallback
 * model and a rule's hand-over (`rules[].route`) both require.
 */
export function usableRoute(key: RuntimeKey, model: string): RuntimeRoute | undefined {
  const route = key.models.get(model);
  return route !== undefined && key.mayUse(route) && route.backendSelectorUnmatched !== true ? route : undefined;
}
