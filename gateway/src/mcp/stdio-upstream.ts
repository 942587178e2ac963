// The gateway as a client of one stdio MCP server (standalone mode only: `spec.command`). The
// gateway starts the program as a child process and speaks newline-delimited JSON-RPC on its
// stdin and stdout, with the 2025-11-25 initialize handshake; stderr is the program's own log and
// is read and dropped so it can never fill its pipe and stall the child.
//
// One child per MCPServer, started on first use and shared by concurrent requests. A child that
// exits fails what waits on it, and the next request starts another; a child that keeps dying
// before it completes the handshake is started again only after a back-off (RESTART_BACKOFF_*),
// so a broken command does not become a fork loop. The child sees only the variables of
// `spec.env` and CHILD_ENV_PASSTHROUGH: never the rest of the gateway's environment, which holds
// provider credentials. A changed definition or a server removed from the table closes its child
// (upstream-pool.ts), and every child still running is killed when the gateway exits.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { CompiledMCPServer } from '@switchyard/compiler';
import { encodeJsonRpcRequest, type JsonRpcOutcome } from '../wire/mcp/index.js';
import { asCallTimeout, callDeadline, tooLargeError, type McpUpstream, type UpstreamClientOptions } from './upstream-client.js';
import { McpUpstreamError } from './upstream-errors.js';
import {
  initializeSession,
  routeUpstreamMessage,
  sendAndAwaitAnswer,
  UpstreamNotifications,
  untilAborted,
  type ListKind,
  type PendingAnswer,
  type UpstreamNotification,
} from './upstream-messages.js';

/** The gateway's own variables a child inherits (so `npx` and interpreters work); everything else comes from spec.env. */
const CHILD_ENV_PASSTHROUGH = ['PATH', 'HOME', 'LANG', 'TMPDIR'] as const;
/** First wait before starting a child again after one died before its handshake completed; doubles per failure. */
const RESTART_BACKOFF_FIRST_MS = 500;
const RESTART_BACKOFF_MAX_MS = 30_000;
/** After closing a child's stdin and sending SIGTERM, how long it has to exit before SIGKILL. */
const STOP_GRACE_MS = 2_000;

/** Children still running, killed when the gateway process exits however it exits. */
const liveChildren = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;

function track(child: ChildProcessWithoutNullStreams): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const running of liveChildren) running.kill('SIGKILL');
  });
}

/** One running child and the requests waiting for its answers. */
interface Session {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pending: Map<number, PendingAnswer>;
  closed: boolean;
  /** Why it ended, once it has: what later requests on it are told. */
  failure: McpUpstreamError | undefined;
  /** Aborted when it ends, so a write waiting for the pipe to drain does not wait for a child that is gone. */
  readonly done: AbortController;
}

export class StdioUpstream implements McpUpstream {
  protocolVersion: string | undefined;
  private session: Promise<Session> | undefined;
  private nextId = 1;
  /** Children that died before completing the handshake, in a row. */
  private failedStarts = 0;
  private notBeforeMs = 0;
  private lastFailure: McpUpstreamError | undefined;
  private stopped = false;
  /** The child that completed its handshake and has not ended: when it ends, the next request starts another. */
  private live: Session | undefined;
  private readonly nowMs: () => number;
  private readonly notifications = new UpstreamNotifications();

  constructor(
    private readonly server: CompiledMCPServer,
    private readonly options: UpstreamClientOptions,
  ) {
    if (server.command === undefined || server.command.length === 0) throw new Error(`MCPServer ${server.id} has no command`);
    this.nowMs = options.nowMs ?? Date.now;
  }

  async request(
    method: string,
    params: Record<string, unknown>,
    signal?: AbortSignal,
    onNotification?: (notification: UpstreamNotification) => void,
  ): Promise<JsonRpcOutcome> {
    const { deadline, combined } = callDeadline(this.server, signal);
    const untrack = this.notifications.track(params, onNotification);
    try {
      const session = await this.open(combined);
      return await this.exchange(session, method, params, combined);
    } catch (error) {
      throw asCallTimeout(this.server, deadline, error);
    } finally {
      untrack();
    }
  }

  /**
   * List changes the running child announces on its stdout. Watching does not start a child: one
   * that is not running has no list a caller has seen, and the next request starts it.
   */
  watch(listener: (kind: ListKind) => void): () => void {
    return this.notifications.watch(listener);
  }

  /** Stops the child (its definition changed, or it left the table): stdin closed, SIGTERM, then SIGKILL. */
  close(): void {
    this.stopped = true;
    const current = this.session;
    this.session = undefined;
    void current?.then(
      (session) => this.stop(session, new McpUpstreamError('the stdio server was stopped by the gateway', 'unreachable')),
      () => undefined,
    );
  }

  private exchange(session: Session, method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<JsonRpcOutcome> {
    const id = this.takeId();
    return sendAndAwaitAnswer(session.pending, id, () => this.write(session, encodeJsonRpcRequest(id, method, params), signal), signal);
  }

  /** The running child, or a new one with the handshake done. */
  private open(signal: AbortSignal): Promise<Session> {
    if (this.stopped) return Promise.reject(new McpUpstreamError('the stdio server was stopped by the gateway', 'unreachable'));
    if (this.session === undefined) {
      const waitMs = this.notBeforeMs - this.nowMs();
      if (waitMs > 0 && this.lastFailure !== undefined) {
        return Promise.reject(
          new McpUpstreamError(`${this.lastFailure.message}; it is started again in ${Math.ceil(waitMs)} ms`, this.lastFailure.reason),
        );
      }
      // The handshake has its own deadline, not the first caller's: a caller that goes away must
      // not fail the others waiting on the same child.
      this.session = this.start(AbortSignal.timeout(this.server.timeouts.callMs)).catch((error: unknown) => {
        this.session = undefined;
        this.failedStarts += 1;
        this.notBeforeMs = this.nowMs() + Math.min(RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_FIRST_MS * 2 ** (this.failedStarts - 1));
        const failure =
          error instanceof McpUpstreamError
            ? error
            : new McpUpstreamError(`the stdio server did not complete its handshake within ${this.server.timeouts.callMs} ms`, 'timeout', {
                cause: error,
              });
        this.lastFailure = failure;
        throw failure;
      });
    }
    return untilAborted(this.session, signal);
  }

  private async start(signal: AbortSignal): Promise<Session> {
    const [program, ...args] = this.server.command as string[];
    const child = spawn(program as string, args, { env: this.childEnv(), stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    track(child);
    const session: Session = { child, pending: new Map(), closed: false, failure: undefined, done: new AbortController() };
    this.attach(session);
    try {
      this.protocolVersion = await initializeSession(
        (method, params) => this.exchange(session, method, params, signal),
        (message) => this.write(session, message, signal),
        this.options.clientInfo,
      );
      this.failedStarts = 0;
      this.lastFailure = undefined;
      this.live = session;
      return session;
    } catch (error) {
      // A child that exited during the handshake is best described by how it exited.
      const failure = session.failure ?? (error instanceof McpUpstreamError ? error : undefined);
      this.stop(session, failure ?? new McpUpstreamError('the stdio server did not complete its handshake', 'timeout'));
      throw failure ?? error;
    }
  }

  /** Reads the child's stdout as lines of JSON-RPC, drains stderr, and fails waiting requests when it ends. */
  private attach(session: Session): void {
    const { child } = session;
    const limit = this.options.maxResultBytes;
    let partial: Buffer[] = [];
    let partialBytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      let from = 0;
      for (let newline = chunk.indexOf(0x0a, from); newline >= 0; newline = chunk.indexOf(0x0a, from)) {
        partial.push(chunk.subarray(from, newline));
        const line = Buffer.concat(partial).toString('utf8');
        partial = [];
        partialBytes = 0;
        from = newline + 1;
        this.dispatch(session, line);
      }
      if (from < chunk.length) {
        partialBytes += chunk.length - from;
        // A line longer than the limit cannot be framed any more: the child is stopped.
        if (partialBytes > limit) return this.stop(session, tooLargeError(limit));
        partial.push(chunk.subarray(from));
      }
    });
    // The program's own log: read so the pipe never fills, never kept (it may print anything).
    child.stderr.resume();
    child.stdin.on('error', () => undefined);
    child.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ENOENT' ? `the program "${this.server.command?.[0]}" was not found` : `${error.code ?? error.message}`;
      this.ended(session, new McpUpstreamError(`cannot start the stdio server: ${reason}`, 'unreachable', { cause: error }));
    });
    child.once('exit', (code, signal) => {
      const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      this.ended(session, new McpUpstreamError(`the stdio server ${how}`, 'unreachable'));
    });
  }

  private dispatch(session: Session, line: string): void {
    const text = line.trim();
    if (text.length === 0) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      // Not a message (a program printing its log to stdout): skipped, as the transport asks servers not to.
      return;
    }
    const reply = routeUpstreamMessage(message, session.pending, this.notifications);
    if (reply !== undefined) this.write(session, reply, AbortSignal.timeout(this.server.timeouts.callMs)).catch(() => undefined);
  }

  /** Writes one message and its newline, waiting for the pipe to drain when it is full. */
  private async write(session: Session, message: string, signal: AbortSignal): Promise<void> {
    const gone = (): McpUpstreamError => session.failure ?? new McpUpstreamError('the stdio server has exited', 'unreachable');
    if (session.closed) throw gone();
    if (session.child.stdin.write(`${message}\n`)) return;
    const stop = AbortSignal.any([signal, session.done.signal]);
    await new Promise<void>((resolve, reject) => {
      const drained = (): void => {
        stop.removeEventListener('abort', stopped);
        resolve();
      };
      const stopped = (): void => {
        session.child.stdin.off('drain', drained);
        reject(session.closed ? gone() : signal.reason);
      };
      if (stop.aborted) return stopped();
      stop.addEventListener('abort', stopped, { once: true });
      session.child.stdin.once('drain', drained);
    });
  }

  /** Marks `session` ended: its waiting requests fail with `failure`. */
  private ended(session: Session, failure: McpUpstreamError): void {
    if (session.closed) return;
    session.closed = true;
    session.failure = failure;
    session.done.abort(failure);
    if (this.live === session) {
      this.live = undefined;
      this.session = undefined;
    }
    for (const waiting of session.pending.values()) waiting.reject(failure);
    session.pending.clear();
  }

  /** Ends `session` and stops its child: stdin closed and SIGTERM, SIGKILL if it is still running after STOP_GRACE_MS. */
  private stop(session: Session, failure: McpUpstreamError): void {
    this.ended(session, failure);
    const { child } = session;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    kill.unref();
    child.once('exit', () => clearTimeout(kill));
  }

  private childEnv(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const name of CHILD_ENV_PASSTHROUGH) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    return { ...env, ...(this.server.env ?? {}) };
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = id >= Number.MAX_SAFE_INTEGER ? 1 : id + 1;
    return id;
  }
}
