// One MCPServer -> CompiledMCPServer: Secrets resolved (header values, bearer token, OAuth client
// secret) the way backend credentials are, defaults applied, durations in milliseconds. Missing
// Secrets are reported, not thrown; a server that cannot authenticate or send its headers is left
// out of the table, because calling it without them would only fail (or act as nobody).

import { CRD_DEFAULTS, type MCPServerManifest } from '../generated/resource-shapes.js';
import type { CompiledMCPAuth, CompiledMCPServer, CompiledOpenAPI } from '../table-types.js';
import { parseDurationMs } from '../values/duration.js';
import type { RefProblem } from './compile-backend.js';
import { compileOpenAPIDocument, OpenAPIDocumentError } from './compile-openapi.js';
import { secretId, type ConfigMapIndex, type SecretIndex } from './secret-index.js';

const TOOL_PREFIX = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface MCPServerCompilation {
  /** Absent when a reference did not resolve or the spec asks for what this build cannot serve. */
  server?: CompiledMCPServer;
  refProblems: RefProblem[];
  /** Set when the server is refused for a reason other than its references. */
  refusal?: { reason: 'InvalidOpenAPIDocument' | 'StandaloneOnly'; message: string };
  /** For openapi servers: selected operations that cannot be called, one line each (for the Accepted message). */
  skippedOperations?: string[];
}

/** Reads one Secret entry; `what` names its use in the message, never the value. */
function secretEntry(
  secrets: SecretIndex,
  namespace: string,
  ref: { name: string; key: string },
  what: string,
): { ref: string; value?: string; problem?: RefProblem } {
  const id = secretId(namespace, ref.name);
  const entries = secrets.get(id);
  if (!entries)
    return { ref: id, problem: { reason: 'SecretNotFound', message: `${what}: Secret ${id} not found (needed for key "${ref.key}")` } };
  const value = entries.get(ref.key);
  if (value === undefined)
    return { ref: id, problem: { reason: 'SecretKeyNotFound', message: `${what}: Secret ${id} has no entry "${ref.key}"` } };
  // Tokens and header values are single-line; a trailing newline from `echo > file` is noise.
  const trimmed = value.trim();
  if (!trimmed || /[\r\n]/.test(trimmed)) {
    return {
      ref: id,
      problem: { reason: 'InvalidSecret', message: `${what}: entry "${ref.key}" of Secret ${id} is empty or spans lines` },
    };
  }
  return { ref: `${id}/${ref.key}`, value: trimmed };
}

function compileAuth(
  manifest: MCPServerManifest,
  namespace: string,
  secrets: SecretIndex,
  problems: RefProblem[],
): CompiledMCPAuth | undefined {
  const auth = manifest.spec.auth ?? {};
  const type = auth.type ?? CRD_DEFAULTS.mcpAuthType;
  if (type === 'none') return { type: 'none' };
  if (type === 'bearer') {
    if (!auth.secretRef) throw new Error('spec.auth.secretRef: required for auth type bearer');
    const token = secretEntry(secrets, namespace, auth.secretRef, 'auth.secretRef');
    if (token.problem) return void problems.push(token.problem);
    return { type: 'bearer', ref: token.ref, token: token.value as string };
  }
  if (!auth.tokenURL || !auth.clientId || !auth.clientSecretRef) {
    throw new Error(`spec.auth: auth type ${type} needs tokenURL, clientId and clientSecretRef`);
  }
  const secret = secretEntry(secrets, namespace, auth.clientSecretRef, 'auth.clientSecretRef');
  if (secret.problem) return void problems.push(secret.problem);
  const common = {
    tokenURL: auth.tokenURL,
    clientId: auth.clientId,
    clientSecretRef: secret.ref,
    clientSecret: secret.value as string,
    scopes: [...(auth.scopes ?? [])],
  };
  if (type === 'oauth2ClientCredentials') return { type, ...common };
  if (!auth.authorizationURL) throw new Error('spec.auth.authorizationURL: required for auth type oauth2PerUser');
  return { type, authorizationURL: auth.authorizationURL, ...common };
}

/**
 * Header or environment entries, each a literal `value` or a Secret entry (`valueFrom`): the values
 * resolved, and for Secret entries where each came from (for logs; never the value).
 */
function literalOrSecretValues(
  entries: readonly { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[],
  what: 'header' | 'env',
  namespace: string,
  secrets: SecretIndex,
  problems: RefProblem[],
): { values: Record<string, string>; refs: Record<string, string> } {
  const values: Record<string, string> = {};
  const refs: Record<string, string> = {};
  for (const entry of entries) {
    if (entry.value !== undefined) {
      values[entry.name] = entry.value;
      continue;
    }
    if (!entry.valueFrom) throw new Error(`spec.${what === 'header' ? 'headers' : 'env'}: ${what} ${entry.name} needs value or valueFrom`);
    const resolved = secretEntry(secrets, namespace, entry.valueFrom.secretKeyRef, `${what} ${entry.name}`);
    if (resolved.problem) problems.push(resolved.problem);
    else {
      values[entry.name] = resolved.value as string;
      refs[entry.name] = resolved.ref;
    }
  }
  return { values, refs };
}

/** The OpenAPI document's text: inline, or the ConfigMap entry (a missing one is a reference problem). */
function openAPIDocumentText(
  openapi: NonNullable<MCPServerManifest['spec']['openapi']>,
  namespace: string,
  configMaps: ConfigMapIndex,
): { text: string; source: string } | { problem: RefProblem } {
  if (openapi.inline !== undefined) return { text: openapi.inline, source: 'inline' };
  const ref = openapi.configMapRef;
  if (!ref) throw new Error('spec.openapi: exactly one of configMapRef and inline is needed');
  const id = secretId(namespace, ref.name);
  const entries = configMaps.get(id);
  if (!entries) {
    return {
      problem: { reason: 'ConfigMapNotFound', message: `openapi.configMapRef: ConfigMap ${id} not found (needed for key "${ref.key}")` },
    };
  }
  const text = entries.get(ref.key);
  if (text === undefined)
    return { problem: { reason: 'ConfigMapKeyNotFound', message: `openapi.configMapRef: ConfigMap ${id} has no entry "${ref.key}"` } };
  return { text, source: `ConfigMap ${id} key ${ref.key}` };
}

export function compileMCPServer(
  manifest: MCPServerManifest,
  secrets: SecretIndex,
  options: { standalone: boolean; configMaps?: ConfigMapIndex },
): MCPServerCompilation {
  const { metadata, spec } = manifest;
  const namespace = metadata.namespace ?? 'default';
  let openapi: CompiledOpenAPI | undefined;
  let skippedOperations: string[] | undefined;
  if (spec.openapi) {
    const document = openAPIDocumentText(spec.openapi, namespace, options.configMaps ?? new Map());
    if ('problem' in document) return { refProblems: [document.problem] };
    try {
      const compiled = compileOpenAPIDocument(
        document.text,
        spec.openapi.operations ?? CRD_DEFAULTS.mcpOpenAPIOperations,
        `${namespace}/${metadata.name}`,
      );
      openapi = { baseURL: spec.openapi.baseURL, source: document.source, version: compiled.version, operations: compiled.operations };
      skippedOperations = compiled.skipped;
    } catch (error) {
      if (!(error instanceof OpenAPIDocumentError)) throw error;
      return {
        refProblems: [],
        refusal: { reason: 'InvalidOpenAPIDocument', message: `OpenAPI document (${document.source}): ${error.message}` },
      };
    }
  }
  if (spec.command && !options.standalone) {
    // The CRD refuses this in a cluster; an object that got past it (an older CRD) is refused here.
    return {
      refProblems: [],
      refusal: { reason: 'StandaloneOnly', message: 'spec.command (a stdio server) is only for standalone mode; use url' },
    };
  }
  if ([spec.url, spec.openapi, spec.command].filter((where) => where !== undefined).length !== 1) {
    throw new Error('spec: exactly one of url, openapi and command must be set');
  }

  const refProblems: RefProblem[] = [];
  const { values: headers, refs: headerRefs } = literalOrSecretValues(spec.headers ?? [], 'header', namespace, secrets, refProblems);
  const env = literalOrSecretValues(spec.env ?? [], 'env', namespace, secrets, refProblems);
  const auth = compileAuth(manifest, namespace, secrets, refProblems);
  if (refProblems.length > 0 || !auth) return { refProblems };

  const prefix = spec.prefix ?? metadata.name;
  if (!TOOL_PREFIX.test(prefix) || prefix.includes('__')) {
    throw new Error(
      `spec.prefix: "${prefix}" is not a tool prefix (lowercase letters, digits, '_' and '-', at most 63, no '__'); set spec.prefix`,
    );
  }
  const toolFilter = spec.toolFilter ?? {};
  const timeouts = spec.timeouts ?? {};
  const server: CompiledMCPServer = {
    id: `${namespace}/${metadata.name}`,
    namespace,
    name: metadata.name,
    generation: metadata.generation ?? 1,
    prefix,
    transport: spec.command ? 'stdio' : openapi ? 'openapi' : (spec.transport ?? CRD_DEFAULTS.mcpTransport),
    headers,
    headerRefs,
    auth,
    toolFilter: {
      include: [...(toolFilter.include ?? CRD_DEFAULTS.mcpToolInclude)],
      exclude: [...(toolFilter.exclude ?? CRD_DEFAULTS.mcpToolExclude)],
    },
    timeouts: {
      connectMs: parseDurationMs(timeouts.connect ?? CRD_DEFAULTS.mcpTimeoutConnect),
      callMs: parseDurationMs(timeouts.call ?? CRD_DEFAULTS.mcpTimeoutCall),
    },
  };
  if (spec.url) server.url = spec.url;
  if (openapi) server.openapi = openapi;
  if (spec.command) {
    server.command = [...spec.command];
    server.env = env.values;
    server.envRefs = env.refs;
  }
  return skippedOperations && skippedOperations.length > 0 ? { server, refProblems, skippedOperations } : { server, refProblems };
}
