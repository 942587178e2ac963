// The kubelet stand-in's container-spec steps: $(VAR) expansion, downward-API fields, mount-path
// rewriting and named ports. Pure functions; no cluster needed.
import { describe, expect, it } from '@jest/globals';
import { expandVarRefs, fieldRefValue, resolveContainerPort, rewriteMountPaths } from '../src/kubelet/index.js';
import type { Pod } from '../src/kubelet/pod-types.js';

const pod: Pod = {
  metadata: { name: 'sy-switchyard-operator-abc', namespace: 'ai', uid: 'u-1', labels: { 'app.kubernetes.io/component': 'operator' } },
  spec: { nodeName: 'sy-e2e-node', serviceAccountName: 'sy-switchyard-operator', containers: [] },
};

describe('expandVarRefs', () => {
  it.each([
    ['--replica-id=$(POD_NAME)', '--replica-id=op-1'],
    ['$(POD_NAME).$(POD_NAMESPACE)', 'op-1.ai'],
    ['--x=$(UNDEFINED)', '--x=$(UNDEFINED)'],
    ['--x=$$(POD_NAME)', '--x=$(POD_NAME)'],
    ['no references', 'no references'],
  ])('%s -> %s', (input, expected) => {
    expect(expandVarRefs(input, { POD_NAME: 'op-1', POD_NAMESPACE: 'ai' })).toBe(expected);
  });
});

describe('fieldRefValue', () => {
  it.each([
    ['metadata.name', 'sy-switchyard-operator-abc'],
    ['metadata.namespace', 'ai'],
    ['metadata.uid', 'u-1'],
    ['spec.nodeName', 'sy-e2e-node'],
    ['spec.serviceAccountName', 'sy-switchyard-operator'],
    ['status.podIP', '10.244.0.7'],
    ["metadata.labels['app.kubernetes.io/component']", 'operator'],
  ])('%s', (fieldPath, expected) => {
    expect(fieldRefValue(pod, fieldPath, '10.244.0.7')).toBe(expected);
  });

  it('names an unsupported field', () => {
    expect(() => fieldRefValue(pod, 'status.hostIP', '10.244.0.7')).toThrow('fieldRef status.hostIP is not supported');
  });
});

describe('rewriteMountPaths', () => {
  const mounts = [
    { mountPath: '/var/run/secrets/switchyard', hostPath: '/tmp/p/volumes/creds' },
    { mountPath: '/tmp', hostPath: '/tmp/p/volumes/tmp' },
    { mountPath: '/etc/switchyard/tls', hostPath: '/tmp/p/volumes/tls' },
  ];
  it.each([
    ['--token-file=/var/run/secrets/switchyard/token', '--token-file=/tmp/p/volumes/creds/token'],
    ['/etc/switchyard/tls/tls.crt', '/tmp/p/volumes/tls/tls.crt'],
    ['--state=/tmp', '--state=/tmp/p/volumes/tmp'],
    ['--state=/tmpfoo/x', '--state=/tmpfoo/x'],
    ['--host=0.0.0.0', '--host=0.0.0.0'],
    ['--other=/var/run/secrets/switchyardx/token', '--other=/var/run/secrets/switchyardx/token'],
  ])('%s -> %s', (arg, expected) => {
    expect(rewriteMountPaths(arg, mounts)).toBe(expected);
  });
});

describe('resolveContainerPort', () => {
  const container = {
    name: 'gateway',
    ports: [
      { name: 'http', containerPort: 8080 },
      { name: 'metrics', containerPort: 9090 },
    ],
  };
  it.each([
    ['http' as string | number, 8080],
    ['metrics', 9090],
    [8081, 8081],
    ['8082', 8082],
  ])('%s -> %d', (port, expected) => {
    expect(resolveContainerPort(container, port)).toBe(expected);
  });
  it('names a missing port', () => {
    expect(() => resolveContainerPort(container, 'admin')).toThrow('container gateway has no port named admin');
  });
});
