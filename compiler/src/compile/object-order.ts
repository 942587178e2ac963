// "The older wins, ties broken by namespace/name": one ordering for every conflict the compiler
// resolves (route names, duplicate keys). Objects without a creationTimestamp (standalone
// manifests) count as equally old, so there namespace/name decides.

import type { ObjectMeta } from '../manifest-types.js';

function createdAtMs(metadata: ObjectMeta): number {
  const parsed = metadata.creationTimestamp ? Date.parse(metadata.creationTimestamp) : Number.NaN;
  return Number.isNaN(parsed) ? 0 : parsed;
}

export function compareByAge(a: { metadata: ObjectMeta }, b: { metadata: ObjectMeta }): number {
  const byTime = createdAtMs(a.metadata) - createdAtMs(b.metadata);
  if (byTime !== 0) return byTime;
  const aId = `${a.metadata.namespace ?? 'default'}/${a.metadata.name}`;
  const bId = `${b.metadata.namespace ?? 'default'}/${b.metadata.name}`;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}
