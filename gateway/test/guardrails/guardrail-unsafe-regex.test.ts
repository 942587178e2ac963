// A regex that can backtrack catastrophically is refused when the manifests are applied: the
// gateway does not start on it, and a reload that adds one is refused while the last good table
// keeps serving, each with a message naming the policy, the check and the construct.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { documents } from '../core/core-fixtures.js';
import { eventually } from '../support/eventually.js';
import { GatewayStartError, startGateway, type GatewayProcess } from '../support/gateway-process.js';
import {
  guardrailManifests,
  openAIClient,
  policyObject,
  startScriptedUpstream,
  testKey,
  type ScriptedUpstream,
} from './guardrail-fixtures.js';

const key = testKey('grregex');
const catastrophic = policyObject('evil', { team: 'x' }, [
  { name: 'nested', type: 'regex', pattern: '(a+)+$', on: 'input', action: 'block' },
]);

describe('guardrail unsafe regex', () => {
  let upstream: ScriptedUpstream;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    gateway = await startGateway({
      manifests: { 'all.yaml': guardrailManifests(upstream.server.url, [{ name: 'x', key, labels: { team: 'x' } }]) },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.server.close();
  });

  it('refuses to start on it, with the message', async () => {
    const error = await startGateway({
      manifests: { 'all.yaml': guardrailManifests(upstream.server.url, [{ name: 'x', key, labels: { team: 'x' } }], catastrophic) },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayStartError);
    const output = (error as GatewayStartError).output;
    expect(output).toContain('GuardrailPolicy default/evil');
    expect(output).toContain(
      'spec.checks[0] (nested): pattern refused: quantifier "+" at position 4 repeats a group that holds a quantifier',
    );
  });

  it('refuses a reload that adds it and keeps serving the last good table', async () => {
    await gateway.writeManifest('evil.yaml', documents(catastrophic));
    await eventually(async () => gateway.logs().includes('pattern refused'));
    const answer = await openAIClient(gateway, key).chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'SAY:aaaa' }],
    });
    expect(answer.choices[0]?.message.content).toBe('aaaa');
  });
});
