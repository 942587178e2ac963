// Which objects the operator queues for a status write after a compile: exactly those whose
// diagnostic (conditions, generation) or status fields (VirtualKey keyHint, GuardrailPolicy counts)
// differ from the previous compile's, whatever else changed in their objects or in the table.
import { describe, expect, it } from '@jest/globals';
import { BUILTIN_KINDS, silentLogger, type KindObject, type SecretManifest } from '@switchyard/compiler';
import type { AcknowledgementTracker } from '../../src/reconcile/acknowledgement-tracker.js';
import { TableCompilation, type TablePublisher } from '../../src/reconcile/table-compilation.js';
import type { PublishedTable } from '../../src/table-server/table-stream-server.js';

const API = 'switchyard.dev/v1alpha1';

function key(name: string, team: string, generation = 1): KindObject {
  return {
    apiVersion: API,
    kind: 'VirtualKey',
    metadata: { name, namespace: 'ai', generation, labels: { team } },
    spec: { secretName: `${name}-key` },
  };
}

function keySecret(name: string, secret = `sk-sy-${name}-0123456789abcdef`): SecretManifest {
  const data = { key: Buffer.from(secret).toString('base64') };
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: `${name}-key`, namespace: 'ai' }, data };
}

const budget: KindObject = {
  apiVersion: API,
  kind: 'Budget',
  metadata: { name: 'pay', namespace: 'ai', generation: 1 },
  spec: { selector: { matchLabels: { team: 'pay' } }, limit: '10' },
};

const policy: KindObject = {
  apiVersion: API,
  kind: 'GuardrailPolicy',
  metadata: { name: 'pii', namespace: 'ai', generation: 1 },
  spec: { selector: { matchLabels: { team: 'pay' } }, checks: [{ name: 'no-secrets', type: 'secrets', on: 'input' }] },
};

function compilation(): TableCompilation {
  const publisher: TablePublisher = {
    publish: (table, index) =>
      ({
        version: table.version,
        hash: table.hash,
        table,
        digest: index?.digest ?? '',
        frame: Buffer.alloc(0),
        encoded: undefined,
        delta: undefined,
      }) satisfies PublishedTable,
  };
  const tracker = { remember: () => {}, setCurrentObjects: () => {} } as unknown as AcknowledgementTracker;
  return new TableCompilation({
    kinds: BUILTIN_KINDS,
    sharedNamespaces: [],
    publisher,
    tracker,
    logger: silentLogger,
    initialVersion: 0,
    now: () => new Date('2026-03-01T00:00:00Z'),
  });
}

describe('status writes after a compile', () => {
  it('queues exactly the objects whose diagnostic or status fields changed', () => {
    const names = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    const objects: KindObject[] = [...names.map((name, i) => key(name, i % 2 ? 'web' : 'pay')), budget, policy];
    const secrets = names.map((name) => keySecret(name));
    const operator = compilation();

    // The first compile queues every object.
    expect(operator.run(objects, secrets).sort()).toEqual(
      [...names.map((name) => `VirtualKey/ai/${name}`), 'Budget/ai/pay', 'GuardrailPolicy/ai/pii'].sort(),
    );
    // Nothing changed: nothing is queued (also when the lists and objects are new copies).
    expect(operator.run(objects, secrets)).toEqual([]);
    expect(operator.run(structuredClone(objects), structuredClone(secrets))).toEqual([]);

    // A label no Budget or policy selects: the table entry changes, the status does not.
    objects[1] = key('key-1', 'ops');
    expect(operator.run(objects, secrets)).toEqual([]);

    // key-3 moves from web to pay: its Accepted message names the Budget now, and the Budget and
    // the policy each count one key more (in their messages; the policy also in its keyCount field).
    objects[3] = key('key-3', 'pay');
    expect(operator.run(objects, secrets).sort()).toEqual(['Budget/ai/pay', 'GuardrailPolicy/ai/pii', 'VirtualKey/ai/key-3']);

    // A new generation with the same spec: only the generation changes.
    objects[4] = key('key-4', 'pay', 2);
    expect(operator.run(objects, secrets)).toEqual(['VirtualKey/ai/key-4']);

    // key-6's Secret holds another key: only its keyHint status field changes.
    secrets[6] = keySecret('key-6', 'sk-sy-another-key-fedcba9876543210');
    expect(operator.run(objects, secrets)).toEqual(['VirtualKey/ai/key-6']);

    // key-9's Secret is gone (a web key: no Budget or policy counts it): its conditions change (and it has no keyHint any more).
    secrets.splice(9, 1);
    expect(operator.run(objects, secrets)).toEqual(['VirtualKey/ai/key-9']);
    expect(operator.run(objects, secrets)).toEqual([]);
  });
});
