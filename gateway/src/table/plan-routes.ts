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
    const route = key.models.get(model);
    if (route !== undefined && !plan.includes(route) && key.mayUse(route) && route.backendSelectorUnmatched !== true) plan.push(route);
  }
  return plan;
}
