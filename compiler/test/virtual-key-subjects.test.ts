// VirtualKey spec.subjects: compiled subjects, keys without a Secret, which key keeps a
// ServiceAccount two keys name, and the uids the operator hands in.
import { describe, expect, it } from '@jest/globals';
import { compile, conditionOf } from './support/compile.js';
import { DEMO_KEY, secret, virtualKey } from './support/manifests.js';

const sa = (namespace: string, name: string) => ({ kind: 'ServiceAccount' as const, namespace, name });

describe('VirtualKey subjects', () => {
  it('compiles a key with subjects and no Secret: no digest, no hint, no Secret referenced', () => {
    const { table, diagnostics } = compile({
      virtualKeys: [
        {
          ...virtualKey({ name: 'checkout', namespace: 'team-a' }),
          spec: {
            subjects: [
              sa('team-a', 'checkout'),
              {
                kind: 'OIDC',
                issuer: 'https://login.example.com/realms/corp/',
                audience: 'switchyard',
                claims: { azp: 'nb' },
                groups: ['g'],
              },
            ],
          },
        },
      ],
    });
    expect(table.keys).toHaveLength(1);
    const key = table.keys[0];
    expect(key?.digest).toBeUndefined();
    expect(key?.keyHint).toBeUndefined();
    expect(key?.subjects).toEqual([
      { kind: 'ServiceAccount', namespace: 'team-a', name: 'checkout' },
      // The trailing slash is dropped (tokens are compared the same way), groups default to the "groups" claim.
      {
        kind: 'OIDC',
        issuer: 'https://login.example.com/realms/corp',
        audience: 'switchyard',
        claims: { azp: 'nb' },
        groupsClaim: 'groups',
        groups: ['g'],
      },
    ]);
    expect(conditionOf(diagnostics, 'VirtualKey', 'team-a/checkout', 'Accepted')?.status).toBe('True');
    expect(conditionOf(diagnostics, 'VirtualKey', 'team-a/checkout', 'ResolvedRefs')).toMatchObject({
      status: 'True',
      message: 'no key Secret (subjects only)',
    });
  });

  it('keeps a key with both a Secret and subjects usable by either', () => {
    const { table } = compile({
      virtualKeys: [virtualKey({ name: 'both' }, { subjects: [sa('default', 'app')] })],
      secrets: [secret({ name: 'both-key' }, { key: DEMO_KEY })],
    });
    expect(table.keys[0]?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(table.keys[0]?.subjects).toEqual([sa('default', 'app')]);
  });

  it("gives a ServiceAccount to the key in its own namespace, even when another namespace's key is older", () => {
    const older = {
      ...virtualKey({ name: 'squatter', namespace: 'team-b', creationTimestamp: '2026-01-01T00:00:00Z' }),
      spec: { subjects: [sa('team-a', 'app')] },
    };
    const own = {
      ...virtualKey({ name: 'own', namespace: 'team-a', creationTimestamp: '2026-02-01T00:00:00Z' }),
      spec: { subjects: [sa('team-a', 'app')] },
    };
    const { table, diagnostics } = compile({ virtualKeys: [older, own] });
    expect(table.keys.map((key) => key.id)).toEqual(['team-a/own']);
    expect(conditionOf(diagnostics, 'VirtualKey', 'team-b/squatter', 'Accepted')).toMatchObject({
      status: 'False',
      reason: 'DuplicateSubject',
      message: expect.stringContaining('ServiceAccount team-a/app is bound by VirtualKey team-a/own'),
    });
  });

  it('gives a ServiceAccount no key of its namespace binds to the oldest key', () => {
    const first = {
      ...virtualKey({ name: 'first', namespace: 'team-b', creationTimestamp: '2026-01-01T00:00:00Z' }),
      spec: { subjects: [sa('team-x', 'app')] },
    };
    const second = {
      ...virtualKey({ name: 'second', namespace: 'team-c', creationTimestamp: '2026-02-01T00:00:00Z' }),
      spec: { subjects: [sa('team-x', 'app')] },
    };
    const { table } = compile({ virtualKeys: [second, first] });
    expect(table.keys.map((key) => key.id)).toEqual(['team-b/first']);
  });

  it('fills the uid of each bound ServiceAccount from the cluster, and marks a missing one', () => {
    const { table, diagnostics } = compile({
      virtualKeys: [
        { ...virtualKey({ name: 'k', namespace: 'team-a' }), spec: { subjects: [sa('team-a', 'present'), sa('team-a', 'gone')] } },
      ],
      serviceAccounts: new Map([['team-a/present', 'uid-1']]),
    });
    expect(table.keys[0]?.subjects).toEqual([
      { ...sa('team-a', 'present'), uid: 'uid-1' },
      { ...sa('team-a', 'gone'), missing: true },
    ]);
    expect(conditionOf(diagnostics, 'VirtualKey', 'team-a/k', 'ResolvedRefs')).toMatchObject({
      status: 'False',
      reason: 'ServiceAccountNotFound',
      message: 'ServiceAccount team-a/gone not found; its tokens are refused until it exists',
    });
    // The key itself stays accepted: its other subjects (and its Secret, if any) still work.
    expect(conditionOf(diagnostics, 'VirtualKey', 'team-a/k', 'Accepted')?.status).toBe('True');
  });
});
