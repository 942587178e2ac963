// A problem with one field of one object, in the words the API server would use.

import { closestName } from '../values/edit-distance.js';

export interface SchemaIssue {
  /** `spec.backends[1].weight`; the object itself is `<root>`. */
  field: string;
  message: string;
}

export function formatSchemaIssue(issue: SchemaIssue): string {
  return `${issue.field}: ${issue.message}`;
}

/** Appends a property name to a path the way kubectl prints it (`spec.backends[0].name`). */
export function childPath(parent: string, name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? (parent ? `${parent}.${name}` : name) : `${parent}[${JSON.stringify(name)}]`;
}

export function itemPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** `unknown field`, with `(did you mean "baseURL"?)` when one of the known names at that level is close. */
export function unknownFieldMessage(name: string, known: Iterable<string>): string {
  const suggestion = closestName(name, known);
  return suggestion === undefined ? 'unknown field' : `unknown field (did you mean "${suggestion}"?)`;
}
