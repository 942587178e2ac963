// Adding a kind is a CRD (its schema), a compile function and a registry entry. Here a toy kind,
// RouteNote, is registered in the test alone (nothing else in the tree knows it), and is parsed,
// validated against its CRD, compiled, and given TypeScript types by the generator.

import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BUILTIN_KINDS,
  compileRoutingTable,
  ConfigError,
  DiagnosticReasons as R,
  condition,
  defineKind,
  loadCrdSchemas,
  parseManifestFiles,
  reject,
  type CrdNames,
  type ObjectMeta,
} from '../src/index.js';
import { crdDir, repoRoot } from './support/manifests.js';

const TOY_CRD = `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: routenotes.switchyard.dev
spec:
  group: switchyard.dev
  scope: Namespaced
  names: {kind: RouteNote, listKind: RouteNoteList, plural: routenotes, singular: routenote, shortNames: [note], categories: [switchyard]}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Route, type: string, description: The noted route., jsonPath: .spec.route}
    schema:
      openAPIV3Schema:
        type: object
        description: A note on a ModelRoute of the same namespace.
        required: [spec]
        properties:
          apiVersion: {type: string, description: APIVersion.}
          kind: {type: string, description: Kind.}
          metadata: {type: object}
          spec:
            type: object
            description: What is noted about which route.
            required: [route, text]
            properties:
              route: {type: string, description: Name of the ModelRoute., maxLength: 63}
              text: {type: string, description: The note., maxLength: 20}
              pinned: {type: boolean, description: Shown first., default: false}
`;

interface RouteNote {
  apiVersion: string;
  kind: 'RouteNote';
  metadata: ObjectMeta;
  spec: { route: string; text: string; pinned?: boolean };
}

const TOY_NAMES: CrdNames = {
  group: 'switchyard.dev',
  version: 'v1alpha1',
  plural: 'routenotes',
  singular: 'routenote',
  listKind: 'RouteNoteList',
  shortNames: ['note'],
  categories: ['switchyard'],
  crdFile: 'switchyard.dev_routenotes.yaml',
  printerColumns: ['Route'],
};

// Compiled after ModelRoute, so it sees the accepted routes.
const routeNoteKind = defineKind<RouteNote>({
  kind: 'RouteNote',
  names: TOY_NAMES,
  tableField: 'notes',
  selects: [],
  rbac: { resource: ['get', 'list', 'watch'], status: ['get', 'update', 'patch'] },
  referencedSecrets: () => [],
  compile(objects, context) {
    for (const { manifest, diagnostic } of objects) {
      const namespace = manifest.metadata.namespace ?? 'default';
      if (!context.routes.some((route) => route.id === `${namespace}/${manifest.spec.route}`)) {
        reject(diagnostic, R.UnresolvedRefs, `ModelRoute ${namespace}/${manifest.spec.route} is not accepted`);
        continue;
      }
      diagnostic.conditions.push(
        condition('Accepted', 'True', R.Accepted, `notes ${manifest.spec.route}${manifest.spec.pinned ? ' (pinned)' : ''}`),
      );
    }
  },
  tableObjects: () => [],
});

const kinds = BUILTIN_KINDS.with(routeNoteKind);

const MANIFESTS = `apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: chat}
spec:
  model: chat
  backends: [{name: m, provider: mock, model: m}]
---
apiVersion: switchyard.dev/v1alpha1
kind: RouteNote
metadata: {name: hello}
spec: {route: chat, text: hi}
---
apiVersion: switchyard.dev/v1alpha1
kind: RouteNote
metadata: {name: dangling}
spec: {route: gone, text: hi}
---
apiVersion: switchyard.dev/v1alpha1
kind: RouteNote
metadata: {name: long}
spec: {route: chat, text: far too long for the schema}
`;

let toyCrdDir: string;

beforeAll(() => {
  toyCrdDir = mkdtempSync(join(tmpdir(), 'switchyard-toy-kind-'));
  cpSync(crdDir, toyCrdDir, { recursive: true });
  writeFileSync(join(toyCrdDir, TOY_NAMES.crdFile), TOY_CRD);
});

afterAll(() => rmSync(toyCrdDir, { recursive: true, force: true }));

describe('a kind registered by a test', () => {
  it('is parsed only where it is registered', () => {
    const files = [{ path: 'notes.yaml', text: MANIFESTS }];
    expect(() => parseManifestFiles(files, { env: {} })).toThrow(ConfigError);
    expect(() => parseManifestFiles(files, { env: {} })).toThrow(`unknown kind RouteNote: must be ${BUILTIN_KINDS.describe()}`);
    const parsed = parseManifestFiles(files, { env: {}, kinds });
    expect(parsed.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ModelRoute/chat',
      'RouteNote/hello',
      'RouteNote/dangling',
      'RouteNote/long',
    ]);
  });

  it('is validated against its CRD, defaults applied', () => {
    const schemas = loadCrdSchemas(toyCrdDir, kinds);
    const note = {
      apiVersion: 'switchyard.dev/v1alpha1',
      kind: 'RouteNote',
      metadata: { name: 'n', namespace: 'default' },
      spec: { route: 'chat', text: 'hi' },
    };
    expect(schemas.validate(note)).toMatchObject({ ok: true, value: { spec: { route: 'chat', text: 'hi', pinned: false } } });
    expect(schemas.validate({ ...note, spec: { route: 'chat' } }).ok).toBe(false);
    expect(schemas.validate({ ...note, spec: { ...note.spec, colour: 'red' } }).ok).toBe(false);
    expect(() => loadCrdSchemas(crdDir, kinds)).toThrow('no CRD for RouteNote');
  });

  it('is compiled by its own step, after the kinds it reads, with a diagnostic per object', () => {
    const parsed = parseManifestFiles([{ path: 'notes.yaml', text: MANIFESTS }], { env: {}, kinds });
    const { table, diagnostics } = compileRoutingTable({
      objects: parsed.objects,
      secrets: [],
      sharedNamespaces: ['default'],
      version: 1,
      schemas: loadCrdSchemas(toyCrdDir, kinds),
      kinds,
    });
    expect(Object.keys(table.routes)).toEqual(['default/chat']);
    const byName = Object.fromEntries(diagnostics.map((d) => [`${d.kind}/${d.name}`, d.conditions.find((c) => c.type === 'Accepted')]));
    expect(diagnostics.map((d) => d.kind)).toEqual(['ModelRoute', 'RouteNote', 'RouteNote', 'RouteNote']);
    expect(byName['RouteNote/hello']).toEqual({ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'notes chat' });
    expect(byName['RouteNote/dangling']).toMatchObject({ status: 'False', reason: 'UnresolvedRefs' });
    expect(byName['RouteNote/long']).toMatchObject({ status: 'False', reason: 'Invalid' });
  });

  it('leaves the built-in compile untouched when not registered', () => {
    const parsed = parseManifestFiles([{ path: 'notes.yaml', text: MANIFESTS }], { env: {}, kinds });
    const { diagnostics } = compileRoutingTable({ objects: parsed.objects, secrets: [], sharedNamespaces: ['default'], version: 1 });
    expect(diagnostics.map((d) => `${d.kind}/${d.name}`)).toEqual(['ModelRoute/chat']);
  });

  it('gets its TypeScript types from its CRD through the generator', async () => {
    const generator = (await import(pathToFileURL(join(repoRoot, 'scripts', 'generate-crds.mjs')).href)) as {
      readCrds(dir: string): unknown[];
      renderResourceShapes(crds: unknown[]): string;
    };
    const shapes = generator.renderResourceShapes(generator.readCrds(toyCrdDir));
    expect(shapes).toContain("export interface RouteNoteManifest {\n  apiVersion: string;\n  kind: 'RouteNote';");
    expect(shapes).toContain('export interface RouteNoteSpec {');
    expect(shapes).toContain('  pinned?: boolean;');
    expect(shapes).toContain(
      `export type SwitchyardKind = ${[...BUILTIN_KINDS.kinds, 'RouteNote'].map((kind) => `'${kind}'`).join(' | ')};`,
    );
  });
});

describe('the built-in registry', () => {
  it('compiles ModelRoute, VirtualKey, Budget, MCPServer in that order, each after the kinds it selects', () => {
    expect(BUILTIN_KINDS.kinds).toEqual(['ModelRoute', 'VirtualKey', 'Budget', 'MCPServer', 'GuardrailPolicy']);
    expect(BUILTIN_KINDS.get('Budget').selects).toEqual(['VirtualKey']);
    expect(() => BUILTIN_KINDS.with(routeNoteKind, routeNoteKind)).toThrow('registered twice');
  });

  it('names each kind as its CRD does', () => {
    for (const kind of BUILTIN_KINDS.all()) expect(kind.names.crdFile).toBe(`switchyard.dev_${kind.names.plural}.yaml`);
  });
});
