// The watcher must swap in a new table when the files change, keep the last good one (by not
// calling onTable) when a change is invalid, and recover when it is fixed.

import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  compileStandaloneConfig,
  watchStandaloneConfig,
  type ConfigError,
  type StandaloneResult,
  type StandaloneWatchOptions,
} from '../src/index.js';
import { withTempDir } from './support/temp-dir.js';
import { DEMO_KEY_YAML, mockRouteYaml } from './support/yaml-manifests.js';

type WatchEvent = { table: StandaloneResult } | { error: ConfigError };

/** Collects watcher events; next() waits for the next one (or fails after a timeout). */
function recorder() {
  const events: WatchEvent[] = [];
  const waiters: ((event: WatchEvent) => void)[] = [];
  const push = (event: WatchEvent) => {
    const waiter = waiters.shift();
    if (waiter) waiter(event);
    else events.push(event);
  };
  return {
    handlers: { onTable: (table: StandaloneResult) => push({ table }), onError: (error: ConfigError) => push({ error }) },
    next(timeoutMs = 8000): Promise<WatchEvent> {
      const queued = events.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no watcher event')), timeoutMs);
        waiters.push((event) => {
          clearTimeout(timer);
          resolve(event);
        });
      });
    },
    pending: () => events.length,
  };
}

const tableOf = (event: WatchEvent): StandaloneResult => {
  if ('error' in event) throw new Error(`expected a table, got: ${event.error.message}`);
  return event.table;
};

const modes: [string, Partial<StandaloneWatchOptions>][] = [
  ['fs.watch', {}],
  ['polling', { usePolling: true, pollIntervalMs: 100 }],
];

describe.each(modes)('watchStandaloneConfig (%s)', (_mode, modeOptions) => {
  it('swaps tables on change, reports an invalid change, and recovers', () =>
    withTempDir(async (dir) => {
      await writeFile(join(dir, 'keys.yaml'), DEMO_KEY_YAML);
      await writeFile(join(dir, 'route.yaml'), mockRouteYaml('mock-gpt', { weight: 1 }));
      const initial = await compileStandaloneConfig(dir, { env: {} });
      const events = recorder();
      const watcher = watchStandaloneConfig(
        dir,
        { env: {}, version: initial.table.version, baselineContentHash: initial.contentHash, debounceMs: 50, ...modeOptions },
        events.handlers,
      );
      try {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await writeFile(join(dir, 'route.yaml'), mockRouteYaml('mock-gpt', { weight: 5 }));
        const second = tableOf(await events.next());
        expect(second.table.version).toBe(2);
        expect(second.table.routes['default/mock-gpt']?.backends[1]?.weight).toBe(5);
        expect(second.table.hash).not.toBe(initial.table.hash);

        await writeFile(join(dir, 'route.yaml'), mockRouteYaml('mock-gpt', { weight: -1 }));
        const failure = await events.next();
        expect('error' in failure && failure.error.message).toBe(
          `${join(dir, 'route.yaml')}: ModelRoute default/mock-gpt: spec.backends[1].weight: must be >= 0`,
        );

        // Fixed by an atomic replace, as editors and ConfigMap updates do.
        await writeFile(join(dir, 'route.yaml.tmp'), mockRouteYaml('mock-gpt', { weight: 7 }));
        await rename(join(dir, 'route.yaml.tmp'), join(dir, 'route.yaml'));
        const third = tableOf(await events.next());
        expect(third.table.version).toBe(3);
        expect(third.table.routes['default/mock-gpt']?.backends[1]?.weight).toBe(7);
      } finally {
        watcher.close();
      }
    }));

  it('keeps the version when a change compiles to the table served, and when the new table is refused', () =>
    withTempDir(async (dir) => {
      await writeFile(join(dir, 'keys.yaml'), DEMO_KEY_YAML);
      await writeFile(join(dir, 'route.yaml'), mockRouteYaml('mock-gpt'));
      const initial = await compileStandaloneConfig(dir, { env: {} });
      const events: string[] = [];
      let refuse = false;
      const next = recorder();
      const watcher = watchStandaloneConfig(
        dir,
        {
          env: {},
          version: initial.table.version,
          baselineContentHash: initial.contentHash,
          baselineTableHash: initial.table.hash,
          debounceMs: 50,
          ...modeOptions,
        },
        {
          onTable(result) {
            if (refuse) throw new Error('cannot load');
            events.push(`table ${result.table.version}`);
            next.handlers.onTable(result);
          },
          onError(error) {
            events.push(`error ${error.message}`);
            next.handlers.onError(error);
          },
          onUnchanged(result) {
            events.push(`unchanged ${result.table.version}`);
            next.handlers.onTable(result);
          },
        },
      );
      try {
        await new Promise((resolve) => setTimeout(resolve, 200));
        // A comment: new content, same table.
        await writeFile(join(dir, 'route.yaml'), `# edited\n${mockRouteYaml('mock-gpt')}`);
        expect(tableOf(await next.next()).table.hash).toBe(initial.table.hash);
        // Broken, then undone: the undo compiles to the table served.
        await writeFile(join(dir, 'route.yaml'), mockRouteYaml('mock-gpt', { weight: -1 }));
        await next.next();
        await writeFile(join(dir, 'route.yaml'), mockRouteYaml('mock-gpt'));
        await next.next();
        // A new table the handler refuses: reported, and its number is not used up.
        refuse = true;
        await writeFile(join(dir, 'route.yaml'), mockRouteYaml('mock-gpt', { weight: 3 }));
        await next.next();
        refuse = false;
        await writeFile(join(dir, 'route.yaml'), mockRouteYaml('mock-gpt', { weight: 4 }));
        expect(tableOf(await next.next()).table.routes['default/mock-gpt']?.backends[1]?.weight).toBe(4);
        expect(events).toEqual([
          'unchanged 1',
          `error ${join(dir, 'route.yaml')}: ModelRoute default/mock-gpt: spec.backends[1].weight: must be >= 0`,
          'unchanged 1',
          `error ${dir}: the new routing table could not be loaded: cannot load`,
          'table 2',
        ]);
      } finally {
        watcher.close();
      }
    }));

  it('ignores events that do not change the content and stops after close', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'all.yaml');
      const text = `${DEMO_KEY_YAML}---\n${mockRouteYaml('mock-gpt')}`;
      await writeFile(file, text);
      const events = recorder();
      const watcher = watchStandaloneConfig(file, { env: {}, debounceMs: 50, ...modeOptions }, events.handlers);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await writeFile(file, text);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(events.pending()).toBe(0);

      await writeFile(file, text.replace('model: mock-gpt', 'model: mock-gpt\n  aliases: [mock]'));
      const changed = tableOf(await events.next());
      expect(changed.table.modelsByNamespace['default']).toEqual({ mock: 'default/mock-gpt', 'mock-gpt': 'default/mock-gpt' });
      expect(changed.table.version).toBe(2);

      watcher.close();
      await writeFile(file, text);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(events.pending()).toBe(0);
    }));
});
