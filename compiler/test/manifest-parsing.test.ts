import { describe, expect, it } from '@jest/globals';
import { BUILTIN_KINDS, ConfigError, objectsOfKind, parseManifestFiles } from '../src/index.js';

const routeYaml = (name: string, extra = '') => `apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata:
  name: ${name}
${extra}spec:
  model: ${name}
  backends: [{name: m, provider: mock, model: m}]
`;

function parseError(files: { path: string; text: string }[]): string {
  try {
    parseManifestFiles(files, { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseManifestFiles', () => {
  it('reads multi-document files in order and defaults the namespace', () => {
    const parsed = parseManifestFiles(
      [
        { path: 'a.yaml', text: `${routeYaml('one')}---\n${routeYaml('two', '  namespace: team-a\n')}---\n# only a comment\n` },
        { path: 'b.yaml', text: 'apiVersion: switchyard.dev/v1alpha1\nkind: VirtualKey\nmetadata: {name: k}\nspec: {secretName: k}\n' },
      ],
      { env: {} },
    );
    expect(objectsOfKind(parsed.objects, 'ModelRoute').map((r) => `${r.metadata.namespace}/${r.metadata.name}`)).toEqual([
      'default/one',
      'team-a/two',
    ]);
    expect(objectsOfKind(parsed.objects, 'VirtualKey').map((k) => k.metadata.namespace)).toEqual(['default']);
    expect(parsed.sources['ModelRoute/team-a/two']).toEqual({ path: 'a.yaml', document: 2 });
    expect(parsed.sources['VirtualKey/default/k']).toEqual({ path: 'b.yaml', document: 1 });
  });

  it('ignores other kinds with a note', () => {
    const parsed = parseManifestFiles([{ path: 'x.yaml', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n' }], {
      env: {},
    });
    expect(parsed.notes).toEqual(['x.yaml (document 1): ignored apps/v1 Deployment default/web (not a Switchyard resource or Secret)']);
    expect(parsed.objects).toEqual([]);
  });

  it.each([
    [
      'a Switchyard kind under another group',
      'apiVersion: switchyard.io/v1alpha1\nkind: ModelRoute\nmetadata: {name: local, namespace: team-a}\n',
      'w.yaml (document 1): ignored ModelRoute team-a/local with apiVersion switchyard.io/v1alpha1: group switchyard.io is not switchyard.dev; a ModelRoute needs apiVersion: switchyard.dev/v1alpha1',
    ],
    [
      'a Switchyard kind in other letter case and no group',
      'apiVersion: v1alpha1\nkind: virtualkey\nmetadata: {name: k}\n',
      'w.yaml (document 1): ignored virtualkey default/k with apiVersion v1alpha1: no group is not switchyard.dev; a VirtualKey needs apiVersion: switchyard.dev/v1alpha1',
    ],
    [
      'an unknown kind under a group close to ours',
      'apiVersion: swithcyard.dev/v1alpha1\nkind: ModelRoutes\nmetadata: {name: r}\n',
      `w.yaml (document 1): ignored ModelRoutes default/r with apiVersion swithcyard.dev/v1alpha1: group swithcyard.dev resembles switchyard.dev, but Switchyard's kinds (${BUILTIN_KINDS.describe()}) need apiVersion: switchyard.dev/v1alpha1 (did you mean kind ModelRoute?)`,
    ],
    [
      'a Secret under another apiVersion',
      'apiVersion: core/v1\nkind: Secret\nmetadata: {name: s}\n',
      'w.yaml (document 1): ignored Secret default/s with apiVersion core/v1: a Secret needs apiVersion: v1 and kind: Secret',
    ],
  ])('ignores %s with a warning naming the object and the apiVersion it needs', (_name, text, warning) => {
    const parsed = parseManifestFiles([{ path: 'w.yaml', text }], { env: {} });
    expect(parsed.warnings).toEqual([warning]);
    expect(parsed.notes).toEqual([]);
    expect(parsed.objects).toEqual([]);
    expect(parsed.secrets).toEqual([]);
  });

  it('does not warn about objects that look foreign', () => {
    const text =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\n';
    const parsed = parseManifestFiles([{ path: 'x.yaml', text }], { env: {} });
    expect(parsed.warnings).toEqual([]);
    expect(parsed.notes).toHaveLength(2);
  });

  it('expands a v1 List', () => {
    const text = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n  stringData: {k: v}\n`;
    expect(parseManifestFiles([{ path: 'l.yaml', text }], { env: {} }).secrets.map((s) => s.metadata.name)).toEqual(['s']);
  });

  it('reads YAML as kubectl does: a bare on key is the boolean true, timestamps stay strings', () => {
    const text = `${routeYaml('r').replace('spec:\n', 'spec:\n  retry:\n    on: [Timeout]\n')}status:\n  at: 2027-01-01T00:00:00Z\n`;
    const parsed = parseManifestFiles([{ path: 'r.yaml', text }], { env: {} });
    expect(objectsOfKind(parsed.objects, 'ModelRoute')[0]?.spec.retry).toEqual({ true: ['Timeout'] });
    expect((objectsOfKind(parsed.objects, 'ModelRoute')[0] as unknown as { status: { at: unknown } }).status.at).toBe(
      '2027-01-01T00:00:00Z',
    );
  });

  it.each([
    ['YAML syntax', [{ path: 'bad.yaml', text: 'a: [1, 2\nb: c\n' }], /^bad\.yaml:\d+:\d+: invalid YAML: /],
    [
      'a scalar document',
      [{ path: 's.yaml', text: 'just text\n' }],
      /^s\.yaml \(document 1\): a manifest must be a YAML mapping with apiVersion and kind$/,
    ],
    [
      'no kind',
      [{ path: 'k.yaml', text: 'apiVersion: v1\nmetadata: {name: x}\n' }],
      /^k\.yaml \(document 1\): apiVersion and kind are required$/,
    ],
    [
      'an unsupported version',
      [{ path: 'v.yaml', text: routeYaml('r').replace('v1alpha1', 'v1beta1') }],
      /^v\.yaml \(document 1\): ModelRoute default\/r: apiVersion: must be switchyard\.dev\/v1alpha1$/,
    ],
    [
      'an unknown Switchyard kind',
      [{ path: 'u.yaml', text: 'apiVersion: switchyard.dev/v1alpha1\nkind: Router\nmetadata: {name: x}\n' }],
      new RegExp(`^u\\.yaml \\(document 1\\): kind: unknown kind Router: must be ${BUILTIN_KINDS.describe()}$`),
    ],
    [
      'the same object twice',
      [
        { path: 'a.yaml', text: routeYaml('r') },
        { path: 'b.yaml', text: routeYaml('r') },
      ],
      /^b\.yaml: ModelRoute default\/r: defined twice \(first in a\.yaml, document 1\)$/,
    ],
    [
      'bad base64',
      [{ path: 's.yaml', text: 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {apiKey: not-base64!}\n' }],
      /^s\.yaml: Secret default\/s: data\.apiKey: must be base64 \(use stringData for plain text\)$/,
    ],
    [
      'unknown Secret field',
      [{ path: 's.yaml', text: 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstrngData: {a: b}\n' }],
      /^s\.yaml: Secret default\/s: strngData: unknown field \(did you mean "stringData"\?\)$/,
    ],
    [
      'a Secret without name',
      [{ path: 's.yaml', text: 'apiVersion: v1\nkind: Secret\nmetadata: {}\n' }],
      /^s\.yaml: Secret default\/<unnamed>: metadata\.name: is required$/,
    ],
  ])('rejects %s with one clear line', (_name, files, pattern) => {
    const message = parseError(files);
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  });
});
