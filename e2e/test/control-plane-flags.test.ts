import { describe, expect, it } from '@jest/globals';
import { apiserverFlags, controllerManagerFlags, etcdFlags, type ControlPlaneLayout } from '../src/control-plane-flags.js';

const layout: ControlPlaneLayout = {
  etcdDataDir: '/state/etcd',
  etcdClientPort: 40001,
  etcdPeerPort: 40002,
  apiserverPort: 40003,
  apiserverCertDir: '/state/apiserver-certs',
  serviceAccountPublicKeyFile: '/state/pki/sa.pub',
  serviceAccountPrivateKeyFile: '/state/pki/sa.key',
  tokenAuthFile: '/state/pki/tokens.csv',
  controllerManagerPort: 40004,
  controllerManagerCertDir: '/state/kcm-certs',
  controllerManagerKubeconfig: '/state/pki/kcm.kubeconfig',
  apiserverCaFile: '/state/apiserver-certs/apiserver.crt',
};

describe('control-plane flags', () => {
  it.each([
    ['etcd client URL on loopback', etcdFlags(layout), '--listen-client-urls=http://127.0.0.1:40001'],
    ['etcd peer URL pinned (default 2380 would clash)', etcdFlags(layout), '--initial-cluster=default=http://127.0.0.1:40002'],
    ['etcd without fsync', etcdFlags(layout), '--unsafe-no-fsync=true'],
    ['apiserver talks to our etcd', apiserverFlags(layout, { controllerManager: true }), '--etcd-servers=http://127.0.0.1:40001'],
    [
      'apiserver issuer is its own URL',
      apiserverFlags(layout, { controllerManager: true }),
      '--service-account-issuer=https://127.0.0.1:40003',
    ],
    [
      'apiserver signs SA tokens',
      apiserverFlags(layout, { controllerManager: true }),
      '--service-account-signing-key-file=/state/pki/sa.key',
    ],
    ['apiserver token auth', apiserverFlags(layout, { controllerManager: false }), '--token-auth-file=/state/pki/tokens.csv'],
    ['apiserver RBAC', apiserverFlags(layout, { controllerManager: false }), '--authorization-mode=RBAC'],
    ['apiserver no endpoint reconciler', apiserverFlags(layout, { controllerManager: false }), '--endpoint-reconciler-type=none'],
    ['kcm per-controller credentials', controllerManagerFlags(layout), '--use-service-account-credentials=true'],
    ['kcm root CA', controllerManagerFlags(layout), '--root-ca-file=/state/apiserver-certs/apiserver.crt'],
    ['kcm SA key', controllerManagerFlags(layout), '--service-account-private-key-file=/state/pki/sa.key'],
    [
      'kcm controllers minus cloud',
      controllerManagerFlags(layout),
      '--controllers=*,-service-lb-controller,-node-route-controller,-cloud-node-lifecycle-controller',
    ],
  ])('%s', (_name, flags, expected) => {
    expect(flags).toContain(expected);
  });

  it('disables ServiceAccount admission only without kube-controller-manager (nothing would create the default SA)', () => {
    expect(apiserverFlags(layout, { controllerManager: false })).toContain('--disable-admission-plugins=ServiceAccount');
    expect(apiserverFlags(layout, { controllerManager: true }).some((flag) => flag.startsWith('--disable-admission-plugins'))).toBe(false);
  });

  it('binds every listener to loopback', () => {
    expect(apiserverFlags(layout, { controllerManager: true })).toContain('--bind-address=127.0.0.1');
    expect(controllerManagerFlags(layout)).toContain('--bind-address=127.0.0.1');
    for (const flag of etcdFlags(layout).filter((f) => f.includes('://'))) expect(flag).toMatch(/http:\/\/127\.0\.0\.1:/);
  });
});
