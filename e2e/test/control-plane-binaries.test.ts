import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { locateControlPlaneBinaries, parseVersionsFile, versionsFilePath } from '../src/control-plane-binaries.js';

describe('control-plane binaries', () => {
  it('reads the pinned versions the build script uses', () => {
    const versions = parseVersionsFile(readFileSync(versionsFilePath(), 'utf8'));
    expect(versions.k8sVersion).toMatch(/^v1\.32\.\d+$/);
    expect(versions.etcdVersion).toMatch(/^v3\.5\.\d+$/);
  });

  it('rejects a malformed versions file', () => {
    expect(() => parseVersionsFile('K8S_VERSION v1\n')).toThrow(/malformed/);
    expect(() => parseVersionsFile('K8S_VERSION=v1.32.9\n')).toThrow(/ETCD_VERSION/);
  });

  it('looks in $SWITCHYARD_CACHE/k8s-<version>/bin and lists what is missing', () => {
    const located = locateControlPlaneBinaries({ SWITCHYARD_CACHE: '/nonexistent-cache', SWITCHYARD_K8S_VERSION: 'v1.32.0' });
    expect(located.binDir).toBe('/nonexistent-cache/k8s-v1.32.0/bin');
    expect(located.missing).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl', 'helm']);
  });

  it('prefers an explicit SWITCHYARD_K8S_BIN_DIR', () => {
    expect(locateControlPlaneBinaries({ SWITCHYARD_K8S_BIN_DIR: '/opt/k8s/bin' }).binDir).toBe('/opt/k8s/bin');
  });
});
