// Preloaded (`node --require bench/alloc-probe.cjs ...`) into a process that bench/profile-gateway.mjs
// measures with PROFILE_ALLOC=1. On each SIGUSR2 it writes `<ALLOC_PROBE_DIR>/<pid>.json`: the bytes
// the process allocated on the JavaScript heap so far and the time spent in garbage collection.
// V8 has no running allocation counter, so the bytes are summed from the collections themselves
// (v8.GCProfiler): what the heap grew by between the end of one collection and the start of the
// next, plus the growth since the last one. With ALLOC_PROBE_SAMPLING=1 it also runs V8's sampling
// heap profiler with collected objects included, so the written profile attributes every
// allocation (not only the survivors) to the function that made it.
'use strict';
const { writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');

const dir = process.env.ALLOC_PROBE_DIR;
if (dir) {
  let profiler = new v8.GCProfiler();
  profiler.start();
  let allocated = 0;
  let gcMicros = 0;
  let collections = 0;
  /** GC time by collection type (Scavenge, MarkSweepCompact, ...), microseconds. */
  const byType = {};
  /** Bytes scavenges kept: left in the young generation plus promoted to the old one. */
  let survived = 0;
  const spaceUsed = (heap, name) => heap.heapSpaceStatistics.find((space) => space.spaceName === name)?.spaceUsedSize ?? 0;
  let lastUsed = v8.getHeapStatistics().used_heap_size;
  // Sampling starts at the first signal (after the warm-up) and the profile is written at exit, so
  // neither start-up nor the profiler's own output is counted.
  let session;
  const startSampling = () => {
    const inspector = require('node:inspector');
    session = new inspector.Session();
    session.connect();
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      // ALLOC_PROBE_SURVIVORS=1: leave out what the young generation's scavenges freed, so the
      // profile shows the allocations that outlived one (what makes scavenges expensive).
      includeObjectsCollectedByMinorGC: process.env.ALLOC_PROBE_SURVIVORS !== '1',
    });
    process.on('exit', () => {
      // The in-process inspector session answers synchronously.
      session.post('HeapProfiler.stopSampling', (error, result) => {
        if (!error) writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
      });
    });
  };
  let seq = 0;
  process.on('SIGUSR2', () => {
    if (seq === 0 && process.env.ALLOC_PROBE_SAMPLING === '1') startSampling();
    const data = profiler.stop();
    for (const gc of data?.statistics ?? []) {
      allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - lastUsed);
      lastUsed = gc.afterGC.heapStatistics.usedHeapSize;
      gcMicros += gc.cost;
      collections += 1;
      byType[gc.gcType] = (byType[gc.gcType] ?? 0) + gc.cost;
      if (gc.gcType === 'Scavenge')
        survived +=
          spaceUsed(gc.afterGC, 'new_space') +
          Math.max(0, spaceUsed(gc.afterGC, 'old_space') - spaceUsed(gc.beforeGC, 'old_space'));
    }
    const used = v8.getHeapStatistics().used_heap_size;
    allocated += Math.max(0, used - lastUsed);
    lastUsed = used;
    const snapshot = { seq: ++seq, allocated, gcMicros, collections, byType, survived };
    profiler = new v8.GCProfiler();
    profiler.start();
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(snapshot));
    renameSync(`${file}.tmp`, file);
  });
}
