// docs/reference.md is generated from crds/; a CRD change without regenerating it fails here,
// naming the command that fixes it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { crdDir, repoRoot } from './support/manifests.js';

const GENERATOR = join(repoRoot, 'scripts', 'generate-crd-reference.mjs');
const REFERENCE = join(repoRoot, 'docs', 'reference.md');

interface Generator {
  renderCrdReference: (dir?: string) => string;
  REGENERATE_COMMAND: string;
}

function isGenerator(value: unknown): value is Generator {
  if (typeof value !== 'object' || value === null) return false;
  const mod = value as Record<string, unknown>;
  return typeof mod.renderCrdReference === 'function' && typeof mod.REGENERATE_COMMAND === 'string';
}

let generator: Generator;

beforeAll(async () => {
  // Imported by URL: the script is plain ESM outside the TypeScript project.
  const mod: unknown = await import(pathToFileURL(GENERATOR).href);
  if (!isGenerator(mod)) throw new Error(`${GENERATOR} does not export renderCrdReference and REGENERATE_COMMAND`);
  generator = mod;
});

describe('docs/reference.md', () => {
  it('matches what the generator renders from crds/', () => {
    const expected = generator.renderCrdReference(crdDir);
    const actual = readFileSync(REFERENCE, 'utf8');
    if (actual !== expected) {
      throw new Error(`docs/reference.md is out of date with crds/*.yaml; regenerate it with: ${generator.REGENERATE_COMMAND}`);
    }
    expect(actual).toBe(expected);
  });

  it('renders the same document twice (no dates, stable order)', () => {
    expect(generator.renderCrdReference(crdDir)).toBe(generator.renderCrdReference(crdDir));
  });

  it('documents every kind, every spec field with a default, and every CEL message of the CRDs', () => {
    const markdown = generator.renderCrdReference(crdDir);
    for (const kind of ['ModelRoute', 'VirtualKey', 'Budget']) expect(markdown).toContain(`## ${kind}\n`);
    for (const path of [
      'spec.retry.attempts',
      'spec.backends[].credentials[].secretRef.key',
      'spec.selector.matchExpressions[].operator',
      'status.lastAppliedBatches[].seq',
      'status.keyHint',
    ]) {
      expect(markdown).toContain(`| \`${path}\` |`);
    }
    expect(markdown).toMatch(/\| `spec\.retry\.attempts` \| integer \(int32\) \| {2}\| `2` \| min 1; max 10 \|/);
    const crdText = ['switchyard.dev_modelroutes.yaml', 'switchyard.dev_virtualkeys.yaml', 'switchyard.dev_budgets.yaml']
      .map((f) => readFileSync(join(crdDir, f), 'utf8'))
      .join('\n');
    const messages = [...crdText.matchAll(/^\s*message: (.+)$/gm)].map((m) => (m[1] as string).trim());
    expect(messages.length).toBeGreaterThan(20);
    for (const message of messages) {
      const escaped = message
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/([*_[\]])/g, '\\$1')
        .replace(/\|/g, '\\|');
      expect(markdown).toContain(escaped);
    }
  });
});
