// The gateway's only way out to providers: undici Agents (keep-alive pools per origin) behind
// the egress guard. Redirects are never followed (undici follows none without an interceptor),
// so a 3xx reaches the adapter as an ordinary failure.
import type { EventEmitter } from 'node:events';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import type { UpstreamHeaders, UpstreamHttpRequest } from '../providers/provider-adapter.js';
import { deniedLiteralAddress, EgressDeniedError, type EgressGuard } from './egress-guard.js';

export interface UpstreamCallTimeouts {
  connectMs: number;
  /**
   * Longest silence between two body chunks. undici checks it with coarse timers (up to a
   * second late), so callers that need precision (first byte, stream idle) also bound their
   * waits themselves; this is the backstop.
   */
  bodyIdleMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: UpstreamHeaders;
  body: Dispatcher.ResponseData['body'];
}

export interface UpstreamTransportOptions {
  egressGuard: EgressGuard;
  /** How long an idle pooled connection is kept (undici's default is 4 s). */
  keepAliveTimeoutMs?: number;
}

interface UpstreamTarget {
  origin: string;
  path: string;
}

const MAX_CACHED_TARGETS = 1024;

function toUpstreamResponse(response: Dispatcher.ResponseData): UpstreamResponse {
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

export class UpstreamTransport {
  // Connect timeouts are a connector property in undici, so there is one Agent per distinct
  // value (routes rarely use more than one or two); each Agent pools per origin.
  private readonly agents = new Map<number, Agent>();
  private readonly targets = new Map<string, UpstreamTarget>();

  constructor(private readonly options: UpstreamTransportOptions) {}

  /**
   * `signal` may be an AbortSignal or, cheaper to listen to, an EventEmitter that emits 'abort'
   * with `aborted` and `reason` set (undici accepts both).
   */
  send(request: UpstreamHttpRequest, timeouts: UpstreamCallTimeouts, signal: AbortSignal | EventEmitter): Promise<UpstreamResponse> {
    const target = this.targetOf(request.url);
    return this.agentFor(timeouts.connectMs)
      .request({
        origin: target.origin,
        path: target.path,
        method: request.method,
        headers: request.headers,
        body: request.body ?? null,
        signal,
        // The caller bounds the wait for headers precisely (firstByte); undici's is off.
        headersTimeout: 0,
        bodyTimeout: timeouts.bodyIdleMs,
      })
      .then(toUpstreamResponse);
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }

  /**
   * Origin and path of an upstream URL. Adapters build the same few URLs (one per backend and
   * operation) on every request, so each is parsed once; the cache is cleared if a table full
   * of distinct URLs (or per-request query strings) ever fills it.
   */
  private targetOf(url: string): UpstreamTarget {
    let target = this.targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: parsed.pathname + parsed.search };
      if (this.targets.size >= MAX_CACHED_TARGETS) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  private agentFor(connectMs: number): Agent {
    let agent = this.agents.get(connectMs);
    if (agent === undefined) {
      agent = new Agent({
        connect: guardedConnector(this.options.egressGuard, connectMs),
        keepAliveTimeout: this.options.keepAliveTimeoutMs ?? 4_000,
      });
      this.agents.set(connectMs, agent);
    }
    return agent;
  }
}

function guardedConnector(guard: EgressGuard, connectMs: number): buildConnector.connector {
  const connect = buildConnector({ timeout: connectMs, lookup: guard.lookup });
  return (options, callback) => {
    const denied = deniedLiteralAddress(guard, options.hostname);
    if (denied !== undefined) {
      callback(new EgressDeniedError(options.hostname, denied), null);
      return;
    }
    connect(options, callback);
  };
}
