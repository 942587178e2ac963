// What the commands share: paths of the Switchyard kinds and core resources, reads that turn API
// failures into sentences, condition lookups, and the one bounded wait.
import { BUILTIN_KINDS } from '@switchyard/compiler';
import { kindResourceType, resourcePath, type KubeObject, type ResourceType } from '../kube/resources.js';
import type { KubeContext } from './kube-context.js';
import { describeApiFailure, PluginError } from './plugin-error.js';

export const VIRTUAL_KEYS: ResourceType = kindResourceType(BUILTIN_KINDS.get('VirtualKey'));
export const BUDGETS_TYPE: ResourceType = kindResourceType(BUILTIN_KINDS.get('Budget'));
export const CORE_SECRETS: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
export const PODS: ResourceType = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
export const SERVICES: ResourceType = { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true };
export const DEPLOYMENTS: ResourceType = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true };
export const LEASE_TYPE: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true };

/** The chart's labels (charts/switchyard/templates/_helpers.tpl) on every component. */
export const PART_OF_SELECTOR = 'app.kubernetes.io/part-of=switchyard';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export interface StatusObject extends KubeObject {
  spec?: Record<string, unknown>;
  status?: { conditions?: Condition[]; [field: string]: unknown };
}

export function conditionOf(object: StatusObject, type: string): Condition | undefined {
  return object.status?.conditions?.find((c) => c.type === type);
}

/** `Kind ns/name` for messages. */
export function objectName(type: ResourceType, namespace: string | undefined, name?: string): string {
  const scope = namespace === undefined ? 'in every namespace' : `in namespace ${namespace}`;
  return name === undefined ? `${type.plural} ${scope}` : `${type.kind} ${namespace ?? ''}/${name}`;
}

export async function getObject<T extends KubeObject>(ctx: KubeContext, type: ResourceType, namespace: string, name: string): Promise<T> {
  try {
    return await ctx.client.get<T>(resourcePath(type, namespace, name));
  } catch (error) {
    throw describeApiFailure(error, objectName(type, namespace, name), ctx.server);
  }
}

/** Every object of a type in `namespace` (undefined: every namespace), optionally by label selector. */
export async function listObjects<T extends KubeObject>(
  ctx: KubeContext,
  type: ResourceType,
  namespace: string | undefined,
  labelSelector?: string,
): Promise<T[]> {
  const items: T[] = [];
  let continueToken: string | undefined;
  try {
    do {
      const query = new URLSearchParams({ limit: '500' });
      if (labelSelector !== undefined) query.set('labelSelector', labelSelector);
      if (continueToken !== undefined) query.set('continue', continueToken);
      const list = await ctx.client.get<{ items?: T[]; metadata?: { continue?: string } }>(
        `${resourcePath(type, namespace)}?${query.toString()}`,
      );
      items.push(...(list.items ?? []));
      continueToken = list.metadata?.continue || undefined;
    } while (continueToken !== undefined);
  } catch (error) {
    throw describeApiFailure(error, objectName(type, namespace), ctx.server, 'list');
  }
  return items;
}

/**
 * Polls `check` every 250 ms until it returns a value, for at most `timeoutMs`; then fails with
 * `what` and the limit, so the user knows what did not happen and which flag raises the wait.
 */
export async function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new PluginError(`timed out after ${timeoutMs / 1000}s (--timeout) waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, deadline - Date.now()))));
  }
}

/**
 * The chart's components wherever they run: every namespace when the caller may list them there,
 * else `namespace` alone (RBAC often grants a team only its own namespace). Switchyard's operator
 * and gateways usually live in a namespace of their own, apart from the keys and routes.
 */
export async function listAnywhere<T extends KubeObject>(
  ctx: KubeContext,
  type: ResourceType,
  namespace: string | undefined,
  labelSelector?: string,
): Promise<T[]> {
  try {
    return await listObjects<T>(ctx, type, undefined, labelSelector);
  } catch (error) {
    if (namespace === undefined || !(error instanceof PluginError) || error.apiStatus !== 403) throw error;
    return listObjects<T>(ctx, type, namespace, labelSelector);
  }
}
