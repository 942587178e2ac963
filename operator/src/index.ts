export { startOperator, StartupError, type RunningOperator, type StartOperatorDeps } from './run-operator.js';
export { parseOperatorFlags, FlagError, OPERATOR_USAGE, type OperatorFlags } from './cli/operator-flags.js';
export { KubeClient, KubeApiError } from './kube/kube-client.js';
export { OperatorController } from './reconcile/operator-controller.js';
export { generateVirtualKey } from './reconcile/generate-virtual-key.js';
export { TABLE_STREAM_PATH, ACK_PATH, GATEWAY_ID_HEADER, TABLE_ENCODING } from './table-server/table-stream-protocol.js';
