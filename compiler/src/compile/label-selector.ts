// metav1.LabelSelector semantics: every requirement must hold; an empty selector matches all.

import type { LabelSelector, LabelSelectorRequirement } from '../generated/resource-shapes.js';

type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

function requirementHolds(
  requirement: LabelSelectorRequirement,
  values: ReadonlySet<string>,
  labels: Readonly<Record<string, string>>,
): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  switch (requirement.operator) {
    case 'In':
      return present && values.has(labels[requirement.key] as string);
    case 'NotIn':
      return !present || !values.has(labels[requirement.key] as string);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      return false;
  }
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * The selector turned into a predicate once, for matching it against many label sets. Throws an
 * Error naming the field when the selector is not shaped like a LabelSelector (input that did not
 * come through the API server or the CRD schemas).
 */
export function compileLabelSelector(selector: LabelSelector): LabelMatcher {
  const labelKeys: string[] = [];
  const labelValues: string[] = [];
  const matchLabels: unknown = selector.matchLabels ?? {};
  if (matchLabels === null || typeof matchLabels !== 'object' || Array.isArray(matchLabels)) {
    throw new Error('spec.selector.matchLabels must be a map of strings');
  }
  for (const [key, value] of Object.entries(matchLabels)) {
    if (typeof value !== 'string') throw new Error(`spec.selector.matchLabels.${key} must be a string`);
    labelKeys.push(key);
    labelValues.push(value);
  }
  const expressions: unknown = selector.matchExpressions ?? [];
  if (!Array.isArray(expressions)) throw new Error('spec.selector.matchExpressions must be a list');
  const requirements: LabelSelectorRequirement[] = [];
  const requirementValues: ReadonlySet<string>[] = [];
  expressions.forEach((requirement: unknown, index) => {
    const { key, values } = (requirement ?? {}) as Partial<Record<keyof LabelSelectorRequirement, unknown>>;
    if (typeof key !== 'string' || (values !== undefined && values !== null && !isStringList(values))) {
      throw new Error(`spec.selector.matchExpressions[${index}] needs a string key and a list of string values`);
    }
    requirements.push(requirement as LabelSelectorRequirement);
    requirementValues.push(new Set(values ?? []));
  });
  return (labels) => {
    for (let i = 0; i < labelKeys.length; i++) {
      if (labels[labelKeys[i] as string] !== labelValues[i]) return false;
    }
    for (let i = 0; i < requirements.length; i++) {
      if (!requirementHolds(requirements[i] as LabelSelectorRequirement, requirementValues[i] as ReadonlySet<string>, labels)) return false;
    }
    return true;
  };
}

export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return compileLabelSelector(selector)(labels);
}
