// The kubelet stand-in's API calls: JSON in, JSON out, and merge patches, over the shared apiRequest.
import { apiRequest, type ApiConnection, type ApiResponse } from '../api-request.js';

export type { ApiConnection };

export interface KubeApi {
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse>;
  /** GET that throws unless 200, returning the parsed body. */
  get(path: string): Promise<unknown>;
  mergePatch(path: string, patch: unknown): Promise<ApiResponse>;
}

export function kubeApi(connection: ApiConnection, timeoutMs = 15_000): KubeApi {
  const call = (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse> =>
    apiRequest(connection, method, path, body, timeoutMs, contentType);
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
