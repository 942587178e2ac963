// MCPServer: compiled into `mcpServers`. Two servers a key can see may not share a tool prefix
// (their tools would have the same names): the older keeps it, as with route names. Whether the
// server answers is not the compiler's business: the operator probes it and writes Ready.

import { DiagnosticReasons as R } from '../diagnostics.js';
import { condition, reject, resolvedRefsCondition, type Admitted, type CompileContext } from '../compile/compile-context.js';
import { compileMCPServer, type MCPServerCompilation } from '../compile/compile-mcp-server.js';
import { routesMeet } from '../compile/resolve-route-conflicts.js';
import { CRD_NAMES, type MCPServerManifest } from '../generated/resource-shapes.js';
import type { CompiledMCPServer } from '../table-types.js';
import { defineKind } from './kind-definition.js';

function compileMCPServers(objects: readonly Admitted<MCPServerManifest>[], context: CompileContext): void {
  const accepted: CompiledMCPServer[] = [];
  for (const { manifest, diagnostic } of objects) {
    let compiled: MCPServerCompilation;
    try {
      compiled = context.memo.once('MCPServer', manifest, (secrets, configMaps) =>
        compileMCPServer(manifest, secrets, { standalone: context.standalone, configMaps }),
      );
    } catch (error) {
      reject(diagnostic, R.Invalid, (error as Error).message);
      continue;
    }
    if (compiled.refusal) {
      reject(diagnostic, compiled.refusal.reason, compiled.refusal.message);
      continue;
    }
    diagnostic.conditions.push(
      resolvedRefsCondition(compiled.refProblems, 'every referenced Secret and ConfigMap was found', R.ResolvedRefs),
    );
    const server = compiled.server;
    if (!server) {
      // Accepted=False names the missing Secrets (ConfigMaps) itself: it is what people (and standalone mode) read first.
      reject(diagnostic, R.UnresolvedRefs, compiled.refProblems.map((p) => p.message).join('; '));
      continue;
    }
    // Objects arrive oldest first, so the server already holding the prefix is the older one.
    const owner = accepted.find((other) => other.prefix === server.prefix && routesMeet(server, other, context.sharedNamespaces));
    if (owner) {
      reject(
        diagnostic,
        R.Conflict,
        `prefix "${server.prefix}" is already used by the older MCPServer ${owner.id}, visible to the same keys`,
      );
      continue;
    }
    accepted.push(server);
    diagnostic.conditions.push(condition('Accepted', 'True', R.Accepted, acceptedMessage(server, compiled.skippedOperations)));
  }
  context.mcpServers.push(...accepted);
}

function acceptedMessage(server: CompiledMCPServer, skipped: readonly string[] | undefined): string {
  if (!server.openapi) return `offers its tools as ${server.prefix}__<tool> over ${server.transport}`;
  const count = server.openapi.operations.length;
  const base = `offers ${count} operation${count === 1 ? '' : 's'} of the OpenAPI ${server.openapi.version} document as ${server.prefix}__<tool>, called at ${server.openapi.baseURL}`;
  return skipped && skipped.length > 0 ? `${base}; left out: ${skipped.join('; ')}` : base;
}

export const mcpServerKind = defineKind<MCPServerManifest>({
  kind: 'MCPServer',
  names: CRD_NAMES.MCPServer,
  tableField: 'mcpServers',
  selects: [],
  rbac: { resource: ['get', 'list', 'watch'], status: ['get', 'update', 'patch'] },
  referencedSecrets(server) {
    const namespace = server.metadata.namespace ?? '';
    const ids = new Set<string>();
    for (const entry of [...(server.spec?.headers ?? []), ...(server.spec?.env ?? [])]) {
      const name = entry?.valueFrom?.secretKeyRef?.name;
      if (name) ids.add(`${namespace}/${name}`);
    }
    const auth = server.spec?.auth;
    if (auth?.secretRef?.name) ids.add(`${namespace}/${auth.secretRef.name}`);
    if (auth?.clientSecretRef?.name) ids.add(`${namespace}/${auth.clientSecretRef.name}`);
    return [...ids];
  },
  referencedConfigMaps(server) {
    const name = server.spec?.openapi?.configMapRef?.name;
    return name ? [`${server.metadata.namespace ?? ''}/${name}`] : [];
  },
  compile: compileMCPServers,
  tableObjects: (table) => Object.values(table.mcpServers ?? {}),
});
