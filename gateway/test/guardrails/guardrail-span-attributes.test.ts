// Span attributes: every guardrail decision is on the request's SERVER span, as one
// `switchyard.guardrail` event (policy, check, action, direction, failure) and as the span's
// arrays and strongest action, read back from what the gateway exported over OTLP. The matched
// text is nowhere in the export.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from '../mocks/otlp-collector.js';
import { startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  guardrailManifests,
  openAIClient,
  policyObject,
  startScriptedUpstream,
  testKey,
  type ScriptedUpstream,
} from './guardrail-fixtures.js';

const key = testKey('grspan');
const CARD = '4111 1111 1111 1111';

describe('guardrail span attributes', () => {
  let collector: OtlpCollector;
  let upstream: ScriptedUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    upstream = await startScriptedUpstream();
    gateway = await startGateway({
      manifests: {
        'all.yaml': guardrailManifests(
          upstream.server.url,
          [{ name: 'pay', key, labels: { team: 'payments' } }],
          policyObject('pii', { team: 'payments' }, [
            { name: 'cards', type: 'pii', entities: ['credit_card'], on: 'input', action: 'block' },
            { name: 'emails', type: 'pii', entities: ['email'], on: 'both', action: 'redact' },
            { name: 'words', type: 'denylist', phrases: ['falcon'], on: 'output', action: 'log' },
            // Nothing listens on port 1: the webhook fails, and failurePolicy Open lets the request through.
            { name: 'hook', type: 'webhook', url: 'http://127.0.0.1:1/check', failurePolicy: 'Open', on: 'input' },
          ]),
        ),
      },
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
    await collector?.close();
  });

  const serverSpanFor = async (requestId: string): Promise<CollectedSpan> => {
    const spans = await collector.waitForSpans((all) => all.some((s) => s.attributes['switchyard.request_id'] === requestId));
    return spans.find((s) => s.attributes['switchyard.request_id'] === requestId) as CollectedSpan;
  };
  const guardrailEvents = (span: CollectedSpan) => span.events.filter((e) => e.name === 'switchyard.guardrail').map((e) => e.attributes);

  it('an input block: one event naming policy, check, action and direction; the strongest action on the span', async () => {
    const error = await openAIClient(gateway, key)
      .chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: `charge ${CARD} for ann@example.com` }] })
      .catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const span = await serverSpanFor((error as InstanceType<typeof OpenAI.APIError>).requestID as string);
    expect(guardrailEvents(span)).toEqual([
      {
        'switchyard.guardrail.policy': 'default/pii',
        'switchyard.guardrail.check': 'cards',
        'switchyard.guardrail.action': 'block',
        'switchyard.guardrail.direction': 'input',
      },
      {
        'switchyard.guardrail.policy': 'default/pii',
        'switchyard.guardrail.check': 'emails',
        'switchyard.guardrail.action': 'redact',
        'switchyard.guardrail.direction': 'input',
      },
    ]);
    expect(span.attributes['switchyard.guardrail.action']).toBe('block');
    expect(span.attributes['switchyard.error_code']).toBe('guardrail_blocked');
  });

  it('a streamed answer: redact and log decisions of both directions, and a webhook failure with its failure mode', async () => {
    const { data: stream, response } = await openAIClient(gateway, key)
      .chat.completions.create({
        model: 'chat',
        stream: true,
        messages: [{ role: 'user', content: 'SAY:write to bo@exa|mple.com about fal|con' }],
      })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('write to [EMAIL_1] about falcon');
    const span = await serverSpanFor(response.headers.get('x-request-id') as string);
    const events = guardrailEvents(span);
    expect(events).toContainEqual({
      'switchyard.guardrail.policy': 'default/pii',
      'switchyard.guardrail.check': 'hook',
      'switchyard.guardrail.action': 'log',
      'switchyard.guardrail.direction': 'input',
      'switchyard.guardrail.failure': 'failed_open',
    });
    expect(events).toContainEqual({
      'switchyard.guardrail.policy': 'default/pii',
      'switchyard.guardrail.check': 'emails',
      'switchyard.guardrail.action': 'redact',
      'switchyard.guardrail.direction': 'output',
    });
    expect(events).toContainEqual({
      'switchyard.guardrail.policy': 'default/pii',
      'switchyard.guardrail.check': 'words',
      'switchyard.guardrail.action': 'log',
      'switchyard.guardrail.direction': 'output',
    });
    expect(span.attributes['switchyard.guardrail.action']).toBe('redact');
    // The arrays line up, one entry per decision.
    const checks = span.attributes['switchyard.guardrail.checks'] as string[];
    expect(checks).toHaveLength(events.length);
    expect(span.attributes['switchyard.guardrail.failures']).toEqual(checks.map((c) => (c === 'hook' ? 'failed_open' : '')));
    expect(span.attributes['switchyard.guardrail.directions']).toEqual(events.map((e) => e['switchyard.guardrail.direction']));
  });

  it('never exports the matched text', async () => {
    await collector.waitForSpans((all) => all.length >= 2);
    const exported = collector.requests.map((r) => r.body.toString('utf8')).join('\n');
    expect(exported).not.toContain('4111');
    expect(exported).not.toContain('example.com');
    expect(exported).not.toContain('falcon');
  });
});
