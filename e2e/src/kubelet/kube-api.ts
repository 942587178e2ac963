// The kubelet stand-in's API calls: JSON in, JSON out, and merge patches (which the shared
// apiRequest cannot send: it always says application/json).
import { request } from 'node:https';
import type { ApiConnection, ApiResponse } from '../api-request.js';

export type { ApiConnection };

export interface KubeApi {
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse>;
  /** GET that throws unless 200, returning the parsed body. */
  get(path: string): Promise<unknown>;
  mergePatch(path: string, patch: unknown): Promise<ApiResponse>;
}

export function kubeApi(connection: ApiConnection, timeoutMs = 15_000): KubeApi {
  const call = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
    new Promise<ApiResponse>((resolve, reject) => {
      const url = new URL(path, connection.server);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        url,
        {
          method,
          ca: connection.ca,
          agent: false,
          timeout: timeoutMs,
          headers: {
            authorization: `Bearer ${connection.token}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
          },
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
  return {
    call,
    async get(path) {
      const res = await call('GET', path);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.body.slice(0, 300)}`);
      return res.json;
    },
    mergePatch: (path, patch) => call('PATCH', path, patch, 'application/merge-patch+json'),
  };
}
