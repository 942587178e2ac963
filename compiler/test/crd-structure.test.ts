// The CRDs are read by people (kubectl explain, kubectl get) and by the API server's structural
// schema rules; these checks keep them complete.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { CEL_RULE_IMPLEMENTATIONS } from '../src/schema/cel-rules.js';
import { BUILTIN_KINDS, type OpenApiSchema } from '../src/index.js';
import { crdDir } from './support/manifests.js';

interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; shortNames: string[]; categories: string[] };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object };
      additionalPrinterColumns: { name: string; jsonPath: string }[];
      schema: { openAPIV3Schema: OpenApiSchema };
    }[];
  };
}

const crds: Record<string, Crd> = Object.fromEntries(
  readdirSync(crdDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => [f, parse(readFileSync(join(crdDir, f), 'utf8')) as Crd]),
);

function walk(node: OpenApiSchema, path: string, visit: (node: OpenApiSchema, path: string) => void): void {
  visit(node, path);
  for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${name}`, visit);
  if (node.items) walk(node.items, `${path}[]`, visit);
  if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}{}`, visit);
}

describe('CRD files', () => {
  it('define every registered kind, and only those, in switchyard.dev, namespaced, v1alpha1 with status', () => {
    expect(Object.keys(crds).sort()).toEqual(
      BUILTIN_KINDS.all()
        .map((kind) => kind.names.crdFile)
        .sort(),
    );
    expect(
      Object.values(crds)
        .map((crd) => crd.spec.names.kind)
        .sort(),
    ).toEqual([...BUILTIN_KINDS.kinds].sort());
    for (const crd of Object.values(crds)) {
      expect(crd.spec.group).toBe('switchyard.dev');
      expect(crd.spec.scope).toBe('Namespaced');
      expect(crd.spec.names.categories).toEqual(['switchyard']);
      expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, true]]);
      expect(crd.spec.versions[0]?.subresources?.status).toEqual({});
    }
  });

  it.each([
    ['switchyard.dev_modelroutes.yaml', 'mr', ['Model', 'Backends', 'Accepted', 'Programmed', 'Age']],
    ['switchyard.dev_virtualkeys.yaml', 'vk', ['Models', 'Disabled', 'Hint', 'Accepted', 'Age']],
    ['switchyard.dev_budgets.yaml', 'budget', ['Spent', 'Limit', 'Period', 'Exceeded', 'Age']],
    ['switchyard.dev_mcpservers.yaml', 'mcps', ['URL', 'Base URL', 'Transport', 'Tools', 'Ready', 'Age']],
  ])('%s has short name %s and printer columns %j', (file, shortName, columns) => {
    const crd = crds[file] as Crd;
    expect(crd.spec.names.shortNames).toEqual([shortName]);
    expect(crd.spec.versions[0]?.additionalPrinterColumns.map((c) => c.name)).toEqual(columns);
  });

  it('describes every field (metadata excepted: the API server forbids it)', () => {
    const undocumented: string[] = [];
    for (const [file, crd] of Object.entries(crds)) {
      walk(crd.spec.versions[0]?.schema.openAPIV3Schema as OpenApiSchema, file, (node, path) => {
        if (!node.description && !path.endsWith('.metadata')) undocumented.push(path);
      });
    }
    expect(undocumented).toEqual([]);
  });

  it('types every node (structural schema) and bounds every string and list used by CEL cost estimation', () => {
    const problems: string[] = [];
    for (const [file, crd] of Object.entries(crds)) {
      walk(crd.spec.versions[0]?.schema.openAPIV3Schema as OpenApiSchema, file, (node, path) => {
        if (!node.type && !node['x-kubernetes-int-or-string']) problems.push(`${path}: no type`);
        if (node.type === 'array' && node.maxItems === undefined) problems.push(`${path}: no maxItems`);
        if (
          node.type === 'string' &&
          node.maxLength === undefined &&
          !node.enum &&
          node.format !== 'date-time' &&
          !/\.(apiVersion|kind)$/.test(path)
        ) {
          problems.push(`${path}: no maxLength`);
        }
      });
    }
    expect(problems).toEqual([]);
  });

  it('has a TypeScript twin for every CEL rule, and no twin without a rule', () => {
    const rules = new Set<string>();
    for (const crd of Object.values(crds)) {
      walk(crd.spec.versions[0]?.schema.openAPIV3Schema as OpenApiSchema, '', (node) => {
        for (const rule of node['x-kubernetes-validations'] ?? []) {
          rules.add(rule.rule);
          expect(rule.message.length).toBeGreaterThan(10);
        }
      });
    }
    expect([...rules].sort()).toEqual(Object.keys(CEL_RULE_IMPLEMENTATIONS).sort());
  });
});
