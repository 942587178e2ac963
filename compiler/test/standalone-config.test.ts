import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { compileStandaloneConfig, ConfigError, keyDigest } from '../src/index.js';
import { DEMO_KEY } from './support/manifests.js';
import { withTempDir } from './support/temp-dir.js';
import { DEMO_KEY_YAML, mockRouteYaml } from './support/yaml-manifests.js';

async function configError(path: string, options: Parameters<typeof compileStandaloneConfig>[1] = {}): Promise<ConfigError> {
  try {
    await compileStandaloneConfig(path, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('compileStandaloneConfig', () => {
  it('reads a directory recursively in sorted order, following symlinks and skipping dot entries (ConfigMap mounts)', () =>
    withTempDir(async (dir) => {
      await mkdir(join(dir, 'routes'));
      await mkdir(join(dir, '..2026_01_01'));
      await writeFile(join(dir, 'keys.yml'), DEMO_KEY_YAML);
      await writeFile(join(dir, 'routes', 'b.yaml'), mockRouteYaml('mock-b'));
      await writeFile(join(dir, 'routes', 'a.yaml'), mockRouteYaml('mock-a'));
      await writeFile(join(dir, 'README.md'), '# not a manifest');
      await writeFile(join(dir, '.hidden.yaml'), 'not: [valid');
      await writeFile(join(dir, '..2026_01_01', 'c.yaml'), mockRouteYaml('mock-c'));
      await symlink(join(dir, '..2026_01_01'), join(dir, '..data'));
      await symlink(join('..data', 'c.yaml'), join(dir, 'c.yaml'));

      const result = await compileStandaloneConfig(dir, { env: {} });
      expect(result.files).toEqual([
        join(dir, 'c.yaml'),
        join(dir, 'keys.yml'),
        join(dir, 'routes', 'a.yaml'),
        join(dir, 'routes', 'b.yaml'),
      ]);
      expect(Object.keys(result.table.routes)).toEqual(['default/mock-a', 'default/mock-b', 'default/mock-c']);
      expect(result.table.keys.map((k) => k.digest)).toEqual([keyDigest(DEMO_KEY)]);
      expect(result.table.modelsByNamespace).toEqual({
        default: { 'mock-a': 'default/mock-a', 'mock-b': 'default/mock-b', 'mock-c': 'default/mock-c' },
      });
      expect(result.table.version).toBe(1);
      expect(result.contentHash).toMatch(/^[0-9a-f]{64}$/);
    }));

  it('reads a single file and takes version and shared namespaces from options', () =>
    withTempDir(async (dir) => {
      const file = join(dir, 'all.yaml');
      await writeFile(
        file,
        `${DEMO_KEY_YAML}---\n${mockRouteYaml('mock-gpt').replace('  name: mock-gpt\n', '  name: mock-gpt\n  namespace: platform\n')}`,
      );
      const result = await compileStandaloneConfig(file, { env: {}, version: 9, sharedNamespaces: ['platform'] });
      expect(result.files).toEqual([file]);
      expect(result.table.version).toBe(9);
      expect(result.table.modelsByNamespace).toEqual({ default: { 'mock-gpt': 'platform/mock-gpt' } });
    }));

  it.each<[string, Record<string, string>, string]>([
    [
      'a negative weight',
      { 'routes.yaml': mockRouteYaml('gpt-4o', { weight: -1 }) },
      '{dir}/routes.yaml: ModelRoute default/gpt-4o: spec.backends[1].weight: must be >= 0',
    ],
    [
      'an unknown field',
      { 'routes.yaml': mockRouteYaml('gpt-4o').replace('    weight:', '    wieght:') },
      '{dir}/routes.yaml: ModelRoute default/gpt-4o: spec.backends[1].wieght: unknown field (did you mean "weight"?)',
    ],
    [
      'several problems of one object',
      { 'routes.yaml': mockRouteYaml('gpt-4o', { weight: -1, latency: 'soon' }) },
      '{dir}/routes.yaml: ModelRoute default/gpt-4o: spec.backends[1].weight: must be >= 0 (and 1 more problem: spec.backends[1].mock.latency: must be a duration: a number and a unit (ms, s, m, h), such as "250ms", "30s" or "1h30m")',
    ],
    [
      'problems in several objects and files',
      {
        'a.yaml': mockRouteYaml('gpt-4o', { weight: -1 }),
        'b.yaml': `${mockRouteYaml('gpt-4o-mini').replace('    weight:', '    wieght:')}---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  k: \${UNSET}\n`,
      },
      '{dir}/b.yaml: Secret default/s: stringData.k: environment variable UNSET is not set (and 2 more problems: ' +
        '{dir}/a.yaml: ModelRoute default/gpt-4o: spec.backends[1].weight: must be >= 0; ' +
        '{dir}/b.yaml: ModelRoute default/gpt-4o-mini: spec.backends[1].wieght: unknown field (did you mean "weight"?))',
    ],
    [
      'a CEL rule',
      { 'routes.yaml': mockRouteYaml('gpt-4o', { aliases: ['gpt-4o'] }) },
      '{dir}/routes.yaml: ModelRoute default/gpt-4o: spec: aliases must not repeat spec.model',
    ],
    [
      'a VirtualKey whose Secret is not among the manifests',
      { 'key.yaml': DEMO_KEY_YAML.replace('secretName: demo-key', 'secretName: other-key') },
      '{dir}/key.yaml: VirtualKey default/demo: spec.secretName: Secret default/other-key is not among the manifests (standalone mode never generates keys: add a Secret with data.key or stringData.key)',
    ],
    [
      'a route whose credential Secret is missing',
      {
        'openai.yaml':
          'apiVersion: switchyard.dev/v1alpha1\nkind: ModelRoute\nmetadata: {name: gpt-4o}\nspec:\n  model: gpt-4o\n  backends:\n  - {name: main, provider: openai, model: gpt-4o, credentials: [{secretRef: {name: openai, key: apiKey}}]}\n',
      },
      '{dir}/openai.yaml: ModelRoute default/gpt-4o: Accepted=False (NoBackends): no backend left: every backend is missing its credentials; backend main: Secret default/openai not found (needed for key "apiKey")',
    ],
    [
      'a name conflict',
      { 'a.yaml': mockRouteYaml('gpt-4o'), 'b.yaml': mockRouteYaml('gpt-4o-mini', { aliases: ['gpt-4o'] }) },
      '{dir}/b.yaml: ModelRoute default/gpt-4o-mini: Accepted=False (Conflict): model name "gpt-4o" is already claimed by the older ModelRoute default/gpt-4o, visible to the same keys',
    ],
    [
      'a missing environment variable',
      { 'secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: {name: openai}\nstringData:\n  apiKey: ${OPENAI_API_KEY}\n' },
      '{dir}/secret.yaml: Secret default/openai: stringData.apiKey: environment variable OPENAI_API_KEY is not set',
    ],
    ['YAML syntax', { 'bad.yaml': 'kind: [ModelRoute\n' }, '{dir}/bad.yaml:2:1: invalid YAML: '],
    ['an empty directory', {}, '{dir}: no *.yaml or *.yml files in the configuration directory'],
  ])('rejects %s with one line naming file, object and field', (_name, files, expected) =>
    withTempDir(async (dir) => {
      for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
      const error = await configError(dir, { env: {} });
      const message = expected.replaceAll('{dir}', dir);
      if (message.endsWith(': ')) expect(error.message.startsWith(message)).toBe(true);
      else expect(error.message).toBe(message);
    }),
  );

  it('names at most 20 problems in its message and counts the rest', () =>
    withTempDir(async (dir) => {
      for (let i = 0; i < 25; i += 1)
        await writeFile(join(dir, `r${String(i).padStart(2, '0')}.yaml`), mockRouteYaml(`m${i}`, { weight: -1 }));
      const error = await configError(dir, { env: {} });
      expect(error.problems).toHaveLength(25);
      expect(error.message.match(/must be >= 0/g)).toHaveLength(20);
      expect(error.message).toContain('r19.yaml: ModelRoute default/m19: spec.backends[1].weight: must be >= 0');
      expect(error.message).not.toContain('r20.yaml');
      expect(error.message).toMatch(/ \(and 24 more problems: .*; 5 more not listed \(at most 20 problems are\)\)$/);
    }));

  it('reports every route that lacks its credentials, not only the first', () =>
    withTempDir(async (dir) => {
      const route = (name: string) =>
        `apiVersion: switchyard.dev/v1alpha1\nkind: ModelRoute\nmetadata: {name: ${name}}\nspec:\n  model: ${name}\n  backends:\n  - {name: main, provider: openai, model: gpt-4o, credentials: [{secretRef: {name: ${name}-secret, key: apiKey}}]}\n`;
      await writeFile(join(dir, 'routes.yaml'), `${route('one')}---\n${route('two')}`);
      const error = await configError(dir, { env: {} });
      expect(error.problems.map((p) => p.object)).toEqual(['ModelRoute default/one', 'ModelRoute default/two']);
      expect(error.message).toContain('Secret default/one-secret not found (needed for key "apiKey")');
      expect(error.message).toContain('Secret default/two-secret not found (needed for key "apiKey")');
    }));

  it('exposes the parts of the error', () =>
    withTempDir(async (dir) => {
      await writeFile(join(dir, 'r.yaml'), mockRouteYaml('gpt-4o', { weight: -1 }));
      const error = await configError(dir, { env: {} });
      expect([error.file, error.object, error.field, error.reason]).toEqual([
        join(dir, 'r.yaml'),
        'ModelRoute default/gpt-4o',
        'spec.backends[1].weight',
        'must be >= 0',
      ]);
    }));

  it('names a missing path', async () => {
    const error = await configError('/nonexistent/switchyard-config');
    expect(error.message).toBe('/nonexistent/switchyard-config: cannot read configuration: ENOENT');
  });

  it('uses the env option for ${VAR} and never puts the value in the table diagnostics', () =>
    withTempDir(async (dir) => {
      await writeFile(
        join(dir, 'openai.yaml'),
        'apiVersion: v1\nkind: Secret\nmetadata: {name: openai}\nstringData:\n  apiKey: ${OPENAI_API_KEY}\n---\n' +
          'apiVersion: switchyard.dev/v1alpha1\nkind: ModelRoute\nmetadata: {name: gpt-4o}\nspec:\n  model: gpt-4o\n  backends:\n  - {name: main, provider: openai, model: gpt-4o, credentials: [{secretRef: {name: openai, key: apiKey}}]}\n',
      );
      const result = await compileStandaloneConfig(dir, { env: { OPENAI_API_KEY: 'sk-from-env-123' } });
      expect(result.table.routes['default/gpt-4o']?.backends[0]?.credentials[0]?.apiKey).toBe('sk-from-env-123');
      expect(JSON.stringify(result.diagnostics)).not.toContain('sk-from-env-123');
    }));
});
