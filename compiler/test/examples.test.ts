// The manifests a newcomer applies first must work as documented.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { compileStandaloneConfig, ConfigError, keyDigest, loadCrdSchemas, parseManifestFiles } from '../src/index.js';
import { crdDir, DEMO_KEY, repoRoot } from './support/manifests.js';

const examples = join(repoRoot, 'examples');

describe('examples', () => {
  it('standalone: the mock route and the documented demo key compile without any environment', async () => {
    const result = await compileStandaloneConfig(join(examples, 'standalone'), { env: {} });
    expect(result.table.modelsByNamespace['default']).toMatchObject({
      'mock-gpt': 'default/mock-gpt',
      'mock-gpt-latest': 'default/mock-gpt',
    });
    expect(result.table.keys.map((k) => [k.id, k.digest, k.keyHint])).toEqual([['default/demo', keyDigest(DEMO_KEY), 'sk-sy-...0000']]);
    expect(result.table.routes['default/mock-gpt']?.backends.every((b) => b.provider === 'mock')).toBe(true);
    expect(result.table.keys[0]?.budgetIds).toEqual(['default/demo-daily']);
    expect(result.diagnostics.flatMap((d) => d.conditions).filter((c) => c.status === 'False' && c.type !== 'PriceUnknown')).toEqual([]);
  });

  it('providers: the OpenAI example needs OPENAI_API_KEY and compiles with it', async () => {
    const file = join(examples, 'providers', 'openai.yaml');
    await expect(compileStandaloneConfig(file, { env: {} })).rejects.toThrow(ConfigError);
    await expect(compileStandaloneConfig(file, { env: {} })).rejects.toThrow(
      'stringData.apiKey: environment variable OPENAI_API_KEY is not set',
    );
    const result = await compileStandaloneConfig(file, { env: { OPENAI_API_KEY: 'sk-test' } });
    expect(result.table.routes['default/gpt-4o']?.backends[0]).toMatchObject({
      baseURL: 'https://api.openai.com/v1',
      pricing: { source: 'catalog' },
    });
  });

  it('cluster: every object passes the CRD schemas', () => {
    const schemas = loadCrdSchemas(crdDir);
    const dir = join(examples, 'cluster');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
    const parsed = parseManifestFiles(files, { env: {} });
    const objects = parsed.objects;
    expect(objects.map((o) => o.kind).sort()).toEqual(['Budget', 'ModelRoute', 'VirtualKey']);
    for (const object of objects) expect(schemas.validate(object).issues).toEqual([]);
  });
});
