import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { keyDigest, keyHint } from '../src/index.js';
import { compile, conditionOf } from './support/compile.js';
import { DEMO_KEY, keySecret, secret, virtualKey } from './support/manifests.js';

describe('virtual key digests and hints', () => {
  it.each([
    [DEMO_KEY, 'sk-sy-...0000'],
    ['sk-sy-Ab3dEf7hIj1lMn0pQr5tUv9xYz2B7f3a', 'sk-sy-...7f3a'],
    ['legacy-key-from-another-gateway-9xQz', '...9xQz'],
  ])('%s hints as %s', (key, hint) => {
    expect(keyHint(key)).toBe(hint);
    expect(keyDigest(key)).toBe(createHash('sha256').update(key).digest('hex'));
  });

  it('puts the digest in the table and the plaintext nowhere', () => {
    const { table, diagnostics } = compile({
      virtualKeys: [
        virtualKey(
          { name: 'demo', labels: { team: 'demo' } },
          { allowedModels: ['mock-*'], rateLimit: { requestsPerMinute: 60 }, expiresAt: '2027-01-01T00:00:00Z' },
        ),
      ],
      secrets: [secret({ name: 'demo-key' }, { key: `${DEMO_KEY}\n` })],
    });
    expect(table.keys).toEqual([
      {
        id: 'default/demo',
        namespace: 'default',
        name: 'demo',
        generation: 1,
        digest: keyDigest(DEMO_KEY),
        keyHint: 'sk-sy-...0000',
        allowedModels: ['mock-*'],
        rateLimit: { requestsPerMinute: 60 },
        disabled: false,
        expiresAtMs: Date.parse('2027-01-01T00:00:00Z'),
        labels: { team: 'demo' },
        budgetIds: [],
      },
    ]);
    const everything = JSON.stringify({ table, diagnostics });
    expect(everything).not.toContain(DEMO_KEY);
    expect(everything).not.toContain(Buffer.from(DEMO_KEY).toString('base64'));
  });

  it.each([
    ['no Secret', [], 'SecretNotFound', 'Secret default/k-key not found'],
    ['no key entry', [secret({ name: 'k-key' }, { token: DEMO_KEY })], 'SecretKeyNotFound', 'Secret default/k-key has no entry "key"'],
    [
      'a short key',
      [secret({ name: 'k-key' }, { key: 'sk-sy-short' })],
      'InvalidSecret',
      'entry "key" of Secret default/k-key must be at least 20 printable ASCII characters without spaces',
    ],
    [
      'a key with a space',
      [secret({ name: 'k-key' }, { key: 'sk-sy-has a space in it 00000' })],
      'InvalidSecret',
      'entry "key" of Secret default/k-key must be at least 20 printable ASCII characters without spaces',
    ],
  ])('leaves out a key with %s', (_name, secrets, reason, message) => {
    const { table, diagnostics } = compile({ virtualKeys: [virtualKey({ name: 'k' })], secrets });
    expect(table.keys).toEqual([]);
    expect(conditionOf(diagnostics, 'VirtualKey', 'default/k', 'ResolvedRefs')).toEqual({
      type: 'ResolvedRefs',
      status: 'False',
      reason,
      message,
    });
    expect(conditionOf(diagnostics, 'VirtualKey', 'default/k', 'Accepted')).toMatchObject({ status: 'False', reason: 'UnresolvedRefs' });
  });

  it('keeps a key value used twice with the older VirtualKey', () => {
    const { table, diagnostics } = compile({
      virtualKeys: [
        virtualKey({ name: 'newer', creationTimestamp: '2026-02-01T00:00:00Z' }, { secretName: 'shared' }),
        virtualKey({ name: 'older', creationTimestamp: '2026-01-01T00:00:00Z' }, { secretName: 'shared' }),
      ],
      secrets: [secret({ name: 'shared' }, { key: DEMO_KEY })],
    });
    expect(table.keys.map((k) => k.id)).toEqual(['default/older']);
    expect(conditionOf(diagnostics, 'VirtualKey', 'default/newer', 'Accepted')).toEqual({
      type: 'Accepted',
      status: 'False',
      reason: 'DuplicateKey',
      message: 'its key is also the key of the older VirtualKey default/older; every key must be unique',
    });
  });

  it('compiles disabled keys (the gateway answers 401) and keeps labels', () => {
    const { table } = compile({
      virtualKeys: [virtualKey({ name: 'k', labels: { a: 'b' } }, { disabled: true })],
      secrets: [keySecret('k')],
    });
    expect(table.keys[0]).toMatchObject({ disabled: true, labels: { a: 'b' } });
    expect(table.keys[0]?.expiresAtMs).toBeUndefined();
    expect(table.keys[0]?.allowedModels).toBeUndefined();
  });

  it('compiles spec.timeouts to the milliseconds it sets, and nothing for a key that sets none', () => {
    const { table } = compile({
      virtualKeys: [
        virtualKey({ name: 'batch' }, { timeouts: { firstByte: '2m', total: '1h', streamIdle: '90s' } }),
        virtualKey({ name: 'plain' }),
      ],
      secrets: [secret({ name: 'batch-key' }, { key: DEMO_KEY }), secret({ name: 'plain-key' }, { key: `${DEMO_KEY}1` })],
    });
    expect(table.keys.find((k) => k.name === 'batch')?.timeouts).toEqual({
      firstByteMs: 120_000,
      totalMs: 3_600_000,
      streamIdleMs: 90_000,
    });
    expect(table.keys.find((k) => k.name === 'plain')).not.toHaveProperty('timeouts');
  });
});
