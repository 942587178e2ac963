// Everything derived from the CRDs in crds/, which are the one definition of resource shapes
// (field names, descriptions, defaults, CEL rules, printer columns) and of the provider list
// (the `provider` enum of a ModelRoute backend):
//
//   compiler/src/generated/resource-shapes.ts   TypeScript manifest types, kind names, enums
//   charts/switchyard/crds/*.yaml               the chart's copy of the CRDs (charts/sync-crds.sh)
//   docs/reference.md                           the field reference (scripts/generate-crd-reference.mjs)
//   charts/switchyard/templates/operator-rbac.yaml, operator/rbac/cluster-role.yaml
//                                               the switchyard.dev RBAC rules, from the kind
//                                               registry's verbs (needs the built compiler)
//
//   node scripts/generate-crds.mjs            writes them
//   node scripts/generate-crds.mjs --check    exits 1 naming every stale file (the drift test runs this)
//   node scripts/generate-crds.mjs --without-rbac   everything but the RBAC rules (no build needed)
//
// The output depends only on its inputs (no dates, stable order).

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { KIND_ORDER, renderCrdReference, REFERENCE_PATH } from './generate-crd-reference.mjs';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CRD_DIR = join(REPO_ROOT, 'crds');
const SYNC_CHART_CRDS = join(REPO_ROOT, 'charts', 'sync-crds.sh');
const SHAPES_PATH = join(REPO_ROOT, 'compiler', 'src', 'generated', 'resource-shapes.ts');
const RBAC_FILES = [
  join(REPO_ROOT, 'charts', 'switchyard', 'templates', 'operator-rbac.yaml'),
  join(REPO_ROOT, 'operator', 'rbac', 'cluster-role.yaml'),
];
const REGISTRY_MODULE = join(REPO_ROOT, 'compiler', 'dist', 'src', 'kinds', 'kind-registry.js');
export const GENERATE_COMMAND = 'node scripts/generate-crds.mjs';

// Schema nodes that get a named TypeScript type instead of an inline one, by `<Kind> <path>`.
// A kind's spec is always `<Kind>Spec`; enums not listed here stay inline unions.
const NAMED_TYPES = {
  'ModelRoute spec.backends[]': 'BackendSpec',
  'ModelRoute spec.backends[].provider': 'ProviderName',
  'ModelRoute spec.backends[].credentials[]': 'CredentialSpec',
  'ModelRoute spec.backends[].credentials[].secretRef': 'SecretRefSpec',
  'ModelRoute spec.backends[].pricing': 'PricingSpec',
  'ModelRoute spec.backends[].mock': 'MockSpec',
  'ModelRoute spec.retry.on[]': 'RetryableFailure',
  'ModelRoute spec.cache.scope': 'CacheScope',
  'ModelRoute spec.cache.semantic': 'SemanticCacheSpec',
  'ModelRoute spec.strategy': 'RoutingStrategy',
  'ModelRoute spec.rules[]': 'RouteRuleSpec',
  'ModelRoute spec.rules[].match': 'RuleMatchSpec',
  'ModelRoute spec.rules[].match.frontDoors[]': 'RuleFrontDoor',
  'ModelRoute spec.affinity': 'AffinitySpec',
  'ModelRoute spec.backends[].capabilities': 'BackendCapabilitiesSpec',
  'Budget spec.selector': 'LabelSelector',
  'Budget spec.selector.matchExpressions[]': 'LabelSelectorRequirement',
  'Budget spec.period': 'BudgetPeriod',
  'Budget spec.enforcement': 'BudgetEnforcement',
  'Budget spec.reservation': 'BudgetReservation',
  'ModelRoute spec.mcp': 'RouteMCPSpec',
  'VirtualKey spec.mcp': 'KeyMCPSpec',
  'MCPServer spec.transport': 'MCPTransport',
  'MCPServer spec.headers[]': 'MCPHeaderSpec',
  'MCPServer spec.auth': 'MCPAuthSpec',
  'MCPServer spec.auth.type': 'MCPAuthType',
  'MCPServer spec.auth.secretRef': 'SecretKeyRefSpec',
  'GuardrailPolicy spec.checks[]': 'GuardrailCheckSpec',
  'GuardrailPolicy spec.checks[].type': 'GuardrailCheckType',
  'GuardrailPolicy spec.checks[].action': 'GuardrailAction',
  'GuardrailPolicy spec.checks[].on': 'GuardrailDirection',
  'GuardrailPolicy spec.checks[].entities[]': 'PiiEntity',
};

export function readCrds(dir = CRD_DIR) {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => ({ file, crd: parse(readFileSync(join(dir, file), 'utf8')) }))
    .sort(
      (a, b) => rank(a.crd.spec.names.kind) - rank(b.crd.spec.names.kind) || a.crd.spec.names.kind.localeCompare(b.crd.spec.names.kind),
    );
}

function rank(kind) {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

// --- TypeScript shapes ---------------------------------------------------------------------------

function comment(description, indent) {
  if (!description) return [];
  const words = String(description).replace(/\s+/g, ' ').trim().replace(/\*\//g, '*\\/').split(' ');
  const lines = [];
  let line = '';
  for (const word of words) {
    if (line && indent.length + 4 + line.length + 1 + word.length > 110) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`), `${indent} */`];
}

function literal(value) {
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// CRD defaults the compiler falls back to when handed objects the API server did not default,
// by `<Kind> <path>` -> the CRD_DEFAULTS member.
const DEFAULT_NAMES = {
  'ModelRoute spec.backends[].weight': 'backendWeight',
  'ModelRoute spec.backends[].priority': 'backendPriority',
  'ModelRoute spec.backends[].credentials[].weight': 'credentialWeight',
  'ModelRoute spec.backends[].azure.apiVersion': 'azureApiVersion',
  'ModelRoute spec.backends[].bedrock.useAmbientCredentials': 'bedrockUseAmbientCredentials',
  'ModelRoute spec.backends[].mock.latency': 'mockLatency',
  'ModelRoute spec.backends[].mock.failureRate': 'mockFailureRate',
  'ModelRoute spec.retry.attempts': 'retryAttempts',
  'ModelRoute spec.retry.backoff.initial': 'retryBackoffInitial',
  'ModelRoute spec.retry.backoff.max': 'retryBackoffMax',
  'ModelRoute spec.retry.on': 'retryOn',
  'ModelRoute spec.timeouts.connect': 'timeoutConnect',
  'ModelRoute spec.timeouts.firstByte': 'timeoutFirstByte',
  'ModelRoute spec.timeouts.total': 'timeoutTotal',
  'ModelRoute spec.timeouts.streamIdle': 'timeoutStreamIdle',
  'ModelRoute spec.outlierDetection.consecutiveFailures': 'outlierConsecutiveFailures',
  'ModelRoute spec.outlierDetection.ejectionTime': 'outlierEjectionTime',
  'ModelRoute spec.defaultMaxTokens': 'defaultMaxTokens',
  'ModelRoute spec.cache.scope': 'cacheScope',
  'ModelRoute spec.cache.semantic.threshold': 'semanticThreshold',
  'ModelRoute spec.cache.semantic.maxEntriesPerPartition': 'semanticMaxEntriesPerPartition',
  'ModelRoute spec.cache.semantic.maxTemperature': 'semanticMaxTemperature',
  'ModelRoute spec.cache.semantic.maxTurnChars': 'semanticMaxTurnChars',
  'ModelRoute spec.strategy': 'routingStrategy',
  'ModelRoute spec.affinity.enabled': 'affinityEnabled',
  'ModelRoute spec.affinity.ttl': 'affinityTtl',
  'VirtualKey spec.disabled': 'keyDisabled',
  'Budget spec.period': 'budgetPeriod',
  'Budget spec.enforcement': 'budgetEnforcement',
  'Budget spec.reservation': 'budgetReservation',
  'ModelRoute spec.mcp.maxRounds': 'routeMcpMaxRounds',
  'MCPServer spec.transport': 'mcpTransport',
  'MCPServer spec.auth.type': 'mcpAuthType',
  'MCPServer spec.toolFilter.include': 'mcpToolInclude',
  'MCPServer spec.toolFilter.exclude': 'mcpToolExclude',
  'MCPServer spec.timeouts.connect': 'mcpTimeoutConnect',
  'MCPServer spec.timeouts.call': 'mcpTimeoutCall',
  'MCPServer spec.openapi.operations': 'mcpOpenAPIOperations',
};

/** The schema node at `<path>` (dots, `[]` for list items) below a kind's root. */
function nodeAt(root, path) {
  let node = root;
  for (const part of path.replace(/\[\]/g, '.[]').split('.')) node = part === '[]' ? node?.items : node?.properties?.[part];
  return node;
}

/** `export const CRD_DEFAULTS = {...}`: each value from the CRD, typed by the field's named type. */
function renderDefaults(kinds) {
  const out = ['/** The defaults the CRDs declare, for objects the API server did not default. */', 'export const CRD_DEFAULTS = {'];
  for (const [where, name] of Object.entries(DEFAULT_NAMES)) {
    const [kind, path] = where.split(' ');
    const root = kinds.find((k) => k.names.kind === kind)?.root;
    const node = root && nodeAt(root, path);
    if (node?.default === undefined) throw new Error(`CRD_DEFAULTS.${name}: ${where} has no default in the CRD`);
    const itemType = NAMED_TYPES[`${where}[]`];
    const ownType = NAMED_TYPES[where];
    const value = Array.isArray(node.default)
      ? `[${node.default.map(literal).join(', ')}]`
      : typeof node.default === 'string'
        ? literal(node.default)
        : String(node.default);
    const cast = itemType ? ` as ${itemType}[]` : ownType ? ` as ${ownType}` : '';
    out.push(`  ${name}: ${value}${cast},`);
  }
  out.push('} as const;');
  return out;
}

class ShapeWriter {
  constructor() {
    /** name -> lines of a named declaration, in first-use order. */
    this.declarations = new Map();
  }

  /** The TypeScript type of a schema node; named nodes are declared once and referenced. */
  typeOf(kind, path, schema, indent) {
    const name = path === 'spec' ? `${kind}Spec` : NAMED_TYPES[`${kind} ${path}`];
    if (name) {
      if (!this.declarations.has(name)) {
        this.declarations.set(name, []); // reserve the slot (declaration order = first use)
        this.declarations.set(name, this.declare(kind, path, schema, name));
      }
      return name;
    }
    return this.inline(kind, path, schema, indent);
  }

  declare(kind, path, schema, name) {
    const lines = comment(schema.description, '');
    if (schema.type === 'object' && schema.properties) {
      lines.push(`export interface ${name} {`, ...this.members(kind, path, schema, '  '), '}');
    } else {
      const type = this.inline(kind, path, schema, '');
      const oneLine = `export type ${name} = ${type};`;
      // Long unions one member a line, as a person would write them.
      lines.push(
        oneLine.length > 110 && schema.enum ? `export type ${name} =\n${schema.enum.map((v) => `  | ${literal(v)}`).join('\n')};` : oneLine,
      );
    }
    return lines;
  }

  members(kind, path, schema, indent) {
    const required = new Set(schema.required ?? []);
    const lines = [];
    for (const [field, child] of Object.entries(schema.properties ?? {})) {
      // Defaulted fields are optional: callers may hand in objects the defaults were not applied to.
      const optional = !required.has(field) || child.default !== undefined;
      lines.push(...comment(child.description, indent));
      lines.push(`${indent}${field}${optional ? '?' : ''}: ${this.typeOf(kind, `${path}.${field}`, child, indent)};`);
    }
    return lines;
  }

  inline(kind, path, schema, indent) {
    if (schema['x-kubernetes-int-or-string']) return 'number | string';
    if (schema.enum) return schema.enum.map(literal).join(' | ');
    switch (schema.type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array': {
        const item = this.typeOf(kind, `${path}[]`, schema.items ?? {}, indent);
        return /[ |]/.test(item) && !item.startsWith('{') ? `(${item})[]` : `${item}[]`;
      }
      case 'object':
        if (schema.properties) return `{\n${this.members(kind, path, schema, `${indent}  `).join('\n')}\n${indent}}`;
        if (typeof schema.additionalProperties === 'object')
          return `Record<string, ${this.typeOf(kind, `${path}{}`, schema.additionalProperties, indent)}>`;
        return 'Record<string, unknown>';
      default:
        return 'unknown';
    }
  }
}

/** compiler/src/generated/resource-shapes.ts from the CRDs. */
export function renderResourceShapes(crds = readCrds()) {
  const writer = new ShapeWriter();
  const out = [
    `// Generated from crds/*.yaml by \`${GENERATE_COMMAND}\`. Do not edit by hand: change the CRD and rerun it.`,
    '// Fields the CRDs default are optional: the operator hands in API-server objects (defaults',
    '// applied), standalone mode objects defaulted by the same schemas, and the compiler falls back to',
    '// the same defaults (CRD_DEFAULTS) for anything else.',
    '',
    "import type { ObjectMeta } from '../object-meta-types.js';",
    '',
  ];
  const kinds = [];
  for (const { file, crd } of crds) {
    const { names, group } = crd.spec;
    const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
    const root = version.schema.openAPIV3Schema;
    writer.typeOf(names.kind, 'spec', root.properties.spec, '');
    kinds.push({ file, group, version, names, root });
  }
  for (const lines of writer.declarations.values()) out.push(...lines, '');

  for (const { names, root } of kinds) {
    out.push(...comment(root.description, ''));
    out.push(
      `export interface ${names.kind}Manifest {`,
      '  apiVersion: string;',
      `  kind: ${literal(names.kind)};`,
      '  metadata: ObjectMeta;',
      `  spec: ${names.kind}Spec;`,
      '}',
      '',
    );
  }
  out.push(`export type SwitchyardKind = ${kinds.map((k) => literal(k.names.kind)).join(' | ')};`, '');
  out.push(...renderDefaults(kinds), '');
  out.push(`export type SwitchyardManifest = ${kinds.map((k) => `${k.names.kind}Manifest`).join(' | ')};`, '');

  out.push('/** How the API server names each kind, and the columns `kubectl get` prints. */');
  out.push('export interface CrdNames {');
  out.push(
    '  group: string;',
    '  version: string;',
    '  plural: string;',
    '  singular: string;',
    '  listKind: string;',
    '  shortNames: readonly string[];',
  );
  out.push(
    '  categories: readonly string[];',
    '  /** The CRD file under crds/. */',
    '  crdFile: string;',
    '  printerColumns: readonly string[];',
    '}',
    '',
  );
  out.push('export const CRD_NAMES: Readonly<Record<SwitchyardKind, CrdNames>> = {');
  for (const { file, group, version, names } of kinds) {
    const list = (values) => `[${(values ?? []).map(literal).join(', ')}]`;
    out.push(`  ${names.kind}: {`);
    out.push(`    group: ${literal(group)},`, `    version: ${literal(version.name)},`, `    plural: ${literal(names.plural)},`);
    out.push(
      `    singular: ${literal(names.singular ?? names.kind.toLowerCase())},`,
      `    listKind: ${literal(names.listKind ?? `${names.kind}List`)},`,
    );
    out.push(`    shortNames: ${list(names.shortNames)},`, `    categories: ${list(names.categories)},`, `    crdFile: ${literal(file)},`);
    out.push(`    printerColumns: ${list((version.additionalPrinterColumns ?? []).map((c) => c.name))},`, '  },');
  }
  out.push('};', '');
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

// --- RBAC ----------------------------------------------------------------------------------------

/** Replaces the resources/verbs of the switchyard.dev rules in an RBAC manifest or template. */
export function renderRbac(text, kinds, file) {
  const plain = kinds.map((k) => k.names.plural);
  const status = kinds.filter((k) => k.rbac.status.length > 0).map((k) => `${k.names.plural}/status`);
  const verbsOf = (pick) => [...new Set(kinds.flatMap(pick))];
  const rules = [
    { resources: plain, verbs: verbsOf((k) => k.rbac.resource) },
    { resources: status, verbs: verbsOf((k) => k.rbac.status) },
  ];
  const lines = text.split('\n');
  let found = 0;
  for (let i = 0; i < lines.length; i++) {
    const match = /^(\s*)- apiGroups: \[switchyard\.dev\]$/.exec(lines[i]);
    if (!match) continue;
    const resourcesLine = lines[i + 1] ?? '';
    const isStatus = resourcesLine.includes('/status');
    const rule = rules[isStatus ? 1 : 0];
    const indent = `${match[1]}  `;
    if (!/^\s*resources: \[/.test(resourcesLine) || !/^\s*verbs: \[/.test(lines[i + 2] ?? ''))
      throw new Error(`${file}: switchyard.dev rule at line ${i + 1} is not 'apiGroups, resources, verbs'`);
    lines[i + 1] = `${indent}resources: [${rule.resources.join(', ')}]`;
    lines[i + 2] = `${indent}verbs: [${rule.verbs.join(', ')}]`;
    found++;
  }
  if (found !== 2) throw new Error(`${file}: expected two switchyard.dev rules (resources and their status), found ${found}`);
  return lines.join('\n');
}

async function loadRegistry() {
  if (!existsSync(REGISTRY_MODULE)) throw new Error(`${REGISTRY_MODULE} is missing: build first (bash scripts/build.sh)`);
  const { BUILTIN_KINDS } = await import(pathToFileURL(REGISTRY_MODULE).href);
  return BUILTIN_KINDS.all();
}

// --- all outputs ---------------------------------------------------------------------------------

/** Every file generated here (the chart's CRD copies aside): path -> expected content. */
export async function renderAll({ withRbac = true } = {}) {
  const crds = readCrds();
  const outputs = new Map();
  outputs.set(SHAPES_PATH, renderResourceShapes(crds));
  outputs.set(REFERENCE_PATH, renderCrdReference(CRD_DIR));
  if (!withRbac) return outputs;
  const kinds = await loadRegistry();
  for (const file of RBAC_FILES) outputs.set(file, renderRbac(readFileSync(file, 'utf8'), kinds, file));
  return outputs;
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const check = process.argv.includes('--check');
  // --without-rbac: the shapes first, so a compiler that does not build against the old ones
  // (a new provider or field) can be built; `make generate` then runs again for the RBAC rules.
  const outputs = await renderAll({ withRbac: check || !process.argv.includes('--without-rbac') });
  const stale = [];
  for (const [path, content] of outputs) {
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (current === content) continue;
    stale.push(path.slice(REPO_ROOT.length + 1));
    if (check) continue;
    writeFileSync(path, content);
  }
  // The chart's CRD copies have their own tool, run here so one command regenerates everything.
  const sync = spawnSync('bash', [SYNC_CHART_CRDS, ...(check ? ['--check'] : [])], { encoding: 'utf8' });
  if (sync.status !== 0) {
    if (!check) throw new Error(`charts/sync-crds.sh failed: ${sync.stderr}`);
    stale.push('charts/switchyard/crds/ (charts/sync-crds.sh)');
  }
  if (check) {
    if (stale.length > 0) {
      console.error(`out of date with crds/ and the kind registry: ${stale.join(', ')}; run: ${GENERATE_COMMAND}`);
      process.exit(1);
    }
    console.log('generated files are up to date');
  } else {
    console.log(stale.length > 0 ? `wrote ${stale.join(', ')}` : 'nothing else to change');
    process.stdout.write(sync.stdout);
  }
}
