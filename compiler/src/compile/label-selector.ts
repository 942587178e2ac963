// metav1.LabelSelector semantics: every requirement must hold; an empty selector matches all.

import type { LabelSelector, LabelSelectorRequirement } from '../manifest-types.js';

export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

function requirementHolds(requirement: LabelSelectorRequirement, values: ReadonlySet<string>, labels: Readonly<Record<string, string>>): boolean {
  const present = Object.prototype.hasOwnProperty.call(labels, requirement.key);
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

/** The selector turned into a predicate once, for matching it against many label sets. */
export function compileLabelSelector(selector: LabelSelector): LabelMatcher {
  const labelKeys: string[] = [];
  const labelValues: string[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    labelKeys.push(key);
    labelValues.push(value);
  }
  const requirements = [...(selector.matchExpressions ?? [])];
  const requirementValues = requirements.map((requirement) => new Set(requirement.values ?? []));
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
