// Standalone reloads reuse the parse and validation of files whose content did not change: a
// change to one file of many re-parses that file only, and the result (table, problems and
// their order, duplicates across files) is the same as a compilation without the cache.
import { describe, expect, it } from '@jest/globals';
import { compileStandaloneFiles, type StandaloneResult } from '../src/index.js';
import { ManifestParseCache, type ManifestFile } from '../src/manifests/parse-manifest-files.js';

const route = (namespace: string, name: string) => `---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  model: ${name}
  backends: [{name: a, provider: mock, model: echo}]
`;
const key = (namespace: string, name: string, models: string) => `---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: ${name}, namespace: ${namespace}}
spec: {secretName: ${name}, allowedModels: [${models}]}
---
apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: ${namespace}}
stringData: {key: "sk-${namespace}-${name}-0123456789abcdef"}
`;

function files(keysB: string): ManifestFile[] {
  return [
    { path: '/config/a.yaml', text: route('team-a', 'chat') + key('team-a', 'k1', 'chat') },
    { path: '/config/b.yaml', text: keysB },
  ];
}

function problems(run: () => StandaloneResult): string {
  try {
    run();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('standalone parse cache', () => {
  it('re-parses only the changed file and compiles the same table as without the cache', () => {
    const cache = new ManifestParseCache();
    const first = compileStandaloneFiles(files(key('team-a', 'k2', 'chat')), { cache });
    expect(first.cache).toBe(cache);
    const objectsBefore = first.table.keys.length;
    const changed = files(key('team-a', 'k2', 'chat') + key('team-a', 'k3', 'chat'));
    let parses = 0;
    const counting = new (class extends ManifestParseCache {
      override lookup(file: ManifestFile, make: Parameters<ManifestParseCache['lookup']>[1]) {
        return super.lookup(file, () => {
          parses += 1;
          return make();
        });
      }
    })();
    compileStandaloneFiles(files(key('team-a', 'k2', 'chat')), { cache: counting });
    expect(parses).toBe(2);
    const withCache = compileStandaloneFiles(changed, { cache: counting });
    expect(parses).toBe(3);
    const without = compileStandaloneFiles(changed);
    expect(withCache.table.hash).toBe(without.table.hash);
    expect(withCache.table.keys).toHaveLength(objectsBefore + 1);
  });

  it('finds an object defined in two files, in either order, and names the same problems as without it', () => {
    const cache = new ManifestParseCache();
    compileStandaloneFiles(files(key('team-a', 'k2', 'chat')), { cache });
    const duplicate = files(key('team-a', 'k1', 'chat'));
    const cached = problems(() => compileStandaloneFiles(duplicate, { cache }));
    expect(cached).toContain('defined twice (first in /config/a.yaml, document 2)');
    expect(cached).toBe(problems(() => compileStandaloneFiles(duplicate)));
  });

  it('keeps a file that does not parse out of the table until it is fixed, and forgets removed files', () => {
    const cache = new ManifestParseCache();
    const broken = files('apiVersion: [unclosed');
    const message = problems(() => compileStandaloneFiles(broken, { cache }));
    expect(message).toContain('/config/b.yaml');
    expect(message).toBe(problems(() => compileStandaloneFiles(broken)));
    const fixed = compileStandaloneFiles(files(key('team-a', 'k2', 'chat')), { cache });
    expect(fixed.table.keys).toHaveLength(2);
    expect(cache.size).toBe(2);
    compileStandaloneFiles(files(key('team-a', 'k2', 'chat')).slice(0, 1), { cache });
    expect(cache.size).toBe(1);
  });
});
