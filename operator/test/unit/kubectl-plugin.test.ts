// The kubectl plugin's pieces that need no cluster: the YAML and table writers, the command line,
// the kubeconfig reading (contexts, namespaces, the errors when there is none) and the sentences
// API failures become. tests/cluster/kubectl-plugin.test.ts drives the whole plugin.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { KubeApiError } from '../../src/kube/kube-client.js';
import { openKubeContext } from '../../src/plugin/kube-context.js';
import { renderData, renderTable } from '../../src/plugin/output.js';
import { describeApiFailure, PluginError } from '../../src/plugin/plugin-error.js';
import { parsePluginFlags } from '../../src/plugin/plugin-flags.js';

describe('output', () => {
  it('writes YAML that parses back to the same data, however awkward the strings', () => {
    const data = {
      items: [
        { name: 'a', models: ['gpt-*', 'true', '123', ''], rateLimit: null, disabled: false, ready: 'True' },
        { name: 'b: c', 'key with space': 'line one\nline two', nested: [[1, 2], [], {}], empty: {}, null: 'no' },
      ],
      count: 2,
      weird: { '#comment': '- dash', '? q': '"quoted"', on: 'off', yes: '~' },
    };
    expect(parseYaml(renderData('yaml', data))).toEqual(data);
    expect(JSON.parse(renderData('json', data))).toEqual(data);
    expect(parseYaml(renderData('yaml', []))).toEqual([]);
  });

  it('aligns table columns under upper-case headers', () => {
    const table = renderTable(
      ['name', 'models'],
      [
        ['short', 'a'],
        ['a-longer-name', 'b,c'],
      ],
    );
    expect(table).toBe('NAME            MODELS\nshort           a\na-longer-name   b,c\n');
  });
});

describe('command line', () => {
  const usageError = (args: string[]): string => {
    try {
      parsePluginFlags(args);
    } catch (error) {
      expect(error).toBeInstanceOf(PluginError);
      expect((error as PluginError).exitCode).toBe(2);
      return (error as Error).message;
    }
    throw new Error(`no error for ${args.join(' ')}`);
  };

  it('reads kubectl-style flags anywhere on the line', () => {
    const flags = parsePluginFlags([
      '-n',
      'team-a',
      'keys',
      'create',
      'k1',
      '--models',
      'a, b',
      '--rpm',
      '60',
      '-o',
      'yaml',
      '--timeout',
      '5s',
    ]);
    expect(flags).toMatchObject({
      command: 'keys create',
      name: 'k1',
      namespace: 'team-a',
      models: ['a', 'b'],
      rpm: 60,
      output: 'yaml',
      timeoutMs: 5000,
    });
    expect(parsePluginFlags(['status']).timeoutMs).toBe(30_000);
    expect(parsePluginFlags(['try', 'm', '--server-url', 'http://127.0.0.1:8080/']).serverUrl).toBe('http://127.0.0.1:8080');
  });

  it('refuses what a command does not take, naming the flag or argument', () => {
    expect(usageError(['keys', 'list', '--rpm', '5'])).toBe('--rpm does not apply to keys list');
    expect(usageError(['keys', 'create'])).toBe('keys create needs a NAME');
    expect(usageError(['keys', 'delete', 'x'])).toContain('keys takes create, rotate, list, disable or enable');
    expect(usageError(['try'])).toBe('try needs a MODEL');
    expect(usageError(['spend', '--by', 'team'])).toBe('--by must be key, route or budget; got "team"');
    expect(usageError(['status', '-o', 'wide'])).toBe('-o/--output must be one of table, json, yaml; got "wide"');
    expect(usageError(['keys', 'create', 'x', '--rpm', '0'])).toBe('--rpm must be a positive whole number; got "0"');
    expect(usageError(['status', '--timeout', '0s'])).toContain('--timeout');
    expect(usageError(['keys', 'list', '-A', '-n', 'x'])).toContain('exclude each other');
    expect(usageError(['keys', 'list', 'extra'])).toBe('unexpected argument "extra" for keys list');
    expect(usageError(['frobnicate'])).toBe('unknown command "frobnicate"');
  });
});

describe('kubeconfig', () => {
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-plugin-'));
    file = join(dir, 'config');
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'one',
            cluster: { server: 'https://one.example:6443/', 'certificate-authority-data': Buffer.from('not a real CA').toString('base64') },
          },
          { name: 'two', cluster: { server: 'https://two.example:6443' } },
        ],
        users: [{ name: 'u', user: { token: 'abc' } }],
        contexts: [
          { name: 'first', context: { cluster: 'one', user: 'u', namespace: 'team-a' } },
          { name: 'second', context: { cluster: 'two', user: 'u' } },
        ],
        'current-context': 'first',
      }),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const open = (options: { kubeconfig?: string; context?: string; namespace?: string }, env: NodeJS.ProcessEnv = { HOME: dir }) => {
    const ctx = openKubeContext(
      { kubeconfig: undefined, context: undefined, namespace: undefined, requestTimeoutMs: 1000, ...options },
      env,
    );
    ctx.client.close();
    return ctx;
  };

  it('uses the current context, its namespace, and -n and --context over them', () => {
    expect(open({ kubeconfig: file })).toMatchObject({ contextName: 'first', namespace: 'team-a', server: 'https://one.example:6443' });
    expect(open({ kubeconfig: file, namespace: 'other' }).namespace).toBe('other');
    expect(open({ kubeconfig: file, context: 'second' })).toMatchObject({ namespace: 'default', server: 'https://two.example:6443' });
    expect(open({}, { HOME: dir, KUBECONFIG: `${join(dir, 'absent')}:${file}` }).contextName).toBe('first');
  });

  it('reads ~/.kube/config when neither --kubeconfig nor $KUBECONFIG is set', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    await copyFile(file, join(home, '.kube', 'config'));
    expect(open({ context: 'second' }, { HOME: home })).toMatchObject({ contextName: 'second', server: 'https://two.example:6443' });
  });

  it('says what is missing instead of falling back to localhost', () => {
    expect(() => open({})).toThrow('no kubeconfig: pass --kubeconfig, set $KUBECONFIG, or create ~/.kube/config');
    expect(() => open({ kubeconfig: join(dir, 'absent') })).toThrow(`--kubeconfig ${join(dir, 'absent')}: no such file`);
    expect(() => open({}, { HOME: dir, KUBECONFIG: join(dir, 'absent') })).toThrow('$KUBECONFIG names no existing file');
    expect(() => open({ kubeconfig: file, context: 'third' })).toThrow('--context third: the kubeconfig has no such context');
  });
});

describe('API failures', () => {
  it('become sentences naming the verb and the object', () => {
    const forbidden = new KubeApiError(
      'GET',
      '/apis/switchyard.dev/v1alpha1/namespaces/a/virtualkeys',
      403,
      'Forbidden',
      'virtualkeys.switchyard.dev is forbidden: User "u" cannot list resource "virtualkeys"',
    );
    const described = describeApiFailure(forbidden, 'virtualkeys in namespace a', 'https://api', 'list');
    expect(described.message).toBe(
      'forbidden: cannot list virtualkeys in namespace a: virtualkeys.switchyard.dev is forbidden: User "u" cannot list resource "virtualkeys"',
    );
    expect(described.apiStatus).toBe(403);
    expect(describeApiFailure(new KubeApiError('GET', '/x', 404, 'NotFound', 'nope'), 'VirtualKey a/b', 'https://api').message).toBe(
      'VirtualKey a/b not found',
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    expect(describeApiFailure(refused, 'x', 'https://127.0.0.1:6443').message).toBe(
      'cannot reach the API server at https://127.0.0.1:6443: connect ECONNREFUSED 127.0.0.1:6443',
    );
  });
});
