// MCPServer `Ready`: the leader checks every MCPServer of the current table (probe-mcp-server.ts)
// when its compiled form changes (spec, or a Secret it reads) and again every recheck interval,
// and hands the status writer a Ready condition and the tool fields. A changed result queues the
// object, so the write goes through the same level-triggered path as every other status.
// Hosted tools (`spec.openapi`) have no MCP server to connect to: their tools are the operations
// the compiler took from the document, so they are Ready as soon as that compiled; the API itself
// is not called, since no operation is known to be free of side effects.
import { type CompiledMCPServer, globMatches, type RoutingTable } from '@switchyard/compiler';
import { errorMessage, type Logger, silentLogger } from '../observe/logger.js';
import type { DesiredCondition } from '../reconcile/conditions.js';
import { objectKeyOf } from '../reconcile/object-keys.js';
import type { StatusContribution, StatusContributor } from '../reconcile/status-contributor.js';
import { STATUS_TOOL_LIMIT, type ProbeResult } from './probe-mcp-server.js';

/** Default period between two checks of one server (flag --mcp-recheck-interval). */
const DEFAULT_MCP_RECHECK_MS = 60_000;
/** Checks in flight at once, so a table of many servers does not open them all together. */
const MAX_CONCURRENT_PROBES = 4;

export interface MCPReadinessOptions {
  probe(server: CompiledMCPServer): Promise<ProbeResult>;
  /** A result changed: the object's status should be written again. */
  onChanged(key: string): void;
  isLeader(): boolean;
  recheckMs?: number;
  logger?: Logger;
}

interface Entry {
  server: CompiledMCPServer;
  /** The compiled server as JSON: a change (spec, generation, a Secret value) means check again. */
  fingerprint: string;
  result?: { generation: number; value: ProbeResult };
  probing: boolean;
  /** The server changed while a check was running: check again when it ends. */
  again: boolean;
}

export class MCPReadiness implements StatusContributor {
  readonly kind = 'MCPServer';
  private readonly entries = new Map<string, Entry>();
  private readonly waiting: string[] = [];
  private running = 0;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  private readonly logger: Logger;

  constructor(private readonly options: MCPReadinessOptions) {
    this.logger = options.logger ?? silentLogger;
    this.timer = setInterval(() => this.recheckAll(), options.recheckMs ?? DEFAULT_MCP_RECHECK_MS);
    this.timer.unref();
  }

  /** A new table: new and changed servers are checked now, vanished ones forgotten. */
  observe(table: RoutingTable): void {
    const seen = new Set<string>();
    for (const server of Object.values(table.mcpServers ?? {})) {
      const key = objectKeyOf('MCPServer', server.namespace, server.name);
      seen.add(key);
      const fingerprint = JSON.stringify(server);
      const entry = this.entries.get(key);
      if (entry && entry.fingerprint === fingerprint) continue;
      if (entry) Object.assign(entry, { server, fingerprint });
      else this.entries.set(key, { server, fingerprint, probing: false, again: false });
      // Hosted tools are known from the table itself: their status is written again now.
      if (server.openapi) this.options.onChanged(key);
      else this.schedule(key);
    }
    for (const key of [...this.entries.keys()]) if (!seen.has(key)) this.entries.delete(key);
  }

  /** Leadership arrived (or the period passed): check everything again. */
  recheckAll(): void {
    for (const key of this.entries.keys()) this.schedule(key);
  }

  statusOf(key: string, generation: number, accepted: boolean, refusal?: string): StatusContribution {
    if (!accepted) {
      // The Accepted message says what is wrong (an OpenAPI document that does not compile, a
      // missing Secret); Ready repeats it, so whoever reads only Ready learns it too.
      const message = refusal === undefined ? 'not in the routing table (see Accepted)' : `not in the routing table: ${refusal}`;
      return { conditions: [ready('False', 'NotAccepted', message, generation)], fields: {} };
    }
    const entry = this.entries.get(key);
    if (entry?.server.openapi && entry.server.generation === generation) return openAPIStatus(entry.server, generation);
    if (entry?.server.auth.type === 'oauth2PerUser') {
      const message = "tools are listed with each user's own token; the operator has none to list them with";
      return { conditions: [ready('Unknown', 'PerUserAuthorization', message, generation)], fields: {} };
    }
    const result = entry?.result;
    if (!result || result.generation !== generation) {
      return { conditions: [ready('Unknown', 'Checking', 'connecting to the server to list its tools', generation)], fields: {} };
    }
    const value = result.value;
    if (!value.ok) return { conditions: [ready('False', value.reason, value.message, generation)], fields: {} };
    const message = `listed ${value.toolCount} tool${value.toolCount === 1 ? '' : 's'} over protocol ${value.protocolVersion}`;
    return {
      conditions: [ready('True', 'Ready', message, generation)],
      fields: { toolCount: value.toolCount, tools: value.tools, protocolVersion: value.protocolVersion },
    };
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.waiting.length = 0;
  }

  private schedule(key: string): void {
    const entry = this.entries.get(key);
    if (!entry || this.stopped || !this.options.isLeader()) return;
    // Its tools are listed with each caller's token; without one the check could only fail.
    // Hosted tools need no check (see openAPIStatus).
    if (entry.server.auth.type === 'oauth2PerUser' || entry.server.openapi) return;
    if (entry.probing) {
      entry.again = true;
      return;
    }
    if (!this.waiting.includes(key)) this.waiting.push(key);
    this.drain();
  }

  private drain(): void {
    while (this.running < MAX_CONCURRENT_PROBES && this.waiting.length > 0) {
      const key = this.waiting.shift() as string;
      const entry = this.entries.get(key);
      if (!entry || entry.probing) continue;
      this.running++;
      entry.probing = true;
      entry.again = false;
      void this.check(key, entry).finally(() => {
        this.running--;
        entry.probing = false;
        if (entry.again && this.entries.get(key) === entry) this.schedule(key);
        this.drain();
      });
    }
  }

  private async check(key: string, entry: Entry): Promise<void> {
    const server = entry.server;
    let value: ProbeResult;
    try {
      value = await this.options.probe(server);
    } catch (error) {
      // probeMCPServer never throws; a probe that does is reported, not left Unknown forever.
      value = { ok: false, reason: 'ProtocolError', message: errorMessage(error) };
    }
    if (this.stopped || this.entries.get(key) !== entry || entry.server !== server) return;
    const before = entry.result;
    entry.result = { generation: server.generation, value };
    if (!value.ok) this.logger.info('MCP server not ready', { server: server.id, reason: value.reason, message: value.message });
    if (!before || before.generation !== server.generation || JSON.stringify(before.value) !== JSON.stringify(value)) {
      this.options.onChanged(key);
    }
  }
}

/** Hosted tools: the compiled operations, after toolFilter, are the tools. */
function openAPIStatus(server: CompiledMCPServer, generation: number): StatusContribution {
  const openapi = server.openapi as NonNullable<CompiledMCPServer['openapi']>;
  const offered = openapi.operations
    .map((operation) => operation.name)
    .filter(
      (name) =>
        server.toolFilter.include.some((glob) => globMatches(glob, name)) &&
        !server.toolFilter.exclude.some((glob) => globMatches(glob, name)),
    );
  const tools = offered.map((name) => `${server.prefix}__${name}`).sort();
  const message = `${tools.length} tool${tools.length === 1 ? '' : 's'} from the OpenAPI ${openapi.version} document (${openapi.source}), called at ${openapi.baseURL}`;
  return {
    conditions: [ready('True', 'Ready', message, generation)],
    fields: { toolCount: tools.length, tools: tools.slice(0, STATUS_TOOL_LIMIT), protocolVersion: `openapi ${openapi.version}` },
  };
}

function ready(status: DesiredCondition['status'], reason: string, message: string, generation: number): DesiredCondition {
  return { type: 'Ready', status, reason, message, observedGeneration: generation };
}
