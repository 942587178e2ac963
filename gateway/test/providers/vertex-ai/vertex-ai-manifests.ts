// Manifests for the gateway-process tests of the vertex-ai provider.

export const API_VERSION = 'switchyard.dev/v1alpha1';

export function documents(...objects: unknown[]): string {
  return `${objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n')}\n`;
}

export function secret(name: string, data: Record<string, string>): unknown {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, stringData: data };
}

export function virtualKey(name: string, key: string): unknown[] {
  return [
    secret(`${name}-key`, { key }),
    { apiVersion: API_VERSION, kind: 'VirtualKey', metadata: { name, namespace: 'default' }, spec: { secretName: `${name}-key` } },
  ];
}

export interface VertexRouteOptions {
  baseURL: string;
  project: string;
  location: string;
  secret?: string;
  retry?: Record<string, unknown>;
}

export function vertexRoute(name: string, model: string, options: VertexRouteOptions): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'ModelRoute',
    metadata: { name, namespace: 'default' },
    spec: {
      model: name,
      backends: [
        {
          name: `${name}-backend`,
          provider: 'vertex-ai',
          model,
          baseURL: options.baseURL,
          vertex: { project: options.project, location: options.location },
          credentials: [{ secretRef: { name: options.secret ?? 'gcp', key: 'sa.json' } }],
          pricing: { inputPerMillion: '0.30', outputPerMillion: '2.50' },
        },
      ],
      retry: options.retry ?? {
        attempts: 2,
        backoff: { initial: '10ms', max: '100ms' },
        on: ['RateLimited', 'ServerError', 'ConnectError'],
      },
    },
  };
}
