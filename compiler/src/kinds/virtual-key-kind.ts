// VirtualKey: its Secret's key becomes a digest in `keys`; a key value used twice stays with the
// older VirtualKey. In a cluster the operator generates the key Secret when it is missing.

import { DiagnosticReasons as R, type DiagnosticCondition, type ObjectDiagnostic } from '../diagnostics.js';
import { condition, reject, resolvedRefsCondition, type Admitted, type CompileContext } from '../compile/compile-context.js';
import { compileVirtualKey, type VirtualKeyCompilation } from '../compile/compile-virtual-key.js';
import { CRD_NAMES, type VirtualKeyManifest } from '../generated/resource-shapes.js';
import type { RefProblem } from '../compile/compile-backend.js';
import type { KeyClass } from '../compile/key-classes.js';
import type { CompiledSubject, CompiledVirtualKey } from '../table-types.js';
import { defineKind } from './kind-definition.js';

// The ResolvedRefs condition of almost every key: one frozen object for all of them (and every
// compile), rather than 100,000 equal ones held by the diagnostics.
const SECRET_FOUND: DiagnosticCondition = Object.freeze(condition('ResolvedRefs', 'True', R.ResolvedRefs, 'the key Secret was found'));
const SUBJECTS_ONLY: DiagnosticCondition = Object.freeze(
  condition('ResolvedRefs', 'True', R.ResolvedRefs, 'no key Secret (subjects only)'),
);

function compileVirtualKeys(objects: readonly Admitted<VirtualKeyManifest>[], context: CompileContext): void {
  const accepted: { key: CompiledVirtualKey; subjects: CompiledSubject[] | undefined; diagnostic: ObjectDiagnostic }[] = [];
  const digestOwner = new Map<string, string>();
  const subjectOwner = serviceAccountOwners(objects);
  for (const { manifest, diagnostic } of objects) {
    let compiled: VirtualKeyCompilation;
    try {
      compiled = context.memo.once('VirtualKey', manifest, (secrets) => compileVirtualKey(manifest, secrets));
    } catch (error) {
      reject(diagnostic, R.Invalid, (error as Error).message);
      continue;
    }
    const problems = compiled.problem ? [compiled.problem] : missingServiceAccounts(manifest, context);
    diagnostic.conditions.push(
      problems.length === 0
        ? manifest.spec.secretName === undefined
          ? SUBJECTS_ONLY
          : SECRET_FOUND
        : resolvedRefsCondition(problems, '', R.ResolvedRefs),
    );
    if (!compiled.key) {
      reject(diagnostic, R.UnresolvedRefs, compiled.problem?.message ?? 'key Secret not resolved');
      continue;
    }
    const key = compiled.key;
    const digest = key.digest;
    const owner = digest === undefined ? undefined : digestOwner.get(digest);
    if (owner) {
      reject(diagnostic, R.DuplicateKey, `its key is also the key of the older VirtualKey ${owner}; every key must be unique`);
      continue;
    }
    const bound = bindServiceAccounts(key, subjectOwner, context);
    if (typeof bound === 'string') {
      reject(diagnostic, R.DuplicateSubject, bound);
      continue;
    }
    if (digest !== undefined) digestOwner.set(digest, key.id);
    accepted.push({ key, subjects: bound, diagnostic });
  }
  for (const entry of accepted) context.keys.push(entry.key);
  // The table's key entries carry the budgets and policies that select them, known once every
  // kind compiled; so does Accepted. Keys of one label class share both (key-classes.ts).
  context.afterAllKinds(() => {
    const classes = context.keyClasses();
    const perClass = new Map<KeyClass, { budgetIds: string[]; guardrailPolicyIds: string[] | undefined; accepted: DiagnosticCondition }>();
    for (const { key, subjects, diagnostic } of accepted) {
      const keyClass = classes.of(key);
      let shared = perClass.get(keyClass);
      if (!shared) {
        const budgetIds = context.memo.stable(`budgetIds\u0000${keyClass.signature}`, [...keyClass.budgetIds].sort());
        const policies = keyClass.guardrailPolicyIds;
        shared = {
          budgetIds,
          guardrailPolicyIds:
            policies.length === 0 ? undefined : context.memo.stable(`guardrailPolicyIds\u0000${keyClass.signature}`, policies),
          accepted: condition(
            'Accepted',
            'True',
            R.Accepted,
            `key compiled${budgetIds.length ? `; charged to budgets ${budgetIds.join(', ')}` : ''}`,
          ),
        };
        perClass.set(keyClass, shared);
      }
      const boundSubjects = subjects === undefined ? undefined : context.memo.stable(`subjects\u0000${key.id}`, subjects);
      const { budgetIds, guardrailPolicyIds } = shared;
      const entry = context.memo.derive('keys', key.id, key, budgetIds, guardrailPolicyIds, boundSubjects, () => {
        const made: CompiledVirtualKey = { ...key, budgetIds };
        if (guardrailPolicyIds !== undefined) made.guardrailPolicyIds = guardrailPolicyIds;
        if (boundSubjects !== undefined) made.subjects = boundSubjects;
        return made;
      });
      context.keyEntries.push(entry);
      // One condition object per class, not per key: diagnostics are read, never changed.
      diagnostic.conditions.push(shared.accepted);
    }
  });
}

/**
 * Refuses a ServiceAccount another key binds (serviceAccountOwners), and in a cluster fills each bound
 * ServiceAccount's uid, or marks it missing (no token of a ServiceAccount that does not exist is
 * valid; the gateway says so). Returns the subjects the key's entry carries, or the problem.
 */
function bindServiceAccounts(
  key: CompiledVirtualKey,
  subjectOwner: ReadonlyMap<string, string>,
  context: CompileContext,
): CompiledSubject[] | string | undefined {
  const subjects = key.subjects;
  if (subjects === undefined) return undefined;
  const kept: CompiledSubject[] = [];
  for (const subject of subjects) {
    if (subject.kind !== 'ServiceAccount') {
      kept.push(subject);
      continue;
    }
    const id = `${subject.namespace}/${subject.name}`;
    const owner = subjectOwner.get(id);
    if (owner !== undefined && owner !== key.id) {
      return `ServiceAccount ${id} is bound by VirtualKey ${owner}; a ServiceAccount may be bound by one key (one in its own namespace first, else the oldest)`;
    }
    if (context.serviceAccounts === undefined) {
      kept.push(subject);
      continue;
    }
    const uid = context.serviceAccounts.get(id);
    kept.push(uid === undefined ? { ...subject, missing: true } : { ...subject, uid });
  }
  return kept;
}

/**
 * ServiceAccount `namespace/name` -> the one VirtualKey that binds it (a token must map to one key):
 * the oldest key in the ServiceAccount's own namespace, else the oldest key. So another namespace
 * binding a team's ServiceAccount first can never take it from the team's own key.
 */
function serviceAccountOwners(objects: readonly Admitted<VirtualKeyManifest>[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const sameNamespaceFirst of [true, false]) {
    for (const { manifest } of objects) {
      const namespace = manifest.metadata.namespace ?? 'default';
      for (const subject of manifest.spec.subjects ?? []) {
        if (subject.kind !== 'ServiceAccount' || subject.namespace === undefined || subject.name === undefined) continue;
        if (sameNamespaceFirst && subject.namespace !== namespace) continue;
        const id = `${subject.namespace}/${subject.name}`;
        if (!owners.has(id)) owners.set(id, `${namespace}/${manifest.metadata.name}`);
      }
    }
  }
  return owners;
}

const NO_PROBLEMS: readonly RefProblem[] = [];

/** Bound ServiceAccounts the cluster does not have (none in standalone mode, which cannot tell). */
function missingServiceAccounts(manifest: VirtualKeyManifest, context: CompileContext): readonly RefProblem[] {
  const known = context.serviceAccounts;
  // Most keys bind no ServiceAccount: no list is made for them.
  if (known === undefined || manifest.spec.subjects === undefined) return NO_PROBLEMS;
  const problems: RefProblem[] = [];
  for (const subject of manifest.spec.subjects ?? []) {
    if (subject.kind !== 'ServiceAccount') continue;
    const id = `${subject.namespace ?? ''}/${subject.name ?? ''}`;
    if (!known.has(id)) {
      problems.push({
        reason: 'ServiceAccountNotFound',
        message: `ServiceAccount ${id} not found; its tokens are refused until it exists`,
      });
    }
  }
  return problems;
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
  statusFields: (table) => new Map(table.keys.map((key) => [key.id, key.keyHint === undefined ? {} : { keyHint: key.keyHint }])),
  generatedSecret: (key) =>
    key.spec.secretName === undefined ? undefined : { name: key.spec.secretName, entry: 'key', ownerLabel: 'switchyard.dev/virtual-key' },
  checkStandalone(key, secretIds) {
    if (key.spec.secretName === undefined) return undefined;
    const namespace = key.metadata.namespace ?? 'default';
    if (secretIds.has(`${namespace}/${key.spec.secretName}`)) return undefined;
    return {
      field: 'spec.secretName',
      reason: `Secret ${namespace}/${key.spec.secretName} is not among the manifests (standalone mode never generates keys: add a Secret with data.key or stringData.key)`,
    };
  },
});
