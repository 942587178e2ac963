/** Files and ports one control plane instance uses; every path is inside its state directory. */
export interface ControlPlaneLayout {
  etcdDataDir: string;
  etcdClientPort: number;
  etcdPeerPort: number;
  apiserverPort: number;
  apiserverCertDir: string;
  serviceAccountPublicKeyFile: string;
  serviceAccountPrivateKeyFile: string;
  tokenAuthFile: string;
  controllerManagerPort: number;
  controllerManagerCertDir: string;
  controllerManagerKubeconfig: string;
  /** CA bundle kube-apiserver writes beside its self-signed serving certificate. */
  apiserverCaFile: string;
}

/** Cloud-provider controllers: nothing here backs them. 1.32 skips them anyway; say so explicitly. */
const CLOUD_CONTROLLERS = ['service-lb-controller', 'node-route-controller', 'cloud-node-lifecycle-controller'];

export function etcdFlags(layout: ControlPlaneLayout): string[] {
  const client = `http://127.0.0.1:${layout.etcdClientPort}`;
  const peer = `http://127.0.0.1:${layout.etcdPeerPort}`;
  return [
    '--name=default',
    `--data-dir=${layout.etcdDataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    // Peer URLs default to localhost:2380; pin them to our port so parallel instances never clash.
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // Test data is throwaway: skipping fsync makes apiserver writes much faster on a busy disk.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export function apiserverFlags(layout: ControlPlaneLayout, options: { controllerManager: boolean }): string[] {
  const flags = [
    `--etcd-servers=http://127.0.0.1:${layout.etcdClientPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${layout.apiserverPort}`,
    // With no --tls-cert-file the server writes a self-signed serving cert and its CA here.
    `--cert-dir=${layout.apiserverCertDir}`,
    // Virtual IPs for Services; nothing routes them (no kube-proxy), they only need to be valid.
    '--service-cluster-ip-range=10.0.0.0/24',
    `--service-account-issuer=https://127.0.0.1:${layout.apiserverPort}`,
    `--service-account-key-file=${layout.serviceAccountPublicKeyFile}`,
    `--service-account-signing-key-file=${layout.serviceAccountPrivateKeyFile}`,
    // Bearer tokens instead of client certificates: the harness and kubectl share one admin token.
    `--token-auth-file=${layout.tokenAuthFile}`,
    '--authorization-mode=RBAC',
    '--allow-privileged=true',
    // No kubelets, no real endpoints: do not reconcile the `kubernetes` Service endpoints.
    '--endpoint-reconciler-type=none',
  ];
  // The ServiceAccount admission plugin rejects Pods until the namespace's `default`
  // ServiceAccount exists, and only kube-controller-manager creates it.
  if (!options.controllerManager) flags.push('--disable-admission-plugins=ServiceAccount');
  return flags;
}

export function controllerManagerFlags(layout: ControlPlaneLayout): string[] {
  return [
    `--kubeconfig=${layout.controllerManagerKubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${layout.controllerManagerPort}`,
    `--cert-dir=${layout.controllerManagerCertDir}`,
    '--leader-elect=false',
    `--controllers=*,${CLOUD_CONTROLLERS.map((name) => `-${name}`).join(',')}`,
    // Each controller acts as its own ServiceAccount, as in a real cluster, so RBAC gaps show up.
    '--use-service-account-credentials=true',
    // Published into every namespace as kube-root-ca.crt, and embedded in legacy token Secrets.
    `--root-ca-file=${layout.apiserverCaFile}`,
    `--service-account-private-key-file=${layout.serviceAccountPrivateKeyFile}`,
    '--service-cluster-ip-range=10.0.0.0/24',
  ];
}
