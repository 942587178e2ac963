export interface KubeconfigInput {
  server: string;
  caFile: string;
  token: string;
  user: string;
  clusterName?: string;
}

/** A single-context kubeconfig. JSON is valid YAML, which kubectl, helm and client libraries read. */
export function renderKubeconfig(input: KubeconfigInput): string {
  const cluster = input.clusterName ?? 'switchyard-e2e';
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: cluster, cluster: { server: input.server, 'certificate-authority': input.caFile } }],
      users: [{ name: input.user, user: { token: input.token } }],
      contexts: [{ name: cluster, context: { cluster, user: input.user, namespace: 'default' } }],
      'current-context': cluster,
      preferences: {},
    },
    null,
    2,
  )}\n`;
}
