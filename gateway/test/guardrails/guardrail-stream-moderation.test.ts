// Moderation and webhook checks on streamed answers: they trail the release (text reaches the
// caller as the hold-back window lets it go) and run over bounded segments of the released text,
// one call at a time, never the whole answer at once; a flag ends the stream with the front
// door's own error event (guardrail_blocked, policy and check), even when it comes in the last
// segment, through every front door. A rewrite verdict cannot change text already sent: it ends
// the stream too.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { API_VERSION, documents, keyObjects, openAIBackend, secretObject } from '../core/core-fixtures.js';
import { eventually } from '../support/eventually.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import { startMockHttpServer, type MockHttpServer } from '../support/mock-http-server.js';
import { errorText, FRONT_DOORS } from './front-door-drivers.js';
import { policyObject, requestLines, startScriptedUpstream, testKey, type ScriptedUpstream } from './guardrail-fixtures.js';
import { startModerationUpstream, type ModerationUpstream } from './moderation-fixtures.js';

const modKey = testKey('grstreammod');
const closedKey = testKey('grstreamclosed');
const hookKey = testKey('grstreamhook');
const WINDOW = 16;

describe('guardrail moderation and webhook checks on streams', () => {
  let upstream: ScriptedUpstream;
  let moderation: ModerationUpstream;
  let hook: MockHttpServer;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    moderation = await startModerationUpstream();
    hook = await startMockHttpServer((request, res) => {
      const { texts } = request.json as { texts: string[] };
      const all = texts.join(' ');
      const answer = all.includes('HOOK_BLOCK')
        ? { verdict: 'block' }
        : all.includes('HOOK_REWRITE')
          ? { verdict: 'rewrite', texts: texts.map((t) => t.replace('HOOK_REWRITE', '[rewritten]')) }
          : { verdict: 'allow' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
    const route = (name: string, backend: Record<string, unknown>) => ({
      apiVersion: API_VERSION,
      kind: 'ModelRoute',
      metadata: { name },
      spec: { model: name, backends: [backend], retry: { attempts: 1 } },
    });
    const mod = (extra: Record<string, unknown> = {}) => ({
      name: 'mod',
      type: 'moderation',
      model: 'mod',
      on: 'output',
      action: 'block',
      ...extra,
    });
    gateway = await startGateway({
      manifests: {
        'all.yaml': documents(
          secretObject('openai', { apiKey: 'sk-upstream' }),
          route('chat', openAIBackend('up', upstream.server.url)),
          route('mod', { ...openAIBackend('compat', moderation.server.url, { model: 'omni-upstream' }), provider: 'openai-compatible' }),
          ...keyObjects({ name: 'mod', key: modKey, labels: { g: 'mod' } }),
          ...keyObjects({ name: 'closed', key: closedKey, labels: { g: 'closed' } }),
          ...keyObjects({ name: 'hook', key: hookKey, labels: { g: 'hook' } }),
          // A generous timeout: on a loaded machine a slow answer must not pass for a flag.
          policyObject('mod', { g: 'mod' }, [mod({ timeout: '20s' })], { streamHoldback: WINDOW }),
          policyObject('closed', { g: 'closed' }, [mod({ timeout: '200ms', failurePolicy: 'Closed' })], { streamHoldback: WINDOW }),
          policyObject('hook', { g: 'hook' }, [{ name: 'hook', type: 'webhook', url: `${hook.url}/check`, on: 'output' }], {
            streamHoldback: WINDOW,
          }),
        ),
      },
    });
  });
  afterEach(() => {
    moderation.delayMs = 0;
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
    await moderation?.server.close();
    await hook?.close();
  });

  const clean = Array.from({ length: 12 }, (_, i) => `sentence ${i} is calm.`);

  // BURST: the upstream writes every chunk at once, so the gateway reads them in one batch.
  it.each(['SAY', 'BURST'])('%s: a clean stream passes whole; it was moderated in bounded segments that cover all of it', async (mode) => {
    const sent = moderation.moderationBodies().length;
    const outcome = await FRONT_DOORS[0]?.stream(gateway, modKey, `${mode}:${clean.join('|')}`);
    expect(outcome?.error).toBeUndefined();
    expect(outcome?.deltas.join('')).toBe(clean.join(''));
    const segments = moderation
      .moderationBodies()
      .slice(sent)
      .map((body) => (body.input as string[]).join(''));
    // Several calls, none of them the whole answer, each at most a lag bound of text plus its context window.
    expect(segments.length).toBeGreaterThan(1);
    // A window of context, four windows of lag and the chunk that crossed the bound.
    for (const segment of segments) expect(segment.length).toBeLessThanOrEqual(5 * WINDOW + 24);
    for (const sentence of clean) expect(segments.some((segment) => segment.includes(sentence))).toBe(true);
    expect(segments.at(-1)?.endsWith('sentence 11 is calm.')).toBe(true);
  });

  it.each(FRONT_DOORS.map((door) => [door.name, door] as const))(
    '%s: a flag in the last segment ends the stream with the front door’s error event',
    async (_name, door) => {
      const outcome = await door.stream(gateway, modKey, `SAY:${clean.slice(0, 6).join('|')}|and then we ki|ll it`);
      expect(errorText(outcome.error)).toContain('guardrail_blocked');
      expect(errorText(outcome.error)).toContain('the answer was blocked by GuardrailPolicy default/mod, check mod');
      expect(errorText(outcome.error)).not.toContain('failurePolicy');
      // The checks trail the release: the text went out, but the stream never finished cleanly.
      expect(outcome.deltas.join('')).toContain('sentence 5 is calm.');
    },
  );

  it('a flag early in a long stream ends it before the rest is sent, even when the whole answer arrives at once', async () => {
    // One upstream write: the gateway reads every chunk in one batch, and must still not release it all ahead of the check.
    const outcome = await FRONT_DOORS[0]?.stream(gateway, modKey, `BURST:we will kill |${clean.join('|')}`);
    expect(errorText(outcome?.error)).toContain('check mod');
    // Moderation trails the release by a bounded amount: most of the answer never reached the caller.
    expect(outcome?.deltas.join('')).not.toContain('sentence 11');
    await eventually(async () => requestLines(gateway).some((l) => l.key === 'default/mod' && l.stream === true));
    const line = requestLines(gateway)
      .filter((l) => l.key === 'default/mod')
      .at(-1);
    expect(line?.guardrails).toEqual([{ policy: 'default/mod', check: 'mod', action: 'block', on: 'output' }]);
    expect(gateway.logs()).not.toContain('violence');
  });

  it('a moderation model slower than the timeout ends the stream with failurePolicy Closed', async () => {
    moderation.delayMs = 700;
    const outcome = await FRONT_DOORS[2]?.stream(gateway, closedKey, `SAY:${clean.slice(0, 3).join('|')}`);
    expect(errorText(outcome?.error)).toContain('the moderation model mod did not answer within 200 ms; failurePolicy is Closed');
  });

  it('a webhook check runs on streams too: block ends the stream, a rewrite cannot be applied and ends it as well', async () => {
    const allowed = await FRONT_DOORS[0]?.stream(gateway, hookKey, `SAY:${clean.slice(0, 4).join('|')}`);
    expect(allowed?.error).toBeUndefined();
    expect(allowed?.deltas.join('')).toBe(clean.slice(0, 4).join(''));
    const blocked = await FRONT_DOORS[1]?.stream(gateway, hookKey, `SAY:${clean.slice(0, 4).join('|')}|HOOK_|BLOCK`);
    expect(errorText(blocked?.error)).toContain('GuardrailPolicy default/hook, check hook');
    const rewritten = await FRONT_DOORS[0]?.stream(gateway, hookKey, 'SAY:fine |HOOK_REWRITE| text');
    expect(errorText(rewritten?.error)).toContain('a rewrite verdict cannot change streamed text already sent');
    const texts = hook.requests.flatMap((r) => (r.json as { texts: string[]; on: string }).texts);
    expect(hook.requests.every((r) => (r.json as { on: string }).on === 'output')).toBe(true);
    expect(texts.some((t) => t.includes('HOOK_BLOCK'))).toBe(true);
  });
});
