export {
  startControlPlane,
  stopControlPlaneAt,
  readRunningControlPlane,
  ControlPlaneBinariesMissingError,
  type ControlPlane,
  type ControlPlaneOptions,
  type ControlPlaneState,
} from './control-plane.js';
export {
  locateControlPlaneBinaries,
  CONTROL_PLANE_BINARIES,
  type ControlPlaneBinaries,
  type ControlPlaneBinary,
} from './control-plane-binaries.js';
export { apiRequest, type ApiConnection, type ApiResponse } from './api-request.js';
export type { CommandResult } from './run-command.js';
