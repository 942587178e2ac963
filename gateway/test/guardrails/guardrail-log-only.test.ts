// action: log: the prompt and the answer pass unchanged, and the decision is in the metric and
// the request's log line, never the matched text.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/eventually.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import {
  geminiClient,
  lastUserContent,
  openAIClient,
  policyObject,
  requestLines,
  type ScriptedUpstream,
  startGuardrailGateway,
  testKey,
} from './guardrail-fixtures.js';

const key = testKey('grlog');
const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwx1234';

describe('guardrail log-only', () => {
  let upstream: ScriptedUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    ({ upstream, gateway } = await startGuardrailGateway(
      [{ name: 'dev', key, labels: { team: 'dev' } }],
      [policyObject('audit', { team: 'dev' }, [{ name: 'creds', type: 'secrets', on: 'both', action: 'log' }])],
    ));
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  it('passes prompt and answer unchanged, streamed or not, and records the decision without the text', async () => {
    const whole = await openAIClient(gateway, key).chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: `SAY:use ${SECRET}` }],
    });
    expect(whole.choices[0]?.message.content).toBe(`use ${SECRET}`);
    expect(lastUserContent(upstream.bodies().at(-1) as never)).toBe(`SAY:use ${SECRET}`);

    let streamed = '';
    for await (const chunk of await geminiClient(gateway, key).models.generateContentStream({
      model: 'chat',
      contents: `SAY:key ${SECRET.slice(0, 12)}|${SECRET.slice(12)} end`,
    }))
      streamed += chunk.text ?? '';
    expect(streamed).toBe(`key ${SECRET} end`);

    await eventually(async () => requestLines(gateway).length === 2);
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /switchyard_guardrail_decisions_total\{policy="default\/audit",check="creds",action="log",direction="input"\} 1/,
    );
    expect(metrics).toMatch(
      /switchyard_guardrail_decisions_total\{policy="default\/audit",check="creds",action="log",direction="output"\} 2/,
    );
    const lines = requestLines(gateway);
    expect(lines.map((line) => line.guardrails)).toEqual([
      [
        { policy: 'default/audit', check: 'creds', action: 'log', on: 'input' },
        { policy: 'default/audit', check: 'creds', action: 'log', on: 'output' },
      ],
      [{ policy: 'default/audit', check: 'creds', action: 'log', on: 'output' }],
    ]);
    expect(gateway.logs()).not.toContain('abcdefghijklmnop');
  });
});
