// Multi-document YAML -> the objects the compiler reads. YAML is read as kubectl reads it
// (YAML 1.1: an unquoted `on:` key is the boolean true), so a manifest that works here works with
// `kubectl apply`. Secrets come out as the API server stores them: stringData (with `${ENV}`
// expanded) merged into base64 data. ConfigMaps (OpenAPI documents of MCPServers) are read as
// they are written.

import { parseAllDocuments, type Document, type DocumentOptions, type ParseOptions as YamlParseOptions, type SchemaOptions } from 'yaml';
import { ConfigError } from '../config-error.js';
import type { SwitchyardKind, SwitchyardManifest } from '../generated/resource-shapes.js';
import type { KindObject } from '../kinds/kind-definition.js';
import { BUILTIN_KINDS, type KindRegistry } from '../kinds/kind-registry.js';
import {
  describeObject,
  SWITCHYARD_API_VERSION,
  SWITCHYARD_GROUP,
  type ConfigMapManifest,
  type SecretManifest,
} from '../manifest-types.js';
import { validateObjectMeta } from '../schema/object-meta.js';
import { isRecord } from '../common/json-narrowing.js';
import { childPath, unknownFieldMessage } from '../schema/schema-issue.js';
import { EnvExpansionError, expandEnvReferences } from './expand-env.js';
import { readPlainYamlDocuments } from './plain-yaml.js';
import { closestName, editDistance } from '../values/edit-distance.js';

export interface ManifestFile {
  path: string;
  text: string;
}

interface ManifestSource {
  path: string;
  /** 1-based position of the YAML document in its file. */
  document: number;
}

interface ParsedManifests {
  /** Objects of every registered kind, in file order. */
  objects: KindObject[];
  secrets: SecretManifest[];
  configMaps: ConfigMapManifest[];
  /** Where each object came from, keyed by objectKey(kind, namespace, name). */
  sources: Record<string, ManifestSource>;
  /** Objects of other kinds, ignored (one line each). */
  notes: string[];
  /**
   * Objects ignored although they look like ours (a Switchyard kind under another group, a group
   * resembling switchyard.dev, a Secret under another apiVersion): most likely a typo that would
   * otherwise drop a route without a word. One line each, naming the object and the apiVersion
   * it needs.
   */
  warnings: string[];
}

export interface ParseOptions {
  /** Values for `${NAME}` in Secret stringData; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** The kinds accepted in switchyard.dev; defaults to the built-in ones. */
  kinds?: KindRegistry;
}

/** The objects of one built-in kind, typed. */
export function objectsOfKind<K extends SwitchyardKind>(
  objects: readonly KindObject[],
  kind: K,
): Extract<SwitchyardManifest, { kind: K }>[] {
  return objects.filter((object) => object.kind === kind) as Extract<SwitchyardManifest, { kind: K }>[];
}

export const DEFAULT_NAMESPACE = 'default';

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

const SECRET_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'type', 'immutable', 'data', 'stringData']);
const CONFIG_MAP_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'immutable', 'data', 'binaryData']);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// kubectl's YAML (go-yaml v2 under sigs.k8s.io/yaml) keeps timestamps as strings.
const YAML_OPTIONS: YamlParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp'),
};

/** How close a foreign group may be to ours to count as a typo of it (`switchyard.io`, `swithcyard.dev`). */
const GROUP_TYPO_DISTANCE = 3;

/**
 * Why an object we ignore probably was meant for us, or undefined when it looks foreign. A kind
 * of ours (any letter case) or a group near ours is a typo until proven otherwise; a warning
 * costs one log line, a silently dropped route costs an afternoon.
 */
function lookalikeWarning(kind: string, group: string, kinds: KindRegistry): string | undefined {
  if (kind.toLowerCase() === 'secret') return `a Secret needs apiVersion: v1 and kind: Secret`;
  if (kind.toLowerCase() === 'configmap') return `a ConfigMap needs apiVersion: v1 and kind: ConfigMap`;
  const ourKind = kinds.kinds.find((known) => known.toLowerCase() === kind.toLowerCase());
  const groupLike =
    group.toLowerCase().includes('switchyard') || editDistance(group.toLowerCase(), SWITCHYARD_GROUP) <= GROUP_TYPO_DISTANCE;
  if (!ourKind && !groupLike) return undefined;
  const groupText = group ? `group ${group}` : 'no group';
  if (ourKind) return `${groupText} is not ${SWITCHYARD_GROUP}; a ${ourKind} needs apiVersion: ${SWITCHYARD_API_VERSION}`;
  const suggestion = closestName(kind, kinds.kinds);
  return (
    `${groupText} resembles ${SWITCHYARD_GROUP}, but Switchyard's kinds (${kinds.describe()}) need apiVersion: ${SWITCHYARD_API_VERSION}` +
    (suggestion ? ` (did you mean kind ${suggestion}?)` : '')
  );
}

function isSecret(manifest: KindObject | SecretManifest | ConfigMapManifest): manifest is SecretManifest {
  return manifest.kind === 'Secret' && manifest.apiVersion === 'v1';
}

function isConfigMap(manifest: KindObject | SecretManifest | ConfigMapManifest): manifest is ConfigMapManifest {
  return manifest.kind === 'ConfigMap' && manifest.apiVersion === 'v1';
}

function normalizeConfigMap(object: Record<string, unknown>, file: string): ConfigMapManifest {
  const describe = describeObject('ConfigMap', object['metadata'] as { namespace?: string; name?: string });
  const fail = (field: string, reason: string): never => {
    throw new ConfigError({ file, object: describe, field, reason });
  };
  const metaIssue = validateObjectMeta(object['metadata'])[0];
  if (metaIssue) fail(metaIssue.field, metaIssue.message);
  for (const key of Object.keys(object)) {
    if (!CONFIG_MAP_FIELDS.has(key)) fail(key, unknownFieldMessage(key, CONFIG_MAP_FIELDS));
  }
  const configMap: ConfigMapManifest = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: object['metadata'] as ConfigMapManifest['metadata'],
  };
  for (const section of ['data', 'binaryData'] as const) {
    const entries = object[section];
    if (entries === undefined || entries === null) continue;
    if (!isRecord(entries)) fail(section, 'must be a map of strings');
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
      const field = childPath(section, key);
      if (!/^[-._a-zA-Z0-9]+$/.test(key)) fail(field, "a ConfigMap key must consist of letters, digits, '-', '_' or '.'");
      if (typeof value !== 'string') fail(field, 'must be a string');
      if (section === 'binaryData' && !BASE64.test((value as string).replace(/\s+/g, ''))) fail(field, 'must be base64');
      values[key] = section === 'binaryData' ? (value as string).replace(/\s+/g, '') : (value as string);
    }
    configMap[section] = values;
  }
  return configMap;
}

function normalizeSecret(object: Record<string, unknown>, file: string, env: Record<string, string | undefined>): SecretManifest {
  const describe = describeObject('Secret', object['metadata'] as { namespace?: string; name?: string });
  const fail = (field: string, reason: string): never => {
    throw new ConfigError({ file, object: describe, field, reason });
  };
  const metaIssue = validateObjectMeta(object['metadata'])[0];
  if (metaIssue) fail(metaIssue.field, metaIssue.message);
  for (const key of Object.keys(object)) {
    if (!SECRET_FIELDS.has(key)) fail(key, unknownFieldMessage(key, SECRET_FIELDS));
  }
  const data: Record<string, string> = {};
  for (const section of ['data', 'stringData'] as const) {
    const entries = object[section];
    if (entries === undefined || entries === null) continue;
    if (!isRecord(entries)) fail(section, 'must be a map of strings');
    for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
      const field = childPath(section, key);
      if (!/^[-._a-zA-Z0-9]+$/.test(key)) fail(field, "a Secret key must consist of letters, digits, '-', '_' or '.'");
      if (typeof value !== 'string') fail(field, 'must be a string');
      const text = value as string;
      if (section === 'data') {
        if (!BASE64.test(text.replace(/\s+/g, ''))) fail(field, 'must be base64 (use stringData for plain text)');
        data[key] = text.replace(/\s+/g, '');
      } else {
        try {
          data[key] = Buffer.from(expandEnvReferences(text, env), 'utf8').toString('base64');
        } catch (error) {
          if (error instanceof EnvExpansionError) fail(field, error.message);
          throw error;
        }
      }
    }
  }
  const secret: SecretManifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: object['metadata'] as SecretManifest['metadata'],
    data,
  };
  if (typeof object['type'] === 'string') secret.type = object['type'];
  return secret;
}

/**
 * Reads multi-document YAML files into Switchyard objects and Secrets, in file order.
 * `metadata.namespace` defaults to `default`. Throws ConfigError (file, object, field) on YAML
 * syntax errors, documents that are not objects, unsupported switchyard.dev versions, duplicate
 * objects, malformed Secrets and unset `${ENV}` references, naming every such document at once.
 * Does not validate Switchyard specs: that is loadCrdSchemas().validate.
 */
export function parseManifestFiles(files: ManifestFile[], options: ParseOptions = {}): ParsedManifests {
  const { parsed, errors } = readManifestFiles(files, options);
  if (errors.length > 0) throw ConfigError.combine(errors);
  return parsed;
}

/** What one file holds, in document order: accepted manifests and the problems of its documents. */
interface FileParse {
  items: Array<
    | { manifest: KindObject | SecretManifest | ConfigMapManifest; key: string; named: boolean; source: ManifestSource }
    | { error: ConfigError }
  >;
  notes: string[];
  warnings: string[];
}

/**
 * Remembers each file's parse by its path and content, so a watcher that reloads many files after
 * a change to one parses only that one (YAML parsing is most of a reload's time at 20,000 keys).
 * Entries are valid only for the env and kinds they were made with: one cache per watcher.
 * Objects from the cache are shared between compilations and must not be mutated.
 */
export class ManifestParseCache {
  /** The text each parse was made from: comparing it is cheaper than hashing it again (the watcher already hashed every file). */
  private entries = new Map<string, { text: string; parse: FileParse }>();
  /** Schema validation of a cached object, by the object (a changed file makes new objects). */
  private readonly validated = new WeakMap<object, unknown>();

  /** @internal */
  validation<T>(object: object, validate: () => T): T {
    if (this.validated.has(object)) return this.validated.get(object) as T;
    const result = validate();
    this.validated.set(object, result);
    return result;
  }

  /** @internal */
  lookup(file: ManifestFile, make: () => FileParse): FileParse {
    const hit = this.entries.get(file.path);
    if (hit !== undefined && hit.text === file.text) return hit.parse;
    const parse = make();
    this.entries.set(file.path, { text: file.text, parse });
    return parse;
  }

  /**
   * Files as last read, by path, with the stat they were read under (readConfigFiles): a reload
   * takes the same ManifestFile (same text, so the parse above is a hit by identity) for a file
   * whose stat did not change, instead of reading and hashing every file again.
   */
  private readonly reads = new Map<string, { stamp: string; file: ManifestFile }>();

  /** @internal The file read earlier under this stat, if any. */
  readUnder(path: string, stamp: string): ManifestFile | undefined {
    const read = this.reads.get(path);
    return read !== undefined && read.stamp === stamp ? read.file : undefined;
  }

  /** @internal Remembers a file read under a stat; forget() when it may not be reused. */
  rememberRead(stamp: string, file: ManifestFile): void {
    this.reads.set(file.path, { stamp, file });
  }

  /** @internal */
  forgetRead(path: string): void {
    this.reads.delete(path);
  }

  /** Forgets files no longer read, so the cache holds at most the current configuration. */
  retain(paths: Iterable<string>): void {
    const keep = new Set(paths);
    for (const path of this.entries.keys()) if (!keep.has(path)) this.entries.delete(path);
    for (const path of this.reads.keys()) if (!keep.has(path)) this.reads.delete(path);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** parseManifestFiles, returning the problem documents beside what did parse instead of throwing. */
export function readManifestFiles(
  files: ManifestFile[],
  options: ParseOptions & { cache?: ManifestParseCache } = {},
): { parsed: ParsedManifests; errors: ConfigError[] } {
  const env = options.env ?? process.env;
  const kinds = options.kinds ?? BUILTIN_KINDS;
  const parsed: ParsedManifests = { objects: [], secrets: [], configMaps: [], sources: {}, notes: [], warnings: [] };
  const errors: ConfigError[] = [];
  // Files are parsed on their own (or taken from the cache); duplicates across files are found
  // while merging, in file order, so the problems come out in the same order either way.
  for (const file of files) {
    const fileParse = options.cache ? options.cache.lookup(file, () => parseFile(file, env, kinds)) : parseFile(file, env, kinds);
    parsed.notes.push(...fileParse.notes);
    parsed.warnings.push(...fileParse.warnings);
    for (const item of fileParse.items) {
      if ('error' in item) {
        errors.push(item.error);
        continue;
      }
      const { manifest, key, named, source } = item;
      const earlier = parsed.sources[key];
      if (earlier && named) {
        errors.push(
          new ConfigError({
            file: source.path,
            object: describeObject(manifest.kind, manifest.metadata),
            reason: `defined twice (first in ${earlier.path}, document ${earlier.document})`,
          }),
        );
        continue;
      }
      parsed.sources[key] = source;
      if (isSecret(manifest)) parsed.secrets.push(manifest);
      else if (isConfigMap(manifest)) parsed.configMaps.push(manifest);
      else parsed.objects.push(manifest);
    }
  }
  return { parsed, errors };
}

function parseFile(file: ManifestFile, env: Record<string, string | undefined>, kinds: KindRegistry): FileParse {
  const result: FileParse = { items: [], notes: [], warnings: [] };
  const accept = (raw: Record<string, unknown>, source: ManifestSource): void => {
    const where = `${source.path} (document ${source.document})`;
    const apiVersion = raw['apiVersion'];
    const kind = raw['kind'];
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) {
      throw new ConfigError({ file: where, reason: 'apiVersion and kind are required' });
    }
    if (kind === 'List' && apiVersion === 'v1' && Array.isArray(raw['items'])) {
      for (const item of raw['items']) {
        if (!isRecord(item)) throw new ConfigError({ file: where, field: 'items', reason: 'every item must be an object' });
        accept(item, source);
      }
      return;
    }
    const metadata = isRecord(raw['metadata']) ? { ...raw['metadata'] } : raw['metadata'];
    if (isRecord(metadata) && (metadata['namespace'] === undefined || metadata['namespace'] === null)) {
      metadata['namespace'] = DEFAULT_NAMESPACE;
    }
    const object = { ...raw, metadata } as Record<string, unknown>;
    const namespace = isRecord(metadata) ? String(metadata['namespace']) : DEFAULT_NAMESPACE;
    const name = isRecord(metadata) && typeof metadata['name'] === 'string' ? metadata['name'] : '';
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';

    // Everything after this reads the object's namespace and name from its metadata.
    const ours = group === SWITCHYARD_GROUP || (apiVersion === 'v1' && (kind === 'Secret' || kind === 'ConfigMap'));
    if (ours && !isRecord(metadata)) {
      throw new ConfigError({
        file: where,
        object: describeObject(kind, { namespace, name }),
        field: 'metadata',
        reason: 'must be an object with a name',
      });
    }

    let manifest: KindObject | SecretManifest | ConfigMapManifest;
    if (group === SWITCHYARD_GROUP) {
      if (apiVersion !== SWITCHYARD_API_VERSION) {
        throw new ConfigError({
          file: where,
          object: describeObject(kind, { namespace, name }),
          field: 'apiVersion',
          reason: `must be ${SWITCHYARD_API_VERSION}`,
        });
      }
      if (!kinds.has(kind)) {
        throw new ConfigError({ file: where, field: 'kind', reason: `unknown kind ${kind}: must be ${kinds.describe()}` });
      }
      manifest = object as unknown as KindObject;
    } else if (apiVersion === 'v1' && kind === 'Secret') {
      manifest = normalizeSecret(object, source.path, env);
    } else if (apiVersion === 'v1' && kind === 'ConfigMap') {
      manifest = normalizeConfigMap(object, source.path);
    } else {
      const described = `${kind} ${namespace}/${name || '<unnamed>'}`;
      const lookalike = lookalikeWarning(kind, group, kinds);
      if (lookalike) result.warnings.push(`${where}: ignored ${described} with apiVersion ${apiVersion}: ${lookalike}`);
      else result.notes.push(`${where}: ignored ${apiVersion} ${described} (not a Switchyard resource or Secret)`);
      return;
    }

    result.items.push({ manifest, key: objectKey(kind, namespace, name), named: name !== '', source });
  };

  /** One document's value, as the library's toJS() gives it: null and undefined are empty documents. */
  const acceptValue = (value: unknown, index: number): void => {
    if (value === null || value === undefined) return;
    if (!isRecord(value)) {
      throw new ConfigError({
        file: `${file.path} (document ${index + 1})`,
        reason: 'a manifest must be a YAML mapping with apiVersion and kind',
      });
    }
    accept(value, { path: file.path, document: index + 1 });
  };

  const readDocument = (document: Document.Parsed, index: number): void => {
    const error = document.errors[0];
    if (error) {
      const position = error.linePos?.[0];
      const at = position ? `${file.path}:${position.line}:${position.col}` : file.path;
      throw new ConfigError({ file: at, reason: `invalid YAML: ${error.message.split('\n')[0]}` });
    }
    let value: unknown;
    try {
      value = document.toJS();
    } catch (toJsError) {
      // Aliases are resolved here, not while parsing: an unknown anchor, or more aliases than the
      // library allows (its guard against exponential expansion), throws from toJS.
      const message = toJsError instanceof Error ? toJsError.message : String(toJsError);
      throw new ConfigError({ file: `${file.path} (document ${index + 1})`, reason: `invalid YAML: ${message.split('\n')[0]}` });
    }
    acceptValue(value, index);
  };

  const each = <T>(documents: readonly T[], read: (document: T, index: number) => void): void => {
    documents.forEach((document, index) => {
      try {
        read(document, index);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        result.items.push({ error });
      }
    });
  };

  // Most manifests are plain YAML that the fast reader turns into values directly; anything else
  // (and anything invalid, so errors keep their line and column) goes through the library.
  const plain = readPlainYamlDocuments(file.text);
  if (plain !== undefined) {
    each(plain, acceptValue);
    return result;
  }
  const documents = parseAllDocuments(file.text, YAML_OPTIONS);
  each(Array.isArray(documents) ? documents : [], readDocument);
  return result;
}
