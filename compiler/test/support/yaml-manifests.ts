// Manifests as YAML text, the way people write them for standalone mode.

export const DEMO_KEY_YAML = `apiVersion: v1
kind: Secret
metadata:
  name: demo-key
stringData:
  key: sk-sy-demo0000000000000000000000000000
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata:
  name: demo
spec:
  secretName: demo-key
`;

export function mockRouteYaml(name: string, options: { weight?: number; latency?: string; aliases?: string[] } = {}): string {
  return `apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata:
  name: ${name}
spec:
  model: ${name}
${options.aliases ? `  aliases: [${options.aliases.join(', ')}]\n` : ''}  backends:
  - name: first
    provider: mock
    model: m
  - name: second
    provider: mock
    model: m
    weight: ${options.weight ?? 1}
    mock:
      latency: ${options.latency ?? '10ms'}
`;
}
