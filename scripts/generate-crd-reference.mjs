// Writes docs/reference.md from the CRD manifests in crds/, so the resource reference can never
// drift from the schemas the API server and the compiler enforce. scripts/generate-crds.mjs runs
// it with every other file generated from crds/.
//
//   node scripts/generate-crd-reference.mjs            writes docs/reference.md
//   node scripts/generate-crd-reference.mjs --check    exits 1 when docs/reference.md is stale
//
// renderCrdReference() returns the document without writing it, for the up-to-date test. The
// output depends only on the CRD files (no dates, stable ordering), so regenerating an unchanged
// tree gives a byte-identical file.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REFERENCE_PATH = join(REPO_ROOT, 'docs', 'reference.md');
export const REGENERATE_COMMAND = 'node scripts/generate-crd-reference.mjs';

// The order a newcomer meets the kinds in (also the order of the generated types); any kind not
// listed follows alphabetically.
export const KIND_ORDER = ['ModelRoute', 'VirtualKey', 'Budget', 'MCPServer', 'GuardrailPolicy'];

// Top-level fields every Kubernetes object has; the reference documents what is ours.
const OBJECT_ENVELOPE = new Set(['apiVersion', 'kind', 'metadata']);

/** Reads every CRD in crdDir and returns the reference document as markdown. */
export function renderCrdReference(crdDir = join(REPO_ROOT, 'crds')) {
  const crds = readdirSync(crdDir)
    .filter((file) => file.endsWith('.yaml') || file.endsWith('.yml'))
    .sort()
    .map((file) => {
      const crd = parse(readFileSync(join(crdDir, file), 'utf8'));
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec?.names?.kind) {
        throw new Error(`${file}: not a CustomResourceDefinition with spec.names.kind`);
      }
      return { file, crd };
    })
    .sort(
      (a, b) =>
        kindRank(a.crd.spec.names.kind) - kindRank(b.crd.spec.names.kind) || a.crd.spec.names.kind.localeCompare(b.crd.spec.names.kind),
    );

  const out = [];
  out.push('# Resource reference');
  out.push('');
  out.push(`<!-- Generated from crds/*.yaml by \`${REGENERATE_COMMAND}\`. Do not edit by hand: change the CRD and rerun it. -->`);
  out.push('');
  out.push(
    'Every field of the Switchyard custom resources, generated from the CRD schemas in [`crds/`](../crds), ' +
      'which are the single source of truth: the API server enforces them in a cluster and the compiler ' +
      'validates standalone manifests against the same schemas. `kubectl explain <kind>.spec` shows the same descriptions.',
  );
  out.push('');
  out.push('Conventions used below: a path ending in `[]` is an element of a list, `{}` a value of a map.');
  out.push(
    '"Validation rules" are the CEL rules (`x-kubernetes-validations`) the API server evaluates; the message is what `kubectl apply` prints when one fails.',
  );
  out.push('');
  out.push('Kinds:');
  out.push('');
  for (const { crd } of crds) {
    const kind = crd.spec.names.kind;
    out.push(`- [${kind}](#${anchor(kind)}) (\`${crd.spec.names.shortNames?.join('`, `') ?? crd.spec.names.plural}\`)`);
  }
  out.push('');
  for (const { file, crd } of crds) out.push(...renderKind(file, crd));
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

function kindRank(kind) {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

function renderKind(file, crd) {
  const { group, scope, names } = crd.spec;
  const out = [];
  out.push(`## ${names.kind}`);
  out.push('');
  for (const version of crd.spec.versions) {
    const root = version.schema?.openAPIV3Schema;
    if (!root) throw new Error(`${file}: version ${version.name} has no openAPIV3Schema`);
    if (crd.spec.versions.length > 1) {
      out.push(`### ${names.kind} ${version.name}`);
      out.push('');
    }
    if (root.description) {
      out.push(prose(root.description));
      out.push('');
    }
    out.push('| | |');
    out.push('| --- | --- |');
    out.push(
      `| API version | \`${group}/${version.name}\`${version.storage ? ' (storage version)' : ''}${version.served ? '' : ' (not served)'} |`,
    );
    out.push(`| Scope | ${scope} |`);
    out.push(
      `| Names | kind \`${names.kind}\`, plural \`${names.plural}\`, singular \`${names.singular ?? names.kind.toLowerCase()}\`, list \`${names.listKind ?? `${names.kind}List`}\` |`,
    );
    out.push(`| Short names | ${codeList(names.shortNames)} |`);
    out.push(`| Categories | ${codeList(names.categories)} |`);
    out.push(`| Subresources | ${codeList(Object.keys(version.subresources ?? {}).sort())} |`);
    out.push(`| Defined in | [\`crds/${file}\`](../crds/${file}) |`);
    out.push('');

    const columns = version.additionalPrinterColumns ?? [];
    if (columns.length > 0) {
      out.push(`**Printer columns** (\`kubectl get ${names.shortNames?.[0] ?? names.plural}\`):`);
      out.push('');
      out.push('| Column | Type | JSONPath | Description |');
      out.push('| --- | --- | --- | --- |');
      for (const c of columns) {
        out.push(`| ${cell(c.name)} | ${cell(c.type)} | ${code(c.jsonPath)} | ${prose(c.description ?? '')} |`);
      }
      out.push('');
    }

    for (const section of ['spec', 'status']) {
      const schema = root.properties?.[section];
      if (!schema) continue;
      const rows = [];
      const rules = [];
      collectFields(schema, section, root.required?.includes(section) ?? false, rows, rules);
      out.push(`${crd.spec.versions.length > 1 ? '####' : '###'} ${names.kind} ${section}`);
      out.push('');
      out.push(fieldTable(rows));
      out.push('');
      if (rules.length > 0) {
        out.push(`**Validation rules** on \`${section}\`:`);
        out.push('');
        out.push('| Path | Rule | Message |');
        out.push('| --- | --- | --- |');
        for (const r of rules) out.push(`| ${code(r.path)} | ${code(r.rule)} | ${prose(r.message ?? '')} |`);
        out.push('');
      }
    }

    const others = Object.keys(root.properties ?? {}).filter((p) => !OBJECT_ENVELOPE.has(p) && p !== 'spec' && p !== 'status');
    for (const other of others.sort()) {
      const rows = [];
      const rules = [];
      collectFields(root.properties[other], other, root.required?.includes(other) ?? false, rows, rules);
      out.push(`### ${names.kind} ${other}`);
      out.push('');
      out.push(fieldTable(rows));
      out.push('');
    }
  }
  return out;
}

// Depth-first, in schema order, so the table reads like the YAML it documents.
function collectFields(schema, path, required, rows, rules) {
  rows.push({ path, schema, required });
  for (const v of schema['x-kubernetes-validations'] ?? []) rules.push({ path, rule: v.rule, message: v.message ?? v.messageExpression });
  const childRequired = new Set(schema.required ?? []);
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    collectFields(child, `${path}.${name}`, childRequired.has(name), rows, rules);
  }
  if (schema.items && typeof schema.items === 'object') collectFields(schema.items, `${path}[]`, false, rows, rules);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    collectFields(schema.additionalProperties, `${path}{}`, false, rows, rules);
  }
}

function fieldTable(rows) {
  const lines = ['| Field | Type | Required | Default | Constraints | Description |', '| --- | --- | --- | --- | --- | --- |'];
  for (const { path, schema, required } of rows) {
    const defaultValue = schema.default === undefined ? '' : code(formatValue(schema.default));
    lines.push(
      `| ${code(path)} | ${cell(typeOf(schema))} | ${required ? 'yes' : ''} | ${defaultValue} | ${constraintsOf(schema)} | ${prose(schema.description ?? '')} |`,
    );
  }
  return lines.join('\n');
}

function typeOf(schema) {
  if (schema['x-kubernetes-int-or-string']) return 'int-or-string';
  if (schema.type === 'array') return schema.items ? `[]${typeOf(schema.items)}` : 'array';
  if (schema.type === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    return `map[string]${typeOf(schema.additionalProperties)}`;
  }
  if (schema.type) return schema.format ? `${schema.type} (${schema.format})` : schema.type;
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' or ');
  return 'any';
}

function constraintsOf(schema) {
  const parts = [];
  if (schema.enum) parts.push(`one of ${schema.enum.map((v) => code(formatValue(v))).join(', ')}`);
  if (schema.pattern !== undefined) parts.push(`pattern ${code(schema.pattern)}`);
  if (schema.minimum !== undefined) parts.push(`min ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`max ${schema.maximum}`);
  if (schema.minLength !== undefined) parts.push(`min length ${schema.minLength}`);
  if (schema.maxLength !== undefined) parts.push(`max length ${schema.maxLength}`);
  if (schema.minItems !== undefined) parts.push(`min items ${schema.minItems}`);
  if (schema.maxItems !== undefined) parts.push(`max items ${schema.maxItems}`);
  if (schema.minProperties !== undefined) parts.push(`min entries ${schema.minProperties}`);
  if (schema.maxProperties !== undefined) parts.push(`max entries ${schema.maxProperties}`);
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') parts.push('unique items (set)');
  else if (listType === 'map') parts.push(`list map keyed by ${codeList(schema['x-kubernetes-list-map-keys'] ?? [])}`);
  const ruleCount = (schema['x-kubernetes-validations'] ?? []).length;
  if (ruleCount > 0) parts.push(`${ruleCount} validation rule${ruleCount === 1 ? '' : 's'}`);
  return parts.join('; ');
}

function formatValue(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function oneLine(text) {
  return String(text).replace(/\s+/g, ' ').trim();
}

// Descriptions are plain text: '<resource>' must not become an HTML tag, 'claude-*' no emphasis.
function prose(text) {
  return cell(
    oneLine(text)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/([*_\\[\]])/g, '\\$1'),
  );
}

// GitHub tables split on '|' even inside code spans, so it is escaped everywhere.
function cell(text) {
  return String(text).replace(/\|/g, '\\|');
}

function code(text) {
  const s = String(text);
  const fence = s.includes('`') ? '``' : '`';
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${cell(s)}${pad}${fence}`;
}

function codeList(values) {
  return values && values.length > 0 ? values.map(code).join(', ') : 'none';
}

function anchor(heading) {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const markdown = renderCrdReference();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(REFERENCE_PATH, 'utf8');
    } catch {
      // A missing file is stale like any other.
    }
    if (current !== markdown) {
      console.error(`docs/reference.md is out of date with crds/; run: ${REGENERATE_COMMAND}`);
      process.exit(1);
    }
    console.log('docs/reference.md is up to date');
  } else {
    writeFileSync(REFERENCE_PATH, markdown);
    console.log(`wrote ${REFERENCE_PATH}`);
  }
}
