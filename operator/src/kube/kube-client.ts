// A small JSON client for the Kubernetes API over node:https. The generated clients of
// @kubernetes/client-node hide the raw watch stream and its errors; the operator needs both
// (resourceVersion bookkeeping, 410 Gone, inactivity timeouts), so it speaks HTTP itself and
// uses KubeConfig only for what it is good at: finding the server and the credentials.
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/** An API response with a non-2xx status, carrying the API server's Status message. */
export class KubeApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly statusCode: number,
    readonly reason: string,
    apiMessage: string,
  ) {
    super(`${method} ${path}: ${statusCode} ${reason}${apiMessage ? `: ${apiMessage}` : ''}`);
    this.name = 'KubeApiError';
  }

  get notFound(): boolean {
    return this.statusCode === 404;
  }
  get conflict(): boolean {
    return this.statusCode === 409;
  }
  get gone(): boolean {
    return this.statusCode === 410;
  }
}

type PatchType = 'merge' | 'strategic' | 'json';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export interface KubeRequestOptions {
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
  accept?: string;
  /** More request headers (the service proxy passes them to the Service). */
  headers?: Record<string, string>;
}

export interface WatchStream {
  /** Stops the stream; the onClose callback still fires once. */
  abort(): void;
}

interface WatchCallbacks {
  onLine(line: string): void;
  onClose(error?: Error): void;
}

export interface KubeClientOptions {
  kubeConfig: KubeConfig;
  /** Default per-request timeout; watches have their own inactivity timer. */
  requestTimeoutMs?: number;
  userAgent?: string;
}

export class KubeClient {
  readonly server: string;
  private readonly kubeConfig: KubeConfig;
  private readonly agent: Agent;
  private readonly requestTimeoutMs: number;
  private readonly userAgent: string;

  constructor(options: KubeClientOptions) {
    this.kubeConfig = options.kubeConfig;
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/+$/, '');
    // No socket cap: every watch holds a connection for minutes (one per kind and namespace).
    this.agent = new Agent({ keepAlive: true });
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'switchyard-operator';
  }

  /** Loads a kubeconfig file, or in-cluster config, or $KUBECONFIG / ~/.kube/config. */
  static fromKubeconfig(path: string | undefined): KubeClient {
    const kubeConfig = new KubeConfig();
    if (path) kubeConfig.loadFromFile(path);
    else kubeConfig.loadFromDefault();
    return new KubeClient({ kubeConfig });
  }

  async get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  async create<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('POST', path, { body });
  }

  async replace<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PUT', path, { body });
  }

  async patch<T>(path: string, body: unknown, type: PatchType = 'merge'): Promise<T> {
    return this.json<T>('PATCH', path, { body, contentType: PATCH_CONTENT_TYPES[type] });
  }

  async delete<T>(path: string): Promise<T> {
    return this.json<T>('DELETE', path);
  }

  async json<T>(method: string, path: string, options: KubeRequestOptions = {}): Promise<T> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    const res = await this.send(method, path, payload, options);
    const text = await readBody(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(method, path, status, text);
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /**
   * One request whose status and headers the caller reads, whatever they are: the API server's
   * service proxy answers with the proxied Service's status, headers and body.
   */
  async exchange(
    method: string,
    path: string,
    options: KubeRequestOptions = {},
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    const res = await this.send(method, path, payload, options);
    return { status: res.statusCode ?? 0, headers: res.headers, body: await readBody(res) };
  }

  /**
   * Opens a watch (or any streaming GET) and hands over each newline-delimited line. The caller
   * owns timeouts: the request has none of its own once the response headers arrived.
   */
  stream(path: string, callbacks: WatchCallbacks): WatchStream {
    let closed = false;
    let req: ClientRequest | undefined;
    const close = (error?: Error): void => {
      if (closed) return;
      closed = true;
      callbacks.onClose(error);
    };
    void (async () => {
      try {
        const res = await this.send('GET', path, undefined, { timeoutMs: this.requestTimeoutMs }, (r) => (req = r));
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          close(apiError('GET', path, status, await readBody(res)));
          return;
        }
        // Headers are in; from here the watch lives until the server or the caller ends it.
        res.socket?.setTimeout(0);
        req?.setTimeout(0);
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let newline: number;
          while ((newline = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (line !== '' && !closed) callbacks.onLine(line);
          }
        });
        res.on('end', () => close());
        res.on('error', (error) => close(error));
        res.on('close', () => close(res.complete ? undefined : new Error('watch connection closed')));
      } catch (error) {
        close(error as Error);
      }
    })();
    return {
      abort() {
        if (closed) return;
        req?.destroy();
        close();
      },
    };
  }

  close(): void {
    this.agent.destroy();
  }

  private async send(
    method: string,
    path: string,
    payload: Buffer | undefined,
    options: KubeRequestOptions,
    onRequest?: (req: ClientRequest) => void,
  ): Promise<IncomingMessage> {
    const url = new URL(this.server + path);
    const requestOptions: RequestOptions = { method, headers: {} };
    // Re-applied per request: in-cluster tokens are files that the kubelet rotates.
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    const headers = requestOptions.headers as Record<string, string | number>;
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name] = value;
    headers['accept'] = options.accept ?? 'application/json';
    headers['user-agent'] = this.userAgent;
    if (payload) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = payload.length;
    }
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const issue = url.protocol === 'http:' ? httpRequest : httpsRequest;
      const req = issue(
        url,
        { ...requestOptions, ...(url.protocol === 'https:' ? { agent: this.agent } : {}), timeout: timeoutMs },
        resolve,
      );
      onRequest?.(req);
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: no response within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function apiError(method: string, path: string, statusCode: number, text: string): KubeApiError {
  let status: KubeStatus = {};
  try {
    status = JSON.parse(text) as KubeStatus;
  } catch {
    // Not a Status object (a proxy in between, an HTML error page).
  }
  const pathOnly = path.split('?')[0] ?? path;
  return new KubeApiError(method, pathOnly, statusCode, status.reason ?? `HTTP ${statusCode}`, status.message ?? text.slice(0, 200));
}
