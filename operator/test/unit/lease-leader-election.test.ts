import { afterEach, describe, expect, it } from '@jest/globals';
import { KubeApiError } from '../../src/kube/kube-client.js';
import { LeaseLeaderElection, type Lease } from '../../src/leader/lease-leader-election.js';
import { waitFor, delay } from '../support/wait-for.js';

/** An in-memory Lease endpoint with the API server's optimistic concurrency. */
function leaseStore() {
  let lease: Lease | undefined;
  let rv = 0;
  const failing = new Set<string>();
  const client = (identity: string) => ({
    async get<T>(path: string): Promise<T> {
      if (failing.has(identity)) throw new Error('connection refused');
      if (!lease) throw new KubeApiError('GET', path, 404, 'NotFound', 'not found');
      return structuredClone(lease) as T;
    },
    async create<T>(path: string, body: unknown): Promise<T> {
      if (failing.has(identity)) throw new Error('connection refused');
      if (lease) throw new KubeApiError('POST', path, 409, 'AlreadyExists', 'exists');
      lease = { ...(structuredClone(body) as Lease) };
      lease.metadata.resourceVersion = String(++rv);
      return structuredClone(lease) as T;
    },
    async replace<T>(path: string, body: unknown): Promise<T> {
      if (failing.has(identity)) throw new Error('connection refused');
      const next = structuredClone(body) as Lease;
      if (!lease || next.metadata.resourceVersion !== lease.metadata.resourceVersion)
        throw new KubeApiError('PUT', path, 409, 'Conflict', 'modified');
      next.metadata.resourceVersion = String(++rv);
      lease = next;
      return structuredClone(lease) as T;
    },
  });
  return { client, current: () => lease, failing };
}

describe('LeaseLeaderElection', () => {
  const electors: LeaseLeaderElection[] = [];
  afterEach(async () => {
    for (const e of electors.splice(0)) await e.stop();
  });

  function elector(store: ReturnType<typeof leaseStore>, identity: string, log: string[]) {
    const e = new LeaseLeaderElection({
      client: store.client(identity),
      namespace: 'ai',
      name: 'switchyard-operator',
      identity,
      leaseDurationMs: 400,
      renewDeadlineMs: 250,
      retryPeriodMs: 50,
      onStartedLeading: () => log.push(`${identity} leads`),
      onStoppedLeading: () => log.push(`${identity} stops`),
    });
    electors.push(e);
    return e;
  }

  it('elects exactly one of two candidates and keeps it while it renews', async () => {
    const store = leaseStore();
    const log: string[] = [];
    const a = elector(store, 'a', log);
    const b = elector(store, 'b', log);
    a.start();
    await waitFor('a leads', () => a.isLeader);
    b.start();
    await delay(800); // two lease durations: b must keep seeing a renew
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    expect(log).toEqual(['a leads']);
    expect(store.current()?.spec.holderIdentity).toBe('a');
    expect(store.current()?.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('releases the lease on stop so the other candidate takes over at once', async () => {
    const store = leaseStore();
    const log: string[] = [];
    const a = elector(store, 'a', log);
    const b = elector(store, 'b', log);
    a.start();
    await waitFor('a leads', () => a.isLeader);
    b.start();
    await delay(100);
    await a.stop();
    expect(store.current()?.spec.holderIdentity).toBeNull();
    const stoppedAt = Date.now();
    await waitFor('b leads', () => b.isLeader);
    expect(Date.now() - stoppedAt).toBeLessThan(300); // well under the 400 ms lease
    expect(store.current()?.spec.leaseTransitions).toBe(1);
  });

  it('steps down when it cannot renew, and the other takes over once the lease expires', async () => {
    const store = leaseStore();
    const log: string[] = [];
    const a = elector(store, 'a', log);
    const b = elector(store, 'b', log);
    a.start();
    await waitFor('a leads', () => a.isLeader);
    b.start();
    await delay(100);
    store.failing.add('a'); // partitioned from the API server
    await waitFor('a steps down', () => !a.isLeader, 2_000);
    await waitFor('b leads', () => b.isLeader, 2_000);
    expect(log).toEqual(['a leads', 'a stops', 'b leads']);
  });
});
