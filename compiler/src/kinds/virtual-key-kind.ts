// VirtualKey: its Secret's key becomes a digest in `keys`; a key value used twice stays with the
// older VirtualKey. In a cluster the operator generates the key Secret when it is missing.

import { DiagnosticReasons as R, type ObjectDiagnostic } from '../diagnostics.js';
import { condition, reject, resolvedRefsCondition, type Admitted, type CompileContext } from '../compile/compile-context.js';
import { compileVirtualKey, type VirtualKeyCompilation } from '../compile/compile-virtual-key.js';
import { CRD_NAMES, type VirtualKeyManifest } from '../generated/resource-shapes.js';
import type { CompiledVirtualKey } from '../table-types.js';
import { defineKind } from './kind-definition.js';

function compileVirtualKeys(objects: readonly Admitted<VirtualKeyManifest>[], context: CompileContext): void {
  const accepted: { key: CompiledVirtualKey; diagnostic: ObjectDiagnostic }[] = [];
  const digestOwner = new Map<string, string>();
  for (const { manifest, diagnostic } of objects) {
    let compiled: VirtualKeyCompilation;
    try {
      compiled = compileVirtualKey(manifest, context.secrets);
    } catch (error) {
      reject(diagnostic, R.Invalid, (error as Error).message);
      continue;
    }
    diagnostic.conditions.push(
      resolvedRefsCondition(compiled.problem ? [compiled.problem] : [], 'the key Secret was found', R.ResolvedRefs),
    );
    if (!compiled.key) {
      reject(diagnostic, R.UnresolvedRefs, compiled.problem?.message ?? 'key Secret not resolved');
      continue;
    }
    const owner = digestOwner.get(compiled.key.digest);
    if (owner) {
      reject(diagnostic, R.DuplicateKey, `its key is also the key of the older VirtualKey ${owner}; every key must be unique`);
      continue;
    }
    digestOwner.set(compiled.key.digest, compiled.key.id);
    accepted.push({ key: compiled.key, diagnostic });
  }
  context.keys.push(...accepted.map((entry) => entry.key));
  // Accepted names the budgets a key is charged to, which are known once every kind compiled.
  context.afterAllKinds(() => {
    for (const { key, diagnostic } of accepted) {
      key.budgetIds.sort();
      diagnostic.conditions.push(
        condition(
          'Accepted',
          'True',
          R.Accepted,
          `key compiled${key.budgetIds.length ? `; charged to budgets ${key.budgetIds.join(', ')}` : ''}`,
        ),
      );
    }
  });
}

export const virtualKeyKind = defineKind<VirtualKeyManifest>({
  kind: 'VirtualKey',
  names: CRD_NAMES.VirtualKey,
  tableField: 'keys',
  selects: [],
  rbac: { resource: ['get', 'list', 'watch'], status: ['get', 'update', 'patch'] },
  referencedSecrets(key) {
    const name = key.spec?.secretName;
    return typeof name === 'string' ? [`${key.metadata.namespace ?? ''}/${name}`] : [];
  },
  compile: compileVirtualKeys,
  tableObjects: (table) => table.keys,
  statusFields: (table) => new Map(table.keys.map((key) => [key.id, { keyHint: key.keyHint }])),
  generatedSecret: (key) => ({ name: key.spec.secretName, entry: 'key', ownerLabel: 'switchyard.dev/virtual-key' }),
  checkStandalone(key, secretIds) {
    const namespace = key.metadata.namespace ?? 'default';
    if (secretIds.has(`${namespace}/${key.spec.secretName}`)) return undefined;
    return {
      field: 'spec.secretName',
      reason: `Secret ${namespace}/${key.spec.secretName} is not among the manifests (standalone mode never generates keys: add a Secret with data.key or stringData.key)`,
    };
  },
});
