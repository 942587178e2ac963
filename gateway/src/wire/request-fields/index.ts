// Readers for caller-supplied JSON fields, shared by every front door's decoder.
export { createFieldReaders, isAbsent, type FieldProblems } from './field-readers.js';
export {
  optionalBoolean,
  optionalNumber,
  optionalString,
  requireArray,
  requireNonEmptyString,
  requireOneOf,
  requireRecord,
  requireString,
} from './param-field-readers.js';
