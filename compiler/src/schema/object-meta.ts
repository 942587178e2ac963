// The API server validates metadata itself (the CRD schema only says "object"), so standalone
// mode checks the same rules here: DNS names, label syntax, and no unknown metadata fields.

import { childPath, unknownFieldMessage, type SchemaIssue } from './schema-issue.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const KNOWN_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'labels',
  'annotations',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
  'finalizers',
  'managedFields',
  'selfLink',
]);

export function isRfc3339(value: string): boolean {
  return RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'prefix must be a lowercase DNS subdomain';
  }
  if (name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return "name part must be at most 63 characters: letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  }
  return undefined;
}

function stringMapIssues(value: unknown, path: string, kind: 'labels' | 'annotations'): SchemaIssue[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ field: path, message: 'must be a map of strings' }];
  }
  const issues: SchemaIssue[] = [];
  for (const [key, entry] of Object.entries(value)) {
    const entryPath = childPath(path, key);
    if (typeof entry !== 'string') {
      issues.push({ field: entryPath, message: 'must be string' });
      continue;
    }
    if (kind === 'labels') {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) issues.push({ field: entryPath, message: `invalid label key: ${keyProblem}` });
      if (entry.length > 63 || !LABEL_VALUE.test(entry)) {
        issues.push({
          field: entryPath,
          message:
            "invalid label value: at most 63 characters: letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        });
      }
    }
  }
  return issues;
}

/** Problems with an object's metadata, as the API server reports them. */
export function validateObjectMeta(metadata: unknown): SchemaIssue[] {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    return [{ field: 'metadata', message: 'is required and must be an object' }];
  }
  const meta = metadata as Record<string, unknown>;
  const issues: SchemaIssue[] = [];
  for (const key of Object.keys(meta)) {
    if (!KNOWN_FIELDS.has(key)) issues.push({ field: childPath('metadata', key), message: unknownFieldMessage(key, KNOWN_FIELDS) });
  }
  const name = meta['name'];
  if (name === undefined || name === '') {
    issues.push({ field: 'metadata.name', message: 'is required' });
  } else if (typeof name !== 'string') {
    issues.push({ field: 'metadata.name', message: 'must be string' });
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    issues.push({
      field: 'metadata.name',
      message:
        "must be a lowercase DNS subdomain name: a-z, 0-9, '-' and '.', starting and ending with a letter or digit, at most 253 characters",
    });
  }
  const namespace = meta['namespace'];
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    issues.push({
      field: 'metadata.namespace',
      message: "must be a lowercase DNS label: a-z, 0-9 and '-', starting and ending with a letter or digit, at most 63 characters",
    });
  }
  issues.push(...stringMapIssues(meta['labels'], 'metadata.labels', 'labels'));
  issues.push(...stringMapIssues(meta['annotations'], 'metadata.annotations', 'annotations'));
  const generation = meta['generation'];
  if (generation !== undefined && !(Number.isInteger(generation) && (generation as number) >= 0)) {
    issues.push({ field: 'metadata.generation', message: 'must be an integer >= 0' });
  }
  const created = meta['creationTimestamp'];
  if (created !== undefined && created !== null && !(typeof created === 'string' && isRfc3339(created))) {
    issues.push({ field: 'metadata.creationTimestamp', message: 'must be an RFC 3339 date-time such as 2026-01-01T00:00:00Z' });
  }
  return issues;
}
