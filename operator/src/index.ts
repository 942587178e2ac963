// The operator arrives with the control-plane issue; the CLI reports that clearly until then.
export const operatorAvailable = false;
