// The kubelet stand-in's container-spec steps: $(VAR) expansion, downward-API fields, the
// effective security context as podman flags, and named ports. Pure functions; no cluster needed.
import { describe, expect, it } from '@jest/globals';
import {
  ContainerConfigError,
  containerIdentity,
  cpuCores,
  expandVarRefs,
  fieldRefValue,
  memoryBytes,
  resolveContainerPort,
  securityFlags,
} from '../src/kubelet/index.js';
import type { Container, Pod } from '../src/kubelet/pod-types.js';

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

describe('containerIdentity: the user a container runs as, refused as the kubelet refuses it', () => {
  const withContexts = (podContext: Pod['spec']['securityContext'], own: Container['securityContext']): [Pod, Container] => {
    const container: Container = { name: 'c', image: 'i', ...(own ? { securityContext: own } : {}) };
    return [{ ...pod, spec: { ...pod.spec, ...(podContext ? { securityContext: podContext } : {}), containers: [container] } }, container];
  };
  it.each([
    ['the image user', undefined, undefined, '10001:10001', '10001:10001'],
    ['the Pod runAsUser over the image', { runAsUser: 2000, runAsGroup: 3000 }, undefined, '10001:10001', '2000:3000'],
    ['the container over the Pod', { runAsUser: 2000 }, { runAsUser: 4000, runAsGroup: 5 }, '', '4000:5'],
    ['a named image user without runAsNonRoot', undefined, undefined, 'nonroot', 'nonroot'],
    ['root when nothing says otherwise', undefined, undefined, '', '0:0'],
  ])('%s', (_what, podContext, own, imageUser, expected) => {
    const [p, c] = withContexts(podContext, own);
    expect(containerIdentity(p, c, imageUser).user).toBe(expected);
  });
  it.each([
    ['an image that runs as root', { runAsNonRoot: true }, undefined, '', 'image will run as root'],
    ['runAsUser 0', { runAsNonRoot: true, runAsUser: 0 }, undefined, '10001', 'image will run as root'],
    ['a user name that cannot be verified', undefined, { runAsNonRoot: true }, 'nonroot', 'non-numeric user (nonroot)'],
  ])('runAsNonRoot refuses %s', (_what, podContext, own, imageUser, message) => {
    const [p, c] = withContexts(podContext, own);
    expect(() => containerIdentity(p, c, imageUser)).toThrow(ContainerConfigError);
    expect(() => containerIdentity(p, c, imageUser)).toThrow(message);
  });
});

describe('securityFlags: the chart security context as podman flags', () => {
  it('enforces non-root, read-only root, no capabilities, no privilege escalation, fsGroup and limits', () => {
    const container: Container = {
      name: 'gateway',
      image: 'i',
      securityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
      resources: { limits: { cpu: '500m', memory: '512Mi' } },
    };
    const chartPod: Pod = {
      ...pod,
      spec: {
        ...pod.spec,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
        containers: [container],
      },
    };
    const flags = securityFlags(chartPod, container, containerIdentity(chartPod, container, '10001:10001'));
    expect(flags).toEqual([
      '--user',
      '10001:10001',
      '--group-add',
      '10001',
      '--read-only',
      '--read-only-tmpfs=false',
      '--cap-drop',
      'all',
      '--security-opt',
      'no-new-privileges',
      '--memory',
      `${512 * 1024 * 1024}b`,
      '--cpus',
      '0.5',
    ]);
  });
  it.each([
    ['512Mi', 536870912],
    ['1G', 1e9],
    ['134217728', 134217728],
    ['1.5Gi', 1610612736],
  ])('memory %s is %d bytes', (quantity, bytes) => expect(memoryBytes(quantity)).toBe(bytes));
  it.each([
    ['1', 1],
    ['250m', 0.25],
    ['0.5', 0.5],
  ])('cpu %s is %d cores', (quantity, cores) => expect(cpuCores(quantity)).toBe(cores));
  it('names a quantity it cannot read', () => {
    expect(() => memoryBytes('lots')).toThrow('memory limit lots');
  });
});

describe('resolveContainerPort', () => {
  const container: Container = {
    name: 'gateway',
    image: 'switchyard',
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
