// The gateway logs through the structured logger it shares with the operator.
export { createLogger, redactSecrets, type Logger } from '@switchyard/compiler';
