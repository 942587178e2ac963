export {
  startFakeKubelet,
  type FakeKubelet,
} from './fake-kubelet.js';
export { HOST_ADDRESS, networkNamespacesWork } from './pod-network.js';
export { expandVarRefs, resolveContainerPort, fieldRefValue } from './container-spec.js';
export { containerIdentity, securityFlags, memoryBytes, cpuCores, ContainerConfigError } from './container-security.js';
