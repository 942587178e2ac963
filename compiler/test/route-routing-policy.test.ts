// A ModelRoute's routing fields through the standalone path (schema validation, CEL twins,
// compile): strategy, rules, affinity, backend labels and capabilities compile into plain table
// data, and bad values are refused with the CRD's message.

import { describe, expect, it } from '@jest/globals';
import { loadCrdSchemas, type ModelRouteSpec } from '../src/index.js';
import { compile, conditionOf } from './support/compile.js';
import { crdDir, route } from './support/manifests.js';

const schemas = loadCrdSchemas(crdDir);
const mini = { name: 'mini', provider: 'mock' as const, model: 'mini' };
const big = { name: 'big', provider: 'mock' as const, model: 'big' };

function compileSpec(extra: Record<string, unknown>, backends: unknown[] = [mini, big]) {
  const spec = { backends, ...extra } as Partial<ModelRouteSpec>;
  const { table, diagnostics } = compile({ schemas, routes: [route({ name: 'r' }, spec)] });
  return { compiled: table.routes['default/r'], accepted: conditionOf(diagnostics, 'ModelRoute', 'default/r', 'Accepted') };
}

describe('routing fields compile', () => {
  const good: { name: string; spec: Record<string, unknown>; backends?: unknown[]; expected: Record<string, unknown> }[] = [
    {
      name: 'nothing set: weighted, no rules, no affinity',
      spec: {},
      expected: { strategy: undefined, rules: undefined, affinity: undefined },
    },
    { name: 'explicit weighted is the default', spec: { strategy: 'weighted' }, expected: { strategy: undefined } },
    { name: 'least-outstanding', spec: { strategy: 'least-outstanding' }, expected: { strategy: 'least-outstanding' } },
    { name: 'latency', spec: { strategy: 'latency' }, expected: { strategy: 'latency' } },
    { name: 'cheapest', spec: { strategy: 'cheapest' }, expected: { strategy: 'cheapest' } },
    { name: 'affinity enabled, ttl defaults to 5m', spec: { affinity: { enabled: true } }, expected: { affinity: { ttlMs: 300_000 } } },
    { name: 'affinity with ttl', spec: { affinity: { enabled: true, ttl: '1h' } }, expected: { affinity: { ttlMs: 3_600_000 } } },
    { name: 'affinity disabled', spec: { affinity: { enabled: false, ttl: '1h' } }, expected: { affinity: undefined } },
    {
      name: 'the contract example rule',
      spec: { rules: [{ match: { tags: ['classify'], maxPromptTokens: 4000, hasTools: false }, backends: ['mini'] }] },
      expected: { rules: [{ name: 'rule-0', match: { tags: ['classify'], maxPromptTokens: 4000, hasTools: false }, backends: ['mini'] }] },
    },
    {
      name: 'a rule handing requests to another route names no backends',
      spec: { rules: [{ name: 'cheap', match: { tags: ['classify'] }, route: 'gpt-mini' }] },
      expected: { rules: [{ name: 'cheap', match: { tags: ['classify'] }, backends: [], route: 'gpt-mini' }] },
    },
    {
      name: 'every condition, empty ones dropped, names kept in order',
      spec: {
        rules: [
          { name: 'empty', match: { tags: [], metadata: {}, keyLabels: {} }, backends: ['big'] },
          {
            name: 'all',
            match: {
              tags: ['a', 'b'],
              metadata: { task: 'x' },
              minPromptTokens: 10,
              maxPromptTokens: 10,
              hasTools: true,
              hasImages: false,
              jsonSchema: true,
              frontDoors: ['anthropic', 'gemini'],
              keyLabels: { team: 'r' },
            },
            backends: ['big', 'mini'],
          },
        ],
      },
      expected: {
        rules: [
          { name: 'empty', match: {}, backends: ['big'] },
          {
            name: 'all',
            match: {
              tags: ['a', 'b'],
              metadata: { task: 'x' },
              minPromptTokens: 10,
              maxPromptTokens: 10,
              hasTools: true,
              hasImages: false,
              jsonSchema: true,
              frontDoors: ['anthropic', 'gemini'],
              keyLabels: { team: 'r' },
            },
            backends: ['big', 'mini'],
          },
        ],
      },
    },
  ];
  it.each(good)('$name', ({ spec, backends, expected }) => {
    const { compiled, accepted } = compileSpec(spec, backends);
    expect(accepted?.status).toBe('True');
    for (const [field, value] of Object.entries(expected)) expect(compiled?.[field as keyof typeof compiled]).toEqual(value);
  });

  it('carries labels and capabilities onto the compiled backend', () => {
    const { compiled } = compileSpec({}, [
      { ...mini, labels: { region: 'eu' }, capabilities: { contextWindow: 128000, vision: true, tools: true } },
      big,
    ]);
    expect(compiled?.backends[0]).toMatchObject({
      labels: { region: 'eu' },
      capabilities: { contextWindow: 128000, vision: true, tools: true },
    });
    expect(compiled?.backends[1]?.labels).toBeUndefined();
    expect(compiled?.backends[1]?.capabilities).toBeUndefined();
  });

  it("carries maxConcurrency and affinityTTL, and a backend's timeouts are the route's with the backend's overrides", () => {
    const { compiled } = compileSpec({ timeouts: { firstByte: '10s', total: '120s' } }, [
      { ...mini, maxConcurrency: 8, affinityTTL: '1h', timeouts: { firstByte: '90s' } },
      big,
    ]);
    expect(compiled?.backends[0]).toMatchObject({
      maxConcurrency: 8,
      affinityTTLMs: 3_600_000,
      timeouts: { connectMs: 5_000, firstByteMs: 90_000, totalMs: 120_000, streamIdleMs: 60_000 },
    });
    expect(compiled?.timeouts).toEqual({ connectMs: 5_000, firstByteMs: 10_000, totalMs: 120_000, streamIdleMs: 60_000 });
    expect(compiled?.backends[1]?.maxConcurrency).toBeUndefined();
    expect(compiled?.backends[1]).not.toHaveProperty('affinityTTLMs');
    expect(compiled?.backends[1]?.timeouts).toBeUndefined();
  });
});

describe('routing fields reject bad values with a clear message', () => {
  const bad: { name: string; spec: Record<string, unknown>; backends?: unknown[]; message: string }[] = [
    {
      name: 'unknown strategy',
      spec: { strategy: 'random' },
      message: 'spec.strategy: must be one of: weighted, least-outstanding, latency, cheapest',
    },
    {
      name: 'a rule naming a backend the route lacks',
      spec: { rules: [{ match: {}, backends: ['mini', 'nano'] }] },
      message: 'spec: every backend a rule names must be a backend of this route',
    },
    {
      name: 'min above max prompt tokens',
      spec: { rules: [{ match: { minPromptTokens: 5, maxPromptTokens: 4 }, backends: ['mini'] }] },
      message: 'spec.rules[0].match: minPromptTokens must be <= maxPromptTokens',
    },
    {
      name: 'a rule without backends',
      spec: { rules: [{ match: {}, backends: [] }] },
      message: 'spec.rules[0].backends: must not have fewer than 1 items',
    },
    { name: 'a rule without match', spec: { rules: [{ backends: ['mini'] }] }, message: 'spec.rules[0].match: is required' },
    {
      name: 'a rule naming backends and a route',
      spec: { rules: [{ match: {}, backends: ['mini'], route: 'other' }] },
      message: 'spec.rules[0]: a rule names either backends or a route, not both and not neither',
    },
    {
      name: 'a rule naming neither backends nor a route',
      spec: { rules: [{ match: {} }] },
      message: 'spec.rules[0]: a rule names either backends or a route, not both and not neither',
    },
    {
      name: "a rule naming the route's own model",
      spec: { rules: [{ match: {}, route: 'r' }] },
      message: "spec: a rule's route must be another model than this route's own name and aliases",
    },
    {
      name: 'an unknown front door',
      spec: { rules: [{ match: { frontDoors: ['bedrock'] }, backends: ['mini'] }] },
      message: 'spec.rules[0].match.frontDoors[0]: must be one of: openai, openai-responses, anthropic, gemini',
    },
    {
      name: 'an affinity ttl over 24h',
      spec: { affinity: { enabled: true, ttl: '25h' } },
      message: 'spec.affinity.ttl: must be between 1s and 24h',
    },
    {
      name: 'a backend affinityTTL over 24h',
      spec: {},
      backends: [{ ...mini, affinityTTL: '48h' }],
      message: 'spec.backends[0].affinityTTL: must be between 1s and 24h',
    },
    {
      name: 'a zero maxConcurrency',
      spec: {},
      backends: [{ ...mini, maxConcurrency: 0 }],
      message: 'spec.backends[0].maxConcurrency: must be >= 1',
    },
    {
      name: 'a zero backend timeout',
      spec: {},
      backends: [{ ...mini, timeouts: { firstByte: '0s' } }],
      message: 'spec.backends[0].timeouts.firstByte: must be greater than 0',
    },
    {
      name: 'a zero context window',
      spec: {},
      backends: [{ ...mini, capabilities: { contextWindow: 0 } }],
      message: 'spec.backends[0].capabilities.contextWindow: must be >= 1',
    },
    {
      name: 'a bad label key',
      spec: {},
      backends: [{ ...mini, labels: { '-eu': 'x' } }],
      message:
        "spec.backends[0].labels: label keys are at most 63 letters, digits, '-', '_', '.' or '/', starting and ending with a letter or digit",
    },
  ];
  it.each(bad)('$name', ({ spec, backends, message }) => {
    const { compiled, accepted } = compileSpec(spec, backends);
    expect(compiled).toBeUndefined();
    expect(accepted).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(accepted?.message).toBe(message);
  });
});
