import { request } from 'node:https';

export interface ApiConnection {
  server: string;
  token: string;
  /** PEM CA bundle the API server's serving certificate chains to. */
  ca: string;
}

export interface ApiResponse {
  status: number;
  body: string;
  /** Body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** One HTTPS request to the API server with the bearer token; never throws on HTTP status. */
export function apiRequest(
  connection: ApiConnection,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 15_000,
  /** Of the JSON body: merge and strategic-merge patches need their own. */
  contentType = 'application/json',
): Promise<ApiResponse> {
  const url = new URL(path, connection.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: connection.ca,
        // One connection per request: no idle keep-alive sockets outliving a test or a stopped server.
        agent: false,
        headers: {
          authorization: `Bearer ${connection.token}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: text, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
