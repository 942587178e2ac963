// GuardrailPolicy manifests through the standalone compiler (the CRD schema and its CEL rules,
// as the API server would apply them) and into the routing table: keys selected by label, routes
// by routeSelector, policy order, defaults, and the refusals with their messages. The `on` key is
// quoted: YAML 1.1 (kubectl, and standalone mode on purpose) reads an unquoted `on` as a boolean.
import { describe, expect, it } from '@jest/globals';
import { compileStandaloneFiles, ConfigError } from '../src/index.js';

const base = `apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: chat, namespace: ai, labels: {tier: gold}}
spec:
  model: chat
  backends: [{name: m, provider: mock, model: m}]
---
apiVersion: switchyard.dev/v1alpha1
kind: ModelRoute
metadata: {name: other, namespace: ai}
spec:
  model: other
  backends: [{name: m, provider: mock, model: m}]
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: pay, namespace: ai, labels: {team: payments}}
spec: {secretName: pay-key}
---
apiVersion: switchyard.dev/v1alpha1
kind: VirtualKey
metadata: {name: web, namespace: ai, labels: {team: web}}
spec: {secretName: web-key}
---
apiVersion: v1
kind: Secret
metadata: {name: pay-key, namespace: ai}
stringData: {key: sk-pay-0123456789abcdef}
---
apiVersion: v1
kind: Secret
metadata: {name: web-key, namespace: ai}
stringData: {key: sk-web-0123456789abcdef}
`;

const contractPolicy = `apiVersion: switchyard.dev/v1alpha1
kind: GuardrailPolicy
metadata: {name: pii, namespace: ai}
spec:
  selector: {matchLabels: {team: payments}}
  routeSelector: {matchLabels: {}}
  checks:
    - {name: cards, type: pii, entities: [credit_card, iban], "on": input, action: block}
    - {name: emails, type: pii, entities: [email], "on": both, action: redact, restore: true}
    - {name: words, type: denylist, phrases: ["project falcon"], "on": output, action: block}
    - {name: corp, type: regex, pattern: "ACME-[0-9]{6}", "on": both, action: redact}
    - {name: hook, type: webhook, url: http://guard.svc/check, timeout: 500ms, failurePolicy: Closed, "on": input}
    - {name: mod, type: moderation, model: omni-moderation, "on": input, action: block}
`;

function compileWith(...documents: string[]) {
  return compileStandaloneFiles([{ path: 'all.yaml', text: [base, ...documents].join('\n---\n') }], { env: {} });
}

function refusal(...documents: string[]): string {
  try {
    compileWith(...documents);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the manifests to be refused');
}

describe('GuardrailPolicy compilation', () => {
  it('compiles the contract example: checks resolved, keys selected by label, every route', () => {
    const { table, diagnostics } = compileWith(contractPolicy);
    const policy = table.guardrailPolicies?.['ai/pii'];
    expect(policy?.checks).toEqual([
      { name: 'cards', on: 'input', type: 'pii', action: 'block', entities: ['credit_card', 'iban'] },
      { name: 'emails', on: 'both', type: 'pii', action: 'redact', entities: ['email'], restore: true },
      { name: 'words', on: 'output', type: 'denylist', action: 'block', phrases: ['project falcon'] },
      { name: 'corp', on: 'both', type: 'regex', action: 'redact', pattern: 'ACME-[0-9]{6}' },
      {
        name: 'hook',
        on: 'input',
        type: 'webhook',
        action: 'block',
        url: 'http://guard.svc/check',
        timeoutMs: 500,
        failurePolicy: 'Closed',
      },
      {
        name: 'mod',
        on: 'input',
        type: 'moderation',
        action: 'block',
        model: 'omni-moderation',
        timeoutMs: 2000,
        failurePolicy: 'Closed',
      },
    ]);
    expect(policy?.streamHoldback).toBe(128);
    expect(policy?.routeIds).toEqual(['ai/chat', 'ai/other']);
    expect(table.keys.find((k) => k.id === 'ai/pay')?.guardrailPolicyIds).toEqual(['ai/pii']);
    expect(table.keys.find((k) => k.id === 'ai/web')?.guardrailPolicyIds).toBeUndefined();
    const accepted = diagnostics.find((d) => d.kind === 'GuardrailPolicy')?.conditions.find((c) => c.type === 'Accepted');
    expect(accepted?.status).toBe('True');
    expect(accepted?.message).toContain('6 checks on 1 VirtualKey of namespace ai, 2 routes');
    expect(accepted?.message).not.toContain('not enforced');
  });

  it('selects routes by label and lists policies on a key in namespace/name order', () => {
    const policy = (name: string, extra = '') => `apiVersion: switchyard.dev/v1alpha1
kind: GuardrailPolicy
metadata: {name: ${name}, namespace: ai}
spec:
  selector: {}
${extra}  checks: [{name: s, type: secrets, "on": both, action: log}]`;
    const { table } = compileWith(policy('zeta'), policy('alpha', '  routeSelector: {matchLabels: {tier: gold}}\n  streamHoldback: 64\n'));
    expect(table.guardrailPolicies?.['ai/alpha']?.routeIds).toEqual(['ai/chat']);
    expect(table.guardrailPolicies?.['ai/alpha']?.streamHoldback).toBe(64);
    expect(table.guardrailPolicies?.['ai/zeta']?.routeIds).toBeUndefined();
    expect(table.keys.find((k) => k.id === 'ai/web')?.guardrailPolicyIds).toEqual(['ai/alpha', 'ai/zeta']);
  });

  const check = (item: string) => `apiVersion: switchyard.dev/v1alpha1
kind: GuardrailPolicy
metadata: {name: bad, namespace: ai}
spec:
  selector: {}
  checks: [${item}]`;

  it.each<[string, string, string]>([
    [
      'a catastrophic regex',
      '{name: r, type: regex, pattern: "(a+)+$", "on": input, action: block}',
      'repeats a group that holds a quantifier',
    ],
    ['a backreference', '{name: r, type: regex, pattern: "(a)\\\\1", "on": input, action: block}', 'backreference'],
    [
      'an invalid regex',
      '{name: r, type: regex, pattern: "([a-z]", "on": input, action: block}',
      'pattern is not a valid regular expression',
    ],
    ['pii without entities', '{name: p, type: pii, "on": input, action: block}', 'a pii check needs a non-empty entities list'],
    [
      'denylist without phrases',
      '{name: d, type: denylist, "on": input, action: block}',
      'a denylist check needs a non-empty phrases list',
    ],
    ['regex without a pattern', '{name: r, type: regex, "on": input, action: block}', 'a regex check needs a pattern'],
    ['webhook without a url', '{name: w, type: webhook, "on": input}', 'a webhook check needs a url'],
    ['moderation without a model', '{name: m, type: moderation, "on": input, action: block}', 'a moderation check needs a model'],
    ['no action', '{name: s, type: secrets, "on": input}', 'action is required on every check but webhook checks'],
    [
      'a timeout on a pii check',
      '{name: p, type: pii, entities: [email], timeout: 1s, "on": input, action: log}',
      'timeout and failurePolicy belong to webhook and moderation checks only',
    ],
    [
      'a url on a moderation check',
      '{name: m, type: moderation, model: x, url: "http://x/", "on": input, action: block}',
      'url belongs to webhook checks only',
    ],
    [
      'restore on a block check',
      '{name: p, type: pii, entities: [email], restore: true, "on": input, action: block}',
      'restore belongs to built-in checks whose action is redact',
    ],
    [
      'a webhook timeout over 30s',
      '{name: w, type: webhook, url: "http://x/", timeout: 1m, "on": input}',
      'timeout must be more than 0s and at most 30s',
    ],
    ['an unknown entity', '{name: p, type: pii, entities: [passport], "on": input, action: block}', 'entities'],
    ['an unknown action', '{name: s, type: secrets, "on": input, action: drop}', 'action'],
    ['a url that is not http', '{name: w, type: webhook, url: "ftp://x/", "on": input}', 'url'],
    [
      'two checks with one name',
      '{name: s, type: secrets, "on": input, action: log}, {name: s, type: secrets, "on": output, action: log}',
      'check names must be unique within a policy',
    ],
  ])('refuses %s with a message', (_what, item, message) => {
    const text = refusal(check(item));
    expect(text).toContain('GuardrailPolicy ai/bad');
    expect(text).toContain(message);
  });
});
